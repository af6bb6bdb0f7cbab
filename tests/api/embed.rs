//! Embedding over plain HTTP: GeoJSON, the widget script, page headers (CSP, caching, CORS),
//! escaping of partner text and JSON-LD, http(s)-only links, the staff tool's answers, the
//! referral slip, and that nothing answers CORS preflights.

use serde_json::Value;

use crate::helpers::TestApp;

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

async fn page(app: &TestApp, path: &str, status: u16) -> (reqwest::header::HeaderMap, String) {
    let resp = app.get(path).await;
    assert_eq!(resp.status().as_u16(), status, "GET {path}");
    let headers = resp.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8", "GET {path}");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "GET {path}: {csp}");
    // Pages run no inline script; only the staff tool loads its own one (disabling the date
    // and time fields while "now" is chosen).
    assert!(!csp.contains("unsafe-inline"), "GET {path}: {csp}");
    if path.starts_with("/staff") {
        assert!(csp.contains("script-src 'self';"), "GET {path}: {csp}");
    } else {
        assert!(!csp.contains("script-src"), "GET {path}: pages run no script: {csp}");
    }
    (headers, resp.text().await.unwrap())
}

#[tokio::test]
async fn geojson_is_a_feature_collection_in_lon_lat_order_with_the_list_filters() {
    let app = TestApp::spawn().await;
    let resp = app.get("/v1/locations.geojson?municipality=Joensuu&topic=online_public_services&lang=en").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/geo+json");
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    assert!(resp.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let geo: Value = resp.json().await.unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    let list = app.json("/v1/locations?municipality=Joensuu&topic=online_public_services&lang=en&per_page=100").await;
    let located: Vec<&Value> =
        list["items"].as_array().unwrap().iter().filter(|l| !l["coordinates"].is_null()).collect();
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), located.len(), "one feature per located place of the list");
    assert!(features.len() >= 5);
    for (f, l) in features.iter().zip(&located) {
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["id"], l["id"]);
        assert_eq!(f["geometry"]["type"], "Point");
        // RFC 7946: longitude first.
        assert_eq!(f["geometry"]["coordinates"][0], l["coordinates"]["lon"]);
        assert_eq!(f["geometry"]["coordinates"][1], l["coordinates"]["lat"]);
        let p = &f["properties"];
        assert_eq!(p["id"], l["id"]);
        assert_eq!(p["name"], l["name"]);
        assert_eq!(p["organization"], l["organization"]["name"]);
        assert_eq!(p["kind"], l["kind"]);
        assert_eq!(p["topics"], l["topics"]);
        assert_eq!(p["open_now"], l["open_now"]);
        assert_eq!(p["url"], format!("{}/v1/locations/{}", app.base, l["id"].as_str().unwrap()));
    }
    let again = app
        .client
        .get(app.url("/v1/locations.geojson?municipality=Joensuu&topic=online_public_services&lang=en"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    app.problem("/v1/locations.geojson?topic=nonsense", 400, "topic").await;
    app.problem("/v1/locations.geojson?open_at=tomorrow", 400, "open_at").await;
}

#[tokio::test]
async fn embed_js_is_served_with_script_type_caching_and_cors_and_builds_no_html_from_strings() {
    let app = TestApp::spawn().await;
    let resp = app.get("/embed.js").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    assert!(resp.headers()["cache-control"].to_str().unwrap().starts_with("public"));
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let js = resp.text().await.unwrap();
    assert!(js.contains("customElements.define(\"digituki-directory\""));
    assert!(js.contains("document.currentScript"), "the API base comes from the script's own src");
    for banned in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("] {
        assert!(!js.contains(banned), "embed.js must not use {banned}");
    }
    let again = app.client.get(app.url("/embed.js")).header("If-None-Match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    let css = app.get("/embed/page.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn pages_escape_partner_text_and_json_ld_and_render_only_http_links() {
    let app = TestApp::spawn().await;
    app.sql(&format!(
        "UPDATE locations SET name_fi = '{HOSTILE}</script><script>alert(3)</script>', website = 'javascript:alert(2)', \
         transit_fi = '<b>bussi</b> & \"juna\"' WHERE id = 'jns-paakirjasto'; \
         UPDATE organizations SET website = 'data:text/html,x' WHERE id = 'joensuun-kaupunginkirjasto'"
    ))
    .await;
    app.wait_for_snapshot().await;
    for path in [
        "/embed/list?municipality=Joensuu&limit=20",
        "/staff?postal_code=80100&when=at&date=2027-01-12&time=13:00",
        "/v1/locations/jns-paakirjasto/referral",
    ] {
        let (headers, html) = page(&app, path, 200).await;
        assert_eq!(headers["access-control-allow-origin"], "*", "{path}");
        assert!(headers.contains_key("etag"), "{path}");
        assert!(!html.contains("<img"), "{path}: raw markup from data");
        assert!(!html.contains("<script>alert"), "{path}: raw script from data");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{path}: the name is shown escaped");
        assert!(!html.contains("javascript:"), "{path}: a javascript: link");
        assert!(!html.contains("data:text"), "{path}: a data: link");
    }
    let (_, slip) = page(&app, "/v1/locations/jns-paakirjasto/referral", 200).await;
    assert!(slip.contains("&lt;b&gt;bussi&lt;/b&gt; &amp; &quot;juna&quot;"), "transit notes escaped");
    // The slip's JSON-LD (the place) is its only <script>, escaped the same way.
    assert_eq!(slip.matches("<script").count(), 1);
    assert!(slip.contains("\\u003cimg src=x onerror=alert(1)\\u003e"), "the name escaped in the slip's JSON-LD");
    // JSON-LD: the only <script> element, with <, > and & as JSON escapes, and still valid JSON.
    let (_, list) = page(&app, "/embed/list?municipality=Joensuu&limit=20", 200).await;
    assert_eq!(list.matches("<script").count(), 1);
    let start =
        list.find("<script type=\"application/ld+json\">").unwrap() + "<script type=\"application/ld+json\">".len();
    let end = start + list[start..].find("</script>").unwrap();
    let ld_text = &list[start..end];
    assert!(ld_text.contains("\\u003cimg src=x onerror=alert(1)\\u003e"));
    assert!(!ld_text.contains('<') && !ld_text.contains('>'));
    let ld: Value = serde_json::from_str(ld_text).unwrap();
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "ItemList");
    let items = ld["itemListElement"].as_array().unwrap();
    let hostile = items.iter().find(|i| i["item"]["name"].as_str().unwrap().starts_with(HOSTILE)).unwrap();
    assert!(hostile["item"]["url"].is_null(), "no javascript: url in JSON-LD");
    assert_eq!(hostile["item"]["@type"], "Library");
    assert_eq!(hostile["item"]["parentOrganization"]["@type"], "LibrarySystem");
    // Places whose hours are confirmed (at least `approximate`) publish them, dated.
    let specs: Vec<&Value> =
        items.iter().filter_map(|i| i["item"]["openingHoursSpecification"].as_array()).flatten().collect();
    assert!(!specs.is_empty(), "no place in Joensuu publishes confirmed hours");
    for spec in specs {
        assert_eq!(spec["@type"], "OpeningHoursSpecification");
        assert!(spec["dayOfWeek"].as_str().unwrap().starts_with("https://schema.org/"), "{spec}");
        assert_eq!(spec["opens"].as_str().unwrap().len(), "10:00".len(), "{spec}");
        assert_eq!(spec["validFrom"], spec["validThrough"], "{spec}");
    }
    assert_eq!(hostile["item"]["address"]["streetAddress"], "Koskikatu 25");
    // The main library's hours are demo placeholders (`assumed`): never published as facts.
    assert!(hostile["item"].get("openingHours").is_none(), "{}", hostile["item"]);
}

#[tokio::test]
async fn embed_list_takes_the_api_filters_and_names_bad_ones() {
    let app = TestApp::spawn().await;
    let (_, near) = page(&app, "/embed/list?near=80100&limit=3&lang=en", 200).await;
    assert_eq!(near.matches("<article class=\"place\"").count(), 3);
    assert!(near.contains("Distance"));
    let (_, sv) = page(&app, "/embed/list?municipality=Lieksa&lang=sv", 200).await;
    assert!(sv.contains("<html lang=\"sv\">"));
    let (_, topic) =
        page(&app, "/embed/list?municipality=Joensuu&topic=library_devices&language=fi&limit=100", 200).await;
    let (_, all) = page(&app, "/embed/list?municipality=Joensuu&limit=100", 200).await;
    assert!(topic.matches("<article class=\"place\"").count() < all.matches("<article class=\"place\"").count());
    let (_, ll) = page(&app, "/embed/list?lat=62.6&lon=29.76&limit=2", 200).await;
    assert_eq!(ll.matches("<article class=\"place\"").count(), 2);
    app.problem("/embed/list?near=abc", 400, "near").await;
    app.problem("/embed/list?near=80100&lat=62.6&lon=29.7", 400, "near").await;
    app.problem("/embed/list?limit=0", 400, "limit").await;
    app.problem("/embed/list?lang=de", 400, "lang").await;
    app.problem("/embed/list?municipality=Atlantis", 400, "municipality").await;
}

#[tokio::test]
async fn staff_search_by_postal_code_needs_language_and_time() {
    let app = TestApp::spawn().await;
    let (_, html) = page(&app, "/staff?lang=en", 200).await;
    assert!(html.contains("<form") && html.contains("name=\"postal_code\"") && html.contains("name=\"topic\""));
    assert!(!html.contains("<ol class=\"places\""), "no results before a search");
    // A Tuesday afternoon: hours of that day, a slip link with the needs, remote options.
    let (_, html) = page(
        &app,
        "/staff?lang=en&postal_code=80100&topic=online_public_services&language=fi&when=at&date=2027-01-12&time=13:00",
        200,
    )
    .await;
    assert!(html.contains("Tue 12 Jan"), "the chosen day");
    assert!(html.contains("Hours on that day"));
    assert!(html.contains("/referral?lang=en&amp;topic=online_public_services"), "slip links carry the needs");
    assert!(html.contains("Guidance: the person does it themselves; the helper guides."));
    assert!(html.contains("Remote help (phone, video) for this area"));
    // Only places open then are listed: every result's state at that instant is staffed.
    let api = app
        .json("/v1/locations/nearest?postal_code=80100&topic=online_public_services&language=fi&open_at=2027-01-12T13:00:00%2B02:00&limit=5&lang=en")
        .await;
    assert!(!api["items"].as_array().unwrap().is_empty());
    for item in api["items"].as_array().unwrap() {
        assert!(html.contains(&format!("id=\"place-{}\"", item["id"].as_str().unwrap())), "{}", item["id"]);
    }
    // Then the nearby places whose hours are unknown, marked "call first".
    let tier2 =
        html.split("id=\"unknown-hours-title\"").nth(1).unwrap_or("").split("id=\"remote-title\"").next().unwrap();
    assert_eq!(
        html.matches("<article class=\"place\"").count(),
        api["items"].as_array().unwrap().len()
            + api["remote"].as_array().unwrap().len()
            + tier2.matches("<article class=\"place\"").count()
    );
}

#[tokio::test]
async fn staff_reports_bad_input_and_the_missing_geocoder_politely() {
    let app = TestApp::spawn().await;
    let (headers, html) = page(&app, "/staff?lang=en&address=Koskikatu+25%2C+Joensuu", 400).await;
    assert_eq!(headers["cache-control"], "no-store");
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("Address search is not available. Search by postal code or municipality."));
    assert!(html.contains("value=\"Koskikatu 25, Joensuu\""), "the form keeps what was typed");
    let (_, html) = page(&app, "/staff?lang=fi&postal_code=99999", 400).await;
    assert!(html.contains("postal_code: unknown postal code"));
    let (_, html) = page(&app, "/staff?lang=sv&postal_code=80100&when=at&date=tomorrow&time=12:00", 400).await;
    assert!(html.contains("date: must be a date"));
    // The API itself answers the same address search with a problem naming `address`.
    app.problem("/v1/locations/nearest?address=Koskikatu%2025", 400, "address").await;
}

#[tokio::test]
async fn referral_slip_has_week_hours_map_qr_booking_and_the_dvv_note() {
    let app = TestApp::spawn().await;
    let (headers, html) =
        page(&app, "/v1/locations/jns-paakirjasto/referral?lang=en&at=2027-03-29T09:00:00%2B03:00", 200).await;
    assert!(headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'self'"));
    assert!(html.contains("<h1>Joensuu Main Library</h1>"));
    assert!(html.contains("Koskikatu 25"));
    assert!(html.contains("https://www.openstreetmap.org/?mlat=62.60"));
    assert_eq!(html.matches("<tr>").count(), 7, "seven days of hours");
    assert!(html.contains("Mon 29 Mar") && html.contains("Sun 4 Apr"));
    assert!(html.contains("<svg") && html.contains("aria-label=\"The place's web page (scan with a phone)\""));
    assert!(html.contains("Helpers never use your online banking codes or other credentials"));
    assert!(
        html.contains("@media print")
            || app.get("/embed/page.css").await.text().await.unwrap().contains("@media print")
    );
    // A place without a website gets our own page in the QR code.
    let (_, html) = page(&app, "/v1/locations/jns-virastotalo/referral?lang=fi", 200).await;
    assert!(html.contains(&format!("{}/v1/locations/jns-virastotalo?lang=fi", app.base)));
    let missing = app.get("/v1/locations/no-such-place/referral").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["content-type"], "application/problem+json");
    app.problem("/v1/locations/jns-paakirjasto/referral?topic=nonsense", 400, "topic").await;
    app.problem("/v1/locations/BAD/referral", 400, "id").await;
}

#[tokio::test]
async fn nothing_answers_cors_preflights() {
    let app = TestApp::spawn().await;
    for path in [
        "/v1/locations",
        "/v1/locations/jns-paakirjasto",
        "/v1/locations.geojson",
        "/embed.js",
        "/embed/list",
        "/staff",
        "/v1/locations/jns-paakirjasto/referral",
    ] {
        for method in ["POST", "PATCH", "PUT", "DELETE"] {
            let resp = app
                .client
                .request(reqwest::Method::OPTIONS, app.url(path))
                .header("Origin", "https://partner.example")
                .header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .send()
                .await
                .unwrap();
            assert!(!resp.status().is_success(), "OPTIONS {path} ({method}): {}", resp.status());
            for h in ["access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers"] {
                assert!(!resp.headers().contains_key(h), "OPTIONS {path} ({method}) sent {h}");
            }
        }
    }
}
