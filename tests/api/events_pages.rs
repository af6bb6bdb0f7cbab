//! Events on the pages for people: a partner's weekly series with a cancelled and a moved
//! occurrence shows on `/embed/list` (cancelled and moved said as such) with schema.org `Event`
//! JSON-LD for confirmed events only, on `/staff` for a patron with matching needs, and on a
//! referral slip naming one session (its parameters validated).

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const LIBRARY: &str = "joensuun-kaupunginkirjasto";
/// The list is evaluated on Wednesday 10 February 2027: the next 30 days reach 11 March.
const AT: &str = "at=2027-02-10T12:00:00%2B02:00";

fn series() -> Value {
    json!({
        "title": {"fi": "Digikahvila", "sv": "Digikafé", "en": "Digital café"},
        "description": {"fi": "Apua puhelimen ja tietokoneen käyttöön, ei ajanvarausta."},
        "location_id": "jns-paakirjasto",
        "start": "2027-01-12T10:00",
        "end": "2027-01-12T12:00",
        "rrule": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270427T210000Z",
        "topics": ["phone_tablet_basics"],
        "languages": ["fi"],
        "delivery_mode": "drop_in",
        "assistance_level": "guidance",
        "registration": {"phone": "013 267 7111", "url": "https://www.jns.fi/digikahvila"}
    })
}

/// Creates the series, cancels 16 February and moves 9 March to Wednesday 10 March at 13.
async fn weekly_series(app: &TestApp, token: &str, body: &Value) -> String {
    let resp = app.write(Method::POST, "/v1/events", token).json(body).send().await.unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    let id = resp.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/events/{id}");
    for (date, change) in [
        (
            "2027-02-16",
            json!({"status": "cancelled", "note": {"fi": "Ohjaaja sairastunut", "en": "The helper is ill"}}),
        ),
        ("2027-03-09", json!({"status": "moved", "start": "2027-03-10T13:00", "end": "2027-03-10T15:00"})),
    ] {
        let etag = app.etag(&path).await;
        let resp = app
            .write(Method::PUT, &format!("{path}/occurrences/{date}"), token)
            .header("If-Match", &etag)
            .json(&change)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    }
    id
}

async fn html(app: &TestApp, path: &str) -> String {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), 200, "GET {path}");
    assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
    resp.text().await.unwrap()
}

/// The `<article>` of one occurrence (by event id and original date), or None.
fn article<'a>(html: &'a str, id: &str, date: &str) -> Option<&'a str> {
    let marker = format!("data-event=\"{id}\" data-date=\"{date}\"");
    let start = html.find(&marker)?;
    let end = start + html[start..].find("</article>")?;
    Some(&html[start..end])
}

/// The page's one JSON-LD document (an `ItemList`), parsed.
fn json_ld(html: &str) -> Value {
    let open = "<script type=\"application/ld+json\">";
    assert_eq!(html.matches("<script").count(), 1, "one JSON-LD script");
    let s = &html[html.find(open).unwrap() + open.len()..];
    let ld: Value = serde_json::from_str(&s[..s.find("</script>").unwrap()]).expect("valid JSON-LD");
    assert_eq!(ld["@type"], "ItemList");
    ld
}

/// The schema.org `Event`s of a page (items of its list).
fn ld_events(html: &str) -> Vec<Value> {
    json_ld(html)["itemListElement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item"].clone())
        .filter(|v| v["@type"] == "Event")
        .collect()
}

fn assert_no_nulls(v: &Value, path: &str) {
    match v {
        Value::Null => panic!("null at {path}"),
        Value::Object(m) => m.iter().for_each(|(k, v)| assert_no_nulls(v, &format!("{path}.{k}"))),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| assert_no_nulls(v, &format!("{path}[{i}]"))),
        _ => {}
    }
}

