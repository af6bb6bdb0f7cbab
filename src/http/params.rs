//! Query-string parsing shared by every endpoint: each parameter is checked here once, and a
//! bad one becomes a 400 problem naming it. The `IntoParams` structs document the same
//! parameters in OpenAPI.

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};

use actix_web::HttpRequest;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::directory::search::SearchQuery;
use crate::directory::{Directory, LocationFilter};
use crate::domain::{LocationKind, Vocabulary};
use crate::error::{ApiError, ApiResult};

pub const MAX_PER_PAGE: usize = 100;
pub const DEFAULT_PER_PAGE: usize = 20;
pub const MAX_PAGE: usize = 100_000;
const MAX_QUERY_CHARS: usize = 200;

/// The decoded query string of one request.
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub fn from_request(req: &HttpRequest) -> ApiResult<Params> {
        Self::from_query(req.query_string())
    }

    /// Parameters from a query string (for pages that map their form fields onto the API's).
    pub fn from_query(query: &str) -> ApiResult<Params> {
        let pairs = actix_web::web::Query::<Vec<(String, String)>>::from_query(query)
            .map_err(|e| ApiError::invalid_param("query", format!("unreadable query string: {e}")))?
            .into_inner();
        Ok(Params { pairs })
    }

    /// A parameter that may appear at most once.
    pub fn one(&self, name: &str) -> ApiResult<Option<&str>> {
        let mut values = self.pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::invalid_param(name, "must be given at most once"));
        }
        Ok(first)
    }

    /// A repeatable parameter; comma-separated values count as repeats.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// A parameter parsed as `T`, with `what` describing the expected form.
    pub fn parse<T: FromStr>(&self, name: &str, what: &str) -> ApiResult<Option<T>> {
        match self.one(name)? {
            None => Ok(None),
            Some(v) => {
                v.trim().parse::<T>().map(Some).map_err(|_| ApiError::invalid_param(name, format!("must be {what}")))
            }
        }
    }

    /// A finite number within `range`.
    pub fn number_in(&self, name: &str, lo: f64, hi: f64) -> ApiResult<Option<f64>> {
        let what = format!("a number between {lo} and {hi}");
        match self.parse::<f64>(name, &what)? {
            Some(v) if v.is_finite() && (lo..=hi).contains(&v) => Ok(Some(v)),
            Some(_) => Err(ApiError::invalid_param(name, format!("must be {what}"))),
            None => Ok(None),
        }
    }

    /// An integer within `lo..=hi`.
    pub fn int_in(&self, name: &str, lo: usize, hi: usize) -> ApiResult<Option<usize>> {
        let what = format!("an integer from {lo} to {hi}");
        match self.parse::<usize>(name, &what)? {
            Some(v) if (lo..=hi).contains(&v) => Ok(Some(v)),
            Some(_) => Err(ApiError::invalid_param(name, format!("must be {what}"))),
            None => Ok(None),
        }
    }
}

/// Checks an id taken from the path: lower-case letters, digits and hyphens.
pub fn check_id(name: &str, id: &str) -> ApiResult<crate::domain::RecordId> {
    crate::domain::RecordId::parse(id).ok_or_else(|| {
        ApiError::invalid_param(name, "must be an id of lower-case letters, digits and hyphens (at most 128)")
    })
}

/// Filters shared by the location list, nearest search and GeoJSON.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocationFilterParams {
    /// Municipality code (e.g. `167`) or name in Finnish or Swedish (e.g. `Joensuu`). On
    /// `/v1/locations/nearest` without a point (`lat`+`lon`, `postal_code` or `address`), the
    /// search starts at the municipality's centre; with a point it filters.
    #[param(example = "Joensuu")]
    pub municipality: Option<String>,
    /// Organization id.
    #[param(example = "joensuun-kaupunginkirjasto")]
    pub organization: Option<String>,
    /// Location kind.
    #[param(inline, example = "library")]
    pub kind: Option<LocationKind>,
    /// Topic code, repeatable: a location matches when it offers all of them.
    #[param(example = json!(["online_public_services"]))]
    pub topic: Option<Vec<String>>,
    /// ISO 639-1 code of a language of service.
    #[param(example = "fi", pattern = "^[a-z]{2}$")]
    pub language: Option<String>,
    /// Words to look for in names and descriptions; Finnish inflections and compounds match
    /// (`kirjasto` finds "Joensuun pääkirjasto").
    #[param(example = "kirjasto", max_length = 200)]
    pub q: Option<String>,
}

