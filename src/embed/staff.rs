//! `/staff`: the referral tool for library and service-point staff. A plain HTML form (it
//! works without JavaScript) that searches by the patron's postal code, municipality or
//! street address, needs, language and the time they can go, and shows the nearest places
//! that fit with that day's hours, what they do and do not do, remote options, and a link to
//! a printable referral slip for each.

use actix_web::http::StatusCode;
use actix_web::{get, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use maud::{html, Markup};

use crate::directory::events::Event;
use crate::directory::{Directory, Location, LocationFilter};
use crate::domain::AssistanceLevel;
use crate::error::{ApiError, ApiResult};
use crate::events::Occurrence;
use crate::hours::{helsinki_date, helsinki_to_utc};
use crate::http::nearest::{geocode_address, nearest_matching, nearest_places, origin, Origin};
use crate::http::params::{self, Params};
use crate::http::read::Reading;
use crate::i18n::Lang;

use super::list::{capitalized, hours_unconfirmed, place_card, Card};
use super::page::{self, html_error, html_page, layout, CSP_STAFF};
use super::texts::{
    assistance_level, next_staffed, no_place_lists_language, no_place_offers, no_place_offers_in_language, texts,
};

const RESULTS: usize = 5;

/// What the form asked, as typed (to show it again).
#[derive(Default)]
struct Form {
    postal_code: String,
    municipality: String,
    address: String,
    topics: Vec<String>,
    language: String,
    when_at: bool,
    date: String,
    time: String,
}

impl Form {
    fn read(params: &Params) -> ApiResult<Form> {
        let one = |n: &str| -> ApiResult<String> { Ok(params.one(n)?.unwrap_or("").trim().to_owned()) };
        Ok(Form {
            postal_code: one("postal_code")?,
            municipality: one("municipality")?,
            address: one("address")?,
            topics: params.all("topic").into_iter().map(str::to_owned).collect(),
            language: one("language")?,
            when_at: params.one("when")? == Some("at"),
            date: one("date")?,
            time: one("time")?,
        })
    }

    fn searched(&self) -> bool {
        !(self.postal_code.is_empty() && self.municipality.is_empty() && self.address.is_empty())
    }

    /// The instant the patron can go: now, or the Helsinki date and time they gave.
    fn instant(&self) -> ApiResult<DateTime<Utc>> {
        if !self.when_at {
            return Ok(Utc::now());
        }
        let date = NaiveDate::parse_from_str(&self.date, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid_param("date", "must be a date YYYY-MM-DD"))?;
        let time = NaiveTime::parse_from_str(&self.time, "%H:%M")
            .map_err(|_| ApiError::invalid_param("time", "must be a time HH:MM"))?;
        Ok(helsinki_to_utc(date.and_time(time)))
    }
}

/// Why nothing fits, and what to do about it.
struct Diagnosis {
    /// The sentence naming the criterion that emptied the list.
    reason: String,
    /// The same search without that criterion (a link), when dropping one would help.
    without: Option<String>,
    /// When the nearest place that fits the rest next has staff.
    next: Option<String>,
}

struct Found<'a> {
    at: DateTime<Utc>,
    origin: Origin,
    /// Staffed at the time asked for.
    places: Vec<(&'a Location, f64)>,
    /// Nearby places that fit but whose hours are unknown: call first.
    unknown_hours: Vec<(&'a Location, f64)>,
    remote: Vec<&'a Location>,
    diagnosis: Option<Diagnosis>,
    /// Upcoming sessions (next `SESSION_DAYS` days) for the patron's needs and language, at
    /// the places found, in the origin's municipality or serving it.
    sessions: Vec<(&'a Event, Occurrence)>,
}

/// How many days ahead the staff tool looks for sessions, and how many it lists.
const SESSION_DAYS: i64 = 14;
const SESSIONS_MAX: usize = 10;

/// How far the "hours unknown" tier reaches when nothing staffed marks the distance.
const UNKNOWN_HOURS_REACH_M: f64 = 25_000.0;
const UNKNOWN_HOURS_MAX: usize = 3;

/// True when nothing on record says when the place helps with these needs.
fn hours_unknown(dir: &Directory, loc: &Location, topics: u64) -> bool {
    loc.hours.is_none()
        && !loc
            .services
            .iter()
            .any(|sal| sal.hours.is_some() && (topics == 0 || dir.services[sal.service].topic_mask & topics != 0))
}

async fn search<'a>(
    geocoder: Option<&crate::geocode::Geocoder>,
    dir: &'a Directory,
    form: &Form,
    filter: &mut LocationFilter,
    lang: Lang,
    query: &str,
) -> ApiResult<Found<'a>> {
    let at = form.instant()?;
    let origin: Origin = if !form.address.is_empty() {
        geocode_address(geocoder, dir, &form.address).await?
    } else {
        let postal = (!form.postal_code.is_empty()).then_some(("postal_code", form.postal_code.as_str()));
        origin(dir, None, None, postal, filter)?.ok_or_else(|| {
            ApiError::invalid_param("postal_code", "give a postal code, a municipality or a street address")
        })?
    };
    let (places, remote) = nearest_places(dir, &origin, filter, RESULTS, None, Some(at), at);
    let reach = places.iter().map(|(_, d)| *d).fold(UNKNOWN_HOURS_REACH_M, f64::max);
    let (unknown_hours, _) = nearest_matching(dir, &origin, filter, UNKNOWN_HOURS_MAX, Some(reach), at, |l| {
        hours_unknown(dir, l, filter.topics)
    });
    let diagnosis = if places.is_empty() { Some(diagnose(dir, lang, form, filter, &origin, at, query)) } else { None };
    let shown: Vec<&str> = places
        .iter()
        .chain(unknown_hours.iter())
        .map(|(l, _)| l.id.as_str())
        .chain(remote.iter().map(|l| l.id.as_str()))
        .collect();
    let home = origin.municipality_code.as_deref();
    let mut sessions = super::events::upcoming(dir, at, at + chrono::Duration::days(SESSION_DAYS), |e| {
        let near = match e.location {
            Some(i) => {
                shown.contains(&dir.locations[i].id.as_str())
                    || (home.is_some() && dir.locations[i].address.municipality_code.as_deref() == home)
            }
            None => home.is_some_and(|m| e.doc.served_municipalities.iter().any(|s| s == m)),
        };
        near && e.topic_mask & filter.topics == filter.topics
            && filter.language.as_ref().is_none_or(|l| e.doc.languages.contains(l))
    });
    sessions.truncate(SESSIONS_MAX);
    Ok(Found { at, origin, places, unknown_hours, remote, diagnosis, sessions })
}

/// Finds the criterion that left no place: the language (no place lists it), the needs (no
/// place offers them, or not in that language), else the time. Names it, links the search
/// without it, and says when the nearest place that fits the rest next has staff.
fn diagnose(
    dir: &Directory,
    lang: Lang,
    form: &Form,
    filter: &LocationFilter,
    origin: &Origin,
    at: DateTime<Utc>,
    query: &str,
) -> Diagnosis {
    let t = texts(lang);
    let any = |f: &LocationFilter| dir.list(f).next().is_some();
    let language_name = filter
        .language
        .as_deref()
        .map(|c| dir.language(c).map(|l| l.name.in_lang(lang).to_owned()).unwrap_or_else(|| c.to_owned()));
    let topic_names = page::topic_labels(dir, lang, &form.topics).join(", ");
    let no_language = LocationFilter { language: None, ..filter.clone() };
    let no_topics = LocationFilter { topics: 0, ..filter.clone() };
    let (reason, relaxed, dropped): (String, LocationFilter, &[&str]) = match &language_name {
        Some(name) if !any(&LocationFilter { topics: 0, ..filter.clone() }) => {
            (no_place_lists_language(lang, name), no_language, &["language"])
        }
        Some(name) if filter.topics != 0 && !any(filter) => {
            if any(&no_language) {
                (no_place_offers_in_language(lang, &topic_names, name), no_language, &["language"])
            } else {
                (no_place_offers(lang, &topic_names), no_topics, &["topic"])
            }
        }
        None if filter.topics != 0 && !any(filter) => (no_place_offers(lang, &topic_names), no_topics, &["topic"]),
        _ => (t.none_staffed_then.to_owned(), filter.clone(), &[]),
    };
    // The nearest place fitting the rest whose hours are known: is it staffed then, or when next?
    let (near, _) = nearest_matching(dir, origin, &relaxed, 1, None, at, |l| {
        !hours_unknown(dir, l, relaxed.topics)
            && (dir.staffed_at(l, relaxed.topics, at) || l.next_staffed_opening(at).is_some())
    });
    let next = near.first().map(|(l, _)| {
        let when = (!dir.staffed_at(l, relaxed.topics, at))
            .then(|| l.next_staffed_opening(at).map(|w| page::when(lang, w)))
            .flatten();
        next_staffed(lang, l.name.in_lang(lang), when.as_deref())
    });
    let without = (!dropped.is_empty()).then(|| {
        let kept: Vec<&str> =
            query.split('&').filter(|kv| !dropped.iter().any(|d| kv.split('=').next() == Some(*d))).collect();
        format!("/staff?{}#results-title", kept.join("&"))
    });
    Diagnosis { reason, without, next }
}

/// The filter params the form maps to: the API's own names, so that validation is shared.
fn filter_params(form: &Form) -> Params {
    let mut q: Vec<String> = Vec::new();
    // The municipality is the origin only when no postal code or address is given.
    if !form.municipality.is_empty() && form.postal_code.is_empty() && form.address.is_empty() {
        q.push(format!("municipality={}", page::encode(&form.municipality)));
    }
    for t in &form.topics {
        q.push(format!("topic={}", page::encode(t)));
    }
    if !form.language.is_empty() {
        q.push(format!("language={}", page::encode(&form.language)));
    }
    Params::from_query(&q.join("&")).expect("built from encoded parts")
}

#[get("/staff")]
pub async fn staff(read: Reading) -> ApiResult<HttpResponse> {
    let Reading { req, dir, params, lang, state } = read;
    let lang = lang.lang();
    let t = texts(lang);
    let form = Form::read(&params)?;
    let outcome = if form.searched() {
        let fp = filter_params(&form);
        match params::location_filter(&fp, &dir) {
            Ok(mut filter) => {
                match search(state.geocoder.as_ref(), &dir, &form, &mut filter, lang, req.query_string()).await {
                    Ok(found) => Some(Ok(results(&dir, lang, &form, &found))),
                    Err(e) => Some(Err(e)),
                }
            }
            Err(e) => Some(Err(e)),
        }
    } else {
        None
    };
    let (status, results_markup) = match outcome {
        None => (StatusCode::OK, html! {}),
        Some(Ok(m)) => (StatusCode::OK, m),
        Some(Err(e)) => (e.status, error_box(lang, &e)),
    };
    let markup = layout(
        &req,
        lang,
        t.staff_title,
        html! { script src="/embed/staff.js" defer {} },
        html! {
            h1 { (t.staff_title) }
            p { (t.staff_intro) }
            @if status != StatusCode::OK { (results_markup) }
            (form_markup(&dir, lang, &form))
            @if status == StatusCode::OK { (results_markup) }
        },
    );
    if status == StatusCode::OK {
        Ok(html_page(&req, dir.version, CSP_STAFF, markup))
    } else {
        Ok(html_error(status, CSP_STAFF, markup))
    }
}

/// A problem with the search, said politely, naming the field in the interface language; the
/// API's own explanation follows (in English, marked as such).
fn error_box(lang: Lang, e: &ApiError) -> Markup {
    let t = texts(lang);
    let field = match e.parameter.as_deref() {
        Some("postal_code") => Some(t.postal_code),
        Some("municipality") => Some(t.municipality),
        Some("address") => Some(t.street_address),
        Some("topic") => Some(t.needs_legend),
        Some("language") => Some(t.language_of_service),
        Some("date") => Some(t.date),
        Some("time") => Some(t.time),
        _ => None,
    };
    html! {
        section.error role="alert" aria-labelledby="error-title" {
            h2 #error-title { (t.error_title) }
            @if e.parameter.as_deref() == Some("address") {
                p { (t.address_unavailable) }
            } @else if let Some(field) = field {
                p { (t.check_field) " " strong { (field) } "." }
            }
            p.detail lang="en" { (e.detail) }
        }
    }
}

fn form_markup(dir: &Directory, lang: Lang, form: &Form) -> Markup {
    let t = texts(lang);
    let today = helsinki_date(Utc::now()).format("%Y-%m-%d").to_string();
    html! {
        form.staff method="get" action="/staff#results-title" {
            input type="hidden" name="lang" value=(lang.code());
            fieldset {
                legend { (t.where_legend) }
                p.hint #where-hint { (t.give_a_place) }
                div.field {
                    label for="postal_code" { (t.postal_code) }
                    input #postal_code type="text" name="postal_code" inputmode="numeric" autocomplete="postal-code" pattern="[0-9]{5}" size="6" value=(form.postal_code) aria-describedby="where-hint";
                }
                div.field {
                    label for="municipality" { (t.municipality) }
                    select #municipality name="municipality" {
                        option value="" { (t.any_municipality) }
                        @for m in &dir.municipalities {
                            option value=(m.code) selected[form.municipality == m.code || form.municipality.eq_ignore_ascii_case(&m.name.fi)] { (m.name.in_lang(lang)) }
                        }
                    }
                }
                div.field {
                    label for="address" { (t.street_address) }
                    input #address type="text" name="address" autocomplete="street-address" value=(form.address) aria-describedby="address-hint";
                    p.hint #address-hint { (t.street_address_hint) }
                }
            }
            fieldset {
                legend { (t.needs_legend) }
                ul.checks {
                    @for topic in &dir.topics {
                        li {
                            input type="checkbox" name="topic" value=(topic.code) id=(format!("topic-{}", topic.code)) checked[form.topics.contains(&topic.code)];
                            label for=(format!("topic-{}", topic.code)) { (topic.label.in_lang(lang)) }
                        }
                    }
                }
            }
            div.field {
                label for="language" { (t.language_of_service) }
                select #language name="language" {
                    option value="" { (t.any_language) }
                    // Only languages some place lists, with how many places list each.
                    @for l in dir.languages.iter().filter(|l| l.location_count > 0 || form.language == l.code) {
                        option value=(l.code) selected[form.language == l.code] { (l.name.in_lang(lang)) " (" (l.location_count) ")" }
                    }
                }
            }
            fieldset.when {
                legend { (t.when_legend) }
                div.radio {
                    input #when-now type="radio" name="when" value="now" checked[!form.when_at];
                    label for="when-now" { (t.when_now) }
                }
                div.radio {
                    input #when-at type="radio" name="when" value="at" checked[form.when_at];
                    label for="when-at" { (t.when_at) }
                }
                // "Now" disables these (staff.js; without script, CSS greys them out and the
                // server ignores them when "Now" is chosen).
                div.field.when-at {
                    label for="date" { (t.date) }
                    input #date type="date" name="date" value=(if form.date.is_empty() { today.as_str() } else { form.date.as_str() });
                }
                div.field.when-at {
                    label for="time" { (t.time) }
                    input #time type="time" name="time" value=(if form.time.is_empty() { "12:00" } else { form.time.as_str() });
                }
            }
            button type="submit" { (t.search) }
        }
    }
}

