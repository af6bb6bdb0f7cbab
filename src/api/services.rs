//! Public service endpoints: list, one by id, and one service at a location.

use crate::http::respond::RowTag;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Problem};
use crate::http::params::{self, check_id, LangParams, PageParams, Params};
use crate::http::respond::{public_json, LangMode};
use crate::http::state::AppState;
use crate::http::views::{self, ServiceAtLocationDetail, ServiceOut};

#[derive(Debug, Serialize, ToSchema)]
pub struct ServicePage {
    pub items: Vec<ServiceOut>,
    #[schema(example = 54)]
    pub total: usize,
    #[schema(example = 1)]
    pub page: usize,
    #[schema(example = 20)]
    pub per_page: usize,
}

/// List services (kinds of help organizations offer), optionally of one organization or topic.
#[utoipa::path(
    tag = "services",
    params(
        ("organization" = Option<String>, Query, description = "Organization id", example = "pksotu"),
        ("topic" = Option<String>, Query, description = "Topic code", example = "online_public_services"),
        PageParams, LangParams
    ),
    responses(
        (status = 200, description = "A page of services", body = ServicePage),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/services")]
pub async fn list_services(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let params = Params::from_request(&req)?;
    let lang = LangMode::from_request(&req, &params)?;
    let (page, per_page) = params::page(&params)?;
    let organization = params.one("organization")?;
    if let Some(o) = organization {
        check_id("organization", o)?;
        dir.organization(o)
            .ok_or_else(|| ApiError::invalid_param("organization", format!("unknown organization {o:?}")))?;
    }
    let topic = match params.one("topic")? {
        Some(t) => {
            Some(dir.topic(t).ok_or_else(|| ApiError::invalid_param("topic", format!("unknown topic {t:?}")))?.bit)
        }
        None => None,
    };
    let matching: Vec<usize> = (0..dir.services.len())
        .filter(|&i| organization.is_none_or(|o| dir.organizations[dir.services[i].organization].id == o))
        .filter(|&i| topic.is_none_or(|bit| dir.services[i].topic_mask & bit != 0))
        .collect();
    let total = matching.len();
    let items = matching
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|i| views::service(&dir, i, lang))
        .collect();
    Ok(public_json(&req, dir.version, &ServicePage { items, total, page, per_page }))
}

/// One service.
#[utoipa::path(
    tag = "services",
    params(("id" = String, Path, description = "Service id"), LangParams),
    responses(
        (status = 200, description = "The service", body = ServiceOut),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/services/{id}")]
pub async fn get_service(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let params = Params::from_request(&req)?;
    let lang = LangMode::from_request(&req, &params)?;
    check_id("id", &id)?;
    let (index, _) = dir.service(&id).ok_or_else(|| ApiError::not_found("service", &id))?;
    Ok(public_json(
        &req,
        RowTag::new(&dir.services[index].id, dir.services[index].provenance.version),
        &views::service(&dir, index, lang),
    ))
}

/// One service at a location: its own hours, booking instructions and status.
#[utoipa::path(
    tag = "services",
    params(("id" = String, Path, description = "Service-at-location id"), params::TimeParams, LangParams),
    responses(
        (status = 200, description = "The service at the location", body = ServiceAtLocationDetail),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service at a location", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/services-at-locations/{id}")]
pub async fn get_service_at_location(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let dir = state.store.get();
    let params = Params::from_request(&req)?;
    let lang = LangMode::from_request(&req, &params)?;
    check_id("id", &id)?;
    let (at, _) = params::times(&params)?;
    let (loc, sal) = dir.service_at_location(&id).ok_or_else(|| ApiError::not_found("service at location", &id))?;
    Ok(public_json(
        &req,
        RowTag::new(&sal.id, sal.provenance.version),
        &views::service_at_location_detail(&dir, loc, sal, lang, at),
    ))
}
