//! Issue 10, truthful answers, over HTTP on the demo data in fi, sv and en: approximate
//! distances, unconfirmed hours, no placeholders in JSON-LD, statuses at the time asked for,
//! what emptied a staff search, the language selector, the referral slip's content,
//! verification (who and when) and the partner rules on confidence, CORS on errors, and the
//! embedding guide's examples.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const LANGS: [&str; 3] = ["fi", "sv", "en"];
/// A Tuesday, 13:00 in Helsinki: staffed hours at the main library in the demo data.
const TUESDAY: &str = "when=at&date=2027-01-12&time=13:00";

async fn html(app: &TestApp, path: &str) -> String {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), 200, "GET {path}");
    resp.text().await.unwrap()
}

/// The page's visible text: scripts and tags dropped, entities maud writes decoded,
/// whitespace collapsed.
fn text(html: &str) -> String {
    let mut rest = html;
    let mut visible = String::new();
    while let Some(i) = rest.find("<script") {
        visible.push_str(&rest[..i]);
        rest = rest[i..].find("</script>").map(|j| &rest[i + j + "</script>".len()..]).unwrap_or("");
    }
    visible.push_str(rest);
    let mut out = String::new();
    let mut in_tag = false;
    for c in visible.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out.replace("&amp;", "&").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// The results part of a staff page (after the form).
fn results(page: &str) -> String {
    text(page.split("id=\"results-title\"").nth(1).unwrap_or_else(|| panic!("no results in {page}")))
}

#[tokio::test]
async fn approximate_distances_say_about_and_the_same_postal_area() {
    let app = TestApp::spawn().await;
    let api = app.json("/v1/locations/nearest?postal_code=81700&limit=5").await;
    let lieksa = api["items"].as_array().unwrap().iter().find(|l| l["id"] == "lie-kirjasto").unwrap();
    let km = (lieksa["distance_m"].as_f64().unwrap() / 1000.0).round();
    for (lang, about, same) in [
        ("fi", "n.", "samalla postinumeroalueella"),
        ("sv", "ca", "inom samma postnummerområde"),
        ("en", "about", "in the same postal code area"),
    ] {
        for path in [
            format!("/embed/list?near=81700&limit=5&lang={lang}"),
            format!("/staff?lang={lang}&postal_code=81700&{TUESDAY}"),
        ] {
            let t = text(&html(&app, &path).await);
            assert!(t.contains(&format!("{about} {km} km ({same})")), "{path}: {t}");
            assert!(!t.contains("15,6 km") && !t.contains("15.6 km"), "{path}: an exact-looking distance");
        }
    }
    // From a point, a place known to street level keeps its exact distance.
    let t = text(&html(&app, "/embed/list?lat=62.6017&lon=29.7514&limit=3&lang=fi").await);
    assert!(t.contains("Etäisyys 0 m"), "{t}");
}

#[tokio::test]
async fn assumed_hours_are_labelled_and_never_published_as_schema_org_facts() {
    let app = TestApp::spawn().await;
    // The main library's hours are demo placeholders (`assumed`) in the demo data; should
    // sourced hours replace them, any place with placeholder hours is checked instead.
    let all = app.json("/v1/locations?per_page=100").await;
    let assumed: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["hours_confidence"] == "assumed")
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(!assumed.is_empty(), "the demo data has placeholder hours");
    let id = if assumed.contains(&"jns-paakirjasto") { "jns-paakirjasto" } else { assumed[0] };
    let place = app.json(&format!("/v1/locations/{id}")).await;
    let municipality = place["address"]["municipality_code"].as_str().unwrap();
    for (lang, label) in [
        ("fi", "Aukioloaikoja ei ole vahvistettu – tarkista ennen lähtöä"),
        ("sv", "Öppettiderna är inte bekräftade – kontrollera före besöket"),
        ("en", "Opening hours not confirmed – check before you go"),
    ] {
        for path in [
            format!("/embed/list?municipality={municipality}&limit=100&lang={lang}"),
            format!("/v1/locations/{id}/referral?lang={lang}"),
        ] {
            let t = text(&html(&app, &path).await);
            assert!(t.to_lowercase().contains(&label.to_lowercase()), "{path}: {label}");
        }
        // In the staff tool, next to that day's hours of each place with placeholder hours.
        let page = html(&app, &format!("/staff?lang={lang}&postal_code=80100&{TUESDAY}")).await;
        // Place cards only (the upcoming sessions are articles too).
        for card in page.split("<article").skip(1).filter(|c| c.contains("id=\"place-")) {
            let card_id = card.split("id=\"place-").nth(1).unwrap().split('"').next().unwrap();
            let l = app.json(&format!("/v1/locations/{card_id}")).await;
            let labelled = text(card).to_lowercase().contains(&label.to_lowercase());
            assert_eq!(labelled, l["hours_confidence"] == "assumed", "{lang}: {card_id}");
        }
        let page = html(&app, &format!("/embed/list?limit=100&lang={lang}")).await;
        let start = page.find("application/ld+json\">").unwrap() + "application/ld+json\">".len();
        let ld: Value = serde_json::from_str(&page[start..start + page[start..].find("</script>").unwrap()]).unwrap();
        fn no_nulls(v: &Value) -> bool {
            match v {
                Value::Null => false,
                Value::Object(m) => m.values().all(no_nulls),
                Value::Array(a) => a.iter().all(no_nulls),
                _ => true,
            }
        }
        assert!(no_nulls(&ld), "{lang}: a null in JSON-LD");
        let mut published = 0;
        for item in ld["itemListElement"].as_array().unwrap() {
            let id = item["item"]["@id"].as_str().unwrap().rsplit('/').next().unwrap();
            let l = app.json(&format!("/v1/locations/{id}")).await;
            let sure = l["hours_confidence"] == "verified" || l["hours_confidence"] == "approximate";
            let has =
                item["item"].get("openingHours").is_some() || item["item"].get("openingHoursSpecification").is_some();
            assert!(!has || sure, "{lang}: {id} publishes {} hours", l["hours_confidence"]);
            published += has as usize;
            // A point that is only an area estimate gets no geo pin.
            let precise = ["exact", "street"].contains(&l["coordinates"]["accuracy"].as_str().unwrap_or(""));
            assert_eq!(item["item"].get("geo").is_some(), precise, "{lang}: {id}");
        }
        assert!(published >= 1, "{lang}: the approximate hours are published");
    }
}

