//! The directory's own vocabulary, each rule written once: what a record id, a postal code and
//! a municipality code are, which kind of place serves an area rather than a point.

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

/// A municipality's code in Statistics Finland's classification: three digits (`167` Joensuu,
/// `045` Enontekiö). A municipality asked for by a code is looked up by the code; anything else
/// is a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    pub fn parse(s: &str) -> Option<MunicipalityCode> {
        (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit())).then(|| MunicipalityCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
/// (`verified`, `drop_in`), parsed once where they come in (`Errors::word` for what
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
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            strum::EnumString, strum::IntoStaticStr, strum::VariantNames, strum::VariantArray, strum::Display,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[strum(serialize_all = "snake_case")]
        #[serde(rename_all = "snake_case")]
        $(#[$meta])*
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

vocabulary! {
    /// How precisely a point is known, from how it was obtained (`coordinate_method`):
    /// `exact` (the building itself, e.g. a library's own published point in Kirkanta),
    /// `street` (the street address: a point from a source or a partner, or a geocoded
    /// address), `postal_area` (somewhere in a postal-code area: its centroid) or
    /// `municipality` (somewhere in a municipality: its centre, or a placeholder). Ordered from
    /// the most precise.
    #[schema(example = "street")]
    Accuracy { Exact, Street, PostalArea, Municipality }
}

impl Accuracy {
    /// `exact` or `street`: good enough for a distance and a map pin.
    pub fn is_precise(self) -> bool {
        self <= Accuracy::Street
    }

    /// From the recorded `coordinate_method` (and, when that says nothing, the sources'
    /// confidence in the coordinates): centroids and placeholders are areas; points from a
    /// source, a partner or the geocoder's address match are streets; Kirkanta's own building
    /// points are exact. Anything not recognised counts as the coarsest, a municipality.
    pub fn from_method(method: Option<&str>, coordinates_confidence: Option<&str>) -> Accuracy {
        let m = method.unwrap_or("").to_lowercase();
        let area = |m: &str| {
            if m.contains("postal code") || m.contains("postal_code") || m.contains("postalcode") {
                Some(Accuracy::PostalArea)
            } else if m.contains("municipality") || m.contains("locality") || m.contains("county") {
                Some(Accuracy::Municipality)
            } else {
                None
            }
        };
        if m.starts_with("assumed") || m.contains("placeholder") {
            return Accuracy::Municipality;
        }
        if m.starts_with("geocoder") {
            // `geocoder (layer): label`: a geocoder match is as precise as the layer it hit.
            let layer = m.split(':').next().unwrap_or("");
            return area(layer).unwrap_or(if layer.contains("neighbourhood") || layer.contains("localadmin") {
                Accuracy::Municipality
            } else {
                Accuracy::Street
            });
        }
        if let Some(a) = area(&m) {
            return a;
        }
        if m == "kirkanta" {
            return Accuracy::Exact;
        }
        if m.starts_with("from source") || m.starts_with("given by the partner") {
            return Accuracy::Street;
        }
        match coordinates_confidence {
            Some(c) if c.starts_with("verified") => Accuracy::Street,
            _ => Accuracy::Municipality,
        }
    }
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
        assert_eq!(MunicipalityCode::parse("045").map(|m| m.as_str().to_owned()), Some("045".into()));
        for bad in ["45", "0450", " 167", "16a", "Joensuu", ""] {
            assert!(MunicipalityCode::parse(bad).is_none(), "{bad:?}");
        }
        for bad in ["8010", "801000", "80 100", " 80100", "8010a", "", "８０１００"] {
            assert!(PostalCode::parse(bad).is_none(), "{bad:?}");
        }
    }
}

#[cfg(test)]
mod accuracy {
    use super::Accuracy::{self, *};
    use super::Vocabulary;

    #[test]
    fn accuracy_follows_how_the_point_was_obtained() {
        for (method, coordinates, want) in [
            (Some("from source (aroundus_jns)"), Some("verified"), Street),
            (Some("kirkanta"), None, Exact),
            (Some("given by the partner"), None, Street),
            (Some("approximate: municipality centre coordinate (kunta_coords)"), Some("approximate"), Municipality),
            (Some("approximate: Eno (former municipality) coordinate from Wikipedia (fi)"), None, Municipality),
            (Some("approximate: postal code area 82200 centroid (paavo_polygons)"), None, PostalArea),
            (
                Some("approximate: centroid of small urban postal code area 80110 (5.3 km2; paavo_polygons)"),
                None,
                PostalArea,
            ),
            (Some("assumed: placed at Joensuu main library as home base (not verified)"), None, Municipality),
            (Some("postal_code_centroid"), None, PostalArea),
            (Some("municipality_centre"), None, Municipality),
            (Some("geocoder: Koskikatu 25, Joensuu"), None, Street),
            (Some("geocoder (address): Koskikatu 25, Joensuu"), None, Street),
            (Some("geocoder (postalcode): 80100 Joensuu"), None, PostalArea),
            (Some("geocoder (locality): Joensuu, municipality of Joensuu"), None, Municipality),
            (None, Some("verified"), Street),
            (None, None, Municipality),
            (Some("something new"), Some("approximate"), Municipality),
        ] {
            assert_eq!(Accuracy::from_method(method, coordinates), want, "{method:?}");
        }
        assert!(Exact.is_precise() && Street.is_precise() && !PostalArea.is_precise() && !Municipality.is_precise());
        assert_eq!(PostalArea.name(), "postal_area");
    }
}
