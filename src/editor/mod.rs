//! The partner editor at `/partner`: server-rendered pages (no script needed) where a partner
//! signs in with the organisation's key and keeps its listings current: contact details,
//! weekly hours and seasons, special days, the services at a location and their level of
//! help, and the confirmation that a listing is still true. The coordinator's (admin) key also
//! sees every organisation, the report of listings to confirm, and the keys.
//!
//! Every change goes through the partner API's write path (`crate::api::partner`): the row
//! version the form was filled in against (412 → the page says someone else changed it), the
//! same validation (its field errors shown next to their fields, in the partner's language),
//! history naming the key, and the snapshot refreshed before the answer.
//!
//! Signing in stores a session (`crate::db::sessions`): the cookie holds a random secret
//! (`__Host-` prefixed: Secure, Path=/, no Domain; HttpOnly; SameSite=Strict), only its hash
//! is stored, and revoking the key ends the session. Every form carries the session's CSRF
//! secret, and a POST whose `Origin` names another site is refused.

mod forms;
mod guard;
mod handlers;
mod pages;
mod texts;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use crate::auth::{sha256_hex, Caller};
use crate::db::sessions;
use crate::error::{ApiError, ApiResult};
use crate::http::state::AppState;
use crate::i18n::Lang;

/// The session cookie. `__Host-`: the browser keeps it only when it is Secure, has Path=/ and
/// no Domain, so no other host can set or read it.
pub const COOKIE: &str = "__Host-digituki-partner";
/// How long a session lasts after signing in.
const SESSION_HOURS: i64 = 8;
/// The editor may load our stylesheet and nothing else, posts only to itself, and is never
/// shown inside another site's frame.
const CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers::*;
    cfg.route("/partner", web::get().to(home))
        .route("/partner/", web::get().to(home_slash))
        .route("/partner/sign-in", web::post().to(sign_in))
        .route("/partner/sign-out", web::post().to(sign_out))
        .route("/partner/stale", web::get().to(stale))
        .route("/partner/keys", web::get().to(keys))
        .route("/partner/keys", web::post().to(create_key))
        .route("/partner/keys/{id}/revoke", web::post().to(revoke_key))
        .route("/partner/locations/{id}", web::get().to(location))
        .route("/partner/locations/{id}/contact", web::post().to(post_contact))
        .route("/partner/locations/{id}/hours", web::post().to(post_hours))
        .route("/partner/locations/{id}/exceptions", web::post().to(post_exception))
        .route("/partner/locations/{id}/exceptions/{date}/remove", web::post().to(remove_exception))
        .route("/partner/locations/{id}/services", web::post().to(add_service))
        .route("/partner/locations/{id}/services/{sal}/remove", web::post().to(remove_service))
        .route("/partner/locations/{id}/services/{service}/level", web::post().to(post_level))
        .route("/partner/locations/{id}/confirm", web::post().to(confirm));
}

/// A signed-in partner: the key it acts with and the session's CSRF secret.
pub struct Session {
    pub caller: Caller,
    pub csrf: String,
}

/// The page's language: `?lang=`, else the browser's preference.
pub fn lang_of(req: &HttpRequest) -> Lang {
    let query = web::Query::<Vec<(String, String)>>::from_query(req.query_string()).map(|q| q.into_inner());
    query.ok().and_then(|q| q.into_iter().find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(&v))).unwrap_or_else(
        || {
            Lang::from_accept_language(
                req.headers().get(header::ACCEPT_LANGUAGE).and_then(|h| h.to_str().ok()).unwrap_or(""),
            )
        },
    )
}

/// The session the request's cookie names, if it is current and its key is not revoked.
pub async fn session(state: &AppState, req: &HttpRequest) -> ApiResult<Option<Session>> {
    let Some(cookie) = req.cookie(COOKIE) else { return Ok(None) };
    let secret = cookie.value();
    if secret.len() != 43 || !secret.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    let mut conn = state.pool.get().await.map_err(ApiError::from_pool)?;
    Ok(sessions::find(&mut conn, &sha256_hex(secret))
        .await?
        .map(|(token, csrf)| Session { caller: Caller::from(token), csrf }))
}

/// Starts a session for a key: the `Set-Cookie` value.
pub async fn start_session(state: &AppState, caller: &Caller) -> ApiResult<String> {
    use rand::distr::{Alphanumeric, SampleString};
    let secret = Alphanumeric.sample_string(&mut rand::rng(), 43);
    let csrf = Alphanumeric.sample_string(&mut rand::rng(), 32);
    let mut conn = state.pool.get().await.map_err(ApiError::from_pool)?;
    let expires = chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS);
    sessions::create(&mut conn, &sha256_hex(&secret), caller.token_id, &csrf, expires).await?;
    Ok(format!("{COOKIE}={secret}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}", SESSION_HOURS * 3600))
}

/// Ends the request's session: the `Set-Cookie` value that removes the cookie.
pub async fn end_session(state: &AppState, req: &HttpRequest) -> ApiResult<String> {
    if let Some(cookie) = req.cookie(COOKIE) {
        let mut conn = state.pool.get().await.map_err(ApiError::from_pool)?;
        sessions::delete(&mut conn, &sha256_hex(cookie.value())).await?;
    }
    Ok(format!("{COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"))
}

/// A POST from another site is refused: with the SameSite cookie and the CSRF field, the third
/// guard against forged forms. "This site" is the origin clients reach the service at, as links
/// are made (`http::urls::base_url`: `--public-url`, forwarded headers of trusted proxies only,
/// else `Host`), so that the editor works behind a reverse proxy that rewrites `Host`. A POST
/// without `Origin` (older clients) is let through to the other guards; `Origin: null` is not.
pub fn same_origin(req: &HttpRequest) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN).and_then(|h| h.to_str().ok()) else { return true };
    let host_of =
        |url: &str| url.split_once("://").map(|(_, rest)| rest.split('/').next().unwrap_or("").to_ascii_lowercase());
    match (host_of(origin), host_of(&crate::http::urls::base_url(req))) {
        (Some(from), Some(ours)) => !from.is_empty() && from == ours,
        _ => false,
    }
}

/// Compares two secrets without stopping at the first difference.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An editor page: never cached, never framed.
pub fn page(status: StatusCode, markup: Markup) -> HttpResponse {
    let mut resp = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup.into_string());
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // `same-origin`, not `no-referrer`: with no-referrer the browser sends `Origin: null` on
    // the editor's own form posts, and the origin check could not tell them from forged ones.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

/// After a POST: see the result at this address (303, so that reloading does not post again).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
