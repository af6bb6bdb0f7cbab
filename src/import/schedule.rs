//! Scheduled refresh: `digituki serve --import-every 6h --import kirkanta:consortium=2093`
//! runs the configured imports again and again, one round after another, each import through
//! the same public entry as `digituki import ...` (e.g. `crate::import::kirkanta::run`), and
//! reports every run in the log and in `/metrics` (`ImportStats`).
//!
//! An import is written `source:key=value,key=value` (`kirkanta:consortium=2093,city=Joensuu`).
//! A new source plugs in with one match arm in `Job::parse`, which checks its parameters at
//! startup and returns the closure that runs it.
//!
//! Only one instance runs a round at a time: a round holds a PostgreSQL advisory lock; an
//! instance that finds it taken skips its round (imports are idempotent, so a later round by
//! any instance catches up).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::ImportReport;
use crate::geocode::Geocoder;

type RunFuture = Pin<Box<dyn Future<Output = anyhow::Result<ImportReport>> + Send>>;
type RunFn = Arc<dyn Fn(String, Option<Geocoder>) -> RunFuture + Send + Sync>;

/// One configured import.
#[derive(Clone)]
pub struct Job {
    /// `kirkanta`, `ptv`, ...
    pub source: String,
    /// The import as configured (`kirkanta:consortium=2093`): its name in logs and metrics.
    pub spec: String,
    run: RunFn,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.spec)
    }
}

/// Parameters of one import: every one must be used, unknown ones are an error.
struct Params {
    source: String,
    values: BTreeMap<String, String>,
}

impl Params {
    fn take(&mut self, key: &str) -> Option<String> {
        self.values.remove(key)
    }

    fn take_num<T: std::str::FromStr>(&mut self, key: &str) -> Result<Option<T>, String> {
        self.take(key).map(|v| v.trim().parse().map_err(|_| format!("{key}={v:?} is not a number"))).transpose()
    }

    /// What every importer's connection takes: the base URL (this entry's `base_url`, else the
    /// environment variable `env`, else `default`; http(s) only, its TLS settings checked), and
    /// `timeout_secs` and `retries` when given.
    fn connection(
        &mut self,
        spec: &str,
        env: &str,
        default: &str,
    ) -> Result<(String, Option<Duration>, Option<u32>), String> {
        let base_url = self
            .take("base_url")
            .or_else(|| std::env::var(env).ok().filter(|u| !u.trim().is_empty()))
            .unwrap_or_else(|| default.to_owned());
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(format!("{spec}: base_url must be an http(s) URL"));
        }
        crate::geocode::check_tls(&base_url).map_err(|e| e.to_string())?;
        let timeout = self.take_num::<u64>("timeout_secs")?.map(Duration::from_secs);
        Ok((base_url, timeout, self.take_num::<u32>("retries")?))
    }

    fn done(self) -> Result<(), String> {
        match self.values.keys().next() {
            Some(k) => Err(format!("{}: unknown parameter {k:?}", self.source)),
            None => Ok(()),
        }
    }
}

