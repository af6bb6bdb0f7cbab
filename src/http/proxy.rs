//! Who is asking and under which address the service is reached, trusting no forwarded header
//! unless it comes from a configured proxy.
//!
//! Links on pages that other sites embed (referral slips and their QR codes, JSON-LD `@id`s,
//! the HSDS `openapi_url`, GeoJSON links) are absolute. By default they are built from the
//! `Host` header of the request itself, which is part of every cache's key, and `Forwarded` /
//! `X-Forwarded-*` headers are ignored: anyone can send them, and a shared cache would hand the
//! poisoned links to everyone. `--public-url` fixes the base of every link regardless of the
//! request. `--trusted-proxies` (CIDR list) makes the forwarded headers count only when the
//! TCP peer is one of those proxies; such answers then vary on those headers.
//! The client address (for rate limits of failed authentication) follows the same rule.

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::HttpRequest;
use ipnet::IpNet;

/// What this instance trusts about the requests it gets.
#[derive(Debug, Clone, Default)]
pub struct ProxyConfig {
    /// Peers whose `Forwarded` / `X-Forwarded-*` headers are believed.
    pub trusted: Vec<IpNet>,
    /// The public base URL (scheme, host, optional port and path prefix), without a trailing slash.
    pub public_url: Option<String>,
    /// The address the service listens on (set at start-up): the host of links for a request
    /// that names none.
    pub listen_addr: Option<String>,
}

/// The headers a host-dependent answer varies on when forwarded headers are trusted.
pub const FORWARDED_VARY: &str = "Forwarded, X-Forwarded-Host, X-Forwarded-Proto";

impl ProxyConfig {
    /// Parses `--trusted-proxies` (comma-separated CIDRs or addresses) and `--public-url`.
    pub fn parse(trusted: Option<&str>, public_url: Option<&str>) -> Result<ProxyConfig, String> {
        let mut nets = Vec::new();
        for item in trusted.unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = item
                .parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("--trusted-proxies: {item:?} is not an IP address or CIDR block"))?;
            nets.push(net);
        }
        let public_url = match public_url.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(u) => {
                let parsed = url::Url::parse(u).map_err(|e| format!("--public-url: {u:?}: {e}"))?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                    return Err(format!("--public-url: {u:?} must be an absolute http(s) URL"));
                }
                if parsed.query().is_some() || parsed.fragment().is_some() {
                    return Err(format!("--public-url: {u:?} must not have a query or fragment"));
                }
                Some(u.trim_end_matches('/').to_owned())
            }
        };
        Ok(ProxyConfig { trusted: nets, public_url, listen_addr: None })
    }

    fn peer(req: &HttpRequest) -> Option<IpAddr> {
        req.peer_addr().map(|a| a.ip())
    }

    /// True when the request came through a configured proxy, whose forwarded headers count.
    pub fn from_trusted_proxy(&self, req: &HttpRequest) -> bool {
        Self::peer(req).is_some_and(|ip| self.trusted.iter().any(|n| n.contains(&ip)))
    }

    /// The client's address: the TCP peer, or, behind trusted proxies, the nearest address in
    /// `X-Forwarded-For` (or `Forwarded: for=`) that is not itself a trusted proxy.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = Self::peer(req)?;
        if !self.from_trusted_proxy(req) {
            return Some(peer);
        }
        let mut hops: Vec<IpAddr> = Vec::new();
        for value in req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()) {
            hops.extend(value.split(',').filter_map(|s| parse_ip(s.trim())));
        }
        if hops.is_empty() {
            for value in req.headers().get_all(header::FORWARDED).filter_map(|v| v.to_str().ok()) {
                for element in value.split(',') {
                    hops.extend(
                        forwarded_params(element).filter(|(k, _)| k == "for").filter_map(|(_, v)| parse_ip(&v)),
                    );
                }
            }
        }
        Some(hops.into_iter().rev().find(|ip| !self.trusted.iter().any(|n| n.contains(ip))).unwrap_or(peer))
    }

    /// The base of absolute links: `--public-url`; else, behind a trusted proxy, the forwarded
    /// scheme and host; else the request's own scheme and `Host` (checked to be a host name).
    pub fn base_url(&self, req: &HttpRequest) -> String {
        if let Some(u) = &self.public_url {
            return u.clone();
        }
        let (mut scheme, mut host) = (
            if req.app_config().secure() { "https".to_owned() } else { "http".to_owned() },
            req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned),
        );
        if self.from_trusted_proxy(req) {
            let first = |name: &str| {
                req.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.split(',').next())
                    .map(|v| v.trim().to_owned())
            };
            let forwarded: Vec<(String, String)> = req
                .headers()
                .get(header::FORWARDED)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(|e| forwarded_params(e).collect())
                .unwrap_or_default();
            let param = |k: &str| forwarded.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            if let Some(h) = param("host").or_else(|| first("x-forwarded-host")) {
                host = Some(h);
            }
            if let Some(p) = param("proto").or_else(|| first("x-forwarded-proto")) {
                if p.eq_ignore_ascii_case("https") || p.eq_ignore_ascii_case("http") {
                    scheme = p.to_ascii_lowercase();
                }
            }
        }
        let host = host
            .filter(|h| valid_host(h))
            .or_else(|| self.listen_addr.clone())
            .unwrap_or_else(|| req.app_config().host().to_owned());
        format!("{scheme}://{host}")
    }

    /// The `Vary` value a host-dependent answer needs beyond `Accept-Language`, if any.
    pub fn vary(&self) -> Option<&'static str> {
        (self.public_url.is_none() && !self.trusted.is_empty()).then_some(FORWARDED_VARY)
    }
}

