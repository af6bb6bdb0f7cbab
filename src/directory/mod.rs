//! The public directory as an immutable in-memory read model (the snapshot).
//!
//! It is built from PostgreSQL at start-up and after every committed change, then swapped in
//! atomically (`store`). Every public read is answered from it: no database round trip, and
//! reads keep working while the database is down. This module must never do I/O itself.

pub mod events;
pub mod filter;
pub mod search;
pub mod store;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::db::load::DirectoryRows;
use crate::geo::{distance_m, PointIndex};
use crate::hours::{Appointment, OpeningHours, State, Status};
use crate::i18n::Localized;
pub use filter::LocationFilter;
use search::SearchText;

/// Location kinds. The first eight come from the kind of organisation that runs the place;
/// `remote` is phone or video help that serves an area instead of a point.
pub const LOCATION_KINDS: &[&str] = &[
    "library",
    "library_bookmobile",
    "adult_education_college",
    "association",
    "municipal_service_point",
    "parish",
    "public_authority_service_point",
    "other",
    "remote",
];

/// A short string repeated across many records (kind, status, source, confidence), stored once
/// per snapshot and shared.
pub type Sym = Arc<str>;

/// Hands out one shared copy of each distinct short string while a snapshot is built.
#[derive(Default)]
struct Interner(std::cell::RefCell<HashMap<Box<str>, Sym>>);

impl Interner {
    fn get(&self, s: &str) -> Sym {
        let mut map = self.0.borrow_mut();
        if let Some(sym) = map.get(s) {
            return sym.clone();
        }
        let sym: Sym = Arc::from(s);
        map.insert(s.into(), sym.clone());
        sym
    }
}

#[derive(Debug, Clone)]
pub struct Provenance {
    pub source: Sym,
    pub external_id: Option<String>,
    /// verified, approximate or assumed.
    pub confidence: Sym,
    pub sources: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    /// Row version: the resource's ETag names it, and writes compare it (If-Match).
    pub version: i64,
}

/// Listings not confirmed by a partner for this long are shown as stale.
pub const STALE_AFTER_DAYS: i64 = 180;

impl Provenance {
    /// Not verified (or, never verified, not created) within `STALE_AFTER_DAYS` of `now`.
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        now - self.verified_at.unwrap_or(self.created_at) > chrono::Duration::days(STALE_AFTER_DAYS)
    }
}

#[derive(Debug, Clone)]
pub struct Topic {
    pub code: String,
    pub label: Localized,
    pub description: Option<Localized>,
    pub bit: u64,
    /// How many locations offer it (counted once per snapshot).
    pub location_count: usize,
}

#[derive(Debug, Clone)]
pub struct Language {
    pub code: String,
    pub name: Localized,
    /// How many locations list it as a language of service (counted once per snapshot).
    pub location_count: usize,
}

/// How precisely a point is known, from how it was obtained (`coordinate_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Accuracy {
    /// The building itself (e.g. a library's own published point in Kirkanta).
    Exact,
    /// The street address: a point from a source or a partner, or a geocoded address.
    Street,
    /// Somewhere in a postal-code area: its centroid.
    PostalArea,
    /// Somewhere in a municipality: its centre, or a placeholder.
    Municipality,
}

