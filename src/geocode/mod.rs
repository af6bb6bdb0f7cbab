//! Turning typed addresses into coordinates.
//!
//! `Geocoder` talks to a Digitransit/Pelias-compatible search endpoint
//! (`GET <url>?text=...&size=1` answering a GeoJSON FeatureCollection whose features have
//! `geometry.coordinates` `[lon, lat]` and `properties.confidence`/`label`), with a timeout per
//! attempt and a bounded number of retries with exponential backoff for timeouts, connection
//! failures and 5xx answers. 429 and 403 (Digitransit's answer when a key's quota is spent) are
//! a rate limit: never retried at once, never taken for "not found". Searches are restricted to
//! the region (Pelias `boundary.rect.*`, North Karelia by default) and, for locations' addresses,
//! to the address layers (`layers=address,street,venue`). `locate` is what write paths call: the
//! geocoder first, then the postal code's centroid, then the municipality's centre
//! (`confidence = "approximate"`). This module never writes to the database and never runs
//! inside a database transaction: callers resolve positions before they open one.

pub mod fill;

use std::time::Duration;

use serde::Deserialize;

use crate::directory::Directory;

/// Settings of the geocoder, from the environment (`DIGITUKI_GEOCODER_*`).
#[derive(Debug, Clone)]
pub struct GeocoderConfig {
    /// The search endpoint, e.g. `https://api.digitransit.fi/geocoding/v1/search`.
    pub url: String,
    /// Sent as `digitransit-subscription-key` when set.
    pub api_key: Option<String>,
    /// Per attempt.
    pub timeout: Duration,
    /// Extra attempts after the first.
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff: Duration,
    /// Searches are restricted to this rectangle (Pelias `boundary.rect.*`); `None`: anywhere.
    pub boundary: Option<Boundary>,
    /// Pelias layers searched for locations' addresses (`locate`).
    pub address_layers: Option<String>,
}

/// A rectangle in WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Boundary {
    pub min_lat: f64,
    pub min_lon: f64,
    pub max_lat: f64,
    pub max_lon: f64,
}

/// North Karelia with a margin (the region spans about 61.7..63.8 N, 28.7..31.6 E).
pub const NORTH_KARELIA: Boundary = Boundary { min_lat: 61.6, min_lon: 28.5, max_lat: 63.9, max_lon: 31.6 };

/// The layers of street addresses, streets and named places (Pelias); no localities or regions,
/// whose centres are no better than our own area centroids.
pub const ADDRESS_LAYERS: &str = "address,street,venue";

impl std::str::FromStr for Boundary {
    type Err = String;
    /// `min_lat,min_lon,max_lat,max_lon`.
    fn from_str(s: &str) -> Result<Self, String> {
        let v: Vec<f64> = s
            .split(',')
            .map(|p| p.trim().parse::<f64>().map_err(|_| format!("{p:?} is not a number")))
            .collect::<Result<_, _>>()?;
        let [min_lat, min_lon, max_lat, max_lon] = v[..] else {
            return Err("give four numbers: min_lat,min_lon,max_lat,max_lon".into());
        };
        let ok = (-90.0..=90.0).contains(&min_lat)
            && (-90.0..=90.0).contains(&max_lat)
            && (-180.0..=180.0).contains(&min_lon)
            && (-180.0..=180.0).contains(&max_lon)
            && min_lat < max_lat
            && min_lon < max_lon;
        if !ok {
            return Err("min_lat < max_lat and min_lon < max_lon, in degrees".into());
        }
        Ok(Boundary { min_lat, min_lon, max_lat, max_lon })
    }
}

impl GeocoderConfig {
    pub fn new(url: impl Into<String>) -> Self {
        GeocoderConfig {
            url: url.into(),
            api_key: None,
            timeout: Duration::from_secs(3),
            retries: 2,
            backoff: Duration::from_millis(200),
            boundary: Some(NORTH_KARELIA),
            address_layers: Some(ADDRESS_LAYERS.into()),
        }
    }

