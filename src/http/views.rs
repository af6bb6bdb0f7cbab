//! The public JSON shapes of directory records, built from the snapshot in the request's
//! language mode. Every endpoint that shows a location or an organization uses these, so a
//! location looks the same in the list, the detail and nearest.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::respond::{LangMode, Text};
use crate::directory::{state_name, Directory, Location, Organization, ServiceAtLocation};
use crate::domain::{Accuracy, Confidence, Vocabulary};
use crate::hours::{self, Status};

/// The state of a place (or a service at it) at the evaluation instant.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusOut {
    /// `staffed` (digital help available), `self_service` (doors open, no staff: no help;
    /// *omatoimiaika*), `closed`, or `unknown` (no hours on record).
    #[schema(example = "staffed")]
    pub state: String,
    /// Why the place is closed or special today: a holiday name or an exception reason.
    pub reason: Option<Text>,
    pub next_change: Option<ChangeOut>,
}

/// The next instant at which the state changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeOut {
    /// The instant, UTC.
    #[schema(example = "2027-03-29T07:00:00Z")]
    pub at: DateTime<Utc>,
    /// The same instant in Helsinki time, with its UTC offset (+02:00 or +03:00).
    #[schema(example = "2027-03-29T10:00:00+03:00")]
    pub local: String,
    /// The state from then on: `staffed`, `self_service` or `closed`.
    #[schema(example = "staffed")]
    pub state: String,
}

pub fn helsinki_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Helsinki).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

pub fn status(status: Option<&Status>, lang: LangMode) -> StatusOut {
    StatusOut {
        state: state_name(status).into(),
        reason: status.and_then(|s| lang.opt(&s.reason)),
        next_change: status.and_then(|s| s.next_change.as_ref()).map(|c| ChangeOut {
            at: c.at,
            local: helsinki_time(c.at),
            state: state_name(Some(&Status { state: c.state, reason: None, next_change: None })).into(),
        }),
    }
}

/// Booking instructions of a service given by appointment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentOut {
    pub by_appointment: bool,
    #[schema(example = "+358 13 267 7111")]
    pub phone: Option<String>,
    #[schema(example = "https://example.fi/varaa")]
    pub url: Option<String>,
    pub text: Option<Text>,
}

fn appointment(a: &hours::Appointment, lang: LangMode) -> AppointmentOut {
    AppointmentOut {
        by_appointment: a.by_appointment,
        phone: a.phone.clone(),
        // Only http(s) links are ever shown.
        url: a.url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        text: lang.opt(&a.text),
    }
}

/// Where a record's facts come from and how sure they are.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvenanceOut {
    /// `manual`, an import's name (e.g. `kirkanta`), or `demo-data`.
    #[schema(example = "demo-data")]
    pub source: String,
    pub external_id: Option<String>,
    /// The sources the facts were taken from: `{key, title, url}`.
    #[schema(value_type = Vec<crate::http::schemas::SourceRef>)]
    pub sources: Value,
}

/// A reference to an organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationRef {
    #[schema(example = "joensuun-kaupunginkirjasto")]
    pub id: String,
    pub name: Text,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AddressOut {
    #[schema(example = "Koskikatu 25")]
    pub street: Option<String>,
    #[schema(example = "80100")]
    pub postal_code: Option<String>,
    #[schema(example = "Joensuu")]
    pub post_office: Option<String>,
    #[schema(example = "167")]
    pub municipality_code: Option<String>,
    pub municipality: Option<Text>,
}

/// WGS84 position.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoordinatesOut {
    #[schema(example = 62.6017)]
    pub lat: f64,
    #[schema(example = 29.7514)]
    pub lon: f64,
    /// How the point was obtained (from a source, a municipality centre, a postal-code centroid...).
    pub method: Option<String>,
    /// How precise the point is, derived from how it was obtained (`method`): `exact` (the
    /// building's own published point, e.g. Kirkanta), `street` (a street-address point from a
    /// source, a partner, or a geocoder match on an address or venue; a partner-given point is
    /// `street`), `postal_area` (a postal-code area's centroid, or a geocoder match on a postal
    /// code) or `municipality` (a municipality's centre, a geocoder match on a locality, or a
    /// placeholder). Only `exact` and `street` points are precise enough for a map pin or a
    /// distance shown without "about". It cannot be written: it follows from the method.
    #[schema(example = "street")]
    pub accuracy: Accuracy,
}

