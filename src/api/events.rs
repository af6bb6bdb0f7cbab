//! Public event endpoints: the events, their expanded occurrences in a window, and iCalendar
//! feeds (all events, or those of a location, an organization or a municipality). All from the
//! snapshot, with ETag/304 and `lang`.

use actix_web::{get, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::directory::events::{Event, EventFilter};
use crate::directory::Directory;
use crate::error::{ApiError, ApiResult, Problem};
use crate::events::{ics, Occurrence, MAX_WINDOW_DAYS};
use crate::http::params::{LangParams, Params};
use crate::http::read::Reading;
use crate::http::respond::{public_bytes, public_json, LangMode, RowTag, Text};
use crate::http::views::helsinki_time;

/// A reference to an organization or a location.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ref {
    #[schema(example = "jns-paakirjasto")]
    pub id: String,
    pub name: Text,
}

/// Registration instructions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationOut {
    pub url: Option<String>,
    pub phone: Option<String>,
    /// Local Europe/Helsinki time with offset.
    pub deadline: Option<String>,
    pub text: Option<Text>,
}

/// One occurrence of an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrenceOut {
    #[schema(example = "jns-digikahvila-kevat-2027")]
    pub event_id: String,
    pub title: Text,
    /// The occurrence's original local date (its identity; moved occurrences keep it).
    #[schema(value_type = String, example = "2027-02-16")]
    pub date: NaiveDate,
    /// Start and end in Helsinki time, with their UTC offset.
    #[schema(example = "2027-02-16T10:00:00+02:00")]
    pub start: String,
    #[schema(example = "2027-02-16T12:00:00+02:00")]
    pub end: String,
    /// `scheduled`, `cancelled` or `moved`.
    #[schema(example = "scheduled")]
    pub status: String,
    pub note: Option<Text>,
    pub location: Option<Ref>,
    /// The location is closed that day (a holiday or an exception in its hours): the
    /// occurrence should be checked with the organizer before going.
    pub location_closed: bool,
    /// Why the location is closed that day.
    pub location_closed_reason: Option<Text>,
    /// Great-circle distance from the search origin (when one was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// The event's confidence: verified, approximate or assumed.
    #[schema(example = "verified")]
    pub confidence: String,
}

/// A dated digital-help event, one-off or recurring.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    #[schema(example = "jns-digikahvila-kevat-2027")]
    pub id: String,
    pub title: Text,
    pub description: Option<Text>,
    pub organization: Ref,
    pub co_organizers: Vec<Ref>,
    pub location: Option<Ref>,
    pub online_url: Option<String>,
    pub served_municipalities: Vec<String>,
    /// Local start and end of the first occurrence, Helsinki time with offset.
    #[schema(example = "2027-01-12T10:00:00+02:00")]
    pub start: String,
    #[schema(example = "2027-01-12T12:00:00+02:00")]
    pub end: String,
    /// RFC 5545 recurrence rule; null for a one-off event.
    #[schema(example = "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270427T210000Z")]
    pub rrule: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub exdates: Vec<NaiveDate>,
    pub topics: Vec<String>,
    pub languages: Vec<String>,
    pub audience: Vec<String>,
    /// drop_in, registration_required or course.
    #[schema(example = "drop_in")]
    pub delivery_mode: String,
    pub capacity: Option<i32>,
    pub registration: Option<RegistrationOut>,
    pub cost: Option<Text>,
    /// guidance, authorized_assistance or information_only (DVV guidelines).
    #[schema(example = "guidance")]
    pub assistance_level: String,
    /// `scheduled`, or `cancelled` (the whole series).
    #[schema(example = "scheduled")]
    pub status: String,
    /// The next occurrences (at most 5) from the evaluation instant.
    pub next_occurrences: Vec<OccurrenceOut>,
    /// verified, approximate or assumed.
    #[schema(example = "verified")]
    pub confidence: String,
    #[schema(example = "manual")]
    pub source: String,
    #[schema(value_type = Vec<crate::http::schemas::SourceRef>)]
    pub sources: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrenceList {
    /// The window asked for, Helsinki time.
    pub from: String,
    pub to: String,
    /// In time order.
    pub items: Vec<OccurrenceOut>,
}

fn org_ref(dir: &Directory, i: usize, lang: LangMode) -> Ref {
    let o = &dir.organizations[i];
    Ref { id: o.id.clone(), name: lang.text(&o.name) }
}

fn location_ref(dir: &Directory, ev: &Event, lang: LangMode) -> Option<Ref> {
    ev.location.map(|i| Ref { id: dir.locations[i].id.clone(), name: lang.text(&dir.locations[i].name) })
}

