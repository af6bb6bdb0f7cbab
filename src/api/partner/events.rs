//! Writing events: create, update (merge patch), delete (soft), cancel or move one occurrence,
//! history. The same rules as every partner write: the owner's token (co-organizers are listed,
//! not owners, unless the owner names them in `editors`), If-Match, every failing field in one
//! 422, history, rate limit.

use actix_web::http::StatusCode;
use actix_web::{put, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use super::extract::Write;
use super::resource::{self, partner_routes, Creatable, Grant, Patchable, Resource};
use super::{actor, refreshed, transaction, written};
use crate::api::events::{event_out, EventOut};
use crate::auth::Caller;
use crate::db::models::EventRow;
use crate::db::write::{self, EventColumns};
use crate::directory::Directory;
use crate::edit::event::{EventInput, OccurrenceInput, ValidEvent};
use crate::error::{ApiError, ApiResult, WriteProblems};
use crate::http::respond::{LangMode, RowTag};
use crate::http::state::AppState;

fn respond(dir: &Directory, id: &str, status: StatusCode) -> HttpResponse {
    match dir.event(id) {
        Some(ev) => written(
            status,
            RowTag::new(&ev.id, ev.provenance.version),
            Some(format!("/v1/events/{id}")),
            &event_out(dir, ev, LangMode::All, Utc::now()),
        ),
        None => HttpResponse::build(status).json(serde_json::json!({"id": id})),
    }
}

fn columns(valid: &ValidEvent) -> ApiResult<EventColumns<'_>> {
    Ok(EventColumns {
        organization_id: &valid.organization_id,
        location_id: valid.location_id.as_deref(),
        status: &valid.status,
        confidence: &valid.confidence,
        document: serde_json::to_value(&valid.doc).map_err(|e| ApiError::internal(e.to_string()))?,
    })
}

partner_routes! {
    EventResource, id: "Event id", etag: "The ETag from GET /v1/events/{id}",
    input: EventInput, output: EventOut;
    /// Create an event of the caller's organization (admin: any organization).
    create create_event "/v1/events";
    /// Update an event with a JSON Merge Patch (RFC 7396). Needs If-Match.
    patch patch_event "/v1/events/{id}";
    /// Delete an event (soft). Needs If-Match.
    delete delete_event "/v1/events/{id}";
    /// The history of an event: every write, who made it, before and after.
    history event_history "/v1/events/{id}/history";
}

/// Cancel, move or restore one occurrence of a recurring event (by its original local date).
/// Needs If-Match (the event's ETag).
#[utoipa::path(
    tag = "partner",
    params(("id" = String, Path, description = "Event id"),
        ("date" = String, Path, description = "The occurrence's original local date, YYYY-MM-DD", example = "2027-02-16"),
        ("If-Match" = String, Header, description = "The event's ETag")),
    request_body(content = OccurrenceInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses((status = 200, description = "Stored", body = EventOut, headers(("ETag" = String))), WriteProblems)
)]
#[put("/v1/events/{id}/occurrences/{date}")]
pub async fn put_occurrence(state: web::Data<AppState>, mut w: Write) -> ApiResult<HttpResponse> {
    let (id, date, expected) = (w.id()?, w.date()?, w.if_match()?);
    let change = w.typed::<OccurrenceInput>().await?.validate()?;
    let caller = &w.caller;
    let dir = state.store.get();
    transaction!(state, async |conn| {
        let (row, _) =
            resource::open::<EventResource>(write::lock_event(conn, &id).await?, &id, &caller, &dir, &expected)?;
        let mut doc: crate::events::EventDoc =
            serde_json::from_value(row.document.clone()).map_err(|e| ApiError::internal(e.to_string()))?;
        // The date must be one the series has (or had, before an earlier change).
        let day_start = crate::events::helsinki(date.and_hms_opt(0, 0, 0).unwrap_or_default());
        let has_date = doc.overrides.contains_key(&date)
            || doc
                .occurrences(day_start - chrono::Duration::days(1), day_start + chrono::Duration::days(2))
                .iter()
                .any(|o| o.date == date);
        if !has_date {
            return Err(ApiError::not_found("occurrence on", &date.to_string()));
        }
        let before = doc.overrides.get(&date).cloned();
        if change.status == "scheduled" {
            doc.overrides.remove(&date);
        } else {
            doc.overrides.insert(date, change.clone());
        }
        let document = serde_json::to_value(&doc).map_err(|e| ApiError::internal(e.to_string()))?;
        let columns = EventColumns {
            organization_id: &row.organization_id,
            location_id: row.location_id.as_deref(),
            status: &row.status,
            confidence: &row.confidence,
            document,
        };
        write::update_event(conn, &id, &columns).await?;
        let as_json = |o: &Option<crate::events::Override>| Some(serde_json::json!({"date": date, "override": o}));
        write::record(conn, "event", &id, "occurrence", &actor(&caller), as_json(&before), as_json(&Some(change)))
            .await?;
        Ok(())
    })?;
    Ok(respond(&*refreshed(&state).await, &id, StatusCode::OK))
}

