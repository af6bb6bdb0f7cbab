//! Loads the bundled North Karelia demo data (`demo-data/`, compiled into the binary) into an
//! empty database, keeping every record's sources and confidence.
//!
//! The compiled data describes services as codes per location (`guidance_online_services`,
//! `device_basics`, ...). Each code becomes an organization-level service with topics from the
//! controlled vocabulary, and a service-at-location carrying that location's confidence and
//! sources for it.
//!
//! The data is the second edition (2026-12): locations also carry structured `phone`, `email`,
//! `location_website`, `hours` (the published hours in words, with their source, publication date
//! and confidence) and `accessibility`, each with its own source and confidence. Those
//! confidences go into the location's `confidence_detail`; their sources join the location's
//! sources. English-only texts get the project's Finnish and Swedish translations from
//! `demo-data/translations.json`, and loading fails when one is missing.
//!
//! Hours documents come from `demo-data/demo_hours.json`. Where the data publishes hours, the
//! document's source note names that source and its publication date, and its confidence may not
//! exceed the data's; where the data gives no staffed hours, staffed ranges in the document are
//! placeholders and the document must be `assumed`; hours without any source must be `assumed`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{bail, Context};
use chrono::Utc;
use diesel::ExpressionMethods;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::db::models::*;
use crate::db::schema::*;
use crate::hours::{HoursConfidence, RangeKind, SourcedHours, WEEKDAYS};

const PROVIDERS: &str = include_str!("../demo-data/providers.json");
const MUNICIPALITIES: &str = include_str!("../demo-data/municipalities.json");
const POSTAL_CODES: &str = include_str!("../demo-data/postal_codes.csv");
const SOURCES: &str = include_str!("../demo-data/sources.json");
/// Hours: a few from sources, the rest plausible placeholders marked `assumed`.
const HOURS: &str = include_str!("../demo-data/demo_hours.json");
/// Our Finnish and Swedish translations of the data's English-only texts.
const TRANSLATIONS: &str = include_str!("../demo-data/translations.json");

/// The `source` of every record loaded from the bundled files.
pub const DEMO_SOURCE: &str = "demo-data";

#[derive(Deserialize)]
struct Names {
    fi: String,
    sv: Option<String>,
    en: Option<String>,
}

