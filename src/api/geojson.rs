//! `GET /v1/locations.geojson`: the filtered locations as an RFC 7946 FeatureCollection, so
//! that Leaflet or MapLibre maps show the directory directly. Remote help has no point and
//! is left out.

use actix_web::{get, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Problem};
use crate::hours::State;
use crate::http::params::{self, LangParams, LocationFilterParams, TimeParams};
use crate::http::read::Reading;
use crate::http::respond::{public_bytes, Text};

/// An RFC 7946 FeatureCollection of locations.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    pub features: Vec<Feature>,
}

/// One location as a GeoJSON Feature.
#[derive(Debug, Serialize, ToSchema)]
pub struct Feature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    #[schema(example = "jns-paakirjasto")]
    pub id: String,
    pub geometry: PointGeometry,
    pub properties: FeatureProperties,
}

/// A GeoJSON Point: `[longitude, latitude]` (WGS84), in that order.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointGeometry {
    /// Always `Point`.
    #[serde(rename = "type")]
    #[schema(example = "Point")]
    pub kind: &'static str,
    #[schema(example = json!([29.7514, 62.6017]))]
    pub coordinates: [f64; 2],
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureProperties {
    #[schema(example = "jns-paakirjasto")]
    pub id: String,
    pub name: Text,
    pub organization: Text,
    #[schema(example = "library")]
    pub kind: String,
    /// Topic codes offered here.
    pub topics: Vec<String>,
    /// Staffed help available now (or at `at`).
    pub open_now: bool,
    /// This location in the API.
    #[schema(example = "https://digituki.example/v1/locations/jns-paakirjasto")]
    pub url: String,
    /// The place's own web page (http(s) only).
    pub website: Option<String>,
    /// How precise the point is: `exact`, `street`, `postal_area` or `municipality` (see
    /// `coordinates.accuracy` of a location). Draw `postal_area` and `municipality` points as
    /// areas or approximate markers, never as a pin zoomed to a street.
    #[schema(example = "street")]
    pub accuracy: crate::domain::Accuracy,
}

/// The filtered locations as GeoJSON (RFC 7946), for maps. Same filters as the list.
#[utoipa::path(
    tag = "locations",
    params(LocationFilterParams, TimeParams, LangParams),
    responses(
        (status = 200, description = "A FeatureCollection of the matching located places", body = FeatureCollection, content_type = "application/geo+json"),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/locations.geojson")]
pub async fn locations_geojson(read: Reading) -> ApiResult<HttpResponse> {
    let Reading { req, dir, params, lang, .. } = read;
    let filter = params::location_filter(&params, &dir)?;
    let (at, open_at) = params::times(&params)?;
    let base = crate::http::urls::base_url(&req);
    let features = dir
        .list(&filter)
        .filter(|l| open_at.is_none_or(|t| dir.staffed_at(l, filter.topics, t)))
        .filter_map(|loc| {
            let (lat, lon) = loc.coordinates?;
            Some(Feature {
                kind: "Feature",
                id: loc.id.clone(),
                geometry: PointGeometry { kind: "Point", coordinates: [lon, lat] },
                properties: FeatureProperties {
                    id: loc.id.clone(),
                    name: lang.text(&loc.name),
                    organization: lang.text(&dir.organizations[loc.organization].name),
                    kind: loc.kind.to_string(),
                    topics: dir.topic_codes(loc.topic_mask),
                    open_now: loc.status_at(at).is_some_and(|s| s.state == State::Staffed),
                    url: format!("{base}/v1/locations/{}", loc.id),
                    website: loc.website.as_deref().and_then(crate::http::urls::safe_url).map(str::to_owned),
                    accuracy: loc.accuracy,
                },
            })
        })
        .collect();
    let bytes = serde_json::to_vec(&FeatureCollection { kind: "FeatureCollection", features })
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(public_bytes(&req, dir.version, "application/geo+json", bytes))
}
