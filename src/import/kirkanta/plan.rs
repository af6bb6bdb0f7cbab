//! Matching and diffing: which location each Kirkanta library is (by Kirkanta id, then by
//! name and municipality), and what would change there. Used as it is by `--dry-run` (no
//! locks) and inside the import's transaction (rows locked `FOR UPDATE`).

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;

use super::apply::provenance;
use super::mapping::{Mapped, SERVICE_KINDS};
use super::{Input, Options, SOURCE};
use crate::db::models::LocationRow;
use crate::db::schema::{locations, organizations, services};
use crate::db::write;
use crate::hours::OpeningHours;
use crate::import::{Conflict, Skipped};

/// A location as it stands, with what the last import wrote.
#[derive(Debug, Clone)]
pub(super) struct Existing {
    pub(super) row: LocationRow,
    pub(super) languages: Vec<String>,
    pub(super) state: Value,
    pub(super) hours: Option<Value>,
}

#[derive(Debug)]
pub(super) enum Action {
    Create { mapped: usize, org_id: String },
    Update(Box<Update>),
    Deactivate { existing: Box<Existing>, external_id: String },
}

#[derive(Debug)]
pub(super) struct Update {
    pub(super) mapped: usize,
    pub(super) existing: Existing,
    pub(super) matched_by: &'static str,
    /// Columns to write (field → new value), hours under `hours`.
    pub(super) apply: BTreeMap<String, Value>,
    /// What `import_state.fields` becomes.
    pub(super) new_last: serde_json::Map<String, Value>,
}

#[derive(Debug, Default)]
pub(super) struct Plan {
    /// Organizations to create first: (id, consortium key).
    pub(super) create_orgs: Vec<(String, String)>,
    pub(super) actions: Vec<Action>,
    pub(super) conflicts: Vec<Conflict>,
    pub(super) kept_local_edits: usize,
    pub(super) unchanged: usize,
    pub(super) skipped: Vec<Skipped>,
}

/// `kirkanta-<consortium>` or the `--organization`.
pub(super) fn org_for(opts: &Options, m: &Mapped) -> (String, String) {
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

/// Hours documents as stored may carry defaults the import does not write: compare parsed.
pub(super) fn normalise_hours(v: Option<&str>) -> Value {
    match v.and_then(|d| serde_json::from_str::<OpeningHours>(d).ok()) {
        Some(h) => serde_json::to_value(h).unwrap_or(Value::Null),
        None => Value::Null,
    }
}

pub(super) async fn load_existing(conn: &mut AsyncPgConnection, row: LocationRow) -> anyhow::Result<Existing> {
    let languages = write::location_languages(conn, &row.id).await?;
    let state: Option<Value> =
        provenance::locations::table.find(&row.id).select(provenance::locations::import_state).first(conn).await?;
    let hours = write::hours_of(conn, Some(&row.id), None).await?.map(|h| normalise_hours(Some(&h.document)));
    Ok(Existing { row, languages, state: state.unwrap_or(Value::Null), hours })
}

pub(super) async fn find_by_id(
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
pub(super) async fn candidates(
    conn: &mut AsyncPgConnection,
    municipality: &str,
    lock: bool,
) -> anyhow::Result<Vec<LocationRow>> {
    let q = locations::table
        .filter(locations::source.ne(SOURCE))
        .filter(locations::deleted_at.is_null())
        .filter(locations::kind.eq_any(["library", "library_bookmobile"]))
        .filter(locations::municipality_code.eq(municipality))
        .order(locations::id)
        .select(LocationRow::as_select());
    Ok(if lock { q.for_update().load(conn).await? } else { q.load(conn).await? })
}

pub(super) async fn plan(conn: &mut AsyncPgConnection, input: &Input<'_>, lock: bool) -> anyhow::Result<Plan> {
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
        let mut current = crate::import::location_fields(&existing.row, m.fields.keys().copied());
        current.insert("hours".into(), existing.hours.clone().unwrap_or(Value::Null));
        let last = existing.state.get("fields").and_then(Value::as_object).cloned().unwrap_or_default();
        let merge = crate::import::merge_fields(&existing.row.id, &m.external_id, &upstream, &current, &last);
        plan.conflicts.extend(merge.conflicts);
        plan.kept_local_edits += merge.kept_local_edits;
        let (apply, new_last) = (merge.apply, merge.last);
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
pub(super) async fn services_missing(
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

pub(super) fn upstream_of(m: &Mapped) -> serde_json::Map<String, Value> {
    let mut upstream: serde_json::Map<String, Value> =
        m.fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    upstream.insert("hours".into(), m.hours.as_ref().and_then(|h| serde_json::to_value(h).ok()).unwrap_or(Value::Null));
    upstream
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