/// The link to a referral slip naming one session (for sessions at a place).
fn session_link(dir: &Directory, lang: Lang, form: &Form, e: &Event, o: &Occurrence) -> Markup {
    let Some(i) = e.location else { return html! {} };
    if o.status == "cancelled" {
        return html! {};
    }
    let mut href = format!(
        "/v1/locations/{}/referral?lang={}&event={}&date={}",
        page::encode(&dir.locations[i].id),
        lang.code(),
        page::encode(&e.id),
        o.date
    );
    for code in &form.topics {
        href.push_str(&format!("&topic={}", page::encode(code)));
    }
    html! { p.links { a href=(href) { (super::events::event_texts(lang).print_session) span.visually-hidden { ": " (e.doc.title.in_lang(lang)) } } } }
}

fn results(dir: &Directory, lang: Lang, form: &Form, found: &Found) -> Markup {
    let t = texts(lang);
    let et = super::events::event_texts(lang);
    let day = helsinki_date(found.at);
    let now = !form.when_at;
    let extra = |loc: &Location| -> Markup {
        let hours_that_day = loc.hours.as_ref().map(|h| {
            let mut s = page::day_text(lang, &h.hours.day(day));
            if hours_unconfirmed(h) {
                s.push_str(&format!(" ({})", t.hours_unconfirmed));
            }
            s
        });
        // The services that fit the patron's needs (all, when no need was chosen).
        let services: Vec<_> = loc
            .services
            .iter()
            .filter(|sal| {
                let s = &dir.services[sal.service];
                form.topics.is_empty() || form.topics.iter().any(|c| s.topics.contains(c))
            })
            .collect();
        html! {
            dl {
                dt { (t.hours_that_day) " (" (page::day_label(lang, day)) ")" }
                dd { (hours_that_day.unwrap_or_else(|| capitalized(t.hours_unknown_call))) }
            }
            @if !services.is_empty() {
                h4 { (t.what_they_do) }
                ul.services {
                    @for sal in services {
                        @let s = &dir.services[sal.service];
                        li {
                            strong { (s.name.in_lang(lang)) } ". "
                            (assistance_level(lang, s.assistance_level))
                            @if let Some(h) = &sal.hours {
                                " " (t.own_hours) ": " (page::day_text(lang, &h.hours.day(day)))
                                @if hours_unconfirmed(h) { " (" (t.hours_unconfirmed) ")" }
                                "."
                            }
                        }
                    }
                }
            }
        }
    };
    let card = |d: Option<f64>, loc: &Location| Card {
        at: found.at,
        now,
        distance: d.map(|d| found.origin.distance_to(loc, d)),
        topics: &form.topics,
        heading: 3,
        referral_label: t.print_referral,
    };
    let shown = found.places.iter().map(|(l, _)| *l).chain(found.unknown_hours.iter().map(|(l, _)| *l));
    let authorized = shown.chain(found.remote.iter().copied()).any(|l| {
        l.services.iter().any(|s| dir.services[s.service].assistance_level == AssistanceLevel::AuthorizedAssistance)
    });
    html! {
        section.results aria-labelledby="results-title" {
            h2 #results-title { (t.results) " (" (if now { t.when_now.to_owned() } else { page::when(lang, found.at) }) ")" }
            @if authorized {
                p.note { (t.dvv_note_guidance) " " (t.dvv_authorized) }
            } @else {
                p.note { (t.dvv_note) }
            }
            @if let Some(d) = &found.diagnosis {
                div.diagnosis role="status" {
                    p { strong { (d.reason) } }
                    @if let Some(next) = &d.next { p { (next) } }
                    @if let Some(href) = &d.without { p { a href=(href) { (t.search_without) } } } @else { p { (t.try_other_time) } }
                }
            }
            @if !found.places.is_empty() {
                ol.places {
                    @for (loc, d) in &found.places {
                        li { (place_card(dir, lang, loc, &card(Some(*d), loc), extra(loc))) }
                    }
                }
            }
        }
        @if !found.unknown_hours.is_empty() {
            section.results aria-labelledby="unknown-hours-title" {
                h2 #unknown-hours-title { (t.unknown_hours_tier) }
                ul.places {
                    @for (loc, d) in &found.unknown_hours {
                        li { (place_card(dir, lang, loc, &card(Some(*d), loc), extra(loc))) }
                    }
                }
            }
        }
        section.results.sessions aria-labelledby="sessions-title" {
            h2 #sessions-title { (et.staff_sessions) }
            @if found.sessions.is_empty() { p { (et.no_sessions) } }
            ul.events {
                @for (e, o) in &found.sessions {
                    li { (super::events::occurrence_item(dir, lang, e, o, 3, session_link(dir, lang, form, e, o))) }
                }
            }
        }
        section.results aria-labelledby="remote-title" {
            h2 #remote-title { (t.remote_options) }
            @if found.remote.is_empty() { p { (t.no_remote) } }
            ul.places {
                @for loc in &found.remote {
                    li { (place_card(dir, lang, loc, &card(None, loc), extra(loc))) }
                }
            }
        }
    }
}
