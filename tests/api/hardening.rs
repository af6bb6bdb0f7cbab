//! Hostile input and partial failures (issue "Hardening"): each finding of the attack on the
//! release binary, reproduced, and now answered properly.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{private_cluster, TestApp};

/// A fingerprint of every stored record, to show that a refused request changed nothing.
async fn fingerprint(app: &TestApp) -> String {
    app.scalar(
        "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
           SELECT row_to_json(o)::text AS t FROM organizations o
           UNION ALL SELECT row_to_json(l)::text FROM locations l
           UNION ALL SELECT row_to_json(s)::text FROM services s
           UNION ALL SELECT row_to_json(x)::text FROM services_at_locations x
           UNION ALL SELECT row_to_json(h)::text FROM opening_hours h) all_rows",
    )
    .await
}

async fn problem(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status().as_u16(), status);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], status, "{body}");
    body
}

async fn spawn(options: digituki::startup::Options) -> TestApp {
    TestApp::spawn_options(crate::helpers::fresh_database().await, options).await
}

#[tokio::test]
async fn forwarded_host_headers_are_ignored_unless_the_peer_is_a_trusted_proxy() {
    let app = TestApp::spawn().await;
    let evil = [("X-Forwarded-Host", "evil.example"), ("Forwarded", "host=evil.example;proto=https")];
    let paths =
        ["/v1/locations/jns-paakirjasto/referral?lang=fi", "/embed/list?municipality=Joensuu&lang=fi", "/hsds/"];
    for path in paths {
        let mut req = app.client.get(app.url(path));
        for (k, v) in evil {
            req = req.header(k, v);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let body = resp.text().await.unwrap();
        assert!(!body.contains("evil.example"), "{path} echoes a forwarded host");
        if !path.contains("referral") {
            assert!(body.contains("127.0.0.1"), "{path} links to the host it was asked on");
        }
    }

    // Behind a configured proxy the forwarded host counts, and answers vary on it.
    let proxied = spawn(digituki::startup::Options {
        proxy: digituki::http::proxy::ProxyConfig::parse(Some("127.0.0.0/8"), None).unwrap(),
        ..Default::default()
    })
    .await;
    let resp = proxied
        .client
        .get(proxied.url("/hsds/"))
        .header("X-Forwarded-Host", "digituki.example.fi")
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let vary = resp.headers()["vary"].to_str().unwrap().to_owned();
    assert!(vary.contains("X-Forwarded-Host") && vary.contains("Forwarded"), "{vary}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["openapi_url"], "https://digituki.example.fi/openapi.json");

    // --public-url fixes every link whatever the request says.
    let fixed = spawn(digituki::startup::Options {
        proxy: digituki::http::proxy::ProxyConfig::parse(None, Some("https://digituki.example.fi")).unwrap(),
        ..Default::default()
    })
    .await;
    let resp = fixed.client.get(fixed.url("/hsds/")).header("X-Forwarded-Host", "evil.example").send().await.unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["openapi_url"], "https://digituki.example.fi/openapi.json");
    let list = fixed.client.get(fixed.url("/embed/list?municipality=Joensuu")).send().await.unwrap();
    assert!(list.text().await.unwrap().contains("https://digituki.example.fi/v1/locations/jns-paakirjasto"));
}

#[tokio::test]
async fn a_read_only_database_answers_503_with_retry_after_and_readyz_says_why() {
    let (cluster, url) = private_cluster("readonly").await;
    let app = TestApp::spawn_on(url).await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let before = fingerprint(&app).await;
    // What a failover to a standby or a full disk's emergency setting does to every session.
    app.sql("ALTER SYSTEM SET default_transaction_read_only = on").await;
    app.sql("SELECT pg_reload_conf()").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let etag = app.etag("/v1/locations/jns-rantakyla").await;
    let resp = app
        .write(Method::PATCH, "/v1/locations/jns-rantakyla", &token)
        .header("If-Match", &etag)
        .json(&json!({"phone": "013 267 3333"}))
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("retry-after").is_some());
    let body = problem(resp, 503).await;
    assert!(body["detail"].as_str().unwrap().contains("read-only"), "{body}");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert!(ready.headers().get("retry-after").is_some());
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["status"], "degraded", "{ready}");
    assert_eq!(ready["database_writable"], false);
    assert!(ready["reason"].as_str().unwrap().contains("read-only"), "{ready}");
    // Reads keep working from the snapshot.
    assert_eq!(app.get("/v1/locations/jns-rantakyla").await.status(), 200);

    // When the database accepts changes again the service recovers by itself.
    app.sql("ALTER SYSTEM RESET default_transaction_read_only").await;
    app.sql("SELECT pg_reload_conf()").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(fingerprint(&app).await, before, "the refused write changed nothing");
    let resp = app
        .write(Method::PATCH, "/v1/locations/jns-rantakyla", &token)
        .header("If-Match", &etag)
        .json(&json!({"phone": "013 267 3333"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let ready: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["status"], "ok", "{ready}");
    drop(cluster);
}

#[tokio::test]
async fn a_patch_is_judged_by_what_it_changes_not_by_legacy_gaps() {
    let app = TestApp::spawn().await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    // A legacy record: its note exists only in English (as 62 demo records once did).
    app.sql(
        "UPDATE services_at_locations SET note_fi = NULL, note_sv = NULL, note_en = 'English only'
         WHERE id = 'jns-paakirjasto-information-search'",
    )
    .await;
    app.wait_for_snapshot().await;
    let path = "/v1/services-at-locations/jns-paakirjasto-information-search";
    let etag = app.etag(path).await;
    let resp = app.write(Method::PATCH, path, &token).header("If-Match", &etag).json(&json!({})).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let etag = app.etag(path).await;
    let resp = app
        .write(Method::PATCH, path, &token)
        .header("If-Match", &etag)
        .json(&json!({"confidence": "approximate"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        app.scalar("SELECT note_en FROM services_at_locations WHERE id = 'jns-paakirjasto-information-search'").await,
        "English only"
    );
    // A patch that touches the note must make it whole.
    let etag = app.etag(path).await;
    let resp = app
        .write(Method::PATCH, path, &token)
        .header("If-Match", &etag)
        .json(&json!({"note": {"en": "Still English only"}}))
        .send()
        .await
        .unwrap();
    let body = problem(resp, 422).await;
    assert_eq!(body["errors"][0]["field"], "note.fi", "{body}");
}

#[tokio::test]
async fn every_text_follows_the_same_rules_and_bodies_must_say_they_are_json() {
    let app = TestApp::spawn().await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let before = fingerprint(&app).await;
    let path = "/v1/locations/jns-paakirjasto/hours";
    let etag = app.etag("/v1/locations/jns-paakirjasto").await;
    let week = json!({"mon": [{"start": "10:00", "end": "16:00", "kind": "staffed"}]});
    for (reason, field) in [
        (json!({"fi": "Suljettu\u{0007}"}), "exceptions[0].reason.fi"),
        (json!({"fi": "x".repeat(3000)}), "exceptions[0].reason.fi"),
        (json!({"fi": "Suljettu", "en": "Closed \u{202E}desolc"}), "exceptions[0].reason.en"),
    ] {
        let doc = json!({"periods": [{"week": week}], "exceptions": [{"date": "2027-12-24", "ranges": [], "reason": reason}]});
        let resp = app.write(Method::PUT, path, &token).header("If-Match", &etag).json(&doc).send().await.unwrap();
        let body = problem(resp, 422).await;
        assert!(body["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{body}");
    }
    // A body without Content-Type is refused, not guessed to be JSON.
    let resp = app
        .write(Method::PATCH, "/v1/locations/jns-paakirjasto", &token)
        .header("If-Match", &etag)
        .body(r#"{"phone": "013 267 4444"}"#)
        .send()
        .await
        .unwrap();
    let body = problem(resp, 415).await;
    assert_eq!(body["parameter"], "Content-Type");
    assert_eq!(fingerprint(&app).await, before);
}

#[tokio::test]
async fn bearer_scheme_is_case_insensitive_and_failed_logins_are_throttled_per_address() {
    let app = TestApp::spawn().await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let resp = app
        .client
        .post(app.url("/v1/locations/jns-paakirjasto/verify"))
        .header("Authorization", format!("BEARER {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let mut statuses = Vec::new();
    for i in 0..14 {
        let wrong = if i % 2 == 0 { format!("dtk_{}", "x".repeat(40)) } else { "not-a-token".to_owned() };
        let resp = app.write(Method::POST, "/v1/locations/jns-paakirjasto/verify", &wrong).send().await.unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            assert!(resp.headers().get("retry-after").is_some());
            let body = problem(resp, 429).await;
            assert!(body["detail"].as_str().unwrap().contains("failed authentication"), "{body}");
        }
    }
    assert_eq!(statuses[..10], [401; 10], "{statuses:?}");
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");
    // Even the right token waits: the address is throttled, not the token.
    let resp = app.write(Method::POST, "/v1/locations/jns-paakirjasto/verify", &token).send().await.unwrap();
    assert_eq!(resp.status(), 429);
}

#[tokio::test]
async fn token_names_are_one_printable_line() {
    let app = TestApp::spawn().await;
    let admin = app.token("joensuun-kaupunginkirjasto", true).await;
    for name in ["", "two\nlines", "\u{1b}[31mred", &"x".repeat(101)] {
        let resp = app
            .write(Method::POST, "/v1/admin/tokens", &admin)
            .json(&json!({"organization_id": "pksotu", "name": name}))
            .send()
            .await
            .unwrap();
        let body = problem(resp, 422).await;
        assert_eq!(body["errors"][0]["field"], "name", "{body}");
    }
    for name in ["two\nlines", "\u{1b}[31mred", " "] {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_digituki"))
            .args(["token", "create", "--organization", "pksotu", "--name", name])
            .env("DATABASE_URL", &app.db_url)
            .output()
            .await
            .unwrap();
        assert!(!out.status.success(), "{name:?} was accepted");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--name"), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(app.scalar("SELECT count(*) FROM api_tokens WHERE name ~ '[[:cntrl:]]' OR name = ''").await, "0");
}

#[tokio::test]
async fn if_match_compares_the_whole_strong_tag() {
    let app = TestApp::spawn().await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let path = "/v1/locations/jns-paakirjasto";
    let etag = app.etag(path).await;
    let inner = etag.trim_matches('"');
    let version = inner.split('-').next().unwrap();
    let other = app.etag("/v1/locations/jns-rantakyla").await;
    let forged = [
        format!("W/{etag}"),
        format!("\"{version}\""),
        format!("\"{version}-00000000-0000000000000000\""),
        inner.to_owned(),
        // Another record's tag, even of the same version number.
        other.replace(other.trim_matches('"').split('-').next().unwrap(), version),
    ];
    for tag in forged {
        let resp = app
            .write(Method::PATCH, path, &token)
            .header("If-Match", &tag)
            .json(&json!({"phone": "013 267 5555"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 412, "If-Match {tag} matched");
    }
    let resp =
        app.write(Method::PATCH, path, &token).header("If-Match", &etag).json(&json!({"phone": "013 267 5555"})).send();
    assert_eq!(resp.await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_retried_post_with_an_idempotency_key_creates_one_record() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let body = json!({"kind": "association", "name": {"fi": "Digiapu Rantakylä"}, "municipality_code": "167"});
    let mut ids = Vec::new();
    for _ in 0..3 {
        let resp = app
            .write(Method::POST, "/v1/locations", &token)
            .header("Idempotency-Key", "3f1c2b9e-create-digiapu")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let location = resp.headers()["location"].to_str().unwrap().to_owned();
        let created: Value = resp.json().await.unwrap();
        assert_eq!(location, format!("/v1/locations/{}", created["id"].as_str().unwrap()));
        ids.push(created["id"].clone());
    }
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    assert_eq!(app.scalar("SELECT count(*) FROM locations WHERE name_fi = 'Digiapu Rantakylä'").await, "1");
    // The same key for another request is refused; a new key makes a new record.
    let other = json!({"kind": "association", "name": {"fi": "Toinen paikka"}, "municipality_code": "167"});
    let resp = app
        .write(Method::POST, "/v1/locations", &token)
        .header("Idempotency-Key", "3f1c2b9e-create-digiapu")
        .json(&other)
        .send()
        .await
        .unwrap();
    let problem_body = problem(resp, 422).await;
    assert_eq!(problem_body["errors"][0]["field"], "Idempotency-Key");
    let resp = app.write(Method::POST, "/v1/locations", &token).header("Idempotency-Key", "new").json(&body).send();
    assert_eq!(resp.await.unwrap().status(), 201);
    assert_eq!(app.scalar("SELECT count(*) FROM locations WHERE name_fi = 'Digiapu Rantakylä'").await, "2");
}

#[tokio::test]
async fn metrics_can_be_restricted_and_oversized_requests_get_problem_documents() {
    let app =
        spawn(digituki::startup::Options { metrics_token: Some("s3cret-metrics".into()), ..Default::default() }).await;
    let resp = app.get("/metrics").await;
    problem(resp, 401).await;
    let resp = app.client.get(app.url("/metrics")).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = app.client.get(app.url("/metrics")).bearer_auth("s3cret-metrics").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("digituki_snapshot_version"));

    let long = format!("/v1/locations?q={}", "a".repeat(10_000));
    let body = problem(app.get(&long).await, 414).await;
    assert_eq!(body["parameter"], "URI");
    let resp = app.client.get(app.url("/v1/topics")).header("X-Padding", "p".repeat(20_000)).send().await.unwrap();
    let body = problem(resp, 431).await;
    assert_eq!(body["parameter"], "headers");
}

/// Sends raw bytes on one connection (half-closing it after) and reads the answers until the
/// server closes: what a client beyond `reqwest`'s limits (a URI over 64 KiB) sees.
async fn raw_exchange(app: &TestApp, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.split();
    let write = async {
        // The server may answer and close before all is written: a reset is fine here.
        let _ = wr.write_all(request).await;
        let _ = wr.shutdown().await;
    };
    let mut out = Vec::new();
    let read = async {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(20), rd.read_to_end(&mut out)).await;
    };
    tokio::join!(write, read);
    String::from_utf8_lossy(&out).into_owned()
}

/// The answers in a raw exchange: (status, content type, body) of each.
fn answers(raw: &str) -> Vec<(u16, String, String)> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(head_end) = rest.find("\r\n\r\n") {
        let head = &rest[..head_end];
        let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
        let field = |name: &str| {
            head.lines()
                .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
                .map(str::to_owned)
        };
        let len: usize = field("content-length").map_or(0, |v| v.parse().unwrap());
        let body = &rest[head_end + 4..head_end + 4 + len];
        out.push((status, field("content-type").unwrap_or_default(), body.to_owned()));
        rest = &rest[head_end + 4 + len..];
    }
    out
}

#[tokio::test]
async fn heads_beyond_the_http_parser_get_problem_documents_too() {
    let app = TestApp::spawn().await;
    // A 100 kB target (the `http` crate cannot even represent it), after an ordinary request on
    // the same connection: the first is answered, the second refused with a problem document.
    let huge = format!(
        "GET /v1/topics HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/locations?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100_000)
    );
    let got = answers(&raw_exchange(&app, huge.as_bytes()).await);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, 200);
    assert_eq!(got[1].0, 414, "{got:?}");
    assert_eq!(got[1].1, "application/problem+json");
    let problem: Value = serde_json::from_str(&got[1].2).unwrap();
    assert_eq!(problem["status"], 414);
    assert_eq!(problem["parameter"], "URI");
    assert!(problem["detail"].as_str().unwrap().contains("8192"), "{problem}");

    // 100 header fields (actix's parser takes 96) and a 200 kB head (it buffers 128 KiB).
    let mut many = "GET /v1/topics HTTP/1.1\r\nHost: x\r\n".to_owned();
    for i in 0..100 {
        many.push_str(&format!("X-Field-{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let large = format!("GET /v1/topics HTTP/1.1\r\nHost: x\r\nX-Padding: {}\r\n\r\n", "p".repeat(200_000));
    for (what, request) in [("100 fields", many), ("a 200 kB head", large)] {
        let got = answers(&raw_exchange(&app, request.as_bytes()).await);
        assert_eq!(got.len(), 1, "{what}: {got:?}");
        assert_eq!(got[0].0, 431, "{what}");
        assert_eq!(got[0].1, "application/problem+json", "{what}");
        let problem: Value = serde_json::from_str(&got[0].2).unwrap();
        assert_eq!(problem["parameter"], "headers", "{what}");
    }

    // A body that happens to hold a long request line is a body, not a head; the service still
    // answers normally afterwards, and nobody reaches the refusal path by asking for it.
    let token = app.token("pksotu", false).await;
    let body = format!("{{\"name\": {{\"fi\": \"GET /{} HTTP/1.1\"}}}}", "a".repeat(20_000));
    let request = format!(
        "POST /v1/locations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}GET /v1/topics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let got = answers(&raw_exchange(&app, request.as_bytes()).await);
    assert_eq!(got.iter().map(|a| a.0).collect::<Vec<_>>(), [422, 200], "{got:?}");
    assert_eq!(app.get("/.refused/0000000000000000/uri/70000").await.status(), 404);

    // A request whose Host is not a host name gets links to the address it reached.
    let got =
        answers(&raw_exchange(&app, b"GET /hsds/ HTTP/1.1\r\nHost: not a host\r\nConnection: close\r\n\r\n").await);
    assert_eq!(got[0].0, 200);
    assert!(got[0].2.contains(&app.base) && !got[0].2.contains("not a host"), "{}", got[0].2);
}

/// A write's answers come in a fixed order whatever else is wrong with the request: the token
/// first (401, counted as a failed login), then its rate limit (429), then the id (400),
/// `If-Match` (428) and the body; the body is not read for an unknown caller.
#[tokio::test]
async fn a_write_answers_about_the_token_first_and_counts_every_failed_login() {
    let options = digituki::startup::Options {
        limits: digituki::http::limits::Limits { writes_per_minute: 2, ..Default::default() },
        ..Default::default()
    };
    let app = TestApp::spawn_options(crate::helpers::fresh_database().await, options).await;
    let unknown = format!("dtk_{}", "y".repeat(40));
    let mut statuses = Vec::new();
    for _ in 0..12 {
        // A malformed id, no If-Match and a body that is not JSON: still 401 first.
        let resp = app
            .write(Method::PATCH, "/v1/locations/NOT-AN-ID", &unknown)
            .header("content-type", "text/plain")
            .body("x")
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses[..10], [401; 10], "{statuses:?}");
    assert!(statuses[10..].iter().all(|s| *s == 429), "every failed login counted: {statuses:?}");

    let other = TestApp::spawn_options(
        crate::helpers::fresh_database().await,
        digituki::startup::Options {
            limits: digituki::http::limits::Limits { writes_per_minute: 2, ..Default::default() },
            ..Default::default()
        },
    )
    .await;
    let token = other.token("pksotu", false).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let resp = other.write(Method::PATCH, "/v1/locations/NOT-AN-ID", &token).send().await.unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [400, 400, 429], "the rate limit before the id");
    let resp = other.write(Method::DELETE, "/v1/locations/pksotu-kansalaistalo", &token).send().await.unwrap();
    assert_eq!(resp.status(), 429);
    let third = TestApp::spawn().await;
    let token = third.token("pksotu", false).await;
    let resp = third.write(Method::PATCH, "/v1/locations/NOT-AN-ID", &token).send().await.unwrap();
    assert_eq!(resp.status(), 400, "the id before If-Match");
    let resp =
        third.write(Method::PATCH, "/v1/locations/pksotu-kansalaistalo", &token).body("{}").send().await.unwrap();
    assert_eq!(resp.status(), 428, "If-Match before the body");
}

/// The coordinator's writes (creating organizations, issuing keys) refuse any other token
/// before its rate limit counts the request, and count the coordinator's own like every write.
#[tokio::test]
async fn coordinator_writes_refuse_other_tokens_first_and_count_against_the_limit() {
    let options = digituki::startup::Options {
        limits: digituki::http::limits::Limits { writes_per_minute: 2, ..Default::default() },
        ..Default::default()
    };
    let app = TestApp::spawn_options(crate::helpers::fresh_database().await, options).await;
    let partner = app.token("pksotu", false).await;
    let mut statuses = Vec::new();
    for path in ["/v1/organizations", "/v1/organizations", "/v1/admin/tokens"] {
        let resp = app.write(Method::POST, path, &partner).json(&json!({"name": {"fi": "Uusi"}})).send().await.unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [403, 403, 403], "refused before the rate limit");
    let resp = app.write(Method::PATCH, "/v1/locations/NOT-AN-ID", &partner).send().await.unwrap();
    assert_eq!(resp.status(), 400, "the refusals did not use the partner's writes");

    let admin = app.token("joensuun-kaupunginkirjasto", true).await;
    let mut statuses = Vec::new();
    for i in 0..3 {
        let body = json!({"organization_id": "pksotu", "name": format!("Avain {i}")});
        let resp = app.write(Method::POST, "/v1/admin/tokens", &admin).json(&body).send().await.unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [201, 201, 429], "issuing keys counts against the coordinator's limit");
}

/// A partner's change to one field leaves a stored word the vocabulary does not know (written
/// around the write path) as it is, never replaced by a default.
#[tokio::test]
async fn a_patch_keeps_unknown_stored_words_it_does_not_touch() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    app.sql("UPDATE locations SET kind = 'castle', status = 'seasonal' WHERE id = 'pksotu-kansalaistalo'").await;
    app.wait_for_snapshot().await;
    let etag = app.etag("/v1/locations/pksotu-kansalaistalo").await;
    let resp = app
        .write(Method::PATCH, "/v1/locations/pksotu-kansalaistalo", &token)
        .header("if-match", etag)
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"phone": "+358 40 123 4567"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let stored = app
        .scalar("SELECT kind || ' ' || status || ' ' || phone FROM locations WHERE id = 'pksotu-kansalaistalo'")
        .await;
    assert_eq!(stored, "castle seasonal +358 40 123 4567");
}
