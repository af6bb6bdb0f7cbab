//! Property tests (proptest) of the hours engine: generated hours documents, valid by
//! construction or arbitrary, checked against the engine's promises:
//!
//! * `validate` accepts every document built by the rules it enforces, and the JSON form of such
//!   a document reads back equal;
//! * `to_osm` never panics, for any document;
//! * `status_at` is consistent with its `next_change`: the change lies after the instant, the
//!   state really is different there, and the state does not change strictly in between (for
//!   any document, even an invalid one: overlapping ranges are resolved, never a panic);
//! * the resolved schedule of a valid document never has overlapping ranges, as instants,
//!   across midnight and on DST days; the one exception, an overnight range running into a
//!   date governed by another period or by an exception, is a known gap of `validate` (see
//!   `is_known_boundary_spill`).
//!
//! Instants are drawn with a bias towards the DST days of 2026–2028 (last Sundays of March and
//! October) and towards whole minutes, where ranges begin and end.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use proptest::prelude::*;

use super::*;
use crate::i18n::Localized;

/// Cases per property: enough to find the usual mistakes, few enough for `cargo test --lib`.
const CASES: u32 = 256;

fn time(minutes: u32) -> NaiveTime {
    NaiveTime::from_hms_opt((minutes / 60) % 24, minutes % 60, 0).unwrap()
}

fn kind() -> impl Strategy<Value = RangeKind> + Clone {
    prop_oneof![3 => Just(RangeKind::Staffed), 1 => Just(RangeKind::SelfService)]
}

/// What one weekday of a valid week looks like.
#[derive(Debug, Clone)]
enum DayPlan {
    /// Ranges cut from sorted minute marks inside [06:00, 24:00], optionally followed by an
    /// overnight range (starting at 12:00 or later, after the others, ending by 06:00).
    Ranges {
        marks: Vec<u32>,
        kinds: Vec<RangeKind>,
        overnight: Option<(u32, u32, RangeKind)>,
    },
    /// 00:00–24:00 (only where the previous day does not spill into this one).
    WholeDay(RangeKind),
    Closed,
}

fn day_plan() -> impl Strategy<Value = DayPlan> {
    prop_oneof![
        6 => (
            prop::collection::btree_set(24u32..=96, 0..=6),
            prop::collection::vec(kind(), 3),
            prop::option::weighted(0.25, (0u32..=48, 1u32..=24, kind())),
        )
            .prop_map(|(marks, kinds, overnight)| DayPlan::Ranges {
                // Marks in quarter hours: 24 = 06:00 … 96 = 24:00.
                marks: marks.into_iter().map(|q| q * 15).collect(),
                kinds,
                overnight,
            }),
        1 => kind().prop_map(DayPlan::WholeDay),
        2 => Just(DayPlan::Closed),
    ]
}

/// A valid week: no overlaps on a day, no overnight range running into the next day's ranges.
fn valid_week() -> impl Strategy<Value = WeekHours> {
    prop::collection::vec(day_plan(), 7).prop_map(|plans| {
        let mut week = WeekHours::default();
        let spills = |plan: &DayPlan| matches!(plan, DayPlan::Ranges { overnight: Some(_), .. });
        for (n, plan) in plans.iter().enumerate() {
            let ranges = week.get_mut(WEEKDAYS[n]);
            match plan {
                DayPlan::Closed => {}
                DayPlan::WholeDay(k) => {
                    if !spills(&plans[(n + 6) % 7]) {
                        ranges.push(TimeRange::new(NaiveTime::MIN, NaiveTime::MIN, *k));
                    }
                }
                DayPlan::Ranges { marks, kinds, overnight } => {
                    // Consecutive pairs of marks are ranges: [m0, m1), [m2, m3), ...
                    for (i, pair) in marks.chunks_exact(2).enumerate() {
                        ranges.push(TimeRange::new(time(pair[0]), time(pair[1]), kinds[i % kinds.len()]));
                    }
                    if let Some((start_q, end_q, k)) = overnight {
                        let last_end = marks.chunks_exact(2).last().map_or(0, |p| p[1]);
                        let start = (12 * 60 + start_q * 15).max(last_end);
                        if start < 24 * 60 {
                            // Ends by 06:00, so it cannot reach the next day's ranges (06:00 on).
                            ranges.push(TimeRange::new(time(start), time(end_q * 15), *k));
                        }
                    }
                }
            }
        }
        week
    })
}

