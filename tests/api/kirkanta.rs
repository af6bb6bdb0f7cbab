//! The Kirkanta importer against a local fixture server speaking Kirkanta API v4
//! (`tests/fixtures/kirkanta/libraries.json`): first import, unchanged second import, a
//! removed library marked inactive, a partner's edit reported as a conflict, and bad upstream
//! answers (malformed or partial JSON, HTTP 500, timeouts) that never change stored data.

use std::time::Duration;

use digituki::import::kirkanta::{self, Options};
use serde_json::Value;

use crate::fixture::{Fixture, Reply};
use crate::helpers::TestApp;

fn libraries() -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kirkanta/libraries.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn options(fixture: &Fixture) -> Options {
    Options {
        base_url: fixture.base.clone(),
        consortium: Some("2093".into()),
        timeout: Duration::from_millis(500),
        retries: 2,
        backoff: Duration::from_millis(10),
        start: Some("2026-11-30".parse().unwrap()),
        ..Default::default()
    }
}

/// The fixture without the library with `id`.
fn without(mut v: Value, id: i64) -> Value {
    let items = v["items"].as_array_mut().unwrap();
    items.retain(|l| l["id"] != id);
    v["total"] = items.len().into();
    v
}

#[tokio::test]
async fn import_creates_then_changes_nothing_then_deactivates() {
    let fixture = Fixture::start(Reply::Json(libraries())).await;
    let app = TestApp::spawn().await;
    let opts = options(&fixture);

    // First import.
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.aborted, None);
    assert_eq!(r.fetched, 3);
    assert_eq!(r.created, ["kirkanta-86731", "kirkanta-86732", "kirkanta-86733"]);
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    // Polvijärvi has no coordinates upstream: placed at its postal code's centroid.
    assert_eq!(r.geocoded, ["kirkanta-86732"]);
    let q = &fixture.queries()[0];
    for part in [
        "/library?",
        "consortium=2093",
        "with=schedules%2Cservices",
        "period.start=2026-11-30",
        "period.end=2026-12-27",
        "lang=fi",
    ] {
        assert!(q.contains(part), "{q} lacks {part}");
    }
    app.wait_for_snapshot().await;

    let loc = app.json("/v1/locations/kirkanta-86731?lang=fi").await;
    assert_eq!(loc["name"], "Outokummun kaupunginkirjasto");
    assert_eq!(loc["address"]["municipality_code"], "309");
    assert_eq!(loc["address"]["postal_code"], "83500");
    let polvi = app.json("/v1/locations/kirkanta-86732").await;
    assert_eq!(polvi["address"]["municipality_code"], "607");
    let auto = app.json("/v1/locations/kirkanta-86733").await;
    assert_eq!(auto["kind"], "library_bookmobile");
    let rows = app
        .query("SELECT source, external_id, coordinate_method, status FROM locations WHERE id LIKE 'kirkanta-%' ORDER BY id")
        .await;
    let got: Vec<(String, String, Option<String>, String)> =
        rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect();
    assert_eq!(got[0], ("kirkanta".into(), "86731".into(), Some("kirkanta".into()), "active".into()));
    assert_eq!(got[1].2.as_deref(), Some("postal_code_centroid"));

    // Hours: the regular week from the days, self-service kept apart, deviating days as
    // exceptions (Friday 2026-12-04's training day; Independence Day on 2026-12-06).
    let sched = app.json("/v1/locations/kirkanta-86731/schedule?from=2026-11-30&to=2026-12-13&lang=fi").await;
    let text = sched.to_string();
    assert!(text.contains("self_service"), "{text}");
    let doc = app.query("SELECT document FROM opening_hours WHERE location_id = 'kirkanta-86731'").await;
    let doc: Value = doc[0].get(0);
    let mon = doc["periods"][0]["week"]["mon"].as_array().unwrap();
    assert_eq!(mon.len(), 3);
    assert_eq!(mon[0]["kind"], "self_service");
    assert_eq!(mon[1]["start"], "10:00");
    assert_eq!(mon[1]["kind"], "staffed");
    let exceptions: Vec<&str> =
        doc["exceptions"].as_array().unwrap().iter().map(|e| e["date"].as_str().unwrap()).collect();
    assert_eq!(exceptions, ["2026-12-04", "2026-12-06", "2026-12-24", "2026-12-25", "2026-12-26"]);
    assert_eq!(doc["exceptions"][1]["ranges"], serde_json::json!([]));
    assert_eq!(doc["exceptions"][0]["reason"]["fi"], "Henkilökunnan koulutus");
    // Services: Kirkanta's computers and digital help became our services there.
    let sals = app.query("SELECT id FROM services_at_locations WHERE location_id = 'kirkanta-86731' ORDER BY id").await;
    let sals: Vec<String> = sals.iter().map(|r| r.get(0)).collect();
    assert_eq!(sals, ["kirkanta-86731-digiopastus", "kirkanta-86731-laitteet"]);

    // Second import: nothing changes, not even the version sequence.
    let before = app.directory_version().await;
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!((r.created.len(), r.updated.len(), r.unchanged), (0, 0, 3), "{r:?}");
    assert!(r.conflicts.is_empty());
    assert_eq!(app.directory_version().await, before, "the second import wrote something");

    // A library gone from Kirkanta: inactive, not deleted.
    fixture.set(Reply::Json(without(libraries(), 86733)));
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.deactivated, ["kirkanta-86733"]);
    assert_eq!(r.unchanged, 2);
    let rows = app.query("SELECT status FROM locations WHERE id = 'kirkanta-86733'").await;
    assert_eq!(rows[0].get::<_, String>(0), "inactive");
    // And again: still nothing to do.
    let before = app.directory_version().await;
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert!(r.deactivated.is_empty() && r.updated.is_empty());
    assert_eq!(app.directory_version().await, before);

    // Back in Kirkanta: active again.
    fixture.set(Reply::Json(libraries()));
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.updated, ["kirkanta-86733"]);
    let rows = app.query("SELECT status FROM locations WHERE id = 'kirkanta-86733'").await;
    assert_eq!(rows[0].get::<_, String>(0), "active");

    // The imported data is valid HSDS too.
    app.wait_for_snapshot().await;
    let sal =
        crate::hsds::valid(&app, "/hsds/service_at_locations/kirkanta-86731-digiopastus", &crate::hsds::schemas().sal)
            .await;
    let page = crate::hsds::valid(
        &app,
        "/hsds/service_at_locations?postcode=83500&per_page=100",
        &crate::hsds::schemas().sal_page,
    )
    .await;
    let ids: Vec<&str> =
        page["contents"].as_array().unwrap().iter().map(|x| x["x_digituki_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"kirkanta-86731-digiopastus") && ids.contains(&"kirkanta-86731-laitteet"), "{ids:?}");
    assert_eq!(sal["location"]["external_identifier"], "86731");
    assert!(sal["schedules"].as_array().unwrap().iter().any(|s| s["x_kind"] == "self_service"));
}

#[tokio::test]
async fn partner_edits_are_not_overwritten_and_conflicts_are_reported() {
    let fixture = Fixture::start(Reply::Json(libraries())).await;
    let app = TestApp::spawn().await;
    let mut opts = options(&fixture);
    // Under an existing organization this time; an unknown one is refused, writing nothing.
    opts.organization = Some("no-such-org".into());
    assert!(kirkanta::run(&app.db_url, &opts, None).await.is_err());
    assert!(app.query("SELECT 1 FROM locations WHERE source = 'kirkanta'").await.is_empty());
    opts.organization = Some("outokummun-kirjasto".into());
    kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    let rows = app.query("SELECT DISTINCT organization_id FROM locations WHERE source = 'kirkanta'").await;
    assert_eq!(rows[0].get::<_, String>(0), "outokummun-kirjasto");

    // A partner corrects the phone and the name.
    app.sql("UPDATE locations SET phone = '013 555 0199', name_fi = 'Outokummun kirjasto' WHERE id = 'kirkanta-86731'")
        .await;
    // Kirkanta changes the name too, and the e-mail address (which nobody edited here).
    let mut changed = libraries();
    changed["items"][0]["name"] = "Outokummun pääkirjasto".into();
    changed["items"][0]["email"] = "kirjasto@outokumpu.example.fi".into();
    fixture.set(Reply::Json(changed));
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();

    // The name: both changed, the partner's kept, the conflict reported with all three values.
    assert_eq!(r.conflicts.len(), 1, "{:?}", r.conflicts);
    let c = &r.conflicts[0];
    assert_eq!((c.location_id.as_str(), c.field.as_str()), ("kirkanta-86731", "name_fi"));
    assert_eq!(c.current, "Outokummun kirjasto");
    assert_eq!(c.last_imported, "Outokummun kaupunginkirjasto");
    assert_eq!(c.upstream, "Outokummun pääkirjasto");
    // The phone: only the partner changed it, kept quietly.
    assert_eq!(r.kept_local_edits, 1);
    assert_eq!(r.updated, ["kirkanta-86731"]);
    let rows = app.query("SELECT name_fi, phone, email FROM locations WHERE id = 'kirkanta-86731'").await;
    assert_eq!(rows[0].get::<_, String>(0), "Outokummun kirjasto");
    assert_eq!(rows[0].get::<_, String>(1), "013 555 0199");
    assert_eq!(rows[0].get::<_, String>(2), "kirjasto@outokumpu.example.fi");

    // The conflict stands until someone resolves it: reported again, still nothing written.
    let before = app.directory_version().await;
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.conflicts.len(), 1);
    assert_eq!(r.unchanged, 3);
    assert_eq!(app.directory_version().await, before);
}

