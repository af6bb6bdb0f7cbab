//! The geocoder against a local Pelias-shaped fixture server: success, fallback to the
//! postal-code centroid, timeouts and 5xx answers (retries counted by the fixture), and the
//! `address` origin of the nearest search.

use std::time::Duration;

use digituki::geocode::{self, Geocoder, GeocoderConfig};
use serde_json::{json, Value};

use crate::fixture::{Fixture, Reply};
use crate::helpers::{fresh_database, TestApp};

fn feature_collection(lat: f64, lon: f64, confidence: f64, label: &str) -> Value {
    json!({
        "type": "FeatureCollection",
        "geocoding": {"version": "0.2", "query": {"text": label}},
        "features": [{
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": "1", "layer": "address", "confidence": confidence, "label": label, "postalcode": "80100"}
        }],
        "bbox": [lon, lat, lon, lat]
    })
}

fn geocoder(fixture: &Fixture, timeout_ms: u64, retries: u32) -> Geocoder {
    let mut c = GeocoderConfig::new(format!("{}/v1/search", fixture.base));
    c.timeout = Duration::from_millis(timeout_ms);
    c.retries = retries;
    c.backoff = Duration::from_millis(20);
    Geocoder::new(c).unwrap()
}

const KOSKIKATU: (f64, f64) = (62.6012, 29.7636);

#[tokio::test]
async fn locate_uses_the_geocoder_then_falls_back_to_the_postal_code_centroid() {
    let fixture =
        Fixture::start(Reply::Json(feature_collection(KOSKIKATU.0, KOSKIKATU.1, 0.95, "Koskikatu 25, Joensuu"))).await;
    let app = TestApp::spawn().await;
    let dir = app.state.store.get();
    let g = geocoder(&fixture, 1000, 2);

    // Success.
    let l = geocode::locate(Some(&g), Some("Koskikatu 25"), Some("80100"), Some("Joensuu"), &dir).await.unwrap();
    assert_eq!((l.lat, l.lon), KOSKIKATU);
    assert_eq!((l.method, l.confidence), ("geocoder", "high"));
    assert_eq!(fixture.hits(), 1);
    let q = &fixture.queries()[0];
    assert!(q.starts_with("/v1/search?"), "{q}");
    assert!(q.contains("text=Koskikatu+25") || q.contains("text=Koskikatu%2025"), "{q}");

    // The centroid the fallback must give.
    let pc = app.json("/v1/postal-codes/80100").await;
    let centroid = (pc["centroid"]["lat"].as_f64().unwrap(), pc["centroid"]["lon"].as_f64().unwrap());

    // No match: the centroid, marked approximate.
    fixture.set(Reply::Json(json!({"type": "FeatureCollection", "features": []})));
    let l = geocode::locate(Some(&g), Some("Olematon tie 1"), Some("80100"), None, &dir).await.unwrap();
    assert_eq!((l.lat, l.lon), centroid);
    assert_eq!((l.method, l.confidence), ("postal_code_centroid", "approximate"));

    // A low-confidence match is no better than the centroid.
    fixture.set(Reply::Json(feature_collection(60.0, 25.0, 0.2, "somewhere")));
    let l = geocode::locate(Some(&g), Some("Koskikatu 25"), Some("80100"), None, &dir).await.unwrap();
    assert_eq!(l.method, "postal_code_centroid");

    // 5xx: retried (1 + 2 attempts), then the centroid.
    fixture.set(Reply::Raw(503, "{\"error\": \"overloaded\"}".into()));
    let l = geocode::locate(Some(&g), Some("Koskikatu 25"), Some("80100"), None, &dir).await.unwrap();
    assert_eq!(fixture.hits(), 3, "one attempt plus two retries");
    assert_eq!((l.lat, l.lon, l.confidence), (centroid.0, centroid.1, "approximate"));

    // Timeout: the fixture answers after 1.5 s, the client waits 200 ms per attempt.
    let slow = geocoder(&fixture, 200, 1);
    fixture.set(Reply::Slow(Duration::from_millis(1500), feature_collection(60.0, 25.0, 1.0, "too late")));
    let err = slow.search("Koskikatu 25").await.unwrap_err();
    assert!(matches!(err, geocode::GeocodeError::Unavailable { attempts: 2, .. }), "{err}");
    assert_eq!(fixture.hits(), 2);
    let l = geocode::locate(Some(&slow), Some("Koskikatu 25"), Some("80100"), None, &dir).await.unwrap();
    assert_eq!(l.method, "postal_code_centroid");

    // Malformed answers are errors, not positions; a 4xx is not retried.
    fixture.set(Reply::Raw(200, "{\"features\": [".into()));
    assert!(matches!(g.search("x").await, Err(geocode::GeocodeError::BadAnswer(_))));
    fixture.set(Reply::Raw(400, "{}".into()));
    assert!(matches!(g.search("x").await, Err(geocode::GeocodeError::BadAnswer(_))));
    assert_eq!(fixture.hits(), 1);

    // No geocoder at all: the centroid; then the municipality's centre; then nothing.
    let l = geocode::locate(None, Some("Koskikatu 25"), Some("80100"), None, &dir).await.unwrap();
    assert_eq!(l.method, "postal_code_centroid");
    let l = geocode::locate(None, Some("Koskikatu 25"), None, Some("Lieksa"), &dir).await.unwrap();
    assert_eq!((l.method, l.confidence), ("municipality_centre", "approximate"));
    assert!(geocode::locate(None, Some("Koskikatu 25"), None, None, &dir).await.is_none());
}

