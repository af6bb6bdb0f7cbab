//! The partner editor (`/partner`) used as partners and the coordinator use it: in headless
//! Chromium (`tests/browser/steps.mjs`: one browser session per test, cookies kept), checked
//! with axe, by keyboard only and on a narrow screen; and its guards (cookie, CSRF, origin,
//! scope, revocation) over plain HTTP. Every change is then read back from the public API and
//! the history, as the write path stored it.

use chrono::{Datelike, Duration, Utc};
use serde_json::{json, Value};

use crate::browser::{artifact, run_driver, serious, HOSTILE};
use crate::helpers::TestApp;

const KANSALAISTALO: &str = "pksotu-kansalaistalo";

/// Runs the steps in one browser session; the records by name.
async fn steps(width: u32, steps: Value) -> Vec<Value> {
    let v = run_driver("steps.mjs", json!({ "width": width, "steps": steps })).await;
    assert!(v["error"].is_null(), "a browser step failed: {}", v["error"]);
    assert_eq!(v["consoleErrors"], json!([]), "the pages logged errors");
    v["records"].as_array().unwrap().clone()
}

/// The steps that sign in with `key` on the `lang` sign-in page, then `then`.
fn signed_in(base: &str, lang: &str, key: &str, then: Value) -> Value {
    let mut all = vec![
        json!({"goto": format!("{base}/partner?lang={lang}")}),
        json!({"fill": {"#key": key}}),
        json!({"click": "form.staff button[type=submit]"}),
    ];
    all.extend(then.as_array().expect("a list of steps").iter().cloned());
    Value::Array(all)
}

fn rec<'a>(records: &'a [Value], name: &str) -> &'a Value {
    records.iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("no record {name}"))
}

fn text(r: &Value) -> &str {
    r["text"].as_str().unwrap()
}

fn accessible(r: &Value) {
    let found = serious(r);
    assert!(found.is_empty(), "{}: serious or critical axe findings: {found:#?}", r["name"]);
}

/// The messages shown next to an input, and that the input names them.
fn error_at<'a>(r: &'a Value, input: &str) -> &'a str {
    let e = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == format!("err-{input}"))
        .unwrap_or_else(|| panic!("{}: no error next to {input}: {}", r["name"], r["errors"]));
    assert_eq!(e["describes"], json!([input]), "the error is the input's description (aria-describedby)");
    e["text"].as_str().unwrap()
}

fn finnish_date(d: chrono::NaiveDate) -> String {
    format!("{}.{}.{}", d.day(), d.month(), d.year())
}

fn today() -> chrono::NaiveDate {
    Utc::now().with_timezone(&chrono_tz::Europe::Helsinki).date_naive()
}

