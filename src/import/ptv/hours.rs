//! PTV service hours (`serviceHours[]`, `V11VmOpenApiServiceHour`) as the directory's
//! [`OpeningHours`].
//!
//! * `DaysOfTheWeek` (v7 and older: `Standard`): regular weekly hours. Without dates, or with
//!   `validForNow`, they are the default period; with `validFrom`/`validTo` a dated period
//!   (e.g. summer hours). `openingHour[]` gives `dayFrom` (an English weekday name), an
//!   optional `dayTo`, `from` and `to`. A `to` at or before `from` continues into the next
//!   day (over midnight), as does an entry whose `dayTo` is the day after `dayFrom`.
//!   `isAlwaysOpen` means 24 hours every day.
//! * `OverMidnight` (v7: `Special`): ranges from `dayFrom` `from` to `dayTo` `to` on the
//!   next day, e.g. Friday 22:00 to Saturday 04:00.
//! * `Exceptional` (v7: `Exception`): every date from `validFrom` to `validTo` (a single
//!   day when `validTo` is absent) gets the entry's hours, or none when `isClosed`.
//!   `additionalInformation` is the reason shown to users.
//!
//! PTV does not know self-service hours: every range is `staffed`. Public holidays close the
//! place unless PTV gives an exception for them (`open_on_holidays = false`); a place with
//! `isAlwaysOpen` regular hours stays open on them.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use super::wire::{LanguageItem, OpeningTime, ServiceHour};
use crate::hours::{Exception, OpeningHours, Period, RangeKind, TimeRange, WeekHours, WEEKDAYS};
use crate::i18n::Localized;

/// At most this many days from one exceptional entry.
pub const MAX_EXCEPTION_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq)]
enum HourType {
    Regular,
    Exceptional,
    OverMidnight,
}

fn hour_type(s: Option<&str>) -> Result<HourType, String> {
    match s {
        Some("DaysOfTheWeek") | Some("Standard") => Ok(HourType::Regular),
        Some("Exceptional") | Some("Exception") => Ok(HourType::Exceptional),
        Some("OverMidnight") | Some("Special") => Ok(HourType::OverMidnight),
        Some(other) => Err(format!("unknown serviceHourType {other:?}")),
        None => Err("a service hour without serviceHourType".into()),
    }
}

fn weekday(s: &str) -> Option<Weekday> {
    match s.trim().to_ascii_lowercase().as_str() {
        "monday" => Some(Weekday::Mon),
        "tuesday" => Some(Weekday::Tue),
        "wednesday" => Some(Weekday::Wed),
        "thursday" => Some(Weekday::Thu),
        "friday" => Some(Weekday::Fri),
        "saturday" => Some(Weekday::Sat),
        "sunday" => Some(Weekday::Sun),
        _ => None,
    }
}

/// `"08:00"`, `"08:00:00"`; `"24:00"` is midnight.
fn time(s: &Option<String>) -> Result<NaiveTime, String> {
    let raw = s.as_deref().map(str::trim).ok_or("an opening time without from/to")?;
    if raw == "24:00" || raw == "24:00:00" {
        return Ok(NaiveTime::MIN);
    }
    NaiveTime::parse_from_str(raw, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M"))
        .map_err(|_| format!("bad time {raw:?}"))
}

/// A PTV date-time (`2026-12-24T00:00:00`, or with `Z` / an offset) as a Helsinki date.
pub fn date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(crate::hours::helsinki_date(dt.to_utc()));
    }
    if let Ok(dt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(dt.date());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("bad date {s:?}"))
}

fn localized(items: &[LanguageItem]) -> Option<Localized> {
    let get = |lang: &str| {
        items
            .iter()
            .find(|i| i.language.as_deref() == Some(lang))
            .and_then(|i| i.value.as_deref())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let (fi, sv, en) = (get("fi"), get("sv"), get("en"));
    if fi.is_none() && sv.is_none() && en.is_none() {
        return None;
    }
    Some(Localized { fi: fi.or_else(|| sv.clone()).or_else(|| en.clone()).unwrap_or_default(), sv, en })
}

fn staffed(start: NaiveTime, end: NaiveTime) -> TimeRange {
    TimeRange::new(start, end, RangeKind::Staffed)
}

fn whole_day() -> TimeRange {
    staffed(NaiveTime::MIN, NaiveTime::MIN)
}

/// Adds the ranges of one `openingHour` entry of regular or over-midnight hours to `week`.
fn add_weekly(week: &mut WeekHours, t: &OpeningTime, kind: HourType) -> Result<(), String> {
    let from_day = t.day_from.as_deref().and_then(weekday).ok_or_else(|| format!("bad dayFrom {:?}", t.day_from))?;
    let to_day = match t.day_to.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(weekday(d).ok_or_else(|| format!("bad dayTo {d:?}"))?),
        None => None,
    };
    let (start, end) = (time(&t.from)?, time(&t.to)?);
    let next = from_day.succ();
    match (kind, to_day) {
        // Over midnight: from dayFrom `from` to the next day's `to`.
        (HourType::OverMidnight, Some(d)) if d == next => {
            if end > start {
                return Err(format!("{from_day}–{d} {start}–{end} would last over 24 hours"));
            }
            week.get_mut(from_day).push(staffed(start, end));
        }
        (HourType::OverMidnight, None) => week.get_mut(from_day).push(staffed(start, end)),
        (HourType::OverMidnight, Some(d)) => {
            return Err(format!("an over-midnight range from {from_day} to {d} (only to the next day is possible)"))
        }
        (_, None) => week.get_mut(from_day).push(staffed(start, end)),
        (_, Some(d)) if d == from_day => week.get_mut(from_day).push(staffed(start, end)),
        (_, Some(d)) if d == next && end <= start => week.get_mut(from_day).push(staffed(start, end)),
        // A span of days with the same hours, e.g. Monday–Friday 8–16.
        (_, Some(d)) => {
            if end <= start {
                return Err(format!("{from_day}–{d} {start}–{end}: an over-midnight range over several days"));
            }
            let mut day = from_day;
            loop {
                week.get_mut(day).push(staffed(start, end));
                if day == d {
                    break;
                }
                day = day.succ();
            }
        }
    }
    Ok(())
}

