//! The editor's pages. maud escapes every value put into them; partner text is never markup.

use chrono::{DateTime, NaiveDate, Utc};
use maud::{html, Markup};

use super::forms::{period_id, range_id, FieldProblems, HoursForm, Posted, RangeRow};
use super::texts::{words, Words};
use super::Session;
use crate::api::partner::admin::{StaleList, TokenOut};
use crate::directory::{Directory, Location};
use crate::domain::{AssistanceLevel, Confidence, Vocabulary};
use crate::embed::list::capitalized;
use crate::hours::helsinki_date;
use crate::hours::{WeekHours, WEEKDAYS};
use crate::i18n::Lang;

/// `path?lang=xx`, the way every link and form of the editor keeps the language.
pub fn href(path: &str, lang: Lang) -> String {
    format!("{path}?lang={}", lang.code())
}

pub fn date_text(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::En => d.format("%-d %b %Y").to_string(),
        _ => d.format("%-d.%-m.%Y").to_string(),
    }
}

/// The frame of every editor page. `path` is this page's own address (for the language
/// switch; a page shown after a POST names the page it belongs to).
pub fn frame(lang: Lang, path: &str, title: &str, session: Option<(&Session, &str)>, body: Markup) -> Markup {
    let w = words(lang);
    let page = html! {
        body.editor {
            a.skip href="#main" { (crate::embed::texts::texts(lang).skip_to_content) }
            header.bar {
                p.brand { a href=(href("/partner", lang)) { (w.title) } }
                @if let Some((s, org_name)) = session {
                    p.who {
                        (w.signed_in_as) ": "
                        @if s.caller.is_admin { (w.coordinator) } @else { (org_name) }
                        " (" (w.key.to_lowercase()) " ”" (s.caller.token_name) "”)"
                    }
                    nav aria-label=(w.title) {
                        ul.links {
                            li { a href=(href("/partner", lang)) { @if s.caller.is_admin { (w.all_organizations) } @else { (w.own_listings) } } }
                            @if s.caller.is_admin {
                                li { a href=(href("/partner/stale", lang)) { (w.stale_report) } }
                                li { a href=(href("/partner/keys", lang)) { (w.keys) } }
                            }
                        }
                    }
                    form.inline method="post" action=(href("/partner/sign-out", lang)) {
                        input type="hidden" name="csrf" value=(s.csrf);
                        button type="submit" { (w.sign_out) }
                    }
                }
                (crate::embed::page::language_switch(lang, |l| href(path, l)))
            }
            main #main { (body) }
        }
    };
    crate::embed::page::document(lang, &format!("{title} – {}", w.title), html! {}, page)
}

/// A notice at the top of a page: `ok` for a done change, else a problem.
pub fn notice(text: &str, ok: bool) -> Markup {
    html! {
        @if ok {
            p.done role="status" { (text) }
        } @else {
            div.error role="alert" { p { (text) } }
        }
    }
}

pub fn sign_in_page(lang: Lang, problem: Option<&str>, said: Option<&str>) -> Markup {
    let w = words(lang);
    let body = html! {
        h1 { (w.sign_in) }
        @if let Some(t) = said { (notice(t, true)) }
        p { (w.sign_in_intro) }
        form.staff method="post" action=(href("/partner/sign-in", lang)) novalidate {
            (field(lang, "key", w.key, Some(w.key_hint), &problems_of("key", problem), |described| html! {
                input #key type="password" name="key" autocomplete="current-password" spellcheck="false"
                    aria-describedby=(described) aria-invalid=[problem.map(|_| "true")];
            }))
            button type="submit" { (w.sign_in) }
        }
    };
    frame(lang, "/partner", w.sign_in, None, body)
}

fn problems_of(id: &str, problem: Option<&str>) -> FieldProblems {
    let mut p = FieldProblems::default();
    if let Some(m) = problem {
        p.add(id, m);
    }
    p
}

/// One labelled field: its label, hint and errors (each with an id the input names in
/// `aria-describedby`), then the input built by `input` with that list.
pub fn field(
    lang: Lang,
    id: &str,
    label: &str,
    hint: Option<&str>,
    problems: &FieldProblems,
    input: impl FnOnce(String) -> Markup,
) -> Markup {
    let errors = problems.get(id);
    let mut described = Vec::new();
    if hint.is_some() {
        described.push(format!("hint-{id}"));
    }
    if errors.is_some() {
        described.push(format!("err-{id}"));
    }
    html! {
        div.field.invalid[errors.is_some()] {
            label for=(id) { (label) }
            @if let Some(h) = hint { p.hint id=(format!("hint-{id}")) { (h) } }
            (errors_for(lang, id, errors))
            (input(described.join(" ")))
        }
    }
}