#[tokio::test]
async fn a_partner_signs_in_changes_phone_tuesday_and_a_closed_day_and_confirms() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let b = &app.base;
    let closed_day = today() + Duration::days(40);
    let r = steps(
        1000,
        json!([
            {"goto": format!("{b}/partner?lang=fi")},
            {"record": "sign-in", "axe": true, "screenshot": artifact("editor-sign-in.png")},
            {"fill": {"#key": token}},
            {"click": "form.staff button[type=submit]"},
            {"record": "home", "axe": true, "screenshot": artifact("editor-home.png")},
            {"click": format!("a[href^='/partner/locations/{KANSALAISTALO}']")},
            {"record": "location", "axe": true},
            {"fill": {"#phone": "+358 40 123 4567"}},
            {"click": "#contact button[type=submit]"},
            {"record": "phone"},
            {"fill": {"#p0-tue-0-start": "10.00", "#p0-tue-0-end": "16:00"}},
            {"click": "#hours button[type=submit]"},
            {"record": "tuesday"},
            {"fill": {"#ex-date": finnish_date(closed_day), "#ex-reason-fi": "Henkilökunnan koulutus", "#ex-reason-en": "Staff training"}},
            {"click": "#exceptions form.staff button[type=submit]"},
            {"record": "closed-day"},
            {"click": "#confirm button[type=submit]"},
            {"record": "confirmed", "axe": true, "screenshot": artifact("editor-location.png")},
        ]),
    )
    .await;

    let sign_in = rec(&r, "sign-in");
    assert_eq!(sign_in["status"], 200);
    assert_eq!(sign_in["h1"], "Kirjaudu sisään");
    assert_eq!(sign_in["lang"], "fi");
    let home = rec(&r, "home");
    assert_eq!(home["h1"], "Pohjois-Karjalan Sosiaaliturvayhdistys ry (PKSOTU)");
    assert!(text(home).contains("Joensuun Kansalaistalo"), "{}", text(home));
    assert_eq!(
        home["cookies"],
        json!([{"name": "__Host-digituki-partner", "secure": true, "httpOnly": true, "sameSite": "Strict"}])
    );
    for (name, section, said) in [
        ("phone", "contact", "Tallennettu."),
        ("tuesday", "hours", "Tallennettu."),
        ("closed-day", "exceptions", "Tallennettu."),
        ("confirmed", "confirm", "Kiitos! Toimipisteen tiedot on merkitty tarkistetuiksi."),
    ] {
        let page = rec(&r, name);
        assert_eq!(page["status"], 200, "{name}");
        assert!(
            page["url"].as_str().unwrap().ends_with(&format!("&saved={section}#{section}")),
            "{name}: {}",
            page["url"]
        );
        assert_eq!(page["notices"], json!([said]), "{name}");
        assert_eq!(page["errors"], json!([]), "{name}");
    }
    let tuesday = rec(&r, "tuesday");
    assert!(!text(tuesday).contains("Mikään lähde ei vahvista"), "hours the partner saved are not an estimate");
    assert_eq!(tuesday["values"]["p0-tue-0-start"], "10.00", "times as Finnish writes them");
    assert_eq!(tuesday["values"]["p0-tue-0-end"], "16.00");
    let confirmed = rec(&r, "confirmed");
    assert_eq!(confirmed["values"]["phone"], "+358 40 123 4567");
    assert!(
        text(confirmed).contains(&format!("Vahvistettu: {} (PKSOTU)", finnish_date(today()))),
        "{}",
        text(confirmed)
    );
    assert!(text(confirmed).contains("Henkilökunnan koulutus"), "the new closed day is listed");
    for name in ["sign-in", "home", "location", "confirmed"] {
        accessible(rec(&r, name));
    }

    // The public API shows every change.
    let loc = app.json(&format!("/v1/locations/{KANSALAISTALO}")).await;
    assert_eq!(loc["phone"], "+358 40 123 4567");
    assert!(loc["opening_hours"].as_str().unwrap().contains("Tu 10:00-16:00"), "{}", loc["opening_hours"]);
    assert_eq!(loc["verified_by"]["id"], "pksotu");
    assert_eq!(loc["stale"], false);
    assert!(loc["verified_at"].as_str().unwrap().starts_with(&Utc::now().format("%Y-%m-%d").to_string()));
    let hours = app.json(&format!("/v1/locations/{KANSALAISTALO}/hours")).await;
    let exception = hours["hours"]["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["date"] == closed_day.to_string())
        .unwrap_or_else(|| panic!("no exception on {closed_day}: {hours}"));
    assert_eq!(exception["ranges"], json!([]), "closed all day");
    assert_eq!(exception["reason"]["fi"], "Henkilökunnan koulutus");
    assert_eq!(hours["confidence"], "verified");
    // … and the schedule of that day says closed, with the reason.
    let day = app.json(&format!("/v1/locations/{KANSALAISTALO}/schedule?from={closed_day}&days=1")).await;
    assert_eq!(day["days"][0]["ranges"], json!([]), "{day}");
    assert_eq!(day["days"][0]["reason"]["fi"], "Henkilökunnan koulutus", "{day}");

    // History: each change, in order, naming the key that made it.
    let items = app.history(&format!("/v1/locations/{KANSALAISTALO}"), &token).await;
    let mine: Vec<&Value> = items.iter().filter(|h| h["token_name"] == "test token of pksotu").collect();
    let actions: Vec<&str> = mine.iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["update", "hours", "hours", "verify"], "{items:#?}");
    assert_eq!(mine[0]["after"]["phone"], "+358 40 123 4567");
    assert_ne!(mine[0]["before"]["phone"], "+358 40 123 4567");
    assert_eq!(
        mine[1]["after"]["periods"][0]["week"]["tue"],
        json!([{"start": "10:00", "end": "16:00", "kind": "staffed"}])
    );
    assert_eq!(
        mine[2]["after"]["exceptions"].as_array().unwrap().len(),
        mine[1]["after"]["exceptions"].as_array().unwrap().len() + 1
    );
}

