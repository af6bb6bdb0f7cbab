//! Events in the snapshot: each row's document parsed once, with indices of its organisation and
//! place, and the lookups the event endpoints need.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::search::{SearchQuery, SearchText};
use super::{Directory, Provenance};
use crate::db::models::EventRow;
use crate::events::{EventDoc, Occurrence};

#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    /// Index into `Directory::organizations`: the owner.
    pub organization: usize,
    /// Index into `Directory::locations`, for events at a place.
    pub location: Option<usize>,
    /// The whole series is cancelled.
    pub cancelled: bool,
    pub doc: EventDoc,
    pub topic_mask: u64,
    pub provenance: Provenance,
    /// Title and description in every language, for `q`.
    pub search: SearchText,
}

impl Event {
    /// Occurrences overlapping `[from, to)`; a cancelled series shows every occurrence cancelled.
    pub fn occurrences(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        let mut out = self.doc.occurrences(from, to);
        if self.cancelled {
            out.iter_mut().for_each(|o| o.status = "cancelled".into());
        }
        out
    }

    /// Whether the event's place is closed all day on the occurrence's (Helsinki) date:
    /// `Some(reason)`, the reason being the holiday or exception when there is one; `None`
    /// when the place is open that day, has no known hours, or the event has no place.
    pub fn place_closed_on(&self, dir: &Directory, o: &Occurrence) -> Option<Option<crate::i18n::Localized>> {
        let date = o.start.with_timezone(&chrono_tz::Europe::Helsinki).date_naive();
        let hours = self.location.and_then(|i| dir.locations[i].hours.as_ref())?;
        let day = hours.hours.schedule(date, date).into_iter().next()?;
        day.ranges.is_empty().then_some(day.reason)
    }
}

/// Parses the event rows; a row whose document no longer parses is logged and left out.
pub(super) fn build(
    rows: &[EventRow],
    organization_by_id: &HashMap<String, usize>,
    location_by_id: &HashMap<String, usize>,
    topic_bit: &HashMap<&str, u64>,
    provenance: impl Fn(&EventRow) -> Provenance,
) -> (Vec<Event>, HashMap<String, usize>) {
    let mut events = Vec::new();
    for row in rows {
        let Some(&organization) = organization_by_id.get(&row.organization_id) else { continue };
        let doc: EventDoc = match serde_json::from_value(row.document.clone()) {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(id = row.id, "unreadable event document ignored: {e}");
                continue;
            }
        };
        let location = row.location_id.as_ref().and_then(|l| location_by_id.get(l).copied());
        let topic_mask = doc.topics.iter().filter_map(|t| topic_bit.get(t.as_str())).fold(0, |a, b| a | b);
        let search = SearchText::new(doc.title.all().chain(doc.description.iter().flat_map(|d| d.all())));
        events.push(Event {
            id: row.id.clone(),
            organization,
            location,
            cancelled: row.status == "cancelled",
            doc,
            topic_mask,
            provenance: provenance(row),
            search,
        });
    }
    let by_id = events.iter().enumerate().map(|(i, e)| (e.id.clone(), i)).collect();
    (events, by_id)
}

/// Which events a listing shows; one rule for the API, the pages and the widget's answers.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Organization id: events it owns or co-organizes.
    pub organization: Option<String>,
    /// Index into `Directory::locations`.
    pub location: Option<usize>,
    /// Municipality code: events at a place there, or remote events serving it.
    pub municipality: Option<String>,
    /// Topic bit set: events about all of them.
    pub topics: u64,
    pub language: Option<String>,
    pub audience: Option<String>,
    /// Words every one of which the title or description must contain.
    pub text: Option<SearchQuery>,
    /// Location kind: events at a place of that kind; `remote` also takes events without a
    /// place (online or remote help).
    pub kind: Option<crate::domain::LocationKind>,
    /// `(lat, lon, metres)`: events at a place within that distance of the point; events
    /// without a place (online or remote help) are not limited by it.
    pub within: Option<(f64, f64, f64)>,
}

impl EventFilter {
    /// The event criteria of a place listing's filter (municipality, organization, topics,
    /// language, words, kind); a nearest search adds `within` itself.
    pub fn of_places(f: &super::LocationFilter) -> EventFilter {
        EventFilter {
            organization: f.organization.clone(),
            municipality: f.municipality.clone(),
            topics: f.topics,
            language: f.language.clone(),
            text: f.text.clone(),
            kind: f.kind,
            ..Default::default()
        }
    }

    pub fn matches(&self, dir: &Directory, ev: &Event) -> bool {
        let org_ok = self
            .organization
            .as_ref()
            .is_none_or(|o| dir.organizations[ev.organization].id == *o || ev.doc.co_organizers.contains(o));
        let municipality_ok = self.municipality.as_ref().is_none_or(|m| {
            ev.location.is_some_and(|i| dir.locations[i].address.municipality_code.as_deref() == Some(m.as_str()))
                || ev.doc.served_municipalities.contains(m)
        });
        let place = ev.location.map(|i| &dir.locations[i]);
        let kind_ok = self.kind.is_none_or(|k| match place {
            Some(l) => l.kind == k,
            None => k.is_remote(),
        });
        let within_ok = self.within.is_none_or(|(lat, lon, max)| match place {
            Some(l) => l.coordinates.is_some_and(|(la, lo)| crate::geo::distance_m(lat, lon, la, lo) <= max),
            None => true,
        });
        org_ok
            && municipality_ok
            && kind_ok
            && within_ok
            && self.text.as_ref().is_none_or(|q| q.matches(&ev.search))
            && self.location.is_none_or(|l| ev.location == Some(l))
            && ev.topic_mask & self.topics == self.topics
            && self.language.as_ref().is_none_or(|l| ev.doc.languages.contains(l))
            && self.audience.as_ref().is_none_or(|a| ev.doc.audience.contains(a))
    }
}

impl Directory {
    pub fn event(&self, id: &str) -> Option<&Event> {
        self.event_by_id.get(id).map(|&i| &self.events[i])
    }
}
