//! The day-by-day schedule of a location (or of a service at it) for a date range.

use actix_web::{get, HttpResponse};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, Problem};
use crate::hours::{self, helsinki_to_utc, Day, DayKind, RangeKind};
use crate::http::params::{check_id, LangParams, Params};
use crate::http::read::Reading;
use crate::http::respond::{public_json, LangMode, Text};

/// The longest schedule one request may ask for.
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScheduleParams {
    /// First day (Helsinki date, YYYY-MM-DD); default today.
    #[param(value_type = Option<String>, format = Date, example = "2027-03-22")]
    pub from: Option<NaiveDate>,
    /// Last day, inclusive; default `from` + 6 days. At most 366 days in all.
    #[param(value_type = Option<String>, format = Date, example = "2027-04-04")]
    pub to: Option<NaiveDate>,
    /// The id of a service at this location: its own hours instead of the building's.
    #[param(example = "jns-paakirjasto-guidance-online-services")]
    pub service_at_location: Option<String>,
}

impl ScheduleParams {
    pub fn read(params: &Params) -> ApiResult<ScheduleParams> {
        Ok(ScheduleParams {
            from: date(params, "from")?,
            to: date(params, "to")?,
            service_at_location: params.one("service_at_location")?.map(str::to_owned),
        })
    }
}

/// One opening range of a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct RangeOut {
    /// Helsinki wall-clock time, HH:MM.
    #[schema(example = "10:00")]
    pub start: String,
    /// Helsinki wall-clock time, HH:MM; earlier than `start` when the range runs past midnight.
    #[schema(example = "19:00")]
    pub end: String,
    /// `staffed` (digital help available) or `self_service` (doors open, no staff: no help).
    #[schema(example = "staffed")]
    pub kind: String,
    /// The start as an instant (UTC), DST applied.
    pub starts_at: DateTime<Utc>,
    /// The end as an instant (UTC), DST applied.
    pub ends_at: DateTime<Utc>,
}

/// One day of a schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayOut {
    #[schema(example = "2027-04-02")]
    pub date: NaiveDate,
    /// mon, tue, wed, thu, fri, sat, sun.
    #[schema(example = "fri")]
    pub weekday: String,
    /// `regular`, `holiday` (closed, or regular hours where the place opens on holidays),
    /// `exception` (a dated exception replaces the day) or `closed`.
    #[schema(example = "holiday")]
    pub kind: String,
    /// Empty when closed.
    pub ranges: Vec<RangeOut>,
    /// Why the day is closed or special: the holiday's name or the exception's reason.
    pub reason: Option<Text>,
    /// Code of the Finnish public holiday on this date, if any.
    #[schema(example = "good_friday")]
    pub holiday: Option<String>,
    /// Name of the dated period (e.g. summer hours) whose weekly hours apply.
    pub period: Option<Text>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Schedule {
    #[schema(example = "jns-paakirjasto")]
    pub location_id: String,
    pub service_at_location_id: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// False when no hours are on record: `days` is then empty.
    pub hours_known: bool,
    /// How sure the hours are: verified, approximate or assumed (demo placeholders).
    pub confidence: Option<String>,
    /// The regular hours as an OpenStreetMap `opening_hours` string.
    pub opening_hours: Option<String>,
    pub days: Vec<DayOut>,
}

fn date(params: &Params, name: &str) -> ApiResult<Option<NaiveDate>> {
    match params.one(name)? {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ApiError::invalid_param(name, "must be a date YYYY-MM-DD")),
    }
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_out(day: &Day, lang: LangMode) -> DayOut {
    let ranges = day
        .ranges
        .iter()
        .map(|r| {
            let end_date = if r.crosses_midnight() { day.date + Duration::days(1) } else { day.date };
            RangeOut {
                start: r.start.format("%H:%M").to_string(),
                end: r.end.format("%H:%M").to_string(),
                kind: match r.kind {
                    RangeKind::Staffed => "staffed",
                    RangeKind::SelfService => "self_service",
                }
                .into(),
                starts_at: helsinki_to_utc(day.date.and_time(r.start)),
                ends_at: helsinki_to_utc(end_date.and_time(r.end)),
            }
        })
        .collect();
    DayOut {
        date: day.date,
        weekday: WEEKDAYS[day.date.weekday().num_days_from_monday() as usize].into(),
        kind: match day.kind {
            DayKind::Regular => "regular",
            DayKind::Holiday => "holiday",
            DayKind::Exception => "exception",
            DayKind::Closed => "closed",
        }
        .into(),
        ranges,
        reason: lang.opt(&day.reason),
        holiday: day.holiday.map(|h| h.as_str().to_owned()),
        period: lang.opt(&day.period_name),
    }
}

/// The computed day-by-day schedule: regular hours, periods, exceptions and Finnish public
/// holidays resolved, with the reason for every closed or special day.
#[utoipa::path(
    tag = "locations",
    params(("id" = String, Path, description = "Location id", example = "jns-paakirjasto"), ScheduleParams, LangParams),
    responses(
        (status = 200, description = "One entry per day", body = Schedule),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Invalid dates, `from` after `to`, or more than 366 days", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such location or service at it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/locations/{id}/schedule")]
pub async fn location_schedule(read: Reading) -> ApiResult<HttpResponse> {
    let id = read.id()?;
    let Reading { req, dir, params, lang, .. } = read;
    let given = ScheduleParams::read(&params)?;
    let from = given.from.unwrap_or_else(|| hours::helsinki_date(Utc::now()));
    let to = given.to.unwrap_or(from + Duration::days(6));
    if from > to {
        return Err(ApiError::invalid_param("from", "must not be after to"));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(ApiError::invalid_param("to", format!("the range may span at most {MAX_DAYS} days")));
    }
    let loc = dir.location(&id).ok_or_else(|| ApiError::not_found("location", &id))?;
    let sal_id = given.service_at_location.as_deref();
    let hours = match sal_id {
        Some(s) => {
            check_id("service_at_location", s)?;
            let sal = loc
                .services
                .iter()
                .find(|x| x.id == s)
                .ok_or_else(|| ApiError::not_found("service at this location", s))?;
            // A service without hours of its own follows the building's.
            sal.hours.as_ref().or(loc.hours.as_ref())
        }
        None => loc.hours.as_ref(),
    };
    let body = Schedule {
        location_id: loc.id.clone(),
        service_at_location_id: sal_id.map(str::to_owned),
        from,
        to,
        hours_known: hours.is_some(),
        confidence: hours.map(|h| h.confidence.clone()),
        opening_hours: hours.map(|h| h.osm.clone()),
        days: hours.map(|h| h.hours.schedule(from, to).iter().map(|d| day_out(d, lang)).collect()).unwrap_or_default(),
    };
    Ok(public_json(&req, dir.version, &body))
}