/// `host[:port]` made of the characters a host name or an IP literal may have.
fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// `for=192.0.2.1;proto=https;host=example.org` → lower-case names and unquoted values.
fn forwarded_params(element: &str) -> impl Iterator<Item = (String, String)> + '_ {
    element.split(';').filter_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        Some((k.trim().to_ascii_lowercase(), v.trim().trim_matches('"').to_owned()))
    })
}

/// An address in `X-Forwarded-For` or `Forwarded: for=` (`[2001:db8::1]:4711`, `192.0.2.1:80`).
fn parse_ip(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    s.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn req(peer: &str, headers: &[(&str, &str)]) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(peer.parse().unwrap()).insert_header(("host", "dir.example.fi"));
        for (k, v) in headers {
            r = r.insert_header((*k, *v));
        }
        r.to_http_request()
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let none = ProxyConfig::parse(None, None).unwrap();
        let evil = [("x-forwarded-host", "evil.example"), ("forwarded", "host=evil.example;for=203.0.113.9")];
        let r = req("198.51.100.7:5000", &evil);
        assert_eq!(none.base_url(&r), "http://dir.example.fi");
        assert_eq!(none.client_ip(&r), Some("198.51.100.7".parse().unwrap()));
        assert_eq!(none.vary(), None);

        let proxied = ProxyConfig::parse(Some("10.0.0.0/8, 127.0.0.1"), None).unwrap();
        let r = req(
            "10.1.2.3:5000",
            &[
                ("x-forwarded-host", "digituki.example.fi"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-for", "203.0.113.9, 10.0.0.5"),
            ],
        );
        assert_eq!(proxied.base_url(&r), "https://digituki.example.fi");
        assert_eq!(proxied.client_ip(&r), Some("203.0.113.9".parse().unwrap()));
        assert_eq!(proxied.vary(), Some(FORWARDED_VARY));
        // The same headers from an untrusted peer are ignored.
        let r = req("198.51.100.7:5000", &[("x-forwarded-host", "evil.example"), ("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(proxied.base_url(&r), "http://dir.example.fi");
        assert_eq!(proxied.client_ip(&r), Some("198.51.100.7".parse().unwrap()));
        let r = req("127.0.0.1:5000", &[("forwarded", "for=\"[2001:db8::1]:4711\";proto=https;host=a.example")]);
        assert_eq!(proxied.base_url(&r), "https://a.example");
        assert_eq!(proxied.client_ip(&r), Some("2001:db8::1".parse().unwrap()));
    }

    #[test]
    fn public_url_wins_and_is_checked() {
        let fixed = ProxyConfig::parse(Some("10.0.0.0/8"), Some("https://digituki.example.fi/")).unwrap();
        let r = req("10.1.2.3:5000", &[("x-forwarded-host", "evil.example")]);
        assert_eq!(fixed.base_url(&r), "https://digituki.example.fi");
        assert_eq!(fixed.vary(), None);
        assert!(ProxyConfig::parse(None, Some("javascript:alert(1)")).is_err());
        assert!(ProxyConfig::parse(None, Some("https://a.example/?x=1")).is_err());
        assert!(ProxyConfig::parse(Some("not-a-net"), None).is_err());
    }

    #[test]
    fn a_malformed_host_header_is_not_echoed() {
        let none = ProxyConfig::default();
        let r = TestRequest::default()
            .peer_addr("198.51.100.7:5000".parse().unwrap())
            .insert_header(("host", "evil.example/\"><script>"))
            .to_http_request();
        assert!(!none.base_url(&r).contains("evil"));
    }
}
