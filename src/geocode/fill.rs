//! `digituki geocode`: gives stored locations that lack coordinates a position through
//! `locate` (geocoder, else postal-code centroid, else municipality centre), in one
//! transaction, recording how in `coordinate_method`.

use anyhow::Context;
use serde::Serialize;

use super::{locate, Geocoder};

/// What one run did.
#[derive(Debug, Default, Serialize)]
pub struct FillReport {
    /// `(location id, method)` of every location that got coordinates.
    pub located: Vec<(String, String)>,
    /// Locations for which nothing was known (no geocoder match, no postal code, no municipality).
    pub not_found: Vec<String>,
}

/// Fills in coordinates for every non-remote location without them.
pub async fn fill_missing(database_url: &str, geocoder: Option<&Geocoder>) -> anyhow::Result<FillReport> {
    let pool = crate::db::pool(database_url)?;
    let store = crate::directory::store::Store::default();
    let dir = store.rebuild(&pool).await.context("loading the directory")?;
    let (mut client, conn) = tokio_postgres::connect(database_url, tokio_postgres::NoTls).await?;
    let task = tokio::spawn(conn);
    let mut report = FillReport::default();
    {
        let tx = client.transaction().await?;
        let rows = tx
            .query(
                "SELECT id, street_address, postal_code, coalesce(municipality_code, post_office) FROM locations
                 WHERE latitude IS NULL AND kind <> 'remote' AND deleted_at IS NULL ORDER BY id",
                &[],
            )
            .await?;
        for row in rows {
            let id: String = row.get(0);
            let (street, postal, municipality): (Option<String>, Option<String>, Option<String>) =
                (row.get(1), row.get(2), row.get(3));
            match locate(geocoder, street.as_deref(), postal.as_deref(), municipality.as_deref(), &dir).await {
                Some(l) => {
                    tx.execute(
                        "UPDATE locations SET latitude = $2, longitude = $3, coordinate_method = $4, updated_at = now()
                         WHERE id = $1",
                        &[&id, &l.lat, &l.lon, &l.method],
                    )
                    .await?;
                    report.located.push((id, l.method.to_owned()));
                }
                None => report.not_found.push(id),
            }
        }
        tx.commit().await?;
    }
    drop(client);
    let _ = task.await;
    Ok(report)
}
