//! Importers: bring records from outside systems into the directory, idempotently, keyed by
//! (`source`, `external_id`), without overwriting what partners edited since the last import.
//!
//! An importer first fetches and checks everything, then writes in one transaction: a failed
//! fetch, an HTTP error or malformed JSON never leaves a half-written import behind. Each run
//! returns an `ImportReport` saying what was created, changed, left alone, skipped and why.

pub mod kirkanta;
pub mod ptv;
pub mod schedule;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::hours::OpeningHours;

/// A record the import could not use.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Skipped {
    /// The upstream id, when the record had one.
    pub external_id: Option<String>,
    pub reason: String,
}

/// A field a partner edited since the last import, which upstream has also changed: the
/// partner's value is kept, and reported here.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Conflict {
    pub location_id: String,
    pub external_id: String,
    pub field: String,
    /// What the directory holds now (the partner's edit; kept).
    pub current: Value,
    /// What the previous import wrote.
    pub last_imported: Value,
    /// What upstream says now (not applied).
    pub upstream: Value,
}

/// One field of a change: before and after (hours summarised).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub from: Value,
    pub to: Value,
}

/// What an import did (or, in a dry run, would do) to one location.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    pub location_id: String,
    pub external_id: Option<String>,
    /// `add`, `update` or `deactivate`.
    pub action: String,
    /// How an existing location was found: `kirkanta_id` or `name_and_municipality`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<String>,
    pub fields: Vec<FieldChange>,
}

/// What one import run did.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportReport {
    pub source: String,
    /// True when nothing was written: the report says what would have changed.
    pub dry_run: bool,
    /// Pages read from upstream.
    pub pages: usize,
    /// Upstream records read.
    pub fetched: usize,
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    /// Locations gone from upstream, now `status = 'inactive'`.
    pub deactivated: Vec<String>,
    /// Locations whose coordinates came from the geocoder or an area centroid.
    pub geocoded: Vec<String>,
    pub conflicts: Vec<Conflict>,
    /// Fields kept because a partner edited them and upstream did not change them.
    pub kept_local_edits: usize,
    pub skipped: Vec<Skipped>,
    /// Set when nothing was written, with the reason.
    pub aborted: Option<String>,
    /// Organizations created for the new records (or, in a dry run, that would be).
    pub organizations_created: Vec<String>,
    /// Every added, updated or deactivated location with its field changes.
    pub changes: Vec<Change>,
}

impl ImportReport {
    /// Records that were usable (created, updated or unchanged).
    pub fn imported(&self) -> usize {
        self.created.len() + self.updated.len() + self.unchanged
    }
}

/// One record's fields merged three ways, the rule every importer follows: upstream's value is
/// taken where the directory still holds what the previous import wrote (or nothing was
/// recorded); a field a partner has edited since is kept, and reported as a conflict when
/// upstream has changed it too.
#[derive(Debug, Default)]
pub struct Merge {
    /// The fields to write.
    pub apply: BTreeMap<String, Value>,
    /// What the import will have written, remembered for the next run (a kept edit: still what
    /// the import last wrote, so that the edit stays visible as an edit).
    pub last: Map<String, Value>,
    pub conflicts: Vec<Conflict>,
    /// Partner edits kept where upstream had not changed.
    pub kept_local_edits: usize,
}

/// Merges `upstream` into `current` (the record's fields as stored) given `last` (what the
/// previous import wrote).
pub fn merge_fields(
    location_id: &str,
    external_id: &str,
    upstream: &Map<String, Value>,
    current: &Map<String, Value>,
    last: &Map<String, Value>,
) -> Merge {
    let mut merge = Merge::default();
    for (field, new) in upstream {
        let cur = current.get(field).cloned().unwrap_or(Value::Null);
        let last_v = last.get(field).cloned();
        let partner_edited = last_v.as_ref().is_some_and(|l| !same(field, l, &cur));
        if same(field, &cur, new) {
            merge.last.insert(field.clone(), new.clone());
        } else if !partner_edited {
            merge.apply.insert(field.clone(), new.clone());
            merge.last.insert(field.clone(), new.clone());
        } else {
            let last_v = last_v.unwrap_or(Value::Null);
            if !same(field, &last_v, new) {
                merge.conflicts.push(Conflict {
                    location_id: location_id.to_owned(),
                    external_id: external_id.to_owned(),
                    field: field.clone(),
                    current: cur.clone(),
                    last_imported: last_v.clone(),
                    upstream: new.clone(),
                });
            } else {
                merge.kept_local_edits += 1;
            }
            merge.last.insert(field.clone(), last_v);
        }
    }
    merge
}

