//! Services (kinds of digital help an organization offers) as partners write them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Errors, TextInput, MAX_NAME, MAX_TEXT};
pub use crate::db::changes::ServiceChanges;
use crate::db::models::ServiceRow;
use crate::directory::Directory;
use crate::domain::{AssistanceLevel, DeliveryMode};
use crate::error::ApiResult;

pub const AUDIENCES: &[&str] =
    &["everyone", "seniors", "immigrants", "job_seekers", "young_people", "disabled_people", "students"];

/// A service as written through the API. PATCH takes a JSON Merge Patch of this.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// Id (only when creating). Generated when absent.
    pub id: Option<String>,
    #[schema(example = "pksotu")]
    pub organization_id: Option<String>,
    pub name: Option<TextInput>,
    pub description: Option<TextInput>,
    /// Topic codes (GET /v1/topics).
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    #[schema(example = json!(["online_public_services"]))]
    pub topics: Vec<String>,
    /// drop_in, by_appointment, phone, video, group_course, event.
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    #[schema(example = json!(["drop_in"]))]
    pub delivery_modes: Vec<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    #[schema(example = json!(["fi"]))]
    pub languages: Vec<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    #[schema(nullable)]
    #[schema(example = json!(["everyone"]))]
    pub audience: Vec<String>,
    pub cost: Option<TextInput>,
    /// guidance, authorized_assistance or information_only.
    #[schema(example = "guidance")]
    pub assistance_level: Option<String>,
    pub confidence: Option<String>,
}

pub use crate::db::changes::ValidService;

impl ServiceInput {
    pub fn from_row(r: &ServiceRow, topics: Vec<String>, languages: Vec<String>) -> Self {
        ServiceInput {
            id: Some(r.id.clone()),
            organization_id: Some(r.organization_id.clone()),
            name: TextInput::from_columns(Some(&r.name_fi), r.name_sv.as_deref(), r.name_en.as_deref()),
            description: TextInput::columns(&r.description_fi, &r.description_sv, &r.description_en),
            topics,
            delivery_modes: r.delivery_modes.clone(),
            languages,
            audience: r.audience.clone(),
            cost: TextInput::columns(&r.cost_fi, &r.cost_sv, &r.cost_en),
            assistance_level: Some(r.assistance_level.clone()),
            confidence: Some(r.confidence.clone()),
        }
    }

    pub fn validate(&self, dir: &Directory) -> ApiResult<ValidService> {
        let mut e = Errors::default();
        e.id("id", &self.id);
        let organization_id = e.owner(&self.organization_id, dir);
        let (name_fi, name_sv, name_en) = e.text("name", &self.name, true, MAX_NAME);
        let (description_fi, description_sv, description_en) =
            e.text("description", &self.description, false, MAX_TEXT);
        let (cost_fi, cost_sv, cost_en) = e.text("cost", &self.cost, false, MAX_NAME);
        let topics = e.topics("topics", &self.topics, dir);
        if topics.is_empty() && !self.topics.is_empty() {
            // reported per item already
        }
        let languages = e.languages("languages", &self.languages);
        let mut modes: Vec<String> = Vec::new();
        for (i, m) in self.delivery_modes.iter().enumerate() {
            match e.word::<DeliveryMode>(&format!("delivery_modes[{i}]"), &Some(m.clone()), true) {
                Some(m) if !modes.contains(&m) => modes.push(m),
                _ => {}
            }
        }
        let mut audience = Vec::new();
        for (i, a) in self.audience.iter().enumerate() {
            match e.one_of(&format!("audience[{i}]"), &Some(a.clone()), AUDIENCES, true) {
                Some(a) if !audience.contains(&a) => audience.push(a),
                _ => {}
            }
        }
        if audience.is_empty() {
            audience.push("everyone".into());
        }
        let assistance_level = e.word::<AssistanceLevel>("assistance_level", &self.assistance_level, true);
        let changes = ServiceChanges {
            organization_id: organization_id.unwrap_or_default(),
            name_fi: name_fi.unwrap_or_default(),
            name_sv,
            name_en,
            description_fi,
            description_sv,
            description_en,
            delivery_modes: modes,
            audience,
            cost_fi,
            cost_sv,
            cost_en,
            assistance_level: assistance_level.unwrap_or_default(),
            confidence: e.confidence(&self.confidence),
        };
        e.finish()?;
        Ok(ValidService { changes, topics, languages })
    }
}

impl super::ReadShaped for ServiceInput {
    const SHAPE: super::ReadShape = super::ReadShape {
        refs: &[("organization", "organization_id")],
        ref_lists: &[],
        objects: &[],
        read_only: &[
            ("offered_at", "is read-only: where the service is offered (write services at locations)"),
            ("provenance", "is read-only: where the facts come from"),
            super::read_shape::TIMESTAMPS[0],
            super::read_shape::TIMESTAMPS[1],
            super::read_shape::TIMESTAMPS[2],
        ],
    };
}
