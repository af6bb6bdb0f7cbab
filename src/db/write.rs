//! Every write of the partner API, one function per change, each run inside the caller's
//! transaction. Rows that are changed are first locked (`lock_*`, SELECT ... FOR UPDATE), so
//! that version checks (If-Match) and the changes that follow cannot interleave.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;

use super::changes::{LocationChanges, OrganizationChanges, ServiceAtLocationChanges, ValidService};
use super::models::*;
use super::schema::*;

/// Who makes a change, for the history. Every writer names itself: a partner or admin token
/// (`token:<name>`), or the system (`import:kirkanta`, `import:ptv`, `geocode`).
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    /// The token, for writes through the API.
    pub token_id: Option<i64>,
    /// The token's name, or the system writer's name.
    pub token_name: &'a str,
    /// The organization the token belongs to; for system writers, the owner of the record.
    pub organization_id: &'a str,
    system: bool,
}

impl<'a> Actor<'a> {
    /// A write through the API with a token.
    pub fn token(token_id: i64, token_name: &'a str, organization_id: &'a str) -> Self {
        Actor { token_id: Some(token_id), token_name, organization_id, system: false }
    }

    /// A write by the system itself: an importer (`import:kirkanta`) or the geocoder (`geocode`),
    /// on a record of `organization_id`.
    pub fn system(name: &'a str, organization_id: &'a str) -> Self {
        Actor { token_id: None, token_name: name, organization_id, system: true }
    }