#[tokio::test]
async fn embed_list_shows_the_series_marks_the_cancelled_and_moved_sessions_and_states_confirmed_events() {
    let app = TestApp::spawn().await;
    let token = app.token(LIBRARY, false).await;
    let id = weekly_series(&app, &token, &series()).await;

    let page = html(&app, &format!("/embed/list?municipality=Joensuu&topic=phone_tablet_basics&lang=en&{AT}")).await;
    assert!(page.contains("Upcoming digital-help events (30 days)"));
    // 16 Feb (cancelled), 23 Feb, 2 Mar, 9 Mar (moved to 10 Mar); 16 Mar is past the 30 days.
    for date in ["2027-02-16", "2027-02-23", "2027-03-02", "2027-03-09"] {
        assert!(article(&page, &id, date).is_some(), "{date} missing: {page}");
    }
    assert!(article(&page, &id, "2027-03-16").is_none());
    let cancelled = article(&page, &id, "2027-02-16").unwrap();
    assert!(cancelled.contains("<strong>Cancelled</strong>"), "{cancelled}");
    assert!(cancelled.contains("<del>"), "the cancelled time is struck through: {cancelled}");
    assert!(cancelled.contains("The helper is ill"));
    assert!(page[..page.find(&format!("data-event=\"{id}\" data-date=\"2027-02-16\"")).unwrap()]
        .ends_with("<article class=\"event cancelled\" "));
    let moved = article(&page, &id, "2027-03-09").unwrap();
    assert!(moved.contains("<strong>Moved</strong>"), "{moved}");
    assert!(moved.contains("Wed 10 Mar 13:00–15:00") && moved.contains("originally Tue 9 Mar"), "{moved}");
    let normal = article(&page, &id, "2027-02-23").unwrap();
    assert!(normal.contains("Tue 23 Feb 10:00–12:00") && normal.contains("datetime=\"2027-02-23T10:00:00+02:00\""));
    assert!(normal.contains("Joensuu Main Library, Koskikatu 25"), "{normal}");
    assert!(!normal.contains("Cancelled") && !normal.contains("Moved"));

    // JSON-LD: an Event for each confirmed, not cancelled occurrence, after the places.
    let ld = json_ld(&page);
    let list = ld["itemListElement"].as_array().unwrap();
    let first_event = list.iter().position(|i| i["item"]["@type"] == "Event").unwrap();
    assert!(first_event > 0 && list[first_event..].iter().all(|i| i["item"]["@type"] == "Event"));
    assert!(list.iter().enumerate().all(|(n, i)| i["position"] == n + 1));
    let events: Vec<Value> =
        ld_events(&page).into_iter().filter(|e| e["url"] == format!("{}/v1/events/{id}", app.base)).collect();
    let starts: Vec<&str> = events.iter().map(|e| e["startDate"].as_str().unwrap()).collect();
    assert_eq!(starts, ["2027-02-23T10:00:00+02:00", "2027-03-02T10:00:00+02:00", "2027-03-10T13:00:00+02:00"]);
    for e in &events {
        assert_no_nulls(e, "Event");
        assert_eq!(e["name"], "Digital café");
        assert_eq!(e["eventAttendanceMode"], "https://schema.org/OfflineEventAttendanceMode");
        assert_eq!(e["location"]["@type"], "Library");
        assert_eq!(e["location"]["@id"], format!("{}/v1/locations/jns-paakirjasto", app.base));
        assert_eq!(e["location"]["address"]["streetAddress"], "Koskikatu 25");
        assert_eq!(e["organizer"]["@type"], "Organization");
        assert!(e["endDate"].as_str().unwrap().ends_with("+02:00"));
    }
    assert_eq!(events[0]["eventStatus"], "https://schema.org/EventScheduled");
    assert_eq!(events[2]["eventStatus"], "https://schema.org/EventRescheduled");
    assert_eq!(events[2]["previousStartDate"], "2027-03-09T10:00:00+02:00");

    // The list's other filters apply to its events too: words, place kind, and for a nearest
    // search the distance of the farthest place listed.
    for same in ["q=digikahvila", "kind=library", "lat=62.6017&lon=29.7514&limit=1"] {
        let page = html(&app, &format!("/embed/list?{same}&lang=en&{AT}")).await;
        assert!(article(&page, &id, "2027-02-23").is_some(), "{same}");
    }
    // Filters: another language, another municipality or another topic leave the series out.
    for other in [
        "municipality=Joensuu&language=sv",
        "municipality=Lieksa",
        "municipality=Joensuu&topic=online_public_services",
        "municipality=Joensuu&q=verkkopankki",
        "municipality=Joensuu&kind=remote",
        "lat=63.3187&lon=30.0234&limit=2",
    ] {
        let page = html(&app, &format!("/embed/list?{other}&lang=en&{AT}")).await;
        assert!(!page.contains(&format!("data-event=\"{id}\"")), "{other}");
        assert!(!page.contains(&format!("/v1/events/{id}")), "{other}");
    }
}

