//! Documentation-only schema types of the OpenAPI document (`crate::openapi`): answers whose
//! Rust shape is built elsewhere (JSON values, vendored HSDS schemas). Handlers name them in
//! `#[utoipa::path]` attributes. Their fields are public: they describe public wire formats.

/// One source a record's facts were taken from (documentation type of `sources` items).
#[derive(utoipa::ToSchema)]
pub struct SourceRef {
    /// The source's key in the directory's source list.
    #[schema(example = "kirkanta")]
    pub key: String,
    /// What the source is, with its date where known.
    #[schema(example = "Kirkanta (Finnish library database), 2026-11-30")]
    pub title: String,
    /// Where it can be read.
    #[schema(example = "https://www.kirjastot.fi/")]
    pub url: Option<String>,
}

/// The answer of `/healthz`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Alive {
    /// Always `ok` while the process answers.
    #[schema(example = "ok", pattern = "^ok$")]
    pub status: String,
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

/// HSDS 3.0 object schemas for the `/hsds/` answers, taken from the vendored specification
/// (`vendor/hsds-3.0/`, CC BY-SA 4.0, Open Referral): its own JSON Schemas, reduced to the
/// JSON Schema keywords (the data-package keywords `name`, `path`, `constraints`, `core`, ...
/// describe CSV files, not JSON), with references between its files pointing at the
/// components here. Objects are open (`additionalProperties: true`): HSDS allows extensions, and
/// ours start with `x_`.
mod hsds {
    use serde_json::Value;
    use utoipa::openapi::{RefOr, Schema};

    const SERVICE: &str = include_str!("../../vendor/hsds-3.0/compiled/service_list.json");
    const SERVICE_AT_LOCATION: &str = include_str!("../../vendor/hsds-3.0/compiled/service_at_location_list.json");
    const ORGANIZATION: &str = include_str!("../../vendor/hsds-3.0/compiled/organization_list.json");
    const TAXONOMY: &str = include_str!("../../vendor/hsds-3.0/taxonomy.json");
    const TAXONOMY_TERM: &str = include_str!("../../vendor/hsds-3.0/taxonomy_term.json");
    const METADATA: &str = include_str!("../../vendor/hsds-3.0/metadata.json");

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
            pub struct $name {
                #[schema(example = 54)]
                pub total_items: i64,
                #[schema(example = 3)]
                pub total_pages: i64,
                #[schema(example = 1)]
                pub page_number: i64,
                /// Items on this page.
                #[schema(example = 20)]
                pub size: i64,
                pub first_page: bool,
                pub last_page: bool,
                pub empty: bool,
                pub contents: Vec<$item>,
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
    pub struct HsdsRoot {
        #[schema(example = "3.0")]
        pub version: String,
        #[schema(example = "https://github.com/openreferral/specification/tree/3.0")]
        pub profile: String,
        /// This document.
        #[schema(example = "https://digituki.example/openapi.json")]
        pub openapi_url: String,
        /// What this directory publishes beside HSDS.
        pub extensions: HsdsExtensions,
    }

    /// Publications beside HSDS 3.0.
    #[derive(utoipa::ToSchema)]
    pub struct HsdsExtensions {
        pub events: HsdsEventsExtension,
    }

    /// Dated digital-help sessions: HSDS 3.0 has no event object (see docs/hsds.md).
    #[derive(utoipa::ToSchema)]
    pub struct HsdsEventsExtension {
        #[schema(example = "Dated digital-help sessions (HSDS 3.0 has no event object)")]
        pub description: String,
        #[schema(example = "https://digituki.example/v1/events")]
        pub list: String,
        #[schema(example = "https://digituki.example/v1/events/occurrences")]
        pub occurrences: String,
        #[schema(example = "https://digituki.example/v1/events.ics")]
        pub icalendar: String,
    }
}
pub use hsds::*;
