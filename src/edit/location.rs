//! Locations as partners write them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Errors, TextInput, MAX_NAME, MAX_SHORT, MAX_TEXT};
pub use crate::db::changes::LocationChanges;
use crate::db::models::LocationRow;
use crate::directory::Directory;
use crate::domain::{Confidence, LocationKind, LocationStatus, Vocabulary};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::geo;

/// A location as written through the API. PATCH takes a JSON Merge Patch of this.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    /// Id (only when creating; lower-case letters, digits, hyphens). Generated when absent.
    #[schema(example = "jns-digipiste")]
    pub id: Option<String>,
    /// The owning organization; a partner token may only use its own.
    #[schema(example = "pksotu")]
    pub organization_id: Option<String>,
    #[schema(example = "association")]
    pub kind: Option<String>,
    pub name: Option<TextInput>,
    pub description: Option<TextInput>,
    #[schema(example = "Koskikatu 25")]
    pub street_address: Option<String>,
    #[schema(example = "80100")]
    pub postal_code: Option<String>,
    #[schema(example = "Joensuu")]
    pub post_office: Option<String>,
    /// Municipality code or name.
    #[schema(example = "167")]
    pub municipality_code: Option<String>,
    /// WGS84, inside Finland; with `longitude`.
    #[schema(example = 62.6017)]
    pub latitude: Option<f64>,
    #[schema(example = 29.7514)]
    pub longitude: Option<f64>,
    pub accessibility: Option<TextInput>,
    pub transit: Option<TextInput>,
    #[schema(example = "+358 13 267 7111")]
    pub phone: Option<String>,
    #[schema(example = "kirjasto@example.fi")]
    pub email: Option<String>,
    #[schema(example = "https://vaara.finna.fi")]
    pub website: Option<String>,
    /// For remote help: municipality codes served.
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    pub served_municipalities: Vec<String>,
    /// ISO 639-1 codes of the languages of service.
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    #[schema(example = json!(["fi", "en"]))]
    pub languages: Vec<String>,
    /// active, inactive or unverified-current.
    pub status: Option<String>,
    pub hours_notes: Option<String>,
    pub notes: Option<String>,
    /// verified, approximate or assumed (default verified).
    pub confidence: Option<String>,
}

/// A partner may lower a record's confidence but never raise it above what its sources
/// support (the stored level, or `previous` for a new record): raising it is the
/// coordinator's act (an admin token), recorded in history like every write.
pub fn check_confidence(is_admin: bool, previous: &str, requested: &str) -> ApiResult<()> {
    let level = |c: &str| c.parse::<Confidence>().unwrap_or(Confidence::Assumed);
    let surer = level(requested) < level(previous);
    if is_admin || !surer {
        return Ok(());
    }
    Err(ApiError::validation(vec![FieldError {
        field: "confidence".into(),
        message: format!(
            "a partner token may not raise confidence from {previous:?} to {requested:?}: only the coordinator (an admin token) raises it, when sources support it; to confirm the listing is still true, POST /v1/locations/{{id}}/verify"
        ),
    }]))
}

impl LocationInput {
    pub fn from_row(r: &LocationRow, languages: Vec<String>) -> Self {
        LocationInput {
            id: Some(r.id.clone()),
            organization_id: Some(r.organization_id.clone()),
            kind: Some(r.kind.clone()),
            name: TextInput::from_columns(Some(&r.name_fi), r.name_sv.as_deref(), r.name_en.as_deref()),
            description: TextInput::columns(&r.description_fi, &r.description_sv, &r.description_en),
            street_address: r.street_address.clone(),
            postal_code: r.postal_code.clone(),
            post_office: r.post_office.clone(),
            municipality_code: r.municipality_code.clone(),
            latitude: r.latitude,
            longitude: r.longitude,
            accessibility: TextInput::columns(&r.accessibility_fi, &r.accessibility_sv, &r.accessibility_en),
            transit: TextInput::columns(&r.transit_fi, &r.transit_sv, &r.transit_en),
            phone: r.phone.clone(),
            email: r.email.clone(),
            website: r.website.clone(),
            served_municipalities: r.served_municipalities.clone(),
            languages,
            status: Some(r.status.clone()),
            hours_notes: r.hours_notes.clone(),
            notes: r.notes.clone(),
            confidence: Some(r.confidence.clone()),
        }
    }

