//! One Kirkanta library (wire format) → the fields the import manages.
//!
//! Every field read here, its real path and the source file that shows it are listed in
//! docs/import.md.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Value};

use super::hours::hours_from_days;
use super::wire::{id_text, Contact, Library, PeriodRef};
use crate::directory::Directory;
use crate::edit::{Errors, MAX_NAME};
use crate::geocode::{self, Geocoder};
use crate::hours::OpeningHours;

/// One of our services a Kirkanta library's services map to: id suffix, Finnish name and
/// description, keywords of Kirkanta service names (lower case), topics.
pub type ServiceKind = (&'static str, &'static str, &'static str, &'static [&'static str], &'static [&'static str]);

pub const SERVICE_KINDS: &[ServiceKind] = &[
    (
        "laitteet",
        "Kirjaston asiakaslaitteet",
        "Asiakastietokoneet, tulostus, skannaus ja langaton verkko kirjastossa.",
        &["tietokone", "tulost", "skann", "kopio", "wlan", "langaton", "wifi", "internet"],
        &["library_devices"],
    ),
    (
        "digiopastus",
        "Digiopastus",
        "Opastusta sähköisten palveluiden ja laitteiden käyttöön kirjaston henkilökunnalta.",
        &["digituki", "digiopastus", "digineuvonta", "opastus", "neuvonta", "laiteopastus"],
        &["online_public_services", "computer_basics", "phone_tablet_basics"],
    ),
];

/// A library as the import would write it.
#[derive(Debug, Clone)]
pub struct Mapped {
    pub external_id: String,
    /// The id a new location gets: `kirkanta-<id>`.
    pub location_id: String,
    /// Column → value (JSON) of every column the import manages (besides `hours`): `name_fi`,
    /// `kind`, the address and position, `phone`, `email`, `website`, `status`.
    pub fields: BTreeMap<&'static str, Value>,
    pub hours: Option<OpeningHours>,
    pub services: BTreeSet<&'static str>,
    pub kirkanta_services: Vec<String>,
    pub consortium: Option<String>,
    pub geocoded: bool,
}

impl Mapped {
    pub fn text(&self, field: &str) -> Option<String> {
        self.fields.get(field).and_then(Value::as_str).map(str::to_owned)
    }
}

/// Location id for a Kirkanta id: lower-case, only `[a-z0-9-]`.
fn location_id(external: &str) -> Option<String> {
    let clean: String = external.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    (!clean.is_empty() && clean == external.to_lowercase()).then(|| format!("kirkanta-{clean}"))
}

fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

fn opt(v: Option<String>) -> Value {
    v.map(Value::String).unwrap_or(Value::Null)
}

/// True if the partner API's own check of a field accepts the value: imported data passes
/// the same validation as partners' writes.
fn passes(check: impl FnOnce(&mut Errors)) -> bool {
    let mut e = Errors::default();
    check(&mut e);
    e.finish().is_ok()
}

/// The library's phone: its primary phone, else the first of its phone list. Entries that
/// hold an e-mail address are passed over (Finna's Kirkanta.php does the same).
fn phone(lib: &Library) -> Option<String> {
    let usable = |c: &Contact| {
        clean(c.number.as_deref()).filter(|n| !n.contains('@') && passes(|e| drop(e.phone("phone", &Some(n.clone())))))
    };
    lib.primary_contact_info
        .as_ref()
        .and_then(|p| p.phone.as_ref())
        .and_then(usable)
        .or_else(|| lib.phone_numbers.iter().flatten().find_map(usable))
}

fn email(lib: &Library) -> Option<String> {
    let usable =
        |c: &Contact| clean(c.email.as_deref()).filter(|v| passes(|e| drop(e.email("email", &Some(v.clone())))));
    lib.primary_contact_info
        .as_ref()
        .and_then(|p| p.email.as_ref())
        .and_then(usable)
        .or_else(|| lib.email_addresses.iter().flatten().find_map(usable))
}

/// The homepage, else the first link; only http(s).
fn website(lib: &Library) -> Option<String> {
    let usable = |c: &Contact| clean(c.url.as_deref()).filter(|u| passes(|e| drop(e.url("website", &Some(u.clone())))));
    lib.primary_contact_info
        .as_ref()
        .and_then(|p| p.homepage.as_ref())
        .and_then(usable)
        .or_else(|| lib.links.iter().flatten().find_map(usable))
}

fn service_matches(lib: &Library) -> (BTreeSet<&'static str>, Vec<String>) {
    let mut found = BTreeSet::new();
    let mut names = Vec::new();
    for s in lib.services.iter().flatten() {
        // `name` is the library's own name for the service, `standardName` the shared one.
        for name in [s.name.as_deref(), s.standard_name.as_deref()].into_iter().flatten() {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            names.push(name.to_owned());
            let lower = format!("{} {}", name.to_lowercase(), s.kind.clone().unwrap_or_default().to_lowercase());
            for (suffix, _, _, keywords, _) in SERVICE_KINDS {
                if keywords.iter().any(|k| lower.contains(k)) {
                    found.insert(*suffix);
                }
            }
        }
    }
    names.sort();
    names.dedup();
    (found, names)
}

/// Maps one raw record; on failure, the upstream id (when there is one) and the reason.
pub async fn map_library(
    raw: &Value,
    periods: &HashMap<String, PeriodRef>,
    dir: &Directory,
    geocoder: Option<&Geocoder>,
) -> Result<Mapped, (Option<String>, String)> {
    let ext = raw.get("id").and_then(id_text);
    let fail = |reason: String| (ext.clone(), reason);
    if ext.is_none() {
        return Err(fail("no usable id".into()));
    }
    let lib: Library =
        serde_json::from_value(raw.clone()).map_err(|e| fail(format!("not a Kirkanta library record: {e}")))?;
    let external_id = id_text(&lib.id).ok_or_else(|| fail("no usable id".into()))?;
    let location_id =
        location_id(&external_id).ok_or_else(|| fail(format!("id {external_id:?} is not usable as a directory id")))?;
    let name = clean(lib.name.as_deref()).ok_or_else(|| fail("no name (missing, empty or not text)".into()))?;
    let address = lib.address.as_ref();
    let street = clean(address.and_then(|a| a.street.as_deref()));
    let city = clean(address.and_then(|a| a.city.as_deref()));
    for (field, v) in [("name", Some(&name)), ("street_address", street.as_ref()), ("post_office", city.as_ref())] {
        if v.is_some_and(|v| v.chars().count() > MAX_NAME) {
            return Err(fail(format!("{field} is longer than {MAX_NAME} characters")));
        }
    }
    let postal = clean(address.and_then(|a| a.zipcode.as_deref())).filter(|z| crate::domain::PostalCode::is_valid(z));
    let municipality = city.as_deref().and_then(|c| dir.find_municipality(c)).map(|m| m.code.clone());
    // The post office is the postal code's name in Posti's file; else Kirkanta's city.
    let post_office = postal.as_deref().and_then(|p| dir.postal_code(p)).map(|p| p.name.fi.clone()).or(city.clone());
    let coords = lib.coordinates.as_ref().filter(|c| {
        (-90.0..=90.0).contains(&c.lat) && (-180.0..=180.0).contains(&c.lon) && !(c.lat == 0.0 && c.lon == 0.0)
    });
    let mut geocoded = false;
    let (lat, lon, method) = match coords {
        Some(c) => (json!(c.lat), json!(c.lon), json!("kirkanta")),
        None => match geocode::locate(geocoder, street.as_deref(), postal.as_deref(), city.as_deref(), dir).await {
            Some(l) => {
                geocoded = true;
                (json!(l.lat), json!(l.lon), json!(l.method))
            }
            None => (Value::Null, Value::Null, Value::Null),
        },
    };
    let hours = hours_from_days(lib.schedules.as_deref().unwrap_or_default(), periods).map_err(fail)?;
    let (services, kirkanta_services) = service_matches(&lib);
    let kind = match lib.kind.as_deref() {
        // src/Util/LibraryTypes.php: `mobile` = a mobile library (a car).
        Some("mobile") => "library_bookmobile",
        _ => "library",
    };
    let mut fields = BTreeMap::new();
    fields.insert("name_fi", json!(name));
    fields.insert("kind", json!(kind));
    fields.insert("street_address", opt(street));
    fields.insert("postal_code", opt(postal));
    fields.insert("post_office", opt(post_office));
    fields.insert("municipality_code", opt(municipality));
    fields.insert("latitude", lat);
    fields.insert("longitude", lon);
    fields.insert("coordinate_method", method);
    fields.insert("phone", opt(phone(&lib)));
    fields.insert("email", opt(email(&lib)));
    fields.insert("website", opt(website(&lib)));
    fields.insert("status", json!("active"));
    Ok(Mapped {
        external_id,
        location_id,
        fields,
        hours,
        services,
        kirkanta_services,
        consortium: lib.consortium.as_ref().and_then(id_text),
        geocoded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lib(v: Value) -> Library {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn kirkanta_contacts_come_from_primary_contact_info_then_the_lists() {
        let full = lib(json!({
            "id": 1, "name": "A",
            "primaryContactInfo": {
                "email": {"email": "a@example.fi", "name": "Asiakaspalvelu", "description": null, "department": null},
                "phone": {"number": "013 555 0001", "name": "Asiakaspalvelu"},
                "homepage": {"url": "https://a.example.fi", "name": "Kotisivu"}
            },
            "phoneNumbers": [{"number": "013 555 0002"}],
            "emailAddresses": [{"email": "b@example.fi"}],
            "links": [{"url": "https://b.example.fi"}]
        }));
        assert_eq!(phone(&full).as_deref(), Some("013 555 0001"));
        assert_eq!(email(&full).as_deref(), Some("a@example.fi"));
        assert_eq!(website(&full).as_deref(), Some("https://a.example.fi"));
        // Primary contact info empty: the lists; an e-mail typed into the phone list is passed over.
        let lists = lib(json!({
            "id": 2, "name": "B",
            "primaryContactInfo": {"email": null, "phone": null, "homepage": null},
            "phoneNumbers": [{"number": "b@example.fi"}, {"number": "013 555 0002"}],
            "emailAddresses": [{"email": "b@example.fi"}],
            "links": [{"url": "javascript:alert(1)"}, {"url": "https://b.example.fi"}]
        }));
        assert_eq!(phone(&lists).as_deref(), Some("013 555 0002"));
        assert_eq!(email(&lists).as_deref(), Some("b@example.fi"));
        assert_eq!(website(&lists).as_deref(), Some("https://b.example.fi"));
        // The old assumption (top-level `email`/`homepage`) finds nothing in a real document.
        let top = lib(json!({"id": 3, "name": "C", "email": "c@example.fi", "homepage": "https://c.example.fi"}));
        assert_eq!((email(&top), website(&top)), (None, None));
    }
}
