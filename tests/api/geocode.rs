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
    let report = geocode::fill::fill_missing(&app.db_url, Some(&g), &no_wait()).await.unwrap();
    assert!(report.located.contains(&("jns-paakirjasto".into(), "geocoder".into())), "{report:?}");
    assert!(report.located.contains(&("no-street".into(), "postal_code_centroid".into())), "{report:?}");
    let rows =
        app.query("SELECT latitude, longitude, coordinate_method FROM locations WHERE id = 'jns-paakirjasto'").await;
    assert_eq!(rows[0].get::<_, f64>(0), KOSKIKATU.0);
    assert_eq!(rows[0].get::<_, String>(2), "geocoder");
    // Nothing left to do.
    let again = geocode::fill::fill_missing(&app.db_url, Some(&g), &no_wait()).await.unwrap();
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

fn no_wait() -> geocode::fill::FillOptions {
    geocode::fill::FillOptions { interval: Duration::ZERO }
}

/// A partner's ETag from before `digituki geocode` placed the location is stale afterwards
/// (412), and the history names the geocoder, with the position before and after.
#[tokio::test]
async fn the_geocode_command_writes_through_the_write_path() {
    let fixture =
        Fixture::start(Reply::Json(feature_collection(KOSKIKATU.0, KOSKIKATU.1, 0.9, "Koskikatu 25, Joensuu"))).await;
    let app = TestApp::spawn().await;
    app.sql(
        "UPDATE locations SET latitude = NULL, longitude = NULL, coordinate_method = NULL WHERE id = 'jns-paakirjasto'",
    )
    .await;
    app.wait_for_snapshot().await;
    let path = "/v1/locations/jns-paakirjasto";
    let old_etag = app.etag(path).await;
    let org = app.scalar("SELECT organization_id FROM locations WHERE id = 'jns-paakirjasto'").await;
    let version_before: i64 =
        app.scalar("SELECT version FROM locations WHERE id = 'jns-paakirjasto'").await.parse().unwrap();

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_digituki"))
        .args(["geocode", "--geocode-interval-ms", "0"])
        .env("DATABASE_URL", &app.db_url)
        .env("DIGITUKI_GEOCODER_URL", format!("{}/v1/search", fixture.base))
        .env("DIGITUKI_GEOCODER_RETRIES", "0")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["located"], json!([["jns-paakirjasto", "geocoder"]]));
    let version_after: i64 =
        app.scalar("SELECT version FROM locations WHERE id = 'jns-paakirjasto'").await.parse().unwrap();
    assert_eq!(version_after, version_before + 1, "one change, one version");

    // The partner's stale ETag: 412, nothing overwritten.
    let token = app.token(&org, false).await;
    let resp = app
        .write(reqwest::Method::PATCH, path, &token)
        .header("If-Match", &old_etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"notes": "written with an ETag from before the geocoder"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 412, "{}", resp.text().await.unwrap());

    // History: the geocoder, with before and after.
    let admin = app.token(&org, true).await;
    let resp = app.write(reqwest::Method::GET, &format!("{path}/history"), &admin).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let history: Value = resp.json().await.unwrap();
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor"], "geocode", "{last}");
    assert_eq!(last["token_id"], Value::Null);
    assert_eq!(last["organization_id"], org.as_str());
    assert_eq!(last["before"]["latitude"], Value::Null);
    assert_eq!(last["after"]["latitude"], KOSKIKATU.0);
    assert_eq!(last["after"]["longitude"], KOSKIKATU.1);
    assert_eq!(last["after"]["coordinate_method"], "geocoder");

    // With the current ETag the partner's write goes through.
    app.wait_for_snapshot().await;
    let etag = app.etag(path).await;
    assert_ne!(etag, old_etag);
    let resp = app
        .write(reqwest::Method::PATCH, path, &token)
        .header("If-Match", &etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"notes": "written after the geocoder"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
}

