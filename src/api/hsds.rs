//! HSDS 3.0 read endpoints under `/hsds/`, answered from the snapshot: the HSDS paginated
//! envelope, the HSDS query parameters, and objects shaped by `crate::hsds`. `{id}` accepts
//! the HSDS UUID or our own text id.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;

use crate::directory::search::{SearchQuery, SearchText};
use crate::directory::{Directory, Location, RecordRef, Service};
use crate::error::{ApiError, ApiResult};
use crate::geo::distance_m;
use crate::hsds;
use crate::http::params::{self, Params};
use crate::http::read::state_of;
use crate::http::respond::public_json;
use crate::http::state::AppState;

/// The HSDS query parameters (not every endpoint uses every one).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HsdsParams {
    /// Free-text search (Finnish, Swedish or English; Finnish inflections match).
    #[param(example = "kirjasto")]
    pub search: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, example = 1)]
    pub page: Option<usize>,
    /// Items per page (default 20, at most 100).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<usize>,
    /// A taxonomy term: its UUID or its topic code.
    #[param(example = "online_public_services")]
    pub taxonomy_term_id: Option<String>,
    /// An organization: its UUID or its text id.
    #[param(example = "joensuun-kaupunginkirjasto")]
    pub organization_id: Option<String>,
    /// Only records modified on or after this time (RFC 3339) or date.
    #[param(example = "2026-01-01T00:00:00Z")]
    pub modified_after: Option<String>,
    /// A postal code: places in it (and remote help serving its municipality); with
    /// `proximity`, places within that many metres of its centroid.
    #[param(pattern = "^[0-9]{5}$", example = "80100")]
    pub postcode: Option<String>,
    /// Metres from the centroid of `postcode`.
    #[param(minimum = 0, maximum = 2000000, example = 5000)]
    pub proximity: Option<f64>,
}

impl HsdsParams {
    pub fn read(params: &Params) -> ApiResult<HsdsParams> {
        Ok(HsdsParams {
            search: params.one("search")?.map(str::to_owned),
            page: params.int_in("page", 1, params::MAX_PAGE)?,
            per_page: params.int_in("per_page", 1, params::MAX_PER_PAGE)?,
            taxonomy_term_id: params.one("taxonomy_term_id")?.map(str::to_owned),
            organization_id: params.one("organization_id")?.map(str::to_owned),
            modified_after: params.one("modified_after")?.map(str::to_owned),
            postcode: params.one("postcode")?.map(str::to_owned),
            proximity: params.number_in("proximity", 0.0, 2_000_000.0)?,
        })
    }
}

/// Where places must be, from `postcode` (+ `proximity`).
enum Area {
    Postcode { code: String, municipality: String },
    Near { lat: f64, lon: f64, metres: f64 },
}

/// The parsed HSDS query.
struct Query {
    search: Option<SearchQuery>,
    page: usize,
    per_page: usize,
    topic_bit: Option<u64>,
    organization: Option<usize>,
    modified_after: Option<DateTime<Utc>>,
    area: Option<Area>,
}

