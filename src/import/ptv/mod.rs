//! Import of service locations from PTV, Suomi.fi Palvelutietovaranto (the Finnish national
//! service register, open API v11, <https://api.palvelutietovaranto.suomi.fi/api/v11>): the
//! visiting addresses, positions, contact details, languages, accessibility and service hours
//! that Kela, the state's joint service points and municipalities publish there.
//!
//! * Fetch (`client`): the service channels of the given municipalities
//!   (`ServiceChannel/list/area/Municipality/code/{code}`) and/or PTV organizations
//!   (`ServiceChannel/list/organization?organizationId=`), every page; then the PTV
//!   organizations owning the service locations (`Organization/{id}`). Only channels of type
//!   `ServiceLocation` are used; those not `Published` are skipped (and so count as gone).
//! * Map (`mapping`, `hours`): names, descriptions and accessibility by language, the visiting
//!   address, coordinates converted from ETRS-TM35FIN (EPSG:3067) to WGS84 with `proj4rs`,
//!   phone, e-mail, http(s) web page, languages and service hours.
//! * Write (here), in one transaction, through the same write functions as the partner API
//!   (`crate::db::write`): every change bumps the row's version and writes a history row by
//!   `import:ptv`, so a partner's ETag from before the import gets 412.
//!
//! The rules are the Kirkanta importer's: records are matched by (`source = 'ptv'`,
//! `external_id` = the channel id), so a second run changes nothing; a channel gone from PTV
//! (within the same municipalities/organizations) becomes `status = 'inactive'`, never
//! deleted; a field a partner edited since the last import is never overwritten
//! (`locations.import_state` keeps what the import last wrote) and if PTV changed it too, the
//! report lists a conflict; nothing is written when the fetch fails or no channel is usable.

pub mod client;
pub mod hours;
pub mod mapping;
pub mod wire;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::{bail, Context};
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{json, Value};

use super::{Conflict, ImportReport, Skipped};
use crate::db::models::LocationRow;
use crate::db::schema::{locations, organizations};
use crate::db::write::{self, Actor};
use crate::edit::location::LocationChanges;
use crate::edit::organization::OrganizationChanges;
use crate::geocode::Geocoder;
use mapping::Mapped;
use wire::Organization;

pub const SOURCE: &str = "ptv";
pub const ACTOR: &str = "import:ptv";
pub const DEFAULT_BASE_URL: &str = "https://api.palvelutietovaranto.suomi.fi/api/v11";

/// What to import and from where.
#[derive(Debug, Clone)]
pub struct Options {
    pub base_url: String,
    /// Municipality codes (e.g. `167` for Joensuu).
    pub municipalities: Vec<String>,
    /// PTV organization ids (guids).
    pub ptv_organizations: Vec<String>,
    /// Put every location under this existing organization of ours instead of one per PTV
    /// organization (`ptv-<guid>`, created when missing).
    pub organization: Option<String>,
    /// Per request.
    pub timeout: Duration,
    /// Extra attempts after the first, for timeouts, connection errors, 429 and 5xx.
    pub retries: u32,
    pub backoff: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base_url: DEFAULT_BASE_URL.into(),
            municipalities: Vec::new(),
            ptv_organizations: Vec::new(),
            organization: None,
            timeout: Duration::from_secs(30),
            retries: 2,
            backoff: Duration::from_millis(500),
        }
    }
}

impl Options {
    /// The set of channels one run sees: a channel gone from it is gone from PTV.
    pub fn scope(&self) -> String {
        let mut m: Vec<String> = self.municipalities.iter().map(|c| c.trim().to_owned()).collect();
        let mut o: Vec<String> = self.ptv_organizations.iter().map(|c| c.trim().to_lowercase()).collect();
        m.sort();
        m.dedup();
        o.sort();
        o.dedup();
        format!("municipality={};organization={}", m.join(","), o.join(","))
    }
}

/// The location kind for a PTV organization type.
fn kind_for(org: Option<&Organization>) -> &'static str {
    match org.and_then(|o| o.organization_type.as_deref()) {
        Some("Municipality") => "municipal_service_point",
        _ => "public_authority_service_point",
    }
}

