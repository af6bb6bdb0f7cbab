//! The public directory as an immutable in-memory read model (the snapshot).
//!
//! It is built from PostgreSQL at start-up and after every committed change, then swapped in
//! atomically (`store`). Every public read is answered from it: no database round trip, and
//! reads keep working while the database is down. This module must never do I/O itself.
//!
//! `model` holds the records, `build` makes a snapshot from rows (or updates one for a few
//! changed places), `lookup` finds records by id (an index for each kind), `query` answers
//! listings and nearest searches, `store` holds the current snapshot and follows changes.

mod build;
pub mod events;
pub mod filter;
mod lookup;
mod model;
mod query;
pub mod search;
pub mod store;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::geo::PointIndex;
pub use filter::LocationFilter;
pub use model::*;

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
    service_by_id: HashMap<String, usize>,
    /// Services at locations by id: (location index, index in its `services`).
    sal_by_id: Arc<HashMap<String, (u32, u32)>>,
    /// Records by their HSDS UUIDs, made on first use (`crate::hsds::find`).
    pub hsds_ids: Arc<std::sync::OnceLock<HashMap<String, RecordRef>>>,
}

/// A record of the snapshot, by kind and index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRef {
    Organization(usize),
    Service(usize),
    /// (location index, index in its `services`)
    ServiceAtLocation(u32, u32),
    Location(usize),
    Topic(usize),
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
