//! Opening hours through the HTTP API: DST days, holidays, self-service, exceptions,
//! periods, boundaries, midnight, and the open_at filter.

use serde_json::{json, Value};

use crate::helpers::TestApp;

/// Adds a verified test place with the given hours document, at (lat, lon).
async fn place_at(app: &TestApp, id: &str, lat: f64, lon: f64, hours: Value) {
    let doc = hours.to_string().replace('\'', "''");
    app.sql(&format!(
        "INSERT INTO locations (id, organization_id, kind, name_fi, municipality_code, latitude, longitude, confidence)
           VALUES ('{id}', 'pksotu', 'association', 'Testipaikka {id}', '167', {lat}, {lon}, 'verified');
         INSERT INTO opening_hours (location_id, document, confidence) VALUES ('{id}', '{doc}'::jsonb, 'verified');"
    ))
    .await;
    app.wait_for_snapshot().await;
}

async fn place(app: &TestApp, id: &str, hours: Value) {
    place_at(app, id, 62.60, 29.76, hours).await;
}

fn every_day(ranges: Value) -> Value {
    json!({"mon": ranges, "tue": ranges, "wed": ranges, "thu": ranges, "fri": ranges, "sat": ranges, "sun": ranges})
}

fn day<'a>(schedule: &'a Value, date: &str) -> &'a Value {
    schedule["days"].as_array().unwrap().iter().find(|d| d["date"] == date).unwrap_or_else(|| panic!("no {date}"))
}

#[tokio::test]
async fn spring_forward_and_fall_back_days_2027() {
    let app = TestApp::spawn().await;
    let week = every_day(json!([{"start": "02:00", "end": "05:00", "kind": "staffed"}]));
    // 2027-03-28 is also Easter Sunday: keep regular hours on holidays.
    place(&app, "dst-place", json!({"periods": [{"week": week}], "open_on_holidays": true})).await;

    let spring = app.json("/v1/locations/dst-place/schedule?from=2027-03-27&to=2027-03-28&lang=en").await;
    let before = &day(&spring, "2027-03-27")["ranges"][0];
    assert_eq!(before["starts_at"], "2027-03-27T00:00:00Z"); // 02:00 EET = UTC+2
    assert_eq!(before["ends_at"], "2027-03-27T03:00:00Z");
    let dst = day(&spring, "2027-03-28");
    assert_eq!(dst["holiday"], "easter_sunday");
    assert_eq!(dst["ranges"][0]["starts_at"], "2027-03-28T00:00:00Z"); // 02:00 EET
    assert_eq!(dst["ranges"][0]["ends_at"], "2027-03-28T02:00:00Z"); // 05:00 EEST = UTC+3: two hours
    let s = app.json("/v1/locations/dst-place?at=2027-03-28T00:30:00Z").await;
    assert_eq!(s["open_now"], true);
    assert_eq!(s["next_change"]["at"], "2027-03-28T02:00:00Z");
    assert_eq!(s["next_change"]["local"], "2027-03-28T05:00:00+03:00");
    assert_eq!(s["next_change"]["state"], "closed");

    let autumn = app.json("/v1/locations/dst-place/schedule?from=2027-10-31&to=2027-10-31").await;
    let r = &day(&autumn, "2027-10-31")["ranges"][0];
    assert_eq!(r["starts_at"], "2027-10-30T23:00:00Z"); // 02:00 EEST
    assert_eq!(r["ends_at"], "2027-10-31T03:00:00Z"); // 05:00 EET: four hours
                                                      // 01:30 UTC is 03:30 EET, after the clocks went back: still open, closes 03:00 UTC.
    let s = app.json("/v1/locations/dst-place?at=2027-10-31T01:30:00Z").await;
    assert_eq!(s["status_now"]["state"], "staffed");
    assert_eq!(s["next_change"]["at"], "2027-10-31T03:00:00Z");
    assert_eq!(s["next_change"]["local"], "2027-10-31T05:00:00+02:00");
}