#[tokio::test]
async fn bad_upstream_answers_never_change_stored_data() {
    let fixture = Fixture::start(Reply::Json(libraries())).await;
    let app = TestApp::spawn().await;
    let opts = options(&fixture);
    kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    let snapshot = || async {
        let rows = app
            .query("SELECT coalesce(jsonb_agg(to_jsonb(l) - 'import_state' ORDER BY id), '[]') FROM locations l")
            .await;
        rows[0].get::<_, Value>(0)
    };
    let before_rows = snapshot().await;
    let before = app.directory_version().await;

    let cases: Vec<(&str, Reply, usize)> = vec![
        ("truncated JSON", Reply::Raw(200, r#"{"type":"library","total":3,"items":[{"id":86731,"na"#.into()), 1),
        ("not a result set", Reply::Raw(200, r#"{"error":"maintenance"}"#.into()), 1),
        ("HTTP 500", Reply::Raw(500, "<h1>Internal Server Error</h1>".into()), 3),
        ("timeout", Reply::Slow(Duration::from_millis(1500), libraries()), 3),
        ("empty list", Reply::Json(serde_json::json!({"type": "library", "total": 0, "items": []})), 1),
    ];
    for (what, reply, attempts) in cases {
        fixture.set(reply);
        let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
        assert!(r.aborted.is_some(), "{what}: {r:?}");
        assert_eq!(fixture.hits(), attempts, "{what}: attempts");
        assert!(r.deactivated.is_empty(), "{what}");
        assert_eq!(app.directory_version().await, before, "{what} changed the directory");
    }
    assert_eq!(snapshot().await, before_rows);

    // Partial: the bad records are skipped with a reason, the good ones imported, and a
    // record that is present but unusable is not taken for a removed library.
    let mut partial = libraries();
    partial["items"][1]["name"] = Value::Null;
    partial["items"][2]["schedules"][1]["times"][0]["status"] = 9.into();
    partial["items"].as_array_mut().unwrap().push(serde_json::json!({"name": "Nimetön"}));
    partial["total"] = 4.into();
    fixture.set(Reply::Json(partial));
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.aborted, None);
    assert_eq!(r.unchanged, 1);
    let skipped: Vec<(Option<String>, String)> =
        r.skipped.iter().map(|s| (s.external_id.clone(), s.reason.clone())).collect();
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    assert_eq!(skipped[0].0.as_deref(), Some("86732"));
    assert!(skipped[0].1.contains("name"), "{skipped:?}");
    assert_eq!(skipped[1].0.as_deref(), Some("86733"));
    assert!(skipped[1].1.contains("status 9"), "{skipped:?}");
    assert_eq!(skipped[2].0, None);
    assert!(skipped[3].1.contains("no library was marked inactive"), "{skipped:?}");
    assert!(r.deactivated.is_empty());
    assert_eq!(snapshot().await, before_rows);
}

#[tokio::test]
async fn the_cli_imports_and_fails_when_nothing_could_be_imported() {
    let fixture = Fixture::start(Reply::Json(libraries())).await;
    let app = TestApp::spawn().await;
    let run = |base: String| {
        let db = app.db_url.clone();
        async move {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_digituki"))
                .args([
                    "import",
                    "kirkanta",
                    "--consortium",
                    "2093",
                    "--base-url",
                    &base,
                    "--timeout-secs",
                    "1",
                    "--retries",
                    "0",
                ])
                .env("DATABASE_URL", db)
                .env_remove("DIGITUKI_GEOCODER_URL")
                .output()
                .await
                .unwrap()
        }
    };
    let out = run(fixture.base.clone()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let rows = app.query("SELECT DISTINCT organization_id FROM locations WHERE source = 'kirkanta'").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(0), "kirkanta-2093");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["created"].as_array().unwrap().len(), 3);
    assert!(stderr.contains("imported 3 libraries"), "{stderr}");

    fixture.set(Reply::Raw(500, "down".into()));
    let out = run(fixture.base.clone()).await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing imported"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["aborted"].as_str().unwrap().contains("HTTP 500"));
}
