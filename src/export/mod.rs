//! Open-data exports built from one snapshot: the HSDS 3.0 tabular data package (CSV files
//! plus `datapackage.json`, zipped) and a flat CSV of locations.
//!
//! The tabular package reuses the HSDS objects of `crate::hsds`, flattened into tables; each
//! CSV has exactly the fields of its table in HSDS's own `datapackage.json` (vendored under
//! `vendor/hsds-3.0/`), in that order, and the package lists only the tables we fill.
//! Extension fields (`x_...`) are JSON-only and do not appear in the CSVs.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Context;
use serde_json::{Map, Value};

use crate::directory::Directory;
use crate::hsds;

/// HSDS 3.0's data package descriptor (CC BY-SA 4.0, Open Referral).
pub const HSDS_DATAPACKAGE: &str = include_str!("../../vendor/hsds-3.0/datapackage.json");

/// The HSDS tables the export fills, in the data package's order.
pub const TABLES: &[&str] = &[
    "organization",
    "service",
    "attribute",
    "service_at_location",
    "location",
    "phone",
    "address",
    "schedule",
    "language",
    "accessibility",
    "taxonomy_term",
    "taxonomy",
];

/// Every row of every HSDS table, from the snapshot.
pub fn hsds_rows(dir: &Directory) -> BTreeMap<String, Vec<Map<String, Value>>> {
    let mut rows = Vec::new();
    for org in &dir.organizations {
        // Locations are exported once, from the location list below.
        let mut o = hsds::organization(dir, org);
        if let Some(phone) = &org.phone {
            o["phones"] = serde_json::json!([{
                "id": hsds::uuid_for("phone", &format!("organization:{}", org.id)),
                "organization_id": hsds::uuid_for("organization", &org.id),
                "number": phone,
                "type": "voice",
            }]);
        }
        hsds::flatten("organization", &o, &mut rows);
    }
    for svc in &dir.services {
        let mut s = hsds::service(dir, svc);
        s["attributes"] = Value::Array(hsds::service_attributes(dir, svc));
        s["languages"] = Value::Array(hsds::service_languages(dir, svc));
        hsds::flatten("service", &s, &mut rows);
    }
    for loc in &dir.locations {
        hsds::flatten("location", &hsds::location(dir, loc), &mut rows);
        for sal in &loc.services {
            let mut v = hsds::service_at_location(dir, loc, sal, false);
            v.as_object_mut().expect("object").remove("location");
            hsds::flatten("service_at_location", &v, &mut rows);
        }
    }
    for t in &dir.topics {
        hsds::flatten("taxonomy_term", &hsds::taxonomy_term(t), &mut rows);
    }
    hsds::flatten("taxonomy", &hsds::taxonomy(), &mut rows);
    let mut tables: BTreeMap<String, Vec<Map<String, Value>>> = BTreeMap::new();
    for (table, row) in rows {
        tables.entry(table).or_default().push(row);
    }
    tables
}

/// A cell that spreadsheets will not run as a formula (CSV injection, as OWASP recommends): a
/// value beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
/// Values made only of an optional sign, digits, spaces and `( ) . -` (phone numbers such as
/// `+358 13 267 4000`, negative numbers) are left as they are: they cannot name a function or
/// another program, and rewriting them would corrupt them for every other reader.
pub fn spreadsheet_safe(value: &str) -> std::borrow::Cow<'_, str> {
    let Some(first) = value.chars().next() else { return value.into() };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return value.into();
    }
    let rest = value.trim_start_matches(['+', '-']);
    let numeric = rest.starts_with(|c: char| c.is_ascii_digit())
        && rest.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '.' | '-'))
        && value.len() - rest.len() == 1;
    if numeric {
        value.into()
    } else {
        format!("'{value}").into()
    }
}

/// A CSV writer as RFC 4180 describes: comma-separated, fields quoted with `"` when needed
/// (doubled inside), CRLF after every record.
fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new())
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => spreadsheet_safe(s).into_owned(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
    }
}

