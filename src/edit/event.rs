//! Events as partners write them: `EventInput` (JSON; PATCH takes a merge patch of it) is
//! validated into the stored document (`crate::events::EventDoc`) and its key columns.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::AUDIENCES;
use super::{Errors, TextInput, MAX_NAME, MAX_SHORT, MAX_TEXT};
use crate::db::models::EventRow;
use crate::directory::Directory;
use crate::domain::AssistanceLevel;
use crate::error::ApiResult;
use crate::events::{EventDoc, Override, Registration, DELIVERY_MODES, MAX_WINDOW_DAYS, STATUSES};
use crate::i18n::Localized;

/// Registration instructions as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    #[schema(example = "https://www.jns.fi/digikurssi")]
    pub url: Option<String>,
    #[schema(example = "+358 13 267 7111")]
    pub phone: Option<String>,
    /// Local Europe/Helsinki time, `YYYY-MM-DDTHH:MM`.
    #[serde(default, with = "crate::events::local_time::option")]
    #[schema(value_type = Option<String>, example = "2027-01-10T16:00")]
    pub deadline: Option<NaiveDateTime>,
    pub text: Option<TextInput>,
}

/// A dated digital-help event (a session, course or campaign day), one-off or recurring.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// Id (only when creating). Generated from the title when absent.
    #[schema(example = "jns-digikahvila-kevat-2027")]
    pub id: Option<String>,
    /// The owning organization; a partner token may only use its own.
    #[schema(example = "joensuun-kaupunginkirjasto")]
    pub organization_id: Option<String>,
    /// Organizations organizing it with the owner (listed, not owners).
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    #[schema(example = json!(["pksotu"]))]
    pub co_organizers: Vec<String>,
    /// Co-organizers granted the right to edit the event and its occurrences (each must be
    /// among `co_organizers`); only the owner may change this list.
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    #[schema(example = json!(["pksotu"]))]
    pub editors: Vec<String>,
    pub title: Option<TextInput>,
    pub description: Option<TextInput>,
    /// Where it takes place; or `online_url`, or `served_municipalities` for remote help.
    #[schema(example = "jns-paakirjasto")]
    pub location_id: Option<String>,
    #[schema(example = "https://meet.example.fi/digikahvila")]
    pub online_url: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    pub served_municipalities: Vec<String>,
    /// Local (Europe/Helsinki) start of the first occurrence, `YYYY-MM-DDTHH:MM`.
    #[serde(default, with = "crate::events::local_time::option")]
    #[schema(value_type = Option<String>, example = "2027-01-12T10:00")]
    pub start: Option<NaiveDateTime>,
    /// Local end of the first occurrence (after `start`).
    #[serde(default, with = "crate::events::local_time::option")]
    #[schema(value_type = Option<String>, example = "2027-01-12T12:00")]
    pub end: Option<NaiveDateTime>,
    /// RFC 5545 RRULE (without `RRULE:`); UNTIL in UTC.
    #[schema(example = "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270427T210000Z")]
    pub rrule: Option<String>,
    /// Local dates on which a recurring event does not take place.
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    #[schema(value_type = Vec<String>, example = json!(["2027-03-02"]))]
    pub exdates: Vec<NaiveDate>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    #[schema(example = json!(["phone_tablet_basics", "online_public_services"]))]
    pub topics: Vec<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    #[schema(example = json!(["fi"]))]
    pub languages: Vec<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    #[schema(example = json!(["seniors"]))]
    pub audience: Vec<String>,
    /// drop_in, registration_required or course.
    #[schema(example = "drop_in")]
    pub delivery_mode: Option<String>,
    #[schema(example = 12)]
    pub capacity: Option<i32>,
    pub registration: Option<RegistrationInput>,
    pub cost: Option<TextInput>,
    /// guidance, authorized_assistance or information_only (DVV guidelines).
    #[schema(example = "guidance")]
    pub assistance_level: Option<String>,
    /// scheduled, or cancelled (the whole series).
    #[schema(example = "scheduled")]
    pub status: Option<String>,
    /// verified, approximate or assumed (default verified).
    pub confidence: Option<String>,
}

/// What a valid event stores.
pub struct ValidEvent {
    pub organization_id: String,
    pub location_id: Option<String>,
    pub status: String,
    pub confidence: String,
    pub doc: EventDoc,
}

