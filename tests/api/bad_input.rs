//! Every bad-input case answers 4xx problem+json naming the parameter, never 5xx.

use crate::helpers::TestApp;

#[tokio::test]
async fn nearest_rejects_bad_origins_and_limits() {
    let app = TestApp::spawn().await;
    let cases: &[(&str, &str)] = &[
        ("lat=999&lon=29", "lat"),
        ("lat=62&lon=999", "lon"),
        ("lat=abc&lon=29", "lat"),
        ("lat=NaN&lon=29", "lat"),
        ("lat=inf&lon=29", "lat"),
        ("lat=62", "lon"),
        ("lon=29", "lat"),
        ("lat=62&lat=63&lon=29", "lat"),
        ("", "lat"),
        ("postal_code=99999", "postal_code"),
        ("postal_code=8010", "postal_code"),
        ("postal_code=abcde", "postal_code"),
        ("postal_code=80020", "postal_code"),
        ("lat=62&lon=29&postal_code=80100", "postal_code"),
        ("municipality=Helsinki", "municipality"),
        ("postal_code=80100&topic=no_such_topic", "topic"),
        ("postal_code=80100&topic=online_public_services&topic=bogus", "topic"),
        ("postal_code=80100&limit=101", "limit"),
        ("postal_code=80100&limit=0", "limit"),
        ("postal_code=80100&limit=ten", "limit"),
        ("postal_code=80100&max_distance_km=-1", "max_distance_km"),
        ("postal_code=80100&language=xx", "language"),
        ("postal_code=80100&kind=castle", "kind"),
        ("postal_code=80100&organization=Bad%20Id", "organization"),
        ("postal_code=80100&organization=nobody", "organization"),
        ("postal_code=80100&lang=de", "lang"),
    ];
    for (query, param) in cases {
        app.problem(&format!("/v1/locations/nearest?{query}"), 400, param).await;
    }
}

#[tokio::test]
async fn list_rejects_bad_filters_and_pages() {
    let app = TestApp::spawn().await;
    let cases: &[(&str, &str)] = &[
        ("per_page=101", "per_page"),
        ("per_page=-1", "per_page"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("municipality=Tampere", "municipality"),
        ("municipality=999", "municipality"),
        ("topic=bogus", "topic"),
        ("language=english", "language"),
        ("kind=", "kind"),
        ("lang=xx", "lang"),
        ("q=", ""),
    ];
    for (query, param) in cases {
        if param.is_empty() {
            // An empty search is no search.
            assert_eq!(app.json(&format!("/v1/locations?{query}")).await["total"], 41); // every demo location (41 in the second edition)
            continue;
        }
        app.problem(&format!("/v1/locations?{query}"), 400, param).await;
    }
    let long = "a".repeat(201);
    app.problem(&format!("/v1/locations?q={long}"), 400, "q").await;
}

#[tokio::test]
async fn unknown_routes_and_bad_ids_are_problems_not_errors() {
    let app = TestApp::spawn().await;
    let resp = app.get("/v1/nothing-here").await;
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    app.problem("/v1/locations/%00", 400, "id").await;
    app.problem(&format!("/v1/locations/{}", "a".repeat(200)), 400, "id").await;
    app.problem("/v1/locations/jns-paakirjasto?lang=xx", 400, "lang").await;
    // Checked in one order: the id's form, the parameters, then whether the record exists.
    app.problem("/v1/locations/NOT-AN-ID?at=yesterday", 400, "id").await;
    app.problem("/v1/locations/no-such-place?at=yesterday", 400, "at").await;
    app.problem("/v1/services-at-locations/no-such-service?at=yesterday", 400, "at").await;
    assert_eq!(app.get("/v1/locations/no-such-place?at=2027-01-04T10:00:00Z").await.status(), 404);
}
