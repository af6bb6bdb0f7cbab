//! Open-data downloads: the HSDS tabular data package and a CSV of locations, built from the
//! snapshot (`crate::export`) and cached by the snapshot version like every public read.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::error::{ApiError, ApiResult};
use crate::export;
use crate::http::respond::public_bytes;
use crate::http::state::AppState;

/// The whole directory as an HSDS 3.0 tabular data package (zip of CSV files and
/// `datapackage.json`).
#[utoipa::path(
    tag = "hsds",
    responses(
        (status = 200, description = "Zip: HSDS CSV tables plus datapackage.json", body = crate::http::schemas::ZipFile, content_type = "application/zip"),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/v1/export/hsds.zip")]
pub async fn export_hsds_zip(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let bytes = export::hsds_zip(&dir).map_err(|e| ApiError::internal(format!("{e:#}")))?;
    let mut resp = public_bytes(&req, dir.version, "application/zip", bytes);
    resp.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        header::HeaderValue::from_static("attachment; filename=\"digituki-hsds.zip\""),
    );
    Ok(resp)
}

/// Every location as one CSV row (UTF-8, header first). Columns: `id, organization_id,
/// organization_name, kind, name_fi, name_sv, name_en, street_address, postal_code, post_office,
/// municipality_code, latitude, longitude, coordinate_method, phone, email, website, languages,
/// topics, status, hours_osm, source, external_id, confidence, updated_at, verified_at`;
/// `hours_osm` is the OpenStreetMap `opening_hours` form.
#[utoipa::path(
    tag = "locations",
    responses(
        (status = 200, description = "CSV of all locations", body = String, content_type = "text/csv",
            example = "id,organization_id,organization_name,kind,name_fi,name_sv,name_en,street_address,postal_code,post_office,municipality_code,latitude,longitude,coordinate_method,phone,email,website,languages,topics,status,hours_osm,source,external_id,confidence,updated_at,verified_at\r\njuu-ellinkulma,ellinkulma-juuka,Ellinkulma (Juuka),association,Ellinkulma - digitreenit,,,,,,176,63.2436,29.2553,approximate: municipality centre coordinate (kunta_coords),,,,fi,online_public_services phone_tablet_basics computer_basics,unverified-current,,demo-data,juu-ellinkulma,approximate,2026-12-01T11:00:59Z,\r\n"),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/v1/export/locations.csv")]
pub async fn export_locations_csv(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let bytes = export::locations_csv(&dir).map_err(|e| ApiError::internal(format!("{e:#}")))?;
    Ok(public_bytes(&req, dir.version, "text/csv; charset=utf-8", bytes))
}