    /// Validates; `previous` is the stored row (PATCH), used to keep how coordinates were
    /// obtained when they did not change.
    pub fn validate(
        &self,
        dir: &Directory,
        previous: Option<&LocationRow>,
    ) -> ApiResult<(LocationChanges, Vec<String>)> {
        let mut e = Errors::default();
        e.id("id", &self.id);
        let organization_id = e.owner(&self.organization_id, dir);
        let kind = e.word::<LocationKind>("kind", &self.kind, true);
        let (name_fi, name_sv, name_en) = e.text("name", &self.name, true, MAX_NAME);
        let (description_fi, description_sv, description_en) =
            e.text("description", &self.description, false, MAX_TEXT);
        let (accessibility_fi, accessibility_sv, accessibility_en) =
            e.text("accessibility", &self.accessibility, false, MAX_TEXT);
        let (transit_fi, transit_sv, transit_en) = e.text("transit", &self.transit, false, MAX_TEXT);
        let postal_code = e.string("postal_code", &self.postal_code, 5);
        if let Some(p) = &postal_code {
            if !crate::domain::PostalCode::is_valid(p) {
                e.push("postal_code", "must be five digits");
            }
        }
        let municipality_code = e.municipality("municipality_code", &self.municipality_code, dir);
        match (self.latitude, self.longitude) {
            (Some(lat), Some(lon)) => {
                if !lat.is_finite() || !lon.is_finite() || !geo::inside_finland(lat, lon) {
                    e.push("latitude", "the coordinates must lie inside Finland (WGS84 degrees)");
                }
            }
            (Some(_), None) => e.push("longitude", "is required together with latitude"),
            (None, Some(_)) => e.push("latitude", "is required together with longitude"),
            (None, None) => {}
        }
        let mut served = Vec::new();
        for (i, m) in self.served_municipalities.iter().enumerate() {
            match dir.find_municipality(m) {
                Some(found) => served.push(found.code.clone()),
                None => e.push(format!("served_municipalities[{i}]"), format!("unknown municipality {m:?}")),
            }
        }
        let languages = e.languages("languages", &self.languages);
        let same_point = previous.is_some_and(|p| p.latitude == self.latitude && p.longitude == self.longitude);
        let changes = LocationChanges {
            organization_id: organization_id.unwrap_or_default(),
            kind: kind.unwrap_or_default(),
            name_fi: name_fi.unwrap_or_default(),
            name_sv,
            name_en,
            description_fi,
            description_sv,
            description_en,
            street_address: e.string("street_address", &self.street_address, MAX_NAME),
            postal_code,
            post_office: e.string("post_office", &self.post_office, MAX_NAME),
            municipality_code,
            latitude: self.latitude,
            longitude: self.longitude,
            coordinate_method: match (same_point, self.latitude) {
                (true, _) => previous.and_then(|p| p.coordinate_method.clone()),
                (false, Some(_)) => Some("given by the partner".into()),
                (false, None) => None,
            },
            accessibility_fi,
            accessibility_sv,
            accessibility_en,
            transit_fi,
            transit_sv,
            transit_en,
            phone: e.phone("phone", &self.phone),
            email: e.email("email", &self.email),
            website: e.url("website", &self.website),
            served_municipalities: served,
            status: e
                .word::<LocationStatus>("status", &self.status, false)
                .unwrap_or_else(|| LocationStatus::Active.name().to_owned()),
            hours_notes: e.string("hours_notes", &self.hours_notes, MAX_SHORT),
            notes: e.string("notes", &self.notes, MAX_TEXT),
            confidence: e.confidence(&self.confidence),
        };
        e.finish()?;
        Ok((changes, languages))
    }
}

impl super::ReadShaped for LocationInput {
    const SHAPE: super::ReadShape = super::ReadShape {
        refs: &[("organization", "organization_id")],
        ref_lists: &[],
        objects: &[
            (
                "address",
                &[
                    ("street", Ok("street_address")),
                    ("postal_code", Ok("postal_code")),
                    ("post_office", Ok("post_office")),
                    ("municipality_code", Ok("municipality_code")),
                    ("municipality", Err("is read-only: the name of `municipality_code`'s municipality")),
                ],
            ),
            (
                "coordinates",
                &[
                    ("lat", Ok("latitude")),
                    ("lon", Ok("longitude")),
                    ("method", Err("is read-only: the service records how a point was obtained (a point a partner gives is recorded as such)")),
                    ("accuracy", Err("is not written: coordinates.accuracy follows from how the point was obtained (a point given by a partner is `street`; give latitude and longitude)")),
                ],
            ),
        ],
        read_only: &[
            ("verified", "is not written: it is true exactly when `confidence` is `verified`, which only the coordinator (an admin token) may raise; to confirm the listing is still true, POST /v1/locations/{id}/verify"),
            ("verified_at", "is not written: POST /v1/locations/{id}/verify records who confirmed the listing and when"),
            ("verified_by", "is not written: POST /v1/locations/{id}/verify records who confirmed the listing and when"),
            ("coordinate_accuracy", "is not written: coordinates.accuracy follows from how the point was obtained (a point given by a partner is `street`; give latitude and longitude)"),
            ("accuracy", "is not written: coordinates.accuracy follows from how the point was obtained (a point given by a partner is `street`; give latitude and longitude)"),
            ("coordinate_method", "is read-only: the service records how a point was obtained"),
            ("open_now", "is read-only: computed from the opening hours at the asked instant"),
            ("status_now", "is read-only: computed from the opening hours at the asked instant"),
            ("next_change", "is read-only: computed from the opening hours at the asked instant"),
            ("next_opening", "is read-only: computed from the opening hours at the asked instant"),
            ("opening_hours", "is read-only here: write the hours with PUT /v1/locations/{id}/hours"),
            ("hours_confidence", "is read-only here: it is part of the hours (PUT /v1/locations/{id}/hours)"),
            ("topics", "is read-only: the topics of the services offered here (write services at the location)"),
            ("services", "is read-only here: write services at this location with /v1/services-at-locations"),
            ("contacts", "is read-only: contact persons come from the sources (imports), not from the API"),
            ("confidence_detail", "is read-only: how sure each fact is, recorded with the sources"),
            ("provenance", "is read-only: where the facts come from"),
            ("created_at", "is read-only: set when the record is created"),
            ("updated_at", "is read-only: set by every write"),
            ("stale", "is read-only: true when nobody has confirmed the listing for 180 days"),
            ("distance_m", "is read-only: a search result's distance"),
            ("distance_approximate", "is read-only: a search result's distance"),
            ("same_postal_area", "is read-only: a search result's ranking"),
            ("upcoming_events", "is read-only: events are written with /v1/events"),
        ],
    };
}
