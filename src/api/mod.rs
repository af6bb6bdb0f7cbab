//! The HTTP edge. Handlers are thin: they parse and validate parameters (`params`), ask the
//! snapshot (`crate::directory`), and shape the answer (`views`, `respond`).
//! `routes` is the one route table: the whole API surface, top to bottom.

pub mod export;
pub mod health;
pub mod hsds;
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
use crate::geocode::Geocoder;

/// What every handler can reach.
pub struct AppState {
    pub store: Arc<Store>,
    pub pool: Pool,
    /// The address geocoder (`DIGITUKI_GEOCODER_URL`), when configured.
    pub geocoder: Option<Geocoder>,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
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
        .service(export::export_hsds_zip)
        .service(export::export_locations_csv)
        .service(hsds::hsds_root)
        .service(hsds::hsds_services)
        .service(hsds::hsds_service)
        .service(hsds::hsds_service_at_locations)
        .service(hsds::hsds_service_at_location)
        .service(hsds::hsds_organizations)
        .service(hsds::hsds_organization)
        .service(hsds::hsds_taxonomies)
        .service(hsds::hsds_taxonomy_terms)
        .service(crate::openapi::swagger_ui());
}