/// A distance from a search origin, with how sure it is.
#[derive(Debug, Clone, Copy)]
pub struct Distance {
    pub metres: f64,
    /// The origin or the place is only an area estimate.
    pub approximate: bool,
    /// From a postal-code origin: whether the place's address is in that postal area.
    pub same_postal_area: Option<bool>,
}

/// A service offered at a location.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceAtLocationOut {
    #[schema(example = "jns-paakirjasto-information-search")]
    pub id: String,
    #[schema(example = "joensuun-kaupunginkirjasto-information-search")]
    pub service_id: String,
    pub name: Text,
    pub description: Option<Text>,
    /// Topic codes.
    pub topics: Vec<String>,
    /// drop_in, by_appointment, phone, video, group_course, event.
    pub delivery_modes: Vec<String>,
    pub languages: Vec<String>,
    pub audience: Vec<String>,
    /// DVV guidelines: `guidance` (the customer acts, the helper guides), `authorized_assistance`
    /// (may act for the customer with a formal authorization), `information_only` (advises and refers).
    #[schema(example = "guidance")]
    pub assistance_level: String,
    pub note: Option<Text>,
    /// This service's own hours here (narrower than the building's), as an OpenStreetMap
    /// `opening_hours` string; null when the building's hours apply.
    #[schema(example = "Tu 10:00-12:00; PH off")]
    pub opening_hours: Option<String>,
    /// The service's state at the evaluation instant, when it has its own hours.
    pub status_now: Option<StatusOut>,
    /// Present when help is (also) given by appointment.
    pub appointment: Option<AppointmentOut>,
    /// verified, approximate or assumed.
    #[schema(example = "verified")]
    pub confidence: String,
    #[schema(value_type = Vec<crate::http::schemas::SourceRef>)]
    pub sources: Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub name: Option<String>,
    pub title: Option<Text>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A place where digital help is given.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationOut {
    #[schema(example = "jns-paakirjasto")]
    pub id: String,
    pub name: Text,
    pub description: Option<Text>,
    #[schema(example = "library")]
    pub kind: String,
    pub organization: OrganizationRef,
    pub address: AddressOut,
    pub coordinates: Option<CoordinatesOut>,
    /// Great-circle distance from the search origin in metres (nearest search only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 152.4)]
    pub distance_m: Option<f64>,
    /// With every `distance_m`: true when the origin or this place is not `exact`/`street`
    /// (a postal-code or municipality origin, or a place placed at an area centroid), so the
    /// distance is only roughly right; show it as "about".
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = false)]
    pub distance_approximate: Option<bool>,
    /// From a postal-code origin only: true when the place's address is in that postal area
    /// (such places are ranked first, whatever their distance from the area's centroid).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = true)]
    pub same_postal_area: Option<bool>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub accessibility: Option<Text>,
    pub transit: Option<Text>,
    /// For remote help: the municipality codes it serves.
    pub served_municipalities: Vec<String>,
    /// Topic codes offered here (union of the services).
    pub topics: Vec<String>,
    /// ISO 639-1 codes of the languages of service.
    pub languages: Vec<String>,
    pub services: Vec<ServiceAtLocationOut>,
    pub contacts: Vec<ContactOut>,
    /// Staffed help available at the evaluation instant (now, or `at`). False when the hours
    /// are unknown or only self-service is open.
    pub open_now: bool,
    pub status_now: StatusOut,
    /// The next change of state (opens at, closes at), as in `status_now`.
    pub next_change: Option<ChangeOut>,
    /// When staffed help next begins, when it is not available at the evaluation instant
    /// (following past self-service hours, which give no help); null when open now or unknown.
    pub next_opening: Option<ChangeOut>,
    /// Regular hours as an OpenStreetMap `opening_hours` string; null when unknown.
    #[schema(example = "Mo-Th 10:00-19:00; Fr 10:00-17:00; PH off")]
    pub opening_hours: Option<String>,
    /// How sure the hours are: verified, approximate, or assumed (demo placeholders).
    #[schema(example = "assumed")]
    pub hours_confidence: Option<String>,
    /// `active`, `inactive`, or `unverified-current` (only old sources say it exists).
    #[schema(example = "active")]
    pub status: String,
    /// How sure the directory is of this record: `verified` (address and position from a
    /// source), `approximate` (exists per a source, position estimated) or `assumed` (inferred:
    /// check before relying on it).
    #[schema(example = "approximate")]
    pub confidence: String,
    /// True when the record's confidence is `verified`. Derived from `confidence`; a partner
    /// cannot set it (raising `confidence` is the coordinator's act, recorded in history).
    pub verified: bool,
    /// Confidence per aspect (existence, address, coordinates, services, hours, languages).
    #[schema(value_type = std::collections::HashMap<String, String>, example = json!({"existence": "verified", "address": "verified", "hours": "approximate"}))]
    pub confidence_detail: Value,
    /// Free-text notes on the hours, from the sources.
    pub hours_notes: Option<String>,
    /// Notes on the record's sources and gaps.
    pub notes: Option<String>,
    pub provenance: ProvenanceOut,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When a partner or the coordinator last confirmed the listing is still true
    /// (`POST /v1/locations/{id}/verify`).
    pub verified_at: Option<DateTime<Utc>>,
    /// The organization whose token confirmed it then (null when not recorded).
    pub verified_by: Option<OrganizationRef>,
    /// Not confirmed by a partner for 180 days (counting from creation when never confirmed).
    pub stale: bool,
}