impl Accuracy {
    pub const NAMES: [&'static str; 4] = ["exact", "street", "postal_area", "municipality"];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// `exact` or `street`: good enough for a distance and a map pin.
    pub fn is_precise(self) -> bool {
        self <= Accuracy::Street
    }

    /// From the recorded `coordinate_method` (and, when that says nothing, the sources'
    /// confidence in the coordinates): centroids and placeholders are areas; points from a
    /// source, a partner or the geocoder's address match are streets; Kirkanta's own building
    /// points are exact. Anything not recognised counts as the coarsest, a municipality.
    pub fn from_method(method: Option<&str>, coordinates_confidence: Option<&str>) -> Accuracy {
        let m = method.unwrap_or("").to_lowercase();
        let area = |m: &str| {
            if m.contains("postal code") || m.contains("postal_code") || m.contains("postalcode") {
                Some(Accuracy::PostalArea)
            } else if m.contains("municipality") || m.contains("locality") || m.contains("county") {
                Some(Accuracy::Municipality)
            } else {
                None
            }
        };
        if m.starts_with("assumed") || m.contains("placeholder") {
            return Accuracy::Municipality;
        }
        if m.starts_with("geocoder") {
            // `geocoder (layer): label`: a geocoder match is as precise as the layer it hit.
            let layer = m.split(':').next().unwrap_or("");
            return area(layer).unwrap_or(if layer.contains("neighbourhood") || layer.contains("localadmin") {
                Accuracy::Municipality
            } else {
                Accuracy::Street
            });
        }
        if let Some(a) = area(&m) {
            return a;
        }
        if m == "kirkanta" {
            return Accuracy::Exact;
        }
        if m.starts_with("from source") || m.starts_with("given by the partner") {
            return Accuracy::Street;
        }
        match coordinates_confidence {
            Some(c) if c.starts_with("verified") => Accuracy::Street,
            _ => Accuracy::Municipality,
        }
    }
}

/// The order of confidence levels, surest first (for ranking and for the partner rule that
/// no one but the coordinator raises a level).
pub fn confidence_rank(confidence: &str) -> u8 {
    match confidence {
        "verified" => 0,
        "approximate" => 1,
        "assumed" => 2,
        _ => 3,
    }
}

#[derive(Debug, Clone)]
pub struct Municipality {
    pub code: String,
    pub name: Localized,
    pub centre: (f64, f64),
    pub centre_confidence: String,
    pub postal_codes: Vec<String>,
    /// How many locations have their address in it (counted once per snapshot).
    pub location_count: usize,
}

#[derive(Debug, Clone)]
pub struct PostalCode {
    pub code: String,
    pub name: Localized,
    pub municipality_code: String,
    pub posti_type: String,
    pub centroid: Option<(f64, f64)>,
    pub confidence: String,
}

#[derive(Debug, Clone)]
pub struct Organization {
    pub id: String,
    pub kind: String,
    pub name: Localized,
    pub description: Option<Localized>,
    pub parent_id: Option<String>,
    pub network: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub provenance: Provenance,
    /// Indices into `Directory::locations`.
    pub locations: Vec<usize>,
    pub search: SearchText,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub id: String,
    pub organization: usize,
    pub name: Localized,
    pub description: Option<Localized>,
    pub delivery_modes: Vec<String>,
    pub audience: Vec<String>,
    pub cost: Option<Localized>,
    pub assistance_level: String,
    pub topics: Vec<String>,
    pub topic_mask: u64,
    pub languages: Vec<String>,
    pub provenance: Provenance,
    /// Where it is offered: (index into `Directory::locations`, index into that location's
    /// `services`), filled once per snapshot so that showing a service scans nothing.
    pub offered_at: Vec<(u32, u32)>,
}

#[derive(Debug, Clone)]
pub struct ServiceAtLocation {
    pub id: String,
    /// Index into `Directory::services`.
    pub service: usize,
    /// Rare texts and records are boxed: the snapshot holds hundreds of thousands of these.
    pub note: Option<Box<Localized>>,
    /// Hours of this service here, when narrower than the building's.
    pub hours: Option<Arc<Hours>>,
    pub appointment: Option<Box<Appointment>>,
    pub provenance: Provenance,
}

/// Opening hours with their provenance and their OpenStreetMap form (computed once).
#[derive(Debug, Clone)]
pub struct Hours {
    pub hours: OpeningHours,
    pub confidence: String,
    pub source_note: Option<String>,
    pub osm: String,
}

#[derive(Debug, Clone, Default)]
pub struct Address {
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub post_office: Option<String>,
    pub municipality_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub name: Option<String>,
    pub title: Option<Localized>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Location {
    pub id: String,
    /// Index into `Directory::organizations`.
    pub organization: usize,
    pub kind: Sym,
    pub name: Localized,
    /// Rare texts are boxed (8 bytes when absent instead of 72).
    pub description: Option<Box<Localized>>,
    pub address: Address,
    /// (latitude, longitude), WGS84.
    pub coordinates: Option<(f64, f64)>,
    pub coordinate_method: Option<String>,
    /// How precise `coordinates` are (derived from `coordinate_method` once per snapshot).
    pub accuracy: Accuracy,
    /// The organization (index into `Directory::organizations`) that last confirmed the
    /// listing through `verify`, if known.
    pub verified_by: Option<u32>,
    pub accessibility: Option<Box<Localized>>,
    pub transit: Option<Box<Localized>>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub served_municipalities: Vec<String>,
    pub status: Sym,
    pub hours_notes: Option<String>,
    pub notes: Option<String>,
    pub languages: Vec<String>,
    /// Topics offered here (union of the services), as topic bits: `Directory::topic_codes`.
    pub topic_mask: u64,
    pub services: Vec<ServiceAtLocation>,
    pub contacts: Vec<Contact>,
    /// The building's hours; `None` when unknown (shared between identical documents).
    pub hours: Option<Arc<Hours>>,
    pub provenance: Provenance,
    pub confidence_detail: Value,
    pub search: SearchText,
}

impl Location {
    /// The state at an instant; `None` when the hours are unknown.
    pub fn status_at(&self, at: DateTime<Utc>) -> Option<Status> {
        self.hours.as_ref().map(|h| h.hours.status_at(at))
    }

