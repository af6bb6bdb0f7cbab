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
        if let Some(lang) = super::params::LangParams::read(params)?.lang {
            return Ok(LangMode::One(lang));
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

/// The tag of one record's version: `r{version}-{fingerprint}`, where the fingerprint (8 hex
/// digits) names the record, so that a tag of one record never passes `If-Match` on another.
/// `etag` appends a hash of the representation (language, and the clock-dependent status
/// fields), so the full ETag is `"r{version}-{fingerprint}-{hash}"`.
pub struct RowTag<'a> {
    pub id: &'a str,
    pub version: i64,
}

impl<'a> RowTag<'a> {
    pub fn new(id: &'a str, version: i64) -> Self {
        RowTag { id, version }
    }
}

/// 32 bits of SHA-256 over the record id and version: stable across instances and restarts.
fn fingerprint(id: &str, version: i64) -> u32 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{id}\u{0}{version}").as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

impl std::fmt::Display for RowTag<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "r{}-{:08x}", self.version, fingerprint(self.id, self.version))
    }
}

/// Does an `If-Match` entity tag name the current version of record `id`? RFC 9110's strong
/// comparison: a weak tag (`W/"..."`) never matches, and the whole tag must have the form this
/// service issues, `"r{version}-{fingerprint}-{16 hex}"`, with the record's current version and
/// its fingerprint. The last part identifies the representation (which language, and the
/// status fields that change with the clock); any representation of the current version
/// matches, since all of them describe the same stored record.
pub fn if_match_names(tag: &str, id: &str, current: i64) -> bool {
    let Some(inner) = tag.trim().strip_prefix('"').and_then(|t| t.strip_suffix('"')) else { return false };
    let mut parts = inner.split('-');
    let (Some(version), Some(fp), Some(hash), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    version.strip_prefix('r').and_then(|v| v.parse::<i64>().ok()) == Some(current)
        && hex(fp, 8)
        && hex(hash, 16)
        && u32::from_str_radix(fp, 16).ok() == Some(fingerprint(id, current))
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

/// A page of a list, for JSON and OpenAPI alike: `items`, `total` (matches on all pages),
/// `page` and `per_page`; `$total` is the example count, and `items` and `total` may carry
/// their own documentation.
macro_rules! page_type {
    ($(#[$doc:meta])* $name:ident { $(#[$items:meta])* items: $Item:ty, $(#[$total_doc:meta])* total: $total:literal }) => {
        $(#[$doc])*
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            $(#[$items])*
            pub items: Vec<$Item>,
            $(#[$total_doc])*
            #[schema(example = $total)]
            pub total: usize,
            #[schema(example = 1)]
            pub page: usize,
            #[schema(example = 20)]
            pub per_page: usize,
        }
    };
}
pub(crate) use page_type;