/// Searches are restricted to North Karelia and to the address layers; requests are spaced.
#[tokio::test]
async fn the_geocode_command_restricts_its_searches_and_spaces_them() {
    let fixture =
        Fixture::start(Reply::Json(feature_collection(KOSKIKATU.0, KOSKIKATU.1, 0.9, "Koskikatu 25, Joensuu"))).await;
    let app = TestApp::spawn().await;
    let ids = app
        .query(
            "SELECT id FROM locations WHERE kind <> 'remote' AND deleted_at IS NULL AND street_address IS NOT NULL
             ORDER BY id LIMIT 3",
        )
        .await
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect::<Vec<_>>();
    assert_eq!(ids.len(), 3);
    app.sql(&format!("UPDATE locations SET latitude = NULL, longitude = NULL WHERE id IN ('{}')", ids.join("','")))
        .await;
    let g = geocoder(&fixture, 1000, 0);
    let interval = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let report =
        geocode::fill::fill_missing(&app.db_url, Some(&g), &geocode::fill::FillOptions { interval }).await.unwrap();
    let took = started.elapsed();
    assert_eq!(report.located.len(), 3, "{report:?}");
    assert_eq!(fixture.hits(), 3);
    // Three requests, two gaps of at least the interval.
    assert!(took >= interval * 2, "took {took:?}");
    for q in fixture.queries() {
        for part in [
            "boundary.rect.min_lat=61.6",
            "boundary.rect.min_lon=28.5",
            "boundary.rect.max_lat=63.9",
            "boundary.rect.max_lon=31.6",
            "layers=address%2Cstreet%2Cvenue",
        ] {
            assert!(q.contains(part), "{q} lacks {part}");
        }
    }
}

