//! The directory in Open Referral's Human Services Data Specification (HSDS) 3.0 form: the
//! objects served under `/hsds/` and the rows of the tabular export (`crate::export`).
//!
//! HSDS has one language per text: the HSDS fields carry Finnish (every text has it), and the
//! Swedish and English variants go into the extension field `x_translations`
//! (`{"sv": {"name": ...}, "en": {...}}`). Our own text ids stay in `x_digituki_id`; the HSDS
//! `id`s are UUIDv5 derived from them (`uuid_for`), so they are stable across snapshots and
//! exports. Other extensions are listed in `docs/hsds.md`. This module only maps: it never
//! filters, pages or does I/O.

pub mod schedule;

use chrono::SecondsFormat;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use std::collections::HashMap;

use crate::directory::{Directory, Location, Organization, Provenance, RecordRef, Service, ServiceAtLocation, Topic};
use crate::i18n::Localized;

/// The HSDS version this module speaks.
pub const HSDS_VERSION: &str = "3.0";
/// Where the profile of our HSDS API is described.
pub const PROFILE_URL: &str = "https://github.com/openreferral/specification/tree/3.0";
/// Our topic vocabulary as the one HSDS taxonomy.
pub const TAXONOMY_CODE: &str = "digituki-topics";
/// All our addresses lie in this region (maakunta); HSDS requires `state_province`.
pub const REGION: &str = "Pohjois-Karjala";

/// The namespace all our HSDS UUIDs are derived in.
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://digituki.fi/hsds")
}

/// A stable UUIDv5 for one of our records: `kind` is the HSDS table (`service`,
/// `organization`, ...), `key` our text id (or a path of ids for sub-records).
pub fn uuid_for(kind: &str, key: &str) -> String {
    Uuid::new_v5(&namespace(), format!("{kind}:{key}").as_bytes()).to_string()
}

/// The record of `kind` (`organization`, `service`, `service_at_location`, `location`,
/// `taxonomy_term`) that `id` names: our text id or its HSDS UUID (any case). The UUIDs are
/// indexed once per snapshot, on first use.
pub fn find(dir: &Directory, kind: &str, id: &str) -> Option<RecordRef> {
    let by_ours = match kind {
        "organization" => dir.organization_index(id).map(RecordRef::Organization),
        "service" => dir.service(id).map(|(i, _)| RecordRef::Service(i)),
        "service_at_location" => dir.service_at_location_index(id).map(|(l, j)| RecordRef::ServiceAtLocation(l, j)),
        "location" => dir.location_index(id).map(RecordRef::Location),
        "taxonomy_term" => dir.topics.iter().position(|t| t.code == id).map(RecordRef::Topic),
        _ => None,
    };
    by_ours.or_else(|| {
        let index = dir.hsds_ids.get_or_init(|| {
            let mut m = HashMap::new();
            for (i, o) in dir.organizations.iter().enumerate() {
                m.insert(uuid_for("organization", &o.id), RecordRef::Organization(i));
            }
            for (i, s) in dir.services.iter().enumerate() {
                m.insert(uuid_for("service", &s.id), RecordRef::Service(i));
            }
            for (i, l) in dir.locations.iter().enumerate() {
                m.insert(uuid_for("location", &l.id), RecordRef::Location(i));
                for (j, s) in l.services.iter().enumerate() {
                    m.insert(uuid_for("service_at_location", &s.id), RecordRef::ServiceAtLocation(i as u32, j as u32));
                }
            }
            for (i, t) in dir.topics.iter().enumerate() {
                m.insert(uuid_for("taxonomy_term", &t.code), RecordRef::Topic(i));
            }
            m
        });
        let found = *index.get(&id.to_ascii_lowercase())?;
        let kind_ok = matches!(
            (kind, found),
            ("organization", RecordRef::Organization(_))
                | ("service", RecordRef::Service(_))
                | ("service_at_location", RecordRef::ServiceAtLocation(..))
                | ("location", RecordRef::Location(_))
                | ("taxonomy_term", RecordRef::Topic(_))
        );
        kind_ok.then_some(found)
    })
}

fn timestamp(p: &Provenance) -> String {
    p.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `x_translations` for the given named texts: only languages and fields that exist.
fn translations(fields: &[(&str, Option<&Localized>)]) -> Value {
    let mut out = Map::new();
    for (lang, pick) in [("sv", 0usize), ("en", 1)] {
        let mut m = Map::new();
        for (name, text) in fields {
            if let Some(t) = text {
                let v = if pick == 0 { &t.sv } else { &t.en };
                if let Some(v) = v {
                    m.insert((*name).to_owned(), Value::String(v.clone()));
                }
            }
        }
        if !m.is_empty() {
            out.insert(lang.to_owned(), Value::Object(m));
        }
    }
    Value::Object(out)
}

/// Inserts `value` unless it is `None` (HSDS fields are optional, and typed: no nulls).
fn put<T: Into<Value>>(obj: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(v) = value {
        obj.insert(key.to_owned(), v.into());
    }
}

fn provenance(obj: &mut Map<String, Value>, p: &Provenance) {
    obj.insert("x_source".into(), json!(p.source));
    obj.insert("x_confidence".into(), json!(p.confidence));
    put(obj, "x_verified_at", p.verified_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)));
}

