//! Great-circle geometry for nearest search.
//!
//! An R-tree over latitude/longitude degrees gives the wrong order (degrees are not distances),
//! so every point is mapped to a 3-D unit vector: the straight-line (chord) distance between
//! unit vectors grows monotonically with the great-circle distance, so nearest-in-3-D is
//! exactly great-circle order. Distances themselves come from geo's Haversine.

use geo::{Distance, Haversine, Point};
use rstar::primitives::GeomWithData;
use rstar::RTree;

/// The unit vector of a WGS84 position.
pub fn unit_vector(lat: f64, lon: f64) -> [f64; 3] {
    let (lat, lon) = (lat.to_radians(), lon.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Great-circle distance in metres (Haversine, mean Earth radius).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    // geo's points are (x = longitude, y = latitude).
    Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2))
}

/// Finland's bounding box, with a margin: coordinates outside it are not in the directory's area.
pub fn inside_finland(lat: f64, lon: f64) -> bool {
    (59.3..=70.2).contains(&lat) && (19.0..=31.7).contains(&lon)
}

/// An R-tree of positions, each carrying an index into the caller's records.
pub struct PointIndex {
    tree: RTree<GeomWithData<[f64; 3], u32>>,
}

impl PointIndex {
    pub fn build(points: impl IntoIterator<Item = (u32, f64, f64)>) -> Self {
        let items = points.into_iter().map(|(i, lat, lon)| GeomWithData::new(unit_vector(lat, lon), i)).collect();
        PointIndex { tree: RTree::bulk_load(items) }
    }

    /// Record indices in increasing great-circle distance from the position.
    pub fn nearest(&self, lat: f64, lon: f64) -> impl Iterator<Item = u32> + '_ {
        self.tree.nearest_neighbor_iter(&unit_vector(lat, lon)).map(|g| g.data)
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_follows_great_circle_order() {
        // At 62°N a degree of longitude is about half a degree of latitude: the point one degree
        // east is nearer than the point one degree north, although both are "1 degree" away.
        let index = PointIndex::build([(0, 63.6, 29.75), (1, 62.6, 30.75)]);
        let order: Vec<u32> = index.nearest(62.6, 29.75).collect();
        assert_eq!(order, vec![1, 0]);
        assert!(distance_m(62.6, 29.75, 62.6, 30.75) < distance_m(62.6, 29.75, 63.6, 29.75));
    }

    #[test]
    fn joensuu_to_lieksa_is_about_eighty_km() {
        let d = distance_m(62.6017, 29.7514, 63.3167, 30.0167);
        assert!((78_000.0..82_000.0).contains(&d), "{d}");
    }
}
