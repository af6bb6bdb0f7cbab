//! Building the snapshot from one consistent set of rows, and updating it for a few changed
//! places.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::Utc;
use serde_json::Value;

use super::search::SearchText;
use super::*;
use crate::db::load::DirectoryRows;
use crate::domain::{AssistanceLevel, Confidence, DeliveryMode, LocationKind, LocationStatus, Vocabulary};
use crate::geo::PointIndex;
use crate::hours::OpeningHours;
use crate::i18n::Localized;

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
            confidence: Confidence::from_stored(confidence, Confidence::Assumed),
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
                    delivery_modes: s.delivery_modes.iter().filter_map(|m| DeliveryMode::stored(m)).collect(),
                    audience: s.audience.clone(),
                    cost: text(s.cost_fi.as_deref(), s.cost_sv.as_deref(), s.cost_en.as_deref()),
                    assistance_level: AssistanceLevel::from_stored(
                        &s.assistance_level,
                        AssistanceLevel::InformationOnly,
                    ),
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
        // Each place in its own shared allocation from the start (no second copy of the list).
        let mut locations: Vec<Arc<Location>> = rows
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
                Some(Arc::new(Location {
                    id: l.id.clone(),
                    organization,
                    kind: LocationKind::from_stored(&l.kind, LocationKind::Other),
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
                    status: LocationStatus::from_stored(&l.status, LocationStatus::UnverifiedCurrent),
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
                }))
            })
            .collect();
        locations.shrink_to_fit();
        locations.sort_by_cached_key(|l| (l.name.fi.to_lowercase(), l.id.clone()));
        for (i, l) in locations.iter().enumerate() {
            organizations[l.organization].locations.push(i);
            for (j, sal) in l.services.iter().enumerate() {
                services[sal.service].offered_at.push((i as u32, j as u32));
            }
        }
        let location_by_id: HashMap<String, usize> =
            locations.iter().enumerate().map(|(i, l)| (l.id.clone(), i)).collect();
        let sal_by_id: HashMap<String, (u32, u32)> = locations
            .iter()
            .enumerate()
            .flat_map(|(i, l)| l.services.iter().enumerate().map(move |(j, s)| (s.id.clone(), (i as u32, j as u32))))
            .collect();
        let services_by_id: HashMap<String, usize> =
            services.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
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
            if let (Some(pc), Some(_), false) = (&l.address.postal_code, l.coordinates, l.is_remote()) {
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
                .filter(|(_, l)| !l.is_remote())
                .filter_map(|(i, l)| l.coordinates.map(|(lat, lon)| (i as u32, lat, lon))),
        );
        let remote = locations.iter().enumerate().filter(|(_, l)| l.is_remote()).map(|(i, _)| i).collect();
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
            service_by_id: services_by_id,
            sal_by_id: Arc::new(sal_by_id),
            hsds_ids: Default::default(),
        }
    }

    /// An empty directory, served until the first snapshot is built.
    pub fn empty() -> Directory {
        Directory::build(DirectoryRows::default())
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
                && old.kind == new.kind
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
}

fn topics_order(topics: &[crate::db::models::TopicRow], code: &str) -> i32 {
    topics.iter().find(|t| t.code == code).map(|t| t.sort_order).unwrap_or(i32::MAX)
}
