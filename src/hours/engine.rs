//! Resolving days and instants: which ranges apply on a date, and the state at (and the
//! next change after) an instant. Pure functions only; the instant is always a parameter.

use chrono::offset::LocalResult;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Helsinki;
use std::cmp::Reverse;

use super::holidays::holiday_on;
use super::{Change, Day, DayKind, OpeningHours, Period, RangeKind, State, Status, TimeRange};

/// How far [`OpeningHours::status_at`] looks for the next change, in days after today.
const LOOKAHEAD_DAYS: i64 = 366;

/// A resolved range as an interval of instants, `[start, end)`.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    kind: RangeKind,
}

/// Converts a Helsinki wall-clock time to an instant.
///
/// * Ambiguous (autumn fall-back, 03:00–03:59 twice): the earlier instant.
/// * Non-existent (spring-forward gap, 03:00–03:59): the first valid instant after the
///   gap. Found by stepping forward a minute at a time; data times are whole minutes and
///   real gaps are at most an hour or two, so this ends quickly (bounded to one day).
pub fn helsinki_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..=(24 * 60) {
        match Helsinki.from_local_datetime(&probe) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(earlier, later) => {
                return earlier.min(later).with_timezone(&Utc);
            }
            LocalResult::None => {
                // Truncate to the whole minute first so that a probe with seconds also
                // lands exactly on the end of the gap.
                let whole_minute = probe.with_second(0).and_then(|p| p.with_nanosecond(0));
                probe = whole_minute.unwrap_or(probe) + Duration::minutes(1);
            }
        }
    }
    // Unreachable for real tz data; fall back to reading the time as UTC+2 (EET).
    Utc.from_utc_datetime(&(local - Duration::hours(2)))
}

/// The instant at which the Helsinki calendar date `date` begins.
fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    helsinki_to_utc(date.and_time(NaiveTime::MIN))
}

/// The Helsinki calendar date of an instant.
pub fn helsinki_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Helsinki).date_naive()
}

/// Sort key for choosing the most specific period; the smallest key wins:
/// shortest span (open-ended = infinite), then fewer open bounds, then the later
/// `valid_from` (newer rules replace older ones), then the earlier position in the list.
pub(super) fn specificity(index: usize, p: &Period) -> (i64, u8, Reverse<Option<NaiveDate>>, usize) {
    let span = match (p.valid_from, p.valid_to) {
        (Some(from), Some(to)) => (to - from).num_days(),
        _ => i64::MAX,
    };
    let open_bounds = u8::from(p.valid_from.is_none()) + u8::from(p.valid_to.is_none());
    (span, open_bounds, Reverse(p.valid_from), index)
}

impl OpeningHours {
    /// The period that governs `date`: the most specific of those covering it
    /// (see [`Period`] for the tie-break rules), or `None` if no period covers it.
    pub fn period_for(&self, date: NaiveDate) -> Option<&Period> {
        self.periods
            .iter()
            .enumerate()
            .filter(|(_, p)| p.covers(date))
            .min_by_key(|(i, p)| specificity(*i, p))
            .map(|(_, p)| p)
    }

    /// The resolved hours of one date, by precedence: exception (the first one for the
    /// date, if the data has duplicates) > public holiday (closed, or the regular hours if
    /// `open_on_holidays`) > the governing period's weekday ranges > closed.
    pub fn day(&self, date: NaiveDate) -> Day {
        let holiday = holiday_on(date);
        let holiday_code = holiday.as_ref().map(|h| h.code);

        if let Some(ex) = self.exceptions.iter().find(|e| e.date == date) {
            return Day {
                date,
                ranges: sorted(ex.ranges.clone()),
                kind: DayKind::Exception,
                reason: Some(ex.reason.clone()),
                holiday: holiday_code,
                period_name: None,
            };
        }

        let period = self.period_for(date);
        let regular = period.map(|p| sorted(p.week.get(date.weekday()).to_vec())).unwrap_or_default();
        let period_name = period.and_then(|p| p.name.clone());

        match holiday {
            Some(h) => Day {
                date,
                ranges: if self.open_on_holidays { regular } else { Vec::new() },
                kind: DayKind::Holiday,
                reason: Some(h.name),
                holiday: Some(h.code),
                period_name: if self.open_on_holidays { period_name } else { None },
            },
            None => Day {
                date,
                kind: if regular.is_empty() { DayKind::Closed } else { DayKind::Regular },
                ranges: regular,
                reason: None,
                holiday: None,
                period_name,
            },
        }
    }

