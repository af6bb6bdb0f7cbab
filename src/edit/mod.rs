//! What partners may write, and the rules it must pass: request bodies are parsed into
//! `*Input` types, JSON Merge Patches (RFC 7396) are applied to the current record's input
//! form, and `validate` turns an input into the values stored, or lists every failing field
//! (one 422 answer). Nothing here touches the database.

pub mod event;
pub mod location;
pub mod organization;
pub mod read_shape;
pub mod service;
pub mod service_at_location;

#[cfg(test)]
mod proptests;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::directory::Directory;
use crate::domain::{Confidence, Vocabulary};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Localized;
pub use read_shape::{ReadShape, ReadShaped};

pub const MAX_NAME: usize = 200;
pub const MAX_TEXT: usize = 4000;
pub const MAX_SHORT: usize = 500;

/// A text in Finnish, Swedish and English. Finnish is required where the text is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextInput {
    #[schema(example = "Joensuun pääkirjasto")]
    pub fi: Option<String>,
    pub sv: Option<String>,
    #[schema(example = "Joensuu Main Library")]
    pub en: Option<String>,
}

impl TextInput {
    pub fn from_columns(fi: Option<&str>, sv: Option<&str>, en: Option<&str>) -> Option<TextInput> {
        if fi.is_none() && sv.is_none() && en.is_none() {
            return None;
        }
        Some(TextInput { fi: fi.map(str::to_owned), sv: sv.map(str::to_owned), en: en.map(str::to_owned) })
    }

    /// A stored optional text from its three language columns; `None` when all are empty.
    pub fn columns(fi: &Option<String>, sv: &Option<String>, en: &Option<String>) -> Option<TextInput> {
        Self::from_columns(fi.as_deref(), sv.as_deref(), en.as_deref())
    }

    pub fn from_localized(l: &Localized) -> TextInput {
        TextInput { fi: Some(l.fi.clone()), sv: l.sv.clone(), en: l.en.clone() }
    }
}

/// Collects every failing field of one body. Validators return the value they were given even
/// when they reject it: the errors decide whether anything is stored, and a value tolerated as a
/// legacy gap (see `tolerating`) is then stored unchanged, never dropped.
#[derive(Default)]
pub struct Errors(Vec<FieldError>);

