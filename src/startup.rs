//! Builds and runs the service, so that `main` and the tests start exactly the same thing.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{web, App};
use anyhow::Context;

use crate::api;
use crate::db;
use crate::db::embedded::{EmbeddedPostgres, ServiceLock};
use crate::directory::store::{self, Store};
use crate::error;
use crate::geocode::{Geocoder, GeocoderConfig};
pub use crate::head_guard::{MAX_HEADER_BYTES, MAX_URI_BYTES};
use crate::http::state::AppState;

/// Where the database is: an external server, or the embedded cluster this process uses
/// (see `crate::db::embedded` for who stops it).
pub struct Database {
    pub url: String,
    pub embedded: Option<EmbeddedPostgres>,
    /// The service's hold on the data dir (embedded cluster only): one service per data dir.
    pub service: Option<ServiceLock>,
}

pub const EMBEDDED_DATABASE: &str = "digituki";

/// Resolves `DATABASE_URL` or joins the embedded cluster (a CLI command); migrates either way.
pub async fn open_database(args: &crate::config::DbArgs) -> anyhow::Result<Database> {
    open(args, false).await
}

/// As `open_database`, for `serve`: with the embedded cluster it first takes the data dir's
/// service lock, and refuses to start when another service holds it.
pub async fn open_service_database(args: &crate::config::DbArgs) -> anyhow::Result<Database> {
    open(args, true).await
}

async fn open(args: &crate::config::DbArgs, service: bool) -> anyhow::Result<Database> {
    let db = match &args.database_url {
        Some(url) => Database { url: url.clone(), embedded: None, service: None },
        None => {
            let service = if service { Some(ServiceLock::acquire(&args.data_dir)?) } else { None };
            let data_dir = args.data_dir.clone();
            let pg = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&data_dir)).await??;
            pg.ensure_database(EMBEDDED_DATABASE).await?;
            Database { url: pg.url(EMBEDDED_DATABASE), embedded: Some(pg), service }
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
    pub limits: crate::http::limits::Limits,
    /// The address geocoder, when configured.
    pub geocoder: Option<Geocoder>,
    /// Trusted proxies and the public base URL (`--trusted-proxies`, `--public-url`).
    pub proxy: crate::http::proxy::ProxyConfig,
    /// A bearer token `/metrics` asks for (`--metrics-token`); open when unset.
    pub metrics_token: Option<String>,
    /// Imports to run on a schedule (`--import-every`, `--import`).
    pub schedule: Option<crate::import::schedule::Schedule>,
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
    let import_stats = Arc::new(crate::import::schedule::ImportStats::default());
    if let Some(schedule) = options.schedule {
        tokio::spawn(crate::import::schedule::run_forever(
            schedule,
            database_url.to_owned(),
            options.geocoder.clone(),
            import_stats.clone(),
        ));
    }
    let import_stats = web::Data::from(import_stats);
    let limiter = crate::http::limits::RateLimiter::new(options.limits.writes_per_minute);
    let failed_logins_per_minute = options.limits.failed_logins_per_minute;
    let state = web::Data::new(AppState {
        store,
        pool,
        limits: options.limits,
        limiter,
        geocoder: options.geocoder,
        proxy: crate::http::proxy::ProxyConfig {
            listen_addr: Some(listener.local_addr()?.to_string()),
            ..options.proxy
        },
        auth_failures: crate::http::limits::AuthFailures::new(failed_logins_per_minute),
        metrics_token: options.metrics_token,
        storage: Default::default(),
        answers: Default::default(),
    });
    let addr = listener.local_addr()?;
    let data = state.clone();
    let metrics = web::Data::new(api::metrics::Metrics::default());
    let app = move || {
        App::new()
            // HEAD is answered as GET without a body (curl -I, link checkers, caches).
            .wrap_fn(|mut req, srv| {
                if req.method() == actix_web::http::Method::HEAD {
                    req.head_mut().method = actix_web::http::Method::GET;
                }
                actix_web::dev::Service::call(srv, req)
            })
            .wrap(actix_web::middleware::from_fn(api::metrics::track))
            .wrap(actix_web::middleware::from_fn(vary_on_forwarded))
            .wrap(actix_web::middleware::from_fn(request_limits))
            .wrap(actix_web::middleware::from_fn(crate::http::respond::cors_on_errors))
            .app_data(data.clone())
            .app_data(metrics.clone())
            .app_data(import_stats.clone())
            .app_data(error::json_config())
            .app_data(error::query_config())
            .app_data(
                web::PathConfig::default()
                    .error_handler(|e, _| error::ApiError::invalid_param("path", e.to_string()).into()),
            )
            .configure(crate::routes::routes)
            .default_service(web::to(crate::routes::not_found_route))
    };
    // actix-web's `HttpServer`, put together by hand so that each connection's socket passes
    // through `head_guard` before actix's HTTP/1 parser (see there why). The settings are
    // `HttpServer`'s defaults, graceful shutdown included.
    let mut builder = actix_server::Server::build();
    let shutdown = builder.graceful_shutdown_signal();
    if let Some(w) = workers {
        builder = builder.workers(w);
    }
    let server = builder
        .shutdown_timeout(30)
        .listen("digituki", listener, move || {
            use actix_service::{fn_service, map_config, IntoServiceFactory, ServiceFactoryExt};
            let shutdown = shutdown.clone();
            let http = actix_http::HttpService::build()
                .graceful_shutdown_signal(move || {
                    let signal = shutdown.clone();
                    async move { signal.notified().await }
                })
                .client_request_timeout(std::time::Duration::from_secs(5))
                .client_disconnect_timeout(std::time::Duration::from_secs(1))
                .h1_allow_half_closed(true)
                .local_addr(addr)
                .h1(map_config(
                    app().into_factory().map_err(|e| actix_web::ResponseError::error_response(e.as_response_error())),
                    |_| actix_web::dev::AppConfig::default(),
                ));
            fn_service(|io: tokio::net::TcpStream| async move {
                let peer = io.peer_addr().ok();
                Ok((crate::head_guard::Guarded::new(io), peer))
            })
            .and_then(http)
        })?
        .run();
    Ok(Running { server, port: addr.port(), state })
}

