//! One PTV service-location channel as the fields of one directory location.
//!
//! Every value goes through the same checks as a partner's write (`crate::edit::Errors`):
//! a phone, e-mail or web address that a partner could not store is left out (and logged, with
//! the channel id), never stored half-checked. Web pages must be http(s).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::hours::opening_hours;
use super::wire::{Address, Channel, LanguageItem, LocalizedItem};
use crate::directory::Directory;
use crate::edit::{Errors, MAX_NAME, MAX_TEXT};
use crate::geocode::{self, Geocoder};
use crate::hours::OpeningHours;

/// EPSG:3067, ETRS89 / ETRS-TM35FIN (E, N), as PROJ defines it (epsg.io/3067): UTM zone 35 on
/// GRS80. ETRS89 and WGS84 differ by under a metre in Finland; PROJ treats them as equal.
const EPSG_3067: &str = "+proj=utm +zone=35 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs +type=crs";
/// EPSG:4326, WGS84 longitude/latitude.
const EPSG_4326: &str = "+proj=longlat +datum=WGS84 +no_defs +type=crs";

/// ETRS-TM35FIN easting and northing (metres) as WGS84 `(latitude, longitude)` in degrees.
pub fn tm35fin_to_wgs84(easting: f64, northing: f64) -> Result<(f64, f64), String> {
    let from = proj4rs::Proj::from_proj_string(EPSG_3067).map_err(|e| format!("EPSG:3067: {e}"))?;
    let to = proj4rs::Proj::from_proj_string(EPSG_4326).map_err(|e| format!("EPSG:4326: {e}"))?;
    let mut p = (easting, northing, 0.0);
    proj4rs::transform::transform(&from, &to, &mut p)
        .map_err(|e| format!("projecting ({easting}, {northing}): {e}"))?;
    Ok((p.1.to_degrees(), p.0.to_degrees()))
}

/// What the import writes into one location.
#[derive(Debug, Clone)]
pub struct Mapped {
    /// The channel's PTV id, lower case.
    pub external_id: String,
    /// `ptv-<channel id>`.
    pub location_id: String,
    /// The PTV organization responsible for the channel, lower case.
    pub ptv_organization: Option<String>,
    /// Column → value, for the columns the import manages.
    pub fields: BTreeMap<&'static str, Value>,
    /// ISO 639-1 codes, sorted.
    pub languages: Vec<String>,
    pub hours: Option<OpeningHours>,
    /// Fields PTV gave that could not be used, with the reason.
    pub dropped: Vec<String>,
    /// Coordinates came from the geocoder or an area centroid, not from PTV.
    pub geocoded: bool,
}

fn in_lang<'a>(items: &'a [LanguageItem], lang: &str) -> Option<&'a str> {
    items
        .iter()
        .filter(|i| i.language.as_deref() == Some(lang))
        .find_map(|i| i.value.as_deref().map(str::trim).filter(|v| !v.is_empty()))
}

/// fi, else sv, else en.
fn any_lang(items: &[LanguageItem]) -> Option<&str> {
    in_lang(items, "fi").or_else(|| in_lang(items, "sv")).or_else(|| in_lang(items, "en"))
}

fn localized(items: &[LocalizedItem], kind: &str, lang: &str) -> Option<String> {
    items
        .iter()
        .filter(|i| i.kind.as_deref() == Some(kind) && i.language.as_deref() == Some(lang))
        .find_map(|i| i.value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned))
}

fn text(v: Option<String>, max: usize) -> Value {
    match v {
        Some(s) => {
            let s: String = if s.chars().count() > max {
                let mut t: String = s.chars().take(max - 1).collect();
                t.push('…');
                t
            } else {
                s
            };
            json!(s)
        }
        None => Value::Null,
    }
}

/// Runs one of the partner checks on a value; `None` (and a note) when it fails.
fn checked(
    field: &str,
    value: Option<String>,
    dropped: &mut Vec<String>,
    check: impl FnOnce(&mut Errors, &Option<String>) -> Option<String>,
) -> Value {
    let Some(v) = value else { return Value::Null };
    let mut e = Errors::default();
    let out = check(&mut e, &Some(v.clone()));
    match e.finish() {
        Ok(()) => out.map(Value::String).unwrap_or(Value::Null),
        Err(_) => {
            dropped.push(format!("{field} {v:?} left out: a partner could not store it either"));
            Value::Null
        }
    }
}

/// The visiting address: the first `Location` address with a street address.
fn visiting_address(addresses: &[Address]) -> Option<&Address> {
    addresses.iter().find(|a| a.kind.as_deref() == Some("Location") && a.street_address.is_some())
}