thread_local! {
    /// The errors of the record as it was before the patch being validated on this thread.
    static LEGACY: std::cell::RefCell<Vec<FieldError>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Validates a patched record the way a PATCH is judged: by what it changes. Errors the record
/// already had before the patch (`legacy`: the same field with the same message, e.g. a note
/// that exists only in English in older data) do not block it; every new error does, whether
/// in a field the patch touches or in an invariant of the result that the patch broke.
/// `validate` is synchronous, so the tolerance cannot leak to other requests.
pub fn tolerating<T>(legacy: Vec<FieldError>, validate: impl FnOnce() -> ApiResult<T>) -> ApiResult<T> {
    let previous = LEGACY.replace(legacy);
    let result = validate();
    LEGACY.set(previous);
    result
}

/// A list member given as `null` (a merge patch removing it) is an empty list.
pub fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// The errors a stored record has today in the fields a merge `patch` does not touch, for
/// `tolerating`: a field the patch sets must be valid in full (`note.en` alone touches `note`,
/// so a missing `note.fi` then counts). References to other records (`*_id`) are invariants,
/// never tolerated: a record whose service or location is gone is not edited as if it were whole.
pub fn legacy_errors<T>(validation: ApiResult<T>, patch: &[u8]) -> Vec<FieldError> {
    let touched: Vec<String> = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(patch)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let top = |field: &str| field.split(['.', '[']).next().unwrap_or(field).to_owned();
    validation
        .err()
        .map(|e| e.errors)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| !touched.contains(&top(&e.field)))
        .collect()
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

impl Errors {
    /// The messages found so far (for tests of how they are shown).
    #[cfg(test)]
    pub fn into_messages(self) -> Vec<String> {
        self.0.into_iter().map(|e| e.message).collect()
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }

    /// Every error found, except those a patched record already had before the patch (see
    /// `tolerating`).
    pub fn finish(mut self) -> ApiResult<()> {
        LEGACY.with_borrow(|legacy| self.0.retain(|e| !legacy.contains(e)));
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.0))
        }
    }

    fn length(&mut self, field: &str, s: &str, max: usize) {
        if let Some(problem) = crate::i18n::text_problem(s, max) {
            self.push(field, problem);
        }
    }

    /// An optional plain string: trimmed, empty means absent.
    pub fn string(&mut self, field: &str, v: &Option<String>, max: usize) -> Option<String> {
        let v = trimmed(v);
        if let Some(s) = &v {
            self.length(field, s, max);
        }
        v
    }

    /// A multilingual text; `(fi, sv, en)` columns. `required` means a Finnish text is needed.
    pub fn text(
        &mut self,
        field: &str,
        v: &Option<TextInput>,
        required: bool,
        max: usize,
    ) -> (Option<String>, Option<String>, Option<String>) {
        let (fi, sv, en) = match v {
            Some(t) => (
                self.string(&format!("{field}.fi"), &t.fi, max),
                self.string(&format!("{field}.sv"), &t.sv, max),
                self.string(&format!("{field}.en"), &t.en, max),
            ),
            None => (None, None, None),
        };
        if fi.is_none() && (required || sv.is_some() || en.is_some()) {
            self.push(format!("{field}.fi"), "a Finnish text is required");
        }
        (fi, sv, en)
    }

    pub fn url(&mut self, field: &str, v: &Option<String>) -> Option<String> {
        let v = self.string(field, v, MAX_SHORT)?;
        match url::Url::parse(&v) {
            Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host_str().is_some() => Some(v),
            Ok(_) => {
                self.push(field, "must be an http or https URL");
                Some(v)
            }
            Err(_) => {
                self.push(field, "must be an absolute http or https URL");
                Some(v)
            }
        }
    }

    pub fn email(&mut self, field: &str, v: &Option<String>) -> Option<String> {
        let v = self.string(field, v, 254)?;
        let ok = match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !local.contains(char::is_whitespace)
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-')
            }
            None => false,
        };
        if !ok {
            self.push(field, "must be an e-mail address like name@example.fi");
        }
        Some(v)
    }

    pub fn phone(&mut self, field: &str, v: &Option<String>) -> Option<String> {
        let v = self.string(field, v, 40)?;
        let digits = v.chars().filter(char::is_ascii_digit).count();
        let ok = v.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
            && (5..=15).contains(&digits)
            && !v[1..].contains('+');
        if !ok {
            self.push(field, "must be a phone number like +358 13 123 4567 or 013 123 4567");
        }
        Some(v)
    }

    pub fn one_of(&mut self, field: &str, v: &Option<String>, allowed: &[&str], required: bool) -> Option<String> {
        match trimmed(v) {
            Some(s) if allowed.contains(&s.as_str()) => Some(s),
            Some(s) => {
                self.push(field, format!("must be one of {}", allowed.join(", ")));
                Some(s)
            }
            None => {
                if required {
                    self.push(field, format!("is required: one of {}", allowed.join(", ")));
                }
                None
            }
        }
    }

    /// A word of one of the directory's vocabularies (`domain::Vocabulary`), as stored: the
    /// field is named with the words it may be when it is not one of them. The value is kept
    /// as given either way, so that a stored record's old word the patch does not touch is
    /// written back unchanged (see `tolerating`), never replaced by a default.
    pub fn word<V: Vocabulary>(&mut self, field: &str, v: &Option<String>, required: bool) -> Option<String> {
        self.one_of(field, v, V::names(), required)
    }

    /// How sure a written record is: as given, else `verified` (the writer states it).
    pub fn confidence(&mut self, v: &Option<String>) -> String {
        self.word::<Confidence>("confidence", v, false).unwrap_or_else(|| Confidence::Verified.name().to_owned())
    }

    pub fn languages(&mut self, field: &str, v: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, code) in v.iter().enumerate() {
            let ok = code.len() == 2
                && code.bytes().all(|b| b.is_ascii_lowercase())
                && isolang::Language::from_639_1(code).is_some();
            if !ok {
                self.push(format!("{field}[{i}]"), "must be an ISO 639-1 language code such as fi, sv, en");
            }
            if !out.contains(code) {
                out.push(code.clone());
            }
        }
        out
    }

    pub fn topics(&mut self, field: &str, v: &[String], dir: &Directory) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, code) in v.iter().enumerate() {
            if dir.topic(code).is_none() {
                self.push(format!("{field}[{i}]"), format!("unknown topic {code:?}; see GET /v1/topics"));
            }
            if !out.contains(code) {
                out.push(code.clone());
            }
        }
        out
    }

    pub fn municipality(&mut self, field: &str, v: &Option<String>, dir: &Directory) -> Option<String> {
        let v = trimmed(v)?;
        match dir.find_municipality(&v) {
            Some(m) => Some(m.code.clone()),
            None => {
                self.push(field, format!("unknown municipality {v:?}; see GET /v1/municipalities"));
                Some(v)
            }
        }
    }

    /// An id chosen by the writer: lower-case letters, digits and hyphens.
    pub fn id(&mut self, field: &str, v: &Option<String>) -> Option<String> {
        let v = trimmed(v)?;
        match crate::domain::RecordId::parse_new(&v) {
            Some(id) => Some(id.into_string()),
            None => {
                self.push(field, "must be 1-64 lower-case letters, digits and hyphens");
                None
            }
        }
    }

    /// The owning organization, `organization_id`: required, and one the directory knows (the
    /// id is returned as given even when it is unknown, with the error recorded).
    pub fn owner(&mut self, v: &Option<String>, dir: &crate::directory::Directory) -> Option<String> {
        let id = self.id("organization_id", v);
        match &id {
            Some(o) if dir.organization(o).is_none() => {
                self.push("organization_id", format!("unknown organization {o:?}"))
            }
            None => self.push("organization_id", "is required"),
            _ => {}
        }
        id
    }
}

