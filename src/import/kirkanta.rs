//! Import of libraries from Kirkanta, the Finnish library directory (API v4,
//! <https://api.kirjastot.fi/v4>): addresses, coordinates, contact details, services and
//! opening hours.
//!
//! Fetch: `GET {base}/library?consortium=..&city.name=..&with=schedules,services,...&
//! period.start=..&period.end=..&lang=fi&limit=..&skip=..`, paged until `total` items are read.
//! Each library becomes a location `kirkanta-<id>` with `source = 'kirkanta'` and
//! `external_id = <id>`, under one organization per consortium; libraries that are gone from
//! Kirkanta (within the same consortium/city scope) become `status = 'inactive'`, never deleted.
//!
//! Hours: Kirkanta gives day-by-day schedules (`schedules[].times[]`, `status` 1 = staffed,
//! 2 = self-service, 0 = closed) for a window of weeks. We derive the regular week from them
//! (for each weekday, the most frequent day pattern in the window, public holidays left out)
//! and keep every day that differs from it, and every public holiday in the window, as a
//! dated exception. So the weekly hours outlive the window, and the window's special days stay
//! exact.
//!
//! Partner edits: `locations.import_state` keeps what the last import wrote per field. A field
//! whose current value differs from that was edited by someone else; it is never overwritten,
//! and if upstream changed it too, the import reports a conflict.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use anyhow::{bail, Context};
use chrono::{Datelike, NaiveDate, NaiveTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{Conflict, ImportReport, Skipped};
use crate::directory::Directory;
use crate::geocode::{self, Geocoder};
use crate::hours::{Exception, OpeningHours, Period, RangeKind, TimeRange, WeekHours, WEEKDAYS};
use crate::i18n::Localized;

pub const SOURCE: &str = "kirkanta";
pub const DEFAULT_BASE_URL: &str = "https://api.kirjastot.fi/v4";
/// Libraries per request.
pub const PAGE_SIZE: usize = 100;
/// Days of schedules to read (from today).
pub const WINDOW_DAYS: i64 = 28;

/// What to import and from where.
#[derive(Debug, Clone)]
pub struct Options {
    pub base_url: String,
    pub consortium: Option<String>,
    pub city: Option<String>,
    /// Put the libraries under this existing organization (e.g. `outokummun-kirjasto`) instead of
    /// one created per consortium (`kirkanta-<consortium>`).
    pub organization: Option<String>,
    /// Per request.
    pub timeout: Duration,
    /// Extra attempts after the first, for timeouts, connection errors and 5xx.
    pub retries: u32,
    pub backoff: Duration,
    /// First day of the schedule window (default: today in Helsinki).
    pub start: Option<NaiveDate>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base_url: DEFAULT_BASE_URL.into(),
            consortium: None,
            city: None,
            organization: None,
            timeout: Duration::from_secs(20),
            retries: 2,
            backoff: Duration::from_millis(500),
            start: None,
        }
    }
}

impl Options {
    fn scope(&self) -> String {
        format!(
            "consortium={};city={}",
            self.consortium.as_deref().unwrap_or("*"),
            self.city.as_deref().map(str::to_lowercase).unwrap_or_else(|| "*".into())
        )
    }
}

// ---- Kirkanta v4 response shapes (only what we read) ----

#[derive(Debug, Deserialize)]
struct Coordinates {
    lat: f64,
    lon: f64,
}

#[derive(Debug, Deserialize, Default)]
struct Address {
    street: Option<String>,
    zipcode: Option<String>,
    city: Option<String>,
    coordinates: Option<Coordinates>,
}

#[derive(Debug, Deserialize)]
struct Time {
    from: String,
    to: String,
    status: i64,
}