impl Query {
    fn parse(params: &Params, dir: &Directory) -> ApiResult<Query> {
        let given = HsdsParams::read(params)?;
        let search = match given.search.as_deref() {
            Some(q) if q.chars().count() > 200 => {
                return Err(ApiError::invalid_param("search", "must be at most 200 characters"))
            }
            Some(q) => SearchQuery::parse(q),
            None => None,
        };
        let (page, per_page) = (given.page.unwrap_or(1), given.per_page.unwrap_or(params::DEFAULT_PER_PAGE));
        let topic_bit = match given.taxonomy_term_id.as_deref() {
            Some(t) => Some(
                match hsds::find(dir, "taxonomy_term", t) {
                    Some(RecordRef::Topic(i)) => Some(dir.topics[i].bit),
                    _ => None,
                }
                .ok_or_else(|| ApiError::invalid_param("taxonomy_term_id", format!("unknown taxonomy term {t:?}")))?,
            ),
            None => None,
        };
        let organization = match given.organization_id.as_deref() {
            Some(o) => Some(
                match hsds::find(dir, "organization", o) {
                    Some(RecordRef::Organization(i)) => Some(i),
                    _ => None,
                }
                .ok_or_else(|| ApiError::invalid_param("organization_id", format!("unknown organization {o:?}")))?,
            ),
            None => None,
        };
        let modified_after = match given.modified_after.as_deref() {
            Some(s) => Some(parse_instant(s).ok_or_else(|| {
                ApiError::invalid_param("modified_after", "must be an RFC 3339 date-time or a date (YYYY-MM-DD)")
            })?),
            None => None,
        };
        let proximity = given.proximity;
        let area = match (given.postcode.as_deref(), proximity) {
            (None, Some(_)) => return Err(ApiError::invalid_param("postcode", "is required together with proximity")),
            (None, None) => None,
            (Some(code), proximity) => {
                if !crate::domain::PostalCode::is_valid(code) {
                    return Err(ApiError::invalid_param("postcode", "must be five digits"));
                }
                let pc = dir
                    .postal_code(code)
                    .ok_or_else(|| ApiError::invalid_param("postcode", format!("unknown postal code {code:?}")))?;
                match proximity {
                    Some(metres) => {
                        let (lat, lon) = pc.centroid.ok_or_else(|| {
                            ApiError::invalid_param(
                                "postcode",
                                format!("postal code {code} has no known area for proximity"),
                            )
                        })?;
                        Some(Area::Near { lat, lon, metres })
                    }
                    None => Some(Area::Postcode { code: code.to_owned(), municipality: pc.municipality_code.clone() }),
                }
            }
        };
        Ok(Query { search, page, per_page, topic_bit, organization, modified_after, area })
    }

    fn place_ok(&self, loc: &Location) -> bool {
        if loc.status == crate::domain::LocationStatus::Inactive {
            return false;
        }
        match &self.area {
            None => true,
            Some(Area::Postcode { code, municipality }) => {
                loc.address.postal_code.as_deref() == Some(code.as_str())
                    || (loc.is_remote() && loc.served_municipalities.iter().any(|m| m == municipality))
            }
            Some(Area::Near { lat, lon, metres }) => {
                loc.coordinates.is_some_and(|(la, lo)| distance_m(*lat, *lon, la, lo) <= *metres)
            }
        }
    }

    fn modified_ok(&self, at: DateTime<Utc>) -> bool {
        self.modified_after.is_none_or(|t| at >= t)
    }

    fn service_ok(&self, dir: &Directory, svc: &Service) -> bool {
        self.topic_bit.is_none_or(|b| svc.topic_mask & b == b)
            && self.organization.is_none_or(|o| svc.organization == o)
            && self.search.as_ref().is_none_or(|q| q.matches(&service_text(dir, svc)))
    }
}

fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|d| d.and_hms_opt(0, 0, 0).unwrap().and_utc())
}

fn service_text(dir: &Directory, svc: &Service) -> SearchText {
    let org = &dir.organizations[svc.organization];
    SearchText::new(
        svc.name
            .all()
            .chain(svc.description.iter().flat_map(|d| d.all()))
            .chain(org.name.all())
            .chain(svc.topics.iter().filter_map(|c| dir.topic(c)).flat_map(|t| t.label.all())),
    )
}

