//! `/embed/list`: the directory list rendered on the server as a standalone page without
//! JavaScript, for iframes on sites that allow no scripts and for linking from Finna. The
//! same filters as the API; schema.org JSON-LD of the places in the page.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use maud::{html, Markup, PreEscaped};
use serde_json::{json, Value};

use crate::api::locations::{nearest_places, origin};
use crate::api::params::{self, Params};
use crate::api::respond::LangMode;
use crate::api::AppState;
use crate::directory::{Directory, Location};
use crate::error::ApiResult;
use crate::hours::{helsinki_date, RangeKind, State};
use crate::i18n::Lang;

use super::page::{self, html_page, layout, safe_url, CSP_FRAMEABLE};
use super::texts::{delivery_mode, format_distance, texts};

pub const DEFAULT_LIMIT: usize = 10;

/// The place's state at `at` in words: help now (until when), self-service, closed (opens when).
pub fn status_line(lang: Lang, loc: &Location, at: DateTime<Utc>) -> (String, &'static str) {
    let t = texts(lang);
    let Some(status) = loc.status_at(at) else { return (t.hours_unknown.to_owned(), "unknown") };
    let next = status.next_change.as_ref();
    match status.state {
        State::Staffed => match next {
            Some(c) => (
                format!(
                    "{} {}",
                    t.open_now_until,
                    page::clock(lang, c.at.with_timezone(&chrono_tz::Europe::Helsinki).time())
                ),
                "open",
            ),
            None => (t.open_now.to_owned(), "open"),
        },
        State::SelfService | State::Closed => {
            let now = if status.state == State::SelfService { t.self_service_now } else { t.closed_now };
            let opens = loc.next_staffed_opening(at).map(|at| format!(". {} {}", t.opens, page::when(lang, at)));
            (format!("{now}{}", opens.unwrap_or_default()), "closed")
        }
    }
}

/// One place as an article: the same facts the widget shows.
pub fn place_card(
    dir: &Directory,
    lang: Lang,
    loc: &Location,
    at: DateTime<Utc>,
    distance: Option<f64>,
    topic: &[String],
    extra: Markup,
) -> Markup {
    let t = texts(lang);
    let org = &dir.organizations[loc.organization];
    let (status, status_class) = status_line(lang, loc, at);
    let topics = page::topic_labels(dir, lang, &dir.topic_codes(loc.topic_mask));
    let languages = page::language_names(dir, lang, &loc.languages);
    let heading_id = format!("place-{}", loc.id);
    let mut modes: Vec<String> = Vec::new();
    let mut bookings: Vec<Markup> = Vec::new();
    for sal in &loc.services {
        let s = &dir.services[sal.service];
        for m in &s.delivery_modes {
            let m = delivery_mode(lang, m);
            if !modes.contains(&m) {
                modes.push(m);
            }
        }
        if let Some(a) = sal.appointment.as_ref().filter(|a| a.by_appointment || a.phone.is_some() || a.url.is_some()) {
            bookings.push(html! {
                li {
                    (s.name.in_lang(lang)) ": "
                    @if let Some(text) = &a.text { (text.in_lang(lang)) " " }
                    @if let Some(phone) = &a.phone { (t.phone_label) " " a href=(format!("tel:{}", phone.replace(' ', ""))) { (phone) } " " }
                    @if let Some(url) = a.url.as_deref().and_then(safe_url) { a href=(url) rel="noopener" { (t.booking) } }
                }
            });
        }
    }
    let mut referral = format!("/v1/locations/{}/referral?lang={}", loc.id, lang.code());
    for code in topic {
        referral.push_str(&format!("&topic={}", page::encode(code)));
    }
    html! {
        article.place aria-labelledby=(heading_id) {
            h3 #(heading_id) { (loc.name.in_lang(lang)) }
            p.org { (org.name.in_lang(lang)) }
            @if &*loc.provenance.confidence != "verified" { p.unverified { (t.unverified) } }
            p.status.(status_class) { (status) }
            dl {
                @if let Some(street) = &loc.address.street {
                    dt { (t.address) }
                    dd { (street) @if let Some(pc) = &loc.address.postal_code { ", " (pc) } @if let Some(po) = &loc.address.post_office { " " (po) } }
                }
                @if let Some(d) = distance { dt { (t.distance) } dd { (format_distance(lang, d)) } }
                @if !topics.is_empty() { dt { (t.topics) } dd { (topics.join(", ")) } }
                @if !languages.is_empty() { dt { (t.languages) } dd { (languages.join(", ")) } }
                @if !modes.is_empty() { dt { (t.how_to_get_help) } dd { (modes.join(", ")) } }
                @if !bookings.is_empty() { dt { (t.booking) } dd { ul.plain { @for b in bookings { (b) } } } }
                @if let Some(phone) = &loc.phone { dt { (t.phone_label) } dd { a href=(format!("tel:{}", phone.replace(' ', ""))) { (phone) } } }
            }
            (extra)
            p.links {
                @if let Some(url) = loc.website.as_deref().and_then(safe_url) {
                    a href=(url) rel="noopener" { (t.website) span.visually-hidden { ": " (loc.name.in_lang(lang)) } }
                    " "
                }
                a href=(referral) { (t.details) span.visually-hidden { ": " (loc.name.in_lang(lang)) } }
            }
        }
    }
}

