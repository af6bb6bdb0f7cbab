//! Writing services and services at locations.

use crate::http::respond::RowTag;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use super::resource::{partner_routes, Creatable, Grant, Patchable, Resource};
use super::written;
use crate::auth::Caller;
use crate::db::models::{ServiceAtLocationRow, ServiceRow};
use crate::db::write;
use crate::directory::Directory;
use crate::edit::service::{ServiceInput, ValidService};
use crate::edit::service_at_location::{ServiceAtLocationInput, ValidServiceAtLocation};
use crate::error::{ApiError, ApiResult};
use crate::http::respond::LangMode;
use crate::http::views::{self, ServiceAtLocationDetail, ServiceOut};

fn respond_service(dir: &Directory, id: &str, status: StatusCode) -> HttpResponse {
    match dir.service(id).map(|(i, _)| i) {
        Some(i) => written(
            status,
            RowTag::new(&dir.services[i].id, dir.services[i].provenance.version),
            Some(format!("/v1/services/{id}")),
            &views::service(dir, i, LangMode::All),
        ),
        None => HttpResponse::build(status).json(serde_json::json!({"id": id})),
    }
}

fn respond_sal(dir: &Directory, id: &str, status: StatusCode) -> HttpResponse {
    match dir.service_at_location(id) {
        Some((loc, sal)) => written(
            status,
            RowTag::new(&sal.id, sal.provenance.version),
            Some(format!("/v1/services-at-locations/{id}")),
            &views::service_at_location_detail(dir, loc, sal, LangMode::All, Utc::now()),
        ),
        None => HttpResponse::build(status).json(serde_json::json!({"id": id})),
    }
}

partner_routes! {
    ServiceResource, id: "Service id", etag: "The ETag from GET /v1/services/{id}",
    input: ServiceInput, output: ServiceOut;
    /// Create a service of the caller's organization (admin: any).
    create create_service "/v1/services";
    /// Update a service with a JSON Merge Patch. Needs If-Match.
    patch patch_service "/v1/services/{id}";
    /// Delete a service (soft). Needs If-Match.
    delete delete_service "/v1/services/{id}";
    /// Restore a deleted service (admin token).
    restore restore_service "/v1/services/{id}/restore";
    /// The history of a service.
    history service_history "/v1/services/{id}/history";
}

partner_routes! {
    SalResource, id: "Service-at-location id", etag: "The ETag from GET /v1/services-at-locations/{id}",
    input: ServiceAtLocationInput, output: ServiceAtLocationDetail;
    /// Offer a service at a location (both of the caller's organization), optionally with its own
    /// hours and booking instructions.
    create create_service_at_location "/v1/services-at-locations";
    /// Update a service at a location (hours, booking, note) with a JSON Merge Patch. Needs If-Match.
    patch patch_service_at_location "/v1/services-at-locations/{id}";
    /// Stop offering a service at a location (soft delete). Needs If-Match.
    delete delete_service_at_location "/v1/services-at-locations/{id}";
}

async fn store_sal_hours(
    conn: &mut diesel_async::AsyncPgConnection,
    id: &str,
    valid: &ValidServiceAtLocation,
) -> ApiResult<()> {
    let doc = valid.hours.as_ref().map(|h| serde_json::to_value(h).unwrap_or_default());
    write::put_hours(conn, None, Some(id), doc, &valid.changes.confidence).await?;
    Ok(())
}

/// Services through the generic write path (`super::resource`).
pub struct ServiceResource;

impl Resource for ServiceResource {
    const KIND: &'static str = "service";
    const WORDS: &'static str = "service";
    type Row = ServiceRow;
    type Input = ServiceInput;

    async fn lock(conn: &mut AsyncPgConnection, id: &str) -> ApiResult<Option<ServiceRow>> {
        Ok(write::lock_service(conn, id).await?)
    }
    fn owner(row: &ServiceRow, _: &Directory) -> String {
        row.organization_id.clone()
    }
    async fn input(conn: &mut AsyncPgConnection, row: &ServiceRow) -> ApiResult<ServiceInput> {
        let (topics, languages) = write::service_topics_and_languages(conn, &row.id).await?;
        Ok(ServiceInput::from_row(row, topics, languages))
    }
    async fn set_deleted(conn: &mut AsyncPgConnection, id: &str, at: Option<DateTime<Utc>>) -> ApiResult<()> {
        Ok(write::set_service_deleted(conn, id, at).await?)
    }
    fn respond(dir: &Directory, id: &str, status: StatusCode) -> HttpResponse {
        respond_service(dir, id, status)
    }
}

impl Patchable for ServiceResource {
    type Valid = ValidService;
    type Found = ();
    fn input_id(input: &ServiceInput) -> &Option<String> {
        &input.id
    }
    fn validate(input: &ServiceInput, dir: &Directory, _: &ServiceRow) -> ApiResult<ValidService> {
        input.validate(dir)
    }
    fn authorize(caller: &Caller, _: Grant, _: &ServiceInput, _: &ServiceInput, valid: &ValidService) -> ApiResult<()> {
        caller.require_edit(&valid.changes.organization_id)
    }
    async fn update(conn: &mut AsyncPgConnection, id: &str, valid: &ValidService) -> ApiResult<()> {
        Ok(write::update_service(conn, id, valid).await?)
    }
}

/// Services at locations through the generic write path; owned by their location's
/// organization.
pub struct SalResource;