#[derive(Debug, Deserialize)]
struct Day {
    date: NaiveDate,
    #[serde(default)]
    closed: bool,
    #[serde(default)]
    times: Vec<Time>,
    info: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct KService {
    name: Option<String>,
    #[serde(rename = "standardName")]
    standard_name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PhoneNumber {
    number: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Library {
    id: Value,
    name: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    consortium: Option<Value>,
    #[serde(default)]
    address: Option<Address>,
    coordinates: Option<Coordinates>,
    email: Option<String>,
    homepage: Option<String>,
    #[serde(default, rename = "phoneNumbers")]
    phone_numbers: Vec<PhoneNumber>,
    #[serde(default)]
    schedules: Vec<Day>,
    #[serde(default)]
    services: Vec<KService>,
}

/// One fetched page: items stay raw JSON so that one bad record is skipped, not fatal.
#[derive(Debug, Deserialize)]
struct Page {
    total: Option<usize>,
    #[serde(alias = "result")]
    items: Vec<Value>,
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() && s.len() <= 40 => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// Location id for a Kirkanta id: lower-case, only `[a-z0-9-]`.
fn location_id(external: &str) -> Option<String> {
    let clean: String = external.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    (!clean.is_empty() && clean == external.to_lowercase()).then(|| format!("kirkanta-{clean}"))
}

async fn get_json(client: &reqwest::Client, url: &str, opts: &Options) -> anyhow::Result<Value> {
    let mut attempts = 0;
    let mut wait = opts.backoff;
    loop {
        attempts += 1;
        let detail = match client.get(url).send().await {
            Ok(resp) if resp.status().is_success() => match resp.bytes().await {
                Ok(body) => {
                    return serde_json::from_slice(&body)
                        .with_context(|| format!("{url}: the answer is not valid JSON ({} bytes)", body.len()))
                }
                Err(e) => format!("reading the answer: {e}"),
            },
            Ok(resp) if resp.status().is_server_error() || resp.status().as_u16() == 429 => {
                format!("HTTP {}", resp.status())
            }
            Ok(resp) => bail!("{url}: HTTP {}", resp.status()),
            Err(e) if e.is_timeout() => format!("timed out after {:?}", opts.timeout),
            Err(e) => e.to_string(),
        };
        if attempts > opts.retries {
            bail!("{url}: {detail} (gave up after {attempts} attempts)");
        }
        tracing::warn!(%url, %detail, attempts, "Kirkanta request failed; retrying");
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
}

/// Every library in scope, as raw JSON records.
async fn fetch(opts: &Options) -> anyhow::Result<Vec<Value>> {
    crate::geocode::check_tls(&opts.base_url)?;
    let client = reqwest::Client::builder()
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout)
        .user_agent(concat!("digituki/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let start = opts.start.unwrap_or_else(|| crate::hours::helsinki_date(Utc::now()));
    let end = start + chrono::Duration::days(WINDOW_DAYS - 1);
    let mut items = Vec::new();
    loop {
        let mut url = reqwest::Url::parse(&format!("{}/library", opts.base_url.trim_end_matches('/')))
            .with_context(|| format!("bad Kirkanta base URL {:?}", opts.base_url))?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(c) = &opts.consortium {
                q.append_pair("consortium", c);
            }
            if let Some(c) = &opts.city {
                q.append_pair("city.name", c);
            }
            q.append_pair("with", "schedules,services,phoneNumbers,primaryContactInfo,mailAddress")
                .append_pair("period.start", &start.to_string())
                .append_pair("period.end", &end.to_string())
                .append_pair("lang", "fi")
                .append_pair("limit", &PAGE_SIZE.to_string())
                .append_pair("skip", &items.len().to_string());
        }
        let body = get_json(&client, url.as_str(), opts).await?;
        let page: Page = serde_json::from_value(body)
            .with_context(|| format!("{url}: not a Kirkanta result set (expected {{total, items: [...]}})"))?;
        let n = page.items.len();
        items.extend(page.items);
        let total = page.total.unwrap_or(items.len());
        if n == 0 || items.len() >= total {
            break;
        }
    }
    Ok(items)
}

// ---- Hours ----

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

fn info_text(info: &Option<Value>) -> Option<String> {
    match info {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Object(m)) => m.get("fi").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// Kirkanta's dated days as our hours: the regular week plus dated exceptions.
fn hours_from_days(days: &[Day]) -> Result<Option<OpeningHours>, String> {
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
            let reason = info_text(&d.info).unwrap_or_else(|| {
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

// ---- Services ----

/// One of our services a Kirkanta library's services map to: id suffix, Finnish name and
/// description, keywords of Kirkanta service names (lower case), topics.
type ServiceKind = (&'static str, &'static str, &'static str, &'static [&'static str], &'static [&'static str]);

const SERVICE_KINDS: &[ServiceKind] = &[
    (
        "laitteet",
        "Kirjaston asiakaslaitteet",
        "Asiakastietokoneet, tulostus, skannaus ja langaton verkko kirjastossa.",
        &["tietokone", "tulost", "skann", "kopio", "wlan", "langaton", "wifi", "internet"],
        &["library_devices"],
    ),
    (
        "digiopastus",
        "Digiopastus",
        "Opastusta sähköisten palveluiden ja laitteiden käyttöön kirjaston henkilökunnalta.",
        &["digituki", "digiopastus", "digineuvonta", "opastus", "neuvonta", "laiteopastus"],
        &["online_public_services", "computer_basics", "phone_tablet_basics"],
    ),
];

fn service_matches(services: &[KService]) -> (BTreeSet<&'static str>, Vec<String>) {
    let mut found = BTreeSet::new();
    let mut names = Vec::new();
    for s in services {
        let name = s.standard_name.clone().or_else(|| s.name.clone()).unwrap_or_default();
        if name.is_empty() {
            continue;
        }
        names.push(name.clone());
        let lower = format!("{} {}", name.to_lowercase(), s.kind.clone().unwrap_or_default().to_lowercase());
        for (suffix, _, _, keywords, _) in SERVICE_KINDS {
            if keywords.iter().any(|k| lower.contains(k)) {
                found.insert(*suffix);
            }
        }
    }
    names.sort();
    names.dedup();
    (found, names)
}

// ---- Mapping one library ----

/// The fields an import manages, as column → value (JSON), plus what else it needs.
struct Mapped {
    external_id: String,
    location_id: String,
    fields: BTreeMap<&'static str, Value>,
    hours: Option<OpeningHours>,
    services: BTreeSet<&'static str>,
    kirkanta_services: Vec<String>,
    consortium: Option<String>,
    geocoded: bool,
}

/// The columns the import manages (besides `hours`).
const FIELDS: &[&str] = &[
    "name_fi",
    "kind",
    "street_address",
    "postal_code",
    "post_office",
    "municipality_code",
    "latitude",
    "longitude",
    "coordinate_method",
    "phone",
    "email",
    "website",
    "status",
];

fn clean(s: &Option<String>) -> Value {
    match s.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Value::String(v.to_owned()),
        _ => Value::Null,
    }
}

async fn map_library(
    raw: &Value,
    dir: &Directory,
    geocoder: Option<&Geocoder>,
) -> Result<Mapped, (Option<String>, String)> {
    let ext = raw.get("id").and_then(id_text);
    let fail = |reason: String| (ext.clone(), reason);
    if ext.is_none() {
        return Err(fail("no usable id".into()));
    }
    if !raw.get("name").is_some_and(Value::is_string) {
        return Err(fail("no name (missing, or not text)".into()));
    }
    let lib: Library =
        serde_json::from_value(raw.clone()).map_err(|e| fail(format!("not a Kirkanta library record: {e}")))?;
    let external_id = id_text(&lib.id).ok_or_else(|| fail("no usable id".into()))?;
    let location_id =
        location_id(&external_id).ok_or_else(|| fail(format!("id {external_id:?} is not usable as a directory id")))?;
    let name = lib.name.trim();
    if name.is_empty() {
        return Err(fail("empty name".into()));
    }
    let address = lib.address.unwrap_or_default();
    let postal =
        address.zipcode.as_deref().map(str::trim).filter(|z| z.len() == 5 && z.bytes().all(|b| b.is_ascii_digit()));
    let municipality = address.city.as_deref().and_then(|c| dir.find_municipality(c.trim())).map(|m| m.code.clone());
    let coords = lib.coordinates.or(address.coordinates).filter(|c| {
        (-90.0..=90.0).contains(&c.lat) && (-180.0..=180.0).contains(&c.lon) && !(c.lat == 0.0 && c.lon == 0.0)
    });
    let mut geocoded = false;
    let (lat, lon, method) = match coords {
        Some(c) => (json!(c.lat), json!(c.lon), json!("kirkanta")),
        None => {
            match geocode::locate(geocoder, address.street.as_deref(), postal, address.city.as_deref(), dir).await {
                Some(l) => {
                    geocoded = true;
                    (json!(l.lat), json!(l.lon), json!(l.method))
                }
                None => (Value::Null, Value::Null, Value::Null),
            }
        }
    };
    let hours = hours_from_days(&lib.schedules).map_err(fail)?;
    let (services, kirkanta_services) = service_matches(&lib.services);
    let kind = match lib.kind.as_deref() {
        Some("mobile") | Some("mobile_stop") => "library_bookmobile",
        _ => "library",
    };
    let mut fields = BTreeMap::new();
    fields.insert("name_fi", json!(name));
    fields.insert("kind", json!(kind));
    fields.insert("street_address", clean(&address.street));
    fields.insert("postal_code", postal.map(|p| json!(p)).unwrap_or(Value::Null));
    fields.insert("post_office", clean(&address.city));
    fields.insert("municipality_code", municipality.map(Value::String).unwrap_or(Value::Null));
    fields.insert("latitude", lat);
    fields.insert("longitude", lon);
    fields.insert("coordinate_method", method);
    fields.insert("phone", clean(&lib.phone_numbers.iter().find_map(|p| p.number.clone())));
    fields.insert("email", clean(&lib.email));
    fields.insert("website", clean(&lib.homepage.filter(|u| u.starts_with("https://") || u.starts_with("http://"))));
    fields.insert("status", json!("active"));
    Ok(Mapped {
        external_id,
        location_id,
        fields,
        hours,
        services,
        kirkanta_services,
        consortium: lib.consortium.as_ref().and_then(id_text),
        geocoded,
    })
}

// ---- Writing ----

/// Runs one import: fetch and check everything, then write it in one transaction.
pub async fn run(database_url: &str, opts: &Options, geocoder: Option<&Geocoder>) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport { source: SOURCE.into(), ..Default::default() };
    let raw = match fetch(opts).await {
        Ok(items) => items,
        Err(e) => {
            report.aborted = Some(format!("{e:#}"));
            return Ok(report);
        }
    };
    report.fetched = raw.len();

    let pool = crate::db::pool(database_url)?;
    let store = crate::directory::store::Store::default();
    let dir = store.rebuild(&pool).await.context("loading the directory")?;

    let mut mapped = Vec::new();
    // Ids of every upstream record, usable or not: none of them is "gone".
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut anonymous_skips = false;
    for item in &raw {
        match map_library(item, &dir, geocoder).await {
            Ok(m) => {
                seen.insert(m.external_id.clone());
                mapped.push(m);
            }
            Err((id, reason)) => {
                match &id {
                    Some(i) => {
                        seen.insert(i.clone());
                    }
                    None => anonymous_skips = true,
                }
                report.skipped.push(Skipped { external_id: id, reason });
            }
        }
    }
    if mapped.is_empty() {
        report.aborted = Some(if raw.is_empty() {
            "Kirkanta returned no libraries for this scope; nothing imported, nothing deactivated".into()
        } else {
            "no library record was usable; nothing imported".into()
        });
        return Ok(report);
    }

    let (mut client, conn) = tokio_postgres::connect(database_url, tokio_postgres::NoTls).await?;
    let conn_task = tokio::spawn(conn);
    let result = write(&mut client, opts, &mapped, &seen, anonymous_skips, &mut report).await;
    drop(client);
    let _ = conn_task.await;
    result?;
    Ok(report)
}

async fn write(
    client: &mut tokio_postgres::Client,
    opts: &Options,
    mapped: &[Mapped],
    seen: &BTreeSet<String>,
    anonymous_skips: bool,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    let tx = client.transaction().await?;
    let scope = opts.scope();
    let mut orgs_ready: HashMap<String, ()> = HashMap::new();
    for m in mapped {
        let org_key = opts.consortium.clone().or_else(|| m.consortium.clone()).unwrap_or_else(|| "all".into());
        let org_id = match &opts.organization {
            Some(o) => o.clone(),
            None => format!(
                "kirkanta-{}",
                org_key.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>()
            ),
        };
        if !orgs_ready.contains_key(&org_id) {
            if opts.organization.is_some() {
                if tx.query_opt("SELECT 1 FROM organizations WHERE id = $1", &[&org_id]).await?.is_none() {
                    bail!("organization {org_id:?} does not exist");
                }
            } else {
                ensure_organization(&tx, &org_id, &org_key).await?;
            }
            orgs_ready.insert(org_id.clone(), ());
        }
        let existing = tx
            .query_opt(
                "SELECT id, jsonb_build_object('name_fi', name_fi, 'kind', kind, 'street_address', street_address,
                    'postal_code', postal_code, 'post_office', post_office, 'municipality_code', municipality_code,
                    'latitude', latitude, 'longitude', longitude, 'coordinate_method', coordinate_method,
                    'phone', phone, 'email', email, 'website', website, 'status', status),
                    import_state,
                    (SELECT document FROM opening_hours WHERE location_id = l.id)
                 FROM locations l WHERE source = $1 AND external_id = $2",
                &[&SOURCE, &m.external_id],
            )
            .await?;
        let hours_json = m.hours.as_ref().map(serde_json::to_value).transpose()?.unwrap_or(Value::Null);
        let mut upstream: serde_json::Map<String, Value> =
            m.fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        upstream.insert("hours".into(), hours_json.clone());
        match existing {
            None => {
                insert_location(&tx, m, &org_id, &scope, &upstream).await?;
                report.created.push(m.location_id.clone());
            }
            Some(row) => {
                let id: String = row.get(0);
                let mut current: serde_json::Map<String, Value> = match row.get::<_, Value>(1) {
                    Value::Object(o) => o,
                    _ => Default::default(),
                };
                current.insert("hours".into(), row.get::<_, Option<Value>>(3).unwrap_or(Value::Null));
                let state: Value = row.get::<_, Option<Value>>(2).unwrap_or(Value::Null);
                let last = state.get("fields").and_then(Value::as_object).cloned().unwrap_or_default();
                let mut apply: BTreeMap<String, Value> = BTreeMap::new();
                let mut new_last = serde_json::Map::new();
                for (field, new) in &upstream {
                    let cur = current.get(field).cloned().unwrap_or(Value::Null);
                    let last_v = last.get(field).cloned();
                    let cur = normalise(field, cur);
                    let partner_edited = last_v.as_ref().is_some_and(|l| !same(field, l, &cur));
                    if same(field, &cur, new) {
                        new_last.insert(field.clone(), new.clone());
                    } else if !partner_edited {
                        apply.insert(field.clone(), new.clone());
                        new_last.insert(field.clone(), new.clone());
                    } else {
                        let last_v = last_v.unwrap_or(Value::Null);
                        if !same(field, &last_v, new) {
                            report.conflicts.push(Conflict {
                                location_id: id.clone(),
                                external_id: m.external_id.clone(),
                                field: field.clone(),
                                current: cur.clone(),
                                last_imported: last_v.clone(),
                                upstream: new.clone(),
                            });
                        } else {
                            report.kept_local_edits += 1;
                        }
                        // Still what the import last wrote: the edit stays visible as an edit.
                        new_last.insert(field.clone(), last_v);
                    }
                }
                let mut changed = false;
                let columns: Vec<(&String, &Value)> = apply.iter().filter(|(k, _)| k.as_str() != "hours").collect();
                if !columns.is_empty() {
                    update_columns(&tx, &id, &columns).await?;
                    changed = true;
                }
                if let Some(h) = apply.get("hours") {
                    write_hours(&tx, &id, h).await?;
                    changed = true;
                }
                let new_state = import_state(&scope, new_last, &m.kirkanta_services);
                if state.get("fields") != new_state.get("fields")
                    || state.get("scope") != new_state.get("scope")
                    || state.get("kirkanta_services") != new_state.get("kirkanta_services")
                {
                    tx.execute("UPDATE locations SET import_state = $2 WHERE id = $1", &[&id, &new_state]).await?;
                    changed = true;
                }
                if link_services(&tx, &id, &org_id, &m.services).await? {
                    changed = true;
                }
                if changed {
                    report.updated.push(id);
                } else {
                    report.unchanged += 1;
                }
                if m.geocoded && apply.contains_key("latitude") {
                    report.geocoded.push(m.location_id.clone());
                }
                continue;
            }
        }
        link_services(&tx, &m.location_id, &org_id, &m.services).await?;
        if m.geocoded {
            report.geocoded.push(m.location_id.clone());
        }
    }
    // Gone from Kirkanta (same scope): inactive, never deleted. Not when some records could
    // not even be identified: one of them may be a library we hold.
    if anonymous_skips {
        report.skipped.push(Skipped {
            external_id: None,
            reason: "some records had no id, so no library was marked inactive this time".into(),
        });
    } else {
        let rows = tx
            .query(
                "SELECT id, external_id FROM locations
                 WHERE source = $1 AND status <> 'inactive' AND import_state->>'scope' = $2",
                &[&SOURCE, &scope],
            )
            .await?;
        let gone: Vec<String> = rows
            .iter()
            .filter(|r| !seen.contains(&r.get::<_, Option<String>>(1).unwrap_or_default()))
            .map(|r| r.get(0))
            .collect();
        if !gone.is_empty() {
            tx.execute(
                "UPDATE locations SET status = 'inactive', updated_at = now(),
                    import_state = jsonb_set(import_state, '{fields,status}', '\"inactive\"')
                 WHERE id = ANY($1)",
                &[&gone],
            )
            .await?;
            report.deactivated = gone;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Floats compare with a tolerance; everything else exactly.
fn same(field: &str, a: &Value, b: &Value) -> bool {
    match (field, a.as_f64(), b.as_f64()) {
        ("latitude" | "longitude", Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}

/// Hours documents as stored may carry defaults the import does not write: compare parsed.
fn normalise(field: &str, v: Value) -> Value {
    if field == "hours" && !v.is_null() {
        if let Ok(h) = serde_json::from_value::<OpeningHours>(v.clone()) {
            return serde_json::to_value(h).unwrap_or(v);
        }
    }
    v
}

fn import_state(scope: &str, fields: serde_json::Map<String, Value>, services: &[String]) -> Value {
    json!({
        "source": SOURCE,
        "scope": scope,
        "fields": fields,
        "kirkanta_services": services,
        "imported_at": Utc::now().to_rfc3339(),
    })
}

async fn ensure_organization(tx: &tokio_postgres::Transaction<'_>, org_id: &str, key: &str) -> anyhow::Result<()> {
    if tx.query_opt("SELECT 1 FROM organizations WHERE id = $1", &[&org_id]).await?.is_some() {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO organizations (id, kind, name_fi, name_sv, name_en, description_fi, source, external_id, confidence)
         VALUES ($1, 'library', $2, $3, $4, 'Kirjastot Kirjastohakemistosta (Kirkanta) tuotuina.', 'kirkanta', $5, 'verified')",
        &[
            &org_id,
            &format!("Kirjastot (Kirkanta: {key})"),
            &format!("Bibliotek (Kirkanta: {key})"),
            &format!("Libraries (Kirkanta: {key})"),
            &key,
        ],
    )
    .await?;
    Ok(())
}

async fn insert_location(
    tx: &tokio_postgres::Transaction<'_>,
    m: &Mapped,
    org_id: &str,
    scope: &str,
    upstream: &serde_json::Map<String, Value>,
) -> anyhow::Result<()> {
    let s = |k: &str| m.fields.get(k).and_then(Value::as_str).map(str::to_owned);
    let f = |k: &str| m.fields.get(k).and_then(Value::as_f64);
    let state = import_state(scope, upstream.clone(), &m.kirkanta_services);
    let sources = json!([{"key": "kirkanta", "url": format!("https://www.kirjastot.fi/")}]);
    tx.execute(
        "INSERT INTO locations (id, organization_id, kind, name_fi, street_address, postal_code, post_office,
            municipality_code, latitude, longitude, coordinate_method, phone, email, website, status,
            source, external_id, confidence, sources, import_state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'kirkanta', $16, 'verified', $17, $18)",
        &[
            &m.location_id,
            &org_id,
            &s("kind"),
            &s("name_fi"),
            &s("street_address"),
            &s("postal_code"),
            &s("post_office"),
            &s("municipality_code"),
            &f("latitude"),
            &f("longitude"),
            &s("coordinate_method"),
            &s("phone"),
            &s("email"),
            &s("website"),
            &s("status"),
            &m.external_id,
            &sources,
            &state,
        ],
    )
    .await
    .with_context(|| format!("inserting {}", m.location_id))?;
    tx.execute("INSERT INTO location_languages (location_id, language_code) VALUES ($1, 'fi')", &[&m.location_id])
        .await?;
    if let Some(h) = &m.hours {
        write_hours(tx, &m.location_id, &serde_json::to_value(h)?).await?;
    }
    Ok(())
}

async fn update_columns(
    tx: &tokio_postgres::Transaction<'_>,
    id: &str,
    columns: &[(&String, &Value)],
) -> anyhow::Result<()> {
    // Column names come from FIELDS only, never from upstream data.
    let mut sets = Vec::new();
    for (i, (col, _)) in columns.iter().enumerate() {
        let col = FIELDS.iter().find(|f| **f == col.as_str()).context("unknown field")?;
        let cast = if matches!(*col, "latitude" | "longitude") { "double precision" } else { "text" };
        sets.push(format!("{col} = ($2::jsonb->>{i})::{cast}"));
    }
    let values = Value::Array(columns.iter().map(|(_, v)| (*v).clone()).collect());
    let sql = format!("UPDATE locations SET {}, updated_at = now() WHERE id = $1", sets.join(", "));
    tx.execute(sql.as_str(), &[&id, &values]).await.with_context(|| format!("updating {id}"))?;
    Ok(())
}

async fn write_hours(tx: &tokio_postgres::Transaction<'_>, id: &str, hours: &Value) -> anyhow::Result<()> {
    if hours.is_null() {
        tx.execute("DELETE FROM opening_hours WHERE location_id = $1", &[&id]).await?;
        return Ok(());
    }
    tx.execute(
        "INSERT INTO opening_hours (location_id, document, confidence, source_note)
         VALUES ($1, $2, 'verified', 'Kirkanta')
         ON CONFLICT (location_id) DO UPDATE SET document = EXCLUDED.document, updated_at = now()",
        &[&id, hours],
    )
    .await?;
    Ok(())
}

/// Makes sure the location offers the services its Kirkanta services map to; true if it wrote.
async fn link_services(
    tx: &tokio_postgres::Transaction<'_>,
    location_id: &str,
    org_id: &str,
    wanted: &BTreeSet<&'static str>,
) -> anyhow::Result<bool> {
    let mut wrote = false;
    for (suffix, name, description, _, topics) in SERVICE_KINDS.iter().filter(|s| wanted.contains(s.0)) {
        let service_id = format!("{org_id}-{suffix}");
        if tx.query_opt("SELECT 1 FROM services WHERE id = $1", &[&service_id]).await?.is_none() {
            tx.execute(
                "INSERT INTO services (id, organization_id, name_fi, description_fi, delivery_modes, assistance_level,
                    source, confidence)
                 VALUES ($1, $2, $3, $4, '{drop_in}', 'guidance', 'kirkanta', 'approximate')",
                &[&service_id, &org_id, name, description],
            )
            .await?;
            let topics: Vec<String> = topics.iter().map(|t| t.to_string()).collect();
            tx.execute(
                "INSERT INTO service_topics (service_id, topic_code) SELECT $1, unnest($2::text[])",
                &[&service_id, &topics],
            )
            .await?;
            tx.execute("INSERT INTO service_languages (service_id, language_code) VALUES ($1, 'fi')", &[&service_id])
                .await?;
            wrote = true;
        }
        let sal_id = format!("{location_id}-{suffix}");
        if tx.query_opt("SELECT 1 FROM services_at_locations WHERE id = $1", &[&sal_id]).await?.is_none() {
            tx.execute(
                "INSERT INTO services_at_locations (id, service_id, location_id, source, confidence)
                 VALUES ($1, $2, $3, 'kirkanta', 'approximate')",
                &[&sal_id, &service_id, &location_id],
            )
            .await?;
            wrote = true;
        }
    }
    Ok(wrote)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn day(date: &str, times: &[(&str, &str, i64)]) -> Day {
        Day {
            date: date.parse().unwrap(),
            closed: times.is_empty(),
            times: times.iter().map(|(f, t, s)| Time { from: f.to_string(), to: t.to_string(), status: *s }).collect(),
            info: None,
        }
    }

    #[test]
    fn days_become_a_week_plus_exceptions() {
        // Two weeks from Monday 2026-11-30; Sunday 2026-12-06 is Independence Day.
        let mut days = Vec::new();
        for i in 0..14 {
            let date = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap() + chrono::Duration::days(i);
            let d = date.to_string();
            days.push(match date.weekday() {
                Weekday::Sat | Weekday::Sun => day(&d, &[]),
                // One Wednesday with shorter hours.
                _ if d == "2026-12-09" => day(&d, &[("08:00", "10:00", 2), ("10:00", "16:00", 1)]),
                _ => day(&d, &[("08:00", "10:00", 2), ("10:00", "19:00", 1), ("19:00", "21:00", 2)]),
            });
        }
        let h = hours_from_days(&days).unwrap().unwrap();
        let week = &h.periods[0].week;
        assert_eq!(week.mon.len(), 3);
        assert_eq!(week.mon[0].kind, RangeKind::SelfService);
        assert_eq!(week.mon[1].kind, RangeKind::Staffed);
        assert!(week.sat.is_empty());
        let dates: Vec<String> = h.exceptions.iter().map(|e| e.date.to_string()).collect();
        assert_eq!(dates, ["2026-12-06", "2026-12-09"]);
    }

    #[test]
    fn unknown_status_is_an_error() {
        assert!(hours_from_days(&[day("2026-12-01", &[("10:00", "12:00", 7)])]).is_err());
    }
}
