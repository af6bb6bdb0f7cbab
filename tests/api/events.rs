//! Digital-help events: a partner creates a weekly series, cancels one occurrence and moves
//! another; the public list, the occurrences and the iCalendar feeds (checked with an
//! independent parser) agree; a closed day is flagged; scope and validation hold.

use chrono::Datelike;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const LIBRARY: &str = "joensuun-kaupunginkirjasto";

fn series() -> Value {
    json!({
        "title": {"fi": "Digikahvila", "sv": "Digikafé", "en": "Digital café"},
        "description": {"fi": "Apua puhelimen ja tietokoneen käyttöön, ei ajanvarausta."},
        "co_organizers": ["pksotu"],
        "location_id": "jns-paakirjasto",
        "start": "2027-01-12T10:00",
        "end": "2027-01-12T12:00",
        "rrule": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270427T210000Z",
        "topics": ["phone_tablet_basics"],
        "languages": ["fi"],
        "audience": ["seniors"],
        "delivery_mode": "drop_in",
        "assistance_level": "guidance",
        "cost": {"fi": "Maksuton"}
    })
}

async fn create(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.write(Method::POST, "/v1/events", token).json(body).send().await.unwrap()
}

/// Every VEVENT of a feed as (UID, RECURRENCE-ID, STATUS, DTSTART) read by the `ical` crate.
fn parse_feed(text: &str) -> Vec<(String, Option<String>, Option<String>, String)> {
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "an unfolded line of {} octets: {line}", line.len());
        assert!(!line.contains('\n'), "a bare LF");
    }
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let cal = parser.next().expect("one calendar").expect("a valid calendar");
    assert!(cal
        .timezones
        .iter()
        .any(|tz| tz.properties.iter().any(|p| p.name == "TZID" && p.value.as_deref() == Some("Europe/Helsinki"))));
    cal.events
        .iter()
        .map(|e| {
            let prop = |n: &str| e.properties.iter().find(|p| p.name == n).and_then(|p| p.value.clone());
            let dtstart = e.properties.iter().find(|p| p.name == "DTSTART").expect("DTSTART");
            let tzid =
                dtstart.params.as_ref().and_then(|ps| ps.iter().find(|(k, _)| k == "TZID")).map(|(_, v)| v[0].clone());
            assert_eq!(tzid.as_deref(), Some("Europe/Helsinki"), "DTSTART without TZID");
            (prop("UID").unwrap(), prop("RECURRENCE-ID"), prop("STATUS"), dtstart.value.clone().unwrap())
        })
        .collect()
}