impl Job {
    /// `source:key=value,key=value`. The parameters are those of `digituki import <source>`
    /// (`kirkanta`: `consortium`, `city`, `organization`, `base_url` (default
    /// `DIGITUKI_KIRKANTA_URL`, else the public API), `timeout_secs`, `retries`; `ptv`:
    /// `municipality` (codes joined with `+`), `organization` (PTV ids joined with `+`),
    /// `organization_id` (ours), `base_url` (default `DIGITUKI_PTV_URL`, else the public API),
    /// `timeout_secs`, `retries`).
    pub fn parse(spec: &str) -> Result<Job, String> {
        let spec = spec.trim();
        let (source, rest) = spec.split_once(':').unwrap_or((spec, ""));
        let mut values = BTreeMap::new();
        for pair in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(|| format!("{spec}: {pair:?} is not key=value"))?;
            if values.insert(k.trim().to_owned(), v.trim().to_owned()).is_some() {
                return Err(format!("{spec}: {k} given twice"));
            }
        }
        let mut p = Params { source: source.to_owned(), values };
        let run: RunFn = match source {
            "kirkanta" => {
                use super::kirkanta;
                let (base_url, timeout, retries) =
                    p.connection(spec, "DIGITUKI_KIRKANTA_URL", kirkanta::DEFAULT_BASE_URL)?;
                let mut o = kirkanta::Options {
                    base_url,
                    consortium: p.take("consortium"),
                    city: p.take("city"),
                    organization: p.take("organization"),
                    ..Default::default()
                };
                o.timeout = timeout.unwrap_or(o.timeout);
                o.retries = retries.unwrap_or(o.retries);
                if o.consortium.is_none() && o.city.is_none() {
                    return Err(format!("{spec}: give consortium=<id> or city=<name>"));
                }
                let o = Arc::new(o);
                Arc::new(move |url: String, g: Option<Geocoder>| -> RunFuture {
                    let o = o.clone();
                    Box::pin(async move { kirkanta::run(&url, &o, g.as_ref()).await })
                })
            }
            "ptv" => {
                use super::ptv;
                let list = |v: Option<String>| -> Vec<String> {
                    v.map(|v| v.split('+').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect())
                        .unwrap_or_default()
                };
                let (base_url, timeout, retries) = p.connection(spec, "DIGITUKI_PTV_URL", ptv::DEFAULT_BASE_URL)?;
                let mut o = ptv::Options {
                    base_url,
                    municipalities: list(p.take("municipality")),
                    ptv_organizations: list(p.take("organization")),
                    organization: p.take("organization_id"),
                    ..Default::default()
                };
                o.timeout = timeout.unwrap_or(o.timeout);
                o.retries = retries.unwrap_or(o.retries);
                if o.municipalities.is_empty() && o.ptv_organizations.is_empty() {
                    return Err(format!("{spec}: give municipality=<code>[+<code>...] or organization=<PTV id>"));
                }
                let o = Arc::new(o);
                Arc::new(move |url: String, g: Option<Geocoder>| -> RunFuture {
                    let o = o.clone();
                    // The PTV importer's future holds non-`Send` borrows across awaits: it runs on a
                    // blocking thread of its own, driven by the runtime's handle.
                    Box::pin(async move {
                        let handle = tokio::runtime::Handle::current();
                        tokio::task::spawn_blocking(move || handle.block_on(ptv::run(&url, &o, g.as_ref()))).await?
                    })
                })
            }
            other => return Err(format!("{spec}: unknown import source {other:?} (known: kirkanta, ptv)")),
        };
        p.done()?;
        Ok(Job { source: source.to_owned(), spec: spec.to_owned(), run })
    }
}

/// `6h`, `30m`, `90s`, `1h30m`, `1d`, `500ms`: a positive duration.
pub fn parse_every(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return Err("empty duration".into());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("{text:?}: expected a number, e.g. 6h, 30m, 1h30m"));
        }
        let n: u64 = rest[..digits].parse().map_err(|_| format!("{text:?}: number too large"))?;
        rest = rest[digits..].trim_start();
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c.is_whitespace()).unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = rest[unit_len..].trim_start();
        let secs = |s: u64| Duration::from_secs(s.saturating_mul(n));
        total += match unit {
            "ms" => Duration::from_millis(n),
            "s" | "sec" | "secs" => secs(1),
            "m" | "min" | "mins" => secs(60),
            "h" | "hour" | "hours" => secs(3600),
            "d" | "day" | "days" => secs(86400),
            "" => return Err(format!("{text:?}: give a unit (ms, s, m, h, d), e.g. 6h")),
            u => return Err(format!("{text:?}: unknown unit {u:?} (ms, s, m, h, d)")),
        };
    }
    if total.is_zero() {
        return Err(format!("{text:?}: must be longer than zero"));
    }
    Ok(total)
}

/// The imports to run, and how often.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub every: Duration,
    pub jobs: Vec<Job>,
}

/// What the runs of one job did, for `/metrics`.
#[derive(Debug, Clone, Default)]
struct JobStats {
    source: String,
    runs: u64,
    failures: u64,
    last_run: Option<f64>,
    last_success: Option<f64>,
    last_duration: Option<f64>,
    /// From the last run that imported something.
    last: BTreeMap<&'static str, u64>,
    /// Summed over all runs.
    total: BTreeMap<&'static str, u64>,
}

/// Import runs since start, per job; shared by the scheduler and `/metrics`.
#[derive(Debug, Default)]
pub struct ImportStats {
    jobs: Mutex<HashMap<String, JobStats>>,
}

