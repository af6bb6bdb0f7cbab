//! The stored values of a valid record, as the one write path (`super::write`) inserts and
//! updates them. Validation (`crate::edit`) and the importers build them.

/// The stored values of a valid location.
#[derive(Debug, Clone, diesel::AsChangeset, diesel::Insertable)]
#[diesel(table_name = crate::db::schema::locations, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct LocationChanges {
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
    pub confidence: String,
}

impl LocationChanges {
    /// A stored row's values, as the one write path takes them (what an importer lays its
    /// fields over).
    pub fn of(r: &crate::db::models::LocationRow) -> LocationChanges {
        LocationChanges {
            organization_id: r.organization_id.clone(),
            kind: r.kind.clone(),
            name_fi: r.name_fi.clone(),
            name_sv: r.name_sv.clone(),
            name_en: r.name_en.clone(),
            description_fi: r.description_fi.clone(),
            description_sv: r.description_sv.clone(),
            description_en: r.description_en.clone(),
            street_address: r.street_address.clone(),
            postal_code: r.postal_code.clone(),
            post_office: r.post_office.clone(),
            municipality_code: r.municipality_code.clone(),
            latitude: r.latitude,
            longitude: r.longitude,
            coordinate_method: r.coordinate_method.clone(),
            accessibility_fi: r.accessibility_fi.clone(),
            accessibility_sv: r.accessibility_sv.clone(),
            accessibility_en: r.accessibility_en.clone(),
            transit_fi: r.transit_fi.clone(),
            transit_sv: r.transit_sv.clone(),
            transit_en: r.transit_en.clone(),
            phone: r.phone.clone(),
            email: r.email.clone(),
            website: r.website.clone(),
            served_municipalities: r.served_municipalities.clone(),
            status: r.status.clone(),
            hours_notes: r.hours_notes.clone(),
            notes: r.notes.clone(),
            confidence: r.confidence.clone(),
        }
    }
}

/// The stored values of a valid organization.
#[derive(Debug, Clone, Default, diesel::AsChangeset, diesel::Insertable)]
#[diesel(table_name = crate::db::schema::organizations, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct OrganizationChanges {
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
    pub confidence: String,
}

#[derive(Debug, Clone, diesel::AsChangeset, diesel::Insertable)]
#[diesel(table_name = crate::db::schema::services, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ServiceChanges {
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
    pub confidence: String,
}

/// A valid service as stored: its values, its topic codes and its languages of service.
#[derive(Debug, Clone)]
pub struct ValidService {
    pub changes: ServiceChanges,
    pub topics: Vec<String>,
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, diesel::AsChangeset, diesel::Insertable)]
#[diesel(table_name = crate::db::schema::services_at_locations, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ServiceAtLocationChanges {
    pub service_id: String,
    pub location_id: String,
    pub note_fi: Option<String>,
    pub note_sv: Option<String>,
    pub note_en: Option<String>,
    pub appointment: Option<serde_json::Value>,
    pub confidence: String,
}
