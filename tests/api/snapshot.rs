//! A change to a few places updates the snapshot place by place (the changed rows loaded, the
//! rest shared), and the result is the snapshot a full rebuild gives; a change that moves a
//! place in an index (a rename, a new position) or touches other tables rebuilds it whole.

use digituki::directory::store::Store;
use digituki::directory::Directory;
use digituki::http::respond::LangMode;
use digituki::http::views;
use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

/// Every location of `dir`, in listing order, as the API shows it (all languages).
fn shown(dir: &Directory) -> Vec<String> {
    let at = "2027-02-16T08:15:00Z".parse().unwrap();
    dir.locations
        .iter()
        .map(|l| {
            let mut v = serde_json::to_value(views::location(dir, l, LangMode::All, at, None)).unwrap();
            v["stale"] = json!(null); // depends on the clock, not the snapshot
            v.to_string()
        })
        .collect()
}

async fn full_build(app: &TestApp) -> std::sync::Arc<Directory> {
    Store::default().rebuild(&app.state.pool).await.unwrap()
}

#[tokio::test]
async fn a_few_changed_places_are_replaced_in_place_and_agree_with_a_full_rebuild() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let updates = app.state.store.updates();
    let rebuilds = app.state.store.rebuilds();

    // A partner's write: the writer's snapshot is updated place by place before it answers.
    let path = "/v1/locations/pksotu-kansalaistalo";
    let etag = app.etag(path).await;
    let resp = app
        .write(Method::PATCH, path, &token)
        .header("If-Match", etag)
        .json(&json!({"phone": "+358 40 111 2222", "hours_notes": "Myös iltaisin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(app.json(path).await["phone"], "+358 40 111 2222");
    // A write straight into the database (an operator's SQL): through the change log too.
    app.sql(
        "UPDATE locations SET email = 'digi@example.fi' WHERE id = 'jns-paakirjasto';
             UPDATE opening_hours SET confidence = 'approximate' WHERE location_id = 'lie-kirjasto'",
    )
    .await;
    app.wait_for_snapshot().await;
    assert_eq!(app.json("/v1/locations/jns-paakirjasto").await["email"], "digi@example.fi");
    assert_eq!(app.json("/v1/locations/lie-kirjasto").await["hours_confidence"], "approximate");
    assert!(
        app.state.store.updates() >= updates + 2,
        "place-by-place updates: {}",
        app.state.store.updates() - updates
    );
    assert_eq!(
        app.state.store.rebuilds() - rebuilds,
        app.state.store.updates() - updates,
        "every rebuild was place by place"
    );
    // The same directory a full rebuild gives.
    let updated = app.state.store.get();
    let fresh = full_build(&app).await;
    assert_eq!(updated.version, fresh.version);
    assert_eq!(shown(&updated), shown(&fresh));

    // A rename moves the place in the listing order: rebuilt whole, and still in order.
    let updates = app.state.store.updates();
    app.sql("UPDATE locations SET name_fi = 'Aaaa-talo' WHERE id = 'pksotu-kansalaistalo'").await;
    app.wait_for_snapshot().await;
    assert_eq!(app.state.store.updates(), updates, "a rename is not applied place by place");
    let list = app.json("/v1/locations?per_page=1&lang=fi").await;
    assert_eq!(list["items"][0]["id"], "pksotu-kansalaistalo");
    // A change outside the place tables (an organization) too.
    app.sql("UPDATE organizations SET phone = '013 000 000' WHERE id = 'pksotu'").await;
    app.wait_for_snapshot().await;
    assert_eq!(app.state.store.updates(), updates);
    assert_eq!(app.json("/v1/organizations/pksotu").await["phone"], "013 000 000");
    let updated = app.state.store.get();
    assert_eq!(shown(&updated), shown(&*full_build(&app).await));
}
