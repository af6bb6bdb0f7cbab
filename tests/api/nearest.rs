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
    // From a postal code, the places whose address is in it come first (each group by distance).
    let inside = got.iter().take_while(|l| l["same_postal_area"] == true).count();
    assert!(got[inside..].iter().all(|l| l["same_postal_area"] != true), "{query}: the same postal area first");
    if inside > 0 {
        let mut rest: Vec<(f64, String)> =
            expected.iter().filter(|(_, id)| !got[..inside].iter().any(|l| l["id"] == id.as_str())).cloned().collect();
        for (i, item) in got[..inside].iter().enumerate() {
            let d = item["distance_m"].as_f64().unwrap();
            assert!(i == 0 || d >= got[i - 1]["distance_m"].as_f64().unwrap(), "{query}: the area group by distance");
        }
        rest.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
        expected = rest;
    }
    let got = &got[inside..];
    for (i, item) in got.iter().enumerate() {
        let d = item["distance_m"].as_f64().unwrap();
        // Same distance as the brute-force scan (ties may swap places, distances may not).
        assert!((d - expected[i].0).abs() < 1.0, "{query}: #{i} {} at {d}, expected {:?}", item["id"], expected[i]);
        if i > 0 {
            assert!(d >= got[i - 1]["distance_m"].as_f64().unwrap(), "{query}: not ordered");
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

fn find<'a>(v: &'a Value, id: &str) -> &'a Value {
    items(v).iter().find(|l| l["id"] == id).unwrap_or_else(|| panic!("{id} not in {v}"))
}

#[tokio::test]
async fn coordinates_carry_their_accuracy_and_distances_say_when_they_are_approximate() {
    let app = TestApp::spawn().await;
    // How each point was obtained decides its accuracy (demo-data coordinate_method).
    for (id, accuracy) in [
        ("jns-paakirjasto", "street"),                 // "from source (aroundus_jns)"
        ("jns-rantakyla", "municipality"),             // a municipality centre
        ("jns-hammaslahti", "postal_area"),            // a postal code area's centroid
        ("jns-kirjastoauto-mysteeri", "municipality"), // an assumed placeholder
    ] {
        let l = app.json(&format!("/v1/locations/{id}")).await;
        assert_eq!(l["coordinates"]["accuracy"], accuracy, "{id}: {}", l["coordinates"]);
    }

    // From 81700 the Lieksa places are in the same postal area: flagged, first, approximate.
    let r = app.json("/v1/locations/nearest?postal_code=81700&limit=5&lang=fi").await;
    assert_eq!(r["origin"]["accuracy"], "postal_area");
    assert_eq!(r["origin"]["postal_code"], "81700");
    let list = items(&r);
    let inside: Vec<&str> =
        list.iter().filter(|l| l["same_postal_area"] == true).map(|l| l["id"].as_str().unwrap()).collect();
    assert!(inside.contains(&"lie-kirjasto") && inside.contains(&"lie-asiointipiste"), "{inside:?}");
    assert_eq!(&list[..inside.len()].iter().map(|l| l["id"].as_str().unwrap()).collect::<Vec<_>>(), &inside);
    for l in list {
        assert_eq!(l["distance_approximate"], true, "a postal-code origin is an area: {}", l["id"]);
        assert_eq!(l["address"]["postal_code"] == "81700", l["same_postal_area"] == true, "{}", l["id"]);
    }

    // From a point: a street-level place is measured exactly, a municipality-centre one is not.
    let main = app.json("/v1/locations/jns-paakirjasto").await;
    let (lat, lon) = (main["coordinates"]["lat"].as_f64().unwrap(), main["coordinates"]["lon"].as_f64().unwrap());
    let r = app.json(&format!("/v1/locations/nearest?lat={lat}&lon={lon}&limit=40")).await;
    assert_eq!(r["origin"]["accuracy"], "exact");
    assert_eq!(find(&r, "jns-paakirjasto")["distance_approximate"], false);
    assert_eq!(find(&r, "jns-rantakyla")["distance_approximate"], true);
    assert!(items(&r).iter().all(|l| l.get("same_postal_area").is_none()), "only from a postal-code origin");
    // A municipality origin is approximate too.
    let r = app.json("/v1/locations/nearest?municipality=Joensuu&limit=3").await;
    assert_eq!(r["origin"]["accuracy"], "municipality");
    assert!(items(&r).iter().all(|l| l["distance_approximate"] == true));

    // GeoJSON features carry the same accuracy.
    let geo = app.json("/v1/locations.geojson?municipality=Joensuu").await;
    for f in geo["features"].as_array().unwrap() {
        let l = app.json(&format!("/v1/locations/{}", f["id"].as_str().unwrap())).await;
        assert_eq!(f["properties"]["accuracy"], l["coordinates"]["accuracy"], "{}", f["id"]);
    }
}

#[tokio::test]
async fn a_five_place_search_near_80100_includes_the_main_library() {
    let app = TestApp::spawn().await;
    let r = app.json("/v1/locations/nearest?postal_code=80100&topic=online_public_services&limit=5").await;
    let list = items(&r);
    assert_eq!(list.len(), 5);
    // The main library's address is in 80100: it ranks before the places sharing the
    // municipality centre, 1.9 km from the area's centroid.
    assert_eq!(list[0]["id"], "jns-paakirjasto", "{:?}", list.iter().map(|l| &l["id"]).collect::<Vec<_>>());
    assert_eq!(list[0]["same_postal_area"], true);
}

fn confidence_rank(c: &Value) -> u8 {
    match c.as_str() {
        Some("verified") => 0,
        Some("approximate") => 1,
        Some("assumed") => 2,
        _ => 3,
    }
}

#[tokio::test]
async fn places_at_the_same_point_rank_staffed_then_hours_known_then_confidence() {
    let app = TestApp::spawn().await;
    let centre = app.json("/v1/locations/jns-rantakyla").await;
    let (lat, lon) = (centre["coordinates"]["lat"].as_f64().unwrap(), centre["coordinates"]["lon"].as_f64().unwrap());
    // A Tuesday afternoon (staffed hours in the demo data) and a Sunday night (all closed).
    for at in ["2027-01-12T11:00:00Z", "2027-01-17T21:00:00Z", "2027-01-13T08:30:00Z"] {
        let r = app.json(&format!("/v1/locations/nearest?lat={lat}&lon={lon}&limit=100&at={at}")).await;
        let tie: Vec<&Value> = items(&r).iter().filter(|l| l["distance_m"] == 0.0).collect();
        assert!(tie.len() >= 3, "Joensuu places share the municipality centre: {}", tie.len());
        let key = |l: &Value| (l["open_now"] != true, l["opening_hours"].is_null(), confidence_rank(&l["confidence"]));
        for w in tie.windows(2) {
            assert!(key(w[0]) <= key(w[1]), "{at}: {} before {}", w[0]["id"], w[1]["id"]);
        }
        // The limit cuts a tie group only after ranking it: the first three of the group.
        let three = app.json(&format!("/v1/locations/nearest?lat={lat}&lon={lon}&limit=3&at={at}")).await;
        let ids: Vec<&Value> = items(&three).iter().map(|l| &l["id"]).collect();
        let want: Vec<&Value> = tie.iter().take(3).map(|l| &l["id"]).collect();
        assert_eq!(ids, want, "{at}");
    }
}
