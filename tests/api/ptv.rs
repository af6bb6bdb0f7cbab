//! The PTV importer against a local fixture server speaking PTV's open API v11
//! (`tests/fixtures/ptv/*.json`, written by `generate.py` there from PTV's published API
//! description and real clients; sources in its README.md): every mapped field, positions
//! within 5 m of their true WGS84 position, hours and exceptions, a second run changing
//! nothing, a channel gone from PTV made inactive, a partner's edit kept and reported,
//! unpublished channels skipped, bad answers writing nothing, and stale ETags after an import.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use digituki::import::ptv::{self, Options};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{haversine_m, TestApp};

const KELA_ORG: &str = "1f6b3b6e-7c43-4b9e-9d2b-2d0f6b0c1a01";
const AHVENANMAA_ORG: &str = "3e8d7c6b-5a49-4382-9170-e1f2a3b4c504";
const KELA: &str = "ptv-b2d0c5f4-1e2a-4c3b-9d8e-7f6a5b4c3d11";
const ASIOINTIPISTE: &str = "ptv-d4f2e7b6-3a4c-4e5d-9fa0-9b8c7d6e5f13";
const PAIVYSTYS: &str = "ptv-f6b4a9d8-5c6e-4a7f-b1c2-1d0e9f8a7b15";
const GETA: &str = "ptv-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c17";
const DRAFT: &str = "e5a3f8c7-4b5d-4f6e-a0b1-0c9d8e7f6a14";

fn fixture(name: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ptv").join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The answers of the fixture server: listing pages by key (`muni:167:2`, `org:<id>:1`) and
/// organizations by id, plus an optional failure for requests whose path and query contain
/// a given text.
struct PtvState {
    pages: Mutex<HashMap<String, Value>>,
    organizations: Mutex<Value>,
    failure: Mutex<Option<(String, u16, String)>>,
    hits: AtomicUsize,
    requests: Mutex<Vec<String>>,
}

struct PtvServer {
    base: String,
    state: Arc<PtvState>,
}

fn default_pages() -> HashMap<String, Value> {
    HashMap::from([
        ("muni:167:1".to_owned(), fixture("municipality-167-page-1.json")),
        ("muni:167:2".to_owned(), fixture("municipality-167-page-2.json")),
        ("muni:167:3".to_owned(), fixture("municipality-167-page-3.json")),
        (format!("org:{AHVENANMAA_ORG}:1"), fixture("organization-ahvenanmaa-page-1.json")),
    ])
}

impl PtvServer {
    async fn start() -> PtvServer {
        let state = Arc::new(PtvState {
            pages: Mutex::new(default_pages()),
            organizations: Mutex::new(fixture("organizations.json")),
            failure: Mutex::new(None),
            hits: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
        });
        let data = web::Data::from(state.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(answer)))
            .workers(1)
            .listen(listener)
            .unwrap()
            .run();
        tokio::spawn(server);
        PtvServer { base: format!("http://127.0.0.1:{port}/api/v11"), state }
    }

    fn edit_page(&self, key: &str, f: impl FnOnce(&mut Value)) {
        f(self.state.pages.lock().unwrap().get_mut(key).unwrap());
    }

    fn fail(&self, on: &str, status: u16, body: &str) {
        *self.state.failure.lock().unwrap() = Some((on.to_owned(), status, body.to_owned()));
    }

    fn reset(&self) {
        *self.state.pages.lock().unwrap() = default_pages();
        *self.state.failure.lock().unwrap() = None;
        self.state.hits.store(0, Ordering::SeqCst);
        self.state.requests.lock().unwrap().clear();
    }

    fn requests(&self) -> Vec<String> {
        self.state.requests.lock().unwrap().clone()
    }
}

