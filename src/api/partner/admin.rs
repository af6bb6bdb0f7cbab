//! The coordinator's endpoints (admin token): tokens and the stale-listing report.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::CoordinatorWrite;
use super::written;
use crate::auth::{self, Caller};
use crate::db::tokens::{self, TokenRow};
use crate::edit::Errors;
use crate::error::{ApiError, ApiResult, WriteProblems};
use crate::http::state::AppState;

/// A token as listed: never the token itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub id: i64,
    #[schema(example = "pksotu")]
    pub organization_id: String,
    #[schema(example = "PKSOTU web editor")]
    pub name: String,
    /// The first characters of the token, to recognise it.
    #[schema(example = "dtk_AbCd")]
    pub prefix: String,
    pub admin: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for TokenOut {
    fn from(t: TokenRow) -> Self {
        TokenOut {
            id: t.id,
            organization_id: t.organization_id,
            name: t.name,
            prefix: t.token_prefix,
            admin: t.is_admin,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A new token: `token` is shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    #[serde(flatten)]
    pub info: TokenOut,
    #[schema(example = "dtk_2mQ7hW9sXbK1LpR4vT8yZc3NfJ6gD0aE5uHqSiBo")]
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    #[schema(example = "pksotu")]
    pub organization_id: Option<String>,
    #[schema(example = "PKSOTU web editor")]
    pub name: Option<String>,
    #[serde(default)]
    pub admin: bool,
}

/// Issue a token for an organization (admin).
#[utoipa::path(
    tag = "admin",
    request_body(content = TokenInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The token, shown once", body = NewToken),
        WriteProblems,
    )
)]
#[post("/v1/admin/tokens")]
pub async fn create_token(state: web::Data<AppState>, mut w: CoordinatorWrite) -> ApiResult<HttpResponse> {
    let input: TokenInput = w.typed().await?;
    let new = issue(&state, &input).await?;
    Ok(written(StatusCode::CREATED, format!("t{}", new.info.id), None, &new))
}

/// A new token stored (its hash) and returned once, for the API and the partner editor alike.
/// The caller has been checked to be an admin.
pub async fn issue(state: &AppState, input: &TokenInput) -> ApiResult<NewToken> {
    let mut e = Errors::default();
    let org = e.owner(&input.organization_id, &state.store.get());
    let name = match auth::token_name(input.name.as_deref().unwrap_or_default()) {
        Ok(name) => Some(name),
        Err(problem) => {
            e.push("name", problem);
            None
        }
    };
    e.finish()?;
    let token = auth::generate_token();
    let mut conn = state.pool.get().await.map_err(ApiError::from_pool)?;
    let row = tokens::create(
        &mut conn,
        &org.unwrap_or_default(),
        &name.unwrap_or_default(),
        input.admin,
        &auth::sha256_hex(&token),
        &token[..8],
    )
    .await?;
    Ok(NewToken { info: row.into(), token })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenOut>,
}

/// List tokens (admin).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "All tokens, revoked ones included", body = TokenList),
        WriteProblems,
    )
)]
#[get("/v1/admin/tokens")]
pub async fn list_tokens(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let mut conn = state.pool.get().await.map_err(ApiError::from_pool)?;
    let items = tokens::list(&mut conn).await?.into_iter().map(TokenOut::from).collect();
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(TokenList { items }))
}

/// Revoke a token (admin). Revoked tokens answer 401 at once.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "Token id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        WriteProblems,
    )
)]
#[delete("/v1/admin/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let id: i64 = id.parse().map_err(|_| ApiError::invalid_param("id", "must be a token id (an integer)"))?;
    let mut conn = state.pool.get().await.map_err(ApiError::from_pool)?;
    if !tokens::revoke(&mut conn, id).await? {
        return Err(ApiError::not_found("unrevoked token", &id.to_string()));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// A listing that no partner has confirmed for 180 days.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaleListing {
    #[schema(example = "kon-kirjasto")]
    pub id: String,
    #[schema(example = "Kontiolahden kirjasto")]
    pub name: String,
    pub organization_id: String,
    pub verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Days since it was last confirmed (or created, when never confirmed).
    pub days_unverified: i64,
}

/// An event occurrence in the coming year on a day its place is closed (a holiday or an
/// exception in the place's hours): published, but to be checked with the organiser.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedDayOccurrence {
    #[schema(example = "ev-3f2a9c1b")]
    pub event_id: String,
    /// The event's title in Finnish.
    #[schema(example = "Digikahvila")]
    pub title: String,
    #[schema(example = "joensuun-kaupunginkirjasto")]
    pub organization_id: String,
    #[schema(example = "jns-paakirjasto")]
    pub location_id: String,
    /// The day it takes place (Helsinki; a moved occurrence's new day).
    #[schema(example = "2026-12-06")]
    pub date: chrono::NaiveDate,
    /// Local start time (Europe/Helsinki, with offset).
    #[schema(example = "2026-12-06T12:00:00+02:00")]
    pub start: String,
    /// Why the place is closed that day, when its hours say.
    pub reason: Option<crate::i18n::Localized>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaleList {
    pub items: Vec<StaleListing>,
    /// Occurrences of the next 366 days (not cancelled) on days their place is closed, soonest
    /// first.
    pub closed_day_occurrences: Vec<ClosedDayOccurrence>,
}

/// Listings not verified for 180 days, longest first, and event occurrences on days their
/// place is closed (admin).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Stale listings", body = StaleList),
        WriteProblems,
    )
)]
#[get("/v1/admin/stale")]
pub async fn stale(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(stale_list(&state.store.get(), Utc::now())))
}

/// The report itself, for the API and the partner editor alike.
pub fn stale_list(dir: &crate::directory::Directory, now: DateTime<Utc>) -> StaleList {
    let mut items: Vec<StaleListing> = dir
        .locations
        .iter()
        .filter(|l| l.provenance.is_stale(now))
        .map(|l| StaleListing {
            id: l.id.clone(),
            name: l.name.fi.clone(),
            organization_id: dir.organizations[l.organization].id.clone(),
            verified_at: l.provenance.verified_at,
            created_at: l.provenance.created_at,
            days_unverified: (now - l.provenance.verified_at.unwrap_or(l.provenance.created_at)).num_days(),
        })
        .collect();
    items.sort_by(|a, b| b.days_unverified.cmp(&a.days_unverified).then_with(|| a.id.cmp(&b.id)));
    let mut closed_day_occurrences: Vec<ClosedDayOccurrence> = dir
        .events
        .iter()
        .filter(|e| e.location.is_some())
        .flat_map(|e| e.occurrences(now, now + chrono::Duration::days(366)).into_iter().map(move |o| (e, o)))
        .filter(|(_, o)| o.status != "cancelled")
        .filter_map(|(e, o)| {
            let reason = e.place_closed_on(dir, &o)?;
            Some(ClosedDayOccurrence {
                event_id: e.id.clone(),
                title: e.doc.title.fi.clone(),
                organization_id: dir.organizations[e.organization].id.clone(),
                location_id: dir.locations[e.location?].id.clone(),
                date: o.start.with_timezone(&chrono_tz::Europe::Helsinki).date_naive(),
                start: crate::http::views::helsinki_time(o.start),
                reason,
            })
        })
        .collect();
    closed_day_occurrences.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.event_id.cmp(&b.event_id)));
    StaleList { items, closed_day_occurrences }
}
impl crate::edit::ReadShaped for TokenInput {}