fn errors_for(lang: Lang, id: &str, errors: Option<&Vec<String>>) -> Markup {
    html! {
        @if let Some(list) = errors {
            p.field-error id=(format!("err-{id}")) {
                span.visually-hidden { (words(lang).error) ": " }
                (list.join(" "))
            }
        }
    }
}

/// The list of a form's problems, each a link to its field; shown above the form.
fn summary(lang: Lang, problems: &FieldProblems, general: &[String]) -> Markup {
    let w = words(lang);
    html! {
        @if !problems.is_empty() || !general.is_empty() {
            div.error role="alert" {
                h3 { (w.errors_title) }
                ul {
                    @for m in general { li { (m) } }
                    @for (id, list) in in_page_order(problems) {
                        li {
                            a href=(format!("#{id}")) {
                                @if let Some(label) = row_label(lang, id) { (label) ": " }
                                (list.join(" "))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn describedby(ids: &[Option<String>]) -> Option<String> {
    let v: Vec<&str> = ids.iter().flatten().map(String::as_str).collect();
    (!v.is_empty()).then(|| v.join(" "))
}

/// The listings of one organisation, with how current each is.
pub fn home_page(
    lang: Lang,
    session: &Session,
    dir: &Directory,
    org: usize,
    now: DateTime<Utc>,
    notice_text: Option<&str>,
) -> Markup {
    let w = words(lang);
    let o = &dir.organizations[org];
    let services: Vec<_> = dir.services.iter().filter(|s| s.organization == org).collect();
    let events: Vec<_> = dir.events.iter().filter(|e| e.organization == org).collect();
    let body = html! {
        h1 { (o.name.in_lang(lang)) }
        @if let Some(t) = notice_text { (notice(t, true)) }
        @if session.caller.is_admin {
            form.staff method="get" action="/partner" {
                input type="hidden" name="lang" value=(lang.code());
                div.field {
                    label for="org" { (w.organization) }
                    select #org name="org" {
                        @for other in by_name(dir, lang) {
                            option value=(other.id) selected[other.id == o.id] { (other.name.in_lang(lang)) }
                        }
                    }
                }
                button type="submit" { (w.show) }
            }
        }
        h2 { (w.locations) }
        @if o.locations.is_empty() { p { (w.none) } }
        ul.listing {
            @for &i in &o.locations {
                @let loc = &dir.locations[i];
                li {
                    h3 { a href=(href(&format!("/partner/locations/{}", loc.id), lang)) { (loc.name.in_lang(lang)) } }
                    (currency(lang, dir, &loc.provenance, loc.verified_by, now))
                }
            }
        }
        h2 { (w.services) }
        @if services.is_empty() { p { (w.none) } }
        ul.listing {
            @for s in &services {
                li {
                    h3 { (s.name.in_lang(lang)) }
                    p { (w.level) ": " (crate::embed::texts::level_name(lang, s.assistance_level)) }
                    (currency(lang, dir, &s.provenance, None, now))
                }
            }
        }
        @if !services.is_empty() { p.hint { (w.services_note) } }
        h2 { (w.events) }
        @if events.is_empty() { p { (w.none) } }
        ul.listing {
            @for e in &events {
                @let next = e.occurrences(now, now + chrono::Duration::days(366)).into_iter().find(|o| o.status != "cancelled");
                li {
                    h3 { (e.doc.title.in_lang(lang)) }
                    p {
                        (w.next_time) ": "
                        @match next {
                            Some(o) => (crate::embed::page::when(lang, o.start)),
                            None => (w.no_upcoming),
                        }
                    }
                    (currency(lang, dir, &e.provenance, None, now))
                }
            }
        }
        @if !events.is_empty() { p.hint { (w.events_note) } }
    };
    frame(lang, "/partner", o.name.in_lang(lang), Some((session, &own_name(dir, session))), body)
}

/// The signed-in key's organisation by name (its id, should the snapshot not hold it).
pub fn own_name(dir: &Directory, session: &Session) -> String {
    let id = &session.caller.organization_id;
    dir.organization(id).map(|o| o.name.fi.clone()).unwrap_or_else(|| id.clone())
}

/// When a listing was last confirmed and changed, and whether it needs confirming.
fn currency(
    lang: Lang,
    dir: &Directory,
    p: &crate::directory::Provenance,
    verified_by: Option<u32>,
    now: DateTime<Utc>,
) -> Markup {
    let w = words(lang);
    let by = verified_by.and_then(|i| dir.organizations.get(i as usize)).map(|o| o.id.to_uppercase());
    html! {
        p {
            (w.confirmed) ": "
            @match p.verified_at {
                Some(at) => {
                    (date_text(lang, helsinki_date(at)))
                    @if let Some(by) = &by { " (" (by) ")" }
                },
                None => (w.never),
            }
            " · " (w.changed) ": " (date_text(lang, helsinki_date(p.updated_at)))
        }
        @if p.is_stale(now) {
            p.badge.stale { (w.needs_confirming) }
        } @else if p.verified_at.is_some() {
            p.badge.current { (w.up_to_date) }
        } @else {
            p.badge.current { (w.added_recently) }
        }
    }
}

/// Which of the location page's forms was posted, and what to show in it again.
#[derive(Default)]
pub struct Shown {
    /// A change that was made (`saved=` after the redirect): its section and words.
    pub done: Option<(&'static str, &'static str)>,
    /// A problem of the whole page (someone else changed it, …).
    pub problem: Option<String>,
    /// The form that was posted, its values and its problems.
    pub section: Option<&'static str>,
    pub posted: Posted,
    pub problems: FieldProblems,
    pub general: Vec<String>,
    pub hours: Option<HoursForm>,
}

impl Shown {
    fn of(&self, section: &str) -> (&FieldProblems, &[String], Option<&Posted>) {
        static NONE: std::sync::LazyLock<FieldProblems> = std::sync::LazyLock::new(FieldProblems::default);
        if self.section == Some(section) {
            (&self.problems, &self.general, Some(&self.posted))
        } else {
            (&NONE, &[], None)
        }
    }

    fn done_in(&self, section: &str) -> Option<&'static str> {
        self.done.filter(|(s, _)| *s == section).map(|(_, t)| t)
    }
}

fn hidden(session: &Session, version: i64) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(session.csrf);
        input type="hidden" name="version" value=(version);
    }
}

pub fn location_page(
    lang: Lang,
    session: &Session,
    dir: &Directory,
    loc: &Location,
    now: DateTime<Utc>,
    shown: &Shown,
) -> Markup {
    let w = words(lang);
    let base = format!("/partner/locations/{}", loc.id);
    let version = loc.provenance.version;
    let body = html! {
        p { a href=(href("/partner", lang)) { (w.back) } }
        h1 { (loc.name.in_lang(lang)) }
        @if let Some(street) = &loc.address.street {
            p.org { (street) @if let Some(pc) = &loc.address.postal_code { ", " (pc) } @if let Some(po) = &loc.address.post_office { " " (po) } }
        }
        @if let Some(p) = &shown.problem { (notice(p, false)) }
        @if loc.provenance.confidence == Confidence::Assumed { p.note.unconfirmed { (w.record_unconfirmed) } }
        (contact_section(lang, session, loc, &base, version, shown))
        (hours_section(lang, session, loc, &base, version, helsinki_date(now), shown))
        (exceptions_section(lang, session, loc, &base, version, now, shown))
        (services_section(lang, session, dir, loc, &base, shown))
        section #confirm aria-labelledby="confirm-h" {
            h2 #confirm-h { (w.confirm) }
            @if let Some(t) = shown.done_in("confirm") { (notice(t, true)) }
            (currency(lang, dir, &loc.provenance, loc.verified_by, now))
            p { (w.confirm_intro) }
            form method="post" action=(href(&format!("{base}/confirm"), lang)) {
                (hidden(session, version))
                button.primary type="submit" { (w.confirm_button) }
            }
        }
    };
    let own = own_name(dir, session);
    frame(lang, &base, loc.name.in_lang(lang), Some((session, &own)), body)
}

fn contact_section(lang: Lang, session: &Session, loc: &Location, base: &str, version: i64, shown: &Shown) -> Markup {
    let w = words(lang);
    let (problems, general, posted) = shown.of("contact");
    let value = |name: &str, stored: &Option<String>| match posted {
        Some(p) => p.get(name).to_owned(),
        None => stored.clone().unwrap_or_default(),
    };
    let fields = [
        ("phone", w.phone, "tel", "tel", value("phone", &loc.phone)),
        ("email", w.email, "email", "email", value("email", &loc.email)),
        ("website", w.website, "url", "url", value("website", &loc.website)),
    ];
    html! {
        section #contact aria-labelledby="contact-h" {
            h2 #contact-h { (w.contact) }
            @if let Some(t) = shown.done_in("contact") { (notice(t, true)) }
            (summary(lang, problems, general))
            form.staff method="post" action=(href(&format!("{base}/contact"), lang)) novalidate {
                (hidden(session, version))
                p.hint { (w.empty_removes) }
                @for (id, label, kind, auto, v) in fields {
                    (field(lang, id, label, None, problems, |d| html! {
                        input id=(id) name=(id) type=(kind) autocomplete=(auto) value=(v)
                            aria-describedby=[(!d.is_empty()).then_some(d)] aria-invalid=[problems.get(id).map(|_| "true")];
                    }))
                }
                button type="submit" { (w.save) }
            }
        }
    }
}

fn range_row(lang: Lang, w: &Words, ids: [String; 3], label: &str, row: &RangeRow, problems: &FieldProblems) -> Markup {
    let err = |id: &str| problems.get(id).map(|_| format!("err-{id}"));
    let kinds = [("staffed", w.staffed), ("self_service", w.self_service)];
    html! {
        @for id in &ids { (errors_for(lang, id, problems.get(id))) }
        div.range {
            span.range-label { (label) }
            label.visually-hidden for=(ids[0]) { (label) ", " (w.opens) }
            input id=(ids[0]) name=(ids[0]) type="text" inputmode="numeric" size="5" value=(row.start)
                aria-describedby=[describedby(&[err(&ids[0])])] aria-invalid=[err(&ids[0]).map(|_| "true")];
            span aria-hidden="true" { "–" }
            label.visually-hidden for=(ids[1]) { (label) ", " (w.closes) }
            input id=(ids[1]) name=(ids[1]) type="text" inputmode="numeric" size="5" value=(row.end)
                aria-describedby=[describedby(&[err(&ids[1])])] aria-invalid=[err(&ids[1]).map(|_| "true")];
            label.visually-hidden for=(ids[2]) { (label) ", " (w.kind) }
            select id=(ids[2]) name=(ids[2]) {
                @for (value, text) in kinds {
                    option value=(value) selected[row.kind == value] { (text) }
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn hours_section(
    lang: Lang,
    session: &Session,
    loc: &Location,
    base: &str,
    version: i64,
    today: NaiveDate,
    shown: &Shown,
) -> Markup {
    let w = words(lang);
    let (problems, general, _) = shown.of("hours");
    let stored;
    let form = match (&shown.hours, shown.section == Some("hours")) {
        (Some(f), true) => f,
        _ => {
            stored = HoursForm::from_hours(loc.hours.as_ref().map(|h| &h.hours), lang);
            &stored
        }
    };
    let mut season = 0;
    html! {
        section #hours aria-labelledby="hours-h" {
            h2 #hours-h { (w.hours) }
            @if let Some(t) = shown.done_in("hours") { (notice(t, true)) }
            p { (w.hours_intro) }
            @match &loc.hours {
                None => p.note { (w.no_hours) },
                // Estimated hours are never shown to the partner as facts.
                Some(h) if h.confidence != "verified" => p.note.unconfirmed { (w.hours_unconfirmed) },
                Some(_) => {},
            }
            (summary(lang, problems, general))
            form.staff method="post" action=(href(&format!("{base}/hours"), lang)) novalidate {
                (hidden(session, version))
                input type="hidden" name="periods" value=(form.periods.len());
                p.hint { (w.ranges_hint) }
                @for (p, rows) in form.periods.iter().enumerate() {
                    @let regular = !rows.new && !rows.season;
                    @let title = if rows.new { w.new_season.to_owned() } else if regular { w.regular_hours.to_owned() } else { season += 1; season_title(lang, season, rows, today) };
                    fieldset.period id=(period_id(p, "set")) {
                        legend { (title) }
                        @if rows.new {
                            input type="hidden" name=(period_id(p, "new")) value="1";
                            p.hint { (w.new_season_hint) }
                        }
                        @if rows.season {
                            input type="hidden" name=(period_id(p, "season")) value="1";
                        }
                        @if regular {
                            // A name the regular hours were given through the API is kept.
                            @for (i, l) in ["fi", "sv", "en"].iter().enumerate() {
                                input type="hidden" name=(period_id(p, &format!("name-{l}"))) value=(rows.name[i]);
                            }
                        }
                        @if !regular {
                            div.dates {
                                @for (what, label, v) in [("from", w.from, &rows.from), ("to", w.to, &rows.to)] {
                                    @let id = period_id(p, what);
                                    (field(lang, &id, label, Some(words(lang).date_hint), problems, |d| html! {
                                        input id=(id) name=(id) type="text" size="10" value=(v) aria-describedby=(d)
                                            aria-invalid=[problems.get(&id).map(|_| "true")];
                                    }))
                                }
                            }
                            div.dates {
                                @for (i, l) in ["fi", "sv", "en"].iter().enumerate() {
                                    @let id = period_id(p, &format!("name-{l}"));
                                    @let label = format!("{} ({})", w.season_name, l);
                                    (field(lang, &id, &label, None, problems, |d| html! {
                                        input id=(id) name=(id) type="text" lang=(l) value=(rows.name[i])
                                            aria-describedby=[(!d.is_empty()).then_some(d)] aria-invalid=[problems.get(&id).map(|_| "true")];
                                    }))
                                }
                            }
                        }
                        @for (d, day) in rows.days.iter().enumerate() {
                            @let key = WeekHours::key(WEEKDAYS[d]);
                            fieldset.day {
                                legend { (w.weekdays[d]) }
                                input type="hidden" name=(format!("p{p}-{key}-rows")) value=(day.len());
                                @for (r, row) in day.iter().enumerate() {
                                    @let label = format!("{}, {} {}", w.weekdays[d], w.range, r + 1);
                                    (range_row(lang, w, [range_id(p, d, r, "start"), range_id(p, d, r, "end"), range_id(p, d, r, "kind")], &label, row, problems))
                                }
                            }
                        }
                        @if !rows.new && !regular {
                            div.field.check {
                                input type="checkbox" id=(period_id(p, "remove")) name=(period_id(p, "remove")) checked[rows.remove];
                                label for=(period_id(p, "remove")) { (w.remove_season) }
                            }
                        }
                    }
                }
                div.field.check {
                    input type="checkbox" id="open_on_holidays" name="open_on_holidays" checked[form.open_on_holidays];
                    label for="open_on_holidays" { (w.open_on_holidays) }
                }
                button type="submit" { (w.save_hours) }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn exceptions_section(
    lang: Lang,
    session: &Session,
    loc: &Location,
    base: &str,
    version: i64,
    now: DateTime<Utc>,
    shown: &Shown,
) -> Markup {
    let w = words(lang);
    let (problems, general, posted) = shown.of("exceptions");
    let today = helsinki_date(now);
    let all: &[crate::hours::Exception] = loc.hours.as_ref().map(|h| h.hours.exceptions.as_slice()).unwrap_or(&[]);
    let upcoming: Vec<_> = all.iter().filter(|e| e.date >= today).collect();
    let past = all.len() - upcoming.len();
    let get = |name: &str| posted.map(|p| p.get(name).to_owned()).unwrap_or_default();
    let closed = posted.is_none_or(|p| p.get("ex-closed") != "open");
    html! {
        section #exceptions aria-labelledby="exceptions-h" {
            h2 #exceptions-h { (w.exceptions) }
            @if let Some(t) = shown.done_in("exceptions") { (notice(t, true)) }
            @if upcoming.is_empty() { p { (w.no_exceptions) } }
            ul.listing {
                @for e in &upcoming {
                    li {
                        p {
                            strong { (weekday_date(lang, e.date)) }
                            ": "
                            @if e.ranges.is_empty() { (w.closed) } @else {
                                (e.ranges.iter().map(|r| crate::embed::page::range_text(lang, r)).collect::<Vec<_>>().join(", "))
                            }
                            " (" (e.reason.in_lang(lang)) ")"
                        }
                        form.inline method="post" action=(href(&format!("{base}/exceptions/{}/remove", e.date), lang)) {
                            (hidden(session, version))
                            button type="submit" aria-label=(format!("{} {}", w.remove, date_text(lang, e.date))) { (w.remove) }
                        }
                    }
                }
            }
            @if past > 0 { p.hint { (w.past_exceptions) ": " (past) } }
            h3 #add-exception { (w.add_exception) }
            (summary(lang, problems, general))
            form.staff method="post" action=(href(&format!("{base}/exceptions"), lang)) novalidate {
                (hidden(session, version))
                (field(lang, "ex-date", w.date, Some(w.date_hint), problems, |d| html! {
                    input #ex-date name="ex-date" type="text" size="10" value=(get("ex-date")) aria-describedby=(d)
                        aria-invalid=[problems.get("ex-date").map(|_| "true")];
                }))
                fieldset {
                    legend { (w.hours) }
                    div.field.check {
                        input #ex-closed type="radio" name="ex-closed" value="closed" checked[closed];
                        label for="ex-closed" { (w.closed_all_day) }
                    }
                    div.field.check {
                        input #ex-open type="radio" name="ex-closed" value="open" checked[!closed]
                            aria-describedby=[problems.get("ex-open").map(|_| "err-ex-open")];
                        label for="ex-open" { (w.other_hours) }
                    }
                    (errors_for(lang, "ex-open", problems.get("ex-open")))
                    @for r in 0..2 {
                        @let ids = [format!("ex-{r}-start"), format!("ex-{r}-end"), format!("ex-{r}-kind")];
                        @let row = RangeRow { start: get(&ids[0]), end: get(&ids[1]), kind: get(&ids[2]) };
                        (range_row(lang, w, ids, &capitalized(&format!("{} {}", w.range, r + 1)), &row, problems))
                    }
                }
                @for (l, label) in [("fi", w.reason_fi), ("sv", w.reason_sv), ("en", w.reason_en)] {
                    @let id = format!("ex-reason-{l}");
                    (field(lang, &id, label, None, problems, |d| html! {
                        input id=(id) name=(id) type="text" lang=(l) value=(get(&id))
                            aria-describedby=[(!d.is_empty()).then_some(d)] aria-invalid=[problems.get(&id).map(|_| "true")];
                    }))
                }
                button type="submit" { (w.add_exception) }
            }
        }
    }
}

fn services_section(
    lang: Lang,
    session: &Session,
    dir: &Directory,
    loc: &Location,
    base: &str,
    shown: &Shown,
) -> Markup {
    let w = words(lang);
    let (problems, general, _) = shown.of("services");
    let here: Vec<usize> = loc.services.iter().map(|s| s.service).collect();
    let addable: Vec<_> = dir
        .services
        .iter()
        .filter(|s| {
            s.organization == loc.organization
                && !here.contains(&dir.service(&s.id).map(|(i, _)| i).unwrap_or(usize::MAX))
        })
        .collect();
    html! {
        section #services aria-labelledby="services-h" {
            h2 #services-h { (w.services_here) }
            @if let Some(t) = shown.done_in("services") { (notice(t, true)) }
            (summary(lang, problems, general))
            p.hint { (w.level_note) }
            dl.levels {
                @for &level in AssistanceLevel::all() {
                    dt { (crate::embed::texts::level_name(lang, level)) }
                    dd { (crate::embed::texts::assistance_level(lang, level)) }
                }
            }
            @if loc.services.is_empty() { p { (w.no_services_here) } }
            ul.listing {
                @for sal in &loc.services {
                    @let s = &dir.services[sal.service];
                    @let id = format!("level-{}", s.id);
                    li {
                        h3 { (s.name.in_lang(lang)) }
                        form.staff method="post" action=(href(&format!("{base}/services/{}/level", s.id), lang)) {
                            (hidden(session, s.provenance.version))
                            (field(lang, &id, w.level, None, problems, |d| html! {
                                select id=(id) name="level" aria-describedby=[(!d.is_empty()).then_some(d)] {
                                    @for &level in AssistanceLevel::all() {
                                        option value=(level.name()) selected[level == s.assistance_level] {
                                            (crate::embed::texts::level_name(lang, level))
                                        }
                                    }
                                }
                            }))
                            button type="submit" { (w.save) }
                        }
                        form.inline method="post" action=(href(&format!("{base}/services/{}/remove", sal.id), lang)) {
                            (hidden(session, sal.provenance.version))
                            button.secondary type="submit" { (w.remove_from_location) span.visually-hidden { ": " (s.name.in_lang(lang)) } }
                        }
                    }
                }
            }
            @if !addable.is_empty() {
                h3 { (w.add_service) }
                form.staff method="post" action=(href(&format!("{base}/services"), lang)) {
                    input type="hidden" name="csrf" value=(session.csrf);
                    (field(lang, "add-service", w.service, None, problems, |d| html! {
                        select #add-service name="service" aria-describedby=[(!d.is_empty()).then_some(d)] {
                            @for s in &addable { option value=(s.id) { (s.name.in_lang(lang)) } }
                        }
                    }))
                    button type="submit" { (w.add) }
                }
            }
        }
    }
}

/// The coordinator's report of listings to confirm.
pub fn stale_page(lang: Lang, session: &Session, dir: &Directory, report: &StaleList) -> Markup {
    let w = words(lang);
    let org_name =
        |id: &str| dir.organization(id).map(|o| o.name.in_lang(lang).to_owned()).unwrap_or_else(|| id.to_owned());
    let body = html! {
        h1 { (w.stale_report) }
        p { (w.stale_intro) }
        @if report.items.is_empty() { p { (w.no_stale) } }
        ul.listing {
            @for item in &report.items {
                li {
                    h3 { a href=(href(&format!("/partner/locations/{}", item.id), lang)) { (item.name) } }
                    p { (w.organization) ": " (org_name(&item.organization_id)) }
                    p { (w.days_unconfirmed) ": " (item.days_unverified) " · " (w.confirmed) ": "
                        @match item.verified_at { Some(at) => (date_text(lang, helsinki_date(at))), None => (w.never) } }
                }
            }
        }
        h2 { (w.closed_day_events) }
        p { (w.closed_day_intro) }
        @if report.closed_day_occurrences.is_empty() { p { (w.none) } }
        ul.listing {
            @for o in &report.closed_day_occurrences {
                li {
                    @let title = dir.event(&o.event_id).map(|e| e.doc.title.in_lang(lang).to_owned()).unwrap_or_else(|| o.title.clone());
                    @let start = chrono::DateTime::parse_from_rfc3339(&o.start).map(|t| crate::embed::page::when(lang, t.with_timezone(&Utc))).unwrap_or_else(|_| date_text(lang, o.date));
                    h3 { (title) }
                    p { (start) " · " (org_name(&o.organization_id)) " · "
                        (dir.location(&o.location_id).map(|l| l.name.in_lang(lang).to_owned()).unwrap_or_else(|| o.location_id.clone()))
                        @if let Some(r) = &o.reason { " (" (r.in_lang(lang)) ")" } }
                }
            }
        }
    };
    let own = own_name(dir, session);
    frame(lang, "/partner/stale", w.stale_report, Some((session, &own)), body)
}

/// The coordinator's keys: the list, a form for a new one, and the new key shown once.
pub fn keys_page(
    lang: Lang,
    session: &Session,
    dir: &Directory,
    keys: &[TokenOut],
    new_key: Option<&str>,
    posted: &Posted,
    problems: &FieldProblems,
    done: Option<&str>,
) -> Markup {
    let w = words(lang);
    let body = html! {
        h1 { (w.keys) }
        p { (w.keys_intro) }
        @if let Some(t) = done { (notice(t, true)) }
        @if let Some(k) = new_key {
            div.done role="status" {
                p { (w.new_key) }
                p { code.key { (k) } }
            }
        }
        h2 { (w.create_key) }
        (summary(lang, problems, &[]))
        form.staff method="post" action=(href("/partner/keys", lang)) novalidate {
            input type="hidden" name="csrf" value=(session.csrf);
            (field(lang, "key-org", w.organization, None, problems, |d| html! {
                select #key-org name="key-org" aria-describedby=[(!d.is_empty()).then_some(d)] {
                    @for o in by_name(dir, lang) {
                        option value=(o.id) selected[posted.get("key-org") == o.id] { (o.name.in_lang(lang)) }
                    }
                }
            }))
            (field(lang, "key-name", w.key_name, Some(w.key_name_hint), problems, |d| html! {
                input #key-name name="key-name" type="text" value=(posted.get("key-name")) aria-describedby=(d)
                    aria-invalid=[problems.get("key-name").map(|_| "true")];
            }))
            div.field.check {
                input #key-admin type="checkbox" name="key-admin" checked[posted.has("key-admin")];
                label for="key-admin" { (w.key_admin) }
            }
            button type="submit" { (w.create_key) }
        }
        h2 { (w.keys_in_use) }
        ul.listing {
            @for k in keys {
                li {
                    h3 { (k.name) }
                    p {
                        (w.organization) ": " (dir.organization(&k.organization_id).map(|o| o.name.in_lang(lang)).unwrap_or(&k.organization_id))
                        @if k.admin { " – " (w.coordinator) }
                        " · " (w.key_start) ": " code { (k.prefix) }
                    }
                    p {
                        (w.created) ": " (date_text(lang, helsinki_date(k.created_at)))
                        " · " (w.last_used) ": " @match k.last_used_at { Some(at) => (date_text(lang, helsinki_date(at))), None => (w.never) }
                    }
                    @match k.revoked_at {
                        Some(at) => p.badge.stale { (w.revoked) ": " (date_text(lang, helsinki_date(at))) },
                        None => form.inline method="post" action=(href(&format!("/partner/keys/{}/revoke", k.id), lang)) {
                            input type="hidden" name="csrf" value=(session.csrf);
                            button type="submit" { (w.revoke) ": " (k.name) }
                        },
                    }
                }
            }
        }
    };
    let own = own_name(dir, session);
    frame(lang, "/partner/keys", w.keys, Some((session, &own)), body)
}

/// A page saying what went wrong (no form to show again).
pub fn problem_page(lang: Lang, session: Option<(&Session, &str)>, text: &str) -> Markup {
    let w = words(lang);
    frame(
        lang,
        "/partner",
        w.error,
        session,
        html! {
            h1 { (w.error) }
            (notice(text, false))
            p { a href=(href("/partner", lang)) { (w.back) } }
        },
    )
}

/// Organisations in the order of their names as shown.
fn by_name(dir: &Directory, lang: Lang) -> Vec<&crate::directory::Organization> {
    let mut all: Vec<_> = dir.organizations.iter().collect();
    all.sort_by_key(|o| o.name.in_lang(lang).to_lowercase());
    all
}

/// `pe 24.12.2027` / `fre 24.12.2027` / `Fri 24 Dec 2027`.
fn weekday_date(lang: Lang, d: NaiveDate) -> String {
    use chrono::Datelike;
    let wd = crate::embed::texts::weekdays(lang)[d.weekday().num_days_from_monday() as usize];
    format!("{wd} {}", date_text(lang, d))
}

/// A season's legend: its name and dates (`Kesäaukiolo (1.6.2027–15.8.2027)`), and whether it
/// has ended.
fn season_title(lang: Lang, n: usize, rows: &super::forms::PeriodRows, today: NaiveDate) -> String {
    let w = words(lang);
    let name = rows.name[match lang {
        Lang::Fi => 0,
        Lang::Sv => 1,
        Lang::En => 2,
    }]
    .clone();
    let name = if name.is_empty() { rows.name[0].clone() } else { name };
    let name = if name.is_empty() { format!("{} {n}", w.season) } else { format!("{}: {name}", w.season) };
    let ended = super::forms::parse_date(&rows.to).is_some_and(|to| to < today);
    format!("{name} ({}–{}){}", rows.from, rows.to, if ended { format!(", {}", w.ended) } else { String::new() })
}

/// The problems in the order of the page: the hours form's by season, weekday and row; the
/// others as found.
fn in_page_order(problems: &FieldProblems) -> Vec<&(String, Vec<String>)> {
    let mut all: Vec<_> = problems.0.iter().enumerate().collect();
    all.sort_by_key(|(i, (id, _))| (super::forms::range_place(id).unwrap_or((usize::MAX, 0, 0)), *i));
    all.into_iter().map(|(_, x)| x).collect()
}

/// The words for an hours-form row in the error list: `Tiistai, aika 1`.
fn row_label(lang: Lang, id: &str) -> Option<String> {
    let w = words(lang);
    let (_, d, r) = super::forms::range_place(id)?;
    Some(format!("{}, {} {}", w.weekdays[d], w.range, r + 1))
}
