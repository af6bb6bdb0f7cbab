//! Writing services and services at locations.

use crate::http::respond::RowTag;
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use super::extract::{Body, Writer};
use super::resource::{self, Creatable, Grant, Patchable, Resource};
use super::written;
use super::IfMatch;
use crate::auth::Caller;
use crate::db::models::{ServiceAtLocationRow, ServiceRow};
use crate::db::write;
use crate::directory::Directory;
use crate::domain::RecordId;
use crate::edit::service::{ServiceInput, ValidService};
use crate::edit::service_at_location::{ServiceAtLocationInput, ValidServiceAtLocation};
use crate::error::{ApiResult, WriteProblems};
use crate::http::respond::LangMode;
use crate::http::state::AppState;
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

/// Create a service of the caller's organization (admin: any).
#[utoipa::path(
    tag = "partner",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create safe: the same key with the same body answers with the record the first attempt made (no duplicate); with another body, 422")),
    request_body(content = ServiceInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = ServiceOut, headers(("ETag" = String), ("Location" = String))),
        WriteProblems,
    )
)]
#[post("/v1/services")]
pub async fn create_service(
    state: web::Data<AppState>,
    req: HttpRequest,
    Writer(caller): Writer,
    Body(body): Body,
) -> ApiResult<HttpResponse> {
    resource::create::<ServiceResource>(&state, &req, &caller, &body).await
}

/// Update a service with a JSON Merge Patch. Needs If-Match.
/// The body may also be in the read form GET returns (e.g. `address`, `coordinates`, references
/// as `{id, name}`, instants with their offset): read-only members are named in the 422, and
/// every member of the wrong type is named at once, in plain words.
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Service id"), ("If-Match" = String, Header, description = "The ETag from GET /v1/services/{id}")),
    request_body(content = ServiceInput, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = ServiceOut, headers(("ETag" = String))),
        WriteProblems,
    )
)]
#[patch("/v1/services/{id}")]
pub async fn patch_service(
    state: web::Data<AppState>,
    Writer(caller): Writer,
    id: RecordId,
    expected: IfMatch,
    Body(body): Body,
) -> ApiResult<HttpResponse> {
    resource::patch::<ServiceResource>(&state, &caller, &id, &expected, &body).await
}

/// Delete a service (soft). Needs If-Match.
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Service id"), ("If-Match" = String, Header, description = "The ETag from GET /v1/services/{id}")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        WriteProblems,
    )
)]
#[delete("/v1/services/{id}")]
pub async fn delete_service(
    state: web::Data<AppState>,
    Writer(caller): Writer,
    id: RecordId,
    expected: IfMatch,
) -> ApiResult<HttpResponse> {
    resource::delete::<ServiceResource>(&state, &caller, &id, &expected).await
}

/// Restore a deleted service (admin token).
#[utoipa::path(
    tag = "admin",
    params(("id" = String, Path, description = "Service id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Restored", body = ServiceOut),
        WriteProblems,
    )
)]
#[post("/v1/services/{id}/restore")]
pub async fn restore_service(state: web::Data<AppState>, caller: Caller, id: RecordId) -> ApiResult<HttpResponse> {
    resource::restore::<ServiceResource>(&state, &caller, &id).await
}

/// The history of a service.
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Service id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Oldest first", body = super::HistoryList),
        WriteProblems,
    )
)]
#[get("/v1/services/{id}/history")]
pub async fn service_history(state: web::Data<AppState>, caller: Caller, id: RecordId) -> ApiResult<HttpResponse> {
    resource::history::<ServiceResource>(&state, &caller, &id).await
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

/// Offer a service at a location (both of the caller's organization), optionally with its own
/// hours and booking instructions.
#[utoipa::path(
    tag = "partner",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create safe: the same key with the same body answers with the record the first attempt made (no duplicate); with another body, 422")),
    request_body(content = ServiceAtLocationInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = ServiceAtLocationDetail, headers(("ETag" = String), ("Location" = String))),
        WriteProblems,
    )
)]
#[post("/v1/services-at-locations")]
pub async fn create_service_at_location(
    state: web::Data<AppState>,
    req: HttpRequest,
    Writer(caller): Writer,
    Body(body): Body,
) -> ApiResult<HttpResponse> {
    resource::create::<SalResource>(&state, &req, &caller, &body).await
}

/// Update a service at a location (hours, booking, note) with a JSON Merge Patch. Needs If-Match.
/// The body may also be in the read form GET returns (e.g. `address`, `coordinates`, references
/// as `{id, name}`, instants with their offset): read-only members are named in the 422, and
/// every member of the wrong type is named at once, in plain words.
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Service-at-location id"), ("If-Match" = String, Header, description = "The ETag from GET /v1/services-at-locations/{id}")),
    request_body(content = ServiceAtLocationInput, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = ServiceAtLocationDetail, headers(("ETag" = String))),
        WriteProblems,
    )
)]
#[patch("/v1/services-at-locations/{id}")]
pub async fn patch_service_at_location(
    state: web::Data<AppState>,
    Writer(caller): Writer,
    id: RecordId,
    expected: IfMatch,
    Body(body): Body,
) -> ApiResult<HttpResponse> {
    resource::patch::<SalResource>(&state, &caller, &id, &expected, &body).await
}

/// Stop offering a service at a location (soft delete). Needs If-Match.
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Service-at-location id"), ("If-Match" = String, Header, description = "The ETag from GET /v1/services-at-locations/{id}")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        WriteProblems,
    )
)]
#[delete("/v1/services-at-locations/{id}")]
pub async fn delete_service_at_location(
    state: web::Data<AppState>,
    Writer(caller): Writer,
    id: RecordId,
    expected: IfMatch,
) -> ApiResult<HttpResponse> {
    resource::delete::<SalResource>(&state, &caller, &id, &expected).await
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
        Ok(write::update_service(conn, id, &valid.changes, &valid.topics, &valid.languages).await?)
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
        Ok(write::insert_service(conn, id, &valid.changes, &valid.topics, &valid.languages).await?)
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
