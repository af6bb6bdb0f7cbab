//! Whole answers of the location listings (`/v1/locations`, `/v1/locations/nearest`), kept
//! per snapshot: the bytes, their ETag, and their gzip and brotli forms (each made once, when a
//! client first accepts it). A repeated query (embedding sites ask the same few) costs a hash
//! lookup. An answer is kept from its second request on: one-off queries (a nearest search from
//! a random point) pass without filling the cache.
//!
//! An answer is keyed by its path, its query with the parameters in a canonical order, and the
//! request's `Accept-Language` (which can choose the language). It is valid while the snapshot
//! is the one it was built from and until the directory's next change of state: the earliest
//! instant after now at which any place or service changes state (opening, closing), any
//! listing becomes stale, or a new Helsinki day begins (holiday names). Until then every status
//! in every answer, and every `open_now` selection, stays as it was, whatever the query.
//!
//! The pre-rendered location fragments (`super::fragments`) live here too, per snapshot.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};

use super::fragments::Fragments;
use super::respond::{etag, PUBLIC_MAX_AGE};
use crate::directory::Directory;

/// How many bytes of answers one snapshot keeps (uncompressed); past it the cache starts over.
const MAX_CACHE_BYTES: usize = 32 * 1024 * 1024;
/// How many keys asked once are remembered (an answer is kept when asked a second time).
const MAX_SEEN: usize = 100_000;
/// Answers smaller than this are not compressed (the headers would outweigh the gain).
const MIN_COMPRESS: usize = 1024;

/// One answer, with its compressed forms made on first demand.
pub struct Answer {
    body: Bytes,
    /// The tags of the three codings (each coding is its own representation), made once.
    tags: [HeaderValue; 3],
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Coding {
    Identity = 0,
    Gzip = 1,
    Brotli = 2,
}

impl Coding {
    /// The best coding the request accepts: brotli, then gzip (q=0 refuses one).
    pub fn accepted(req: &HttpRequest) -> Coding {
        let Some(v) = req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
            return Coding::Identity;
        };
        let accepts = |name: &str| {
            v.split(',').any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q == 0.0)
                });
                (coding.eq_ignore_ascii_case(name) || coding == "*") && !refused
            })
        };
        if accepts("br") {
            Coding::Brotli
        } else if accepts("gzip") {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }
}

impl Answer {
    pub fn new(tag: impl std::fmt::Display, body: Vec<u8>) -> Answer {
        let etag = etag(tag, &body);
        let value = |t: String| HeaderValue::from_str(&t).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
        let inner = etag.trim_end_matches('"');
        let tags = [value(etag.clone()), value(format!("{inner}-gzip\"")), value(format!("{inner}-br\""))];
        Answer { body: Bytes::from(body), tags, gzip: OnceLock::new(), brotli: OnceLock::new() }
    }

    fn encoded(&self, coding: Coding) -> (Coding, Bytes) {
        if self.body.len() < MIN_COMPRESS {
            return (Coding::Identity, self.body.clone());
        }
        match coding {
            Coding::Identity => (Coding::Identity, self.body.clone()),
            Coding::Gzip => (
                Coding::Gzip,
                self.gzip
                    .get_or_init(|| {
                        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
                        let _ = e.write_all(&self.body);
                        Bytes::from(e.finish().unwrap_or_default())
                    })
                    .clone(),
            ),
            Coding::Brotli => (
                Coding::Brotli,
                self.brotli
                    .get_or_init(|| {
                        let mut out = Vec::new();
                        {
                            let mut w = brotli::CompressorWriter::new(&mut out, 4096, 6, 22);
                            let _ = w.write_all(&self.body);
                        }
                        Bytes::from(out)
                    })
                    .clone(),
            ),
        }
    }

    /// The answer as the request wants it: 304 for a matching `If-None-Match`, else the body in
    /// the best accepted coding, with `Vary` naming what chose it.
    pub fn respond(&self, req: &HttpRequest) -> HttpResponse {
        let (coding, body) = self.encoded(Coding::accepted(req));
        // Each coding is its own representation, with its own strong tag.
        let etag = &self.tags[coding as usize];
        let not_modified = req.headers().get(header::IF_NONE_MATCH).and_then(|h| h.to_str().ok()).is_some_and(|h| {
            h.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t.as_bytes() == etag.as_bytes() || t == "*")
        });
        static CACHE_CONTROL: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
            HeaderValue::from_str(&format!("public, max-age={PUBLIC_MAX_AGE}")).expect("a header value")
        });
        let mut resp = HttpResponse::build(if not_modified { StatusCode::NOT_MODIFIED } else { StatusCode::OK });
        resp.insert_header((header::ETAG, etag.clone()))
            .insert_header((header::CACHE_CONTROL, CACHE_CONTROL.clone()))
            .insert_header((header::VARY, "Accept-Language, Accept-Encoding"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((header::ACCESS_CONTROL_EXPOSE_HEADERS, "ETag"));
        match coding {
            Coding::Identity => {}
            Coding::Gzip => {
                resp.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")));
            }
            Coding::Brotli => {
                resp.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("br")));
            }
        }
        if not_modified {
            resp.finish()
        } else {
            resp.content_type("application/json").body(body)
        }
    }

    #[cfg(test)]
    fn body(&self) -> &[u8] {
        &self.body
    }
}

