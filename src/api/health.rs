//! Liveness and readiness.

use std::time::Duration;

use actix_web::{get, web, HttpResponse};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the database cannot be reached or cannot store changes
    /// (reads still work).
    #[schema(example = "ok")]
    pub status: String,
    pub snapshot_loaded: bool,
    #[schema(example = 42)]
    pub snapshot_version: i64,
    pub database_reachable: bool,
    /// False while the database refuses changes (read-only) or the last write met a storage
    /// fault (disk full) and no write has succeeded since.
    pub database_writable: bool,
    /// Why the service is degraded, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "the database is read-only")]
    pub reason: Option<String>,
}

/// The process is alive.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive", body = crate::http::schemas::Alive, example = json!({"status": "ok"}))))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(crate::http::schemas::Alive { status: "ok".into() })
}

/// Ready to serve: a snapshot is loaded and the database answers and accepts changes. 503
/// otherwise, with the reason (reads keep working from the snapshot while degraded).
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Not ready, or degraded (database unreachable, read-only or out of space)", body = Health),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let writable = database_writable(&state).await;
    let database_reachable = writable.is_some();
    let snapshot_loaded = state.store.is_loaded();
    let mut reason = match writable {
        None => Some("the database does not answer".to_owned()),
        Some(false) => Some("the database is read-only".to_owned()),
        Some(true) => None,
    };
    if reason.is_none() {
        reason = state.storage.fault();
    }
    let ready = snapshot_loaded && reason.is_none();
    let body = Health {
        status: match (snapshot_loaded, ready) {
            (true, true) => "ok",
            (true, false) => "degraded",
            _ => "starting",
        }
        .into(),
        snapshot_loaded,
        snapshot_version: state.store.get().version,
        database_reachable,
        database_writable: database_reachable && reason.is_none(),
        reason: if snapshot_loaded { reason } else { Some("the first snapshot is being built".into()) },
    };
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().insert_header(("Retry-After", "5")).json(body)
    }
}

/// Whether PostgreSQL answers within 2 seconds (`None` when not) and would accept a write
/// (`transaction_read_only` is off: not a standby, not `default_transaction_read_only`).
async fn database_writable(state: &AppState) -> Option<bool> {
    #[derive(diesel::QueryableByName)]
    struct ReadOnly {
        #[diesel(sql_type = diesel::sql_types::Text)]
        read_only: String,
    }
    let check = async {
        let mut conn = state.pool.get().await.ok()?;
        diesel::sql_query("SELECT current_setting('transaction_read_only') AS read_only")
            .get_result::<ReadOnly>(&mut conn)
            .await
            .ok()
    };
    match tokio::time::timeout(Duration::from_secs(2), check).await {
        Ok(Some(r)) => Some(r.read_only != "on"),
        _ => None,
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