#[tokio::test]
async fn validation_errors_show_next_to_their_fields_in_the_partners_language() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let b = &app.base;
    let version = app.scalar(&format!("SELECT version FROM locations WHERE id = '{KANSALAISTALO}'")).await;
    let phone = app.scalar(&format!("SELECT coalesce(phone, '-') FROM locations WHERE id = '{KANSALAISTALO}'")).await;
    let r = steps(
        1000,
        signed_in(b, "sv", &token, json!([
            {"goto": format!("{b}/partner/locations/{KANSALAISTALO}?lang=sv")},
            {"fill": {"#phone": "12", "#email": "nobody", "#website": "www.example.fi"}},
            {"click": "#contact button[type=submit]"},
            {"record": "contact", "axe": true, "screenshot": artifact("editor-errors-contact-sv.png")},
            {"fill": {"#p0-wed-0-start": "16:00", "#p0-wed-0-end": "10:00", "#p0-thu-0-start": "25.00", "#p0-thu-0-end": "12"}},
            {"click": "#hours button[type=submit]"},
            {"record": "hours", "axe": true, "screenshot": artifact("editor-errors-hours-sv.png")},
            {"check": "#ex-open"},
            {"fill": {"#ex-reason-sv": "Utbildning"}},
            {"click": "#exceptions form.staff button[type=submit]"},
            {"record": "exception", "axe": true},
            {"fill": {"#ex-date": "24.12.2030"}},
            {"check": "#ex-closed"},
            {"click": "#exceptions form.staff button[type=submit]"},
            {"record": "no-finnish-reason"},
            {"fill": {"#ex-date": "1.1.2020", "#ex-reason-fi": "Koulutus"}},
            {"click": "#exceptions form.staff button[type=submit]"},
            {"record": "past-day"},
        ])),
    )
    .await;

    let contact = rec(&r, "contact");
    assert_eq!(contact["status"], 422);
    assert_eq!(contact["lang"], "sv");
    assert_eq!(error_at(contact, "phone"), "Fel: Ange ett telefonnummer som +358 13 123 4567 eller 013 123 4567.");
    assert_eq!(error_at(contact, "email"), "Fel: Ange en e-postadress som namn@exempel.fi.");
    assert!(error_at(contact, "website").starts_with("Fel: Ange en webbadress som börjar med https://"));
    let links: Vec<&str> = contact["summary"].as_array().unwrap().iter().map(|l| l["href"].as_str().unwrap()).collect();
    assert_eq!(links.len(), 3);
    for input in ["#phone", "#email", "#website"] {
        assert!(links.contains(&input), "the error list links to {input}: {links:?}");
    }
    assert_eq!(contact["values"]["email"], "nobody", "what was typed is kept");

    let hours = rec(&r, "hours");
    assert_eq!(hours["status"], 422);
    assert_eq!(
        error_at(hours, "p0-thu-0-start"),
        "Fel: Detta är inte ett klockslag. Ange en tid mellan 0.00 och 24.00, till exempel 10.00."
    );
    assert!(
        error_at(hours, "p0-wed-0-start").starts_with("Fel: Tiden slutar innan den börjar."),
        "{}",
        hours["errors"]
    );
    assert_eq!(hours["values"]["p0-wed-0-start"], "16:00", "what was typed is kept");
    let listed: Vec<&str> = hours["summary"].as_array().unwrap().iter().map(|l| l["text"].as_str().unwrap()).collect();
    assert!(
        listed.len() == 2 && listed[0].starts_with("Onsdag, tid 1: ") && listed[1].starts_with("Torsdag, tid 1: "),
        "the error list names the day, in the page's order: {listed:?}"
    );

    let exception = rec(&r, "exception");
    assert_eq!(exception["status"], 422);
    assert_eq!(error_at(exception, "ex-date"), "Fel: Ange datum.");
    assert_eq!(error_at(exception, "ex-open"), "Fel: Ange öppettiderna för dagen eller välj ”Stängt hela dagen”.");
    let no_finnish = rec(&r, "no-finnish-reason");
    assert_eq!(no_finnish["status"], 422);
    assert_eq!(error_at(no_finnish, "ex-reason-fi"), "Fel: Skriv texten på finska.");
    assert_eq!(
        error_at(rec(&r, "past-day"), "ex-date"),
        "Fel: Dagen har redan varit. Ange i dag eller ett senare datum."
    );
    for name in ["contact", "hours", "exception"] {
        accessible(rec(&r, name));
    }

    // Nothing was written.
    assert_eq!(app.scalar(&format!("SELECT version FROM locations WHERE id = '{KANSALAISTALO}'")).await, version);
    assert_eq!(
        app.scalar(&format!("SELECT coalesce(phone, '-') FROM locations WHERE id = '{KANSALAISTALO}'")).await,
        phone
    );
    assert_eq!(app.scalar("SELECT count(*) FROM history WHERE token_name = 'test token of pksotu'").await, "0");
}