/// The counts reported per run, in this order.
const KINDS: [&str; 7] = ["fetched", "created", "updated", "unchanged", "deactivated", "conflicts", "skipped"];

fn counts(r: &ImportReport) -> [u64; 7] {
    [
        r.fetched as u64,
        r.created.len() as u64,
        r.updated.len() as u64,
        r.unchanged as u64,
        r.deactivated.len() as u64,
        r.conflicts.len() as u64,
        r.skipped.len() as u64,
    ]
}

fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

impl ImportStats {
    /// Records one run: its report, or why it failed.
    pub fn record(&self, job: &Job, outcome: &Result<ImportReport, String>, took: Duration) {
        let mut jobs = self.jobs.lock().unwrap();
        let s = jobs.entry(job.spec.clone()).or_default();
        s.source = job.source.clone();
        s.runs += 1;
        let now = unix_now();
        s.last_run = Some(now);
        s.last_duration = Some(took.as_secs_f64());
        match outcome {
            Ok(r) => {
                for (k, n) in KINDS.iter().zip(counts(r)) {
                    s.last.insert(k, n);
                    *s.total.entry(k).or_default() += n;
                }
                s.last_success = Some(now);
            }
            Err(_) => s.failures += 1,
        }
    }

    /// The import series in the Prometheus text format.
    pub fn render(&self, out: &mut String) {
        let jobs = self.jobs.lock().unwrap();
        let mut keys: Vec<&String> = jobs.keys().collect();
        keys.sort();
        let l = |spec: &str, s: &JobStats| format!("source=\"{}\",job=\"{}\"", escape(&s.source), escape(spec));
        let mut family = |name: &str, kind: &str, help: &str, value: &dyn Fn(&str, &JobStats) -> Vec<String>| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for k in &keys {
                for line in value(k, &jobs[*k]) {
                    let _ = writeln!(out, "{name}{line}");
                }
            }
        };
        family("digituki_import_runs_total", "counter", "Scheduled import runs, by source and job.", &|k, s| {
            vec![format!("{{{}}} {}", l(k, s), s.runs)]
        });
        family(
            "digituki_import_failures_total",
            "counter",
            "Scheduled import runs that imported nothing (upstream unreachable or malformed, database error).",
            &|k, s| vec![format!("{{{}}} {}", l(k, s), s.failures)],
        );
        family(
            "digituki_import_last_run_timestamp_seconds",
            "gauge",
            "When the last run of the job ended (Unix time).",
            &|k, s| s.last_run.map(|t| format!("{{{}}} {t}", l(k, s))).into_iter().collect(),
        );
        family(
            "digituki_import_last_success_timestamp_seconds",
            "gauge",
            "When the last run that imported something ended (Unix time).",
            &|k, s| s.last_success.map(|t| format!("{{{}}} {t}", l(k, s))).into_iter().collect(),
        );
        family("digituki_import_last_duration_seconds", "gauge", "How long the last run of the job took.", &|k, s| {
            s.last_duration.map(|t| format!("{{{}}} {t}", l(k, s))).into_iter().collect()
        });
        family(
            "digituki_import_last_records",
            "gauge",
            "Records of the last successful run: fetched, created, updated, unchanged, deactivated, conflicts (partner edits kept), skipped.",
            &|k, s| s.last.iter().map(|(kind, n)| format!("{{{},kind=\"{kind}\"}} {n}", l(k, s))).collect(),
        );
        family(
            "digituki_import_records_total",
            "counter",
            "Records summed over all successful runs, by kind (as digituki_import_last_records).",
            &|k, s| s.total.iter().map(|(kind, n)| format!("{{{},kind=\"{kind}\"}} {n}", l(k, s))).collect(),
        );
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// An arbitrary constant naming the import lock among PostgreSQL advisory locks.
const IMPORT_LOCK: i64 = 0x6469_6769_7475_6b69; // "digituki"

/// Runs every job of the schedule every `every` (the first round one interval after start),
/// for as long as the process runs. Rounds never overlap: the next waits for the last.
pub async fn run_forever(
    schedule: Schedule,
    database_url: String,
    geocoder: Option<Geocoder>,
    stats: Arc<ImportStats>,
) {
    tracing::info!(every = ?schedule.every, jobs = ?schedule.jobs, "scheduled imports");
    loop {
        tokio::time::sleep(schedule.every).await;
        run_round(&schedule.jobs, &database_url, geocoder.as_ref(), &stats).await;
    }
}

/// One round: every job once, under the import lock.
pub async fn run_round(jobs: &[Job], database_url: &str, geocoder: Option<&Geocoder>, stats: &ImportStats) {
    use diesel::sql_types::Bool;
    use diesel_async::{AsyncConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Locked {
        #[diesel(sql_type = Bool)]
        locked: bool,
    }
    // The lock lives as long as this connection (a session lock): dropping it releases it.
    let mut lock_conn = match diesel_async::AsyncPgConnection::establish(database_url).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "scheduled imports: the database is unreachable; skipping this round");
            for job in jobs {
                stats.record(job, &Err(format!("database unreachable: {e}")), Duration::ZERO);
            }
            return;
        }
    };
    let locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<diesel::sql_types::BigInt, _>(IMPORT_LOCK)
        .get_result::<Locked>(&mut lock_conn)
        .await
        .map(|l| l.locked);
    if !matches!(locked, Ok(true)) {
        tracing::info!("scheduled imports: another instance is running them; skipping this round");
        return;
    }
    for job in jobs {
        let started = Instant::now();
        let outcome = match (job.run)(database_url.to_owned(), geocoder.cloned()).await {
            Ok(r) => match &r.aborted {
                Some(reason) => Err(format!("nothing imported: {reason}")),
                None => Ok(r),
            },
            Err(e) => Err(format!("{e:#}")),
        };
        let took = started.elapsed();
        match &outcome {
            Ok(r) => tracing::info!(
                target: "digituki::import",
                job = %job.spec,
                source = %job.source,
                fetched = r.fetched,
                created = r.created.len(),
                updated = r.updated.len(),
                unchanged = r.unchanged,
                deactivated = r.deactivated.len(),
                conflicts = r.conflicts.len(),
                skipped = r.skipped.len(),
                seconds = took.as_secs_f64(),
                "scheduled import done"
            ),
            Err(reason) => tracing::warn!(
                target: "digituki::import",
                job = %job.spec,
                source = %job.source,
                error = %reason,
                seconds = took.as_secs_f64(),
                "scheduled import failed"
            ),
        }
        stats.record(job, &outcome, took);
    }
    drop(lock_conn);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_intervals() {
        assert_eq!(parse_every("6h"), Ok(Duration::from_secs(6 * 3600)));
        assert_eq!(parse_every("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_every("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_every("1d"), Ok(Duration::from_secs(86400)));
        assert_eq!(parse_every("500ms"), Ok(Duration::from_millis(500)));
        for bad in ["", "6", "h", "6x", "0h", "-1h", "6 hours later"] {
            assert!(parse_every(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_jobs() {
        let j = Job::parse("kirkanta:consortium=2093, city=Joensuu,base_url=http://127.0.0.1:1").unwrap();
        assert_eq!(
            (j.source.as_str(), j.spec.as_str()),
            ("kirkanta", "kirkanta:consortium=2093, city=Joensuu,base_url=http://127.0.0.1:1")
        );
        assert!(Job::parse("kirkanta").unwrap_err().contains("consortium"));
        assert!(Job::parse("kirkanta:consortium=1,colour=red").unwrap_err().contains("colour"));
        assert!(Job::parse("kirkanta:consortium=1,consortium=2").unwrap_err().contains("twice"));
        assert!(Job::parse("kirkanta:consortium=1,retries=many").unwrap_err().contains("retries"));
        assert!(Job::parse("kirkanta:consortium=1,base_url=ftp://x").unwrap_err().contains("base_url"));
        assert!(Job::parse("finna:x=1").unwrap_err().contains("unknown import source"));
        let p = Job::parse("ptv:municipality=167+276,base_url=http://127.0.0.1:1,retries=0").unwrap();
        assert_eq!(p.source, "ptv");
        assert!(Job::parse("ptv:retries=1").unwrap_err().contains("municipality"));
        assert!(Job::parse("ptv:municipality=167,colour=red").unwrap_err().contains("colour"));
    }
}
