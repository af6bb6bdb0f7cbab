//! Upcoming event occurrences on the pages for people: the section of `/embed/list`, the
//! sessions of `/staff` and the session on a referral slip, and their schema.org `Event`
//! JSON-LD (only for confirmed events: confidence `verified`, scheduled or moved).
//!
//! Times are shown in Helsinki time; a cancelled or moved occurrence is always said to be so.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Helsinki;
use maud::{html, Markup};
use serde_json::{json, Value};

use crate::directory::events::Event;
use crate::directory::Directory;
use crate::domain::Confidence;
use crate::events::Occurrence;
use crate::http::views::helsinki_time;
use crate::i18n::Lang;

use super::page::{self, safe_url};

/// The words around events, in Finnish, Swedish and English.
pub struct EventTexts {
    pub upcoming_events: &'static str,
    pub no_events: &'static str,
    pub cancelled: &'static str,
    pub moved: &'static str,
    pub originally: &'static str,
    pub online: &'static str,
    pub remote: &'static str,
    pub organizer: &'static str,
    pub place_closed: &'static str,
    pub staff_sessions: &'static str,
    pub no_sessions: &'static str,
    pub print_session: &'static str,
    pub session: &'static str,
    pub registration: &'static str,
    /// Under an event whose confidence is `assumed` (e.g. the demo's invented examples).
    pub unconfirmed: &'static str,
}

const FI: EventTexts = EventTexts {
    upcoming_events: "Tulevat digitapahtumat (30 päivää)",
    no_events: "Hakuehdoilla ei ole tulevia tapahtumia.",
    cancelled: "Peruttu",
    moved: "Siirretty",
    originally: "alun perin",
    online: "Verkossa",
    remote: "Etäapu",
    organizer: "Järjestäjä",
    place_closed: "Paikka on tiedon mukaan suljettu tänä päivänä: tarkista järjestäjältä ennen lähtöä",
    staff_sessions: "Tulevat ohjaustilaisuudet (14 päivää)",
    no_sessions: "Ei tulevia tilaisuuksia näille tarpeille tällä alueella.",
    print_session: "Tulosta ohjauslappu tähän tilaisuuteen",
    session: "Tilaisuus",
    registration: "Ilmoittautuminen",
    unconfirmed: "Tapahtumaa ei ole vahvistettu: tarkista järjestäjältä ennen lähtöä.",
};

const SV: EventTexts = EventTexts {
    upcoming_events: "Kommande digitala evenemang (30 dagar)",
    no_events: "Inga kommande evenemang med dessa sökvillkor.",
    cancelled: "Inställt",
    moved: "Flyttat",
    originally: "ursprungligen",
    online: "På nätet",
    remote: "Distanshjälp",
    organizer: "Arrangör",
    place_closed: "Platsen är enligt uppgift stängd denna dag: kontrollera med arrangören innan du går",
    staff_sessions: "Kommande handledningstillfällen (14 dagar)",
    no_sessions: "Inga kommande tillfällen för dessa behov i området.",
    print_session: "Skriv ut hänvisningslapp till detta tillfälle",
    session: "Tillfälle",
    registration: "Anmälan",
    unconfirmed: "Evenemanget är inte bekräftat: kontrollera med arrangören innan du går.",
};

const EN: EventTexts = EventTexts {
    upcoming_events: "Upcoming digital-help events (30 days)",
    no_events: "No upcoming events match this search.",
    cancelled: "Cancelled",
    moved: "Moved",
    originally: "originally",
    online: "Online",
    remote: "Remote help",
    organizer: "Organiser",
    place_closed: "The place is reported closed that day: check with the organiser before going",
    staff_sessions: "Upcoming sessions (next 14 days)",
    no_sessions: "No upcoming sessions for these needs in this area.",
    print_session: "Print a referral slip for this session",
    session: "Session",
    registration: "Registration",
    unconfirmed: "This event is not confirmed: check with the organiser before going.",
};