fn sort_week(week: &mut WeekHours) {
    for wd in WEEKDAYS {
        week.get_mut(wd).sort_by_key(|r| r.start);
    }
}

/// The channel's service hours as our hours document; `None` when PTV gives none.
pub fn opening_hours(hours: &[ServiceHour]) -> Result<Option<OpeningHours>, String> {
    if hours.is_empty() {
        return Ok(None);
    }
    // Periods keyed by their dates (None, None) = the default period.
    let mut periods: BTreeMap<(Option<NaiveDate>, Option<NaiveDate>), Period> = BTreeMap::new();
    let mut exceptions: BTreeMap<NaiveDate, Exception> = BTreeMap::new();
    let mut always_open = false;
    for h in hours {
        let kind = hour_type(h.service_hour_type.as_deref())?;
        let from = h.valid_from.as_deref().filter(|s| !s.trim().is_empty()).map(date).transpose()?;
        let to = h.valid_to.as_deref().filter(|s| !s.trim().is_empty()).map(date).transpose()?;
        match kind {
            HourType::Regular | HourType::OverMidnight => {
                let key = if h.valid_for_now == Some(true) && to.is_none() { (None, None) } else { (from, to) };
                if let (Some(f), Some(t)) = key {
                    if f > t {
                        return Err(format!("validFrom {f} is after validTo {t}"));
                    }
                }
                let period = periods.entry(key).or_insert_with(|| Period {
                    valid_from: key.0,
                    valid_to: key.1,
                    name: if key == (None, None) { None } else { localized(&h.additional_information) },
                    week: WeekHours::default(),
                });
                if h.is_always_open == Some(true) {
                    always_open = true;
                    for wd in WEEKDAYS {
                        *period.week.get_mut(wd) = vec![whole_day()];
                    }
                    continue;
                }
                if h.is_closed == Some(true) {
                    continue;
                }
                for t in &h.opening_hour {
                    add_weekly(&mut period.week, t, kind)?;
                }
            }
            HourType::Exceptional => {
                let first = from.ok_or("an exceptional service hour without validFrom")?;
                let last = to.unwrap_or(first);
                if last < first {
                    return Err(format!("exceptional hours from {first} to {last}"));
                }
                if (last - first).num_days() + 1 > MAX_EXCEPTION_DAYS {
                    return Err(format!(
                        "exceptional hours from {first} to {last}: more than {MAX_EXCEPTION_DAYS} days"
                    ));
                }
                let closed = h.is_closed == Some(true);
                let reason = localized(&h.additional_information).unwrap_or_else(|| {
                    if closed {
                        Localized { fi: "Suljettu".into(), sv: Some("Stängt".into()), en: Some("Closed".into()) }
                    } else {
                        Localized {
                            fi: "Poikkeava aukiolo".into(),
                            sv: Some("Avvikande öppettider".into()),
                            en: Some("Exceptional opening hours".into()),
                        }
                    }
                });
                let mut day = first;
                while day <= last {
                    let mut ranges = Vec::new();
                    if h.is_always_open == Some(true) && !closed {
                        ranges.push(whole_day());
                    } else if !closed {
                        for t in &h.opening_hour {
                            let applies = match t.day_from.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
                                None => true,
                                Some(d) => weekday(d).ok_or_else(|| format!("bad dayFrom {d:?}"))? == day.weekday(),
                            };
                            if applies {
                                ranges.push(staffed(time(&t.from)?, time(&t.to)?));
                            }
                        }
                        if ranges.is_empty() {
                            return Err(format!("exceptional hours on {day}: neither closed nor any opening time"));
                        }
                        ranges.sort_by_key(|r| r.start);
                    }
                    // A later entry for the same date replaces an earlier one.
                    exceptions.insert(day, Exception { date: day, ranges, reason: reason.clone() });
                    day = day.succ_opt().ok_or("date out of range")?;
                }
            }
        }
    }
    let mut periods: Vec<Period> = periods.into_values().collect();
    for p in &mut periods {
        sort_week(&mut p.week);
    }
    // A place open around the clock is open on public holidays too; otherwise holidays close
    // it unless PTV gives an exception for them.
    let doc = OpeningHours { periods, exceptions: exceptions.into_values().collect(), open_on_holidays: always_open };
    let errors = doc.validate();
    if !errors.is_empty() {
        return Err(format!("service hours do not make valid opening hours: {errors:?}"));
    }
    Ok(Some(doc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hours::State;

    fn hour(
        kind: &str,
        from: Option<&str>,
        to: Option<&str>,
        times: &[(&str, Option<&str>, &str, &str)],
    ) -> ServiceHour {
        ServiceHour {
            service_hour_type: Some(kind.into()),
            valid_from: from.map(Into::into),
            valid_to: to.map(Into::into),
            valid_for_now: Some(from.is_none()),
            opening_hour: times
                .iter()
                .map(|(d, dt, f, t)| OpeningTime {
                    day_from: Some(d.to_string()),
                    day_to: dt.map(Into::into),
                    from: Some(f.to_string()),
                    to: Some(t.to_string()),
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn ptv_weekly_hours_over_midnight_and_exceptions() {
        let hours = vec![
            hour(
                "DaysOfTheWeek",
                None,
                None,
                &[("Monday", None, "08:00:00", "16:00:00"), ("Tuesday", Some("Friday"), "09:00", "15:00")],
            ),
            hour("OverMidnight", None, None, &[("Friday", Some("Saturday"), "22:00:00", "02:00:00")]),
            ServiceHour {
                service_hour_type: Some("Exceptional".into()),
                valid_from: Some("2026-12-24T00:00:00".into()),
                valid_to: Some("2026-12-26T00:00:00".into()),
                is_closed: Some(true),
                additional_information: vec![LanguageItem { value: Some("Joulu".into()), language: Some("fi".into()) }],
                ..Default::default()
            },
        ];
        let h = opening_hours(&hours).unwrap().unwrap();
        assert_eq!(h.periods.len(), 1);
        let w = &h.periods[0].week;
        assert_eq!(w.mon, vec![staffed(time(&Some("08:00".into())).unwrap(), time(&Some("16:00".into())).unwrap())]);
        assert_eq!(w.wed.len(), 1);
        assert_eq!(w.fri.len(), 2);
        assert!(w.fri[1].crosses_midnight());
        assert_eq!(h.exceptions.len(), 3);
        assert_eq!(h.exceptions[0].reason.fi, "Joulu");
        // Saturday 2026-12-05 01:00 Helsinki: still open from Friday night.
        let at = crate::hours::helsinki_to_utc("2026-12-05T01:00:00".parse().unwrap());
        assert_eq!(h.status_at(at).state, State::Staffed);
        let at = crate::hours::helsinki_to_utc("2026-12-05T02:30:00".parse().unwrap());
        assert_eq!(h.status_at(at).state, State::Closed);
    }

    #[test]
    fn bad_hours_are_errors() {
        assert!(opening_hours(&[hour("Nonsense", None, None, &[])]).is_err());
        assert!(opening_hours(&[hour("DaysOfTheWeek", None, None, &[("Moonday", None, "08:00", "09:00")])]).is_err());
        assert!(opening_hours(&[hour("OverMidnight", None, None, &[("Friday", Some("Sunday"), "22:00", "02:00")])])
            .is_err());
        assert_eq!(opening_hours(&[]).unwrap(), None);
    }

    #[test]
    fn always_open_is_open_on_holidays() {
        let mut h = hour("DaysOfTheWeek", None, None, &[]);
        h.is_always_open = Some(true);
        let doc = opening_hours(&[h]).unwrap().unwrap();
        assert!(doc.open_on_holidays);
        // Independence Day 2026-12-06, 03:00.
        let at = crate::hours::helsinki_to_utc("2026-12-06T03:00:00".parse().unwrap());
        assert_eq!(doc.status_at(at).state, State::Staffed);
        assert!(
            !opening_hours(&[hour("DaysOfTheWeek", None, None, &[("Monday", None, "08:00", "16:00")])])
                .unwrap()
                .unwrap()
                .open_on_holidays
        );
    }

    #[test]
    fn utc_dates_are_helsinki_dates() {
        assert_eq!(date("2026-12-23T22:00:00Z").unwrap().to_string(), "2026-12-24");
        assert_eq!(date("2026-12-24T00:00:00").unwrap().to_string(), "2026-12-24");
    }
}
