//! Writing a location's opening hours: the whole document, or one dated exception.
//! The location's ETag covers its hours: any change to them gives the location a new version.

use crate::http::respond::RowTag;
use actix_web::http::StatusCode;
use actix_web::{delete, get, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::Write;
use super::{check_id_param, open_for_edit, refreshed, transaction, written};
use crate::auth::Caller;
use crate::db::write;
use crate::directory::Directory;
use crate::edit::{Errors, TextInput};
use crate::error::{ApiError, ApiResult, FieldError, WriteProblems};
use crate::hours::{Exception, OpeningHours, Period, TimeRange};
use crate::http::respond::public_json;
use crate::http::state::AppState;
use std::sync::Arc;

/// A location's hours document with its provenance.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoursOut {
    #[schema(example = "jns-paakirjasto")]
    pub location_id: String,
    /// The hours document: `periods` (weekly ranges `mon`..`sun` of `{start, end, kind}`,
    /// kind `staffed` or `self_service`; an undated default period and dated ones such as
    /// summer hours), `exceptions` (`{date, ranges, reason{fi,sv,en}}`, empty ranges = closed)
    /// and `open_on_holidays`. Times are Europe/Helsinki wall-clock "HH:MM".
    #[schema(value_type = Option<OpeningHours>)]
    pub hours: Option<serde_json::Value>,
    pub confidence: Option<String>,
    /// The regular hours as an OpenStreetMap `opening_hours` string.
    pub opening_hours: Option<String>,
}

fn hours_out(dir: &crate::directory::Directory, id: &str) -> Option<(i64, HoursOut)> {
    let loc = dir.location(id)?;
    Some((
        loc.provenance.version,
        HoursOut {
            location_id: id.to_owned(),
            hours: loc.hours.as_ref().map(|h| serde_json::to_value(&h.hours).unwrap_or_default()),
            confidence: loc.hours.as_ref().map(|h| h.confidence.clone()),
            opening_hours: loc.hours.as_ref().map(|h| h.osm.clone()),
        },
    ))
}

/// A location's hours document (its ETag is the location's).
#[utoipa::path(
    tag = "locations",
    params(("id" = String, Path, description = "Location id")),
    responses(
        (status = 200, description = "The hours document (null when unknown)", body = HoursOut),
        (status = 304, description = "Not modified (If-None-Match)"),
        WriteProblems,
    )
)]
#[get("/v1/locations/{id}/hours")]
pub async fn get_hours(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> ApiResult<HttpResponse> {
    check_id_param(&id)?;
    let dir = state.store.get();
    let (version, body) = hours_out(&dir, &id).ok_or_else(|| ApiError::not_found("location", &id))?;
    Ok(public_json(&req, RowTag::new(&id, version), &body))
}

fn respond(dir: &crate::directory::Directory, id: &str) -> HttpResponse {
    match hours_out(dir, id) {
        Some((version, body)) => written(StatusCode::OK, RowTag::new(id, version), None, &body),
        None => HttpResponse::Ok().json(serde_json::json!({"location_id": id})),
    }
}

fn parse_hours(body: &[u8]) -> ApiResult<OpeningHours> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::invalid_param("body", format!("not valid JSON: {e}")))?;
    let shape = crate::hours::validate::shape_problems(&value);
    if !shape.is_empty() {
        return Err(ApiError::validation(
            shape.into_iter().map(|p| FieldError { field: p.field, message: p.message }).collect(),
        ));
    }
    let hours: OpeningHours = serde_path_to_error::deserialize(value).map_err(|e| {
        ApiError::validation(vec![FieldError { field: e.path().to_string(), message: e.into_inner().to_string() }])
    })?;
    Ok(hours)
}

/// An hours write's target: the location whose hours change, who changes them and the version
/// of the location they expect (the API's `If-Match`, the editor form's hidden version).
pub struct HoursOf<'a> {
    pub state: &'a AppState,
    pub caller: &'a Caller,
    pub id: &'a str,
    pub expected: super::IfMatch,
}

impl HoursOf<'_> {
    /// Shared by every hours write: lock, scope, version, change, history; the snapshot holding
    /// the change is returned.
    async fn change(
        self,
        change: impl FnOnce(Option<OpeningHours>) -> ApiResult<OpeningHours> + Send,
    ) -> ApiResult<Arc<Directory>> {
        let HoursOf { state, caller, id, expected } = self;
        transaction!(state, async |conn| {
            open_for_edit(write::lock_location(conn, id).await?, id, caller, Some(&expected))?;
            let before = write::hours_of(conn, Some(id), None).await?;
            let current = before.as_ref().and_then(|h| serde_json::from_str::<OpeningHours>(&h.document).ok());
            let new = change(current)?;
            let doc = serde_json::to_value(&new).map_err(|e| ApiError::internal(e.to_string()))?;
            write::put_hours(conn, Some(id), None, Some(doc.clone()), "verified").await?;
            write::touch_location(conn, id, false, None).await?;
            write::record(
                conn,
                "location",
                id,
                "hours",
                &super::actor(caller),
                before.and_then(|h| serde_json::from_str(&h.document).ok()),
                Some(doc),
            )
            .await?;
            Ok(())
        })?;
        Ok(refreshed(state).await)
    }
}

