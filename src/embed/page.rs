//! What every page for people shares: the HTML frame (language, skip link, language switch),
//! the stylesheet, safe links, time formatting, and the response headers (public caching
//! and CORS through `respond::public_bytes`, plus a Content-Security-Policy).
//!
//! Pages are built with maud, which escapes every interpolated value; `PreEscaped` is used
//! only for markup this service generates itself (the QR code SVG, escaped JSON-LD).

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveTime, Utc};
use maud::{html, Markup, DOCTYPE};

use crate::directory::Directory;
use crate::hours::{Day, RangeKind, TimeRange};
use crate::http::respond::public_bytes;
pub use crate::http::urls::{base_url, safe_url};
use crate::i18n::Lang;

use super::texts::{texts, weekdays};

/// The stylesheet of every page, served at `/embed/page.css`.
pub const PAGE_CSS: &str = include_str!("page.css");

/// Pages may load our stylesheet and nothing else; the staff form posts back to us.
/// `/embed/list` is meant for iframes on any site, so it sets no `frame-ancestors`.
pub const CSP_FRAMEABLE: &str = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'";
/// The staff tool: as `CSP_OWN`, plus its own small script (`/embed/staff.js`), which only
/// disables the date and time fields while "now" is chosen.
pub const CSP_STAFF: &str = "default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'";
/// The staff tool and referral slips: the same, and never inside another site's frame.
pub const CSP_OWN: &str =
    "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'";

/// A public page: ETag, Cache-Control and CORS as every public GET, plus the CSP.
pub fn html_page(req: &HttpRequest, version: i64, csp: &'static str, markup: Markup) -> HttpResponse {
    let mut resp = public_bytes(req, version, "text/html; charset=utf-8", markup.into_string().into_bytes());
    secure(&mut resp, csp);
    resp
}

/// A page telling a person what went wrong with their input (never cached).
pub fn html_error(status: StatusCode, csp: &'static str, markup: Markup) -> HttpResponse {
    let mut resp = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup.into_string());
    secure(&mut resp, csp);
    resp
}

fn secure(resp: &mut HttpResponse, csp: &'static str) {
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}

/// The query string with `lang` replaced, for the language switch.
fn with_lang(req: &HttpRequest, lang: Lang) -> String {
    with_param(req, "lang", lang.code())
}

/// This page's address with one query parameter set (replaced when present).
pub fn with_param(req: &HttpRequest, name: &str, value: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
    pairs.retain(|(k, _)| k != name);
    pairs.push((name.into(), value.into()));
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    format!("{}?{}", req.path(), encoded.join("&"))
}

/// Percent-encodes a query component.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => "Suomeksi",
        Lang::Sv => "På svenska",
        Lang::En => "In English",
    }
}

/// Links to this page in the other languages (`href` gives a language's address).
pub fn language_switch(lang: Lang, href: impl Fn(Lang) -> String) -> Markup {
    html! {
        nav.langs aria-label=(texts(lang).language_switch) {
            ul {
                @for l in Lang::ALL {
                    li {
                        @if l == lang {
                            span aria-current="true" lang=(l.code()) { (lang_name(l)) }
                        } @else {
                            a href=(href(l)) lang=(l.code()) hreflang=(l.code()) { (lang_name(l)) }
                        }
                    }
                }
            }
        }
    }
}

/// The frame of every page.
pub fn layout(req: &HttpRequest, lang: Lang, title: &str, head: Markup, body: Markup) -> Markup {
    let t = texts(lang);
    let body = html! {
        body {
            a.skip href="#main" { (t.skip_to_content) }
            (language_switch(lang, |l| with_lang(req, l)))
            main #main { (body) }
        }
    };
    document(lang, title, head, body)
}

/// An HTML document of the service (the pages and the partner editor): its language, title,
/// the shared style sheet and `head`'s additions, and `body`, the body element itself.
pub fn document(lang: Lang, title: &str, head: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/embed/page.css";
                (head)
            }
            (body)
        }
    }
}

/// `10.00` in Finnish and Swedish, `10:00` in English.
pub fn clock(lang: Lang, t: NaiveTime) -> String {
    match lang {
        Lang::En => t.format("%H:%M").to_string(),
        _ => t.format("%H.%M").to_string(),
    }
}

/// An instant as Helsinki weekday, date and time: `ti 30.3. klo 10.00`.
pub fn when(lang: Lang, at: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let local = at.with_timezone(&chrono_tz::Europe::Helsinki);
    let wd = weekdays(lang)[local.weekday().num_days_from_monday() as usize];
    let time = clock(lang, local.time());
    match lang {
        Lang::Fi => format!("{wd} {}.{}. klo {time}", local.day(), local.month()),
        Lang::Sv => format!("{wd} {}.{}. kl. {time}", local.day(), local.month()),
        Lang::En => format!("{wd} {} {} at {time}", local.day(), local.format("%b")),
    }
}

/// A date as `ti 30.3.` / `Tue 30 Mar`.
pub fn day_label(lang: Lang, date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let wd = weekdays(lang)[date.weekday().num_days_from_monday() as usize];
    match lang {
        Lang::En => format!("{wd} {} {}", date.day(), date.format("%b")),
        _ => format!("{wd} {}.{}.", date.day(), date.month()),
    }
}

/// One time range, with self-service ranges marked as such.
pub fn range_text(lang: Lang, r: &TimeRange) -> String {
    let s = format!("{}–{}", clock(lang, r.start), clock(lang, r.end));
    match r.kind {
        RangeKind::Staffed => s,
        RangeKind::SelfService => format!("{s} ({})", texts(lang).self_service_hours),
    }
}

/// A day's hours in words: ranges, or "closed" with the reason.
pub fn day_text(lang: Lang, day: &Day) -> String {
    let t = texts(lang);
    let mut s = if day.ranges.is_empty() {
        t.closed_that_day.to_owned()
    } else {
        day.ranges.iter().map(|r| range_text(lang, r)).collect::<Vec<_>>().join(", ")
    };
    if let Some(reason) = &day.reason {
        s.push_str(&format!(" ({})", reason.in_lang(lang)));
    }
    s
}

/// Topic labels of codes, in the interface language.
pub fn topic_labels(dir: &Directory, lang: Lang, codes: &[String]) -> Vec<String> {
    codes.iter().map(|c| dir.topic(c).map(|t| t.label.in_lang(lang).to_owned()).unwrap_or_else(|| c.clone())).collect()
}

/// Language names of ISO 639-1 codes, in the interface language.
pub fn language_names(dir: &Directory, lang: Lang, codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .map(|c| dir.language(c).map(|l| l.name.in_lang(lang).to_owned()).unwrap_or_else(|| c.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_components_are_percent_encoded() {
        assert_eq!(encode("a b&c=d/ä"), "a%20b%26c%3Dd%2F%C3%A4");
    }
}