/// Only http(s) links leave the directory.
fn web_url(url: &Option<String>) -> Option<String> {
    url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")).map(str::to_owned)
}

fn phone(kind: &str, owner_field: &str, owner_key: &str, number: &str) -> Value {
    json!({
        "id": uuid_for("phone", &format!("{kind}:{owner_key}")),
        owner_field: uuid_for(kind, owner_key),
        "number": number,
        "type": "voice",
    })
}

/// The organization, one-to-one fields only (list form).
pub fn organization(dir: &Directory, org: &Organization) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(uuid_for("organization", &org.id)));
    o.insert("name".into(), json!(org.name.fi));
    // HSDS requires a description; without one of our own, say what the organization is.
    let description = match &org.description {
        Some(d) => d.fi.clone(),
        None => format!("{}: digitukea tarjoava organisaatio ({}).", org.name.fi, org.kind),
    };
    o.insert("description".into(), json!(description));
    put(&mut o, "email", org.email.clone());
    put(&mut o, "website", web_url(&org.website));
    put(
        &mut o,
        "parent_organization_id",
        org.parent_id.as_ref().filter(|p| dir.organization(p).is_some()).map(|p| uuid_for("organization", p)),
    );
    o.insert("x_digituki_id".into(), json!(org.id));
    o.insert("x_kind".into(), json!(org.kind));
    o.insert("x_last_modified".into(), json!(timestamp(&org.provenance)));
    o.insert(
        "x_translations".into(),
        translations(&[("name", Some(&org.name)), ("description", org.description.as_ref())]),
    );
    provenance(&mut o, &org.provenance);
    Value::Object(o)
}

/// The organization with its phones and locations (`/organizations/{id}`).
pub fn organization_full(dir: &Directory, org: &Organization) -> Value {
    let mut o = organization(dir, org);
    let m = o.as_object_mut().expect("object");
    let phones: Vec<Value> = org.phone.iter().map(|p| phone("organization", "organization_id", &org.id, p)).collect();
    m.insert("phones".into(), Value::Array(phones));
    let locations: Vec<Value> = org.locations.iter().map(|&i| location(dir, &dir.locations[i])).collect();
    m.insert("locations".into(), Value::Array(locations));
    o
}

/// The HSDS address of a location, when it has a full street address.
pub fn address(dir: &Directory, loc: &Location) -> Option<Value> {
    let a = &loc.address;
    let street = a.street.as_deref()?;
    let postal = a.postal_code.as_deref()?;
    let city = a
        .post_office
        .clone()
        .or_else(|| a.municipality_code.as_deref().and_then(|m| dir.municipality(m)).map(|m| m.name.fi.clone()))?;
    let mut o = Map::new();
    o.insert("id".into(), json!(uuid_for("address", &loc.id)));
    o.insert("location_id".into(), json!(uuid_for("location", &loc.id)));
    o.insert("address_1".into(), json!(street));
    o.insert("city".into(), json!(city));
    put(&mut o, "region", a.municipality_code.as_deref().and_then(|m| dir.municipality(m)).map(|m| m.name.fi.clone()));
    o.insert("state_province".into(), json!(REGION));
    o.insert("postal_code".into(), json!(postal));
    o.insert("country".into(), json!("FI"));
    o.insert("address_type".into(), json!("physical"));
    put(&mut o, "x_municipality_code", a.municipality_code.clone());
    Some(Value::Object(o))
}

fn language(kind: &str, owner_field: &str, owner_key: &str, dir: &Directory, code: &str) -> Value {
    let name = dir.language(code).map(|l| l.name.fi.clone()).unwrap_or_else(|| code.to_owned());
    json!({
        "id": uuid_for("language", &format!("{kind}:{owner_key}:{code}")),
        owner_field: uuid_for(kind, owner_key),
        "name": name,
        "code": code,
    })
}