#[derive(Deserialize)]
struct SourceRef {
    key: Option<String>,
    title: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct Provider {
    id: String,
    name: Names,
    kind: String,
    network: Option<String>,
    website: Option<String>,
    notes: Option<String>,
    #[serde(default)]
    sources: Vec<SourceRef>,
    locations: Vec<ProviderLocation>,
}

#[derive(Deserialize)]
struct ProviderLocation {
    id: String,
    name: Names,
    kind: String,
    municipality_code: Option<String>,
    street_address: Option<String>,
    postal_code: Option<String>,
    postal_town: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    coordinate_method: Option<String>,
    postal_code_area_at_coordinates: Option<String>,
    #[serde(default)]
    services: Vec<ProviderService>,
    #[serde(default)]
    languages: Vec<String>,
    languages_confidence: Option<String>,
    hours_notes: Option<String>,
    website: Option<String>,
    notes: Option<String>,
    status: Option<String>,
    source: Option<String>,
    #[serde(default)]
    sources: Vec<SourceRef>,
    confidence: String,
    #[serde(default)]
    confidence_detail: Value,
    // Second edition (2026-12): `null` where no source gave the fact.
    phone: Option<SourcedValue>,
    email: Option<SourcedValue>,
    location_website: Option<SourcedUrl>,
    hours: Option<PublishedHours>,
    accessibility: Option<SourcedValue>,
}

/// A phone number, e-mail address or accessibility note with its provenance.
#[derive(Deserialize)]
struct SourcedValue {
    value: String,
    source_key: String,
    confidence: String,
    as_of: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
struct SourcedUrl {
    url: String,
    source_key: String,
    confidence: String,
}

/// The published hours in words: staffed and self-service parts apart where the source says.
#[derive(Deserialize)]
struct PublishedHours {
    text: String,
    staffed: Option<String>,
    hours_source_key: String,
    hours_published: Option<String>,
    confidence: String,
}

#[derive(Deserialize)]
struct Translations {
    service_notes: Vec<Translation>,
    accessibility: BTreeMap<String, Translation>,
}

/// `en` is the data's text, exactly; `fi` and `sv` are our translations of it.
#[derive(Deserialize)]
struct Translation {
    en: String,
    fi: String,
    sv: Option<String>,
}

#[derive(Deserialize)]
struct ProviderService {
    code: String,
    label_fi: String,
    label_en: Option<String>,
    confidence: String,
    #[serde(default)]
    source_keys: Vec<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
struct MunicipalityFile {
    municipalities: Vec<MunicipalityEntry>,
}

#[derive(Deserialize)]
struct MunicipalityEntry {
    municipality_code: String,
    name_fi: String,
    name_sv: String,
    centre_latitude: f64,
    centre_longitude: f64,
    centre_confidence: String,
}

#[derive(Deserialize)]
struct SourceFile {
    sources: BTreeMap<String, SourceEntry>,
}

#[derive(Deserialize)]
struct SourceEntry {
    title: String,
    url: Option<String>,
    licence: Option<String>,
}

/// How one service code of the compiled data maps onto our model.
struct ServiceKind {
    topics: &'static [&'static str],
    modes: &'static [&'static str],
    assistance_level: &'static str,
    name_sv: &'static str,
}

fn service_kind(code: &str) -> anyhow::Result<ServiceKind> {
    let k = |topics, modes, assistance_level, name_sv| ServiceKind { topics, modes, assistance_level, name_sv };
    Ok(match code {
        "guidance_online_services" => {
            k(&["online_public_services"], &["drop_in"], "guidance", "Handledning i e-tjänster")
        }
        "device_basics" => k(
            &["phone_tablet_basics", "computer_basics"],
            &["drop_in"],
            "guidance",
            "Grunderna i telefon, surfplatta och dator",
        ),
        "public_devices" => k(&["library_devices"], &["drop_in"], "guidance", "Kunddatorer, utskrift, skanning, wifi"),
        "information_search" => {
            k(&["information_search"], &["drop_in"], "guidance", "Handledning i informationssökning")
        }
        "courses_events" => k(
            &["computer_basics", "phone_tablet_basics"],
            &["group_course", "event"],
            "guidance",
            "Kurser, digitala klubbar och evenemang",
        ),
        "peer_support" => k(
            &["phone_tablet_basics", "computer_basics", "online_public_services"],
            &["drop_in"],
            "guidance",
            "Kamrat- och frivilligstöd",
        ),
        "authority_service" => k(
            &["online_public_services"],
            &["drop_in"],
            "authorized_assistance",
            "Myndighetens kundtjänst och blankettrådgivning",
        ),
        "remote_authority_service" => k(
            &["online_public_services", "video_calls"],
            &["video"],
            "authorized_assistance",
            "Videoservice med en myndighet",
        ),
        "coordination" => k(&[], &[], "information_only", "Regional samordning"),
        other => bail!("unknown service code {other:?} in the demo data"),
    })
}

/// How sure a level is, surest highest (`domain::Confidence` is ordered surest first); a word
/// that is not a level counts as the least sure.
fn confidence_rank(c: &str) -> u8 {
    match c.parse::<crate::domain::Confidence>() {
        Ok(level) => 3 - level as u8,
        Err(_) => 0,
    }
}

/// The level a free-text confidence of the data starts with (`"verified (undated page)"`,
/// `"partly verified (closing time missing)"`, `"approximate (third-party page)"`).
fn data_level(text: &str) -> &'static str {
    let t = text.trim_start().to_lowercase();
    if t.starts_with("verified") {
        "verified"
    } else if t.starts_with("approximate") || t.starts_with("partly verified") || t.starts_with("partial") {
        "approximate"
    } else {
        "assumed"
    }
}

fn hours_level(c: HoursConfidence) -> &'static str {
    match c {
        HoursConfidence::Verified => "verified",
        HoursConfidence::Approximate => "approximate",
        HoursConfidence::Assumed => "assumed",
    }
}

/// `"verified (2014 source; may be outdated); as of 2014; library phone as printed; source x"`.
fn detail_of(v: &SourcedValue) -> String {
    let mut out = v.confidence.clone();
    if let Some(as_of) = &v.as_of {
        out.push_str(&format!("; as of {as_of}"));
    }
    if let Some(note) = &v.note {
        out.push_str(&format!("; {note}"));
    }
    out.push_str(&format!("; source {}", v.source_key));
    out
}

