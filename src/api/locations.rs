//! Public location endpoints: list with filters, one by id, nearest.

use crate::api::respond::RowTag;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::answers::{self, Answer};
use super::params::{
    self, check_id, LangParams, LocationFilterParams, PageParams, Params, TimeParams, View, ViewParams,
};
use super::respond::{public_json, LangMode};
use super::views::{self, LocationOut};
use super::AppState;
use crate::directory::{Accuracy, Directory, Location, LocationFilter, Ranking};
use crate::error::{ApiError, ApiResult, Problem};
use crate::{geo, geocode};
use chrono::{DateTime, Utc};

/// A page of locations.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationPage {
    /// Full records, or with `view=summary` summaries.
    pub items: Vec<views::LocationItem>,
    /// Number of matching locations on all pages.
    #[schema(example = 40)]
    pub total: usize,
    #[schema(example = 1)]
    pub page: usize,
    #[schema(example = 20)]
    pub per_page: usize,
}

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
            super::fragments::write_locations(out, &fragments, dir, indices, lang, at);
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
pub async fn get_location(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let params = Params::from_request(&req)?;
    let lang = LangMode::from_request(&req, &params)?;
    check_id("id", &id)?;
    let (at, _) = params::times(&params)?;
    let loc = dir.location(&id).ok_or_else(|| ApiError::not_found("location", &id))?;
    let mut upcoming: Vec<super::events::OccurrenceOut> = Vec::new();
    for ev in dir.events.iter().filter(|e| e.location.is_some_and(|i| std::ptr::eq(&dir.locations[i], loc))) {
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
#[allow(dead_code)]
pub struct NearestParams {
    /// Latitude (WGS84), with `lon`.
    #[param(minimum = -90, maximum = 90, example = 62.6)]
    lat: Option<f64>,
    /// Longitude (WGS84), with `lat`.
    #[param(minimum = -180, maximum = 180, example = 29.76)]
    lon: Option<f64>,
    /// A North Karelian postal code: the search starts at its area's centroid.
    #[param(pattern = "^[0-9]{5}$", example = "80100")]
    postal_code: Option<String>,
    /// A street address (e.g. `Koskikatu 25, Joensuu`): the search starts there. Needs a
    /// geocoder configured on the server; without one the answer is a 400 naming `address`.
    #[param(example = "Koskikatu 25, Joensuu", max_length = 200)]
    address: Option<String>,
    // `municipality` (a starting point or a filter) is documented once, in `LocationFilterParams`.
    /// How many places to return (default 10, at most 100).
    #[param(minimum = 1, maximum = 100, example = 10)]
    limit: Option<u32>,
    /// Leave out places farther than this (km).
    #[param(minimum = 0, maximum = 2000, example = 25)]
    max_distance_km: Option<f64>,
}

use serde::Deserialize;

/// The point the search started from.
#[derive(Debug, Serialize, ToSchema)]
pub struct Origin {
    #[schema(example = 62.6008)]
    pub lat: f64,
    #[schema(example = 29.7626)]
    pub lon: f64,
    /// `coordinates`, `postal_code` (area centroid), `address` (geocoded) or `municipality`
    /// (its centre).
    #[schema(example = "postal_code")]
    pub kind: String,
    /// Municipality code of the origin, as far as known.
    #[schema(example = "167")]
    pub municipality_code: Option<String>,
    /// For `address`: how it was placed: `geocoder`, or `postal_code_centroid` when the
    /// geocoder failed and the address contained a postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "geocoder")]
    pub method: Option<String>,
    /// For `address`: `high` or `medium` (geocoder match), `approximate` (a centroid).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "high")]
    pub confidence: Option<String>,
    /// For `address`: the geocoder's label of the place found.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Koskikatu 25, Joensuu")]
    pub label: Option<String>,
    /// For `postal_code`: the code. Places whose address lies in it carry
    /// `same_postal_area: true` and come first.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "80100")]
    pub postal_code: Option<String>,
    /// How precisely the origin is known: `exact` (coordinates given), `street` (a geocoded
    /// address), `postal_area` (a postal code's centroid) or `municipality` (its centre).
    /// Distances from anything but `exact`/`street` are approximate.
    #[schema(example = "postal_area")]
    pub accuracy: String,
}

impl Origin {
    fn new(lat: f64, lon: f64, kind: &str, municipality_code: Option<String>) -> Origin {
        let accuracy = match kind {
            "coordinates" => Accuracy::Exact,
            "postal_code" => Accuracy::PostalArea,
            "address" => Accuracy::Street,
            _ => Accuracy::Municipality,
        };
        Origin {
            lat,
            lon,
            kind: kind.into(),
            municipality_code,
            method: None,
            confidence: None,
            label: None,
            postal_code: None,
            accuracy: accuracy.as_str().into(),
        }
    }

    /// True when the origin is a point (given, or a geocoded street address), not an area.
    pub fn is_precise(&self) -> bool {
        self.accuracy == "exact" || self.accuracy == "street"
    }

    /// How far a place is, and how sure that distance is.
    pub fn distance_to(&self, loc: &Location, metres: f64) -> views::Distance {
        views::Distance {
            metres,
            approximate: !(self.is_precise() && loc.accuracy.is_precise()),
            same_postal_area: self
                .postal_code
                .as_ref()
                .map(|pc| self.kind == "postal_code" && loc.address.postal_code.as_ref() == Some(pc)),
        }
    }
}

/// The origin from a typed address: the configured geocoder, else a postal code in the text.
/// Without a geocoder the answer is a 400 naming `address`.
pub async fn geocode_address(geocoder: Option<&geocode::Geocoder>, dir: &Directory, text: &str) -> ApiResult<Origin> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 200 {
        return Err(ApiError::invalid_param("address", "must be 1 to 200 characters"));
    }
    let geocoder = geocoder.ok_or_else(|| {
        ApiError::invalid_param(
            "address",
            "street-address search needs a geocoder, and none is configured on this server; search by postal_code, lat+lon or municipality instead",
        )
    })?;
    let failure = match geocoder.search(text).await {
        Ok(Some(hit)) => {
            let mut o =
                Origin::new(hit.lat, hit.lon, "address", dir.municipality_near(hit.lat, hit.lon).map(str::to_owned));
            o.method = Some("geocoder".into());
            o.confidence = Some(if hit.confidence >= 0.8 { "high" } else { "medium" }.into());
            o.accuracy =
                Accuracy::from_method(Some(&format!("geocoder ({})", hit.layer.as_deref().unwrap_or(""))), None)
                    .as_str()
                    .into();
            o.label = hit.label;
            return Ok(o);
        }
        Ok(None) => None,
        Err(e) => Some(e),
    };
    if let Some(pc) = geocode::postal_code_in(text).and_then(|c| dir.postal_code(c)) {
        if let Some((lat, lon)) = pc.centroid {
            let mut o = Origin::new(lat, lon, "address", Some(pc.municipality_code.clone()));
            o.method = Some("postal_code_centroid".into());
            o.confidence = Some("approximate".into());
            o.accuracy = Accuracy::PostalArea.as_str().into();
            return Ok(o);
        }
    }
    Err(match failure {
        None => ApiError::invalid_param("address", format!("no place found for {text:?}")),
        Some(e) => {
            tracing::warn!(error = %e, "geocoding a nearest-search address failed");
            let mut err = ApiError::unavailable(format!(
                "address: the geocoder is not answering right now; try again, or give postal_code or lat+lon ({e})"
            ));
            err.parameter = Some("address".into());
            err.errors
                .push(crate::error::FieldError { field: "address".into(), message: "geocoder unavailable".into() });
            err
        }
    })
}

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
    let lat = params.number_in("lat", -90.0, 90.0)?;
    let lon = params.number_in("lon", -180.0, 180.0)?;
    let postal = params.one("postal_code")?;
    let limit = params.int_in("limit", 1, params::MAX_PER_PAGE)?.unwrap_or(10);
    let max_km = params.number_in("max_distance_km", 0.0, 2000.0)?;
    let mut filter = params::location_filter(&params, &dir)?;
    let (at, open_at) = params::times(&params)?;

    let origin = match params.one("address")? {
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

/// The search origin from coordinates, a postal code (`postal` = (parameter name, value)) or,
/// when neither is given, the municipality filter (which then becomes the origin instead of a
/// filter, so that neighbouring municipalities count too). `None` when nothing was given.
pub fn origin(
    dir: &Directory,
    lat: Option<f64>,
    lon: Option<f64>,
    postal: Option<(&str, &str)>,
    filter: &mut LocationFilter,
) -> ApiResult<Option<Origin>> {
    Ok(Some(match (lat, lon, postal) {
        (Some(_), None, _) => return Err(ApiError::invalid_param("lon", "is required together with lat")),
        (None, Some(_), _) => return Err(ApiError::invalid_param("lat", "is required together with lon")),
        (Some(_), Some(_), Some((name, _))) => {
            return Err(ApiError::invalid_param(name, format!("give either lat+lon or {name}, not both")))
        }
        (Some(lat), Some(lon), None) => {
            Origin::new(lat, lon, "coordinates", dir.municipality_near(lat, lon).map(str::to_owned))
        }
        (None, None, Some((name, code))) => {
            let code = code.trim();
            if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ApiError::invalid_param(name, "must be five digits"));
            }
            let pc = dir
                .postal_code(code)
                .ok_or_else(|| ApiError::invalid_param(name, format!("unknown postal code {code:?}")))?;
            let (lat, lon) = pc
                .centroid
                .ok_or_else(|| ApiError::invalid_param(name, format!("postal code {code} has no known area")))?;
            let mut o = Origin::new(lat, lon, "postal_code", Some(pc.municipality_code.clone()));
            o.postal_code = Some(code.to_owned());
            o
        }
        (None, None, None) => match filter.municipality.take() {
            Some(code) => {
                let m = dir.municipality(&code).expect("resolved by location_filter");
                Origin::new(m.centre.0, m.centre.1, "municipality", Some(code))
            }
            None => return Ok(None),
        },
    }))
}

