//! How every public read answers: JSON with an ETag (snapshot version plus a hash of the
//! body, since answers such as `open_now` also change with the clock), conditional GET with
//! `If-None-Match` → 304, Cache-Control, CORS for embedding sites, and language selection.

use std::hash::{Hash, Hasher};

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::i18n::{Lang, Localized};

use super::params::Params;

/// How long shared caches may keep a public answer.
pub const PUBLIC_MAX_AGE: u32 = 60;

/// A text in the requested language, or in all three when none was requested.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Text {
    /// The text in the requested language (Finnish when it has no translation).
    #[schema(example = "Joensuun pääkirjasto")]
    One(String),
    All(AllLanguages),
}

/// A text in Finnish, Swedish and English; missing translations are null.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AllLanguages {
    #[schema(example = "Joensuun pääkirjasto")]
    pub fi: String,
    #[schema(example = json!(null))]
    pub sv: Option<String>,
    #[schema(example = "Joensuu Main Library")]
    pub en: Option<String>,
}

/// The language mode of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LangMode {
    One(Lang),
    All,
}

impl LangMode {
    /// `lang` wins; otherwise `Accept-Language` picks one language; otherwise all three.
    pub fn from_request(req: &HttpRequest, params: &Params) -> ApiResult<LangMode> {
        if let Some(v) = params.one("lang")? {
            return Lang::parse(v)
                .map(LangMode::One)
                .ok_or_else(|| ApiError::invalid_param("lang", "must be one of fi, sv, en"));
        }
        match req.headers().get(header::ACCEPT_LANGUAGE).and_then(|h| h.to_str().ok()) {
            Some(h) if !h.trim().is_empty() => Ok(LangMode::One(Lang::from_accept_language(h))),
            _ => Ok(LangMode::All),
        }
    }

    pub fn text(self, t: &Localized) -> Text {
        match self {
            LangMode::One(l) => Text::One(t.in_lang(l).to_owned()),
            LangMode::All => Text::All(AllLanguages { fi: t.fi.clone(), sv: t.sv.clone(), en: t.en.clone() }),
        }
    }

    pub fn opt<T: AsRef<Localized>>(self, t: &Option<T>) -> Option<Text> {
        t.as_ref().map(|t| self.text(t.as_ref()))
    }

    /// The language for texts that must be one language (interface strings).
    pub fn lang(self) -> Lang {
        match self {
            LangMode::One(l) => l,
            LangMode::All => Lang::Fi,
        }
    }
}

/// A public JSON answer with ETag, Cache-Control, CORS and conditional GET.
///
/// `tag` says which version the answer reflects: the snapshot version for listings, `r{row
/// version}` for one resource (so that `If-Match` on writes can compare it).
pub fn public_json<T: Serialize>(req: &HttpRequest, tag: impl std::fmt::Display, body: &T) -> HttpResponse {
    let bytes = match serde_json::to_vec(body) {
        Ok(b) => b,
        Err(e) => return actix_web::ResponseError::error_response(&ApiError::internal(e.to_string())),
    };
    public_bytes(req, tag, "application/json", bytes)
}

pub fn etag(tag: impl std::fmt::Display, bytes: &[u8]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    format!("\"{tag}-{:016x}\"", hasher.finish())
}

/// The row version named by an `If-Match` ETag of a single resource (`"r{version}-{hash}"`).
pub fn row_version_of(etag: &str) -> Option<i64> {
    let t = etag.trim().trim_start_matches("W/").trim_matches('"');
    let rest = t.strip_prefix('r')?;
    rest.split('-').next()?.parse().ok()
}

pub fn public_bytes(
    req: &HttpRequest,
    tag: impl std::fmt::Display,
    content_type: &str,
    bytes: Vec<u8>,
) -> HttpResponse {
    let etag = etag(tag, &bytes);
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == etag || t == "*"));
    let mut resp = HttpResponse::build(if not_modified { StatusCode::NOT_MODIFIED } else { StatusCode::OK });
    resp.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={PUBLIC_MAX_AGE}")))
        .insert_header((header::VARY, "Accept-Language"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((header::ACCESS_CONTROL_EXPOSE_HEADERS, "ETag"));
    if not_modified {
        resp.finish()
    } else {
        resp.content_type(content_type).body(bytes)
    }
}

/// Error answers to public reads carry CORS like successes, so that an embedding page can read
/// the problem's `detail` (e.g. an unknown municipality). Only anonymous GETs: writes and
/// tokened reads grant no CORS, and preflights are never answered.
pub async fn cors_on_errors(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::http::Method;
    let public_read = (req.method() == Method::GET || req.method() == Method::HEAD)
        && !req.headers().contains_key(header::AUTHORIZATION);
    let mut res = next.call(req).await?;
    let failed = res.status().is_client_error() || res.status().is_server_error();
    if public_read && failed && !res.headers().contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        res.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
    }
    Ok(res)
}
