//! Nearest search: order against a brute-force check, origins, limits and filters.

use serde_json::Value;

use crate::helpers::{haversine_m, TestApp};

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap()
}

/// Checks the answer against every location of the directory, measured independently.
async fn assert_brute_force(app: &TestApp, query: &str, lat: f64, lon: f64, filter: &str) {
    let result = app.json(&format!("/v1/locations/nearest?{query}")).await;
    let all = app.json(&format!("/v1/locations?per_page=100{filter}")).await;
    let mut expected: Vec<(f64, String)> = items(&all)
        .iter()
        .filter(|l| !l["coordinates"].is_null())
        .map(|l| {
            let c = &l["coordinates"];
            (
                haversine_m(lat, lon, c["lat"].as_f64().unwrap(), c["lon"].as_f64().unwrap()),
                l["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    expected.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    let got = items(&result);
    assert!(!got.is_empty());
    for (i, item) in got.iter().enumerate() {
        let d = item["distance_m"].as_f64().unwrap();
        // Same distance as the brute-force scan (ties may swap places, distances may not).
        assert!((d - expected[i].0).abs() < 1.0, "{query}: #{i} {} at {d}, expected {:?}", item["id"], expected[i]);
        if i > 0 {
            assert!(d >= items(&result)[i - 1]["distance_m"].as_f64().unwrap(), "{query}: not ordered");
        }
    }
}

#[tokio::test]
async fn postal_code_80100_gives_joensuu_first() {
    let app = TestApp::spawn().await;
    let r = app.json("/v1/locations/nearest?postal_code=80100").await;
    assert_eq!(r["origin"]["kind"], "postal_code");
    let list = items(&r);
    assert_eq!(list.len(), 10);
    for l in &list[..5] {
        assert_eq!(l["address"]["municipality_code"], "167", "{}", l["id"]);
        assert!(l["distance_m"].as_f64().unwrap() < 10_000.0);
    }
    let pc = app.json("/v1/postal-codes/80100").await;
    let (lat, lon) = (pc["centroid"]["lat"].as_f64().unwrap(), pc["centroid"]["lon"].as_f64().unwrap());
    assert_brute_force(&app, "postal_code=80100&limit=40", lat, lon, "").await;
}

#[tokio::test]
async fn nearest_matches_brute_force_from_many_points() {
    let app = TestApp::spawn().await;
    for (lat, lon) in
        [(62.6, 29.76), (63.55, 29.1), (61.9, 30.1), (62.95, 31.1), (63.0, 28.0), (60.17, 24.94), (69.0, 27.0)]
    {
        assert_brute_force(&app, &format!("lat={lat}&lon={lon}&limit=100"), lat, lon, "").await;
        assert_brute_force(
            &app,
            &format!("lat={lat}&lon={lon}&limit=5&topic=online_public_services"),
            lat,
            lon,
            "&topic=online_public_services",
        )
        .await;
    }
}

#[tokio::test]
async fn origin_from_municipality_centre_and_limits() {
    let app = TestApp::spawn().await;
    let r = app.json("/v1/locations/nearest?municipality=Lieksa&limit=3").await;
    assert_eq!(r["origin"]["kind"], "municipality");
    assert_eq!(r["origin"]["municipality_code"], "422");
    assert_eq!(items(&r).len(), 3);
    assert_eq!(items(&r)[0]["address"]["municipality_code"], "422");

    let near = app.json("/v1/locations/nearest?lat=62.6017&lon=29.7514&max_distance_km=5&limit=100").await;
    assert!(!items(&near).is_empty());
    assert!(items(&near).iter().all(|l| l["distance_m"].as_f64().unwrap() <= 5000.0));
    let far = app.json("/v1/locations/nearest?lat=62.6017&lon=29.7514&limit=100").await;
    assert!(items(&far).len() > items(&near).len());
    // The bookmobile's home base shares the main library's point: both at distance 0.
    let at_zero: Vec<&Value> = items(&far).iter().filter(|l| l["distance_m"] == 0.0).collect();
    assert!(at_zero.iter().any(|l| l["id"] == "jns-paakirjasto"), "{at_zero:?}");

    // Filters apply: as a filter, municipality keeps other places out.
    let lieksa_only = app.json("/v1/locations/nearest?postal_code=80100&municipality=422&limit=100").await;
    assert!(items(&lieksa_only).iter().all(|l| l["address"]["municipality_code"] == "422"));
    let kind = app.json("/v1/locations/nearest?postal_code=80100&kind=association&limit=100").await;
    assert_eq!(items(&kind).len(), 3);
    let lang = app.json("/v1/locations/nearest?postal_code=80100&language=sv&lang=en").await;
    assert_eq!(items(&lang).len(), 1);
    // No English name: the Finnish one.
    assert_eq!(items(&lang)[0]["name"], "Kelan palvelupiste Joensuu");
}