/// schema.org JSON-LD safe inside `<script>`: `<`, `>` and `&` become JSON escapes, so no
/// partner text can close the element or open a comment.
pub fn json_ld(value: &Value) -> Markup {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
    let safe = json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026");
    html! { script type="application/ld+json" { (PreEscaped(safe)) } }
}

/// The schema.org type of a place of this kind: a `Library`, a `GovernmentOffice` (municipal
/// and public authority service points) or another `LocalBusiness`.
fn place_type(kind: &str) -> &'static str {
    match kind {
        k if k.starts_with("library") => "Library",
        "municipal_service_point" | "public_authority_service_point" => "GovernmentOffice",
        _ => "LocalBusiness",
    }
}

/// The schema.org type of an organization of this kind: a `LibrarySystem`, a
/// `GovernmentOrganization` or another `Organization`.
fn organization_type(kind: &str) -> &'static str {
    match kind {
        k if k.starts_with("library") => "LibrarySystem",
        "municipal_service_point" | "public_authority_service_point" => "GovernmentOrganization",
        _ => "Organization",
    }
}

/// A place as schema.org: a `Library`, `GovernmentOffice` or other `LocalBusiness`, with its
/// organization and the staffed hours of the coming week as `openingHours` and, dated, as
/// `openingHoursSpecification` (days as schema.org `DayOfWeek` URLs, times `HH:MM`).
pub fn place_ld(dir: &Directory, lang: Lang, loc: &Location, base: &str, at: DateTime<Utc>) -> Value {
    let org = &dir.organizations[loc.organization];
    let mut v = json!({
        "@type": place_type(&loc.kind),
        "@id": format!("{base}/v1/locations/{}", loc.id),
        "name": loc.name.in_lang(lang),
        "parentOrganization": { "@type": organization_type(&org.kind), "name": org.name.in_lang(lang) },
    });
    if let Some(url) = loc.website.as_deref().and_then(safe_url) {
        v["url"] = json!(url);
    }
    if loc.address.street.is_some() {
        v["address"] = json!({
            "@type": "PostalAddress",
            "streetAddress": loc.address.street,
            "postalCode": loc.address.postal_code,
            "addressLocality": loc.address.post_office,
            "addressCountry": "FI",
        });
    }
    if let Some((lat, lon)) = loc.coordinates {
        v["geo"] = json!({ "@type": "GeoCoordinates", "latitude": lat, "longitude": lon });
    }
    if let Some(phone) = &loc.phone {
        v["telephone"] = json!(phone);
    }
    if let Some(email) = &loc.email {
        v["email"] = json!(email);
    }
    if let Some(h) = &loc.hours {
        const DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
        let today = helsinki_date(at);
        const DAY_URLS: [&str; 7] = [
            "https://schema.org/Monday",
            "https://schema.org/Tuesday",
            "https://schema.org/Wednesday",
            "https://schema.org/Thursday",
            "https://schema.org/Friday",
            "https://schema.org/Saturday",
            "https://schema.org/Sunday",
        ];
        let mut hours: Vec<String> = Vec::new();
        let mut specs: Vec<Value> = Vec::new();
        for day in h.hours.schedule(today, today + chrono::Duration::days(6)) {
            use chrono::Datelike;
            let weekday = day.date.weekday().num_days_from_monday() as usize;
            for r in day.ranges.iter().filter(|r| r.kind == RangeKind::Staffed) {
                let (opens, closes) = (r.start.format("%H:%M").to_string(), r.end.format("%H:%M").to_string());
                hours.push(format!("{} {opens}-{closes}", DAYS[weekday]));
                // The same range, dated: it holds on that day of the coming week.
                specs.push(json!({
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": DAY_URLS[weekday],
                    "opens": opens,
                    "closes": closes,
                    "validFrom": day.date.to_string(),
                    "validThrough": day.date.to_string(),
                }));
            }
        }
        v["openingHours"] = json!(hours);
        v["openingHoursSpecification"] = json!(specs);
    }
    v
}

