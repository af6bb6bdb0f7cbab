//! The application state every handler can reach (`web::Data<AppState>`).

use std::sync::Arc;

use super::answers::Answers;
use super::limits::{AuthFailures, Limits, RateLimiter};
use super::proxy::ProxyConfig;
use crate::db::Pool;
use crate::directory::store::Store;
use crate::geocode::Geocoder;

/// What every handler can reach.
pub struct AppState {
    pub store: Arc<Store>,
    pub pool: Pool,
    pub limits: Limits,
    pub limiter: RateLimiter,
    /// The address geocoder (`DIGITUKI_GEOCODER_URL`), when configured.
    pub geocoder: Option<Geocoder>,
    /// Which forwarded headers to believe, and the public base URL of links.
    pub proxy: ProxyConfig,
    /// Failed authentication per client address.
    pub auth_failures: AuthFailures,
    /// When set, `/metrics` needs `Authorization: Bearer <this>`.
    pub metrics_token: Option<String>,
    /// The last storage fault a write met (read-only database, disk full), for `/readyz`.
    pub storage: StorageState,
    /// Kept answers of the location listings and the pre-rendered locations, per snapshot.
    pub answers: Answers,
}

/// The last storage fault a write met, cleared by the next write that commits.
#[derive(Default)]
pub struct StorageState(std::sync::Mutex<Option<String>>);

impl StorageState {
    /// Records what a write transaction ended with.
    pub fn observe<T>(&self, result: &Result<T, crate::error::ApiError>) {
        let mut fault = self.0.lock().unwrap();
        match result {
            Ok(_) => *fault = None,
            Err(e) if e.storage_fault => *fault = Some(e.detail.clone()),
            Err(_) => {}
        }
    }

    pub fn fault(&self) -> Option<String> {
        self.0.lock().unwrap().clone()
    }
}