    /// `DIGITUKI_GEOCODER_URL` (none = no geocoder), `DIGITUKI_GEOCODER_KEY`,
    /// `DIGITUKI_GEOCODER_TIMEOUT_MS`, `DIGITUKI_GEOCODER_RETRIES`, `DIGITUKI_GEOCODER_BACKOFF_MS`,
    /// `DIGITUKI_GEOCODER_BOUNDARY` (`min_lat,min_lon,max_lat,max_lon`, or `none`; default North
    /// Karelia), `DIGITUKI_GEOCODER_LAYERS` (default `address,street,venue`; `none` for all).
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        let Some(url) = std::env::var("DIGITUKI_GEOCODER_URL").ok().filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            anyhow::bail!("DIGITUKI_GEOCODER_URL must be an http(s) URL, got {url:?}");
        }
        let mut c = GeocoderConfig::new(url);
        c.api_key = std::env::var("DIGITUKI_GEOCODER_KEY").ok().filter(|k| !k.is_empty());
        let num = |name: &str| -> anyhow::Result<Option<u64>> {
            match std::env::var(name) {
                Ok(v) => Ok(Some(v.trim().parse().map_err(|_| anyhow::anyhow!("{name} must be a whole number"))?)),
                Err(_) => Ok(None),
            }
        };
        if let Some(ms) = num("DIGITUKI_GEOCODER_TIMEOUT_MS")? {
            c.timeout = Duration::from_millis(ms);
        }
        if let Some(n) = num("DIGITUKI_GEOCODER_RETRIES")? {
            c.retries = n.min(10) as u32;
        }
        if let Some(ms) = num("DIGITUKI_GEOCODER_BACKOFF_MS")? {
            c.backoff = Duration::from_millis(ms);
        }
        if let Ok(b) = std::env::var("DIGITUKI_GEOCODER_BOUNDARY") {
            c.boundary = match b.trim() {
                "none" => None,
                b => Some(b.parse().map_err(|e| anyhow::anyhow!("DIGITUKI_GEOCODER_BOUNDARY: {e}"))?),
            };
        }
        if let Ok(l) = std::env::var("DIGITUKI_GEOCODER_LAYERS") {
            c.address_layers = match l.trim() {
                "none" | "" => None,
                l => Some(l.to_owned()),
            };
        }
        Ok(Some(c))
    }
}

/// A configured geocoder client.
#[derive(Debug, Clone)]
pub struct Geocoder {
    config: GeocoderConfig,
    client: reqwest::Client,
}

/// One geocoding answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub lat: f64,
    pub lon: f64,
    /// Pelias confidence, 0..1.
    pub confidence: f64,
    pub label: Option<String>,
}

/// Why geocoding gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum GeocodeError {
    /// The upstream could not answer (timeouts, connection failures, 5xx), after all retries.
    #[error("geocoder unavailable after {attempts} attempts: {detail}")]
    Unavailable { attempts: u32, detail: String },
    /// The upstream answered with something that is not a usable FeatureCollection, or a 4xx.
    #[error("geocoder answered badly: {0}")]
    BadAnswer(String),
    /// 429, or 403 (Digitransit's answer when the key's quota is spent): try again later.
    #[error("geocoder rate limit reached (HTTP {status}); try again later")]
    RateLimited { status: u16, retry_after: Option<u64> },
}

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    geometry: Geometry,
    #[serde(default)]
    properties: Properties,
}

#[derive(Deserialize)]
struct Geometry {
    coordinates: Vec<f64>,
}

#[derive(Deserialize, Default)]
struct Properties {
    confidence: Option<f64>,
    label: Option<String>,
}

/// Fails early, with the fix, when an https URL meets a build without TLS.
pub fn check_tls(url: &str) -> anyhow::Result<()> {
    if url.starts_with("https://") && !cfg!(feature = "tls") {
        anyhow::bail!("{url}: this build has no TLS support; rebuild with the default feature `tls`");
    }
    Ok(())
}