#[tokio::test]
async fn a_future_search_is_described_as_of_that_time_never_now() {
    let app = TestApp::spawn().await;
    // When the first place staffed then closes, per the API.
    let api = app.json("/v1/locations/nearest?postal_code=80100&open_at=2027-01-12T13:00:00%2B02:00&limit=1").await;
    let closes = api["items"][0]["next_change"]["local"].as_str().unwrap()[11..16].to_owned();
    let dotted = closes.replace(':', ".");
    for (lang, now, until, opens) in [
        ("fi", "nyt", format!("Apua saatavilla klo {dotted} asti"), "Avautuu "),
        ("sv", "nu", format!("Hjälp finns till kl. {dotted}"), "Öppnar "),
        ("en", "now", format!("Help available until {closes}"), "Opens "),
    ] {
        let page = html(&app, &format!("/staff?lang={lang}&postal_code=80100&{TUESDAY}")).await;
        let r = results(&page);
        assert!(r.contains(&until), "{lang}: {until}: {r}");
        assert!(!words(&r).contains(&now.to_owned()), "{lang}: a future search says {now:?}: {r}");
        // The list at a time asked for: closed places say when they open, not "closed now".
        let list = text(&html(&app, &format!("/embed/list?limit=100&lang={lang}&at=2027-01-12T06:00:00Z")).await);
        assert!(!words(&list).contains(&now.to_owned()), "{lang}: {list}");
        assert!(list.contains(opens), "{lang}");
    }
    let fi = text(&html(&app, "/embed/list?limit=100&lang=fi&at=2027-01-12T06:00:00Z").await);
    assert!(fi.contains("Avautuu ti 12.1. klo "), "{fi}");
    // A search for now may say so.
    let r = results(&html(&app, "/staff?lang=fi&postal_code=80100&when=now").await);
    assert!(r.contains("Tulokset (Nyt)"), "{r}");
}

