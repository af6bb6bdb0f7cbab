//! Finnish public holidays, computed for any year.
//!
//! The list is the set of days on which Finnish public services (libraries, municipal
//! service points, Kela) are normally closed: the statutory public holidays plus
//! Midsummer Eve and Christmas Eve, which are not holidays in law but are de facto
//! days off everywhere. Easter is computed with the Anonymous Gregorian algorithm
//! (Meeus/Jones/Butcher); all movable feasts are derived from it or from fixed
//! weekday windows.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::i18n::Localized;

/// Stable machine code of a Finnish public holiday (serialized in snake_case,
/// e.g. `"good_friday"`). Use [`HolidayCode::as_str`] for the same string in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayCode {
    /// Uudenvuodenpäivä, 1 January.
    NewYearsDay,
    /// Loppiainen, 6 January.
    Epiphany,
    /// Pitkäperjantai, Easter Sunday − 2.
    GoodFriday,
    /// Pääsiäispäivä.
    EasterSunday,
    /// 2. pääsiäispäivä, Easter Sunday + 1.
    EasterMonday,
    /// Vappu, 1 May.
    MayDay,
    /// Helatorstai, Easter Sunday + 39.
    AscensionDay,
    /// Helluntaipäivä, Easter Sunday + 49.
    WhitSunday,
    /// Juhannusaatto, the Friday between 19 and 25 June.
    MidsummerEve,
    /// Juhannuspäivä, the Saturday between 20 and 26 June.
    MidsummerDay,
    /// Pyhäinpäivä, the Saturday between 31 October and 6 November.
    AllSaintsDay,
    /// Itsenäisyyspäivä, 6 December.
    IndependenceDay,
    /// Jouluaatto, 24 December.
    ChristmasEve,
    /// Joulupäivä, 25 December.
    ChristmasDay,
    /// Tapaninpäivä, 26 December.
    StStephensDay,
}

impl HolidayCode {
    /// The snake_case code, identical to the serialized form.
    pub fn as_str(self) -> &'static str {
        match self {
            HolidayCode::NewYearsDay => "new_years_day",
            HolidayCode::Epiphany => "epiphany",
            HolidayCode::GoodFriday => "good_friday",
            HolidayCode::EasterSunday => "easter_sunday",
            HolidayCode::EasterMonday => "easter_monday",
            HolidayCode::MayDay => "may_day",
            HolidayCode::AscensionDay => "ascension_day",
            HolidayCode::WhitSunday => "whit_sunday",
            HolidayCode::MidsummerEve => "midsummer_eve",
            HolidayCode::MidsummerDay => "midsummer_day",
            HolidayCode::AllSaintsDay => "all_saints_day",
            HolidayCode::IndependenceDay => "independence_day",
            HolidayCode::ChristmasEve => "christmas_eve",
            HolidayCode::ChristmasDay => "christmas_day",
            HolidayCode::StStephensDay => "st_stephens_day",
        }
    }

    /// The holiday's name in Finnish, Swedish and English.
    pub fn name(self) -> Localized {
        let (fi, sv, en) = match self {
            HolidayCode::NewYearsDay => ("Uudenvuodenpäivä", "Nyårsdagen", "New Year's Day"),
            HolidayCode::Epiphany => ("Loppiainen", "Trettondedag jul", "Epiphany"),
            HolidayCode::GoodFriday => ("Pitkäperjantai", "Långfredagen", "Good Friday"),
            HolidayCode::EasterSunday => ("Pääsiäispäivä", "Påskdagen", "Easter Sunday"),
            HolidayCode::EasterMonday => ("2. pääsiäispäivä", "Annandag påsk", "Easter Monday"),
            HolidayCode::MayDay => ("Vappu", "Första maj", "May Day"),
            HolidayCode::AscensionDay => ("Helatorstai", "Kristi himmelsfärdsdag", "Ascension Day"),
            HolidayCode::WhitSunday => ("Helluntaipäivä", "Pingstdagen", "Whit Sunday"),
            HolidayCode::MidsummerEve => ("Juhannusaatto", "Midsommarafton", "Midsummer Eve"),
            HolidayCode::MidsummerDay => ("Juhannuspäivä", "Midsommardagen", "Midsummer Day"),
            HolidayCode::AllSaintsDay => ("Pyhäinpäivä", "Alla helgons dag", "All Saints' Day"),
            HolidayCode::IndependenceDay => ("Itsenäisyyspäivä", "Självständighetsdagen", "Independence Day"),
            HolidayCode::ChristmasEve => ("Jouluaatto", "Julafton", "Christmas Eve"),
            HolidayCode::ChristmasDay => ("Joulupäivä", "Juldagen", "Christmas Day"),
            HolidayCode::StStephensDay => ("Tapaninpäivä", "Annandag jul", "St Stephen's Day"),
        };
        Localized::new(fi, sv, en)
    }
}

