//! Checks the demo hours file `demo-data/demo_hours.json` (location id → [`SourcedHours`])
//! against the engine: it parses, validates, and refers only to known fixed locations.
//! The files are embedded at compile time, so the module itself still does no I/O.

use super::test_util::*;
use super::*;

const DEMO_HOURS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/demo-data/demo_hours.json"));
const PROVIDERS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/demo-data/providers.json"));

fn demo() -> std::collections::BTreeMap<String, SourcedHours> {
    serde_json::from_str(DEMO_HOURS).expect("demo_hours.json parses as id -> SourcedHours")
}

#[test]
fn demo_hours_parse_and_validate() {
    let demo = demo();
    assert!(demo.len() >= 20, "only {} entries", demo.len());
    for (id, entry) in &demo {
        assert_eq!(entry.hours.validate(), vec![], "{id}");
        assert!(!entry.source_note.trim().is_empty(), "{id}: empty source_note");
        assert!(!entry.hours.periods.is_empty(), "{id}: no periods");
        // Every entry has some staffed time in a normal week, or it would say "no help".
        assert!(entry.hours.to_osm().chars().any(|c| c.is_ascii_digit()), "{id}: {}", entry.hours.to_osm());
        // No demo entry claims to be verified.
        assert_ne!(entry.confidence, HoursConfidence::Verified, "{id}");
    }
}

#[test]
fn demo_hours_refer_to_fixed_locations() {
    let providers: serde_json::Value = serde_json::from_str(PROVIDERS).unwrap();
    let kinds: std::collections::HashMap<String, String> = providers
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|org| org["locations"].as_array().unwrap())
        .map(|loc| (loc["id"].as_str().unwrap().to_string(), loc["kind"].as_str().unwrap().to_string()))
        .collect();
    let demo = demo();
    for id in demo.keys() {
        let kind = kinds.get(id).unwrap_or_else(|| panic!("unknown location id {id}"));
        assert_ne!(kind, "library_bookmobile", "{id}: bookmobiles have no fixed hours");
    }
    // Every fixed library has an entry.
    for (id, kind) in &kinds {
        if kind == "library" {
            assert!(demo.contains_key(id), "library {id} has no hours");
        }
    }
}

#[test]
fn demo_hours_behave_as_described() {
    let demo = demo();
    let main = &demo["jns-paakirjasto"].hours;
    // Sunday 2027-01-17 10:00: self-service only.
    assert_eq!(main.status_at(hel("2027-01-17 10:00")).state, State::SelfService);
    // Monday 2027-01-18 08:00: self-service, staffed from 10:00.
    let s = main.status_at(hel("2027-01-18 08:00"));
    assert_eq!(s.state, State::SelfService);
    assert_eq!(s.next_change, Some(Change { at: hel("2027-01-18 10:00"), state: State::Staffed }));
    // Summer 2027: shorter staffed hours.
    assert!(!main.is_staffed_at(hel("2027-07-05 18:00")));
    assert!(main.is_staffed_at(hel("2027-01-18 18:00")));
    // Holidays close even the self-service libraries (the model cannot keep only the
    // self-service part open; see open_on_holidays).
    let hei = &demo["hei-kirjasto"].hours;
    assert_eq!(hei.status_at(hel("2026-12-06 12:00")).state, State::Closed);
    assert_eq!(hei.status_at(hel("2026-12-05 12:00")).state, State::SelfService);
    // Kitee service point: lunch gap on Mondays.
    let kit = &demo["kit-asiointipiste"].hours;
    assert!(!kit.is_staffed_at(hel("2027-01-18 12:00")));
    assert!(kit.is_staffed_at(hel("2027-01-18 13:00")));
    assert_eq!(demo["kit-asiointipiste"].confidence, HoursConfidence::Approximate);
    let _ = d("2027-01-01");
}