/// The name of our organization for a PTV organization: its Finnish name, else Swedish, else
/// English.
fn org_name(org: &Organization, lang: &str) -> Option<String> {
    org.organization_names
        .iter()
        .filter(|n| n.language.as_deref() == Some(lang) && n.kind.as_deref() == Some("Name"))
        .find_map(|n| n.value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned))
}

/// Why a channel's PTV organization cannot become one of ours, if it cannot.
fn org_problem(ptv_id: Option<&str>, orgs: &BTreeMap<String, Organization>) -> Option<String> {
    let Some(id) = ptv_id else { return Some("no organizationId".into()) };
    match orgs.get(id) {
        None => Some(format!("PTV does not know its organization {id}")),
        Some(o) if ["fi", "sv", "en"].iter().all(|l| org_name(o, l).is_none()) => {
            Some(format!("its PTV organization {id} has no name"))
        }
        Some(_) => None,
    }
}

/// Runs one import: fetch and check everything, then write it in one transaction.
pub async fn run(database_url: &str, opts: &Options, geocoder: Option<&Geocoder>) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport { source: SOURCE.into(), ..Default::default() };
    if opts.municipalities.is_empty() && opts.ptv_organizations.is_empty() {
        bail!("give at least one municipality code or PTV organization id");
    }
    let fetched = match client::fetch_channels(opts).await {
        Ok(f) => f,
        Err(e) => {
            report.aborted = Some(format!("{e:#}"));
            return Ok(report);
        }
    };
    tracing::info!(channels = fetched.channels.len(), pages = fetched.pages, "read PTV service channels");

    // Ids of every service location upstream, usable or not: none of them is "gone". An
    // unpublished channel is not in PTV's public register: it counts as gone.
    let mut locations_raw = Vec::new();
    let mut other_types = 0usize;
    for item in &fetched.channels {
        let id = item.get("id").and_then(Value::as_str).map(|s| s.trim().to_lowercase());
        if item.get("serviceChannelType").and_then(Value::as_str) != Some("ServiceLocation") {
            other_types += 1;
            continue;
        }
        match item.get("publishingStatus").and_then(Value::as_str) {
            Some("Published") | None => locations_raw.push(item),
            Some(status) => {
                report.skipped.push(Skipped { external_id: id, reason: format!("not published ({status})") });
            }
        }
    }
    report.fetched = locations_raw.len() + report.skipped.len();
    tracing::info!(other_types, "channels of other types (web pages, phone, e-services) left aside");

    // The PTV organizations, for our organizations and the location kind.
    let org_ids: BTreeSet<String> = locations_raw
        .iter()
        .filter_map(|c| c.get("organizationId").and_then(Value::as_str))
        .map(|s| s.trim().to_lowercase())
        .filter(|s| s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
        .collect();
    let ptv_orgs = match client::fetch_organizations(opts, &org_ids).await {
        Ok(o) => o,
        Err(e) => {
            report.aborted = Some(format!("{e:#}"));
            return Ok(report);
        }
    };

    let pool = crate::db::pool(database_url)?;
    let store = crate::directory::store::Store::default();
    let dir = store.rebuild(&pool).await.context("loading the directory")?;
    drop(pool);

    let kind_of = |org: Option<&str>| -> &'static str { kind_for(org.and_then(|o| ptv_orgs.get(o))) };
    let mut sorted: super::Sorted<Mapped> = super::Sorted::default();
    for item in locations_raw {
        match mapping::map_channel(item, &kind_of, &dir, geocoder).await {
            Ok(m) if opts.organization.is_none() && org_problem(m.ptv_organization.as_deref(), &ptv_orgs).is_some() => {
                let problem = org_problem(m.ptv_organization.as_deref(), &ptv_orgs).unwrap_or_default();
                let reason = format!("{problem} (give --organization-id to attach it to one of ours)");
                sorted.skip(Some(m.external_id), reason, &mut report);
            }
            Ok(m) => {
                for d in &m.dropped {
                    tracing::warn!(channel = %m.external_id, "{d}");
                }
                sorted.keep(&m.external_id.clone(), m);
            }
            Err((id, reason)) => sorted.skip(id, reason, &mut report),
        }
    }
    let super::Sorted { mapped, seen, anonymous_skips } = sorted;
    if mapped.is_empty() {
        report.aborted = Some(if report.fetched == 0 {
            "PTV returned no service locations for this scope; nothing imported, nothing deactivated".into()
        } else {
            "no service location was usable; nothing imported".into()
        });
        return Ok(report);
    }

    let mut conn = AsyncPgConnection::establish(database_url).await.context("connecting to the database")?;
    let scope = opts.scope();
    let outcome = conn
        .transaction::<_, anyhow::Error, _>(async |conn| {
            write_all(conn, opts, &scope, &mapped, &ptv_orgs, &seen, anonymous_skips).await
        })
        .await?;
    report.created = outcome.created;
    report.updated = outcome.updated;
    report.unchanged = outcome.unchanged;
    report.deactivated = outcome.deactivated;
    report.conflicts = outcome.conflicts;
    report.kept_local_edits = outcome.kept_local_edits;
    report.geocoded = mapped.iter().filter(|m| m.geocoded).map(|m| m.location_id.clone()).collect();
    if anonymous_skips {
        report.skipped.push(Skipped {
            external_id: None,
            reason: "some channels had no id, so no location was marked inactive this time".into(),
        });
    }
    Ok(report)
}

