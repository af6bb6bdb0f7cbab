//! The nearest search of `/v1/locations/nearest`, of events near a place and of the pages
//! (`/embed/list`, `/staff`): the origin (coordinates, postal code, address, municipality)
//! and the ranked places.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::params::Params;
use super::views;
use crate::directory::{Accuracy, Directory, Location, LocationFilter, Ranking};
use crate::error::{ApiError, ApiResult};
use crate::geocode;

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
    pub accuracy: Accuracy,
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
            accuracy,
        }
    }

    /// True when the origin is a point (given, or a geocoded street address), not an area.
    pub fn is_precise(&self) -> bool {
        self.accuracy.is_precise()
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
                Accuracy::from_method(Some(&format!("geocoder ({})", hit.layer.as_deref().unwrap_or(""))), None);
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
            o.accuracy = Accuracy::PostalArea;
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
            if !crate::domain::PostalCode::is_valid(code) {
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
