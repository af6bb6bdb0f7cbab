//! Opening-hours engine: the data model for a location's opening hours and pure
//! functions that answer "what are the hours on day X", "is it open (and staffed) at
//! instant T, and when does that change", "is this hours document consistent" and
//! "what is this as an OpenStreetMap `opening_hours` string".
//!
//! **This module must never do I/O** (no clock, no database, no files, no network): the
//! current instant is always a parameter, so every answer is reproducible and testable.
//! Its only dependency inside the crate is [`crate::i18n::Localized`].
//!
//! # Model
//!
//! * An [`OpeningHours`] has weekly [`Period`]s (one undated default period, plus dated
//!   ones such as summer hours that replace it), one-day [`Exception`]s, and a flag for
//!   whether the place keeps its regular hours on public holidays.
//! * A [`TimeRange`] is either *staffed* or *self-service* ([`RangeKind`]). Self-service
//!   (*omatoimiaika*) means the doors are open but no staff are present, so **no digital
//!   help** is available then. [`State::Staffed`] is the only state in which a person can
//!   get help.
//! * Precedence for a date: exception > public holiday (closed unless
//!   `open_on_holidays`) > the most specific period covering the date > closed.
//!
//! # Time zone
//!
//! All times in the data are Europe/Helsinki wall-clock times; instants are
//! `DateTime<Utc>`. Conversion uses `chrono_tz::Europe::Helsinki`, with two DST rules:
//!
//! * spring forward (last Sunday of March, 03:00 → 04:00): a wall time inside the gap
//!   (03:00–03:59) maps to the first valid instant after the gap, 04:00 EEST (01:00 UTC);
//! * fall back (last Sunday of October, 04:00 → 03:00): an ambiguous wall time
//!   (03:00–03:59) maps to the earlier instant (the EEST one, UTC+3).
//!
//! So on those days a range 02:00–05:00 lasts 2 h in spring and 4 h in autumn.
//!
//! # JSON
//!
//! The serde form is the storage form (PostgreSQL jsonb) and the write-API body, e.g.
//!
//! ```json
//! {
//!   "periods": [
//!     { "week": {
//!         "mon": [ { "start": "07:00", "end": "10:00", "kind": "self_service" },
//!                  { "start": "10:00", "end": "19:00", "kind": "staffed" } ],
//!         "wed": [ { "start": "12:00", "end": "19:00", "kind": "staffed" } ] } },
//!     { "valid_from": "2027-06-01", "valid_to": "2027-08-15",
//!       "name": { "fi": "Kesäaukiolo", "sv": "Sommaröppettider", "en": "Summer hours" },
//!       "week": { "mon": [ { "start": "10:00", "end": "16:00", "kind": "staffed" } ] } }
//!   ],
//!   "exceptions": [
//!     { "date": "2027-02-14", "ranges": [],
//!       "reason": { "fi": "Henkilökunnan koulutuspäivä", "en": "Staff training day" } }
//!   ],
//!   "open_on_holidays": false
//! }
//! ```
//!
//! Unknown fields are rejected (`deny_unknown_fields`) so that a typo such as `"thur"`
//! fails loudly instead of silently meaning "closed on Thursday".

mod engine;
pub mod holidays;
mod osm;
mod validate;

#[cfg(test)]
mod demo_data_tests;
#[cfg(test)]
mod proptests;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::i18n::Localized;

pub use engine::{helsinki_date, helsinki_to_utc};
pub use holidays::{easter_sunday, holiday_on, holidays, Holiday, HolidayCode};

/// Whether staff are present during a time range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RangeKind {
    /// Staff present: the only kind of time when digital help is available.
    Staffed,
    /// Self-service (*omatoimiaika*): doors open with a library card, no staff, no help.
    SelfService,
}

/// One opening range on one day, in Helsinki wall-clock time.
///
/// JSON: `{"start": "10:00", "end": "19:00", "kind": "staffed"}`. Times are `"HH:MM"`.
/// `end` may be `"24:00"` on input (= midnight, stored and output as `"00:00"`).
/// A range with `end <= start` continues into the next day: `22:00–02:00` ends at
/// 02:00 the next morning, `…–00:00` ends at midnight, and `00:00–00:00` is the whole
/// day (24 h). The range is half-open: open at `start`, closed at `end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"start": "10:00", "end": "16:00", "kind": "staffed"}))]
pub struct TimeRange {
    /// Opening time, `"HH:MM"`.
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "10:00")]
    #[serde(with = "hhmm::start")]
    pub start: NaiveTime,
    /// Closing time, `"HH:MM"`; `"24:00"` accepted and read as `"00:00"` (midnight).
    #[schema(value_type = String, pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", example = "16:00")]
    #[serde(with = "hhmm::end")]
    pub end: NaiveTime,
    /// `"staffed"` or `"self_service"`.
    pub kind: RangeKind,
}

