//! Export of the regular weekly hours as an OpenStreetMap `opening_hours` value
//! (<https://wiki.openstreetmap.org/wiki/Key:opening_hours>), for map exports and
//! interoperability. Only the weekly ranges of one period are rendered; dated periods
//! and one-day exceptions are not.
//!
//! Format produced:
//! * days with identical hours share one rule: `Mo-Fr 10:00-16:00`, `Mo,We,Fr 10:00-15:00`
//!   (runs of three or more days become ranges);
//! * rules for different days are separated by `"; "`;
//! * self-service ranges are a separate *additional* rule (separator `", "`, so it does
//!   not override the staffed rule for the same days), explicitly `open` (a bare comment
//!   would mean state "unknown") with the comment `"self-service"`:
//!   `Mo-Th 10:00-19:00, Mo-Th 07:00-10:00,19:00-21:00 open "self-service"`;
//! * midnight as an end is `24:00`; a night range is written as it wraps, `22:00-02:00`,
//!   and the rule for the following day is then joined with `", "` so that it does not
//!   cancel the part after midnight;
//! * `PH off` is appended unless the place is open on public holidays;
//! * no ranges at all gives `off`; staffed round the clock every day, open on holidays
//!   too, gives `24/7`.
//!
//! The output was checked with the reference parser (opening_hours.js 3.x) during
//! development: it parses without warnings and gives the expected states.

use chrono::{NaiveTime, Timelike};

use super::{OpeningHours, Period, RangeKind, TimeRange, WEEKDAYS};

/// OSM two-letter weekday abbreviations, Monday first.
const OSM_DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

