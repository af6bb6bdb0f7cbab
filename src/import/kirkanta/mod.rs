//! Import of libraries from Kirkanta, the Finnish library directory (API v4,
//! <https://api.kirjastot.fi/v4>): addresses, coordinates, contact details, services and
//! opening hours, read in the format the real server sends (see `wire.rs` and docs/import.md).
//!
//! - `client.rs` fetches every page; `wire.rs` is the real format; `mapping.rs` turns a
//!   library into our fields; `hours.rs` turns its dated days into our hours; `plan.rs`
//!   matches and diffs; `apply.rs` writes; this file runs it all and reports.
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

mod apply;
pub mod client;
pub mod hours;
pub mod mapping;
mod plan;
pub mod wire;

pub use plan::name_key;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{json, Value};

use self::mapping::{map_library, Mapped};
use self::plan::{upstream_of, Action, Plan};
use super::{Change, FieldChange, ImportReport};
use crate::geocode::Geocoder;

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

    let mut sorted = super::Sorted::default();
    for item in &fetched.items {
        match map_library(item, &fetched.periods, &dir, geocoder).await {
            Ok(m) => sorted.keep(&m.external_id.clone(), m),
            Err((id, reason)) => sorted.skip(id, reason, &mut report),
        }
    }
    let super::Sorted { mapped, seen, anonymous_skips } = sorted;
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
        let plan = plan::plan(conn, &input, false).await?;
        let created = plan_ids(&input, &plan);
        (plan, created)
    } else {
        conn.transaction::<_, anyhow::Error, _>(async |conn| {
            let plan = plan::plan(conn, &input, true).await?;
            let created = apply::apply(conn, &input, &plan).await?;
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
                let mut before = crate::import::location_fields(&u.existing.row, m.fields.keys().copied());
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
