//! The records of the snapshot: what a place, a service, an organization is in the read model.

use std::sync::Arc;

pub use crate::domain::Accuracy;
use crate::domain::{AssistanceLevel, Confidence, DeliveryMode, LocationKind, LocationStatus};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::search::SearchText;
use crate::hours::{Appointment, OpeningHours, State, Status};
use crate::i18n::Localized;

/// A short string repeated across many records (a record's source), stored once per snapshot
/// and shared.
pub type Sym = Arc<str>;

#[derive(Debug, Clone)]
pub struct Provenance {
    pub source: Sym,
    pub external_id: Option<String>,
    pub confidence: Confidence,
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
    pub delivery_modes: Vec<DeliveryMode>,
    pub audience: Vec<String>,
    pub cost: Option<Localized>,
    pub assistance_level: AssistanceLevel,
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
    pub kind: LocationKind,
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
    pub status: LocationStatus,
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
    /// Phone or video help serving an area (`crate::domain::LocationKind::Remote`), not a place to go.
    pub fn is_remote(&self) -> bool {
        self.kind.is_remote()
    }

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

/// The state name used in the API: the engine's states plus `unknown` (no hours on record).
pub fn state_name(status: Option<&Status>) -> &'static str {
    match status.map(|s| s.state) {
        Some(State::Staffed) => "staffed",
        Some(State::SelfService) => "self_service",
        Some(State::Closed) => "closed",
        None => "unknown",
    }
}
