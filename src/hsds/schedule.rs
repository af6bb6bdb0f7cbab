//! Our opening hours (`crate::hours::OpeningHours`) as HSDS schedule rows.
//!
//! Each weekly period becomes RRULE-style rows (`freq` WEEKLY, `byday`, `opens_at`,
//! `closes_at`, `valid_from`/`valid_to` for dated periods): one row per distinct time range,
//! with every weekday that has that range in `byday`. Self-service time (*omatoimiaika*:
//! doors open, no staff, no digital help) is a row of its own with `x_kind = "self_service"`
//! and says so in `description`; staffed rows have `x_kind = "staffed"`. Each dated exception
//! is a one-day row (`valid_from = valid_to = dtstart = the date`, `x_exception = true`) that
//! replaces the regular rows that day; a closed day has no `opens_at` and `x_closed = true`.
//! Times are Europe/Helsinki wall-clock (`notes`); a range closing at midnight has
//! `closes_at` "00:00", one that ends after midnight closes on the next day.

use chrono::{Datelike, NaiveTime, Weekday};
use serde_json::{json, Map, Value};

use super::uuid_for;
use crate::hours::{OpeningHours, RangeKind, TimeRange, WEEKDAYS};

/// Whose schedule the rows are.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    Location(&'a str),
    ServiceAtLocation(&'a str),
}

impl Owner<'_> {
    fn field(&self) -> (&'static str, String, String) {
        match self {
            Owner::Location(id) => ("location_id", uuid_for("location", id), format!("location:{id}")),
            Owner::ServiceAtLocation(id) => {
                ("service_at_location_id", uuid_for("service_at_location", id), format!("service_at_location:{id}"))
            }
        }
    }
}

/// The RFC 5545 two-letter code of a weekday.
pub fn byday(wd: Weekday) -> &'static str {
    match wd {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn kind_text(kind: RangeKind) -> (&'static str, &'static str) {
    match kind {
        RangeKind::Staffed => ("staffed", "Henkilökunta paikalla: digiopastusta saatavilla."),
        RangeKind::SelfService => {
            ("self_service", "Omatoimiaika: ovet auki kirjastokortilla, ei henkilökuntaa eikä digiopastusta.")
        }
    }
}

const NOTES_HOLIDAYS_CLOSED: &str = "Ajat Suomen aikaa (Europe/Helsinki). Suljettu arkipyhinä.";
const NOTES_HOLIDAYS_OPEN: &str = "Ajat Suomen aikaa (Europe/Helsinki). Avoinna myös arkipyhinä.";

/// The HSDS schedule rows of `hours`.
pub fn rows(hours: &OpeningHours, owner: Owner) -> Vec<Value> {
    let (field, owner_uuid, key) = owner.field();
    let notes = if hours.open_on_holidays { NOTES_HOLIDAYS_OPEN } else { NOTES_HOLIDAYS_CLOSED };
    let mut out = Vec::new();
    let mut n = 0usize;
    let base = |n: &mut usize| {
        let mut m = Map::new();
        m.insert("id".into(), json!(uuid_for("schedule", &format!("{key}:{n}"))));
        m.insert(field.into(), json!(owner_uuid));
        m.insert("notes".into(), json!(notes));
        *n += 1;
        m
    };
    for period in &hours.periods {
        // Distinct ranges in first-seen order, each with the weekdays that have it.
        let mut groups: Vec<(&TimeRange, Vec<Weekday>)> = Vec::new();
        for wd in WEEKDAYS {
            for r in period.week.get(wd) {
                match groups.iter_mut().find(|(g, _)| *g == r) {
                    Some((_, days)) => days.push(wd),
                    None => groups.push((r, vec![wd])),
                }
            }
        }
        for (r, days) in groups {
            let mut m = base(&mut n);
            let (kind, description) = kind_text(r.kind);
            if let Some(from) = period.valid_from {
                m.insert("valid_from".into(), json!(from.to_string()));
                m.insert("dtstart".into(), json!(from.to_string()));
            }
            if let Some(to) = period.valid_to {
                m.insert("valid_to".into(), json!(to.to_string()));
                m.insert("until".into(), json!(to.to_string()));
            }
            m.insert("freq".into(), json!("WEEKLY"));
            m.insert("interval".into(), json!(1));
            m.insert("wkst".into(), json!("MO"));
            m.insert("byday".into(), json!(days.iter().map(|d| byday(*d)).collect::<Vec<_>>().join(",")));
            m.insert("opens_at".into(), json!(hhmm(r.start)));
            m.insert("closes_at".into(), json!(hhmm(r.end)));
            m.insert(
                "attending_type".into(),
                json!(if r.kind == RangeKind::Staffed { "in_person" } else { "self_service" }),
            );
            let mut description = description.to_owned();
            if let Some(name) = &period.name {
                description = format!("{}: {description}", name.fi);
                m.insert("x_period_name".into(), json!(name));
            }
            m.insert("description".into(), json!(description));
            m.insert("x_kind".into(), json!(kind));
            out.push(Value::Object(m));
        }
    }
    for ex in &hours.exceptions {
        let date = ex.date.to_string();
        let day = |m: &mut Map<String, Value>| {
            m.insert("valid_from".into(), json!(date));
            m.insert("valid_to".into(), json!(date));
            m.insert("dtstart".into(), json!(date));
            m.insert("x_exception".into(), json!(true));
            m.insert("x_reason".into(), json!(ex.reason));
        };
        if ex.ranges.is_empty() {
            let mut m = base(&mut n);
            day(&mut m);
            m.insert("description".into(), json!(format!("Suljettu: {}", ex.reason.fi)));
            m.insert("x_closed".into(), json!(true));
            out.push(Value::Object(m));
        }
        for r in &ex.ranges {
            let mut m = base(&mut n);
            day(&mut m);
            let (kind, description) = kind_text(r.kind);
            m.insert("freq".into(), json!("WEEKLY"));
            m.insert("count".into(), json!(1));
            m.insert("byday".into(), json!(byday(ex.date.weekday())));
            m.insert("opens_at".into(), json!(hhmm(r.start)));
            m.insert("closes_at".into(), json!(hhmm(r.end)));
            m.insert("description".into(), json!(format!("Poikkeusaukiolo ({}): {description}", ex.reason.fi)));
            m.insert("x_closed".into(), json!(false));
            m.insert("x_kind".into(), json!(kind));
            out.push(Value::Object(m));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hours::test_util::*;

    #[test]
    fn weekly_rows_group_weekdays_and_keep_self_service_apart() {
        let mut h = weekly(&[Weekday::Mon, Weekday::Tue], &[selfs("08:00", "10:00"), staffed("10:00", "19:00")]);
        h.periods[0].week.sat.push(staffed("10:00", "15:00"));
        let rows = rows(&h, Owner::Location("x"));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["byday"], "MO,TU");
        assert_eq!(rows[0]["x_kind"], "self_service");
        assert_eq!(rows[1]["opens_at"], "10:00");
        assert_eq!(rows[1]["closes_at"], "19:00");
        assert_eq!(rows[2]["byday"], "SA");
        assert!(rows.iter().all(|r| r["location_id"] == uuid_for("location", "x")));
    }
}