impl Geocoder {
    pub fn new(config: GeocoderConfig) -> anyhow::Result<Self> {
        check_tls(&config.url)?;
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("digituki/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Geocoder { config, client })
    }

    pub fn config(&self) -> &GeocoderConfig {
        &self.config
    }

    /// The best match for `text` in the region, `Ok(None)` when the geocoder knows no such place.
    pub async fn search(&self, text: &str) -> Result<Option<Hit>, GeocodeError> {
        self.search_in(text, None).await
    }

    /// `search` restricted to the address layers (for locations' addresses).
    pub async fn search_address(&self, text: &str) -> Result<Option<Hit>, GeocodeError> {
        self.search_in(text, self.config.address_layers.as_deref()).await
    }

    async fn search_in(&self, text: &str, layers: Option<&str>) -> Result<Option<Hit>, GeocodeError> {
        let mut query: Vec<(&str, String)> =
            vec![("text", text.to_owned()), ("size", "1".into()), ("lang", "fi".into())];
        if let Some(b) = self.config.boundary {
            query.push(("boundary.rect.min_lat", b.min_lat.to_string()));
            query.push(("boundary.rect.min_lon", b.min_lon.to_string()));
            query.push(("boundary.rect.max_lat", b.max_lat.to_string()));
            query.push(("boundary.rect.max_lon", b.max_lon.to_string()));
        }
        if let Some(l) = layers {
            query.push(("layers", l.to_owned()));
        }
        let mut attempts = 0;
        let mut wait = self.config.backoff;
        loop {
            attempts += 1;
            let mut req = self.client.get(&self.config.url).query(&query);
            if let Some(key) = &self.config.api_key {
                req = req.header("digitransit-subscription-key", key);
            }
            let detail = match req.send().await {
                Ok(resp) if resp.status().is_success() => match resp.bytes().await {
                    Ok(body) => return parse(&body),
                    Err(e) if e.is_timeout() => format!("timed out after {:?}", self.config.timeout),
                    Err(e) => format!("reading the answer: {e}"),
                },
                Ok(resp) if matches!(resp.status().as_u16(), 403 | 429) => {
                    let retry_after = resp
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse().ok());
                    return Err(GeocodeError::RateLimited { status: resp.status().as_u16(), retry_after });
                }
                Ok(resp) if resp.status().is_server_error() => format!("HTTP {}", resp.status()),
                Ok(resp) => return Err(GeocodeError::BadAnswer(format!("HTTP {}", resp.status()))),
                Err(e) if e.is_timeout() => format!("timed out after {:?}", self.config.timeout),
                Err(e) => format!("{e}"),
            };
            if attempts > self.config.retries {
                return Err(GeocodeError::Unavailable { attempts, detail });
            }
            tracing::debug!(attempts, %detail, "geocoder attempt failed; retrying");
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
}

fn parse(body: &[u8]) -> Result<Option<Hit>, GeocodeError> {
    let fc: FeatureCollection =
        serde_json::from_slice(body).map_err(|e| GeocodeError::BadAnswer(format!("not a FeatureCollection: {e}")))?;
    let Some(f) = fc.features.into_iter().next() else { return Ok(None) };
    let (lon, lat) = match f.geometry.coordinates.as_slice() {
        [lon, lat, ..] => (*lon, *lat),
        _ => return Err(GeocodeError::BadAnswer("a feature without [lon, lat] coordinates".into())),
    };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(GeocodeError::BadAnswer(format!("coordinates out of range: [{lon}, {lat}]")));
    }
    Ok(Some(Hit { lat, lon, confidence: f.properties.confidence.unwrap_or(0.0), label: f.properties.label }))
}

/// Where an address is, and how we know.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub lat: f64,
    pub lon: f64,
    /// `geocoder`, `postal_code_centroid` or `municipality_centre` (stored as the location's
    /// `coordinate_method`).
    pub method: &'static str,
    /// `high` (geocoder confidence ≥ 0.8), `medium` (geocoder, lower), or `approximate`
    /// (an area's centroid).
    pub confidence: &'static str,
    /// The geocoder's label of the match, when it came from the geocoder.
    pub label: Option<String>,
}

/// Below this Pelias confidence a geocoder match is no better than the postal-code centroid.
const MIN_CONFIDENCE: f64 = 0.5;

/// Locates an address: the geocoder (when configured and it answers with a confident match),
/// else the postal code's centroid, else the municipality's centre (code or name); `None`
/// when none of these is known. Geocoder failures are logged, never returned: the caller
/// always gets the best position available (a rate-limited geocoder too: see `locate_checked`
/// for callers that can come back later).
pub async fn locate(
    geocoder: Option<&Geocoder>,
    street: Option<&str>,
    postal_code: Option<&str>,
    municipality: Option<&str>,
    dir: &Directory,
) -> Option<Located> {
    match locate_checked(geocoder, street, postal_code, municipality, dir).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "geocoder rate-limited; using an area centroid");
            locate_checked(None, street, postal_code, municipality, dir).await.ok().flatten()
        }
    }
}