fn hm(t: NaiveTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
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

impl OpeningHours {
    /// The period rendered by [`OpeningHours::to_osm`]: the default (undated) period, or
    /// if there is none, the period covering the most days (open-ended = infinite; ties
    /// go to the earlier in the list).
    fn osm_period(&self) -> Option<&Period> {
        self.periods.iter().find(|p| p.is_default()).or_else(|| {
            self.periods
                .iter()
                .enumerate()
                .max_by_key(|(i, p)| {
                    let days = match (p.valid_from, p.valid_to) {
                        (Some(from), Some(to)) => (to - from).num_days() + 1,
                        _ => i64::MAX,
                    };
                    (days, std::cmp::Reverse(*i))
                })
                .map(|(_, p)| p)
        })
    }

    /// The regular weekly hours as an OpenStreetMap `opening_hours` string, e.g.
    /// `Mo,We,Fr 10:00-15:00; Tu 12:00-19:00; PH off`. See the module docs for the rules.
    pub fn to_osm(&self) -> String {
        let Some(period) = self.osm_period() else {
            return "off".to_string();
        };

        // Group weekdays with identical (staffed, self-service) ranges, in Monday-first
        // order of each group's first day.
        type Signature<'a> = (Vec<&'a TimeRange>, Vec<&'a TimeRange>);
        let mut groups: Vec<(Signature, Vec<usize>)> = Vec::new();
        for (n, &wd) in WEEKDAYS.iter().enumerate() {
            let mut ranges: Vec<&TimeRange> = period.week.get(wd).iter().collect();
            if ranges.is_empty() {
                continue;
            }
            ranges.sort_by_key(|r| r.start);
            let sig: Signature = (
                ranges.iter().copied().filter(|r| r.kind == RangeKind::Staffed).collect(),
                ranges.iter().copied().filter(|r| r.kind == RangeKind::SelfService).collect(),
            );
            match groups.iter_mut().find(|(s, _)| *s == sig) {
                Some((_, days)) => days.push(n),
                None => groups.push((sig, vec![n])),
            }
        }
        if groups.is_empty() {
            return "off".to_string();
        }

        let whole_day = |r: &&TimeRange| r.start == NaiveTime::MIN && r.end == NaiveTime::MIN;
        if self.open_on_holidays
            && groups.len() == 1
            && groups[0].1.len() == 7
            && groups[0].0 .1.is_empty()
            && groups[0].0 .0.len() == 1
            && whole_day(&groups[0].0 .0[0])
        {
            // Plain "24/7" only without "PH off": opening_hours.js warns that
            // "24/7; PH off" is probably not read as intended.
            return "24/7".to_string();
        }

        // Weekday indices whose ranges spill past midnight into the next day.
        let spills: Vec<usize> = WEEKDAYS
            .iter()
            .enumerate()
            .filter(|(_, &wd)| period.week.get(wd).iter().any(|r| r.crosses_midnight() && r.end != NaiveTime::MIN))
            .map(|(n, _)| n)
            .collect();

        let mut out = String::new();
        let mut rendered_days: Vec<usize> = Vec::new();
        for ((staffed, self_service), days) in &groups {
            let sel = day_selector(days);
            let mut parts = Vec::new();
            if !staffed.is_empty() {
                parts.push(format!("{sel} {}", times(staffed)));
            }
            if !self_service.is_empty() {
                // Explicit "open": a bare comment would make the state "unknown".
                parts.push(format!("{sel} {} open \"self-service\"", times(self_service)));
            }
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
            out.push_str(&parts.join(", "));
            rendered_days.extend(days);
        }
        if !self.open_on_holidays {
            out.push_str("; PH off");
        }
        out
    }
}
#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::*;
    use chrono::Weekday::*;

    #[test]
    fn simple_weekly_hours() {
        let mut oh = weekly(&[Mon, Wed, Fri], &[staffed("10:00", "15:00")]);
        oh.periods[0].week.tue = vec![staffed("12:00", "19:00")];
        assert_eq!(oh.to_osm(), "Mo,We,Fr 10:00-15:00; Tu 12:00-19:00; PH off");

        let oh = weekly(&[Mon, Tue, Wed, Thu, Fri], &[staffed("09:00", "11:00"), staffed("13:00", "15:00")]);
        assert_eq!(oh.to_osm(), "Mo-Fr 09:00-11:00,13:00-15:00; PH off");

        let oh = weekly(&[Tue, Thu], &[staffed("12:00", "19:00")]);
        assert_eq!(oh.to_osm(), "Tu,Th 12:00-19:00; PH off");
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
            r#"Mo-Th 10:00-19:00, Mo-Th 07:00-10:00,19:00-21:00 open "self-service"; Su 07:00-21:00 open "self-service"; PH off"#
        );
    }

    #[test]
    fn midnight_night_ranges_and_around_the_clock() {
        let mut oh = weekly(&[Fri], &[staffed("22:00", "02:00")]);
        oh.periods[0].week.sat = vec![staffed("20:00", "24:00")];
        // Saturday's rule must not cancel Friday's night range: additional rule.
        assert_eq!(oh.to_osm(), "Fr 22:00-02:00, Sa 20:00-24:00; PH off");
        // Ending at midnight does not spill; Sunday's night range spills into Monday,
        // rendered earlier, so it is appended too.
        let mut oh = weekly(&[Mon, Sat], &[staffed("20:00", "24:00")]);
        oh.periods[0].week.sun = vec![staffed("22:00", "03:00")];
        assert_eq!(oh.to_osm(), "Mo,Sa 20:00-24:00, Su 22:00-03:00; PH off");
        let mut oh = weekly(&[Mon], &[staffed("10:00", "24:00")]);
        oh.periods[0].week.wed = vec![staffed("10:00", "12:00")];
        assert_eq!(oh.to_osm(), "Mo 10:00-24:00; We 10:00-12:00; PH off");

        let mut oh = weekly(&[Mon, Tue, Wed, Thu, Fri, Sat, Sun], &[staffed("00:00", "24:00")]);
        assert_eq!(oh.to_osm(), "Mo-Su 00:00-24:00; PH off");
        oh.open_on_holidays = true;
        assert_eq!(oh.to_osm(), "24/7");
    }

    #[test]
    fn empty_and_period_choice() {
        assert_eq!(OpeningHours::default().to_osm(), "off");
        assert_eq!(weekly(&[], &[]).to_osm(), "off");

        // No default period: the longest one is rendered.
        let mut oh = weekly(&[Mon], &[staffed("10:00", "16:00")]);
        oh.periods[0].valid_from = Some(d("2027-06-01"));
        oh.periods[0].valid_to = Some(d("2027-08-15"));
        let mut long = weekly(&[Tue], &[staffed("11:00", "18:00")]).periods.remove(0);
        long.valid_from = Some(d("2026-08-16"));
        long.valid_to = Some(d("2027-05-31"));
        oh.periods.push(long);
        assert_eq!(oh.to_osm(), "Tu 11:00-18:00; PH off");

        // With a default period, it is rendered even if listed last.
        oh.periods.push(weekly(&[Wed], &[staffed("12:00", "13:00")]).periods.remove(0));
        assert_eq!(oh.to_osm(), "We 12:00-13:00; PH off");
    }
}
