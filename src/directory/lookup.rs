//! Finding records of the snapshot by id: every record type (organisations, locations,
//! services, services at locations, events, HSDS UUIDs) has an index; the small reference lists
//! (topics, languages, municipalities: tens of entries) are searched in order.

use super::*;

impl Directory {
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

    /// The index of an organization in `organizations`.
    pub fn organization_index(&self, id: &str) -> Option<usize> {
        self.organization_by_id.get(id).copied()
    }

    /// A service and its index in `services`.
    pub fn service(&self, id: &str) -> Option<(usize, &Service)> {
        self.service_by_id.get(id).map(|&i| (i, &self.services[i]))
    }

    /// Where a service at a location is: (location index, index in its `services`).
    pub fn service_at_location_index(&self, id: &str) -> Option<(u32, u32)> {
        self.sal_by_id.get(id).copied()
    }

    /// A service at a location, with the location.
    pub fn service_at_location(&self, id: &str) -> Option<(&Location, &ServiceAtLocation)> {
        self.sal_by_id.get(id).map(|&(l, j)| {
            let loc = &*self.locations[l as usize];
            (loc, &loc.services[j as usize])
        })
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
        let given = code_or_name.trim();
        if let Some(code) = crate::domain::MunicipalityCode::parse(given) {
            return self.municipality(code.as_str());
        }
        let name = given.to_lowercase();
        self.municipalities.iter().find(|m| {
            m.name.fi.to_lowercase() == name || m.name.sv.as_deref().map(str::to_lowercase) == Some(name.clone())
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
}