    /// When staffed help next begins, if it is not available at `at`: follows the chain of
    /// changes past self-service hours (a handful of steps: a day has only a few ranges).
    pub fn next_staffed_opening(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let status = self.status_at(at)?;
        if status.state == State::Staffed {
            return None;
        }
        let mut next = status.next_change;
        for _ in 0..16 {
            let change = next?;
            if change.state == State::Staffed {
                return Some(change.at);
            }
            next = self.status_at(change.at)?.next_change;
        }
        None
    }
}

/// How `Directory::nearest` reaches and ranks: how far at most, which postal area counts as
/// "here", and the instant whose staffed hours break ties.
#[derive(Debug, Clone, Copy)]
pub struct Ranking<'a> {
    /// Leave out places farther than this (metres).
    pub max_distance_m: Option<f64>,
    /// The origin's postal code, when the search started from one.
    pub postal_area: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// One immutable version of the whole public directory.
#[derive(Clone)]
pub struct Directory {
    pub version: i64,
    pub built_at: DateTime<Utc>,
    pub topics: Vec<Topic>,
    pub languages: Vec<Language>,
    pub municipalities: Vec<Municipality>,
    pub postal_codes: BTreeMap<String, PostalCode>,
    pub organizations: Vec<Organization>,
    pub services: Vec<Service>,
    /// Sorted by Finnish name, then id: the order of every listing. Each shared, so that a
    /// snapshot updated for a few changed places (`with_places_replaced`) shares the rest.
    pub locations: Vec<Arc<Location>>,
    location_by_id: Arc<HashMap<String, usize>>,
    organization_by_id: HashMap<String, usize>,
    /// Digital-help events, in id order.
    pub events: Vec<events::Event>,
    event_by_id: HashMap<String, usize>,
    points: Arc<PointIndex>,
    /// Indices of remote locations (phone, video help), which serve areas.
    remote: Vec<usize>,
    postal_points: Arc<PointIndex>,
    postal_list: Vec<String>,
    /// Located, non-remote places by the postal code of their address.
    by_postal_code: HashMap<String, Vec<u32>>,
}

fn text(fi: Option<&str>, sv: Option<&str>, en: Option<&str>) -> Option<Localized> {
    Localized::from_columns(fi, sv, en)
}

fn required(fi: &str, sv: Option<&str>, en: Option<&str>) -> Localized {
    Localized::from_columns(Some(fi), sv, en).unwrap_or_else(|| Localized { fi: fi.to_owned(), sv: None, en: None })
}

impl Directory {
    /// Builds the read model from one consistent set of rows.
    pub fn build(rows: DirectoryRows) -> Directory {
        let topics: Vec<Topic> = rows
            .topics
            .iter()
            .enumerate()
            .map(|(i, t)| Topic {
                code: t.code.clone(),
                label: Localized::new(&t.label_fi, &t.label_sv, &t.label_en),
                description: text(
                    t.description_fi.as_deref(),
                    t.description_sv.as_deref(),
                    t.description_en.as_deref(),
                ),
                // The vocabulary is small and controlled; 64 topics is far beyond it.
                bit: 1u64 << (i.min(63)),
                location_count: 0,
            })
            .collect();
        let topic_bit: HashMap<&str, u64> = topics.iter().map(|t| (t.code.as_str(), t.bit)).collect();

        let mut municipalities: Vec<Municipality> = rows
            .municipalities
            .iter()
            .map(|m| Municipality {
                code: m.code.clone(),
                name: Localized { fi: m.name_fi.clone(), sv: Some(m.name_sv.clone()), en: None },
                centre: (m.centre_latitude, m.centre_longitude),
                centre_confidence: m.centre_confidence.clone(),
                postal_codes: Vec::new(),
                location_count: 0,
            })
            .collect();
        let postal_codes: BTreeMap<String, PostalCode> = rows
            .postal_codes
            .iter()
            .map(|p| {
                let centroid = p.latitude.zip(p.longitude);
                (
                    p.code.clone(),
                    PostalCode {
                        code: p.code.clone(),
                        name: Localized { fi: p.name_fi.clone(), sv: Some(p.name_sv.clone()), en: None },
                        municipality_code: p.municipality_code.clone(),
                        posti_type: p.posti_type.clone(),
                        centroid,
                        confidence: p.coordinate_confidence.clone(),
                    },
                )
            })
            .collect();
        for m in &mut municipalities {
            m.postal_codes =
                postal_codes.values().filter(|p| p.municipality_code == m.code).map(|p| p.code.clone()).collect();
        }

        let interner = Interner::default();
        let provenance = |source: &str,
                          external_id: &Option<String>,
                          confidence: &str,
                          sources: &Value,
                          created_at,
                          updated_at,
                          verified_at,
                          version| Provenance {
            source: interner.get(source),
            external_id: external_id.clone(),
            confidence: interner.get(confidence),
            sources: sources.clone(),
            created_at,
            updated_at,
            verified_at,
            version,
        };

        let mut organizations: Vec<Organization> = rows
            .organizations
            .iter()
            .map(|o| {
                let name = required(&o.name_fi, o.name_sv.as_deref(), o.name_en.as_deref());
                let description =
                    text(o.description_fi.as_deref(), o.description_sv.as_deref(), o.description_en.as_deref());
                let search = SearchText::new(name.all().chain(description.iter().flat_map(|d| d.all())));
                Organization {
                    id: o.id.clone(),
                    kind: o.kind.clone(),
                    name,
                    description,
                    parent_id: o.parent_id.clone(),
                    network: o.network.clone(),
                    website: o.website.clone(),
                    email: o.email.clone(),
                    phone: o.phone.clone(),
                    notes: o.notes.clone(),
                    provenance: provenance(
                        &o.source,
                        &o.external_id,
                        &o.confidence,
                        &o.sources,
                        o.created_at,
                        o.updated_at,
                        o.verified_at,
                        o.version,
                    ),
                    locations: Vec::new(),
                    search,
                }
            })
            .collect();
        let organization_by_id: HashMap<String, usize> =
            organizations.iter().enumerate().map(|(i, o)| (o.id.clone(), i)).collect();

        let mut service_topics: HashMap<&str, Vec<String>> = HashMap::new();
        for st in &rows.service_topics {
            service_topics.entry(st.service_id.as_str()).or_default().push(st.topic_code.clone());
        }
        let mut service_languages: HashMap<&str, Vec<String>> = HashMap::new();
        for sl in &rows.service_languages {
            service_languages.entry(sl.service_id.as_str()).or_default().push(sl.language_code.clone());
        }
        let mut services: Vec<Service> = rows
            .services
            .iter()
            .filter_map(|s| {
                let organization = *organization_by_id.get(&s.organization_id)?;
                let mut topics = service_topics.remove(s.id.as_str()).unwrap_or_default();
                topics.sort_by_key(|t| topics_order(&rows.topics, t));
                let topic_mask = topics.iter().filter_map(|t| topic_bit.get(t.as_str())).fold(0, |a, b| a | b);
                let mut languages = service_languages.remove(s.id.as_str()).unwrap_or_default();
                languages.sort();
                Some(Service {
                    id: s.id.clone(),
                    organization,
                    name: required(&s.name_fi, s.name_sv.as_deref(), s.name_en.as_deref()),
                    description: text(
                        s.description_fi.as_deref(),
                        s.description_sv.as_deref(),
                        s.description_en.as_deref(),
                    ),
                    delivery_modes: s.delivery_modes.clone(),
                    audience: s.audience.clone(),
                    cost: text(s.cost_fi.as_deref(), s.cost_sv.as_deref(), s.cost_en.as_deref()),
                    assistance_level: s.assistance_level.clone(),
                    topics,
                    topic_mask,
                    languages,
                    offered_at: Vec::new(),
                    provenance: provenance(
                        &s.source,
                        &s.external_id,
                        &s.confidence,
                        &s.sources,
                        s.created_at,
                        s.updated_at,
                        s.verified_at,
                        s.version,
                    ),
                })
            })
            .collect();
        let service_by_id: HashMap<&str, usize> =
            services.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();

        let mut location_hours: HashMap<&str, Arc<Hours>> = HashMap::new();
        let mut sal_hours: HashMap<&str, Arc<Hours>> = HashMap::new();
        // Identical documents (a network's shared hours, the same service slot at many places)
        // are parsed, validated and kept once.
        let mut shared: HashMap<(&str, &str, Option<&str>), Arc<Hours>> = HashMap::new();
        for h in &rows.opening_hours {
            let key = (h.document.as_str(), h.confidence.as_str(), h.source_note.as_deref());
            if let Some(entry) = shared.get(&key) {
                match (&h.location_id, &h.service_at_location_id) {
                    (Some(l), _) => location_hours.insert(l.as_str(), entry.clone()),
                    (None, Some(s)) => sal_hours.insert(s.as_str(), entry.clone()),
                    _ => None,
                };
                continue;
            }
            // A stored document that no longer parses must not take the directory down:
            // the place shows as "hours unknown" and the problem is logged.
            let hours = match serde_json::from_str::<OpeningHours>(&h.document) {
                Ok(hours) => hours,
                Err(e) => {
                    tracing::error!(id = h.id, "unreadable opening hours document: {e}");
                    continue;
                }
            };
            let problems = hours.validate();
            if !problems.is_empty() {
                tracing::error!(id = h.id, ?problems, "invalid opening hours document ignored");
                continue;
            }
            // Written from today (Helsinki) on: no date range entirely in the past.
            let osm = hours.to_osm_from(crate::hours::helsinki_date(Utc::now()));
            let entry =
                Arc::new(Hours { hours, confidence: h.confidence.clone(), source_note: h.source_note.clone(), osm });
            shared.insert(key, entry.clone());
            match (&h.location_id, &h.service_at_location_id) {
                (Some(l), _) => location_hours.insert(l.as_str(), entry),
                (None, Some(s)) => sal_hours.insert(s.as_str(), entry),
                _ => None,
            };
        }
        let mut sal_by_location: HashMap<&str, Vec<ServiceAtLocation>> = HashMap::new();
        for sal in &rows.services_at_locations {
            let Some(&service) = service_by_id.get(sal.service_id.as_str()) else { continue };
            sal_by_location.entry(sal.location_id.as_str()).or_default().push(ServiceAtLocation {
                id: sal.id.clone(),
                service,
                note: text(sal.note_fi.as_deref(), sal.note_sv.as_deref(), sal.note_en.as_deref()).map(Box::new),
                hours: sal_hours.remove(sal.id.as_str()),
                appointment: sal.appointment.clone().and_then(|a| serde_json::from_value(a).ok()).map(Box::new),
                provenance: provenance(
                    &sal.source,
                    &sal.external_id,
                    &sal.confidence,
                    &sal.sources,
                    sal.created_at,
                    sal.updated_at,
                    sal.verified_at,
                    sal.version,
                ),
            });
        }
        let mut location_languages: HashMap<&str, BTreeSet<String>> = HashMap::new();
        for ll in &rows.location_languages {
            location_languages.entry(ll.location_id.as_str()).or_default().insert(ll.language_code.clone());
        }
        let mut contacts: HashMap<&str, Vec<Contact>> = HashMap::new();
        for c in &rows.contacts {
            if let Some(l) = &c.location_id {
                contacts.entry(l.as_str()).or_default().push(Contact {
                    name: c.name.clone(),
                    title: text(c.title_fi.as_deref(), c.title_sv.as_deref(), c.title_en.as_deref()),
                    phone: c.phone.clone(),
                    email: c.email.clone(),
                });
            }
        }

        let verified_by: HashMap<&str, &str> = rows.verified_by.iter().map(|(l, o)| (l.as_str(), o.as_str())).collect();
        let mut locations: Vec<Location> = rows
            .locations
            .iter()
            .filter_map(|l| {
                let organization = *organization_by_id.get(&l.organization_id)?;
                let mut services_here = sal_by_location.remove(l.id.as_str()).unwrap_or_default();
                // Built by pushing, so up to twice the room needed: give the slack back.
                services_here.shrink_to_fit();
                let topic_mask = services_here.iter().fold(0u64, |m, s| m | services[s.service].topic_mask);
                let mut languages = location_languages.remove(l.id.as_str()).unwrap_or_default();
                for s in &services_here {
                    languages.extend(services[s.service].languages.iter().cloned());
                }
                let name = required(&l.name_fi, l.name_sv.as_deref(), l.name_en.as_deref());
                let description =
                    text(l.description_fi.as_deref(), l.description_sv.as_deref(), l.description_en.as_deref());
                let search = SearchText::new(
                    name.all()
                        .chain(description.iter().flat_map(|d| d.all()))
                        .chain(organizations[organization].name.all()),
                );
                Some(Location {
                    id: l.id.clone(),
                    organization,
                    kind: interner.get(&l.kind),
                    name,
                    description: description.map(Box::new),
                    address: Address {
                        street: l.street_address.clone(),
                        postal_code: l.postal_code.clone(),
                        post_office: l.post_office.clone(),
                        municipality_code: l.municipality_code.clone(),
                    },
                    coordinates: l.latitude.zip(l.longitude),
                    coordinate_method: l.coordinate_method.clone(),
                    accuracy: Accuracy::from_method(
                        l.coordinate_method.as_deref(),
                        l.confidence_detail.get("coordinates").and_then(Value::as_str),
                    ),
                    verified_by: verified_by
                        .get(l.id.as_str())
                        .and_then(|o| organization_by_id.get(*o))
                        .map(|&i| i as u32),
                    accessibility: text(
                        l.accessibility_fi.as_deref(),
                        l.accessibility_sv.as_deref(),
                        l.accessibility_en.as_deref(),
                    )
                    .map(Box::new),
                    transit: text(l.transit_fi.as_deref(), l.transit_sv.as_deref(), l.transit_en.as_deref())
                        .map(Box::new),
                    phone: l.phone.clone(),
                    email: l.email.clone(),
                    website: l.website.clone(),
                    served_municipalities: l.served_municipalities.clone(),
                    status: interner.get(&l.status),
                    hours_notes: l.hours_notes.clone(),
                    notes: l.notes.clone(),
                    languages: languages.into_iter().collect(),
                    topic_mask,
                    services: services_here,
                    contacts: contacts
                        .remove(l.id.as_str())
                        .map(|mut c| {
                            c.shrink_to_fit();
                            c
                        })
                        .unwrap_or_default(),
                    hours: location_hours.remove(l.id.as_str()),
                    provenance: provenance(
                        &l.source,
                        &l.external_id,
                        &l.confidence,
                        &l.sources,
                        l.created_at,
                        l.updated_at,
                        l.verified_at,
                        l.version,
                    ),
                    confidence_detail: l.confidence_detail.clone(),
                    search,
                })
            })
            .collect();
        locations.sort_by_cached_key(|l| (l.name.fi.to_lowercase(), l.id.clone()));
        for (i, l) in locations.iter().enumerate() {
            organizations[l.organization].locations.push(i);
            for (j, sal) in l.services.iter().enumerate() {
                services[sal.service].offered_at.push((i as u32, j as u32));
            }
        }
        let location_by_id: HashMap<String, usize> =
            locations.iter().enumerate().map(|(i, l)| (l.id.clone(), i)).collect();
        let locations: Vec<Arc<Location>> = locations.into_iter().map(Arc::new).collect();
        let (events, event_by_id) =
            events::build(&rows.events, &organization_by_id, &location_by_id, &topic_bit, |e| {
                provenance(
                    &e.source,
                    &e.external_id,
                    &e.confidence,
                    &e.sources,
                    e.created_at,
                    e.updated_at,
                    e.verified_at,
                    e.version,
                )
            });
        let mut topics = topics;
        for t in &mut topics {
            t.location_count = locations.iter().filter(|l| l.topic_mask & t.bit != 0).count();
        }
        for m in &mut municipalities {
            m.location_count =
                locations.iter().filter(|l| l.address.municipality_code.as_deref() == Some(m.code.as_str())).count();
        }
        let mut by_postal_code: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, l) in locations.iter().enumerate() {
            if let (Some(pc), Some(_), false) = (&l.address.postal_code, l.coordinates, &*l.kind == "remote") {
                by_postal_code.entry(pc.clone()).or_default().push(i as u32);
            }
        }
        let mut language_counts: HashMap<&str, usize> = HashMap::new();
        for l in &locations {
            for code in &l.languages {
                *language_counts.entry(code.as_str()).or_default() += 1;
            }
        }
        let points = PointIndex::build(
            // Remote help serves areas, not points: it is offered beside the nearest list.
            locations
                .iter()
                .enumerate()
                .filter(|(_, l)| &*l.kind != "remote")
                .filter_map(|(i, l)| l.coordinates.map(|(lat, lon)| (i as u32, lat, lon))),
        );
        let remote = locations.iter().enumerate().filter(|(_, l)| &*l.kind == "remote").map(|(i, _)| i).collect();
        let postal_list: Vec<String> =
            postal_codes.values().filter(|p| p.centroid.is_some()).map(|p| p.code.clone()).collect();
        let postal_points = PointIndex::build(
            postal_list
                .iter()
                .enumerate()
                .filter_map(|(i, code)| postal_codes[code].centroid.map(|(lat, lon)| (i as u32, lat, lon))),
        );