/// An organization that provides digital help.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationOut {
    #[schema(example = "joensuun-kaupunginkirjasto")]
    pub id: String,
    #[schema(example = "library")]
    pub kind: String,
    pub name: Text,
    pub description: Option<Text>,
    pub parent_id: Option<String>,
    #[schema(example = "Vaara-kirjastot")]
    pub network: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    /// Its locations (id and name).
    pub locations: Vec<LocationRef>,
    #[schema(example = "approximate")]
    pub confidence: String,
    pub verified: bool,
    pub provenance: ProvenanceOut,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationRef {
    #[schema(example = "jns-paakirjasto")]
    pub id: String,
    pub name: Text,
}

/// A booking instruction of a service at the location (in the summary view).
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingOut {
    #[schema(example = "pksotu-kansalaistalo-device-basics")]
    pub service_at_location_id: String,
    /// The service's name.
    pub name: Text,
    pub appointment: AppointmentOut,
}

/// A location as a list shows it (`view=summary`): who, where, how far, whether help is
/// available now and when next, what with and in which languages, how to book, and how sure
/// the facts are; about 1 kB instead of the full record's several. The full record is
/// `GET /v1/locations/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationSummary {
    #[schema(example = "jns-paakirjasto")]
    pub id: String,
    pub name: Text,
    #[schema(example = "library")]
    pub kind: String,
    pub organization: OrganizationRef,
    pub address: AddressOut,
    pub coordinates: Option<CoordinatesOut>,
    /// As in the full record (nearest search only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 152.4)]
    pub distance_m: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_approximate: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_postal_area: Option<bool>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub accessibility: Option<Text>,
    /// Topic codes offered here.
    pub topics: Vec<String>,
    pub languages: Vec<String>,
    /// How help is given here: the services' delivery modes, each once.
    pub delivery_modes: Vec<String>,
    /// Services given (also) by appointment, with how to book.
    pub bookings: Vec<BookingOut>,
    pub open_now: bool,
    pub status_now: StatusOut,
    pub next_change: Option<ChangeOut>,
    pub next_opening: Option<ChangeOut>,
    pub opening_hours: Option<String>,
    pub hours_confidence: Option<String>,
    #[schema(example = "verified")]
    pub confidence: String,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by: Option<OrganizationRef>,
    pub stale: bool,
}

