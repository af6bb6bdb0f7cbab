//! What every partner write takes from its request, as extractors, in the order the handlers
//! list them (and so the order of their answers): `Writer` (a token, 401, within its rate
//! limit, 429), `RecordId` (the path's `id`, 400), `PathDate` (the path's `date`, 400), `IfMatch` (428 without it), `Body` (a JSON
//! body within the size limit: 415, 413) or `Typed<T>` (that body read as `T`, every member of
//! the wrong type named at once in plain words: 422).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::{if_match, read_body, IfMatch};
use crate::auth::Caller;
use crate::domain::RecordId;
use crate::edit::{parse_body, ReadShaped};
use crate::error::ApiError;
use crate::http::state::AppState;

type Extracting<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| ApiError::internal("no application state"))
}

/// A token allowed to write now: valid (401 otherwise) and within its rate limit (429).
pub struct Writer(pub Caller);

impl FromRequest for Writer {
    type Error = ApiError;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        let state = state_of(req);
        Box::pin(async move {
            let caller = caller.await?;
            state?.limiter.check(caller.token_id)?;
            Ok(Writer(caller))
        })
    }
}

/// The path's `id`, a well-formed record id (400 naming `id` otherwise).
impl FromRequest for RecordId {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let id = req.match_info().get("id").unwrap_or("");
        std::future::ready(super::check_id_param(id).map(|_| RecordId::parse(id).expect("checked")))
    }
}

/// The path's `date`, `YYYY-MM-DD` (400 naming `date` otherwise).
pub struct PathDate(pub chrono::NaiveDate);

impl FromRequest for PathDate {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let date = req.match_info().get("date").unwrap_or("");
        std::future::ready(
            chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map(PathDate)
                .map_err(|_| ApiError::invalid_param("date", "must be a date YYYY-MM-DD")),
        )
    }
}

/// `If-Match`: 428 without it.
impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(if_match(req))
    }
}

/// A JSON request body as sent (a merge patch is applied to the stored record as it is; a
/// create's idempotency key hashes it): said to be JSON (415) and within the size limit (413).
pub struct Body(pub web::Bytes);

impl FromRequest for Body {
    type Error = ApiError;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let state = state_of(&req)?;
            let payload =
                payload.await.map_err(|e| ApiError::invalid_param("body", format!("unreadable body: {e}")))?;
            Ok(Body(read_body(&req, payload, &state).await?))
        })
    }
}

/// A JSON body read as `T` (in its input form or its record's read form): members of the
/// wrong type are a 422 naming every one of them, in plain words, with the JSON path.
pub struct Typed<T>(pub T);

impl<T: DeserializeOwned + ReadShaped + 'static> FromRequest for Typed<T> {
    type Error = ApiError;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = Body::from_request(req, payload);
        Box::pin(async move { Ok(Typed(parse_body(&body.await?.0)?)) })
    }
}