/// Behind trusted proxies, links in answers follow the forwarded host and scheme: caches must
/// keep such answers apart (`Vary`). Without trusted proxies nothing forwarded is read.
async fn vary_on_forwarded(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let extra = req.app_data::<web::Data<AppState>>().and_then(|s| s.proxy.vary());
    let mut resp = next.call(req).await?;
    if let Some(extra) = extra {
        use actix_web::http::header::{HeaderValue, VARY};
        let value = match resp.headers().get(VARY).and_then(|v| v.to_str().ok()) {
            Some(v) if !v.is_empty() => format!("{v}, {extra}"),
            _ => extra.to_owned(),
        };
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().insert(VARY, v);
        }
    }
    Ok(resp)
}

/// Oversized request targets (414) and header sections (431) get a problem document like every
/// other refusal, also the heads `head_guard` kept from actix's parser (which would have
/// answered them with an empty 400 or 431).
async fn request_limits<B: actix_web::body::MessageBody + 'static>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::EitherBody<B>>, actix_web::Error> {
    use crate::head_guard::Refusal;
    use actix_web::http::StatusCode;
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    let header_len: usize = req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    let refusal = if let Some(refused) = Refusal::from_path(req.path()) {
        // A head `head_guard` kept from the parser.
        Some(match refused {
            Refusal::Uri(n) => error::ApiError::too_large_head(
                StatusCode::URI_TOO_LONG,
                "URI",
                format!("the request target is over {n} bytes; at most {MAX_URI_BYTES} are accepted"),
            ),
            Refusal::Head(n) => error::ApiError::too_large_head(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers",
                format!("the request's head is over {n} bytes; at most {MAX_HEADER_BYTES} bytes of header fields are accepted"),
            ),
            Refusal::Fields(n) => error::ApiError::too_large_head(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers",
                format!("the request has {n} or more header fields; at most 96 are accepted"),
            ),
        })
    } else if uri_len > MAX_URI_BYTES {
        Some(error::ApiError::too_large_head(
            StatusCode::URI_TOO_LONG,
            "URI",
            format!("the request target is {uri_len} bytes; at most {MAX_URI_BYTES} are accepted"),
        ))
    } else if header_len > MAX_HEADER_BYTES {
        Some(error::ApiError::too_large_head(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers",
            format!("the request's header fields are {header_len} bytes; at most {MAX_HEADER_BYTES} are accepted"),
        ))
    } else {
        None
    };
    match refusal {
        Some(e) => {
            let (req, _) = req.into_parts();
            let resp = actix_web::ResponseError::error_response(&e);
            Ok(actix_web::dev::ServiceResponse::new(req, resp).map_into_right_body())
        }
        None => next.call(req).await.map(|r| r.map_into_left_body()),
    }
}
