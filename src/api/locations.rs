//! Public location endpoints: list with filters, one by id, nearest.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::directory::{Directory, Location};
use crate::error::{ApiError, ApiResult, Problem};
use crate::geo;
use crate::http::answers::{self, Answer};
use crate::http::nearest::{evaluation_instant, geocode_address, nearest_places, origin, Origin};
use crate::http::params::{self, LangParams, LocationFilterParams, PageParams, Params, TimeParams, View, ViewParams};
use crate::http::read::Reading;
use crate::http::respond::{public_json, LangMode, RowTag};
use crate::http::state::AppState;
use crate::http::views::{self, LocationOut};
use chrono::{DateTime, Utc};

crate::http::respond::page_type!(
    /// A page of locations.
    LocationPage {
    /// Full records, or with `view=summary` summaries.
    items: views::LocationItem,
    /// Number of matching locations on all pages.
    total: 40
});

/// List locations, filtered, in alphabetical order of their Finnish names.
#[utoipa::path(
    tag = "locations",
    params(LocationFilterParams, TimeParams, PageParams, ViewParams, LangParams),
    responses(
        (status = 200, description = "A page of matching locations (gzip or brotli when accepted)", body = LocationPage),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/locations")]
pub async fn list_locations(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let key = answers::key(&req);
    if let Some(answer) = state.answers.get(&dir, &key) {
        return Ok(answer.respond(&req));
    }
    let params = Params::from_request(&req)?;
    let lang = LangMode::from_request(&req, &params)?;
    let view = ViewParams::parse(&params)?;
    let filter = params::location_filter(&params, &dir)?;
    let (at, open_at) = params::times(&params)?;
    let at = evaluation_instant(&params, at, open_at)?;
    let (page, per_page) = params::page(&params)?;
    let mut total = 0;
    let mut items = Vec::new();
    for loc in dir.list(&filter).filter(|l| open_at.is_none_or(|t| dir.staffed_at(l, filter.topics, t))) {
        if total >= (page - 1) * per_page && items.len() < per_page {
            items.push((loc, None));
        }
        total += 1;
    }
    // `LocationPage`, serialised from the pre-rendered locations.
    let mut out = Vec::with_capacity(1024 + items.len() * 4096);
    out.extend_from_slice(b"{\"items\":");
    write_items(&mut out, &state, &dir, &items, view, lang, at);
    out.extend_from_slice(format!(",\"total\":{total},\"page\":{page},\"per_page\":{per_page}}}").as_bytes());
    Ok(state.answers.put(&dir, key, Answer::new(dir.version, out)).respond(&req))
}

/// Writes listed locations as a JSON array: full records from their pre-rendered fragments, or
/// summaries.
pub fn write_items(
    out: &mut Vec<u8>,
    state: &AppState,
    dir: &Directory,
    items: &[(&Location, Option<views::Distance>)],
    view: View,
    lang: LangMode,
    at: DateTime<Utc>,
) {
    match view {
        View::Full => {
            let fragments = state.answers.fragments(dir);
            let indices = items.iter().map(|(l, d)| (dir.location_index(&l.id).expect("a listed location"), *d));
            crate::http::fragments::write_locations(out, &fragments, dir, indices, lang, at);
        }
        View::Summary => {
            let summaries: Vec<views::LocationSummary> =
                items.iter().map(|(l, d)| views::location_summary(dir, l, lang, at, *d)).collect();
            let _ = serde_json::to_writer(&mut *out, &summaries);
        }
    }
}

/// One location.
#[utoipa::path(
    tag = "locations",
    params(("id" = String, Path, description = "Location id", example = "jns-paakirjasto"), TimeParams, LangParams),
    responses(
        (status = 200, description = "The location, with the coming occurrences of events there", body = LocationDetail),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Malformed id or parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such location", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/locations/{id}")]
pub async fn get_location(read: Reading) -> ApiResult<HttpResponse> {
    // A malformed id, then the times, then an unknown location (in the order they are checked
    // everywhere).
    read.id()?;
    let (at, _) = params::times(&read.params)?;
    let loc = read.find("location", Directory::location)?;
    let (Reading { req, dir, .. }, lang) = (&read, read.lang);
    let mut upcoming: Vec<super::events::OccurrenceOut> = Vec::new();
    for ev in dir.events.iter().filter(|e| e.location.is_some_and(|i| std::ptr::eq(&*dir.locations[i], loc))) {
        for o in ev.occurrences(at, at + chrono::Duration::days(UPCOMING_DAYS)).iter().filter(|o| o.end > at) {
            upcoming.push(super::events::occurrence_out(&dir, ev, o, lang, None));
        }
    }
    upcoming.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.event_id.cmp(&b.event_id)));
    upcoming.truncate(UPCOMING_MAX);
    let body = LocationDetail { location: views::location(&dir, loc, lang, at, None), upcoming_events: upcoming };
    Ok(public_json(&req, RowTag::new(&loc.id, loc.provenance.version), &body))
}

/// How far ahead, and how many, event occurrences a location's detail lists.
const UPCOMING_DAYS: i64 = 90;
const UPCOMING_MAX: usize = 10;

/// A location with the coming occurrences of events held there.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationDetail {
    #[serde(flatten)]
    pub location: LocationOut,
    /// The next occurrences (at most 10, within 90 days of the evaluation instant) of events at
    /// this place, in time order; cancelled and moved ones say so.
    pub upcoming_events: Vec<super::events::OccurrenceOut>,
}