        Directory {
            version: rows.version,
            built_at: Utc::now(),
            topics,
            languages: rows
                .languages
                .iter()
                .map(|l| Language {
                    code: l.code.clone(),
                    name: Localized::new(&l.name_fi, &l.name_sv, &l.name_en),
                    location_count: language_counts.get(l.code.as_str()).copied().unwrap_or(0),
                })
                .collect(),
            municipalities,
            postal_codes,
            organizations,
            services,
            locations,
            location_by_id: Arc::new(location_by_id),
            organization_by_id,
            events,
            event_by_id,
            points: Arc::new(points),
            remote,
            postal_points: Arc::new(postal_points),
            postal_list,
            by_postal_code,
        }
    }

    /// An empty directory, served until the first snapshot is built.
    pub fn empty() -> Directory {
        Directory::build(DirectoryRows {
            version: 0,
            municipalities: vec![],
            postal_codes: vec![],
            sources: vec![],
            topics: vec![],
            languages: vec![],
            organizations: vec![],
            locations: vec![],
            location_languages: vec![],
            services: vec![],
            service_topics: vec![],
            service_languages: vec![],
            services_at_locations: vec![],
            contacts: vec![],
            opening_hours: vec![],
            verified_by: vec![],
            events: vec![],
        })
    }

    /// This snapshot with the places `ids` replaced by their new versions in `fresh` (built
    /// from the changed places' rows, see `db::load::load_changed_places`), labelled with
    /// `fresh`'s version; every other place, index and list is shared or copied unchanged.
    /// `None` when a change moves a place in any index (a new, deleted or renamed place, a new
    /// position, postal code, municipality, kind, organization, topic or language set, or other
    /// services): then the snapshot must be rebuilt whole.
    pub fn with_places_replaced(&self, fresh: &Directory, ids: &[String]) -> Option<Directory> {
        let mut next = self.clone();
        for id in ids {
            let i = *self.location_by_id.get(id)?;
            let old = &self.locations[i];
            let new = fresh.locations.get(*fresh.location_by_id.get(id)?)?;
            let same_services = old.services.len() == new.services.len()
                && old.services.iter().zip(&new.services).all(|(a, b)| a.id == b.id && a.service == b.service);
            let same_place = old.name.fi.to_lowercase() == new.name.fi.to_lowercase()
                && old.organization == new.organization
                && fresh.organizations.get(new.organization).map(|o| &o.id)
                    == Some(&self.organizations[old.organization].id)
                && old.coordinates == new.coordinates
                && *old.kind == *new.kind
                && old.address.postal_code == new.address.postal_code
                && old.address.municipality_code == new.address.municipality_code
                && old.served_municipalities == new.served_municipalities
                && old.topic_mask == new.topic_mask
                && old.languages == new.languages
                && same_services;
            if !same_place {
                return None;
            }
            next.locations[i] = new.clone();
        }
        next.version = fresh.version;
        next.built_at = Utc::now();
        Some(next)
    }

