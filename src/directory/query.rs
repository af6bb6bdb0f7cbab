//! The snapshot's queries: listing with filters, nearest search, staffed-at checks, remote
//! help serving an area.

use chrono::{DateTime, Utc};

use super::*;
use crate::geo::distance_m;

impl Directory {
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
        let key =
            |l: &Location| (!self.staffed_at(l, filter.topics, rank.at), l.hours.is_none(), l.provenance.confidence);
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
