//! What GET returns can be sent back: a body in a record's read form is turned into its input
//! form before it is parsed. `address: {street, postal_code, …}` becomes `street_address`,
//! `postal_code`, …; `coordinates: {lat, lon}` becomes `latitude`, `longitude`; a reference read
//! as `{id, name}` (`organization`, `location`, `co_organizers`) becomes its id. Members that
//! are only ever read (computed states, provenance, timestamps, derived lists) are named in the
//! 422 with why, rather than failing the parse as unknown.

use serde_json::{Map, Value};

use crate::error::FieldError;

/// How one record's read form maps onto its input form.
pub struct ReadShape {
    /// A reference read as `{id, name}` (or given as the id itself): (read member, input member).
    pub refs: &'static [(&'static str, &'static str)],
    /// A list of references read as `[{id, name}]`: (read member, input member).
    pub ref_lists: &'static [(&'static str, &'static str)],
    /// An object whose members are input members of their own: (read member, [(inner member,
    /// input member, or None when it is read-only: why)]).
    pub objects: &'static [(&'static str, &'static [(&'static str, Result<&'static str, &'static str>)])],
    /// Members only ever read, and why.
    pub read_only: &'static [(&'static str, &'static str)],
}

impl ReadShape {
    pub const NONE: ReadShape = ReadShape { refs: &[], ref_lists: &[], objects: &[], read_only: &[] };
}

/// An input type that may be sent in its record's read form.
pub trait ReadShaped {
    const SHAPE: ReadShape = ReadShape::NONE;
}

pub const TIMESTAMPS: [(&str, &str); 3] = [
    ("created_at", "is read-only: set when the record is created"),
    ("updated_at", "is read-only: set by every write"),
    ("verified_at", "is read-only: POST …/verify records who confirmed the record and when"),
];

/// Turns a body in read form into input form: `(body, errors)`, the errors naming read-only
/// members (which are left out of the body) and members given both ways.
pub fn to_input(shape: &ReadShape, body: Value) -> (Value, Vec<FieldError>) {
    let Value::Object(map) = body else { return (body, Vec::new()) };
    let mut out = Map::new();
    let mut errors = Vec::new();
    let put = |out: &mut Map<String, Value>, errors: &mut Vec<FieldError>, from: String, key: &str, v: Value| {
        if out.contains_key(key) {
            errors.push(FieldError { field: from, message: format!("gives `{key}` a second time") });
        } else {
            out.insert(key.to_owned(), v);
        }
    };
    // Plain input members first, so that a read-form duplicate is the one named.
    let (plain, shaped): (Vec<_>, Vec<_>) = map.into_iter().partition(|(k, _)| {
        !shape.refs.iter().any(|(r, _)| r == k)
            && !shape.ref_lists.iter().any(|(r, _)| r == k)
            && !shape.objects.iter().any(|(r, _)| r == k)
            && !shape.read_only.iter().any(|(r, _)| r == k)
    });
    for (k, v) in plain {
        out.insert(k, v);
    }
    for (key, value) in shaped {
        if let Some((_, why)) = shape.read_only.iter().find(|(r, _)| *r == key) {
            errors.push(FieldError { field: key, message: (*why).to_owned() });
        } else if let Some((_, input)) = shape.refs.iter().find(|(r, _)| *r == key) {
            match reference(&value) {
                Some(id) => put(&mut out, &mut errors, key, input, id),
                None => errors.push(FieldError {
                    field: key,
                    message: "must be an id, or an object {id, name} as GET returns it".into(),
                }),
            }
        } else if let Some((_, input)) = shape.ref_lists.iter().find(|(r, _)| *r == key) {
            match &value {
                Value::Array(items) => {
                    let mut ids = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        match reference(item) {
                            Some(id) => ids.push(id),
                            None => errors.push(FieldError {
                                field: format!("{key}[{i}]"),
                                message: "must be an id, or an object {id, name} as GET returns it".into(),
                            }),
                        }
                    }
                    if key == *input {
                        out.insert(key.clone(), Value::Array(ids));
                    } else {
                        put(&mut out, &mut errors, key, input, Value::Array(ids));
                    }
                }
                Value::Null => {
                    out.insert((*input).to_owned(), Value::Null);
                }
                _ => errors.push(FieldError { field: key, message: "must be a list".into() }),
            }
        } else if let Some((_, members)) = shape.objects.iter().find(|(r, _)| *r == key) {
            match value {
                Value::Object(inner) => {
                    for (k, v) in inner {
                        match members.iter().find(|(m, _)| *m == k) {
                            Some((_, Ok(input))) => put(&mut out, &mut errors, format!("{key}.{k}"), input, v),
                            Some((_, Err(why))) => {
                                errors.push(FieldError { field: format!("{key}.{k}"), message: (*why).to_owned() })
                            }
                            None => errors.push(FieldError {
                                field: format!("{key}.{k}"),
                                message: "is not a field of this record".into(),
                            }),
                        }
                    }
                }
                // `"address": null` clears every writable member of it.
                Value::Null => {
                    for (_, input) in members.iter() {
                        if let Ok(input) = input {
                            out.entry((*input).to_owned()).or_insert(Value::Null);
                        }
                    }
                }
                _ => errors.push(FieldError { field: key, message: "must be an object".into() }),
            }
        }
    }
    (Value::Object(out), errors)
}

/// The id of a reference: the id itself, or `{id, name}`.
fn reference(v: &Value) -> Option<Value> {
    match v {
        Value::String(_) | Value::Null => Some(v.clone()),
        Value::Object(o) if o.keys().all(|k| k == "id" || k == "name") => o.get("id").cloned(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SHAPE: ReadShape = ReadShape {
        refs: &[("organization", "organization_id")],
        ref_lists: &[("co_organizers", "co_organizers")],
        objects: &[(
            "address",
            &[("street", Ok("street_address")), ("municipality", Err("is read-only: from the code"))],
        )],
        read_only: &[("stale", "is read-only: computed")],
    };

    #[test]
    fn the_read_form_becomes_the_input_form_and_read_only_members_are_named() {
        let (body, errors) = to_input(
            &SHAPE,
            json!({
                "organization": {"id": "pksotu", "name": "PKSOTU"},
                "co_organizers": [{"id": "a", "name": "A"}, "b"],
                "address": {"street": "Torikatu 1", "municipality": "Joensuu"},
                "stale": false,
                "phone": "013 123"
            }),
        );
        assert_eq!(
            body,
            json!({"organization_id": "pksotu", "co_organizers": ["a", "b"], "street_address": "Torikatu 1", "phone": "013 123"})
        );
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields.len(), 2);
        assert!(fields.contains(&"address.municipality") && fields.contains(&"stale"), "{fields:?}");
    }

    #[test]
    fn a_member_given_both_ways_is_named() {
        let (_, errors) = to_input(&SHAPE, json!({"street_address": "A 1", "address": {"street": "B 2"}}));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "address.street");
    }
}