#[tokio::test]
async fn the_editor_works_by_keyboard_alone_on_a_narrow_screen() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let b = &app.base;
    let r = steps(
        360,
        json!([
            {"goto": format!("{b}/partner?lang=en")},
            {"tabTo": "#key", "max": 20},
            {"type": token},
            {"press": "Enter"},
            {"record": "home", "axe": true, "screenshot": artifact("editor-narrow-home.png")},
            {"tabTo": format!("a[href^='/partner/locations/{KANSALAISTALO}']"), "max": 30},
            {"press": "Enter"},
            {"record": "location", "axe": true, "screenshot": artifact("editor-narrow-location.png")},
            {"tabTo": "#phone", "max": 30},
            {"press": "Control+A"},
            {"type": "+358 50 765 4321"},
            {"press": "Enter"},
            {"record": "saved"},
            {"tabTo": "#confirm button", "max": 400},
            {"press": "Enter"},
            {"record": "confirmed"},
        ]),
    )
    .await;
    for name in ["home", "location", "saved", "confirmed"] {
        let page = rec(&r, name);
        assert_eq!(page["status"], 200, "{name}");
        assert_eq!(page["overflow"], false, "{name}: the page is wider than a 360 px screen");
    }
    assert_eq!(rec(&r, "home")["h1"], "Pohjois-Karjalan Sosiaaliturvayhdistys ry (PKSOTU)");
    assert_eq!(rec(&r, "saved")["notices"], json!(["Saved."]));
    assert_eq!(rec(&r, "confirmed")["notices"], json!(["Thank you! The location's details are marked as checked."]));
    accessible(rec(&r, "home"));
    accessible(rec(&r, "location"));
    let loc = app.json(&format!("/v1/locations/{KANSALAISTALO}")).await;
    assert_eq!(loc["phone"], "+358 50 765 4321");
    assert_eq!(loc["verified_by"]["id"], "pksotu");
}

