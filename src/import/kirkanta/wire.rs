//! The Kirkanta API v4 answer, as the real server sends it with `lang=fi` (only what we read).
//!
//! Sources (see docs/import.md for the field table):
//! - `libraries-fi/kirkanta-api` `lib/searcher.js` (the answer `{type, total, items, refs}`),
//!   `lib/storage.js` (sections only present when named in `with`; schedules per page),
//!   `lib/encoders.js` (every translated field collapsed to the asked language).
//! - `libraries-fi/kirkanta` `LibraryNormalizer.php` (top-level `coordinates`;
//!   `primaryContactInfo {email, phone, homepage}` instead of top-level e-mail and homepage),
//!   `EntityNormalizer.php` (`address.city` is a name; `consortium`/`city` are ids),
//!   `app.entity.contact_info.yaml` (contact entries `{name, description, email|number|url}`),
//!   `ServiceInstanceNormalizer.php` (services), `ScheduleBuilder.php` / `SchedulesStorage`
//!   (days `{date, period, info, closed, times: [{from, to, status}]}`).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

/// One page: `lib/searcher.js` `search()` returns `{type, total, items}` and, with `refs`,
/// `{type, total, items, refs}`. (The documentation's example shows `result`/`references`;
/// the server code does not.) `total` is only right on the first page (`skip=0`): see
/// `client.rs`.
#[derive(Debug, Deserialize)]
pub struct Page {
    pub total: Option<u64>,
    /// Raw JSON: one bad record is skipped, not fatal.
    pub items: Vec<Value>,
    #[serde(default)]
    pub refs: Option<Refs>,
}

#[derive(Debug, Deserialize, Default)]
pub struct Refs {
    /// `refs=period`: PeriodStorage documents keyed by id.
    #[serde(default)]
    pub period: HashMap<String, PeriodRef>,
}

/// `lib/storage.js` PeriodStorage: `id, library, validFrom, validUntil, isException, name,
/// description`.
#[derive(Debug, Clone, Deserialize)]
pub struct PeriodRef {
    #[serde(rename = "isException", default)]
    pub is_exception: bool,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

/// `Address` + `AddressData` (`app.entity.library.yaml`); `city` is the city's name
/// (`EntityNormalizer::cityName`); no `coordinates` (moved out by `LibraryNormalizer`).
#[derive(Debug, Deserialize, Default)]
pub struct Address {
    pub street: Option<String>,
    pub zipcode: Option<String>,
    pub area: Option<String>,
    pub city: Option<String>,
}

/// `EmailAddress` (`email`), `PhoneNumber` (`number`), `WebsiteLink` (`url`), each with a
/// translated `name` and `description` (`app.entity.contact_info.yaml`).
#[derive(Debug, Deserialize, Default)]
pub struct Contact {
    pub email: Option<String>,
    pub number: Option<String>,
    pub url: Option<String>,
}

/// `LibraryNormalizer`: `primaryContactInfo = {email, phone, homepage}` (section: needs
/// `with=primaryContactInfo`).
#[derive(Debug, Deserialize, Default)]
pub struct PrimaryContactInfo {
    pub email: Option<Contact>,
    pub phone: Option<Contact>,
    pub homepage: Option<Contact>,
}

/// A service entry of a library (`ServiceInstanceNormalizer`): `id`, `slug`, `standardName`,
/// `type` from the shared template; `name` only when the library renamed it.
#[derive(Debug, Deserialize)]
pub struct ServiceInstance {
    pub name: Option<String>,
    #[serde(rename = "standardName")]
    pub standard_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// `SchedulesStorage` row: `status` 0 = closed for a while during the day (a gap inserted
/// by `ScheduleBuilder`), 1 = staffed, 2 = self-service. `to` is `to_char(closes, 'HH24:MI')`:
/// midnight is `00:00`.
#[derive(Debug, Clone, Deserialize)]
pub struct Time {
    pub from: String,
    pub to: String,
    pub status: i64,
}

/// One day: `closed` is true with `times: []` when the library is closed all day; `info` is
/// the day's note: text, `null`, or `[]` (ScheduleBuilder's default, JSON-encoded).
#[derive(Debug, Clone, Deserialize)]
pub struct Day {
    pub date: NaiveDate,
    #[serde(default)]
    pub period: Option<i64>,
    #[serde(default)]
    pub closed: bool,
    #[serde(default)]
    pub times: Vec<Time>,
    #[serde(default)]
    pub info: Option<Value>,
}

/// A library document (`LibraryNormalizer`), with the sections we ask for in `with`.
#[derive(Debug, Deserialize)]
pub struct Library {
    pub id: Value,
    /// Missing when the library has no Finnish text (the encoder drops undefined values).
    pub name: Option<String>,
    /// `municipal`, `mobile`, ... (`src/Util/LibraryTypes.php`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub consortium: Option<Value>,
    #[serde(default)]
    pub address: Option<Address>,
    pub coordinates: Option<Coordinates>,
    #[serde(rename = "primaryContactInfo", default)]
    pub primary_contact_info: Option<PrimaryContactInfo>,
    #[serde(rename = "phoneNumbers", default)]
    pub phone_numbers: Option<Vec<Contact>>,
    #[serde(rename = "emailAddresses", default)]
    pub email_addresses: Option<Vec<Contact>>,
    #[serde(default)]
    pub links: Option<Vec<Contact>>,
    #[serde(default)]
    pub services: Option<Vec<ServiceInstance>>,
    #[serde(default)]
    pub schedules: Option<Vec<Day>>,
}

/// An id as text: Kirkanta ids are integers.
pub fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() && s.len() <= 40 => Some(s.trim().to_owned()),
        _ => None,
    }
}
