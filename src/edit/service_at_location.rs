//! A service offered at a location, with its own hours and booking instructions.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Errors, TextInput, MAX_TEXT};
pub use crate::db::changes::ServiceAtLocationChanges;
use crate::db::models::ServiceAtLocationRow;
use crate::directory::Directory;
use crate::error::ApiResult;
use crate::hours::{Appointment, OpeningHours};

/// Booking instructions when help is (also) given by appointment.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentInput {
    #[serde(default)]
    pub by_appointment: bool,
    #[schema(example = "+358 13 123 4567")]
    pub phone: Option<String>,
    #[schema(example = "https://example.fi/varaa")]
    pub url: Option<String>,
    pub text: Option<TextInput>,
}

/// A service at a location as written through the API. PATCH takes a JSON Merge Patch of this.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceAtLocationInput {
    /// Id (only when creating). Generated when absent.
    pub id: Option<String>,
    #[schema(example = "pksotu-device-basics")]
    pub service_id: Option<String>,
    #[schema(example = "pksotu-kansalaistalo")]
    pub location_id: Option<String>,
    pub note: Option<TextInput>,
    /// This service's own hours here, narrower than the building's (the hours document of
    /// `PUT /v1/locations/{id}/hours`); null: the building's hours apply.
    #[schema(value_type = Option<OpeningHours>)]
    pub hours: Option<serde_json::Value>,
    pub appointment: Option<AppointmentInput>,
    pub confidence: Option<String>,
}

pub struct ValidServiceAtLocation {
    pub changes: ServiceAtLocationChanges,
    pub hours: Option<OpeningHours>,
    /// The organization owning both the service and the location.
    pub organization_id: String,
}

impl ServiceAtLocationInput {
    pub fn from_row(r: &ServiceAtLocationRow, hours: Option<serde_json::Value>) -> Self {
        ServiceAtLocationInput {
            id: Some(r.id.clone()),
            service_id: Some(r.service_id.clone()),
            location_id: Some(r.location_id.clone()),
            note: TextInput::columns(&r.note_fi, &r.note_sv, &r.note_en),
            hours,
            appointment: r.appointment.clone().and_then(|a| serde_json::from_value::<Appointment>(a).ok()).map(|a| {
                AppointmentInput {
                    by_appointment: a.by_appointment,
                    phone: a.phone,
                    url: a.url,
                    text: a.text.as_ref().map(TextInput::from_localized),
                }
            }),
            confidence: Some(r.confidence.clone()),
        }
    }

    pub fn validate(&self, dir: &Directory) -> ApiResult<ValidServiceAtLocation> {
        let mut e = Errors::default();
        e.push_id_checks(self);
        let service = self.service_id.as_deref().and_then(|s| dir.service(s).map(|(_, x)| x));
        let location = self.location_id.as_deref().and_then(|l| dir.location(l));
        if self.service_id.is_some() && service.is_none() {
            e.push("service_id", "unknown service");
        }
        if self.location_id.is_some() && location.is_none() {
            e.push("location_id", "unknown location");
        }
        let service_org = service.map(|s| dir.organizations[s.organization].id.clone());
        let location_org = location.map(|l| dir.organizations[l.organization].id.clone());
        if let (Some(so), Some(lo)) = (&service_org, &location_org) {
            if so != lo {
                e.push("location_id", "the service and the location belong to different organizations");
            }
        }
        let (note_fi, note_sv, note_en) = e.text("note", &self.note, false, MAX_TEXT);
        let hours = match &self.hours {
            None | Some(serde_json::Value::Null) => None,
            Some(v) if !crate::hours::validate::shape_problems(v).is_empty() => {
                for problem in crate::hours::validate::shape_problems(v) {
                    e.push(format!("hours.{}", problem.field), problem.message);
                }
                None
            }
            Some(v) => match serde_path_to_error::deserialize::<_, OpeningHours>(v.clone()) {
                Ok(h) => {
                    for problem in h.validate() {
                        e.push(format!("hours.{}", problem.field), problem.message);
                    }
                    Some(h)
                }
                Err(err) => {
                    e.push(format!("hours.{}", err.path()), err.into_inner().to_string());
                    None
                }
            },
        };
        let appointment = self.appointment.as_ref().map(|a| {
            let (fi, sv, en) = e.text("appointment.text", &a.text, false, MAX_TEXT);
            Appointment {
                by_appointment: a.by_appointment,
                phone: e.phone("appointment.phone", &a.phone),
                url: e.url("appointment.url", &a.url),
                text: fi.map(|fi| crate::i18n::Localized { fi, sv, en }),
            }
        });
        let changes = ServiceAtLocationChanges {
            service_id: self.service_id.clone().unwrap_or_default(),
            location_id: self.location_id.clone().unwrap_or_default(),
            note_fi,
            note_sv,
            note_en,
            appointment: appointment.map(|a| serde_json::to_value(a).unwrap_or_default()),
            confidence: e.confidence(&self.confidence),
        };
        e.finish()?;
        Ok(ValidServiceAtLocation { changes, hours, organization_id: location_org.unwrap_or_default() })
    }
}

impl Errors {
    fn push_id_checks(&mut self, input: &ServiceAtLocationInput) {
        self.id("id", &input.id);
        if self.id("service_id", &input.service_id).is_none() && input.service_id.is_none() {
            self.push("service_id", "is required");
        }
        if self.id("location_id", &input.location_id).is_none() && input.location_id.is_none() {
            self.push("location_id", "is required");
        }
    }
}

impl super::ReadShaped for ServiceAtLocationInput {
    const SHAPE: super::ReadShape = super::ReadShape {
        refs: &[],
        ref_lists: &[],
        objects: &[],
        read_only: &[
            ("name", "is read-only here: a property of the service (PATCH /v1/services/{service_id})"),
            ("description", "is read-only here: a property of the service (PATCH /v1/services/{service_id})"),
            ("topics", "is read-only here: a property of the service (PATCH /v1/services/{service_id})"),
            ("delivery_modes", "is read-only here: a property of the service (PATCH /v1/services/{service_id})"),
            ("languages", "is read-only here: a property of the service (PATCH /v1/services/{service_id})"),
            ("audience", "is read-only here: a property of the service (PATCH /v1/services/{service_id})"),
            ("assistance_level", "is read-only here: a property of the service (PATCH /v1/services/{service_id})"),
            ("opening_hours", "is read-only: the hours as an OpenStreetMap string; write `hours` (the hours document)"),
            ("status_now", "is read-only: computed from the hours at the asked instant"),
            ("sources", "is read-only: where the facts come from"),
        ],
    };
}
