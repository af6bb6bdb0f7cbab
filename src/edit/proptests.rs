//! Property tests (proptest) of what partners write: request bodies and JSON Merge Patches
//! (RFC 7396) through `parse_body` / `merge_patch` and each input type's `validate`.
//!
//! * Arbitrary bytes and arbitrary JSON never panic and never give a 5xx-class error: bad input
//!   is always the client's fault (400/422) and names a field.
//! * Applying an accepted patch a second time changes nothing (merge patches are idempotent):
//!   the same input, the same stored values.
//!
//! The patches mix the fields of the input type (with valid values, near misses and any JSON)
//! with unknown members, so that many are accepted and many are refused; a plain test checks
//! that both happen often enough for the properties to mean something.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::location::LocationInput;
use super::organization::OrganizationInput;
use super::service::ServiceInput;
use super::service_at_location::ServiceAtLocationInput;
use super::{merge_patch, parse_body};
use crate::db::load::DirectoryRows;
use crate::db::models::*;
use crate::directory::Directory;
use crate::error::{ApiError, ApiResult};

const CASES: u32 = 256;

/// A stored row of the test directory: `fields` over what every row has (a test source,
/// verified, version 1, written once, never deleted; absent optional fields are empty).
fn row<T: DeserializeOwned>(fields: Value) -> T {
    let at = "2026-11-01T12:00:00Z";
    let mut row = json!({"source": "test", "confidence": "verified", "sources": [], "created_at": at, "updated_at": at, "version": 1});
    row.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    serde_json::from_value(row).unwrap()
}

/// A small directory: two organizations, one municipality, one topic, one location, service
/// and service-at-location of `pksotu`.
fn directory() -> Directory {
    let org = |id: &str| {
        row::<OrganizationRow>(json!({"id": id, "kind": "association", "name_fi": format!("Organisaatio {id}")}))
    };
    Directory::build(DirectoryRows {
        version: 1,
        municipalities: vec![MunicipalityRow {
            code: "167".into(),
            name_fi: "Joensuu".into(),
            name_sv: "Joensuu".into(),
            centre_latitude: 62.6,
            centre_longitude: 29.76,
            centre_confidence: "verified".into(),
        }],
        postal_codes: vec![],
        sources: vec![],
        topics: vec![TopicRow {
            code: "online_public_services".into(),
            label_fi: "Sähköinen asiointi".into(),
            label_sv: "E-tjänster".into(),
            label_en: "Online public services".into(),
            description_fi: None,
            description_sv: None,
            description_en: None,
            sort_order: 1,
        }],
        languages: vec![],
        organizations: vec![org("pksotu"), org("toinen")],
        locations: vec![location_row()],
        location_languages: vec![],
        services: vec![row(json!({
            "id": "pksotu-device-basics",
            "organization_id": "pksotu",
            "name_fi": "Laitteiden perusteet",
            "delivery_modes": ["drop_in"],
            "audience": ["everyone"],
            "assistance_level": "guidance",
        }))],
        service_topics: vec![],
        service_languages: vec![],
        services_at_locations: vec![row(json!({
            "id": "pksotu-kansalaistalo-basics",
            "service_id": "pksotu-device-basics",
            "location_id": "pksotu-kansalaistalo",
            "note_fi": "Maanantaisin",
        }))],
        contacts: vec![],
        opening_hours: vec![],
        events: vec![],
        verified_by: vec![],
    })
}

fn location_row() -> LocationRow {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
    LocationRow {
        name_fi: "Kansalaistalo".into(),
        name_en: Some("Citizens' house".into()),
        street_address: Some("Koskikatu 25".into()),
        postal_code: Some("80100".into()),
        post_office: Some("Joensuu".into()),
        municipality_code: Some("167".into()),
        latitude: Some(62.6017),
        longitude: Some(29.7514),
        coordinate_method: Some("given by the partner".into()),
        phone: Some("+358 13 267 7111".into()),
        email: Some("info@example.fi".into()),
        website: Some("https://example.fi".into()),
        created_at: at,
        updated_at: at,
        ..LocationRow::blank("pksotu-kansalaistalo", "pksotu", "association", "test")
    }
}

