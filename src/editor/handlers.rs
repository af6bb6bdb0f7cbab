//! The editor's routes: each GET renders a page, each POST checks the session, the CSRF field
//! and the origin, makes its change through the partner API's write path and answers with a
//! redirect to the changed page (303), or with the page again showing the problems.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use chrono::Utc;

use super::forms::{parse_date, parse_time, FieldProblems, HoursForm, Posted};
use super::guard::{failure, state_of, Posting, Refusal, SignedIn};
use super::pages::{self, href, Shown};
use super::texts::{field_message, form_problem, words, FormProblem};
use super::{lang_of, page, same_origin, see_other, session, Session};
use crate::api::partner::admin::{self, TokenInput};
use crate::api::partner::hours::{self, ExceptionInput};
use crate::api::partner::locations::{self, LocationResource};
use crate::api::partner::services::{SalResource, ServiceResource};
use crate::api::partner::{resource, IfMatch};
use crate::directory::Directory;
use crate::edit::TextInput;
use crate::error::ApiError;
use crate::hours::{RangeKind, TimeRange};
use crate::http::state::AppState;
use crate::i18n::Lang;

type Form = web::Form<Vec<(String, String)>>;

/// The problem page for a failed step (no form to show again).
fn problem(lang: Lang, status: StatusCode, s: Option<&Session>, dir: &Directory, text: &str) -> HttpResponse {
    Refusal::page(lang, status, s, dir, text).error_response()
}

// ---------------------------------------------------------------- signing in and out

pub async fn home(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let lang = lang_of(&req);
    let dir = state.store.get();
    let s = match session(&state, &req).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            let query = req.query_string();
            let said = if query.contains("signed_out=1") {
                Some(words(lang).signed_out)
            } else if query.contains("first=1") {
                Some(words(lang).sign_in_first)
            } else {
                None
            };
            return page(StatusCode::OK, pages::sign_in_page(lang, None, said));
        }
        Err(e) => return Refusal::failed(lang, None, &dir, &e).error_response(),
    };
    let query =
        web::Query::<Vec<(String, String)>>::from_query(req.query_string()).map(|q| q.into_inner()).unwrap_or_default();
    let asked = query.iter().find(|(k, _)| k == "org").map(|(_, v)| v.as_str());
    let org = match asked {
        Some(id) if s.caller.may_edit(id) => dir.organization_index(id),
        Some(_) => return problem(lang, StatusCode::FORBIDDEN, Some(&s), &dir, words(lang).not_allowed),
        None => dir.organization_index(&s.caller.organization_id),
    };
    let Some(org) = org else {
        return problem(lang, StatusCode::NOT_FOUND, Some(&s), &dir, words(lang).not_found);
    };
    page(StatusCode::OK, pages::home_page(lang, &s, &dir, org, Utc::now(), None))
}

pub async fn home_slash(req: HttpRequest) -> HttpResponse {
    see_other(&href("/partner", lang_of(&req)))
}