async fn answer(state: web::Data<PtvState>, req: HttpRequest) -> HttpResponse {
    state.hits.fetch_add(1, Ordering::SeqCst);
    let full = match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    };
    state.requests.lock().unwrap().push(full.clone());
    if let Some((on, status, body)) = state.failure.lock().unwrap().clone() {
        if full.contains(&on) {
            return HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                .content_type("application/json")
                .body(body);
        }
    }
    let q: HashMap<String, String> = url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let page = q.get("page").cloned().unwrap_or_else(|| "1".into());
    let path = req.path();
    let key = if let Some(code) = path.strip_prefix("/api/v11/ServiceChannel/list/area/Municipality/code/") {
        format!("muni:{code}:{page}")
    } else if path == "/api/v11/ServiceChannel/list/organization" {
        format!("org:{}:{page}", q.get("organizationId").cloned().unwrap_or_default())
    } else if let Some(id) = path.strip_prefix("/api/v11/Organization/") {
        return match state.organizations.lock().unwrap().get(id) {
            Some(o) => HttpResponse::Ok().json(o),
            None => HttpResponse::NotFound().finish(),
        };
    } else {
        return HttpResponse::NotFound().finish();
    };
    match state.pages.lock().unwrap().get(&key) {
        Some(v) => HttpResponse::Ok().json(v),
        // PTV answers a page past the end with an empty list.
        None => HttpResponse::Ok().json(json!({"pageNumber": page.parse::<u32>().unwrap_or(1), "pageSize": 3,
            "pageCount": 0, "itemList": null})),
    }
}

fn options(server: &PtvServer) -> Options {
    Options {
        base_url: server.base.clone(),
        municipalities: vec!["167".into()],
        ptv_organizations: vec![AHVENANMAA_ORG.into()],
        timeout: Duration::from_millis(800),
        retries: 1,
        backoff: Duration::from_millis(10),
        ..Default::default()
    }
}

/// ETRS-TM35FIN (N, E) → ETRS89 (lat, lon) degrees by the inverse Gauss–Krüger series that
/// JHS 197 (appendix 2, projection formulas) prescribes for ETRS-TM35FIN: GRS80, central
/// meridian 27°, scale 0.9996, false easting 500 000 m. Written here from the recommendation,
/// independently of the importer's `proj4rs`, and checked below against published pairs.
fn jhs197_inverse(northing: f64, easting: f64) -> (f64, f64) {
    let a = 6_378_137.0_f64;
    let f = 1.0 / 298.257_222_101;
    let (k0, lambda0, e0) = (0.9996, 27f64.to_radians(), 500_000.0);
    let n = f / (2.0 - f);
    let a1 = a / (1.0 + n) * (1.0 + n.powi(2) / 4.0 + n.powi(4) / 64.0);
    let e = (2.0 * f - f * f).sqrt();
    let h = [
        n / 2.0 - 2.0 / 3.0 * n.powi(2) + 37.0 / 96.0 * n.powi(3) - n.powi(4) / 360.0,
        n.powi(2) / 48.0 + n.powi(3) / 15.0 - 437.0 / 1440.0 * n.powi(4),
        17.0 / 480.0 * n.powi(3) - 37.0 / 840.0 * n.powi(4),
        4397.0 / 161_280.0 * n.powi(4),
    ];
    let xi = northing / (a1 * k0);
    let eta = (easting - e0) / (a1 * k0);
    let (mut xi1, mut eta1) = (xi, eta);
    for (j, hj) in h.iter().enumerate() {
        let k = 2.0 * (j as f64 + 1.0);
        xi1 -= hj * (k * xi).sin() * (k * eta).cosh();
        eta1 -= hj * (k * xi).cos() * (k * eta).sinh();
    }
    let beta = (xi1.sin() / eta1.cosh()).asin();
    let l = (eta1.tanh() / beta.cos()).asin();
    let q = beta.tan().asinh();
    let mut q1 = q + e * (e * q.tanh()).atanh();
    for _ in 0..20 {
        q1 = q + e * (e * q1.tanh()).atanh();
    }
    (q1.sinh().atan().to_degrees(), (lambda0 + l).to_degrees())
}

#[test]
fn the_independent_reference_matches_published_control_points() {
    // JHS 197 appendix 3, worked example, point G4 (Geta): N 6715706.37708, E 106256.35961 ⇔
    // 60.3851068722 N, 19.84813676944 E.
    let (lat, lon) = jhs197_inverse(6_715_706.377_08, 106_256.359_61);
    assert!(haversine_m(lat, lon, 60.385_106_872_2, 19.848_136_769_44) < 0.01, "{lat} {lon}");
    // Lupapiste's conversion test (lupapiste/lupapiste, test/sade/coordinate_test.clj):
    // EPSG:3067 (420893.934152, 7177728.76993) ⇔ WGS84 (25.34 E, 64.715 N).
    let (lat, lon) = jhs197_inverse(7_177_728.769_93, 420_893.934_152);
    assert!(haversine_m(lat, lon, 64.715, 25.34) < 0.01, "{lat} {lon}");
}