/// Where the nearest search starts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NearestParams {
    /// Latitude (WGS84), with `lon`.
    #[param(minimum = -90, maximum = 90, example = 62.6)]
    pub lat: Option<f64>,
    /// Longitude (WGS84), with `lat`.
    #[param(minimum = -180, maximum = 180, example = 29.76)]
    pub lon: Option<f64>,
    /// A North Karelian postal code: the search starts at its area's centroid.
    #[param(pattern = "^[0-9]{5}$", example = "80100")]
    pub postal_code: Option<String>,
    /// A street address (e.g. `Koskikatu 25, Joensuu`): the search starts there. Needs a
    /// geocoder configured on the server; without one the answer is a 400 naming `address`.
    #[param(example = "Koskikatu 25, Joensuu", max_length = 200)]
    pub address: Option<String>,
    // `municipality` (a starting point or a filter) is documented once, in `LocationFilterParams`.
    /// How many places to return (default 10, at most 100).
    #[param(minimum = 1, maximum = 100, example = 10)]
    pub limit: Option<usize>,
    /// Leave out places farther than this (km).
    #[param(minimum = 0, maximum = 2000, example = 25)]
    pub max_distance_km: Option<f64>,
}

impl NearestParams {
    pub fn read(params: &Params) -> ApiResult<NearestParams> {
        Ok(NearestParams {
            lat: params.number_in("lat", -90.0, 90.0)?,
            lon: params.number_in("lon", -180.0, 180.0)?,
            postal_code: params.one("postal_code")?.map(str::to_owned),
            address: params.one("address")?.map(str::to_owned),
            limit: params.int_in("limit", 1, params::MAX_PER_PAGE)?,
            max_distance_km: params.number_in("max_distance_km", 0.0, 2000.0)?,
        })
    }
}

use serde::Deserialize;

/// Nearest places, nearest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NearestResult {
    pub origin: Origin,
    /// Places with a position, ranked: from a postal-code origin, the places whose address is
    /// in that postal area first (`same_postal_area: true`); then in increasing great-circle
    /// distance (`distance_m`). Places at the same distance (the same point, often a shared
    /// municipality centre or postal-area centroid) are ordered by: staffed help at the
    /// evaluation instant (`open_at`, else `at`, else now) first, then hours known, then
    /// confidence (`verified`, `approximate`, `assumed`). Each carries `distance_approximate`:
    /// true when the origin or the place's position is an area estimate (accuracy
    /// `postal_area` or `municipality`), so the distance is only roughly right. Full records,
    /// or with `view=summary` summaries.
    pub items: Vec<views::LocationItem>,
    /// Remote help (phone, video) that serves the origin's municipality and matches the filters.
    pub remote: Vec<views::LocationItem>,
}

/// The matching places nearest to a point, a postal code's area or a municipality's centre.
#[utoipa::path(
    tag = "locations",
    params(NearestParams, LocationFilterParams, TimeParams, ViewParams, LangParams),
    responses(
        (status = 200, description = "Nearest places first, each with distance_m (gzip or brotli when accepted)", body = NearestResult),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A parameter is invalid, missing or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`address` given but the geocoder is not answering (Retry-After)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/locations/nearest")]
pub async fn nearest_locations(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let params = Params::from_request(&req)?;
    // An answer from an address depends on the geocoder: never kept.
    let key = params.one("address")?.is_none().then(|| answers::key(&req));
    if let Some(answer) = key.as_ref().and_then(|k| state.answers.get(&dir, k)) {
        return Ok(answer.respond(&req));
    }
    let lang = LangMode::from_request(&req, &params)?;
    let view = ViewParams::parse(&params)?;
    let given = NearestParams::read(&params)?;
    let (lat, lon, postal) = (given.lat, given.lon, given.postal_code.as_deref());
    let limit = given.limit.unwrap_or(10);
    let max_km = given.max_distance_km;
    let mut filter = params::location_filter(&params, &dir)?;
    let (at, open_at) = params::times(&params)?;

    let origin = match given.address.as_deref() {
        Some(address) => {
            if lat.is_some() || lon.is_some() || postal.is_some() {
                return Err(ApiError::invalid_param(
                    "address",
                    "give either address, lat+lon or postal_code, not several",
                ));
            }
            geocode_address(state.geocoder.as_ref(), &dir, address).await?
        }
        None => origin(&dir, lat, lon, postal.map(|p| ("postal_code", p)), &mut filter)?.ok_or_else(|| {
            ApiError::invalid_param("lat", "give lat+lon, postal_code, address or municipality as the origin")
        })?,
    };
    if !geo::inside_finland(origin.lat, origin.lon) && max_km.is_none() {
        // Still answered: the nearest places are simply far away.
        tracing::debug!(lat = origin.lat, lon = origin.lon, "nearest search from outside Finland");
    }
    let at = evaluation_instant(&params, at, open_at)?;
    let (found, remote) = nearest_places(&dir, &origin, &filter, limit, max_km.map(|k| k * 1000.0), open_at, at);
    let items: Vec<_> = found.into_iter().map(|(loc, d)| (loc, Some(origin.distance_to(loc, d)))).collect();
    let remote: Vec<_> = remote.into_iter().map(|loc| (loc, None)).collect();
    // `NearestResult`, serialised from the pre-rendered locations.
    let mut out = Vec::with_capacity(1024 + (items.len() + remote.len()) * 4096);
    out.extend_from_slice(b"{\"origin\":");
    serde_json::to_writer(&mut out, &origin).map_err(|e| ApiError::internal(e.to_string()))?;
    out.extend_from_slice(b",\"items\":");
    write_items(&mut out, &state, &dir, &items, view, lang, at);
    out.extend_from_slice(b",\"remote\":");
    write_items(&mut out, &state, &dir, &remote, view, lang, at);
    out.push(b'}');
    let answer = Answer::new(dir.version, out);
    Ok(match key {
        Some(key) => state.answers.put(&dir, key, answer).respond(&req),
        None => answer.respond(&req),
    })
}
