//! Writing services and services at locations.

use crate::http::respond::RowTag;
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Utc;

use super::idempotency::{self, IdempotencyKey};
use super::{
    actor, check_id_param, check_version, if_match, json, new_id, open_for_edit, read_body, refreshed, transaction,
    written,
};
use crate::auth::Caller;
use crate::db::write;
use crate::directory::Directory;
use crate::edit::service::ServiceInput;
use crate::edit::service_at_location::{ServiceAtLocationInput, ValidServiceAtLocation};
use crate::edit::{legacy_errors, merge_patch, parse_body, tolerating};
use crate::error::{ApiError, ApiResult, WriteProblems};
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
    caller: Caller,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    state.limiter.check(caller.token_id)?;
    let body = read_body(&req, payload, &state).await?;
    let key = IdempotencyKey::from_request(&req, &body)?;
    if let Some(id) = idempotency::replayed(&key, &state.pool, &caller).await? {
        return Ok(respond_service(&state.store.get(), &id, StatusCode::CREATED));
    }
    let mut input: ServiceInput = parse_body(&body)?;
    input.organization_id.get_or_insert_with(|| caller.organization_id.clone());
    caller.require_edit(input.organization_id.as_deref().unwrap_or_default())?;
    let valid = input.validate(&state.store.get())?;
    let id = transaction!(state, async |conn| {
        let base = format!("{}-{}", valid.changes.organization_id, super::slug(&valid.changes.name_fi));
        let id = new_id(conn, "services", &input.id, &base).await?;
        write::insert_service(conn, &id, &valid.changes, &valid.topics, &valid.languages).await?;
        let after = ServiceInput { id: Some(id.clone()), ..input.clone() };
        write::record(conn, "service", &id, "create", &actor(&caller), None, json(&after)).await?;
        idempotency::remember(&key, conn, &caller, "service", &id).await?;
        Ok(id)
    })?;
    Ok(respond_service(&*refreshed(&state).await, &id, StatusCode::CREATED))
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
    req: HttpRequest,
    caller: Caller,
    id: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    check_id_param(&id)?;
    state.limiter.check(caller.token_id)?;
    let expected = if_match(&req)?;
    let body = read_body(&req, payload, &state).await?;
    let dir = state.store.get();
    transaction!(state, async |conn| {
        let row = open_for_edit(write::lock_service(conn, &id).await?, &id, &caller, Some(&expected))?;
        let (topics, languages) = write::service_topics_and_languages(conn, &id).await?;
        let before = ServiceInput::from_row(&row, topics, languages);
        let after = merge_patch(&before, &body)?;
        super::id_unchanged(&before.id, &after.id)?;
        let valid = tolerating(legacy_errors(before.validate(&dir), &body), || after.validate(&dir))?;
        caller.require_edit(&valid.changes.organization_id)?;
        write::update_service(conn, &id, &valid.changes, &valid.topics, &valid.languages).await?;
        write::record(conn, "service", &id, "update", &actor(&caller), json(&before), json(&after)).await?;
        Ok(())
    })?;
    Ok(respond_service(&*refreshed(&state).await, &id, StatusCode::OK))
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
    req: HttpRequest,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    check_id_param(&id)?;
    state.limiter.check(caller.token_id)?;
    let expected = if_match(&req)?;
    transaction!(state, async |conn| {
        let row = open_for_edit(write::lock_service(conn, &id).await?, &id, &caller, Some(&expected))?;
        let (topics, languages) = write::service_topics_and_languages(conn, &id).await?;
        let before = ServiceInput::from_row(&row, topics, languages);
        write::set_service_deleted(conn, &id, Some(Utc::now())).await?;
        write::record(conn, "service", &id, "delete", &actor(&caller), json(&before), None).await?;
        Ok(())
    })?;
    refreshed(&state).await;
    Ok(HttpResponse::NoContent().finish())
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
pub async fn restore_service(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    check_id_param(&id)?;
    caller.require_admin()?;
    transaction!(state, async |conn| {
        let row = write::lock_service(conn, &id).await?.ok_or_else(|| ApiError::not_found("service", &id))?;
        if row.deleted_at.is_none() {
            return Err(ApiError::conflict(format!("the service {id:?} is not deleted: there is nothing to restore")));
        }
        write::set_service_deleted(conn, &id, None).await?;
        let (topics, languages) = write::service_topics_and_languages(conn, &id).await?;
        write::record(
            conn,
            "service",
            &id,
            "restore",
            &actor(&caller),
            None,
            json(&ServiceInput::from_row(&row, topics, languages)),
        )
        .await?;
        Ok(())
    })?;
    Ok(respond_service(&*refreshed(&state).await, &id, StatusCode::OK))
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
pub async fn service_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    check_id_param(&id)?;
    let owner =
        transaction!(state, async |conn| { Ok(write::lock_service(conn, &id).await?.map(|r| r.organization_id)) })?;
    super::history(&state, &caller, "service", &id, owner).await
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
    caller: Caller,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    state.limiter.check(caller.token_id)?;
    let body = read_body(&req, payload, &state).await?;
    let key = IdempotencyKey::from_request(&req, &body)?;
    if let Some(id) = idempotency::replayed(&key, &state.pool, &caller).await? {
        return Ok(respond_sal(&state.store.get(), &id, StatusCode::CREATED));
    }
    let input: ServiceAtLocationInput = parse_body(&body)?;
    let dir = state.store.get();
    // Scope first: a location of another organization is 403 even when the body is also invalid.
    if let Some(loc) = input.location_id.as_deref().and_then(|l| dir.location(l)) {
        caller.require_edit(&dir.organizations[loc.organization].id)?;
    }
    let valid = input.validate(&dir)?;
    caller.require_edit(&valid.organization_id)?;
    let id = transaction!(state, async |conn| {
        let base = format!(
            "{}-{}",
            valid.changes.location_id,
            valid.changes.service_id.rsplit('-').next().unwrap_or("service")
        );
        let id = new_id(conn, "services_at_locations", &input.id, &base).await?;
        write::insert_service_at_location(conn, &id, &valid.changes).await?;
        store_sal_hours(conn, &id, &valid).await?;
        let after = ServiceAtLocationInput { id: Some(id.clone()), ..input.clone() };
        write::record(conn, "service_at_location", &id, "create", &actor(&caller), None, json(&after)).await?;
        idempotency::remember(&key, conn, &caller, "service_at_location", &id).await?;
        Ok(id)
    })?;
    Ok(respond_sal(&*refreshed(&state).await, &id, StatusCode::CREATED))
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
    req: HttpRequest,
    caller: Caller,
    id: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    check_id_param(&id)?;
    state.limiter.check(caller.token_id)?;
    let expected = if_match(&req)?;
    let body = read_body(&req, payload, &state).await?;
    let dir = state.store.get();
    transaction!(state, async |conn| {
        let row = write::lock_service_at_location(conn, &id).await?.filter(|r| r.deleted_at.is_none());
        let row = row.ok_or_else(|| ApiError::not_found("service at location", &id))?;
        let owner =
            dir.location(&row.location_id).map(|l| dir.organizations[l.organization].id.clone()).unwrap_or_default();
        caller.require_edit(&owner)?;
        check_version(&expected, &id, row.version)?;
        let hours = write::hours_of(conn, None, Some(&id)).await?.and_then(|h| serde_json::from_str(&h.document).ok());
        let before = ServiceAtLocationInput::from_row(&row, hours);
        let after = merge_patch(&before, &body)?;
        super::id_unchanged(&before.id, &after.id)?;
        let valid = tolerating(legacy_errors(before.validate(&dir), &body), || after.validate(&dir))?;
        caller.require_edit(&valid.organization_id)?;
        write::update_service_at_location(conn, &id, &valid.changes).await?;
        store_sal_hours(conn, &id, &valid).await?;
        write::record(conn, "service_at_location", &id, "update", &actor(&caller), json(&before), json(&after)).await?;
        Ok(())
    })?;
    Ok(respond_sal(&*refreshed(&state).await, &id, StatusCode::OK))
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
    req: HttpRequest,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    check_id_param(&id)?;
    state.limiter.check(caller.token_id)?;
    let expected = if_match(&req)?;
    let dir = state.store.get();
    transaction!(state, async |conn| {
        let row = write::lock_service_at_location(conn, &id).await?.filter(|r| r.deleted_at.is_none());
        let row = row.ok_or_else(|| ApiError::not_found("service at location", &id))?;
        let owner =
            dir.location(&row.location_id).map(|l| dir.organizations[l.organization].id.clone()).unwrap_or_default();
        caller.require_edit(&owner)?;
        check_version(&expected, &id, row.version)?;
        let hours = write::hours_of(conn, None, Some(&id)).await?.and_then(|h| serde_json::from_str(&h.document).ok());
        write::set_service_at_location_deleted(conn, &id, Some(Utc::now())).await?;
        write::record(
            conn,
            "service_at_location",
            &id,
            "delete",
            &actor(&caller),
            json(&ServiceAtLocationInput::from_row(&row, hours)),
            None,
        )
        .await?;
        Ok(())
    })?;
    refreshed(&state).await;
    Ok(HttpResponse::NoContent().finish())
}