fn source_refs(refs: &[SourceRef]) -> Value {
    Value::Array(refs.iter().map(|r| json!({"key": r.key, "title": r.title, "url": r.url})).collect())
}

/// Everything `seed` inserts, built before touching the database.
pub struct DemoData {
    municipalities: Vec<MunicipalityRow>,
    postal_codes: Vec<PostalCodeRow>,
    sources: Vec<SourceRow>,
    organizations: Vec<OrganizationRow>,
    locations: Vec<LocationRow>,
    location_languages: Vec<LocationLanguageRow>,
    services: Vec<ServiceRow>,
    service_topics: Vec<ServiceTopicRow>,
    service_languages: Vec<ServiceLanguageRow>,
    services_at_locations: Vec<ServiceAtLocationRow>,
    opening_hours: Vec<NewOpeningHours>,
    events: Vec<DemoEvent>,
}

/// Events: what the sources describe (past, kept as history) and a few marked placeholders
/// (`demo-data/events.json` says which).
const EVENTS: &str = include_str!("../demo-data/events.json");

#[derive(Deserialize)]
struct EventFile {
    events: Vec<EventEntry>,
}

#[derive(Deserialize)]
struct EventEntry {
    id: String,
    organization_id: String,
    location_id: Option<String>,
    confidence: String,
    sources: Vec<String>,
    document: Value,
}

/// One demo event, checked, ready to insert.
struct DemoEvent {
    id: String,
    organization_id: String,
    location_id: Option<String>,
    confidence: String,
    sources: Value,
    document: Value,
}

