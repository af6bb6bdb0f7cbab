//! `GET /v1/locations/{id}/referral`: a printable referral slip for a patron: the place,
//! address, how to get there, hours for the next seven days, contacts, booking details, a QR
//! code of the place's page, and the DVV note that helpers guide but never act for the patron.

use actix_web::{get, HttpResponse};
use chrono::Duration;
use maud::{html, Markup, PreEscaped};
use qrcode::render::svg;
use qrcode::QrCode;

use crate::domain::{AssistanceLevel, Confidence};
use crate::error::{ApiError, ApiResult, Problem};
use crate::hours::helsinki_date;
use crate::http::params::{self, check_id, LangParams, Params};
use crate::http::read::{record_id, Reading};
use crate::i18n::Lang;

use super::list::{capitalized, checked_line, hours_unconfirmed, json_ld, place_ld, position_note};
use super::page::{self, html_page, layout, safe_url, CSP_OWN};
use super::texts::{assistance_level, delivery_mode, texts};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralParams {
    /// Topic code, repeatable: the slip lists the services for these needs first (all
    /// services when none is given).
    #[param(example = json!(["online_public_services"]))]
    pub topic: Option<Vec<String>>,
    /// An event at this place: the slip names one of its sessions (with `date`).
    #[param(example = "jns-digikahvila-kevat-2027")]
    pub event: Option<String>,
    /// The session's original date (YYYY-MM-DD, Helsinki), with `event`.
    #[param(example = "2027-02-23")]
    pub date: Option<String>,
}

impl ReferralParams {
    pub fn read(params: &Params) -> ApiResult<ReferralParams> {
        let topics: Vec<String> = params.all("topic").into_iter().map(str::to_owned).collect();
        Ok(ReferralParams {
            topic: (!topics.is_empty()).then_some(topics),
            event: params.one("event")?.map(str::to_owned),
            date: params.one("date")?.map(str::to_owned),
        })
    }
}

/// The session a slip names: `event` and `date` (its original local date), both or neither.
fn session<'a>(
    dir: &'a crate::directory::Directory,
    given: &ReferralParams,
    loc_id: &str,
) -> ApiResult<Option<(&'a crate::directory::events::Event, crate::events::Occurrence)>> {
    let (event, date) = (given.event.as_deref(), given.date.as_deref());
    let Some(event) = event else {
        return match date {
            Some(_) => Err(ApiError::invalid_param("event", "a session's date needs the event (event=<id>)")),
            None => Ok(None),
        };
    };
    check_id("event", event)?;
    let ev = dir.event(event).ok_or_else(|| ApiError::invalid_param("event", format!("unknown event {event:?}")))?;
    if ev.location.is_none_or(|i| dir.locations[i].id != loc_id) {
        return Err(ApiError::invalid_param("event", format!("event {event:?} is not at this place")));
    }
    let date = date.ok_or_else(|| ApiError::invalid_param("date", "give the session's date YYYY-MM-DD with event"))?;
    let date = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::invalid_param("date", "must be a date YYYY-MM-DD"))?;
    let midnight = |d: chrono::NaiveDate| crate::events::helsinki(d.and_hms_opt(0, 0, 0).unwrap_or_default());
    // A moved session may be weeks from its original date.
    let found = ev
        .occurrences(midnight(date - Duration::days(40)), midnight(date + Duration::days(40)))
        .into_iter()
        .find(|o| o.date == date)
        .ok_or_else(|| ApiError::invalid_param("date", format!("event {event:?} has no session on {date}")))?;
    Ok(Some((ev, found)))
}

/// A QR code of `url` as inline SVG. The SVG is generated here from the code's modules; no
/// text from the data is copied into it.
fn qr_svg(url: &str, label: &str) -> Markup {
    let Ok(code) = QrCode::new(url.as_bytes()) else { return html! {} };
    let svg = code.render::<svg::Color>().min_dimensions(160, 160).quiet_zone(true).build();
    let svg = svg.find("<svg").map(|i| &svg[i..]).unwrap_or(&svg);
    html! { figure.qr role="img" aria-label=(label) { (PreEscaped(svg)) } }
}

/// How to register for an event, when it says.
fn registration(lang: Lang, ev: &crate::directory::events::Event) -> Markup {
    let t = texts(lang);
    let Some(r) = &ev.doc.registration else { return html! {} };
    html! {
        p.registration {
            strong { (super::events::event_texts(lang).registration) ": " }
            @if let Some(text) = &r.text { (text.in_lang(lang)) " " }
            @if let Some(phone) = &r.phone { (t.phone_label) " " (phone) " " }
            @if let Some(url) = r.url.as_deref().and_then(safe_url) { a href=(url) rel="noopener" { (url) } }
        }
    }
}

/// A printable referral slip for one place, in the patron's language.
#[utoipa::path(
    tag = "locations",
    params(("id" = String, Path, description = "Location id", example = "jns-paakirjasto"), ReferralParams, LangParams),
    responses(
        (status = 200, description = "An HTML page with print styles", body = String, content_type = "text/html",
            example = "<!DOCTYPE html><html lang=\"fi\"><head><title>Joensuun pääkirjasto</title></head><body><h1>Joensuun pääkirjasto</h1>...</body></html>"),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Malformed id or parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such location", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/locations/{id}/referral")]