    /// The resolved days from `from` to `to`, both inclusive (empty if `from > to`).
    /// The caller is responsible for limiting the span.
    pub fn schedule(&self, from: NaiveDate, to: NaiveDate) -> Vec<Day> {
        from.iter_days().take_while(|d| *d <= to).map(|d| self.day(d)).collect()
    }

    /// The ranges starting on `date` as intervals of instants. A range with
    /// `end <= start` ends on the following date.
    fn segments(&self, date: NaiveDate) -> Vec<Segment> {
        self.day(date)
            .ranges
            .iter()
            .filter_map(|r| {
                let end_date = if r.crosses_midnight() { date.succ_opt()? } else { date };
                let seg = Segment {
                    start: helsinki_to_utc(date.and_time(r.start)),
                    end: helsinki_to_utc(end_date.and_time(r.end)),
                    kind: r.kind,
                };
                // A range entirely inside the spring-forward gap collapses to nothing.
                (seg.start < seg.end).then_some(seg)
            })
            .collect()
    }

    /// Only the state at `at`, without looking for the next change.
    fn state_only(&self, at: DateTime<Utc>) -> State {
        let today = helsinki_date(at);
        // Only yesterday's overnight ranges and today's ranges can contain `at`.
        let mut segs = today.pred_opt().map(|y| self.segments(y)).unwrap_or_default();
        segs.extend(self.segments(today));
        state_among(&segs, at)
    }

    /// Whether staff are present (digital help available) at `at`.
    pub fn is_staffed_at(&self, at: DateTime<Utc>) -> bool {
        self.state_only(at) == State::Staffed
    }

    /// The state at `at`, today's special reason (holiday or exception), and the next
    /// instant at which the state changes (searched up to 366 days after today).
    ///
    /// Ranges are half-open: open exactly at the opening time, closed exactly at the
    /// closing time. Ranges of the same kind that touch or overlap (10–12 and 12–14, or
    /// Friday 22–24 and Saturday 00–02) count as one, so there is no change between them;
    /// if ranges of different kinds overlap (invalid data) staffed wins.
    pub fn status_at(&self, at: DateTime<Utc>) -> Status {
        let today = helsinki_date(at);
        let reason = self.day(today).reason;

        let mut segs = today.pred_opt().map(|y| self.segments(y)).unwrap_or_default();
        segs.extend(self.segments(today));
        let state = state_among(&segs, at);

        // Walk forward day by day. Ranges of day D start no earlier than D 00:00, so once
        // days up to D are loaded, the state at every instant before (D+1) 00:00 is final.
        // Candidate change points are range starts and ends; evaluate them in order.
        let mut lower = at; // candidates must be > at, then >= previous horizon
        let mut first_round = true;
        let mut day = today;
        let last_day = today.checked_add_signed(Duration::days(LOOKAHEAD_DAYS)).unwrap_or(NaiveDate::MAX);
        let next_change = loop {
            let Some(next_day) = day.succ_opt() else {
                break None;
            };
            let horizon = start_of_day(next_day);
            let mut candidates: Vec<DateTime<Utc>> = segs
                .iter()
                .flat_map(|s| [s.start, s.end])
                .filter(|&b| (if first_round { b > lower } else { b >= lower }) && b < horizon)
                .collect();
            candidates.sort();
            candidates.dedup();
            if let Some(change) = candidates
                .into_iter()
                .map(|b| Change { at: b, state: state_among(&segs, b) })
                .find(|c| c.state != state)
            {
                break Some(change);
            }
            if next_day > last_day {
                break None;
            }
            first_round = false;
            lower = horizon;
            // Segments ending before the horizon can no longer contain or bound a candidate.
            segs.retain(|s| s.end >= horizon);
            segs.extend(self.segments(next_day));
            day = next_day;
        };

        Status { state, reason, next_change }
    }
}