pub async fn sign_in(state: web::Data<AppState>, req: HttpRequest, form: Form) -> HttpResponse {
    let lang = lang_of(&req);
    let w = words(lang);
    let dir = state.store.get();
    if !same_origin(&req) {
        return problem(lang, StatusCode::FORBIDDEN, None, &dir, w.form_expired);
    }
    let form = Posted::new(form.into_inner());
    let client = state.proxy.client_ip(&req);
    let refuse = |status, text| page(status, pages::sign_in_page(lang, Some(text), None));
    if state.auth_failures.check(client).is_err() {
        return refuse(StatusCode::TOO_MANY_REQUESTS, w.too_many_attempts);
    }
    let key = form.get("key");
    if key.is_empty() {
        return page(StatusCode::UNPROCESSABLE_ENTITY, pages::sign_in_page(lang, Some(w.key_required), None));
    }
    let found = if crate::auth::well_formed(key) {
        // A database fault is not a wrong key: 503, and no failed login counted.
        let looked_up = match state.pool.get().await {
            Ok(mut conn) => crate::db::tokens::find_active(&mut conn, &crate::auth::sha256_hex(key)).await.ok(),
            Err(_) => None,
        };
        match looked_up {
            Some(found) => found,
            None => return problem(lang, StatusCode::SERVICE_UNAVAILABLE, None, &dir, w.failed),
        }
    } else {
        None
    };
    let Some(token) = found else {
        state.auth_failures.failed(client);
        return refuse(StatusCode::UNAUTHORIZED, w.bad_key);
    };
    // A session the browser had before ends: signing in always starts a new one.
    if super::end_session(&state, &req).await.is_err() {
        return problem(lang, StatusCode::SERVICE_UNAVAILABLE, None, &dir, w.failed);
    }
    match super::start_session(&state, &token.into()).await {
        Ok(cookie) => {
            let mut resp = see_other(&href("/partner", lang));
            if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&cookie) {
                resp.headers_mut().insert(actix_web::http::header::SET_COOKIE, v);
            }
            resp
        }
        Err(_) => problem(lang, StatusCode::SERVICE_UNAVAILABLE, None, &dir, w.failed),
    }
}

pub async fn sign_out(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let lang = lang_of(&req);
    // Signing out needs no CSRF field (it only ends the session), but is refused from another
    // site.
    if !same_origin(&req) {
        return problem(lang, StatusCode::FORBIDDEN, None, &state.store.get(), words(lang).form_expired);
    }
    let mut resp = see_other(&format!("{}&signed_out=1", href("/partner", lang)));
    if let Ok(cookie) = super::end_session(&state, &req).await {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&cookie) {
            resp.headers_mut().insert(actix_web::http::header::SET_COOKIE, v);
        }
    }
    resp
}

// ---------------------------------------------------------------- a location

/// `saved=` after a change: the section and the words saying it was done.
fn done_of(req: &HttpRequest) -> Option<(&'static str, &'static str)> {
    let w = words(lang_of(req));
    let query = web::Query::<Vec<(String, String)>>::from_query(req.query_string()).ok()?.into_inner();
    let saved = query.into_iter().find(|(k, _)| k == "saved")?.1;
    let (done, removed) = match saved.strip_suffix("-removed") {
        Some(section) => (section, true),
        None => (saved.as_str(), false),
    };
    let section = ["contact", "hours", "exceptions", "services", "confirm"].into_iter().find(|s| *s == done)?;
    let said = match (section, removed) {
        ("confirm", _) => w.thanks_confirmed,
        (_, true) => w.removed,
        _ => w.saved,
    };
    Some((section, said))
}

/// The location page, or the problem page when the key may not edit it.
fn location_response(
    lang: Lang,
    s: &Session,
    dir: &Directory,
    id: &str,
    status: StatusCode,
    shown: &Shown,
) -> HttpResponse {
    let w = words(lang);
    match dir.location(id) {
        None => problem(lang, StatusCode::NOT_FOUND, Some(s), dir, w.not_found),
        Some(loc) if !s.caller.may_edit(&dir.organizations[loc.organization].id) => {
            problem(lang, StatusCode::FORBIDDEN, Some(s), dir, w.not_allowed)
        }
        Some(loc) => page(status, pages::location_page(lang, s, dir, loc, Utc::now(), shown)),
    }
}

pub async fn location(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    signed: SignedIn,
) -> HttpResponse {
    let s = signed.session;
    let shown = Shown { done: done_of(&req), ..Default::default() };
    location_response(lang_of(&req), &s, &state.store.get(), &id, StatusCode::OK, &shown)
}

/// What a form did to a section of the location page.
#[derive(Clone, Copy)]
enum Change {
    Save(&'static str),
    Removal(&'static str),
}

/// A form posted on a location's page (`/partner/locations/{id}/…`): the guard's session and
/// form (`Posting`), with what the answer needs: the state, the request and the location's id.
pub struct LocationPost {
    state: web::Data<AppState>,
    req: HttpRequest,
    id: String,
    s: Session,
    form: Posted,
}

impl FromRequest for LocationPost {
    type Error = Refusal;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Refusal>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let posting = Posting::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let Posting { session: s, form, .. } = posting.await?;
            let state = state_of(&req)?;
            let id = req.match_info().get("id").unwrap_or_default().to_owned();
            Ok(LocationPost { state, req, id, s, form })
        })
    }
}

