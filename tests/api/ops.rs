//! Operations: metrics, reads through a database outage, graceful shutdown of the real binary.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{private_cluster, TestApp};

fn metric(body: &str, line_prefix: &str) -> f64 {
    body.lines()
        .find(|l| l.starts_with(line_prefix))
        .unwrap_or_else(|| panic!("no metric line starting with {line_prefix:?} in:\n{body}"))
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_report_the_snapshot() {
    let app = TestApp::spawn().await;
    for id in ["jns-paakirjasto", "jns-paakirjasto", "no-such-place"] {
        app.get(&format!("/v1/locations/{id}")).await;
    }
    app.get("/v1/topics").await;
    let resp = app.get("/metrics").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let body = resp.text().await.unwrap();

    // One series per route pattern, not per id.
    let ok = r#"digituki_http_requests_total{method="GET",route="/v1/locations/{id}",status="200"} "#;
    assert_eq!(metric(&body, ok), 2.0, "{body}");
    let missing = r#"digituki_http_requests_total{method="GET",route="/v1/locations/{id}",status="404"} "#;
    assert_eq!(metric(&body, missing), 1.0, "{body}");
    assert!(!body.contains("jns-paakirjasto"), "ids must not become labels: {body}");
    let inf = r#"digituki_http_request_duration_seconds_bucket{method="GET",route="/v1/locations/{id}",status="200",le="+Inf"} "#;
    assert_eq!(metric(&body, inf), 2.0);
    let count = r#"digituki_http_request_duration_seconds_count{method="GET",route="/v1/topics",status="200"} "#;
    assert_eq!(metric(&body, count), 1.0);
    // Buckets are cumulative.
    let buckets: Vec<f64> = body
        .lines()
        .filter(|l| {
            l.starts_with(
                r#"digituki_http_request_duration_seconds_bucket{method="GET",route="/v1/locations/{id}",status="200""#,
            )
        })
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(buckets.len(), 13);
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");

    let version = app.state.store.get().version;
    assert!(version > 0);
    assert_eq!(metric(&body, "digituki_snapshot_version "), version as f64);
    assert_eq!(metric(&body, "digituki_database_up "), 1.0);
    assert!(metric(&body, "digituki_snapshot_locations ") >= 10.0);
    assert!(metric(&body, "digituki_snapshot_age_seconds ") >= 0.0);
    assert!(metric(&body, "digituki_snapshot_rebuild_seconds ") > 0.0);
    assert!(metric(&body, "digituki_snapshot_rebuilds_total ") >= 1.0);
    assert!(body.contains("# TYPE digituki_http_request_duration_seconds histogram"));
}

async fn readyz(app: &TestApp) -> (u16, Option<String>, Value) {
    let resp = app.get("/readyz").await;
    let status = resp.status().as_u16();
    let retry = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (status, retry, resp.json().await.unwrap())
}

#[tokio::test]
async fn reads_survive_a_database_outage_and_the_service_reconnects_by_itself() {
    let (cluster, url) = private_cluster("outage").await;
    let app = TestApp::spawn_on(url).await;
    let (status, _, body) = readyz(&app).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")), "{body}");
    // An acknowledged write before the outage.
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let etag = app.etag("/v1/locations/jns-rantakyla").await;
    let ack = app
        .write(reqwest::Method::PATCH, "/v1/locations/jns-rantakyla", &token)
        .header("If-Match", &etag)
        .json(&serde_json::json!({"phone": "013 267 1111"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ack.status(), 200);
    let before = app.json("/v1/locations/jns-paakirjasto?lang=fi").await;
    let nearest_before = app.json("/v1/locations/nearest?lat=62.6&lon=29.76&lang=fi").await;

    cluster.pg_ctl("stop");

    // Public reads answer from the snapshot, unchanged.
    assert_eq!(app.json("/v1/locations/jns-paakirjasto?lang=fi").await, before);
    assert_eq!(app.json("/v1/locations/nearest?lat=62.6&lon=29.76&lang=fi").await["items"], nearest_before["items"]);
    assert_eq!(app.get("/v1/topics").await.status(), 200);
    let (status, retry, body) = readyz(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["database_reachable"], false);
    assert_eq!(body["snapshot_loaded"], true);
    assert_eq!(retry.as_deref(), Some("5"));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert_eq!(metric(&metrics, "digituki_database_up "), 0.0);
    // Writes answer 503 problem+json with Retry-After, not 500.
    let etag = app.etag("/v1/locations/jns-rantakyla").await;
    let refused = app
        .write(reqwest::Method::PATCH, "/v1/locations/jns-rantakyla", &token)
        .header("If-Match", &etag)
        .json(&serde_json::json!({"phone": "013 267 2222"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["content-type"], "application/problem+json");
    assert!(refused.headers().get("retry-after").is_some());

    cluster.start_again();

    // The pool reconnects by itself: ready again without any restart of the service.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, _, body) = readyz(&app).await;
        if status == 200 {
            assert_eq!(body["status"], "ok");
            break;
        }
        assert!(Instant::now() < deadline, "not ready 30 s after the database came back: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The change listener reconnected too: a change made after the restart shows up.
    app.sql("UPDATE locations SET name_fi = 'Pääkirjasto (palannut)' WHERE id = 'jns-paakirjasto'").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let loc = app.json("/v1/locations/jns-paakirjasto?lang=fi").await;
        if loc["name"] == "Pääkirjasto (palannut)" {
            break;
        }
        assert!(Instant::now() < deadline, "the change after the restart never showed: {loc}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The acknowledged write survived; the refused one left nothing; writes work again.
    assert_eq!(app.scalar("SELECT phone FROM locations WHERE id = 'jns-rantakyla'").await, "013 267 1111");
    let etag = app.etag("/v1/locations/jns-rantakyla").await;
    let again = app
        .write(reqwest::Method::PATCH, "/v1/locations/jns-rantakyla", &token)
        .header("If-Match", &etag)
        .json(&serde_json::json!({"phone": "013 267 3333"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    drop(cluster);
}

fn postgres_owner_can_traverse(dir: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Sends SIGTERM to a process that may still run, waits for it, removes its data folder.
struct StopAndRemove {
    pid: i32,
    dir: std::path::PathBuf,
}

impl Drop for StopAndRemove {
    fn drop(&mut self) {
        let alive = |pid: i32| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            !matches!(stat.rsplit(')').next().unwrap_or("").trim_start().chars().next(), None | Some('Z') | Some('X'))
        };
        if alive(self.pid) {
            unsafe { libc::kill(self.pid, libc::SIGTERM) };
            for _ in 0..300 {
                if !alive(self.pid) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The postmaster and its children (backends, background workers).
fn cluster_processes(postmaster: i32) -> Vec<i32> {
    let mut pids = vec![postmaster];
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let ppid =
            stat.rsplit(')').next().and_then(|rest| rest.split_whitespace().nth(1)).and_then(|p| p.parse::<i32>().ok());
        if ppid == Some(postmaster) {
            pids.push(pid);
        }
    }
    pids
}

fn signal_all(pids: &[i32], signal: libc::c_int) {
    for &p in pids {
        unsafe { libc::kill(p, signal) };
    }
}

#[tokio::test]
async fn sigterm_finishes_requests_in_flight_refuses_new_ones_and_stops_the_embedded_cluster() {
    // As root the server runs as `postgres`, which must be able to traverse the data dir: /tmp.
    let data_dir = std::path::PathBuf::from(format!("/tmp/digituki-shutdown-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir).unwrap();
    postgres_owner_can_traverse(&data_dir);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_digituki"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--workers", "1"])
        .arg("--data-dir")
        .arg(&data_dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the digituki binary");
    let pid = child.id() as i32;
    // However the test ends, the service (and with it its cluster) stops and the folder goes.
    let _cleanup = StopAndRemove { pid, dir: data_dir.clone() };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let ready = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await;
        if matches!(&ready, Ok(r) if r.status() == 200) {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            panic!("the service exited with {status} before it was ready: {err}");
        }
        assert!(Instant::now() < deadline, "the service was not ready within 120 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let postmaster_pid = data_dir.join("postgres/postmaster.pid");
    let postmaster: i32 = std::fs::read_to_string(&postmaster_pid)
        .expect("the embedded cluster should be running")
        .lines()
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(std::path::Path::new(&format!("/proc/{postmaster}")).exists());

    // A request in flight: /readyz waiting on a stalled database (every process of the cluster
    // is stopped with SIGSTOP, so its check query hangs) when SIGTERM comes.
    let cluster = cluster_processes(postmaster);
    assert!(cluster.len() > 1, "the postmaster and its children: {cluster:?}");
    signal_all(&cluster, libc::SIGSTOP);
    let mut in_flight = TcpStream::connect(("127.0.0.1", port)).unwrap();
    in_flight.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(in_flight, "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let mut nothing = [0u8; 1];
    in_flight.set_nonblocking(true).unwrap();
    assert!(in_flight.peek(&mut nothing).is_err(), "/readyz should still be waiting for the database");
    in_flight.set_nonblocking(false).unwrap();
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);

    // New connections are refused soon after the signal.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Err(e) => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused, "{e}");
                break;
            }
            Ok(_) => {
                assert!(Instant::now() < deadline, "still accepting connections 10 s after SIGTERM");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    let still_running = child.try_wait().unwrap().is_none();
    signal_all(&cluster, libc::SIGCONT);
    assert!(still_running, "exited before finishing the request in flight");

    // The request in flight completes with a whole answer.
    let mut answer = String::new();
    in_flight.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.1 503"), "{answer}");
    let body = answer.split_once("\r\n\r\n").expect("a response head").1;
    let health: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("cut short ({e}): {answer}"));
    assert_eq!(health["snapshot_loaded"], true, "{health}");

    // Then the process exits 0, having stopped its PostgreSQL.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "still running 60 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "exit status {status}: {err}");
    assert!(!postmaster_pid.exists(), "postmaster.pid left behind: the embedded cluster was not stopped");
    // Gone, or a zombie waiting for its reaper (pg_ctl daemonised it away from us).
    let stat = std::fs::read_to_string(format!("/proc/{postmaster}/stat")).unwrap_or_default();
    let state = stat.rsplit(')').next().unwrap_or("").trim_start().chars().next();
    assert!(matches!(state, None | Some('Z') | Some('X')), "postmaster {postmaster} still running: {stat}");
}

#[tokio::test]
async fn other_methods_on_documented_paths_answer_405_with_allow() {
    let app = TestApp::spawn().await;
    let resp = app.client.put(app.url("/v1/locations/jns-paakirjasto")).send().await.unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "GET, HEAD, PATCH, DELETE");
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], 405);
    let resp = app.client.post(app.url("/v1/no-such-thing")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
}