/// The HSDS paginated envelope around one page of `items` (all matches, built lazily).
fn envelope<T>(items: Vec<T>, q: &Query, build: impl Fn(&T) -> Value) -> Value {
    let total = items.len();
    let total_pages = total.div_ceil(q.per_page).max(1);
    let contents: Vec<Value> = items.iter().skip((q.page - 1) * q.per_page).take(q.per_page).map(build).collect();
    json!({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": q.page,
        "size": contents.len(),
        "first_page": q.page == 1,
        "last_page": q.page >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

/// One HSDS record of `kind` named by the path's `id` (a UUID or a directory id: 400 when it is
/// neither), fully nested by `full` (404 when the id names no record of that kind).
fn one(
    req: &HttpRequest,
    kind: &str,
    full: impl Fn(&Directory, RecordRef) -> Option<Value>,
) -> ApiResult<HttpResponse> {
    let id = req.match_info().get("id").unwrap_or("");
    if id.is_empty() || id.len() > 128 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(ApiError::invalid_param("id", "must be a UUID or a directory id"));
    }
    let dir = state_of(req)?.store.get();
    let body =
        hsds::find(&dir, kind, id).and_then(|found| full(&dir, found)).ok_or_else(|| ApiError::not_found(kind, id))?;
    Ok(public_json(req, dir.version, &body))
}

/// About this HSDS API: version, profile and where its OpenAPI document is.
#[utoipa::path(
    tag = "hsds",
    responses((status = 200, description = "`{version, profile, openapi_url}`", body = crate::http::schemas::HsdsRoot, content_type = "application/json"))
)]
#[get("/hsds/")]
pub async fn hsds_root(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let body = json!({
        "version": hsds::HSDS_VERSION,
        "profile": hsds::PROFILE_URL,
        "openapi_url": format!("{}/openapi.json", state.proxy.base_url(&req)),
        // HSDS 3.0 has no event object: dated sessions are published beside it (docs/hsds.md).
        "extensions": {
            "events": {
                "description": "Dated digital-help sessions (HSDS 3.0 has no event object): JSON, expanded occurrences and iCalendar feeds; location ids and topic codes are the HSDS ones",
                "list": format!("{}/v1/events", state.proxy.base_url(&req)),
                "occurrences": format!("{}/v1/events/occurrences", state.proxy.base_url(&req)),
                "icalendar": format!("{}/v1/events.ics", state.proxy.base_url(&req)),
            }
        },
    });
    Ok(public_json(&req, dir.version, &body))
}

/// HSDS services (one-to-one fields), paginated.
#[utoipa::path(
    tag = "hsds",
    params(HsdsParams),
    responses(
        (status = 200, description = "HSDS page of services (HSDS 3.0 `service_list` items)", body = crate::http::schemas::HsdsServicePage, content_type = "application/json"),
        (status = 400, description = "A parameter is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hsds/services")]
pub async fn hsds_services(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let q = Query::parse(&Params::from_request(&req)?, &dir)?;
    let found: Vec<&Service> = dir
        .services
        .iter()
        .filter(|s| q.service_ok(&dir, s) && q.modified_ok(s.provenance.updated_at))
        .filter(|s| q.area.is_none() || hsds::service_places(&dir, s).any(|(l, _)| q.place_ok(l)))
        .collect();
    Ok(public_json(&req, dir.version, &envelope(found, &q, |s| hsds::service(&dir, s))))
}

