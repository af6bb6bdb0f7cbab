//! Public organization endpoints.

use crate::http::respond::RowTag;
use actix_web::{get, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::directory::search::SearchQuery;
use crate::directory::Directory;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::params::{self, LangParams, PageParams, Params};
use crate::http::read::Reading;
use crate::http::respond::public_json;
use crate::http::views::{self, OrganizationOut};

crate::http::respond::page_type!(OrganizationPage { items: OrganizationOut, total: 26 });

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationFilterParams {
    /// Organization kind, e.g. `library`, `association`, `adult_education_college`.
    #[param(example = "library")]
    pub kind: Option<String>,
    /// Words to look for in names and descriptions.
    #[param(example = "kirjasto", max_length = 200)]
    pub q: Option<String>,
}

impl OrganizationFilterParams {
    pub fn read(params: &Params) -> ApiResult<OrganizationFilterParams> {
        Ok(OrganizationFilterParams {
            kind: params.one("kind")?.map(str::to_owned),
            q: params.one("q")?.map(str::to_owned),
        })
    }
}

/// List organizations in alphabetical order of their Finnish names.
#[utoipa::path(
    tag = "organizations",
    params(OrganizationFilterParams, PageParams, LangParams),
    responses(
        (status = 200, description = "A page of organizations", body = OrganizationPage),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/organizations")]
pub async fn list_organizations(read: Reading) -> ApiResult<HttpResponse> {
    let Reading { req, dir, params, lang, .. } = read;
    let (page, per_page) = params::page(&params)?;
    let given = OrganizationFilterParams::read(&params)?;
    let kind = given.kind.as_deref();
    if let Some(k) = kind {
        if !dir.organizations.iter().any(|o| o.kind == k)
            && !<crate::domain::LocationKind as crate::domain::Vocabulary>::names().contains(&k)
        {
            return Err(ApiError::invalid_param("kind", format!("unknown organization kind {k:?}")));
        }
    }
    let query = match given.q.as_deref() {
        Some(q) if q.chars().count() > 200 => {
            return Err(ApiError::invalid_param("q", "must be at most 200 characters"))
        }
        Some(q) => SearchQuery::parse(q),
        None => None,
    };
    let mut orgs: Vec<_> = dir
        .organizations
        .iter()
        .filter(|o| kind.is_none_or(|k| o.kind == k))
        .filter(|o| query.as_ref().is_none_or(|q| q.matches(&o.search)))
        .collect();
    orgs.sort_by(|a, b| a.name.fi.to_lowercase().cmp(&b.name.fi.to_lowercase()).then_with(|| a.id.cmp(&b.id)));
    let total = orgs.len();
    let items = orgs
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|o| views::organization(&dir, o, lang))
        .collect();
    Ok(public_json(&req, dir.version, &OrganizationPage { items, total, page, per_page }))
}

/// One organization, with its locations.
#[utoipa::path(
    tag = "organizations",
    params(("id" = String, Path, description = "Organization id", example = "joensuun-kaupunginkirjasto"), LangParams),
    responses(
        (status = 200, description = "The organization", body = OrganizationOut),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Malformed id or parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/organizations/{id}")]
pub async fn get_organization(read: Reading) -> ApiResult<HttpResponse> {
    let org = read.find("organization", Directory::organization)?;
    Ok(public_json(
        &read.req,
        RowTag::new(&org.id, org.provenance.version),
        &views::organization(&read.dir, org, read.lang),
    ))
}
