//! Writing locations: create, update (merge patch), delete (soft), verify, restore, history.

use crate::domain::{LocationKind, Vocabulary};
use crate::http::respond::RowTag;
use actix_web::http::StatusCode;
use actix_web::{patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use super::extract::Write;
use super::idempotency::{self, IdempotencyKey};
use super::resource::{partner_routes, Resource};
use super::IfMatch;
use super::{actor, json, new_id, open_for_edit, refreshed, transaction, written};
use crate::auth::Caller;
use crate::db::models::LocationRow;
use crate::db::write;
use crate::directory::Directory;
use crate::edit::location::{check_confidence, LocationChanges, LocationInput};
use crate::edit::{legacy_errors, merge_patch, parse_body, tolerating};
use crate::error::{ApiError, ApiResult, WriteProblems};
use crate::http::respond::LangMode;
use crate::http::state::AppState;
use crate::http::views::{self, LocationOut};

pub(super) fn respond(dir: &crate::directory::Directory, id: &str, status: StatusCode) -> HttpResponse {
    match dir.location(id) {
        Some(loc) => written(
            status,
            RowTag::new(&loc.id, loc.provenance.version),
            Some(format!("/v1/locations/{id}")),
            &views::location(dir, loc, LangMode::All, Utc::now(), None),
        ),
        None => HttpResponse::build(status).json(serde_json::json!({"id": id})),
    }
}

/// Whether a location needs a position found for it: it has no coordinates, and it is not
/// remote help (which serves areas and gets none).
fn needs_place(changes: &LocationChanges) -> bool {
    changes.latitude.is_none() && changes.kind != LocationKind::Remote.name()
}

type AddressKey = (Option<String>, Option<String>, Option<String>);

fn address_key(changes: &LocationChanges) -> AddressKey {
    (changes.street_address.clone(), changes.postal_code.clone(), changes.municipality_code.clone())
}

/// A position found for an address before the write transaction.
struct Placed {
    address: AddressKey,
    found: Option<crate::geocode::Located>,
}

/// Finds a position for a location without coordinates: the configured geocoder, else the
/// postal code's centroid or the municipality's centre, marked `approximate`. Called before
/// any transaction: no connection or row lock is held while the geocoder answers.
async fn locate_before(
    state: &AppState,
    dir: &crate::directory::Directory,
    changes: &LocationChanges,
) -> Option<Placed> {
    if !needs_place(changes) {
        return None;
    }
    let found = crate::geocode::locate(
        state.geocoder.as_ref(),
        changes.street_address.as_deref(),
        changes.postal_code.as_deref(),
        changes.municipality_code.as_deref(),
        dir,
    )
    .await;
    Some(Placed { address: address_key(changes), found })
}

/// Gives `changes` the position found before the transaction. When the address is no longer
/// the one geocoded (the row changed in between, under `If-Match: *`), only our own area
/// centroids are used: the geocoder is never called inside a transaction.
async fn place(placed: Option<Placed>, dir: &crate::directory::Directory, changes: &mut LocationChanges) {
    if !needs_place(changes) {
        return;
    }
    let found = match placed {
        Some(p) if p.address == address_key(changes) => p.found,
        _ => {
            crate::geocode::locate(
                None,
                changes.street_address.as_deref(),
                changes.postal_code.as_deref(),
                changes.municipality_code.as_deref(),
                dir,
            )
            .await
        }
    };
    if let Some(found) = found {
        changes.latitude = Some(found.lat);
        changes.longitude = Some(found.lon);
        // `geocoder (layer): label`: the layer decides the point's accuracy.
        let method = match &found.layer {
            Some(layer) => format!("{} ({layer})", found.method),
            None => found.method.to_owned(),
        };
        changes.coordinate_method = Some(match found.label {
            Some(label) => format!("{method}: {label}"),
            None => method,
        });
        if found.confidence == "approximate" {
            changes.confidence = "approximate".into();
        }
    }
}

/// Create a location of the caller's organization (admin: any organization).
#[utoipa::path(
    tag = "partner",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create safe: the same key with the same body answers with the record the first attempt made (no duplicate); with another body, 422")),
    request_body(content = LocationInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = LocationOut, headers(("ETag" = String), ("Location" = String))),
        WriteProblems,
    )
)]
#[post("/v1/locations")]
pub async fn create_location(state: web::Data<AppState>, mut w: Write) -> ApiResult<HttpResponse> {
    let body = w.body().await?;
    let (req, caller) = (w.request(), &w.caller);
    let key = IdempotencyKey::from_request(req, &body)?;
    if let Some(id) = idempotency::replayed(&key, &state.pool, caller).await? {
        return Ok(respond(&state.store.get(), &id, StatusCode::CREATED));
    }
    let mut input: LocationInput = parse_body(&body)?;
    input.organization_id.get_or_insert_with(|| caller.organization_id.clone());
    caller.require_edit(input.organization_id.as_deref().unwrap_or_default())?;
    let dir = state.store.get();
    let (mut changes, languages) = input.validate(&dir, None)?;
    let placed = locate_before(&state, &dir, &changes).await;
    place(placed, &dir, &mut changes).await;
    let id = transaction!(state, async |conn| {
        let id = new_id(conn, "locations", &input.id, &changes.name_fi).await?;
        write::insert_location(conn, &id, &changes, &languages).await?;
        let after = LocationInput { id: Some(id.clone()), ..input.clone() };
        write::record(conn, "location", &id, "create", &actor(&caller), None, json(&after)).await?;
        idempotency::remember(&key, conn, &caller, "location", &id).await?;
        Ok(id)
    })?;
    Ok(respond(&*refreshed(&state).await, &id, StatusCode::CREATED))
}