    /// The actor as recorded in history: `token:<name>` or the system writer's name.
    pub fn label(&self) -> String {
        if self.system {
            self.token_name.to_owned()
        } else {
            format!("token:{}", self.token_name)
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = history)]
pub struct HistoryRow {
    pub id: i64,
    #[schema(example = "location")]
    pub entity_type: String,
    #[schema(example = "jns-paakirjasto")]
    pub entity_id: String,
    /// create, update, delete, restore, verify, hours
    #[schema(example = "update")]
    pub action: String,
    /// Who wrote: `token:<token name>`, `import:kirkanta`, `import:ptv` or `geocode`.
    #[schema(example = "token:Joensuun kirjasto, verkkosivut")]
    pub actor: String,
    /// The token, for writes through the API; null for the system's own writes.
    pub token_id: Option<i64>,
    #[schema(example = "Joensuun kirjasto, verkkosivut")]
    pub token_name: String,
    #[schema(example = "joensuun-kaupunginkirjasto")]
    pub organization_id: String,
    pub at: DateTime<Utc>,
    #[schema(value_type = Option<std::collections::HashMap<String, serde_json::Value>>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<std::collections::HashMap<String, serde_json::Value>>)]
    pub after: Option<Value>,
}

/// Writes the history entry of one change, in the writer's transaction.
pub async fn record(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: &str,
    action: &str,
    actor: &Actor<'_>,
    before: Option<Value>,
    after: Option<Value>,
) -> QueryResult<()> {
    diesel::insert_into(history::table)
        .values((
            history::entity_type.eq(entity_type),
            history::entity_id.eq(entity_id),
            history::action.eq(action),
            history::actor.eq(actor.label()),
            history::token_id.eq(actor.token_id),
            history::token_name.eq(actor.token_name),
            history::organization_id.eq(actor.organization_id),
            history::before.eq(before),
            history::after.eq(after),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn history_of(
    conn: &mut AsyncPgConnection,
    entity_type: &str,
    entity_id: &str,
) -> QueryResult<Vec<HistoryRow>> {
    history::table
        .filter(history::entity_type.eq(entity_type))
        .filter(history::entity_id.eq(entity_id))
        .order(history::id)
        .select(HistoryRow::as_select())
        .load(conn)
        .await
}

/// A free id derived from `base`: `base`, `base-2`, `base-3`, ...
pub async fn free_id(conn: &mut AsyncPgConnection, table: &str, base: &str) -> QueryResult<String> {
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    // `table` is one of our own constants, never input. An id the history knows (of a record
    // since removed for good, such as a service-at-location link offered again) is not reused:
    // the history of two records never shares an id.
    let taken: Vec<String> = diesel::sql_query(format!(
        "SELECT id FROM {table} WHERE id = $1 OR id LIKE $1 || '-%' \
         UNION SELECT entity_id FROM history WHERE entity_id = $1 OR entity_id LIKE $1 || '-%'"
    ))
    .bind::<diesel::sql_types::Text, _>(base)
    .load::<Taken>(conn)
    .await?
    .into_iter()
    .map(|t| t.id)
    .collect();
    let mut candidate = base.to_owned();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

// --- organizations -----------------------------------------------------------------------

pub async fn lock_organization(conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<OrganizationRow>> {
    organizations::table.find(id).for_update().select(OrganizationRow::as_select()).first(conn).await.optional()
}

/// One row of `$table` changed: `$changes` (anything diesel can set), the row's version one up
/// (what `If-Match` and ETags compare) and `updated_at` now.
macro_rules! bump {
    ($conn:expr, $table:ident, $id:expr, $changes:expr) => {
        diesel::update($table::table.find($id))
            .set(($changes, $table::version.eq($table::version + 1), $table::updated_at.eq(Utc::now())))
            .execute($conn)
            .await
            .map(|_| ())
    };
}

/// A new row of `$table` a partner writes (`source` manual): its id and `$values`.
macro_rules! insert_manual {
    ($conn:expr, $table:ident, $id:expr, $values:expr) => {
        diesel::insert_into($table::table)
            .values(($table::id.eq($id), $table::source.eq("manual"), $values))
            .execute($conn)
            .await
            .map(|_| ())
    };
}

/// The soft delete (or restore, `None`) of one row of `$table`: `deleted_at` set, the version
/// bumped.
macro_rules! soft_delete {
    ($($name:ident: $table:ident;)*) => {$(
        pub async fn $name(conn: &mut AsyncPgConnection, id: &str, deleted: Option<DateTime<Utc>>) -> QueryResult<()> {
            bump!(conn, $table, id, $table::deleted_at.eq(deleted))
        }
    )*};
}

soft_delete! {
    set_service_deleted: services;
    set_service_at_location_deleted: services_at_locations;
    set_event_deleted: events;
}

pub async fn insert_organization(conn: &mut AsyncPgConnection, id: &str, c: &OrganizationChanges) -> QueryResult<()> {
    insert_manual!(conn, organizations, id, c)
}

pub async fn update_organization(conn: &mut AsyncPgConnection, id: &str, c: &OrganizationChanges) -> QueryResult<()> {
    bump!(conn, organizations, id, c)
}

// --- locations ---------------------------------------------------------------------------

pub async fn lock_location(conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<LocationRow>> {
    locations::table.find(id).for_update().select(LocationRow::as_select()).first(conn).await.optional()
}

/// Gives a location its position (`coordinate_method` says how it was found), bumping its version.
pub async fn set_coordinates(
    conn: &mut AsyncPgConnection,
    id: &str,
    latitude: f64,
    longitude: f64,
    method: &str,
) -> QueryResult<()> {
    bump!(
        conn,
        locations,
        id,
        (locations::latitude.eq(latitude), locations::longitude.eq(longitude), locations::coordinate_method.eq(method))
    )
}

pub async fn location_languages(conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Vec<String>> {
    location_languages::table
        .filter(location_languages::location_id.eq(id))
        .select(location_languages::language_code)
        .order(location_languages::language_code)
        .load(conn)
        .await
}

/// Languages are checked as ISO 639-1 codes at the edge; the table of names learns new
/// codes here.
async fn ensure_languages(conn: &mut AsyncPgConnection, codes: &[String]) -> QueryResult<()> {
    for code in codes {
        let name = isolang::Language::from_639_1(code).map(|l| l.to_name().to_owned()).unwrap_or_else(|| code.clone());
        diesel::insert_into(languages::table)
            .values((
                languages::code.eq(code),
                languages::name_fi.eq(&name),
                languages::name_sv.eq(&name),
                languages::name_en.eq(&name),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}

async fn set_location_languages(conn: &mut AsyncPgConnection, id: &str, langs: &[String]) -> QueryResult<()> {
    ensure_languages(conn, langs).await?;
    diesel::delete(location_languages::table.filter(location_languages::location_id.eq(id))).execute(conn).await?;
    let rows: Vec<_> = langs
        .iter()
        .map(|l| (location_languages::location_id.eq(id), location_languages::language_code.eq(l)))
        .collect();
    diesel::insert_into(location_languages::table).values(rows).execute(conn).await?;
    Ok(())
}

pub async fn insert_location(
    conn: &mut AsyncPgConnection,
    id: &str,
    c: &LocationChanges,
    langs: &[String],
) -> QueryResult<()> {
    insert_manual!(conn, locations, id, c)?;
    set_location_languages(conn, id, langs).await
}

pub async fn update_location(
    conn: &mut AsyncPgConnection,
    id: &str,
    c: &LocationChanges,
    langs: &[String],
) -> QueryResult<()> {
    bump!(conn, locations, id, c)?;
    set_location_languages(conn, id, langs).await
}

/// Records who confirmed a location (the organization of the token), with `touch_location`.
pub async fn set_location_verified_by(conn: &mut AsyncPgConnection, id: &str, organization: &str) -> QueryResult<()> {
    diesel::update(locations::table.find(id)).set(locations::verified_by.eq(organization)).execute(conn).await?;
    Ok(())
}

/// Marks a location changed in some other way (hours, verification, deletion, restore).
pub async fn touch_location(
    conn: &mut AsyncPgConnection,
    id: &str,
    verified: bool,
    deleted: Option<Option<DateTime<Utc>>>,
) -> QueryResult<()> {
    let q = diesel::update(locations::table.find(id));
    match (verified, deleted) {
        (true, _) => q
            .set((locations::version.eq(locations::version + 1), locations::verified_at.eq(Utc::now())))
            .execute(conn)
            .await
            .map(|_| ()),
        (false, Some(d)) => bump!(conn, locations, id, locations::deleted_at.eq(d)),
        (false, None) => q
            .set((locations::version.eq(locations::version + 1), locations::updated_at.eq(Utc::now())))
            .execute(conn)
            .await
            .map(|_| ()),
    }
}

/// The hours document of a location or of a service at a location.
pub async fn hours_of(
    conn: &mut AsyncPgConnection,
    location: Option<&str>,
    sal: Option<&str>,
) -> QueryResult<Option<OpeningHoursRow>> {
    let mut q = opening_hours::table.select(OpeningHoursRow::as_select()).into_boxed();
    q = match (location, sal) {
        (Some(l), _) => q.filter(opening_hours::location_id.eq(l.to_owned())),
        (None, Some(s)) => q.filter(opening_hours::service_at_location_id.eq(s.to_owned())),
        _ => return Ok(None),
    };
    q.first(conn).await.optional()
}

/// Replaces (or with `None` removes) the hours document of a location or a service at a location.
pub async fn put_hours(
    conn: &mut AsyncPgConnection,
    location: Option<&str>,
    sal: Option<&str>,
    document: Option<Value>,
    confidence: &str,
) -> QueryResult<()> {
    let existing = hours_of(conn, location, sal).await?;
    match (existing, document) {
        (Some(row), Some(doc)) => {
            diesel::update(opening_hours::table.find(row.id))
                .set((
                    opening_hours::document.eq(doc),
                    opening_hours::confidence.eq(confidence),
                    opening_hours::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
        }
        (Some(row), None) => {
            diesel::delete(opening_hours::table.find(row.id)).execute(conn).await?;
        }
        (None, Some(doc)) => {
            diesel::insert_into(opening_hours::table)
                .values((
                    opening_hours::location_id.eq(location),
                    opening_hours::service_at_location_id.eq(sal),
                    opening_hours::document.eq(doc),
                    opening_hours::confidence.eq(confidence),
                ))
                .execute(conn)
                .await?;
        }
        (None, None) => {}
    }
    Ok(())
}

// --- services ----------------------------------------------------------------------------

pub async fn lock_service(conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<ServiceRow>> {
    services::table.find(id).for_update().select(ServiceRow::as_select()).first(conn).await.optional()
}

pub async fn service_topics_and_languages(
    conn: &mut AsyncPgConnection,
    id: &str,
) -> QueryResult<(Vec<String>, Vec<String>)> {
    let topics = service_topics::table
        .filter(service_topics::service_id.eq(id))
        .select(service_topics::topic_code)
        .order(service_topics::topic_code)
        .load(conn)
        .await?;
    let langs = service_languages::table
        .filter(service_languages::service_id.eq(id))
        .select(service_languages::language_code)
        .order(service_languages::language_code)
        .load(conn)
        .await?;
    Ok((topics, langs))
}

async fn set_service_links(
    conn: &mut AsyncPgConnection,
    id: &str,
    topics: &[String],
    langs: &[String],
) -> QueryResult<()> {
    ensure_languages(conn, langs).await?;
    diesel::delete(service_topics::table.filter(service_topics::service_id.eq(id))).execute(conn).await?;
    diesel::delete(service_languages::table.filter(service_languages::service_id.eq(id))).execute(conn).await?;
    let t: Vec<_> =
        topics.iter().map(|x| (service_topics::service_id.eq(id), service_topics::topic_code.eq(x))).collect();
    diesel::insert_into(service_topics::table).values(t).execute(conn).await?;
    let l: Vec<_> =
        langs.iter().map(|x| (service_languages::service_id.eq(id), service_languages::language_code.eq(x))).collect();
    diesel::insert_into(service_languages::table).values(l).execute(conn).await?;
    Ok(())
}

pub async fn insert_service(conn: &mut AsyncPgConnection, id: &str, s: &ValidService) -> QueryResult<()> {
    insert_manual!(conn, services, id, &s.changes)?;
    set_service_links(conn, id, &s.topics, &s.languages).await
}

pub async fn update_service(conn: &mut AsyncPgConnection, id: &str, s: &ValidService) -> QueryResult<()> {
    bump!(conn, services, id, &s.changes)?;
    set_service_links(conn, id, &s.topics, &s.languages).await
}

// --- services at locations ---------------------------------------------------------------

pub async fn lock_service_at_location(
    conn: &mut AsyncPgConnection,
    id: &str,
) -> QueryResult<Option<ServiceAtLocationRow>> {
    services_at_locations::table
        .find(id)
        .for_update()
        .select(ServiceAtLocationRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A new service at a location. A link of the same service and location removed before (soft
/// deleted) gives way to it, so that a removed service can be offered there again: the old row
/// (and its own hours) goes, its history stays under its id.
pub async fn insert_service_at_location(
    conn: &mut AsyncPgConnection,
    id: &str,
    c: &ServiceAtLocationChanges,
) -> QueryResult<()> {
    diesel::delete(
        services_at_locations::table
            .filter(services_at_locations::service_id.eq(&c.service_id))
            .filter(services_at_locations::location_id.eq(&c.location_id))
            .filter(services_at_locations::deleted_at.is_not_null()),
    )
    .execute(conn)
    .await?;
    insert_manual!(conn, services_at_locations, id, c)
}

pub async fn update_service_at_location(
    conn: &mut AsyncPgConnection,
    id: &str,
    c: &ServiceAtLocationChanges,
) -> QueryResult<()> {
    bump!(conn, services_at_locations, id, c)
}

// --- events ------------------------------------------------------------------------------

pub async fn lock_event(conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<EventRow>> {
    events::table.find(id).for_update().select(EventRow::as_select()).first(conn).await.optional()
}

/// The stored form of a valid event: its key columns and its document.
pub struct EventColumns<'a> {
    pub organization_id: &'a str,
    pub location_id: Option<&'a str>,
    pub status: &'a str,
    pub confidence: &'a str,
    pub document: Value,
}

pub async fn insert_event(conn: &mut AsyncPgConnection, id: &str, c: &EventColumns<'_>) -> QueryResult<()> {
    diesel::insert_into(events::table)
        .values((
            events::id.eq(id),
            events::organization_id.eq(c.organization_id),
            events::location_id.eq(c.location_id),
            events::status.eq(c.status),
            events::confidence.eq(c.confidence),
            events::document.eq(&c.document),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_event(conn: &mut AsyncPgConnection, id: &str, c: &EventColumns<'_>) -> QueryResult<()> {
    bump!(
        conn,
        events,
        id,
        (
            events::organization_id.eq(c.organization_id),
            events::location_id.eq(c.location_id),
            events::status.eq(c.status),
            events::confidence.eq(c.confidence),
            events::document.eq(&c.document)
        )
    )
}