impl Resource for SalResource {
    const KIND: &'static str = "service_at_location";
    const WORDS: &'static str = "service at location";
    type Row = ServiceAtLocationRow;
    type Input = ServiceAtLocationInput;

    async fn lock(conn: &mut AsyncPgConnection, id: &str) -> ApiResult<Option<ServiceAtLocationRow>> {
        Ok(write::lock_service_at_location(conn, id).await?)
    }
    fn owner(row: &ServiceAtLocationRow, dir: &Directory) -> String {
        dir.location(&row.location_id).map(|l| dir.organizations[l.organization].id.clone()).unwrap_or_default()
    }
    /// A service at a deleted location is gone with it (the directory no longer lists it): 404,
    /// as for a deleted record, so that no write can answer with a record nobody can read.
    fn grant(caller: &Caller, row: &ServiceAtLocationRow, dir: &Directory) -> ApiResult<Grant> {
        let location = dir.location(&row.location_id).ok_or_else(|| ApiError::not_found(Self::WORDS, &row.id))?;
        caller.require_edit(&dir.organizations[location.organization].id).map(|_| Grant::Owner)
    }
    async fn input(conn: &mut AsyncPgConnection, row: &ServiceAtLocationRow) -> ApiResult<ServiceAtLocationInput> {
        let hours =
            write::hours_of(conn, None, Some(&row.id)).await?.and_then(|h| serde_json::from_str(&h.document).ok());
        Ok(ServiceAtLocationInput::from_row(row, hours))
    }
    async fn set_deleted(conn: &mut AsyncPgConnection, id: &str, at: Option<DateTime<Utc>>) -> ApiResult<()> {
        Ok(write::set_service_at_location_deleted(conn, id, at).await?)
    }
    fn respond(dir: &Directory, id: &str, status: StatusCode) -> HttpResponse {
        respond_sal(dir, id, status)
    }
}

impl Patchable for SalResource {
    type Valid = ValidServiceAtLocation;
    type Found = ();
    fn input_id(input: &ServiceAtLocationInput) -> &Option<String> {
        &input.id
    }
    fn validate(
        input: &ServiceAtLocationInput,
        dir: &Directory,
        _: &ServiceAtLocationRow,
    ) -> ApiResult<ValidServiceAtLocation> {
        input.validate(dir)
    }
    fn authorize(
        caller: &Caller,
        _: Grant,
        _: &ServiceAtLocationInput,
        _: &ServiceAtLocationInput,
        valid: &ValidServiceAtLocation,
    ) -> ApiResult<()> {
        caller.require_edit(&valid.organization_id)
    }
    async fn update(conn: &mut AsyncPgConnection, id: &str, valid: &ValidServiceAtLocation) -> ApiResult<()> {
        write::update_service_at_location(conn, id, &valid.changes).await?;
        store_sal_hours(conn, id, valid).await
    }
}

impl Creatable for ServiceResource {
    const TABLE: &'static str = "services";
    fn prepare(caller: &Caller, input: &mut ServiceInput, _: &Directory) -> ApiResult<()> {
        input.organization_id.get_or_insert_with(|| caller.organization_id.clone());
        caller.require_edit(input.organization_id.as_deref().unwrap_or_default())
    }
    fn validate_new(input: &ServiceInput, dir: &Directory) -> ApiResult<ValidService> {
        input.validate(dir)
    }
    fn authorize_new(caller: &Caller, valid: &ValidService) -> ApiResult<()> {
        caller.require_edit(&valid.changes.organization_id)
    }
    fn id_base(valid: &ValidService) -> String {
        format!("{}-{}", valid.changes.organization_id, super::slug(&valid.changes.name_fi))
    }
    fn with_id(input: &ServiceInput, id: String) -> ServiceInput {
        ServiceInput { id: Some(id), ..input.clone() }
    }
    async fn insert(conn: &mut AsyncPgConnection, id: &str, valid: &ValidService) -> ApiResult<()> {
        Ok(write::insert_service(conn, id, valid).await?)
    }
}

impl Creatable for SalResource {
    const TABLE: &'static str = "services_at_locations";
    fn prepare(caller: &Caller, input: &mut ServiceAtLocationInput, dir: &Directory) -> ApiResult<()> {
        // Scope first: a location of another organization is 403 even when the body is also
        // invalid.
        match input.location_id.as_deref().and_then(|l| dir.location(l)) {
            Some(loc) => caller.require_edit(&dir.organizations[loc.organization].id),
            None => Ok(()),
        }
    }
    fn validate_new(input: &ServiceAtLocationInput, dir: &Directory) -> ApiResult<ValidServiceAtLocation> {
        input.validate(dir)
    }
    fn authorize_new(caller: &Caller, valid: &ValidServiceAtLocation) -> ApiResult<()> {
        caller.require_edit(&valid.organization_id)
    }
    fn id_base(valid: &ValidServiceAtLocation) -> String {
        format!("{}-{}", valid.changes.location_id, valid.changes.service_id.rsplit('-').next().unwrap_or("service"))
    }
    fn with_id(input: &ServiceAtLocationInput, id: String) -> ServiceAtLocationInput {
        ServiceAtLocationInput { id: Some(id), ..input.clone() }
    }
    async fn insert(conn: &mut AsyncPgConnection, id: &str, valid: &ValidServiceAtLocation) -> ApiResult<()> {
        write::insert_service_at_location(conn, id, &valid.changes).await?;
        store_sal_hours(conn, id, valid).await
    }
}
