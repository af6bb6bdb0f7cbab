//! Export of the hours as an OpenStreetMap `opening_hours` value
//! (<https://wiki.openstreetmap.org/wiki/Key:opening_hours>), for map exports and
//! interoperability. The string says everything the engine knows that the syntax can say,
//! so that an OSM evaluator (opening_hours.js, used by OSM editors and maps) gives the
//! same open/closed state as [`OpeningHours::status_at`] at every instant.
//!
//! Format produced, as a sequence of rules where a later rule overrides earlier ones for
//! the days it matches (the same precedence as the engine: exception > holiday > the most
//! specific period):
//! 1. the undated default period's weekly hours:
//!    * days with identical hours share one rule: `Mo-Fr 10:00-16:00`, `Mo,We,Fr 10:00-15:00`
//!      (runs of three or more days become ranges);
//!    * rules for different days are separated by `"; "`;
//!    * self-service ranges are a separate *additional* rule (separator `", "`, so it does
//!      not override the staffed rule for the same days), explicitly `open` (a bare comment
//!      would mean state "unknown") with the comment `"self-service"`:
//!      `Mo-Th 10:00-19:00, Mo-Th 07:00-10:00,19:00-21:00 open "self-service"`;
//!    * midnight as an end is `24:00`; a night range is written as it wraps, `22:00-02:00`,
//!      and the rule for the following day is then joined with `", "` so that it does not
//!      cancel the part after midnight;
//! 2. each dated period (e.g. summer hours), least specific first so that the most
//!    specific one wins, as a date range that first closes every day it covers and then
//!    gives its weekly rules with the same range in front:
//!    `2027 Jun 01-2027 Aug 15 off; 2027 Jun 01-2027 Aug 15 Mo-Fr 10:00-16:00`. An open end
//!    is written with year selectors: from 2027-07-01 on is `2027 Jul 01-2027 Dec 31` and
//!    `2028+`; up to 2027-06-30 is `1970-2026` and `2027 Jan 01-2027 Jun 30`;
//! 3. unless the place is open on public holidays: `PH off` (opening_hours.js knows the 13
//!    statutory Finnish holidays) and the two eves the engine also closes but which are
//!    not public holidays in law: `Dec 24 off` (Christmas Eve) and `Jun 19-25 Fr off`
//!    (Midsummer Eve, the Friday between 19 and 25 June);
//! 4. each one-day exception with its full date: `2027 Feb 14 off`,
//!    `2027 Dec 06 12:00-14:00`, and self-service as above.
//!
//! What the syntax cannot say gets a comment: where the hours have night ranges, the closing
//! rules of step 3 and 4 read `PH off "a night opening from the day before continues past
//! midnight"` (in the engine a closed day closes only ranges starting on it; an OSM `off` rule
//! also cuts the part after midnight of the previous day's range).
//!
//! Dated periods and exceptions are written with their years, so those already past are
//! inert; all of them are written (the string carries no notion of "today").
//! No ranges anywhere gives `off`; staffed round the clock every day, open on holidays
//! too, with nothing dated, gives `24/7`.
//!
//! `scripts/conformance` evaluates every exported string with opening_hours.js over a
//! whole year and requires the same state as the service's own status (see
//! docs/interchange.md).

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};

use super::engine::specificity;
use super::{OpeningHours, RangeKind, TimeRange, WeekHours, WEEKDAYS};