impl LocationFilterParams {
    /// The filters as given (each at most once, `topic` repeatable), before they are checked
    /// against the directory (`location_filter`).
    pub fn read(params: &Params) -> ApiResult<LocationFilterParams> {
        let kind = match params.one("kind")? {
            Some(k) => Some(k.parse::<LocationKind>().map_err(|_| {
                ApiError::invalid_param("kind", format!("must be one of {}", LocationKind::names().join(", ")))
            })?),
            None => None,
        };
        let topics: Vec<String> = params.all("topic").into_iter().map(str::to_owned).collect();
        Ok(LocationFilterParams {
            municipality: params.one("municipality")?.map(str::to_owned),
            organization: params.one("organization")?.map(str::to_owned),
            kind,
            topic: (!topics.is_empty()).then_some(topics),
            language: params.one("language")?.map(str::to_owned),
            q: params.one("q")?.map(str::to_owned),
        })
    }
}

/// When: the instant at which `open_now` and `status_now` are evaluated, and the
/// opening-hours filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimeParams {
    /// Evaluate `open_now`, `status_now` and `next_change` at this instant instead of now: RFC 3339
    /// with an offset (`2027-03-30T08:00:00+03:00`), or a local time without one (`2027-03-30T08:00`
    /// or `2027-03-30T08:00:00`) read as Europe/Helsinki wall-clock time (a time in the spring-forward
    /// gap means the first valid instant after it; an ambiguous autumn time the earlier one).
    #[param(value_type = Option<String>, example = "2027-03-30T08:00:00+03:00")]
    pub at: Option<DateTime<Utc>>,
    /// Keep only places where staffed help is available at this instant: RFC 3339 with an offset
    /// (`2027-03-30T12:00:00+03:00`), or a local time without one (`2027-03-30T12:00` or
    /// `2027-03-30T12:00:00`) read as Europe/Helsinki wall-clock time (a time in the
    /// spring-forward gap means the first valid instant after it; an ambiguous autumn time the
    /// earlier one). Where a `topic` filter matches a service with its own hours, those hours decide.
    #[param(value_type = Option<String>, example = "2027-03-30T12:00")]
    pub open_at: Option<DateTime<Utc>>,
    /// `true`: keep only places where staffed help is available now (or at `at`).
    #[param(example = true)]
    pub open_now: Option<bool>,
}

impl TimeParams {
    /// The instants as given, each checked.
    pub fn read(params: &Params) -> ApiResult<TimeParams> {
        let open_now = match params.one("open_now")? {
            None => None,
            Some("true") | Some("1") => Some(true),
            Some("false") | Some("0") => Some(false),
            Some(_) => return Err(ApiError::invalid_param("open_now", "must be true or false")),
        };
        Ok(TimeParams { at: instant(params, "at")?, open_at: instant(params, "open_at")?, open_now })
    }
}

/// An instant parameter: RFC 3339 with an offset (`2027-03-30T12:00:00+03:00`), or a local
/// time without one (`2027-03-30T12:00` or `2027-03-30T12:00:00`), read as Europe/Helsinki
/// wall-clock time the way the hours engine reads opening hours: a time in the spring-forward
/// gap is the first valid instant after it, an ambiguous autumn time the earlier instant.
pub fn instant(params: &Params, name: &str) -> ApiResult<Option<DateTime<Utc>>> {
    match params.one(name)? {
        None => Ok(None),
        Some(v) => parse_instant(v.trim()).map(Some).ok_or_else(|| {
            ApiError::invalid_param(
                name,
                "must be an RFC 3339 instant (2027-03-30T12:00:00+03:00) or a Helsinki local time (2027-03-30T12:00)",
            )
        }),
    }
}

/// Parses the forms [`instant`] accepts.
pub fn parse_instant(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
        .map(crate::hours::helsinki_to_utc)
}