/// The current (valid) input form of each record kind, as PATCH starts from it.
fn current_location() -> LocationInput {
    LocationInput::from_row(&location_row(), vec!["fi".into()])
}
fn current_organization() -> OrganizationInput {
    OrganizationInput {
        id: Some("pksotu".into()),
        kind: Some("association".into()),
        name: Some(super::TextInput { fi: Some("Pohjois-Karjalan sosiaaliturvayhdistys".into()), sv: None, en: None }),
        ..Default::default()
    }
}
fn current_service() -> ServiceInput {
    ServiceInput {
        id: Some("pksotu-device-basics".into()),
        organization_id: Some("pksotu".into()),
        name: Some(super::TextInput { fi: Some("Laitteiden perusteet".into()), sv: None, en: None }),
        topics: vec!["online_public_services".into()],
        delivery_modes: vec!["drop_in".into()],
        assistance_level: Some("guidance".into()),
        ..Default::default()
    }
}
fn current_sal() -> ServiceAtLocationInput {
    ServiceAtLocationInput {
        id: Some("pksotu-kansalaistalo-basics".into()),
        service_id: Some("pksotu-device-basics".into()),
        location_id: Some("pksotu-kansalaistalo".into()),
        note: Some(super::TextInput { fi: Some("Maanantaisin".into()), sv: None, en: None }),
        ..Default::default()
    }
}

/// Strings that are valid somewhere (kinds, statuses, codes, contacts), near misses and noise.
fn string_value() -> impl Strategy<Value = String> {
    let valid = prop::sample::select(vec![
        "association",
        "library",
        "other",
        "active",
        "inactive",
        "verified",
        "approximate",
        "assumed",
        "guidance",
        "drop_in",
        "by_appointment",
        "everyone",
        "seniors",
        "fi",
        "sv",
        "en",
        "167",
        "Joensuu",
        "80100",
        "+358 13 123 4567",
        "013 123 4567",
        "info@example.fi",
        "https://example.fi/varaa",
        "pksotu",
        "toinen",
        "pksotu-kansalaistalo",
        "pksotu-device-basics",
        "online_public_services",
        "Koskikatu 25",
    ]);
    let near = prop::sample::select(vec![
        "",
        "   ",
        "Association",
        "FI",
        "fin",
        "xx",
        "8010",
        "801000",
        "+358 +13",
        "1234",
        "info@",
        "@example.fi",
        "info@example",
        "javascript:alert(1)",
        "ftp://example.fi",
        "http://",
        "PKSOTU",
        " pksotu",
        "-abc",
        "a\u{0}b",
        "a\u{1b}[31mb",
        "\u{202e}gnp.exe",
        "999",
    ]);
    prop_oneof![
        5 => valid.prop_map(str::to_owned),
        3 => near.prop_map(str::to_owned),
        2 => any::<String>(),
        1 => "[a-z0-9 -]{0,30}",
        1 => (0usize..5000).prop_map(|n| "ä".repeat(n)),
    ]
}

fn text_object() -> impl Strategy<Value = Value> {
    let lang = prop::sample::select(vec!["fi", "sv", "en", "de", ""]);
    prop::collection::btree_map(lang, prop::option::of(string_value()), 0..=3).prop_map(|m| {
        Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v.map_or(Value::Null, Value::String))).collect())
    })
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (60.0f64..70.0).prop_map(|a| json!(a)),
        1 => (20.0f64..32.0).prop_map(|a| json!(a)),
        1 => any::<i64>().prop_map(|n| json!(n)),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
    ]
}

