//! Partner authentication: bearer tokens scoped to one organization (admin tokens: all).
//!
//! A token is a recognisable prefix plus 40 random alphanumeric characters, shown once;
//! only its SHA-256 is stored. A handler that needs a partner takes a `Caller` argument:
//! missing, unknown or revoked tokens answer 401 before the handler runs.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use rand::distr::{Alphanumeric, SampleString};
use sha2::{Digest, Sha256};

use crate::api::AppState;
use crate::db::tokens::{self, TokenRow};
use crate::error::{ApiError, ApiResult};

pub const TOKEN_PREFIX: &str = "dtk_";
const TOKEN_RANDOM_CHARS: usize = 40;

/// A new random token (never stored in clear).
pub fn generate_token() -> String {
    format!("{TOKEN_PREFIX}{}", Alphanumeric.sample_string(&mut rand::rng(), TOKEN_RANDOM_CHARS))
}

pub fn sha256_hex(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Who is writing: a valid, unrevoked token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: i64,
    pub token_name: String,
    pub organization_id: String,
    pub is_admin: bool,
}

impl Caller {
    /// May this caller change records of `organization_id`?
    pub fn may_edit(&self, organization_id: &str) -> bool {
        self.is_admin || self.organization_id == organization_id
    }

    pub fn require_edit(&self, organization_id: &str) -> ApiResult<()> {
        if self.may_edit(organization_id) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this token belongs to organization {:?} and may not change records of {organization_id:?}",
                self.organization_id
            )))
        }
    }

    pub fn require_admin(&self) -> ApiResult<()> {
        if self.is_admin {
            Ok(())
        } else {
            Err(ApiError::forbidden("this needs an admin token"))
        }
    }
}

impl From<TokenRow> for Caller {
    fn from(t: TokenRow) -> Self {
        Caller { token_id: t.id, token_name: t.name, organization_id: t.organization_id, is_admin: t.is_admin }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req.headers().get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("no application state"))?;
            let header = header.ok_or_else(|| ApiError::unauthorized("this needs Authorization: Bearer <token>"))?;
            let token = header
                .strip_prefix("Bearer ")
                .or_else(|| header.strip_prefix("bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| ApiError::unauthorized("the Authorization header must be: Bearer <token>"))?;
            let mut conn = state.pool.get().await.map_err(ApiError::from_pool)?;
            let row = tokens::find_active(&mut conn, &sha256_hex(token))
                .await?
                .ok_or_else(|| ApiError::unauthorized("unknown or revoked token"))?;
            Ok(Caller::from(row))
        })
    }
}

/// A per-token write rate limit: a token bucket refilled continuously.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<i64, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter { per_minute: per_minute.max(1), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one write from the token's bucket, or says how long to wait.
    pub fn check(&self, token_id: i64) -> ApiResult<()> {
        let capacity = self.per_minute as f64;
        let per_sec = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap();
        let (tokens, last) = buckets.entry(token_id).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * per_sec).min(capacity);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = Duration::from_secs_f64((1.0 - *tokens) / per_sec);
            Err(ApiError::too_many_requests(wait.as_secs().max(1)))
        }
    }
}