/// A location with its address, phones, languages and schedules.
pub fn location(dir: &Directory, loc: &Location) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(uuid_for("location", &loc.id)));
    o.insert("location_type".into(), json!(if loc.is_remote() { "virtual" } else { "physical" }));
    put(&mut o, "url", web_url(&loc.website));
    o.insert("organization_id".into(), json!(uuid_for("organization", &dir.organizations[loc.organization].id)));
    o.insert("name".into(), json!(loc.name.fi));
    put(&mut o, "description", loc.description.as_ref().map(|d| d.fi.clone()));
    put(&mut o, "transportation", loc.transit.as_ref().map(|d| d.fi.clone()));
    if let Some((lat, lon)) = loc.coordinates {
        o.insert("latitude".into(), json!(lat));
        o.insert("longitude".into(), json!(lon));
    }
    put(&mut o, "external_identifier", loc.provenance.external_id.clone());
    put(
        &mut o,
        "external_identifier_type",
        loc.provenance.external_id.as_ref().map(|_| loc.provenance.source.to_string()),
    );
    let languages: Vec<Value> =
        loc.languages.iter().map(|c| language("location", "location_id", &loc.id, dir, c)).collect();
    o.insert("languages".into(), Value::Array(languages));
    o.insert("addresses".into(), Value::Array(address(dir, loc).into_iter().collect()));
    let phones: Vec<Value> = loc.phone.iter().map(|p| phone("location", "location_id", &loc.id, p)).collect();
    o.insert("phones".into(), Value::Array(phones));
    if let Some(acc) = &loc.accessibility {
        o.insert(
            "accessibility".into(),
            json!([{
                "id": uuid_for("accessibility", &loc.id),
                "location_id": uuid_for("location", &loc.id),
                "description": acc.fi,
            }]),
        );
    }
    let schedules =
        loc.hours.as_ref().map(|h| schedule::rows(&h.hours, schedule::Owner::Location(&loc.id))).unwrap_or_default();
    o.insert("schedules".into(), Value::Array(schedules));
    o.insert("x_digituki_id".into(), json!(loc.id));
    o.insert("x_kind".into(), json!(loc.kind));
    o.insert("x_status".into(), json!(loc.status));
    put(&mut o, "x_coordinate_method", loc.coordinate_method.clone());
    if !loc.served_municipalities.is_empty() {
        o.insert("x_served_municipalities".into(), json!(loc.served_municipalities));
    }
    o.insert("x_last_modified".into(), json!(timestamp(&loc.provenance)));
    o.insert(
        "x_translations".into(),
        translations(&[
            ("name", Some(&loc.name)),
            ("description", loc.description.as_deref()),
            ("transportation", loc.transit.as_deref()),
            ("accessibility", loc.accessibility.as_deref()),
        ]),
    );
    provenance(&mut o, &loc.provenance);
    Value::Object(o)
}

/// The service, one-to-one fields only (list form).
pub fn service(dir: &Directory, svc: &Service) -> Value {
    let org = &dir.organizations[svc.organization];
    let mut o = Map::new();
    o.insert("id".into(), json!(uuid_for("service", &svc.id)));
    o.insert("organization_id".into(), json!(uuid_for("organization", &org.id)));
    o.insert("name".into(), json!(svc.name.fi));
    put(&mut o, "description", svc.description.as_ref().map(|d| d.fi.clone()));
    o.insert("status".into(), json!("active"));
    put(&mut o, "fees_description", svc.cost.as_ref().map(|d| d.fi.clone()));
    o.insert("last_modified".into(), json!(timestamp(&svc.provenance)));
    o.insert("x_digituki_id".into(), json!(svc.id));
    o.insert("x_assistance_level".into(), json!(svc.assistance_level));
    o.insert("x_delivery_modes".into(), json!(svc.delivery_modes));
    o.insert("x_audience".into(), json!(svc.audience));
    o.insert("x_topics".into(), json!(svc.topics));
    o.insert(
        "x_translations".into(),
        translations(&[
            ("name", Some(&svc.name)),
            ("description", svc.description.as_ref()),
            ("fees_description", svc.cost.as_ref()),
        ]),
    );
    provenance(&mut o, &svc.provenance);
    Value::Object(o)
}

/// The attributes linking a service to its topics (taxonomy terms).
pub fn service_attributes(dir: &Directory, svc: &Service) -> Vec<Value> {
    svc.topics
        .iter()
        .filter_map(|code| dir.topic(code))
        .map(|t| {
            json!({
                "id": uuid_for("attribute", &format!("service:{}:{}", svc.id, t.code)),
                "link_id": uuid_for("service", &svc.id),
                "link_type": "topic",
                "link_entity": "service",
                "taxonomy_term_id": uuid_for("taxonomy_term", &t.code),
                "value": t.code,
                "taxonomy_term": taxonomy_term(t),
            })
        })
        .collect()
}

/// The languages a service is given in.
pub fn service_languages(dir: &Directory, svc: &Service) -> Vec<Value> {
    svc.languages.iter().map(|c| language("service", "service_id", &svc.id, dir, c)).collect()
}