fn date_in(from: NaiveDate, days: i64) -> impl Strategy<Value = NaiveDate> {
    (0..days).prop_map(move |d| from + Duration::days(d))
}

/// A valid document (as `validate` sees it): a default period, maybe dated periods with
/// distinct spans, exceptions on distinct dates with a Finnish reason.
fn valid_hours() -> impl Strategy<Value = OpeningHours> {
    let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let dated = (date_in(base, 3 * 365), 0i64..120, valid_week(), any::<bool>());
    let exception = (date_in(base, 3 * 365), prop::collection::vec((0u32..=95, 1u32..=8, kind()), 0..=2));
    (
        prop::option::weighted(0.9, valid_week()),
        prop::collection::vec(dated, 0..=2),
        prop::collection::vec(exception, 0..=4),
        any::<bool>(),
    )
        .prop_map(|(default, dated, exceptions, open_on_holidays)| {
            let mut periods: Vec<Period> =
                default.into_iter().map(|week| Period { week, ..Default::default() }).collect();
            for (from, len, week, named) in dated {
                let to = from + Duration::days(len);
                if periods.iter().any(|p| p.valid_from == Some(from) && p.valid_to == Some(to)) {
                    continue;
                }
                let name = named.then(|| Localized::new("Kesäaukiolo", "", "Summer hours"));
                periods.push(Period { valid_from: Some(from), valid_to: Some(to), name, week });
            }
            let mut out: Vec<Exception> = Vec::new();
            for (date, ranges) in exceptions {
                if out.iter().any(|e| e.date == date) {
                    continue;
                }
                // Ranges laid end to end from the first start (00:00 or later): no overlaps.
                let mut at = ranges.first().map_or(0, |r| r.0 * 15);
                let mut list = Vec::new();
                for (_, len_h, k) in ranges {
                    let end = at + len_h * 60;
                    if end > 24 * 60 {
                        break;
                    }
                    list.push(TimeRange::new(time(at), time(end), k));
                    at = end;
                }
                out.push(Exception { date, ranges: list, reason: Localized::new("Poikkeus", "", "") });
            }
            OpeningHours { periods, exceptions: out, open_on_holidays }
        })
}

/// Any document that parses: ranges anywhere, overlapping, reversed, zero-length, periods
/// with reversed dates, duplicate exceptions.
fn any_hours() -> impl Strategy<Value = OpeningHours> {
    let range = (0u32..24 * 60, 0u32..24 * 60, kind()).prop_map(|(s, e, k)| TimeRange::new(time(s), time(e), k));
    let week = prop::collection::vec(prop::collection::vec(range.clone(), 0..=3), 7).prop_map(|days| {
        let mut week = WeekHours::default();
        for (n, ranges) in days.into_iter().enumerate() {
            *week.get_mut(WEEKDAYS[n]) = ranges;
        }
        week
    });
    let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let period = (prop::option::of(date_in(base, 3 * 365)), prop::option::of(date_in(base, 3 * 365)), week)
        .prop_map(|(valid_from, valid_to, week)| Period { valid_from, valid_to, name: None, week });
    let exception = (date_in(base, 3 * 365), prop::collection::vec(range, 0..=3))
        .prop_map(|(date, ranges)| Exception { date, ranges, reason: Localized::new("x", "", "") });
    (prop::collection::vec(period, 0..=3), prop::collection::vec(exception, 0..=4), any::<bool>())
        .prop_map(|(periods, exceptions, open_on_holidays)| OpeningHours { periods, exceptions, open_on_holidays })
}

