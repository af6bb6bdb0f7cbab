//! The directory's own vocabulary, each rule written once: what a record id and a postal code
//! are, which kind of place serves an area rather than a point.

/// A Finnish postal code: five digits (`80100`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostalCode(String);

impl PostalCode {
    /// Whether `s` is one, exactly (no spaces around it).
    pub fn is_valid(s: &str) -> bool {
        s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit())
    }

    pub fn parse(s: &str) -> Option<PostalCode> {
        Self::is_valid(s).then(|| PostalCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PostalCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A record's id: lower-case letters, digits and hyphens, not beginning with a hyphen
/// (`jns-paakirjasto`). An id a writer chooses for a new record has at most 64 characters; an id
/// asked for (in a path or a filter) at most 128, so that every stored id can be asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(String);

impl RecordId {
    /// The longest id a writer may choose.
    pub const MAX_NEW: usize = 64;
    /// The longest id that may be asked for.
    pub const MAX: usize = 128;

    fn well_formed(s: &str, max: usize) -> bool {
        !s.is_empty()
            && s.len() <= max
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
    }

    /// An id asked for.
    pub fn parse(s: &str) -> Option<RecordId> {
        Self::well_formed(s, Self::MAX).then(|| RecordId(s.to_owned()))
    }

    /// An id a writer chooses for a new record.
    pub fn parse_new(s: &str) -> Option<RecordId> {
        Self::well_formed(s, Self::MAX_NEW).then(|| RecordId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::ops::Deref for RecordId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RecordId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The location kind of phone and video help: it serves municipalities, not a point, so it is
/// listed beside nearest results instead of among them, and is never geocoded.
pub const REMOTE_KIND: &str = "remote";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_id_is_lower_case_letters_digits_and_hyphens() {
        assert_eq!(RecordId::parse("jns-paakirjasto").map(|i| i.to_string()), Some("jns-paakirjasto".into()));
        for bad in ["", "-a", "A", "jns paakirjasto", "jns_paakirjasto", "ä", &"a".repeat(129)] {
            assert!(RecordId::parse(bad).is_none(), "{bad:?}");
        }
        assert!(RecordId::parse(&"a".repeat(128)).is_some());
        assert!(RecordId::parse_new(&"a".repeat(65)).is_none(), "a new id has at most 64 characters");
    }

    #[test]
    fn a_postal_code_is_five_digits() {
        assert_eq!(PostalCode::parse("80100").map(|p| p.to_string()), Some("80100".into()));
        for bad in ["8010", "801000", "80 100", " 80100", "8010a", "", "８０１００"] {
            assert!(PostalCode::parse(bad).is_none(), "{bad:?}");
        }
    }
}