/// `locate`, except that a rate-limited geocoder is an error (`GeocodeError::RateLimited`)
/// instead of a fallback to an area centroid, so that a batch can stop and come back later.
pub async fn locate_checked(
    geocoder: Option<&Geocoder>,
    street: Option<&str>,
    postal_code: Option<&str>,
    municipality: Option<&str>,
    dir: &Directory,
) -> Result<Option<Located>, GeocodeError> {
    fn clean(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    let (street, postal_code, municipality) = (clean(street), clean(postal_code), clean(municipality));
    if let (Some(g), Some(street)) = (geocoder, street) {
        let place = postal_code
            .and_then(|p| dir.postal_code(p).map(|pc| pc.name.fi.clone()))
            .or_else(|| municipality.and_then(|m| dir.find_municipality(m)).map(|m| m.name.fi.clone()));
        let text = [Some(street.to_owned()), postal_code.map(str::to_owned), place]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        match g.search_address(&text).await {
            Ok(Some(hit)) if hit.confidence >= MIN_CONFIDENCE => {
                return Ok(Some(Located {
                    lat: hit.lat,
                    lon: hit.lon,
                    method: "geocoder",
                    confidence: if hit.confidence >= 0.8 { "high" } else { "medium" },
                    label: hit.label,
                }))
            }
            Ok(_) => tracing::info!(%text, "geocoder found no confident match; using an area centroid"),
            Err(e @ GeocodeError::RateLimited { .. }) => return Err(e),
            Err(e) => tracing::warn!(%text, error = %e, "geocoding failed; using an area centroid"),
        }
    }
    if let Some((lat, lon)) = postal_code.and_then(|p| dir.postal_code(p)).and_then(|pc| pc.centroid) {
        return Ok(Some(Located { lat, lon, method: "postal_code_centroid", confidence: "approximate", label: None }));
    }
    Ok(municipality.and_then(|m| dir.find_municipality(m)).map(|m| Located {
        lat: m.centre.0,
        lon: m.centre.1,
        method: "municipality_centre",
        confidence: "approximate",
        label: None,
    }))
}

/// The first five-digit group in a free-text address (`"Koskikatu 25, 80100 Joensuu"`).
pub fn postal_code_in(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(4)).find_map(|i| {
        let digits = b[i..i + 5].iter().all(u8::is_ascii_digit);
        let before = i == 0 || !b[i - 1].is_ascii_digit();
        let after = i + 5 == b.len() || !b[i + 5].is_ascii_digit();
        (digits && before && after).then(|| &text[i..i + 5])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_postal_codes_in_text() {
        assert_eq!(postal_code_in("Koskikatu 25, 80100 Joensuu"), Some("80100"));
        assert_eq!(postal_code_in("80100"), Some("80100"));
        assert_eq!(postal_code_in("Koskikatu 25, Joensuu"), None);
        assert_eq!(postal_code_in("puh 0401234567"), None);
    }

    #[test]
    fn parses_pelias_answers() {
        let body = br#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[29.76,62.6]},"properties":{"confidence":0.9,"label":"Koskikatu 25, Joensuu"}}]}"#;
        let hit = parse(body).unwrap().unwrap();
        assert_eq!((hit.lat, hit.lon), (62.6, 29.76));
        assert!(parse(br#"{"features":[]}"#).unwrap().is_none());
        assert!(parse(b"{").is_err());
        assert!(parse(br#"{"features":[{"geometry":{"coordinates":[29.7]}}]}"#).is_err());
    }

    #[test]
    fn parses_boundaries() {
        assert_eq!("61.6,28.5,63.9,31.6".parse::<Boundary>(), Ok(NORTH_KARELIA));
        assert!("63.9,28.5,61.6,31.6".parse::<Boundary>().is_err());
        assert!("61.6,28.5,63.9".parse::<Boundary>().is_err());
        assert!("a,b,c,d".parse::<Boundary>().is_err());
    }
}
