//! Operations: request metrics in the Prometheus text format (`GET /metrics`) and the access
//! log. A middleware (`track`) counts every request by method, route pattern (actix's
//! `match_pattern()`, so `/v1/locations/{id}` is one series, not one per id) and status, records
//! its latency in a fixed-bucket histogram, and writes one access-log event through `tracing`
//! (so `--log-json` applies to it too). The snapshot and database gauges are read at scrape
//! time.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{get, web, HttpResponse};

use crate::http::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0];

#[derive(Default)]
struct Series {
    count: AtomicU64,
    sum_micros: AtomicU64,
    /// Non-cumulative counts per bucket; the last slot is +Inf.
    buckets: [AtomicU64; BUCKETS.len() + 1],
}

type Key = (&'static str, String, u16);

/// Request counters and latency histograms, shared by all workers.
#[derive(Default)]
pub struct Metrics {
    series: RwLock<HashMap<Key, Arc<Series>>>,
}

impl Metrics {
    pub fn record(&self, method: &'static str, route: &str, status: u16, took: Duration) {
        let key_lookup = (method, route.to_owned(), status);
        let series = {
            let map = self.series.read().unwrap();
            map.get(&key_lookup).cloned()
        };
        let series = match series {
            Some(s) => s,
            None => self.series.write().unwrap().entry(key_lookup).or_default().clone(),
        };
        let secs = took.as_secs_f64();
        let slot = BUCKETS.iter().position(|b| secs <= *b).unwrap_or(BUCKETS.len());
        series.buckets[slot].fetch_add(1, Ordering::Relaxed);
        series.count.fetch_add(1, Ordering::Relaxed);
        series.sum_micros.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// The request series in the Prometheus text format.
    fn render(&self, out: &mut String) {
        let map = self.series.read().unwrap();
        let mut keys: Vec<&Key> = map.keys().collect();
        keys.sort();
        out.push_str(
            "# HELP digituki_http_requests_total HTTP requests answered, by method, route pattern and status.\n",
        );
        out.push_str("# TYPE digituki_http_requests_total counter\n");
        for k in &keys {
            let s = &map[*k];
            let _ = writeln!(out, "digituki_http_requests_total{{{}}} {}", labels(k), s.count.load(Ordering::Relaxed));
        }
        out.push_str("# HELP digituki_http_request_duration_seconds Time from request to response headers, by method, route pattern and status.\n");
        out.push_str("# TYPE digituki_http_request_duration_seconds histogram\n");
        for k in &keys {
            let s = &map[*k];
            let l = labels(k);
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i].load(Ordering::Relaxed);
                let _ =
                    writeln!(out, "digituki_http_request_duration_seconds_bucket{{{l},le=\"{bound}\"}} {cumulative}");
            }
            cumulative += s.buckets[BUCKETS.len()].load(Ordering::Relaxed);
            let _ = writeln!(out, "digituki_http_request_duration_seconds_bucket{{{l},le=\"+Inf\"}} {cumulative}");
            let sum = s.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(out, "digituki_http_request_duration_seconds_sum{{{l}}} {sum}");
            let _ = writeln!(out, "digituki_http_request_duration_seconds_count{{{l}}} {cumulative}");
        }
    }
}

fn labels((method, route, status): &Key) -> String {
    format!("method=\"{method}\",route=\"{}\",status=\"{status}\"", escape(route))
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn method_name(m: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The middleware: times the request, records it, writes the access-log event.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let started = Instant::now();
    let method = method_name(req.method());
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let result = next.call(req).await;
    let took = started.elapsed();
    let (status, route, path) = match &result {
        Ok(res) => (
            res.status().as_u16(),
            res.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned()),
            res.request().path().to_owned(),
        ),
        Err(e) => (e.as_response_error().status_code().as_u16(), "unmatched".to_owned(), String::new()),
    };
    if let Some(m) = metrics {
        m.record(method, &route, status, took);
    }
    tracing::info!(
        target: "digituki::access",
        method,
        path = %path,
        route = %route,
        status,
        micros = took.as_micros() as u64,
        "request"
    );
    result
}

/// Prometheus metrics: requests by route and status with latency histograms, snapshot version,
/// age, size and rebuild time, database reachability. When the server runs with
/// `--metrics-token`, this needs `Authorization: Bearer <that token>` (401 otherwise).
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Metrics in the Prometheus text exposition format", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "The server restricts metrics (`--metrics-token`) and the bearer token is missing or wrong", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn prometheus_metrics(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    req: actix_web::HttpRequest,
) -> HttpResponse {
    if let Some(expected) = &state.metrics_token {
        let given = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(crate::auth::bearer_token);
        // Compared as hashes: the time taken does not depend on how much of the token matches.
        if given.map(crate::auth::sha256_hex) != Some(crate::auth::sha256_hex(expected)) {
            return actix_web::ResponseError::error_response(&crate::error::ApiError::unauthorized(
                "metrics need Authorization: Bearer <the token given with --metrics-token>",
            ));
        }
    }
    let mut out = String::with_capacity(8192);
    let dir = state.store.get();
    let database_up = super::health::database_answers(&state).await;
    let gauges: [(&str, &str, &str, f64); 8] = [
        (
            "digituki_snapshot_version",
            "gauge",
            "Directory version (directory_state.version: committed changes) of the snapshot served.",
            dir.version as f64,
        ),
        (
            "digituki_snapshot_age_seconds",
            "gauge",
            "Seconds since the snapshot served was built.",
            state.store.age().map_or(-1.0, |a| a.as_secs_f64()),
        ),
        ("digituki_snapshot_locations", "gauge", "Locations in the snapshot served.", dir.locations.len() as f64),
        (
            "digituki_snapshot_rebuild_seconds",
            "gauge",
            "Duration of the last snapshot rebuild (load from PostgreSQL and build).",
            state.store.last_rebuild().map_or(-1.0, |d| d.as_secs_f64()),
        ),
        (
            "digituki_snapshot_rebuilds_total",
            "counter",
            "Snapshot rebuilds since start (full, and place by place).",
            state.store.rebuilds() as f64,
        ),
        (
            "digituki_snapshot_updates_total",
            "counter",
            "Of the rebuilds, those that replaced only the changed places in a copy of the snapshot.",
            state.store.updates() as f64,
        ),
        (
            "digituki_snapshot_rebuild_failures_total",
            "counter",
            "Snapshot rebuilds that failed (the previous snapshot kept serving).",
            state.store.rebuild_failures() as f64,
        ),
        (
            "digituki_database_up",
            "gauge",
            "1 when PostgreSQL answers, 0 when it does not (reads keep working from the snapshot).",
            if database_up { 1.0 } else { 0.0 },
        ),
    ];
    for (name, kind, help, value) in gauges {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
    }
    metrics.render(&mut out);
    // Scheduled imports (`--import-every`): runs, failures, last run, records per source and job.
    if let Some(imports) = req.app_data::<web::Data<crate::import::schedule::ImportStats>>() {
        imports.render(&mut out);
    }
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(out)
}