pub fn occurrence_out(
    dir: &Directory,
    ev: &Event,
    o: &Occurrence,
    lang: LangMode,
    distance_m: Option<f64>,
) -> OccurrenceOut {
    // A holiday or a dated exception that closes the place that day (not a regular closed
    // weekday: events may well be held outside opening hours).
    let closed = ev.place_closed_on(dir, o).flatten();
    OccurrenceOut {
        event_id: ev.id.clone(),
        title: lang.text(&ev.doc.title),
        date: o.date,
        start: helsinki_time(o.start),
        end: helsinki_time(o.end),
        status: o.status.clone(),
        note: lang.opt(&o.note),
        location: location_ref(dir, ev, lang),
        location_closed: closed.is_some(),
        location_closed_reason: closed.as_ref().map(|r| lang.text(r)),
        distance_m: distance_m.map(|d| (d * 10.0).round() / 10.0),
        confidence: ev.provenance.confidence.to_string(),
    }
}

pub fn event_out(dir: &Directory, ev: &Event, lang: LangMode, at: DateTime<Utc>) -> EventOut {
    let d = &ev.doc;
    let next: Vec<OccurrenceOut> = ev
        .occurrences(at, at + Duration::days(MAX_WINDOW_DAYS))
        .iter()
        .filter(|o| o.end > at)
        .take(5)
        .map(|o| occurrence_out(dir, ev, o, lang, None))
        .collect();
    EventOut {
        id: ev.id.clone(),
        title: lang.text(&d.title),
        description: lang.opt(&d.description),
        organization: org_ref(dir, ev.organization, lang),
        co_organizers: d
            .co_organizers
            .iter()
            .filter_map(|id| dir.organization(id).map(|o| Ref { id: o.id.clone(), name: lang.text(&o.name) }))
            .collect(),
        location: location_ref(dir, ev, lang),
        online_url: d.online_url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        served_municipalities: d.served_municipalities.clone(),
        start: helsinki_time(crate::events::helsinki(d.start)),
        end: helsinki_time(crate::events::helsinki(d.end)),
        rrule: d.rrule.clone(),
        exdates: d.exdates.clone(),
        topics: d.topics.clone(),
        languages: d.languages.clone(),
        audience: d.audience.clone(),
        delivery_mode: d.delivery_mode.clone(),
        capacity: d.capacity,
        registration: d.registration.as_ref().map(|r| RegistrationOut {
            url: r.url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
            phone: r.phone.clone(),
            deadline: r.deadline.map(|t| helsinki_time(crate::events::helsinki(t))),
            text: lang.opt(&r.text),
        }),
        cost: lang.opt(&d.cost),
        assistance_level: d.assistance_level.clone(),
        status: if ev.cancelled { "cancelled" } else { "scheduled" }.into(),
        next_occurrences: next,
        confidence: ev.provenance.confidence.to_string(),
        source: ev.provenance.source.to_string(),
        sources: ev.provenance.sources.clone(),
        created_at: ev.provenance.created_at,
        updated_at: ev.provenance.updated_at,
    }
}

/// Filters of the event endpoints.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventFilterParams {
    /// Organization id: events it owns or co-organizes.
    #[param(example = "joensuun-kaupunginkirjasto")]
    pub organization: Option<String>,
    /// Location id.
    #[param(example = "jns-paakirjasto")]
    pub location: Option<String>,
    /// Municipality code or name: events at a place there, or remote events serving it.
    #[param(example = "Joensuu")]
    pub municipality: Option<String>,
    /// Topic code, repeatable: events about all of them.
    #[param(example = json!(["phone_tablet_basics"]))]
    pub topic: Option<Vec<String>>,
    /// ISO 639-1 language code.
    #[param(example = "fi")]
    pub language: Option<String>,
    /// Audience, e.g. `seniors`.
    #[param(example = "seniors")]
    pub audience: Option<String>,
}

/// The window and origin of the occurrence list.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WindowParams {
    /// First day (YYYY-MM-DD, Helsinki) or RFC 3339 instant; default now.
    #[param(example = "2027-02-01")]
    pub from: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD) or RFC 3339 instant; default 30 days after `from`;
    /// at most 366 days after it.
    #[param(example = "2027-02-28")]
    pub to: Option<String>,
    /// Latitude of the origin for distances (with `lon`).
    #[param(example = 62.6)]
    pub lat: Option<f64>,
    #[param(example = 29.76)]
    pub lon: Option<f64>,
    /// A postal code as the origin for distances.
    #[param(example = "80100")]
    pub postal_code: Option<String>,
}