/// The fixture's channels: (location id, TM35FIN northing, easting).
fn fixture_points() -> Vec<(String, f64, f64)> {
    let mut out = Vec::new();
    for file in ["municipality-167-page-1.json", "municipality-167-page-2.json", "organization-ahvenanmaa-page-1.json"]
    {
        for ch in fixture(file)["itemList"].as_array().unwrap() {
            if ch["serviceChannelType"] != "ServiceLocation" || ch["publishingStatus"] != "Published" {
                continue;
            }
            let a = &ch["addresses"][0]["streetAddress"];
            let n: f64 = a["latitude"].as_str().unwrap().parse().unwrap();
            let e: f64 = a["longitude"].as_str().unwrap().parse().unwrap();
            out.push((format!("ptv-{}", ch["id"].as_str().unwrap()), n, e));
        }
    }
    out
}

async fn state_at(app: &TestApp, id: &str, at: &str) -> Value {
    let loc = app.json(&format!("/v1/locations/{id}?lang=fi&at={}", at.replace('+', "%2B"))).await;
    loc["status_now"].clone()
}

#[tokio::test]
async fn import_maps_every_field_onto_the_true_position_with_hours() {
    let server = PtvServer::start().await;
    let app = TestApp::spawn().await;
    let opts = options(&server);

    let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.aborted, None, "{r:?}");
    // Four published service locations; the draft skipped; web-page and phone channels left aside.
    assert_eq!(r.created, [KELA, ASIOINTIPISTE, PAIVYSTYS, GETA], "{r:?}");
    assert_eq!(r.fetched, 5);
    assert_eq!(r.skipped.len(), 1, "{:?}", r.skipped);
    assert_eq!(r.skipped[0].external_id.as_deref(), Some(DRAFT));
    assert!(r.skipped[0].reason.contains("not published"), "{:?}", r.skipped);
    assert!(r.geocoded.is_empty());
    // Every page of the municipality, the organization's listing, then each organization.
    let req = server.requests();
    for part in [
        "/api/v11/ServiceChannel/list/area/Municipality/code/167?page=1",
        "/api/v11/ServiceChannel/list/area/Municipality/code/167?page=2",
        "/api/v11/ServiceChannel/list/area/Municipality/code/167?page=3",
        &format!("/api/v11/ServiceChannel/list/organization?organizationId={AHVENANMAA_ORG}&page=1"),
        &format!("/api/v11/Organization/{KELA_ORG}"),
    ] {
        assert!(req.iter().any(|q| q == part), "{part} not requested: {req:?}");
    }
    assert_eq!(req.len(), 8, "{req:?}");
    assert_eq!(app.query(&format!("SELECT 1 FROM locations WHERE external_id = '{DRAFT}'")).await.len(), 0);

    // Every mapped field of the Kela point.
    let row = &app
        .query(&format!(
            "SELECT name_fi, name_sv, name_en, description_fi, description_sv, description_en, street_address,
                postal_code, post_office, municipality_code, coordinate_method, phone, email, website,
                accessibility_fi, accessibility_sv, accessibility_en, kind, organization_id, source, external_id,
                status, confidence FROM locations WHERE id = '{KELA}'"
        ))
        .await[0];
    let text = |i: usize| row.get::<_, Option<String>>(i);
    assert_eq!(text(0).as_deref(), Some("Kelan palvelupiste Joensuu"));
    assert_eq!(text(1).as_deref(), Some("FPA:s serviceställe Joensuu"));
    assert_eq!(text(2).as_deref(), Some("Kela service point Joensuu"));
    assert!(text(3).unwrap().starts_with("Kelan palvelupisteessä voit hoitaa"), "Description, not Summary");
    assert_eq!(text(4).as_deref(), Some("På FPA:s serviceställe kan du sköta dina FPA-ärenden."));
    assert!(text(5).unwrap().starts_with("At the Kela service point"));
    assert_eq!(text(6).as_deref(), Some("Rantakatu 20"));
    assert_eq!(text(7).as_deref(), Some("80100"));
    assert_eq!(text(8).as_deref(), Some("JOENSUU"));
    assert_eq!(text(9).as_deref(), Some("167"));
    assert_eq!(text(10).as_deref(), Some("ptv"));
    assert_eq!(text(11).as_deref(), Some("+358 135550101"), "the phone, not the fax");
    assert_eq!(text(12).as_deref(), Some("joensuu.palvelupiste@kela.example.fi"));
    assert_eq!(text(13).as_deref(), Some("https://www.kela.fi/palvelupisteet"));
    assert_eq!(
        text(14).as_deref(),
        Some(
            "Sisäänkäynti: Sisäänkäynnille on portaaton kulku. Ovi aukeaa automaattisesti.\n\
             Asiointitila: Asiointitilassa on induktiosilmukka."
        )
    );
    assert_eq!(text(15).as_deref(), Some("Ingång: Ingången är trappfri."));
    assert_eq!(text(16).as_deref(), Some("Entrance: The entrance is step-free."));
    assert_eq!(text(17).as_deref(), Some("public_authority_service_point"));
    assert_eq!(text(18), Some(format!("ptv-{KELA_ORG}")));
    assert_eq!(text(19).as_deref(), Some("ptv"));
    assert_eq!(text(20).as_deref(), Some("b2d0c5f4-1e2a-4c3b-9d8e-7f6a5b4c3d11"));
    assert_eq!(text(21).as_deref(), Some("active"));
    assert_eq!(text(22).as_deref(), Some("verified"));
    let langs = app
        .query(&format!("SELECT language_code FROM location_languages WHERE location_id = '{KELA}' ORDER BY 1"))
        .await;
    let langs: Vec<String> = langs.iter().map(|r| r.get(0)).collect();
    assert_eq!(langs, ["en", "fi", "sv"]);
    // The organization, named as in PTV, and the kind from its type.
    let org = &app
        .query(&format!(
            "SELECT name_fi, name_sv, kind, source, external_id FROM organizations WHERE id = 'ptv-{KELA_ORG}'"
        ))
        .await[0];
    assert_eq!(org.get::<_, String>(0), "Kansaneläkelaitos");
    assert_eq!(org.get::<_, Option<String>>(1).as_deref(), Some("Folkpensionsanstalten"));
    assert_eq!(org.get::<_, String>(2), "public_authority_service_point");
    assert_eq!((org.get::<_, String>(3), org.get::<_, String>(4)), ("ptv".into(), KELA_ORG.into()));
    // The municipality's own point: its kind, and the javascript: link left out.
    let own = &app.query(&format!("SELECT kind, website, phone FROM locations WHERE id = '{ASIOINTIPISTE}'")).await[0];
    assert_eq!(own.get::<_, String>(0), "municipal_service_point");
    assert_eq!(own.get::<_, Option<String>>(1), None);
    assert_eq!(own.get::<_, Option<String>>(2).as_deref(), Some("+358 135550200"));
    // Not an e-mail address: left out, the rest of the channel imported.
    let clinic = &app.query(&format!("SELECT email, website FROM locations WHERE id = '{PAIVYSTYS}'")).await[0];
    assert_eq!(clinic.get::<_, Option<String>>(0), None);
    assert_eq!(clinic.get::<_, Option<String>>(1).as_deref(), Some("https://www.siunsote.fi/paivystys"));
    // Swedish and Finnish: both names; a municipality outside this directory is left empty.
    let geta = &app
        .query(&format!("SELECT name_fi, name_sv, name_en, municipality_code, post_office, street_address FROM locations WHERE id = '{GETA}'"))
        .await[0];
    assert_eq!(geta.get::<_, String>(0), "Ahvenanmaan valtionviraston asiointipiste Geta");
    assert_eq!(geta.get::<_, Option<String>>(1).as_deref(), Some("Statens ämbetsverk på Åland, serviceställe Geta"));
    assert_eq!(geta.get::<_, Option<String>>(2), None);
    assert_eq!(geta.get::<_, Option<String>>(3), None);
    assert_eq!(geta.get::<_, Option<String>>(5).as_deref(), Some("Getantie 38"));
    let geta_langs = app
        .query(&format!("SELECT language_code FROM location_languages WHERE location_id = '{GETA}' ORDER BY 1"))
        .await;
    assert_eq!(geta_langs.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>(), ["fi", "sv"]);

    // Positions: each within 5 m of its true WGS84 position (ETRS89 = WGS84 to under a metre
    // in Finland), computed independently by JHS 197's formulas; Geta is the published G4.
    app.wait_for_snapshot().await;
    let mut worst = 0.0f64;
    for (id, n, e) in fixture_points() {
        let loc = app.json(&format!("/v1/locations/{id}")).await;
        let (lat, lon) = (loc["coordinates"]["lat"].as_f64().unwrap(), loc["coordinates"]["lon"].as_f64().unwrap());
        let (tlat, tlon) = jhs197_inverse(n, e);
        let d = haversine_m(lat, lon, tlat, tlon);
        worst = worst.max(d);
        assert!(d < 5.0, "{id}: {lat}, {lon} is {d:.2} m from {tlat}, {tlon}");
    }
    let loc = app.json(&format!("/v1/locations/{GETA}")).await;
    let d = haversine_m(
        loc["coordinates"]["lat"].as_f64().unwrap(),
        loc["coordinates"]["lon"].as_f64().unwrap(),
        60.385_106_872_2,
        19.848_136_769_44,
    );
    assert!(d < 5.0, "Geta is {d} m from JHS 197's G4");
    println!("largest distance from the true position: {worst:.4} m; Geta from G4: {d:.4} m");
    assert_eq!(loc["coordinates"]["method"], "ptv");

    // Hours: the regular week, Christmas closed with PTV's reason, New Year's Eve short.
    let sched = app.json(&format!("/v1/locations/{KELA}/schedule?from=2026-12-21&to=2026-12-31&lang=fi")).await;
    let days = sched["days"].as_array().unwrap();
    assert_eq!(days[0]["ranges"][0]["start"], "09:00");
    assert_eq!(days[0]["ranges"][0]["end"], "16:00");
    assert_eq!(days[3]["date"], "2026-12-24");
    assert_eq!(days[3]["kind"], "exception");
    assert_eq!(days[3]["reason"], "Joulun pyhät");
    assert_eq!(days[3]["ranges"], json!([]));
    assert_eq!(days[10]["ranges"][0]["end"], "12:00");
    for (id, at, want) in [
        (KELA, "2026-12-07T10:00:00+02:00", "staffed"), // Monday
        (KELA, "2026-12-07T16:30:00+02:00", "closed"),  // after hours
        (KELA, "2026-12-11T15:30:00+02:00", "closed"),  // Friday closes at 15
        (KELA, "2026-12-24T10:00:00+02:00", "closed"),  // Christmas Eve, PTV exception
        (KELA, "2026-12-31T10:00:00+02:00", "staffed"), // New Year's Eve, 9-12
        (KELA, "2026-12-31T12:30:00+02:00", "closed"),
        (PAIVYSTYS, "2026-12-04T23:00:00+02:00", "staffed"), // Friday night
        (PAIVYSTYS, "2026-12-05T01:30:00+02:00", "staffed"), // still, after midnight
        (PAIVYSTYS, "2026-12-05T02:30:00+02:00", "closed"),
        (GETA, "2026-12-03T11:00:00+02:00", "staffed"), // Thursday 10-14
    ] {
        let s = state_at(&app, id, at).await;
        assert_eq!(s["state"], want, "{id} at {at}: {s}");
    }
    assert_eq!(state_at(&app, KELA, "2026-12-24T10:00:00+02:00").await["reason"], "Joulun pyhät");

    // Second run: nothing changes, not even the version.
    let before = app.directory_version().await;
    let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!((r.created.len(), r.updated.len(), r.unchanged), (0, 0, 4), "{r:?}");
    assert!(r.conflicts.is_empty() && r.deactivated.is_empty());
    assert_eq!(app.directory_version().await, before, "the second import wrote something");

    // The emergency clinic is gone from PTV: inactive, not deleted; the draft stays absent.
    server.edit_page("muni:167:2", |p| {
        p["itemList"].as_array_mut().unwrap().retain(|c| c["id"] != "f6b4a9d8-5c6e-4a7f-b1c2-1d0e9f8a7b15")
    });
    let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.deactivated, [PAIVYSTYS], "{r:?}");
    assert_eq!(r.unchanged, 3);
    assert_eq!(app.scalar(&format!("SELECT status FROM locations WHERE id = '{PAIVYSTYS}'")).await, "inactive");
    let before = app.directory_version().await;
    let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
    assert!(r.deactivated.is_empty() && r.updated.is_empty(), "{r:?}");
    assert_eq!(app.directory_version().await, before);
    // Back in PTV: active again.
    server.reset();
    let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.updated, [PAIVYSTYS], "{r:?}");
    assert_eq!(app.scalar(&format!("SELECT status FROM locations WHERE id = '{PAIVYSTYS}'")).await, "active");
}

