//! Digital-help events: dated sessions and happenings (a weekly *digikahvila*, a course, a
//! campaign day), one-off or recurring, organised by one organisation with partners.
//!
//! An event's times are Europe/Helsinki wall-clock times; a recurring event carries an RFC 5545
//! RRULE (expanded with the `rrule` crate, never by hand) and excluded dates. Single
//! occurrences can be cancelled or moved (`overrides`, keyed by the occurrence's original local
//! date). This module is pure: no I/O; the clock and the window are parameters.

pub mod ics;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Helsinki;
use serde::{Deserialize, Serialize};

use crate::i18n::Localized;

/// The longest window of occurrences one request may ask for (days).
pub const MAX_WINDOW_DAYS: i64 = 366;
/// Occurrences expanded per event and window at most (a daily series over 366 days fits).
const MAX_OCCURRENCES: u16 = 1000;

/// How people take part.
pub const DELIVERY_MODES: &[&str] = &["drop_in", "registration_required", "course"];
/// `scheduled`, or `cancelled` (the whole series).
pub const STATUSES: &[&str] = &["scheduled", "cancelled"];
/// What an override does to one occurrence.
pub const OCCURRENCE_STATUSES: &[&str] = &["scheduled", "cancelled", "moved"];

/// Registration instructions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Local (Europe/Helsinki) time by which to register.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "local_time::option")]
    pub deadline: Option<NaiveDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Localized>,
}

/// One occurrence cancelled or moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    /// `cancelled`, `moved` or `scheduled` (undoes an earlier override).
    pub status: String,
    /// For `moved`: the new local start and end.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "local_time::option")]
    pub start: Option<NaiveDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "local_time::option")]
    pub end: Option<NaiveDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Localized>,
}

/// The stored, validated description of an event (everything but its keys and provenance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDoc {
    pub title: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Localized>,
    /// Organisations organising it with the owner (listed, not owners).
    #[serde(default)]
    pub co_organizers: Vec<String>,
    /// Co-organizers the owner has granted the right to edit the event and its occurrences
    /// (not to delete it, nor to change its owner, co-organizers or editors).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub editors: Vec<String>,
    /// A join link for online events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_url: Option<String>,
    /// Municipality codes served, for remote events.
    #[serde(default)]
    pub served_municipalities: Vec<String>,
    /// Local start and end of the first occurrence (Europe/Helsinki).
    #[serde(with = "local_time")]
    pub start: NaiveDateTime,
    #[serde(with = "local_time")]
    pub end: NaiveDateTime,
    /// RFC 5545 RRULE value (without `RRULE:`), e.g. `FREQ=WEEKLY;BYDAY=TU;UNTIL=20270427T210000Z`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rrule: Option<String>,
    /// Local dates on which the series does not take place.
    #[serde(default)]
    pub exdates: Vec<NaiveDate>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub audience: Vec<String>,
    pub delivery_mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Registration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Localized>,
    pub assistance_level: String,
    /// Overrides of single occurrences, by the occurrence's original local date.
    #[serde(default)]
    pub overrides: BTreeMap<NaiveDate, Override>,
}

/// One occurrence of an event in a window.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// The original local date (the occurrence's identity, `RECURRENCE-ID` in iCalendar).
    pub date: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `scheduled`, `cancelled` or `moved`.
    pub status: String,
    pub note: Option<Localized>,
}

/// Local wall-clock times as written in events: `YYYY-MM-DDTHH:MM` (seconds optional on input,
/// never written).
pub mod local_time {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, Serializer};

    /// `YYYY-MM-DDTHH:MM[:SS]` (Helsinki wall-clock time), or an RFC 3339 instant with an offset
    /// (as the API returns times), read as the Helsinki wall-clock time of that instant.
    pub fn parse(s: &str) -> Result<NaiveDateTime, String> {
        let s = s.trim();
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
            .or_else(|_| {
                chrono::DateTime::parse_from_rfc3339(s)
                    .map(|t| t.with_timezone(&chrono_tz::Europe::Helsinki).naive_local())
            })
            .map_err(|_| format!("{s:?} is not a local time YYYY-MM-DDTHH:MM (or an instant with its offset)"))
    }

    pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%Y-%m-%dT%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }

    /// The same for optional fields.
    pub mod option {
        use chrono::NaiveDateTime;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
            match Option::<String>::deserialize(d)? {
                Some(v) => super::parse(&v).map(Some).map_err(serde::de::Error::custom),
                None => Ok(None),
            }
        }
    }
}

/// A local wall-clock time in Helsinki as an instant: in the spring-forward gap the first valid
/// instant after it, in the autumn overlap the earlier one (as the hours engine does).
pub fn helsinki(local: NaiveDateTime) -> DateTime<Utc> {
    match Helsinki.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => helsinki(local + chrono::Duration::hours(1)),
    }
}