#[tokio::test]
async fn a_weekly_series_with_a_cancelled_and_a_moved_occurrence_agrees_everywhere() {
    let app = TestApp::spawn().await;
    let token = app.token(LIBRARY, false).await;
    let resp = create(&app, &token, &series()).await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    let created: Value = resp.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/events/{id}");

    // Cancel 16 February, move 9 March to Wednesday 10 March at 13.
    let etag = app.etag(&path).await;
    let resp = app
        .write(Method::PUT, &format!("{path}/occurrences/2027-02-16"), &token)
        .header("If-Match", &etag)
        .json(&json!({"status": "cancelled", "note": {"fi": "Ohjaaja sairastunut"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let etag = app.etag(&path).await;
    let resp = app
        .write(Method::PUT, &format!("{path}/occurrences/2027-03-09"), &token)
        .header("If-Match", &etag)
        .json(&json!({"status": "moved", "start": "2027-03-10T13:00", "end": "2027-03-10T15:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // The occurrences: 16 weekly Tuesdays from 12 Jan to 27 Apr, one cancelled, one moved.
    let occ = app.json("/v1/events/occurrences?from=2027-01-01&to=2027-06-30&lang=fi").await;
    let items: Vec<&Value> = occ["items"].as_array().unwrap().iter().filter(|o| o["event_id"] == id).collect();
    assert_eq!(items.len(), 16, "{occ}");
    let by_date = |d: &str| items.iter().find(|o| o["date"] == d).copied().unwrap();
    assert_eq!(by_date("2027-02-16")["status"], "cancelled");
    assert_eq!(by_date("2027-02-16")["note"], "Ohjaaja sairastunut");
    assert_eq!(by_date("2027-03-09")["status"], "moved");
    assert_eq!(by_date("2027-03-09")["start"], "2027-03-10T13:00:00+02:00");
    // Summer time from 28 March: the wall-clock time stays 10:00.
    assert_eq!(by_date("2027-04-06")["start"], "2027-04-06T10:00:00+03:00");
    assert_eq!(by_date("2027-01-12")["location"]["id"], "jns-paakirjasto");

    // The location shows its coming occurrences (evaluated at the start of the series).
    let place = app.json("/v1/locations/jns-paakirjasto?at=2027-02-10T12:00:00%2B02:00&lang=fi").await;
    let upcoming: Vec<&Value> =
        place["upcoming_events"].as_array().unwrap().iter().filter(|o| o["event_id"] == id).collect();
    assert_eq!(upcoming[0]["date"], "2027-02-16", "{place}");
    assert_eq!(upcoming[0]["status"], "cancelled");
    assert_eq!(upcoming[1]["date"], "2027-02-23");
    assert!(upcoming.iter().any(|o| o["date"] == "2027-03-09" && o["status"] == "moved"));

    // The list and the detail.
    let list = app.json(&format!("/v1/events?organization=pksotu&lang=en")).await;
    let listed = list["items"].as_array().unwrap().iter().find(|e| e["id"] == id).expect("co-organizer's list");
    assert_eq!(listed["title"], "Digital café");
    assert_eq!(listed["co_organizers"][0]["id"], "pksotu");

    // The feeds: one series (RRULE kept), one cancelled and one moved override, same UID.
    for feed in [
        "/v1/events.ics".to_owned(),
        "/v1/locations/jns-paakirjasto/events.ics".to_owned(),
        format!("/v1/organizations/{LIBRARY}/events.ics"),
        "/v1/organizations/pksotu/events.ics".to_owned(),
        "/v1/municipalities/Joensuu/events.ics".to_owned(),
    ] {
        let resp = app.get(&feed).await;
        assert_eq!(resp.status(), 200, "{feed}");
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let text = resp.text().await.unwrap();
        assert!(text.contains("RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20270427T210000Z"), "{feed}");
        let events: Vec<_> = parse_feed(&text).into_iter().filter(|e| e.0 == format!("{id}@digituki")).collect();
        assert_eq!(events.len(), 3, "{feed}: {events:?}");
        assert!(events.iter().any(|e| e.1.is_none() && e.3 == "20270112T100000"));
        assert!(events
            .iter()
            .any(|e| e.1.as_deref() == Some("20270216T100000") && e.2.as_deref() == Some("CANCELLED")));
        assert!(events.iter().any(|e| e.1.as_deref() == Some("20270309T100000") && e.3 == "20270310T130000"));
    }
    // Another place's feed does not carry the series.
    let other = app.get("/v1/locations/lie-kirjasto/events.ics").await;
    assert_eq!(other.status(), 200);
    assert!(!other.text().await.unwrap().contains(&id));

    // History names the writer.
    let admin = app.token(LIBRARY, true).await;
    let history: Value =
        app.write(Method::GET, &format!("{path}/history"), &admin).send().await.unwrap().json().await.unwrap();
    let actions: Vec<&str> =
        history["items"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "occurrence", "occurrence"]);
    assert!(history["items"][0]["actor"].as_str().unwrap().starts_with("token:"));
}

#[tokio::test]
async fn an_occurrence_on_a_day_the_library_is_closed_is_flagged() {
    let app = TestApp::spawn().await;
    let token = app.token(LIBRARY, false).await;
    let mut body = series();
    body["rrule"] = Value::Null;
    body["title"] = json!({"fi": "Itsenäisyyspäivän digiapu"});
    body["start"] = json!("2027-12-06T12:00");
    body["end"] = json!("2027-12-06T14:00");
    let resp = create(&app, &token, &body).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    let occ = app.json("/v1/events/occurrences?from=2027-12-01&to=2027-12-31").await;
    let next = occ["items"].as_array().unwrap().iter().find(|o| o["event_id"] == created["id"]).unwrap();
    assert_eq!(next["date"], "2027-12-06");
    assert_eq!(next["location_closed"], true, "{created}");
    assert_eq!(next["location_closed_reason"]["fi"], "Itsenäisyyspäivä", "{created}");
    // The same library on an ordinary Tuesday is not flagged.
    body["start"] = json!("2027-01-19T12:00");
    body["end"] = json!("2027-01-19T14:00");
    let ordinary: Value = create(&app, &token, &body).await.json().await.unwrap();
    let occ = app.json("/v1/events/occurrences?from=2027-01-19&to=2027-01-19").await;
    let tuesday = occ["items"].as_array().unwrap().iter().find(|o| o["event_id"] == ordinary["id"]).unwrap();
    assert_eq!(tuesday["location_closed"], false, "{tuesday}");

    // The coordinator's report lists the coming Independence Day's occurrence (within its
    // 366 days), not the ordinary Tuesday's.
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Helsinki).date_naive();
    let year = if (today.month(), today.day()) < (12, 6) { today.year() } else { today.year() + 1 };
    body["title"] = json!({"fi": "Tämän vuoden itsenäisyyspäivän digiapu"});
    body["start"] = json!(format!("{year}-12-06T12:00"));
    body["end"] = json!(format!("{year}-12-06T14:00"));
    let coming: Value = create(&app, &token, &body).await.json().await.unwrap();
    let admin = app.token("pksotu", true).await;
    let report: Value = app.write(Method::GET, "/v1/admin/stale", &admin).send().await.unwrap().json().await.unwrap();
    let flagged = report["closed_day_occurrences"].as_array().unwrap();
    let entry = flagged.iter().find(|f| f["event_id"] == coming["id"]).unwrap_or_else(|| panic!("{report}"));
    assert_eq!(entry["date"], format!("{year}-12-06"));
    assert_eq!(entry["location_id"], "jns-paakirjasto");
    assert_eq!(entry["organization_id"], LIBRARY);
    assert_eq!(entry["reason"]["fi"], "Itsenäisyyspäivä");
    assert!(!flagged.iter().any(|f| f["event_id"] == ordinary["id"]), "{report}");
}

#[tokio::test]
async fn another_organization_cannot_touch_the_series_and_bad_input_names_its_field() {
    let app = TestApp::spawn().await;
    let owner = app.token(LIBRARY, false).await;
    let created: Value = create(&app, &owner, &series()).await.json().await.unwrap();
    let path = format!("/v1/events/{}", created["id"].as_str().unwrap());
    let etag = app.etag(&path).await;
    let before = app.directory_version().await;
    // A co-organizer is listed, not an owner.
    for org in ["pksotu", "lieksan-kaupunginkirjasto"] {
        let token = app.token(org, false).await;
        let attempts = [
            app.write(Method::PATCH, &path, &token).header("If-Match", &etag).json(&json!({"capacity": 3})),
            app.write(Method::DELETE, &path, &token).header("If-Match", &etag),
            app.write(Method::PUT, &format!("{path}/occurrences/2027-01-19"), &token)
                .header("If-Match", &etag)
                .json(&json!({"status": "cancelled"})),
        ];
        for a in attempts {
            assert_eq!(a.send().await.unwrap().status(), 403, "{org}");
        }
    }
    assert_eq!(app.directory_version().await, before, "a refused write changed something");

    // Unless the owner grants it: a co-organizer named in `editors` may edit the event and its
    // occurrences, but not delete it nor change who owns or edits it; others still may not.
    let resp = app
        .write(Method::PATCH, &path, &owner)
        .header("If-Match", &etag)
        .json(&json!({"editors": ["pksotu"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let partner = app.token("pksotu", false).await;
    let stranger = app.token("lieksan-kaupunginkirjasto", false).await;
    let etag = app.etag(&path).await;
    let resp =
        app.write(Method::PATCH, &path, &partner).header("If-Match", &etag).json(&json!({"capacity": 12})).send().await;
    assert_eq!(resp.unwrap().status(), 200, "a granted co-organizer edits");
    assert_eq!(app.json(&path).await["capacity"], 12);
    let etag = app.etag(&path).await;
    let resp = app
        .write(Method::PUT, &format!("{path}/occurrences/2027-01-19"), &partner)
        .header("If-Match", &etag)
        .json(&json!({"status": "cancelled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "a granted co-organizer cancels an occurrence");
    let etag = app.etag(&path).await;
    let granted_before = app.directory_version().await;
    for change in [json!({"editors": []}), json!({"co_organizers": ["pksotu", "lieksan-kaupunginkirjasto"]})] {
        let resp = app.write(Method::PATCH, &path, &partner).header("If-Match", &etag).json(&change).send().await;
        assert_eq!(resp.unwrap().status(), 403, "{change}");
    }
    let resp = app.write(Method::DELETE, &path, &partner).header("If-Match", &etag).send().await.unwrap();
    assert_eq!(resp.status(), 403, "only the owner deletes");
    let resp =
        app.write(Method::PATCH, &path, &stranger).header("If-Match", &etag).json(&json!({"capacity": 1})).send().await;
    assert_eq!(resp.unwrap().status(), 403, "not granted");
    assert_eq!(app.directory_version().await, granted_before, "a refused write changed something");
    let before = granted_before;

    for (change, field) in [
        (json!({"rrule": "FREQ=FORTNIGHTLY"}), "rrule"),
        (json!({"rrule": "FREQ=WEEKLY;BYDAY=XX"}), "rrule"),
        (json!({"start": "2027-01-12T12:00", "end": "2027-01-12T10:00"}), "end"),
        (json!({"delivery_mode": "teleport"}), "delivery_mode"),
        (json!({"location_id": "no-such-place"}), "location_id"),
        (json!({"editors": ["lieksan-kaupunginkirjasto"]}), "editors[0]"),
    ] {
        let mut body = series();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let resp = create(&app, &owner, &body).await;
        assert_eq!(resp.status(), 422, "{change}");
        let problem: Value = resp.json().await.unwrap();
        assert!(problem["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{change}: {problem}");
    }
    let resp = app.get("/v1/events/occurrences?from=2027-01-01&to=2028-06-01").await;
    assert_eq!(resp.status(), 400);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["parameter"], "to");
    assert_eq!(app.directory_version().await, before);
}