#[tokio::test]
async fn the_coordinator_sees_every_organisation_the_report_and_the_keys() {
    let app = TestApp::spawn().await;
    let admin = app.token("pksotu", true).await;
    let inferred = app.scalar("SELECT id FROM locations WHERE confidence = 'assumed' ORDER BY id LIMIT 1").await;
    app.sql("UPDATE locations SET verified_at = now() - interval '200 days', created_at = now() - interval '400 days' WHERE id = 'jns-nepenmaki'").await;
    let b = &app.base;
    let r = steps(
        1000,
        signed_in(
            b,
            "fi",
            &admin,
            json!([
                {"select": {"#org": "joensuun-kaupunginkirjasto"}},
                {"click": "form.staff button[type=submit]"},
                {"record": "library", "axe": true},
                {"goto": format!("{b}/partner/locations/jns-paakirjasto?lang=fi")},
                {"record": "estimated"},
                {"goto": format!("{b}/partner/locations/{inferred}?lang=fi")},
                {"record": "inferred"},
                {"goto": format!("{b}/partner/stale?lang=fi")},
                {"record": "stale", "axe": true, "screenshot": artifact("editor-stale.png")},
                {"goto": format!("{b}/partner/keys?lang=fi")},
                {"select": {"#key-org": "pksotu"}},
                {"fill": {"#key-name": "Kansalaistalon vapaaehtoiset"}},
                {"click": "form.staff button[type=submit]"},
                {"record": "new-key", "axe": true, "screenshot": artifact("editor-keys.png")},
                {"click": "button:has-text('Poista käytöstä: Kansalaistalon vapaaehtoiset')"},
                {"record": "revoked"},
            ]),
        ),
    )
    .await;
    let library = rec(&r, "library");
    assert_eq!(library["h1"], "Joensuun kaupunginkirjasto (Joensuun seutukirjasto)", "{}", text(library));
    assert!(text(library).contains("Vahvistamatta yli 180 päivää"), "{}", text(library));
    // Estimates are said to be estimates where the partner acts on them.
    assert_eq!(app.json("/v1/locations/jns-paakirjasto").await["hours_confidence"], "assumed");
    assert!(text(rec(&r, "estimated"))
        .contains("Mikään lähde ei vahvista näitä aukioloaikoja, ja osa niistä voi olla arviota"));
    assert!(text(rec(&r, "inferred")).contains("Osa tämän toimipisteen tiedoista on päätelty"), "{inferred}");
    let stale = rec(&r, "stale");
    assert_eq!(stale["h1"], "Vahvistamatta jääneet tiedot");
    assert!(text(stale).contains("Päiviä vahvistamatta: 200"), "{}", text(stale));
    let new_key = rec(&r, "new-key");
    assert_eq!(new_key["status"], 201);
    let shown = text(new_key);
    let at = shown.find("dtk_").expect("the new key is shown once");
    let key: String = shown[at..].chars().take(44).collect();
    assert!(digituki::auth::well_formed(&key), "{key}");
    for name in ["library", "stale", "new-key"] {
        accessible(rec(&r, name));
    }
    // The key shown works on the API for its organisation … until it is revoked.
    let resp =
        app.write(reqwest::Method::GET, &format!("/v1/locations/{KANSALAISTALO}/history"), &key).send().await.unwrap();
    assert_eq!(resp.status(), 401, "the key was revoked in the browser");
    assert_eq!(rec(&r, "revoked")["notices"], json!(["Tallennettu."]));
    let stored = app
        .scalar(
            "SELECT count(*) FROM api_tokens WHERE name = 'Kansalaistalon vapaaehtoiset' AND revoked_at IS NOT NULL",
        )
        .await;
    assert_eq!(stored, "1");
}

