//! Loads the bundled North Karelia demo data (`demo-data/`, compiled into the binary) into an
//! empty database, keeping every record's sources and confidence.
//!
//! The compiled data describes services as codes per location (`guidance_online_services`,
//! `device_basics`, ...). Each code becomes an organization-level service with topics from the
//! controlled vocabulary, and a service-at-location carrying that location's confidence and
//! sources for it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{bail, Context};
use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::db::models::*;
use crate::db::schema::*;
use crate::hours::SourcedHours;

const PROVIDERS: &str = include_str!("../demo-data/providers.json");
const MUNICIPALITIES: &str = include_str!("../demo-data/municipalities.json");
const POSTAL_CODES: &str = include_str!("../demo-data/postal_codes.csv");
const SOURCES: &str = include_str!("../demo-data/sources.json");
/// Hours: a few from sources, the rest plausible placeholders marked `assumed`.
const HOURS: &str = include_str!("../demo-data/demo_hours.json");

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

fn confidence_rank(c: &str) -> u8 {
    match c {
        "verified" => 2,
        "approximate" => 1,
        _ => 0,
    }
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
                accessibility_fi: None,
                accessibility_sv: None,
                accessibility_en: None,
                transit_fi: None,
                transit_sv: None,
                transit_en: None,
                phone: None,
                email: None,
                website: l.website.clone(),
                served_municipalities: vec![],
                status: l.status.clone().unwrap_or_else(|| "active".into()),
                hours_notes: l.hours_notes.clone(),
                notes: l.notes.clone(),
                source: DEMO_SOURCE.into(),
                external_id: Some(l.id.clone()),
                confidence: l.confidence.clone(),
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
                            confidence: s.confidence.clone(),
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
                if confidence_rank(&s.confidence) > confidence_rank(&entry.0.confidence) {
                    entry.0.confidence = s.confidence.clone();
                }
                entry.1.extend(l.languages.iter().cloned());
                data.services_at_locations.push(ServiceAtLocationRow {
                    id: format!("{}-{}", l.id, s.code.replace('_', "-")),
                    service_id,
                    location_id: l.id.clone(),
                    note_fi: None,
                    note_sv: None,
                    note_en: s.note.clone(),
                    source: DEMO_SOURCE.into(),
                    external_id: Some(format!("{}/{}", l.id, s.code)),
                    confidence: s.confidence.clone(),
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
    let hours: BTreeMap<String, SourcedHours> = serde_json::from_str(HOURS).context("demo-data/demo_hours.json")?;
    for (location_id, h) in hours {
        let errors = h.hours.validate();
        if !errors.is_empty() {
            bail!("demo hours of {location_id} are invalid: {errors:?}");
        }
        data.opening_hours.push(NewOpeningHours {
            location_id: Some(location_id),
            service_at_location_id: None,
            document: serde_json::to_value(&h.hours)?,
            confidence: serde_json::to_value(h.confidence)?.as_str().unwrap_or("assumed").to_owned(),
            source_note: Some(h.source_note),
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
