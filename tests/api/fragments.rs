//! The read path's speed-ups change no byte: pre-rendered locations are exactly what
//! serialising them gives (every location, every language mode, several instants and
//! distances); a listing's answer is exactly its serialised page; kept answers and their gzip
//! and brotli forms are the same answer; `view=summary` is the documented lean shape.

use std::io::Read;

use chrono::{DateTime, Utc};
use digituki::api::locations::LocationPage;
use digituki::http::fragments::Fragments;
use digituki::http::respond::LangMode;
use digituki::http::views::{self, Distance, LocationItem};
use digituki::i18n::Lang;
use serde_json::Value;

use crate::helpers::TestApp;

const MODES: [LangMode; 4] = [LangMode::One(Lang::Fi), LangMode::One(Lang::Sv), LangMode::One(Lang::En), LangMode::All];

fn instants() -> Vec<DateTime<Utc>> {
    [
        "2026-12-06T10:00:00Z", // Independence Day
        "2027-03-29T07:30:00Z", // a Monday morning after the clocks changed
        "2027-06-25T12:00:00Z", // Midsummer Eve
        "2027-02-16T08:15:00Z", // an ordinary Tuesday
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .chain([Utc::now()])
    .collect()
}

#[tokio::test]
async fn pre_rendered_locations_are_byte_identical_to_serialising_them() {
    let app = TestApp::spawn().await;
    let dir = app.state.store.get();
    let fragments = Fragments::new(&dir);
    let distances = [
        None,
        Some(Distance { metres: 1234.567, approximate: false, same_postal_area: None }),
        Some(Distance { metres: 0.04, approximate: true, same_postal_area: Some(true) }),
    ];
    let mut compared = 0;
    for (index, loc) in dir.locations.iter().enumerate() {
        for lang in MODES {
            for at in instants() {
                for distance in distances {
                    let mut got = Vec::new();
                    fragments.write_location(&mut got, &dir, index, lang, at, distance);
                    let want = serde_json::to_vec(&views::location(&dir, loc, lang, at, distance)).unwrap();
                    assert!(
                        got == want,
                        "{} {lang:?} at {at} {distance:?}:\n got {}\nwant {}",
                        loc.id,
                        String::from_utf8_lossy(&got),
                        String::from_utf8_lossy(&want)
                    );
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, dir.locations.len() * 4 * 5 * 3);
    assert!(dir.locations.len() >= 40, "the demo data");
}

#[tokio::test]
async fn a_listing_is_its_serialised_page_kept_and_compressed_it_is_the_same_answer() {
    let app = TestApp::spawn().await;
    let dir = app.state.store.get();
    let at: DateTime<Utc> = "2027-02-16T08:15:00Z".parse().unwrap();
    let path = "/v1/locations?per_page=100&lang=sv&at=2027-02-16T08:15:00Z";
    let resp = app.get(path).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["vary"], "Accept-Language, Accept-Encoding");
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let body = resp.bytes().await.unwrap();
    let items: Vec<LocationItem> = dir
        .locations
        .iter()
        .map(|l| LocationItem::Full(views::location(&dir, l, LangMode::One(Lang::Sv), at, None)))
        .collect();
    let want = serde_json::to_vec(&LocationPage { total: items.len(), items, page: 1, per_page: 100 }).unwrap();
    assert!(body[..] == want[..], "the page differs from its serialisation");

    // Asked again (other parameter order): the kept answer, the same tag.
    let again = app.get("/v1/locations?at=2027-02-16T08:15:00Z&lang=sv&per_page=100").await;
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(again.bytes().await.unwrap(), body);

    // gzip and brotli: the same bytes once decoded, their own tags, 304 on each tag.
    // reqwest is built without decompression here: it neither asks for nor decodes a coding.
    let raw = reqwest::Client::new();
    for (coding, suffix) in [("gzip", "-gzip\""), ("br", "-br\"")] {
        let resp = raw.get(app.url(path)).header("Accept-Encoding", coding).send().await.unwrap();
        assert_eq!(resp.headers()["content-encoding"], coding);
        let tag = resp.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(tag, format!("{}{suffix}", etag.trim_end_matches('"')));
        let compressed = resp.bytes().await.unwrap();
        assert!(compressed.len() * 4 < body.len(), "{coding}: {} of {} bytes", compressed.len(), body.len());
        let mut decoded = Vec::new();
        match coding {
            "gzip" => flate2::read::GzDecoder::new(&compressed[..]).read_to_end(&mut decoded).unwrap(),
            _ => brotli::Decompressor::new(&compressed[..], 4096).read_to_end(&mut decoded).unwrap(),
        };
        assert!(decoded[..] == body[..], "{coding} decodes to another answer");
        let resp = raw.get(app.url(path)).header("Accept-Encoding", coding).header("If-None-Match", &tag).send();
        assert_eq!(resp.await.unwrap().status(), 304, "{coding}");
    }
    // Refused codings are not used.
    let resp = raw.get(app.url(path)).header("Accept-Encoding", "gzip;q=0, br;q=0").send().await.unwrap();
    assert!(resp.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn a_kept_answer_follows_writes() {
    let app = TestApp::spawn().await;
    let path = "/v1/locations/nearest?postal_code=80100&limit=3&lang=fi";
    let before: Value = app.json(path).await;
    let first = before["items"][0]["id"].as_str().unwrap().to_owned();
    let token = app
        .token(
            &app.json(&format!("/v1/locations/{first}")).await["organization"]["id"].as_str().unwrap().to_owned(),
            false,
        )
        .await;
    let etag = app.etag(&format!("/v1/locations/{first}")).await;
    let resp = app
        .write(reqwest::Method::PATCH, &format!("/v1/locations/{first}"), &token)
        .header("If-Match", etag)
        .json(&serde_json::json!({"phone": "+358 40 123 4567"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let after: Value = app.json(path).await;
    assert_eq!(after["items"][0]["phone"], "+358 40 123 4567", "the kept answer was not replaced");
}

#[tokio::test]
async fn the_summary_view_is_lean_and_documented() {
    let app = TestApp::spawn().await;
    let full = app.get("/v1/locations/nearest?postal_code=80100&limit=10&lang=fi").await.bytes().await.unwrap();
    let resp = app.get("/v1/locations/nearest?postal_code=80100&limit=10&lang=fi&view=summary").await;
    assert_eq!(resp.status(), 200);
    let lean = resp.bytes().await.unwrap();
    let summary: Value = serde_json::from_slice(&lean).unwrap();
    let items = summary["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    let per_place = lean.len() / items.len();
    assert!(per_place < 1600, "about 1 kB a place, got {per_place} bytes");
    assert!(lean.len() * 2 < full.len(), "summary {} vs full {} bytes", lean.len(), full.len());
    let first = &items[0];
    for field in [
        "id",
        "name",
        "organization",
        "address",
        "distance_m",
        "status_now",
        "next_opening",
        "topics",
        "languages",
        "coordinates",
        "confidence",
        "delivery_modes",
        "bookings",
    ] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    assert!(first.get("services").is_none() && first.get("confidence_detail").is_none());
    app.problem("/v1/locations?view=tiny", 400, "view").await;
}
