//! A local HTTP server standing in for an outside service (Kirkanta, a Pelias geocoder): it
//! answers every request with the reply set by the test, counts requests and records their
//! query strings. `Reply::Kirkanta` answers like the real Kirkanta API v4 server (see
//! `kirkanta_v4`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::Value;

#[derive(Clone)]
pub enum Reply {
    Json(Value),
    /// Status and raw body (e.g. truncated JSON, or a 500 page).
    Raw(u16, String),
    /// The JSON, after a delay.
    Slow(Duration, Value),
    /// Kirkanta API v4 over the stored documents of `tests/fixtures/kirkanta/consortium.json`
    /// (`{libraries: [...], periods: [...]}`), paged, filtered and shaped like the real server.
    Kirkanta(Arc<Value>),
}

pub struct FixtureState {
    pub hits: AtomicUsize,
    pub reply: Mutex<Reply>,
    pub queries: Mutex<Vec<String>>,
}

pub struct Fixture {
    pub base: String,
    pub state: Arc<FixtureState>,
}

impl Fixture {
    pub async fn start(reply: Reply) -> Fixture {
        let state = Arc::new(FixtureState {
            hits: AtomicUsize::new(0),
            reply: Mutex::new(reply),
            queries: Mutex::new(Vec::new()),
        });
        let data = web::Data::from(state.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(answer)))
            .workers(1)
            .listen(listener)
            .unwrap()
            .run();
        tokio::spawn(server);
        Fixture { base: format!("http://127.0.0.1:{port}"), state }
    }

    pub fn set(&self, reply: Reply) {
        *self.state.reply.lock().unwrap() = reply;
        self.state.hits.store(0, Ordering::SeqCst);
        self.state.queries.lock().unwrap().clear();
    }

    pub fn hits(&self) -> usize {
        self.state.hits.load(Ordering::SeqCst)
    }

    pub fn queries(&self) -> Vec<String> {
        self.state.queries.lock().unwrap().clone()
    }
}

async fn answer(state: web::Data<FixtureState>, req: HttpRequest) -> HttpResponse {
    state.hits.fetch_add(1, Ordering::SeqCst);
    state.queries.lock().unwrap().push(format!("{}?{}", req.path(), req.query_string()));
    let reply = state.reply.lock().unwrap().clone();
    match reply {
        Reply::Json(v) => HttpResponse::Ok().json(v),
        Reply::Raw(status, body) => HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
            .content_type("application/json")
            .body(body),
        Reply::Slow(delay, v) => {
            tokio::time::sleep(delay).await;
            HttpResponse::Ok().json(v)
        }
        Reply::Kirkanta(data) => match kirkanta_v4(&data, req.path(), req.query_string()) {
            Ok(v) => HttpResponse::Ok().json(v),
            Err((status, text)) => {
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).body(text)
            }
        },
    }
}

// ---- Kirkanta API v4, as libraries-fi/kirkanta-api serves it ----
//
// Each rule below names the source it follows:
//   server.js           routes `GET /v4/<type>`, `extractOptions` (lang, limit, skip, sort, with, refs)
//   lib/storage.js      filters, sections, paging, `count`, schedules merged per page
//   lib/searcher.js     the answer `{type, total, items}` (+ `refs` when asked)
//   lib/encoders.js     translations collapsed to the asked language (fallback `fi`)
//   libraries-fi/kirkanta src/Module/Schedules/ScheduleBuilder.php: days built from periods

/// storage.js ServicePointStorage `sections`: left out of a document unless named in `with`.
const SECTIONS: &[&str] = &[
    "buildingInfo",
    "customData",
    "departments",
    "emailAddresses",
    "links",
    "mailAddress",
    "persons",
    "phoneNumbers",
    "pictures",
    "primaryContactInfo",
    "services",
    "transitInfo",
    "librarySystem",
];
/// config.json.dist `languages`; encoders.js `availableLanguagesCache`.
const LANGS: &[&str] = &["fi", "sv", "en", "ru", "se"];
/// storage.js: `FALLBACK_LIMIT = 10`.
const FALLBACK_LIMIT: usize = 10;
/// storage.js `onResultMergeSchedules`: schedules of one page are loaded with `limit: 5000`.
const SCHEDULE_ROWS: usize = 5000;

fn terms(v: Option<&str>) -> Vec<String> {
    // filters.js stringToTerms: split on /[\s,]+/
    v.unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

fn id_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The stored (all-language) value of a translatable field in one language, as SQL sees it.
fn in_lang<'a>(v: &'a Value, lang: &str) -> Option<&'a str> {
    v.get(lang).and_then(Value::as_str)
}

