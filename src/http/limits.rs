//! Limits of the write API and the throttles that hold them: a per-token write rate and
//! failed authentications per client address.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{ApiError, ApiResult};

/// Limits of the write API.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub writes_per_minute: u32,
    /// Failed authentications per minute per client address (`AuthFailures`).
    pub failed_logins_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_body_bytes: 64 * 1024, writes_per_minute: 120, failed_logins_per_minute: 10 }
    }
}

/// Failed authentication per client address: a few guesses are answered 401, then 429 with
/// Retry-After, decided before any database query. A bucket of `per_minute` failures (default
/// 10) refills at that many per minute; successful requests cost nothing.
pub struct AuthFailures {
    per_minute: f64,
    buckets: Mutex<HashMap<Option<std::net::IpAddr>, (f64, Instant)>>,
}

impl AuthFailures {
    /// Beyond this many tracked addresses, full (forgiven) buckets are dropped.
    const MAX_TRACKED: usize = 10_000;

    pub fn new(per_minute: u32) -> Self {
        AuthFailures { per_minute: per_minute.max(1) as f64, buckets: Mutex::new(HashMap::new()) }
    }

    fn level(&self, entry: &mut (f64, Instant), now: Instant) -> f64 {
        let per_sec = self.per_minute / 60.0;
        entry.0 = (entry.0 + now.duration_since(entry.1).as_secs_f64() * per_sec).min(self.per_minute);
        entry.1 = now;
        entry.0
    }

    /// 429 while the address has used up its failures.
    pub fn check(&self, client: Option<std::net::IpAddr>) -> ApiResult<()> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap();
        let level = buckets.get_mut(&client).map_or(self.per_minute, |entry| self.level(entry, now));
        if level < 1.0 {
            let wait = (1.0 - level) / (self.per_minute / 60.0);
            return Err(ApiError::too_many_failed_logins(wait.ceil().max(1.0) as u64));
        }
        Ok(())
    }

    /// Counts one failed attempt from the address.
    pub fn failed(&self, client: Option<std::net::IpAddr>) {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap();
        if buckets.len() >= Self::MAX_TRACKED {
            buckets.retain(|_, e| self.level(e, now) < self.per_minute);
        }
        let entry = buckets.entry(client).or_insert((self.per_minute, now));
        self.level(entry, now);
        entry.0 = (entry.0 - 1.0).max(0.0);
    }
}

impl Default for AuthFailures {
    fn default() -> Self {
        Self::new(10)
    }
}

/// A per-token write rate limit: a token bucket refilled continuously.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<i64, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter { per_minute: per_minute.max(1), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one write from the token's bucket, or says how long to wait.
    pub fn check(&self, token_id: i64) -> ApiResult<()> {
        let capacity = self.per_minute as f64;
        let per_sec = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap();
        let (tokens, last) = buckets.entry(token_id).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * per_sec).min(capacity);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = Duration::from_secs_f64((1.0 - *tokens) / per_sec);
            Err(ApiError::too_many_requests(wait.as_secs().max(1)))
        }
    }
}
