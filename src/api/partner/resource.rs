//! One write path for the records partners keep: update (JSON Merge Patch), delete (soft),
//! restore and history are written once here, over a `Resource` that says how its kind of
//! record is locked, read in input form, validated and stored. Each resource's handlers are a
//! few lines that name the route and call these.
//!
//! Every operation keeps the partner API's rules in one place (what the request brings, the
//! token within its rate limit, the path's id, `If-Match` and the body, is taken by the
//! extractors of `super::extract`): `If-Match` against the row version (412), 404 before 403 before 412, the merge patch applied
//! to the stored record's input form (the read form accepted too), validation naming every
//! field and tolerating gaps the stored record already had in fields the patch does not touch,
//! rights over the record's organization as it is and as it will be, one transaction with the
//! row locked, the change written through `db::write` with a history row naming the actor, and
//! the snapshot refreshed before the answer.

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::idempotency::{self, IdempotencyKey};
use super::{actor, check_version, json, new_id, refreshed, transaction, IfMatch, Versioned};
use crate::auth::Caller;
use crate::db::write;
use crate::directory::Directory;
use crate::edit::{legacy_errors, merge_patch, parse_body, tolerating, ReadShaped};
use crate::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// How the caller may change a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// The owning organization's token, or an admin token.
    Owner,
    /// A co-organizer the owner named as an editor (events).
    Editor,
}

/// One kind of record partners keep: how it is locked, owned, read in input form, deleted
/// and shown.
pub trait Resource {
    /// The record kind in history (`service_at_location`).
    const KIND: &'static str;
    /// The record in words, for 404s and 409s (`service at location`).
    const WORDS: &'static str;
    type Row: Versioned + Send + Sync;
    type Input: Serialize + DeserializeOwned + ReadShaped + Clone + Send + Sync;

    /// The row, locked for the rest of the transaction (a deleted one too).
    fn lock(conn: &mut AsyncPgConnection, id: &str) -> impl Future<Output = ApiResult<Option<Self::Row>>> + Send;
    /// The organization that owns the stored record.
    fn owner(row: &Self::Row, dir: &Directory) -> String;
    /// Whether the caller may change the stored record: its owner's token (or an admin's).
    fn grant(caller: &Caller, row: &Self::Row, dir: &Directory) -> ApiResult<Grant> {
        caller.require_edit(&Self::owner(row, dir)).map(|_| Grant::Owner)
    }
    /// The stored record in input form (what a merge patch applies to, what history keeps).
    fn input(conn: &mut AsyncPgConnection, row: &Self::Row) -> impl Future<Output = ApiResult<Self::Input>> + Send;
    fn set_deleted(
        conn: &mut AsyncPgConnection,
        id: &str,
        at: Option<DateTime<Utc>>,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    /// The answer to a write: the record as now stored, with its ETag.
    fn respond(dir: &Directory, id: &str, status: StatusCode) -> HttpResponse;
}

/// A resource updated by the generic `patch`: validated and stored in one step, with what it
/// needs from outside the database (a location's address geocoded) looked up before the
/// write's transaction.
pub trait Patchable: Resource {
    type Valid: Send + Sync;
    /// What `look_up` finds.
    type Found: Send + Sync;
    /// Whether a change needs something from outside the database: then the record is patched
    /// and validated once before the write's transaction, `look_up` is asked while no
    /// connection or lock is held, and what it found is given to the record validated inside
    /// the transaction by `adopt`.
    const LOOKS_UP: bool = false;
    fn look_up(
        _state: &AppState,
        _dir: &Directory,
        _valid: &Self::Valid,
    ) -> impl Future<Output = Option<Self::Found>> + Send {
        async { None }
    }
    fn adopt(
        _found: Option<Self::Found>,
        _dir: &Directory,
        _valid: &mut Self::Valid,
    ) -> impl Future<Output = ()> + Send {
        async {}
    }
    fn input_id(input: &Self::Input) -> &Option<String>;
    fn validate(input: &Self::Input, dir: &Directory, row: &Self::Row) -> ApiResult<Self::Valid>;
    /// What else the change needs, after validation: rights over the organization the record
    /// will belong to (a record moved to another organization needs rights over both), and
    /// what a grant allows.
    fn authorize(
        caller: &Caller,
        grant: Grant,
        before: &Self::Input,
        after: &Self::Input,
        valid: &Self::Valid,
    ) -> ApiResult<()>;
    fn update(
        conn: &mut AsyncPgConnection,
        id: &str,
        valid: &Self::Valid,
    ) -> impl Future<Output = ApiResult<()>> + Send;
}

/// The live record the caller may change: 404, then 403, then 412 unless `If-Match` names the
/// current version.
pub fn open<R: Resource>(
    row: Option<R::Row>,
    id: &str,
    caller: &Caller,
    dir: &Directory,
    expected: &IfMatch,
) -> ApiResult<(R::Row, Grant)> {
    let row = row.filter(|r| !r.is_deleted()).ok_or_else(|| ApiError::not_found(R::WORDS, id))?;
    let grant = R::grant(caller, &row, dir)?;
    check_version(expected, id, row.version())?;
    Ok((row, grant))
}

/// Update with a JSON Merge Patch (RFC 7396); needs If-Match.
pub async fn patch<R: Patchable>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    expected: &IfMatch,
    body: &[u8],
) -> ApiResult<HttpResponse> {
    let dir = update::<R>(state, caller, id, expected, body).await?;
    Ok(R::respond(&dir, id, StatusCode::OK))
}