/// The instant statuses are computed at: `at` when given, else `open_at` when given (a
/// search for a time is answered as of that time), else now.
pub fn evaluation_instant(
    params: &Params,
    at: DateTime<Utc>,
    open_at: Option<DateTime<Utc>>,
) -> ApiResult<DateTime<Utc>> {
    Ok(if params.one("at")?.is_some() { at } else { open_at.unwrap_or(at) })
}

/// The matching places nearest to the origin (with distances, ranked as `Directory::nearest`
/// says, ties broken at `at`) and the remote help serving its municipality; `open_at` keeps
/// only places with staffed help at that instant.
pub fn nearest_places<'a>(
    dir: &'a Directory,
    origin: &Origin,
    filter: &LocationFilter,
    limit: usize,
    max_distance_m: Option<f64>,
    open_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> (Vec<(&'a Location, f64)>, Vec<&'a Location>) {
    nearest_matching(dir, origin, filter, limit, max_distance_m, at, |l| {
        open_at.is_none_or(|t| dir.staffed_at(l, filter.topics, t))
    })
}

/// As `nearest_places`, with any acceptance predicate.
pub fn nearest_matching<'a>(
    dir: &'a Directory,
    origin: &Origin,
    filter: &LocationFilter,
    limit: usize,
    max_distance_m: Option<f64>,
    at: DateTime<Utc>,
    open: impl Fn(&Location) -> bool,
) -> (Vec<(&'a Location, f64)>, Vec<&'a Location>) {
    let rank = Ranking {
        max_distance_m,
        postal_area: origin.postal_code.as_deref().filter(|_| origin.kind == "postal_code"),
        at,
    };
    let found = dir.nearest(filter, origin.lat, origin.lon, limit, &rank, &open);
    let remote = match &origin.municipality_code {
        Some(m) => dir.remote_serving(filter, m).filter(|l| open(l)).collect(),
        None => Vec::new(),
    };
    (found, remote)
}
