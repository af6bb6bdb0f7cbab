//! The OpenAPI 3.1 document, generated from the handlers' annotations. It is served at
//! `/openapi.json` (Swagger UI, bundled for offline use, at `/docs/`) and committed as
//! `openapi/openapi.json`; a test keeps the two identical. Example requests and responses come
//! from `openapi/examples.json` (recorded from the service by
//! `tests/openapi-lint/capture-examples.py`); `scripts/openapi-lint` lints the committed document.

use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::api;
use crate::http::schemas::{HsdsMetadata, HsdsTaxonomy};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Digituki directory",
        description = "Who helps people with digital matters in North Karelia (Pohjois-Karjala), Finland: \
with what, where, when and in which language. Public reads need no authentication and answer with ETag, \
Cache-Control and CORS. `lang=fi|sv|en` (or Accept-Language) picks one language, falling back to Finnish; \
without it, texts come as `{fi, sv, en}` objects. Errors are RFC 9457 problem+json documents naming the \
parameter at fault.",
        version = "0.1.0",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        api::locations::list_locations,
        api::locations::nearest_locations,
        api::locations::get_location,
        api::geojson::locations_geojson,
        crate::embed::referral::referral_slip,
        api::schedule::location_schedule,
        api::organizations::list_organizations,
        api::organizations::get_organization,
        api::reference::list_topics,
        api::reference::list_municipalities,
        api::reference::get_postal_code,
        api::partner::hours::get_hours,
        api::services::list_services,
        api::services::get_service,
        api::services::get_service_at_location,
        api::partner::organizations::create_organization,
        api::partner::organizations::patch_organization,
        api::partner::organizations::organization_history,
        api::partner::locations::create_location,
        api::partner::locations::patch_location,
        api::partner::locations::delete_location,
        api::partner::locations::verify_location,
        api::partner::locations::restore_location,
        api::partner::locations::location_history,
        api::partner::hours::put_hours,
        api::partner::hours::put_exception,
        api::partner::hours::delete_exception,
        api::partner::services::create_service,
        api::partner::services::patch_service,
        api::partner::services::delete_service,
        api::partner::services::restore_service,
        api::partner::services::service_history,
        api::partner::services::create_service_at_location,
        api::partner::services::patch_service_at_location,
        api::partner::services::delete_service_at_location,
        api::partner::admin::create_token,
        api::partner::admin::list_tokens,
        api::partner::admin::revoke_token,
        api::partner::admin::stale,
        api::export::export_locations_csv,
        api::export::export_hsds_zip,
        api::hsds::hsds_root,
        api::hsds::hsds_services,
        api::hsds::hsds_service,
        api::hsds::hsds_service_at_locations,
        api::hsds::hsds_service_at_location,
        api::hsds::hsds_organizations,
        api::hsds::hsds_organization,
        api::hsds::hsds_taxonomies,
        api::hsds::hsds_taxonomy_terms,
        api::events::list_events,
        api::events::list_occurrences,
        api::events::get_event,
        api::events::events_ics,
        api::events::location_events_ics,
        api::events::organization_events_ics,
        api::events::municipality_events_ics,
        api::partner::events::create_event,
        api::partner::events::patch_event,
        api::partner::events::delete_event,
        api::partner::events::put_occurrence,
        api::partner::events::event_history,
        api::health::healthz,
        api::health::readyz,
        api::metrics::prometheus_metrics,
    ),
    modifiers(&BearerAuth, &PublicReads, &RecordedExamples),
    components(schemas(crate::error::Problem, crate::error::FieldError, HsdsTaxonomy, HsdsMetadata)),
    tags(
        (name = "locations", description = "Places where digital help is given"),
        (name = "organizations", description = "Who provides the help"),
        (name = "reference", description = "Topics, municipalities and postal codes"),
        (name = "services", description = "Kinds of help and where they are offered"),
        (name = "events", description = "Dated digital-help sessions and happenings, one-off or recurring (RFC 5545), with iCalendar feeds"),
        (name = "partner", description = "Partners keep their own listings current (bearer token of their organization)"),
        (name = "admin", description = "The regional coordinator (admin token)"),
        (name = "hsds", description = "Open Referral HSDS 3.0 read API and open-data exports (see docs/hsds.md)"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

/// Registers the bearer scheme that the write endpoints name.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A partner token (`dtk_...`), scoped to its organization; admin tokens may do everything",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document's conventions for generated clients and linters: one server, relative to where
/// the document is served (so that it holds behind any proxy), and `security: []` on every
/// operation that names no scheme, saying outright that it needs no authentication.
struct PublicReads;

impl utoipa::Modify for PublicReads {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.servers = Some(vec![utoipa::openapi::server::Server::new("/")]);
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ];
            for op in ops.into_iter().flatten() {
                op.security.get_or_insert_with(Vec::new);
            }
        }
    }
}

/// Example requests and responses recorded from the service with the demo data
/// (`openapi/examples.json`, written by `tests/openapi-lint/capture-examples.py`), keyed by
/// `"METHOD /path"`. They go onto operations that have no example of their own: the request
/// body's, and the first success response's; scripts/openapi-lint checks each against its schema.
struct RecordedExamples;

const RECORDED_EXAMPLES: &str = include_str!("../openapi/examples.json");

impl utoipa::Modify for RecordedExamples {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        let recorded: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(RECORDED_EXAMPLES).expect("openapi/examples.json is a JSON object");
        let set = |content: &mut RefOr<utoipa::openapi::Content>, example: &serde_json::Value| {
            if let RefOr::T(c) = content {
                if c.example.is_none() && c.examples.is_empty() {
                    c.example = Some(example.clone());
                }
            }
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                ("GET", &mut item.get),
                ("PUT", &mut item.put),
                ("POST", &mut item.post),
                ("DELETE", &mut item.delete),
                ("PATCH", &mut item.patch),
            ];
            for (method, op) in ops {
                let (Some(op), Some(example)) = (op.as_mut(), recorded.get(&format!("{method} {path}"))) else {
                    continue;
                };
                if let (Some(RefOr::T(body)), Some(request)) = (op.request_body.as_mut(), example.get("request")) {
                    body.content.values_mut().for_each(|c| set(c, request));
                }
                let success = op.responses.responses.iter_mut().find(|(code, _)| code.starts_with('2'));
                if let (Some((_, RefOr::T(resp))), Some(response)) = (success, example.get("response")) {
                    resp.content.values_mut().for_each(|c| set(c, response));
                }
            }
        }
    }
}

/// `/docs` without the slash: a permanent redirect to the Swagger UI at `/docs/` (relative, so
/// that it also holds behind a proxy's path prefix).
#[actix_web::get("/docs")]
pub async fn docs_redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect().insert_header((actix_web::http::header::LOCATION, "docs/")).finish()
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn swagger_ui() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", document())
}