#[tokio::test]
async fn a_summer_season_a_level_of_help_and_the_services_at_a_location() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let b = &app.base;
    let r = steps(
        1000,
        signed_in(b, "fi", &token, json!([
            {"goto": format!("{b}/partner/locations/{KANSALAISTALO}?lang=fi")},
            // The empty last period is for a new season.
            {"fill": {"#p1-from": "1.6.2027", "#p1-to": "15.8.2027", "#p1-name-fi": "Kesäaukiolo", "#p1-name-en": "Summer hours",
                      "#p1-mon-0-start": "12", "#p1-mon-0-end": "16",
                      "#p0-tue-0-start": "10", "#p0-tue-0-end": "12"}},
            {"click": "#hours button[type=submit]"},
            {"record": "season"},
            {"select": {"#level-pksotu-guidance-online-services": "information_only"}},
            {"click": "form[action*='/services/pksotu-guidance-online-services/level'] button"},
            {"record": "level"},
            {"click": "form[action^='/partner/locations/pksotu-kansalaistalo/services/pksotu-kansalaistalo-peer-support/remove'] button"},
            {"record": "removed"},
            {"select": {"#add-service": "pksotu-peer-support"}},
            {"click": "form[action*='/services?'] button"},
            {"record": "added", "axe": true},
        ])),
    )
    .await;
    let season = rec(&r, "season");
    assert_eq!(season["notices"], json!(["Tallennettu."]), "{}", season["errors"]);
    assert_eq!(season["values"]["p1-from"], "1.6.2027");
    assert_eq!(season["values"]["p1-name-fi"], "Kesäaukiolo");
    assert!(text(season).contains("Kausi: Kesäaukiolo (1.6.2027–15.8.2027)"), "the stored season is shown by name");
    let monday = app.json(&format!("/v1/locations/{KANSALAISTALO}/schedule?from=2027-06-07&to=2027-06-07")).await;
    let range = &monday["days"][0]["ranges"][0];
    assert_eq!(
        (&range["start"], &range["end"], &range["kind"]),
        (&json!("12:00"), &json!("16:00"), &json!("staffed")),
        "{monday}"
    );
    assert_eq!(monday["days"][0]["period"]["fi"], "Kesäaukiolo", "{monday}");

    assert_eq!(rec(&r, "level")["notices"], json!(["Tallennettu."]));
    assert_eq!(rec(&r, "level")["values"]["level-pksotu-guidance-online-services"], "information_only");
    let service = app.json("/v1/services/pksotu-guidance-online-services").await;
    assert_eq!(service["assistance_level"], "information_only");

    let removals = |page: &Value| {
        page["actions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                let a = a.as_str().unwrap();
                a.contains("/services/") && a.contains("/remove?")
            })
            .count()
    };
    let removed = rec(&r, "removed");
    assert_eq!(removed["notices"], json!(["Poistettu."]));
    assert_eq!(removals(removed), 3, "three services left here");
    let added = rec(&r, "added");
    assert_eq!(added["notices"], json!(["Tallennettu."]));
    assert_eq!(removals(added), 4, "four again");
    accessible(added);
    let loc = app.json(&format!("/v1/locations/{KANSALAISTALO}")).await;
    let offered: Vec<&str> =
        loc["services"].as_array().unwrap().iter().map(|s| s["service_id"].as_str().unwrap()).collect();
    assert!(offered.contains(&"pksotu-peer-support"), "{offered:?}");

    // A season is removed with its box ticked.
    let again = steps(
        1000,
        signed_in(
            b,
            "fi",
            &token,
            json!([
                {"goto": format!("{b}/partner/locations/{KANSALAISTALO}?lang=fi")},
                {"check": "#p1-remove"},
                {"click": "#hours button[type=submit]"},
                {"record": "season-removed"},
            ]),
        ),
    )
    .await;
    assert_eq!(rec(&again, "season-removed")["notices"], json!(["Tallennettu."]));
    let hours = app.json(&format!("/v1/locations/{KANSALAISTALO}/hours")).await;
    assert_eq!(hours["hours"]["periods"].as_array().unwrap().len(), 1, "{hours}");

    // Each through the write path, in history, naming the key.
    let count = |kind: &str, action: &str| {
        format!(
            "SELECT count(*) FROM history WHERE entity_type = '{kind}' AND action = '{action}' AND token_name = 'test token of pksotu'"
        )
    };
    assert_eq!(app.scalar(&count("location", "hours")).await, "2");
    assert_eq!(app.scalar(&count("service", "update")).await, "1");
    assert_eq!(app.scalar(&count("service_at_location", "delete")).await, "1");
    assert_eq!(app.scalar(&count("service_at_location", "create")).await, "1");
}

// ---------------------------------------------------------------- guards, over plain HTTP

struct Browser<'a> {
    app: &'a TestApp,
    cookie: Option<String>,
}

impl Browser<'_> {
    fn client() -> reqwest::Client {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let mut req = Self::client().get(self.app.url(path));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
        let body = resp.text().await.unwrap();
        (status, location.unwrap_or(body))
    }

    async fn post(&self, path: &str, origin: Option<&str>, form: &[(&str, &str)]) -> reqwest::Response {
        let enc = digituki::embed::page::encode;
        let body: Vec<String> = form.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
        let mut req = Self::client()
            .post(self.app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&"));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send().await.unwrap()
    }
}

