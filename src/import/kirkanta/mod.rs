//! Import of libraries from Kirkanta, the Finnish library directory (API v4,
//! <https://api.kirjastot.fi/v4>): addresses, coordinates, contact details, services and
//! opening hours, read in the format the real server sends (see `wire.rs` and docs/import.md).
//!
//! - `client.rs` fetches every page; `wire.rs` is the real format; `mapping.rs` turns a
//!   library into our fields; `hours.rs` turns its dated days into our hours.
//! - Matching: a library is the location with its Kirkanta id (`source = 'kirkanta'`,
//!   `external_id`); else the one active library location of the same municipality with the
//!   same name (compared without case, parentheses and the words "kaupungin"/"kunnan"), which
//!   is then taken over in place, keeping its id; else a new location `kirkanta-<id>`.
//! - Every write goes through `crate::db::write` (row version bumped, a history row naming
//!   `import:kirkanta` with before and after), in one transaction, after everything was fetched
//!   and checked. `--dry-run` computes the same plan and writes nothing.
//! - Partner edits: `locations.import_state` keeps what the last import wrote per field. A
//!   field whose current value differs from that was edited by someone else; it is never
//!   overwritten, and if upstream changed it too, the import reports a conflict.
//! - Libraries gone from Kirkanta (within the same consortium/city scope) become `inactive`.

pub mod client;
pub mod hours;
pub mod mapping;
pub mod wire;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{json, Value};

use self::mapping::{map_library, Mapped, SERVICE_KINDS};
use super::{Change, Conflict, FieldChange, ImportReport, Skipped};
use crate::db::models::LocationRow;
use crate::db::schema::{locations, organizations, services};
use crate::db::write::{self, Actor};
use crate::edit::location::{LocationChanges, LocationInput};
use crate::edit::organization::OrganizationChanges;
use crate::edit::service::ServiceChanges;
use crate::edit::service_at_location::ServiceAtLocationChanges;
use crate::geocode::Geocoder;
use crate::hours::OpeningHours;

pub const SOURCE: &str = "kirkanta";
/// The history's name for this writer.
pub const ACTOR: &str = "import:kirkanta";
pub const DEFAULT_BASE_URL: &str = "https://api.kirjastot.fi/v4";
/// Libraries per request. With `WINDOW_DAYS` this stays under the 5000 schedule rows the
/// server loads per page (`client.rs`).
pub const PAGE_SIZE: usize = 100;
/// Days of schedules to read (from the start day).
pub const WINDOW_DAYS: i64 = 28;

/// What to import and from where.
#[derive(Debug, Clone)]
pub struct Options {
    pub base_url: String,
    pub consortium: Option<String>,
    pub city: Option<String>,
    /// Put new libraries under this existing organization (e.g. `outokummun-kirjasto`)
    /// instead of one created per consortium (`kirkanta-<consortium>`).
    pub organization: Option<String>,
    /// Per request.
    pub timeout: Duration,
    /// Extra attempts after the first, for timeouts, connection errors and 5xx.
    pub retries: u32,
    pub backoff: Duration,
    /// First day of the schedule window (default: today in Helsinki).
    pub start: Option<NaiveDate>,
    /// Compute and report what would change; write nothing.
    pub dry_run: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base_url: DEFAULT_BASE_URL.into(),
            consortium: None,
            city: None,
            organization: None,
            timeout: Duration::from_secs(20),
            retries: 2,
            backoff: Duration::from_millis(500),
            start: None,
            dry_run: false,
        }
    }
}

impl Options {
    fn scope(&self) -> String {
        format!(
            "consortium={};city={}",
            self.consortium.as_deref().unwrap_or("*"),
            self.city.as_deref().map(str::to_lowercase).unwrap_or_else(|| "*".into())
        )
    }
}

/// Columns of ours that `crate::db::schema` does not declare (provenance and import state).
mod provenance {
    diesel::table! {
        locations (id) {
            id -> Text,
            source -> Text,
            external_id -> Nullable<Text>,
            sources -> Jsonb,
            import_state -> Nullable<Jsonb>,
        }
    }
}