/// Whether two values of a field are the same: coordinates within a micro-degree (about
/// 0.1 m), hours documents as parsed (defaults written or not), everything else exactly.
fn same(field: &str, a: &Value, b: &Value) -> bool {
    match (field, a.as_f64(), b.as_f64()) {
        ("latitude" | "longitude", Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ if field == "hours" => normal_hours(a) == normal_hours(b),
        _ => a == b,
    }
}

fn normal_hours(v: &Value) -> Value {
    serde_json::from_value::<OpeningHours>(v.clone())
        .ok()
        .and_then(|h| serde_json::to_value(h).ok())
        .unwrap_or_else(|| v.clone())
}

/// A location row's value of one field an importer manages, as its plan holds it (a JSON
/// value, null when empty): what `set_location_field` writes back.
pub fn location_field(r: &crate::db::models::LocationRow, field: &str) -> Value {
    let s = |v: &Option<String>| v.clone().map(Value::String).unwrap_or(Value::Null);
    let f = |v: Option<f64>| v.map(Value::from).unwrap_or(Value::Null);
    match field {
        "kind" => Value::String(r.kind.clone()),
        "name_fi" => Value::String(r.name_fi.clone()),
        "name_sv" => s(&r.name_sv),
        "name_en" => s(&r.name_en),
        "description_fi" => s(&r.description_fi),
        "description_sv" => s(&r.description_sv),
        "description_en" => s(&r.description_en),
        "street_address" => s(&r.street_address),
        "postal_code" => s(&r.postal_code),
        "post_office" => s(&r.post_office),
        "municipality_code" => s(&r.municipality_code),
        "latitude" => f(r.latitude),
        "longitude" => f(r.longitude),
        "coordinate_method" => s(&r.coordinate_method),
        "accessibility_fi" => s(&r.accessibility_fi),
        "accessibility_sv" => s(&r.accessibility_sv),
        "accessibility_en" => s(&r.accessibility_en),
        "phone" => s(&r.phone),
        "email" => s(&r.email),
        "website" => s(&r.website),
        "status" => Value::String(r.status.clone()),
        _ => Value::Null,
    }
}

/// What the directory holds now of the fields an import manages (those its mapping writes),
/// in the import's terms.
pub fn location_fields<'a>(
    r: &crate::db::models::LocationRow,
    fields: impl IntoIterator<Item = &'a str>,
) -> Map<String, Value> {
    fields.into_iter().map(|f| (f.to_owned(), location_field(r, f))).collect()
}

/// Lays one field an importer manages, as its plan holds it (a JSON value; null clears), over
/// a location's row: what Kirkanta and PTV imports write through `LocationChanges::of`. A
/// missing name is empty (validation names it), a missing kind keeps the row's, a missing
/// status is `active`; fields no importer manages are left alone.
pub fn set_location_field(r: &mut crate::db::models::LocationRow, field: &str, v: &Value) {
    let s = || v.as_str().map(str::to_owned);
    match field {
        "kind" => r.kind = s().unwrap_or_else(|| r.kind.clone()),
        "name_fi" => r.name_fi = s().unwrap_or_default(),
        "name_sv" => r.name_sv = s(),
        "name_en" => r.name_en = s(),
        "description_fi" => r.description_fi = s(),
        "description_sv" => r.description_sv = s(),
        "description_en" => r.description_en = s(),
        "street_address" => r.street_address = s(),
        "postal_code" => r.postal_code = s(),
        "post_office" => r.post_office = s(),
        "municipality_code" => r.municipality_code = s(),
        "latitude" => r.latitude = v.as_f64(),
        "longitude" => r.longitude = v.as_f64(),
        "coordinate_method" => r.coordinate_method = s(),
        "accessibility_fi" => r.accessibility_fi = s(),
        "accessibility_sv" => r.accessibility_sv = s(),
        "accessibility_en" => r.accessibility_en = s(),
        "phone" => r.phone = s(),
        "email" => r.email = s(),
        "website" => r.website = s(),
        "status" => r.status = s().unwrap_or_else(|| "active".into()),
        _ => {}
    }
}

/// The upstream records an import maps: those it can use, the id of every record upstream,
/// usable or not (none of them is "gone"), and whether a skipped record had no id (then
/// nothing may be deactivated: the unnamed one might be any of ours).
pub struct Sorted<T> {
    pub mapped: Vec<T>,
    pub seen: std::collections::BTreeSet<String>,
    pub anonymous_skips: bool,
}

impl<T> Default for Sorted<T> {
    fn default() -> Self {
        Sorted { mapped: Vec::new(), seen: Default::default(), anonymous_skips: false }
    }
}

impl<T> Sorted<T> {
    /// A record mapped, with its upstream id.
    pub fn keep(&mut self, id: &str, item: T) {
        self.seen.insert(id.to_owned());
        self.mapped.push(item);
    }

    /// A record that cannot be used, told in the report with why.
    pub fn skip(&mut self, id: Option<String>, reason: String, report: &mut ImportReport) {
        match &id {
            Some(i) => {
                self.seen.insert(i.clone());
            }
            None => self.anonymous_skips = true,
        }
        report.skipped.push(Skipped { external_id: id, reason });
    }
}
