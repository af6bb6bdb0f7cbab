//! Loads everything the public read model needs, in one consistent read-only transaction.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::models::*;
use super::schema::*;

/// All rows of the public directory, as of one database snapshot.
#[derive(Default)]
pub struct DirectoryRows {
    /// `directory_state.version`, read in the same transaction as the rows: the count of
    /// committed changes these rows reflect.
    pub version: i64,
    pub municipalities: Vec<MunicipalityRow>,
    pub postal_codes: Vec<PostalCodeRow>,
    pub sources: Vec<SourceRow>,
    pub topics: Vec<TopicRow>,
    pub languages: Vec<LanguageRow>,
    pub organizations: Vec<OrganizationRow>,
    pub locations: Vec<LocationRow>,
    pub location_languages: Vec<LocationLanguageRow>,
    pub services: Vec<ServiceRow>,
    pub service_topics: Vec<ServiceTopicRow>,
    pub service_languages: Vec<ServiceLanguageRow>,
    pub services_at_locations: Vec<ServiceAtLocationRow>,
    pub contacts: Vec<ContactRow>,
    pub opening_hours: Vec<OpeningHoursRow>,
    /// `(location id, organization id)`: who last confirmed each listing (`verify`).
    pub verified_by: Vec<(String, String)>,
    pub events: Vec<EventRow>,
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = BigInt)]
    version: i64,
}

/// The rows of `$table` not deleted, as `$Row`, in id order: every snapshot, built whole or
/// place by place, sees them in the same order.
macro_rules! live {
    ($table:ident, $Row:ident) => {
        $table::table.filter($table::deleted_at.is_null()).select($Row::as_select()).order($table::id)
    };
}

/// Every row of `$table`, as `$Row`.
macro_rules! all {
    ($table:ident, $Row:ident) => {
        $table::table.select($Row::as_select())
    };
}

pub async fn load_directory(conn: &mut AsyncPgConnection) -> QueryResult<DirectoryRows> {
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(async |conn| {
            let version = current_version(conn).await?;
            let index = index_rows(conn).await?;
            Ok(DirectoryRows {
                version,
                municipalities: all!(municipalities, MunicipalityRow).order(municipalities::code).load(conn).await?,
                postal_codes: all!(postal_codes, PostalCodeRow).order(postal_codes::code).load(conn).await?,
                sources: all!(sources, SourceRow).load(conn).await?,
                topics: index.topics,
                languages: all!(languages, LanguageRow).order(languages::code).load(conn).await?,
                organizations: index.organizations,
                locations: live!(locations, LocationRow).load(conn).await?,
                location_languages: all!(location_languages, LocationLanguageRow).load(conn).await?,
                services: index.services,
                service_topics: index.service_topics,
                service_languages: index.service_languages,
                services_at_locations: live!(services_at_locations, ServiceAtLocationRow).load(conn).await?,
                contacts: all!(contacts, ContactRow).order(contacts::id).load(conn).await?,
                opening_hours: all!(opening_hours, OpeningHoursRow).order(opening_hours::id).load(conn).await?,
                verified_by: locations::table
                    .filter(locations::deleted_at.is_null())
                    .filter(locations::verified_by.is_not_null())
                    .select((locations::id, locations::verified_by.assume_not_null()))
                    .load(conn)
                    .await?,
                events: live!(events, EventRow).load(conn).await?,
            })
        })
        .await
}

/// The rows the snapshot's indices point into (topics, organizations, services with their
/// topics and languages). A full build and a place-by-place update load them the same way, so
/// that their order, and every index into them, is the same.
struct IndexRows {
    topics: Vec<TopicRow>,
    organizations: Vec<OrganizationRow>,
    services: Vec<ServiceRow>,
    service_topics: Vec<ServiceTopicRow>,
    service_languages: Vec<ServiceLanguageRow>,
}

async fn index_rows(conn: &mut AsyncPgConnection) -> QueryResult<IndexRows> {
    Ok(IndexRows {
        topics: all!(topics, TopicRow).order((topics::sort_order, topics::code)).load(conn).await?,
        organizations: live!(organizations, OrganizationRow).load(conn).await?,
        services: live!(services, ServiceRow).load(conn).await?,
        service_topics: all!(service_topics, ServiceTopicRow).load(conn).await?,
        service_languages: all!(service_languages, ServiceLanguageRow).load(conn).await?,
    })
}