pub fn demo_data() -> anyhow::Result<DemoData> {
    let now = Utc::now();
    let municipalities: Vec<MunicipalityRow> = serde_json::from_str::<MunicipalityFile>(MUNICIPALITIES)
        .context("demo-data/municipalities.json")?
        .municipalities
        .into_iter()
        .map(|m| MunicipalityRow {
            code: m.municipality_code,
            name_fi: m.name_fi,
            name_sv: m.name_sv,
            centre_latitude: m.centre_latitude,
            centre_longitude: m.centre_longitude,
            centre_confidence: m.centre_confidence,
        })
        .collect();

    let mut postal_codes = Vec::new();
    let mut reader = csv::Reader::from_reader(POSTAL_CODES.as_bytes());
    for record in reader.deserialize::<HashMap<String, String>>() {
        let r = record.context("demo-data/postal_codes.csv")?;
        let get = |k: &str| r.get(k).cloned().unwrap_or_default();
        let coord = |k: &str| r.get(k).and_then(|v| v.parse::<f64>().ok());
        postal_codes.push(PostalCodeRow {
            code: get("postal_code"),
            name_fi: get("name_fi"),
            name_sv: get("name_sv"),
            municipality_code: get("municipality_code"),
            posti_type: get("posti_type"),
            latitude: coord("latitude"),
            longitude: coord("longitude"),
            coordinate_confidence: if coord("latitude").is_some() { get("coord_confidence") } else { "none".into() },
        });
    }

    let source_file: SourceFile = serde_json::from_str(SOURCES).context("demo-data/sources.json")?;
    let sources: Vec<SourceRow> = source_file
        .sources
        .iter()
        .map(|(key, s)| SourceRow {
            key: key.clone(),
            title: s.title.clone(),
            url: s.url.clone(),
            licence: s.licence.clone(),
        })
        .collect();
    let source_ref = |key: &str| match source_file.sources.get(key) {
        Some(s) => json!({"key": key, "title": s.title, "url": s.url}),
        None => json!({"key": key}),
    };

    let providers: Vec<Provider> = serde_json::from_str(PROVIDERS).context("demo-data/providers.json")?;
    let translations: Translations = serde_json::from_str(TRANSLATIONS).context("demo-data/translations.json")?;
    let note_translations: HashMap<&str, &Translation> =
        translations.service_notes.iter().map(|t| (t.en.as_str(), t)).collect();
    let mut translations_used: BTreeSet<&str> = BTreeSet::new();
    // The published hours per location, to check and annotate the hours documents below.
    let mut published_hours: BTreeMap<String, PublishedHours> = BTreeMap::new();
    let mut data = DemoData {
        municipalities,
        postal_codes,
        sources,
        organizations: vec![],
        locations: vec![],
        location_languages: vec![],
        services: vec![],
        service_topics: vec![],
        service_languages: vec![],
        services_at_locations: vec![],
        opening_hours: vec![],
        events: vec![],
    };
    for p in providers {
        // Organizations carry no confidence of their own in the compiled data: an organization
        // is as certain as its best-sourced location.
        let org_confidence = p.locations.iter().map(|l| l.confidence.as_str()).max_by_key(|c| confidence_rank(c));
        data.organizations.push(OrganizationRow {
            id: p.id.clone(),
            kind: p.kind.clone(),
            name_fi: p.name.fi.clone(),
            name_sv: p.name.sv.clone(),
            name_en: p.name.en.clone(),
            description_fi: None,
            description_sv: None,
            description_en: None,
            parent_id: None,
            network: p.network.clone(),
            website: p.website.clone(),
            email: None,
            phone: None,
            notes: p.notes.clone(),
            source: DEMO_SOURCE.into(),
            external_id: Some(p.id.clone()),
            confidence: org_confidence.unwrap_or("assumed").to_owned(),
            sources: source_refs(&p.sources),
            created_at: now,
            updated_at: now,
            verified_at: None,
            deleted_at: None,
            version: 1,
        });

        // One service per (organization, code), offered at each location listing the code.
        let mut services: BTreeMap<String, (ServiceRow, BTreeSet<String>)> = BTreeMap::new();
        for l in &p.locations {
            let mut detail = l.confidence_detail.clone();
            if let (Value::Object(map), Some(lc)) = (&mut detail, &l.languages_confidence) {
                map.insert("languages".into(), Value::String(lc.clone()));
            }
            if let (Value::Object(map), Some(pc)) = (&mut detail, &l.postal_code_area_at_coordinates) {
                map.insert("postal_code_area_at_coordinates".into(), Value::String(pc.clone()));
            }
            let mut location_sources = source_refs(&l.sources);
            if let (Value::Array(list), Some(primary)) = (&mut location_sources, &l.source) {
                if !list.iter().any(|s| s["url"].as_str() == Some(primary)) {
                    list.insert(0, json!({"key": null, "title": "primary source", "url": primary}));
                }
            }
            // Second-edition facts: each one's confidence into the detail, its source into the list.
            let mut fact_sources: Vec<&str> = Vec::new();
            let mut facts: Vec<(&str, String)> = Vec::new();
            if let Some(v) = &l.phone {
                facts.push(("phone", detail_of(v)));
                fact_sources.push(&v.source_key);
            }
            if let Some(v) = &l.email {
                facts.push(("email", detail_of(v)));
                fact_sources.push(&v.source_key);
            }
            match (&l.location_website, &l.website) {
                (Some(w), _) => {
                    facts.push(("website", format!("the place's own page; {}; source {}", w.confidence, w.source_key)));
                    fact_sources.push(&w.source_key);
                }
                (None, Some(_)) => facts.push((
                    "website",
                    "the network's or organisation's site: no page of the place's own was found".into(),
                )),
                (None, None) => {}
            }
            if let Some(h) = &l.hours {
                let published = h.hours_published.as_deref().unwrap_or("publication date not given");
                facts.push((
                    "published_hours",
                    format!("{}; source {}; published {published}", h.confidence, h.hours_source_key),
                ));
                fact_sources.push(&h.hours_source_key);
                published_hours.insert(
                    l.id.clone(),
                    PublishedHours {
                        text: h.text.clone(),
                        staffed: h.staffed.clone(),
                        hours_source_key: h.hours_source_key.clone(),
                        hours_published: h.hours_published.clone(),
                        confidence: h.confidence.clone(),
                    },
                );
            }
            let accessibility = match &l.accessibility {
                Some(a) => {
                    let t = translations
                        .accessibility
                        .get(&l.id)
                        .filter(|t| t.en == a.value)
                        .with_context(|| format!("{}: the accessibility text has no Finnish translation", l.id))?;
                    facts.push((
                        "accessibility",
                        format!("{}; fi and sv are our translations of the English", detail_of(a)),
                    ));
                    fact_sources.push(&a.source_key);
                    (Some(t.fi.clone()), t.sv.clone(), Some(a.value.clone()))
                }
                None => (None, None, None),
            };
            if let Value::Object(map) = &mut detail {
                for (key, value) in facts {
                    map.insert(key.into(), Value::String(value));
                }
            }
            if let Value::Array(list) = &mut location_sources {
                for key in fact_sources {
                    if !list.iter().any(|s| s["key"].as_str() == Some(key)) {
                        list.push(source_ref(key));
                    }
                }
            }
            // A published text for a place without an hours document (a bookmobile's route days)
            // is still worth showing: it becomes the hours note when the data has none.
            let hours_notes = l.hours_notes.clone().or_else(|| {
                l.hours.as_ref().map(|h| {
                    let published = h.hours_published.as_deref().unwrap_or("publication date not given");
                    format!("{} (source {}, {published})", h.text, h.hours_source_key)
                })
            });
            data.locations.push(LocationRow {
                id: l.id.clone(),
                organization_id: p.id.clone(),
                kind: l.kind.clone(),
                name_fi: l.name.fi.clone(),
                name_sv: l.name.sv.clone(),
                name_en: l.name.en.clone(),
                description_fi: None,
                description_sv: None,
                description_en: None,
                street_address: l.street_address.clone(),
                postal_code: l.postal_code.clone(),
                post_office: l.postal_town.clone(),
                municipality_code: l.municipality_code.clone(),
                latitude: l.latitude,
                longitude: l.longitude,
                coordinate_method: l.coordinate_method.clone(),
                accessibility_fi: accessibility.0,
                accessibility_sv: accessibility.1,
                accessibility_en: accessibility.2,
                transit_fi: None,
                transit_sv: None,
                transit_en: None,
                phone: l.phone.as_ref().map(|v| v.value.clone()),
                email: l.email.as_ref().map(|v| v.value.clone()),
                website: l.location_website.as_ref().map(|w| w.url.clone()).or_else(|| l.website.clone()),
                served_municipalities: vec![],
                status: l.status.clone().unwrap_or_else(|| "active".into()),
                hours_notes,
                notes: l.notes.clone(),
                source: DEMO_SOURCE.into(),
                external_id: Some(l.id.clone()),
                confidence: data_level(&l.confidence).to_owned(),
                confidence_detail: detail,
                sources: location_sources,
                created_at: now,
                updated_at: now,
                verified_at: None,
                deleted_at: None,
                version: 1,
            });
            for lang in l.languages.iter().collect::<BTreeSet<_>>() {
                data.location_languages
                    .push(LocationLanguageRow { location_id: l.id.clone(), language_code: lang.clone() });
            }
            for s in &l.services {
                let kind = service_kind(&s.code)?;
                // The second edition qualifies one level in words: "verified (2019 source)".
                let s_confidence = data_level(&s.confidence).to_owned();
                let service_id = format!("{}-{}", p.id, s.code.replace('_', "-"));
                let entry = services.entry(service_id.clone()).or_insert_with(|| {
                    (
                        ServiceRow {
                            id: service_id.clone(),
                            organization_id: p.id.clone(),
                            name_fi: s.label_fi.clone(),
                            name_sv: Some(kind.name_sv.to_owned()),
                            name_en: s.label_en.clone(),
                            description_fi: None,
                            description_sv: None,
                            description_en: None,
                            delivery_modes: kind.modes.iter().map(|m| m.to_string()).collect(),
                            audience: vec!["everyone".into()],
                            cost_fi: None,
                            cost_sv: None,
                            cost_en: None,
                            assistance_level: kind.assistance_level.into(),
                            source: DEMO_SOURCE.into(),
                            external_id: Some(s.code.clone()),
                            confidence: s_confidence.clone(),
                            sources: json!([]),
                            created_at: now,
                            updated_at: now,
                            verified_at: None,
                            deleted_at: None,
                            version: 1,
                        },
                        BTreeSet::new(),
                    )
                });
                if confidence_rank(&s_confidence) > confidence_rank(&entry.0.confidence) {
                    entry.0.confidence = s_confidence.clone();
                }
                entry.1.extend(l.languages.iter().cloned());
                let note = match &s.note {
                    Some(en) => {
                        let t = note_translations.get(en.as_str()).with_context(|| {
                            format!("{}/{}: the note has no Finnish translation: {en:?}", l.id, s.code)
                        })?;
                        translations_used.insert(t.en.as_str());
                        (Some(t.fi.clone()), t.sv.clone(), Some(en.clone()))
                    }
                    None => (None, None, None),
                };
                data.services_at_locations.push(ServiceAtLocationRow {
                    id: format!("{}-{}", l.id, s.code.replace('_', "-")),
                    service_id,
                    location_id: l.id.clone(),
                    note_fi: note.0,
                    note_sv: note.1,
                    note_en: note.2,
                    source: DEMO_SOURCE.into(),
                    external_id: Some(format!("{}/{}", l.id, s.code)),
                    confidence: s_confidence.clone(),
                    sources: Value::Array(s.source_keys.iter().map(|k| source_ref(k)).collect()),
                    created_at: now,
                    updated_at: now,
                    verified_at: None,
                    deleted_at: None,
                    appointment: None,
                    version: 1,
                });
            }
        }
        for (id, (row, languages)) in services {
            let code = row.external_id.clone().unwrap_or_default();
            for topic in service_kind(&code)?.topics {
                data.service_topics.push(ServiceTopicRow { service_id: id.clone(), topic_code: topic.to_string() });
            }
            for lang in languages {
                data.service_languages.push(ServiceLanguageRow { service_id: id.clone(), language_code: lang });
            }
            data.services.push(row);
        }
    }
    if let Some(stale) = translations.service_notes.iter().find(|t| !translations_used.contains(t.en.as_str())) {
        bail!("demo-data/translations.json translates a note the data no longer has: {:?}", stale.en);
    }
    let hours: BTreeMap<String, SourcedHours> = serde_json::from_str(HOURS).context("demo-data/demo_hours.json")?;
    for (location_id, h) in hours {
        let errors = h.hours.validate();
        if !errors.is_empty() {
            bail!("demo hours of {location_id} are invalid: {errors:?}");
        }
        let confidence = hours_level(h.confidence);
        let source_note = match published_hours.get(&location_id) {
            Some(p) => {
                let has_staffed = h.hours.periods.iter().any(|period| {
                    WEEKDAYS.iter().any(|&wd| period.week.get(wd).iter().any(|r| r.kind == RangeKind::Staffed))
                });
                // Without published staffed hours, staffed ranges are placeholders.
                let ceiling = if p.staffed.is_none() && has_staffed { "assumed" } else { data_level(&p.confidence) };
                if confidence_rank(confidence) > confidence_rank(ceiling) {
                    bail!(
                        "demo hours of {location_id} claim {confidence}, more than their source supports ({ceiling})"
                    );
                }
                let source = source_file.sources.get(&p.hours_source_key);
                let title = source.map_or(p.hours_source_key.as_str(), |s| s.title.as_str());
                let url = source.and_then(|s| s.url.as_deref()).map(|u| format!(", {u}")).unwrap_or_default();
                let published = p.hours_published.as_deref().unwrap_or("publication date not given");
                format!(
                    "{} Published hours: {} Source: {title}{url} ({}, published {published}); the source's confidence: {}.",
                    h.source_note, p.text, p.hours_source_key, p.confidence
                )
            }
            None if h.confidence != HoursConfidence::Assumed => {
                bail!("demo hours of {location_id} are {confidence} but the data publishes no hours for it")
            }
            None => h.source_note,
        };
        data.opening_hours.push(NewOpeningHours {
            location_id: Some(location_id),
            service_at_location_id: None,
            document: serde_json::to_value(&h.hours)?,
            confidence: confidence.to_owned(),
            source_note: Some(source_note),
        });
    }
    let events: EventFile = serde_json::from_str(EVENTS).context("demo-data/events.json")?;
    for e in events.events {
        let doc: crate::events::EventDoc =
            serde_json::from_value(e.document.clone()).with_context(|| format!("demo event {}", e.id))?;
        if let Err(problem) = doc.rrule_set() {
            bail!("demo event {}: rrule: {problem}", e.id);
        }
        let known_org = |id: &str| data.organizations.iter().any(|o| o.id == id);
        if !known_org(&e.organization_id) || !doc.co_organizers.iter().all(|c| known_org(c)) {
            bail!("demo event {}: unknown organization", e.id);
        }
        if e.location_id.as_ref().is_some_and(|l| !data.locations.iter().any(|x| &x.id == l)) {
            bail!("demo event {}: unknown location", e.id);
        }
        for key in &e.sources {
            if source_file.sources.get(key).is_none() {
                bail!("demo event {}: unknown source {key}", e.id);
            }
        }
        data.events.push(DemoEvent {
            id: e.id,
            organization_id: e.organization_id,
            location_id: e.location_id,
            confidence: e.confidence,
            sources: Value::Array(e.sources.iter().map(|k| source_ref(k)).collect()),
            document: serde_json::to_value(&doc)?,
        });
    }
    Ok(data)
}

