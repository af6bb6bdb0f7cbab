//! Writing organizations: the coordinator creates them, partners keep their own current.

use crate::http::respond::RowTag;
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};

use super::idempotency::{self, IdempotencyKey};
use super::{actor, check_id_param, if_match, json, new_id, open_for_edit, read_body, refreshed, transaction, written};
use crate::auth::Caller;
use crate::db::write;
use crate::edit::organization::OrganizationInput;
use crate::edit::{legacy_errors, merge_patch, parse_body, tolerating};
use crate::error::{ApiResult, WriteProblems};
use crate::http::params::check_id;
use crate::http::respond::LangMode;
use crate::http::state::AppState;
use crate::http::views::{self, OrganizationOut};

fn respond(dir: &crate::directory::Directory, id: &str, status: StatusCode) -> HttpResponse {
    match dir.organization(id) {
        Some(org) => written(
            status,
            RowTag::new(&org.id, org.provenance.version),
            Some(format!("/v1/organizations/{id}")),
            &views::organization(dir, org, LangMode::All),
        ),
        None => HttpResponse::build(status).json(serde_json::json!({"id": id})),
    }
}

/// Create an organization (admin token).
#[utoipa::path(
    tag = "partner",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create safe: the same key with the same body answers with the record the first attempt made (no duplicate); with another body, 422")),
    request_body(content = OrganizationInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = OrganizationOut, headers(("ETag" = String), ("Location" = String))),
        WriteProblems,
    )
)]
#[post("/v1/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    state.limiter.check(caller.token_id)?;
    let body = read_body(&req, payload, &state).await?;
    let key = IdempotencyKey::from_request(&req, &body)?;
    if let Some(id) = idempotency::replayed(&key, &state.pool, &caller).await? {
        return Ok(respond(&state.store.get(), &id, StatusCode::CREATED));
    }
    let input: OrganizationInput = parse_body(&body)?;
    let changes = input.validate(&state.store.get())?;
    let id = transaction!(state, async |conn| {
        let id = new_id(conn, "organizations", &input.id, &changes.name_fi).await?;
        write::insert_organization(conn, &id, &changes).await?;
        let after = OrganizationInput { id: Some(id.clone()), ..input.clone() };
        write::record(conn, "organization", &id, "create", &actor(&caller), None, json(&after)).await?;
        idempotency::remember(&key, conn, &caller, "organization", &id).await?;
        Ok(id)
    })?;
    Ok(respond(&*refreshed(&state).await, &id, StatusCode::CREATED))
}

/// Update an organization with a JSON Merge Patch (RFC 7396). Needs If-Match.
/// The body may also be in the read form GET returns (e.g. `address`, `coordinates`, references
/// as `{id, name}`, instants with their offset): read-only members are named in the 422, and
/// every member of the wrong type is named at once, in plain words.
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Organization id"), ("If-Match" = String, Header, description = "The ETag from GET")),
    request_body(content = OrganizationInput, content_type = "application/merge-patch+json", description = "Merge patch: fields to change; null removes"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = OrganizationOut, headers(("ETag" = String))),
        WriteProblems,
    )
)]
#[patch("/v1/organizations/{id}")]
pub async fn patch_organization(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    id: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    check_id("id", &id)?;
    state.limiter.check(caller.token_id)?;
    let expected = if_match(&req)?;
    let body = read_body(&req, payload, &state).await?;
    let dir = state.store.get();
    transaction!(state, async |conn| {
        let row = open_for_edit(write::lock_organization(conn, &id).await?, &id, &caller, Some(&expected))?;
        let before = OrganizationInput::from_row(&row);
        let after = merge_patch(&before, &body)?;
        super::id_unchanged(&before.id, &after.id)?;
        let changes = tolerating(legacy_errors(before.validate(&dir), &body), || after.validate(&dir))?;
        write::update_organization(conn, &id, &changes).await?;
        write::record(conn, "organization", &id, "update", &actor(&caller), json(&before), json(&after)).await?;
        Ok(())
    })?;
    Ok(respond(&*refreshed(&state).await, &id, StatusCode::OK))
}

/// The history of an organization's record: every write, who made it, before and after.
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Organization id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Oldest first", body = super::HistoryList),
        WriteProblems,
    )
)]
#[get("/v1/organizations/{id}/history")]
pub async fn organization_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    check_id_param(&id)?;
    let owner = transaction!(state, async |conn| { Ok(write::lock_organization(conn, &id).await?.map(|r| r.id)) })?;
    super::history(&state, &caller, "organization", &id, owner).await
}