/// Update a location with a JSON Merge Patch (RFC 7396). Needs If-Match.
/// The body may also be in the read form GET returns (e.g. `address`, `coordinates`, references
/// as `{id, name}`, instants with their offset): read-only members are named in the 422, and
/// every member of the wrong type is named at once, in plain words.
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Location id"), ("If-Match" = String, Header, description = "The ETag from GET /v1/locations/{id}")),
    request_body(content = LocationInput, content_type = "application/merge-patch+json", description = "Merge patch: fields to change; null removes"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = LocationOut, headers(("ETag" = String))),
        WriteProblems,
    )
)]
#[patch("/v1/locations/{id}")]
pub async fn patch_location(state: web::Data<AppState>, mut w: Write) -> ApiResult<HttpResponse> {
    let (id, expected) = (w.id()?, w.if_match()?);
    let body = w.body().await?;
    let caller = &w.caller;
    let dir = update(&state, &caller, &id, &expected, &body).await?;
    Ok(respond(&dir, &id, StatusCode::OK))
}

/// The update itself, for the API and the partner editor alike: the merge patch `body`
/// applied if `expected` names the location's version; the snapshot holding it is returned.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: &str,
    expected: &IfMatch,
    body: &[u8],
) -> ApiResult<std::sync::Arc<Directory>> {
    let dir = state.store.get();
    // First, outside any transaction: the patched record from the row as it is now (read
    // without a lock, the connection given back at once), so that its new address can be
    // geocoded while nothing is held. A stale If-Match fails here already.
    let (row, languages) = {
        let mut conn = state.pool.get().await.map_err(ApiError::from_pool)?;
        let row = write::read_location(&mut conn, id).await?;
        (row, write::location_languages(&mut conn, id).await?)
    };
    let row = open_for_edit(row, id, caller, Some(expected))?;
    let before = LocationInput::from_row(&row, languages);
    let after = merge_patch(&before, body)?;
    super::id_unchanged(&before.id, &after.id)?;
    let legacy = legacy_errors(before.validate(&dir, Some(&row)), body);
    let (changes, _) = tolerating(legacy, || after.validate(&dir, Some(&row)))?;
    let mut placed = locate_before(state, &dir, &changes).await;
    // Then the write: the row locked, its version checked again, the patch applied and
    // validated again on the row as it is at that moment.
    transaction!(state, async |conn| {
        let row = open_for_edit(write::lock_location(conn, id).await?, id, caller, Some(expected))?;
        let before = LocationInput::from_row(&row, write::location_languages(conn, id).await?);
        let after = merge_patch(&before, body)?;
        super::id_unchanged(&before.id, &after.id)?;
        let legacy = legacy_errors(before.validate(&dir, Some(&row)), body);
        let (mut changes, languages) = tolerating(legacy, || after.validate(&dir, Some(&row)))?;
        check_confidence(caller.is_admin, &row.confidence, &changes.confidence)?;
        place(placed.take(), &dir, &mut changes).await;
        // Moving a location to another organization needs rights over both.
        caller.require_edit(&changes.organization_id)?;
        write::update_location(conn, id, &changes, &languages).await?;
        write::record(conn, "location", id, "update", &actor(caller), json(&before), json(&after)).await?;
        Ok(())
    })?;
    Ok(refreshed(state).await)
}