/// Replace a location's hours document. Needs If-Match (the location's ETag).
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Location id"), ("If-Match" = String, Header, description = "The location's ETag")),
    request_body(content = OpeningHours, content_type = "application/json", description = "The hours document (see GET /v1/locations/{id}/hours)",
        example = json!({"periods": [{"week": {"mon": [{"start": "10:00", "end": "16:00", "kind": "staffed"}]}}], "exceptions": [], "open_on_holidays": false})),
    security(("bearer" = [])),
    responses((status = 200, description = "Stored", body = HoursOut, headers(("ETag" = String))), WriteProblems)
)]
#[put("/v1/locations/{id}/hours")]
pub async fn put_hours(state: web::Data<AppState>, mut w: Write) -> ApiResult<HttpResponse> {
    let (id, expected) = (w.id()?, w.if_match()?);
    let hours = parse_hours(&w.body().await?)?;
    let dir = store_hours(HoursOf { state: &state, caller: &w.caller, id: &id, expected }, hours).await?;
    Ok(respond(&dir, &id))
}

/// A whole hours document stored (validated first: every problem named with its path).
pub async fn store_hours(to: HoursOf<'_>, hours: OpeningHours) -> ApiResult<Arc<Directory>> {
    checked(&hours)?;
    to.change(|_| Ok(hours)).await
}

/// The weekly hours (periods) and the holiday rule stored, the dated exceptions kept as they
/// are: what the partner editor's hours form writes.
pub async fn store_weeks(to: HoursOf<'_>, periods: Vec<Period>, open_on_holidays: bool) -> ApiResult<Arc<Directory>> {
    to.change(|current| {
        let mut hours = current.unwrap_or_default();
        hours.periods = periods;
        hours.open_on_holidays = open_on_holidays;
        checked(&hours)?;
        Ok(hours)
    })
    .await
}

/// Every problem of an hours document, as field errors.
fn checked(hours: &OpeningHours) -> ApiResult<()> {
    let problems = hours.validate();
    if problems.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(problems.into_iter().map(|p| FieldError { field: p.field, message: p.message }).collect()))
}

/// One dated exception: other ranges that day, or none (closed), and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionInput {
    /// The day's ranges; empty = closed.
    #[serde(default)]
    #[schema(example = json!([{"start": "10:00", "end": "12:00", "kind": "staffed"}]))]
    pub ranges: Vec<TimeRange>,
    pub reason: TextInput,
}
impl crate::edit::ReadShaped for ExceptionInput {}

/// Set the exception of one date (replacing any). Needs If-Match (the location's ETag).
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Location id"), ("date" = String, Path, description = "YYYY-MM-DD", example = "2027-12-24"),
        ("If-Match" = String, Header, description = "The location's ETag")),
    request_body(content = ExceptionInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses((status = 200, description = "Stored", body = HoursOut, headers(("ETag" = String))), WriteProblems)
)]
#[put("/v1/locations/{id}/exceptions/{date}")]
pub async fn put_exception(state: web::Data<AppState>, mut w: Write) -> ApiResult<HttpResponse> {
    let (id, date, expected) = (w.id()?, w.date()?, w.if_match()?);
    let input = w.typed::<ExceptionInput>().await?;
    let dir = set_exception(HoursOf { state: &state, caller: &w.caller, id: &id, expected }, date, input).await?;
    Ok(respond(&dir, &id))
}

/// One day's exception stored (replacing any that day), for the API and the partner editor
/// alike.
pub async fn set_exception(to: HoursOf<'_>, date: NaiveDate, input: ExceptionInput) -> ApiResult<Arc<Directory>> {
    let mut e = Errors::default();
    let (fi, sv, en) = e.text("reason", &Some(input.reason.clone()), true, crate::edit::MAX_NAME);
    e.finish()?;
    let exception =
        Exception { date, ranges: input.ranges, reason: crate::i18n::Localized { fi: fi.unwrap_or_default(), sv, en } };
    to.change(|current| {
        let mut hours = current.unwrap_or_default();
        hours.exceptions.retain(|x| x.date != date);
        hours.exceptions.push(exception);
        hours.exceptions.sort_by_key(|x| x.date);
        checked(&hours)?;
        Ok(hours)
    })
    .await
}

/// Remove the exception of one date. Needs If-Match (the location's ETag).
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Location id"), ("date" = String, Path, description = "YYYY-MM-DD", example = "2027-12-24"),
        ("If-Match" = String, Header, description = "The location's ETag")),
    security(("bearer" = [])),
    responses((status = 200, description = "Removed", body = HoursOut, headers(("ETag" = String))), WriteProblems)
)]
#[delete("/v1/locations/{id}/exceptions/{date}")]
pub async fn delete_exception(state: web::Data<AppState>, w: Write) -> ApiResult<HttpResponse> {
    let (id, date, expected) = (w.id()?, w.date()?, w.if_match()?);
    let dir = remove_exception(HoursOf { state: &state, caller: &w.caller, id: &id, expected }, date).await?;
    Ok(respond(&dir, &id))
}

/// One day's exception removed (404 when there is none), for the API and the partner editor
/// alike.
pub async fn remove_exception(to: HoursOf<'_>, date: NaiveDate) -> ApiResult<Arc<Directory>> {
    to.change(|current| {
        let mut hours = current.ok_or_else(|| ApiError::not_found("exception on", &date.to_string()))?;
        let before = hours.exceptions.len();
        hours.exceptions.retain(|x| x.date != date);
        if hours.exceptions.len() == before {
            return Err(ApiError::not_found("exception on", &date.to_string()));
        }
        Ok(hours)
    })
    .await
}