impl LocationPost {
    /// A path segment other than the id (`date`, `sal`, `service`).
    fn path(&self, name: &str) -> String {
        self.req.match_info().get(name).unwrap_or_default().to_owned()
    }

    /// The version of the location the page showed: a missing or garbled one can never match
    /// (the write answers 412).
    fn version(&self) -> IfMatch {
        version(&self.form)
    }

    /// The location's hours, as the page's version of it, changed by the signed-in key.
    fn hours_of(&self) -> hours::HoursOf<'_> {
        hours::HoursOf { state: &self.state, caller: &self.s.caller, id: &self.id, expected: self.version() }
    }

    /// After a write: back to the location's section (303), or the page again with the
    /// problems next to their fields (422; `place` names the input of a write path's field),
    /// or with what stopped it (someone else's change: the page as now stored).
    fn answer<T>(
        self,
        change: Change,
        result: Result<T, ApiError>,
        place: impl Fn(&str) -> Option<String>,
        hours: Option<HoursForm>,
    ) -> HttpResponse {
        let LocationPost { state, req, id, s, form: posted } = self;
        let lang = lang_of(&req);
        let dir = state.store.get();
        let (section, removal) = match change {
            Change::Save(section) => (section, false),
            Change::Removal(section) => (section, true),
        };
        match result {
            Ok(_) => {
                let saved = if removal { format!("{section}-removed") } else { section.to_owned() };
                see_other(&format!("{}&saved={saved}#{section}", href(&format!("/partner/locations/{id}"), lang)))
            }
            Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
                let mut shown = Shown { section: Some(section), posted, hours, ..Default::default() };
                let errors = if e.errors.is_empty() {
                    vec![crate::error::FieldError {
                        field: e.parameter.clone().unwrap_or_default(),
                        message: e.detail.clone(),
                    }]
                } else {
                    e.errors.clone()
                };
                for fe in errors {
                    let message = field_message(lang, &fe.message);
                    match place(&fe.field) {
                        Some(input) => shown.problems.add(input, message),
                        None => shown.general.push(message),
                    }
                }
                location_response(lang, &s, &dir, &id, StatusCode::UNPROCESSABLE_ENTITY, &shown)
            }
            Err(e) => {
                let (status, text) = failure(lang, &e);
                if status == StatusCode::CONFLICT {
                    let shown = Shown { problem: Some(text.to_owned()), ..Default::default() };
                    return location_response(lang, &s, &dir, &id, status, &shown);
                }
                problem(lang, status, Some(&s), &dir, text)
            }
        }
    }

    /// The editor's own problems with the form (before the write path), shown next to their
    /// fields.
    fn problems(self, section: &'static str, problems: Vec<(String, FormProblem)>) -> HttpResponse {
        let lang = lang_of(&self.req);
        let mut shown = Shown { section: Some(section), posted: self.form, ..Default::default() };
        for (input, p) in problems {
            shown.problems.add(input, form_problem(lang, p));
        }
        location_response(lang, &self.s, &self.state.store.get(), &self.id, StatusCode::UNPROCESSABLE_ENTITY, &shown)
    }
}

fn version(form: &Posted) -> IfMatch {
    // A missing or garbled version can never match: the write answers 412.
    IfMatch::Version(form.get("version").parse().unwrap_or(-1))
}

pub async fn post_contact(post: LocationPost) -> HttpResponse {
    let value = |name: &str| match post.form.get(name) {
        "" => serde_json::Value::Null,
        v => serde_json::Value::String(v.to_owned()),
    };
    let body = serde_json::json!({"phone": value("phone"), "email": value("email"), "website": value("website")});
    let body = body.to_string();
    let result =
        resource::update::<LocationResource>(&post.state, &post.s.caller, &post.id, &post.version(), body.as_bytes())
            .await;
    let place = |field: &str| ["phone", "email", "website"].contains(&field).then(|| field.to_owned());
    post.answer(Change::Save("contact"), result, place, None)
}