pub fn location_summary(
    dir: &Directory,
    loc: &Location,
    lang: LangMode,
    at: DateTime<Utc>,
    distance: Option<Distance>,
) -> LocationSummary {
    let org = &dir.organizations[loc.organization];
    let LocationDynamic { open_now, status_now, next_change, next_opening, stale, .. } =
        location_dynamic(loc, lang, at);
    let mut delivery_modes: Vec<String> = Vec::new();
    for s in &loc.services {
        for m in &dir.services[s.service].delivery_modes {
            if !delivery_modes.iter().any(|d| d == m.name()) {
                delivery_modes.push(m.to_string());
            }
        }
    }
    LocationSummary {
        id: loc.id.clone(),
        name: lang.text(&loc.name),
        kind: loc.kind.to_string(),
        organization: OrganizationRef { id: org.id.clone(), name: lang.text(&org.name) },
        address: address(dir, loc, lang),
        coordinates: coordinates(loc),
        distance_m: distance.map(|d| (d.metres * 10.0).round() / 10.0),
        distance_approximate: distance.map(|d| d.approximate),
        same_postal_area: distance.and_then(|d| d.same_postal_area),
        phone: loc.phone.clone(),
        email: loc.email.clone(),
        website: loc.website.clone(),
        accessibility: lang.opt(&loc.accessibility),
        topics: dir.topic_codes(loc.topic_mask),
        languages: loc.languages.clone(),
        delivery_modes,
        bookings: loc
            .services
            .iter()
            .filter_map(|s| {
                let a = s.appointment.as_ref()?;
                Some(BookingOut {
                    service_at_location_id: s.id.clone(),
                    name: lang.text(&dir.services[s.service].name),
                    appointment: appointment(a, lang),
                })
            })
            .collect(),
        open_now,
        status_now,
        next_change,
        next_opening,
        opening_hours: loc.hours.as_ref().map(|h| h.osm.clone()),
        hours_confidence: loc.hours.as_ref().map(|h| h.confidence.clone()),
        confidence: loc.provenance.confidence.to_string(),
        verified_at: loc.provenance.verified_at,
        verified_by: loc.verified_by.map(|i| {
            let o = &dir.organizations[i as usize];
            OrganizationRef { id: o.id.clone(), name: lang.text(&o.name) }
        }),
        stale,
    }
}

fn address(dir: &Directory, loc: &Location, lang: LangMode) -> AddressOut {
    AddressOut {
        street: loc.address.street.clone(),
        postal_code: loc.address.postal_code.clone(),
        post_office: loc.address.post_office.clone(),
        municipality_code: loc.address.municipality_code.clone(),
        municipality: loc
            .address
            .municipality_code
            .as_deref()
            .and_then(|c| dir.municipality(c))
            .map(|m| lang.text(&m.name)),
    }
}

fn coordinates(loc: &Location) -> Option<CoordinatesOut> {
    loc.coordinates.map(|(lat, lon)| CoordinatesOut {
        lat,
        lon,
        method: loc.coordinate_method.clone(),
        accuracy: loc.accuracy,
    })
}

/// An item of a location listing: the full record, or with `view=summary` the summary.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LocationItem {
    Full(LocationOut),
    Summary(LocationSummary),
}

/// The parts of a location's representation that change with the evaluation instant (besides
/// the distance, which the search gives): computed once, used by `location` and by the
/// pre-rendered fragments (`super::fragments`).
pub struct LocationDynamic {
    pub open_now: bool,
    pub status_now: StatusOut,
    pub next_change: Option<ChangeOut>,
    pub next_opening: Option<ChangeOut>,
    pub stale: bool,
    /// `status_now` of each service at the location (None for one without its own hours).
    pub services: Vec<Option<StatusOut>>,
}

pub fn location_dynamic(loc: &Location, lang: LangMode, at: DateTime<Utc>) -> LocationDynamic {
    let now = loc.status_at(at);
    LocationDynamic {
        open_now: now.as_ref().is_some_and(|s| s.state == hours::State::Staffed),
        next_change: status(now.as_ref(), lang).next_change,
        status_now: status(now.as_ref(), lang),
        next_opening: loc.next_staffed_opening(at).map(|t| ChangeOut {
            at: t,
            local: helsinki_time(t),
            state: "staffed".into(),
        }),
        stale: loc.provenance.is_stale(Utc::now()),
        services: loc
            .services
            .iter()
            .map(|sal| sal.hours.as_ref().map(|h| status(Some(&h.hours.status_at(at)), lang)))
            .collect(),
    }
}

