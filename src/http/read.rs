//! What a public read starts with, as one extractor, `Reading`: the snapshot it answers from,
//! the query parameters (400 when the query string cannot be read) and the language of the
//! answer (400 on an unknown `lang`), checked in that order before the handler runs; the path's
//! `id` is checked when the handler asks for it (400 naming `id`).

use std::future::{ready, Ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use super::params::{check_id, Params};
use super::respond::LangMode;
use super::state::AppState;
use crate::directory::Directory;
use crate::domain::RecordId;
use crate::error::{ApiError, ApiResult};

/// A public read: the request, the application state, the snapshot, the parameters and the
/// language.
pub struct Reading {
    pub req: HttpRequest,
    pub state: web::Data<AppState>,
    pub dir: Arc<Directory>,
    pub params: Params,
    pub lang: LangMode,
}

impl Reading {
    fn read(req: &HttpRequest) -> ApiResult<Reading> {
        let state = state_of(req)?;
        let dir = state.store.get();
        let params = Params::from_request(req)?;
        let lang = LangMode::from_request(req, &params)?;
        Ok(Reading { req: req.clone(), state, dir, params, lang })
    }

    /// The path's `id`, a well-formed record id (400 naming `id` otherwise).
    pub fn id(&self) -> ApiResult<RecordId> {
        record_id(&self.req)
    }

    /// The record the path's `id` names, looked up by `find` (400 for a malformed id, 404
    /// naming `what` when there is no such record).
    pub fn find<'a, T>(&'a self, what: &str, find: impl FnOnce(&'a Directory, &str) -> Option<T>) -> ApiResult<T> {
        let id = self.id()?;
        find(&self.dir, &id).ok_or_else(|| ApiError::not_found(what, &id))
    }
}

impl FromRequest for Reading {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Reading::read(req))
    }
}

/// The application state, from any request the service routes.
pub fn state_of(req: &HttpRequest) -> ApiResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| ApiError::internal("no application state"))
}

/// The path's `id`, a well-formed record id (400 naming `id` otherwise).
pub fn record_id(req: &HttpRequest) -> ApiResult<RecordId> {
    check_id("id", req.match_info().get("id").unwrap_or(""))
}
