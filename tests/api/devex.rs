//! What a newcomer meets first (issue 16, point 4): the README's partner walkthrough
//! (`docs/partner-walkthrough.sh`) runs verbatim against the service, `/docs` redirects to the
//! Swagger UI, `open_at`/`at` read a time without offset as Helsinki wall-clock time, and a typed
//! client generated from the OpenAPI document calls three endpoints.

use std::path::PathBuf;

use serde_json::Value;

use crate::helpers::TestApp;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

async fn run(script: &str, envs: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = tokio::process::Command::new("bash");
    cmd.arg(script).current_dir(repo()).kill_on_drop(true);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().await.unwrap_or_else(|e| panic!("running bash {script}: {e}"))
}

#[tokio::test]
async fn partner_walkthrough_script_runs_verbatim() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let out = run("docs/partner-walkthrough.sh", &[("BASE", &app.base), ("TOKEN", &token)]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "docs/partner-walkthrough.sh failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ETag: \"r"), "the script read one ETag: {stdout}");

    // The public record shows every step.
    let loc = app.json("/v1/locations/pksotu-kansalaistalo").await;
    assert_eq!(loc["phone"], "+358 40 123 4567");
    assert_eq!(loc["languages"], serde_json::json!(["fi", "uk"]));
    assert!(loc["verified_at"].is_string(), "verified: {}", loc["verified_at"]);
    let hours = app.json("/v1/locations/pksotu-kansalaistalo/hours").await;
    let tue = &hours["hours"]["periods"][0]["week"]["tue"];
    assert_eq!(tue[1]["start"], "10:00", "{hours}");
    assert_eq!(tue[0]["kind"], "self_service", "{hours}");
    let closed = hours["hours"]["exceptions"].as_array().unwrap();
    assert!(closed.iter().any(|e| e["date"] == "2027-12-27" && e["ranges"].as_array().unwrap().is_empty()), "{hours}");
    let day = app.json("/v1/locations/pksotu-kansalaistalo/schedule?from=2027-12-27&to=2027-12-27&lang=en").await;
    assert!(day.to_string().contains("Closed between the holidays"), "the closed day is in the schedule: {day}");

    // ... and the history has one entry per write, by the partner's token, in order.
    let rows = app.history("/v1/locations/pksotu-kansalaistalo", &token).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["update", "hours", "hours", "verify"], "{rows:?}");
    assert!(rows.iter().all(|r| r["actor"] == "token:test token of pksotu"), "{rows:?}");
}

#[tokio::test]
async fn docs_without_slash_redirects_to_swagger_ui() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(resp.status(), 308);
    assert_eq!(resp.headers()["location"], "docs/");
    // Followed, it is the Swagger UI.
    let ui = app.get("/docs").await;
    assert_eq!(ui.status(), 200);
    assert!(ui.url().path().ends_with("/docs/"));
    assert!(ui.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn local_times_without_offset_are_helsinki_wall_clock() {
    let app = TestApp::spawn().await;
    let same = |local: &'static str, offset: &'static str| (local, offset);
    for (local, offset) in [
        // Summer time (EEST, UTC+3), with and without seconds.
        same("2027-03-30T12:00", "2027-03-30T12:00:00%2B03:00"),
        same("2027-03-30T12:00:00", "2027-03-30T12:00:00%2B03:00"),
        // Winter time (EET, UTC+2).
        same("2027-02-02T10:30", "2027-02-02T10:30:00%2B02:00"),
        // Spring-forward gap (03:00-03:59 does not exist): the first valid instant after it.
        same("2027-03-28T03:30", "2027-03-28T04:00:00%2B03:00"),
        // Autumn ambiguity (03:00-03:59 twice): the earlier instant (still EEST).
        same("2027-10-31T03:30", "2027-10-31T03:30:00%2B03:00"),
    ] {
        for path in ["/v1/locations/jns-paakirjasto?at=", "/v1/locations?per_page=100&open_at="] {
            let a = app.json(&format!("{path}{local}")).await;
            let b = app.json(&format!("{path}{offset}")).await;
            assert_eq!(a, b, "{path}{local} differs from {path}{offset}");
        }
    }
    // The local reading matters: 07:30 in Helsinki is self-service time at the main library
    // (staff from 10:00), 07:30 UTC is 10:30 there.
    let local = app.json("/v1/locations/jns-paakirjasto?at=2027-03-30T07:30").await;
    let utc = app.json("/v1/locations/jns-paakirjasto?at=2027-03-30T07:30:00Z").await;
    assert_eq!(local["status_now"]["state"], "self_service", "{}", local["status_now"]);
    assert_eq!(utc["status_now"]["state"], "staffed", "{}", utc["status_now"]);
    // Anything else is a 400 naming the parameter.
    for bad in ["2027-03-30%2012:00", "2027-03-30", "12:00", "2027-03-30T25:00"] {
        let p = app.problem(&format!("/v1/locations?open_at={bad}"), 400, "open_at").await;
        assert!(p.to_string().contains("Helsinki local time"), "{p}");
    }
    // The parameter descriptions say so.
    let doc = app.json("/openapi.json").await;
    let params = doc["paths"]["/v1/locations"]["get"]["parameters"].as_array().unwrap();
    for name in ["at", "open_at"] {
        let p = params.iter().find(|p| p["name"] == name).unwrap();
        assert!(p["description"].as_str().unwrap().contains("Europe/Helsinki"), "{p}");
    }
}

#[tokio::test]
async fn typed_client_generated_from_the_document_calls_three_endpoints() {
    let app = TestApp::spawn().await;
    let out = run("tests/openapi-lint/typed-client.sh", &[("BASE", &app.base)]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "tests/openapi-lint/typed-client.sh failed ({}); it needs node, npm and the npm registry:\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(stdout.trim().lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("the client's last line is its JSON report ({e}): {stdout}"));
    let nearest = report["nearest"].as_array().unwrap();
    assert_eq!(nearest.len(), 3, "{report}");
    let first = app.json(&format!("/v1/locations/{}", nearest[0]["id"].as_str().unwrap())).await;
    assert_eq!(report["location"]["lat"], first["coordinates"]["lat"], "{report}");
    assert!(report["topics"].as_u64().unwrap() > 0, "{report}");
}