/// The state at `t` given all segments that could contain it.
fn state_among(segs: &[Segment], t: DateTime<Utc>) -> State {
    let mut state = State::Closed;
    for s in segs.iter().filter(|s| s.start <= t && t < s.end) {
        match s.kind {
            RangeKind::Staffed => return State::Staffed,
            RangeKind::SelfService => state = State::SelfService,
        }
    }
    state
}

fn sorted(mut ranges: Vec<TimeRange>) -> Vec<TimeRange> {
    ranges.sort_by_key(|r| r.start);
    ranges
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::*;
    use chrono::{Duration, Offset, Weekday};
    use Weekday::*;

    const ALL: [Weekday; 7] = [Mon, Tue, Wed, Thu, Fri, Sat, Sun];

    fn change(oh: &OpeningHours, at: DateTime<Utc>) -> (State, Option<(DateTime<Utc>, State)>) {
        let s = oh.status_at(at);
        (s.state, s.next_change.map(|c| (c.at, c.state)))
    }

    /// UTC offset in hours of an instant in Helsinki.
    fn offset_h(at: DateTime<Utc>) -> i32 {
        at.with_timezone(&chrono_tz::Europe::Helsinki).offset().fix().local_minus_utc() / 3600
    }

    #[test]
    fn dst_conversion_rules() {
        // Spring 2027-03-28: 03:30 does not exist -> first instant after the gap, 04:00 EEST.
        assert_eq!(helsinki_to_utc(d("2027-03-28").and_time(t("03:30"))), utc("2027-03-28 01:00"));
        assert_eq!(helsinki_to_utc(d("2027-03-28").and_time(t("03:00"))), utc("2027-03-28 01:00"));
        assert_eq!(helsinki_to_utc(d("2027-03-28").and_time(t("02:59"))), utc("2027-03-28 00:59"));
        // Autumn 2027-10-31: 03:30 happens twice -> the earlier (EEST, UTC+3).
        assert_eq!(helsinki_to_utc(d("2027-10-31").and_time(t("03:30"))), utc("2027-10-31 00:30"));
        assert_eq!(helsinki_to_utc(d("2027-10-31").and_time(t("04:00"))), utc("2027-10-31 02:00"));
    }

    #[test]
    fn spring_forward_day() {
        // 2027-03-28 is both the DST change and Easter Sunday, hence open_on_holidays.
        let mut oh = weekly(&ALL, &[staffed("02:00", "05:00")]);
        oh.open_on_holidays = true;
        // 01:00 EET (UTC+2): closed, opens 02:00 EET = 00:00 UTC.
        let before = hel("2027-03-28 01:00");
        assert_eq!(offset_h(before), 2);
        let (st, next) = change(&oh, before);
        assert_eq!(st, State::Closed);
        let (at, to) = next.unwrap();
        assert_eq!((at, to), (utc("2027-03-28 00:00"), State::Staffed));
        assert_eq!(offset_h(at), 2);
        // 02:30 EET: staffed, closes 05:00 EEST (UTC+3) = 02:00 UTC: only 2 h open.
        let (st, next) = change(&oh, utc("2027-03-28 00:30"));
        assert_eq!(st, State::Staffed);
        let (at, to) = next.unwrap();
        assert_eq!((at, to), (utc("2027-03-28 02:00"), State::Closed));
        assert_eq!(offset_h(at), 3);
        assert_eq!(at.with_timezone(&chrono_tz::Europe::Helsinki).format("%H:%M").to_string(), "05:00");
        // Right after the jump (04:10 EEST) still staffed; at 05:00 EEST closed.
        assert!(oh.is_staffed_at(utc("2027-03-28 01:10")));
        assert!(!oh.is_staffed_at(utc("2027-03-28 02:00")));
        // Holiday still named although open.
        assert_eq!(oh.status_at(utc("2027-03-28 00:30")).reason.unwrap().fi, "Pääsiäispäivä");
    }

    #[test]
    fn spring_forward_range_starting_in_gap() {
        // A Sunday range 03:30–05:00: 03:30 does not exist, so it opens at 04:00 EEST.
        let mut oh = weekly(&[Sun], &[staffed("03:30", "05:00")]);
        oh.open_on_holidays = true;
        let (st, next) = change(&oh, hel("2027-03-28 01:00"));
        assert_eq!(st, State::Closed);
        assert_eq!(next, Some((utc("2027-03-28 01:00"), State::Staffed)));
        assert_eq!(offset_h(utc("2027-03-28 01:00")), 3);
    }

    #[test]
    fn fall_back_day() {
        // 2027-10-31 (Sunday, not a holiday): 02:00 EEST .. 05:00 EET lasts 4 h.
        let oh = weekly(&[Sun], &[staffed("02:00", "05:00")]);
        let before = hel("2027-10-31 01:00");
        let (st, next) = change(&oh, before);
        assert_eq!(st, State::Closed);
        let (open_at, to) = next.unwrap();
        assert_eq!((open_at, to), (utc("2027-10-30 23:00"), State::Staffed));
        assert_eq!(offset_h(open_at), 3);
        let (st, next) = change(&oh, open_at);
        assert_eq!(st, State::Staffed, "open exactly at opening time");
        let (close_at, to) = next.unwrap();
        assert_eq!((close_at, to), (utc("2027-10-31 03:00"), State::Closed));
        assert_eq!(offset_h(close_at), 2);
        assert_eq!(close_at - open_at, Duration::hours(4));
        // During the repeated hour, both 03:30 EEST and 03:30 EET are inside the range.
        assert!(oh.is_staffed_at(utc("2027-10-31 00:30")));
        assert!(oh.is_staffed_at(utc("2027-10-31 01:30")));
        // The following Sunday opens at 02:00 EET = 00:00 UTC.
        let (_, next) = change(&oh, close_at);
        assert_eq!(next, Some((utc("2027-11-07 00:00"), State::Staffed)));
    }

    #[test]
    fn fall_back_range_starting_in_repeated_hour() {
        let oh = weekly(&[Sun], &[staffed("03:30", "05:00")]);
        let (_, next) = change(&oh, hel("2027-10-31 01:00"));
        assert_eq!(next, Some((utc("2027-10-31 00:30"), State::Staffed)), "earlier 03:30 (EEST)");
    }

    #[test]
    fn self_service_morning_then_staffed() {
        let oh = weekly(&[Mon, Tue, Wed, Thu, Fri], &[selfs("07:00", "10:00"), staffed("10:00", "16:00")]);
        // Monday 2027-01-11.
        let s = oh.status_at(hel("2027-01-11 08:00"));
        assert_eq!(s.state, State::SelfService);
        assert_eq!(s.reason, None);
        assert_eq!(s.next_change, Some(Change { at: hel("2027-01-11 10:00"), state: State::Staffed }));
        assert!(!oh.is_staffed_at(hel("2027-01-11 08:00")));
        let s = oh.status_at(hel("2027-01-11 10:00"));
        assert_eq!(s.state, State::Staffed);
        assert_eq!(s.next_change, Some(Change { at: hel("2027-01-11 16:00"), state: State::Closed }));
        // Before opening: the next change is to self-service at 07:00.
        let s = oh.status_at(hel("2027-01-11 06:00"));
        assert_eq!(s.next_change, Some(Change { at: hel("2027-01-11 07:00"), state: State::SelfService }));
    }

    #[test]
    fn staffed_then_self_service_until_evening() {
        let oh = weekly(&[Mon], &[staffed("10:00", "19:00"), selfs("19:00", "21:00")]);
        let s = oh.status_at(hel("2027-01-11 18:00"));
        assert_eq!(s.next_change, Some(Change { at: hel("2027-01-11 19:00"), state: State::SelfService }));
    }

    #[test]
    fn touching_ranges_of_same_kind_merge() {
        let oh = weekly(&[Mon], &[staffed("10:00", "12:00"), staffed("12:00", "14:00")]);
        let s = oh.status_at(hel("2027-01-11 11:00"));
        assert_eq!(s.next_change, Some(Change { at: hel("2027-01-11 14:00"), state: State::Closed }));
        // A lunch break is a real change.
        let oh = weekly(&[Mon], &[staffed("09:00", "11:00"), staffed("13:00", "15:00")]);
        let s = oh.status_at(hel("2027-01-11 09:00"));
        assert_eq!(s.next_change, Some(Change { at: hel("2027-01-11 11:00"), state: State::Closed }));
        let s = oh.status_at(hel("2027-01-11 11:00"));
        assert_eq!(s.state, State::Closed);
        assert_eq!(s.next_change, Some(Change { at: hel("2027-01-11 13:00"), state: State::Staffed }));
    }

    #[test]
    fn exactly_at_opening_and_closing() {
        let oh = weekly(&[Tue], &[staffed("12:00", "19:00")]);
        // Tuesday 2027-01-12.
        assert!(!oh.is_staffed_at(hel("2027-01-12 11:59")));
        assert!(oh.is_staffed_at(hel("2027-01-12 12:00")));
        assert!(oh.is_staffed_at(hel("2027-01-12 18:59")));
        assert!(!oh.is_staffed_at(hel("2027-01-12 19:00")));
        let s = oh.status_at(hel("2027-01-12 19:00"));
        assert_eq!(s.state, State::Closed);
        assert_eq!(s.next_change, Some(Change { at: hel("2027-01-19 12:00"), state: State::Staffed }));
    }

    #[test]
    fn across_midnight() {
        let oh = weekly(&[Fri], &[staffed("22:00", "02:00")]);
        // Friday 2027-01-15 22:00 .. Saturday 02:00.
        let s = oh.status_at(hel("2027-01-16 01:00"));
        assert_eq!(s.state, State::Staffed);
        assert_eq!(s.next_change, Some(Change { at: hel("2027-01-16 02:00"), state: State::Closed }));
        assert!(oh.is_staffed_at(hel("2027-01-15 23:59")));
        assert!(!oh.is_staffed_at(hel("2027-01-16 02:00")));
        // Day lists the range on Friday only.
        assert_eq!(oh.day(d("2027-01-15")).ranges.len(), 1);
        assert_eq!(oh.day(d("2027-01-16")).kind, DayKind::Closed);
    }

    #[test]
    fn until_midnight_continues_into_next_day_without_fake_change() {
        let oh = weekly(&[Fri], &[staffed("20:00", "24:00")]);
        let mut oh2 = oh.clone();
        oh2.periods[0].week.sat.push(staffed("00:00", "03:00"));
        let s = oh.status_at(hel("2027-01-15 21:00"));
        assert_eq!(s.next_change, Some(Change { at: hel("2027-01-16 00:00"), state: State::Closed }));
        let s = oh2.status_at(hel("2027-01-15 21:00"));
        assert_eq!(s.next_change, Some(Change { at: hel("2027-01-16 03:00"), state: State::Closed }));
    }

    #[test]
    fn around_the_clock_has_no_change() {
        let oh = weekly(&ALL, &[staffed("00:00", "24:00")]);
        let mut oh = oh;
        oh.open_on_holidays = true;
        let s = oh.status_at(hel("2027-01-15 21:00"));
        assert_eq!(s.state, State::Staffed);
        assert_eq!(s.next_change, None);
    }

    #[test]
    fn closed_forever_and_no_periods() {
        let s = OpeningHours::default().status_at(hel("2027-01-15 21:00"));
        assert_eq!(s, Status { state: State::Closed, reason: None, next_change: None });
        assert_eq!(OpeningHours::default().day(d("2027-01-15")).kind, DayKind::Closed);
    }

    #[test]
    fn holiday_overrides_regular_day() {
        let oh = weekly(&ALL, &[staffed("10:00", "16:00")]);
        // Independence Day 2027-12-06 is a Monday.
        let day = oh.day(d("2027-12-06"));
        assert_eq!(day.kind, DayKind::Holiday);
        assert!(day.ranges.is_empty());
        assert_eq!(day.holiday, Some(HolidayCode::IndependenceDay));
        assert_eq!(day.reason.as_ref().unwrap().get("en"), "Independence Day");
        let s = oh.status_at(hel("2027-12-06 12:00"));
        assert_eq!(s.state, State::Closed);
        assert_eq!(s.reason.unwrap().fi, "Itsenäisyyspäivä");
        assert_eq!(s.next_change, Some(Change { at: hel("2027-12-07 10:00"), state: State::Staffed }));
        // The day before: closing at 16:00 on the 5th, next opening skips the holiday.
        let s = oh.status_at(hel("2027-12-05 16:00"));
        assert_eq!(s.next_change, Some(Change { at: hel("2027-12-07 10:00"), state: State::Staffed }));
    }

    #[test]
    fn open_on_holidays_keeps_regular_hours_and_names_holiday() {
        let mut oh = weekly(&ALL, &[selfs("07:00", "21:00")]);
        oh.open_on_holidays = true;
        let day = oh.day(d("2027-12-06"));
        assert_eq!(day.kind, DayKind::Holiday);
        assert_eq!(day.ranges, vec![selfs("07:00", "21:00")]);
        assert_eq!(day.holiday, Some(HolidayCode::IndependenceDay));
        let s = oh.status_at(hel("2027-12-06 12:00"));
        assert_eq!(s.state, State::SelfService);
        assert_eq!(s.reason.unwrap().fi, "Itsenäisyyspäivä");
    }

    #[test]
    fn exception_overrides_holiday_and_regular_day() {
        let mut oh = weekly(&ALL, &[staffed("10:00", "16:00")]);
        oh.exceptions = vec![
            Exception {
                date: d("2027-12-06"),
                ranges: vec![staffed("12:00", "14:00")],
                reason: Localized::new("Itsenäisyyspäivän digikahvila", "Digikafé", "Digital café"),
            },
            Exception {
                date: d("2027-12-08"),
                ranges: vec![],
                reason: Localized::new("Koulutus", "Utbildning", "Training"),
            },
        ];
        let day = oh.day(d("2027-12-06"));
        assert_eq!(day.kind, DayKind::Exception);
        assert_eq!(day.holiday, Some(HolidayCode::IndependenceDay));
        assert_eq!(day.ranges, vec![staffed("12:00", "14:00")]);
        assert!(oh.is_staffed_at(hel("2027-12-06 13:00")));
        let s = oh.status_at(hel("2027-12-06 11:00"));
        assert_eq!(s.reason.unwrap().fi, "Itsenäisyyspäivän digikahvila");
        assert_eq!(s.next_change, Some(Change { at: hel("2027-12-06 12:00"), state: State::Staffed }));
        // Closed exception on an ordinary Wednesday.
        let s = oh.status_at(hel("2027-12-08 11:00"));
        assert_eq!(s.state, State::Closed);
        assert_eq!(s.reason.unwrap().get("en"), "Training");
        assert_eq!(oh.day(d("2027-12-08")).kind, DayKind::Exception);
        assert_eq!(oh.day(d("2027-12-08")).holiday, None);
    }

    fn with_summer() -> OpeningHours {
        let mut oh = weekly(&[Mon, Tue, Wed, Thu, Fri], &[staffed("10:00", "19:00")]);
        let mut summer = WeekHours::default();
        for wd in [Mon, Tue, Wed, Thu, Fri] {
            summer.get_mut(wd).push(staffed("10:00", "16:00"));
        }
        // A long open-ended period from 2027-01-01: less specific than the summer.
        let mut from_2027 = oh.periods[0].clone();
        from_2027.valid_from = Some(d("2027-01-01"));
        from_2027.week.mon = vec![staffed("09:00", "19:00")];
        oh.periods.push(Period {
            valid_from: Some(d("2027-06-01")),
            valid_to: Some(d("2027-08-15")),
            name: Some(Localized::new("Kesäaukiolo", "Sommaröppettider", "Summer hours")),
            week: summer,
        });
        oh.periods.push(from_2027);
        oh
    }

    #[test]
    fn summer_period_replaces_default_on_first_and_last_day() {
        let oh = with_summer();
        // 2027-05-31 Mon: open-ended 2027 period (Mon 09-19) beats the undated default.
        assert_eq!(oh.day(d("2027-05-31")).ranges, vec![staffed("09:00", "19:00")]);
        assert_eq!(oh.day(d("2026-05-25")).ranges, vec![staffed("10:00", "19:00")]);
        // First day (Tue 2027-06-01) and last day (Sun 2027-08-15 closed; check Fri 08-13
        // and the last day via a status lookup on Mon 08-16).
        let first = oh.day(d("2027-06-01"));
        assert_eq!(first.ranges, vec![staffed("10:00", "16:00")]);
        assert_eq!(first.period_name.unwrap().get("en"), "Summer hours");
        assert_eq!(oh.day(d("2027-08-13")).ranges, vec![staffed("10:00", "16:00")]);
        let last = oh.day(d("2027-08-15")); // a Sunday, closed in summer
        assert_eq!(last.kind, DayKind::Closed);
        assert_eq!(last.period_name.unwrap().fi, "Kesäaukiolo");
        assert_eq!(oh.day(d("2027-08-16")).ranges, vec![staffed("09:00", "19:00")]);
        let s = oh.status_at(hel("2027-06-01 15:00"));
        assert_eq!(s.next_change, Some(Change { at: hel("2027-06-01 16:00"), state: State::Closed }));
    }

    #[test]
    fn summer_period_last_day_is_inclusive() {
        let mut oh = with_summer();
        oh.periods[1].valid_to = Some(d("2027-08-13")); // a Friday
        assert_eq!(oh.day(d("2027-08-13")).ranges, vec![staffed("10:00", "16:00")]);
        assert!(!oh.is_staffed_at(hel("2027-08-13 17:00")));
        let s = oh.status_at(hel("2027-08-13 17:00"));
        assert_eq!(s.next_change, Some(Change { at: hel("2027-08-16 09:00"), state: State::Staffed }));
    }

    #[test]
    fn no_covering_period_means_closed() {
        let mut oh = weekly(&ALL, &[staffed("10:00", "16:00")]);
        oh.periods[0].valid_from = Some(d("2027-01-01"));
        oh.periods[0].valid_to = Some(d("2027-01-31"));
        assert_eq!(oh.day(d("2027-02-01")).kind, DayKind::Closed);
        let s = oh.status_at(hel("2027-01-31 17:00"));
        assert_eq!(s.next_change, None);
    }

    #[test]
    fn schedule_is_inclusive() {
        let oh = weekly(&[Mon], &[staffed("10:00", "16:00")]);
        let days = oh.schedule(d("2027-01-11"), d("2027-01-17"));
        assert_eq!(days.len(), 7);
        assert_eq!(days[0].kind, DayKind::Regular);
        assert!(days[1..].iter().all(|day| day.kind == DayKind::Closed));
        assert!(oh.schedule(d("2027-01-12"), d("2027-01-11")).is_empty());
        let json = serde_json::to_value(&days[0]).unwrap();
        assert_eq!(json["kind"], "regular");
        assert_eq!(json["date"], "2027-01-11");
        assert!(json.get("reason").is_none());
    }

    #[test]
    fn lookahead_finds_change_months_away_but_gives_up_after_a_year() {
        let mut oh = weekly(&ALL, &[staffed("10:00", "16:00")]);
        oh.periods[0].valid_from = Some(d("2027-10-01"));
        let s = oh.status_at(hel("2027-01-01 12:00"));
        assert_eq!(s.next_change, Some(Change { at: hel("2027-10-01 10:00"), state: State::Staffed }));
        oh.periods[0].valid_from = Some(d("2028-03-01"));
        assert_eq!(oh.status_at(hel("2027-01-01 12:00")).next_change, None);
    }
}