#[tokio::test]
async fn nearest_from_an_address() {
    let fixture =
        Fixture::start(Reply::Json(feature_collection(KOSKIKATU.0, KOSKIKATU.1, 0.9, "Koskikatu 25, Joensuu"))).await;
    let app = TestApp::spawn_with(fresh_database().await, Some(geocoder(&fixture, 300, 2))).await;

    let r = app.json("/v1/locations/nearest?address=Koskikatu%2025,%20Joensuu&limit=3").await;
    assert_eq!(r["origin"]["kind"], "address");
    assert_eq!(r["origin"]["method"], "geocoder");
    assert_eq!(r["origin"]["lat"], KOSKIKATU.0);
    assert_eq!(r["origin"]["municipality_code"], "167");
    assert_eq!(r["items"].as_array().unwrap().len(), 3);
    assert!(r["items"][0]["distance_m"].as_f64().unwrap() < 2000.0);

    // Upstream down: a postal code in the text still gives an answer, approximate.
    fixture.set(Reply::Raw(500, "oops".into()));
    let r = app.json("/v1/locations/nearest?address=Koskikatu%2025,%2080100%20Joensuu").await;
    assert_eq!(r["origin"]["kind"], "address");
    assert_eq!(r["origin"]["method"], "postal_code_centroid");
    assert_eq!(r["origin"]["confidence"], "approximate");
    assert_eq!(fixture.hits(), 3);
    // ... and without one: 503 with Retry-After, naming `address`.
    let resp = app.get("/v1/locations/nearest?address=Koskikatu%2025,%20Joensuu").await;
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().contains_key("retry-after"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["parameter"], "address");

    // Timeouts too.
    fixture.set(Reply::Slow(Duration::from_millis(1500), feature_collection(60.0, 25.0, 1.0, "late")));
    let resp = app.get("/v1/locations/nearest?address=Koskikatu%2025").await;
    assert_eq!(resp.status(), 503);

    // Nothing found and no postal code: 400 naming address.
    fixture.set(Reply::Json(json!({"type": "FeatureCollection", "features": []})));
    app.problem("/v1/locations/nearest?address=Xyzzy", 400, "address").await;
    app.problem("/v1/locations/nearest?address=%20", 400, "address").await;
    app.problem("/v1/locations/nearest?address=Koskikatu&postal_code=80100", 400, "address").await;

    // Without a geocoder: 400 naming address, never a 5xx.
    let plain = TestApp::spawn().await;
    plain.problem("/v1/locations/nearest?address=Koskikatu%2025,%20Joensuu", 400, "address").await;
}

#[tokio::test]
async fn geocode_fills_in_missing_coordinates() {
    let fixture =
        Fixture::start(Reply::Json(feature_collection(KOSKIKATU.0, KOSKIKATU.1, 0.9, "Koskikatu 25, Joensuu"))).await;
    let app = TestApp::spawn().await;
    app.sql(
        "UPDATE locations SET latitude = NULL, longitude = NULL, coordinate_method = NULL WHERE id = 'jns-paakirjasto';
         INSERT INTO locations (id, organization_id, kind, name_fi, postal_code)
           SELECT 'no-street', organization_id, 'other', 'Ilman katuosoitetta', '80100' FROM locations WHERE id = 'jns-paakirjasto';",
    )
    .await;
    let g = geocoder(&fixture, 1000, 0);
    let report = geocode::fill::fill_missing(&app.db_url, Some(&g)).await.unwrap();
    assert!(report.located.contains(&("jns-paakirjasto".into(), "geocoder".into())), "{report:?}");
    assert!(report.located.contains(&("no-street".into(), "postal_code_centroid".into())), "{report:?}");
    let rows =
        app.query("SELECT latitude, longitude, coordinate_method FROM locations WHERE id = 'jns-paakirjasto'").await;
    assert_eq!(rows[0].get::<_, f64>(0), KOSKIKATU.0);
    assert_eq!(rows[0].get::<_, String>(2), "geocoder");
    // Nothing left to do.
    let again = geocode::fill::fill_missing(&app.db_url, Some(&g)).await.unwrap();
    assert!(again.located.is_empty());
}

#[tokio::test]
async fn the_geocode_command_uses_the_configured_geocoder() {
    let fixture =
        Fixture::start(Reply::Json(feature_collection(KOSKIKATU.0, KOSKIKATU.1, 0.9, "Koskikatu 25, Joensuu"))).await;
    let app = TestApp::spawn().await;
    app.sql(
        "UPDATE locations SET latitude = NULL, longitude = NULL, coordinate_method = NULL WHERE id = 'jns-paakirjasto'",
    )
    .await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_digituki"))
        .arg("geocode")
        .env("DATABASE_URL", &app.db_url)
        .env("DIGITUKI_GEOCODER_URL", format!("{}/v1/search", fixture.base))
        .env("DIGITUKI_GEOCODER_RETRIES", "0")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["located"], json!([["jns-paakirjasto", "geocoder"]]));
    assert_eq!(fixture.hits(), 1);
    let rows = app.query("SELECT latitude, coordinate_method FROM locations WHERE id = 'jns-paakirjasto'").await;
    assert_eq!(rows[0].get::<_, f64>(0), KOSKIKATU.0);

    // A bad setting is refused before anything is done.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_digituki"))
        .arg("geocode")
        .env("DATABASE_URL", &app.db_url)
        .env("DIGITUKI_GEOCODER_URL", "ftp://example.org/search")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DIGITUKI_GEOCODER_URL"));
}
