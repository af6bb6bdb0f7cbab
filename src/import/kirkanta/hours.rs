//! Kirkanta's dated days as our hours: the regular week plus dated exceptions.
//!
//! Kirkanta gives day-by-day schedules (`schedules[]`, built from periods by
//! `ScheduleBuilder.php`): each day `{date, period, info, closed, times: [{from, to, status}]}`,
//! `status` 1 = staffed, 2 = self-service, 0 = closed for a while (a gap between two ranges).
//! A day closed all day has `closed: true` and `times: []`. We derive the regular week (for
//! each weekday, the most frequent pattern in the window, public holidays left out) and keep
//! every day that differs from it, and every public holiday in the window, as a dated
//! exception, with the day's `info`, else the name of the exception period it comes from
//! (`refs=period`: `isException`, `name`), as the reason.

use std::collections::HashMap;

use chrono::{Datelike, NaiveTime};
use serde_json::Value;

use super::wire::{Day, PeriodRef};
use crate::hours::{Exception, OpeningHours, Period, RangeKind, TimeRange, WeekHours, WEEKDAYS};
use crate::i18n::Localized;

/// `HH:MM` (SQL `to_char(.., 'HH24:MI')`); `24:00` read as midnight too.
fn parse_time(s: &str) -> Option<NaiveTime> {
    if s == "24:00" {
        return NaiveTime::from_hms_opt(0, 0, 0);
    }
    NaiveTime::parse_from_str(s, "%H:%M").or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S")).ok()
}

