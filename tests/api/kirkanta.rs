//! The Kirkanta importer against a local server that answers like the real Kirkanta API v4
//! (`crate::fixture::kirkanta_v4` over `tests/fixtures/kirkanta/consortium.json`: 250 stored
//! library documents and their periods; paging, `total`, `with` sections, `refs`, schedules
//! and translations as the real server does them). Covered: a complete import over three
//! pages with every contact field, the demo libraries updated in place, an unchanged second
//! run, `--dry-run`, a removed library made inactive, partner edits and conflicts, stale
//! ETags after an import (412) with the importer named in history, and bad upstream answers.

use std::sync::Arc;
use std::time::Duration;

use digituki::import::kirkanta::{self, Options};
use reqwest::Method;
use serde_json::{json, Value};

use crate::fixture::{kirkanta_v4, Fixture, Reply};
use crate::helpers::TestApp;

const DEMO_MATCHED: usize = 27;

fn consortium() -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kirkanta/consortium.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn kirkanta(data: Value) -> Reply {
    Reply::Kirkanta(Arc::new(data))
}

fn options(fixture: &Fixture) -> Options {
    Options {
        base_url: format!("{}/v4", fixture.base),
        consortium: Some("2093".into()),
        timeout: Duration::from_secs(5),
        retries: 2,
        backoff: Duration::from_millis(10),
        start: Some("2026-11-30".parse().unwrap()),
        ..Default::default()
    }
}

/// The stored library document with this Kirkanta id.
fn library(data: &mut Value, id: i64) -> &mut Value {
    data["libraries"].as_array_mut().unwrap().iter_mut().find(|l| l["id"] == id).unwrap()
}

/// Everything an import could write, as one hash.
async fn fingerprint(app: &TestApp) -> String {
    app.scalar(
        "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
            SELECT to_jsonb(x)::text AS t FROM locations x UNION ALL
            SELECT to_jsonb(x)::text FROM organizations x UNION ALL
            SELECT to_jsonb(x)::text FROM services x UNION ALL
            SELECT to_jsonb(x)::text FROM services_at_locations x UNION ALL
            SELECT to_jsonb(x)::text FROM opening_hours x UNION ALL
            SELECT to_jsonb(x)::text FROM location_languages x UNION ALL
            SELECT to_jsonb(x)::text FROM history x UNION ALL
            SELECT to_jsonb(x)::text FROM directory_state x) all_rows",
    )
    .await
}