/// The answers and fragments of the current snapshot.
struct Cache {
    version: i64,
    built_at: DateTime<Utc>,
    /// The instant the answers stop being valid (the directory's next change of state).
    valid_until: DateTime<Utc>,
    entries: HashMap<String, Arc<Answer>>,
    bytes: usize,
    /// Hashes of keys asked once: an answer is kept only when asked again, so that one-off
    /// queries (a nearest search from a random point) do not fill the cache.
    seen: std::collections::HashSet<u64>,
}

#[derive(Default)]
pub struct Answers {
    cache: Mutex<Option<Cache>>,
    fragments: ArcSwap<Option<Arc<Fragments>>>,
}

/// The cache key of a request: path, parameters in canonical order, `Accept-Language`.
pub fn key(req: &HttpRequest) -> String {
    let mut pairs: Vec<&str> = req.query_string().split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort_unstable();
    let lang = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    format!("{}?{}\n{lang}", req.path(), pairs.join("&"))
}

impl Answers {
    /// The fragments of `dir` (made when the snapshot changed).
    pub fn fragments(&self, dir: &Directory) -> Arc<Fragments> {
        if let Some(f) = self.fragments.load().as_ref() {
            if f.is_for(dir) {
                return f.clone();
            }
        }
        let f = Arc::new(Fragments::new(dir));
        self.fragments.store(Arc::new(Some(f.clone())));
        f
    }

    /// The kept answer to this request for this snapshot, if it is still valid.
    pub fn get(&self, dir: &Directory, key: &str) -> Option<Arc<Answer>> {
        let cache = self.cache.lock().unwrap();
        let c = cache.as_ref()?;
        if c.version != dir.version || c.built_at != dir.built_at || Utc::now() >= c.valid_until {
            return None;
        }
        c.entries.get(key).cloned()
    }

    /// Keeps an answer made from `dir` (unless the snapshot has moved on meanwhile).
    pub fn put(&self, dir: &Directory, key: String, answer: Answer) -> Arc<Answer> {
        let answer = Arc::new(answer);
        let now = Utc::now();
        let fresh = |c: &Option<Cache>| {
            c.as_ref().is_some_and(|c| c.version == dir.version && c.built_at == dir.built_at && now < c.valid_until)
        };
        let newer = |c: &Option<Cache>| c.as_ref().is_some_and(|c| c.version > dir.version);
        let mut cache = self.cache.lock().unwrap();
        if !fresh(&cache) {
            if newer(&cache) {
                return answer;
            }
            // The directory's next change is worked out once per snapshot, without holding the
            // lock that every listing request takes.
            drop(cache);
            let valid_until = next_change(dir, now);
            cache = self.cache.lock().unwrap();
            if newer(&cache) {
                return answer;
            }
            if !fresh(&cache) {
                *cache = Some(Cache {
                    version: dir.version,
                    built_at: dir.built_at,
                    valid_until,
                    entries: HashMap::new(),
                    bytes: 0,
                    seen: Default::default(),
                });
            }
        }
        let c = cache.as_mut().expect("set above");
        let hash = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            key.hash(&mut h);
            h.finish()
        };
        if c.seen.len() > MAX_SEEN {
            c.seen.clear();
        }
        if c.seen.insert(hash) {
            return answer;
        }
        if c.bytes + answer.body.len() > MAX_CACHE_BYTES {
            c.entries.clear();
            c.bytes = 0;
        }
        c.bytes += answer.body.len();
        c.entries.insert(key, answer.clone());
        answer
    }
}

/// The earliest instant after `now` at which anything an answer shows changes with the clock:
/// a place's or a service's state, a listing becoming stale, or the Helsinki date (holiday
/// names and "today" reasons).
pub fn next_change(dir: &Directory, now: DateTime<Utc>) -> DateTime<Utc> {
    let helsinki = now.with_timezone(&chrono_tz::Europe::Helsinki);
    let midnight = helsinki
        .date_naive()
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(chrono_tz::Europe::Helsinki).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now + chrono::Duration::hours(1));
    let mut earliest = midnight;
    // Identical hours documents are shared: each is evaluated once.
    let mut seen: HashMap<*const crate::directory::Hours, ()> = HashMap::new();
    let mut consider = |h: &Arc<crate::directory::Hours>| {
        if seen.insert(Arc::as_ptr(h), ()).is_none() {
            if let Some(c) = h.hours.status_at(now).next_change {
                earliest = earliest.min(c.at);
            }
        }
    };
    for loc in &dir.locations {
        if let Some(h) = &loc.hours {
            consider(h);
        }
        for s in &loc.services {
            if let Some(h) = &s.hours {
                consider(h);
            }
        }
    }
    for loc in &dir.locations {
        let stale_at = loc.provenance.verified_at.unwrap_or(loc.provenance.created_at)
            + chrono::Duration::days(crate::directory::STALE_AFTER_DAYS);
        if stale_at > now {
            earliest = earliest.min(stale_at);
        }
    }
    earliest.max(now + chrono::Duration::milliseconds(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_forms_decompress_to_the_body() {
        let body: Vec<u8> = (0..5000).map(|i| b"abcdefghij"[i % 10]).collect();
        let a = Answer::new("7", body.clone());
        let (c, gz) = a.encoded(Coding::Gzip);
        assert_eq!(c, Coding::Gzip);
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out).unwrap();
        assert_eq!(out, body);
        let (c, br) = a.encoded(Coding::Brotli);
        assert_eq!(c, Coding::Brotli);
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut brotli::Decompressor::new(&br[..], 4096), &mut out).unwrap();
        assert_eq!(out, a.body());
        // Small answers stay as they are.
        assert_eq!(Answer::new("7", b"{}".to_vec()).encoded(Coding::Brotli).0, Coding::Identity);
    }
}
