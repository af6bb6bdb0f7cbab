//! The one route table: the whole surface (JSON API, pages, documentation), top to bottom,
//! and the answer when no route matches (404, or 405 with `Allow` for a documented path).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse, ResponseError};

use crate::api::{
    events, export, geojson, health, hsds, locations, metrics, organizations, partner, reference, schedule, services,
};
use crate::error::ApiError;

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
        // The partner editor (`crate::editor`): pages, forms posted back to it.
        // (64 KiB: the largest hours form is a few kilobytes.)
        .app_data(web::FormConfig::default().limit(64 * 1024))
        .configure(crate::editor::routes)
        .service(crate::openapi::swagger_ui());
}

/// No route matched: 405 with `Allow` when the path is a documented one asked with a method it
/// does not have, 404 otherwise.
pub async fn not_found_route(req: actix_web::HttpRequest) -> HttpResponse {
    static DOCUMENTED: std::sync::LazyLock<Vec<(actix_web::dev::ResourceDef, String)>> =
        std::sync::LazyLock::new(|| {
            crate::openapi::document()
                .paths
                .paths
                .iter()
                .map(|(path, item)| {
                    let methods = [
                        ("GET, HEAD", item.get.is_some()),
                        ("POST", item.post.is_some()),
                        ("PUT", item.put.is_some()),
                        ("PATCH", item.patch.is_some()),
                        ("DELETE", item.delete.is_some()),
                    ];
                    let allow: Vec<&str> = methods.iter().filter(|(_, has)| *has).map(|(m, _)| *m).collect();
                    (actix_web::dev::ResourceDef::new(path.as_str()), allow.join(", "))
                })
                .collect()
        });
    let method = req.method().as_str();
    let documented = DOCUMENTED.iter().find(|(r, _)| r.is_match(req.path()));
    if let Some((_, allow)) = documented.filter(|(_, allow)| !allow.split(", ").any(|m| m == method)) {
        let mut resp = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed",
            format!("{method} is not allowed here; allowed: {allow}"),
        )
        .error_response();
        if let Ok(v) = header::HeaderValue::from_str(allow) {
            resp.headers_mut().insert(header::ALLOW, v);
        }
        return resp;
    }
    ApiError::new(StatusCode::NOT_FOUND, "Not found", "no such route").error_response()
}