/// The places a list request asks for: nearest first when it gives a point, else in
/// alphabetical order. Distances are present for nearest searches.
pub fn select<'a>(dir: &'a Directory, params: &Params) -> ApiResult<Vec<(&'a Location, Option<f64>)>> {
    let mut filter = params::location_filter(params, dir)?;
    let (_, open_at) = params::times(params)?;
    let limit = params.int_in("limit", 1, params::MAX_PER_PAGE)?.unwrap_or(DEFAULT_LIMIT);
    let lat = params.number_in("lat", -90.0, 90.0)?;
    let lon = params.number_in("lon", -180.0, 180.0)?;
    let near = params.one("near")?;
    if lat.is_some() || lon.is_some() || near.is_some() {
        let origin = origin(dir, lat, lon, near.map(|n| ("near", n)), &mut filter)?.expect("a point was given");
        let (found, _) = nearest_places(dir, &origin, &filter, limit, None, open_at);
        return Ok(found.into_iter().map(|(l, d)| (l, Some(d))).collect());
    }
    Ok(dir
        .locations
        .iter()
        .filter(|l| filter.matches(dir, l))
        .filter(|l| open_at.is_none_or(|t| dir.staffed_at(l, filter.topics, t)))
        .take(limit)
        .map(|l| (l, None))
        .collect())
}

#[get("/embed/list")]
pub async fn embed_list(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let params = Params::from_request(&req)?;
    let lang = LangMode::from_request(&req, &params)?.lang();
    let (at, _) = params::times(&params)?;
    let places = select(&dir, &params)?;
    let topic: Vec<String> = params.all("topic").into_iter().map(str::to_owned).collect();
    let t = texts(lang);
    let base = page::base_url(&req);
    let ld = json!({
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": t.list_title,
        "itemListElement": places.iter().enumerate().map(|(i, (loc, _))| json!({
            "@type": "ListItem", "position": i + 1, "item": place_ld(&dir, lang, loc, &base, at),
        })).collect::<Vec<_>>(),
    });
    let body = html! {
        h1 { (t.list_title) }
        p.count { (t.results_count) ": " (places.len()) }
        @if places.is_empty() { p { (t.no_results) } }
        ul.places aria-label=(t.list_title) {
            @for (loc, d) in &places {
                li { (place_card(&dir, lang, loc, at, *d, &topic, html! {})) }
            }
        }
    };
    let markup = layout(&req, lang, t.list_title, json_ld(&ld), body);
    Ok(html_page(&req, dir.version, CSP_FRAMEABLE, markup))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let v = json!({ "name": "</script><script>alert(1)</script> & <!--" });
        let html = json_ld(&v).into_string();
        let inner = html.trim_start_matches("<script type=\"application/ld+json\">").trim_end_matches("</script>");
        assert!(!inner.contains('<') && !inner.contains('>') && !inner.contains('&'), "{inner}");
        let back: Value = serde_json::from_str(inner).unwrap();
        assert_eq!(back, v);
    }
}