pub fn event_texts(lang: Lang) -> &'static EventTexts {
    match lang {
        Lang::Fi => &FI,
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

/// The occurrences of the events passing `keep` that overlap `[from, to)`, in time order.
pub fn upcoming(
    dir: &Directory,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    keep: impl Fn(&Event) -> bool,
) -> Vec<(&Event, Occurrence)> {
    let mut out: Vec<(&Event, Occurrence)> = dir
        .events
        .iter()
        .filter(|e| keep(e))
        .flat_map(|e| e.occurrences(from, to).into_iter().map(move |o| (e, o)))
        .collect();
    out.sort_by(|a, b| a.1.start.cmp(&b.1.start).then_with(|| a.0.id.cmp(&b.0.id)));
    out
}

/// `ti 16.2. klo 10.00–12.00` / `Tue 16 Feb 10:00–12:00` (Helsinki time).
pub fn time_text(lang: Lang, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let (s, e) = (start.with_timezone(&Helsinki), end.with_timezone(&Helsinki));
    let day = page::day_label(lang, s.date_naive());
    let at = match lang {
        Lang::Fi => "klo ",
        Lang::Sv => "kl. ",
        Lang::En => "",
    };
    let end_text = if e.date_naive() == s.date_naive() {
        page::clock(lang, e.time())
    } else {
        format!("{} {}", page::day_label(lang, e.date_naive()), page::clock(lang, e.time()))
    };
    format!("{day} {at}{}–{end_text}", page::clock(lang, s.time()))
}

/// Where the event is, in words: the place and its street address, online, or remote help.
pub fn place_text(dir: &Directory, lang: Lang, ev: &Event) -> String {
    let et = event_texts(lang);
    match ev.location {
        Some(i) => {
            let l = &dir.locations[i];
            let mut s = l.name.in_lang(lang).to_owned();
            if let Some(street) = &l.address.street {
                s.push_str(&format!(", {street}"));
                if let Some(po) = &l.address.post_office {
                    s.push_str(&format!(", {po}"));
                }
            }
            s
        }
        None if ev.doc.online_url.as_deref().and_then(safe_url).is_some() => et.online.to_owned(),
        None => et.remote.to_owned(),
    }
}

/// The local start of the occurrence as first planned (for a moved one).
fn original_start(ev: &Event, o: &Occurrence) -> DateTime<Utc> {
    crate::events::helsinki(o.date.and_time(ev.doc.start.time()))
}

/// The day the place is closed, if it is (a holiday or an exception in its hours).
fn closed_reason(dir: &Directory, lang: Lang, ev: &Event, o: &Occurrence) -> Option<Option<String>> {
    ev.place_closed_on(dir, o).map(|reason| reason.map(|r| r.in_lang(lang).to_owned()))
}

/// One occurrence as a list item: time, status (cancelled and moved said as such), title,
/// place, organiser; `extra` after it (e.g. a link to a slip).
pub fn occurrence_item(dir: &Directory, lang: Lang, ev: &Event, o: &Occurrence, heading: u8, extra: Markup) -> Markup {
    let et = event_texts(lang);
    let title = ev.doc.title.in_lang(lang);
    let class = match o.status.as_str() {
        "cancelled" => "event cancelled",
        "moved" => "event moved",
        _ => "event",
    };
    let org = dir.organizations[ev.organization].name.in_lang(lang);
    let closed = closed_reason(dir, lang, ev, o);
    html! {
        article class=(class) data-event=(ev.id) data-date=(o.date.to_string()) {
            @if heading <= 2 { h2 { (title) } } @else { h3 { (title) } }
            @match o.status.as_str() {
                "cancelled" => p.status.cancelled { strong { (et.cancelled) } ": " del { time datetime=(helsinki_time(o.start)) { (time_text(lang, o.start, o.end)) } } },
                "moved" => p.status.moved {
                    strong { (et.moved) } ": " time datetime=(helsinki_time(o.start)) { (time_text(lang, o.start, o.end)) }
                    " (" (et.originally) " " (page::day_label(lang, o.date)) ")"
                },
                _ => p.when { time datetime=(helsinki_time(o.start)) { (time_text(lang, o.start, o.end)) } },
            }
            @if let Some(note) = &o.note { p.note { (note.in_lang(lang)) } }
            p.place { (place_text(dir, lang, ev)) }
            p.org { (et.organizer) ": " (org) }
            @if let Some(reason) = closed.filter(|_| o.status != "cancelled") {
                p.hours-note { (et.place_closed) @if let Some(r) = reason { " (" (r) ")" } "." }
            }
            @if ev.provenance.confidence == Confidence::Assumed { p.unverified { (et.unconfirmed) } }
            (extra)
        }
    }
}

/// A confirmed occurrence as a schema.org `Event`, an item of the page's one `ItemList`, its
/// place typed as on the list (`Library`, `GovernmentOffice` or `LocalBusiness`, with `@id`).
/// None for anything not confirmed: an event whose confidence is not `verified`, a cancelled
/// occurrence or series, or an event with no place and no join link to name as its location.
/// No member is ever `null`.
pub fn event_ld(dir: &Directory, lang: Lang, ev: &Event, o: &Occurrence, base: &str) -> Option<Value> {
    if ev.provenance.confidence != Confidence::Verified || ev.cancelled {
        return None;
    }
    let status = match o.status.as_str() {
        "scheduled" => "https://schema.org/EventScheduled",
        "moved" => "https://schema.org/EventRescheduled",
        _ => return None,
    };
    let mut locations: Vec<Value> = Vec::new();
    if let Some(i) = ev.location {
        locations.push(super::list::place_ref_ld(dir, lang, &dir.locations[i], base));
    }
    let online = ev.doc.online_url.as_deref().and_then(safe_url);
    if let Some(url) = online {
        locations.push(json!({ "@type": "VirtualLocation", "url": url }));
    }
    let mode = match (ev.location.is_some(), online.is_some()) {
        (true, true) => "https://schema.org/MixedEventAttendanceMode",
        (true, false) => "https://schema.org/OfflineEventAttendanceMode",
        (false, true) => "https://schema.org/OnlineEventAttendanceMode",
        (false, false) => return None,
    };
    let org = &dir.organizations[ev.organization];
    let mut organizer = json!({ "@type": "Organization", "name": org.name.in_lang(lang) });
    if let Some(url) = org.website.as_deref().and_then(safe_url) {
        organizer["url"] = json!(url);
    }
    let mut v = json!({
        "@type": "Event",
        "@id": format!("{base}/v1/events/{}#{}", ev.id, o.date),
        "url": format!("{base}/v1/events/{}", ev.id),
        "name": ev.doc.title.in_lang(lang),
        "startDate": helsinki_time(o.start),
        "endDate": helsinki_time(o.end),
        "eventStatus": status,
        "eventAttendanceMode": mode,
        "location": if locations.len() == 1 { locations.remove(0) } else { Value::Array(locations) },
        "organizer": organizer,
    });
    if let Some(d) = &ev.doc.description {
        v["description"] = json!(d.in_lang(lang));
    }
    if o.status == "moved" {
        v["previousStartDate"] = json!(helsinki_time(original_start(ev, o)));
    }
    if !ev.doc.languages.is_empty() {
        v["inLanguage"] = json!(ev.doc.languages);
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_told_in_helsinki_time_in_each_language() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let (s, e) = (at("2027-02-16T08:00:00Z"), at("2027-02-16T10:00:00Z"));
        assert_eq!(time_text(Lang::Fi, s, e), "ti 16.2. klo 10.00–12.00");
        assert_eq!(time_text(Lang::En, s, e), "Tue 16 Feb 10:00–12:00");
    }
}
