//! The partner write API: scope, preconditions, validation, history, propagation, limits.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

/// A fingerprint of everything an organization's records hold, to show nothing changed.
async fn fingerprint(app: &TestApp) -> String {
    app.scalar(
        "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
           SELECT row_to_json(o)::text AS t FROM organizations o
           UNION ALL SELECT row_to_json(l)::text FROM locations l
           UNION ALL SELECT row_to_json(s)::text FROM services s
           UNION ALL SELECT row_to_json(x)::text FROM services_at_locations x
           UNION ALL SELECT row_to_json(h)::text FROM opening_hours h
           UNION ALL SELECT row_to_json(ll)::text FROM location_languages ll) all_rows",
    )
    .await
}

#[tokio::test]
async fn partner_cannot_touch_another_organizations_records() {
    let app = TestApp::spawn().await;
    let other = app.token("pksotu", false).await;
    let before = fingerprint(&app).await;
    let loc_etag = app.etag("/v1/locations/jns-paakirjasto").await;
    let org_etag = app.etag("/v1/organizations/joensuun-kaupunginkirjasto").await;
    let svc_etag = app.etag("/v1/services/joensuun-kaupunginkirjasto-information-search").await;
    let sal_etag = app.etag("/v1/services-at-locations/jns-paakirjasto-information-search").await;
    let hours = json!({"periods": [{"week": {"mon": [{"start": "10:00", "end": "12:00", "kind": "staffed"}]}}]});
    let attempts: Vec<(Method, &str, Option<&str>, Option<Value>)> = vec![
        (Method::PATCH, "/v1/locations/jns-paakirjasto", Some(&loc_etag), Some(json!({"phone": "+358 40 000 0000"}))),
        (Method::DELETE, "/v1/locations/jns-paakirjasto", Some(&loc_etag), None),
        (Method::POST, "/v1/locations/jns-paakirjasto/verify", None, None),
        (Method::PUT, "/v1/locations/jns-paakirjasto/hours", Some(&loc_etag), Some(hours.clone())),
        (
            Method::PUT,
            "/v1/locations/jns-paakirjasto/exceptions/2027-12-24",
            Some(&loc_etag),
            Some(json!({"ranges": [], "reason": {"fi": "Suljettu"}})),
        ),
        (
            Method::PATCH,
            "/v1/organizations/joensuun-kaupunginkirjasto",
            Some(&org_etag),
            Some(json!({"phone": "+358 40 000 0000"})),
        ),
        (
            Method::PATCH,
            "/v1/services/joensuun-kaupunginkirjasto-information-search",
            Some(&svc_etag),
            Some(json!({"languages": ["fi", "en"]})),
        ),
        (Method::DELETE, "/v1/services/joensuun-kaupunginkirjasto-information-search", Some(&svc_etag), None),
        (
            Method::PATCH,
            "/v1/services-at-locations/jns-paakirjasto-information-search",
            Some(&sal_etag),
            Some(json!({"note": {"fi": "x"}})),
        ),
        (Method::DELETE, "/v1/services-at-locations/jns-paakirjasto-information-search", Some(&sal_etag), None),
        // Creating records for another organization, or moving one's own record to it.
        (
            Method::POST,
            "/v1/locations",
            None,
            Some(json!({"organization_id": "joensuun-kaupunginkirjasto", "kind": "library", "name": {"fi": "Uusi"}})),
        ),
        (
            Method::POST,
            "/v1/services",
            None,
            Some(
                json!({"organization_id": "joensuun-kaupunginkirjasto", "name": {"fi": "Uusi"}, "assistance_level": "guidance"}),
            ),
        ),
        (
            Method::POST,
            "/v1/services-at-locations",
            None,
            Some(json!({"service_id": "pksotu-device-basics", "location_id": "jns-paakirjasto"})),
        ),
        (
            Method::POST,
            "/v1/organizations",
            None,
            Some(json!({"kind": "association", "name": {"fi": "Uusi yhdistys"}})),
        ),
    ];
    for (method, path, etag, body) in attempts {
        let mut req = app.write(method.clone(), path, &other);
        if let Some(e) = etag {
            req = req.header("If-Match", e);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 403, "{method} {path}");
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
    }
    let pksotu_loc = app.etag("/v1/locations/pksotu-kansalaistalo").await;
    let moved = app
        .write(Method::PATCH, "/v1/locations/pksotu-kansalaistalo", &other)
        .header("If-Match", &pksotu_loc)
        .json(&json!({"organization_id": "joensuun-kaupunginkirjasto"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 403);
    assert_eq!(fingerprint(&app).await, before, "a refused write changed the database");
    assert_eq!(app.scalar("SELECT count(*) FROM history").await, "0");
}

#[tokio::test]
async fn partner_edits_own_location_with_merge_patch_and_history() {
    let app = TestApp::spawn().await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let etag = app.etag("/v1/locations/jns-paakirjasto").await;
    let resp = app
        .write(Method::PATCH, "/v1/locations/jns-paakirjasto", &token)
        .header("If-Match", &etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(
            json!({"phone": "+358 13 267 7111", "name": {"sv": "Joensuu huvudbibliotek"}, "hours_notes": null})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let new_etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);
    assert!(resp.headers().get("access-control-allow-origin").is_none(), "writes grant no CORS");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["phone"], "+358 13 267 7111");
    assert_eq!(body["name"]["fi"], "Joensuun pääkirjasto"); // kept by the merge
    assert_eq!(body["name"]["sv"], "Joensuu huvudbibliotek");
    assert!(body["hours_notes"].is_null()); // null removes
                                            // Stored, and shown in public reads at once.
    assert_eq!(app.scalar("SELECT phone FROM locations WHERE id = 'jns-paakirjasto'").await, "+358 13 267 7111");
    assert_eq!(app.json("/v1/locations/jns-paakirjasto?lang=sv").await["name"], "Joensuu huvudbibliotek");
    // The ETag of the write is the ETag of the next read.
    assert_eq!(app.etag("/v1/locations/jns-paakirjasto").await.split('-').next(), new_etag.split('-').next());

    // Verify, then check the history holds both writes with who and before/after.
    let v = app.write(Method::POST, "/v1/locations/jns-paakirjasto/verify", &token).send().await.unwrap();
    assert_eq!(v.status(), 200);
    let verified: Value = v.json().await.unwrap();
    assert!(verified["verified_at"].is_string());
    assert_eq!(verified["stale"], false);
    let items = app.history("/v1/locations/jns-paakirjasto", &token).await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["action"], "update");
    assert_eq!(items[0]["token_name"], "test token of joensuun-kaupunginkirjasto");
    assert_eq!(items[0]["organization_id"], "joensuun-kaupunginkirjasto");
    assert!(items[0]["before"]["phone"].is_null());
    assert_eq!(items[0]["after"]["phone"], "+358 13 267 7111");
    assert_eq!(items[1]["action"], "verify");
    // Another partner may not read it.
    let other = app.token("pksotu", false).await;
    assert_eq!(
        app.write(Method::GET, "/v1/locations/jns-paakirjasto/history", &other).send().await.unwrap().status(),
        403
    );
}

#[tokio::test]
async fn if_match_is_required_and_stale_etags_change_nothing() {
    let app = TestApp::spawn().await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let before = fingerprint(&app).await;
    let none = app
        .write(Method::PATCH, "/v1/locations/jns-rantakyla", &token)
        .json(&json!({"phone": "013 111 2222"}))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 428);
    let del = app.write(Method::DELETE, "/v1/locations/jns-rantakyla", &token).send().await.unwrap();
    assert_eq!(del.status(), 428);
    let put = app
        .write(Method::PUT, "/v1/locations/jns-rantakyla/hours", &token)
        .json(&json!({"periods": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 428);
    assert_eq!(fingerprint(&app).await, before);

    let old = app.etag("/v1/locations/jns-rantakyla").await;
    let first = app
        .write(Method::PATCH, "/v1/locations/jns-rantakyla", &token)
        .header("If-Match", &old)
        .json(&json!({"phone": "013 111 2222"}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let after_first = fingerprint(&app).await;
    for (method, body) in [(Method::PATCH, Some(json!({"phone": "013 333 4444"}))), (Method::DELETE, None)] {
        let mut req = app.write(method.clone(), "/v1/locations/jns-rantakyla", &token).header("If-Match", &old);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 412, "{method}");
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
    }
    let stale_hours = app
        .write(Method::PUT, "/v1/locations/jns-rantakyla/hours", &token)
        .header("If-Match", &old)
        .json(&json!({"periods": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale_hours.status(), 412);
    assert_eq!(fingerprint(&app).await, after_first);
    assert_eq!(app.scalar("SELECT phone FROM locations WHERE id = 'jns-rantakyla'").await, "013 111 2222");
}

#[tokio::test]
async fn of_two_concurrent_updates_with_one_etag_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    for round in 0..5 {
        let etag = app.etag("/v1/locations/jns-nepenmaki").await;
        let send = |phone: String| {
            app.write(Method::PATCH, "/v1/locations/jns-nepenmaki", &token)
                .header("If-Match", etag.clone())
                .json(&json!({"phone": phone}))
                .send()
        };
        let (a, b) = tokio::join!(send(format!("013 100 000{round}")), send(format!("013 200 000{round}")));
        let mut statuses = vec![a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, vec![200, 412], "round {round}");
    }
    assert_eq!(app.scalar("SELECT count(*) FROM history WHERE entity_id = 'jns-nepenmaki'").await, "5");
    assert_eq!(app.scalar("SELECT version FROM locations WHERE id = 'jns-nepenmaki'").await, "6");
}

#[tokio::test]
async fn invalid_payload_gets_422_naming_every_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.token("joensuun-kaupunginkirjasto", false).await;
    let before = fingerprint(&app).await;
    let bad = json!({
        "kind": "castle",
        "name": {"en": "No Finnish name"},
        "latitude": 48.85, "longitude": 2.35,
        "postal_code": "8010",
        "municipality_code": "Tampere",
        "website": "javascript:alert(1)",
        "email": "not-an-email",
        "phone": "call me",
        "languages": ["finnish", "xx"],
        "description": {"fi": "x".repeat(5000)}
    });
    let resp = app.write(Method::POST, "/v1/locations", &token).json(&bad).send().await.unwrap();
    assert_eq!(resp.status(), 422);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let problem: Value = resp.json().await.unwrap();
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in [
        "kind",
        "name.fi",
        "latitude",
        "postal_code",
        "municipality_code",
        "website",
        "email",
        "phone",
        "languages[0]",
        "languages[1]",
        "description.fi",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    // The same through PATCH, and a wrong type, and unknown topics on a service.
    let etag = app.etag("/v1/locations/jns-eno").await;
    let patch = app
        .write(Method::PATCH, "/v1/locations/jns-eno", &token)
        .header("If-Match", &etag)
        .json(&json!({"website": "ftp://x.fi", "email": "a@b"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 422);
    let p: Value = patch.json().await.unwrap();
    assert_eq!(p["errors"].as_array().unwrap().len(), 2);
    let typed = app
        .write(Method::PATCH, "/v1/locations/jns-eno", &token)
        .header("If-Match", &etag)
        .json(&json!({"latitude": "north"}))
        .send()
        .await
        .unwrap();
    assert_eq!(typed.status(), 422);
    assert_eq!(typed.json::<Value>().await.unwrap()["errors"][0]["field"], "latitude");
    let svc = app.write(Method::POST, "/v1/services", &token).json(&json!({"name": {"fi": "Opastus"}, "topics": ["online_public_services", "astrology"], "assistance_level": "does_it_for_you"})).send().await.unwrap();
    assert_eq!(svc.status(), 422);
    let s: Value = svc.json().await.unwrap();
    let fields: Vec<&str> = s["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["topics[1]", "assistance_level"]);
    // Hours: reversed/overlapping ranges.
    let hours = json!({"periods": [{"week": {"mon": [{"start": "10:00", "end": "14:00", "kind": "staffed"}, {"start": "12:00", "end": "16:00", "kind": "staffed"}]}}]});
    let h = app
        .write(Method::PUT, "/v1/locations/jns-eno/hours", &token)
        .header("If-Match", &etag)
        .json(&hours)
        .send()
        .await
        .unwrap();
    assert_eq!(h.status(), 422);
    let not_json = app
        .write(Method::POST, "/v1/locations", &token)
        .header("Content-Type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert_eq!(fingerprint(&app).await, before);
}

#[tokio::test]
async fn tokens_missing_unknown_revoked_and_admin_rights() {
    let app = TestApp::spawn().await;
    let body = json!({"kind": "association", "name": {"fi": "Digitukiyhdistys"}});
    let none = app.client.post(app.url("/v1/organizations")).json(&body).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    let unknown = app
        .write(Method::POST, "/v1/organizations", "dtk_unknownunknownunknownunknownunknown00")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);

    let admin = app.token("pohjois-karjalan-maakuntaliitto", true).await;
    let created = app.write(Method::POST, "/v1/organizations", &admin).json(&body).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let org: Value = created.json().await.unwrap();
    assert_eq!(org["id"], "digitukiyhdistys");
    assert_eq!(app.json("/v1/organizations/digitukiyhdistys?lang=fi").await["name"], "Digitukiyhdistys");

    // The admin issues a partner token through the API; the partner uses it; the admin revokes it.
    let issued: Value = app
        .write(Method::POST, "/v1/admin/tokens", &admin)
        .json(&json!({"organization_id": "digitukiyhdistys", "name": "web editor"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let partner = issued["token"].as_str().unwrap().to_owned();
    assert!(partner.starts_with("dtk_") && partner.len() >= 36);
    // Only the hash is stored.
    let stored = app
        .scalar(&format!(
            "SELECT count(*) FROM api_tokens WHERE token_sha256 = '{}'",
            digituki::auth::sha256_hex(&partner)
        ))
        .await;
    assert_eq!(stored, "1");
    assert_eq!(
        app.scalar(&format!("SELECT count(*) FROM api_tokens WHERE token_sha256 = '{partner}' OR name = '{partner}'"))
            .await,
        "0"
    );
    let loc = app
        .write(Method::POST, "/v1/locations", &partner)
        .json(&json!({"kind": "association", "name": {"fi": "Digituen olohuone"}, "municipality_code": "Joensuu", "latitude": 62.6, "longitude": 29.76, "languages": ["fi", "uk"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(loc.status(), 201);
    let loc: Value = loc.json().await.unwrap();
    assert_eq!(loc["organization"]["id"], "digitukiyhdistys");
    assert_eq!(loc["languages"], json!(["fi", "uk"]));
    // Without coordinates, a new location is placed at its postal code's centroid, approximately.
    let unplaced = app
        .write(Method::POST, "/v1/locations", &partner)
        .json(&json!({"kind": "association", "name": {"fi": "Digituen kulma"}, "street_address": "Torikatu 1", "postal_code": "80100"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unplaced.status(), 201);
    let unplaced: Value = unplaced.json().await.unwrap();
    let centroid = app.json("/v1/postal-codes/80100").await["centroid"].clone();
    assert_eq!(unplaced["coordinates"]["lat"], centroid["lat"]);
    assert_eq!(unplaced["coordinates"]["method"], "postal_code_centroid");
    assert_eq!(unplaced["confidence"], "approximate");
    let tokens: Value = app.write(Method::GET, "/v1/admin/tokens", &admin).send().await.unwrap().json().await.unwrap();
    assert!(tokens["items"].as_array().unwrap().iter().all(|t| t.get("token").is_none()));
    // A partner token has no admin rights.
    assert_eq!(app.write(Method::GET, "/v1/admin/tokens", &partner).send().await.unwrap().status(), 403);
    assert_eq!(app.write(Method::POST, "/v1/organizations", &partner).json(&body).send().await.unwrap().status(), 403);
    let revoked =
        app.write(Method::DELETE, &format!("/v1/admin/tokens/{}", issued["id"]), &admin).send().await.unwrap();
    assert_eq!(revoked.status(), 204);
    let after = app
        .write(Method::POST, "/v1/locations", &partner)
        .json(&json!({"kind": "association", "name": {"fi": "Toinen"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
    assert_eq!(app.scalar("SELECT count(*) FROM locations WHERE name_fi = 'Toinen'").await, "0");
}

#[tokio::test]
async fn token_cli_creates_lists_and_revokes() {
    let app = TestApp::spawn().await;
    let bin = env!("CARGO_BIN_EXE_digituki");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin).args(args).env("DATABASE_URL", &app.db_url).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let out = run(&["token", "create", "--organization", "pksotu", "--name", "PKSOTU editor"]);
    let token = out.lines().last().unwrap().trim().to_owned();
    assert!(token.starts_with("dtk_") && token.len() == 44, "{out}");
    let listing = run(&["token", "list"]);
    let line = listing.lines().find(|l| l.contains("PKSOTU editor")).unwrap();
    let id = line.split('\t').next().unwrap();
    assert!(id.parse::<i64>().is_ok(), "{line}");
    assert!(!listing.contains(&token));
    let verify = app.write(Method::POST, "/v1/locations/pksotu-kansalaistalo/verify", &token).send().await.unwrap();
    assert_eq!(verify.status(), 200);
    run(&["token", "revoke", id]);
    let after = app.write(Method::POST, "/v1/locations/pksotu-kansalaistalo/verify", &token).send().await.unwrap();
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn a_write_through_one_instance_shows_in_another_within_a_second() {
    let first = TestApp::spawn().await;
    let second = TestApp::spawn_on(first.db_url.clone()).await;
    let token = first.token("joensuun-kaupunginkirjasto", false).await;
    let etag = first.etag("/v1/locations/jns-karsikko").await;
    let rebuilds_before = first.state.store.rebuilds();
    let resp = first
        .write(Method::PATCH, "/v1/locations/jns-karsikko", &token)
        .header("If-Match", &etag)
        .json(&json!({"phone": "013 555 0101"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let written = std::time::Instant::now();
    // At once on the instance that wrote.
    assert_eq!(first.json("/v1/locations/jns-karsikko").await["phone"], "013 555 0101");
    loop {
        if second.json("/v1/locations/jns-karsikko").await["phone"] == "013 555 0101" {
            break;
        }
        assert!(
            written.elapsed() < std::time::Duration::from_secs(1),
            "the second instance did not show the write within a second"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // The writing instance rebuilt once, before answering; its own NOTIFY (which names a
    // version its snapshot already holds) does not make it rebuild again.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(first.state.store.rebuilds(), rebuilds_before + 1);
}

#[tokio::test]
async fn delete_is_soft_and_an_admin_restores() {
    let app = TestApp::spawn().await;
    let token = app.token("liperin-kirjastot", false).await;
    let admin = app.token("pohjois-karjalan-maakuntaliitto", true).await;
    let etag = app.etag("/v1/locations/lip-viinijarvi").await;
    let del = app
        .write(Method::DELETE, "/v1/locations/lip-viinijarvi", &token)
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    assert_eq!(app.get("/v1/locations/lip-viinijarvi").await.status(), 404);
    assert_eq!(app.scalar("SELECT deleted_at IS NOT NULL FROM locations WHERE id = 'lip-viinijarvi'").await, "t");
    // Its services went with it: not to be changed until the location is restored.
    let sal = app.scalar("SELECT min(id) FROM services_at_locations WHERE location_id = 'lip-viinijarvi'").await;
    assert!(sal.starts_with("lip-viinijarvi-"), "a service is offered at the location: {sal:?}");
    let version = format!("SELECT version FROM services_at_locations WHERE id = '{sal}'");
    let before = app.scalar(&version).await;
    let patch = app
        .write(Method::PATCH, &format!("/v1/services-at-locations/{sal}"), &admin)
        .header("If-Match", "*")
        .header("content-type", "application/merge-patch+json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 404, "{}", patch.text().await.unwrap());
    assert_eq!(app.scalar(&version).await, before);
    assert_eq!(
        app.write(Method::POST, "/v1/locations/lip-viinijarvi/restore", &token).send().await.unwrap().status(),
        403
    );
    let restored = app.write(Method::POST, "/v1/locations/lip-viinijarvi/restore", &admin).send().await.unwrap();
    assert_eq!(restored.status(), 200);
    assert_eq!(app.json("/v1/locations/lip-viinijarvi").await["id"], "lip-viinijarvi");
    let actions =
        app.scalar("SELECT string_agg(action, ',' ORDER BY id) FROM history WHERE entity_id = 'lip-viinijarvi'").await;
    assert_eq!(actions, "delete,restore");
}

#[tokio::test]
async fn services_hours_and_exceptions_through_the_api() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let svc = app
        .write(Method::POST, "/v1/services", &token)
        .json(&json!({"name": {"fi": "Digiopastus", "en": "Digital guidance"}, "topics": ["online_public_services", "online_safety"], "delivery_modes": ["drop_in", "by_appointment"], "languages": ["fi", "ru"], "assistance_level": "guidance"}))
        .send()
        .await
        .unwrap();
    assert_eq!(svc.status(), 201);
    let svc: Value = svc.json().await.unwrap();
    let service_id = svc["id"].as_str().unwrap().to_owned();
    assert_eq!(service_id, "pksotu-digiopastus");
    let sal = app
        .write(Method::POST, "/v1/services-at-locations", &token)
        .json(&json!({
            "service_id": service_id, "location_id": "pksotu-kansalaistalo",
            "hours": {"periods": [{"week": {"tue": [{"start": "10:00", "end": "12:00", "kind": "staffed"}]}}]},
            "appointment": {"by_appointment": true, "phone": "+358 40 123 4567", "url": "https://example.fi/varaa", "text": {"fi": "Soita ja varaa aika"}}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(sal.status(), 201);
    let sal: Value = sal.json().await.unwrap();
    assert_eq!(sal["opening_hours"], "Tu 10:00-12:00; PH off; Dec 24 off; Jun 19-25 Fr off");
    assert_eq!(sal["appointment"]["url"], "https://example.fi/varaa");
    let loc = app.json("/v1/locations/pksotu-kansalaistalo").await;
    assert!(loc["topics"].as_array().unwrap().contains(&"online_safety".into()));
    // Hours of the building, then one exception, each with the location's ETag.
    let etag = app.etag("/v1/locations/pksotu-kansalaistalo").await;
    let hours = json!({"periods": [{"week": {"mon": [{"start": "09:00", "end": "15:00", "kind": "staffed"}], "tue": [{"start": "09:00", "end": "15:00", "kind": "staffed"}]}}]});
    let put = app
        .write(Method::PUT, "/v1/locations/pksotu-kansalaistalo/hours", &token)
        .header("If-Match", &etag)
        .json(&hours)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let etag2 = put.headers()["etag"].to_str().unwrap().to_owned();
    let exc = app
        .write(Method::PUT, "/v1/locations/pksotu-kansalaistalo/exceptions/2027-01-11", &token)
        .header("If-Match", &etag2)
        .json(&json!({"ranges": [], "reason": {"fi": "Koulutuspäivä", "en": "Training day"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(exc.status(), 200);
    let day = app.json("/v1/locations/pksotu-kansalaistalo/schedule?from=2027-01-11&to=2027-01-11&lang=en").await;
    assert_eq!(day["days"][0]["kind"], "exception");
    assert_eq!(day["days"][0]["reason"], "Training day");
    let h = app.json("/v1/locations/pksotu-kansalaistalo/hours").await;
    assert_eq!(h["hours"]["exceptions"].as_array().unwrap().len(), 1);
    let hist: Value = app
        .write(Method::GET, "/v1/services/pksotu-digiopastus/history", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hist["items"][0]["action"], "create");
    let loc_hist: Value = app
        .write(Method::GET, "/v1/locations/pksotu-kansalaistalo/history", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> =
        loc_hist["items"].as_array().unwrap().iter().map(|i| i["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["hours", "hours"]);
}

#[tokio::test]
async fn stale_listings_and_the_coordinators_report() {
    let app = TestApp::spawn().await;
    let admin = app.token("pohjois-karjalan-maakuntaliitto", true).await;
    app.sql(
        "UPDATE locations SET created_at = now() - interval '400 days' WHERE organization_id = 'liperin-kirjastot';
             UPDATE locations SET verified_at = now() - interval '10 days' WHERE id = 'lip-ylamylly'",
    )
    .await;
    app.wait_for_snapshot().await;
    assert_eq!(app.json("/v1/locations/lip-liperi").await["stale"], true);
    assert_eq!(app.json("/v1/locations/lip-ylamylly").await["stale"], false);
    assert_eq!(app.json("/v1/locations/jns-paakirjasto").await["stale"], false);
    let report: Value = app.write(Method::GET, "/v1/admin/stale", &admin).send().await.unwrap().json().await.unwrap();
    let ids: Vec<&str> = report["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.contains(&"lip-liperi") && !ids.contains(&"lip-ylamylly"));
    let partner = app.token("pksotu", false).await;
    assert_eq!(app.write(Method::GET, "/v1/admin/stale", &partner).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn oversized_bodies_413_and_rate_limit_429() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let huge = json!({"name": {"fi": "x"}, "notes": "y".repeat(100_000)});
    let resp = app.write(Method::POST, "/v1/locations", &token).json(&huge).send().await.unwrap();
    assert_eq!(resp.status(), 413);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    assert_eq!(app.scalar("SELECT count(*) FROM locations WHERE organization_id = 'pksotu'").await, "1");

    // A small limit on a second instance: the third write in a burst is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let options = digituki::startup::Options {
        workers: Some(1),
        limits: digituki::http::limits::Limits { max_body_bytes: 65536, writes_per_minute: 2, ..Default::default() },
        ..Default::default()
    };
    let running = digituki::startup::build_with(&app.db_url, listener, options).await.unwrap();
    let base = format!("http://127.0.0.1:{}", running.port);
    tokio::spawn(running.server);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = app
            .client
            .post(format!("{base}/v1/locations/pksotu-kansalaistalo/verify"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=60).contains(&wait));
        }
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, vec![200, 200, 429]);
}