pub async fn referral_slip(read: Reading) -> ApiResult<HttpResponse> {
    let Reading { req, dir, params, lang, .. } = read;
    let lang = lang.lang();
    let id = record_id(&req)?;
    let (at, _) = params::times(&params)?;
    let given = ReferralParams::read(&params)?;
    let mut topics: Vec<String> = Vec::new();
    for code in given.topic.iter().flatten() {
        dir.topic(code).ok_or_else(|| ApiError::invalid_param("topic", format!("unknown topic {code:?}")))?;
        topics.push(code.to_owned());
    }
    let loc = dir.location(&id).ok_or_else(|| ApiError::not_found("location", &id))?;
    let session = session(&dir, &given, &loc.id)?;
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
    let name = loc.name.in_lang(lang);
    let authorized =
        services.iter().any(|sal| dir.services[sal.service].assistance_level == AssistanceLevel::AuthorizedAssistance);
    // The place's phone, else the organization's (marked as such).
    let phone = match (&loc.phone, &org.phone) {
        (Some(p), _) => Some((t.phone_label, p)),
        (None, Some(p)) => Some((t.phone_org, p)),
        _ => None,
    };
    let website = loc.website.as_deref().and_then(safe_url);
    let has_contacts = phone.is_some() || loc.email.is_some() || website.is_some() || !loc.contacts.is_empty();
    let precise_point = loc.coordinates.filter(|_| loc.accuracy.is_precise());
    let has_way = loc.transit.is_some() || loc.accessibility.is_some() || precise_point.is_some();
    let unconfirmed = loc.hours.as_deref().is_some_and(hours_unconfirmed);

    // Paper outlives the moment: nothing here says "now"; the hours list is dated.
    let body = html! {
        article.slip {
            header {
                p.kicker { (t.referral_title) }
                h1 { (name) }
                p.org { (t.organization) ": " (org.name.in_lang(lang)) }
                @if let Some(checked) = checked_line(&dir, lang, loc) { p.checked { (checked) } }
                @if loc.provenance.confidence == Confidence::Assumed { p.unverified { (t.record_assumed) } }
            }
            @if let Some((ev, o)) = &session {
                section.session aria-labelledby="s-session" {
                    h2 #s-session { (super::events::event_texts(lang).session) }
                    (super::events::occurrence_item(&dir, lang, ev, o, 3, registration(lang, ev)))
                }
            }
            @if authorized {
                p.note { strong { (t.dvv_note_guidance) } " " (t.dvv_authorized) }
            } @else {
                p.note { strong { (t.dvv_note) } }
            }
            div.columns {
                section aria-labelledby="s-address" {
                    h2 #s-address { (t.address) }
                    @if let Some(street) = &loc.address.street {
                        p { (street) br; @if let Some(pc) = &loc.address.postal_code { (pc) " " } @if let Some(po) = &loc.address.post_office { (po) } }
                    }
                    @if let Some(note) = position_note(lang, loc) { p { (note) } }
                    @if has_way {
                        h3 { (t.how_to_get_there) }
                        @if let Some(transit) = &loc.transit { p { (transit.in_lang(lang)) } }
                        @if let Some(acc) = &loc.accessibility { p { strong { (t.accessibility) ": " } (acc.in_lang(lang)) } }
                        // A street-level map only for a point known to street level.
                        @if let Some((lat, lon)) = precise_point {
                            p { a href=(format!("https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=17/{lat:.5}/{lon:.5}")) rel="noopener" { (t.map) } }
                        }
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
                @if unconfirmed { p.hours-note { strong { (capitalized(t.hours_unconfirmed)) } } }
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
                    None => p.hours-note { strong { (t.no_hours_for_place) } },
                }
            }
            @if !services.is_empty() {
                section aria-labelledby="s-services" {
                    h2 #s-services { (t.services_here) }
                    ul.services {
                        @for sal in &services {
                            @let s = &dir.services[sal.service];
                            li {
                                strong { (s.name.in_lang(lang)) }
                                @if !s.delivery_modes.is_empty() {
                                    " (" (s.delivery_modes.iter().map(|&m| delivery_mode(lang, m)).collect::<Vec<_>>().join(", ")) ")"
                                }
                                ". " (assistance_level(lang, s.assistance_level))
                                @if let Some(h) = &sal.hours {
                                    " " (t.own_hours) ": "
                                    (h.hours.schedule(today, today + Duration::days(6)).iter()
                                        .filter(|d| !d.ranges.is_empty())
                                        .map(|d| format!("{} {}", page::day_label(lang, d.date), page::day_text(lang, d)))
                                        .collect::<Vec<_>>().join("; "))
                                    @if hours_unconfirmed(h) { " (" (t.hours_unconfirmed) ")" }
                                }
                                @if let Some(a) = &sal.appointment {
                                    " " (t.booking) ": "
                                    @if let Some(text) = &a.text { (text.in_lang(lang)) " " }
                                    @if let Some(phone) = &a.phone { (t.phone_label) " " (phone) " " }
                                    @if let Some(url) = a.url.as_deref().and_then(safe_url) { a href=(url) rel="noopener" { (url) } }
                                }
                            }
                        }
                    }
                }
            }
            @if has_contacts {
                section aria-labelledby="s-contacts" {
                    h2 #s-contacts { (t.contacts) }
                    ul.plain {
                        @if let Some((label, phone)) = phone { li { (label) ": " a href=(format!("tel:{}", phone.replace(' ', ""))) { (phone) } } }
                        @if let Some(email) = &loc.email { li { (t.email_label) ": " a href=(format!("mailto:{email}")) { (email) } } }
                        @if let Some(url) = website { li { (t.website) ": " a href=(url) rel="noopener" { (url) } } }
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
        }
    };
    let title = format!("{}: {}", t.referral_title, name);
    // The place as schema.org JSON-LD, as on /embed/list.
    let mut ld = place_ld(&dir, lang, loc, &page::base_url(&req), at);
    ld["@context"] = serde_json::json!("https://schema.org");
    let markup = layout(&req, lang, &title, json_ld(&ld), body);
    Ok(html_page(&req, dir.version, CSP_OWN, markup))
}
