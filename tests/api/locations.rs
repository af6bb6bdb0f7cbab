//! The location list, detail, filters, text search, languages and conditional GET.

use serde_json::Value;

use crate::helpers::TestApp;

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn lists_every_demo_location_with_total_and_pages() {
    let app = TestApp::spawn().await;
    let all = app.json("/v1/locations?per_page=100").await;
    // 41 in the second edition of the demo data (40 + Outokumpu city-hall customer service).
    assert_eq!(all["total"], 41);
    assert_eq!(all["items"].as_array().unwrap().len(), 41);
    let p1 = app.json("/v1/locations?per_page=15&page=1").await;
    let p3 = app.json("/v1/locations?per_page=15&page=3").await;
    assert_eq!(p1["total"], 41);
    assert_eq!(ids(&p1), ids(&all)[..15].to_vec());
    assert_eq!(ids(&p3), ids(&all)[30..].to_vec());
    let beyond = app.json("/v1/locations?per_page=15&page=4").await;
    assert_eq!(beyond["items"].as_array().unwrap().len(), 0);
    assert_eq!(beyond["total"], 41);
}

#[tokio::test]
async fn filters_by_municipality_code_or_name_organization_kind_topic_language() {
    let app = TestApp::spawn().await;
    let by_code = app.json("/v1/locations?municipality=167&per_page=100").await;
    let by_name = app.json("/v1/locations?municipality=joensuu&per_page=100").await;
    assert_eq!(ids(&by_code), ids(&by_name));
    assert!(by_code["total"].as_u64().unwrap() >= 10);
    for l in by_code["items"].as_array().unwrap() {
        assert_eq!(l["address"]["municipality_code"], "167");
    }

    let org = app.json("/v1/locations?organization=liperin-kirjastot").await;
    assert_eq!(org["total"], 4);
    assert!(org["items"].as_array().unwrap().iter().all(|l| l["organization"]["id"] == "liperin-kirjastot"));

    let bookmobiles = app.json("/v1/locations?kind=library_bookmobile").await;
    assert_eq!(bookmobiles["total"], 6);

    // Repeated topics: a location must offer all of them.
    let one = app.json("/v1/locations?topic=library_devices&per_page=100").await;
    let both = app.json("/v1/locations?topic=library_devices&topic=phone_tablet_basics&per_page=100").await;
    assert!(both["total"].as_u64().unwrap() < one["total"].as_u64().unwrap());
    assert!(both["total"].as_u64().unwrap() >= 1);
    for l in both["items"].as_array().unwrap() {
        let topics = l["topics"].as_array().unwrap();
        assert!(topics.contains(&"library_devices".into()) && topics.contains(&"phone_tablet_basics".into()));
    }
    assert!(ids(&both).contains(&"jns-paakirjasto".to_owned()));

    let swedish = app.json("/v1/locations?language=sv").await;
    assert_eq!(ids(&swedish), vec!["kela-joensuu"]);
    let english = app.json("/v1/locations?language=en&per_page=100").await;
    assert!(english["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["languages"].as_array().unwrap().contains(&"en".into())));
    assert!(english["total"].as_u64().unwrap() >= 4);
}

#[tokio::test]
async fn text_search_copes_with_finnish_inflection() {
    let app = TestApp::spawn().await;
    for q in ["kirjasto", "kirjastossa", "kirjastot", "p%C3%A4%C3%A4kirjasto", "Joensuun%20kirjasto"] {
        let page = app.json(&format!("/v1/locations?q={q}&per_page=100")).await;
        assert!(ids(&page).contains(&"jns-paakirjasto".to_owned()), "q={q}: {:?}", ids(&page));
    }
    let kela = app.json("/v1/locations?q=kela").await;
    assert_eq!(ids(&kela), vec!["kela-joensuu"]);
    let none = app.json("/v1/locations?q=xyzzyplugh").await;
    assert_eq!(none["total"], 0);
}

#[tokio::test]
async fn location_detail_shows_provenance_and_confidence() {
    let app = TestApp::spawn().await;
    let l = app.json("/v1/locations/jns-paakirjasto").await;
    assert_eq!(l["name"]["fi"], "Joensuun pääkirjasto");
    assert_eq!(l["address"]["street"], "Koskikatu 25");
    assert_eq!(l["confidence"], "verified");
    assert_eq!(l["verified"], true);
    assert!(!l["provenance"]["sources"].as_array().unwrap().is_empty());
    assert_eq!(l["coordinates"]["lat"], 62.6017);

    // An assumed record is visibly unverified.
    let k = app.json("/v1/locations/kon-kirjasto").await;
    assert_eq!(k["confidence"], "assumed");
    assert_eq!(k["verified"], false);

    app.problem("/v1/locations/Not_An_Id!", 400, "id").await;
    let resp = app.get("/v1/locations/no-such-place").await;
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn language_selection_and_fallback_to_finnish() {
    let app = TestApp::spawn().await;
    let all = app.json("/v1/locations/jns-paakirjasto").await;
    assert_eq!(all["name"]["fi"], "Joensuun pääkirjasto");
    assert_eq!(all["name"]["en"], "Joensuu Main Library");
    assert!(all["name"]["sv"].is_null());

    let en = app.json("/v1/locations/jns-paakirjasto?lang=en").await;
    assert_eq!(en["name"], "Joensuu Main Library");
    // No Swedish name: Finnish instead.
    let sv = app.json("/v1/locations/jns-paakirjasto?lang=sv").await;
    assert_eq!(sv["name"], "Joensuun pääkirjasto");
    // Kela has a Swedish organization name.
    let kela = app.json("/v1/organizations/kela-joensuu?lang=sv").await;
    assert_eq!(kela["name"], "FPA");

    let by_header = app
        .client
        .get(app.url("/v1/locations/jns-paakirjasto"))
        .header("Accept-Language", "en-GB,en;q=0.9,fi;q=0.5")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(by_header["name"], "Joensuu Main Library");
    let unsupported = app
        .client
        .get(app.url("/v1/locations/jns-paakirjasto"))
        .header("Accept-Language", "de-DE")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(unsupported["name"], "Joensuun pääkirjasto");
    // `lang` beats the header.
    let both = app
        .client
        .get(app.url("/v1/topics?lang=sv"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(both["items"][0]["label"], "Offentliga e-tjänster");
}

#[tokio::test]
async fn etag_and_if_none_match_give_304() {
    let app = TestApp::spawn().await;
    for path in
        ["/v1/locations", "/v1/locations/jns-paakirjasto", "/v1/locations/nearest?postal_code=80100", "/v1/topics"]
    {
        let first = app.get(path).await;
        assert_eq!(first.status(), 200);
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(first.headers()["cache-control"].to_str().unwrap().contains("max-age"));
        assert_eq!(first.headers()["access-control-allow-origin"], "*");
        let again = app.client.get(app.url(path)).header("If-None-Match", &etag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert!(again.text().await.unwrap().is_empty());
        let other = app.client.get(app.url(path)).header("If-None-Match", "\"0-0\"").send().await.unwrap();
        assert_eq!(other.status(), 200);
        // HEAD answers like GET, without the body.
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), 200);
        assert_eq!(head.headers()["etag"].to_str().unwrap(), etag);
        assert!(head.bytes().await.unwrap().is_empty());
    }

    // A committed change gives a new snapshot version and so a new ETag.
    let before = app.get("/v1/locations/jns-paakirjasto").await.headers()["etag"].to_str().unwrap().to_owned();
    app.sql("UPDATE locations SET phone = '+358 13 267 7111' WHERE id = 'jns-paakirjasto'").await;
    app.wait_for_snapshot().await;
    let after = app.get("/v1/locations/jns-paakirjasto").await;
    assert_ne!(after.headers()["etag"].to_str().unwrap(), before);
    let body: Value = after.json().await.unwrap();
    assert_eq!(body["phone"], "+358 13 267 7111");
}

#[tokio::test]
async fn organizations_list_and_detail() {
    let app = TestApp::spawn().await;
    let page = app.json("/v1/organizations?per_page=100").await;
    // 27 in the second edition of the demo data (26 + the City of Outokumpu).
    assert_eq!(page["total"], 27);
    let libraries = app.json("/v1/organizations?kind=library&per_page=100").await;
    assert_eq!(libraries["total"], 13);
    let org = app.json("/v1/organizations/joensuun-kaupunginkirjasto?lang=fi").await;
    assert_eq!(org["name"], "Joensuun kaupunginkirjasto (Joensuun seutukirjasto)");
    assert_eq!(org["network"], "Vaara-kirjastot");
    assert_eq!(org["locations"].as_array().unwrap().len(), 7);
    app.problem("/v1/organizations/BAD%20ID", 400, "id").await;
    assert_eq!(app.get("/v1/organizations/nobody").await.status(), 404);
    app.problem("/v1/organizations?per_page=0", 400, "per_page").await;
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    assert_eq!(app.json("/healthz").await["status"], "ok");
    let ready = app.json("/readyz").await;
    assert_eq!(ready["status"], "ok");
    assert_eq!(ready["snapshot_loaded"], true);
    assert_eq!(ready["database_reachable"], true);
}

#[tokio::test]
async fn services_say_where_they_are_offered() {
    let app = TestApp::spawn().await;
    let svc = app.json("/v1/services/joensuun-kaupunginkirjasto-information-search?lang=fi").await;
    let offered: Vec<&str> =
        svc["offered_at"].as_array().unwrap().iter().map(|o| o["location_id"].as_str().unwrap()).collect();
    // Every Joensuu library location lists information search (the Vaara library rules).
    let org = app.json("/v1/organizations/joensuun-kaupunginkirjasto").await;
    let mut expected: Vec<&str> =
        org["locations"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    let mut offered_sorted = offered.clone();
    offered_sorted.sort();
    expected.sort();
    assert_eq!(offered_sorted, expected);
    for o in svc["offered_at"].as_array().unwrap() {
        let sal =
            app.json(&format!("/v1/services-at-locations/{}", o["service_at_location_id"].as_str().unwrap())).await;
        assert_eq!(sal["location_id"], o["location_id"]);
        assert_eq!(sal["service_id"], "joensuun-kaupunginkirjasto-information-search");
    }
    let page = app.json("/v1/services?organization=joensuun-kaupunginkirjasto&topic=information_search").await;
    assert_eq!(page["total"], 1);
}