#[tokio::test]
async fn partner_edits_are_kept_and_stale_etags_fail_after_an_import() {
    let server = PtvServer::start().await;
    let app = TestApp::spawn().await;
    let opts = options(&server);
    ptv::run(&app.db_url, &opts, None).await.unwrap();
    app.wait_for_snapshot().await;

    // A partner of the Kela organization corrects the name and the phone through the API.
    let org = format!("ptv-{KELA_ORG}");
    let token = app.token(&org, false).await;
    let etag = app.etag(&format!("/v1/locations/{KELA}")).await;
    let resp = app
        .write(Method::PATCH, &format!("/v1/locations/{KELA}"), &token)
        .header("If-Match", &etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"name": {"fi": "Kela Joensuu"}, "phone": "+358 13 555 0199"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let before_import = app.etag(&format!("/v1/locations/{KELA}")).await;

    // PTV renames the point too, and changes its e-mail (which nobody edited here).
    server.edit_page("muni:167:1", |p| {
        let kela = &mut p["itemList"][0];
        kela["serviceChannelNames"][0]["value"] = "Kelan palvelupiste Joensuu, Rantakatu".into();
        kela["emails"][0]["value"] = "joensuu@kela.example.fi".into();
    });
    let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.conflicts.len(), 1, "{:?}", r.conflicts);
    let c = &r.conflicts[0];
    assert_eq!((c.location_id.as_str(), c.field.as_str()), (KELA, "name_fi"));
    assert_eq!(c.current, "Kela Joensuu");
    assert_eq!(c.last_imported, "Kelan palvelupiste Joensuu");
    assert_eq!(c.upstream, "Kelan palvelupiste Joensuu, Rantakatu");
    assert_eq!(r.kept_local_edits, 1, "the phone: only the partner changed it");
    assert_eq!(r.updated, [KELA]);
    let row = &app.query(&format!("SELECT name_fi, phone, email FROM locations WHERE id = '{KELA}'")).await[0];
    assert_eq!(row.get::<_, String>(0), "Kela Joensuu");
    assert_eq!(row.get::<_, String>(1), "+358 13 555 0199");
    assert_eq!(row.get::<_, String>(2), "joensuu@kela.example.fi");

    // The ETag from before the import is stale now: 412, and nothing written.
    app.wait_for_snapshot().await;
    let resp = app
        .write(Method::PATCH, &format!("/v1/locations/{KELA}"), &token)
        .header("If-Match", &before_import)
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"email": "vanha@kela.example.fi"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 412, "{}", resp.text().await.unwrap());
    assert_eq!(
        app.scalar(&format!("SELECT email FROM locations WHERE id = '{KELA}'")).await,
        "joensuu@kela.example.fi"
    );

    // History names the importer: its creation, the partner's edit, the import's update.
    let admin = app.token("pksotu", true).await;
    let items = app.history(&format!("/v1/locations/{KELA}"), &admin).await;
    let summary: Vec<(String, String)> =
        items.iter().map(|i| (i["action"].as_str().unwrap().into(), i["actor"].as_str().unwrap().into())).collect();
    assert_eq!(
        summary,
        [
            ("create".into(), "import:ptv".into()),
            ("update".into(), format!("token:test token of {org}")),
            ("update".into(), "import:ptv".into()),
        ]
    );
    let last = &items[2];
    assert!(last["token_id"].is_null());
    assert_eq!(last["before"]["email"], "joensuu.palvelupiste@kela.example.fi");
    assert_eq!(last["after"]["email"], "joensuu@kela.example.fi");
    assert!(last["after"].get("name_fi").is_none(), "the partner's name was not overwritten");

    // The conflict stands until someone resolves it: reported again, nothing written.
    let before = app.directory_version().await;
    let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.conflicts.len(), 1);
    assert_eq!(r.unchanged, 4);
    assert_eq!(app.directory_version().await, before);

    // Hours changed in PTV: written as an `hours` change by the importer; stale ETag → 412.
    let etag = app.etag(&format!("/v1/locations/{ASIOINTIPISTE}")).await;
    server.edit_page("muni:167:1", |p| {
        p["itemList"][2]["serviceHours"][0]["openingHour"][0]["to"] = "18:00:00".into();
    });
    let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.updated, [ASIOINTIPISTE], "{r:?}");
    app.wait_for_snapshot().await;
    let muni_token = app.token("ptv-5c1b9a58-2f5e-4b7a-8e53-8f4a3d1c2b02", false).await;
    let resp = app
        .write(Method::PATCH, &format!("/v1/locations/{ASIOINTIPISTE}"), &muni_token)
        .header("If-Match", &etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"notes": "x"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 412);
    let last = app.history(&format!("/v1/locations/{ASIOINTIPISTE}"), &admin).await.last().unwrap().clone();
    assert_eq!((last["action"].as_str(), last["actor"].as_str()), (Some("hours"), Some("import:ptv")));
    assert_eq!(last["after"]["periods"][0]["week"]["mon"][0]["end"], "18:00");
}