#[tokio::test]
async fn the_fixture_pages_like_the_real_server() {
    // lib/storage.js: `total` is right on the first page only; default limit 10; sections
    // only with `with`; translations collapsed by `lang`.
    let data = consortium();
    let first = kirkanta_v4(&data, "/v4/library", "consortium=2093&limit=100").unwrap();
    assert_eq!((first["total"].as_u64(), first["items"].as_array().unwrap().len()), (Some(250), 100));
    let second = kirkanta_v4(&data, "/v4/library", "consortium=2093&limit=100&skip=100").unwrap();
    assert_eq!((second["total"].as_u64(), second["items"].as_array().unwrap().len()), (Some(0), 100));
    let default = kirkanta_v4(&data, "/v4/library", "consortium=2093").unwrap();
    assert_eq!(default["items"].as_array().unwrap().len(), 10);
    let lib = &first["items"][0];
    assert!(lib.get("primaryContactInfo").is_none() && lib.get("email").is_none() && lib.get("homepage").is_none());
    assert!(lib["name"].is_string(), "{lib}");
    let with = kirkanta_v4(
        &data,
        "/v4/library",
        "id=86001&with=primaryContactInfo,schedules&period.start=2026-12-06&period.end=2026-12-07&refs=period&lang=sv",
    )
    .unwrap();
    let lib = &with["items"][0];
    assert_eq!(lib["primaryContactInfo"]["email"]["email"], "joensuun.paakirjasto@example.fi");
    assert_eq!(lib["coordinates"], json!({"lat": 62.6017, "lon": 29.7514}));
    assert!(lib["address"].get("coordinates").is_none());
    assert_eq!(lib["schedules"][0]["closed"], true);
    assert_eq!(lib["schedules"][0]["info"], "Självständighetsdagen");
    assert_eq!(lib["schedules"][1]["times"][0], json!({"from": "07:00", "to": "10:00", "status": 2}));
    assert_eq!(with["refs"]["period"].as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn a_consortium_of_250_imports_completely_with_every_contact_field_then_changes_nothing() {
    let fixture = Fixture::start(kirkanta(consortium())).await;
    let app = TestApp::spawn().await;
    let opts = options(&fixture);
    let demo_before = app.scalar("SELECT count(*) FROM locations").await;

    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.aborted, None, "{r:?}");
    assert_eq!((r.fetched, r.pages), (250, 3));
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    assert_eq!(r.created.len(), 250 - DEMO_MATCHED);
    assert_eq!(r.updated.len(), DEMO_MATCHED);
    assert_eq!(r.organizations_created, ["kirkanta-2093"]);
    let queries = fixture.queries();
    assert_eq!(queries.len(), 3, "{queries:?}");
    for (q, skip) in queries.iter().zip(["skip=0", "skip=100", "skip=200"]) {
        for part in [
            "/v4/library?",
            "consortium=2093",
            "with=primaryContactInfo%2CphoneNumbers%2CemailAddresses%2Clinks%2Cservices%2Cschedules",
            "refs=period",
            "period.start=2026-11-30",
            "period.end=2026-12-27",
            "lang=fi",
            "sort=id",
            "limit=100",
            skip,
        ] {
            assert!(q.contains(part), "{q} lacks {part}");
        }
    }

    // All 250 are there, each with phone, e-mail and website; nothing duplicated.
    assert_eq!(app.scalar("SELECT count(*) FROM locations WHERE source = 'kirkanta'").await, "250");
    let total: i64 = app.scalar("SELECT count(*) FROM locations").await.parse().unwrap();
    assert_eq!(total, demo_before.parse::<i64>().unwrap() + (250 - DEMO_MATCHED) as i64);
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM locations WHERE source = 'kirkanta'
             AND (phone IS NULL OR email IS NULL OR website IS NULL OR latitude IS NULL)"
        )
        .await,
        "0"
    );
    // The demo libraries, updated in place: same id, same owner, now Kirkanta's record.
    let rows = app
        .query(
            "SELECT id, organization_id, external_id, name_fi, phone, email, website, confidence FROM locations
             WHERE id IN ('jns-paakirjasto', 'jns-rantakyla', 'jns-nepenmaki', 'out-kirjasto') ORDER BY id",
        )
        .await;
    let got: Vec<Vec<Option<String>>> = rows.iter().map(|r| (0..8).map(|i| r.get(i)).collect()).collect();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        got[0],
        [
            s("jns-nepenmaki"),
            s("joensuun-kaupunginkirjasto"),
            s("86003"),
            s("Nepenmäen kirjasto"),
            // Its phone list starts with an e-mail address: passed over, as Finna does.
            s("013 555 6003"),
            s("nepenmaen.kirjasto@example.fi"),
            s("https://kirjastot.example.fi/nepenmaen-kirjasto"),
            s("verified"),
        ]
    );
    assert_eq!(
        got[1][2..7],
        [
            s("86001"),
            s("Joensuun pääkirjasto"),
            s("013 555 6001"),
            s("joensuun.paakirjasto@example.fi"),
            s("https://kirjastot.example.fi/joensuun-paakirjasto")
        ]
    );
    // Rantakylä has no primary contact info: the contact lists give phone, e-mail and website.
    assert_eq!(
        got[2][4..7],
        [s("013 555 6002"), s("rantakylan.kirjasto@example.fi"), s("https://kirjastot.example.fi/rantakylan-kirjasto")]
    );
    // Outokumpu: "Outokummun kaupunginkirjasto" in Kirkanta matched the demo's "Outokummun kirjasto".
    assert_eq!((got[3][1].as_deref(), got[3][2].as_deref()), (Some("outokummun-kirjasto"), Some("86014")));
    assert_eq!(got[3][3].as_deref(), Some("Outokummun kaupunginkirjasto"));
    assert_eq!(app.scalar("SELECT count(*) FROM locations WHERE name_fi = 'Joensuun pääkirjasto'").await, "1");
    // Not in this consortium: left alone.
    assert_eq!(app.scalar("SELECT source FROM locations WHERE id = 'kirkas-kirjastoauto'").await, "demo-data");
    // Polvijärvi has no coordinates in Kirkanta: placed at its postal code's centroid.
    assert_eq!(
        app.scalar("SELECT coordinate_method FROM locations WHERE id = 'pol-kirjasto'").await,
        "postal_code_centroid"
    );
    assert_eq!(app.scalar("SELECT kind FROM locations WHERE external_id = '86007'").await, "library_bookmobile");

    // Hours: the week from the days, self-service apart, a lunch break, dated exceptions with
    // the day's info or the exception period's name.
    let doc: Value =
        app.query("SELECT document FROM opening_hours WHERE location_id = 'jns-paakirjasto'").await[0].get(0);
    let mon = doc["periods"][0]["week"]["mon"].as_array().unwrap();
    assert_eq!(mon.len(), 3);
    assert_eq!((mon[0]["kind"].as_str(), mon[1]["start"].as_str()), (Some("self_service"), Some("10:00")));
    let exceptions: Vec<(&str, &str)> = doc["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["date"].as_str().unwrap(), e["reason"]["fi"].as_str().unwrap()))
        .collect();
    assert_eq!(
        exceptions,
        [
            ("2026-12-06", "Itsenäisyyspäivä"),
            ("2026-12-24", "Joulun aukioloajat"),
            ("2026-12-25", "Joulun aukioloajat"),
            ("2026-12-26", "Joulun aukioloajat")
        ]
    );
    let doc: Value =
        app.query("SELECT document FROM opening_hours WHERE location_id = 'jns-nepenmaki'").await[0].get(0);
    assert_eq!(
        doc["periods"][0]["week"]["mon"],
        json!([{"start": "10:00", "end": "13:00", "kind": "staffed"}, {"start": "14:00", "end": "19:00", "kind": "staffed"}])
    );
    assert_eq!(doc["exceptions"][0]["date"], "2026-12-04");
    assert_eq!(doc["exceptions"][0]["reason"]["fi"], "Henkilökunnan koulutus");
    // Services: Kirkanta's computers and digital help became services of the owner there.
    let sals = app.query("SELECT id FROM services_at_locations WHERE location_id = 'kirkanta-86032' ORDER BY id").await;
    let sals: Vec<String> = sals.iter().map(|r| r.get(0)).collect();
    assert_eq!(sals, ["kirkanta-86032-digiopastus", "kirkanta-86032-laitteet"]);

    // Second import: nothing changes, not even the version sequence.
    let before = app.directory_version().await;
    let print = fingerprint(&app).await;
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!((r.created.len(), r.updated.len(), r.unchanged), (0, 0, 250), "{:?}", r.changes.first());
    assert!(r.conflicts.is_empty() && r.deactivated.is_empty());
    assert_eq!(app.directory_version().await, before, "the second import wrote something");
    assert_eq!(fingerprint(&app).await, print);

    // A library gone from Kirkanta: inactive, not deleted; back again: active.
    let mut gone = consortium();
    gone["libraries"].as_array_mut().unwrap().retain(|l| l["id"] != 86030);
    fixture.set(kirkanta(gone));
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.deactivated, ["kirkanta-86030"]);
    assert_eq!(r.unchanged, 249);
    assert_eq!(app.scalar("SELECT status FROM locations WHERE id = 'kirkanta-86030'").await, "inactive");
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert!(r.deactivated.is_empty() && r.updated.is_empty(), "{r:?}");
    fixture.set(kirkanta(consortium()));
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.updated, ["kirkanta-86030"]);
    assert_eq!(app.scalar("SELECT status FROM locations WHERE id = 'kirkanta-86030'").await, "active");

    // The imported data is valid HSDS too.
    app.wait_for_snapshot().await;
    let sal =
        crate::hsds::valid(&app, "/hsds/service_at_locations/kirkanta-86032-digiopastus", &crate::hsds::schemas().sal)
            .await;
    assert_eq!(sal["location"]["external_identifier"], "86032");
}