    pub fn location(&self, id: &str) -> Option<&Location> {
        self.location_by_id.get(id).map(|&i| &*self.locations[i])
    }

    /// The index of a location in `locations`.
    pub fn location_index(&self, id: &str) -> Option<usize> {
        self.location_by_id.get(id).copied()
    }

    pub fn organization(&self, id: &str) -> Option<&Organization> {
        self.organization_by_id.get(id).map(|&i| &self.organizations[i])
    }

    /// The codes of the topics in a topic bit set, in vocabulary order.
    pub fn topic_codes(&self, mask: u64) -> Vec<String> {
        self.topics.iter().filter(|t| mask & t.bit != 0).map(|t| t.code.clone()).collect()
    }

    pub fn topic(&self, code: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.code == code)
    }

    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    pub fn municipality(&self, code: &str) -> Option<&Municipality> {
        self.municipalities.iter().find(|m| m.code == code)
    }

    /// A municipality by its code or by its Finnish or Swedish name (case-insensitive).
    pub fn find_municipality(&self, code_or_name: &str) -> Option<&Municipality> {
        let needle = code_or_name.trim().to_lowercase();
        self.municipalities.iter().find(|m| {
            m.code == needle
                || m.name.fi.to_lowercase() == needle
                || m.name.sv.as_deref().map(str::to_lowercase) == Some(needle.clone())
        })
    }

