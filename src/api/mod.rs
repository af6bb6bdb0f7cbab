//! The HTTP edge. Handlers are thin: they parse and validate parameters (`params`), ask the
//! snapshot (`crate::directory`), and shape the answer (`views`, `respond`).
//! `routes` is the one route table: the whole API surface, top to bottom.

pub mod health;
pub mod locations;
pub mod metrics;
pub mod organizations;
pub mod params;
pub mod reference;
pub mod respond;
pub mod schedule;
pub mod views;

use std::sync::Arc;

use actix_web::web;

use crate::db::Pool;
use crate::directory::store::Store;

/// What every handler can reach.
pub struct AppState {
    pub store: Arc<Store>,
    pub pool: Pool,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(metrics::prometheus_metrics)
        // `nearest` before `{id}`, so that it is not taken for an id.
        .service(locations::nearest_locations)
        .service(locations::list_locations)
        .service(schedule::location_schedule)
        .service(locations::get_location)
        .service(organizations::list_organizations)
        .service(organizations::get_organization)
        .service(reference::list_topics)
        .service(reference::list_municipalities)
        .service(reference::get_postal_code)
        .service(crate::openapi::swagger_ui());
}
