//! Reference data: topics (the taxonomy), languages, municipalities and postal codes.

use actix_web::{get, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Problem};
use crate::http::params::LangParams;
use crate::http::read::Reading;
use crate::http::respond::{public_json, Text};

/// A topic of the controlled vocabulary.
#[derive(Debug, Serialize, ToSchema)]
pub struct TopicOut {
    #[schema(example = "online_public_services")]
    pub code: String,
    pub label: Text,
    pub description: Option<Text>,
    /// Number of locations offering it.
    #[schema(example = 25)]
    pub location_count: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicList {
    pub items: Vec<TopicOut>,
}

/// The topic vocabulary, with labels in fi/sv/en.
#[utoipa::path(
    tag = "reference",
    params(LangParams),
    responses(
        (status = 200, description = "All topics", body = TopicList),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/topics")]
pub async fn list_topics(read: Reading) -> ApiResult<HttpResponse> {
    let Reading { req, dir, lang, .. } = read;
    let items = dir
        .topics
        .iter()
        .map(|t| TopicOut {
            code: t.code.clone(),
            label: lang.text(&t.label),
            description: lang.opt(&t.description),
            location_count: t.location_count,
        })
        .collect();
    Ok(public_json(&req, dir.version, &TopicList { items }))
}

/// A municipality of North Karelia.
#[derive(Debug, Serialize, ToSchema)]
pub struct MunicipalityOut {
    #[schema(example = "167")]
    pub code: String,
    pub name: Text,
    /// The municipality centre (approximate): the origin of a nearest search by municipality.
    pub centre: PointOut,
    #[schema(example = "approximate")]
    pub centre_confidence: String,
    pub postal_codes: Vec<String>,
    #[schema(example = 12)]
    pub location_count: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointOut {
    #[schema(example = 62.6)]
    pub lat: f64,
    #[schema(example = 29.76)]
    pub lon: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MunicipalityList {
    pub items: Vec<MunicipalityOut>,
}

/// The municipalities of North Karelia.
#[utoipa::path(
    tag = "reference",
    params(LangParams),
    responses(
        (status = 200, description = "All municipalities", body = MunicipalityList),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/municipalities")]
pub async fn list_municipalities(read: Reading) -> ApiResult<HttpResponse> {
    let Reading { req, dir, lang, .. } = read;
    let items = dir
        .municipalities
        .iter()
        .map(|m| MunicipalityOut {
            code: m.code.clone(),
            name: lang.text(&m.name),
            centre: PointOut { lat: m.centre.0, lon: m.centre.1 },
            centre_confidence: m.centre_confidence.clone(),
            postal_codes: m.postal_codes.clone(),
            location_count: m.location_count,
        })
        .collect();
    Ok(public_json(&req, dir.version, &MunicipalityList { items }))
}

/// A postal code area.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostalCodeOut {
    #[schema(example = "80100")]
    pub code: String,
    pub name: Text,
    #[schema(example = "167")]
    pub municipality_code: String,
    pub municipality: Option<Text>,
    /// normal, po_box or corporate (Posti's types).
    #[schema(example = "normal")]
    pub posti_type: String,
    /// The area's centroid (approximate); null for codes without an area.
    pub centroid: Option<PointOut>,
    #[schema(example = "approximate")]
    pub confidence: String,
}

/// One postal code of North Karelia, with its area centroid.
#[utoipa::path(
    tag = "reference",
    params(("code" = String, Path, description = "Five-digit postal code", example = "80100"), LangParams),
    responses(
        (status = 200, description = "The postal code", body = PostalCodeOut),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Not five digits", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a North Karelian postal code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/postal-codes/{code}")]
pub async fn get_postal_code(read: Reading) -> ApiResult<HttpResponse> {
    let Reading { req, dir, lang, .. } = read;
    let code = req.match_info().get("code").unwrap_or("").to_owned();
    if !crate::domain::PostalCode::is_valid(&code) {
        return Err(ApiError::invalid_param("code", "must be five digits"));
    }
    let pc = dir.postal_code(&code).ok_or_else(|| ApiError::not_found("postal code", &code))?;
    let body = PostalCodeOut {
        code: pc.code.clone(),
        name: lang.text(&pc.name),
        municipality_code: pc.municipality_code.clone(),
        municipality: dir.municipality(&pc.municipality_code).map(|m| lang.text(&m.name)),
        posti_type: pc.posti_type.clone(),
        centroid: pc.centroid.map(|(lat, lon)| PointOut { lat, lon }),
        confidence: pc.confidence.clone(),
    };
    Ok(public_json(&req, dir.version, &body))
}
