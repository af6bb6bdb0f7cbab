//! The editor's forms as data: what a posted form holds, the hours form (read from a stored
//! hours document or from what was posted, and turned into periods for the write path), and
//! where the write path's field errors belong on the page.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};

use super::texts::FormProblem;
use crate::hours::{OpeningHours, Period, RangeKind, TimeRange, WeekHours, WEEKDAYS};
use crate::i18n::{Lang, Localized};

/// A posted form (`application/x-www-form-urlencoded`), first value of each name.
#[derive(Debug, Default, Clone)]
pub struct Posted(BTreeMap<String, String>);

impl Posted {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            map.entry(k).or_insert(v);
        }
        Posted(map)
    }

    /// The value, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(|v| v.trim()).unwrap_or("")
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

/// Problems to show next to fields: input id → messages (already in the partner's language),
/// in the order found.
#[derive(Debug, Default, Clone)]
pub struct FieldProblems(pub Vec<(String, Vec<String>)>);

impl FieldProblems {
    pub fn add(&mut self, id: impl Into<String>, message: impl Into<String>) {
        let (id, message) = (id.into(), message.into());
        match self.0.iter_mut().find(|(i, _)| *i == id) {
            Some((_, list)) if !list.contains(&message) => list.push(message),
            Some(_) => {}
            None => self.0.push((id, vec![message])),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Vec<String>> {
        self.0.iter().find(|(i, _)| i == id).map(|(_, list)| list)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A time as people type it: `10:00`, `10.00`, `10`, `9.30`; `24:00` only as an end.
pub fn parse_time(s: &str, end: bool) -> Option<NaiveTime> {
    let s = s.trim();
    let (h, m) = match s.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None => (s, "0"),
    };
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if end && h == 24 && m == 0 {
        return NaiveTime::from_hms_opt(0, 0, 0);
    }
    NaiveTime::from_hms_opt(h, m, 0)
}

/// A date as a date field sends it (`2027-12-24`) or as people type it (`24.12.2027`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y")).ok()
}

/// A time as the partner's language writes it: `9.00` in Finnish and Swedish, `09:00` in
/// English; midnight as an end is `24.00`.
fn clock(lang: Lang, t: NaiveTime, end: bool) -> String {
    let midnight = end && t == NaiveTime::MIN;
    match (lang, midnight) {
        (Lang::En, true) => "24:00".into(),
        (_, true) => "24.00".into(),
        (Lang::En, false) => t.format("%H:%M").to_string(),
        (_, false) => t.format("%-H.%M").to_string(),
    }
}

/// A date as the partner's language writes it (`1.6.2027`; the form reads ISO dates too).
fn day(d: NaiveDate) -> String {
    d.format("%-d.%-m.%Y").to_string()
}

/// One row of a day: as shown or as posted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RangeRow {
    pub start: String,
    pub end: String,
    /// `staffed` or `self_service`.
    pub kind: String,
}

impl RangeRow {
    fn of(r: &TimeRange, lang: Lang) -> Self {
        let kind = match r.kind {
            RangeKind::Staffed => "staffed",
            RangeKind::SelfService => "self_service",
        };
        RangeRow { start: clock(lang, r.start, false), end: clock(lang, r.end, true), kind: kind.into() }
    }

