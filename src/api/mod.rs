//! The HTTP edge. Handlers are thin: they parse and validate parameters (`params`), ask the
//! snapshot (`crate::directory`), and shape the answer (`views`, `respond`).
//! `routes` is the one route table: the whole API surface, top to bottom.

pub mod answers;
pub mod events;
pub mod export;
pub mod fragments;
pub mod geojson;
pub mod health;
pub mod hsds;
pub mod locations;
pub mod metrics;
pub mod organizations;
pub mod params;
pub mod partner;
pub mod proxy;
pub mod reference;
pub mod respond;
pub mod schedule;
pub mod services;
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
    pub limits: partner::Limits,
    pub limiter: crate::auth::RateLimiter,
    /// The address geocoder (`DIGITUKI_GEOCODER_URL`), when configured.
    pub geocoder: Option<Geocoder>,
    /// Which forwarded headers to believe, and the public base URL of links.
    pub proxy: proxy::ProxyConfig,
    /// Failed authentication per client address.
    pub auth_failures: crate::auth::AuthFailures,
    /// When set, `/metrics` needs `Authorization: Bearer <this>`.
    pub metrics_token: Option<String>,
    /// The last storage fault a write met (read-only database, disk full), for `/readyz`.
    pub storage: health::StorageState,
    /// Kept answers of the location listings and the pre-rendered locations, per snapshot.
    pub answers: answers::Answers,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use partner::{
        admin, hours, locations as edit_locations, organizations as edit_organizations, services as edit_services,
    };
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(metrics::prometheus_metrics)
        // Locations. `nearest` before `{id}`, so that it is not taken for an id.
        .service(locations::nearest_locations)
        .service(locations::list_locations)
        .service(edit_locations::create_location)
        .service(geojson::locations_geojson)
        .service(crate::embed::referral::referral_slip)
        .service(schedule::location_schedule)
        .service(hours::get_hours)
        .service(hours::put_hours)
        .service(hours::put_exception)
        .service(hours::delete_exception)
        .service(edit_locations::verify_location)
        .service(edit_locations::restore_location)
        .service(edit_locations::location_history)
        .service(locations::get_location)
        .service(edit_locations::patch_location)
        .service(edit_locations::delete_location)
        // Events: `occurrences` and the feeds before `{id}`.
        .service(events::list_events)
        .service(partner::events::create_event)
        .service(events::list_occurrences)
        .service(events::events_ics)
        .service(events::location_events_ics)
        .service(events::organization_events_ics)
        .service(events::municipality_events_ics)
        .service(partner::events::event_history)
        .service(partner::events::put_occurrence)
        .service(events::get_event)
        .service(partner::events::patch_event)
        .service(partner::events::delete_event)
        // Organizations.
        .service(organizations::list_organizations)
        .service(edit_organizations::create_organization)
        .service(edit_organizations::organization_history)
        .service(organizations::get_organization)
        .service(edit_organizations::patch_organization)
        // Services and services at locations.
        .service(services::list_services)
        .service(edit_services::create_service)
        .service(edit_services::service_history)
        .service(edit_services::restore_service)
        .service(services::get_service)
        .service(edit_services::patch_service)
        .service(edit_services::delete_service)
        .service(edit_services::create_service_at_location)
        .service(services::get_service_at_location)
        .service(edit_services::patch_service_at_location)
        .service(edit_services::delete_service_at_location)
        // The coordinator.
        .service(admin::create_token)
        .service(admin::list_tokens)
        .service(admin::revoke_token)
        .service(admin::stale)
        // Reference data.
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
        // Pages for people and the widget (`crate::embed`).
        .service(crate::embed::widget::embed_js)
        .service(crate::embed::widget::page_css)
        .service(crate::embed::widget::staff_js)
        .service(crate::embed::list::embed_list)
        .service(crate::embed::staff::staff)
        .service(crate::openapi::docs_redirect)
        .service(crate::openapi::swagger_ui());
}