impl std::fmt::Display for HolidayCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Finnish public holiday on a concrete date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holiday {
    /// The calendar date (`"YYYY-MM-DD"`).
    pub date: NaiveDate,
    /// Machine code, e.g. `"good_friday"`.
    pub code: HolidayCode,
    /// Display name in fi/sv/en.
    pub name: Localized,
}

/// Easter Sunday of `year` (Gregorian), by the Anonymous Gregorian algorithm.
/// Returns `None` only for years outside chrono's date range.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    // i64 keeps the intermediate products safe for every year chrono can represent.
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

/// The first date on or after `from` that falls on `weekday`.
fn first_weekday_on_or_after(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() as i64 - from.weekday().num_days_from_monday() as i64) % 7;
    from + Duration::days(ahead)
}

/// All Finnish public holidays of `year`, sorted by date. Empty for years chrono
/// cannot represent.
pub fn holidays(year: i32) -> Vec<Holiday> {
    let fixed = |month: u32, day: u32| NaiveDate::from_ymd_opt(year, month, day);
    let easter = easter_sunday(year);
    let from_easter = |days: i64| easter.and_then(|e| e.checked_add_signed(Duration::days(days)));
    let midsummer_eve = fixed(6, 19).map(|d| first_weekday_on_or_after(d, Weekday::Fri));
    let all_saints = fixed(10, 31).map(|d| first_weekday_on_or_after(d, Weekday::Sat));

    let list = [
        (HolidayCode::NewYearsDay, fixed(1, 1)),
        (HolidayCode::Epiphany, fixed(1, 6)),
        (HolidayCode::GoodFriday, from_easter(-2)),
        (HolidayCode::EasterSunday, easter),
        (HolidayCode::EasterMonday, from_easter(1)),
        (HolidayCode::MayDay, fixed(5, 1)),
        (HolidayCode::AscensionDay, from_easter(39)),
        (HolidayCode::WhitSunday, from_easter(49)),
        (HolidayCode::MidsummerEve, midsummer_eve),
        (HolidayCode::MidsummerDay, midsummer_eve.and_then(|d| d.succ_opt())),
        (HolidayCode::AllSaintsDay, all_saints),
        (HolidayCode::IndependenceDay, fixed(12, 6)),
        (HolidayCode::ChristmasEve, fixed(12, 24)),
        (HolidayCode::ChristmasDay, fixed(12, 25)),
        (HolidayCode::StStephensDay, fixed(12, 26)),
    ];
    let mut out: Vec<Holiday> = list
        .into_iter()
        .filter_map(|(code, date)| date.map(|date| Holiday { date, code, name: code.name() }))
        .collect();
    // Ascension Day falls on 30 April when Easter is on 22 March, i.e. before May Day,
    // so sort rather than trust the list order. The sort is stable: on a shared date the
    // fixed holiday stays first.
    out.sort_by_key(|h| h.date);
    out
}

