//! Organizations as partners and the coordinator write them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Errors, TextInput, MAX_NAME, MAX_TEXT};
pub use crate::db::changes::OrganizationChanges;
use crate::db::models::OrganizationRow;
use crate::directory::Directory;
use crate::error::ApiResult;

pub const KINDS: &[&str] = &[
    "library",
    "library_bookmobile",
    "adult_education_college",
    "association",
    "municipal_service_point",
    "parish",
    "public_authority_service_point",
    "other",
];

/// An organization as written through the API. PATCH takes a JSON Merge Patch of this.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    /// Id (only when creating; lower-case letters, digits, hyphens). Generated when absent.
    #[schema(example = "joensuun-digitukiyhdistys")]
    pub id: Option<String>,
    #[schema(example = "association")]
    pub kind: Option<String>,
    pub name: Option<TextInput>,
    pub description: Option<TextInput>,
    pub parent_id: Option<String>,
    #[schema(example = "Vaara-kirjastot")]
    pub network: Option<String>,
    #[schema(example = "https://example.fi")]
    pub website: Option<String>,
    #[schema(example = "info@example.fi")]
    pub email: Option<String>,
    #[schema(example = "+358 13 123 4567")]
    pub phone: Option<String>,
    pub notes: Option<String>,
    /// verified, approximate or assumed (default verified: partners know their own records).
    pub confidence: Option<String>,
}

impl OrganizationInput {
    pub fn from_row(r: &OrganizationRow) -> Self {
        OrganizationInput {
            id: Some(r.id.clone()),
            kind: Some(r.kind.clone()),
            name: TextInput::from_columns(Some(&r.name_fi), r.name_sv.as_deref(), r.name_en.as_deref()),
            description: TextInput::columns(&r.description_fi, &r.description_sv, &r.description_en),
            parent_id: r.parent_id.clone(),
            network: r.network.clone(),
            website: r.website.clone(),
            email: r.email.clone(),
            phone: r.phone.clone(),
            notes: r.notes.clone(),
            confidence: Some(r.confidence.clone()),
        }
    }

    pub fn validate(&self, dir: &Directory) -> ApiResult<OrganizationChanges> {
        let mut e = Errors::default();
        e.id("id", &self.id);
        let kind = e.one_of("kind", &self.kind, KINDS, true);
        let (name_fi, name_sv, name_en) = e.text("name", &self.name, true, MAX_NAME);
        let (description_fi, description_sv, description_en) =
            e.text("description", &self.description, false, MAX_TEXT);
        let parent_id = e.id("parent_id", &self.parent_id);
        if let Some(p) = &parent_id {
            if dir.organization(p).is_none() || Some(p) == self.id.as_ref() {
                e.push("parent_id", format!("unknown organization {p:?}"));
            }
        }
        let changes = OrganizationChanges {
            kind: kind.unwrap_or_default(),
            name_fi: name_fi.unwrap_or_default(),
            name_sv,
            name_en,
            description_fi,
            description_sv,
            description_en,
            parent_id,
            network: e.string("network", &self.network, MAX_NAME),
            website: e.url("website", &self.website),
            email: e.email("email", &self.email),
            phone: e.phone("phone", &self.phone),
            notes: e.string("notes", &self.notes, MAX_TEXT),
            confidence: e.confidence(&self.confidence),
        };
        e.finish()?;
        Ok(changes)
    }
}

impl super::ReadShaped for OrganizationInput {
    const SHAPE: super::ReadShape = super::ReadShape {
        refs: &[],
        ref_lists: &[],
        objects: &[],
        read_only: &[
            ("locations", "is read-only: the organization's locations (write each location)"),
            ("verified", "is not written: it is true exactly when `confidence` is `verified`"),
            ("provenance", "is read-only: where the facts come from"),
            super::read_shape::TIMESTAMPS[0],
            super::read_shape::TIMESTAMPS[1],
            super::read_shape::TIMESTAMPS[2],
        ],
    };
}