pub async fn post_hours(post: LocationPost) -> HttpResponse {
    let hours_form = HoursForm::from_posted(&post.form);
    let (periods, places, problems) = hours_form.periods();
    // A form without a single time would store "closed every day": a claim nobody made.
    let no_hours = problems.is_empty() && periods.iter().all(|p| p.week.is_empty());
    if !problems.is_empty() || no_hours {
        // What could be read is checked too, so that every problem shows at once.
        let LocationPost { state, req, id, s, form } = post;
        let lang = lang_of(&req);
        let readable = crate::hours::OpeningHours { periods, ..Default::default() };
        let mut shown = Shown { section: Some("hours"), posted: form, ..Default::default() };
        for (input, p) in problems {
            shown.problems.add(input, form_problem(lang, p));
        }
        if no_hours {
            shown.general.push(form_problem(lang, FormProblem::NoHours).to_owned());
        }
        for p in readable.validate() {
            match places.input_for(&p.field) {
                Some(input) => shown.problems.add(input, field_message(lang, &p.message)),
                None => shown.general.push(field_message(lang, &p.message)),
            }
        }
        shown.hours = Some(hours_form);
        return location_response(lang, &s, &state.store.get(), &id, StatusCode::UNPROCESSABLE_ENTITY, &shown);
    }
    let result = hours::store_weeks(post.hours_of(), periods, hours_form.open_on_holidays).await;
    post.answer(Change::Save("hours"), result, |f| places.input_for(f), Some(hours_form))
}

pub async fn post_exception(post: LocationPost) -> HttpResponse {
    let form = &post.form;
    let mut problems = Vec::new();
    let date = match form.get("ex-date") {
        "" => {
            problems.push(("ex-date".to_owned(), FormProblem::DateRequired));
            None
        }
        d => {
            let parsed = parse_date(d);
            let today = crate::hours::helsinki_date(Utc::now());
            match parsed {
                None => problems.push(("ex-date".to_owned(), FormProblem::Date)),
                Some(day) if day < today => problems.push(("ex-date".to_owned(), FormProblem::PastDate)),
                Some(_) => {}
            }
            parsed
        }
    };
    let mut ranges = Vec::new();
    let mut rows = Vec::new();
    if form.get("ex-closed") == "open" {
        for r in 0..2 {
            let (start, end) = (form.get(&format!("ex-{r}-start")), form.get(&format!("ex-{r}-end")));
            if start.is_empty() && end.is_empty() {
                continue;
            }
            if start.is_empty() || end.is_empty() {
                let missing = if start.is_empty() { "start" } else { "end" };
                problems.push((format!("ex-{r}-{missing}"), FormProblem::BothTimes));
                continue;
            }
            let (a, b) = (parse_time(start, false), parse_time(end, true));
            if a.is_none() {
                problems.push((format!("ex-{r}-start"), FormProblem::Time));
            }
            if b.is_none() {
                problems.push((format!("ex-{r}-end"), FormProblem::Time));
            }
            let kind = if form.get(&format!("ex-{r}-kind")) == "self_service" {
                RangeKind::SelfService
            } else {
                RangeKind::Staffed
            };
            if let (Some(start), Some(end)) = (a, b) {
                ranges.push(TimeRange { start, end, kind });
                rows.push(r);
            }
        }
        if ranges.is_empty() && problems.iter().all(|(f, _)| f == "ex-date") {
            problems.push(("ex-open".to_owned(), FormProblem::HoursOrClosed));
        }
    }
    let (Some(date), true) = (date, problems.is_empty()) else {
        return post.problems("exceptions", problems);
    };
    let opt = |name: &str| Some(form.get(name).to_owned()).filter(|v| !v.is_empty());
    let input = ExceptionInput {
        ranges,
        reason: TextInput { fi: opt("ex-reason-fi"), sv: opt("ex-reason-sv"), en: opt("ex-reason-en") },
    };
    // Where the new day will stand in the stored list (kept in date order), for its errors.
    let new_index = post
        .state
        .store
        .get()
        .location(&post.id)
        .and_then(|l| l.hours.as_ref().map(|h| h.hours.exceptions.iter().filter(|x| x.date < date).count()))
        .unwrap_or(0);
    let result = hours::set_exception(post.hours_of(), date, input).await;
    // `reason.fi` (the text check) or `exceptions[k].reason.fi` / `exceptions[k].ranges[j]` of
    // the new day (the hours check); an error about another stored day is listed above the form.
    let place = |field: &str| {
        let field = match field.strip_prefix("exceptions[") {
            Some(rest) => {
                let (k, f) = rest.split_once("].")?;
                if k.parse::<usize>().ok()? != new_index {
                    return None;
                }
                f
            }
            None => field,
        };
        if let Some(l) = field.strip_prefix("reason.") {
            return Some(format!("ex-reason-{l}"));
        }
        let j: usize = field.strip_prefix("ranges[")?.strip_suffix(']')?.parse().ok()?;
        rows.get(j).map(|r| format!("ex-{r}-start"))
    };
    post.answer(Change::Save("exceptions"), result, place, None)
}