#[tokio::test]
async fn a_dry_run_reports_what_would_change_and_writes_nothing() {
    let fixture = Fixture::start(kirkanta(consortium())).await;
    let app = TestApp::spawn().await;
    let print = fingerprint(&app).await;
    let mut opts = options(&fixture);
    opts.dry_run = true;
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert!(r.dry_run && r.aborted.is_none(), "{r:?}");
    assert_eq!((r.created.len(), r.updated.len()), (250 - DEMO_MATCHED, DEMO_MATCHED));
    assert_eq!(r.organizations_created, ["kirkanta-2093"]);
    let main = r.changes.iter().find(|c| c.location_id == "jns-paakirjasto").unwrap();
    assert_eq!((main.action.as_str(), main.matched_by.as_deref()), ("update", Some("name_and_municipality")));
    let phone = main.fields.iter().find(|f| f.field == "phone").unwrap();
    assert_eq!((phone.from.clone(), phone.to.clone()), (Value::Null, json!("013 555 6001")));
    assert!(main.fields.iter().any(|f| f.field == "hours"));
    let added = r.changes.iter().find(|c| c.location_id == "kirkanta-86030").unwrap();
    assert_eq!(added.action, "add");
    assert_eq!(fingerprint(&app).await, print, "the dry run wrote something");

    // After a real import, a dry run shows a partner's conflict and a library to deactivate.
    opts.dry_run = false;
    kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    app.wait_for_snapshot().await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let etag = app.etag("/v1/locations/jns-paakirjasto").await;
    let resp = app
        .write(Method::PATCH, "/v1/locations/jns-paakirjasto", &token)
        .header("If-Match", etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"email": "neuvonta@joensuu.example.fi"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut changed = consortium();
    library(&mut changed, 86001)["primaryContactInfo"]["email"]["fi"]["email"] = "uusi@example.fi".into();
    changed["libraries"].as_array_mut().unwrap().retain(|l| l["id"] != 86031);
    fixture.set(kirkanta(changed));
    let print = fingerprint(&app).await;
    opts.dry_run = true;
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.deactivated, ["kirkanta-86031"]);
    assert_eq!(r.conflicts.len(), 1, "{:?}", r.conflicts);
    assert_eq!((r.conflicts[0].field.as_str(), r.conflicts[0].upstream.clone()), ("email", json!("uusi@example.fi")));
    assert_eq!(fingerprint(&app).await, print, "the dry run wrote something");
}