    pub fn postal_code(&self, code: &str) -> Option<&PostalCode> {
        self.postal_codes.get(code)
    }

    /// The municipality a position most probably lies in: that of the nearest postal-code
    /// centroid. Used only to find remote services for a position.
    pub fn municipality_near(&self, lat: f64, lon: f64) -> Option<&str> {
        let i = self.postal_points.nearest(lat, lon).next()?;
        Some(self.postal_codes[&self.postal_list[i as usize]].municipality_code.as_str())
    }

    /// Locations that match, in listing order.
    pub fn list<'a>(&'a self, filter: &'a LocationFilter) -> impl Iterator<Item = &'a Location> + 'a {
        self.locations.iter().map(|l| &**l).filter(move |l| filter.matches(self, l))
    }

    /// The `limit` matching locations nearest to the position, with their great-circle
    /// distance in metres. `accept` is a further predicate (e.g. open at a time).
    ///
    /// Order (see `Ranking`): places whose address is in `rank.postal_area` first, then
    /// nearest first; places at the same distance (the same point: often a shared area
    /// centroid) by staffed at `rank.at`, then hours known, then confidence. A tie group is
    /// never cut arbitrarily by `limit`: it is ranked as a whole before cutting.
    pub fn nearest<'a>(
        &'a self,
        filter: &LocationFilter,
        lat: f64,
        lon: f64,
        limit: usize,
        rank: &Ranking<'_>,
        mut accept: impl FnMut(&Location) -> bool,
    ) -> Vec<(&'a Location, f64)> {
        let max_distance_m = rank.max_distance_m;
        let in_area =
            |loc: &Location| rank.postal_area.is_some() && loc.address.postal_code.as_deref() == rank.postal_area;
        let mut inside: Vec<(&'a Location, f64)> = Vec::new();
        if let Some(indices) = rank.postal_area.and_then(|pc| self.by_postal_code.get(pc)) {
            for &i in indices {
                let loc = &self.locations[i as usize];
                let (llat, llon) = loc.coordinates.expect("only located places are indexed");
                let d = distance_m(lat, lon, llat, llon);
                if max_distance_m.is_none_or(|max| d <= max) && filter.matches(self, loc) && accept(loc) {
                    inside.push((loc, d));
                }
            }
        }
        let mut out: Vec<(&'a Location, f64)> = Vec::with_capacity(limit);
        let mut cut: Option<f64> = None;
        if inside.len() < limit {
            for i in self.points.nearest(lat, lon) {
                let loc = &self.locations[i as usize];
                let (llat, llon) = loc.coordinates.expect("only located places are indexed");
                let d = distance_m(lat, lon, llat, llon);
                if max_distance_m.is_some_and(|max| d > max) || cut.is_some_and(|c| d > c) {
                    break;
                }
                if !in_area(loc) && filter.matches(self, loc) && accept(loc) {
                    out.push((loc, d));
                    if cut.is_none() && out.len() + inside.len() >= limit {
                        // Keep collecting the places at this same distance: the tie is ranked whole.
                        cut = Some(d);
                    }
                }
            }
        }
        let key = |l: &Location| {
            (!self.staffed_at(l, filter.topics, rank.at), l.hours.is_none(), confidence_rank(&l.provenance.confidence))
        };
        let order = |a: &(&Location, f64), b: &(&Location, f64)| {
            a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal).then_with(|| key(a.0).cmp(&key(b.0)))
        };
        inside.sort_by(order);
        out.sort_by(order);
        inside.extend(out);
        inside.truncate(limit);
        inside
    }

    /// True when staffed help is available at the location at `at`. Where `topics` (a topic
    /// bit set) is given, every requested topic must be served by a service that is staffed
    /// then: a service's own hours decide where it has them, the building's otherwise.
    /// Unknown hours never count as open.
    pub fn staffed_at(&self, loc: &Location, topics: u64, at: DateTime<Utc>) -> bool {
        let building = || loc.hours.as_ref().is_some_and(|h| h.hours.is_staffed_at(at));
        if topics == 0 {
            return building();
        }
        let mut building_open: Option<bool> = None;
        (0..64).map(|b| 1u64 << b).filter(|bit| topics & bit != 0).all(|bit| {
            loc.services.iter().filter(|sal| self.services[sal.service].topic_mask & bit != 0).any(|sal| {
                match &sal.hours {
                    Some(h) => h.hours.is_staffed_at(at),
                    None => *building_open.get_or_insert_with(building),
                }
            })
        })
    }

    /// Remote locations (phone, video) that serve the municipality and match the filter.
    pub fn remote_serving<'a: 'f, 'f>(
        &'a self,
        filter: &'f LocationFilter,
        municipality: &'f str,
    ) -> impl Iterator<Item = &'a Location> + 'f {
        self.remote
            .iter()
            .map(|&i| &*self.locations[i])
            .filter(move |l| l.served_municipalities.iter().any(|m| m == municipality) && filter.matches(self, l))
    }
}