/// OSM two-letter weekday abbreviations, Monday first.
const OSM_DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/// OSM month abbreviations, January first.
const OSM_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The rules for the Finnish holidays the engine closes on: the statutory ones (`PH`, as
/// opening_hours.js defines them for `fi`) and Christmas Eve and Midsummer Eve, which
/// opening_hours.js does not count as public holidays.
const HOLIDAY_RULES: &str = "PH off; Dec 24 off; Jun 19-25 Fr off";

/// What the syntax cannot say: in the engine a closed day (holiday, eve, closed exception)
/// closes only the ranges that *start* on it, so a night range of the day before still runs
/// past midnight into it; in OSM a day's `off` rule also cuts that part. Where the hours have
/// such night ranges, the closing rules carry this comment (and the conformance check
/// documents the exception).
const NIGHT_COMMENT: &str = "\"a night opening from the day before continues past midnight\"";

fn hm(t: NaiveTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `2027 Jun 01`.
fn osm_date(d: NaiveDate) -> String {
    format!("{} {} {:02}", d.year(), OSM_MONTHS[d.month0() as usize], d.day())
}

/// `"10:00-12:00,13:00-15:00"` for the ranges of one kind, sorted by start.
fn times(ranges: &[&TimeRange]) -> String {
    ranges
        .iter()
        .map(|r| {
            let end = if r.end == NaiveTime::MIN { "24:00".to_string() } else { hm(r.end) };
            format!("{}-{}", hm(r.start), end)
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// `"Mo-We,Fr"` for a sorted list of weekday indices (0 = Monday).
fn day_selector(days: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] == days[j] + 1 {
            j += 1;
        }
        match j - i {
            0 => parts.push(OSM_DAYS[days[i]].to_string()),
            1 => parts.push(format!("{},{}", OSM_DAYS[days[i]], OSM_DAYS[days[j]])),
            _ => parts.push(format!("{}-{}", OSM_DAYS[days[i]], OSM_DAYS[days[j]])),
        }
        i = j + 1;
    }
    parts.join(",")
}

/// The date selectors that together cover a period's validity span (`None` for the
/// undated default period).
fn period_selectors(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Option<Vec<String>> {
    let range = |a: NaiveDate, b: NaiveDate| {
        if a == b {
            osm_date(a)
        } else {
            format!("{}-{}", osm_date(a), osm_date(b))
        }
    };
    match (from, to) {
        (None, None) => None,
        (Some(from), Some(to)) => Some(vec![range(from, to)]),
        (Some(from), None) => {
            let mut out = Vec::new();
            if (from.month(), from.day()) == (1, 1) {
                out.push(format!("{}+", from.year()));
            } else {
                let dec31 = NaiveDate::from_ymd_opt(from.year(), 12, 31).unwrap_or(from);
                out.push(range(from, dec31));
                out.push(format!("{}+", from.year() + 1));
            }
            Some(out)
        }
        (None, Some(to)) => {
            let mut out = Vec::new();
            if to.year() > 1970 {
                out.push(format!("1970-{}", to.year() - 1));
            }
            let jan1 = NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to);
            out.push(range(jan1, to));
            Some(out)
        }
    }
}

/// The staffed and self-service rules for ranges on the days matched by `selector`:
/// `"<sel> 10:00-16:00"` and `"<sel> 07:00-10:00 open \"self-service\""` (either may be
/// absent), to be joined with `", "`.
fn range_rules(selector: &str, ranges: &[&TimeRange]) -> Vec<String> {
    let mut ranges = ranges.to_vec();
    ranges.sort_by_key(|r| r.start);
    let staffed: Vec<&TimeRange> = ranges.iter().copied().filter(|r| r.kind == RangeKind::Staffed).collect();
    let self_service: Vec<&TimeRange> = ranges.iter().copied().filter(|r| r.kind == RangeKind::SelfService).collect();
    let mut parts = Vec::new();
    if !staffed.is_empty() {
        parts.push(format!("{selector} {}", times(&staffed)));
    }
    if !self_service.is_empty() {
        // Explicit "open": a bare comment would make the state "unknown".
        parts.push(format!("{selector} {} open \"self-service\"", times(&self_service)));
    }
    parts
}

/// The weekly rules of one period, each weekday selector preceded by `prefix` (a date
/// selector plus a space, or empty), joined as described in the module docs. Empty when
/// the week has no ranges.
fn week_rules(week: &WeekHours, prefix: &str) -> String {
    // Group weekdays with identical ranges, in Monday-first order of each group's first day.
    let mut groups: Vec<(Vec<&TimeRange>, Vec<usize>)> = Vec::new();
    for (n, &wd) in WEEKDAYS.iter().enumerate() {
        let mut ranges: Vec<&TimeRange> = week.get(wd).iter().collect();
        if ranges.is_empty() {
            continue;
        }
        ranges.sort_by_key(|r| (r.start, r.kind == RangeKind::SelfService));
        match groups.iter_mut().find(|(s, _)| *s == ranges) {
            Some((_, days)) => days.push(n),
            None => groups.push((ranges, vec![n])),
        }
    }

    // Weekday indices whose ranges spill past midnight into the next day.
    let spills: Vec<usize> = WEEKDAYS
        .iter()
        .enumerate()
        .filter(|(_, &wd)| week.get(wd).iter().any(|r| r.crosses_midnight() && r.end != NaiveTime::MIN))
        .map(|(n, _)| n)
        .collect();

    let mut out = String::new();
    let mut rendered_days: Vec<usize> = Vec::new();
    for (ranges, days) in &groups {
        let sel = format!("{prefix}{}", day_selector(days));
        if !out.is_empty() {
            // A normal rule (";") replaces everything earlier rules say about its days,
            // including the after-midnight part of the previous day's night range. If a
            // night range links one of these days with an already rendered day (either
            // way round), append instead; opening_hours.js also warns about the `;` form
            // when this group's night range runs into an earlier rule's day.
            let spilled_into = days.iter().any(|&d| {
                let (prev, next) = ((d + 6) % 7, (d + 1) % 7);
                (spills.contains(&prev) && rendered_days.contains(&prev))
                    || (spills.contains(&d) && rendered_days.contains(&next))
            });
            out.push_str(if spilled_into { ", " } else { "; " });
        }
        out.push_str(&range_rules(&sel, ranges).join(", "));
        rendered_days.extend(days);
    }
    out
}

impl OpeningHours {
    /// The hours as an OpenStreetMap `opening_hours` string, e.g.
    /// `Mo,We,Fr 10:00-15:00; Tu 12:00-19:00; PH off; Dec 24 off; Jun 19-25 Fr off`.
    /// See the module docs for the rules.
    pub fn to_osm(&self) -> String {
        self.render_osm(None)
    }

    /// [`OpeningHours::to_osm`] for use from `today` (a Helsinki date) on: dated periods
    /// that ended before `today` and exceptions before it are left out, and a period that
    /// began before `today` is written from `today`, so that no part of the string lies
    /// entirely in the past (opening_hours.js warns about such date ranges). Future
    /// exceptions are all kept, however far ahead, so a string computed earlier never misses
    /// one that has come closer since. The state it gives from `today` on is the same.
    pub fn to_osm_from(&self, today: NaiveDate) -> String {
        self.render_osm(Some(today))
    }

    fn render_osm(&self, today: Option<NaiveDate>) -> String {
        let mut rules: Vec<String> = Vec::new();
        let night_spill = self.periods.iter().any(|p| {
            WEEKDAYS.iter().any(|&wd| p.week.get(wd).iter().any(|r| r.crosses_midnight() && r.end != NaiveTime::MIN))
        });
        let mut any_open = false;

        // Periods, least specific first: the last rule matching a date wins, as the most
        // specific period does in the engine.
        let mut periods: Vec<(usize, &super::Period)> = self.periods.iter().enumerate().collect();
        periods.sort_by_key(|(i, p)| std::cmp::Reverse(specificity(*i, p)));
        for (_, period) in periods {
            if today.is_some_and(|today| period.valid_to.is_some_and(|to| to < today)) {
                continue;
            }
            let from = match (period.valid_from, today) {
                (Some(from), Some(today)) if from < today => Some(today),
                (None, Some(today)) if period.valid_to.is_some() => Some(today),
                (from, _) => from,
            };
            let week = week_rules(&period.week, "");
            match period_selectors(from, period.valid_to) {
                None => {
                    if !week.is_empty() {
                        any_open = true;
                        rules.push(week);
                    }
                }
                Some(selectors) => {
                    for sel in selectors {
                        if !rules.is_empty() {
                            // Close the span first: the period replaces all earlier hours.
                            rules.push(format!("{sel} off"));
                        }
                        let week = week_rules(&period.week, &format!("{sel} "));
                        if !week.is_empty() {
                            any_open = true;
                            rules.push(week);
                        }
                    }
                }
            }
        }

        let mut exceptions: Vec<&super::Exception> =
            self.exceptions.iter().filter(|e| today.is_none_or(|today| e.date >= today)).collect();
        // The engine uses the first exception listed for a date; keep that one.
        exceptions.sort_by_key(|e| e.date);
        exceptions.dedup_by_key(|e| e.date);
        let exception_rules: Vec<String> = exceptions
            .iter()
            .map(|e| {
                let ranges: Vec<&TimeRange> = e.ranges.iter().collect();
                if ranges.is_empty() {
                    if night_spill {
                        format!("{} off {NIGHT_COMMENT}", osm_date(e.date))
                    } else {
                        format!("{} off", osm_date(e.date))
                    }
                } else {
                    range_rules(&osm_date(e.date), &ranges).join(", ")
                }
            })
            .collect();
        any_open |= exceptions.iter().any(|e| !e.ranges.is_empty());

        if !any_open {
            return "off".to_string();
        }
        if self.open_on_holidays && exception_rules.is_empty() && self.periods.len() == 1 {
            let p = &self.periods[0];
            let whole_day = |wd| {
                let r: &[TimeRange] = p.week.get(wd);
                r.len() == 1
                    && r[0].kind == RangeKind::Staffed
                    && r[0].start == NaiveTime::MIN
                    && r[0].end == NaiveTime::MIN
            };
            if p.is_default() && WEEKDAYS.iter().all(|&wd| whole_day(wd)) {
                // Plain "24/7" only without "PH off": opening_hours.js warns that
                // "24/7; PH off" is probably not read as intended.
                return "24/7".to_string();
            }
        }
        if !self.open_on_holidays {
            if night_spill {
                rules.push(HOLIDAY_RULES.replace(" off", &format!(" off {NIGHT_COMMENT}")));
            } else {
                rules.push(HOLIDAY_RULES.to_string());
            }
        }
        rules.extend(exception_rules);
        rules.join("; ")
    }
}
#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::*;
    use chrono::Datelike;
    use chrono::Weekday::*;

    #[test]
    fn simple_weekly_hours() {
        let mut oh = weekly(&[Mon, Wed, Fri], &[staffed("10:00", "15:00")]);
        oh.periods[0].week.tue = vec![staffed("12:00", "19:00")];
        assert_eq!(oh.to_osm(), "Mo,We,Fr 10:00-15:00; Tu 12:00-19:00; PH off; Dec 24 off; Jun 19-25 Fr off");

        let oh = weekly(&[Mon, Tue, Wed, Thu, Fri], &[staffed("09:00", "11:00"), staffed("13:00", "15:00")]);
        assert_eq!(oh.to_osm(), "Mo-Fr 09:00-11:00,13:00-15:00; PH off; Dec 24 off; Jun 19-25 Fr off");

        let oh = weekly(&[Tue, Thu], &[staffed("12:00", "19:00")]);
        assert_eq!(oh.to_osm(), "Tu,Th 12:00-19:00; PH off; Dec 24 off; Jun 19-25 Fr off");
    }

    #[test]
    fn self_service_as_additional_commented_rule() {
        let mut oh = weekly(&[Mon, Tue, Wed, Thu, Fri, Sat, Sun], &[selfs("07:00", "21:00")]);
        oh.open_on_holidays = true;
        assert_eq!(oh.to_osm(), r#"Mo-Su 07:00-21:00 open "self-service""#);

        let mut oh = weekly(
            &[Mon, Tue, Wed, Thu],
            &[selfs("07:00", "10:00"), staffed("10:00", "19:00"), selfs("19:00", "21:00")],
        );
        oh.periods[0].week.sun = vec![selfs("07:00", "21:00")];
        assert_eq!(
            oh.to_osm(),
            r#"Mo-Th 10:00-19:00, Mo-Th 07:00-10:00,19:00-21:00 open "self-service"; Su 07:00-21:00 open "self-service"; PH off; Dec 24 off; Jun 19-25 Fr off"#
        );
    }

    #[test]
    fn midnight_night_ranges_and_around_the_clock() {
        let mut oh = weekly(&[Fri], &[staffed("22:00", "02:00")]);
        oh.periods[0].week.sat = vec![staffed("20:00", "24:00")];
        // Saturday's rule must not cancel Friday's night range: additional rule.
        let n = r#""a night opening from the day before continues past midnight""#;
        let night_h = format!("PH off {n}; Dec 24 off {n}; Jun 19-25 Fr off {n}");
        assert_eq!(oh.to_osm(), format!("Fr 22:00-02:00, Sa 20:00-24:00; {night_h}"));
        // Ending at midnight does not spill; Sunday's night range spills into Monday,
        // rendered earlier, so it is appended too.
        let mut oh = weekly(&[Mon, Sat], &[staffed("20:00", "24:00")]);
        oh.periods[0].week.sun = vec![staffed("22:00", "03:00")];
        assert_eq!(oh.to_osm(), format!("Mo,Sa 20:00-24:00, Su 22:00-03:00; {night_h}"));
        // A closed exception says so too.
        oh.exceptions =
            vec![Exception { date: d("2027-02-15"), ranges: vec![], reason: Localized::new("Syy", "Orsak", "Reason") }];
        assert!(oh.to_osm().ends_with(&format!("; 2027 Feb 15 off {n}")), "{}", oh.to_osm());
        // The engine keeps the night range past midnight into the closed day: the reason
        // for the comment.
        assert!(oh.is_staffed_at(hel("2027-02-15 01:00")));
        let mut oh = weekly(&[Mon], &[staffed("10:00", "24:00")]);
        oh.periods[0].week.wed = vec![staffed("10:00", "12:00")];
        assert_eq!(oh.to_osm(), "Mo 10:00-24:00; We 10:00-12:00; PH off; Dec 24 off; Jun 19-25 Fr off");

        let mut oh = weekly(&[Mon, Tue, Wed, Thu, Fri, Sat, Sun], &[staffed("00:00", "24:00")]);
        assert_eq!(oh.to_osm(), "Mo-Su 00:00-24:00; PH off; Dec 24 off; Jun 19-25 Fr off");
        oh.open_on_holidays = true;
        assert_eq!(oh.to_osm(), "24/7");
    }

    const H: &str = "PH off; Dec 24 off; Jun 19-25 Fr off";

    #[test]
    fn empty_and_dated_periods() {
        assert_eq!(OpeningHours::default().to_osm(), "off");
        assert_eq!(weekly(&[], &[]).to_osm(), "off");

        // No default period: every dated period is rendered with its dates, the shorter
        // (more specific) one last so that it wins where they overlap.
        let mut oh = weekly(&[Mon], &[staffed("10:00", "16:00")]);
        oh.periods[0].valid_from = Some(d("2027-06-01"));
        oh.periods[0].valid_to = Some(d("2027-08-15"));
        let mut long = weekly(&[Tue], &[staffed("11:00", "18:00")]).periods.remove(0);
        long.valid_from = Some(d("2026-08-16"));
        long.valid_to = Some(d("2027-05-31"));
        oh.periods.push(long);
        assert_eq!(
            oh.to_osm(),
            format!(
                "2026 Aug 16-2027 May 31 Tu 11:00-18:00; 2027 Jun 01-2027 Aug 15 off; \
                 2027 Jun 01-2027 Aug 15 Mo 10:00-16:00; {H}"
            )
        );

        // The default period comes first even if listed last; every dated period then
        // closes its span before giving its own hours.
        oh.periods.push(weekly(&[Wed], &[staffed("12:00", "13:00")]).periods.remove(0));
        assert_eq!(
            oh.to_osm(),
            format!(
                "We 12:00-13:00; 2026 Aug 16-2027 May 31 off; 2026 Aug 16-2027 May 31 Tu 11:00-18:00; \
                 2027 Jun 01-2027 Aug 15 off; 2027 Jun 01-2027 Aug 15 Mo 10:00-16:00; {H}"
            )
        );
    }

    #[test]
    fn summer_hours_with_self_service_and_a_closed_period() {
        let mut oh = weekly(&[Mon, Tue], &[selfs("08:00", "10:00"), staffed("10:00", "19:00")]);
        let mut summer = weekly(&[Mon, Tue], &[staffed("10:00", "16:00")]).periods.remove(0);
        summer.valid_from = Some(d("2027-06-01"));
        summer.valid_to = Some(d("2027-08-15"));
        oh.periods.push(summer);
        let mut renovation = weekly(&[], &[]).periods.remove(0);
        renovation.valid_from = Some(d("2027-07-05"));
        renovation.valid_to = Some(d("2027-07-05"));
        oh.periods.push(renovation);
        assert_eq!(
            oh.to_osm(),
            format!(
                "Mo,Tu 10:00-19:00, Mo,Tu 08:00-10:00 open \"self-service\"; 2027 Jun 01-2027 Aug 15 off; \
                 2027 Jun 01-2027 Aug 15 Mo,Tu 10:00-16:00; 2027 Jul 05 off; {H}"
            )
        );
    }

    #[test]
    fn open_ended_periods_use_year_selectors() {
        let mut oh = weekly(&[Mon], &[staffed("10:00", "16:00")]);
        let mut from = weekly(&[Mon], &[staffed("09:00", "15:00")]).periods.remove(0);
        from.valid_from = Some(d("2027-07-01"));
        oh.periods.push(from);
        assert_eq!(
            oh.to_osm(),
            format!(
                "Mo 10:00-16:00; 2027 Jul 01-2027 Dec 31 off; 2027 Jul 01-2027 Dec 31 Mo 09:00-15:00; \
                 2028+ off; 2028+ Mo 09:00-15:00; {H}"
            )
        );
        oh.periods[1].valid_from = Some(d("2028-01-01"));
        assert_eq!(oh.to_osm(), format!("Mo 10:00-16:00; 2028+ off; 2028+ Mo 09:00-15:00; {H}"));
        oh.periods[1].valid_from = None;
        oh.periods[1].valid_to = Some(d("2027-06-30"));
        assert_eq!(
            oh.to_osm(),
            format!(
                "Mo 10:00-16:00; 1970-2026 off; 1970-2026 Mo 09:00-15:00; 2027 Jan 01-2027 Jun 30 off; \
                 2027 Jan 01-2027 Jun 30 Mo 09:00-15:00; {H}"
            )
        );
    }

    #[test]
    fn exceptions_come_last_with_their_dates() {
        let mut oh = weekly(&[Mon, Tue, Wed, Thu, Fri], &[staffed("10:00", "16:00")]);
        let reason = Localized::new("Syy", "Orsak", "Reason");
        oh.exceptions = vec![
            Exception { date: d("2027-12-06"), ranges: vec![staffed("12:00", "14:00")], reason: reason.clone() },
            Exception { date: d("2027-02-14"), ranges: vec![], reason: reason.clone() },
            // A second exception for the same date: the engine uses the first one.
            Exception { date: d("2027-02-14"), ranges: vec![staffed("10:00", "11:00")], reason: reason.clone() },
            Exception {
                date: d("2027-03-01"),
                ranges: vec![staffed("10:00", "12:00"), selfs("08:00", "10:00")],
                reason: reason.clone(),
            },
        ];
        assert_eq!(
            oh.to_osm(),
            format!(
                "Mo-Fr 10:00-16:00; {H}; 2027 Feb 14 off; 2027 Mar 01 10:00-12:00, \
                 2027 Mar 01 08:00-10:00 open \"self-service\"; 2027 Dec 06 12:00-14:00"
            )
        );
        assert_eq!(oh.day(d("2027-02-14")).ranges, vec![], "the engine agrees: the first exception wins");

        // Only an exception open: not "off".
        let oh = OpeningHours {
            exceptions: vec![Exception { date: d("2027-02-14"), ranges: vec![staffed("10:00", "12:00")], reason }],
            ..Default::default()
        };
        assert_eq!(oh.to_osm(), format!("{H}; 2027 Feb 14 10:00-12:00"));
    }

    #[test]
    fn from_today_leaves_out_the_past() {
        let mut oh = weekly(&[Mon], &[staffed("10:00", "16:00")]);
        for (from, to) in [("2026-06-01", "2026-08-16"), ("2027-06-01", "2027-08-15")] {
            let mut summer = weekly(&[Mon], &[staffed("10:00", "15:00")]).periods.remove(0);
            summer.valid_from = Some(d(from));
            summer.valid_to = Some(d(to));
            oh.periods.push(summer);
        }
        let reason = Localized::new("Syy", "Orsak", "Reason");
        oh.exceptions = vec![
            Exception { date: d("2026-11-30"), ranges: vec![], reason: reason.clone() },
            Exception { date: d("2028-02-14"), ranges: vec![], reason },
        ];
        let today = d("2026-12-01");
        assert_eq!(
            oh.to_osm_from(today),
            format!(
                "Mo 10:00-16:00; 2027 Jun 01-2027 Aug 15 off; 2027 Jun 01-2027 Aug 15 Mo 10:00-15:00; {H}; 2028 Feb 14 off"
            )
        );
        // In the middle of summer: the period is written from today.
        assert_eq!(
            oh.to_osm_from(d("2027-07-01")),
            format!(
                "Mo 10:00-16:00; 2027 Jul 01-2027 Aug 15 off; 2027 Jul 01-2027 Aug 15 Mo 10:00-15:00; {H}; 2028 Feb 14 off"
            )
        );
        // An open start is written from today, too.
        oh.periods[1].valid_from = None;
        oh.periods.truncate(2);
        assert_eq!(oh.to_osm_from(d("2026-08-01")), format!("Mo 10:00-16:00; 2026 Aug 01-2026 Aug 16 off; 2026 Aug 01-2026 Aug 16 Mo 10:00-15:00; {H}; 2026 Nov 30 off; 2028 Feb 14 off"));
    }

    #[test]
    fn eve_rules_match_the_engine_holidays() {
        // The engine closes on Christmas Eve and Midsummer Eve, which opening_hours.js's
        // "PH" for Finland does not include: the rules must name exactly those dates.
        let oh = weekly(&[Mon, Tue, Wed, Thu, Fri, Sat, Sun], &[staffed("10:00", "16:00")]);
        for year in 2026..=2040 {
            let eves: Vec<_> = crate::hours::holidays(year)
                .into_iter()
                .filter(|h| matches!(h.code, HolidayCode::ChristmasEve | HolidayCode::MidsummerEve))
                .collect();
            assert_eq!(eves.len(), 2);
            for eve in eves {
                assert!(oh.day(eve.date).ranges.is_empty(), "{year}: the engine closes on {}", eve.date);
                let (m, day, wd) = (eve.date.month(), eve.date.day(), eve.date.weekday());
                let christmas = (m, day) == (12, 24);
                let midsummer = m == 6 && (19..=25).contains(&day) && wd == chrono::Weekday::Fri;
                assert!(christmas || midsummer, "{year}: {} not matched by the eve rules", eve.date);
            }
        }
        // Open on holidays: no holiday rules at all.
        let mut oh = oh;
        oh.open_on_holidays = true;
        assert_eq!(oh.to_osm(), "Mo-Su 10:00-16:00");
    }
}