/// The Finnish public holiday on `date`, if any. Two holidays can share a date only when
/// Ascension Day falls on May Day (e.g. 2008, next in 2160); the first in [`holidays`]
/// order (May Day) is returned then.
pub fn holiday_on(date: NaiveDate) -> Option<Holiday> {
    holidays(date.year()).into_iter().find(|h| h.date == date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn date_of(year: i32, code: HolidayCode) -> NaiveDate {
        holidays(year).into_iter().find(|h| h.code == code).unwrap().date
    }

    #[test]
    fn easter_and_movable_feasts_2026_2028() {
        // (year, Easter Sunday, Ascension) from the Finnish almanac.
        for (year, easter, ascension) in [
            (2026, d(2026, 4, 5), d(2026, 5, 14)),
            (2027, d(2027, 3, 28), d(2027, 5, 6)),
            (2028, d(2028, 4, 16), d(2028, 5, 25)),
        ] {
            assert_eq!(date_of(year, HolidayCode::EasterSunday), easter, "{year}");
            assert_eq!(date_of(year, HolidayCode::GoodFriday), easter - Duration::days(2));
            assert_eq!(date_of(year, HolidayCode::EasterMonday), easter + Duration::days(1));
            assert_eq!(date_of(year, HolidayCode::AscensionDay), ascension, "{year}");
            assert_eq!(date_of(year, HolidayCode::WhitSunday), easter + Duration::days(49));
            assert_eq!(date_of(year, HolidayCode::AscensionDay).weekday(), Weekday::Thu);
        }
        assert_eq!(date_of(2026, HolidayCode::GoodFriday), d(2026, 4, 3));
        assert_eq!(date_of(2027, HolidayCode::EasterMonday), d(2027, 3, 29));
        assert_eq!(date_of(2028, HolidayCode::WhitSunday), d(2028, 6, 4));
    }

    #[test]
    fn known_easter_dates() {
        // Spot checks spanning the algorithm's corner cases (earliest/latest Easter).
        assert_eq!(easter_sunday(1818), Some(d(1818, 3, 22)));
        assert_eq!(easter_sunday(1943), Some(d(1943, 4, 25)));
        assert_eq!(easter_sunday(2000), Some(d(2000, 4, 23)));
        assert_eq!(easter_sunday(2019), Some(d(2019, 4, 21)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
    }

    #[test]
    fn midsummer_and_all_saints_windows() {
        for year in 2020..=2040 {
            let eve = date_of(year, HolidayCode::MidsummerEve);
            assert_eq!(eve.weekday(), Weekday::Fri, "{year}");
            assert!(eve >= d(year, 6, 19) && eve <= d(year, 6, 25), "{year}: {eve}");
            let day = date_of(year, HolidayCode::MidsummerDay);
            assert_eq!(day.weekday(), Weekday::Sat);
            assert!(day >= d(year, 6, 20) && day <= d(year, 6, 26));
            let saints = date_of(year, HolidayCode::AllSaintsDay);
            assert_eq!(saints.weekday(), Weekday::Sat, "{year}");
            assert!(saints >= d(year, 10, 31) && saints <= d(year, 11, 6), "{year}: {saints}");
        }
        assert_eq!(date_of(2026, HolidayCode::MidsummerEve), d(2026, 6, 19));
        assert_eq!(date_of(2027, HolidayCode::MidsummerEve), d(2027, 6, 25));
        assert_eq!(date_of(2026, HolidayCode::AllSaintsDay), d(2026, 10, 31));
        assert_eq!(date_of(2027, HolidayCode::AllSaintsDay), d(2027, 11, 6));
    }

    #[test]
    fn fifteen_sorted_holidays_a_year() {
        for year in 1900..=2100 {
            let list = holidays(year);
            assert_eq!(list.len(), 15, "{year}");
            assert!(list.windows(2).all(|w| w[0].date <= w[1].date), "{year}");
        }
        // Easter 23 March 2008: Ascension Day coincided with May Day.
        assert_eq!(date_of(2008, HolidayCode::AscensionDay), d(2008, 5, 1));
        assert_eq!(holiday_on(d(2008, 5, 1)).unwrap().code, HolidayCode::MayDay);
        // Easter 22 March 2285: Ascension on 30 April, before May Day.
        assert_eq!(date_of(2285, HolidayCode::AscensionDay), d(2285, 4, 30));
        assert_eq!(holidays(2285)[5].code, HolidayCode::AscensionDay);
    }

    #[test]
    fn holiday_on_and_names() {
        let h = holiday_on(d(2026, 12, 6)).unwrap();
        assert_eq!(h.code, HolidayCode::IndependenceDay);
        assert_eq!(h.name.get("fi"), "Itsenäisyyspäivä");
        assert_eq!(h.name.get("sv"), "Självständighetsdagen");
        assert_eq!(holiday_on(d(2026, 12, 7)), None);
        assert_eq!(holiday_on(d(2027, 3, 26)).unwrap().code.as_str(), "good_friday");
        assert_eq!(serde_json::to_string(&HolidayCode::StStephensDay).unwrap(), "\"st_stephens_day\"");
        assert_eq!(serde_json::to_string(&HolidayCode::NewYearsDay).unwrap(), "\"new_years_day\"");
    }
}
