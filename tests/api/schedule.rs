//! Scheduled refresh: a service started with `--import-every` and a Kirkanta import (against the
//! local Kirkanta fixture server, `tests/fixtures/kirkanta/`) runs it on its own, again and
//! again, and `/metrics` reports each run per job: last run, records created/updated/conflicts,
//! failures; a job whose upstream is down counts failures without disturbing the other.

use std::time::Duration;

use digituki::import::schedule::{Job, Schedule};
use serde_json::Value;

use crate::fixture::{Fixture, Reply};
use crate::helpers::{fresh_database, TestApp};

/// The Kirkanta fixture server's stored documents (250 libraries, paged like the real server).
fn libraries() -> Reply {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kirkanta/consortium.json");
    Reply::Kirkanta(std::sync::Arc::new(serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()))
}

/// The value of the series `name{labels}` (labels exactly as rendered), if present.
fn series(metrics: &str, name: &str, labels: &str) -> Option<f64> {
    let prefix = format!("{name}{{{labels}}} ");
    metrics.lines().find_map(|l| l.strip_prefix(&prefix)).map(|v| v.trim().parse().unwrap())
}

async fn metrics(app: &TestApp) -> String {
    let resp = app.get("/metrics").await;
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

#[tokio::test]
async fn scheduled_imports_run_and_show_in_metrics() {
    let fixture = Fixture::start(libraries()).await;
    // A port nobody listens on: that import fails every time.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let good = format!("kirkanta:consortium=2093,base_url={}/v4,timeout_secs=5,retries=0", fixture.base);
    let bad = format!("kirkanta:consortium=2093,base_url={closed_url},timeout_secs=1,retries=0");
    let schedule = Schedule {
        every: Duration::from_millis(700),
        jobs: vec![Job::parse(&good).unwrap(), Job::parse(&bad).unwrap()],
    };
    let db_url = fresh_database().await;
    let started_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let running = digituki::startup::build_with(
        &db_url,
        listener,
        digituki::startup::Options { workers: Some(1), schedule: Some(schedule), ..Default::default() },
    )
    .await
    .expect("starting the service");
    let app = TestApp {
        base: format!("http://127.0.0.1:{}", running.port),
        db_url,
        client: reqwest::Client::new(),
        state: running.state,
    };
    tokio::spawn(running.server);

    let good_l = format!("source=\"kirkanta\",job=\"{good}\"");
    let bad_l = format!("source=\"kirkanta\",job=\"{bad}\"");
    // Wait for two runs of the good job (the first imports, the second finds nothing new).
    let mut m = String::new();
    for _ in 0..600 {
        m = metrics(&app).await;
        if series(&m, "digituki_import_runs_total", &good_l).unwrap_or(0.0) >= 2.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(series(&m, "digituki_import_runs_total", &good_l).unwrap_or(0.0) >= 2.0, "no two runs:\n{m}");

    // What the first run created is what the history records as created by the import, and
    // more than nothing (the demo libraries it matched were updated in place, not created).
    let imported: f64 = app
        .scalar("SELECT count(*) FROM history WHERE actor = 'import:kirkanta' AND action = 'create' AND entity_type = 'location'")
        .await
        .parse()
        .unwrap();
    assert!(imported > 0.0, "{m}");
    let runs = series(&m, "digituki_import_runs_total", &good_l).unwrap();
    assert_eq!(
        series(&m, "digituki_import_records_total", &format!("{good_l},kind=\"created\"")),
        Some(imported),
        "{m}"
    );
    // The last run: everything fetched again (each run as many as the first), nothing new,
    // nothing changed, no conflicts.
    let fetched = series(&m, "digituki_import_last_records", &format!("{good_l},kind=\"fetched\"")).unwrap();
    assert!(fetched >= imported, "{m}");
    assert_eq!(
        series(&m, "digituki_import_records_total", &format!("{good_l},kind=\"fetched\"")),
        Some(fetched * runs)
    );
    assert_eq!(series(&m, "digituki_import_last_records", &format!("{good_l},kind=\"created\"")), Some(0.0), "{m}");
    assert_eq!(series(&m, "digituki_import_last_records", &format!("{good_l},kind=\"updated\"")), Some(0.0), "{m}");
    assert_eq!(series(&m, "digituki_import_last_records", &format!("{good_l},kind=\"conflicts\"")), Some(0.0), "{m}");
    assert_eq!(series(&m, "digituki_import_failures_total", &good_l), Some(0.0), "{m}");
    let last_run = series(&m, "digituki_import_last_run_timestamp_seconds", &good_l).unwrap();
    assert!(last_run >= started_at, "{last_run} < {started_at}");
    assert_eq!(series(&m, "digituki_import_last_success_timestamp_seconds", &good_l), Some(last_run));

    // The job whose upstream is down: every run a failure, no records, no success.
    let bad_runs = series(&m, "digituki_import_runs_total", &bad_l).unwrap();
    assert!(bad_runs >= 1.0, "{m}");
    assert_eq!(series(&m, "digituki_import_failures_total", &bad_l), Some(bad_runs), "{m}");
    assert_eq!(series(&m, "digituki_import_last_success_timestamp_seconds", &bad_l), None, "{m}");
    assert!(series(&m, "digituki_import_last_run_timestamp_seconds", &bad_l).is_some(), "{m}");

    // The service serves what the schedule imported.
    app.wait_for_snapshot().await;
    let id = app.scalar("SELECT id FROM locations WHERE source = 'kirkanta' ORDER BY id LIMIT 1").await;
    app.json(&format!("/v1/locations/{id}")).await;
}

/// The command line: `--import-every` and `--import` come together and are checked at startup.
#[tokio::test]
async fn the_schedule_is_checked_at_startup() {
    let db_url = fresh_database().await;
    for (args, expected) in [
        (vec!["--import-every", "6h"], "--import"),
        (vec!["--import", "kirkanta:consortium=2093"], "--import-every"),
        (vec!["--import-every", "6 parsecs", "--import", "kirkanta:consortium=2093"], "import-every"),
        (vec!["--import-every", "6h", "--import", "kirkanta:colour=red"], "colour"),
        (vec!["--import-every", "6h", "--import", "nosuch:x=1"], "nosuch"),
    ] {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_digituki"))
            .args(["serve", "--listen", "127.0.0.1:0", "--no-demo-data"])
            .args(&args)
            .env("DATABASE_URL", &db_url)
            .env_remove("DIGITUKI_IMPORT_EVERY")
            .env_remove("DIGITUKI_IMPORTS")
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(Duration::from_secs(60), out).await.expect("serve did not refuse").unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}
