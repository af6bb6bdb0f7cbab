//! The filters shared by the location list, nearest search and every other listing of
//! locations. The HTTP edge resolves and validates parameters into a `LocationFilter`; this
//! module only decides whether a location matches.

use super::search::SearchQuery;
use super::{Directory, Location};

#[derive(Debug, Clone, Default)]
pub struct LocationFilter {
    /// Municipality code.
    pub municipality: Option<String>,
    pub organization: Option<String>,
    pub kind: Option<crate::domain::LocationKind>,
    /// Bit set of required topics: a location matches when it offers all of them.
    pub topics: u64,
    /// ISO 639-1 code of a language of service.
    pub language: Option<String>,
    pub text: Option<SearchQuery>,
}

impl LocationFilter {
    pub fn matches(&self, dir: &Directory, loc: &Location) -> bool {
        if let Some(m) = &self.municipality {
            let serves = loc.served_municipalities.iter().any(|s| s == m);
            if loc.address.municipality_code.as_deref() != Some(m.as_str()) && !serves {
                return false;
            }
        }
        if let Some(o) = &self.organization {
            if dir.organizations[loc.organization].id != *o {
                return false;
            }
        }
        if self.kind.is_some_and(|k| loc.kind != k) {
            return false;
        }
        if loc.topic_mask & self.topics != self.topics {
            return false;
        }
        if let Some(l) = &self.language {
            if !loc.languages.iter().any(|x| x == l) {
                return false;
            }
        }
        if let Some(q) = &self.text {
            if !q.matches(&loc.search) {
                return false;
            }
        }
        true
    }
}
