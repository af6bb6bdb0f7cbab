//! Holds the current snapshot and replaces it atomically. Readers take an `Arc` of the
//! current directory and never wait for a rebuild.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use futures_util::StreamExt;
use tokio::sync::Notify;

use super::Directory;
use crate::db::{self, Pool};

pub struct Store {
    current: ArcSwap<Directory>,
    loaded: std::sync::atomic::AtomicBool,
    /// Serialises rebuilds, so that an older snapshot never replaces a newer one.
    rebuild_lock: tokio::sync::Mutex<()>,
    pub last_rebuild: std::sync::Mutex<Option<Duration>>,
    /// When the snapshot served was swapped in.
    built_at: std::sync::Mutex<Option<Instant>>,
    rebuilds: AtomicU64,
    /// Of those, the place-by-place updates.
    updates: AtomicU64,
    rebuild_failures: AtomicU64,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            current: ArcSwap::from_pointee(Directory::empty()),
            loaded: false.into(),
            rebuild_lock: tokio::sync::Mutex::new(()),
            last_rebuild: std::sync::Mutex::new(None),
            built_at: std::sync::Mutex::new(None),
            rebuilds: AtomicU64::new(0),
            updates: AtomicU64::new(0),
            rebuild_failures: AtomicU64::new(0),
        }
    }
}

impl Store {
    pub fn get(&self) -> Arc<Directory> {
        self.current.load_full()
    }

    /// True once a snapshot has been built from the database.
    pub fn is_loaded(&self) -> bool {
        self.loaded.load(std::sync::atomic::Ordering::Acquire)
    }

    /// How long ago the snapshot served was built.
    pub fn age(&self) -> Option<Duration> {
        self.built_at.lock().unwrap().map(|t| t.elapsed())
    }

    /// How long the last successful rebuild took (load and build).
    pub fn last_rebuild(&self) -> Option<Duration> {
        *self.last_rebuild.lock().unwrap()
    }

    pub fn rebuilds(&self) -> u64 {
        self.rebuilds.load(Ordering::Relaxed)
    }

    /// How many of the rebuilds were place-by-place updates.
    pub fn updates(&self) -> u64 {
        self.updates.load(Ordering::Relaxed)
    }

    pub fn rebuild_failures(&self) -> u64 {
        self.rebuild_failures.load(Ordering::Relaxed)
    }

    /// Loads the directory from the database and swaps it in. On failure the current snapshot
    /// keeps serving.
    pub async fn rebuild(&self, pool: &Pool) -> anyhow::Result<Arc<Directory>> {
        self.rebuild_unless_holds(pool, None).await
    }

    /// Rebuilds unless the current snapshot already holds directory version `version`
    /// (checked after waiting for any rebuild in progress): the version is read with the rows,
    /// so such a snapshot already shows every change up to it.
    pub async fn rebuild_unless_holds(&self, pool: &Pool, version: Option<i64>) -> anyhow::Result<Arc<Directory>> {
        let _guard = self.rebuild_lock.lock().await;
        let current = self.get();
        if version.is_some_and(|v| current.version >= v) {
            return Ok(current);
        }
        let result = self.try_rebuild(pool).await;
        match &result {
            Ok(_) => self.rebuilds.fetch_add(1, Ordering::Relaxed),
            Err(_) => self.rebuild_failures.fetch_add(1, Ordering::Relaxed),
        };
        result
    }

    /// Loads and swaps in a new snapshot; the caller holds `rebuild_lock`. When the changes
    /// since the current snapshot are a few places' (`db::load::load_changed_places`), only
    /// those are loaded and replaced in a copy of it that shares everything else; otherwise
    /// everything is loaded and built again.
    async fn try_rebuild(&self, pool: &Pool) -> anyhow::Result<Arc<Directory>> {
        if self.is_loaded() {
            match self.try_update(pool).await {
                Ok(Some(dir)) => return Ok(dir),
                Ok(None) => {}
                Err(e) => tracing::warn!("updating the snapshot place by place failed, rebuilding it: {e:#}"),
            }
        }
        self.full_rebuild(pool).await
    }

    /// The place-by-place update; `None` when a full rebuild is needed.
    async fn try_update(&self, pool: &Pool) -> anyhow::Result<Option<Arc<Directory>>> {
        let started = Instant::now();
        let current = self.get();
        let mut conn = pool.get().await.map_err(|e| anyhow::anyhow!("database unavailable: {e}"))?;
        let Some((rows, ids)) = db::load::load_changed_places(&mut conn, current.version).await? else {
            return Ok(None);
        };
        drop(conn);
        if rows.version == current.version {
            return Ok(Some(current));
        }
        let places = ids.len();
        let Some(dir) = tokio::task::spawn_blocking(move || {
            let fresh = Directory::build(rows);
            current.with_places_replaced(&fresh, &ids)
        })
        .await?
        else {
            return Ok(None);
        };
        let dir = Arc::new(dir);
        self.current.swap(dir.clone());
        let took = started.elapsed();
        *self.last_rebuild.lock().unwrap() = Some(took);
        *self.built_at.lock().unwrap() = Some(Instant::now());
        self.updates.fetch_add(1, Ordering::Relaxed);
        tracing::info!(
            version = dir.version,
            places,
            took_ms = took.as_millis() as u64,
            "snapshot updated place by place"
        );
        Ok(Some(dir))
    }