fn topics_order(topics: &[crate::db::models::TopicRow], code: &str) -> i32 {
    topics.iter().find(|t| t.code == code).map(|t| t.sort_order).unwrap_or(i32::MAX)
}

/// The state name used in the API: the engine's states plus `unknown` (no hours on record).
pub fn state_name(status: Option<&Status>) -> &'static str {
    match status.map(|s| s.state) {
        Some(State::Staffed) => "staffed",
        Some(State::SelfService) => "self_service",
        Some(State::Closed) => "closed",
        None => "unknown",
    }
}
#[cfg(test)]
mod size_budget {
    /// The snapshot holds one `Location` per place and one `ServiceAtLocation` per service at
    /// a place (100,000 and 200,000 in the benchmark): their inline sizes are the floor of its
    /// memory. Rare texts and records are boxed to keep them here; see docs/benchmarks.md.
    #[test]
    fn per_record_sizes_stay_within_budget() {
        let location = std::mem::size_of::<super::Location>();
        let service_here = std::mem::size_of::<super::ServiceAtLocation>();
        assert!(location <= 776, "Location grew to {location} bytes");
        assert!(service_here <= 200, "ServiceAtLocation grew to {service_here} bytes");
    }
}

#[cfg(test)]
mod accuracy {
    use super::Accuracy::{self, *};

