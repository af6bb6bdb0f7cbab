//! Writing organizations: the coordinator creates them, partners keep their own current.

use crate::http::respond::RowTag;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::resource::{partner_routes, Creatable, Grant, Patchable, Resource};
use super::written;
use crate::auth::Caller;
use crate::db::models::OrganizationRow;
use crate::db::write;
use crate::directory::Directory;
use crate::edit::organization::{OrganizationChanges, OrganizationInput};
use crate::error::{ApiError, ApiResult};
use crate::http::respond::LangMode;
use crate::http::views::{self, OrganizationOut};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

fn respond(dir: &crate::directory::Directory, id: &str, status: StatusCode) -> HttpResponse {
    match dir.organization(id) {
        Some(org) => written(
            status,
            RowTag::new(&org.id, org.provenance.version),
            Some(format!("/v1/organizations/{id}")),
            &views::organization(dir, org, LangMode::All),
        ),
        None => HttpResponse::build(status).json(serde_json::json!({"id": id})),
    }
}

partner_routes! {
    OrganizationResource, id: "Organization id", etag: "The ETag from GET /v1/organizations/{id}",
    input: OrganizationInput, output: OrganizationOut;
    /// Create an organization (admin token).
    create_by_coordinator create_organization "/v1/organizations";
    /// Update an organization with a JSON Merge Patch (RFC 7396). Needs If-Match.
    patch patch_organization "/v1/organizations/{id}";
    /// The history of an organization's record: every write, who made it, before and after.
    history organization_history "/v1/organizations/{id}/history";
}

/// Organizations through the generic write path (`super::resource`); an organization owns
/// itself. They are not deleted through the API.
pub struct OrganizationResource;

impl Resource for OrganizationResource {
    const KIND: &'static str = "organization";
    const WORDS: &'static str = "organization";
    type Row = OrganizationRow;
    type Input = OrganizationInput;

    async fn lock(conn: &mut AsyncPgConnection, id: &str) -> ApiResult<Option<OrganizationRow>> {
        Ok(write::lock_organization(conn, id).await?)
    }
    fn owner(row: &OrganizationRow, _: &Directory) -> String {
        row.id.clone()
    }
    async fn input(_: &mut AsyncPgConnection, row: &OrganizationRow) -> ApiResult<OrganizationInput> {
        Ok(OrganizationInput::from_row(row))
    }
    async fn set_deleted(_: &mut AsyncPgConnection, id: &str, _: Option<DateTime<Utc>>) -> ApiResult<()> {
        Err(ApiError::conflict(format!("the organization {id:?} is not deleted or restored through the API")))
    }
    fn respond(dir: &Directory, id: &str, status: StatusCode) -> HttpResponse {
        respond(dir, id, status)
    }
}

impl Patchable for OrganizationResource {
    type Valid = OrganizationChanges;
    type Found = ();
    fn input_id(input: &OrganizationInput) -> &Option<String> {
        &input.id
    }
    fn validate(input: &OrganizationInput, dir: &Directory, _: &OrganizationRow) -> ApiResult<OrganizationChanges> {
        input.validate(dir)
    }
    fn authorize(
        _: &Caller,
        _: Grant,
        _: &OrganizationInput,
        _: &OrganizationInput,
        _: &OrganizationChanges,
    ) -> ApiResult<()> {
        // An organization owns itself, its id does not change (checked before), and its
        // owner's rights were checked when it was opened.
        Ok(())
    }
    async fn update(conn: &mut AsyncPgConnection, id: &str, valid: &OrganizationChanges) -> ApiResult<()> {
        Ok(write::update_organization(conn, id, valid).await?)
    }
}

impl Creatable for OrganizationResource {
    const TABLE: &'static str = "organizations";
    fn prepare(caller: &Caller, _: &mut OrganizationInput, _: &Directory) -> ApiResult<()> {
        // Only the coordinator creates organizations (`create_organization` is a
        // `create_by_coordinator` route: the token is refused before anything else is read).
        caller.require_admin()
    }
    fn validate_new(input: &OrganizationInput, dir: &Directory) -> ApiResult<OrganizationChanges> {
        input.validate(dir)
    }
    fn authorize_new(_: &Caller, _: &OrganizationChanges) -> ApiResult<()> {
        Ok(())
    }
    fn id_base(valid: &OrganizationChanges) -> String {
        valid.name_fi.clone()
    }
    fn with_id(input: &OrganizationInput, id: String) -> OrganizationInput {
        OrganizationInput { id: Some(id), ..input.clone() }
    }
    async fn insert(conn: &mut AsyncPgConnection, id: &str, valid: &OrganizationChanges) -> ApiResult<()> {
        Ok(write::insert_organization(conn, id, valid).await?)
    }
}