#[tokio::test]
async fn an_empty_staff_search_names_the_criterion_and_when_help_is_next_available() {
    let app = TestApp::spawn().await;
    let listed = app.json("/v1/locations?language=uk").await;
    assert_eq!(listed["total"], 0, "no place lists Ukrainian in the demo data");
    for (lang, reason, without, next) in [
        ("fi", "Yksikään paikka ei ilmoita palvelevansa ukrainaksi.", "Hae ilman tätä ehtoa", "Lähin sopiva paikka"),
        (
            "sv",
            "Ingen plats uppger att den betjänar på ukrainska.",
            "Sök utan detta villkor",
            "Närmaste lämpliga plats",
        ),
        ("en", "No place says it serves in Ukrainian.", "Search without this criterion", "The nearest suitable place"),
    ] {
        let page = html(&app, &format!("/staff?lang={lang}&postal_code=80100&language=uk&{TUESDAY}")).await;
        let r = results(&page);
        assert!(r.contains(reason), "{lang}: {r}");
        assert!(r.contains(without) && r.contains(next), "{lang}: {r}");
        // The link repeats the search without the language.
        let diagnosis = page.split("class=\"diagnosis\"").nth(1).unwrap();
        let href = diagnosis.split("href=\"").nth(1).unwrap().split('"').next().unwrap();
        let href = href.replace("&amp;", "&");
        assert!(!href.contains("language=uk") && href.contains("postal_code=80100"), "{href}");
        let again = html(&app, &href).await;
        assert!(again.contains("<article"), "{lang}: dropping the language finds places: {href}");
    }
    // Late on a Sunday nothing is staffed: the time is named, with when the nearest place opens.
    let r = results(&html(&app, "/staff?lang=fi&postal_code=80100&when=at&date=2027-01-17&time=23:00").await);
    assert!(r.contains("Yksikään sopiva paikka ei ilmoita henkilökuntaa paikalla silloin."), "{r}");
    assert!(r.contains("palvelee seuraavan kerran ") && r.contains(" klo "), "{r}");
}

#[tokio::test]
async fn staff_tiers_language_counts_and_the_slip_link() {
    let app = TestApp::spawn().await;
    for (lang, tier, print) in [
        ("fi", "aukioloajat eivät tiedossa – soita ensin", "Tulosta ohjauslappu"),
        ("sv", "öppettiderna är inte kända – ring först", "Skriv ut hänvisning"),
        ("en", "opening hours not known – call first", "Print referral slip"),
    ] {
        let page = html(&app, &format!("/staff?lang={lang}&postal_code=80100&{TUESDAY}")).await;
        let tier2 = page.split("id=\"unknown-hours-title\"").nth(1).unwrap_or_else(|| panic!("{lang}: no second tier"));
        let tier2 = tier2.split("id=\"remote-title\"").next().unwrap();
        assert!(text(tier2).to_lowercase().contains(tier), "{lang}");
        // Places that publish no hours (in the demo data Kela, the citizens' house, the state
        // service point) show here: the nearest of them.
        let near = app.json("/v1/locations/nearest?postal_code=80100&limit=100&max_distance_km=25").await;
        let unknown = near["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| {
                l["opening_hours"].is_null()
                    && l["services"].as_array().unwrap().iter().all(|s| s["opening_hours"].is_null())
            })
            .expect("the demo data has places without hours near 80100");
        assert!(tier2.contains(&format!("id=\"place-{}\"", unknown["id"].as_str().unwrap())), "{lang}: {tier2}");
        assert!(text(&page).contains(print), "{lang}");
        // The language selector: only languages some place lists, each with its count.
        let select = page.split("id=\"language\"").nth(1).unwrap().split("</select>").next().unwrap();
        assert!(!select.contains("value=\"uk\""), "{lang}: Ukrainian is listed by no place");
        let fi_count = app.json("/v1/locations?language=fi&per_page=1").await["total"].as_u64().unwrap();
        let sv_count = app.json("/v1/locations?language=sv&per_page=1").await["total"].as_u64().unwrap();
        assert!(select.contains(&format!("({fi_count})")) && select.contains(&format!("({sv_count})")), "{select}");
    }
}