/// Events through the generic write path (`super::resource`): the owner's token, or a
/// co-organizer the owner named in `editors` (who may edit the event and its occurrences, but
/// not delete it nor change who owns or edits it).
pub struct EventResource;

impl Resource for EventResource {
    const KIND: &'static str = "event";
    const WORDS: &'static str = "event";
    type Row = EventRow;
    type Input = EventInput;

    async fn lock(conn: &mut AsyncPgConnection, id: &str) -> ApiResult<Option<EventRow>> {
        Ok(write::lock_event(conn, id).await?)
    }
    fn owner(row: &EventRow, _: &Directory) -> String {
        row.organization_id.clone()
    }
    fn grant(caller: &Caller, row: &EventRow, _: &Directory) -> ApiResult<Grant> {
        let named = row.document["editors"]
            .as_array()
            .is_some_and(|e| e.iter().any(|o| o.as_str() == Some(caller.organization_id.as_str())));
        if !caller.may_edit(&row.organization_id) && named {
            return Ok(Grant::Editor);
        }
        caller.require_edit(&row.organization_id).map(|_| Grant::Owner)
    }
    async fn input(_: &mut AsyncPgConnection, row: &EventRow) -> ApiResult<EventInput> {
        Ok(EventInput::from_row(row))
    }
    async fn set_deleted(conn: &mut AsyncPgConnection, id: &str, at: Option<DateTime<Utc>>) -> ApiResult<()> {
        Ok(write::set_event_deleted(conn, id, at).await?)
    }
    fn respond(dir: &Directory, id: &str, status: StatusCode) -> HttpResponse {
        respond(dir, id, status)
    }
}

impl Patchable for EventResource {
    type Valid = ValidEvent;
    type Found = ();
    fn input_id(input: &EventInput) -> &Option<String> {
        &input.id
    }
    fn validate(input: &EventInput, dir: &Directory, row: &EventRow) -> ApiResult<ValidEvent> {
        // Occurrence overrides are kept through a patch of the series.
        let overrides = serde_json::from_value::<crate::events::EventDoc>(row.document.clone())
            .map(|d| d.overrides)
            .unwrap_or_default();
        input.validate(dir, overrides)
    }
    fn authorize(
        caller: &Caller,
        grant: Grant,
        before: &EventInput,
        after: &EventInput,
        valid: &ValidEvent,
    ) -> ApiResult<()> {
        if grant == Grant::Owner {
            return caller.require_edit(&valid.organization_id);
        }
        // A granted co-organizer edits the event, not who owns or edits it.
        for (field, same) in [
            ("organization_id", before.organization_id == after.organization_id),
            ("co_organizers", before.co_organizers == after.co_organizers),
            ("editors", before.editors == after.editors),
        ] {
            if !same {
                return Err(ApiError::forbidden(format!(
                    "only the owner {:?} may change {field}",
                    before.organization_id.as_deref().unwrap_or_default()
                )));
            }
        }
        Ok(())
    }
    async fn update(conn: &mut AsyncPgConnection, id: &str, valid: &ValidEvent) -> ApiResult<()> {
        Ok(write::update_event(conn, id, &columns(valid)?).await?)
    }
}

impl Creatable for EventResource {
    const TABLE: &'static str = "events";
    fn prepare(caller: &Caller, input: &mut EventInput, _: &Directory) -> ApiResult<()> {
        input.organization_id.get_or_insert_with(|| caller.organization_id.clone());
        caller.require_edit(input.organization_id.as_deref().unwrap_or_default())
    }
    fn validate_new(input: &EventInput, dir: &Directory) -> ApiResult<ValidEvent> {
        input.validate(dir, Default::default())
    }
    fn authorize_new(caller: &Caller, valid: &ValidEvent) -> ApiResult<()> {
        caller.require_edit(&valid.organization_id)
    }
    fn id_base(valid: &ValidEvent) -> String {
        valid.doc.title.fi.clone()
    }
    fn with_id(input: &EventInput, id: String) -> EventInput {
        EventInput { id: Some(id), ..input.clone() }
    }
    async fn insert(conn: &mut AsyncPgConnection, id: &str, valid: &ValidEvent) -> ApiResult<()> {
        Ok(write::insert_event(conn, id, &columns(valid)?).await?)
    }
}