/// Accessibility sentences of the main entrance (else the first), in one language:
/// `"Group: sentence sentence"` per group, one group a line.
fn accessibility(address: Option<&Address>, lang: &str) -> Option<String> {
    let entrances = &address?.entrances;
    let entrance = entrances.iter().find(|e| e.is_main_entrance == Some(true)).or(entrances.first())?;
    let lines: Vec<String> = entrance
        .accessibility_sentences
        .iter()
        .filter_map(|group| {
            let sentences: Vec<&str> = group.sentences.iter().filter_map(|s| in_lang(&s.sentence, lang)).collect();
            if sentences.is_empty() {
                return None;
            }
            let body = sentences.join(" ");
            Some(match in_lang(&group.sentence_group, lang) {
                Some(g) => format!("{g}: {body}"),
                None => body,
            })
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Maps one raw channel. `Err((id, reason))` when it cannot be used at all.
pub async fn map_channel(
    raw: &Value,
    kind_of_org: &dyn Fn(Option<&str>) -> &'static str,
    dir: &Directory,
    geocoder: Option<&Geocoder>,
) -> Result<Mapped, (Option<String>, String)> {
    let raw_id = raw.get("id").and_then(Value::as_str).map(|s| s.trim().to_lowercase());
    let fail = |reason: String| (raw_id.clone(), reason);
    let external_id = raw_id.clone().ok_or_else(|| fail("no id".into()))?;
    if external_id.len() != 36 || !external_id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(fail(format!("id {external_id:?} is not a PTV guid")));
    }
    let ch: Channel =
        serde_json::from_value(raw.clone()).map_err(|e| fail(format!("not a PTV service channel: {e}")))?;
    let mut dropped = Vec::new();

    let names = &ch.service_channel_names;
    let (name_fi, name_sv, name_en) =
        (localized(names, "Name", "fi"), localized(names, "Name", "sv"), localized(names, "Name", "en"));
    // The directory needs a Finnish name; a channel named only in Swedish or English keeps
    // that name there too (it is a proper name, shown as given).
    let Some(primary) = name_fi.clone().or_else(|| name_sv.clone()).or_else(|| name_en.clone()) else {
        return Err(fail("no name (serviceChannelNames has no Name)".into()));
    };
    let descriptions = &ch.service_channel_descriptions;
    let description =
        |lang: &str| localized(descriptions, "Description", lang).or_else(|| localized(descriptions, "Summary", lang));

    let address = visiting_address(&ch.addresses);
    let street = address.and_then(|a| a.street_address.as_ref());
    let street_line = street.and_then(|s| {
        let name = any_lang(&s.street)?;
        Some(match s.street_number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => format!("{name} {n}"),
            None => name.to_owned(),
        })
    });
    let postal = street.and_then(|s| s.postal_code.as_deref()).map(str::trim).map(str::to_owned);
    let postal = match postal {
        Some(p) if crate::domain::PostalCode::is_valid(&p) => Some(p),
        Some(p) => {
            dropped.push(format!("postal code {p:?} left out: not five digits"));
            None
        }
        None => None,
    };
    let post_office = street.and_then(|s| any_lang(&s.post_office)).map(str::to_owned);
    let ptv_municipality = street.and_then(|s| s.municipality.as_ref()).and_then(|m| m.code.clone());
    let municipality = match &ptv_municipality {
        Some(code) => match dir.find_municipality(code.trim()) {
            Some(m) => Some(m.code.clone()),
            None => {
                dropped.push(format!("municipality {code:?} left out: not a municipality of this directory"));
                None
            }
        },
        None => None,
    };

    // Coordinates: ETRS-TM35FIN metres, `latitude` = northing, `longitude` = easting.
    let mut geocoded = false;
    let parsed = street.and_then(|s| {
        let n = s.latitude.as_deref()?.trim().replace(',', ".").parse::<f64>().ok()?;
        let e = s.longitude.as_deref()?.trim().replace(',', ".").parse::<f64>().ok()?;
        (n.is_finite() && e.is_finite() && n != 0.0 && e != 0.0).then_some((e, n))
    });
    let mut position = None;
    if let Some((e, n)) = parsed {
        match tm35fin_to_wgs84(e, n) {
            Ok((lat, lon)) if crate::geo::inside_finland(lat, lon) => position = Some((lat, lon, "ptv")),
            Ok((lat, lon)) => dropped
                .push(format!("coordinates E {e} N {n} left out: they are at {lat:.5}, {lon:.5}, outside Finland")),
            Err(err) => dropped.push(format!("coordinates E {e} N {n} left out: {err}")),
        }
    }
    if position.is_none() {
        if let Some(l) = geocode::locate(
            geocoder,
            street_line.as_deref(),
            postal.as_deref(),
            ptv_municipality.as_deref().or(post_office.as_deref()),
            dir,
        )
        .await
        {
            geocoded = true;
            position = Some((l.lat, l.lon, l.method));
        }
    }

    // Contacts: Finnish first, else the first given.
    let phone = {
        let phones: Vec<_> =
            ch.phone_numbers.iter().filter(|p| p.kind.as_deref().unwrap_or("Phone") == "Phone").collect();
        let p = phones.iter().find(|p| p.language.as_deref() == Some("fi")).or(phones.first());
        p.and_then(|p| {
            let number = p.number.as_deref().map(str::trim).filter(|n| !n.is_empty())?;
            let prefix = p.prefix_number.as_deref().map(str::trim).filter(|n| !n.is_empty());
            Some(match prefix {
                Some(pre) if p.is_finnish_service_number != Some(true) => format!("{pre} {number}"),
                _ => number.to_owned(),
            })
        })
    };
    let email = in_lang(&ch.emails, "fi")
        .or_else(|| ch.emails.iter().find_map(|e| e.value.as_deref().map(str::trim).filter(|v| !v.is_empty())))
        .map(str::to_owned);
    let website = ch
        .web_pages
        .iter()
        .find(|w| w.language.as_deref() == Some("fi") && w.url.is_some())
        .or_else(|| ch.web_pages.iter().find(|w| w.url.is_some()))
        .and_then(|w| w.url.clone());

    let mut languages: Vec<String> = Vec::new();
    for code in &ch.languages {
        let code = code.trim().to_lowercase();
        let ok = code.len() == 2 && isolang::Language::from_639_1(&code).is_some();
        if !ok {
            dropped.push(format!("language {code:?} left out: not an ISO 639-1 code"));
        } else if !languages.contains(&code) {
            languages.push(code);
        }
    }
    languages.sort();

    let hours = opening_hours(&ch.service_hours).map_err(|e| fail(format!("service hours: {e}")))?;

    let mut fields = BTreeMap::new();
    let ptv_org = ch.organization_id.as_deref().map(|s| s.trim().to_lowercase());
    fields.insert("kind", json!(kind_of_org(ptv_org.as_deref())));
    fields.insert("name_fi", text(Some(primary), MAX_NAME));
    fields.insert("name_sv", text(name_sv, MAX_NAME));
    fields.insert("name_en", text(name_en, MAX_NAME));
    fields.insert("description_fi", text(description("fi"), MAX_TEXT));
    fields.insert("description_sv", text(description("sv"), MAX_TEXT));
    fields.insert("description_en", text(description("en"), MAX_TEXT));
    fields.insert("street_address", text(street_line, MAX_NAME));
    fields.insert("postal_code", postal.map(Value::String).unwrap_or(Value::Null));
    fields.insert("post_office", text(post_office, MAX_NAME));
    fields.insert("municipality_code", municipality.map(Value::String).unwrap_or(Value::Null));
    let (lat, lon, method) = match position {
        Some((lat, lon, m)) => (json!(lat), json!(lon), json!(m)),
        None => (Value::Null, Value::Null, Value::Null),
    };
    fields.insert("latitude", lat);
    fields.insert("longitude", lon);
    fields.insert("coordinate_method", method);
    for lang in ["fi", "sv", "en"] {
        let key = match lang {
            "fi" => "accessibility_fi",
            "sv" => "accessibility_sv",
            _ => "accessibility_en",
        };
        fields.insert(key, text(accessibility(address, lang), MAX_TEXT));
    }
    fields.insert("phone", checked("phone", phone, &mut dropped, |e, v| e.phone("phone", v)));
    fields.insert("email", checked("email", email, &mut dropped, |e, v| e.email("email", v)));
    fields.insert("website", checked("website", website, &mut dropped, |e, v| e.url("website", v)));
    fields.insert("status", json!("active"));

    Ok(Mapped {
        location_id: format!("ptv-{external_id}"),
        external_id,
        ptv_organization: ptv_org,
        fields,
        languages,
        hours,
        dropped,
        geocoded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// JHS 197 (Finnish public-administration recommendation on EUREF-FIN coordinate
    /// systems), appendix 3 "Projektiolaskujen esimerkit", worked example for point G4 (Geta):
    /// φ 60.3851068722°, λ 19.84813676944° ↔ ETRS-TM35FIN N 6715706.37708, E 106256.35961.
    /// Geta lies 7° west of the zone's central meridian: the hardest case in Finland.
    #[test]
    fn tm35fin_matches_the_jhs_197_worked_example() {
        let (lat, lon) = tm35fin_to_wgs84(106256.35961, 6715706.37708).unwrap();
        let dlat_m = (lat - 60.3851068722) * 111_320.0;
        let dlon_m = (lon - 19.84813676944) * 111_320.0 * 60.385_f64.to_radians().cos();
        assert!(dlat_m.hypot(dlon_m) < 0.01, "{lat} {lon}: off by {} m", dlat_m.hypot(dlon_m));
    }
}