    #[test]
    fn accuracy_follows_how_the_point_was_obtained() {
        for (method, coordinates, want) in [
            (Some("from source (aroundus_jns)"), Some("verified"), Street),
            (Some("kirkanta"), None, Exact),
            (Some("given by the partner"), None, Street),
            (Some("approximate: municipality centre coordinate (kunta_coords)"), Some("approximate"), Municipality),
            (Some("approximate: Eno (former municipality) coordinate from Wikipedia (fi)"), None, Municipality),
            (Some("approximate: postal code area 82200 centroid (paavo_polygons)"), None, PostalArea),
            (
                Some("approximate: centroid of small urban postal code area 80110 (5.3 km2; paavo_polygons)"),
                None,
                PostalArea,
            ),
            (Some("assumed: placed at Joensuu main library as home base (not verified)"), None, Municipality),
            (Some("postal_code_centroid"), None, PostalArea),
            (Some("municipality_centre"), None, Municipality),
            (Some("geocoder: Koskikatu 25, Joensuu"), None, Street),
            (Some("geocoder (address): Koskikatu 25, Joensuu"), None, Street),
            (Some("geocoder (postalcode): 80100 Joensuu"), None, PostalArea),
            (Some("geocoder (locality): Joensuu, municipality of Joensuu"), None, Municipality),
            (None, Some("verified"), Street),
            (None, None, Municipality),
            (Some("something new"), Some("approximate"), Municipality),
        ] {
            assert_eq!(Accuracy::from_method(method, coordinates), want, "{method:?}");
        }
        assert!(Exact.is_precise() && Street.is_precise() && !PostalArea.is_precise() && !Municipality.is_precise());
        assert_eq!(PostalArea.as_str(), "postal_area");
    }
}