impl TimeRange {
    /// A range from `start` to `end` of the given kind.
    pub fn new(start: NaiveTime, end: NaiveTime, kind: RangeKind) -> Self {
        Self { start, end, kind }
    }

    /// True when the range ends on the following day (`end <= start`, which includes
    /// ending at midnight and the 24-hour range `00:00–00:00`).
    pub fn crosses_midnight(&self) -> bool {
        self.end <= self.start
    }
}

/// Regular ranges for each weekday. JSON: `{"mon": [...], "tue": [...], ...}`; a missing
/// or empty day is closed. Several ranges per day are allowed (e.g. a lunch break, or
/// self-service before staffed hours).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekHours {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mon: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tue: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wed: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thu: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fri: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sat: Vec<TimeRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sun: Vec<TimeRange>,
}

/// Monday-first order used for iteration and output.
pub const WEEKDAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

impl WeekHours {
    /// The ranges of `weekday`.
    pub fn get(&self, weekday: Weekday) -> &[TimeRange] {
        match weekday {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    /// Mutable access to the ranges of `weekday`.
    pub fn get_mut(&mut self, weekday: Weekday) -> &mut Vec<TimeRange> {
        match weekday {
            Weekday::Mon => &mut self.mon,
            Weekday::Tue => &mut self.tue,
            Weekday::Wed => &mut self.wed,
            Weekday::Thu => &mut self.thu,
            Weekday::Fri => &mut self.fri,
            Weekday::Sat => &mut self.sat,
            Weekday::Sun => &mut self.sun,
        }
    }

    /// The JSON key of `weekday` (`"mon"` … `"sun"`), used in validation paths.
    pub fn key(weekday: Weekday) -> &'static str {
        match weekday {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    /// True when no day has any range.
    pub fn is_empty(&self) -> bool {
        WEEKDAYS.iter().all(|&wd| self.get(wd).is_empty())
    }
}

/// Weekly hours valid over a date span.
///
/// The default period has neither date. A dated period (e.g. summer hours
/// 2027-06-01..=2027-08-15) replaces the default on the days it covers; both bounds are
/// inclusive and either may be open-ended. Where several periods cover a date, the most
/// specific wins: the shortest span (an open end counts as infinitely long), then the
/// one with more bounds, then the later `valid_from`, then the earlier in the list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day of validity (inclusive), `"YYYY-MM-DD"`; absent = no lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// Last day of validity (inclusive); absent = no upper bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    /// Optional display name, e.g. "Kesäaukiolo" / "Summer hours".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Localized>,
    /// The weekly ranges.
    #[serde(default)]
    pub week: WeekHours,
}

impl Period {
    /// True for the undated default period.
    pub fn is_default(&self) -> bool {
        self.valid_from.is_none() && self.valid_to.is_none()
    }

    /// True when `date` lies within the (inclusive) validity span.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| from <= date) && self.valid_to.is_none_or(|to| date <= to)
    }
}

/// One date with special hours, replacing everything else for that day (including a
/// public holiday). Empty `ranges` = closed all day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The day, `"YYYY-MM-DD"`.
    pub date: NaiveDate,
    /// The ranges that day; empty = closed.
    #[serde(default)]
    pub ranges: Vec<TimeRange>,
    /// Why (shown to users); the Finnish text is required.
    pub reason: Localized,
}

/// The complete opening hours of one location.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "periods": [
        {"week": {
            "mon": [{"start": "07:00", "end": "10:00", "kind": "self_service"},
                    {"start": "10:00", "end": "19:00", "kind": "staffed"}],
            "tue": [{"start": "10:00", "end": "16:00", "kind": "staffed"}]}},
        {"valid_from": "2027-06-01", "valid_to": "2027-08-15",
         "name": {"fi": "Kesäaukiolo", "sv": "Sommaröppettider", "en": "Summer hours"},
         "week": {"mon": [{"start": "10:00", "end": "16:00", "kind": "staffed"}]}}
    ],
    "exceptions": [
        {"date": "2027-02-14", "ranges": [], "reason": {"fi": "Henkilökunnan koulutuspäivä", "en": "Staff training day"}}
    ],
    "open_on_holidays": false
}))]
pub struct OpeningHours {
    /// Weekly periods: normally one undated default plus dated ones.
    #[serde(default)]
    pub periods: Vec<Period>,
    /// One-day overrides.
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    /// If true, the regular hours apply on public holidays (the holiday is still named
    /// as the day's `reason` in schedules); if false (the default) the place is closed on them.
    #[serde(default)]
    pub open_on_holidays: bool,
}

/// How to book help when a service works by appointment (a plain data type; the
/// engine does not use it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Appointment {
    /// True if help is (also) given by appointment.
    #[serde(default)]
    pub by_appointment: bool,
    /// Phone number for booking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Booking page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Free-text instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Localized>,
}