#[tokio::test]
async fn after_an_import_a_stale_etag_gets_412_and_history_names_the_importer() {
    let fixture = Fixture::start(kirkanta(consortium())).await;
    let app = TestApp::spawn().await;
    let opts = options(&fixture);
    kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    app.wait_for_snapshot().await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let admin = app.token("joensuun-kaupunginkirjasto", true).await;
    let old = app.etag("/v1/locations/jns-paakirjasto").await;
    let version: i64 = app.scalar("SELECT version FROM locations WHERE id = 'jns-paakirjasto'").await.parse().unwrap();

    // Kirkanta changes the library's phone; the import writes it.
    let mut changed = consortium();
    library(&mut changed, 86001)["primaryContactInfo"]["phone"]["fi"]["number"] = "013 555 9999".into();
    fixture.set(kirkanta(changed));
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.updated, ["jns-paakirjasto"]);
    let now: i64 = app.scalar("SELECT version FROM locations WHERE id = 'jns-paakirjasto'").await.parse().unwrap();
    assert!(now > version);

    // The partner's PATCH with the ETag from before the import: 412, nothing written.
    app.wait_for_snapshot().await;
    let resp = app
        .write(Method::PATCH, "/v1/locations/jns-paakirjasto", &token)
        .header("If-Match", &old)
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"phone": "013 111 2222"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 412);
    assert_eq!(app.scalar("SELECT phone FROM locations WHERE id = 'jns-paakirjasto'").await, "013 555 9999");

    // History: the importer, with before and after.
    let resp = app.write(Method::GET, "/v1/locations/jns-paakirjasto/history", &admin).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let history: Value = resp.json().await.unwrap();
    let rows = history["items"].as_array().expect("a list of history rows");
    let imports: Vec<&Value> = rows.iter().filter(|h| h["actor"] == "import:kirkanta").collect();
    assert!(imports.len() >= 3, "{history}"); // taken over (update), hours, the phone change
    let last = imports.iter().rev().find(|h| h["action"] == "update").unwrap();
    assert_eq!(last["before"]["phone"], "013 555 6001");
    assert_eq!(last["after"]["phone"], "013 555 9999");
    assert_eq!(last["organization_id"], "joensuun-kaupunginkirjasto");
    assert!(last["token_id"].is_null());
    // A created library has its creation in history too.
    let created = app.scalar("SELECT count(*) FROM history WHERE entity_id = 'kirkanta-86030' AND actor = 'import:kirkanta' AND action = 'create'").await;
    assert_eq!(created, "1");
}