/// encoders.js `collapse_langcode`: an object with a language key becomes
/// `data[langcode] || data[fallback]`; `undefined` drops the key (JSON.stringify).
fn collapse(v: &Value, lang: &str) -> Option<Value> {
    match v {
        Value::Object(m) if m.keys().any(|k| LANGS.contains(&k.as_str())) => {
            let truthy = |x: &&Value| {
                !matches!(x, Value::Null | Value::Bool(false)) && x.as_str() != Some("") && x.as_f64() != Some(0.0)
            };
            let picked = m.get(lang).filter(truthy).or_else(|| m.get("fi"))?;
            // The replacer's result is walked again (its children, not itself).
            Some(match picked {
                Value::Object(inner) => {
                    Value::Object(inner.iter().filter_map(|(k, x)| Some((k.clone(), collapse(x, lang)?))).collect())
                }
                Value::Array(a) => Value::Array(a.iter().map(|x| collapse(x, lang).unwrap_or(Value::Null)).collect()),
                other => other.clone(),
            })
        }
        Value::Object(m) => {
            Some(Value::Object(m.iter().filter_map(|(k, x)| Some((k.clone(), collapse(x, lang)?))).collect()))
        }
        Value::Array(a) => Some(Value::Array(a.iter().map(|x| collapse(x, lang).unwrap_or(Value::Null)).collect())),
        other => Some(other.clone()),
    }
}

fn date_param(v: Option<&str>) -> Result<chrono::NaiveDate, (u16, String)> {
    // storage.js SchedulesStorage: default '0d' (today); exact dates `YYYY-MM-DD`. (Relative
    // values other than 0d are not needed by our importer and answer 400 here.)
    match v {
        None | Some("0d") | Some("today") => Ok(chrono::Utc::now().date_naive()),
        Some(s) => s.parse().map_err(|_| (400, format!("fixture: unsupported date {s:?}"))),
    }
}

/// ScheduleBuilder::build + ScheduleManager::updateSchedules + SchedulesStorage: one library's
/// day rows `{library, period, date, info, closed, times: [{from, to, status}]}`.
fn schedule_days(periods: &[&Value], from: chrono::NaiveDate, to: chrono::NaiveDate) -> Vec<Value> {
    use chrono::Datelike;
    let date_of = |v: &Value| v.as_str().and_then(|s| s.parse::<chrono::NaiveDate>().ok());
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        // Continuous periods (no validUntil) first, the latest start winning; fixed-term
        // (exception) periods after them, so they override (array_merge by date).
        let mut chosen: Option<&Value> = None;
        let mut best_start = None;
        for p in periods.iter().filter(|p| p["validUntil"].is_null()) {
            let start = date_of(&p["validFrom"]);
            if start.is_some_and(|s| s <= day) && start > best_start {
                chosen = Some(p);
                best_start = start;
            }
        }
        for p in periods.iter().filter(|p| !p["validUntil"].is_null()) {
            if let (Some(s), Some(u)) = (date_of(&p["validFrom"]), date_of(&p["validUntil"])) {
                if s <= day && day <= u {
                    chosen = Some(p);
                }
            }
        }
        if let Some(p) = chosen {
            let days = p["days"].as_array().cloned().unwrap_or_default();
            let valid_from = date_of(&p["validFrom"]).unwrap();
            let weight = date_of(&p["validUntil"]).map(|u| (u - valid_from).num_days()).unwrap_or(9999);
            let delta = (day - valid_from).num_days() as usize;
            let index = if weight < 7 { delta } else { delta + valid_from.weekday().num_days_from_monday() as usize };
            if !days.is_empty() {
                let source = &days[index % days.len()];
                let mut times: Vec<Value> = Vec::new();
                let mut prev_close: Option<String> = None;
                for t in source["times"].as_array().cloned().unwrap_or_default() {
                    let (Some(opens), Some(closes)) = (t["opens"].as_str(), t["closes"].as_str()) else { continue };
                    if let Some(pc) = &prev_close {
                        if pc.as_str() < opens {
                            // A gap inside the day: a `status: 0` row.
                            times.push(serde_json::json!({"from": pc, "to": opens, "status": 0}));
                        }
                    }
                    let staff = t.get("staff").map(|s| s.as_bool().unwrap_or(true)).unwrap_or(true);
                    // SQL to_char(closes, 'HH24:MI'): a closing time of 24:00 is the next day's 00:00.
                    let to = if closes == "24:00" { "00:00" } else { closes };
                    times.push(serde_json::json!({"from": opens, "to": to, "status": if staff { 1 } else { 2 }}));
                    prev_close = Some(closes.to_owned());
                }
                // Builder default `info => []`, replaced by the period day's own `info`.
                let info = source.get("info").cloned().unwrap_or_else(|| serde_json::json!([]));
                out.push(serde_json::json!({
                    "library": p["library"],
                    "period": p["id"],
                    "date": day.to_string(),
                    "info": info,
                    "closed": times.is_empty(),
                    "times": times,
                }));
            }
        }
        day = day.succ_opt().unwrap();
    }
    out
}