fn localized(fi: Option<String>, sv: Option<String>, en: Option<String>) -> Option<Localized> {
    fi.map(|fi| Localized { fi, sv, en })
}

impl EventInput {
    /// The input form of a stored event (what a merge patch applies to).
    pub fn from_row(r: &EventRow) -> EventInput {
        let doc: Option<EventDoc> = serde_json::from_value(r.document.clone()).ok();
        let mut input = EventInput {
            id: Some(r.id.clone()),
            organization_id: Some(r.organization_id.clone()),
            location_id: r.location_id.clone(),
            status: Some(r.status.clone()),
            confidence: Some(r.confidence.clone()),
            ..Default::default()
        };
        if let Some(d) = doc {
            input.co_organizers = d.co_organizers;
            input.editors = d.editors;
            input.title = Some(TextInput::from_localized(&d.title));
            input.description = d.description.as_ref().map(TextInput::from_localized);
            input.online_url = d.online_url;
            input.served_municipalities = d.served_municipalities;
            input.start = Some(d.start);
            input.end = Some(d.end);
            input.rrule = d.rrule;
            input.exdates = d.exdates;
            input.topics = d.topics;
            input.languages = d.languages;
            input.audience = d.audience;
            input.delivery_mode = Some(d.delivery_mode);
            input.capacity = d.capacity;
            input.registration = d.registration.map(|r| RegistrationInput {
                url: r.url,
                phone: r.phone,
                deadline: r.deadline,
                text: r.text.as_ref().map(TextInput::from_localized),
            });
            input.cost = d.cost.as_ref().map(TextInput::from_localized);
            input.assistance_level = Some(d.assistance_level);
        }
        input
    }

    /// Validates everything; `overrides` are the stored ones (kept through PATCH).
    pub fn validate(&self, dir: &Directory, overrides: BTreeMap<NaiveDate, Override>) -> ApiResult<ValidEvent> {
        let mut e = Errors::default();
        e.id("id", &self.id);
        let organization_id = e.owner(&self.organization_id, dir);
        for (i, o) in self.co_organizers.iter().enumerate() {
            if dir.organization(o).is_none() {
                e.push(format!("co_organizers[{i}]"), format!("unknown organization {o:?}"));
            }
        }
        for (i, o) in self.editors.iter().enumerate() {
            if !self.co_organizers.contains(o) {
                e.push(format!("editors[{i}]"), format!("{o:?} is not among co_organizers"));
            }
        }
        let (title_fi, title_sv, title_en) = e.text("title", &self.title, true, MAX_NAME);
        let (d_fi, d_sv, d_en) = e.text("description", &self.description, false, MAX_TEXT);
        let (c_fi, c_sv, c_en) = e.text("cost", &self.cost, false, MAX_SHORT);
        if let Some(l) = &self.location_id {
            if dir.location(l).is_none() {
                e.push("location_id", format!("unknown location {l:?}"));
            }
        }
        let online_url = e.url("online_url", &self.online_url);
        let mut served = Vec::new();
        for (i, m) in self.served_municipalities.iter().enumerate() {
            match dir.find_municipality(m) {
                Some(found) => served.push(found.code.clone()),
                None => e.push(format!("served_municipalities[{i}]"), format!("unknown municipality {m:?}")),
            }
        }
        if self.location_id.is_none() && online_url.is_none() && served.is_empty() {
            e.push("location_id", "give a location_id, an online_url, or served_municipalities for remote help");
        }
        match (self.start, self.end) {
            (Some(s), Some(end)) if end <= s => e.push("end", "must be after start"),
            (Some(s), Some(end)) if end - s > chrono::Duration::days(MAX_WINDOW_DAYS) => {
                e.push("end", "an occurrence may last at most a year")
            }
            (None, _) => e.push("start", "is required: local time YYYY-MM-DDTHH:MM (Europe/Helsinki)"),
            (_, None) => e.push("end", "is required: local time YYYY-MM-DDTHH:MM (Europe/Helsinki)"),
            _ => {}
        }
        let rrule = e.string("rrule", &self.rrule, MAX_SHORT);
        let topics = e.topics("topics", &self.topics, dir);
        let languages = e.languages("languages", &self.languages);
        for (i, a) in self.audience.iter().enumerate() {
            e.one_of(&format!("audience[{i}]"), &Some(a.clone()), AUDIENCES, true);
        }
        let delivery_mode = e.one_of("delivery_mode", &self.delivery_mode, DELIVERY_MODES, true);
        if self.capacity.is_some_and(|c| c < 1) {
            e.push("capacity", "must be at least 1");
        }
        let registration = self.registration.as_ref().map(|r| {
            let (fi, sv, en) = e.text("registration.text", &r.text, false, MAX_TEXT);
            Registration {
                url: e.url("registration.url", &r.url),
                phone: e.phone("registration.phone", &r.phone),
                deadline: r.deadline,
                text: localized(fi, sv, en),
            }
        });
        let assistance_level = e.word::<AssistanceLevel>("assistance_level", &self.assistance_level, true);
        let status = e.one_of("status", &self.status, STATUSES, false).unwrap_or_else(|| "scheduled".into());
        let confidence = e.confidence(&self.confidence);
        let doc = EventDoc {
            title: localized(title_fi, title_sv, title_en).unwrap_or_default(),
            description: localized(d_fi, d_sv, d_en),
            co_organizers: self.co_organizers.clone(),
            editors: self.editors.clone(),
            online_url,
            served_municipalities: served,
            start: self.start.unwrap_or_default(),
            end: self.end.unwrap_or_default(),
            rrule,
            exdates: self.exdates.clone(),
            topics,
            languages,
            audience: self.audience.clone(),
            delivery_mode: delivery_mode.unwrap_or_default(),
            capacity: self.capacity,
            registration,
            cost: localized(c_fi, c_sv, c_en),
            assistance_level: assistance_level.unwrap_or_default(),
            overrides,
        };
        if self.start.is_some() && self.end.is_some() {
            if let Err(problem) = doc.rrule_set() {
                e.push("rrule", format!("not a valid RFC 5545 recurrence rule: {problem}"));
            }
        }
        e.finish()?;
        Ok(ValidEvent {
            organization_id: organization_id.unwrap_or_default(),
            location_id: self.location_id.clone(),
            status,
            confidence,
            doc,
        })
    }
}