/// The update itself, for the API and the partner editor alike: the merge patch `body`
/// applied to the record if `expected` names its version; the snapshot holding the change is
/// returned.
pub async fn update<R: Patchable>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    expected: &IfMatch,
    body: &[u8],
) -> ApiResult<std::sync::Arc<Directory>> {
    let dir = state.store.get();
    let mut found = None;
    if R::LOOKS_UP {
        // First, in a short transaction of its own: the patched record from the row as it is
        // now (a stale If-Match fails here already), for `look_up` to ask about once the
        // connection is given back.
        let patch = transaction!(state, async |conn| { patched::<R>(conn, caller, &dir, id, expected, body).await })?;
        found = R::look_up(state, &dir, &patch.valid).await;
    }
    // Then the write: the row locked, its version checked again, the patch applied and
    // validated again on the row as it is at that moment.
    transaction!(state, async |conn| {
        let Patched { grant, before, after, mut valid } = patched::<R>(conn, caller, &dir, id, expected, body).await?;
        R::authorize(caller, grant, &before, &after, &valid)?;
        R::adopt(found.take(), &dir, &mut valid).await;
        R::update(conn, id, &valid).await?;
        write::record(conn, R::KIND, id, "update", &actor(caller), json(&before), json(&after)).await?;
        Ok(())
    })?;
    Ok(refreshed(state).await)
}

/// A merge patch applied to a stored record: who may change it, the record before and after in
/// input form, and the result validated.
struct Patched<R: Patchable> {
    grant: Grant,
    before: R::Input,
    after: R::Input,
    valid: R::Valid,
}

/// The record locked, opened for the caller (404, 403, 412), patched with `body` and validated,
/// tolerating gaps the stored record already had in fields the patch does not touch.
async fn patched<R: Patchable>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    dir: &Directory,
    id: &str,
    expected: &IfMatch,
    body: &[u8],
) -> ApiResult<Patched<R>> {
    let (row, grant) = open::<R>(R::lock(conn, id).await?, id, caller, dir, expected)?;
    let before = R::input(conn, &row).await?;
    let after = merge_patch(&before, body)?;
    super::id_unchanged(R::input_id(&before), R::input_id(&after))?;
    let legacy = legacy_errors(R::validate(&before, dir, &row), body);
    let valid = tolerating(legacy, || R::validate(&after, dir, &row))?;
    Ok(Patched { grant, before, after, valid })
}

