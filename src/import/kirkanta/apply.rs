//! Writing a plan, through the one write path (`crate::db::write`): row versions bumped, a
//! history row naming `import:kirkanta` with before and after for every created, updated or
//! deactivated record.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{json, Value};

use super::mapping::SERVICE_KINDS;
use super::plan::{upstream_of, Action, Plan};
use super::{Input, ACTOR, SOURCE};
use crate::db::changes::ValidService;
use crate::db::models::LocationRow;
use crate::db::schema::{organizations, services};
use crate::db::write::{self, Actor};
use crate::edit::location::{LocationChanges, LocationInput};
use crate::edit::organization::OrganizationChanges;
use crate::edit::service::ServiceChanges;
use crate::edit::service_at_location::ServiceAtLocationChanges;

/// Columns of ours that `crate::db::schema` does not declare (provenance and import state).
pub(super) mod provenance {
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

pub(super) fn import_state(scope: &str, fields: serde_json::Map<String, Value>, services: &[String]) -> Value {
    json!({
        "source": SOURCE,
        "scope": scope,
        "fields": fields,
        "kirkanta_services": services,
        "imported_at": Utc::now().to_rfc3339(),
    })
}

pub(super) fn kirkanta_source() -> Value {
    json!({"key": "kirkanta", "title": "Kirjastohakemisto (Kirkanta)", "url": "https://www.kirjastot.fi/"})
}

/// Marks a location as Kirkanta's record: source, external id, provenance, import state.
/// (Columns the one write path's `LocationChanges` does not carry; same transaction, and the
/// change it belongs to has its own history row.)
pub(super) async fn set_provenance(
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
pub(super) async fn apply(
    conn: &mut AsyncPgConnection,
    input: &Input<'_>,
    plan: &Plan,
) -> anyhow::Result<HashMap<usize, String>> {
    let scope = input.opts.scope();
    let mut created = HashMap::new();
    for (org_id, key) in &plan.create_orgs {
        let changes = OrganizationChanges {
            kind: "library".into(),
            name_fi: format!("Kirjastot (Kirkanta: {key})"),
            name_sv: Some(format!("Bibliotek (Kirkanta: {key})")),
            name_en: Some(format!("Libraries (Kirkanta: {key})")),
            description_fi: Some("Kirjastot Kirjastohakemistosta (Kirkanta) tuotuina.".into()),
            confidence: "verified".into(),
            ..Default::default()
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
                let mut row = LocationRow::blank(&id, org_id, "library", SOURCE);
                for (field, v) in &m.fields {
                    crate::import::set_location_field(&mut row, field, v);
                }
                let languages = vec!["fi".to_owned()];
                write::insert_location(conn, &id, &LocationChanges::of(&row), &languages).await?;
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
                        crate::import::set_location_field(&mut row, field, v);
                    }
                    if adopt {
                        // Kirkanta's facts replace the demo's; the row keeps its id and owner.
                        row.confidence = "verified".into();
                    }
                    write::update_location(conn, id, &LocationChanges::of(&row), &e.languages).await?;
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
                write::update_location(conn, id, &LocationChanges::of(&row), &e.languages).await?;
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

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> Option<Value> {
    serde_json::to_value(v).ok()
}

pub(super) fn organization_input(c: &OrganizationChanges) -> crate::edit::organization::OrganizationInput {
    crate::edit::organization::OrganizationInput {
        kind: Some(c.kind.clone()),
        name: crate::edit::TextInput::from_columns(Some(&c.name_fi), c.name_sv.as_deref(), c.name_en.as_deref()),
        description: crate::edit::TextInput::columns(&c.description_fi, &c.description_sv, &c.description_en),
        confidence: Some(c.confidence.clone()),
        ..Default::default()
    }
}

/// Makes sure the location offers the services its Kirkanta services map to, creating the
/// organization's service when missing; each creation with its history row.
pub(super) async fn link_services(
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
            let service = ValidService { changes, topics, languages: vec!["fi".to_owned()] };
            write::insert_service(conn, &service_id, &service).await?;
            diesel::update(services::table.find(&service_id)).set(services::source.eq(SOURCE)).execute(conn).await?;
            let after = json!({"id": service_id, "organization_id": org_id, "name": name, "topics": service.topics});
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