/// Inserts the demo data in one transaction. Fails (changing nothing) when the database
/// already holds organizations.
pub async fn seed(conn: &mut AsyncPgConnection) -> anyhow::Result<SeedCounts> {
    let data = demo_data()?;
    if !crate::db::load::is_empty(conn).await? {
        bail!("the database already holds directory data; seed loads only into an empty directory");
    }
    let counts = SeedCounts {
        organizations: data.organizations.len(),
        locations: data.locations.len(),
        services: data.services.len(),
        postal_codes: data.postal_codes.len(),
    };
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        diesel::insert_into(municipalities::table).values(&data.municipalities).execute(conn).await?;
        diesel::insert_into(postal_codes::table).values(&data.postal_codes).execute(conn).await?;
        diesel::insert_into(sources::table).values(&data.sources).execute(conn).await?;
        diesel::insert_into(organizations::table).values(&data.organizations).execute(conn).await?;
        diesel::insert_into(locations::table).values(&data.locations).execute(conn).await?;
        diesel::insert_into(location_languages::table).values(&data.location_languages).execute(conn).await?;
        diesel::insert_into(services::table).values(&data.services).execute(conn).await?;
        diesel::insert_into(service_topics::table).values(&data.service_topics).execute(conn).await?;
        diesel::insert_into(service_languages::table).values(&data.service_languages).execute(conn).await?;
        diesel::insert_into(services_at_locations::table).values(&data.services_at_locations).execute(conn).await?;
        diesel::insert_into(opening_hours::table).values(&data.opening_hours).execute(conn).await?;
        for e in &data.events {
            diesel::insert_into(events::table)
                .values((
                    events::id.eq(&e.id),
                    events::organization_id.eq(&e.organization_id),
                    events::location_id.eq(&e.location_id),
                    events::source.eq(DEMO_SOURCE),
                    events::confidence.eq(&e.confidence),
                    events::sources.eq(&e.sources),
                    events::document.eq(&e.document),
                ))
                .execute(conn)
                .await?;
        }
        Ok(())
    })
    .await
    .context("inserting the demo data")?;
    Ok(counts)
}