/// Delete (soft: kept, and restorable by the coordinator); needs If-Match.
pub async fn delete<R: Resource>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    expected: &IfMatch,
) -> ApiResult<HttpResponse> {
    remove::<R>(state, caller, id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The deletion itself, for the API and the partner editor alike.
pub async fn remove<R: Resource>(state: &AppState, caller: &Caller, id: &str, expected: &IfMatch) -> ApiResult<()> {
    let dir = state.store.get();
    transaction!(state, async |conn| {
        let (row, grant) = open::<R>(R::lock(conn, id).await?, id, caller, &dir, expected)?;
        if grant != Grant::Owner {
            return Err(ApiError::forbidden(format!("only the owner {:?} may delete it", R::owner(&row, &dir))));
        }
        let before = R::input(conn, &row).await?;
        R::set_deleted(conn, id, Some(Utc::now())).await?;
        write::record(conn, R::KIND, id, "delete", &actor(caller), json(&before), None).await?;
        Ok(())
    })?;
    refreshed(state).await;
    Ok(())
}

/// Restore a deleted record (admin token); 409 when it is not deleted.
pub async fn restore<R: Resource>(state: &AppState, caller: &Caller, id: &str) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    transaction!(state, async |conn| {
        let row = R::lock(conn, id).await?.ok_or_else(|| ApiError::not_found(R::WORDS, id))?;
        if !row.is_deleted() {
            return Err(ApiError::conflict(format!(
                "the {} {id:?} is not deleted: there is nothing to restore",
                R::WORDS
            )));
        }
        R::set_deleted(conn, id, None).await?;
        let after = R::input(conn, &row).await?;
        write::record(conn, R::KIND, id, "restore", &actor(caller), None, json(&after)).await?;
        Ok(())
    })?;
    Ok(R::respond(&*refreshed(state).await, id, StatusCode::OK))
}

/// The record's history: every write, who made it, before and after (its owner's token or an
/// admin's).
pub async fn history<R: Resource>(state: &AppState, caller: &Caller, id: &str) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let owner = transaction!(state, async |conn| { Ok(R::lock(conn, id).await?.map(|r| R::owner(&r, &dir))) })?;
    super::history(state, caller, R::KIND, id, owner).await
}

/// A resource created by the generic `create`.
pub trait Creatable: Patchable {
    /// Its table (generated ids are unique in it).
    const TABLE: &'static str;
    /// Before validation: defaults taken from the caller (its organization when none is given)
    /// and the scope checks that come before any field error (403 before 422).
    fn prepare(caller: &Caller, input: &mut Self::Input, dir: &Directory) -> ApiResult<()>;
    fn validate_new(input: &Self::Input, dir: &Directory) -> ApiResult<Self::Valid>;
    /// After validation: rights over the organization the new record belongs to.
    fn authorize_new(caller: &Caller, valid: &Self::Valid) -> ApiResult<()>;
    /// The readable start of a generated id (`jns-paakirjasto-…`).
    fn id_base(valid: &Self::Valid) -> String;
    /// The input with its id, as history keeps it.
    fn with_id(input: &Self::Input, id: String) -> Self::Input;
    fn insert(
        conn: &mut AsyncPgConnection,
        id: &str,
        valid: &Self::Valid,
    ) -> impl Future<Output = ApiResult<()>> + Send;
}

/// Create a record; a retried request with the same `Idempotency-Key` answers with the record
/// the first one made.
pub async fn create<R: Creatable>(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    body: &[u8],
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(req, body)?;
    let (dir, id) = insert::<R>(state, caller, body, &key).await?;
    Ok(R::respond(&dir, &id, StatusCode::CREATED))
}