/// The HSDS tabular data package as a zip file.
pub fn hsds_zip(dir: &Directory) -> anyhow::Result<Vec<u8>> {
    let mut package: Value = serde_json::from_str(HSDS_DATAPACKAGE).context("vendored datapackage.json")?;
    let resources = package["resources"].as_array().context("datapackage resources")?.clone();
    let rows = hsds_rows(dir);
    let mut kept = Vec::new();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for resource in resources {
        let name = resource["name"].as_str().unwrap_or_default();
        if !TABLES.contains(&name) {
            continue;
        }
        let path = resource["path"].as_str().context("resource path")?.to_owned();
        let fields: Vec<(String, String)> = resource["schema"]["fields"]
            .as_array()
            .context("resource fields")?
            .iter()
            .filter_map(|f| Some((f["name"].as_str()?.to_owned(), f["type"].as_str().unwrap_or("string").to_owned())))
            .collect();
        let mut w = csv_writer();
        w.write_record(fields.iter().map(|(n, _)| n))?;
        for row in rows.get(name).into_iter().flatten() {
            w.write_record(fields.iter().map(|(f, ty)| {
                let v = cell(row.get(f));
                // Table Schema times are HH:MM:SS; HSDS JSON uses HH:MM.
                if ty == "time" && v.len() == 5 {
                    format!("{v}:00")
                } else {
                    v
                }
            }))?;
        }
        zip.start_file(path, options)?;
        zip.write_all(&w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
        kept.push(resource);
    }
    // A foreign key may only name a resource the package contains (Frictionless fails the
    // whole resource otherwise): HSDS's keys to tables we do not fill (`program`, `contact`)
    // are dropped; their fields stay, empty.
    let names: Vec<String> = kept.iter().filter_map(|r| r["name"].as_str().map(str::to_owned)).collect();
    for resource in &mut kept {
        // (`get_mut`, not indexing: indexing would add `"foreignKeys": null` where none is.)
        if let Some(keys) =
            resource.get_mut("schema").and_then(|s| s.get_mut("foreignKeys")).and_then(Value::as_array_mut)
        {
            keys.retain(|k| {
                let target = k["reference"]["resource"].as_str().unwrap_or_default();
                target.is_empty() || names.iter().any(|n| n == target)
            });
        }
    }
    package["resources"] = Value::Array(kept);
    package["name"] = Value::String("digituki-hsds".into());
    package["title"] = Value::String("Digituki directory: digital support in North Karelia (HSDS 3.0)".into());
    package["created"] = Value::String(dir.built_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    zip.start_file("datapackage.json", options)?;
    zip.write_all(&serde_json::to_vec_pretty(&package)?)?;
    Ok(zip.finish()?.into_inner())
}

/// The columns of `locations.csv`.
pub const LOCATION_COLUMNS: &[&str] = &[
    "id",
    "organization_id",
    "organization_name",
    "kind",
    "name_fi",
    "name_sv",
    "name_en",
    "street_address",
    "postal_code",
    "post_office",
    "municipality_code",
    "latitude",
    "longitude",
    "coordinate_method",
    "phone",
    "email",
    "website",
    "languages",
    "topics",
    "status",
    "hours_osm",
    "source",
    "external_id",
    "confidence",
    "updated_at",
    "verified_at",
];

/// Every location as one CSV row (UTF-8, comma-separated, header first, RFC 4180 quoting
/// and CRLF; every cell through [`spreadsheet_safe`]).
pub fn locations_csv(dir: &Directory) -> anyhow::Result<Vec<u8>> {
    let mut w = csv_writer();
    w.write_record(LOCATION_COLUMNS)?;
    for l in &dir.locations {
        let org = &dir.organizations[l.organization];
        let a = &l.address;
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let ts = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        w.write_record(
            [
                l.id.clone(),
                org.id.clone(),
                org.name.fi.clone(),
                l.kind.to_string(),
                l.name.fi.clone(),
                s(&l.name.sv),
                s(&l.name.en),
                s(&a.street),
                s(&a.postal_code),
                s(&a.post_office),
                s(&a.municipality_code),
                l.coordinates.map(|c| c.0.to_string()).unwrap_or_default(),
                l.coordinates.map(|c| c.1.to_string()).unwrap_or_default(),
                s(&l.coordinate_method),
                s(&l.phone),
                s(&l.email),
                s(&l.website),
                l.languages.join(" "),
                dir.topic_codes(l.topic_mask).join(" "),
                l.status.to_string(),
                l.hours.as_ref().map(|h| h.osm.to_string()).unwrap_or_default(),
                l.provenance.source.to_string(),
                s(&l.provenance.external_id),
                l.provenance.confidence.to_string(),
                ts(l.provenance.updated_at),
                l.provenance.verified_at.map(ts).unwrap_or_default(),
            ]
            .iter()
            .map(|v| spreadsheet_safe(v).into_owned()),
        )?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for (input, want) in [
            ("=HYPERLINK(\"https://evil.example\",\"x\")", "'=HYPERLINK(\"https://evil.example\",\"x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("-", "'-"),
            ("+-1", "'+-1"),
            ("- list item", "'- list item"),
            ("+358 13 267 4000", "+358 13 267 4000"),
            ("-12.5", "-12.5"),
            ("+358 (0)13 123", "+358 (0)13 123"),
            ("Joensuu = kaupunki", "Joensuu = kaupunki"),
            ("", ""),
            ("Pääkirjasto", "Pääkirjasto"),
        ] {
            assert_eq!(spreadsheet_safe(input), want, "{input:?}");
        }
    }
}