/// 403 (Digitransit: the key's quota is spent) and 429 are a rate limit, not "not found": the
/// command stops asking and leaves the rest for a later run instead of placing them at a
/// centroid; a partner's write still gets the best position available.
#[tokio::test]
async fn a_spent_quota_is_a_rate_limit() {
    let fixture =
        Fixture::start(Reply::Raw(403, r#"{"statusCode": 403, "message": "Out of call volume quota."}"#.into())).await;
    let g = geocoder(&fixture, 1000, 2);
    let err = g.search("Koskikatu 25").await.unwrap_err();
    assert!(matches!(err, geocode::GeocodeError::RateLimited { status: 403, .. }), "{err}");
    assert_eq!(fixture.hits(), 1, "a spent quota is not retried at once");
    fixture.set(Reply::Raw(429, "{}".into()));
    let err = g.search("Koskikatu 25").await.unwrap_err();
    assert!(matches!(err, geocode::GeocodeError::RateLimited { status: 429, .. }), "{err}");

    fixture.set(Reply::Raw(403, "{}".into()));
    let app = TestApp::spawn().await;
    app.sql(
        "UPDATE locations SET latitude = NULL, longitude = NULL, coordinate_method = NULL
           WHERE id IN (SELECT id FROM locations WHERE kind <> 'remote' AND street_address IS NOT NULL ORDER BY id LIMIT 2);
         INSERT INTO locations (id, organization_id, kind, name_fi, postal_code)
           SELECT 'no-street', organization_id, 'other', 'Ilman katuosoitetta', '80100' FROM locations WHERE id = 'jns-paakirjasto';",
    )
    .await;
    let report = geocode::fill::fill_missing(&app.db_url, Some(&g), &no_wait()).await.unwrap();
    assert_eq!(report.rate_limited.len(), 2, "{report:?}");
    assert_eq!(report.located, vec![("no-street".to_owned(), "postal_code_centroid".to_owned())]);
    assert_eq!(fixture.hits(), 1, "after the first 403 the geocoder is not asked again");
    let left: i64 = app.scalar("SELECT count(*) FROM locations WHERE latitude IS NULL").await.parse().unwrap();
    assert_eq!(left, 2, "left for a later run, not placed at a centroid");

    // The partner API falls back to the area centroid, marked approximate.
    let dir = app.state.store.get();
    let l = geocode::locate(Some(&g), Some("Koskikatu 25"), Some("80100"), None, &dir).await.unwrap();
    assert_eq!((l.method, l.confidence), ("postal_code_centroid", "approximate"));
}

/// A geocoder that accepts connections and never answers delays only the write that needs it
/// (bounded by the configured timeout): eight other partners' writes, a history read of the very
/// location being geocoded (which locks its row) and `/readyz` all finish before it.
#[tokio::test]
async fn a_dead_geocoder_stalls_only_its_own_request() {
    // The dead geocoder: accepts, reads nothing, answers nothing, keeps the sockets open.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://{}/v1/search", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(socket);
        }
    });
    let timeout = Duration::from_secs(4);
    let mut c = GeocoderConfig::new(dead);
    c.timeout = timeout;
    c.retries = 0;
    let app = std::sync::Arc::new(TestApp::spawn_with(fresh_database().await, Some(Geocoder::new(c).unwrap())).await);

    let rows = app
        .query(
            "SELECT id, organization_id FROM locations
              WHERE kind <> 'remote' AND deleted_at IS NULL AND postal_code IS NOT NULL ORDER BY id LIMIT 9",
        )
        .await;
    let targets: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(targets.len(), 9);
    let mut prepared = Vec::new();
    for (id, org) in &targets {
        let path = format!("/v1/locations/{id}");
        prepared.push((path.clone(), app.etag(&path).await, app.token(org, false).await));
    }
    let admin = app.token(&targets[0].1, true).await;

    // The write that needs the geocoder: a new street address, no coordinates.
    let (geo_path, geo_etag, geo_token) = prepared[0].clone();
    let a = app.clone();
    let geo_started = std::time::Instant::now();
    let geocoding = tokio::spawn(async move {
        let resp = a
            .write(reqwest::Method::PATCH, &geo_path, &geo_token)
            .header("If-Match", &geo_etag)
            .header("Content-Type", "application/merge-patch+json")
            .body(r#"{"street_address": "Siltakatu 12", "latitude": null, "longitude": null}"#)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        (status, body, std::time::Instant::now())
    });
    // Wait until the geocoder has the request.
    for _ in 0..500 {
        if accepted.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(accepted.load(std::sync::atomic::Ordering::SeqCst) > 0, "the write did not ask the geocoder");

    // Meanwhile: eight other partners' writes, a history read of the location being geocoded
    // (it takes the row lock), and /readyz.
    let mut others = Vec::new();
    for (i, (path, etag, token)) in prepared[1..].iter().cloned().enumerate() {
        let a = app.clone();
        others.push(tokio::spawn(async move {
            let resp = a
                .write(reqwest::Method::PATCH, &path, &token)
                .header("If-Match", &etag)
                .header("Content-Type", "application/merge-patch+json")
                .body(format!(r#"{{"notes": "concurrent write {i}"}}"#))
                .send()
                .await
                .unwrap();
            let status = resp.status();
            (path, status, resp.text().await.unwrap(), std::time::Instant::now())
        }));
    }
    let a = app.clone();
    let history_path = format!("{}/history", prepared[0].0);
    let history = tokio::spawn(async move {
        let resp = a.write(reqwest::Method::GET, &history_path, &admin).send().await.unwrap();
        (resp.status(), std::time::Instant::now())
    });
    let a = app.clone();
    let ready = tokio::spawn(async move {
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(a.get("/readyz").await.status());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        (statuses, std::time::Instant::now())
    });

    let mut last_other = geo_started;
    for o in others {
        let (path, status, body, done) = o.await.unwrap();
        assert_eq!(status, 200, "PATCH {path}: {body}");
        last_other = last_other.max(done);
    }
    let (history_status, history_done) = history.await.unwrap();
    assert_eq!(history_status, 200);
    let (ready_statuses, ready_done) = ready.await.unwrap();
    assert!(ready_statuses.iter().all(|s| *s == 200), "{ready_statuses:?}");

    let (geo_status, geo_body, geo_done) = geocoding.await.unwrap();
    assert_eq!(geo_status, 200, "{geo_body}");
    let geo_took = geo_done - geo_started;
    // Bounded by the timeout: the write waited for it, then used the postal code's centroid.
    assert!(geo_took >= timeout, "the geocoding write took only {geo_took:?}");
    assert!(geo_took < timeout + Duration::from_secs(30), "the geocoding write took {geo_took:?}");
    assert_eq!(geo_body["address"]["street"], "Siltakatu 12", "{geo_body}");
    assert_eq!(geo_body["coordinates"]["method"], "postal_code_centroid", "{geo_body}");
    // Nobody else waited for the geocoder: the geocoding write's request to it started after
    // `geo_started`, so it cannot time out before `geo_started + timeout`; whatever waited for it
    // (or for a row lock held across it) finishes after that.
    let deadline = geo_started + timeout;
    assert!(last_other < deadline && last_other < geo_done, "another partner's write waited for the geocoder");
    assert!(history_done < deadline, "the history read waited for the row lock of the geocoding write");
    assert!(ready_done < deadline, "/readyz waited for the geocoder");
    eprintln!(
        "dead geocoder: geocoding write {geo_took:?}; 8 other writes done after {:?}, history after {:?}, readyz after {:?}",
        last_other - geo_started,
        history_done - geo_started,
        ready_done - geo_started
    );
}