/// The creation itself, for the API and the partner editor alike: the new record's id and the
/// snapshot holding it.
pub async fn insert<R: Creatable>(
    state: &AppState,
    caller: &Caller,
    body: &[u8],
    key: &Option<IdempotencyKey>,
) -> ApiResult<(std::sync::Arc<Directory>, String)> {
    if let Some(id) = idempotency::replayed(key, &state.pool, caller).await? {
        return Ok((state.store.get(), id));
    }
    let mut input: R::Input = parse_body(body)?;
    let dir = state.store.get();
    R::prepare(caller, &mut input, &dir)?;
    let mut valid = R::validate_new(&input, &dir)?;
    R::authorize_new(caller, &valid)?;
    if R::LOOKS_UP {
        let found = R::look_up(state, &dir, &valid).await;
        R::adopt(found, &dir, &mut valid).await;
    }
    let id = transaction!(state, async |conn| {
        let id = new_id(conn, R::TABLE, R::input_id(&input), &R::id_base(&valid)).await?;
        R::insert(conn, &id, &valid).await?;
        let after = R::with_id(&input, id.clone());
        write::record(conn, R::KIND, &id, "create", &actor(caller), None, json(&after)).await?;
        idempotency::remember(key, conn, caller, R::KIND, &id).await?;
        Ok(id)
    })?;
    Ok((refreshed(state).await, id))
}

