//! iCalendar (RFC 5545) feeds of events, written with the `icalendar` crate (which folds lines
//! at 75 octets, escapes texts and ends lines with CRLF).
//!
//! A series stays a series, so calendar applications show it as one: DTSTART with
//! `TZID=Europe/Helsinki` (a VTIMEZONE is included), the RRULE and EXDATEs as stored; each
//! cancelled or moved occurrence is an overriding VEVENT with the same UID and a RECURRENCE-ID
//! (`STATUS:CANCELLED` for cancellations). UIDs are stable: `<event id>@digituki`.

use chrono::{DateTime, NaiveDateTime, Utc};
use icalendar::{Calendar, Component, EventLike, Property};

use super::EventDoc;
use crate::i18n::Lang;

/// What a feed needs to know of each event beyond its document.
pub struct FeedEvent<'a> {
    pub id: &'a str,
    pub doc: &'a EventDoc,
    pub cancelled: bool,
    pub updated_at: DateTime<Utc>,
    /// The place's name and address, when it has one.
    pub location: Option<String>,
    /// The event's public page (the API resource).
    pub url: String,
}

/// The Europe/Helsinki time zone as observed since 1996 (EU rules: summer time from the last
/// Sunday of March 03:00 to the last Sunday of October 04:00 local time). The crate builds no
/// VTIMEZONE itself; it parses this one into a component like any other.
const HELSINKI_VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Helsinki\r\n\
BEGIN:STANDARD\r\nDTSTART:19961027T040000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\nTZNAME:EET\r\nEND:STANDARD\r\n\
BEGIN:DAYLIGHT\r\nDTSTART:19810329T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300\r\nTZNAME:EEST\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

fn local(t: NaiveDateTime) -> Property {
    let mut p = Property::new("DTSTART", t.format("%Y%m%dT%H%M%S").to_string());
    p.add_parameter("TZID", "Europe/Helsinki");
    p
}

fn named(mut p: Property, name: &str) -> Property {
    // Property names are fixed at creation: rebuild with the same value and parameters.
    let mut out = Property::new(name, p.value());
    for (k, v) in p.params().iter() {
        out.add_parameter(k, v.value());
    }
    p = out;
    p
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// One calendar with every event given, texts in `lang` (Finnish where a text lacks it).
pub fn calendar(name: &str, lang: Lang, events: &[FeedEvent<'_>], now: DateTime<Utc>) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    cal.append_property(Property::new("PRODID", "-//Digituki directory//Events//FI"));
    if let Ok(tz) = HELSINKI_VTIMEZONE.parse::<icalendar::CalendarComponent>() {
        cal.push(tz);
    }
    for e in events {
        let doc = e.doc;
        let uid = format!("{}@digituki", e.id);
        let duration = doc.end - doc.start;
        let mut ev = icalendar::Event::new();
        ev.uid(&uid)
            .summary(doc.title.in_lang(lang))
            .add_property("DTSTAMP", utc(now))
            .add_property("LAST-MODIFIED", utc(e.updated_at))
            .append_property(local(doc.start))
            .append_property(named(local(doc.end), "DTEND"))
            .add_property("URL", &e.url);
        if let Some(d) = &doc.description {
            ev.description(d.in_lang(lang));
        }
        if let Some(place) = &e.location {
            ev.location(place);
        } else if let Some(url) = &doc.online_url {
            ev.location(url);
        }
        if let Some(rule) = &doc.rrule {
            ev.add_property("RRULE", rule.trim());
        }
        for d in &doc.exdates {
            ev.append_property(named(local(d.and_time(doc.start.time())), "EXDATE"));
        }
        ev.add_property("STATUS", if e.cancelled { "CANCELLED" } else { "CONFIRMED" });
        cal.push(ev.done());
        // Overrides of single occurrences of a series.
        if doc.rrule.is_some() {
            for (date, o) in &doc.overrides {
                if o.status == "scheduled" {
                    continue;
                }
                let original = date.and_time(doc.start.time());
                let (start, end) = match (o.status.as_str(), o.start) {
                    ("moved", Some(s)) => (s, o.end.unwrap_or(s + duration)),
                    _ => (original, original + duration),
                };
                let mut over = icalendar::Event::new();
                over.uid(&uid)
                    .summary(doc.title.in_lang(lang))
                    .add_property("DTSTAMP", utc(now))
                    .append_property(named(local(original), "RECURRENCE-ID"))
                    .append_property(local(start))
                    .append_property(named(local(end), "DTEND"))
                    .add_property("STATUS", if o.status == "cancelled" { "CANCELLED" } else { "CONFIRMED" });
                if let Some(note) = &o.note {
                    over.description(note.in_lang(lang));
                }
                cal.push(over.done());
            }
        }
    }
    cal.done().to_string()
}