pub async fn remove_exception(post: LocationPost) -> HttpResponse {
    let date = post.path("date");
    let result = match parse_date(&date) {
        Some(date) => hours::remove_exception(post.hours_of(), date).await.map(|_| ()),
        None => Err(ApiError::not_found("exception on", &date)),
    };
    post.answer(Change::Removal("exceptions"), result, |_| None, None)
}

pub async fn add_service(post: LocationPost) -> HttpResponse {
    if post.form.get("service").is_empty() {
        return post.problems("services", vec![("add-service".to_owned(), FormProblem::ChooseService)]);
    }
    let body = serde_json::json!({"service_id": post.form.get("service"), "location_id": post.id});
    let result = resource::insert::<SalResource>(&post.state, &post.s.caller, body.to_string().as_bytes(), &None).await;
    let place = |field: &str| (field == "service_id").then(|| "add-service".to_owned());
    post.answer(Change::Save("services"), result, place, None)
}

pub async fn remove_service(post: LocationPost) -> HttpResponse {
    let sal = post.path("sal");
    // Only a service offered at this location is removed from it here.
    let dir: Arc<Directory> = post.state.store.get();
    let result = match dir.service_at_location(&sal) {
        Some((loc, _)) if loc.id == post.id => {
            resource::remove::<SalResource>(&post.state, &post.s.caller, &sal, &post.version()).await
        }
        _ => Err(ApiError::not_found("service at location", &sal)),
    };
    post.answer(Change::Removal("services"), result, |_| None, None)
}

pub async fn post_level(post: LocationPost) -> HttpResponse {
    let service = post.path("service");
    let body = serde_json::json!({"assistance_level": post.form.get("level")}).to_string();
    let result =
        resource::update::<ServiceResource>(&post.state, &post.s.caller, &service, &post.version(), body.as_bytes())
            .await;
    let input = format!("level-{service}");
    let place = move |field: &str| (field == "assistance_level").then(|| input.clone());
    post.answer(Change::Save("services"), result, place, None)
}

pub async fn confirm(post: LocationPost) -> HttpResponse {
    let result = locations::verify(&post.state, &post.s.caller, &post.id, Some(&post.version())).await;
    post.answer(Change::Save("confirm"), result, |_| None, None)
}

// ---------------------------------------------------------------- the coordinator

pub async fn stale(state: web::Data<AppState>, signed: SignedIn) -> Result<HttpResponse, Refusal> {
    let dir = state.store.get();
    let SignedIn { session: s, lang } = signed.coordinator(&dir)?;
    let report = admin::stale_list(&dir, Utc::now());
    Ok(page(StatusCode::OK, pages::stale_page(lang, &s, &dir, &report)))
}

