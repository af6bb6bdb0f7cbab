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
    }
}

/// The second edition of the data publishes hours for ten places (`hours` in providers.json).
/// An entry is `verified` only where the data publishes staffed hours it calls verified; where the
/// data gives no staffed hours, the entry's staffed ranges are placeholders and it is `assumed`;
/// an entry for a place without published hours is `assumed`.
#[test]
fn demo_hours_claim_no_more_than_the_published_hours() {
    let providers: serde_json::Value = serde_json::from_str(PROVIDERS).unwrap();
    let published: std::collections::HashMap<String, serde_json::Value> = providers
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|org| org["locations"].as_array().unwrap())
        .filter(|loc| !loc["hours"].is_null())
        .map(|loc| (loc["id"].as_str().unwrap().to_string(), loc["hours"].clone()))
        .collect();
    assert_eq!(published.len(), 10, "the second edition publishes hours for 10 places");
    let demo = demo();
    for (id, entry) in &demo {
        let has_staffed = entry
            .hours
            .periods
            .iter()
            .any(|p| WEEKDAYS.iter().any(|&wd| p.week.get(wd).iter().any(|r| r.kind == RangeKind::Staffed)));
        match published.get(id) {
            None => assert_eq!(entry.confidence, HoursConfidence::Assumed, "{id}: no published hours"),
            Some(h) if h["staffed"].is_null() && has_staffed => {
                assert_eq!(entry.confidence, HoursConfidence::Assumed, "{id}: staffed hours are placeholders")
            }
            Some(h) => {
                let level = h["confidence"].as_str().unwrap();
                if entry.confidence == HoursConfidence::Verified {
                    assert!(level.starts_with("verified"), "{id}: verified, but the data says {level}");
                }
            }
        }
    }
    // The published staffed hours win over placeholders, with the data's confidence.
    for id in ["kit-kesalahti", "lie-asiointipiste", "juu-kunnantalo-info"] {
        assert_eq!(demo[id].confidence, HoursConfidence::Verified, "{id}");
    }
    // Closing time missing in the source; term breaks unknown: approximate.
    assert_eq!(demo["kit-asiointipiste"].confidence, HoursConfidence::Approximate);
    assert_eq!(demo["jsko-toimisto"].confidence, HoursConfidence::Approximate);
    // Self-service hours are published, staffed hours are not: the document stays assumed.
    for id in ["jns-paakirjasto", "hei-kirjasto", "jns-karsikko", "lip-viinijarvi"] {
        assert_eq!(demo[id].confidence, HoursConfidence::Assumed, "{id}");
    }
    // Kesälahti as published on 12.1.2026: Mon, Wed, Fri 10-15.
    let kes = &demo["kit-kesalahti"].hours;
    assert!(kes.is_staffed_at(hel("2027-01-18 10:00")));
    assert!(kes.is_staffed_at(hel("2027-01-22 14:59")));
    assert!(!kes.is_staffed_at(hel("2027-01-19 12:00")), "closed on Tuesdays");
    // The main library's published self-service frame, 07-21 every day, is kept.
    let main = &demo["jns-paakirjasto"].hours;
    assert_eq!(main.status_at(hel("2027-01-17 07:00")).state, State::SelfService);
    assert_eq!(main.status_at(hel("2027-01-17 20:59")).state, State::SelfService);
    assert_eq!(main.status_at(hel("2027-01-17 21:00")).state, State::Closed);
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
