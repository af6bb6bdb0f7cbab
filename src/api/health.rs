//! Liveness and readiness.

use std::time::Duration;

use actix_web::{get, web, HttpResponse};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the database cannot be reached (reads still work).
    #[schema(example = "ok")]
    pub status: String,
    pub snapshot_loaded: bool,
    #[schema(example = 42)]
    pub snapshot_version: i64,
    pub database_reachable: bool,
}

/// The process is alive.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive", body = Object)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Ready to serve: a snapshot is loaded and the database answers. 503 otherwise.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Not ready, or degraded (database unreachable)", body = Health),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database_reachable = database_answers(&state).await;
    let snapshot_loaded = state.store.is_loaded();
    let body = Health {
        status: match (snapshot_loaded, database_reachable) {
            (true, true) => "ok",
            (true, false) => "degraded",
            _ => "starting",
        }
        .into(),
        snapshot_loaded,
        snapshot_version: state.store.get().version,
        database_reachable,
    };
    if snapshot_loaded && database_reachable {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().insert_header(("Retry-After", "5")).json(body)
    }
}

/// Whether PostgreSQL answers a trivial query within 2 seconds.
pub(crate) async fn database_answers(state: &AppState) -> bool {
    let check = async {
        let mut conn = state.pool.get().await.ok()?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await.ok()
    };
    matches!(tokio::time::timeout(Duration::from_secs(2), check).await, Ok(Some(_)))
}