/// Runs one import: fetch and check everything, then write it in one transaction (or, with
/// `dry_run`, only report what would change).
pub async fn run(database_url: &str, opts: &Options, geocoder: Option<&Geocoder>) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport { source: SOURCE.into(), dry_run: opts.dry_run, ..Default::default() };
    let start = opts.start.unwrap_or_else(|| crate::hours::helsinki_date(Utc::now()));
    let fetched = match client::fetch(opts, start).await {
        Ok(f) => f,
        Err(e) => {
            report.aborted = Some(format!("{e:#}"));
            return Ok(report);
        }
    };
    report.fetched = fetched.items.len();
    report.pages = fetched.pages;

    let pool = crate::db::pool(database_url)?;
    let store = crate::directory::store::Store::default();
    let dir = store.rebuild(&pool).await.context("loading the directory")?;

    let mut mapped = Vec::new();
    // Ids of every upstream record, usable or not: none of them is "gone".
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut anonymous_skips = false;
    for item in &fetched.items {
        match map_library(item, &fetched.periods, &dir, geocoder).await {
            Ok(m) => {
                seen.insert(m.external_id.clone());
                mapped.push(m);
            }
            Err((id, reason)) => {
                match &id {
                    Some(i) => {
                        seen.insert(i.clone());
                    }
                    None => anonymous_skips = true,
                }
                report.skipped.push(Skipped { external_id: id, reason });
            }
        }
    }
    if mapped.is_empty() {
        report.aborted = Some(if fetched.items.is_empty() {
            "Kirkanta returned no libraries for this scope; nothing imported, nothing deactivated".into()
        } else {
            "no library record was usable; nothing imported".into()
        });
        return Ok(report);
    }

    let mut conn = pool.get().await.context("connecting to the database")?;
    let conn: &mut AsyncPgConnection = &mut conn;
    let input = Input { opts, mapped: &mapped, seen: &seen, anonymous_skips };
    let (plan, created) = if opts.dry_run {
        let plan = plan(conn, &input, false).await?;
        let created = plan_ids(&input, &plan);
        (plan, created)
    } else {
        conn.transaction::<_, anyhow::Error, _>(async |conn| {
            let plan = plan(conn, &input, true).await?;
            let created = apply(conn, &input, &plan).await?;
            Ok((plan, created))
        })
        .await?
    };
    describe(&input, plan, &created, &mut report);
    Ok(report)
}

struct Input<'a> {
    opts: &'a Options,
    mapped: &'a [Mapped],
    seen: &'a BTreeSet<String>,
    anonymous_skips: bool,
}

/// A location as it stands, with what the last import wrote.
#[derive(Debug, Clone)]
struct Existing {
    row: LocationRow,
    languages: Vec<String>,
    state: Value,
    hours: Option<Value>,
}

#[derive(Debug)]
enum Action {
    Create { mapped: usize, org_id: String },
    Update(Box<Update>),
    Deactivate { existing: Box<Existing>, external_id: String },
}

#[derive(Debug)]
struct Update {
    mapped: usize,
    existing: Existing,
    matched_by: &'static str,
    /// Columns to write (field → new value), hours under `hours`.
    apply: BTreeMap<String, Value>,
    /// What `import_state.fields` becomes.
    new_last: serde_json::Map<String, Value>,
}

#[derive(Debug, Default)]
struct Plan {
    /// Organizations to create first: (id, consortium key).
    create_orgs: Vec<(String, String)>,
    actions: Vec<Action>,
    conflicts: Vec<Conflict>,
    kept_local_edits: usize,
    unchanged: usize,
    skipped: Vec<Skipped>,
}

/// `kirkanta-<consortium>` or the `--organization`.
fn org_for(opts: &Options, m: &Mapped) -> (String, String) {
    let key = opts.consortium.clone().or_else(|| m.consortium.clone()).unwrap_or_else(|| "all".into());
    let id = match &opts.organization {
        Some(o) => o.clone(),
        None => {
            format!("kirkanta-{}", key.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>())
        }
    };
    (id, key)
}

/// A library name for matching: lower case, without parentheses, "kaupungin-"/"kunnan-"
/// prefixes of "kirjasto", punctuation or extra spaces.
pub fn name_key(name: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in name.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => out.push(' '),
        }
    }
    let out = out.replace("kaupunginkirjasto", "kirjasto").replace("kunnankirjasto", "kirjasto");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn current_fields(r: &LocationRow) -> serde_json::Map<String, Value> {
    let t = |v: &Option<String>| v.clone().map(Value::String).unwrap_or(Value::Null);
    let f = |v: Option<f64>| v.map(|x| json!(x)).unwrap_or(Value::Null);
    let mut m = serde_json::Map::new();
    m.insert("name_fi".into(), json!(r.name_fi));
    m.insert("kind".into(), json!(r.kind));
    m.insert("street_address".into(), t(&r.street_address));
    m.insert("postal_code".into(), t(&r.postal_code));
    m.insert("post_office".into(), t(&r.post_office));
    m.insert("municipality_code".into(), t(&r.municipality_code));
    m.insert("latitude".into(), f(r.latitude));
    m.insert("longitude".into(), f(r.longitude));
    m.insert("coordinate_method".into(), t(&r.coordinate_method));
    m.insert("phone".into(), t(&r.phone));
    m.insert("email".into(), t(&r.email));
    m.insert("website".into(), t(&r.website));
    m.insert("status".into(), json!(r.status));
    m
}