/// What kind of day a [`Day`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Regular hours from a period.
    Regular,
    /// A public holiday: closed, or the regular hours when `open_on_holidays`.
    Holiday,
    /// An explicit exception for this date.
    Exception,
    /// A regular closed day, or no period covers the date.
    Closed,
}

/// The resolved hours of one calendar date.
///
/// `ranges` are the ranges that *start* on this date, sorted by start; a range that
/// crosses midnight is listed on the day it starts only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Day {
    /// The date, `"YYYY-MM-DD"`.
    pub date: NaiveDate,
    /// Ranges of the day (empty = closed).
    pub ranges: Vec<TimeRange>,
    /// Why the day has these ranges.
    pub kind: DayKind,
    /// Holiday name or exception reason; `None` on ordinary days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Localized>,
    /// The public holiday on this date, if any (also when an exception overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holiday: Option<HolidayCode>,
    /// Name of the period whose weekly hours apply (e.g. summer hours), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_name: Option<Localized>,
}

/// The state of a location at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Open with staff: digital help available.
    Staffed,
    /// Open without staff: no help.
    SelfService,
    /// Closed.
    Closed,
}

impl From<RangeKind> for State {
    fn from(kind: RangeKind) -> Self {
        match kind {
            RangeKind::Staffed => State::Staffed,
            RangeKind::SelfService => State::SelfService,
        }
    }
}

/// The next instant at which the state differs from the current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// When (UTC, RFC 3339 in JSON).
    pub at: DateTime<Utc>,
    /// The state from that instant on.
    pub state: State,
}

/// Answer of [`OpeningHours::status_at`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// Current state.
    pub state: State,
    /// Today's (Helsinki date) special reason: the holiday name or exception reason,
    /// e.g. why the place is closed today. `None` on ordinary days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Localized>,
    /// The next change within about a year; `None` if nothing changes in that time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_change: Option<Change>,
}

/// One problem found by [`OpeningHours::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursError {
    /// Path of the offending value, e.g. `periods[0].week.mon[1]`,
    /// `exceptions[2].ranges[0]`, `exceptions[2].reason.fi`.
    pub field: String,
    /// Human-readable explanation (English).
    pub message: String,
}

impl std::fmt::Display for HoursError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for HoursError {}

/// How well a set of hours is backed by sources (used by the demo data file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoursConfidence {
    /// Taken from an authoritative, current source.
    Verified,
    /// From a source, but partial, old or interpreted (e.g. a closing time assumed).
    Approximate,
    /// Invented placeholder, not real hours.
    Assumed,
}

/// Opening hours with provenance: the value type of `demo-data/demo_hours.json`
/// (a JSON object mapping location id → `SourcedHours`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcedHours {
    /// How trustworthy `hours` is.
    pub confidence: HoursConfidence,
    /// Where the hours come from, or why they are placeholders.
    pub source_note: String,
    /// The hours.
    pub hours: OpeningHours,
}

/// Serde helpers for `"HH:MM"` times. `end` additionally accepts `"24:00"` (midnight).
mod hhmm {
    use chrono::{NaiveTime, Timelike};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Parses `"H:MM"`/`"HH:MM"`; `allow_24` admits `"24:00"` as midnight.
    pub(super) fn parse(s: &str, allow_24: bool) -> Result<NaiveTime, String> {
        let err = || format!("invalid time {s:?}, expected \"HH:MM\"");
        let (h, m) = s.split_once(':').ok_or_else(err)?;
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(h) || h.len() > 2 || !digits(m) || m.len() != 2 {
            return Err(err());
        }
        let (h, m): (u32, u32) = (h.parse().map_err(|_| err())?, m.parse().map_err(|_| err())?);
        if allow_24 && h == 24 && m == 0 {
            return Ok(NaiveTime::MIN);
        }
        NaiveTime::from_hms_opt(h, m, 0).ok_or_else(err)
    }

    pub(super) fn format(t: &NaiveTime) -> String {
        format!("{:02}:{:02}", t.hour(), t.minute())
    }

    pub(super) mod start {
        use super::*;
        pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&format(t))
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
            let s = String::deserialize(d)?;
            parse(&s, false).map_err(serde::de::Error::custom)
        }
    }

    pub(super) mod end {
        use super::*;
        pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&format(t))
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
            let s = String::deserialize(d)?;
            parse(&s, true).map_err(serde::de::Error::custom)
        }
    }
}

/// Shared helpers for the tests of all submodules.
#[cfg(test)]
pub(crate) mod test_util {
    use super::*;
    use chrono::TimeZone;

