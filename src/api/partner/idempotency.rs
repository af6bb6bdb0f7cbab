//! `Idempotency-Key` on POST (draft-ietf-httpapi-idempotency-key-header): a client that did not
//! get the answer to a create may send the same request again with the same key, and gets the
//! record the first attempt made (201, same id and Location) instead of a duplicate.
//!
//! The key is remembered per token, with the operation and a hash of the body, in the same
//! transaction as the record: of two concurrent attempts one creates and the other is refused
//! (409) with nothing written. The same key with a different request is refused with 422.
//! Token creation (`POST /v1/admin/tokens`) takes no key: its answer holds the secret, which is
//! never stored.

use actix_web::HttpRequest;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::db::schema::idempotency_keys;
use crate::error::{ApiError, ApiResult, FieldError};

/// A create request's key, with what identifies the request it was first used for.
pub struct IdempotencyKey {
    key: String,
    request: String,
    request_sha256: String,
}

impl IdempotencyKey {
    /// The `Idempotency-Key` of a POST, if any: 1-255 visible ASCII characters (an RFC 8941
    /// string's content; surrounding quotes are taken off).
    pub fn from_request(req: &HttpRequest, body: &[u8]) -> ApiResult<Option<IdempotencyKey>> {
        let Some(value) = req.headers().get("idempotency-key") else { return Ok(None) };
        let key = value.to_str().ok().map(|v| v.trim().trim_matches('"').to_owned()).unwrap_or_default();
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Err(ApiError::invalid_param("Idempotency-Key", "must be 1 to 255 visible ASCII characters"));
        }
        let request_sha256 = Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
        Ok(Some(IdempotencyKey { key, request: format!("{} {}", req.method(), req.path()), request_sha256 }))
    }

    /// The id of the record this key already created, if it was used before by this token.
    pub async fn replayed(&self, conn: &mut AsyncPgConnection, caller: &Caller) -> ApiResult<Option<String>> {
        let found: Option<(String, String, String)> = idempotency_keys::table
            .find((caller.token_id, &self.key))
            .select((idempotency_keys::request, idempotency_keys::request_sha256, idempotency_keys::entity_id))
            .first(conn)
            .await
            .optional()?;
        match found {
            None => Ok(None),
            Some((request, sha, id)) if request == self.request && sha == self.request_sha256 => Ok(Some(id)),
            Some(_) => Err(ApiError::validation(vec![FieldError {
                field: "Idempotency-Key".into(),
                message: "this key was already used for another request; use a new key for a new request".into(),
            }])),
        }
    }

    /// Remembers the record made, in the creating transaction.
    pub async fn remember(
        &self,
        conn: &mut AsyncPgConnection,
        caller: &Caller,
        entity_type: &str,
        entity_id: &str,
    ) -> ApiResult<()> {
        let inserted = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::token_id.eq(caller.token_id),
                idempotency_keys::key.eq(&self.key),
                idempotency_keys::request.eq(&self.request),
                idempotency_keys::request_sha256.eq(&self.request_sha256),
                idempotency_keys::entity_type.eq(entity_type),
                idempotency_keys::entity_id.eq(entity_id),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
        if inserted == 0 {
            return Err(ApiError::conflict(
                "another request with this Idempotency-Key is being processed or was processed; retry to get its answer",
            ));
        }
        Ok(())
    }
}

/// Remembers a created record under the request's key, when it has one.
pub async fn remember(
    key: &Option<IdempotencyKey>,
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    entity_type: &str,
    entity_id: &str,
) -> ApiResult<()> {
    match key {
        Some(k) => k.remember(conn, caller, entity_type, entity_id).await,
        None => Ok(()),
    }
}

/// The record a retried create already made, when the request carries a key used before.
pub async fn replayed(
    key: &Option<IdempotencyKey>,
    pool: &crate::db::Pool,
    caller: &Caller,
) -> ApiResult<Option<String>> {
    match key {
        Some(k) => {
            let mut conn = pool.get().await.map_err(ApiError::from_pool)?;
            k.replayed(&mut conn, caller).await
        }
        None => Ok(None),
    }
}