pub fn location(
    dir: &Directory,
    loc: &Location,
    lang: LangMode,
    at: DateTime<Utc>,
    distance: Option<Distance>,
) -> LocationOut {
    location_with(dir, loc, lang, distance, location_dynamic(loc, lang, at))
}

/// A location's representation with its instant-dependent parts given.
pub fn location_with(
    dir: &Directory,
    loc: &Location,
    lang: LangMode,
    distance: Option<Distance>,
    dynamic: LocationDynamic,
) -> LocationOut {
    let org = &dir.organizations[loc.organization];
    let LocationDynamic { open_now, status_now, next_change, next_opening, stale, services } = dynamic;
    LocationOut {
        id: loc.id.clone(),
        name: lang.text(&loc.name),
        description: lang.opt(&loc.description),
        kind: loc.kind.to_string(),
        organization: OrganizationRef { id: org.id.clone(), name: lang.text(&org.name) },
        address: address(dir, loc, lang),
        coordinates: coordinates(loc),
        distance_m: distance.map(|d| (d.metres * 10.0).round() / 10.0),
        distance_approximate: distance.map(|d| d.approximate),
        same_postal_area: distance.and_then(|d| d.same_postal_area),
        phone: loc.phone.clone(),
        email: loc.email.clone(),
        website: loc.website.clone(),
        accessibility: lang.opt(&loc.accessibility),
        transit: lang.opt(&loc.transit),
        served_municipalities: loc.served_municipalities.clone(),
        topics: dir.topic_codes(loc.topic_mask),
        languages: loc.languages.clone(),
        services: loc.services.iter().zip(services).map(|(s, st)| service_at_location_with(dir, s, lang, st)).collect(),
        contacts: loc
            .contacts
            .iter()
            .map(|c| ContactOut {
                name: c.name.clone(),
                title: lang.opt(&c.title),
                phone: c.phone.clone(),
                email: c.email.clone(),
            })
            .collect(),
        open_now,
        next_change,
        next_opening,
        status_now,
        opening_hours: loc.hours.as_ref().map(|h| h.osm.clone()),
        hours_confidence: loc.hours.as_ref().map(|h| h.confidence.clone()),
        status: loc.status.to_string(),
        confidence: loc.provenance.confidence.to_string(),
        verified: loc.provenance.confidence == Confidence::Verified,
        confidence_detail: loc.confidence_detail.clone(),
        hours_notes: loc.hours_notes.clone(),
        notes: loc.notes.clone(),
        provenance: ProvenanceOut {
            source: loc.provenance.source.to_string(),
            external_id: loc.provenance.external_id.clone(),
            sources: loc.provenance.sources.clone(),
        },
        created_at: loc.provenance.created_at,
        updated_at: loc.provenance.updated_at,
        verified_at: loc.provenance.verified_at,
        verified_by: loc.verified_by.map(|i| {
            let o = &dir.organizations[i as usize];
            OrganizationRef { id: o.id.clone(), name: lang.text(&o.name) }
        }),
        stale,
    }
}

fn service_at_location(
    dir: &Directory,
    sal: &ServiceAtLocation,
    lang: LangMode,
    at: DateTime<Utc>,
) -> ServiceAtLocationOut {
    let status_now = sal.hours.as_ref().map(|h| status(Some(&h.hours.status_at(at)), lang));
    service_at_location_with(dir, sal, lang, status_now)
}

fn service_at_location_with(
    dir: &Directory,
    sal: &ServiceAtLocation,
    lang: LangMode,
    status_now: Option<StatusOut>,
) -> ServiceAtLocationOut {
    let s = &dir.services[sal.service];
    ServiceAtLocationOut {
        id: sal.id.clone(),
        service_id: s.id.clone(),
        name: lang.text(&s.name),
        description: lang.opt(&s.description),
        topics: s.topics.clone(),
        delivery_modes: s.delivery_modes.iter().map(|m| m.to_string()).collect(),
        languages: s.languages.clone(),
        audience: s.audience.clone(),
        assistance_level: s.assistance_level.to_string(),
        note: lang.opt(&sal.note),
        opening_hours: sal.hours.as_ref().map(|h| h.osm.clone()),
        status_now,
        appointment: sal.appointment.as_ref().map(|a| appointment(a, lang)),
        confidence: sal.provenance.confidence.to_string(),
        sources: sal.provenance.sources.clone(),
    }
}