    fn is_blank(&self) -> bool {
        self.start.is_empty() && self.end.is_empty()
    }
}

/// One period of the hours form.
#[derive(Debug, Clone, Default)]
pub struct PeriodRows {
    pub from: String,
    pub to: String,
    pub name: [String; 3],
    pub remove: bool,
    /// The form's last period: an empty one for adding a season.
    pub new: bool,
    /// A season (a dated period), kept as one on a page shown again even when its dates were
    /// cleared (so that they can be given again).
    pub season: bool,
    pub days: [Vec<RangeRow>; 7],
}

/// The hours form: every period with one empty row per day for adding a range, and an empty
/// period for adding a season.
#[derive(Debug, Clone, Default)]
pub struct HoursForm {
    pub periods: Vec<PeriodRows>,
    pub open_on_holidays: bool,
}

/// Input ids of the hours form.
pub fn period_id(p: usize, what: &str) -> String {
    format!("p{p}-{what}")
}

pub fn range_id(p: usize, day: usize, row: usize, what: &str) -> String {
    format!("p{p}-{}-{row}-{what}", WeekHours::key(WEEKDAYS[day]))
}

/// Where a `range_id` stands: `p1-tue-0-start` → (period 1, weekday 1, row 0).
pub fn range_place(id: &str) -> Option<(usize, usize, usize)> {
    let mut parts = id.split('-');
    let p: usize = parts.next()?.strip_prefix('p')?.parse().ok()?;
    let d = weekday_index(parts.next()?)?;
    let r: usize = parts.next()?.parse().ok()?;
    Some((p, d, r))
}

/// A weekday's place in the week (Monday 0) from its key in hours documents (`tue`).
fn weekday_index(key: &str) -> Option<usize> {
    WEEKDAYS.iter().position(|&w| WeekHours::key(w) == key)
}

const NAME_LANGS: [&str; 3] = ["fi", "sv", "en"];

impl HoursForm {
    /// The form for a stored document (none: one empty regular period).
    pub fn from_hours(hours: Option<&OpeningHours>, lang: Lang) -> Self {
        let mut periods: Vec<PeriodRows> = hours
            .map(|h| {
                h.periods
                    .iter()
                    .map(|p| PeriodRows {
                        from: p.valid_from.map(day).unwrap_or_default(),
                        to: p.valid_to.map(day).unwrap_or_default(),
                        name: match &p.name {
                            Some(n) => {
                                [n.fi.clone(), n.sv.clone().unwrap_or_default(), n.en.clone().unwrap_or_default()]
                            }
                            None => Default::default(),
                        },
                        remove: false,
                        new: false,
                        season: !p.is_default(),
                        days: std::array::from_fn(|d| {
                            p.week.get(WEEKDAYS[d]).iter().map(|r| RangeRow::of(r, lang)).collect()
                        }),
                    })
                    .collect()
            })
            .unwrap_or_default();
        if periods.is_empty() {
            periods.push(PeriodRows::default());
        }
        periods.push(PeriodRows { new: true, ..Default::default() });
        let mut form = HoursForm { periods, open_on_holidays: hours.is_some_and(|h| h.open_on_holidays) };
        form.add_empty_rows();
        form
    }

    fn add_empty_rows(&mut self) {
        for p in &mut self.periods {
            for day in &mut p.days {
                if day.last().is_none_or(|r| !r.is_blank()) {
                    day.push(RangeRow { kind: "staffed".into(), ..Default::default() });
                }
            }
        }
    }

    /// The form as posted (to show again, with its problems).
    pub fn from_posted(f: &Posted) -> Self {
        let count = f.get("periods").parse::<usize>().unwrap_or(0).min(50);
        let periods = (0..count)
            .map(|p| PeriodRows {
                from: f.get(&period_id(p, "from")).to_owned(),
                to: f.get(&period_id(p, "to")).to_owned(),
                name: std::array::from_fn(|i| f.get(&period_id(p, &format!("name-{}", NAME_LANGS[i]))).to_owned()),
                remove: f.has(&period_id(p, "remove")),
                new: f.has(&period_id(p, "new")),
                season: f.has(&period_id(p, "season")),
                days: std::array::from_fn(|d| {
                    let rows =
                        f.get(&format!("p{p}-{}-rows", WeekHours::key(WEEKDAYS[d]))).parse().unwrap_or(0).min(20);
                    (0..rows)
                        .map(|r| RangeRow {
                            start: f.get(&range_id(p, d, r, "start")).to_owned(),
                            end: f.get(&range_id(p, d, r, "end")).to_owned(),
                            kind: f.get(&range_id(p, d, r, "kind")).to_owned(),
                        })
                        .collect()
                }),
            })
            .collect();
        let mut form = HoursForm { periods, open_on_holidays: f.has("open_on_holidays") };
        form.add_empty_rows();
        form
    }

