//! Consistency checks for an [`OpeningHours`] document (for the write API and for data
//! imports). The engine accepts anything that parses; these rules catch what is almost
//! certainly a data-entry mistake.
//!
//! Range rules: `end <= start` means the range crosses midnight, which makes a swapped
//! start and end indistinguishable from a night range. To tell them apart, a range that
//! crosses midnight must start at 12:00 or later and end by 06:00 the next morning
//! (22:00–02:00 is fine, 15:00–10:00 is reported as reversed). `start == end` is only
//! valid as `00:00–24:00` (the whole day); any other zero-length range is rejected.

use chrono::{NaiveTime, Timelike, Weekday};

use super::{HoursError, OpeningHours, TimeRange, WeekHours, WEEKDAYS};

/// Latest end time allowed for a range that crosses midnight.
const OVERNIGHT_MAX_END: (u32, u32) = (6, 0);
/// Earliest start time allowed for a range that crosses midnight.
const OVERNIGHT_MIN_START: (u32, u32) = (12, 0);

fn minutes(t: NaiveTime) -> u32 {
    t.hour() * 60 + t.minute()
}

fn hm(t: NaiveTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `start–end` for messages, showing midnight as 24:00 when it is an end.
fn show(r: &TimeRange) -> String {
    let end = if r.end == NaiveTime::MIN { "24:00".to_string() } else { hm(r.end) };
    format!("{}–{}", hm(r.start), end)
}

/// The range as minutes from the start of its day, `[start, end)`, with an end after
/// midnight counted past 1440.
fn span(r: &TimeRange) -> (u32, u32) {
    let (s, e) = (minutes(r.start), minutes(r.end));
    if e <= s {
        (s, e + 24 * 60)
    } else {
        (s, e)
    }
}

/// Checks one range on its own; `None` if it is well-formed.
fn range_problem(r: &TimeRange) -> Option<String> {
    let (s, e) = (minutes(r.start), minutes(r.end));
    if s == e {
        if s == 0 {
            return None; // 00:00–24:00, the whole day
        }
        return Some(format!("zero-length range {} (start equals end); use 00:00–24:00 for a whole day", show(r)));
    }
    if e < s && e != 0 {
        let max_end = OVERNIGHT_MAX_END.0 * 60 + OVERNIGHT_MAX_END.1;
        let min_start = OVERNIGHT_MIN_START.0 * 60 + OVERNIGHT_MIN_START.1;
        if e > max_end || s < min_start {
            return Some(format!(
                "range {} ends before it starts; a range crossing midnight must start at \
                 {:02}:{:02} or later and end by {:02}:{:02} (were start and end swapped?)",
                show(r),
                OVERNIGHT_MIN_START.0,
                OVERNIGHT_MIN_START.1,
                OVERNIGHT_MAX_END.0,
                OVERNIGHT_MAX_END.1
            ));
        }
    }
    None
}

/// Checks the ranges of one day: each range alone, then every pair for overlap.
/// `path` is the path of the list, e.g. `periods[0].week.mon`.
fn check_day(path: &str, ranges: &[TimeRange], errors: &mut Vec<HoursError>) {
    let mut valid: Vec<(usize, &TimeRange)> = Vec::new();
    for (j, r) in ranges.iter().enumerate() {
        match range_problem(r) {
            Some(message) => errors.push(HoursError { field: format!("{path}[{j}]"), message }),
            // Malformed ranges are left out of the overlap check to avoid follow-on noise.
            None => valid.push((j, r)),
        }
    }
    for (n, &(j, b)) in valid.iter().enumerate() {
        let (bs, be) = span(b);
        if let Some(&(i, a)) = valid[..n].iter().find(|(_, a)| {
            let (as_, ae) = span(a);
            as_ < be && bs < ae
        }) {
            errors.push(HoursError {
                field: format!("{path}[{j}]"),
                message: format!("range {} overlaps {path}[{i}] ({})", show(b), show(a)),
            });
        }
    }
}

/// Checks that the part of the previous day's overnight ranges that spills past
/// midnight does not overlap this day's ranges (Sunday spills into Monday).
fn check_spill(path: &str, week: &WeekHours, errors: &mut Vec<HoursError>) {
    for (n, &wd) in WEEKDAYS.iter().enumerate() {
        let prev: Weekday = WEEKDAYS[(n + 6) % 7];
        for (i, a) in week.get(prev).iter().enumerate() {
            if !a.crosses_midnight() || range_problem(a).is_some() {
                continue;
            }
            let spill_end = span(a).1 - 24 * 60; // minutes into `wd`
            for (j, b) in week.get(wd).iter().enumerate() {
                if range_problem(b).is_none() && minutes(b.start) < spill_end {
                    errors.push(HoursError {
                        field: format!("{path}.{}[{j}]", WeekHours::key(wd)),
                        message: format!(
                            "range {} overlaps the overnight range {path}.{}[{i}] ({})",
                            show(b),
                            WeekHours::key(prev),
                            show(a)
                        ),
                    });
                }
            }
        }
    }
}

impl OpeningHours {
    /// Returns every problem found (empty = valid). Checks: malformed ranges (zero
    /// length, reversed; see the module docs for the midnight rule), overlapping ranges
    /// on a day (including a previous day's overnight spill), `valid_from` after
    /// `valid_to`, more than one default period, periods with identical validity,
    /// duplicate exception dates, exceptions without a Finnish reason, and reasons that break the
    /// text rule every stored text follows (`crate::i18n::text_problem`).
    pub fn validate(&self) -> Vec<HoursError> {
        let mut errors = Vec::new();

        let mut default_seen: Option<usize> = None;
        for (i, p) in self.periods.iter().enumerate() {
            let path = format!("periods[{i}]");
            if let (Some(from), Some(to)) = (p.valid_from, p.valid_to) {
                if from > to {
                    errors.push(HoursError {
                        field: format!("{path}.valid_to"),
                        message: format!("valid_to {to} is before valid_from {from}"),
                    });
                }
            }
            if p.is_default() {
                match default_seen {
                    Some(first) => errors.push(HoursError {
                        field: path.clone(),
                        message: format!(
                            "more than one default period (without dates); periods[{first}] \
                             is already the default"
                        ),
                    }),
                    None => default_seen = Some(i),
                }
            } else if let Some(first) =
                self.periods[..i].iter().position(|q| q.valid_from == p.valid_from && q.valid_to == p.valid_to)
            {
                errors.push(HoursError {
                    field: path.clone(),
                    message: format!("same validity as periods[{first}]; only one of them would ever apply"),
                });
            }
            for &wd in &WEEKDAYS {
                check_day(&format!("{path}.week.{}", WeekHours::key(wd)), p.week.get(wd), &mut errors);
            }
            check_spill(&format!("{path}.week"), &p.week, &mut errors);
        }

        for (k, ex) in self.exceptions.iter().enumerate() {
            let path = format!("exceptions[{k}]");
            if let Some(first) = self.exceptions[..k].iter().position(|e| e.date == ex.date) {
                errors.push(HoursError {
                    field: format!("{path}.date"),
                    message: format!("duplicate exception date {} (also exceptions[{first}])", ex.date),
                });
            }
            if ex.reason.fi.trim().is_empty() {
                errors.push(HoursError {
                    field: format!("{path}.reason.fi"),
                    message: "an exception needs a reason in Finnish".to_string(),
                });
            }
            let texts = [("fi", Some(&ex.reason.fi)), ("sv", ex.reason.sv.as_ref()), ("en", ex.reason.en.as_ref())];
            for (lang, text) in texts {
                if let Some(problem) = text.and_then(|t| crate::i18n::text_problem(t, crate::i18n::MAX_LABEL)) {
                    errors.push(HoursError { field: format!("{path}.reason.{lang}"), message: problem });
                }
            }
            check_day(&format!("{path}.ranges"), &ex.ranges, &mut errors);
        }

        errors
    }
}

/// Where an hours document (JSON, before it is read) has something other than an object where
/// the format has one: serde would otherwise read a struct from an array (`"periods": [[null]]`
/// as a period), silently. Returns every such place.
pub fn shape_problems(doc: &serde_json::Value) -> Vec<HoursError> {
    fn object(v: &serde_json::Value, path: String, out: &mut Vec<HoursError>) -> bool {
        let ok = v.is_object();
        if !ok {
            out.push(HoursError { field: path, message: "must be a JSON object".into() });
        }
        ok
    }
    fn ranges(v: Option<&serde_json::Value>, path: String, out: &mut Vec<HoursError>) {
        for (j, r) in v.and_then(|v| v.as_array()).into_iter().flatten().enumerate() {
            object(r, format!("{path}[{j}]"), out);
        }
    }
    let mut out = Vec::new();
    if !object(doc, "body".into(), &mut out) {
        return out;
    }
    for (i, p) in doc.get("periods").and_then(|v| v.as_array()).into_iter().flatten().enumerate() {
        let path = format!("periods[{i}]");
        if !object(p, path.clone(), &mut out) {
            continue;
        }
        if let Some(n) = p.get("name").filter(|n| !n.is_null()) {
            object(n, format!("{path}.name"), &mut out);
        }
        if let Some(w) = p.get("week") {
            if object(w, format!("{path}.week"), &mut out) {
                for (day, list) in w.as_object().into_iter().flatten() {
                    ranges(Some(list), format!("{path}.week.{day}"), &mut out);
                }
            }
        }
    }
    for (i, e) in doc.get("exceptions").and_then(|v| v.as_array()).into_iter().flatten().enumerate() {
        let path = format!("exceptions[{i}]");
        if object(e, path.clone(), &mut out) {
            ranges(e.get("ranges"), format!("{path}.ranges"), &mut out);
            if let Some(r) = e.get("reason") {
                object(r, format!("{path}.reason"), &mut out);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::*;
    use Weekday::*;

    fn fields(oh: &OpeningHours) -> Vec<String> {
        oh.validate().into_iter().map(|e| e.field).collect()
    }

    fn exception(date: &str, fi: &str) -> Exception {
        Exception { date: d(date), ranges: vec![], reason: Localized { fi: fi.into(), ..Default::default() } }
    }

    #[test]
    fn valid_hours_have_no_errors() {
        let mut oh = weekly(
            &[Mon, Tue, Wed, Thu, Fri],
            &[selfs("07:00", "10:00"), staffed("10:00", "19:00"), selfs("19:00", "21:00")],
        );
        oh.periods[0].week.fri.push(staffed("22:00", "02:00"));
        oh.periods[0].week.sat = vec![staffed("02:00", "05:00")];
        oh.periods[0].week.sun = vec![staffed("00:00", "24:00")];
        oh.periods.push(Period {
            valid_from: Some(d("2027-06-01")),
            valid_to: Some(d("2027-06-01")),
            ..Default::default()
        });
        oh.exceptions = vec![exception("2027-12-06", "Suljettu")];
        assert_eq!(oh.validate(), vec![]);
    }

    #[test]
    fn overlapping_ranges() {
        let oh = weekly(&[Mon], &[staffed("10:00", "14:00"), selfs("13:00", "16:00"), staffed("15:59", "17:00")]);
        let errors = oh.validate();
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["periods[0].week.mon[1]", "periods[0].week.mon[2]"]
        );
        assert!(errors[0].message.contains("overlaps periods[0].week.mon[0] (10:00–14:00)"), "{}", errors[0]);
    }

    #[test]
    fn overnight_overlaps_next_morning_and_wraps_sunday_to_monday() {
        let mut oh = weekly(&[Fri, Sun], &[staffed("22:00", "02:00")]);
        oh.periods[0].week.sat = vec![staffed("01:00", "03:00")];
        oh.periods[0].week.mon = vec![staffed("00:00", "01:00")];
        assert_eq!(fields(&oh), ["periods[0].week.mon[0]", "periods[0].week.sat[0]"]);
        // Overnight overlapping a later range of the same day.
        let oh = weekly(&[Fri], &[staffed("22:00", "02:00"), staffed("23:00", "23:30")]);
        assert_eq!(fields(&oh), ["periods[0].week.fri[1]"]);
    }

    #[test]
    fn zero_length_and_reversed_ranges() {
        let oh = weekly(
            &[Tue],
            &[
                staffed("10:00", "10:00"),
                staffed("15:00", "10:00"),
                staffed("09:00", "03:00"),
                staffed("18:00", "24:00"),
            ],
        );
        let errors = oh.validate();
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["periods[0].week.tue[0]", "periods[0].week.tue[1]", "periods[0].week.tue[2]"]
        );
        assert!(errors[0].message.contains("zero-length"));
        assert!(errors[1].message.contains("swapped"));
    }

    #[test]
    fn bad_period_dates_and_duplicate_periods() {
        let mut oh = weekly(&[Mon], &[staffed("10:00", "12:00")]);
        let summer =
            Period { valid_from: Some(d("2027-06-01")), valid_to: Some(d("2027-08-15")), ..Default::default() };
        oh.periods.push(summer.clone());
        oh.periods.push(summer);
        oh.periods.push(Period::default());
        oh.periods.push(Period {
            valid_from: Some(d("2027-08-15")),
            valid_to: Some(d("2027-06-01")),
            ..Default::default()
        });
        let errors = oh.validate();
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["periods[2]", "periods[3]", "periods[4].valid_to"]
        );
        assert!(errors[1].message.contains("more than one default"));
    }

    #[test]
    fn structs_must_be_objects_not_arrays() {
        let doc = serde_json::json!({"periods": [[null, null], {"week": {"mon": [["10:00", "12:00"]]}}],
            "exceptions": [{"date": "2027-02-14", "ranges": [], "reason": ["x"]}]});
        let fields: Vec<String> = super::shape_problems(&doc).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["periods[0]", "periods[1].week.mon[0]", "exceptions[0].reason"]);
        assert!(super::shape_problems(&serde_json::json!({"periods": [{"week": {}}]})).is_empty());
    }

    #[test]
    fn duplicate_exceptions_missing_reason_and_bad_exception_ranges() {
        let mut oh = OpeningHours {
            exceptions: vec![
                exception("2027-12-06", "Suljettu"),
                exception("2027-12-07", " "),
                exception("2027-12-06", "Toinen"),
            ],
            ..Default::default()
        };
        oh.exceptions[1].ranges = vec![staffed("12:00", "12:00"), staffed("10:00", "13:00")];
        let errors = oh.validate();
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["exceptions[1].reason.fi", "exceptions[1].ranges[0]", "exceptions[2].date"]
        );
        assert_eq!(
            errors[2].to_string(),
            "exceptions[2].date: duplicate exception date 2027-12-06 (also exceptions[0])"
        );
    }
}