/// The service with its organization, languages, topics and places (`/services/{id}`).
pub fn service_full(dir: &Directory, svc: &Service) -> Value {
    let mut o = service(dir, svc);
    let m = o.as_object_mut().expect("object");
    m.insert("organization".into(), organization(dir, &dir.organizations[svc.organization]));
    m.insert("languages".into(), Value::Array(service_languages(dir, svc)));
    m.insert("attributes".into(), Value::Array(service_attributes(dir, svc)));
    let sals: Vec<Value> =
        service_places(dir, svc).map(|(loc, sal)| service_at_location(dir, loc, sal, false)).collect();
    m.insert("service_at_locations".into(), Value::Array(sals));
    o
}

/// Every place a service is offered at.
pub fn service_places<'a>(
    dir: &'a Directory,
    svc: &'a Service,
) -> impl Iterator<Item = (&'a Location, &'a ServiceAtLocation)> + 'a {
    dir.locations
        .iter()
        .filter(|l| l.status != crate::domain::LocationStatus::Inactive)
        .flat_map(|l| l.services.iter().map(move |s| (&**l, s)))
        .filter(move |(_, s)| dir.services[s.service].id == svc.id)
}

/// A service at a location: its own hours when it has narrower ones, the building's otherwise.
pub fn service_at_location(dir: &Directory, loc: &Location, sal: &ServiceAtLocation, with_service: bool) -> Value {
    let svc = &dir.services[sal.service];
    let mut o = Map::new();
    o.insert("id".into(), json!(uuid_for("service_at_location", &sal.id)));
    o.insert("service_id".into(), json!(uuid_for("service", &svc.id)));
    o.insert("location_id".into(), json!(uuid_for("location", &loc.id)));
    put(&mut o, "description", sal.note.as_ref().map(|n| n.fi.clone()));
    let schedules = match (&sal.hours, &loc.hours) {
        (Some(h), _) => schedule::rows(&h.hours, schedule::Owner::ServiceAtLocation(&sal.id)),
        (None, Some(h)) => schedule::rows(&h.hours, schedule::Owner::ServiceAtLocation(&sal.id)),
        (None, None) => Vec::new(),
    };
    o.insert("x_hours_of".into(), json!(if sal.hours.is_some() { "service" } else { "location" }));
    o.insert("schedules".into(), Value::Array(schedules));
    o.insert("location".into(), location(dir, loc));
    if with_service {
        o.insert("service".into(), service(dir, svc));
    }
    o.insert("x_digituki_id".into(), json!(sal.id));
    o.insert("x_last_modified".into(), json!(timestamp(&sal.provenance)));
    o.insert("x_translations".into(), translations(&[("description", sal.note.as_deref())]));
    provenance(&mut o, &sal.provenance);
    Value::Object(o)
}

/// The one taxonomy: our topic vocabulary.
pub fn taxonomy() -> Value {
    json!({
        "id": uuid_for("taxonomy", TAXONOMY_CODE),
        "name": "Digituki-aiheet",
        "description": "Digituen aiheet: mihin digitaalisiin asioihin apua saa (Digituki-hakemiston oma sanasto).",
        "version": "1",
        "x_code": TAXONOMY_CODE,
        "x_translations": {
            "sv": {"name": "Digistödets ämnen", "description": "Vad man kan få hjälp med (katalogens egen vokabulär)."},
            "en": {"name": "Digital support topics", "description": "What people can get help with (the directory's own vocabulary)."}
        }
    })
}

/// A topic as a taxonomy term.
pub fn taxonomy_term(t: &Topic) -> Value {
    json!({
        "id": uuid_for("taxonomy_term", &t.code),
        "code": t.code,
        "name": t.label.fi,
        "description": t.description.as_ref().map(|d| d.fi.as_str()).unwrap_or(t.label.fi.as_str()),
        "taxonomy": TAXONOMY_CODE,
        "taxonomy_id": uuid_for("taxonomy", TAXONOMY_CODE),
        "language": "fi",
        "x_translations": translations(&[("name", Some(&t.label)), ("description", t.description.as_ref())]),
    })
}

/// Flattens a (nested) HSDS object into the rows of the tabular tables it contains,
/// as `(table, row)`: nested arrays and objects become rows of their own tables.
pub fn flatten(table: &str, obj: &Value, out: &mut Vec<(String, Map<String, Value>)>) {
    let Some(map) = obj.as_object() else { return };
    let mut row = Map::new();
    for (k, v) in map {
        let child_table = match k.as_str() {
            "addresses" => Some("address"),
            "phones" => Some("phone"),
            "schedules" => Some("schedule"),
            "languages" => Some("language"),
            "accessibility" => Some("accessibility"),
            "attributes" => Some("attribute"),
            _ => None,
        };
        match (child_table, v) {
            (Some(t), Value::Array(items)) => items.iter().for_each(|i| flatten(t, i, out)),
            (_, Value::Object(_) | Value::Array(_)) => {}
            _ => {
                row.insert(k.clone(), v.clone());
            }
        }
    }
    out.push((table.to_owned(), row));
}
