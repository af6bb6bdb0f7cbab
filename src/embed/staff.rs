//! `/staff`: the referral tool for library and service-point staff. A plain HTML form (it
//! works without JavaScript) that searches by the patron's postal code, municipality or
//! street address, needs, language and the time they can go, and shows the nearest places
//! that fit with that day's hours, what they do and do not do, remote options, and a link to
//! a printable referral slip for each.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use maud::{html, Markup};

use crate::api::locations::{geocode_address, nearest_places, origin, Origin};
use crate::api::params::{self, Params};
use crate::api::respond::LangMode;
use crate::api::AppState;
use crate::directory::{Directory, Location, LocationFilter};
use crate::error::{ApiError, ApiResult};
use crate::hours::{helsinki_date, helsinki_to_utc};
use crate::i18n::Lang;

use super::list::place_card;
use super::page::{self, html_error, html_page, layout, CSP_OWN};
use super::texts::{assistance_level, texts};

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

struct Found<'a> {
    at: DateTime<Utc>,
    places: Vec<(&'a Location, f64)>,
    remote: Vec<&'a Location>,
}

async fn search<'a>(
    geocoder: Option<&crate::geocode::Geocoder>,
    dir: &'a Directory,
    form: &Form,
    filter: &mut LocationFilter,
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
    let (places, remote) = nearest_places(dir, &origin, filter, RESULTS, None, Some(at));
    Ok(Found { at, places, remote })
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
pub async fn staff(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let params = Params::from_request(&req)?;
    let lang = LangMode::from_request(&req, &params)?.lang();
    let t = texts(lang);
    let form = Form::read(&params)?;
    let outcome = if form.searched() {
        let fp = filter_params(&form);
        match params::location_filter(&fp, &dir) {
            Ok(mut filter) => match search(state.geocoder.as_ref(), &dir, &form, &mut filter).await {
                Ok(found) => Some(Ok(results(&dir, lang, &form, &found))),
                Err(e) => Some(Err(e)),
            },
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
        html! {},
        html! {
            h1 { (t.staff_title) }
            p { (t.staff_intro) }
            @if status != StatusCode::OK { (results_markup) }
            (form_markup(&dir, lang, &form))
            @if status == StatusCode::OK { (results_markup) }
        },
    );
    if status == StatusCode::OK {
        Ok(html_page(&req, dir.version, CSP_OWN, markup))
    } else {
        Ok(html_error(status, CSP_OWN, markup))
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
                    @for l in &dir.languages {
                        option value=(l.code) selected[form.language == l.code] { (l.name.in_lang(lang)) }
                    }
                }
            }
            fieldset {
                legend { (t.when_legend) }
                div.radio {
                    input #when-now type="radio" name="when" value="now" checked[!form.when_at];
                    label for="when-now" { (t.when_now) }
                }
                div.radio {
                    input #when-at type="radio" name="when" value="at" checked[form.when_at];
                    label for="when-at" { (t.when_at) }
                }
                div.field {
                    label for="date" { (t.date) }
                    input #date type="date" name="date" value=(if form.date.is_empty() { today.as_str() } else { form.date.as_str() });
                }
                div.field {
                    label for="time" { (t.time) }
                    input #time type="time" name="time" value=(if form.time.is_empty() { "12:00" } else { form.time.as_str() });
                }
            }
            button type="submit" { (t.search) }
        }
    }
}

fn results(dir: &Directory, lang: Lang, form: &Form, found: &Found) -> Markup {
    let t = texts(lang);
    let day = helsinki_date(found.at);
    let extra = |loc: &Location| -> Markup {
        let hours_that_day = loc.hours.as_ref().map(|h| page::day_text(lang, &h.hours.day(day)));
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
                dd { (hours_that_day.unwrap_or_else(|| t.hours_unknown.to_owned())) }
            }
            h4 { (t.what_they_do) }
            ul.services {
                @for sal in services {
                    @let s = &dir.services[sal.service];
                    li {
                        strong { (s.name.in_lang(lang)) } ". "
                        (assistance_level(lang, &s.assistance_level))
                        @if let Some(h) = &sal.hours { " " (t.own_hours) ": " (page::day_text(lang, &h.hours.day(day))) "." }
                    }
                }
            }
        }
    };
    html! {
        section.results aria-labelledby="results-title" {
            h2 #results-title { (t.results) " (" (page::when(lang, found.at)) ")" }
            p.note { (t.dvv_note) }
            @if found.places.is_empty() { p role="status" { (t.none_open) } }
            ol.places {
                @for (loc, d) in &found.places {
                    li { (place_card(dir, lang, loc, found.at, Some(*d), &form.topics, extra(loc))) }
                }
            }
            h2 { (t.remote_options) }
            @if found.remote.is_empty() { p { (t.no_remote) } }
            ul.places {
                @for loc in &found.remote {
                    li { (place_card(dir, lang, loc, found.at, None, &form.topics, extra(loc))) }
                }
            }
        }
    }
}