/// True when the directory holds no organizations yet (a fresh database).
pub async fn is_empty(conn: &mut AsyncPgConnection) -> QueryResult<bool> {
    let n: i64 = organizations::table.count().get_result(conn).await?;
    Ok(n == 0)
}

pub async fn organization_exists(conn: &mut AsyncPgConnection, id: &str) -> QueryResult<bool> {
    let n: i64 = organizations::table.filter(organizations::id.eq(id)).count().get_result(conn).await?;
    Ok(n == 1)
}

/// The directory version as committed now (every committed change counts).
pub async fn current_version(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    Ok(diesel::sql_query("SELECT version FROM directory_state").get_result::<Version>(conn).await?.version)
}

#[derive(QueryableByName)]
struct ChangeState {
    #[diesel(sql_type = BigInt)]
    version: i64,
    #[diesel(sql_type = BigInt)]
    changes_from: i64,
}

#[derive(QueryableByName)]
struct ChangedPlace {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    location_id: Option<String>,
}

/// At most this many changed places are applied to a snapshot one by one; more, and it is
/// rebuilt whole.
pub const MAX_CHANGED_PLACES: usize = 200;

/// The rows of the places changed since directory version `since` (per `directory_changes`),
/// with what building them needs (topics, organizations, services), as of one database
/// snapshot: `(rows, the changed location ids)`. `None` when the changes since then cannot be
/// applied place by place (a change outside the place tables, a pruned log, too many places).
pub async fn load_changed_places(
    conn: &mut AsyncPgConnection,
    since: i64,
) -> QueryResult<Option<(DirectoryRows, Vec<String>)>> {
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(async |conn| {
            let state = diesel::sql_query("SELECT version, changes_from FROM directory_state")
                .get_result::<ChangeState>(conn)
                .await?;
            if since < state.changes_from || since > state.version {
                return Ok(None);
            }
            let changed = diesel::sql_query(
                "SELECT DISTINCT location_id FROM directory_changes WHERE version > $1 AND version <= $2",
            )
            .bind::<BigInt, _>(since)
            .bind::<BigInt, _>(state.version)
            .load::<ChangedPlace>(conn)
            .await?;
            if changed.iter().any(|c| c.location_id.is_none()) || changed.len() > MAX_CHANGED_PLACES {
                return Ok(None);
            }
            let ids: Vec<String> = changed.into_iter().filter_map(|c| c.location_id).collect();
            let sal: Vec<ServiceAtLocationRow> = live!(services_at_locations, ServiceAtLocationRow)
                .filter(services_at_locations::location_id.eq_any(&ids))
                .load(conn)
                .await?;
            let sal_ids: Vec<&str> = sal.iter().map(|s| s.id.as_str()).collect();
            let index = index_rows(conn).await?;
            let rows = DirectoryRows {
                version: state.version,
                municipalities: vec![],
                postal_codes: vec![],
                sources: vec![],
                topics: index.topics,
                languages: vec![],
                organizations: index.organizations,
                locations: live!(locations, LocationRow).filter(locations::id.eq_any(&ids)).load(conn).await?,
                location_languages: location_languages::table
                    .filter(location_languages::location_id.eq_any(&ids))
                    .select(LocationLanguageRow::as_select())
                    .load(conn)
                    .await?,
                services: index.services,
                service_topics: index.service_topics,
                service_languages: index.service_languages,
                contacts: contacts::table
                    .filter(contacts::location_id.eq_any(&ids))
                    .select(ContactRow::as_select())
                    .order(contacts::id)
                    .load(conn)
                    .await?,
                opening_hours: opening_hours::table
                    .filter(
                        opening_hours::location_id
                            .eq_any(&ids)
                            .or(opening_hours::service_at_location_id.eq_any(&sal_ids)),
                    )
                    .select(OpeningHoursRow::as_select())
                    .order(opening_hours::id)
                    .load(conn)
                    .await?,
                verified_by: locations::table
                    .filter(locations::deleted_at.is_null())
                    .filter(locations::id.eq_any(&ids))
                    .filter(locations::verified_by.is_not_null())
                    .select((locations::id, locations::verified_by.assume_not_null()))
                    .load(conn)
                    .await?,
                services_at_locations: sal,
                events: vec![],
            };
            Ok(Some((rows, ids)))
        })
        .await
}