/// Any JSON value, biased towards the shapes the inputs use.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        2 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        2 => number(),
        5 => string_value().prop_map(Value::String),
        3 => text_object(),
        1 => Just(json!({"periods": [{"week": {"mon": [{"start": "10:00", "end": "16:00", "kind": "staffed"}]}}]})),
        1 => Just(json!({"by_appointment": true, "phone": "013 123 4567", "url": "https://example.fi/varaa"})),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            2 => prop::collection::vec(string_value().prop_map(Value::String), 0..4).prop_map(Value::Array),
            1 => prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            1 => prop::collection::btree_map("[a-z_]{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A merge patch for records whose input form has `fields`: mostly known members, some unknown.
fn patch(fields: Vec<String>) -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        8 => prop::sample::select(fields),
        1 => prop::sample::select(vec!["".to_owned(), "thur".to_owned(), "nimi".to_owned(), "ID".to_owned()]),
    ];
    prop::collection::btree_map(key, value(), 0..=4).prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>()))
}

fn fields_of<T: Serialize>(current: &T) -> Vec<String> {
    match serde_json::to_value(current).unwrap() {
        Value::Object(m) => m.keys().cloned().collect(),
        _ => unreachable!("input forms are objects"),
    }
}

fn client_error<T>(what: &str, result: &ApiResult<T>) -> Result<(), TestCaseError> {
    if let Err(ApiError { status, detail, .. }) = result {
        prop_assert!(status.is_client_error(), "{what}: {status} {detail}");
        prop_assert!(!detail.is_empty(), "{what}: an error without detail");
    }
    Ok(())
}

/// What a record kind needs for the properties: its current input and how it is validated
/// (into a comparable form of the stored values).
trait Record: Serialize + DeserializeOwned + Clone + std::fmt::Debug + super::ReadShaped {
    fn current() -> Self;
    fn check(&self, dir: &Directory) -> ApiResult<String>;
}

impl Record for LocationInput {
    fn current() -> Self {
        current_location()
    }
    fn check(&self, dir: &Directory) -> ApiResult<String> {
        self.validate(dir, Some(&location_row())).map(|v| format!("{v:?}"))
    }
}
impl Record for OrganizationInput {
    fn current() -> Self {
        current_organization()
    }
    fn check(&self, dir: &Directory) -> ApiResult<String> {
        self.validate(dir).map(|v| format!("{v:?}"))
    }
}
impl Record for ServiceInput {
    fn current() -> Self {
        current_service()
    }
    fn check(&self, dir: &Directory) -> ApiResult<String> {
        self.validate(dir).map(|v| format!("{:?} {:?} {:?}", v.changes, v.topics, v.languages))
    }
}
impl Record for ServiceAtLocationInput {
    fn current() -> Self {
        current_sal()
    }
    fn check(&self, dir: &Directory) -> ApiResult<String> {
        self.validate(dir).map(|v| format!("{:?} {:?} {}", v.changes, v.hours, v.organization_id))
    }
}

/// Applies `patch` to the current record and validates the result: `Some(stored values)` when
/// accepted. Checks on the way that every refusal is a client error.
fn apply<R: Record>(dir: &Directory, patch: &Value) -> Result<Option<(R, String)>, TestCaseError> {
    let bytes = serde_json::to_vec(patch).unwrap();
    let patched = merge_patch(&R::current(), &bytes);
    client_error("merge_patch", &patched)?;
    let Ok(input) = patched else { return Ok(None) };
    let valid = input.check(dir);
    client_error("validate", &valid)?;
    Ok(valid.ok().map(|v| (input, v)))
}

/// The properties for one record kind: no 5xx, and an accepted patch applied again to its own
/// result gives the same input and the same stored values.
fn check_patch<R: Record>(dir: &Directory, patch: &Value) -> Result<(), TestCaseError> {
    let Some((once, stored_once)) = apply::<R>(dir, patch)? else { return Ok(()) };
    let bytes = serde_json::to_vec(patch).unwrap();
    let twice = merge_patch(&once, &bytes);
    prop_assert!(twice.is_ok(), "accepted once, refused the second time: {:?}", twice.err());
    let twice = twice.unwrap();
    prop_assert_eq!(serde_json::to_value(&twice).unwrap(), serde_json::to_value(&once).unwrap());
    let stored_twice = twice.check(dir);
    prop_assert!(stored_twice.is_ok(), "valid once, invalid the second time: {:?}", stored_twice.err());
    prop_assert_eq!(stored_twice.unwrap(), stored_once);
    Ok(())
}

