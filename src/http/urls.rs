//! Links in answers and pages: the base URL the client reached this service at, and the only
//! links ever rendered (http(s)).

use actix_web::HttpRequest;

/// Only http(s) links are ever rendered; anything else (javascript:, data:, relative,
/// whitespace tricks) is dropped.
pub fn safe_url(url: &str) -> Option<&str> {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !u.chars().any(|c| c.is_control() || c.is_whitespace() || c == '"' || c == '<' || c == '>');
    ok.then_some(u)
}

/// The origin of this service as the client reached it, for absolute links (QR codes, GeoJSON).
/// The base of absolute links: see `super::proxy` (no forwarded header is trusted unless
/// configured).
pub fn base_url(req: &HttpRequest) -> String {
    match req.app_data::<actix_web::web::Data<super::state::AppState>>() {
        Some(state) => state.proxy.base_url(req),
        None => super::proxy::ProxyConfig::default().base_url(req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_links_pass() {
        assert_eq!(safe_url(" https://vaara.finna.fi/x?a=1 "), Some("https://vaara.finna.fi/x?a=1"));
        assert_eq!(safe_url("HTTP://example.fi"), Some("HTTP://example.fi"));
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "/relative",
            "https://",
            "https://a b",
            "https://a\"onmouseover=x",
            "vbscript:x",
            "",
        ] {
            assert_eq!(safe_url(bad), None, "{bad}");
        }
    }
}