    /// Loads everything and builds a new snapshot.
    async fn full_rebuild(&self, pool: &Pool) -> anyhow::Result<Arc<Directory>> {
        let started = Instant::now();
        let mut conn = pool.get().await.map_err(|e| anyhow::anyhow!("database unavailable: {e}"))?;
        let rows = db::load::load_directory(&mut conn).await?;
        drop(conn);
        let loaded = started.elapsed();
        // Building is CPU work (stemming, R-tree); keep it off the async workers.
        let dir = Arc::new(tokio::task::spawn_blocking(move || Directory::build(rows)).await?);
        let previous = self.current.swap(dir.clone());
        self.loaded.store(true, std::sync::atomic::Ordering::Release);
        let took = started.elapsed();
        *self.last_rebuild.lock().unwrap() = Some(took);
        *self.built_at.lock().unwrap() = Some(Instant::now());
        tracing::info!(
            version = dir.version,
            locations = dir.locations.len(),
            load_ms = loaded.as_millis() as u64,
            took_ms = took.as_millis() as u64,
            "snapshot rebuilt"
        );
        // The rows and, once readers let go, the previous snapshot are freed; hand the pages
        // back to the system so that RSS follows the live snapshot (glibc keeps them otherwise).
        drop(previous);
        tokio::task::spawn_blocking(release_free_memory);
        Ok(dir)
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_memory() {
    // SAFETY: malloc_trim only returns unused heap pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

/// Listens for `directory_changed` notifications and rebuilds the snapshot after each burst of
/// changes, reconnecting when the database goes away. Runs until the process ends.
///
/// `listening` is told once the first LISTEN is in place: a snapshot built after that misses
/// no change, so when the receiver is still waiting (start-up builds the first snapshot right
/// after), the listener skips its own catch-up rebuild. After every reconnection it rebuilds,
/// since changes may have been made while nobody listened.
pub async fn follow_changes(
    store: Arc<Store>,
    pool: Pool,
    database_url: String,
    mut listening: Option<tokio::sync::oneshot::Sender<()>>,
) {
    let wake = Arc::new(Notify::new());
    // The highest directory version announced so far (the notification's payload).
    let announced = Arc::new(std::sync::atomic::AtomicI64::new(0));
    loop {
        match tokio_postgres::connect(&database_url, tokio_postgres::NoTls).await {
            Ok((client, mut connection)) => {
                let wake2 = wake.clone();
                let announced2 = announced.clone();
                let mut pump = tokio::spawn(async move {
                    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(msg) = messages.next().await {
                        match msg {
                            Ok(tokio_postgres::AsyncMessage::Notification(n)) => {
                                // An unreadable payload forces a rebuild.
                                let version = n.payload().parse::<i64>().unwrap_or(i64::MAX);
                                announced2.fetch_max(version, std::sync::atomic::Ordering::AcqRel);
                                wake2.notify_one();
                            }
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                });
                if client.batch_execute("LISTEN directory_changed").await.is_ok() {
                    let startup_builds_next = listening.take().is_some_and(|tx| tx.send(()).is_ok());
                    // Changes may have happened while we were not listening.
                    if !startup_builds_next {
                        if let Err(e) = store.rebuild(&pool).await {
                            tracing::warn!("snapshot rebuild failed: {e:#}");
                        }
                    }
                    loop {
                        tokio::select! {
                            _ = wake.notified() => {
                                // Let a burst of notifications from one transaction settle.
                                tokio::time::sleep(Duration::from_millis(20)).await;
                                // The version is read with the rows, so a snapshot at or past the
                                // announced version holds the change (e.g. this instance's own
                                // write, rebuilt before it answered): no second rebuild.
                                let wanted = announced.swap(0, std::sync::atomic::Ordering::AcqRel);
                                if let Err(e) = store.rebuild_unless_holds(&pool, Some(wanted)).await {
                                    tracing::warn!("snapshot rebuild failed: {e:#}");
                                }
                            }
                            // The connection ended (database stopped or restarted).
                            _ = &mut pump => break,
                        }
                        if pump.is_finished() {
                            break;
                        }
                    }
                }
                pump.abort();
                tracing::warn!("lost the change listener connection; reconnecting");
            }
            Err(e) => tracing::debug!("change listener cannot connect: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