/// The DST days of 2026–2028 (last Sunday of March and of October).
fn dst_days() -> Vec<NaiveDate> {
    let last_sunday = |y: i32, m: u32| {
        let mut d = NaiveDate::from_ymd_opt(y, m + 1, 1).unwrap().pred_opt().unwrap();
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().unwrap();
        }
        d
    };
    (2026..=2028).flat_map(|y| [last_sunday(y, 3), last_sunday(y, 10)]).collect()
}

/// An instant in 2026–2028: half of them on or next to a DST day, most on whole minutes.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let days = dst_days();
    let day = prop_oneof![
        (0..days.len(), -1i64..=1).prop_map(move |(i, off)| days[i] + Duration::days(off)),
        date_in(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), 3 * 365),
    ];
    let seconds = prop_oneof![3 => Just(0u32), 1 => 0u32..60];
    (day, 0u32..24 * 60, seconds).prop_map(|(d, m, s)| {
        let naive = d.and_hms_opt(0, 0, 0).unwrap() + Duration::minutes(m as i64) + Duration::seconds(s as i64);
        // Read as UTC minus two hours: every Helsinki wall time of the day, DST or not, is reached.
        DateTime::<Utc>::from_naive_utc_and_offset(naive, Utc) - Duration::hours(2)
    })
}

/// Checks `status_at(at)` against the state at instants up to its next change.
fn check_consistent(oh: &OpeningHours, at: DateTime<Utc>, fractions: &[u32]) -> Result<(), TestCaseError> {
    let status = oh.status_at(at);
    prop_assert_eq!(oh.is_staffed_at(at), status.state == State::Staffed, "is_staffed_at disagrees at {}", at);
    match &status.next_change {
        Some(change) => {
            prop_assert!(change.at > at, "next change {} is not after {}", change.at, at);
            prop_assert_ne!(change.state, status.state, "the next change at {} keeps the state", change.at);
            prop_assert_eq!(oh.status_at(change.at).state, change.state, "state at the change {}", change.at);
            let span = change.at - at;
            let just_before = change.at - Duration::seconds(1);
            let mut probes: Vec<DateTime<Utc>> = fractions.iter().map(|f| at + span * (*f as i32) / 1000).collect();
            if just_before > at {
                probes.push(just_before);
            }
            for probe in probes.into_iter().filter(|p| *p > at && *p < change.at) {
                prop_assert_eq!(
                    oh.status_at(probe).state,
                    status.state,
                    "state changed at {} between {} and its next change {}",
                    probe,
                    at,
                    change.at
                );
            }
        }
        None => {
            // Nothing changes within the look-ahead (at least 365 days after today).
            for f in fractions {
                let probe = at + Duration::days(365) * (*f as i32) / 1000;
                prop_assert_eq!(oh.status_at(probe).state, status.state, "no next change, yet {} differs", probe);
            }
        }
    }
    Ok(())
}

/// One resolved range as instants `[start, end)`, with the date it starts on.
#[derive(Debug)]
struct Segment {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    date: NaiveDate,
    crosses_midnight: bool,
    label: String,
}

/// The resolved ranges of `from..=to` as instants, in the engine's DST rules, sorted.
fn resolved_segments(oh: &OpeningHours, from: NaiveDate, to: NaiveDate) -> Vec<Segment> {
    let mut out = Vec::new();
    for day in oh.schedule(from, to) {
        for r in &day.ranges {
            let end_date = if r.crosses_midnight() { day.date.succ_opt().unwrap() } else { day.date };
            let start = helsinki_to_utc(day.date.and_time(r.start));
            let end = helsinki_to_utc(end_date.and_time(r.end));
            if start < end {
                let label = format!("{} {}–{}", day.date, r.start.format("%H:%M"), r.end.format("%H:%M"));
                out.push(Segment { start, end, date: day.date, crosses_midnight: r.crosses_midnight(), label });
            }
        }
    }
    out.sort_by_key(|s| (s.start, s.end));
    out
}

