//! The HTTP edge. Handlers are thin: they parse and validate parameters (`params`), ask the
//! snapshot (`crate::directory`), and shape the answer (`views`, `respond`).
//! `routes` is the one route table: the whole API surface, top to bottom.

pub mod geojson;
pub mod health;
pub mod locations;
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
        // `nearest` before `{id}`, so that it is not taken for an id.
        .service(locations::nearest_locations)
        .service(locations::list_locations)
        .service(geojson::locations_geojson)
        .service(crate::embed::referral::referral_slip)
        .service(schedule::location_schedule)
        .service(locations::get_location)
        .service(organizations::list_organizations)
        .service(organizations::get_organization)
        .service(reference::list_topics)
        .service(reference::list_municipalities)
        .service(reference::get_postal_code)
        // Pages for people and the widget (`crate::embed`).
        .service(crate::embed::widget::embed_js)
        .service(crate::embed::widget::page_css)
        .service(crate::embed::list::embed_list)
        .service(crate::embed::staff::staff)
        .service(crate::openapi::swagger_ui());
}
