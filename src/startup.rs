//! Builds and runs the service, so that `main` and the tests start exactly the same thing.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use anyhow::Context;

use crate::api::{self, AppState};
use crate::db::{self, embedded::EmbeddedPostgres};
use crate::directory::store::{self, Store};
use crate::error;
use crate::geocode::{Geocoder, GeocoderConfig};

/// Where the database is: an external server, or the embedded cluster this process may own.
pub struct Database {
    pub url: String,
    pub embedded: Option<EmbeddedPostgres>,
}

pub const EMBEDDED_DATABASE: &str = "digituki";

/// Resolves `DATABASE_URL` or starts the embedded cluster; migrates either way.
pub async fn open_database(args: &crate::config::DbArgs) -> anyhow::Result<Database> {
    let db = match &args.database_url {
        Some(url) => Database { url: url.clone(), embedded: None },
        None => {
            let data_dir = args.data_dir.clone();
            let pg = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&data_dir)).await??;
            pg.ensure_database(EMBEDDED_DATABASE).await?;
            Database { url: pg.url(EMBEDDED_DATABASE), embedded: Some(pg) }
        }
    };
    db::migrate(&db.url).await?;
    Ok(db)
}

/// A running service: its address and the handle to stop it.
pub struct Running {
    pub server: Server,
    pub port: u16,
    pub state: web::Data<AppState>,
}

/// How the server runs.
#[derive(Default)]
pub struct Options {
    pub workers: Option<usize>,
    pub limits: crate::api::partner::Limits,
    /// The address geocoder, when configured.
    pub geocoder: Option<Geocoder>,
}

/// Loads the snapshot and binds the server (not yet awaited), with the geocoder configured in
/// the environment (`DIGITUKI_GEOCODER_URL`, see `crate::geocode`).
pub async fn build(database_url: &str, listener: TcpListener, workers: Option<usize>) -> anyhow::Result<Running> {
    let geocoder = GeocoderConfig::from_env()?.map(Geocoder::new).transpose()?;
    build_with(database_url, listener, Options { workers, geocoder, ..Options::default() }).await
}

pub async fn build_with(database_url: &str, listener: TcpListener, options: Options) -> anyhow::Result<Running> {
    let workers = options.workers;
    let pool = db::pool(database_url)?;
    let store = Arc::new(Store::default());
    // Listen for changes before reading the first snapshot, so that none falls in between.
    let (listening, listening_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(store::follow_changes(store.clone(), pool.clone(), database_url.to_owned(), Some(listening)));
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), listening_rx).await;
    store.rebuild(&pool).await.context("building the first snapshot")?;
    let limiter = crate::auth::RateLimiter::new(options.limits.writes_per_minute);
    let state = web::Data::new(AppState { store, pool, limits: options.limits, limiter, geocoder: options.geocoder });
    let port = listener.local_addr()?.port();
    let data = state.clone();
    let metrics = web::Data::new(api::metrics::Metrics::default());
    let mut server = HttpServer::new(move || {
        App::new()
            // HEAD is answered as GET without a body (curl -I, link checkers, caches).
            .wrap_fn(|mut req, srv| {
                if req.method() == actix_web::http::Method::HEAD {
                    req.head_mut().method = actix_web::http::Method::GET;
                }
                actix_web::dev::Service::call(srv, req)
            })
            .wrap(actix_web::middleware::from_fn(api::metrics::track))
            .wrap(actix_web::middleware::from_fn(api::respond::cors_on_errors))
            .app_data(data.clone())
            .app_data(metrics.clone())
            .app_data(error::json_config())
            .app_data(error::query_config())
            .app_data(
                web::PathConfig::default()
                    .error_handler(|e, _| error::ApiError::invalid_param("path", e.to_string()).into()),
            )
            .configure(api::routes)
            .default_service(web::to(error::not_found_route))
    })
    .listen(listener)?;
    if let Some(w) = workers {
        server = server.workers(w);
    }
    Ok(Running { server: server.shutdown_timeout(30).run(), port, state })
}
