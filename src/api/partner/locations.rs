//! Writing locations: create, update (merge patch), delete (soft), verify, restore, history.

use crate::domain::{LocationKind, Vocabulary};
use crate::http::respond::RowTag;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use super::extract::Write;
use super::resource::{partner_routes, Creatable, Grant, Patchable, Resource};
use super::IfMatch;
use super::{actor, open_for_edit, refreshed, transaction, written};
use crate::auth::Caller;
use crate::db::models::LocationRow;
use crate::db::write;
use crate::directory::Directory;
use crate::edit::location::{check_confidence, LocationChanges, LocationInput};
use crate::error::{ApiResult, WriteProblems};
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
pub struct Placed {
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
    /// Create a location of the caller's organization (admin: any organization).
    ///
    /// Without coordinates, it is placed by the geocoder, else at its postal code's or
    /// municipality's centre (`approximate`).
    create create_location "/v1/locations";
    /// Update a location with a JSON Merge Patch (RFC 7396). Needs If-Match.
    ///
    /// A location without coordinates whose address changes is placed again.
    patch patch_location "/v1/locations/{id}";
    /// Delete a location (soft: an admin can restore it). Needs If-Match.
    delete delete_location "/v1/locations/{id}";
    /// Restore a deleted location (admin token).
    restore restore_location "/v1/locations/{id}/restore";
    /// The history of a location: every write, who made it, before and after.
    history location_history "/v1/locations/{id}/history";
}

/// Locations through the generic write path (`super::resource`); a location without coordinates
/// is placed by the geocoder (asked before the write's transaction: `look_up`).
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

impl Patchable for LocationResource {
    type Valid = (LocationChanges, Vec<String>);
    type Found = Placed;
    const LOOKS_UP: bool = true;
    fn input_id(input: &LocationInput) -> &Option<String> {
        &input.id
    }
    fn validate(input: &LocationInput, dir: &Directory, row: &LocationRow) -> ApiResult<Self::Valid> {
        input.validate(dir, Some(row))
    }
    fn authorize(
        caller: &Caller,
        _: Grant,
        before: &LocationInput,
        _: &LocationInput,
        (changes, _): &Self::Valid,
    ) -> ApiResult<()> {
        check_confidence(caller.is_admin, before.confidence.as_deref().unwrap_or_default(), &changes.confidence)?;
        // Moving a location to another organization needs rights over both.
        caller.require_edit(&changes.organization_id)
    }
    async fn look_up(state: &AppState, dir: &Directory, (changes, _): &Self::Valid) -> Option<Placed> {
        locate_before(state, dir, changes).await
    }
    async fn adopt(found: Option<Placed>, dir: &Directory, (changes, _): &mut Self::Valid) {
        place(found, dir, changes).await
    }
    async fn update(conn: &mut AsyncPgConnection, id: &str, (changes, languages): &Self::Valid) -> ApiResult<()> {
        Ok(write::update_location(conn, id, changes, languages).await?)
    }
}

impl Creatable for LocationResource {
    const TABLE: &'static str = "locations";
    fn prepare(caller: &Caller, input: &mut LocationInput, _: &Directory) -> ApiResult<()> {
        input.organization_id.get_or_insert_with(|| caller.organization_id.clone());
        caller.require_edit(input.organization_id.as_deref().unwrap_or_default())
    }
    fn validate_new(input: &LocationInput, dir: &Directory) -> ApiResult<Self::Valid> {
        input.validate(dir, None)
    }
    fn authorize_new(caller: &Caller, (changes, _): &Self::Valid) -> ApiResult<()> {
        caller.require_edit(&changes.organization_id)
    }
    fn id_base((changes, _): &Self::Valid) -> String {
        changes.name_fi.clone()
    }
    fn with_id(input: &LocationInput, id: String) -> LocationInput {
        LocationInput { id: Some(id), ..input.clone() }
    }
    async fn insert(conn: &mut AsyncPgConnection, id: &str, (changes, languages): &Self::Valid) -> ApiResult<()> {
        Ok(write::insert_location(conn, id, changes, languages).await?)
    }
}