fn day_ranges(day: &Day) -> Result<Vec<TimeRange>, String> {
    if day.closed {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for t in &day.times {
        let kind = match t.status {
            0 => continue,
            1 => RangeKind::Staffed,
            2 => RangeKind::SelfService,
            other => return Err(format!("{}: unknown time status {other}", day.date)),
        };
        let (Some(start), Some(end)) = (parse_time(&t.from), parse_time(&t.to)) else {
            return Err(format!("{}: bad time {:?}-{:?}", day.date, t.from, t.to));
        };
        out.push(TimeRange::new(start, end, kind));
    }
    out.sort_by_key(|r| r.start);
    Ok(out)
}

/// A day's `info`: text after `lang=fi`; `null` or `[]` when there is none.
fn info_text(info: &Option<Value>) -> Option<String> {
    match info {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Object(m)) => m.get("fi").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// The hours of one library; `None` when Kirkanta has no days for it.
pub fn hours_from_days(days: &[Day], periods: &HashMap<String, PeriodRef>) -> Result<Option<OpeningHours>, String> {
    if days.is_empty() {
        return Ok(None);
    }
    let mut parsed: Vec<(&Day, Vec<TimeRange>)> = Vec::new();
    for d in days {
        parsed.push((d, day_ranges(d)?));
    }
    let mut week = WeekHours::default();
    for wd in WEEKDAYS {
        // The most frequent pattern among this weekday's ordinary (non-holiday) days.
        let mut counts: Vec<(&Vec<TimeRange>, usize)> = Vec::new();
        for (_, r) in
            parsed.iter().filter(|(d, _)| d.date.weekday() == wd && crate::hours::holiday_on(d.date).is_none())
        {
            match counts.iter_mut().find(|(p, _)| *p == r) {
                Some((_, n)) => *n += 1,
                None => counts.push((r, 1)),
            }
        }
        // Ties go to the earliest pattern in the window.
        let best = counts.iter().fold(None::<(&Vec<TimeRange>, usize)>, |best, &(p, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((p, n)),
        });
        if let Some((best, _)) = best {
            *week.get_mut(wd) = best.clone();
        }
    }
    let mut exceptions = Vec::new();
    for (d, ranges) in &parsed {
        let holiday = crate::hours::holiday_on(d.date).is_some();
        if holiday || *ranges != week.get(d.date.weekday()) {
            let period_name = d
                .period
                .and_then(|p| periods.get(&p.to_string()))
                .filter(|p| p.is_exception)
                .and_then(|p| p.name.clone())
                .filter(|n| !n.trim().is_empty());
            let reason = info_text(&d.info).or(period_name).unwrap_or_else(|| {
                if ranges.is_empty() {
                    "Suljettu (Kirkanta)".into()
                } else {
                    "Poikkeava aukiolo (Kirkanta)".into()
                }
            });
            exceptions.push(Exception {
                date: d.date,
                ranges: ranges.clone(),
                reason: Localized { fi: reason, sv: None, en: None },
            });
        }
    }
    exceptions.sort_by_key(|e| e.date);
    let hours =
        OpeningHours { periods: vec![Period { week, ..Default::default() }], exceptions, open_on_holidays: false };
    let errors = hours.validate();
    if !errors.is_empty() {
        return Err(format!("opening hours do not validate: {errors:?}"));
    }
    Ok(Some(hours))
}

#[cfg(test)]
mod tests {
    use super::super::wire::Time;
    use super::*;
    use chrono::{NaiveDate, Weekday};

    fn day(date: &str, times: &[(&str, &str, i64)]) -> Day {
        Day {
            date: date.parse().unwrap(),
            period: Some(1),
            closed: times.is_empty(),
            times: times.iter().map(|(f, t, s)| Time { from: f.to_string(), to: t.to_string(), status: *s }).collect(),
            info: Some(serde_json::json!([])),
        }
    }

    #[test]
    fn kirkanta_days_become_a_week_plus_exceptions() {
        // Two weeks from Monday 2026-11-30; Sunday 2026-12-06 is Independence Day.
        let mut days = Vec::new();
        for i in 0..14 {
            let date = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap() + chrono::Duration::days(i);
            let d = date.to_string();
            days.push(match date.weekday() {
                Weekday::Sat | Weekday::Sun => day(&d, &[]),
                // One Wednesday with shorter hours, from an exception period.
                _ if d == "2026-12-09" => {
                    let mut x = day(&d, &[("08:00", "10:00", 2), ("10:00", "16:00", 1)]);
                    x.period = Some(2);
                    x
                }
                // A lunch break: ScheduleBuilder's status-0 gap row.
                _ => day(
                    &d,
                    &[("08:00", "10:00", 2), ("10:00", "12:00", 1), ("12:00", "13:00", 0), ("13:00", "00:00", 1)],
                ),
            });
        }
        let periods = HashMap::from([
            ("1".to_owned(), PeriodRef { is_exception: false, name: Some("Normaali".into()) }),
            ("2".to_owned(), PeriodRef { is_exception: true, name: Some("Koulutuspäivä".into()) }),
        ]);
        let h = hours_from_days(&days, &periods).unwrap().unwrap();
        let week = &h.periods[0].week;
        assert_eq!(week.mon.len(), 3, "{:?}", week.mon);
        assert_eq!(week.mon[0].kind, RangeKind::SelfService);
        assert_eq!(week.mon[1].kind, RangeKind::Staffed);
        // `to: "00:00"` is midnight: the range runs to the end of the day.
        assert!(week.mon[2].crosses_midnight());
        assert!(week.sat.is_empty());
        let dates: Vec<String> = h.exceptions.iter().map(|e| e.date.to_string()).collect();
        assert_eq!(dates, ["2026-12-06", "2026-12-09"]);
        assert_eq!(h.exceptions[1].reason.fi, "Koulutuspäivä");
        assert_eq!(h.exceptions[0].reason.fi, "Suljettu (Kirkanta)");
    }

    #[test]
    fn unknown_kirkanta_status_is_an_error() {
        assert!(hours_from_days(&[day("2026-12-01", &[("10:00", "12:00", 7)])], &HashMap::new()).is_err());
    }

    #[test]
    fn kirkanta_day_info_may_be_text_null_or_an_empty_array() {
        assert_eq!(info_text(&Some(Value::String("Jouluaatto".into()))).as_deref(), Some("Jouluaatto"));
        assert_eq!(info_text(&Some(serde_json::json!([]))), None);
        assert_eq!(info_text(&Some(Value::Null)), None);
    }
}