pub fn organization(dir: &Directory, org: &Organization, lang: LangMode) -> OrganizationOut {
    OrganizationOut {
        id: org.id.clone(),
        kind: org.kind.clone(),
        name: lang.text(&org.name),
        description: lang.opt(&org.description),
        parent_id: org.parent_id.clone(),
        network: org.network.clone(),
        website: org.website.clone(),
        email: org.email.clone(),
        phone: org.phone.clone(),
        notes: org.notes.clone(),
        locations: org
            .locations
            .iter()
            .map(|&i| LocationRef { id: dir.locations[i].id.clone(), name: lang.text(&dir.locations[i].name) })
            .collect(),
        confidence: org.provenance.confidence.to_string(),
        verified: org.provenance.confidence == Confidence::Verified,
        provenance: ProvenanceOut {
            source: org.provenance.source.to_string(),
            external_id: org.provenance.external_id.clone(),
            sources: org.provenance.sources.clone(),
        },
        created_at: org.provenance.created_at,
        updated_at: org.provenance.updated_at,
        verified_at: org.provenance.verified_at,
    }
}

/// A kind of digital help an organization offers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceOut {
    #[schema(example = "pksotu-device-basics")]
    pub id: String,
    pub organization: OrganizationRef,
    pub name: Text,
    pub description: Option<Text>,
    pub topics: Vec<String>,
    pub delivery_modes: Vec<String>,
    pub languages: Vec<String>,
    pub audience: Vec<String>,
    pub cost: Option<Text>,
    /// guidance, authorized_assistance or information_only (DVV guidelines).
    #[schema(example = "guidance")]
    pub assistance_level: String,
    /// Where it is offered: ids of services at locations and their locations.
    pub offered_at: Vec<OfferedAt>,
    #[schema(example = "verified")]
    pub confidence: String,
    pub provenance: ProvenanceOut,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferedAt {
    #[schema(example = "pksotu-kansalaistalo-device-basics")]
    pub service_at_location_id: String,
    #[schema(example = "pksotu-kansalaistalo")]
    pub location_id: String,
}

/// A service at a location, on its own (with the location it belongs to).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceAtLocationDetail {
    #[schema(example = "pksotu-kansalaistalo")]
    pub location_id: String,
    #[serde(flatten)]
    pub service: ServiceAtLocationOut,
}

pub fn service(dir: &Directory, index: usize, lang: LangMode) -> ServiceOut {
    let s = &dir.services[index];
    let org = &dir.organizations[s.organization];
    let offered_at = s
        .offered_at
        .iter()
        .map(|&(l, j)| {
            let loc = &dir.locations[l as usize];
            OfferedAt { service_at_location_id: loc.services[j as usize].id.clone(), location_id: loc.id.clone() }
        })
        .collect();
    ServiceOut {
        id: s.id.clone(),
        organization: OrganizationRef { id: org.id.clone(), name: lang.text(&org.name) },
        name: lang.text(&s.name),
        description: lang.opt(&s.description),
        topics: s.topics.clone(),
        delivery_modes: s.delivery_modes.iter().map(|m| m.to_string()).collect(),
        languages: s.languages.clone(),
        audience: s.audience.clone(),
        cost: lang.opt(&s.cost),
        assistance_level: s.assistance_level.to_string(),
        offered_at,
        confidence: s.provenance.confidence.to_string(),
        provenance: ProvenanceOut {
            source: s.provenance.source.to_string(),
            external_id: s.provenance.external_id.clone(),
            sources: s.provenance.sources.clone(),
        },
        created_at: s.provenance.created_at,
        updated_at: s.provenance.updated_at,
        verified_at: s.provenance.verified_at,
    }
}

pub fn service_at_location_detail(
    dir: &Directory,
    loc: &Location,
    sal: &ServiceAtLocation,
    lang: LangMode,
    at: DateTime<Utc>,
) -> ServiceAtLocationDetail {
    ServiceAtLocationDetail { location_id: loc.id.clone(), service: service_at_location(dir, sal, lang, at) }
}