#[derive(Default)]
struct Outcome {
    created: Vec<String>,
    updated: Vec<String>,
    unchanged: usize,
    deactivated: Vec<String>,
    conflicts: Vec<Conflict>,
    kept_local_edits: usize,
}

#[derive(QueryableByName)]
struct ImportStateRow {
    #[diesel(sql_type = Nullable<Jsonb>)]
    import_state: Option<Value>,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Nullable<Text>)]
    external_id: Option<String>,
}

async fn import_state_of(conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Value>> {
    Ok(diesel::sql_query("SELECT import_state FROM locations WHERE id = $1")
        .bind::<Text, _>(id)
        .get_result::<ImportStateRow>(conn)
        .await?
        .import_state)
}

async fn set_import_state(conn: &mut AsyncPgConnection, id: &str, state: &Value) -> QueryResult<()> {
    diesel::sql_query("UPDATE locations SET import_state = $2 WHERE id = $1")
        .bind::<Text, _>(id)
        .bind::<Jsonb, _>(state)
        .execute(conn)
        .await?;
    Ok(())
}

fn import_state(scope: &str, fields: &serde_json::Map<String, Value>) -> Value {
    json!({"source": SOURCE, "scope": scope, "fields": fields, "imported_at": Utc::now().to_rfc3339()})
}

/// The row's values as a partner write, with `apply` laid over them.
fn changes_with(row: &LocationRow, apply: &BTreeMap<String, Value>) -> LocationChanges {
    let mut row = row.clone();
    for (field, v) in apply {
        super::set_location_field(&mut row, field, v);
    }
    LocationChanges::of(&row)
}

/// Our organization for a PTV organization: the one created for it earlier, else a new
/// `ptv-<guid>` named as in PTV.
async fn organization_for(
    conn: &mut AsyncPgConnection,
    ptv_id: &str,
    ptv: Option<&Organization>,
    cache: &mut BTreeMap<String, String>,
) -> anyhow::Result<String> {
    if let Some(id) = cache.get(ptv_id) {
        return Ok(id.clone());
    }
    let existing: Option<String> = organizations::table
        .filter(organizations::source.eq(SOURCE))
        .filter(organizations::external_id.eq(ptv_id))
        .select(organizations::id)
        .first(conn)
        .await
        .optional()?;
    let id = match existing {
        Some(id) => id,
        None => {
            let name = |lang: &str| ptv.and_then(|o| org_name(o, lang));
            let Some(name_fi) = name("fi").or_else(|| name("sv")).or_else(|| name("en")) else {
                bail!("PTV organization {ptv_id} has no name");
            };
            let id = write::free_id(conn, "organizations", &format!("ptv-{ptv_id}")).await?;
            let changes = OrganizationChanges {
                kind: kind_for(ptv).into(),
                name_fi,
                name_sv: name("sv"),
                name_en: name("en"),
                confidence: "verified".into(),
                ..Default::default()
            };
            write::insert_organization(conn, &id, &changes).await?;
            let sources = json!([{"key": "ptv", "url": format!("https://www.suomi.fi/organisaatiot/{ptv_id}")}]);
            diesel::update(organizations::table.find(&id))
                .set((
                    organizations::source.eq(SOURCE),
                    organizations::external_id.eq(ptv_id),
                    organizations::sources.eq(&sources),
                ))
                .execute(conn)
                .await?;
            let after = json!({"id": id, "kind": changes.kind, "name": {"fi": changes.name_fi, "sv": changes.name_sv,
                "en": changes.name_en}, "source": SOURCE, "external_id": ptv_id});
            write::record(conn, "organization", &id, "create", &Actor::system(ACTOR, &id), None, Some(after)).await?;
            id
        }
    };
    cache.insert(ptv_id.to_owned(), id.clone());
    Ok(id)
}

async fn write_all(
    conn: &mut AsyncPgConnection,
    opts: &Options,
    scope: &str,
    mapped: &[Mapped],
    ptv_orgs: &BTreeMap<String, Organization>,
    seen: &BTreeSet<String>,
    anonymous_skips: bool,
) -> anyhow::Result<Outcome> {
    let mut out = Outcome::default();
    let mut org_cache: BTreeMap<String, String> = BTreeMap::new();
    if let Some(ours) = &opts.organization {
        if write::lock_organization(conn, ours).await?.is_none() {
            bail!("organization {ours:?} does not exist");
        }
    }
    for m in mapped {
        let org_id = match (&opts.organization, &m.ptv_organization) {
            (Some(ours), _) => ours.clone(),
            (None, Some(ptv)) => organization_for(conn, ptv, ptv_orgs.get(ptv), &mut org_cache).await?,
            (None, None) => unreachable!("filtered before writing"),
        };
        let actor = Actor::system(ACTOR, &org_id);
        let hours_json = m.hours.as_ref().map(serde_json::to_value).transpose()?.unwrap_or(Value::Null);
        let mut upstream: serde_json::Map<String, Value> =
            m.fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        upstream.insert("languages".into(), json!(m.languages));
        upstream.insert("hours".into(), hours_json.clone());

        let existing: Option<String> = locations::table
            .filter(locations::source.eq(SOURCE))
            .filter(locations::external_id.eq(&m.external_id))
            .select(locations::id)
            .first(conn)
            .await
            .optional()?;
        let Some(id) = existing else {
            let id = write::free_id(conn, "locations", &m.location_id).await?;
            let fields = upstream.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let c = changes_with(&LocationRow::blank("", &org_id, "", SOURCE), &fields);
            write::insert_location(conn, &id, &c, &m.languages).await?;
            let sources =
                json!([{"key": "ptv", "url": format!("https://www.suomi.fi/palvelut/palvelupiste/{}", m.external_id)}]);
            diesel::update(locations::table.find(&id))
                .set((
                    locations::source.eq(SOURCE),
                    locations::external_id.eq(&m.external_id),
                    locations::sources.eq(&sources),
                ))
                .execute(conn)
                .await?;
            set_import_state(conn, &id, &import_state(scope, &upstream)).await?;
            if !hours_json.is_null() {
                write::put_hours(conn, Some(&id), None, Some(hours_json.clone()), "verified").await?;
            }
            write::record(conn, "location", &id, "create", &actor, None, Some(Value::Object(upstream.clone()))).await?;
            out.created.push(id);
            continue;
        };

        let row = write::lock_location(conn, &id).await?.context("a location vanished during the import")?;
        let languages = write::location_languages(conn, &id).await?;
        let current_hours =
            write::hours_of(conn, Some(&id), None).await?.and_then(|h| serde_json::from_str(&h.document).ok());
        let mut current = crate::import::location_fields(&row, m.fields.keys().copied());
        current.insert("languages".into(), json!(languages));
        current.insert("hours".into(), current_hours.unwrap_or(Value::Null));
        let state = import_state_of(conn, &id).await?.unwrap_or(Value::Null);
        let last = state.get("fields").and_then(Value::as_object).cloned().unwrap_or_default();

        let merge = crate::import::merge_fields(&id, &m.external_id, &upstream, &current, &last);
        out.conflicts.extend(merge.conflicts);
        out.kept_local_edits += merge.kept_local_edits;
        let (apply, new_last) = (merge.apply, merge.last);
        let mut changed = false;
        let columns: BTreeMap<String, Value> =
            apply.iter().filter(|(k, _)| k.as_str() != "hours").map(|(k, v)| (k.clone(), v.clone())).collect();
        if !columns.is_empty() {
            let c = changes_with(&row, &columns);
            let langs: Vec<String> = match columns.get("languages") {
                Some(v) => serde_json::from_value(v.clone())?,
                None => languages.clone(),
            };
            write::update_location(conn, &id, &c, &langs).await?;
            let before: serde_json::Map<String, Value> =
                columns.keys().map(|k| (k.clone(), current.get(k).cloned().unwrap_or(Value::Null))).collect();
            write::record(conn, "location", &id, "update", &actor, Some(Value::Object(before)), Some(json!(columns)))
                .await?;
            changed = true;
        }
        if let Some(h) = apply.get("hours") {
            write::put_hours(conn, Some(&id), None, (!h.is_null()).then(|| h.clone()), "verified").await?;
            write::touch_location(conn, &id, false, None).await?;
            let before = current.get("hours").cloned().filter(|v| !v.is_null());
            write::record(conn, "location", &id, "hours", &actor, before, (!h.is_null()).then(|| h.clone())).await?;
            changed = true;
        }
        let new_state = import_state(scope, &new_last);
        if state.get("fields") != new_state.get("fields") || state.get("scope") != new_state.get("scope") {
            set_import_state(conn, &id, &new_state).await?;
            changed = true;
        }
        if changed {
            out.updated.push(id);
        } else {
            out.unchanged += 1;
        }
    }

    // Gone from PTV (same scope): inactive, never deleted. Not when some channels could not
    // even be identified: one of them may be a location we hold.
    if !anonymous_skips {
        let rows: Vec<IdRow> = diesel::sql_query(
            "SELECT id, external_id FROM locations
             WHERE source = 'ptv' AND status <> 'inactive' AND deleted_at IS NULL AND import_state->>'scope' = $1
             ORDER BY id",
        )
        .bind::<Text, _>(scope)
        .load(conn)
        .await?;
        for r in rows.into_iter().filter(|r| !seen.contains(r.external_id.as_deref().unwrap_or_default())) {
            let row = write::lock_location(conn, &r.id).await?.context("a location vanished during the import")?;
            let languages = write::location_languages(conn, &r.id).await?;
            let apply = BTreeMap::from([("status".to_owned(), json!("inactive"))]);
            write::update_location(conn, &r.id, &changes_with(&row, &apply), &languages).await?;
            let actor = Actor::system(ACTOR, &row.organization_id);
            write::record(
                conn,
                "location",
                &r.id,
                "update",
                &actor,
                Some(json!({"status": row.status})),
                Some(json!({"status": "inactive"})),
            )
            .await?;
            let mut state = import_state_of(conn, &r.id).await?.unwrap_or_else(|| json!({}));
            if let Some(fields) = state.get_mut("fields").and_then(Value::as_object_mut) {
                fields.insert("status".into(), json!("inactive"));
            }
            set_import_state(conn, &r.id, &state).await?;
            out.deactivated.push(r.id);
        }
    }
    Ok(out)
}
