//! Partner authentication: bearer tokens scoped to one organization (admin tokens: all).
//!
//! A token is a recognisable prefix plus 40 random alphanumeric characters, shown once;
//! only its SHA-256 is stored. A handler that needs a partner takes a `Caller` argument:
//! missing, unknown or revoked tokens answer 401 before the handler runs.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use rand::distr::{Alphanumeric, SampleString};
use sha2::{Digest, Sha256};

use crate::db::tokens::{self, TokenRow};
use crate::error::{ApiError, ApiResult};
use crate::http::state::AppState;

pub const TOKEN_PREFIX: &str = "dtk_";
const TOKEN_RANDOM_CHARS: usize = 40;

/// A new random token (never stored in clear).
pub fn generate_token() -> String {
    format!("{TOKEN_PREFIX}{}", Alphanumeric.sample_string(&mut rand::rng(), TOKEN_RANDOM_CHARS))
}

pub fn sha256_hex(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Longest token name (characters).
pub const MAX_TOKEN_NAME: usize = 100;

/// A token's name as given by the coordinator (CLI or admin API): it is printed by `token list`
/// and recorded in history, so it is one line of 1–100 printable characters (trimmed).
pub fn token_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("is required: a label saying who uses the token".into());
    }
    if name.chars().any(char::is_control) {
        return Err("must be one line of printable characters (no control characters)".into());
    }
    match crate::i18n::text_problem(name, MAX_TOKEN_NAME) {
        Some(problem) => Err(problem),
        None => Ok(name.to_owned()),
    }
}

/// A bearer token as the client sent it: `Authorization: Bearer <token>`, the scheme
/// case-insensitive (RFC 9110 section 11.1). `None` when the header is not of that form.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Could this be a token this service issued? Anything else is refused without a database
/// query.
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_PREFIX.len() + TOKEN_RANDOM_CHARS
        && token.starts_with(TOKEN_PREFIX)
        && token[TOKEN_PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric())
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
        let client = state.as_ref().and_then(|s| s.proxy.client_ip(req));
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("no application state"))?;
            let header = header.ok_or_else(|| ApiError::unauthorized("this needs Authorization: Bearer <token>"))?;
            let token = bearer_token(&header)
                .ok_or_else(|| ApiError::unauthorized("the Authorization header must be: Bearer <token>"))?;
            // Guessing is throttled per client address before any query is made.
            state.auth_failures.check(client)?;
            if !well_formed(token) {
                state.auth_failures.failed(client);
                return Err(ApiError::unauthorized("unknown or revoked token"));
            }
            let mut conn = state.pool.get().await.map_err(ApiError::from_pool)?;
            match tokens::find_active(&mut conn, &sha256_hex(token)).await? {
                Some(row) => Ok(Caller::from(row)),
                None => {
                    state.auth_failures.failed(client);
                    Err(ApiError::unauthorized("unknown or revoked token"))
                }
            }
        })
    }
}
