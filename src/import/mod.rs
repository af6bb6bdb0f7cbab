//! Importers: bring records from outside systems into the directory, idempotently, keyed by
//! (`source`, `external_id`), without overwriting what partners edited since the last import.
//!
//! An importer first fetches and checks everything, then writes in one transaction: a failed
//! fetch, an HTTP error or malformed JSON never leaves a half-written import behind. Each run
//! returns an `ImportReport` saying what was created, changed, left alone, skipped and why.

pub mod kirkanta;
pub mod ptv;
pub mod schedule;

use serde::Serialize;
use serde_json::Value;

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
