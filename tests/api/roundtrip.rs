//! The API round-trips (issue 16, point 2): what GET returns can be sent back. A PATCH in the
//! read form (`address`, `coordinates`, `{fi, sv, en}` texts, `{id, name}` references) changes
//! what it says; read-only members are named in the 422 with why; members of the wrong type
//! are named all at once, in plain words, with their JSON path.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn patch(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    let etag = app.etag(path).await;
    app.write(Method::PATCH, path, token).header("If-Match", etag).json(body).send().await.unwrap()
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

fn message<'a>(problem: &'a Value, field: &str) -> &'a str {
    problem["errors"].as_array().unwrap().iter().find(|e| e["field"] == field).unwrap()["message"].as_str().unwrap()
}

#[tokio::test]
async fn a_location_patch_in_the_read_form_changes_what_it_says() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let path = "/v1/locations/pksotu-kansalaistalo";
    let read = app.json(path).await;
    // The writable members as GET gave them, some changed.
    let mut name = read["name"].clone();
    name["en"] = json!("Citizens' House");
    let body = json!({
        "name": name,
        "organization": read["organization"],
        "address": {"street": "Torikatu 2", "postal_code": read["address"]["postal_code"], "municipality_code": "167"},
        "coordinates": {"lat": 62.6015, "lon": 29.7625},
        "phone": "+358 40 765 4321",
        "languages": read["languages"],
    });
    let resp = patch(&app, path, &token, &body).await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let after = app.json(path).await;
    assert_eq!(after["address"]["street"], "Torikatu 2");
    assert_eq!(after["coordinates"]["lat"], 62.6015);
    assert_eq!(after["coordinates"]["accuracy"], "street", "a point a partner gives");
    assert_eq!(after["phone"], "+358 40 765 4321");
    assert_eq!(after["name"]["en"], "Citizens' House");
    assert_eq!(after["name"]["fi"], read["name"]["fi"]);
}

#[tokio::test]
async fn the_whole_read_form_names_its_read_only_members_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let path = "/v1/locations/pksotu-kansalaistalo";
    let read = app.json(path).await;
    let before = app.directory_version().await;
    let resp = patch(&app, path, &token, &read).await;
    assert_eq!(resp.status(), 422);
    let problem: Value = resp.json().await.unwrap();
    let named = fields(&problem);
    for f in [
        "open_now",
        "status_now",
        "services",
        "provenance",
        "created_at",
        "coordinates.accuracy",
        "address.municipality",
        "stale",
        "upcoming_events",
    ] {
        assert!(named.iter().any(|n| n == f), "{f} not named: {named:?}");
    }
    assert!(message(&problem, "services").contains("/v1/services-at-locations"), "{problem}");
    assert!(!problem.to_string().contains("unknown field"), "no parse errors: {problem}");
    // The writable members of the read form (name, address, coordinates…) are not named.
    for f in ["name", "address.street", "coordinates.lat", "organization", "phone"] {
        assert!(!named.iter().any(|n| n == f), "{f} named: {named:?}");
    }
    assert_eq!(app.directory_version().await, before);
}

#[tokio::test]
async fn members_of_the_wrong_type_are_named_all_at_once_in_plain_words() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let path = "/v1/locations/pksotu-kansalaistalo";
    let body = json!({
        "phone": 5,
        "languages": "fi",
        "latitude": "north",
        "name": {"fi": "Talo", "de": "Haus"},
        "website": ["https://example.fi"],
    });
    let resp = patch(&app, path, &token, &body).await;
    assert_eq!(resp.status(), 422);
    let problem: Value = resp.json().await.unwrap();
    let named = fields(&problem);
    for f in ["phone", "languages", "latitude", "name.de", "website"] {
        assert!(named.iter().any(|n| n == f), "{f} not named: {problem}");
    }
    assert_eq!(message(&problem, "phone"), "must be text (a JSON string), not the number 5");
    assert_eq!(message(&problem, "languages"), "must be a list, not the text \"fi\"");
    assert_eq!(message(&problem, "latitude"), "must be a number, not the text \"north\"");
    assert_eq!(message(&problem, "name.de"), "is not a field of this record");
    assert!(!problem.to_string().contains("invalid type"), "serde's words leaked: {problem}");

    // A value outside a list of choices says which are allowed.
    let resp = app
        .write(Method::POST, "/v1/services", &token)
        .json(&json!({"name": {"fi": "Apu"}, "assistance_level": "helping", "delivery_modes": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let problem: Value = resp.json().await.unwrap();
    assert!(fields(&problem).contains(&"delivery_modes".to_owned()), "{problem}");
}

#[tokio::test]
async fn an_event_round_trips_with_references_and_instants_as_get_gives_them() {
    let app = TestApp::spawn().await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let created: Value = app
        .write(Method::POST, "/v1/events", &token)
        .json(&json!({
            "title": {"fi": "Digikahvila"}, "location_id": "jns-paakirjasto", "co_organizers": ["pksotu"],
            "start": "2027-01-12T10:00", "end": "2027-01-12T12:00",
            "delivery_mode": "drop_in", "assistance_level": "guidance"
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!("/v1/events/{}", created["id"].as_str().unwrap());
    let read = app.json(&path).await;
    assert_eq!(read["start"], "2027-01-12T10:00:00+02:00", "GET gives instants with their offset");
    let body = json!({
        "title": read["title"],
        "organization": read["organization"],
        "co_organizers": read["co_organizers"],
        "location": read["location"],
        "start": "2027-01-12T11:00:00+02:00",
        "end": read["end"],
        "capacity": 12,
    });
    let resp = patch(&app, &path, &token, &body).await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let after = app.json(&path).await;
    assert_eq!(after["start"], "2027-01-12T11:00:00+02:00");
    assert_eq!(after["co_organizers"][0]["id"], "pksotu");
    assert_eq!(after["capacity"], 12);
    // Read-only members of an event are named.
    let resp = patch(&app, &path, &token, &json!({"next_occurrences": [], "sources": []})).await;
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(fields(&problem).len(), 2, "{problem}");
}