    pub fn t(s: &str) -> NaiveTime {
        hhmm::parse(s, true).unwrap()
    }
    pub fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    pub fn staffed(start: &str, end: &str) -> TimeRange {
        TimeRange::new(t(start), t(end), RangeKind::Staffed)
    }
    pub fn selfs(start: &str, end: &str) -> TimeRange {
        TimeRange::new(t(start), t(end), RangeKind::SelfService)
    }
    /// A Helsinki wall-clock instant (must be unambiguous).
    pub fn hel(s: &str) -> DateTime<Utc> {
        let ndt = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        chrono_tz::Europe::Helsinki.from_local_datetime(&ndt).single().unwrap().with_timezone(&Utc)
    }
    pub fn utc(s: &str) -> DateTime<Utc> {
        let ndt = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        Utc.from_utc_datetime(&ndt)
    }
    /// Hours with one default period, the same ranges on each of `days`.
    pub fn weekly(days: &[Weekday], ranges: &[TimeRange]) -> OpeningHours {
        let mut week = WeekHours::default();
        for &wd in days {
            week.get_mut(wd).extend(ranges.iter().cloned());
        }
        OpeningHours { periods: vec![Period { week, ..Default::default() }], ..Default::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;

    #[test]
    fn json_round_trip_and_time_format() {
        let json = r#"{
            "periods": [
              {"week": {"mon": [{"start": "7:00", "end": "10:00", "kind": "self_service"},
                                {"start": "10:00", "end": "24:00", "kind": "staffed"}]}},
              {"valid_from": "2027-06-01", "valid_to": "2027-08-15",
               "name": {"fi": "Kesäaukiolo", "en": "Summer hours"},
               "week": {"fri": [{"start": "22:00", "end": "02:00", "kind": "staffed"}]}}
            ],
            "exceptions": [{"date": "2027-02-14", "reason": {"fi": "Koulutuspäivä"}}]
        }"#;
        let oh: OpeningHours = serde_json::from_str(json).unwrap();
        assert_eq!(oh.periods[0].week.mon[0].start, t("07:00"));
        assert_eq!(oh.periods[0].week.mon[1].end, NaiveTime::MIN);
        assert!(oh.periods[0].week.mon[1].crosses_midnight());
        assert!(!oh.open_on_holidays);
        assert!(oh.exceptions[0].ranges.is_empty());

        let out = serde_json::to_value(&oh).unwrap();
        assert_eq!(out["periods"][0]["week"]["mon"][0]["start"], "07:00");
        assert_eq!(out["periods"][0]["week"]["mon"][1]["end"], "00:00");
        assert_eq!(out["periods"][0]["week"]["mon"][0]["kind"], "self_service");
        assert!(out["periods"][0]["week"].get("tue").is_none(), "closed days are omitted");
        assert!(out["periods"][0].get("valid_from").is_none());
        assert_eq!(out["periods"][1]["valid_to"], "2027-08-15");
        let back: OpeningHours = serde_json::from_value(out).unwrap();
        assert_eq!(back, oh);
    }

    #[test]
    fn json_rejects_bad_input() {
        let bad = [
            r#"{"periods": [{"week": {"thur": []}}]}"#,
            r#"{"periods": [{"week": {"mon": [{"start": "24:00", "end": "10:00", "kind": "staffed"}]}}]}"#,
            r#"{"periods": [{"week": {"mon": [{"start": "10:00", "end": "10:60", "kind": "staffed"}]}}]}"#,
            r#"{"periods": [{"week": {"mon": [{"start": "10:00:00", "end": "12:00", "kind": "staffed"}]}}]}"#,
            r#"{"periods": [{"week": {"mon": [{"start": "10.00", "end": "12:00", "kind": "staffed"}]}}]}"#,
            r#"{"periods": [{"week": {"mon": [{"start": "10:00", "end": "12:00", "kind": "open"}]}}]}"#,
            r#"{"periods": [{"week": {"mon": [{"start": "10:00", "end": "12:00"}]}}]}"#,
            r#"{"periods": [], "open_on_holiday": true}"#,
        ];
        for json in bad {
            assert!(serde_json::from_str::<OpeningHours>(json).is_err(), "accepted {json}");
        }
    }

    #[test]
    fn appointment_and_status_serialize_cleanly() {
        assert_eq!(serde_json::to_string(&Appointment::default()).unwrap(), r#"{"by_appointment":false}"#);
        let status = Status {
            state: State::SelfService,
            reason: None,
            next_change: Some(Change { at: utc("2027-01-04 08:00"), state: State::Staffed }),
        };
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            r#"{"state":"self_service","next_change":{"at":"2027-01-04T08:00:00Z","state":"staffed"}}"#
        );
        let _ = weekly(&[Weekday::Mon], &[staffed("10:00", "12:00"), selfs("12:00", "13:00")]);
        let _ = (d("2027-01-01"), hel("2027-01-01 10:00"));
    }
}