#[tokio::test]
async fn referral_slips_say_nothing_clock_relative_leave_no_empty_section_and_explain_authorized_assistance() {
    let app = TestApp::spawn().await;
    for lang in LANGS {
        for id in ["jns-paakirjasto", "kela-joensuu", "jns-rantakyla", "lie-asiointipiste"] {
            let page = html(&app, &format!("/v1/locations/{id}/referral?lang={lang}")).await;
            let t = text(&page);
            for w in ["nyt", "nu", "now"] {
                assert!(!words(&t).contains(&w.to_owned()), "{lang} {id}: {w:?} on paper: {t}");
            }
            // Every section has more than its heading.
            for section in page.split("<section").skip(1) {
                let body = section.split("</section>").next().unwrap();
                let after_heading = body.split("</h2>").nth(1).unwrap_or("");
                assert!(!text(after_heading).trim().is_empty(), "{lang} {id}: an empty section: {body}");
            }
            let l = app.json(&format!("/v1/locations/{id}")).await;
            if let Some(phone) = l["phone"].as_str() {
                assert!(t.contains(phone), "{lang} {id}: the phone");
            }
            // No street-level map for a point that is only an area estimate.
            let precise = ["exact", "street"].contains(&l["coordinates"]["accuracy"].as_str().unwrap_or(""));
            assert_eq!(page.contains("openstreetmap.org/?mlat="), precise, "{lang} {id}");
        }
    }
    let kela = text(&html(&app, "/v1/locations/kela-joensuu/referral?lang=fi").await);
    assert!(kela.contains("Valtuutettu asiointi"), "Kela offers authorized assistance");
    assert!(kela.contains("vain virallisella valtuutuksella"), "the note explains the difference: {kela}");
    assert!(!kela.contains("eikä asioi asiakkaan puolesta"), "the note does not contradict the service");
    let en = text(&html(&app, "/v1/locations/kela-joensuu/referral?lang=en").await);
    assert!(en.contains("only with a formal authorisation (such as a Suomi.fi mandate)"));
}

#[tokio::test]
async fn verify_records_who_and_when_and_every_page_shows_it() {
    let app = TestApp::spawn().await;
    let partner = app.token("pksotu", false).await;
    let resp = app.write(Method::POST, "/v1/locations/pksotu-kansalaistalo/verify", &partner).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["verified_by"]["id"], "pksotu");
    assert!(body["verified_at"].is_string());
    assert_eq!(body["confidence"], "approximate", "verify confirms the listing; it does not raise confidence");
    app.wait_for_snapshot().await;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Helsinki).date_naive();
    for (lang, want) in [
        ("fi", format!("Tarkistettu {} (PKSOTU)", today.format("%-d.%-m.%Y"))),
        ("sv", format!("Kontrollerad {} (PKSOTU)", today.format("%-d.%-m.%Y"))),
        ("en", format!("Checked {} (PKSOTU)", today.format("%-d %b %Y"))),
    ] {
        for path in [
            format!("/embed/list?municipality=Joensuu&limit=100&lang={lang}"),
            // Publishes no hours: in the "call first" tier of a search for its needs.
            format!("/staff?lang={lang}&postal_code=80100&topic=library_devices&{TUESDAY}"),
            format!("/v1/locations/pksotu-kansalaistalo/referral?lang={lang}"),
        ] {
            assert!(text(&html(&app, &path).await).contains(&want), "{path}: {want}");
        }
    }
    // No binary "not verified" badge on every other place.
    let list = text(&html(&app, "/embed/list?municipality=Joensuu&limit=100&lang=fi").await);
    assert!(!list.contains("Tietoa ei ole vahvistettu"));
    let history = app
        .write(Method::GET, "/v1/locations/pksotu-kansalaistalo/history", &partner)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let verify = history["items"].as_array().unwrap().iter().find(|h| h["action"] == "verify").unwrap();
    assert_eq!(verify["after"]["verified_by"], "pksotu", "{verify}");
}