/// One HSDS service, fully nested.
#[utoipa::path(
    tag = "hsds",
    params(("id" = String, Path, description = "Service UUID or directory id")),
    responses(
        (status = 200, description = "HSDS 3.0 service", body = crate::http::schemas::HsdsService, content_type = "application/json"),
        (status = 400, description = "Malformed id", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hsds/services/{id}")]
pub async fn hsds_service(req: HttpRequest) -> ApiResult<HttpResponse> {
    one(&req, "service", |dir, found| match found {
        RecordRef::Service(i) => Some(hsds::service_full(dir, &dir.services[i])),
        _ => None,
    })
}

/// HSDS services at locations, paginated, each with its location.
#[utoipa::path(
    tag = "hsds",
    params(HsdsParams),
    responses(
        (status = 200, description = "HSDS page of service_at_location items", body = crate::http::schemas::HsdsServiceAtLocationPage, content_type = "application/json"),
        (status = 400, description = "A parameter is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hsds/service_at_locations")]
pub async fn hsds_service_at_locations(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let q = Query::parse(&Params::from_request(&req)?, &dir)?;
    let found: Vec<_> = dir
        .locations
        .iter()
        .flat_map(|l| l.services.iter().map(move |s| (l, s)))
        .filter(|(l, s)| {
            let svc = &dir.services[s.service];
            q.place_ok(l)
                && q.topic_bit.is_none_or(|b| svc.topic_mask & b == b)
                && q.organization.is_none_or(|o| svc.organization == o)
                && q.modified_ok(s.provenance.updated_at.max(l.provenance.updated_at))
                && q.search.as_ref().is_none_or(|t| t.matches(&l.search) || t.matches(&service_text(&dir, svc)))
        })
        .collect();
    Ok(public_json(&req, dir.version, &envelope(found, &q, |(l, s)| hsds::service_at_location(&dir, l, s, true))))
}

/// One HSDS service at a location, fully nested.
#[utoipa::path(
    tag = "hsds",
    params(("id" = String, Path, description = "Service-at-location UUID or directory id")),
    responses(
        (status = 200, description = "HSDS 3.0 service_at_location", body = crate::http::schemas::HsdsServiceAtLocation, content_type = "application/json"),
        (status = 400, description = "Malformed id", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hsds/service_at_locations/{id}")]
pub async fn hsds_service_at_location(req: HttpRequest) -> ApiResult<HttpResponse> {
    one(&req, "service_at_location", |dir, found| match found {
        RecordRef::ServiceAtLocation(l, j) => {
            let loc = &*dir.locations[l as usize];
            Some(hsds::service_at_location(dir, loc, &loc.services[j as usize], true))
        }
        _ => None,
    })
}

/// HSDS organizations, paginated.
#[utoipa::path(
    tag = "hsds",
    params(HsdsParams),
    responses(
        (status = 200, description = "HSDS page of organizations", body = crate::http::schemas::HsdsOrganizationPage, content_type = "application/json"),
        (status = 400, description = "A parameter is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hsds/organizations")]
pub async fn hsds_organizations(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let q = Query::parse(&Params::from_request(&req)?, &dir)?;
    let found: Vec<_> = dir
        .organizations
        .iter()
        .enumerate()
        .filter(|(i, o)| {
            q.modified_ok(o.provenance.updated_at)
                && q.organization.is_none_or(|x| x == *i)
                && q.search.as_ref().is_none_or(|t| t.matches(&o.search))
                && q.topic_bit
                    .is_none_or(|b| dir.services.iter().any(|s| s.organization == *i && s.topic_mask & b == b))
                && (q.area.is_none() || o.locations.iter().any(|&l| q.place_ok(&dir.locations[l])))
        })
        .map(|(_, o)| o)
        .collect();
    Ok(public_json(&req, dir.version, &envelope(found, &q, |o| hsds::organization(&dir, o))))
}

/// One HSDS organization with its locations.
#[utoipa::path(
    tag = "hsds",
    params(("id" = String, Path, description = "Organization UUID or directory id")),
    responses(
        (status = 200, description = "HSDS 3.0 organization", body = crate::http::schemas::HsdsOrganization, content_type = "application/json"),
        (status = 400, description = "Malformed id", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hsds/organizations/{id}")]
pub async fn hsds_organization(req: HttpRequest) -> ApiResult<HttpResponse> {
    one(&req, "organization", |dir, found| match found {
        RecordRef::Organization(i) => Some(hsds::organization_full(dir, &dir.organizations[i])),
        _ => None,
    })
}

/// HSDS taxonomies: the directory's topic vocabulary.
#[utoipa::path(
    tag = "hsds",
    params(HsdsParams),
    responses(
        (status = 200, description = "HSDS page of taxonomies", body = crate::http::schemas::HsdsTaxonomyPage, content_type = "application/json"),
        (status = 400, description = "A parameter is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hsds/taxonomies")]
pub async fn hsds_taxonomies(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let q = Query::parse(&Params::from_request(&req)?, &dir)?;
    let all = vec![hsds::taxonomy()];
    Ok(public_json(&req, dir.version, &envelope(all, &q, Value::clone)))
}

/// HSDS taxonomy terms: the topics.
#[utoipa::path(
    tag = "hsds",
    params(HsdsParams),
    responses(
        (status = 200, description = "HSDS page of taxonomy terms", body = crate::http::schemas::HsdsTaxonomyTermPage, content_type = "application/json"),
        (status = 400, description = "A parameter is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hsds/taxonomy_terms")]
pub async fn hsds_taxonomy_terms(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let q = Query::parse(&Params::from_request(&req)?, &dir)?;
    let found: Vec<_> = dir
        .topics
        .iter()
        .filter(|t| q.topic_bit.is_none_or(|b| t.bit == b))
        .filter(|t| {
            q.search
                .as_ref()
                .is_none_or(|s| s.matches(&SearchText::new(t.label.all().chain(std::iter::once(t.code.as_str())))))
        })
        .collect();
    Ok(public_json(&req, dir.version, &envelope(found, &q, |t| hsds::taxonomy_term(t))))
}