/// The keys page: the list (and a new key, shown once), or the form again with its problems.
async fn keys_page(
    state: &AppState,
    req: &HttpRequest,
    s: &Session,
    status: StatusCode,
    new_key: Option<&str>,
    posted: &Posted,
    problems: &FieldProblems,
) -> Result<HttpResponse, Refusal> {
    let lang = lang_of(req);
    let dir = state.store.get();
    let keys = match state.pool.get().await {
        Ok(mut conn) => crate::db::tokens::list(&mut conn).await.ok(),
        Err(_) => None,
    };
    let keys =
        keys.ok_or_else(|| Refusal::page(lang, StatusCode::SERVICE_UNAVAILABLE, Some(s), &dir, words(lang).failed))?;
    let keys: Vec<admin::TokenOut> = keys.into_iter().map(Into::into).collect();
    let done = req.query_string().contains("saved=revoked").then_some(words(lang).saved);
    Ok(page(status, pages::keys_page(lang, s, &dir, &keys, new_key, posted, problems, done)))
}

pub async fn keys(state: web::Data<AppState>, req: HttpRequest, signed: SignedIn) -> Result<HttpResponse, Refusal> {
    let s = signed.coordinator(&state.store.get())?.session;
    keys_page(&state, &req, &s, StatusCode::OK, None, &Posted::default(), &FieldProblems::default()).await
}

pub async fn create_key(state: web::Data<AppState>, req: HttpRequest, post: Posting) -> Result<HttpResponse, Refusal> {
    let dir = state.store.get();
    let Posting { session: s, form, lang } = post.coordinator(&dir)?;
    let input = TokenInput {
        organization_id: Some(form.get("key-org").to_owned()),
        name: Some(form.get("key-name").to_owned()),
        admin: form.has("key-admin"),
    };
    match admin::issue(&state, &input).await {
        Ok(new) => {
            let none = FieldProblems::default();
            keys_page(&state, &req, &s, StatusCode::CREATED, Some(&new.token), &Posted::default(), &none).await
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut problems = FieldProblems::default();
            for fe in &e.errors {
                let input = if fe.field == "name" { "key-name" } else { "key-org" };
                problems.add(input, key_message(lang, &fe.message));
            }
            keys_page(&state, &req, &s, StatusCode::UNPROCESSABLE_ENTITY, None, &form, &problems).await
        }
        Err(e) => Err(Refusal::failed(lang, Some(&s), &dir, &e)),
    }
}

/// The key name's messages (`auth::token_name`), in the coordinator's language.
fn key_message(lang: Lang, message: &str) -> String {
    match (lang, message.starts_with("is required")) {
        (Lang::Fi, true) => "Anna avaimelle nimi, josta näkee, kuka sitä käyttää.".into(),
        (Lang::Sv, true) => "Ge nyckeln ett namn som visar vem som använder den.".into(),
        _ => field_message(lang, message),
    }
}

pub async fn revoke_key(
    state: web::Data<AppState>,
    id: web::Path<String>,
    post: Posting,
) -> Result<HttpResponse, Refusal> {
    let dir = state.store.get();
    let Posting { session: s, lang, .. } = post.coordinator(&dir)?;
    let not_found = || Refusal::page(lang, StatusCode::NOT_FOUND, Some(&s), &dir, words(lang).not_found);
    let key_id = id.parse::<i64>().map_err(|_| not_found())?;
    let revoked = match state.pool.get().await {
        Ok(mut conn) => crate::db::tokens::revoke(&mut conn, key_id).await.ok(),
        Err(_) => None,
    };
    match revoked {
        Some(true) => Ok(see_other(&format!("{}&saved=revoked", href("/partner/keys", lang)))),
        Some(false) => Err(not_found()),
        None => Err(Refusal::page(lang, StatusCode::SERVICE_UNAVAILABLE, Some(&s), &dir, words(lang).failed)),
    }
}