/// Writes one managed field into a row.
fn set_field(r: &mut LocationRow, field: &str, v: &Value) {
    let s = || v.as_str().map(str::to_owned);
    match field {
        "name_fi" => r.name_fi = s().unwrap_or_default(),
        "kind" => r.kind = s().unwrap_or_else(|| "library".into()),
        "street_address" => r.street_address = s(),
        "postal_code" => r.postal_code = s(),
        "post_office" => r.post_office = s(),
        "municipality_code" => r.municipality_code = s(),
        "latitude" => r.latitude = v.as_f64(),
        "longitude" => r.longitude = v.as_f64(),
        "coordinate_method" => r.coordinate_method = s(),
        "phone" => r.phone = s(),
        "email" => r.email = s(),
        "website" => r.website = s(),
        "status" => r.status = s().unwrap_or_else(|| "active".into()),
        _ => {}
    }
}

/// The stored values of a row, as the one write path takes them.
fn changes_of(r: &LocationRow) -> LocationChanges {
    LocationChanges {
        organization_id: r.organization_id.clone(),
        kind: r.kind.clone(),
        name_fi: r.name_fi.clone(),
        name_sv: r.name_sv.clone(),
        name_en: r.name_en.clone(),
        description_fi: r.description_fi.clone(),
        description_sv: r.description_sv.clone(),
        description_en: r.description_en.clone(),
        street_address: r.street_address.clone(),
        postal_code: r.postal_code.clone(),
        post_office: r.post_office.clone(),
        municipality_code: r.municipality_code.clone(),
        latitude: r.latitude,
        longitude: r.longitude,
        coordinate_method: r.coordinate_method.clone(),
        accessibility_fi: r.accessibility_fi.clone(),
        accessibility_sv: r.accessibility_sv.clone(),
        accessibility_en: r.accessibility_en.clone(),
        transit_fi: r.transit_fi.clone(),
        transit_sv: r.transit_sv.clone(),
        transit_en: r.transit_en.clone(),
        phone: r.phone.clone(),
        email: r.email.clone(),
        website: r.website.clone(),
        served_municipalities: r.served_municipalities.clone(),
        status: r.status.clone(),
        hours_notes: r.hours_notes.clone(),
        notes: r.notes.clone(),
        confidence: r.confidence.clone(),
    }
}

