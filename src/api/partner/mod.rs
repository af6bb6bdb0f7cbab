//! The partner write API: create, update, delete and verify one's own listings; admin
//! endpoints for the coordinator. Every write runs in one transaction that locks the row,
//! checks `If-Match` against its version, validates the whole new record, stores it and its
//! history entry; then the snapshot is rebuilt so that the change shows in public reads at once.

pub mod admin;
pub mod events;
pub mod extract;
pub mod hours;
pub mod idempotency;
pub mod locations;
pub mod organizations;
pub mod resource;
pub mod services;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use diesel_async::AsyncPgConnection;
use futures_util::StreamExt;
use serde::Serialize;

use crate::auth::Caller;
use crate::db::write::Actor;
use crate::directory::Directory;
use crate::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// Reads a JSON request body of at most `state.max_body_bytes`; larger bodies are 413, bodies
/// without a JSON Content-Type 415.
pub async fn read_body(
    req: &HttpRequest,
    mut payload: impl futures_util::Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>> + Unpin,
    state: &AppState,
) -> ApiResult<web::Bytes> {
    let limit = state.limits.max_body_bytes;
    // A body must say it is JSON: without Content-Type it is refused, not guessed.
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|h| h.to_str().ok()).unwrap_or("");
    let ct = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if ct != "application/json" && ct != "application/merge-patch+json" && !ct.ends_with("+json") {
        return Err(ApiError::unsupported_media_type());
    }
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|h| h.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::payload_too_large(limit));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::invalid_param("body", format!("unreadable body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// What `If-Match` asks for: `*`, or one or more entity tags (compared strongly, whole).
pub enum IfMatch {
    Any,
    Tags(Vec<String>),
    /// The row version a form was filled in against (the partner editor's hidden field).
    Version(i64),
}

/// PATCH, PUT and DELETE need `If-Match` (428 without it).
pub fn if_match(req: &HttpRequest) -> ApiResult<IfMatch> {
    let value = req
        .headers()
        .get(header::IF_MATCH)
        .and_then(|h| h.to_str().ok())
        .ok_or_else(ApiError::precondition_required)?
        .trim();
    if value == "*" {
        return Ok(IfMatch::Any);
    }
    Ok(IfMatch::Tags(value.split(',').map(|t| t.trim().to_owned()).collect()))
}

/// 412 unless `If-Match` names the current version of record `id`.
pub fn check_version(m: &IfMatch, id: &str, current: i64) -> ApiResult<()> {
    match m {
        IfMatch::Any => Ok(()),
        IfMatch::Tags(tags) if tags.iter().any(|t| crate::http::respond::if_match_names(t, id, current)) => Ok(()),
        IfMatch::Version(v) if *v == current => Ok(()),
        _ => Err(ApiError::precondition_failed()),
    }
}

/// A stored row partners write: its version and whether it is (soft-)deleted.
pub trait Versioned {
    fn version(&self) -> i64;
    fn is_deleted(&self) -> bool;
}

/// A stored record partners edit: also who owns it.
pub trait Editable: Versioned {
    const WHAT: &'static str;
    fn owner(&self) -> &str;
}

macro_rules! versioned {
    ($($row:ty),*) => {
        $(impl Versioned for $row {
            fn version(&self) -> i64 {
                self.version
            }
            fn is_deleted(&self) -> bool {
                self.deleted_at.is_some()
            }
        })*
    };
}
versioned!(
    crate::db::models::OrganizationRow,
    crate::db::models::LocationRow,
    crate::db::models::ServiceRow,
    crate::db::models::ServiceAtLocationRow,
    crate::db::models::EventRow
);

macro_rules! editable {
    ($row:ty, $what:literal, |$r:ident| $owner:expr) => {
        impl Editable for $row {
            const WHAT: &'static str = $what;
            fn owner(&self) -> &str {
                let $r = self;
                $owner
            }
        }
    };
}
editable!(crate::db::models::OrganizationRow, "organization", |r| &r.id);
editable!(crate::db::models::LocationRow, "location", |r| &r.organization_id);
editable!(crate::db::models::ServiceRow, "service", |r| &r.organization_id);
editable!(crate::db::models::EventRow, "event", |r| &r.organization_id);

/// The live (not deleted) record, if the caller may change it: 404, then 403, then, when
/// `expected` is given, 412 unless it names the current version.
pub fn open_for_edit<R: Editable>(
    row: Option<R>,
    id: &str,
    caller: &Caller,
    expected: Option<&IfMatch>,
) -> ApiResult<R> {
    let row = row.filter(|r| !r.is_deleted()).ok_or_else(|| ApiError::not_found(R::WHAT, id))?;
    caller.require_edit(row.owner())?;
    if let Some(expected) = expected {
        check_version(expected, id, row.version())?;
    }
    Ok(row)
}

pub fn actor(caller: &Caller) -> Actor<'_> {
    Actor::token(caller.token_id, &caller.token_name, &caller.organization_id)
}

/// Runs the block in one transaction on a pooled connection; any error rolls everything back:
/// `transaction!(state, async |conn| { ... Ok(value) })`.
/// A storage fault (read-only database, disk full) is remembered for `/readyz` until a write
/// commits again.
macro_rules! transaction {
    ($state:expr, async |$conn:ident| $body:block) => {{
        let mut pooled = $state.pool.get().await.map_err(crate::error::ApiError::from_pool)?;
        let c: &mut diesel_async::AsyncPgConnection = &mut pooled;
        let result =
            diesel_async::AsyncConnection::transaction::<_, crate::error::ApiError, _>(c, async |$conn| $body).await;
        $state.storage.observe(&result);
        result
    }};
}
pub(crate) use transaction;

/// After a commit: make this instance's snapshot hold the change, so it shows in reads at once.
/// The committed version is read first: when the change listener has already rebuilt past it
/// (other instances learn of changes only through NOTIFY), no second rebuild is made.
pub async fn refreshed(state: &AppState) -> std::sync::Arc<Directory> {
    let committed = match state.pool.get().await {
        Ok(mut conn) => crate::db::load::current_version(&mut conn).await.ok(),
        Err(_) => None,
    };
    match state.store.rebuild_unless_holds(&state.pool, committed).await {
        Ok(dir) => dir,
        Err(e) => {
            tracing::warn!("snapshot rebuild after a write failed: {e:#}");
            state.store.get()
        }
    }
}

/// The answer to a write: the record as now stored, with its new ETag; never cached, no CORS.
pub fn written<T: Serialize>(
    status: StatusCode,
    tag: impl std::fmt::Display,
    location: Option<String>,
    body: &T,
) -> HttpResponse {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = HttpResponse::build(status);
    resp.insert_header((header::ETAG, crate::http::respond::etag(tag, &bytes)))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(l) = location {
        resp.insert_header((header::LOCATION, l));
    }
    resp.content_type("application/json").body(bytes)
}

/// A readable id from a name: "Joensuun pääkirjasto" → "joensuun-paakirjasto".
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let c = match c {
            'ä' | 'å' | 'á' | 'à' => 'a',
            'ö' | 'ó' | 'ò' => 'o',
            'é' | 'è' => 'e',
            'ü' => 'u',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    let mut s: String = out.trim_end_matches('-').chars().take(48).collect();
    s = s.trim_end_matches('-').to_owned();
    if s.is_empty() {
        "record".into()
    } else {
        s
    }
}

/// The id given by the writer (must be free) or one made from the name. The given id is read
/// as validation read it (`Errors::id`): trimmed, and blank means none was given.
pub async fn new_id(
    conn: &mut AsyncPgConnection,
    table: &str,
    given: &Option<String>,
    name: &str,
) -> ApiResult<String> {
    match given.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => {
            if crate::db::write::free_id(conn, table, id).await? != id {
                return Err(ApiError::conflict(format!("the id {id:?} is taken")));
            }
            Ok(id.to_owned())
        }
        None => Ok(crate::db::write::free_id(conn, table, &slug(name)).await?),
    }
}

/// A partner may not choose an id when updating: ids never change.
pub fn id_unchanged(before: &Option<String>, after: &Option<String>) -> ApiResult<()> {
    if before != after {
        return Err(ApiError::validation(vec![crate::error::FieldError {
            field: "id".into(),
            message: "ids cannot be changed".into(),
        }]));
    }
    Ok(())
}

pub fn json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

/// A history entry list for any record, readable by its organization's tokens and admins.
pub async fn history(
    state: &AppState,
    caller: &Caller,
    entity: &str,
    id: &str,
    owner: Option<String>,
) -> ApiResult<HttpResponse> {
    let owner = owner.ok_or_else(|| ApiError::not_found(entity, id))?;
    caller.require_edit(&owner)?;
    let mut conn = state.pool.get().await.map_err(ApiError::from_pool)?;
    let entries = crate::db::write::history_of(&mut conn, entity, id).await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(HistoryList { items: entries }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HistoryList {
    pub items: Vec<crate::db::write::HistoryRow>,
}

pub fn check_id_param(id: &str) -> ApiResult<()> {
    crate::http::params::check_id("id", id).map(|_| ())
}
