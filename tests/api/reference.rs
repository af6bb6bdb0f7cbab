//! Topics, municipalities and postal codes.

use crate::helpers::TestApp;

#[tokio::test]
async fn topics_have_labels_in_three_languages() {
    let app = TestApp::spawn().await;
    let topics = app.json("/v1/topics").await;
    let items = topics["items"].as_array().unwrap();
    assert_eq!(items.len(), 14);
    for t in items {
        for lang in ["fi", "sv", "en"] {
            assert!(!t["label"][lang].as_str().unwrap().is_empty(), "{t}");
        }
    }
    let info = items.iter().find(|t| t["code"] == "information_search").unwrap();
    assert_eq!(info["label"]["fi"], "Tiedonhaku");
    assert!(info["location_count"].as_u64().unwrap() >= 20);
    let en = app.json("/v1/topics?lang=en").await;
    assert_eq!(en["items"][0]["label"], "Online public services");
}

#[tokio::test]
async fn municipalities_of_north_karelia() {
    let app = TestApp::spawn().await;
    let m = app.json("/v1/municipalities").await;
    let items = m["items"].as_array().unwrap();
    assert_eq!(items.len(), 13);
    let ilomantsi = items.iter().find(|m| m["code"] == "146").unwrap();
    assert_eq!(ilomantsi["name"]["fi"], "Ilomantsi");
    assert_eq!(ilomantsi["name"]["sv"], "Ilomants");
    let joensuu = items.iter().find(|m| m["code"] == "167").unwrap();
    assert!(joensuu["postal_codes"].as_array().unwrap().contains(&"80100".into()));
    assert!(joensuu["location_count"].as_u64().unwrap() >= 10);
    let sv = app.json("/v1/municipalities?lang=sv").await;
    assert!(sv["items"].as_array().unwrap().iter().any(|m| m["name"] == "Ilomants"));
}

#[tokio::test]
async fn postal_codes_with_centroids() {
    let app = TestApp::spawn().await;
    let pc = app.json("/v1/postal-codes/80100?lang=fi").await;
    assert_eq!(pc["name"], "Joensuu");
    assert_eq!(pc["municipality_code"], "167");
    assert!(pc["centroid"]["lat"].as_f64().unwrap() > 62.5);
    // A corporate code without an area.
    let corp = app.json("/v1/postal-codes/80020").await;
    assert!(corp["centroid"].is_null());
    app.problem("/v1/postal-codes/8010", 400, "code").await;
    app.problem("/v1/postal-codes/8010x", 400, "code").await;
    assert_eq!(app.get("/v1/postal-codes/00100").await.status(), 404);
}