/// KNOWN FINDING (reported for `validate`, issue 14 point 7): the overnight spill of a range is
/// checked only against the next weekday of the same period's week, not against the next date
/// when that date is governed by another period (e.g. the last day of summer hours, Thu
/// 12:00–00:15, followed by a default Friday 00:00–24:00) or by an exception with early ranges.
/// `validate` accepts such documents and their schedule overlaps. This tells exactly that case
/// apart, so that any other overlap still fails the property.
fn is_known_boundary_spill(oh: &OpeningHours, a: &Segment, b: &Segment) -> bool {
    let next = a.date.succ_opt();
    let governed_by = |d: NaiveDate| oh.period_for(d).map(|p| p as *const Period);
    a.crosses_midnight
        && next == Some(b.date)
        && (oh.day(b.date).kind == DayKind::Exception || governed_by(a.date) != governed_by(b.date))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    #[test]
    fn validate_accepts_generated_valid_hours_and_json_round_trips(oh in valid_hours()) {
        let errors = oh.validate();
        prop_assert!(errors.is_empty(), "valid by construction, yet: {:?}\n{:#?}", errors, oh);
        let json = serde_json::to_value(&oh).unwrap();
        let back: OpeningHours = serde_json::from_value(json.clone()).unwrap();
        prop_assert_eq!(back, oh, "JSON {}", json);
    }

    #[test]
    fn to_osm_never_panics(oh in any_hours(), valid in valid_hours()) {
        for doc in [&oh, &valid] {
            let osm = doc.to_osm();
            prop_assert!(!osm.is_empty());
            prop_assert!(!osm.contains('\n'), "{}", osm);
        }
    }

    #[test]
    fn status_at_agrees_with_next_change_for_valid_hours(
        oh in valid_hours(),
        at in instant(),
        fractions in prop::collection::vec(1u32..1000, 4),
    ) {
        check_consistent(&oh, at, &fractions)?;
    }

    #[test]
    fn status_at_agrees_with_next_change_for_any_hours(
        oh in any_hours(),
        at in instant(),
        fractions in prop::collection::vec(1u32..1000, 4),
    ) {
        check_consistent(&oh, at, &fractions)?;
    }

    #[test]
    fn following_next_change_walks_through_every_change(oh in valid_hours(), at in instant()) {
        // Ten steps of next_change: each starts where the previous one said, the state there is
        // the announced one, and the instants strictly increase.
        let mut now = at;
        let mut state = oh.status_at(now).state;
        for _ in 0..10 {
            let Some(change) = oh.status_at(now).next_change else { break };
            prop_assert!(change.at > now);
            prop_assert_ne!(change.state, state);
            let there = oh.status_at(change.at);
            prop_assert_eq!(there.state, change.state);
            now = change.at;
            state = there.state;
        }
    }

    #[test]
    fn resolved_schedule_never_overlaps(oh in valid_hours(), from in instant(), len in 1i64..21) {
        let from = helsinki_date(from);
        let to = from + Duration::days(len);
        let segs = resolved_segments(&oh, from, to);
        for (i, a) in segs.iter().enumerate() {
            for b in segs[i + 1..].iter().take_while(|b| b.start < a.end) {
                prop_assert!(is_known_boundary_spill(&oh, a, b), "{} overlaps {}", a.label, b.label);
            }
        }
        // Every day of the schedule is there once, in order, with sorted ranges.
        let days = oh.schedule(from, to);
        prop_assert_eq!(days.len() as i64, len + 1);
        for (i, day) in days.iter().enumerate() {
            prop_assert_eq!(day.date, from + Duration::days(i as i64));
            prop_assert!(day.ranges.windows(2).all(|w| w[0].start <= w[1].start));
        }
    }

    #[test]
    fn wall_clock_conversion_is_monotonic_and_lands_on_whole_minutes(day in instant(), a in 0u32..1440, b in 0u32..1440) {
        let date = helsinki_date(day);
        let (a, b) = (a.min(b), a.max(b));
        let ta = helsinki_to_utc(date.and_time(time(a)));
        let tb = helsinki_to_utc(date.and_time(time(b)));
        prop_assert!(ta <= tb, "{} {} -> {} {}", time(a), time(b), ta, tb);
        prop_assert_eq!(ta.second(), 0);
        // The instant reads back as the same Helsinki date (a gap moves it forward, within the day).
        prop_assert_eq!(helsinki_date(ta), date);
    }
}