/// Parses a JSON body into `T`, in its input form or in its record's read form (see
/// `read_shape`); a body that is not JSON is 400, members of the wrong shape are a 422 naming
/// every one of them, in plain words.
pub fn parse_body<T: DeserializeOwned + ReadShaped>(bytes: &[u8]) -> ApiResult<T> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::invalid_param("body", format!("not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::validation(vec![FieldError {
            field: "body".into(),
            message: "must be a JSON object".into(),
        }]));
    }
    let (value, errors) = read_shape::to_input(&T::SHAPE, value);
    parse_all(value, errors)
}

pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> ApiResult<T> {
    if !value.is_object() {
        return Err(ApiError::validation(vec![FieldError {
            field: "body".into(),
            message: "must be a JSON object".into(),
        }]));
    }
    parse_all(value, Vec::new())
}

/// Parses `value`, naming every member that does not parse (not only the first): each failing
/// top-level member is recorded and left out, and the rest parsed again. `errors` are added to
/// (and make the result an error even when everything else parses).
fn parse_all<T: DeserializeOwned>(mut value: serde_json::Value, mut errors: Vec<FieldError>) -> ApiResult<T> {
    for _ in 0..64 {
        match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(t) if errors.is_empty() => return Ok(t),
            Ok(_) => break,
            Err(e) => {
                let path = e.path().to_string();
                let (field, message) = plain_words(&path, &e.into_inner().to_string());
                let top: String = field.split(['.', '[']).next().unwrap_or_default().to_owned();
                if !errors.iter().any(|x| x.field == field) {
                    errors.push(FieldError { field, message });
                }
                let removed = value.as_object_mut().is_some_and(|m| m.remove(&top).is_some());
                if !removed {
                    break;
                }
            }
        }
    }
    Err(ApiError::validation(errors))
}