fn filter(params: &Params, dir: &Directory) -> ApiResult<EventFilter> {
    let organization = match params.one("organization")? {
        Some(o) => Some(
            dir.organization(o)
                .ok_or_else(|| ApiError::invalid_param("organization", format!("unknown organization {o:?}")))?
                .id
                .clone(),
        ),
        None => None,
    };
    let location = match params.one("location")? {
        Some(l) => Some(
            dir.location_index(l)
                .ok_or_else(|| ApiError::invalid_param("location", format!("unknown location {l:?}")))?,
        ),
        None => None,
    };
    let municipality = match params.one("municipality")? {
        Some(m) => Some(
            dir.find_municipality(m)
                .ok_or_else(|| ApiError::invalid_param("municipality", format!("unknown municipality {m:?}")))?
                .code
                .clone(),
        ),
        None => None,
    };
    let mut topics = 0;
    for t in params.all("topic") {
        topics |= dir.topic(t).ok_or_else(|| ApiError::invalid_param("topic", format!("unknown topic {t:?}")))?.bit;
    }
    Ok(EventFilter {
        organization,
        location,
        municipality,
        topics,
        language: params.one("language")?.map(str::to_owned),
        audience: params.one("audience")?.map(str::to_owned),
        ..Default::default()
    })
}

/// Events, filtered, in id order, each with its next occurrences.
#[utoipa::path(
    tag = "events",
    params(EventFilterParams, LangParams),
    responses(
        (status = 200, description = "Events", body = EventList),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/events")]
pub async fn list_events(read: Reading) -> ApiResult<HttpResponse> {
    let Reading { req, dir, params, lang, .. } = read;
    let f = filter(&params, &dir)?;
    let now = Utc::now();
    let items = dir.events.iter().filter(|e| f.matches(&dir, e)).map(|e| event_out(&dir, e, lang, now)).collect();
    Ok(public_json(&req, dir.version, &EventList { items }))
}

/// An instant or a Helsinki day (its start, or with `end_of_day` the start of the next day).
fn bound(params: &Params, name: &str, end_of_day: bool) -> ApiResult<Option<DateTime<Utc>>> {
    let Some(v) = params.one(name)? else { return Ok(None) };
    if let Ok(d) = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
        let day = if end_of_day { d.succ_opt().unwrap_or(d) } else { d };
        return Ok(Some(crate::events::helsinki(day.and_hms_opt(0, 0, 0).unwrap_or_default())));
    }
    DateTime::parse_from_rfc3339(v.trim())
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| ApiError::invalid_param(name, "must be a date YYYY-MM-DD or an RFC 3339 instant"))
}

/// Occurrences of the matching events in a window (at most 366 days), in time order; with an
/// origin (`lat`+`lon` or `postal_code`), each occurrence at a place carries its distance.
#[utoipa::path(
    tag = "events",
    params(WindowParams, EventFilterParams, LangParams),
    responses(
        (status = 200, description = "Occurrences in time order", body = OccurrenceList),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A parameter is invalid, or the window is longer than 366 days", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/events/occurrences")]
pub async fn list_occurrences(read: Reading) -> ApiResult<HttpResponse> {
    let Reading { req, dir, params, lang, .. } = read;
    let f = filter(&params, &dir)?;
    let from = bound(&params, "from", false)?.unwrap_or_else(Utc::now);
    let to = bound(&params, "to", true)?.unwrap_or(from + Duration::days(30));
    if to <= from {
        return Err(ApiError::invalid_param("to", "must be after from"));
    }
    if to - from > Duration::days(MAX_WINDOW_DAYS) {
        return Err(ApiError::invalid_param("to", format!("the window may be at most {MAX_WINDOW_DAYS} days")));
    }
    let mut filter_unused = crate::directory::LocationFilter::default();
    let lat = params.number_in("lat", -90.0, 90.0)?;
    let lon = params.number_in("lon", -180.0, 180.0)?;
    let origin = crate::http::nearest::origin(
        &dir,
        lat,
        lon,
        params.one("postal_code")?.map(|p| ("postal_code", p)),
        &mut filter_unused,
    )?;
    let mut items: Vec<OccurrenceOut> = Vec::new();
    for ev in dir.events.iter().filter(|e| f.matches(&dir, e)) {
        let distance = origin.as_ref().and_then(|o| {
            let (lat, lon) = dir.locations[ev.location?].coordinates?;
            Some(crate::geo::distance_m(o.lat, o.lon, lat, lon))
        });
        for o in ev.occurrences(from, to) {
            items.push(occurrence_out(&dir, ev, &o, lang, distance));
        }
    }
    items.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.event_id.cmp(&b.event_id)));
    let body = OccurrenceList { from: helsinki_time(from), to: helsinki_time(to), items };
    Ok(public_json(&req, dir.version, &body))
}