/// A location's stored version and phone.
async fn stored(app: &TestApp, id: &str) -> String {
    app.scalar(&format!("SELECT version || ' ' || coalesce(phone, '-') FROM locations WHERE id = '{id}'")).await
}

/// The value of a hidden input on a page.
fn hidden(page: &str, name: &str) -> String {
    let at = page.find(&format!("name=\"{name}\" value=\"")).unwrap_or_else(|| panic!("no {name} on the page"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn sessions_are_guarded_by_cookie_csrf_origin_scope_and_revocation() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let admin = app.token("pksotu", true).await;
    let mut b = Browser { app: &app, cookie: None };
    let own = app.base.clone();

    // Signing in: a wrong key is refused in words, from another site not at all.
    let resp = b.post("/partner/sign-in?lang=fi", Some(&own), &[("key", "dtk_wrong")]).await;
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().get("set-cookie").is_none());
    assert!(resp.text().await.unwrap().contains("Avainta ei tunnistettu"));
    let resp = b.post("/partner/sign-in", Some("http://evil.example"), &[("key", &token)]).await;
    assert_eq!(resp.status(), 403, "a sign-in posted from another site");
    assert!(resp.headers().get("set-cookie").is_none());
    let resp = b.post("/partner/sign-in?lang=fi", Some(&own), &[("key", &token)]).await;
    assert_eq!(resp.status(), 303);
    let set = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.starts_with("__Host-digituki-partner="), "{set}");
    for part in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict", "Max-Age="] {
        assert!(set.contains(part), "{set} lacks {part}");
    }
    assert!(!set.contains(&token), "the cookie holds a session secret, not the key");
    b.cookie = Some(set.split(';').next().unwrap().to_owned());

    // The page: not cached, not framed, partner text escaped.
    app.sql(&format!("UPDATE locations SET name_fi = '{HOSTILE}' WHERE id = '{KANSALAISTALO}'")).await;
    app.wait_for_snapshot().await;
    let resp = Browser::client()
        .get(app.url(&format!("/partner/locations/{KANSALAISTALO}?lang=fi")))
        .header("cookie", b.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    assert!(resp.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let page = resp.text().await.unwrap();
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;") && !page.contains(HOSTILE), "partner text is escaped");
    let csrf = hidden(&page, "csrf");
    let version = hidden(&page, "version");
    let before = stored(&app, KANSALAISTALO).await;

    // A form without the session's CSRF secret, or from another site, or against an old
    // version, changes nothing.
    let contact = format!("/partner/locations/{KANSALAISTALO}/contact?lang=fi");
    let resp = b.post(&contact, None, &[("version", &version), ("phone", "013 111 2222")]).await;
    assert_eq!(resp.status(), 403, "no CSRF field");
    let resp = b
        .post(&contact, None, &[("csrf", "x".repeat(32).as_str()), ("version", &version), ("phone", "013 111 2222")])
        .await;
    assert_eq!(resp.status(), 403, "a wrong CSRF field");
    let resp = b
        .post(
            &contact,
            Some("http://evil.example"),
            &[("csrf", &csrf), ("version", &version), ("phone", "013 111 2222")],
        )
        .await;
    assert_eq!(resp.status(), 403, "posted from another site");
    let resp = b.post(&contact, Some(&own), &[("csrf", &csrf), ("version", "1"), ("phone", "013 111 2222")]).await;
    assert_eq!(resp.status(), 409, "an old version");
    assert!(resp.text().await.unwrap().contains("Joku muu muutti näitä tietoja sillä välin"));
    assert_eq!(stored(&app, KANSALAISTALO).await, before, "nothing changed");
    let resp = b.post(&contact, Some(&own), &[("csrf", &csrf), ("version", &version), ("phone", "013 111 2222")]).await;
    assert_eq!(resp.status(), 303, "the same form, right");
    // Confirming a version someone else has changed since is refused too.
    let confirm = format!("/partner/locations/{KANSALAISTALO}/confirm?lang=fi");
    let resp = b.post(&confirm, Some(&own), &[("csrf", &csrf), ("version", &version)]).await;
    assert_eq!(resp.status(), 409, "the page's version is gone after the change above");
    // An hours form without a single time is not stored as "closed every day".
    let page = b.get(&format!("/partner/locations/{KANSALAISTALO}?lang=fi")).await.1;
    let current = hidden(&page, "version");
    let hours = format!("/partner/locations/{KANSALAISTALO}/hours?lang=fi");
    let resp =
        b.post(&hours, Some(&own), &[("csrf", &csrf), ("version", &current), ("periods", "2"), ("p1-new", "1")]).await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("Anna vähintään yksi aika."));
    assert_eq!(
        app.scalar(&format!("SELECT count(*) FROM opening_hours WHERE location_id = '{KANSALAISTALO}'")).await,
        "0"
    );
    assert_ne!(stored(&app, KANSALAISTALO).await, before);

    // Scope: another organisation's location, and the coordinator's pages.
    let (status, _) = b.get("/partner/locations/jns-paakirjasto?lang=fi").await;
    assert_eq!(status, 403);
    let other = stored(&app, "jns-paakirjasto").await;
    let v = other.split(' ').next().unwrap().to_owned();
    let resp = b
        .post(
            "/partner/locations/jns-paakirjasto/contact",
            None,
            &[("csrf", &csrf), ("version", &v), ("phone", "013 111 2222")],
        )
        .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(stored(&app, "jns-paakirjasto").await, other);
    assert_eq!(b.get("/partner/keys").await.0, 403);
    assert_eq!(b.get("/partner/stale").await.0, 403);
    assert_eq!(b.get("/partner?org=joensuun-kaupunginkirjasto").await.0, 403);

    // Signing out ends the session: the old cookie no longer signs in.
    let resp = b.post("/partner/sign-out?lang=fi", Some(&own), &[("csrf", &csrf)]).await;
    assert_eq!(resp.status(), 303);
    assert!(resp.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let (status, location) = b.get(&format!("/partner/locations/{KANSALAISTALO}?lang=fi")).await;
    assert_eq!((status, location.as_str()), (303, "/partner?lang=fi&first=1"), "signed out: back to signing in");
    let resp = b.post(&contact, Some(&own), &[("csrf", &csrf), ("version", &version), ("phone", "013 999 9999")]).await;
    assert_eq!(resp.status(), 303);
    assert!(!stored(&app, KANSALAISTALO).await.ends_with("013 999 9999"));

    // Revoking the key ends its sessions.
    let resp = b.post("/partner/sign-in", Some(&own), &[("key", &token)]).await;
    b.cookie = Some(resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned());
    assert_eq!(b.get(&format!("/partner/locations/{KANSALAISTALO}")).await.0, 200);
    let id = app.scalar("SELECT id FROM api_tokens WHERE NOT is_admin").await;
    let resp = app.write(reqwest::Method::DELETE, &format!("/v1/admin/tokens/{id}"), &admin).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(b.get(&format!("/partner/locations/{KANSALAISTALO}")).await.0, 303, "a revoked key's session ends");
}

#[tokio::test]
async fn behind_a_proxy_the_origin_is_the_public_one() {
    // A reverse proxy that rewrites Host (nginx's default) in front of a service told its
    // public address: the browser's Origin is the public one.
    let options = digituki::startup::Options {
        proxy: digituki::http::proxy::ProxyConfig {
            public_url: Some("https://digituki.example.fi".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let app = TestApp::spawn_options(crate::helpers::fresh_database().await, options).await;
    let token = app.token("pksotu", false).await;
    let b = Browser { app: &app, cookie: None };
    let resp = b.post("/partner/sign-in", Some("https://digituki.example.fi"), &[("key", &token)]).await;
    assert_eq!(resp.status(), 303, "the public origin signs in");
    let resp = b.post("/partner/sign-in", Some(&app.base), &[("key", &token)]).await;
    assert_eq!(resp.status(), 403, "the service's own address is not the public origin");
    let resp = b.post("/partner/sign-in", Some("null"), &[("key", &token)]).await;
    assert_eq!(resp.status(), 403, "an opaque origin is refused");
}