/// Confirm the listing is still true: sets `verified_at` and `verified_by` (the token's
/// organization), shown on every page as "Tarkistettu 1.12.2026 (PKSOTU)". It does not
/// change `confidence` (only the coordinator raises that). Listings unconfirmed for 180 days
/// show `stale: true`.
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Location id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Verified", body = LocationOut, headers(("ETag" = String))),
        WriteProblems,
    )
)]
#[post("/v1/locations/{id}/verify")]
pub async fn verify_location(state: web::Data<AppState>, w: Write) -> ApiResult<HttpResponse> {
    let id = w.id()?;
    let dir = verify(&state, &w.caller, &id, None).await?;
    Ok(respond(&dir, &id, StatusCode::OK))
}

/// The confirmation itself, for the API and the partner editor alike; the editor confirms
/// the version its page showed (`expected`), so that nobody confirms a change they have not
/// seen.
pub async fn verify(
    state: &AppState,
    caller: &Caller,
    id: &str,
    expected: Option<&IfMatch>,
) -> ApiResult<std::sync::Arc<Directory>> {
    transaction!(state, async |conn| {
        let row = open_for_edit(write::lock_location(conn, id).await?, id, caller, expected)?;
        write::touch_location(conn, id, true, None).await?;
        write::set_location_verified_by(conn, id, &caller.organization_id).await?;
        let before = serde_json::json!({"verified_at": row.verified_at});
        let after = serde_json::json!({"verified_at": Utc::now(), "verified_by": caller.organization_id});
        write::record(conn, "location", id, "verify", &actor(caller), Some(before), Some(after)).await?;
        Ok(())
    })?;
    Ok(refreshed(state).await)
}

partner_routes! {
    LocationResource, id: "Location id", etag: "The ETag from GET /v1/locations/{id}",
    input: LocationInput, output: LocationOut;
    /// Delete a location (soft: an admin can restore it). Needs If-Match.
    delete delete_location "/v1/locations/{id}";
    /// Restore a deleted location (admin token).
    restore restore_location "/v1/locations/{id}/restore";
    /// The history of a location: every write, who made it, before and after.
    history location_history "/v1/locations/{id}/history";
}

/// Locations through the generic delete, restore and history (`super::resource`). Their
/// update is `patch_location`: a new address is placed with the geocoder outside the
/// transaction first.
pub struct LocationResource;

impl Resource for LocationResource {
    const KIND: &'static str = "location";
    const WORDS: &'static str = "location";
    type Row = LocationRow;
    type Input = LocationInput;

    async fn lock(conn: &mut AsyncPgConnection, id: &str) -> ApiResult<Option<LocationRow>> {
        Ok(write::lock_location(conn, id).await?)
    }
    fn owner(row: &LocationRow, _: &Directory) -> String {
        row.organization_id.clone()
    }
    async fn input(conn: &mut AsyncPgConnection, row: &LocationRow) -> ApiResult<LocationInput> {
        Ok(LocationInput::from_row(row, write::location_languages(conn, &row.id).await?))
    }
    async fn set_deleted(conn: &mut AsyncPgConnection, id: &str, at: Option<DateTime<Utc>>) -> ApiResult<()> {
        Ok(write::touch_location(conn, id, false, Some(at)).await?)
    }
    fn respond(dir: &Directory, id: &str, status: StatusCode) -> HttpResponse {
        respond(dir, id, status)
    }
}