/// One event.
#[utoipa::path(
    tag = "events",
    params(("id" = String, Path, description = "Event id"), LangParams),
    responses(
        (status = 200, description = "The event", body = EventOut),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/events/{id}")]
pub async fn get_event(read: Reading) -> ApiResult<HttpResponse> {
    let ev = read.find("event", Directory::event)?;
    Ok(public_json(
        &read.req,
        RowTag::new(&ev.id, ev.provenance.version),
        &event_out(&read.dir, ev, read.lang, Utc::now()),
    ))
}

/// An iCalendar feed of the events that pass `keep`.
fn feed(read: &Reading, name: &str, keep: impl Fn(&Directory, &Event) -> bool) -> ApiResult<HttpResponse> {
    let Reading { req, dir, state, .. } = read;
    let lang = read.lang.lang();
    let base = state.proxy.base_url(req);
    let events: Vec<ics::FeedEvent> = dir
        .events
        .iter()
        .filter(|e| keep(&dir, e))
        .map(|e| ics::FeedEvent {
            id: &e.id,
            doc: &e.doc,
            cancelled: e.cancelled,
            updated_at: e.provenance.updated_at,
            location: e.location.map(|i| {
                let l = &dir.locations[i];
                let address =
                    [l.address.street.as_deref(), l.address.postal_code.as_deref(), l.address.post_office.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                format!("{}, {address}", l.name.in_lang(lang)).trim_end_matches(", ").to_owned()
            }),
            url: format!("{base}/v1/events/{}", e.id),
        })
        .collect();
    // DTSTAMP is the snapshot's build time: the feed's bytes (and ETag) change with the data only.
    let body = ics::calendar(name, lang, &events, dir.built_at);
    Ok(public_bytes(req, dir.version, "text/calendar; charset=utf-8", body.into_bytes()))
}

/// All events as an iCalendar (RFC 5545) feed: series keep their RRULE and EXDATEs, cancelled
/// or moved occurrences are overriding VEVENTs (RECURRENCE-ID), times in Europe/Helsinki.
#[utoipa::path(
    tag = "events",
    params(LangParams),
    responses(
        (status = 200, description = "iCalendar feed", content_type = "text/calendar", body = String),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/events.ics")]
pub async fn events_ics(read: Reading) -> ApiResult<HttpResponse> {
    feed(&read, "Digituki", |_, _| true)
}

/// The events at one location, as an iCalendar feed.
#[utoipa::path(
    tag = "events",
    params(("id" = String, Path, description = "Location id"), LangParams),
    responses(
        (status = 200, description = "iCalendar feed", content_type = "text/calendar", body = String),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such location", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/locations/{id}/events.ics")]
pub async fn location_events_ics(read: Reading) -> ApiResult<HttpResponse> {
    let id = read.id()?;
    let i = read.dir.location_index(&id).ok_or_else(|| ApiError::not_found("location", &id))?;
    feed(&read, &format!("Digituki: {}", read.dir.locations[i].name.fi), |_, e| e.location == Some(i))
}

/// The events an organization owns or co-organizes, as an iCalendar feed.
#[utoipa::path(
    tag = "events",
    params(("id" = String, Path, description = "Organization id"), LangParams),
    responses(
        (status = 200, description = "iCalendar feed", content_type = "text/calendar", body = String),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/organizations/{id}/events.ics")]
pub async fn organization_events_ics(read: Reading) -> ApiResult<HttpResponse> {
    let id = read.id()?;
    let i = read.dir.organization_index(&id).ok_or_else(|| ApiError::not_found("organization", &id))?;
    let name = format!("Digituki: {}", read.dir.organizations[i].name.fi);
    feed(&read, &name, |_, e| e.organization == i || e.doc.co_organizers.iter().any(|o| *o == *id))
}

/// The events in a municipality (at a place there, or remote help serving it), as iCalendar.
#[utoipa::path(
    tag = "events",
    params(("code" = String, Path, description = "Municipality code or name", example = "167"), LangParams),
    responses(
        (status = 200, description = "iCalendar feed", content_type = "text/calendar", body = String),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such municipality", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/municipalities/{code}/events.ics")]
pub async fn municipality_events_ics(read: Reading) -> ApiResult<HttpResponse> {
    let code = read.req.match_info().get("code").unwrap_or("");
    let m = read.dir.find_municipality(code).ok_or_else(|| ApiError::not_found("municipality", code))?;
    let (name, code) = (format!("Digituki: {}", m.name.fi), m.code.clone());
    feed(&read, &name, move |dir, e| {
        e.location.is_some_and(|i| dir.locations[i].address.municipality_code.as_deref() == Some(code.as_str()))
            || e.doc.served_municipalities.contains(&code)
    })
}
