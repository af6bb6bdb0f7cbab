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

/// A word of the directory's vocabulary: an enum whose values are written as fixed names
/// (`verified`, `drop_in`), parsed once where they come in (`Errors::choice` for what
/// partners and importers write, `Vocabulary::from_stored` for rows) and compared as values.
pub trait Vocabulary:
    Copy + std::str::FromStr + strum::VariantNames + strum::VariantArray + Into<&'static str> + 'static
{
    /// The value's name, as stored and as the API writes it.
    fn name(self) -> &'static str {
        self.into()
    }

    /// Every value's name, in order.
    fn names() -> &'static [&'static str] {
        <Self as strum::VariantNames>::VARIANTS
    }

    /// Every value, in order.
    fn all() -> &'static [Self] {
        <Self as strum::VariantArray>::VARIANTS
    }

    /// A value read from a stored row; a name the vocabulary does not have (written around the
    /// write path) becomes `fallback`, the most cautious reading, and is logged.
    fn from_stored(s: &str, fallback: Self) -> Self {
        s.parse().unwrap_or_else(|_| {
            tracing::warn!(
                "unknown {} {s:?} in the database; read as {:?}",
                std::any::type_name::<Self>(),
                fallback.name()
            );
            fallback
        })
    }
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            strum::EnumString, strum::IntoStaticStr, strum::VariantNames, strum::VariantArray, strum::Display,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[strum(serialize_all = "snake_case")]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),*
        }
        impl Vocabulary for $name {}
    };
}

vocabulary! {
    /// How sure a fact is: `verified` (a source or the partner confirms it), `approximate`
    /// (close, e.g. a postal area's centre), `assumed` (inferred, to be checked). Ordered from
    /// the surest.
    Confidence { Verified, Approximate, Assumed }
}

vocabulary! {
    /// The kind of a place: who runs it (library, association, parish, …), or `remote` for phone
    /// and video help that serves an area.
    LocationKind {
        Library,
        LibraryBookmobile,
        AdultEducationCollege,
        Association,
        MunicipalServicePoint,
        Parish,
        PublicAuthorityServicePoint,
        Other,
        // Phone and video help: it serves municipalities, not a point, so it is listed beside
        // nearest results instead of among them, and is never geocoded.
        Remote,
    }
}

vocabulary! {
    /// Whether a location is in service: `unverified-current` is listed as current, but its
    /// being so is not confirmed.
    LocationStatus {
        Active,
        Inactive,
        #[strum(serialize = "unverified-current")]
        #[serde(rename = "unverified-current")]
        UnverifiedCurrent,
    }
}

vocabulary! {
    /// How far help goes (DVV's ethical guidelines for digital support): `guidance` (the person
    /// acts, the helper guides), `authorized_assistance` (the helper may act for the person with
    /// a formal authorisation), `information_only` (advice and referral).
    AssistanceLevel { Guidance, AuthorizedAssistance, InformationOnly }
}

vocabulary! {
    /// How help is given.
    DeliveryMode { DropIn, ByAppointment, Phone, Video, GroupCourse, Event }
}

impl DeliveryMode {
    /// A delivery mode read from a stored row; one the vocabulary does not have is left out
    /// (and logged) rather than shown as something it is not.
    pub fn stored(s: &str) -> Option<DeliveryMode> {
        let mode = s.parse().ok();
        if mode.is_none() {
            tracing::warn!("unknown delivery mode {s:?} in the database; left out");
        }
        mode
    }
}

impl LocationKind {
    pub fn is_remote(self) -> bool {
        self == LocationKind::Remote
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_reads_and_writes_its_names() {
        assert_eq!(Confidence::names(), ["verified", "approximate", "assumed"]);
        assert!(Confidence::Verified < Confidence::Assumed, "ordered from the surest");
        assert_eq!("unverified-current".parse::<LocationStatus>(), Ok(LocationStatus::UnverifiedCurrent));
        assert_eq!(LocationStatus::UnverifiedCurrent.name(), "unverified-current");
        assert_eq!(DeliveryMode::DropIn.to_string(), "drop_in");
        assert_eq!(LocationKind::Remote.name(), "remote");
        assert!("Verified".parse::<Confidence>().is_err(), "names are exact");
        assert_eq!(
            AssistanceLevel::from_stored("helping", AssistanceLevel::InformationOnly),
            AssistanceLevel::InformationOnly
        );
        assert_eq!(LocationKind::all().len(), 9);
    }

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