#[tokio::test]
async fn an_assumed_event_is_listed_as_unconfirmed_but_never_stated_in_json_ld() {
    let app = TestApp::spawn().await;
    let token = app.token(LIBRARY, false).await;
    let mut body = series();
    body["confidence"] = json!("assumed");
    body["title"] = json!({"fi": "<img src=x onerror=alert(1)></script><script>alert(2)</script>"});
    let id = weekly_series(&app, &token, &body).await;
    let page = html(&app, &format!("/embed/list?municipality=Joensuu&lang=fi&{AT}")).await;
    let item = article(&page, &id, "2027-02-23").expect("the assumed series is listed");
    assert!(item.contains("&lt;img src=x onerror=alert(1)&gt;"), "escaped: {item}");
    assert!(!page.contains("<img") && !page.contains("<script>alert"));
    assert!(item.contains("class=\"unverified\""), "marked as unconfirmed: {item}");
    assert!(item.contains("ti 23.2. klo 10.00–12.00"), "{item}");
    assert!(!page.contains(&format!("/v1/events/{id}")), "no JSON-LD Event for an assumed event");

    // The confirmed one beside it is stated.
    let confirmed = weekly_series(&app, &token, &series()).await;
    let page = html(&app, &format!("/embed/list?municipality=Joensuu&lang=fi&{AT}")).await;
    let events = ld_events(&page);
    assert!(events.iter().any(|e| e["url"] == format!("{}/v1/events/{confirmed}", app.base)));
    assert!(!events.iter().any(|e| e["url"] == format!("{}/v1/events/{id}", app.base)));
}

#[tokio::test]
async fn staff_lists_the_session_for_matching_needs_and_the_slip_names_it() {
    let app = TestApp::spawn().await;
    let token = app.token(LIBRARY, false).await;
    let id = weekly_series(&app, &token, &series()).await;
    let search = "/staff?lang=en&postal_code=80100&when=at&date=2027-02-15&time=12:00";
    let page = html(&app, &format!("{search}&topic=phone_tablet_basics&language=fi")).await;
    assert!(page.contains("Upcoming sessions (next 14 days)"));
    // 15 Feb + 14 days: the cancelled 16 Feb (marked), 23 Feb; not 2 March.
    let cancelled = article(&page, &id, "2027-02-16").expect("the cancelled session, marked");
    assert!(cancelled.contains("Cancelled") && !cancelled.contains("/referral"));
    let session = article(&page, &id, "2027-02-23").expect("the session for a matching need");
    assert!(session.contains("Tue 23 Feb 10:00–12:00"));
    let slip = format!(
        "/v1/locations/jns-paakirjasto/referral?lang=en&amp;event={id}&amp;date=2027-02-23&amp;topic=phone_tablet_basics"
    );
    assert!(session.contains(&slip), "{session}");
    assert!(article(&page, &id, "2027-03-02").is_none());
    // Other needs or another language: not listed.
    for other in ["&topic=online_public_services", "&language=sv"] {
        let page = html(&app, &format!("{search}{other}")).await;
        assert!(!page.contains(&format!("data-event=\"{id}\"")), "{other}");
    }

    // The slip names the session: its time and place; registration.
    let slip = html(&app, &format!("/v1/locations/jns-paakirjasto/referral?lang=en&event={id}&date=2027-03-09")).await;
    let item = article(&slip, &id, "2027-03-09").expect("the session on the slip");
    assert!(item.contains("Moved") && item.contains("Wed 10 Mar 13:00–15:00"), "{item}");
    assert!(item.contains("Joensuu Main Library, Koskikatu 25"));
    assert!(item.contains("013 267 7111") && item.contains("href=\"https://www.jns.fi/digikahvila\""), "{item}");
    let plain = html(&app, "/v1/locations/jns-paakirjasto/referral?lang=en").await;
    assert!(!plain.contains("data-event="));

    // Bad parameters: a problem naming the parameter.
    let slip = "/v1/locations/jns-paakirjasto/referral";
    app.problem(&format!("{slip}?event={id}"), 400, "date").await;
    app.problem(&format!("{slip}?event={id}&date=23.2.2027"), 400, "date").await;
    app.problem(&format!("{slip}?event={id}&date=2027-02-24"), 400, "date").await;
    app.problem(&format!("{slip}?date=2027-02-23"), 400, "event").await;
    app.problem(&format!("{slip}?event=no-such-event&date=2027-02-23"), 400, "event").await;
    app.problem(&format!("{slip}?event=BAD%20ID&date=2027-02-23"), 400, "event").await;
    app.problem(&format!("/v1/locations/jns-virastotalo/referral?event={id}&date=2027-02-23"), 400, "event").await;
}