/// serde's message about the member at `path`, as (field, plain words).
fn plain_words(path: &str, message: &str) -> (String, String) {
    let at = |name: &str| if path == "." || path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
    let field = if path == "." || path.is_empty() { "body".to_owned() } else { path.to_owned() };
    let quoted = |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    if let Some(rest) = message.strip_prefix("missing field ") {
        return (at(quoted(rest).first().map_or("body", |s| s.as_str())), "is required".into());
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let name = quoted(rest).first().cloned().unwrap_or_default();
        let field = if path == "." || path.is_empty() || !path.ends_with(&name) { at(&name) } else { field };
        return (field, "is not a field of this record".into());
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let words = quoted(rest);
        let (given, allowed) = words.split_first().map(|(g, a)| (g.clone(), a.join(", "))).unwrap_or_default();
        return (field, format!("must be one of {allowed} (not {given:?})"));
    }
    for (prefix, joiner) in [("invalid type: ", "not"), ("invalid value: ", "not")] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((got, expected)) = rest.split_once(", expected ") {
                return (field, format!("must be {}, {joiner} {}", expected_words(expected), got_words(got)));
            }
        }
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        if let Some((_, expected)) = rest.split_once(", expected ") {
            return (field, format!("must have {expected}"));
        }
    }
    (field, message.to_owned())
}

fn expected_words(e: &str) -> String {
    let e = e.trim();
    let whole = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize"];
    if whole.contains(&e) || e.contains("integer") {
        "a whole number".into()
    } else if e == "f32" || e == "f64" || e.contains("floating") {
        "a number".into()
    } else if e.contains("string") || e.contains("char") {
        "text (a JSON string)".into()
    } else if e.contains("boolean") || e == "bool" {
        "true or false".into()
    } else if e.contains("sequence") {
        "a list".into()
    } else if e.starts_with("struct ") || e.contains("map") {
        "an object".into()
    } else {
        e.to_owned()
    }
}

fn got_words(g: &str) -> String {
    let g = g.trim();
    if g.starts_with("string") {
        format!("the text {}", g.trim_start_matches("string ").trim())
    } else if g.starts_with("integer") || g.starts_with("floating point") {
        format!("the number {}", g.split('`').nth(1).unwrap_or(g))
    } else if g.starts_with("boolean") {
        format!("{}", g.split('`').nth(1).unwrap_or(g))
    } else if g.starts_with("sequence") {
        "a list".into()
    } else if g == "map" {
        "an object".into()
    } else if g == "null" || g == "unit value" {
        "null".into()
    } else {
        g.to_owned()
    }
}

/// Applies a JSON Merge Patch (RFC 7396) to the current input form of a record.
pub fn merge_patch<T: Serialize + DeserializeOwned + ReadShaped>(current: &T, patch: &[u8]) -> ApiResult<T> {
    let patch: serde_json::Value =
        serde_json::from_slice(patch).map_err(|e| ApiError::invalid_param("body", format!("not valid JSON: {e}")))?;
    if !patch.is_object() {
        return Err(ApiError::validation(vec![FieldError {
            field: "body".into(),
            message: "a merge patch must be a JSON object".into(),
        }]));
    }
    let (patch, shape_errors) = read_shape::to_input(&T::SHAPE, patch);
    let mut doc = serde_json::to_value(current).map_err(|e| ApiError::internal(e.to_string()))?;
    json_patch::merge(&mut doc, &patch);
    let result: T = parse_all(doc, shape_errors)?;
    // A member the record does not have is an error even when the patch removes it (`null`):
    // merging would drop it silently and store a change that changes nothing.
    let known = serde_json::to_value(&result).map_err(|e| ApiError::internal(e.to_string()))?;
    let mut unknown = Vec::new();
    unknown_members(&patch, &known, "", &mut unknown);
    if !unknown.is_empty() {
        return Err(ApiError::validation(
            unknown
                .into_iter()
                .map(|field| FieldError { field, message: "is not a field of this record".into() })
                .collect(),
        ));
    }
    Ok(result)
}

/// The paths of members of `patch` that the record (`known`, every field serialized) lacks.
/// Hours documents inside a record are checked by their own strict parser, not here.
fn unknown_members(patch: &serde_json::Value, known: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    let (Some(patch), Some(known)) = (patch.as_object(), known.as_object()) else { return };
    for (key, value) in patch {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match known.get(key) {
            None => out.push(path),
            Some(k) if key != "hours" => unknown_members(value, k, &path, out),
            Some(_) => {}
        }
    }
}
