//! Static assets served from the binary: the widget script and the pages' stylesheet.

use actix_web::http::header;
use actix_web::{get, HttpRequest, HttpResponse};

use crate::http::respond::public_bytes;

/// The web component `<digituki-directory>`; see `docs/embedding.md`.
pub const EMBED_JS: &str = include_str!("embed.js");

/// Assets change only with the binary: the version of the build is their ETag's version.
const ASSET_VERSION: i64 = 0;

#[get("/embed.js")]
pub async fn embed_js(req: HttpRequest) -> HttpResponse {
    let mut resp = public_bytes(&req, ASSET_VERSION, "text/javascript; charset=utf-8", EMBED_JS.as_bytes().to_vec());
    // A host page's own CSP governs the script; ours only stops sniffing.
    resp.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    resp
}

#[get("/embed/page.css")]
pub async fn page_css(req: HttpRequest) -> HttpResponse {
    let mut resp =
        public_bytes(&req, ASSET_VERSION, "text/css; charset=utf-8", super::page::PAGE_CSS.as_bytes().to_vec());
    resp.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    resp
}

/// The staff tool's one script: disables the date and time fields while "Now" is chosen.
pub const STAFF_JS: &str = include_str!("staff.js");

#[get("/embed/staff.js")]
pub async fn staff_js(req: HttpRequest) -> HttpResponse {
    let mut resp = public_bytes(&req, ASSET_VERSION, "text/javascript; charset=utf-8", STAFF_JS.as_bytes().to_vec());
    resp.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    resp
}