/// The "all agree within a second": one series written through the partner API (a
/// weekly series from the day after tomorrow, the second occurrence cancelled, the third
/// moved), then every surface read once, straight after the last write, without waiting or
/// retrying: the occurrence list, the location, the place's iCalendar feed, `/embed/list` and
/// its JSON-LD, `/staff`, and the widget in a browser. The time from the last write's answer
/// to the last HTTP read is printed (no timing assertion: agreement on the first read is
/// what is asserted).
#[tokio::test]
async fn one_series_agrees_on_every_surface_straight_after_the_write_widget_in_a_browser() {
    use chrono::{Datelike, Duration, Utc};
    let app = TestApp::spawn().await;
    let token = app.token(LIBRARY, false).await;
    let first = Utc::now().with_timezone(&chrono_tz::Europe::Helsinki).date_naive() + Duration::days(2);
    let (second, third, fourth) = (first + Duration::days(7), first + Duration::days(14), first + Duration::days(21));
    let moved_to = third + Duration::days(1);
    let mut body = series();
    body["title"] = json!({"fi": "Digikahvila", "en": format!("Digital café {}", crate::browser::HOSTILE)});
    body["start"] = json!(format!("{first}T10:00"));
    body["end"] = json!(format!("{first}T12:00"));
    body["rrule"] =
        json!(format!("FREQ=WEEKLY;BYDAY={};COUNT=4", &format!("{:?}", first.weekday())[..2].to_uppercase()));
    let resp = app.write(Method::POST, "/v1/events", &token).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    let id = resp.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/events/{id}");
    for (date, change) in [
        (second, json!({"status": "cancelled"})),
        (third, json!({"status": "moved", "start": format!("{moved_to}T13:00"), "end": format!("{moved_to}T15:00")})),
    ] {
        let etag = app.etag(&path).await;
        let resp = app
            .write(Method::PUT, &format!("{path}/occurrences/{date}"), &token)
            .header("If-Match", &etag)
            .json(&change)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    }
    let written = std::time::Instant::now();
    let dates: Vec<String> = [first, second, third, fourth].iter().map(|d| d.to_string()).collect();
    let want_status = ["scheduled", "cancelled", "moved", "scheduled"];

    // The occurrence list and the location's upcoming occurrences.
    let occ = app.json("/v1/events/occurrences?municipality=Joensuu&lang=en").await;
    let place = app.json("/v1/locations/jns-paakirjasto?lang=en").await;
    for (surface, items) in [("occurrences", &occ["items"]), ("location", &place["upcoming_events"])] {
        let ours: Vec<&Value> = items.as_array().unwrap().iter().filter(|o| o["event_id"] == id).collect();
        let got: Vec<(&str, &str)> =
            ours.iter().map(|o| (o["date"].as_str().unwrap(), o["status"].as_str().unwrap())).collect();
        let want: Vec<(&str, &str)> = dates.iter().map(String::as_str).zip(want_status).collect();
        assert_eq!(got, want, "{surface}");
        assert!(ours[2]["start"].as_str().unwrap().starts_with(&format!("{moved_to}T13:00:00+0")), "{surface}");
    }

    // The place's feed: the series and two overrides under one UID.
    let feed = app.get("/v1/locations/jns-paakirjasto/events.ics").await.text().await.unwrap();
    let compact = |d: chrono::NaiveDate| d.format("%Y%m%d").to_string();
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(feed.as_bytes()));
    let cal = parser.next().expect("a calendar").expect("a valid calendar");
    let ours: Vec<_> = cal
        .events
        .iter()
        .filter(|e| {
            e.properties.iter().any(|p| p.name == "UID" && p.value.as_deref() == Some(&format!("{id}@digituki")))
        })
        .map(|e| {
            let prop = |n: &str| e.properties.iter().find(|p| p.name == n).and_then(|p| p.value.clone());
            (prop("RECURRENCE-ID"), prop("STATUS"), prop("DTSTART").unwrap())
        })
        .collect();
    assert_eq!(ours.len(), 3, "{ours:?}");
    assert!(ours.iter().any(|e| e.0.is_none() && e.2 == format!("{}T100000", compact(first))), "{ours:?}");
    assert!(ours
        .iter()
        .any(|e| e.0 == Some(format!("{}T100000", compact(second))) && e.1.as_deref() == Some("CANCELLED")));
    assert!(ours
        .iter()
        .any(|e| e.0 == Some(format!("{}T100000", compact(third))) && e.2 == format!("{}T130000", compact(moved_to))));

    // `/embed/list`: four items, the cancelled and moved ones said so; JSON-LD states the
    // three that take place (the moved one rescheduled).
    let page = html(&app, "/embed/list?municipality=Joensuu&topic=phone_tablet_basics&lang=en").await;
    for (date, status) in dates.iter().zip(want_status) {
        let item = article(&page, &id, date).unwrap_or_else(|| panic!("{date} missing on /embed/list"));
        assert_eq!(item.contains("<strong>Cancelled</strong>"), status == "cancelled", "{item}");
        assert_eq!(item.contains("<strong>Moved</strong>"), status == "moved", "{item}");
    }
    let stated: Vec<Value> =
        ld_events(&page).into_iter().filter(|e| e["url"] == format!("{}/v1/events/{id}", app.base)).collect();
    let statuses: Vec<&str> = stated.iter().map(|e| e["eventStatus"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        [
            "https://schema.org/EventScheduled",
            "https://schema.org/EventRescheduled",
            "https://schema.org/EventScheduled"
        ]
    );
    assert!(stated[1]["startDate"].as_str().unwrap().starts_with(&format!("{moved_to}T13:00:00+0")));

    // `/staff` for a patron with the need, now: the next 14 days hold the first two.
    let staff = html(&app, "/staff?lang=en&postal_code=80100&topic=phone_tablet_basics&language=fi").await;
    assert!(article(&staff, &id, &dates[0]).is_some_and(|a| !a.contains("Cancelled")), "first session on /staff");
    assert!(article(&staff, &id, &dates[1]).is_some_and(|a| a.contains("Cancelled")), "cancelled one on /staff");
    assert!(article(&staff, &id, &dates[2]).is_none(), "the third is beyond 14 days");
    eprintln!("every HTTP surface read and agreeing {} ms after the last write", written.elapsed().as_millis());

    // The widget, in a browser.
    let host = crate::browser::host_site(
        &app.base,
        "<digituki-directory lang=\"en\" show=\"events\" municipality=\"Joensuu\" topic=\"phone_tablet_basics\"></digituki-directory>",
    );
    // The same widget limited to two occurrences, on another partner site.
    let limited = crate::browser::host_site(
        &app.base,
        "<digituki-directory lang=\"fi\" show=\"events\" limit=\"2\" municipality=\"Joensuu\" topic=\"phone_tablet_basics\"></digituki-directory>",
    );
    let results = crate::browser::browse(json!([
        { "url": format!("{host}/"), "waitFor": "widget", "axe": true },
        { "url": format!("{limited}/"), "waitFor": "widget" },
    ]))
    .await;
    let short = &results[1];
    assert_eq!(short["widgetEvents"].as_array().unwrap().len(), 2, "{short}");
    let more = &short["widgetMore"];
    assert_eq!(more["text"], "Näytä kaikki tapahtumat", "{short}");
    let href = more["href"].as_str().unwrap();
    assert!(
        href.starts_with(&format!("{}/embed/list?lang=fi&topic=phone_tablet_basics&municipality=Joensuu", app.base)),
        "{href}"
    );
    assert!(href.ends_with("#events-title"), "{href}");
    // The page it opens lists the series.
    let list = html(&app, &href[app.base.len()..href.find('#').unwrap()]).await;
    assert!(article(&list, &id, &dates[0]).is_some(), "the linked list has the first session");
    let r = &results[0];
    assert!(r["widgetMore"].is_null() || r["widgetEvents"].as_array().unwrap().len() >= 10, "{r}");
    assert_eq!(r["widgetHeading"], "Upcoming digital-help events");
    let ours: Vec<&Value> = r["widgetEvents"].as_array().unwrap().iter().filter(|e| e["event"] == id).collect();
    let shown: Vec<&str> = ours.iter().map(|e| e["date"].as_str().unwrap()).collect();
    assert_eq!(shown, dates, "{r}");
    for (e, status) in ours.iter().zip(want_status) {
        let class = e["className"].as_str().unwrap();
        assert_eq!(class.contains("cancelled"), status == "cancelled", "{e}");
        assert_eq!(e["text"].as_str().unwrap().contains("Cancelled"), status == "cancelled", "{e}");
        assert_eq!(class.contains("moved"), status == "moved", "{e}");
        assert_eq!(e["title"], format!("Digital café {}", crate::browser::HOSTILE), "shown as text");
        assert!(e["text"].as_str().unwrap().contains("Joensuu Main Library"), "{e}");
    }
    assert_eq!(r["imgCount"], 0, "partner text became markup");
    assert!(r["dialogs"].as_array().unwrap().is_empty() && r["xss"] == false);
    assert!(r["pageErrors"].as_array().unwrap().is_empty(), "{}", r["pageErrors"]);
    assert!(crate::browser::serious(r).is_empty(), "{:?}", crate::browser::serious(r));
}
