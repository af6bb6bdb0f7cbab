//! `GET /v1/locations/{id}/referral`: a printable referral slip for a patron: the place,
//! address, how to get there, hours for the next seven days, contacts, booking details, a QR
//! code of the place's page, and the DVV note that helpers guide but never act for the patron.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use maud::{html, Markup, PreEscaped};
use qrcode::render::svg;
use qrcode::QrCode;

use crate::api::params::{self, check_id, LangParams, Params};
use crate::api::respond::LangMode;
use crate::api::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::hours::helsinki_date;

use super::list::{json_ld, place_ld, status_line};
use super::page::{self, html_page, layout, safe_url, CSP_OWN};
use super::texts::{assistance_level, delivery_mode, texts};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ReferralParams {
    /// Topic code, repeatable: the slip lists the services for these needs first (all
    /// services when none is given).
    #[param(example = "online_public_services")]
    topic: Option<Vec<String>>,
}

/// A QR code of `url` as inline SVG. The SVG is generated here from the code's modules; no
/// text from the data is copied into it.
fn qr_svg(url: &str, label: &str) -> Markup {
    let Ok(code) = QrCode::new(url.as_bytes()) else { return html! {} };
    let svg = code.render::<svg::Color>().min_dimensions(160, 160).quiet_zone(true).build();
    let svg = svg.find("<svg").map(|i| &svg[i..]).unwrap_or(&svg);
    html! { figure.qr role="img" aria-label=(label) { (PreEscaped(svg)) } }
}

/// A printable referral slip for one place, in the patron's language.
#[utoipa::path(
    tag = "locations",
    params(("id" = String, Path, description = "Location id", example = "jns-paakirjasto"), ReferralParams, LangParams),
    responses(
        (status = 200, description = "An HTML page with print styles", content_type = "text/html"),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Malformed id or parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such location", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/locations/{id}/referral")]
pub async fn referral_slip(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let params = Params::from_request(&req)?;
    let lang = LangMode::from_request(&req, &params)?.lang();
    check_id("id", &id)?;
    let (at, _) = params::times(&params)?;
    let mut topics: Vec<String> = Vec::new();
    for code in params.all("topic") {
        dir.topic(code).ok_or_else(|| ApiError::invalid_param("topic", format!("unknown topic {code:?}")))?;
        topics.push(code.to_owned());
    }
    let loc = dir.location(&id).ok_or_else(|| ApiError::not_found("location", &id))?;
    let t = texts(lang);
    let org = &dir.organizations[loc.organization];
    let today = helsinki_date(at);
    let week = loc.hours.as_ref().map(|h| h.hours.schedule(today, today + Duration::days(6)));
    let own_page = loc
        .website
        .as_deref()
        .and_then(safe_url)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}/v1/locations/{}?lang={}", page::base_url(&req), loc.id, lang.code()));
    let mut services: Vec<_> = loc.services.iter().collect();
    // The services for the patron's needs first.
    services.sort_by_key(|sal| !topics.iter().any(|c| dir.services[sal.service].topics.contains(c)));
    let (status, _) = status_line(lang, loc, Utc::now().max(at));
    let name = loc.name.in_lang(lang);

    let body = html! {
        article.slip {
            header {
                p.kicker { (t.referral_title) }
                h1 { (name) }
                p.org { (t.organization) ": " (org.name.in_lang(lang)) }
                @if &*loc.provenance.confidence != "verified" { p.unverified { (t.unverified) } }
            }
            p.note { strong { (t.dvv_note) } }
            div.columns {
                section aria-labelledby="s-address" {
                    h2 #s-address { (t.address) }
                    @if let Some(street) = &loc.address.street {
                        p { (street) br; @if let Some(pc) = &loc.address.postal_code { (pc) " " } @if let Some(po) = &loc.address.post_office { (po) } }
                    }
                    h3 { (t.how_to_get_there) }
                    @if let Some(transit) = &loc.transit { p { (transit.in_lang(lang)) } }
                    @if let Some(acc) = &loc.accessibility { p { strong { (t.accessibility) ": " } (acc.in_lang(lang)) } }
                    @if let Some((lat, lon)) = loc.coordinates {
                        p { a href=(format!("https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=17/{lat:.5}/{lon:.5}")) rel="noopener" { (t.map) } }
                    }
                }
                section.qr-box aria-labelledby="s-qr" {
                    h2 #s-qr { (t.scan_for_page) }
                    (qr_svg(&own_page, t.scan_for_page))
                    p.url { a href=(own_page) { (own_page) } }
                }
            }
            section aria-labelledby="s-hours" {
                h2 #s-hours { (t.hours_next_7) }
                p.status { (status) }
                @match &week {
                    Some(days) => {
                        table.hours {
                            tbody {
                                @for day in days {
                                    tr { th scope="row" { (page::day_label(lang, day.date)) } td { (page::day_text(lang, day)) } }
                                }
                            }
                        }
                    }
                    None => p { (t.hours_unknown) },
                }
            }
            section aria-labelledby="s-services" {
                h2 #s-services { (t.services_here) }
                ul.services {
                    @for sal in &services {
                        @let s = &dir.services[sal.service];
                        li {
                            strong { (s.name.in_lang(lang)) }
                            @if !s.delivery_modes.is_empty() {
                                " (" (s.delivery_modes.iter().map(|m| delivery_mode(lang, m)).collect::<Vec<_>>().join(", ")) ")"
                            }
                            br;
                            (assistance_level(lang, &s.assistance_level))
                            @if let Some(h) = &sal.hours {
                                br; (t.own_hours) ": "
                                (h.hours.schedule(today, today + Duration::days(6)).iter()
                                    .filter(|d| !d.ranges.is_empty())
                                    .map(|d| format!("{} {}", page::day_label(lang, d.date), page::day_text(lang, d)))
                                    .collect::<Vec<_>>().join("; "))
                            }
                            @if let Some(a) = &sal.appointment {
                                br; (t.booking) ": "
                                @if let Some(text) = &a.text { (text.in_lang(lang)) " " }
                                @if let Some(phone) = &a.phone { (t.phone_label) " " (phone) " " }
                                @if let Some(url) = a.url.as_deref().and_then(safe_url) { a href=(url) rel="noopener" { (url) } }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="s-contacts" {
                h2 #s-contacts { (t.contacts) }
                ul.plain {
                    @if let Some(phone) = &loc.phone { li { (t.phone_label) ": " a href=(format!("tel:{}", phone.replace(' ', ""))) { (phone) } } }
                    @if let Some(email) = &loc.email { li { (t.email_label) ": " a href=(format!("mailto:{email}")) { (email) } } }
                    @if let Some(url) = loc.website.as_deref().and_then(safe_url) { li { (t.website) ": " a href=(url) rel="noopener" { (url) } } }
                    @for c in &loc.contacts {
                        li {
                            @if let Some(n) = &c.name { (n) }
                            @if let Some(title) = &c.title { ", " (title.in_lang(lang)) }
                            @if let Some(p) = &c.phone { ", " (p) }
                            @if let Some(e) = &c.email { ", " (e) }
                        }
                    }
                }
            }
        }
    };
    let title = format!("{}: {}", t.referral_title, name);
    // The place as schema.org JSON-LD, as on /embed/list.
    let mut ld = place_ld(&dir, lang, loc, &page::base_url(&req), at);
    ld["@context"] = serde_json::json!("https://schema.org");
    let markup = layout(&req, lang, &title, json_ld(&ld), body);
    Ok(html_page(&req, dir.version, CSP_OWN, markup))
}