/// The routes of a resource on the generic write path, each with its OpenAPI description and
/// its call into this module; a resource module lists the ones it has:
///
/// ```ignore
/// partner_routes! {
///     ServiceResource, id: "Service id", etag: "The ETag from GET /v1/services/{id}",
///     input: ServiceInput, output: ServiceOut;
///     /// Create a service of the caller's organization (admin: any).
///     create create_service "/v1/services";
///     /// (or `create_by_coordinator`: the admin token only, refused before the rate limit)
///     /// Update a service with a JSON Merge Patch. Needs If-Match.
///     patch patch_service "/v1/services/{id}";
///     /// Delete a service (soft). Needs If-Match.
///     delete delete_service "/v1/services/{id}";
///     /// Restore a deleted service (admin token).
///     restore restore_service "/v1/services/{id}/restore";
///     /// The history of a service.
///     history service_history "/v1/services/{id}/history";
/// }
/// ```
///
/// The handlers take what the request brings through `super::extract::Write` (token and rate
/// limit, then id, `If-Match`, body, in that order) and hand it to `create`, `patch`, `delete`,
/// `restore` or `history`.
macro_rules! partner_routes {
    (
        $R:ident, id: $id:tt, etag: $etag:tt, input: $Input:ident, output: $Out:ident;
        $( $(#[$doc:meta])* $kind:ident $name:ident $path:tt; )*
    ) => {
        $( $crate::api::partner::resource::partner_routes!(@$kind [$(#[$doc])*] $name $path $R $id $etag $Input $Out); )*
    };
    (@create $($rest:tt)*) => {
        $crate::api::partner::resource::partner_routes!(@create_as Write $($rest)*);
    };
    (@create_by_coordinator $($rest:tt)*) => {
        $crate::api::partner::resource::partner_routes!(@create_as CoordinatorWrite $($rest)*);
    };
    (@create_as $Writer:ident [$(#[$doc:meta])*] $name:ident $path:tt $R:ident $id:tt $etag:tt $Input:ident $Out:ident) => {
        $crate::api::partner::resource::partner_routes!(@route [$(#[$doc])*] post $name $path [
            tag = "partner",
            params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create safe: the same key with the same body answers with the record the first attempt made (no duplicate); with another body, 422")),
            request_body(content = $Input, content_type = "application/json"),
            responses(
                (status = 201, description = "Created", body = $Out, headers(("ETag" = String), ("Location" = String))),
                $crate::error::WriteProblems,
            )
        ] (state: actix_web::web::Data<$crate::http::state::AppState>, mut w: $crate::api::partner::extract::$Writer) {
            let body = w.body().await?;
            $crate::api::partner::resource::create::<$R>(&state, w.request(), &w.caller, &body).await
        });
    };
    (@patch [$(#[$doc:meta])*] $name:ident $path:tt $R:ident $id:tt $etag:tt $Input:ident $Out:ident) => {
        $crate::api::partner::resource::partner_routes!(@route [
            $(#[$doc])*
            /// The body may also be in the read form GET returns (e.g. `address`, `coordinates`, references
            /// as `{id, name}`, instants with their offset): read-only members are named in the 422, and
            /// every member of the wrong type is named at once, in plain words.
        ] patch $name $path [
            tag = "partner",
            params(("id" = String, Path, description = $id), ("If-Match" = String, Header, description = $etag)),
            request_body(content = $Input, content_type = "application/merge-patch+json", description = "Merge patch: fields to change; null removes"),
            responses((status = 200, description = "Updated", body = $Out, headers(("ETag" = String))), $crate::error::WriteProblems)
        ] (state: actix_web::web::Data<$crate::http::state::AppState>, mut w: $crate::api::partner::extract::Write) {
            let (id, expected) = (w.id()?, w.if_match()?);
            let body = w.body().await?;
            $crate::api::partner::resource::patch::<$R>(&state, &w.caller, &id, &expected, &body).await
        });
    };
    (@delete [$(#[$doc:meta])*] $name:ident $path:tt $R:ident $id:tt $etag:tt $Input:ident $Out:ident) => {
        $crate::api::partner::resource::partner_routes!(@route [$(#[$doc])*] delete $name $path [
            tag = "partner",
            params(("id" = String, Path, description = $id), ("If-Match" = String, Header, description = $etag)),
            responses((status = 204, description = "Deleted"), $crate::error::WriteProblems)
        ] (state: actix_web::web::Data<$crate::http::state::AppState>, w: $crate::api::partner::extract::Write) {
            let (id, expected) = (w.id()?, w.if_match()?);
            $crate::api::partner::resource::delete::<$R>(&state, &w.caller, &id, &expected).await
        });
    };
    (@restore [$(#[$doc:meta])*] $name:ident $path:tt $R:ident $id:tt $etag:tt $Input:ident $Out:ident) => {
        $crate::api::partner::resource::partner_routes!(@route [$(#[$doc])*] post $name $path [
            tag = "admin",
            params(("id" = String, Path, description = $id)),
            responses((status = 200, description = "Restored", body = $Out), $crate::error::WriteProblems)
        ] (state: actix_web::web::Data<$crate::http::state::AppState>, caller: $crate::auth::Caller, req: actix_web::HttpRequest) {
            $crate::api::partner::resource::restore::<$R>(&state, &caller, &$crate::http::read::record_id(&req)?).await
        });
    };
    (@history [$(#[$doc:meta])*] $name:ident $path:tt $R:ident $id:tt $etag:tt $Input:ident $Out:ident) => {
        $crate::api::partner::resource::partner_routes!(@route [$(#[$doc])*] get $name $path [
            tag = "partner",
            params(("id" = String, Path, description = $id)),
            responses((status = 200, description = "Oldest first", body = $crate::api::partner::HistoryList), $crate::error::WriteProblems)
        ] (state: actix_web::web::Data<$crate::http::state::AppState>, caller: $crate::auth::Caller, req: actix_web::HttpRequest) {
            $crate::api::partner::resource::history::<$R>(&state, &caller, &$crate::http::read::record_id(&req)?).await
        });
    };
    // One route: its documentation, its OpenAPI description (every partner route needs the
    // bearer token) and its handler.
    (@route [$($doc:tt)*] $method:ident $name:ident $path:tt [$($spec:tt)*] ($($params:tt)*) $body:block) => {
        $($doc)*
        #[utoipa::path($method, path = $path, security(("bearer" = [])), $($spec)*)]
        #[actix_web::$method($path)]
        pub async fn $name($($params)*) -> $crate::error::ApiResult<actix_web::HttpResponse> $body
    };
}
pub(crate) use partner_routes;