#[tokio::test]
async fn partner_edits_are_not_overwritten_and_conflicts_are_reported() {
    let fixture = Fixture::start(kirkanta(consortium())).await;
    let app = TestApp::spawn().await;
    let mut opts = options(&fixture);
    // New libraries under an existing organization; an unknown one is refused, writing nothing.
    opts.organization = Some("no-such-org".into());
    assert!(kirkanta::run(&app.db_url, &opts, None).await.is_err());
    assert_eq!(app.scalar("SELECT count(*) FROM locations WHERE source = 'kirkanta'").await, "0");
    opts.organization = Some("outokummun-kirjasto".into());
    kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(
        app.scalar("SELECT organization_id FROM locations WHERE id = 'kirkanta-86030'").await,
        "outokummun-kirjasto"
    );
    app.wait_for_snapshot().await;

    // A partner corrects the phone and the name through the API.
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let etag = app.etag("/v1/locations/jns-paakirjasto").await;
    let resp = app
        .write(Method::PATCH, "/v1/locations/jns-paakirjasto", &token)
        .header("If-Match", etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"phone": "013 555 0199", "name": {"fi": "Joensuun kaupunginkirjasto, pääkirjasto"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    // Kirkanta changes the name too, and the e-mail address (which nobody edited here).
    let mut changed = consortium();
    let lib = library(&mut changed, 86001);
    lib["name"]["fi"] = "Joensuun pääkirjasto Carelicum".into();
    lib["primaryContactInfo"]["email"]["fi"]["email"] = "paakirjasto@joensuu.example.fi".into();
    fixture.set(kirkanta(changed));
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();

    // The name: both changed, the partner's kept, the conflict reported with all three values.
    assert_eq!(r.conflicts.len(), 1, "{:?}", r.conflicts);
    let c = &r.conflicts[0];
    assert_eq!((c.location_id.as_str(), c.field.as_str()), ("jns-paakirjasto", "name_fi"));
    assert_eq!(c.current, "Joensuun kaupunginkirjasto, pääkirjasto");
    assert_eq!(c.last_imported, "Joensuun pääkirjasto");
    assert_eq!(c.upstream, "Joensuun pääkirjasto Carelicum");
    // The phone: only the partner changed it, kept quietly.
    assert_eq!(r.kept_local_edits, 1);
    assert_eq!(r.updated, ["jns-paakirjasto"]);
    let rows = app.query("SELECT name_fi, phone, email FROM locations WHERE id = 'jns-paakirjasto'").await;
    assert_eq!(rows[0].get::<_, String>(0), "Joensuun kaupunginkirjasto, pääkirjasto");
    assert_eq!(rows[0].get::<_, String>(1), "013 555 0199");
    assert_eq!(rows[0].get::<_, String>(2), "paakirjasto@joensuu.example.fi");

    // The conflict stands until someone resolves it: reported again, still nothing written.
    let before = app.directory_version().await;
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.conflicts.len(), 1);
    assert_eq!(r.unchanged, 250);
    assert_eq!(app.directory_version().await, before);
}

#[tokio::test]
async fn bad_upstream_answers_never_change_stored_data() {
    let fixture = Fixture::start(kirkanta(consortium())).await;
    let app = TestApp::spawn().await;
    let mut opts = options(&fixture);
    kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    opts.timeout = Duration::from_millis(800);
    let before_print = fingerprint(&app).await;
    let before = app.directory_version().await;

    // A page as the real server answers it, for hand-made broken listings.
    let page = kirkanta_v4(&consortium(), "/v4/library", &format!("consortium=2093&limit=100&lang=fi&sort=id&with={}&period.start=2026-11-30&period.end=2026-12-27&refs=period", kirkanta::client::WITH)).unwrap();
    let cases: Vec<(&str, Reply, usize)> = vec![
        ("truncated JSON", Reply::Raw(200, r#"{"type":"library","total":3,"items":[{"id":86731,"na"#.into()), 1),
        ("not a result set", Reply::Raw(200, r#"{"error":"maintenance"}"#.into()), 1),
        ("HTTP 500", Reply::Raw(500, "<h1>Internal Server Error</h1>".into()), 3),
        ("timeout", Reply::Slow(Duration::from_millis(1500), page.clone()), 3),
        ("empty list", Reply::Json(json!({"type": "library", "total": 0, "items": []})), 1),
        // A server that ignores `skip` would hand out the first page forever: stopped at once.
        ("the same page again", Reply::Json(page.clone()), 2),
    ];
    for (what, reply, attempts) in cases {
        fixture.set(reply);
        let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
        assert!(r.aborted.is_some(), "{what}: {r:?}");
        assert_eq!(fixture.hits(), attempts, "{what}: attempts");
        assert!(r.deactivated.is_empty(), "{what}");
        assert_eq!(app.directory_version().await, before, "{what} changed the directory");
    }
    assert_eq!(fingerprint(&app).await, before_print);

    // Partial: the bad records are skipped with a reason, the good ones imported, and a
    // record that is present but unusable is not taken for a removed library.
    let mut partial = kirkanta_v4(
        &consortium(),
        "/v4/library",
        &format!(
            "id=86001,86002,86003&lang=fi&sort=id&with={}&period.start=2026-11-30&period.end=2026-12-27&refs=period",
            kirkanta::client::WITH
        ),
    )
    .unwrap();
    partial["items"][1]["name"] = Value::Null;
    partial["items"][2]["schedules"][1]["times"][0]["status"] = 9.into();
    partial["items"].as_array_mut().unwrap().push(json!({"name": "Nimetön"}));
    partial["total"] = 4.into();
    fixture.set(Reply::Json(partial));
    let r = kirkanta::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.aborted, None);
    assert_eq!(r.unchanged, 1);
    let skipped: Vec<(Option<String>, String)> =
        r.skipped.iter().map(|s| (s.external_id.clone(), s.reason.clone())).collect();
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    assert_eq!(skipped[0].0.as_deref(), Some("86002"));
    assert!(skipped[0].1.contains("name"), "{skipped:?}");
    assert_eq!(skipped[1].0.as_deref(), Some("86003"));
    assert!(skipped[1].1.contains("status 9"), "{skipped:?}");
    assert_eq!(skipped[2].0, None);
    assert!(skipped[3].1.contains("no library was marked inactive"), "{skipped:?}");
    assert!(r.deactivated.is_empty());
    assert_eq!(fingerprint(&app).await, before_print);
}

#[tokio::test]
async fn the_cli_imports_dry_runs_and_fails_when_nothing_could_be_imported() {
    let fixture = Fixture::start(kirkanta(consortium())).await;
    let app = TestApp::spawn().await;
    let run = |base: String, dry: bool| {
        let db = app.db_url.clone();
        async move {
            let mut args = vec![
                "import",
                "kirkanta",
                "--consortium",
                "2093",
                "--base-url",
                &base,
                "--timeout-secs",
                "5",
                "--retries",
                "0",
            ];
            if dry {
                args.push("--dry-run");
            }
            tokio::process::Command::new(env!("CARGO_BIN_EXE_digituki"))
                .args(args)
                .env("DATABASE_URL", db)
                .env_remove("DIGITUKI_GEOCODER_URL")
                .output()
                .await
                .unwrap()
        }
    };
    let base = format!("{}/v4", fixture.base);
    let print = fingerprint(&app).await;
    let out = run(base.clone(), true).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("dry run: nothing was written"), "{stderr}");
    assert!(stderr.contains("update jns-paakirjasto (matched by name_and_municipality)"), "{stderr}");
    assert!(stderr.contains("add kirkanta-86030"), "{stderr}");
    assert_eq!(fingerprint(&app).await, print);

    let out = run(base.clone(), false).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["created"].as_array().unwrap().len(), 250 - DEMO_MATCHED);
    assert!(stderr.contains("imported 250 libraries"), "{stderr}");
    assert_eq!(app.scalar("SELECT organization_id FROM locations WHERE id = 'kirkanta-86030'").await, "kirkanta-2093");

    fixture.set(Reply::Raw(500, "down".into()));
    let out = run(base, false).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing imported"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["aborted"].as_str().unwrap().contains("HTTP 500"));
}

#[tokio::test]
async fn two_directory_candidates_for_one_library_are_reported_not_guessed() {
    let fixture = Fixture::start(kirkanta(consortium())).await;
    let app = TestApp::spawn().await;
    // A second location with the main library's name in Joensuu.
    app.sql(
        "INSERT INTO locations SELECT * FROM jsonb_populate_record(NULL::locations,
            (SELECT to_jsonb(l) || '{\"id\": \"jns-paakirjasto-vanha\"}' FROM locations l WHERE id = 'jns-paakirjasto'))",
    )
    .await;
    let r = kirkanta::run(&app.db_url, &options(&fixture), None).await.unwrap();
    assert_eq!(r.aborted, None);
    let skip = r.skipped.iter().find(|s| s.external_id.as_deref() == Some("86001")).expect("86001 skipped");
    assert!(skip.reason.contains("jns-paakirjasto, jns-paakirjasto-vanha"), "{}", skip.reason);
    assert_eq!((r.created.len(), r.updated.len()), (250 - DEMO_MATCHED, DEMO_MATCHED - 1));
    assert_eq!(app.scalar("SELECT count(*) FROM locations WHERE external_id = '86001'").await, "0");
    assert_eq!(app.scalar("SELECT source FROM locations WHERE id = 'jns-paakirjasto'").await, "demo-data");
}