/// Floats compare with a tolerance; everything else exactly.
fn same(field: &str, a: &Value, b: &Value) -> bool {
    match (field, a.as_f64(), b.as_f64()) {
        ("latitude" | "longitude", Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}

/// Hours documents as stored may carry defaults the import does not write: compare parsed.
fn normalise_hours(v: Option<&str>) -> Value {
    match v.and_then(|d| serde_json::from_str::<OpeningHours>(d).ok()) {
        Some(h) => serde_json::to_value(h).unwrap_or(Value::Null),
        None => Value::Null,
    }
}

fn import_state(scope: &str, fields: serde_json::Map<String, Value>, services: &[String]) -> Value {
    json!({
        "source": SOURCE,
        "scope": scope,
        "fields": fields,
        "kirkanta_services": services,
        "imported_at": Utc::now().to_rfc3339(),
    })
}

async fn load_existing(conn: &mut AsyncPgConnection, row: LocationRow) -> anyhow::Result<Existing> {
    let languages = write::location_languages(conn, &row.id).await?;
    let state: Option<Value> =
        provenance::locations::table.find(&row.id).select(provenance::locations::import_state).first(conn).await?;
    let hours = write::hours_of(conn, Some(&row.id), None).await?.map(|h| normalise_hours(Some(&h.document)));
    Ok(Existing { row, languages, state: state.unwrap_or(Value::Null), hours })
}

async fn find_by_id(
    conn: &mut AsyncPgConnection,
    external_id: &str,
    lock: bool,
) -> anyhow::Result<Option<LocationRow>> {
    let q = locations::table
        .filter(locations::source.eq(SOURCE))
        .filter(locations::external_id.eq(external_id))
        .select(LocationRow::as_select());
    Ok(if lock { q.for_update().first(conn).await.optional()? } else { q.first(conn).await.optional()? })
}

/// Library locations of a municipality not (yet) linked to Kirkanta.
async fn candidates(conn: &mut AsyncPgConnection, municipality: &str, lock: bool) -> anyhow::Result<Vec<LocationRow>> {
    let q = locations::table
        .filter(locations::source.ne(SOURCE))
        .filter(locations::deleted_at.is_null())
        .filter(locations::kind.eq_any(["library", "library_bookmobile"]))
        .filter(locations::municipality_code.eq(municipality))
        .order(locations::id)
        .select(LocationRow::as_select());
    Ok(if lock { q.for_update().load(conn).await? } else { q.load(conn).await? })
}

async fn plan(conn: &mut AsyncPgConnection, input: &Input<'_>, lock: bool) -> anyhow::Result<Plan> {
    let opts = input.opts;
    let scope = opts.scope();
    let mut plan = Plan::default();
    // An `--organization` must exist: nothing is written otherwise.
    if let Some(org_id) = &opts.organization {
        let exists =
            organizations::table.find(org_id).select(organizations::id).first::<String>(conn).await.optional()?;
        if exists.is_none() {
            anyhow::bail!("organization {org_id:?} does not exist");
        }
    }
    // Demo or partner locations already taken over by another library in this run.
    let mut claimed: BTreeSet<String> = BTreeSet::new();
    for (i, m) in input.mapped.iter().enumerate() {
        let (org_id, _) = org_for(opts, m);
        let upstream = upstream_of(m);

        let (row, matched_by) = match find_by_id(conn, &m.external_id, lock).await? {
            Some(row) => (Some(row), "kirkanta_id"),
            None => {
                let name = name_key(&m.text("name_fi").unwrap_or_default());
                let found: Vec<LocationRow> = match m.text("municipality_code") {
                    Some(code) => candidates(conn, &code, lock)
                        .await?
                        .into_iter()
                        .filter(|r| name_key(&r.name_fi) == name && !claimed.contains(&r.id))
                        .collect(),
                    None => Vec::new(),
                };
                if found.len() > 1 {
                    let ids: Vec<&str> = found.iter().map(|r| r.id.as_str()).collect();
                    plan.skipped.push(Skipped {
                        external_id: Some(m.external_id.clone()),
                        reason: format!(
                            "{} directory locations match by name and municipality ({}); not imported",
                            found.len(),
                            ids.join(", ")
                        ),
                    });
                    continue;
                }
                (found.into_iter().next(), "name_and_municipality")
            }
        };
        let Some(row) = row else {
            // New libraries' organization (one per consortium), created first when missing.
            if !plan.create_orgs.iter().any(|(o, _)| *o == org_id) {
                let exists = organizations::table
                    .find(&org_id)
                    .select(organizations::id)
                    .first::<String>(conn)
                    .await
                    .optional()?;
                if exists.is_none() {
                    plan.create_orgs.push((org_id.clone(), org_for(opts, m).1));
                }
            }
            plan.actions.push(Action::Create { mapped: i, org_id });
            continue;
        };
        if row.deleted_at.is_some() {
            plan.skipped.push(Skipped {
                external_id: Some(m.external_id.clone()),
                reason: format!("{} was deleted in the directory; not brought back by the import", row.id),
            });
            continue;
        }
        claimed.insert(row.id.clone());
        let existing = load_existing(conn, row).await?;
        let mut current = current_fields(&existing.row);
        current.insert("hours".into(), existing.hours.clone().unwrap_or(Value::Null));
        let last = existing.state.get("fields").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut apply: BTreeMap<String, Value> = BTreeMap::new();
        let mut new_last = serde_json::Map::new();
        for (field, new) in &upstream {
            let cur = current.get(field).cloned().unwrap_or(Value::Null);
            let last_v = last.get(field).cloned();
            let partner_edited = last_v.as_ref().is_some_and(|l| !same(field, l, &cur));
            if same(field, &cur, new) {
                new_last.insert(field.clone(), new.clone());
            } else if !partner_edited {
                apply.insert(field.clone(), new.clone());
                new_last.insert(field.clone(), new.clone());
            } else {
                let last_v = last_v.unwrap_or(Value::Null);
                if !same(field, &last_v, new) {
                    plan.conflicts.push(Conflict {
                        location_id: existing.row.id.clone(),
                        external_id: m.external_id.clone(),
                        field: field.clone(),
                        current: cur.clone(),
                        last_imported: last_v.clone(),
                        upstream: new.clone(),
                    });
                } else {
                    plan.kept_local_edits += 1;
                }
                // Still what the import last wrote: the edit stays visible as an edit.
                new_last.insert(field.clone(), last_v);
            }
        }
        let adopt = existing.row.source != SOURCE;
        if apply.is_empty()
            && !adopt
            && !services_missing(conn, &existing.row.id, &existing.row.organization_id, &m.services).await?
        {
            plan.unchanged += 1;
            continue;
        }
        plan.actions.push(Action::Update(Box::new(Update { mapped: i, existing, matched_by, apply, new_last })));
    }
    // Gone from Kirkanta (same scope): inactive, never deleted. Not when some records could
    // not even be identified: one of them may be a library we hold.
    if input.anonymous_skips {
        plan.skipped.push(Skipped {
            external_id: None,
            reason: "some records had no id, so no library was marked inactive this time".into(),
        });
    } else {
        let q = locations::table
            .filter(locations::source.eq(SOURCE))
            .filter(locations::status.ne("inactive"))
            .filter(locations::deleted_at.is_null())
            .order(locations::id)
            .select(LocationRow::as_select());
        let rows: Vec<LocationRow> = if lock { q.for_update().load(conn).await? } else { q.load(conn).await? };
        for row in rows {
            let external_id = row.external_id.clone().unwrap_or_default();
            if input.seen.contains(&external_id) {
                continue;
            }
            let existing = load_existing(conn, row).await?;
            if existing.state.get("scope").and_then(Value::as_str) != Some(scope.as_str()) {
                continue;
            }
            plan.actions.push(Action::Deactivate { existing: Box::new(existing), external_id });
        }
    }
    Ok(plan)
}

/// True if the location lacks a service link its Kirkanta services call for.
async fn services_missing(
    conn: &mut AsyncPgConnection,
    location_id: &str,
    org_id: &str,
    wanted: &BTreeSet<&'static str>,
) -> anyhow::Result<bool> {
    use crate::db::schema::services_at_locations as sal;
    for (suffix, ..) in SERVICE_KINDS.iter().filter(|s| wanted.contains(s.0)) {
        let service_id = format!("{org_id}-{suffix}");
        let has_service =
            services::table.find(&service_id).select(services::id).first::<String>(conn).await.optional()?;
        let sal_id = format!("{location_id}-{suffix}");
        let has_sal = sal::table.find(&sal_id).select(sal::id).first::<String>(conn).await.optional()?;
        if has_service.is_none() || has_sal.is_none() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The ids new locations would get (dry run): `kirkanta-<id>`.
fn plan_ids(input: &Input<'_>, plan: &Plan) -> HashMap<usize, String> {
    plan.actions
        .iter()
        .filter_map(|a| match a {
            Action::Create { mapped, .. } => Some((*mapped, input.mapped[*mapped].location_id.clone())),
            _ => None,
        })
        .collect()
}

/// Field differences for the report.
fn field_changes(before: &serde_json::Map<String, Value>, apply: &BTreeMap<String, Value>) -> Vec<FieldChange> {
    apply
        .iter()
        .map(|(f, to)| FieldChange {
            field: f.clone(),
            from: if f == "hours" { summary(before.get(f)) } else { before.get(f).cloned().unwrap_or(Value::Null) },
            to: if f == "hours" { summary(Some(to)) } else { to.clone() },
        })
        .collect()
}

/// Hours in a report: the regular week and the number of dated exceptions.
fn summary(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Object(h)) => {
            let exceptions = h.get("exceptions").and_then(Value::as_array).map_or(0, Vec::len);
            let week = h.get("periods").and_then(|p| p.get(0)).and_then(|p| p.get("week")).cloned();
            json!({"week": week, "exceptions": exceptions})
        }
        _ => Value::Null,
    }
}

fn upstream_of(m: &Mapped) -> serde_json::Map<String, Value> {
    let mut upstream: serde_json::Map<String, Value> =
        m.fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    upstream.insert("hours".into(), m.hours.as_ref().and_then(|h| serde_json::to_value(h).ok()).unwrap_or(Value::Null));
    upstream
}

/// The report of a plan (done, or with `dry_run`, what would be done).
fn describe(input: &Input<'_>, plan: Plan, created: &HashMap<usize, String>, report: &mut ImportReport) {
    report.conflicts = plan.conflicts;
    report.kept_local_edits = plan.kept_local_edits;
    report.unchanged = plan.unchanged;
    report.skipped.extend(plan.skipped);
    report.organizations_created = plan.create_orgs.into_iter().map(|(id, _)| id).collect();
    for action in plan.actions {
        match action {
            Action::Create { mapped, .. } => {
                let m = &input.mapped[mapped];
                let id = created.get(&mapped).cloned().unwrap_or_else(|| m.location_id.clone());
                if m.geocoded {
                    report.geocoded.push(id.clone());
                }
                let before = serde_json::Map::new();
                let apply: BTreeMap<String, Value> = upstream_of(m).into_iter().filter(|(_, v)| !v.is_null()).collect();
                report.changes.push(Change {
                    location_id: id.clone(),
                    external_id: Some(m.external_id.clone()),
                    action: "add".into(),
                    matched_by: None,
                    fields: field_changes(&before, &apply),
                });
                report.created.push(id);
            }
            Action::Update(u) => {
                let m = &input.mapped[u.mapped];
                let id = u.existing.row.id.clone();
                let mut before = current_fields(&u.existing.row);
                before.insert("hours".into(), u.existing.hours.clone().unwrap_or(Value::Null));
                if m.geocoded && u.apply.contains_key("latitude") {
                    report.geocoded.push(id.clone());
                }
                report.changes.push(Change {
                    location_id: id.clone(),
                    external_id: Some(m.external_id.clone()),
                    action: "update".into(),
                    matched_by: Some(u.matched_by.into()),
                    fields: field_changes(&before, &u.apply),
                });
                report.updated.push(id);
            }
            Action::Deactivate { existing, external_id } => {
                report.changes.push(Change {
                    location_id: existing.row.id.clone(),
                    external_id: Some(external_id),
                    action: "deactivate".into(),
                    matched_by: Some("kirkanta_id".into()),
                    fields: vec![FieldChange {
                        field: "status".into(),
                        from: json!(existing.row.status),
                        to: json!("inactive"),
                    }],
                });
                report.deactivated.push(existing.row.id.clone());
            }
        }
    }
    report.created.sort();
    report.updated.sort();
    report.deactivated.sort();
    report.geocoded.sort();
}

fn kirkanta_source() -> Value {
    json!({"key": "kirkanta", "title": "Kirjastohakemisto (Kirkanta)", "url": "https://www.kirjastot.fi/"})
}

/// Marks a location as Kirkanta's record: source, external id, provenance, import state.
/// (Columns the one write path's `LocationChanges` does not carry; same transaction, and the
/// change it belongs to has its own history row.)
async fn set_provenance(
    conn: &mut AsyncPgConnection,
    id: &str,
    external_id: &str,
    sources: Value,
    state: &Value,
) -> anyhow::Result<()> {
    use provenance::locations as p;
    diesel::update(p::table.find(id))
        .set((
            p::source.eq(SOURCE),
            p::external_id.eq(external_id),
            p::sources.eq(sources),
            p::import_state.eq(Some(state)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes the plan, through `crate::db::write`, inside the caller's transaction. Returns the
/// ids of created locations by mapped index.
async fn apply(conn: &mut AsyncPgConnection, input: &Input<'_>, plan: &Plan) -> anyhow::Result<HashMap<usize, String>> {
    let scope = input.opts.scope();
    let mut created = HashMap::new();
    for (org_id, key) in &plan.create_orgs {
        let changes = OrganizationChanges {
            kind: "library".into(),
            name_fi: format!("Kirjastot (Kirkanta: {key})"),
            name_sv: Some(format!("Bibliotek (Kirkanta: {key})")),
            name_en: Some(format!("Libraries (Kirkanta: {key})")),
            description_fi: Some("Kirjastot Kirjastohakemistosta (Kirkanta) tuotuina.".into()),
            description_sv: None,
            description_en: None,
            parent_id: None,
            network: None,
            website: None,
            email: None,
            phone: None,
            notes: None,
            confidence: "verified".into(),
        };
        write::insert_organization(conn, org_id, &changes).await?;
        diesel::update(organizations::table.find(org_id))
            .set((organizations::source.eq(SOURCE), organizations::external_id.eq(key)))
            .execute(conn)
            .await?;
        let after =
            crate::edit::organization::OrganizationInput { id: Some(org_id.clone()), ..organization_input(&changes) };
        write::record(conn, "organization", org_id, "create", &Actor::system(ACTOR, org_id), None, to_json(&after))
            .await?;
    }
    for action in &plan.actions {
        match action {
            Action::Create { mapped, org_id } => {
                let m = &input.mapped[*mapped];
                let id = write::free_id(conn, "locations", &m.location_id).await?;
                let actor = Actor::system(ACTOR, org_id);
                let mut row = blank_row(&id, org_id);
                for (field, v) in &m.fields {
                    set_field(&mut row, field, v);
                }
                let languages = vec!["fi".to_owned()];
                write::insert_location(conn, &id, &changes_of(&row), &languages).await?;
                let state = import_state(&scope, upstream_of(m), &m.kirkanta_services);
                set_provenance(conn, &id, &m.external_id, json!([kirkanta_source()]), &state).await?;
                let after = LocationInput::from_row(&row, languages);
                write::record(conn, "location", &id, "create", &actor, None, to_json(&after)).await?;
                if let Some(h) = &m.hours {
                    let doc = serde_json::to_value(h)?;
                    write::put_hours(conn, Some(&id), None, Some(doc.clone()), "verified").await?;
                    write::record(conn, "location", &id, "hours", &actor, None, Some(doc)).await?;
                }
                link_services(conn, &id, org_id, &m.services).await?;
                created.insert(*mapped, id);
            }
            Action::Update(u) => {
                let m = &input.mapped[u.mapped];
                let e = &u.existing;
                let id = e.row.id.as_str();
                let actor = Actor::system(ACTOR, &e.row.organization_id);
                let adopt = e.row.source != SOURCE;
                let columns: Vec<(&String, &Value)> = u.apply.iter().filter(|(k, _)| k.as_str() != "hours").collect();
                if !columns.is_empty() || adopt {
                    let mut row = e.row.clone();
                    for (field, v) in &columns {
                        set_field(&mut row, field, v);
                    }
                    if adopt {
                        // Kirkanta's facts replace the demo's; the row keeps its id and owner.
                        row.confidence = "verified".into();
                    }
                    write::update_location(conn, id, &changes_of(&row), &e.languages).await?;
                    let before = LocationInput::from_row(&e.row, e.languages.clone());
                    let after = LocationInput::from_row(&row, e.languages.clone());
                    write::record(conn, "location", id, "update", &actor, to_json(&before), to_json(&after)).await?;
                }
                if let Some(h) = u.apply.get("hours") {
                    let doc = (!h.is_null()).then(|| h.clone());
                    write::put_hours(conn, Some(id), None, doc.clone(), "verified").await?;
                    write::touch_location(conn, id, false, None).await?;
                    write::record(conn, "location", id, "hours", &actor, e.hours.clone(), doc).await?;
                }
                if !u.apply.is_empty() || adopt {
                    let state = import_state(&scope, u.new_last.clone(), &m.kirkanta_services);
                    let mut sources = match &e.row.sources {
                        Value::Array(a) => a.clone(),
                        _ => Vec::new(),
                    };
                    if !sources.iter().any(|s| s.get("key") == Some(&json!("kirkanta"))) {
                        sources.insert(0, kirkanta_source());
                    }
                    set_provenance(conn, id, &m.external_id, Value::Array(sources), &state).await?;
                }
                link_services(conn, id, &e.row.organization_id, &m.services).await?;
            }
            Action::Deactivate { existing, external_id } => {
                let e = existing;
                let id = e.row.id.as_str();
                let mut row = e.row.clone();
                row.status = "inactive".into();
                write::update_location(conn, id, &changes_of(&row), &e.languages).await?;
                let actor = Actor::system(ACTOR, &e.row.organization_id);
                let before = LocationInput::from_row(&e.row, e.languages.clone());
                let after = LocationInput::from_row(&row, e.languages.clone());
                write::record(conn, "location", id, "update", &actor, to_json(&before), to_json(&after)).await?;
                let mut state = e.state.clone();
                if let Some(f) = state.get_mut("fields").and_then(Value::as_object_mut) {
                    f.insert("status".into(), json!("inactive"));
                }
                set_provenance(conn, id, external_id, e.row.sources.clone(), &state).await?;
            }
        }
    }
    Ok(created)
}

fn to_json<T: serde::Serialize>(v: &T) -> Option<Value> {
    serde_json::to_value(v).ok()
}

fn organization_input(c: &OrganizationChanges) -> crate::edit::organization::OrganizationInput {
    crate::edit::organization::OrganizationInput {
        kind: Some(c.kind.clone()),
        name: crate::edit::TextInput::from_columns(Some(&c.name_fi), c.name_sv.as_deref(), c.name_en.as_deref()),
        description: crate::edit::TextInput::from_columns(
            c.description_fi.as_deref(),
            c.description_sv.as_deref(),
            c.description_en.as_deref(),
        ),
        confidence: Some(c.confidence.clone()),
        ..Default::default()
    }
}

/// A new location row before the import's fields are set.
fn blank_row(id: &str, org_id: &str) -> LocationRow {
    let now = Utc::now();
    LocationRow {
        id: id.to_owned(),
        organization_id: org_id.to_owned(),
        kind: "library".into(),
        name_fi: String::new(),
        name_sv: None,
        name_en: None,
        description_fi: None,
        description_sv: None,
        description_en: None,
        street_address: None,
        postal_code: None,
        post_office: None,
        municipality_code: None,
        latitude: None,
        longitude: None,
        coordinate_method: None,
        accessibility_fi: None,
        accessibility_sv: None,
        accessibility_en: None,
        transit_fi: None,
        transit_sv: None,
        transit_en: None,
        phone: None,
        email: None,
        website: None,
        served_municipalities: Vec::new(),
        status: "active".into(),
        hours_notes: None,
        notes: None,
        source: SOURCE.into(),
        external_id: None,
        confidence: "verified".into(),
        confidence_detail: json!({}),
        sources: json!([]),
        created_at: now,
        updated_at: now,
        verified_at: None,
        deleted_at: None,
        version: 1,
    }
}

/// Makes sure the location offers the services its Kirkanta services map to, creating the
/// organization's service when missing; each creation with its history row.
async fn link_services(
    conn: &mut AsyncPgConnection,
    location_id: &str,
    org_id: &str,
    wanted: &BTreeSet<&'static str>,
) -> anyhow::Result<()> {
    use crate::db::schema::services_at_locations as sal;
    let actor = Actor::system(ACTOR, org_id);
    for (suffix, name, description, _, topics) in SERVICE_KINDS.iter().filter(|s| wanted.contains(s.0)) {
        let service_id = format!("{org_id}-{suffix}");
        let exists = services::table.find(&service_id).select(services::id).first::<String>(conn).await.optional()?;
        if exists.is_none() {
            let changes = ServiceChanges {
                organization_id: org_id.to_owned(),
                name_fi: (*name).to_owned(),
                name_sv: None,
                name_en: None,
                description_fi: Some((*description).to_owned()),
                description_sv: None,
                description_en: None,
                delivery_modes: vec!["drop_in".into()],
                audience: Vec::new(),
                cost_fi: None,
                cost_sv: None,
                cost_en: None,
                assistance_level: "guidance".into(),
                confidence: "approximate".into(),
            };
            let topics: Vec<String> = topics.iter().map(|t| t.to_string()).collect();
            let languages = vec!["fi".to_owned()];
            write::insert_service(conn, &service_id, &changes, &topics, &languages).await?;
            diesel::update(services::table.find(&service_id)).set(services::source.eq(SOURCE)).execute(conn).await?;
            let after = json!({"id": service_id, "organization_id": org_id, "name": name, "topics": topics});
            write::record(conn, "service", &service_id, "create", &actor, None, Some(after)).await?;
        }
        let sal_id = format!("{location_id}-{suffix}");
        let exists = sal::table.find(&sal_id).select(sal::id).first::<String>(conn).await.optional()?;
        if exists.is_none() {
            let changes = ServiceAtLocationChanges {
                service_id: service_id.clone(),
                location_id: location_id.to_owned(),
                note_fi: None,
                note_sv: None,
                note_en: None,
                appointment: None,
                confidence: "approximate".into(),
            };
            write::insert_service_at_location(conn, &sal_id, &changes).await?;
            diesel::update(sal::table.find(&sal_id)).set(sal::source.eq(SOURCE)).execute(conn).await?;
            let after = json!({"id": sal_id, "service_id": service_id, "location_id": location_id});
            write::record(conn, "service_at_location", &sal_id, "create", &actor, None, Some(after)).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kirkanta_names_match_demo_names() {
        assert_eq!(name_key("Outokummun kaupunginkirjasto"), name_key("Outokummun kirjasto"));
        assert_eq!(name_key("Heinäveden kirjasto (Varjentiini)"), name_key("Heinäveden  kirjasto"));
        assert_eq!(name_key("Kirjastoauto Mysteeri (Joensuu)"), "kirjastoauto mysteeri");
        assert_ne!(name_key("Enon kirjasto"), name_key("Joensuun pääkirjasto"));
    }
}
