//! The committed OpenAPI document equals the one the service serves.
//! Run with `UPDATE_OPENAPI=1` to rewrite `openapi/openapi.json` after an API change.

use serde_json::Value;

use crate::helpers::TestApp;

#[tokio::test]
async fn committed_openapi_matches_served_document() {
    let app = TestApp::spawn().await;
    let served = app.json("/openapi.json").await;
    assert_eq!(served["openapi"], "3.1.0");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(&served).unwrap() + "\n").unwrap();
    }
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/openapi.json"))
        .expect("openapi/openapi.json is JSON");
    assert!(
        committed == served,
        "openapi/openapi.json differs from the served /openapi.json; run `UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
}

#[tokio::test]
async fn every_public_endpoint_is_documented_with_examples() {
    let app = TestApp::spawn().await;
    let doc = app.json("/openapi.json").await;
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/v1/locations",
        "/v1/locations/nearest",
        "/v1/locations/{id}",
        "/v1/organizations",
        "/v1/organizations/{id}",
        "/v1/topics",
        "/v1/municipalities",
        "/v1/postal-codes/{code}",
        "/healthz",
        "/readyz",
    ] {
        let op = &paths.get(p).unwrap_or_else(|| panic!("{p} missing"))["get"];
        assert!(op["description"].is_string() || op["summary"].is_string(), "{p} has no description");
        for param in op["parameters"].as_array().into_iter().flatten() {
            assert!(param["description"].is_string(), "{p}: parameter {} has no description", param["name"]);
        }
    }
    let nearest = &paths["/v1/locations/nearest"]["get"]["parameters"];
    let names: Vec<&str> = nearest.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    for n in ["lat", "lon", "postal_code", "municipality", "limit", "max_distance_km", "topic", "language", "q", "lang"]
    {
        assert!(names.contains(&n), "nearest lacks {n}: {names:?}");
    }
    // Swagger UI is bundled and served.
    let ui = app.get("/docs/").await;
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("swagger"));
}