#[tokio::test]
async fn easter_dependent_holidays_2026_2027_2028() {
    let app = TestApp::spawn().await;
    place(
        &app,
        "easter-place",
        json!({"periods": [{"week": every_day(json!([{"start": "10:00", "end": "16:00", "kind": "staffed"}]))}]}),
    )
    .await;
    let expected = [
        (
            "2026",
            [
                ("2026-04-03", "good_friday"),
                ("2026-04-05", "easter_sunday"),
                ("2026-04-06", "easter_monday"),
                ("2026-05-14", "ascension_day"),
                ("2026-05-24", "whit_sunday"),
            ],
        ),
        (
            "2027",
            [
                ("2027-03-26", "good_friday"),
                ("2027-03-28", "easter_sunday"),
                ("2027-03-29", "easter_monday"),
                ("2027-05-06", "ascension_day"),
                ("2027-05-16", "whit_sunday"),
            ],
        ),
        (
            "2028",
            [
                ("2028-04-14", "good_friday"),
                ("2028-04-16", "easter_sunday"),
                ("2028-04-17", "easter_monday"),
                ("2028-05-25", "ascension_day"),
                ("2028-06-04", "whit_sunday"),
            ],
        ),
    ];
    for (year, days) in expected {
        let s =
            app.json(&format!("/v1/locations/easter-place/schedule?from={year}-03-15&to={year}-06-10&lang=fi")).await;
        for (date, code) in days {
            let d = day(&s, date);
            assert_eq!(d["holiday"], code, "{date}");
            assert_eq!(d["kind"], "holiday", "{date}");
            assert!(d["ranges"].as_array().unwrap().is_empty(), "{date} should be closed");
            assert!(!d["reason"].as_str().unwrap().is_empty());
        }
        // Every other day in the range keeps its regular hours (May Day aside).
        let holidays: Vec<&Value> = s["days"].as_array().unwrap().iter().filter(|d| !d["holiday"].is_null()).collect();
        assert_eq!(holidays.len(), 6, "{year}: {holidays:?}");
    }
    let gf = app.json("/v1/locations/easter-place/schedule?from=2027-03-26&to=2027-03-26&lang=sv").await;
    assert_eq!(day(&gf, "2027-03-26")["reason"], "Långfredagen");
}

