//! Pages in a real headless browser: Debian's chromium driven by playwright-core
//! (`tests/browser/driver.mjs`), axe-core for accessibility. The widget is loaded by a host
//! page served from a second origin (another port), as a partner site would.
//! Needs `chromium`, `node` and the npm packages that `scripts/browser-deps` installs; a
//! missing piece fails the test with a message saying what to install.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use serde_json::{json, Value};

use crate::helpers::TestApp;

const HOSTILE: &str = "<img src=x onerror=alert(1)>";
const LANGS: [&str; 3] = ["fi", "sv", "en"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Makes sure chromium and the npm packages are there (installing the packages if needed).
fn browser_ready() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "the browser tests need chromium at {chromium}: run scripts/prerequisites (apt-get install chromium)"
    );
    let out = std::process::Command::new(repo().join("scripts/browser-deps"))
        .output()
        .expect("running scripts/browser-deps (needs bash, node and npm: apt-get install nodejs npm)");
    assert!(
        out.status.success(),
        "scripts/browser-deps failed; the browser tests need playwright-core and axe-core from npm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Visits pages in one chromium session; one result per visit.
async fn browse(visits: Value) -> Vec<Value> {
    browser_ready();
    let out = tokio::process::Command::new("node")
        .arg(repo().join("tests/browser/driver.mjs"))
        .arg(json!({ "visits": visits }).to_string())
        .kill_on_drop(true)
        .output()
        .await
        .expect("running node (apt-get install nodejs)");
    assert!(out.status.success(), "browser driver failed: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("driver output is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    let results = v["results"].as_array().unwrap().clone();
    for r in &results {
        assert!(r["error"].is_null(), "{}: {}", r["url"], r["error"]);
    }
    results
}

/// A partner site on another origin: one script tag and one element, nothing else.
fn host_site(api: &str, element: &str) -> String {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Partner site</title>\
         <link rel=\"icon\" href=\"data:,\"></head><body><main><h1>Partner site</h1>\n\
         <script src=\"{api}/embed.js\"></script>\n{element}\n</main></body></html>"
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                page.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(page.as_bytes());
        }
    });
    base
}

fn serious(r: &Value) -> Vec<&Value> {
    r["axe"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no axe result", r["url"]))
        .iter()
        .filter(|v| v["impact"] == "serious" || v["impact"] == "critical")
        .collect()
}

fn artifact(name: &str) -> String {
    let dir = repo().join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).display().to_string()
}