#[derive(Debug)]
pub struct SeedCounts {
    pub organizations: usize,
    pub locations: usize,
    pub services: usize,
    pub postal_codes: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location<'a>(data: &'a DemoData, id: &str) -> &'a LocationRow {
        data.locations.iter().find(|l| l.id == id).unwrap_or_else(|| panic!("no location {id}"))
    }

    fn hours<'a>(data: &'a DemoData, id: &str) -> &'a NewOpeningHours {
        data.opening_hours.iter().find(|h| h.location_id.as_deref() == Some(id)).unwrap()
    }

    #[test]
    fn second_edition_facts_are_loaded_with_their_provenance() {
        let data = demo_data().unwrap();
        assert_eq!((data.organizations.len(), data.locations.len()), (27, 41));
        let count = |c: &str| data.locations.iter().filter(|l| l.confidence == c).count();
        assert_eq!((count("verified"), count("approximate"), count("assumed")), (4, 33, 4));
        // Every confidence is one the database accepts (the data qualifies some in words).
        let levels = <crate::domain::Confidence as crate::domain::Vocabulary>::names();
        let all =
            data.services_at_locations.iter().map(|s| &s.confidence).chain(data.services.iter().map(|s| &s.confidence));
        for c in all
            .chain(data.organizations.iter().map(|o| &o.confidence))
            .chain(data.opening_hours.iter().map(|h| &h.confidence))
        {
            assert!(levels.contains(&c.as_str()), "{c}");
        }
        let ilo = data.services_at_locations.iter().find(|s| s.id == "ilo-kirjasto-device-basics").unwrap();
        assert_eq!(ilo.confidence, "verified", "the data says \"verified (2019 source)\"");

        // The new actor, with only what its sources say (no phone, no hours were found).
        let out = location(&data, "out-kaupungintalo-asiakaspalvelu");
        assert_eq!(out.organization_id, "outokummun-kaupunki");
        assert_eq!(out.kind, "municipal_service_point");
        assert_eq!((out.phone.as_deref(), out.street_address.as_deref()), (None, None));
        assert!(data.opening_hours.iter().all(|h| h.location_id.as_deref() != Some(&out.id)));

        let nep = location(&data, "jns-nepenmaki");
        assert_eq!(nep.confidence, "verified");
        assert_eq!((nep.street_address.as_deref(), nep.postal_code.as_deref()), (Some("Kärpänkatu 7"), Some("80230")));
        assert_eq!((nep.latitude, nep.longitude), (Some(62.5857), Some(29.7817)));

        let lie = location(&data, "lie-kirjasto");
        assert_eq!(lie.phone.as_deref(), Some("+358 40 104 4125"));
        assert_eq!(lie.email.as_deref(), Some("kirjasto@lieksa.fi"));
        let phone = lie.confidence_detail["phone"].as_str().unwrap();
        assert!(phone.starts_with("verified (2014 source") && phone.contains("kirjastot_hanke_lieksa"), "{phone}");
        assert!(lie.sources.as_array().unwrap().iter().any(|s| s["key"] == "kirjastot_hanke_lieksa"));

        let jsko = location(&data, "jsko-toimisto");
        assert_eq!(jsko.website.as_deref(), Some("https://www.joensuunseudunkansalaisopisto.fi/info/"));
        assert!(jsko.confidence_detail["website"].as_str().unwrap().starts_with("the place's own page"));

        let main = location(&data, "jns-paakirjasto");
        assert!(main.accessibility_fi.as_deref().unwrap().contains("katutasoon"));
        assert!(main.accessibility_sv.is_some());
        assert!(main.accessibility_en.as_deref().unwrap().starts_with("Customer service desk moved to street level"));
        assert!(main.confidence_detail["accessibility"].as_str().unwrap().contains("our translations"));

        // Route days of a bookmobile: no hours document, but the published text is shown.
        let toh = location(&data, "kirkas-kirjastoauto");
        assert_eq!((toh.status.as_str(), toh.confidence.as_str()), ("active", "approximate"));
        assert!(toh.hours_notes.as_deref().unwrap().starts_with("Runs on Tuesdays and Thursdays"));
    }

    #[test]
    fn published_hours_carry_their_source_date_and_confidence() {
        let data = demo_data().unwrap();
        let kes = hours(&data, "kit-kesalahti");
        assert_eq!(kes.confidence, "verified");
        let note = kes.source_note.as_deref().unwrap();
        assert!(note.contains("kitee_kh_2026") && note.contains("published 2026-01-12"), "{note}");
        // Self-service hours published, staffed hours placeholders: assumed, and the note says both.
        let main = hours(&data, "jns-paakirjasto");
        assert_eq!(main.confidence, "assumed");
        let note = main.source_note.as_deref().unwrap();
        assert!(note.contains("aroundus_jns") && note.contains("published 2025-12-14"), "{note}");
        assert!(note.contains("placeholders"), "{note}");
        // Placeholders without any source stay assumed.
        assert_eq!(hours(&data, "jns-rantakyla").confidence, "assumed");
        assert_eq!(data_level("partly verified (closing time missing)"), "approximate");
        assert_eq!(data_level("verified (undated page)"), "verified");
        assert_eq!(data_level("anecdotal (undated feature)"), "assumed");
    }

    #[test]
    fn every_note_has_a_finnish_text() {
        let data = demo_data().unwrap();
        let with_note: Vec<_> = data.services_at_locations.iter().filter(|s| s.note_en.is_some()).collect();
        assert_eq!(with_note.len(), 70);
        for s in with_note {
            assert!(s.note_fi.as_deref().is_some_and(|t| !t.trim().is_empty()), "{}", s.id);
            assert!(s.note_sv.is_some(), "{}", s.id);
        }
        let sal = data.services_at_locations.iter().find(|s| s.id == "jns-paakirjasto-information-search").unwrap();
        assert!(sal.note_fi.as_deref().unwrap().starts_with("Vaara-kirjastojen käyttösäännöt"));
    }
}
