//! What a partner write takes from its request, as one extractor, `Write`: the token (401)
//! within its rate limit (429) when it is extracted; then, as the handler asks for them in
//! this order, the path's id and date (400), `If-Match` (428) and the body (415, 413; read as a
//! type, 422 naming every wrong member). One extractor, not one per part: actix polls a
//! handler's extractors together and answers with the first that fails, so separate ones would
//! answer in no fixed order, could drop the token check before it counted a failed login, and
//! would read a body before knowing who sent it.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::{if_match, read_body, IfMatch};
use crate::auth::Caller;
use crate::domain::RecordId;
use crate::edit::{parse_body, ReadShaped};
use crate::error::{ApiError, ApiResult};
use crate::http::read::{record_id, state_of};

/// A partner write: a valid token within its rate limit, and the rest of its request. With
/// `COORDINATOR`, only the coordinator's (admin) token may write, refused (403) before the rate
/// limit counts the request.
pub struct Write<const COORDINATOR: bool = false> {
    pub caller: Caller,
    req: HttpRequest,
    payload: Option<Payload>,
}

/// A write only the coordinator may make (creating organizations, issuing tokens).
pub type CoordinatorWrite = Write<true>;

impl<const COORDINATOR: bool> FromRequest for Write<COORDINATOR> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, &mut Payload::None);
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move {
            let caller = caller.await?;
            if COORDINATOR {
                caller.require_admin()?;
            }
            state_of(&req)?.limiter.check(caller.token_id)?;
            Ok(Write { caller, req, payload: Some(payload) })
        })
    }
}

impl<const COORDINATOR: bool> Write<COORDINATOR> {
    pub fn request(&self) -> &HttpRequest {
        &self.req
    }

    /// The path's `id` (400).
    pub fn id(&self) -> ApiResult<RecordId> {
        record_id(&self.req)
    }

    /// The path's `date`, `YYYY-MM-DD` (400).
    pub fn date(&self) -> ApiResult<NaiveDate> {
        let date = self.req.match_info().get("date").unwrap_or("");
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid_param("date", "must be a date YYYY-MM-DD"))
    }

    /// `If-Match` (428 without it).
    pub fn if_match(&self) -> ApiResult<IfMatch> {
        if_match(&self.req)
    }

    /// The JSON body as sent (a merge patch is applied to the stored record as it is; a
    /// create's idempotency key hashes it): said to be JSON (415), within the size limit (413).
    pub async fn body(&mut self) -> ApiResult<web::Bytes> {
        let state = state_of(&self.req)?;
        let payload = self.payload.take().ok_or_else(|| ApiError::internal("the body was already read"))?;
        read_body(&self.req, payload, &state).await
    }

    /// The body read as `T` (in its input form or its record's read form): members of the
    /// wrong type are a 422 naming every one of them, in plain words, with the JSON path.
    pub async fn typed<T: DeserializeOwned + ReadShaped>(&mut self) -> ApiResult<T> {
        parse_body(&self.body().await?)
    }
}
