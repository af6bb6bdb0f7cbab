//! The OpenAPI 3.1 document, generated from the handlers' annotations. It is served at
//! `/openapi.json` (Swagger UI, bundled for offline use, at `/docs/`) and committed as
//! `openapi/openapi.json`; a test keeps the two identical. Example requests and responses come
//! from `openapi/examples.json` (recorded from the service by
//! `tests/openapi-lint/capture-examples.py`); `scripts/openapi-lint` lints the committed document.

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

/// One source a record's facts were taken from (documentation type of `sources` items).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct SourceRef {
    /// The source's key in the directory's source list.
    #[schema(example = "kirkanta")]
    key: String,
    /// What the source is, with its date where known.
    #[schema(example = "Kirkanta (Finnish library database), 2026-11-30")]
    title: String,
    /// Where it can be read.
    #[schema(example = "https://www.kirjastot.fi/")]
    url: Option<String>,
}

/// The answer of `/healthz` (documentation type).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct Alive {
    /// Always `ok` while the process answers.
    #[schema(example = "ok", pattern = "^ok$")]
    status: String,
}

/// A ZIP archive download (documentation type).
pub struct ZipFile;

impl utoipa::PartialSchema for ZipFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        serde_json::from_value(serde_json::json!({
            "type": "string",
            "contentMediaType": "application/zip",
            "description": "The bytes of a ZIP archive"
        }))
        .expect("a string schema")
    }
}

impl utoipa::ToSchema for ZipFile {}

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

/// HSDS 3.0 object schemas for the `/hsds/` answers, taken from the vendored specification
/// (`vendor/hsds-3.0/`, CC BY-SA 4.0, Open Referral): its own JSON Schemas, reduced to the
/// JSON Schema keywords (the data-package keywords `name`, `path`, `constraints`, `core`, ...
/// describe CSV files, not JSON), with references between its files pointing at the
/// components here. Objects are open (`additionalProperties: true`): HSDS allows extensions, and
/// ours start with `x_`.
mod hsds {
    use serde_json::Value;
    use utoipa::openapi::{RefOr, Schema};

    const SERVICE: &str = include_str!("../vendor/hsds-3.0/compiled/service_list.json");
    const SERVICE_AT_LOCATION: &str = include_str!("../vendor/hsds-3.0/compiled/service_at_location_list.json");
    const ORGANIZATION: &str = include_str!("../vendor/hsds-3.0/compiled/organization_list.json");
    const TAXONOMY: &str = include_str!("../vendor/hsds-3.0/taxonomy.json");
    const TAXONOMY_TERM: &str = include_str!("../vendor/hsds-3.0/taxonomy_term.json");
    const METADATA: &str = include_str!("../vendor/hsds-3.0/metadata.json");