/// Bodies as POST reads them (`parse_body` then `validate`).
fn check_body<R: Record>(dir: &Directory, bytes: &[u8]) -> Result<(), TestCaseError> {
    let parsed = parse_body::<R>(bytes);
    client_error("parse_body", &parsed)?;
    if let Ok(input) = parsed {
        client_error("validate", &input.check(dir))?;
    }
    Ok(())
}

/// For each kind of record: random merge patches of its current input form never answer 5xx
/// and are idempotent (`check_patch`).
macro_rules! patch_properties {
    ($($name:ident: $Input:ty, $current:ident;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]
            $(
                #[test]
                fn $name(p in patch(fields_of(&$current()))) {
                    check_patch::<$Input>(&directory(), &p)?;
                }
            )*
        }
    };
}

patch_properties! {
    location_patches_never_5xx_and_are_idempotent: LocationInput, current_location;
    organization_patches_never_5xx_and_are_idempotent: OrganizationInput, current_organization;
    service_patches_never_5xx_and_are_idempotent: ServiceInput, current_service;
    service_at_location_patches_never_5xx_and_are_idempotent: ServiceAtLocationInput, current_sal;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    #[test]
    fn any_json_body_never_5xx(body in prop_oneof![value(), patch(fields_of(&current_location()))]) {
        let dir = directory();
        let bytes = serde_json::to_vec(&body).unwrap();
        check_body::<LocationInput>(&dir, &bytes)?;
        check_body::<OrganizationInput>(&dir, &bytes)?;
        check_body::<ServiceInput>(&dir, &bytes)?;
        check_body::<ServiceAtLocationInput>(&dir, &bytes)?;
        // The same JSON as a merge patch: non-objects are refused with 422, never a panic.
        let patched = merge_patch(&current_location(), &bytes);
        client_error("merge_patch", &patched)?;
        if !body.is_object() {
            prop_assert_eq!(patched.err().map(|e| e.status.as_u16()), Some(422));
        }
    }

    #[test]
    fn any_bytes_never_5xx(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        "\\{[ -~]{0,40}\\}".prop_map(String::into_bytes),
    ]) {
        let dir = directory();
        check_body::<LocationInput>(&dir, &bytes)?;
        check_body::<ServiceAtLocationInput>(&dir, &bytes)?;
        client_error("merge_patch", &merge_patch(&current_service(), &bytes))?;
    }
}

/// The properties above mean something only if the generated patches are both accepted and
/// refused often: count both over 256 patches of each kind.
#[test]
fn generated_patches_are_both_accepted_and_refused() {
    fn count<R: Record>(dir: &Directory) -> (usize, usize) {
        let mut runner = TestRunner::deterministic();
        let strategy = patch(fields_of(&R::current()));
        let mut accepted = 0;
        for _ in 0..256 {
            let p = strategy.new_tree(&mut runner).unwrap().current();
            if matches!(apply::<R>(dir, &p), Ok(Some(_))) {
                accepted += 1;
            }
        }
        (accepted, 256 - accepted)
    }
    let dir = directory();
    for (what, (accepted, refused)) in [
        ("location", count::<LocationInput>(&dir)),
        ("organization", count::<OrganizationInput>(&dir)),
        ("service", count::<ServiceInput>(&dir)),
        ("service at location", count::<ServiceAtLocationInput>(&dir)),
    ] {
        assert!(accepted >= 25, "{what}: only {accepted} of 256 generated patches accepted");
        assert!(refused >= 25, "{what}: only {refused} of 256 generated patches refused");
    }
}