/// One answer of `GET /v4/library?...`.
pub fn kirkanta_v4(data: &Value, path: &str, query: &str) -> Result<Value, (u16, String)> {
    if path.trim_end_matches('/') != "/v4/library" {
        return Err((404, format!("Cannot GET {path}")));
    }
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let get = |k: &str| params.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    // server.js extractOptions
    let lang = get("lang").unwrap_or("fi");
    let limit = get("limit").and_then(|l| l.parse::<usize>().ok()).filter(|l| *l > 0).unwrap_or(FALLBACK_LIMIT);
    let skip = get("skip").and_then(|l| l.parse::<usize>().ok()).unwrap_or(0);
    let with = terms(get("with"));
    let refs = terms(get("refs"));
    let sort = terms(get("sort"));
    let ids = terms(get("id"));
    let consortia = terms(get("consortium"));
    let city_name = get("city.name").map(str::to_lowercase);

    let empty = Vec::new();
    let mut libs: Vec<&Value> = data["libraries"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter(|l| ids.is_empty() || ids.contains(&id_string(&l["id"])))
        // `consortium`: terms on consortium_id
        .filter(|l| consortia.is_empty() || consortia.contains(&id_string(&l["consortium"])))
        // `city.name`: prefix (ILIKE 'name%') on the city's name in the asked language
        .filter(|l| match &city_name {
            None => true,
            Some(c) => in_lang(&l["address"]["city"], lang).is_some_and(|n| n.to_lowercase().starts_with(c.as_str())),
        })
        .collect();
    // Sorting: `sort` terms (`id`, `name`, `city`; `-` for descending), default `name`.
    let sort = if sort.is_empty() { vec!["name".to_owned()] } else { sort };
    let key = |l: &Value, k: &str| -> (i64, String) {
        match k {
            "id" => (l["id"].as_i64().unwrap_or_default(), String::new()),
            "city" => (0, in_lang(&l["address"]["city"], lang).unwrap_or_default().to_owned()),
            _ => (0, in_lang(&l["name"], lang).unwrap_or_default().to_owned()),
        }
    };
    // PostgreSQL gives no order among rows with equal sort keys, and may give another on the
    // next query: the fixture makes that visible by flipping ties on every other page.
    let flip = (skip / limit) % 2 == 1;
    libs.sort_by(|a, b| {
        for t in &sort {
            let (desc, k) = match t.strip_prefix('-') {
                Some(k) => (true, k),
                None => (false, t.as_str()),
            };
            let o = key(a, k).cmp(&key(b, k));
            let o = if desc { o.reverse() } else { o };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        let o = a["id"].as_i64().cmp(&b["id"].as_i64());
        if flip {
            o.reverse()
        } else {
            o
        }
    });
    // Storage.count clones the query with its LIMIT/OFFSET and takes `.first()`: with an
    // OFFSET the one count row is skipped, so pages after the first report `total: 0`.
    let total = if skip > 0 { 0 } else { libs.len() };
    let page: Vec<&Value> = libs.into_iter().skip(skip).take(limit).collect();
    let mut items: Vec<Value> = page
        .iter()
        .map(|l| {
            let mut doc = (*l).clone();
            if let Some(m) = doc.as_object_mut() {
                for s in SECTIONS {
                    if !with.iter().any(|w| w == s) {
                        m.remove(*s);
                    }
                }
            }
            doc
        })
        .collect();
    let mut periods_used: Vec<Value> = Vec::new();
    if with.iter().any(|w| w == "schedules") {
        let from = date_param(get("period.start"))?;
        let to = date_param(get("period.end"))?;
        let all_periods: Vec<&Value> = data["periods"].as_array().unwrap_or(&empty).iter().collect();
        // One query for the page, ordered by library then date, at most 5000 rows.
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|i| items[*i]["id"].as_i64());
        let mut rows = 0;
        for item in items.iter_mut() {
            item["schedules"] = Value::Array(Vec::new());
        }
        for i in order {
            let lid = items[i]["id"].clone();
            let mine: Vec<&Value> = all_periods.iter().copied().filter(|p| p["library"] == lid).collect();
            for mut d in schedule_days(&mine, from, to) {
                if rows == SCHEDULE_ROWS {
                    break;
                }
                rows += 1;
                if let Some(p) = mine.iter().find(|p| p["id"] == d["period"]) {
                    if !periods_used.iter().any(|u| u["id"] == p["id"]) {
                        periods_used.push((*p).clone());
                    }
                }
                d.as_object_mut().unwrap().remove("library");
                items[i]["schedules"].as_array_mut().unwrap().push(d);
            }
        }
    }
    let mut answer = serde_json::json!({"type": "library", "total": total, "items": items});
    if !refs.is_empty() {
        // searcher.js: `refs` keyed by type, then by id. Of ServicePointStorage's refs, this
        // fixture holds periods (PeriodStorage: id, library, validFrom, validUntil,
        // isException, name, description); city and consortium come back empty.
        let mut out = serde_json::Map::new();
        for r in &refs {
            let mut map = serde_json::Map::new();
            if r == "period" {
                for p in &periods_used {
                    map.insert(
                        id_string(&p["id"]),
                        serde_json::json!({
                            "id": p["id"], "library": p["library"], "validFrom": p["validFrom"],
                            "validUntil": p["validUntil"], "isException": !p["validUntil"].is_null(),
                            "name": p["name"], "description": p["description"],
                        }),
                    );
                }
            }
            if ["period", "city", "consortium"].contains(&r.as_str()) {
                out.insert(r.clone(), Value::Object(map));
            }
        }
        answer["refs"] = Value::Object(out);
    }
    Ok(collapse(&answer, lang).unwrap_or(Value::Null))
}