#[tokio::test]
async fn a_partner_cannot_raise_confidence_or_set_derived_fields_and_the_coordinator_can() {
    let app = TestApp::spawn().await;
    let partner = app.token("pksotu", false).await;
    let path = "/v1/locations/pksotu-kansalaistalo";
    for (body, field) in [
        (json!({"confidence": "verified"}), "confidence"),
        (json!({"verified": true}), "verified"),
        (json!({"coordinates": {"accuracy": "exact"}}), "coordinates.accuracy"),
        (json!({"verified_at": "2026-12-01T10:00:00Z"}), "verified_at"),
    ] {
        let etag = app.etag(path).await;
        let resp = app
            .write(Method::PATCH, path, &partner)
            .header("If-Match", &etag)
            .header("Content-Type", "application/merge-patch+json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422, "{body}");
        assert!(resp.headers().get("access-control-allow-origin").is_none(), "writes grant no CORS");
        let problem: Value = resp.json().await.unwrap();
        assert_eq!(problem["parameter"], field, "{problem}");
        assert!(problem["detail"].as_str().unwrap().len() > 40, "a clear message: {problem}");
    }
    assert_eq!(app.json(path).await["confidence"], "approximate", "nothing changed");
    // Lowering is allowed.
    let etag = app.etag(path).await;
    let resp = app
        .write(Method::PATCH, path, &partner)
        .header("If-Match", &etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"confidence": "assumed"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // The coordinator raises it, and history says who.
    let admin = app.token("pohjois-karjalan-maakuntaliitto", true).await;
    let etag = app.etag(path).await;
    let resp = app
        .write(Method::PATCH, path, &admin)
        .header("If-Match", &etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"confidence": "verified"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["confidence"], "verified");
    assert_eq!(body["verified"], true);
    let history =
        app.write(Method::GET, &format!("{path}/history"), &admin).send().await.unwrap().json::<Value>().await.unwrap();
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["after"]["confidence"], "verified", "{last}");
    assert_eq!(last["before"]["confidence"], "assumed");
    assert_eq!(last["organization_id"], "pohjois-karjalan-maakuntaliitto");
}

#[tokio::test]
async fn public_read_errors_carry_cors_so_embedding_pages_can_show_the_detail() {
    let app = TestApp::spawn().await;
    for path in [
        "/v1/locations?municipality=Atlantis",
        "/v1/locations/nearest?postal_code=99999",
        "/v1/locations/no-such-place",
        "/embed/list?municipality=Atlantis",
    ] {
        let resp = app.get(path).await;
        assert!(resp.status().is_client_error(), "{path}");
        assert_eq!(resp.headers()["access-control-allow-origin"], "*", "{path}");
        let problem: Value = resp.json().await.unwrap();
        assert!(!problem["detail"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn the_embedding_guides_examples_return_results() {
    let app = TestApp::spawn().await;
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/embedding.md")).unwrap();
    let mut checked = 0;
    // Every iframe and link example: the page lists places.
    for part in guide.split("https://DIGITUKI-SERVER").skip(1) {
        let path: String =
            part.chars().take_while(|c| !c.is_whitespace() && *c != '"' && *c != '`' && *c != ')').collect();
        if !path.starts_with("/embed/list") {
            continue;
        }
        let page = html(&app, &path.replace("&amp;", "&")).await;
        assert!(page.matches("<article class=\"place\"").count() >= 1, "{path}: no results");
        checked += 1;
    }
    // Every widget example: the same query through the API it calls.
    for part in guide.split("<digituki-directory").skip(1) {
        let tag = part.split('>').next().unwrap();
        let attr =
            |name: &str| tag.split(&format!(" {name}=\"")).nth(1).map(|r| r.split('"').next().unwrap().to_owned());
        let mut q = vec![format!("lang={}", attr("lang").unwrap_or("fi".into()))];
        for t in attr("topic").unwrap_or_default().split(',').filter(|t| !t.is_empty()) {
            q.push(format!("topic={t}"));
        }
        for name in ["municipality", "language"] {
            if let Some(v) = attr(name) {
                q.push(format!("{name}={v}"));
            }
        }
        let api = match attr("near") {
            Some(near) => app.json(&format!("/v1/locations/nearest?postal_code={near}&{}", q.join("&"))).await,
            None => app.json(&format!("/v1/locations?{}", q.join("&"))).await,
        };
        assert!(!api["items"].as_array().unwrap().is_empty(), "{tag}: no results");
        checked += 1;
    }
    assert!(checked >= 4, "the guide has examples: {checked}");
}
