//! The OpenAPI 3.1 document, generated from the handlers' annotations. It is served at
//! `/openapi.json` (Swagger UI, bundled for offline use, at `/docs/`) and committed as
//! `openapi/openapi.json`; a test keeps the two identical.

use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::api;

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
        api::health::healthz,
        api::health::readyz,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    tags(
        (name = "locations", description = "Places where digital help is given"),
        (name = "organizations", description = "Who provides the help"),
        (name = "reference", description = "Topics, municipalities and postal codes"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn swagger_ui() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", document())
}