/// The evaluation instant (`at` or now) and the instant the open filter asks for, if any.
pub fn times(params: &Params) -> ApiResult<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let TimeParams { at, open_at, open_now } = TimeParams::read(params)?;
    let at = at.unwrap_or_else(Utc::now);
    let open_now = open_now.unwrap_or(false);
    if open_now && open_at.is_some() {
        return Err(ApiError::invalid_param("open_now", "give either open_now or open_at, not both"));
    }
    Ok((at, if open_now { Some(at) } else { open_at }))
}

/// Pagination of lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000, example = 1)]
    pub page: Option<usize>,
    /// Items per page, at most 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<usize>,
}

impl PageParams {
    pub fn read(params: &Params) -> ApiResult<PageParams> {
        Ok(PageParams {
            page: params.int_in("page", 1, MAX_PAGE)?,
            per_page: params.int_in("per_page", 1, MAX_PER_PAGE)?,
        })
    }
}

/// Language selection.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangParams {
    /// One language for every text (falling back to Finnish where a text has no
    /// translation). Without it, `Accept-Language` picks one; without both, texts come as
    /// `{fi, sv, en}` objects.
    #[param(inline)]
    pub lang: Option<crate::i18n::Lang>,
}

impl LangParams {
    pub fn read(params: &Params) -> ApiResult<LangParams> {
        let lang = match params.one("lang")? {
            Some(v) => Some(
                crate::i18n::Lang::parse(v)
                    .ok_or_else(|| ApiError::invalid_param("lang", "must be one of fi, sv, en"))?,
            ),
            None => None,
        };
        Ok(LangParams { lang })
    }
}

/// How much of each location a listing gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// The full record of each location (as `GET /v1/locations/{id}` without its events).
    #[default]
    Full,
    /// The fields a list shows (`LocationSummary`), about 1 kB a place.
    Summary,
}

/// The shape of the listed locations.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViewParams {
    /// `full` (the default): each location's whole record; `summary`: the fields a list shows
    /// (id, name, organisation, address, distance, state now and next, topics, languages, how
    /// to book, confidence), about 1 kB a place instead of several (`LocationSummary`).
    #[param(inline)]
    pub view: Option<View>,
}

impl ViewParams {
    pub fn parse(params: &Params) -> ApiResult<View> {
        match params.one("view")? {
            None | Some("full") => Ok(View::Full),
            Some("summary") => Ok(View::Summary),
            Some(other) => Err(ApiError::invalid_param("view", format!("must be full or summary, not {other:?}"))),
        }
    }
}

/// Parses the shared location filters against the current directory.
pub fn location_filter(params: &Params, dir: &Directory) -> ApiResult<LocationFilter> {
    let given = LocationFilterParams::read(params)?;
    let mut filter = LocationFilter::default();
    if let Some(m) = &given.municipality {
        let found = dir
            .find_municipality(m)
            .ok_or_else(|| ApiError::invalid_param("municipality", format!("unknown municipality {m:?}")))?;
        filter.municipality = Some(found.code.clone());
    }
    if let Some(o) = given.organization {
        check_id("organization", &o)?;
        if dir.organization(&o).is_none() {
            return Err(ApiError::invalid_param("organization", format!("unknown organization {o:?}")));
        }
        filter.organization = Some(o);
    }
    filter.kind = given.kind;
    for t in given.topic.iter().flatten() {
        let topic = dir.topic(t).ok_or_else(|| ApiError::invalid_param("topic", format!("unknown topic {t:?}")))?;
        filter.topics |= topic.bit;
    }
    if let Some(l) = given.language {
        if dir.language(&l).is_none() {
            return Err(ApiError::invalid_param("language", format!("unknown language code {l:?} (ISO 639-1)")));
        }
        filter.language = Some(l);
    }
    if let Some(q) = &given.q {
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(ApiError::invalid_param("q", format!("must be at most {MAX_QUERY_CHARS} characters")));
        }
        filter.text = SearchQuery::parse(q);
    }
    Ok(filter)
}

/// `(page, per_page)`, 1-based.
pub fn page(params: &Params) -> ApiResult<(usize, usize)> {
    let PageParams { page, per_page } = PageParams::read(params)?;
    Ok((page.unwrap_or(1), per_page.unwrap_or(DEFAULT_PER_PAGE)))
}