/// Cancelling, moving or restoring one occurrence.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OccurrenceInput {
    /// cancelled, moved, or scheduled (undoes an earlier change).
    #[schema(example = "cancelled")]
    pub status: String,
    /// For `moved`: the new local start, `YYYY-MM-DDTHH:MM`.
    #[serde(default, with = "crate::events::local_time::option")]
    #[schema(value_type = Option<String>, example = "2027-02-17T13:00")]
    pub start: Option<NaiveDateTime>,
    /// For `moved`: the new local end (default: start plus the usual length).
    #[serde(default, with = "crate::events::local_time::option")]
    #[schema(value_type = Option<String>, example = "2027-02-17T15:00")]
    pub end: Option<NaiveDateTime>,
    /// Why, for the public (e.g. "Ohjaaja sairastunut").
    pub note: Option<TextInput>,
}

impl OccurrenceInput {
    pub fn validate(&self) -> ApiResult<Override> {
        let mut e = Errors::default();
        e.one_of("status", &Some(self.status.clone()), crate::events::OCCURRENCE_STATUSES, true);
        if self.status == "moved" && self.start.is_none() {
            e.push("start", "is required when an occurrence is moved");
        }
        if let (Some(s), Some(end)) = (self.start, self.end) {
            if end <= s {
                e.push("end", "must be after start");
            }
        }
        let (fi, sv, en) = e.text("note", &self.note, false, MAX_NAME);
        e.finish()?;
        Ok(Override { status: self.status.clone(), start: self.start, end: self.end, note: localized(fi, sv, en) })
    }
}

impl super::ReadShaped for EventInput {
    const SHAPE: super::ReadShape = super::ReadShape {
        refs: &[("organization", "organization_id"), ("location", "location_id")],
        ref_lists: &[("co_organizers", "co_organizers")],
        objects: &[],
        read_only: &[
            ("next_occurrences", "is read-only: computed from the series and its overrides (PUT /v1/events/{id}/occurrences/{date} cancels or moves one)"),
            ("source", "is read-only: where the record comes from"),
            ("sources", "is read-only: where the facts come from"),
            super::read_shape::TIMESTAMPS[0],
            super::read_shape::TIMESTAMPS[1],
        ],
    };
}

impl super::ReadShaped for OccurrenceInput {}
