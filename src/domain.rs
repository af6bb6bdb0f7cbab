//! The directory's own vocabulary, each rule written once: what a postal code is, which kind of
//! place serves an area rather than a point.

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

/// The location kind of phone and video help: it serves municipalities, not a point, so it is
/// listed beside nearest results instead of among them, and is never geocoded.
pub const REMOTE_KIND: &str = "remote";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postal_code_is_five_digits() {
        assert_eq!(PostalCode::parse("80100").map(|p| p.to_string()), Some("80100".into()));
        for bad in ["8010", "801000", "80 100", " 80100", "8010a", "", "８０１００"] {
            assert!(PostalCode::parse(bad).is_none(), "{bad:?}");
        }
    }
}