impl EventDoc {
    /// The parsed recurrence set, or why the RRULE is not acceptable.
    pub fn rrule_set(&self) -> Result<Option<rrule::RRuleSet>, String> {
        let Some(rule) = &self.rrule else { return Ok(None) };
        let unvalidated: rrule::RRule<rrule::Unvalidated> = rule.trim().parse().map_err(|e| format!("{e}"))?;
        let start = helsinki(self.start).with_timezone(&rrule::Tz::Tz(Helsinki));
        let validated = unvalidated.validate(start).map_err(|e| format!("{e}"))?;
        Ok(Some(rrule::RRuleSet::new(start).rrule(validated)))
    }

    /// Occurrences that overlap `[from, to)`, in time order, overrides applied (a moved
    /// occurrence appears at its new time). Whole-series cancellation is the caller's business.
    pub fn occurrences(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        let duration = self.end - self.start;
        let local_starts: Vec<NaiveDateTime> = match self.rrule_set() {
            Ok(Some(set)) => {
                // Occurrences starting up to one duration before the window may still overlap it;
                // moved ones may come from anywhere within a few weeks.
                let margin = duration.max(chrono::Duration::zero()) + chrono::Duration::days(31);
                let tz = rrule::Tz::Tz(Helsinki);
                set.after((from - margin).with_timezone(&tz))
                    .before((to + margin).with_timezone(&tz))
                    .all(MAX_OCCURRENCES)
                    .dates
                    .into_iter()
                    .map(|d| d.with_timezone(&Helsinki).naive_local())
                    .collect()
            }
            // An invalid rule is refused when written; a stored one that no longer parses shows
            // its first occurrence only.
            Ok(None) | Err(_) => vec![self.start],
        };
        let mut out: Vec<Occurrence> = local_starts
            .into_iter()
            .filter(|s| !self.exdates.contains(&s.date()))
            .map(|s| {
                let date = s.date();
                let (mut start, mut end, mut status, mut note) = (s, s + duration, "scheduled".to_owned(), None);
                if let Some(o) = self.overrides.get(&date) {
                    status = o.status.clone();
                    note = o.note.clone();
                    if o.status == "moved" {
                        start = o.start.unwrap_or(start);
                        end = o.end.unwrap_or(start + duration);
                    }
                }
                Occurrence { date, start: helsinki(start), end: helsinki(end), status, note }
            })
            .filter(|o| o.end > from && o.start < to)
            .collect();
        out.sort_by_key(|o| o.start);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn weekly() -> EventDoc {
        EventDoc {
            title: Localized { fi: "Digikahvila".into(), sv: None, en: None },
            description: None,
            co_organizers: vec![],
            editors: vec![],
            online_url: None,
            served_municipalities: vec![],
            start: at("2027-03-16T10:00"),
            end: at("2027-03-16T12:00"),
            rrule: Some("FREQ=WEEKLY;BYDAY=TU;COUNT=6".into()),
            exdates: vec![NaiveDate::from_ymd_opt(2027, 3, 30).unwrap()],
            topics: vec![],
            languages: vec![],
            audience: vec![],
            delivery_mode: "drop_in".into(),
            capacity: None,
            registration: None,
            cost: None,
            assistance_level: "guidance".into(),
            overrides: BTreeMap::new(),
        }
    }

    #[test]
    fn a_weekly_series_keeps_its_wall_clock_time_across_the_dst_change() {
        let e = weekly();
        let all = e.occurrences(helsinki(at("2027-01-01T00:00")), helsinki(at("2028-01-01T00:00")));
        let starts: Vec<String> =
            all.iter().map(|o| o.start.with_timezone(&Helsinki).format("%Y-%m-%d %H:%M %:z").to_string()).collect();
        // COUNT=6 from 16 March, 30 March excluded; summer time begins on 28 March 2027.
        assert_eq!(
            starts,
            [
                "2027-03-16 10:00 +02:00",
                "2027-03-23 10:00 +02:00",
                "2027-04-06 10:00 +03:00",
                "2027-04-13 10:00 +03:00",
                "2027-04-20 10:00 +03:00"
            ]
        );
    }

    #[test]
    fn cancelled_and_moved_occurrences() {
        let mut e = weekly();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        e.overrides
            .insert(d("2027-03-23"), Override { status: "cancelled".into(), start: None, end: None, note: None });
        e.overrides.insert(
            d("2027-04-06"),
            Override { status: "moved".into(), start: Some(at("2027-04-07T13:00")), end: None, note: None },
        );
        let all = e.occurrences(helsinki(at("2027-03-20T00:00")), helsinki(at("2027-04-10T00:00")));
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].date, all[0].status.as_str()), (d("2027-03-23"), "cancelled"));
        assert_eq!((all[1].date, all[1].status.as_str()), (d("2027-04-06"), "moved"));
        assert_eq!(all[1].start, helsinki(at("2027-04-07T13:00")));
        assert_eq!(all[1].end, helsinki(at("2027-04-07T15:00")));
    }

    #[test]
    fn bad_rules_are_named() {
        let mut e = weekly();
        e.rrule = Some("FREQ=FORTNIGHTLY".into());
        assert!(e.rrule_set().is_err());
        e.rrule = Some("FREQ=WEEKLY;BYDAY=XX".into());
        assert!(e.rrule_set().is_err());
    }
}
