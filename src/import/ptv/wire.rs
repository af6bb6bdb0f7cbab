//! PTV Open API v11 response shapes: only what the importer reads, every field optional so
//! that a missing one is a gap in one record, never a failed import.
//!
//! Sources (see docs/import.md for the field-by-field table):
//! * the published model of the API, as generated from PTV's own OpenAPI description by
//!   Tampere's client (`Tampere/ptv-php-client-v11`, `docs/Model/V11VmOpenApiServiceLocationChannel.md`,
//!   `V11VmOpenApiServiceChannelsWithPaging.md`, `V11VmOpenApiServiceHour.md`,
//!   `V8VmOpenApiDailyOpeningTime.md`, `V9VmOpenApiAddressLocation.md`,
//!   `VmOpenApiAddressStreetWithCoordinates.md`, `V10VmOpenApiOrganization.md`);
//! * PTV's server source (`vrk-kpa/ptv-releases`,
//!   `src/PTV.Domain.Model/Models/OpenApi/VmOpenApiServiceLocationChannelVersionBase.cs`): the
//!   channel's e-mail list is serialized as `emails` (`[JsonProperty(PropertyName = "emails")]`),
//!   not `supportEmails` as the generated model says;
//! * production clients reading the same JSON: City of Helsinki's service map back end
//!   (`smbackend`, `ptv/importers/ptv_units.py`) and a PostgreSQL foreign-data wrapper for PTV
//!   (`ptvfdw`): `itemList[].serviceChannelType == "ServiceLocation"`, `addresses[].type ==
//!   "Location"`, `streetAddress.{street[], streetNumber, postalCode, postOffice[], latitude,
//!   longitude}`, `phoneNumbers[].{prefixNumber, number}`, `emails[].value`, `webPages[].url`,
//!   `serviceHours[].serviceHourType == "DaysOfTheWeek"`, `openingHour[].{dayFrom, dayTo, from, to}`.

use serde::Deserialize;
use serde_json::Value;

/// One page of `GET /api/v11/ServiceChannel/list/area/{area}/code/{code}?page=N` or
/// `GET /api/v11/ServiceChannel/list/organization?organizationId=..&page=N`
/// (`V11VmOpenApiServiceChannelsWithPaging`). Items stay raw JSON: one bad channel is skipped,
/// not fatal.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub page_number: Option<u32>,
    pub page_count: Option<u32>,
    /// Missing on an empty result.
    #[serde(default)]
    pub item_list: Option<Vec<Value>>,
}

/// `VmOpenApiLanguageItem`: `{"value": "...", "language": "fi"}`.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct LanguageItem {
    pub value: Option<String>,
    pub language: Option<String>,
}

/// `VmOpenApiLocalizedListItem`: `{"value", "type": "Name" | "AlternativeName" | "Description" |
/// "Summary", "language"}`.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct LocalizedItem {
    pub value: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub language: Option<String>,
}

/// `VmOpenApiMunicipality`.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Municipality {
    pub code: Option<String>,
    #[serde(default)]
    pub name: Vec<LanguageItem>,
}

/// `VmOpenApiAddressStreetWithCoordinates`; coordinates are ETRS-TM35FIN (EPSG:3067) metres
/// as text: `latitude` = northing, `longitude` = easting.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct StreetAddress {
    pub postal_code: Option<String>,
    #[serde(default)]
    pub post_office: Vec<LanguageItem>,
    pub municipality: Option<Municipality>,
    #[serde(default)]
    pub street: Vec<LanguageItem>,
    pub street_number: Option<String>,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub coordinate_state: Option<String>,
    #[serde(default)]
    pub additional_information: Vec<LanguageItem>,
}

/// `VmOpenApiSentenceValue`.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct SentenceValue {
    #[serde(default)]
    pub sentence: Vec<LanguageItem>,
}

/// `VmOpenApiAccessibilitySentence`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AccessibilitySentence {
    #[serde(default)]
    pub sentence_group: Vec<LanguageItem>,
    #[serde(default)]
    pub sentences: Vec<SentenceValue>,
}

/// `V9VmOpenApiEntrance`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Entrance {
    pub is_main_entrance: Option<bool>,
    #[serde(default)]
    pub accessibility_sentences: Vec<AccessibilitySentence>,
}

/// `V9VmOpenApiAddressLocation`: `type` is `Location` (visiting) or `Postal`; `subType` is
/// `Single`, `Street`, `PostOfficeBox`, `Abroad` or `Other`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub sub_type: Option<String>,
    pub street_address: Option<StreetAddress>,
    #[serde(default)]
    pub entrances: Vec<Entrance>,
}

/// `V4VmOpenApiPhoneWithType`: `type` is `Phone`, `Sms` or `Fax`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    pub number: Option<String>,
    pub prefix_number: Option<String>,
    pub is_finnish_service_number: Option<bool>,
    pub language: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// `V9VmOpenApiWebPage`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct WebPage {
    pub url: Option<String>,
    pub language: Option<String>,
}

/// `V8VmOpenApiDailyOpeningTime`: weekdays are English names (`Monday`); times `HH:MM` or
/// `HH:MM:SS`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct OpeningTime {
    pub day_from: Option<String>,
    pub day_to: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// `V11VmOpenApiServiceHour`: `serviceHourType` is `DaysOfTheWeek`, `Exceptional` or
/// `OverMidnight` (v8 and later; `Standard`, `Exception`, `Special` in v7 and older).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServiceHour {
    pub service_hour_type: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub is_closed: Option<bool>,
    pub valid_for_now: Option<bool>,
    pub is_always_open: Option<bool>,
    #[serde(default)]
    pub additional_information: Vec<LanguageItem>,
    #[serde(default)]
    pub opening_hour: Vec<OpeningTime>,
}

/// `V11VmOpenApiServiceLocationChannel` (an item of `itemList`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub id: Option<String>,
    pub organization_id: Option<String>,
    pub service_channel_type: Option<String>,
    pub publishing_status: Option<String>,
    #[serde(default)]
    pub service_channel_names: Vec<LocalizedItem>,
    #[serde(default)]
    pub service_channel_descriptions: Vec<LocalizedItem>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub web_pages: Vec<WebPage>,
    #[serde(default)]
    pub service_hours: Vec<ServiceHour>,
    #[serde(default)]
    pub phone_numbers: Vec<Phone>,
    /// Serialized as `emails` by PTV's server (see the module comment).
    #[serde(default, alias = "supportEmails")]
    pub emails: Vec<LanguageItem>,
    #[serde(default)]
    pub addresses: Vec<Address>,
}

/// `V10VmOpenApiOrganization` from `GET /api/v11/Organization/{id}`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: Option<String>,
    pub organization_type: Option<String>,
    pub business_code: Option<String>,
    #[serde(default)]
    pub organization_names: Vec<LocalizedItem>,
    pub publishing_status: Option<String>,
}
