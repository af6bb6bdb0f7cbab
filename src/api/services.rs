//! Public service endpoints: list, one by id, and one service at a location.

use crate::http::respond::RowTag;
use actix_web::{get, HttpResponse};

use crate::directory::Directory;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::params::{self, check_id, LangParams, PageParams};
use crate::http::read::Reading;
use crate::http::respond::public_json;
use crate::http::views::{self, ServiceAtLocationDetail, ServiceOut};

crate::http::respond::page_type!(ServicePage { items: ServiceOut, total: 54 });

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
pub async fn list_services(read: Reading) -> ApiResult<HttpResponse> {
    let Reading { req, dir, params, lang, .. } = read;
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
pub async fn get_service(read: Reading) -> ApiResult<HttpResponse> {
    let (index, svc) = read.find("service", Directory::service)?;
    Ok(public_json(
        &read.req,
        RowTag::new(&svc.id, svc.provenance.version),
        &views::service(&read.dir, index, read.lang),
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
pub async fn get_service_at_location(read: Reading) -> ApiResult<HttpResponse> {
    read.id()?;
    let (at, _) = params::times(&read.params)?;
    let (loc, sal) = read.find("service at location", Directory::service_at_location)?;
    let body = views::service_at_location_detail(&read.dir, loc, sal, read.lang, at);
    Ok(public_json(&read.req, RowTag::new(&sal.id, sal.provenance.version), &body))
}
