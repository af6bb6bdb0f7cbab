//! Row types: one struct per table, used both to load the snapshot and to insert seed data.
//! They mirror `schema.rs` field by field; the domain types live in `crate::directory`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;

use super::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = municipalities)]
pub struct MunicipalityRow {
    pub code: String,
    pub name_fi: String,
    pub name_sv: String,
    pub centre_latitude: f64,
    pub centre_longitude: f64,
    pub centre_confidence: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = postal_codes)]
pub struct PostalCodeRow {
    pub code: String,
    pub name_fi: String,
    pub name_sv: String,
    pub municipality_code: String,
    pub posti_type: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub coordinate_confidence: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sources)]
pub struct SourceRow {
    pub key: String,
    pub title: String,
    pub url: Option<String>,
    pub licence: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = topics)]
pub struct TopicRow {
    pub code: String,
    pub label_fi: String,
    pub label_sv: String,
    pub label_en: String,
    pub description_fi: Option<String>,
    pub description_sv: Option<String>,
    pub description_en: Option<String>,
    pub sort_order: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = languages)]
pub struct LanguageRow {
    pub code: String,
    pub name_fi: String,
    pub name_sv: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[cfg_attr(test, derive(serde::Deserialize))]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: String,
    pub kind: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description_fi: Option<String>,
    pub description_sv: Option<String>,
    pub description_en: Option<String>,
    pub parent_id: Option<String>,
    pub network: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub source: String,
    pub external_id: Option<String>,
    pub confidence: String,
    pub sources: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = locations)]
pub struct LocationRow {
    pub id: String,
    pub organization_id: String,
    pub kind: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description_fi: Option<String>,
    pub description_sv: Option<String>,
    pub description_en: Option<String>,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub post_office: Option<String>,
    pub municipality_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub coordinate_method: Option<String>,
    pub accessibility_fi: Option<String>,
    pub accessibility_sv: Option<String>,
    pub accessibility_en: Option<String>,
    pub transit_fi: Option<String>,
    pub transit_sv: Option<String>,
    pub transit_en: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub served_municipalities: Vec<String>,
    pub status: String,
    pub hours_notes: Option<String>,
    pub notes: Option<String>,
    pub source: String,
    pub external_id: Option<String>,
    pub confidence: String,
    pub confidence_detail: Value,
    pub sources: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl LocationRow {
    /// A new location with every field empty: what an importer starts from before it sets the
    /// fields it manages (the rest stay empty, never invented).
    pub fn blank(id: &str, organization_id: &str, kind: &str, source: &str) -> LocationRow {
        let now = Utc::now();
        LocationRow {
            id: id.to_owned(),
            organization_id: organization_id.to_owned(),
            kind: kind.to_owned(),
            name_fi: String::new(),
            name_sv: None,
            name_en: None,
            description_fi: None,
            description_sv: None,
            description_en: None,
            street_address: None,
            postal_code: None,
            post_office: None,
            municipality_code: None,
            latitude: None,
            longitude: None,
            coordinate_method: None,
            accessibility_fi: None,
            accessibility_sv: None,
            accessibility_en: None,
            transit_fi: None,
            transit_sv: None,
            transit_en: None,
            phone: None,
            email: None,
            website: None,
            served_municipalities: Vec::new(),
            status: "active".into(),
            hours_notes: None,
            notes: None,
            source: source.to_owned(),
            external_id: None,
            confidence: "verified".into(),
            confidence_detail: serde_json::json!({}),
            sources: serde_json::json!([]),
            created_at: now,
            updated_at: now,
            verified_at: None,
            deleted_at: None,
            version: 1,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = location_languages)]
pub struct LocationLanguageRow {
    pub location_id: String,
    pub language_code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[cfg_attr(test, derive(serde::Deserialize))]
#[diesel(table_name = services)]
pub struct ServiceRow {
    pub id: String,
    pub organization_id: String,
    pub name_fi: String,
    pub name_sv: Option<String>,
    pub name_en: Option<String>,
    pub description_fi: Option<String>,
    pub description_sv: Option<String>,
    pub description_en: Option<String>,
    pub delivery_modes: Vec<String>,
    pub audience: Vec<String>,
    pub cost_fi: Option<String>,
    pub cost_sv: Option<String>,
    pub cost_en: Option<String>,
    pub assistance_level: String,
    pub source: String,
    pub external_id: Option<String>,
    pub confidence: String,
    pub sources: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_topics)]
pub struct ServiceTopicRow {
    pub service_id: String,
    pub topic_code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_languages)]
pub struct ServiceLanguageRow {
    pub service_id: String,
    pub language_code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[cfg_attr(test, derive(serde::Deserialize))]
#[diesel(table_name = services_at_locations)]
pub struct ServiceAtLocationRow {
    pub id: String,
    pub service_id: String,
    pub location_id: String,
    pub note_fi: Option<String>,
    pub note_sv: Option<String>,
    pub note_en: Option<String>,
    pub source: String,
    pub external_id: Option<String>,
    pub confidence: String,
    pub sources: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub appointment: Option<Value>,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = opening_hours)]
pub struct OpeningHoursRow {
    pub id: i64,
    pub location_id: Option<String>,
    pub service_at_location_id: Option<String>,
    /// The jsonb document as text: parsed straight into `OpeningHours`, never into a
    /// `serde_json::Value` tree (which costs tens of kilobytes per document).
    #[diesel(select_expression = diesel::dsl::sql::<diesel::sql_types::Text>("opening_hours.document::text"))]
    #[diesel(select_expression_type = diesel::expression::SqlLiteral<diesel::sql_types::Text>)]
    pub document: String,
    pub confidence: String,
    pub source_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = opening_hours)]
pub struct NewOpeningHours {
    pub location_id: Option<String>,
    pub service_at_location_id: Option<String>,
    pub document: Value,
    pub confidence: String,
    pub source_note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    pub id: i64,
    pub organization_id: Option<String>,
    pub location_id: Option<String>,
    pub service_id: Option<String>,
    pub name: Option<String>,
    pub title_fi: Option<String>,
    pub title_sv: Option<String>,
    pub title_en: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: String,
    pub organization_id: String,
    pub location_id: Option<String>,
    pub status: String,
    pub document: Value,
    pub source: String,
    pub external_id: Option<String>,
    pub confidence: String,
    pub sources: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub deleted_at: Option<DateTime<Utc>>,
}
