//! `digituki geocode`: gives stored locations that lack coordinates a position through
//! `locate` (geocoder, else postal-code centroid, else municipality centre), recording how in
//! `coordinate_method`.
//!
//! It writes like every other writer: each location it places is changed in its own short
//! transaction through `db::write` (the row is locked and re-checked, its version bumped, a
//! history row written with actor `geocode`, before and after). The geocoder is asked before
//! that transaction, never inside it, with no database connection held; requests are spaced
//! by `FillOptions::interval`. When the geocoder reports a rate limit (HTTP 429, or 403 when a
//! Digitransit key's quota is spent) the run stops asking it, and the locations left are
//! reported as `rate_limited` (not placed at a centroid, so that a later run can geocode them).

use std::time::{Duration, Instant};

use anyhow::Context;
use diesel_async::AsyncConnection;
use serde::Serialize;
use serde_json::json;

use super::{locate_checked, GeocodeError, Geocoder};
use crate::db::write::{self, Actor};
use crate::domain::{LocationKind, Vocabulary};

/// How a run paces itself.
#[derive(Debug, Clone)]
pub struct FillOptions {
    /// Least time between two geocoder requests.
    pub interval: Duration,
}

impl Default for FillOptions {
    fn default() -> Self {
        FillOptions { interval: Duration::from_millis(500) }
    }
}

/// What one run did.
#[derive(Debug, Default, Serialize)]
pub struct FillReport {
    /// `(location id, method)` of every location that got coordinates.
    pub located: Vec<(String, String)>,
    /// Locations for which nothing was known (no geocoder match, no postal code, no municipality).
    pub not_found: Vec<String>,
    /// Locations left for a later run because the geocoder's rate limit was reached.
    pub rate_limited: Vec<String>,
    /// Locations changed by someone else while their address was being geocoded (left alone).
    pub changed_meanwhile: Vec<String>,
}

/// The address of a location as read before geocoding.
#[derive(Debug, Clone, PartialEq)]
struct Address {
    street: Option<String>,
    postal_code: Option<String>,
    municipality: Option<String>,
}

impl Address {
    fn of(row: &crate::db::models::LocationRow) -> Address {
        Address {
            street: row.street_address.clone(),
            postal_code: row.postal_code.clone(),
            municipality: row.municipality_code.clone().or_else(|| row.post_office.clone()),
        }
    }
}

/// Fills in coordinates for every non-remote location without them.
pub async fn fill_missing(
    database_url: &str,
    geocoder: Option<&Geocoder>,
    options: &FillOptions,
) -> anyhow::Result<FillReport> {
    let pool = crate::db::pool(database_url)?;
    let store = crate::directory::store::Store::default();
    let dir = store.rebuild(&pool).await.context("loading the directory")?;
    let todo: Vec<(String, Address)> = {
        use crate::db::schema::locations;
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        let mut conn = pool.get().await.context("connecting to the database")?;
        let rows: Vec<crate::db::models::LocationRow> = locations::table
            .filter(locations::latitude.is_null())
            .filter(locations::kind.ne(LocationKind::Remote.name()))
            .filter(locations::deleted_at.is_null())
            .order(locations::id)
            .select(crate::db::models::LocationRow::as_select())
            .load(&mut conn)
            .await?;
        rows.iter().map(|r| (r.id.clone(), Address::of(r))).collect()
    };
    let mut report = FillReport::default();
    let mut last_request: Option<Instant> = None;
    let mut rate_limited = false;
    for (id, address) in todo {
        let asks_geocoder = geocoder.is_some() && address.street.as_deref().is_some_and(|s| !s.trim().is_empty());
        if asks_geocoder && rate_limited {
            report.rate_limited.push(id);
            continue;
        }
        if asks_geocoder {
            if let Some(last) = last_request {
                tokio::time::sleep_until((last + options.interval).into()).await;
            }
            last_request = Some(Instant::now());
        }
        // No connection is held while the geocoder answers.
        let found = match locate_checked(
            geocoder,
            address.street.as_deref(),
            address.postal_code.as_deref(),
            address.municipality.as_deref(),
            &dir,
        )
        .await
        {
            Ok(found) => found,
            Err(e @ GeocodeError::RateLimited { .. }) => {
                tracing::warn!(error = %e, "the geocoder's rate limit is reached: the rest is left for a later run");
                rate_limited = true;
                report.rate_limited.push(id);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let Some(found) = found else {
            report.not_found.push(id);
            continue;
        };
        let mut conn = pool.get().await.context("connecting to the database")?;
        let c: &mut diesel_async::AsyncPgConnection = &mut conn;
        let written = c
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                let Some(row) = write::lock_location(conn, &id).await? else { return Ok(false) };
                if row.deleted_at.is_some() || row.latitude.is_some() || Address::of(&row) != address {
                    return Ok(false);
                }
                write::set_coordinates(conn, &id, found.lat, found.lon, found.method).await?;
                let before = json!({"latitude": null, "longitude": null, "coordinate_method": row.coordinate_method});
                let after = json!({"latitude": found.lat, "longitude": found.lon, "coordinate_method": found.method,
                                   "label": found.label});
                let actor = Actor::system("geocode", &row.organization_id);
                write::record(conn, "location", &id, "update", &actor, Some(before), Some(after)).await?;
                Ok(true)
            })
            .await?;
        if written {
            report.located.push((id, found.method.to_owned()));
        } else {
            report.changed_meanwhile.push(id);
        }
    }
    Ok(report)
}