    /// Keeps the JSON Schema keywords of one schema object (not of a `properties` map).
    fn clean(schema: &Value) -> Value {
        const KEEP: [&str; 11] = [
            "type",
            "title",
            "description",
            "format",
            "example",
            "enum",
            "required",
            "items",
            "properties",
            "$ref",
            "minimum",
        ];
        let Value::Object(map) = schema else { return schema.clone() };
        let mut out = serde_json::Map::new();
        for (k, v) in map {
            if !KEEP.contains(&k.as_str()) {
                continue;
            }
            let v = match (k.as_str(), v) {
                ("properties", Value::Object(props)) => {
                    Value::Object(props.iter().map(|(name, s)| (name.clone(), clean(s))).collect())
                }
                ("items", s) => clean(s),
                ("$ref", Value::String(file)) => {
                    Value::String(format!("#/components/schemas/{}", component_of(file.trim_end_matches(".json"))))
                }
                _ => v.clone(),
            };
            out.insert(k.clone(), v);
        }
        if out.contains_key("properties") {
            // Open, as HSDS means its objects to be (extensions; ours start with `x_`).
            out.insert("additionalProperties".into(), Value::Bool(true));
        }
        // HSDS gives some numeric examples as strings ("2011" for `year_incorporated`).
        if let (Some("number" | "integer"), Some(Value::String(text))) =
            (out.get("type").and_then(Value::as_str), out.get("example"))
        {
            let number = match text.parse::<i64>() {
                Ok(n) => Some(Value::from(n)),
                Err(_) => text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number),
            };
            match number {
                Some(n) => out.insert("example".into(), n),
                None => out.remove("example"),
            };
        }
        Value::Object(out)
    }

    fn component_of(file: &str) -> &'static str {
        match file {
            "taxonomy" => "HsdsTaxonomy",
            "metadata" => "HsdsMetadata",
            other => panic!("vendored HSDS schema refers to {other}.json, which is not among the components"),
        }
    }

    fn schema(source: &str, description: &str) -> RefOr<Schema> {
        let mut value = clean(&serde_json::from_str(source).expect("vendored HSDS schema is JSON"));
        value["description"] = Value::String(description.to_owned());
        serde_json::from_value(value).expect("vendored HSDS schema is a JSON Schema object")
    }

    macro_rules! hsds_object {
        ($name:ident, $source:expr, $description:expr) => {
            #[doc = $description]
            pub struct $name;
            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    schema($source, $description)
                }
            }
            impl utoipa::ToSchema for $name {}
        };
    }

    hsds_object!(
        HsdsService,
        SERVICE,
        "An HSDS 3.0 service (the fields of HSDS's list form; the single-object answer adds the nested details HSDS 3.0 defines)"
    );
    hsds_object!(
        HsdsServiceAtLocation,
        SERVICE_AT_LOCATION,
        "An HSDS 3.0 service_at_location (the fields of HSDS's list form; the single-object answer adds the nested details HSDS 3.0 defines)"
    );
    hsds_object!(
        HsdsOrganization,
        ORGANIZATION,
        "An HSDS 3.0 organization (the fields of HSDS's list form; the single-object answer adds the nested details HSDS 3.0 defines)"
    );
    hsds_object!(HsdsTaxonomy, TAXONOMY, "An HSDS 3.0 taxonomy");
    hsds_object!(HsdsTaxonomyTerm, TAXONOMY_TERM, "An HSDS 3.0 taxonomy term");
    hsds_object!(HsdsMetadata, METADATA, "HSDS 3.0 metadata: a change to a field of a record");

    macro_rules! hsds_page {
        ($name:ident, $item:ident) => {
            /// One page of an HSDS 3.0 list (the envelope of HSDS's API reference).
            #[derive(utoipa::ToSchema)]
            #[allow(dead_code)]
            pub struct $name {
                #[schema(example = 54)]
                total_items: i64,
                #[schema(example = 3)]
                total_pages: i64,
                #[schema(example = 1)]
                page_number: i64,
                /// Items on this page.
                #[schema(example = 20)]
                size: i64,
                first_page: bool,
                last_page: bool,
                empty: bool,
                contents: Vec<$item>,
            }
        };
    }

    hsds_page!(HsdsServicePage, HsdsService);
    hsds_page!(HsdsServiceAtLocationPage, HsdsServiceAtLocation);
    hsds_page!(HsdsOrganizationPage, HsdsOrganization);
    hsds_page!(HsdsTaxonomyPage, HsdsTaxonomy);
    hsds_page!(HsdsTaxonomyTermPage, HsdsTaxonomyTerm);

    /// The HSDS root: which HSDS version and profile this API speaks.
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    pub struct HsdsRoot {
        #[schema(example = "3.0")]
        version: String,
        #[schema(example = "https://github.com/openreferral/specification/tree/3.0")]
        profile: String,
        /// This document.
        #[schema(example = "https://digituki.example/openapi.json")]
        openapi_url: String,
    }
}
pub use hsds::*;