#[tokio::test]
async fn bad_answers_write_nothing() {
    let server = PtvServer::start().await;
    let app = TestApp::spawn().await;
    let opts = options(&server);
    let snapshot = || async {
        let rows = app
            .query("SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY id), '[]') FROM locations l WHERE source = 'ptv'")
            .await;
        rows[0].get::<_, Value>(0)
    };
    // Before any import, and after one.
    for round in 0..2 {
        let before_rows = snapshot().await;
        let before = app.directory_version().await;
        let cases: Vec<(&str, &str, u16, &str)> = vec![
            ("HTTP 500 on page 2", "page=2", 500, "<h1>Internal Server Error</h1>"),
            ("malformed JSON on page 3", "page=3", 200, r#"{"pageNumber":3,"pageCount":3,"itemList":[{"id":"#),
            ("not a page", "code/167?page=1", 200, r#"{"error":"maintenance"}"#),
            ("HTTP 500 for an organization", "/Organization/", 500, "down"),
        ];
        for (what, on, status, body) in cases {
            server.reset();
            server.fail(on, status, body);
            let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
            assert!(r.aborted.is_some(), "round {round}, {what}: {r:?}");
            assert!(r.created.is_empty() && r.deactivated.is_empty(), "{what}");
            assert_eq!(app.directory_version().await, before, "round {round}, {what} changed the directory");
        }
        // A municipality with no service locations at all: nothing imported, nothing made inactive.
        server.reset();
        server.edit_page("muni:167:1", |p| p["itemList"] = json!([]));
        server.edit_page("muni:167:2", |p| p["itemList"] = json!([]));
        server.edit_page(&format!("org:{AHVENANMAA_ORG}:1"), |p| p["itemList"] = json!([]));
        let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
        assert!(r.aborted.is_some() && r.deactivated.is_empty(), "{r:?}");
        assert_eq!(snapshot().await, before_rows);
        server.reset();
        if round == 0 {
            let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
            assert_eq!(r.created.len(), 4);
        }
    }
    // PTV does not know the Åland office's organization (404): its channel is skipped with the
    // reason, the others are imported.
    let lost = TestApp::spawn().await;
    server.reset();
    server.fail(&format!("/Organization/{AHVENANMAA_ORG}"), 404, "");
    let r = ptv::run(&lost.db_url, &opts, None).await.unwrap();
    assert_eq!(r.created, [KELA, ASIOINTIPISTE, PAIVYSTYS], "{r:?}");
    let s = r.skipped.iter().find(|s| s.external_id.as_deref() == Some(&GETA[4..])).unwrap();
    assert!(s.reason.contains("PTV does not know its organization"), "{s:?}");
    server.reset();

    // An unknown organization of ours is refused before anything is written.
    let mut o = options(&server);
    o.organization = Some("no-such-org".into());
    let before = app.directory_version().await;
    assert!(ptv::run(&app.db_url, &o, None).await.is_err());
    assert_eq!(app.directory_version().await, before);
    // An existing one takes the locations instead of one organization per PTV organization.
    let fresh = TestApp::spawn().await;
    o.organization = Some("pksotu".into());
    let r = ptv::run(&fresh.db_url, &o, None).await.unwrap();
    assert_eq!(r.created.len(), 4, "{r:?}");
    let orgs = fresh.query("SELECT DISTINCT organization_id FROM locations WHERE source = 'ptv'").await;
    assert_eq!(orgs.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>(), ["pksotu"]);
    assert!(fresh.query("SELECT 1 FROM organizations WHERE source = 'ptv'").await.is_empty());
}

#[tokio::test]
async fn the_cli_imports_and_fails_when_nothing_could_be_imported() {
    let server = PtvServer::start().await;
    let app = TestApp::spawn().await;
    let run = |base: String| {
        let db = app.db_url.clone();
        async move {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_digituki"))
                .args([
                    "import",
                    "ptv",
                    "--municipality",
                    "167",
                    "--base-url",
                    &base,
                    "--timeout-secs",
                    "2",
                    "--retries",
                    "0",
                ])
                .env("DATABASE_URL", db)
                .env_remove("DIGITUKI_GEOCODER_URL")
                .env_remove("DIGITUKI_PTV_URL")
                .output()
                .await
                .unwrap()
        }
    };
    let out = run(server.base.clone()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["created"].as_array().unwrap().len(), 3, "{report}");
    assert!(stderr.contains("imported 3 service locations"), "{stderr}");
    assert!(stderr.contains(&format!("skipped {DRAFT}: not published (Draft)")), "{stderr}");
    assert!(stderr.contains(r#"website "javascript:alert(1)" left out"#), "{stderr}");

    server.fail("page=2", 500, "down");
    let out = run(server.base.clone()).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing imported"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["aborted"].as_str().unwrap().contains("HTTP 500"), "{report}");

    // No scope at all: refused before the database is even opened.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_digituki"))
        .args(["import", "ptv", "--base-url", &server.base])
        .env("DATABASE_URL", &app.db_url)
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("give --municipality"));

    server.fail("page=1", 200, "{not json");
    let out = run(server.base.clone()).await;
    assert!(!out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["aborted"].as_str().unwrap().contains("not valid JSON"), "{report}");
}

#[tokio::test]
async fn three_hundred_channels_over_three_pages_import_completely() {
    let server = PtvServer::start().await;
    let app = TestApp::spawn().await;
    // Copies of the Kela point with their own ids and positions, 100 a page.
    let kela = fixture("municipality-167-page-1.json")["itemList"][0].clone();
    for p in 1..=3u32 {
        let items: Vec<Value> = (0..100u32)
            .map(|i| {
                let n = (p - 1) * 100 + i;
                let mut c = kela.clone();
                c["id"] = format!("{n:08x}-0000-4000-8000-00000000abcd").into();
                c["serviceChannelNames"][0]["value"] = format!("Palvelupiste {n}").into();
                c["addresses"][0]["streetAddress"]["latitude"] =
                    format!("{:.3}", 6_944_000.0 + f64::from(n) * 37.5).into();
                c
            })
            .collect();
        server.state.pages.lock().unwrap().insert(
            format!("muni:276:{p}"),
            json!({"pageNumber": p, "pageSize": 100, "pageCount": 3, "itemList": items}),
        );
    }
    let opts = Options { municipalities: vec!["276".into()], ptv_organizations: vec![], ..options(&server) };
    let started = std::time::Instant::now();
    let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
    let took = started.elapsed();
    assert_eq!(r.aborted, None);
    assert_eq!(r.created.len(), 300, "{:?}", r.skipped);
    println!("300 PTV channels over 3 pages imported in {took:?} (debug build)");
    assert_eq!(app.scalar("SELECT count(*) FROM locations WHERE source = 'ptv' AND status = 'active'").await, "300");
    // And the last one's position came through its own conversion.
    let (lat, _) = jhs197_inverse(6_944_000.0 + 299.0 * 37.5, 641_987.754);
    let got: f64 = app
        .scalar("SELECT latitude FROM locations WHERE external_id = '0000012b-0000-4000-8000-00000000abcd'")
        .await
        .parse()
        .unwrap();
    assert!((got - lat).abs() < 1e-6, "{got} vs {lat}");
    let r = ptv::run(&app.db_url, &opts, None).await.unwrap();
    assert_eq!(r.unchanged, 300);
}