    /// The periods to store, where each stored period and range came from in the form (to put
    /// the write path's errors next to their fields), and the form's own problems (times or
    /// dates that cannot be read: those rows are left out of the periods).
    pub fn periods(&self) -> (Vec<Period>, FormPlaces, Vec<(String, FormProblem)>) {
        let mut problems = Vec::new();
        let mut out = Vec::new();
        let mut places = FormPlaces::default();
        for (p, rows) in self.periods.iter().enumerate() {
            let blank = rows.from.is_empty()
                && rows.to.is_empty()
                && rows.name.iter().all(String::is_empty)
                && rows.days.iter().flatten().all(RangeRow::is_blank);
            if rows.remove || (rows.new && blank) {
                continue;
            }
            let mut date = |what: &str, s: &str| -> Option<NaiveDate> {
                if s.is_empty() {
                    return None;
                }
                let d = parse_date(s);
                if d.is_none() {
                    problems.push((period_id(p, what), FormProblem::Date));
                }
                d
            };
            let (valid_from, valid_to) = (date("from", &rows.from), date("to", &rows.to));
            if (rows.new || rows.season) && rows.from.is_empty() && rows.to.is_empty() {
                problems.push((period_id(p, "from"), FormProblem::SeasonNeedsDate));
            }
            let mut week = WeekHours::default();
            let mut rows_of = [Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new()];
            for (d, day) in rows.days.iter().enumerate() {
                for (r, row) in day.iter().enumerate() {
                    if row.is_blank() {
                        continue;
                    }
                    let start = parse_time(&row.start, false);
                    let end = parse_time(&row.end, true);
                    if row.start.is_empty() || row.end.is_empty() {
                        let missing = if row.start.is_empty() { "start" } else { "end" };
                        problems.push((range_id(p, d, r, missing), FormProblem::BothTimes));
                        continue;
                    }
                    if start.is_none() {
                        problems.push((range_id(p, d, r, "start"), FormProblem::Time));
                    }
                    if end.is_none() {
                        problems.push((range_id(p, d, r, "end"), FormProblem::Time));
                    }
                    let kind = if row.kind == "self_service" { RangeKind::SelfService } else { RangeKind::Staffed };
                    if let (Some(start), Some(end)) = (start, end) {
                        week.get_mut(WEEKDAYS[d]).push(TimeRange { start, end, kind });
                        rows_of[d].push(r);
                    }
                }
            }
            let name = (!rows.name[0].is_empty() || !rows.name[1].is_empty() || !rows.name[2].is_empty()).then(|| {
                let opt = |s: &String| (!s.is_empty()).then(|| s.clone());
                Localized { fi: rows.name[0].clone(), sv: opt(&rows.name[1]), en: opt(&rows.name[2]) }
            });
            places.periods.push((p, rows_of));
            out.push(Period { valid_from, valid_to, name, week });
        }
        (out, places, problems)
    }
}

/// Where the stored document's periods and ranges are on the form: for each stored period, its
/// form period and, per weekday, the form row of each stored range.
#[derive(Debug, Default)]
pub struct FormPlaces {
    periods: Vec<(usize, [Vec<usize>; 7])>,
}

impl FormPlaces {
    /// The input id for a write-path error path (`periods[1].week.tue[0]` → `p1-tue-0-start`,
    /// `periods[1].valid_to` → `p1-to`, `periods[2]` → `p2-from`); `None` when it is not on the
    /// hours form.
    pub fn input_for(&self, path: &str) -> Option<String> {
        let rest = path.strip_prefix("periods[")?;
        let (k, rest) = rest.split_once(']')?;
        let (p, rows) = self.periods.get(k.parse::<usize>().ok()?)?;
        if rest.is_empty() {
            return Some(period_id(*p, "from"));
        }
        if rest == ".valid_to" {
            return Some(period_id(*p, "to"));
        }
        if rest == ".valid_from" {
            return Some(period_id(*p, "from"));
        }
        if let Some(lang) = rest.strip_prefix(".name.") {
            return Some(period_id(*p, &format!("name-{lang}")));
        }
        if rest == ".name" {
            return Some(period_id(*p, "name-fi"));
        }
        let rest = rest.strip_prefix(".week.")?;
        let (day, j) = rest.split_once('[')?;
        let j: usize = j.strip_suffix(']')?.parse().ok()?;
        let d = weekday_index(day)?;
        Some(range_id(*p, d, *rows[d].get(j)?, "start"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> Posted {
        Posted::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn times_and_dates_as_people_type_them() {
        assert_eq!(parse_time("9.30", false), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(parse_time("10:00", false), NaiveTime::from_hms_opt(10, 0, 0));
        assert_eq!(parse_time("16", true), NaiveTime::from_hms_opt(16, 0, 0));
        assert_eq!(parse_time("24:00", true), NaiveTime::from_hms_opt(0, 0, 0));
        assert_eq!(parse_time("24:00", false), None);
        assert_eq!(parse_time("25.00", false), None);
        assert_eq!(parse_time("ten", false), None);
        assert_eq!(parse_date("24.12.2027"), NaiveDate::from_ymd_opt(2027, 12, 24));
        assert_eq!(parse_date("2027-12-24"), NaiveDate::from_ymd_opt(2027, 12, 24));
        assert_eq!(parse_date("31.2.2027"), None);
    }

    #[test]
    fn a_stored_document_round_trips_through_the_form() {
        let hours: OpeningHours = serde_json::from_value(serde_json::json!({
            "periods": [
                {"week": {"tue": [{"start": "08:00", "end": "10:00", "kind": "self_service"},
                                  {"start": "10:00", "end": "19:00", "kind": "staffed"}],
                          "sat": [{"start": "10:00", "end": "24:00", "kind": "staffed"}]}},
                {"valid_from": "2027-06-01", "valid_to": "2027-08-15", "name": {"fi": "Kesä", "en": "Summer"},
                 "week": {"mon": [{"start": "12:00", "end": "16:00", "kind": "staffed"}]}}
            ],
            "exceptions": [], "open_on_holidays": true
        }))
        .unwrap();
        let form = HoursForm::from_hours(Some(&hours), Lang::Fi);
        assert_eq!(form.periods.len(), 3, "two stored periods and one for a new season");
        assert!(form.periods[2].new);
        assert_eq!(form.periods[0].days[1].len(), 3, "two ranges and an empty row");
        assert_eq!(
            form.periods[0].days[1][0],
            RangeRow { start: "8.00".into(), end: "10.00".into(), kind: "self_service".into() }
        );
        assert_eq!(form.periods[0].days[5][0].end, "24.00");
        assert_eq!((form.periods[1].from.as_str(), form.periods[1].to.as_str()), ("1.6.2027", "15.8.2027"));
        let (periods, _, problems) = form.periods();
        assert!(problems.is_empty());
        assert_eq!(periods, hours.periods);
        // Posted back as the page sends it.
        let mut pairs: Vec<(String, String)> =
            vec![("periods".into(), "3".into()), ("open_on_holidays".into(), "on".into())];
        for (p, rows) in form.periods.iter().enumerate() {
            pairs.push((period_id(p, "from"), rows.from.clone()));
            pairs.push((period_id(p, "to"), rows.to.clone()));
            for (i, l) in NAME_LANGS.iter().enumerate() {
                pairs.push((period_id(p, &format!("name-{l}")), rows.name[i].clone()));
            }
            if rows.new {
                pairs.push((period_id(p, "new"), "1".into()));
            }
            if rows.season {
                pairs.push((period_id(p, "season"), "1".into()));
            }
            for (d, day) in rows.days.iter().enumerate() {
                pairs.push((format!("p{p}-{}-rows", WeekHours::key(WEEKDAYS[d])), day.len().to_string()));
                for (r, row) in day.iter().enumerate() {
                    pairs.push((range_id(p, d, r, "start"), row.start.clone()));
                    pairs.push((range_id(p, d, r, "end"), row.end.clone()));
                    pairs.push((range_id(p, d, r, "kind"), row.kind.clone()));
                }
            }
        }
        let again = HoursForm::from_posted(&Posted::new(pairs));
        assert!(again.open_on_holidays);
        assert_eq!(again.periods().0, hours.periods);
    }

    #[test]
    fn the_forms_own_problems_and_the_write_paths_errors_find_their_fields() {
        let f = posted(&[
            ("periods", "2"),
            ("p0-tue-rows", "3"),
            ("p0-tue-0-start", "10:00"),
            ("p0-tue-0-end", "12:00"),
            ("p0-tue-1-start", ""),
            ("p0-tue-1-end", ""),
            ("p0-tue-2-start", "13"),
            ("p0-tue-2-end", "16"),
            ("p1-new", "1"),
        ]);
        let (periods, places, problems) = HoursForm::from_posted(&f).periods();
        assert!(problems.is_empty());
        assert_eq!(periods.len(), 1, "the empty new season is left out");
        assert_eq!(places.input_for("periods[0].week.tue[1]").as_deref(), Some("p0-tue-2-start"));
        assert_eq!(places.input_for("periods[0].valid_to").as_deref(), Some("p0-to"));
        assert_eq!(places.input_for("periods[0].name.sv").as_deref(), Some("p0-name-sv"));
        // A season whose dates were cleared stays a season, and is asked for them.
        let cleared = posted(&[("periods", "1"), ("p0-season", "1"), ("p0-from", ""), ("p0-to", "")]);
        let (_, _, problems) = HoursForm::from_posted(&cleared).periods();
        assert_eq!(problems, vec![("p0-from".to_string(), FormProblem::SeasonNeedsDate)]);
        assert_eq!(places.input_for("exceptions[0].date"), None);
        let bad = posted(&[
            ("periods", "2"),
            ("p0-wed-rows", "1"),
            ("p0-wed-0-start", "10:00"),
            ("p0-wed-0-end", ""),
            ("p1-new", "1"),
            ("p1-mon-rows", "1"),
            ("p1-mon-0-start", "25.00"),
            ("p1-mon-0-end", "12"),
        ]);
        let (_, _, problems) = HoursForm::from_posted(&bad).periods();
        assert_eq!(
            problems,
            vec![
                ("p0-wed-0-end".to_string(), FormProblem::BothTimes),
                ("p1-from".to_string(), FormProblem::SeasonNeedsDate),
                ("p1-mon-0-start".to_string(), FormProblem::Time),
            ]
        );
    }
}