#[tokio::test]
async fn widget_on_another_origin_renders_the_joensuu_list_in_three_languages() {
    let app = TestApp::spawn().await;
    let mut visits = Vec::new();
    for lang in LANGS {
        let host = host_site(
            &app.base,
            &format!("<digituki-directory lang=\"{lang}\" municipality=\"Joensuu\" limit=\"20\"></digituki-directory>"),
        );
        assert_ne!(host, app.base);
        visits.push(json!({ "url": format!("{host}/"), "waitFor": "widget", "axe": true }));
    }
    let results = browse(json!(visits)).await;
    let headings =
        ["Mistä apua digiasioihin", "Här får du hjälp med digitala ärenden", "Where to get help with digital matters"];
    for ((lang, r), heading) in LANGS.iter().zip(&results).zip(headings) {
        let api = app.json(&format!("/v1/locations?municipality=Joensuu&per_page=100&lang={lang}")).await;
        let want: Vec<(String, String)> = api["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["id"].as_str().unwrap().to_owned(), l["name"].as_str().unwrap().to_owned()))
            .collect();
        assert!(want.len() >= 10, "Joensuu has its places in the demo data");
        let got: Vec<(String, String)> = r["widgetItems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["id"].as_str().unwrap().to_owned(), i["name"].as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(got, want, "{lang}: the widget shows the API's Joensuu list, in order, in the language");
        assert_eq!(r["widgetHeading"], heading, "{lang}");
        assert!(r["pageErrors"].as_array().unwrap().is_empty(), "{lang}: {}", r["pageErrors"]);
        assert!(r["consoleErrors"].as_array().unwrap().is_empty(), "{lang}: {}", r["consoleErrors"]);
        assert!(serious(r).is_empty(), "{lang}: axe on the widget host page: {:#?}", serious(r));
    }
    // Finnish interface words around Finnish data; English ones around English data.
    assert!(results[0]["text"].as_str().unwrap().contains("Palvelukielet"));
    assert!(results[1]["text"].as_str().unwrap().contains("Betjäningsspråk"));
    assert!(results[2]["text"].as_str().unwrap().contains("Languages of service"));
}

#[tokio::test]
async fn keyboard_reaches_every_widget_result_in_order() {
    let app = TestApp::spawn().await;
    let host = host_site(
        &app.base,
        "<digituki-directory lang=\"en\" municipality=\"Joensuu\" limit=\"20\"></digituki-directory>",
    );
    let near = host_site(&app.base, "<digituki-directory lang=\"fi\" near=\"80100\" limit=\"4\"></digituki-directory>");
    let results = browse(json!([
        { "url": format!("{host}/"), "waitFor": "widget", "tabs": 45 },
        { "url": format!("{near}/"), "waitFor": "widget", "screenshot": artifact("widget.png") },
    ]))
    .await;
    let r = &results[0];
    let ids: Vec<&str> = r["widgetItems"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    let mut reached: Vec<&str> = Vec::new();
    for f in r["focus"].as_array().unwrap() {
        if let Some(id) = f["item"].as_str() {
            if reached.last() != Some(&id) && !reached.contains(&id) {
                reached.push(id);
            }
        }
    }
    assert_eq!(reached, ids, "Tab visits every result, in list order: {:#?}", r["focus"]);
    // Every focus stop inside a result is a link with a name.
    for f in r["focus"].as_array().unwrap().iter().filter(|f| f["item"].is_string()) {
        assert_eq!(f["tag"], "a");
        assert!(!f["text"].as_str().unwrap().is_empty());
    }
    // The nearest widget shows distances, nearest first.
    let near_items = results[1]["widgetItems"].as_array().unwrap();
    assert_eq!(near_items.len(), 4);
    assert!(results[1]["text"].as_str().unwrap().contains("Etäisyys"));
}

#[tokio::test]
async fn pages_render_in_three_languages_with_no_serious_accessibility_violations() {
    let app = TestApp::spawn().await;
    let mut visits = Vec::new();
    for lang in LANGS {
        visits.push(json!({ "url": app.url(&format!("/embed/list?municipality=Joensuu&lang={lang}")), "axe": true, "bypassCSP": true }));
        visits.push(json!({ "url": app.url(&format!("/staff?lang={lang}&postal_code=80100&topic=online_public_services&when=at&date=2027-01-12&time=13:00")), "axe": true, "bypassCSP": true,
            "screenshot": if lang == "en" { Some(artifact("staff.png")) } else { None } }));
        visits.push(json!({ "url": app.url(&format!("/staff?lang={lang}&municipality=Lieksa&when=at&date=2027-01-12&time=13:00")), "axe": false }));
        visits.push(json!({ "url": app.url(&format!("/v1/locations/jns-paakirjasto/referral?lang={lang}&topic=online_public_services")), "axe": true, "bypassCSP": true,
            "screenshot": if lang == "fi" { Some(artifact("referral-slip.png")) } else { None } }));
    }
    let results = browse(json!(visits)).await;
    let h1 = |lang: &str| match lang {
        "fi" => ["Digituki: mistä apua digiasioihin", "Digituen ohjaustyökalu", "Digituen ohjaustyökalu"],
        "sv" => [
            "Digistöd: här får du hjälp med digitala ärenden",
            "Hänvisningsverktyg för digistöd",
            "Hänvisningsverktyg för digistöd",
        ],
        _ => [
            "Digital help: where to get help with digital matters",
            "Digital help referral tool",
            "Digital help referral tool",
        ],
    };
    let main_library = |lang: &str| match lang {
        "en" => "Joensuu Main Library",
        _ => "Joensuun pääkirjasto",
    };
    let dvv = |lang: &str| match lang {
        "fi" => "ei koskaan käytä asiakkaan pankkitunnuksia",
        "sv" => "använder aldrig kundens bankkoder",
        _ => "never use your online banking codes",
    };
    for (i, lang) in LANGS.iter().enumerate() {
        let [list, staff, staff_municipality, slip] =
            [&results[4 * i], &results[4 * i + 1], &results[4 * i + 2], &results[4 * i + 3]];
        for r in [list, staff, staff_municipality, slip] {
            assert_eq!(r["status"], 200, "{}", r["url"]);
            assert_eq!(r["lang"], *lang, "{}: <html lang>", r["url"]);
            assert!(r["pageErrors"].as_array().unwrap().is_empty(), "{}: {}", r["url"], r["pageErrors"]);
        }
        for r in [list, staff, slip] {
            assert!(serious(r).is_empty(), "{}: axe: {:#?}", r["url"], serious(r));
        }
        assert_eq!(list["h1"], h1(lang)[0]);
        assert_eq!(staff["h1"], h1(lang)[1]);
        assert_eq!(staff_municipality["h1"], h1(lang)[2]);
        assert!(list["text"].as_str().unwrap().contains(main_library(lang)), "{lang}: list");
        // Postal code 80100 is central Joensuu: the main library is among the nearest.
        assert!(staff["text"].as_str().unwrap().contains(main_library(lang)), "{lang}: staff results");
        assert!(staff["text"].as_str().unwrap().contains(dvv(lang)), "{lang}: staff DVV note");
        // A municipality search starts from the municipality's centre.
        assert!(staff_municipality["text"].as_str().unwrap().contains("Lieksa"), "{lang}: Lieksa search");
        assert!(slip["h1"].as_str().unwrap().contains(main_library(lang)), "{lang}: slip");
        assert!(slip["text"].as_str().unwrap().contains(dvv(lang)), "{lang}: slip DVV note");
    }
}

#[tokio::test]
async fn hostile_listing_name_shows_as_text_and_runs_nothing_anywhere() {
    let app = TestApp::spawn().await;
    app.sql(&format!(
        "UPDATE locations SET name_fi = '{HOSTILE}', name_sv = '{HOSTILE}', name_en = '{HOSTILE}', \
         website = 'javascript:alert(2)' WHERE id = 'jns-paakirjasto'"
    ))
    .await;
    app.wait_for_snapshot().await;
    let host = host_site(
        &app.base,
        "<digituki-directory lang=\"fi\" municipality=\"Joensuu\" limit=\"20\"></digituki-directory>",
    );
    // CSP off on our pages: what is tested is the escaping itself, not the policy.
    let results = browse(json!([
        { "url": format!("{host}/"), "waitFor": "widget", "tabs": 45 },
        { "url": app.url("/embed/list?municipality=Joensuu&limit=20"), "bypassCSP": true, "tabs": 45 },
        { "url": app.url("/staff?postal_code=80100&when=at&date=2027-01-12&time=13:00"), "bypassCSP": true, "tabs": 45 },
        { "url": app.url("/v1/locations/jns-paakirjasto/referral"), "bypassCSP": true, "tabs": 20 },
    ]))
    .await;
    for r in &results {
        assert!(r["dialogs"].as_array().unwrap().is_empty(), "{}: a dialog opened: {}", r["url"], r["dialogs"]);
        assert_eq!(r["imgCount"], 0, "{}: an <img> element was created", r["url"]);
        assert!(r["text"].as_str().unwrap().contains(HOSTILE), "{}: the name shows as text", r["url"]);
        assert!(r["pageErrors"].as_array().unwrap().is_empty(), "{}: {}", r["url"], r["pageErrors"]);
        for f in r["focus"].as_array().unwrap() {
            assert!(
                !f["href"].as_str().unwrap_or("").starts_with("javascript:"),
                "{}: a javascript: link: {f}",
                r["url"]
            );
        }
    }
}
