//! Holds the current snapshot and replaces it atomically. Readers take an `Arc` of the
//! current directory and never wait for a rebuild.

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
}

impl Default for Store {
    fn default() -> Self {
        Store {
            current: ArcSwap::from_pointee(Directory::empty()),
            loaded: false.into(),
            rebuild_lock: tokio::sync::Mutex::new(()),
            last_rebuild: std::sync::Mutex::new(None),
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

    /// Loads the directory from the database and swaps it in.
    pub async fn rebuild(&self, pool: &Pool) -> anyhow::Result<Arc<Directory>> {
        let _guard = self.rebuild_lock.lock().await;
        let started = Instant::now();
        let mut conn = pool.get().await.map_err(|e| anyhow::anyhow!("database unavailable: {e}"))?;
        let rows = db::load::load_directory(&mut conn).await?;
        drop(conn);
        // Building is CPU work (stemming, R-tree); keep it off the async workers.
        let dir = Arc::new(tokio::task::spawn_blocking(move || Directory::build(rows)).await?);
        self.current.store(dir.clone());
        self.loaded.store(true, std::sync::atomic::Ordering::Release);
        let took = started.elapsed();
        *self.last_rebuild.lock().unwrap() = Some(took);
        tracing::info!(version = dir.version, locations = dir.locations.len(), took_ms = took.as_millis() as u64, "snapshot rebuilt");
        Ok(dir)
    }
}

/// Listens for `directory_changed` notifications and rebuilds the snapshot after each burst of
/// changes, reconnecting when the database goes away. Runs until the process ends.
pub async fn follow_changes(store: Arc<Store>, pool: Pool, database_url: String) {
    let wake = Arc::new(Notify::new());
    loop {
        match tokio_postgres::connect(&database_url, tokio_postgres::NoTls).await {
            Ok((client, mut connection)) => {
                let wake2 = wake.clone();
                let pump = tokio::spawn(async move {
                    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(msg) = messages.next().await {
                        match msg {
                            Ok(tokio_postgres::AsyncMessage::Notification(_)) => wake2.notify_one(),
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                });
                if client.batch_execute("LISTEN directory_changed").await.is_ok() {
                    // Changes may have happened while we were not listening.
                    if let Err(e) = store.rebuild(&pool).await {
                        tracing::warn!("snapshot rebuild failed: {e:#}");
                    }
                    loop {
                        tokio::select! {
                            _ = wake.notified() => {
                                // Let a burst of notifications from one transaction settle.
                                tokio::time::sleep(Duration::from_millis(20)).await;
                                if let Err(e) = store.rebuild(&pool).await {
                                    tracing::warn!("snapshot rebuild failed: {e:#}");
                                }
                            }
                            _ = tokio::time::sleep(Duration::from_secs(5)) => {
                                if pump.is_finished() { break; }
                            }
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