#[tokio::test]
async fn midsummer_eve_is_the_friday_between_19_and_25_june() {
    let app = TestApp::spawn().await;
    place(
        &app,
        "juhannus",
        json!({"periods": [{"week": every_day(json!([{"start": "10:00", "end": "16:00", "kind": "staffed"}]))}]}),
    )
    .await;
    for (year, eve) in [("2026", "2026-06-19"), ("2027", "2027-06-25"), ("2028", "2028-06-23"), ("2029", "2029-06-22")]
    {
        let s = app.json(&format!("/v1/locations/juhannus/schedule?from={year}-06-19&to={year}-06-26&lang=fi")).await;
        let eves: Vec<&Value> =
            s["days"].as_array().unwrap().iter().filter(|d| d["holiday"] == "midsummer_eve").collect();
        assert_eq!(eves.len(), 1);
        assert_eq!(eves[0]["date"], eve);
        assert_eq!(eves[0]["weekday"], "fri");
        assert_eq!(eves[0]["reason"], "Juhannusaatto");
        assert!(eves[0]["ranges"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn self_service_only_morning_is_not_open_for_help() {
    let app = TestApp::spawn().await;
    let ranges = json!([{"start": "07:00", "end": "10:00", "kind": "self_service"}, {"start": "10:00", "end": "16:00", "kind": "staffed"}]);
    place(&app, "omatoimi", json!({"periods": [{"week": every_day(ranges)}]})).await;
    let s = app.json("/v1/locations/omatoimi?at=2027-01-12T08:00:00%2B02:00").await;
    assert_eq!(s["open_now"], false);
    assert_eq!(s["status_now"]["state"], "self_service");
    assert_eq!(s["next_change"]["local"], "2027-01-12T10:00:00+02:00");
    assert_eq!(s["next_change"]["state"], "staffed");
    assert_eq!(s["next_opening"]["local"], "2027-01-12T10:00:00+02:00");
    // Before the doors open: the next change is self-service, the next opening is 10:00.
    let early = app.json("/v1/locations/omatoimi?at=2027-01-12T06:00:00%2B02:00").await;
    assert_eq!(early["next_change"]["state"], "self_service");
    assert_eq!(early["next_change"]["local"], "2027-01-12T07:00:00+02:00");
    assert_eq!(early["next_opening"]["local"], "2027-01-12T10:00:00+02:00");
    let later = app.json("/v1/locations/omatoimi?at=2027-01-12T10:30:00%2B02:00").await;
    assert_eq!(later["open_now"], true);
    assert!(later["next_opening"].is_null());
    // The filter agrees: a self-service morning is not "open".
    let near = app
        .json("/v1/locations/nearest?lat=62.6&lon=29.76&max_distance_km=0.1&open_at=2027-01-12T08:00:00%2B02:00")
        .await;
    assert!(near["items"].as_array().unwrap().iter().all(|l| l["id"] != "omatoimi"));
    let open = app
        .json("/v1/locations/nearest?lat=62.6&lon=29.76&max_distance_km=0.1&open_at=2027-01-12T11:00:00%2B02:00")
        .await;
    assert!(open["items"].as_array().unwrap().iter().any(|l| l["id"] == "omatoimi"));
}

#[tokio::test]
async fn exception_beats_holiday_and_holiday_beats_regular_day() {
    let app = TestApp::spawn().await;
    let weekdays = json!([{"start": "10:00", "end": "16:00", "kind": "staffed"}]);
    let hours = json!({
        "periods": [{"week": {"mon": weekdays, "tue": weekdays, "wed": weekdays, "thu": weekdays, "fri": weekdays}}],
        "exceptions": [
            {"date": "2027-12-24", "ranges": [{"start": "10:00", "end": "12:00", "kind": "staffed"}],
             "reason": {"fi": "Jouluaaton aamupäivä", "sv": "Julaftons förmiddag", "en": "Christmas Eve morning"}},
            {"date": "2027-12-15", "ranges": [], "reason": {"fi": "Henkilökunnan koulutus"}}
        ]
    });
    place(&app, "joulu", hours).await;
    let s = app.json("/v1/locations/joulu/schedule?from=2027-12-06&to=2027-12-27&lang=en").await;
    let independence = day(&s, "2027-12-06"); // a Monday
    assert_eq!(independence["kind"], "holiday");
    assert_eq!(independence["reason"], "Independence Day");
    assert!(independence["ranges"].as_array().unwrap().is_empty());
    let eve = day(&s, "2027-12-24"); // a Friday and a holiday, but the exception wins
    assert_eq!(eve["kind"], "exception");
    assert_eq!(eve["holiday"], "christmas_eve");
    assert_eq!(eve["reason"], "Christmas Eve morning");
    assert_eq!(eve["ranges"][0]["end"], "12:00");
    let training = day(&s, "2027-12-15");
    assert_eq!(training["kind"], "exception");
    assert_eq!(training["reason"], "Henkilökunnan koulutus"); // no English: Finnish
    assert_eq!(day(&s, "2027-12-14")["kind"], "regular");
    let closed = app.json("/v1/locations/joulu?at=2027-12-06T11:00:00%2B02:00&lang=fi").await;
    assert_eq!(closed["status_now"]["state"], "closed");
    assert_eq!(closed["status_now"]["reason"], "Itsenäisyyspäivä");
    let eve_open = app.json("/v1/locations/joulu?at=2027-12-24T11:00:00%2B02:00").await;
    assert_eq!(eve_open["open_now"], true);
    assert_eq!(eve_open["next_change"]["local"], "2027-12-24T12:00:00+02:00");
}

#[tokio::test]
async fn summer_period_replaces_the_default() {
    let app = TestApp::spawn().await;
    let long = json!([{"start": "10:00", "end": "19:00", "kind": "staffed"}]);
    let short = json!([{"start": "10:00", "end": "15:00", "kind": "staffed"}]);
    let hours = json!({"periods": [
        {"week": {"mon": long, "tue": long, "wed": long, "thu": long, "fri": long}},
        {"valid_from": "2027-06-01", "valid_to": "2027-08-13",
         "name": {"fi": "Kesäaukiolo", "sv": "Sommartider", "en": "Summer hours"},
         "week": {"mon": short, "tue": short, "wed": short, "thu": short, "fri": short}}
    ]});
    place(&app, "kesa", hours).await;
    let s = app.json("/v1/locations/kesa/schedule?from=2027-05-31&to=2027-08-16&lang=en").await;
    assert_eq!(day(&s, "2027-05-31")["ranges"][0]["end"], "19:00");
    assert!(day(&s, "2027-05-31")["period"].is_null());
    assert_eq!(day(&s, "2027-06-01")["ranges"][0]["end"], "15:00");
    assert_eq!(day(&s, "2027-06-01")["period"], "Summer hours");
    assert_eq!(day(&s, "2027-08-13")["ranges"][0]["end"], "15:00");
    assert_eq!(day(&s, "2027-08-16")["ranges"][0]["end"], "19:00");
    let osm = app.json("/v1/locations/kesa").await["opening_hours"].as_str().unwrap().to_owned();
    assert!(osm.contains("Mo-Fr 10:00-19:00"), "{osm}");
}

#[tokio::test]
async fn exactly_at_opening_and_closing_and_across_midnight() {
    let app = TestApp::spawn().await;
    let hours = json!({"periods": [{"week": {
        "mon": [{"start": "10:00", "end": "16:00", "kind": "staffed"}],
        "fri": [{"start": "22:00", "end": "02:00", "kind": "staffed"}]
    }}]});
    place(&app, "rajat", hours).await;
    let at = |t: &str| format!("/v1/locations/rajat?at={}", t.replace('+', "%2B"));
    // 2027-01-11 is a Monday.
    assert_eq!(app.json(&at("2027-01-11T09:59:59+02:00")).await["open_now"], false);
    let opening = app.json(&at("2027-01-11T10:00:00+02:00")).await;
    assert_eq!(opening["open_now"], true);
    assert_eq!(opening["next_change"]["local"], "2027-01-11T16:00:00+02:00");
    let closing = app.json(&at("2027-01-11T16:00:00+02:00")).await;
    assert_eq!(closing["open_now"], false);
    assert_eq!(closing["status_now"]["state"], "closed");
    assert_eq!(closing["next_change"]["local"], "2027-01-15T22:00:00+02:00");
    // Friday 22:00 to Saturday 02:00.
    assert_eq!(app.json(&at("2027-01-15T23:00:00+02:00")).await["open_now"], true);
    let after_midnight = app.json(&at("2027-01-16T01:00:00+02:00")).await;
    assert_eq!(after_midnight["open_now"], true);
    assert_eq!(after_midnight["next_change"]["local"], "2027-01-16T02:00:00+02:00");
    assert_eq!(app.json(&at("2027-01-16T02:00:00+02:00")).await["open_now"], false);
    let s = app.json("/v1/locations/rajat/schedule?from=2027-01-15&to=2027-01-16").await;
    assert_eq!(day(&s, "2027-01-15")["ranges"][0]["ends_at"], "2027-01-16T00:00:00Z");
    assert!(day(&s, "2027-01-16")["ranges"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn open_at_filters_nearest_and_service_hours_decide_for_their_topic() {
    let app = TestApp::spawn().await;
    // Far north, away from the demo data: only these places lie within 20 km.
    let mon = |s: &str, e: &str, k: &str| json!({"periods": [{"week": {"mon": [{"start": s, "end": e, "kind": k}]}}]});
    place_at(&app, "north-morning", 68.00, 27.00, mon("10:00", "12:00", "staffed")).await;
    place_at(&app, "north-afternoon", 68.01, 27.00, mon("14:00", "16:00", "staffed")).await;
    place_at(&app, "north-selfservice", 68.02, 27.00, mon("10:00", "12:00", "self_service")).await;
    place_at(&app, "north-digi", 68.03, 27.00, mon("10:00", "16:00", "staffed")).await;
    // At north-digi, online services help only on Tuesdays 10-12 (its own hours).
    let tue =
        json!({"periods": [{"week": {"tue": [{"start": "10:00", "end": "12:00", "kind": "staffed"}]}}]}).to_string();
    app.sql(&format!(
        "INSERT INTO services (id, organization_id, name_fi, assistance_level, delivery_modes)
           VALUES ('north-digiopastus', 'pksotu', 'Digiopastus', 'guidance', '{{drop_in}}');
         INSERT INTO service_topics VALUES ('north-digiopastus', 'online_public_services');
         INSERT INTO services_at_locations (id, service_id, location_id) VALUES ('north-digi-opastus', 'north-digiopastus', 'north-digi');
         INSERT INTO opening_hours (service_at_location_id, document) VALUES ('north-digi-opastus', '{tue}'::jsonb);"
    ))
    .await;
    app.wait_for_snapshot().await;

    let ids = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_owned()).collect()
    };
    let q = |extra: &str| format!("/v1/locations/nearest?lat=68&lon=27&max_distance_km=20&limit=100{extra}");
    // 2027-01-11 is a Monday, 2027-01-12 a Tuesday.
    let all = app.json(&q("")).await;
    assert_eq!(ids(&all), vec!["north-morning", "north-afternoon", "north-selfservice", "north-digi"]);
    let morning = app.json(&q("&open_at=2027-01-11T11:00:00%2B02:00")).await;
    assert_eq!(ids(&morning), vec!["north-morning", "north-digi"]);
    let afternoon = app.json(&q("&open_at=2027-01-11T15:00:00%2B02:00")).await;
    assert_eq!(ids(&afternoon), vec!["north-afternoon", "north-digi"]);
    // With the topic, the service's own hours decide: Monday no, Tuesday yes.
    let topic_mon = app.json(&q("&topic=online_public_services&open_at=2027-01-11T11:00:00%2B02:00")).await;
    assert!(ids(&topic_mon).is_empty(), "{:?}", ids(&topic_mon));
    let topic_tue = app.json(&q("&topic=online_public_services&open_at=2027-01-12T11:00:00%2B02:00")).await;
    assert_eq!(ids(&topic_tue), vec!["north-digi"]);
    // The list endpoint filters the same way.
    let list = app.json("/v1/locations?q=testipaikka&open_at=2027-01-11T15:00:00%2B02:00&per_page=100").await;
    assert_eq!(ids(&list), vec!["north-afternoon", "north-digi"]);
    // open_now is accepted (its answer depends on the clock).
    app.json(&q("&open_now=true")).await;
    let service = &app.json("/v1/locations/north-digi?at=2027-01-12T11:00:00%2B02:00").await["services"][0];
    assert_eq!(service["status_now"]["state"], "staffed");
    assert_eq!(service["opening_hours"], "Tu 10:00-12:00; PH off; Dec 24 off; Jun 19-25 Fr off");
}

#[tokio::test]
async fn demo_locations_carry_hours_and_status() {
    let app = TestApp::spawn().await;
    let l = app.json("/v1/locations/jns-paakirjasto").await;
    assert_eq!(l["hours_confidence"], "assumed");
    assert!(l["opening_hours"].as_str().unwrap().contains("self-service"));
    assert!(["staffed", "self_service", "closed"].contains(&l["status_now"]["state"].as_str().unwrap()));
    assert!(l["next_change"]["at"].is_string());
    // Bookmobiles have no hours on record: unknown, never "open".
    let b = app.json("/v1/locations/jns-kirjastoauto-mysteeri").await;
    assert_eq!(b["status_now"]["state"], "unknown");
    assert_eq!(b["open_now"], false);
    assert!(b["opening_hours"].is_null());
    for item in app.json("/v1/locations?per_page=100").await["items"].as_array().unwrap() {
        assert!(item["open_now"].is_boolean() && item["status_now"]["state"].is_string());
    }
    let s = app.json("/v1/locations/jns-kirjastoauto-mysteeri/schedule").await;
    assert_eq!(s["hours_known"], false);
    let s = app.json("/v1/locations/jns-paakirjasto/schedule").await;
    assert_eq!(s["days"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn bad_dates_ranges_and_instants_are_400() {
    let app = TestApp::spawn().await;
    let cases: &[(&str, &str)] = &[
        ("/v1/locations/jns-paakirjasto/schedule?from=2027-02-30", "from"),
        ("/v1/locations/jns-paakirjasto/schedule?from=tomorrow", "from"),
        ("/v1/locations/jns-paakirjasto/schedule?from=2027-01-01&to=2027-13-01", "to"),
        ("/v1/locations/jns-paakirjasto/schedule?from=2027-02-01&to=2027-01-01", "from"),
        ("/v1/locations/jns-paakirjasto/schedule?from=2027-01-01&to=2028-01-02", "to"),
        ("/v1/locations/jns-paakirjasto/schedule?service_at_location=BAD!", "service_at_location"),
        ("/v1/locations/nearest?postal_code=80100&open_at=yesterday", "open_at"),
        ("/v1/locations/nearest?postal_code=80100&open_at=2027-01-11T25:00:00Z", "open_at"),
        ("/v1/locations/nearest?postal_code=80100&open_now=maybe", "open_now"),
        ("/v1/locations/nearest?postal_code=80100&open_now=true&open_at=2027-01-11T10:00:00Z", "open_now"),
        ("/v1/locations?open_at=2027-01-11", "open_at"),
        ("/v1/locations/jns-paakirjasto?at=noon", "at"),
    ];
    for (path, param) in cases {
        app.problem(path, 400, param).await;
    }
    // Exactly 366 days is allowed.
    let year = app.json("/v1/locations/jns-paakirjasto/schedule?from=2028-01-01&to=2028-12-31").await;
    assert_eq!(year["days"].as_array().unwrap().len(), 366);
}
