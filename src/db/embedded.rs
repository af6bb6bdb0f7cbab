//! The embedded default: a private PostgreSQL cluster under the data dir, run from the
//! installed server binaries, so that one command starts everything.
//!
//! initdb and postgres refuse to run as root; as root the binaries run as the `postgres`
//! user. The cluster listens only on a Unix socket inside the data dir.
//!
//! # Who stops the cluster
//!
//! Several `digituki` processes may use one data dir at once: the service (`serve`) and CLI
//! commands (`token`, `import`, `geocode`, `migrate`, `seed`) run beside it. The cluster belongs
//! to all the processes using it, and **the last one to leave stops it**; no process stops a
//! cluster that another live process still uses, whoever started it. This is kept with
//! flock(2) locks in the data dir, which the kernel releases when a process ends, however it
//! ends (kill -9 included), so a dead process never counts as a user:
//!
//! - `cluster.users`: every process using the cluster holds a shared lock on it from start to
//!   stop. Leaving, a process releases its lock and tries an exclusive one: getting it means
//!   that no other process uses the cluster, so it stops the cluster.
//! - `cluster.lock`: held exclusively while a process joins (creates, starts or adopts the
//!   cluster, and takes its shared lock) or leaves (decides and stops), so that no process
//!   joins a cluster that is being stopped, and two processes never start it at once.
//! - `service.lock`: held exclusively by `serve` for its whole life, holding its pid; a second
//!   `serve` on the same data dir refuses to start and names the pid of the first.
//!
//! Hence: a CLI command run beside the service leaves the cluster running at exit; a service
//! started while a CLI command had started the cluster keeps it when the command exits (and
//! stops it on SIGTERM, being then the last user); a service that ends while a CLI command
//! still runs leaves the cluster to that command, which stops it at exit. A cluster left
//! running by a process that died without stopping it (kill -9) is adopted by the next
//! process that comes (the `postmaster.pid` of PostgreSQL says whether it runs) and stopped
//! by the last user, like one it started. The locks only coordinate `digituki` processes:
//! a cluster someone starts by hand with `pg_ctl` is adopted and stopped like an orphan.
//!
//! So ownership passes on: at any moment the owner, the one process that will stop the
//! cluster, is its last user, and the gate lets one process at a time decide, so the cluster
//! is stopped once, by one process, and never under another. This was chosen over "`serve`
//! always owns it" because it also keeps an import alive when the service ends under it, and
//! needs no hand-over between processes. A CLI command interrupted by a signal (Ctrl-C) ends
//! without leaving, like a killed one: the cluster then runs until the next `digituki`
//! process on the data dir adopts it and leaves.

use std::fs::File;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

const INSTALL_HINT: &str = "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found \
in PATH or /usr/lib/postgresql/*/bin. Install them with `apt-get install postgresql` \
(Debian package postgresql, or postgresql-15), or set DATABASE_URL to use an existing server.";

/// Where the server binaries are: PATH first, then the newest /usr/lib/postgresql/*/bin.
pub fn find_bin_dir() -> anyhow::Result<PathBuf> {
    find_bin_dir_in(std::env::var_os("PATH"), Path::new("/usr/lib/postgresql"))
}

fn find_bin_dir_in(path: Option<std::ffi::OsString>, versions_dir: &Path) -> anyhow::Result<PathBuf> {
    if let Some(path) = path {
        for dir in std::env::split_paths(&path) {
            if ["initdb", "pg_ctl", "postgres"].iter().all(|b| is_executable(&dir.join(b))) {
                return Ok(dir);
            }
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir(versions_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            ["initdb", "pg_ctl", "postgres"].iter().all(|b| is_executable(&bin.join(b))).then_some((version, bin))
        })
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, bin)| bin).context(INSTALL_HINT)
}

fn is_executable(p: &Path) -> bool {
    p.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// The uid/gid to run the server binaries as: ourselves, or `postgres` when we are root.
fn run_as() -> anyhow::Result<Option<(u32, u32)>> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd").context("reading /etc/passwd")?;
    for line in passwd.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() > 3 && f[0] == "postgres" {
            return Ok(Some((f[2].parse()?, f[3].parse()?)));
        }
    }
    bail!("running as root, but there is no `postgres` user to run the PostgreSQL server as; install the Debian package postgresql (it creates the user)")
}

const GATE_LOCK: &str = "cluster.lock";
const USERS_LOCK: &str = "cluster.users";
const SERVICE_LOCK: &str = "service.lock";

fn open_lock(path: &Path) -> anyhow::Result<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .open(path)
        .with_context(|| format!("opening the lock file {}", path.display()))
}

/// flock(2), waiting for the lock (`LOCK_SH` or `LOCK_EX`).
fn lock(file: &File, operation: libc::c_int) -> std::io::Result<()> {
    loop {
        // SAFETY: flock on a file descriptor we own, with valid operation flags.
        if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// flock(2) without waiting: false when another open file holds a conflicting lock.
fn try_lock(file: &File, operation: libc::c_int) -> std::io::Result<bool> {
    match lock(file, operation | libc::LOCK_NB) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(false),
        Err(e) => Err(e),
    }
}

/// `cluster.lock`, held exclusively while this process joins or leaves the cluster.
struct Gate {
    _file: File,
}

impl Gate {
    fn enter(data_dir: &Path) -> anyhow::Result<Gate> {
        let file = open_lock(&data_dir.join(GATE_LOCK))?;
        if !try_lock(&file, libc::LOCK_EX)? {
            tracing::info!("waiting while another digituki process starts or stops the embedded PostgreSQL");
            lock(&file, libc::LOCK_EX).context("locking cluster.lock")?;
        }
        Ok(Gate { _file: file })
    }
}

/// This process's membership among the users of the cluster: a shared lock on
/// `cluster.users`, released when the value is dropped (or the process ends).
struct Membership(File);

impl Membership {
    /// Joins the users (the gate must be held). Returns the membership and whether no other
    /// process uses the cluster.
    fn join(data_dir: &Path, _gate: &Gate) -> anyhow::Result<(Membership, bool)> {
        let file = open_lock(&data_dir.join(USERS_LOCK))?;
        // Only holders of the gate take locks on this file, so that turning the exclusive
        // lock into a shared one (not atomic in flock) lets no one in between.
        let alone = try_lock(&file, libc::LOCK_EX)?;
        lock(&file, libc::LOCK_SH).context("locking cluster.users")?;
        Ok((Membership(file), alone))
    }

    /// Leaves the users (the gate must be held). Returns whether this process was the last.
    fn leave(self, data_dir: &Path, _gate: &Gate) -> anyhow::Result<bool> {
        drop(self.0);
        let file = open_lock(&data_dir.join(USERS_LOCK))?;
        Ok(try_lock(&file, libc::LOCK_EX)?)
    }
}

/// Held by `serve` for its whole life: one service per data dir. The file holds its pid.
pub struct ServiceLock {
    file: File,
}

impl ServiceLock {
    /// Takes the data dir for this service, or says which process already serves it.
    pub fn acquire(data_dir: &Path) -> anyhow::Result<ServiceLock> {
        std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
        let path = data_dir.join(SERVICE_LOCK);
        let mut file = open_lock(&path)?;
        if !try_lock(&file, libc::LOCK_EX)? {
            let pid = std::fs::read_to_string(&path).unwrap_or_default();
            let pid = match pid.trim() {
                "" => String::new(),
                pid => format!(" (pid {pid})"),
            };
            bail!(
                "another `digituki serve`{pid} already runs on the data dir {}: one service per data dir. \
                 Stop it first, or give this one another --data-dir; CLI commands may run beside it",
                data_dir.display()
            );
        }
        file.set_len(0)?;
        writeln!(file, "{}", std::process::id())?;
        Ok(ServiceLock { file })
    }
}

impl Drop for ServiceLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
    }
}

pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    cluster_dir: PathBuf,
    socket_dir: PathBuf,
    data_dir: PathBuf,
    owner: Option<(u32, u32)>,
    /// Present from start to stop.
    membership: Option<Membership>,
}

impl EmbeddedPostgres {
    /// Joins the users of the cluster: creates it the first time, starts it unless it is
    /// already running (adopting it when no live process uses it), and returns a handle
    /// whose `stop` stops it again if no other process uses it by then.
    pub fn start(data_dir: &Path) -> anyhow::Result<Self> {
        let bin_dir = find_bin_dir()?;
        let owner = run_as()?;
        std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
        let data_dir = data_dir.canonicalize()?;
        let cluster_dir = data_dir.join("postgres");
        let socket_dir = data_dir.join("run");
        for dir in [&cluster_dir, &socket_dir] {
            std::fs::create_dir_all(dir)?;
            if let Some((uid, gid)) = owner {
                std::os::unix::fs::chown(dir, Some(uid), Some(gid))?;
            }
        }
        std::fs::set_permissions(&cluster_dir, std::fs::Permissions::from_mode(0o700))?;
        if owner.is_some() {
            check_traversable(&data_dir)?;
        }
        let gate = Gate::enter(&data_dir)?;
        let (membership, alone) = Membership::join(&data_dir, &gate)?;
        let pg = EmbeddedPostgres { bin_dir, cluster_dir, socket_dir, data_dir, owner, membership: Some(membership) };
        let started = (|| {
            if !pg.cluster_dir.join("PG_VERSION").exists() {
                pg.initdb()?;
            }
            if !pg.is_running()? {
                pg.pg_ctl_start()?;
            } else if alone {
                tracing::warn!(
                    cluster = %pg.cluster_dir.display(),
                    "adopting the embedded PostgreSQL that a process left running without stopping it"
                );
            } else {
                tracing::info!("using the embedded PostgreSQL that another digituki process uses too");
            }
            anyhow::Ok(())
        })();
        // Out of the gate before a failure drops `pg`, whose `stop` enters it again.
        drop(gate);
        started?;
        Ok(pg)
    }

    /// A URL for the `digituki` database over the Unix socket.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@localhost/{database}?host={}", self.socket_dir.display())
    }

    /// Creates the application database when it does not exist yet.
    pub async fn ensure_database(&self, database: &str) -> anyhow::Result<()> {
        let (client, conn) = tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
            .await
            .context("connecting to the embedded cluster")?;
        let task = tokio::spawn(conn);
        let exists = client.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&database]).await?;
        if exists.is_none() {
            client.batch_execute(&format!("CREATE DATABASE \"{database}\"")).await?;
        }
        drop(client);
        let _ = task.await;
        Ok(())
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        if let Some((uid, gid)) = self.owner {
            cmd.uid(uid).gid(gid);
        }
        // The server must not inherit our working directory's permissions problems.
        cmd.current_dir("/");
        cmd
    }

    fn initdb(&self) -> anyhow::Result<()> {
        let out = self
            .command("initdb")
            .args(["-D"])
            .arg(&self.cluster_dir)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
            .stdin(Stdio::null())
            .output()
            .context("running initdb")?;
        if !out.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    fn is_running(&self) -> anyhow::Result<bool> {
        let status = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.cluster_dir)
            .arg("status")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .context("running pg_ctl status")?;
        Ok(status.success())
    }

    fn pg_ctl_start(&self) -> anyhow::Result<()> {
        let options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c max_connections=100 -c fsync=on",
            self.socket_dir.display()
        );
        let log = self.cluster_dir.join("server.log");
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.cluster_dir)
            .args(["-w", "-t", "60", "-o", &options, "-l"])
            .arg(&log)
            .arg("start")
            .stdin(Stdio::null())
            .output()
            .context("running pg_ctl start")?;
        if !out.status.success() {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(10).collect();
            bail!(
                "starting the embedded PostgreSQL failed: {}\n{}",
                String::from_utf8_lossy(&out.stderr),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        tracing::info!(cluster = %self.cluster_dir.display(), "embedded PostgreSQL started");
        Ok(())
    }

    /// Leaves the cluster, and stops it cleanly (fast shutdown: open sessions are ended, data
    /// is flushed) if no other process uses it. Done once; later calls do nothing.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        let Some(membership) = self.membership.take() else {
            return Ok(());
        };
        let gate = Gate::enter(&self.data_dir)?;
        if !membership.leave(&self.data_dir, &gate)? {
            tracing::info!("left the embedded PostgreSQL running for the other digituki processes using it");
            return Ok(());
        }
        if !self.is_running()? {
            return Ok(());
        }
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.cluster_dir)
            .args(["-m", "fast", "-w", "stop"])
            .stdin(Stdio::null())
            .output()
            .context("running pg_ctl stop")?;
        if !out.status.success() {
            bail!("stopping the embedded PostgreSQL failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        drop(gate);
        tracing::info!("embedded PostgreSQL stopped");
        Ok(())
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            tracing::error!("{e:#}");
        }
    }
}

/// As root the server runs as `postgres`, which must be able to reach the data dir.
fn check_traversable(dir: &Path) -> anyhow::Result<()> {
    for ancestor in dir.ancestors().skip(1) {
        let mode = ancestor.metadata()?.permissions().mode();
        if mode & 0o001 == 0 {
            bail!(
                "the data dir {} is inside {}, which the `postgres` user cannot enter; \
                 choose a --data-dir elsewhere (e.g. /var/tmp/digituki) or set DATABASE_URL",
                dir.display(),
                ancestor.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_server_binaries_name_the_package_to_install() {
        let empty = std::env::temp_dir().join(format!("digituki-no-pg-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let err = find_bin_dir_in(Some(empty.clone().into_os_string()), &empty).unwrap_err().to_string();
        std::fs::remove_dir_all(&empty).unwrap();
        assert!(err.contains("apt-get install postgresql"), "{err}");
        assert!(err.contains("DATABASE_URL"), "{err}");
    }

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("digituki-locks-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    // flock locks of two open files conflict even within one process, as between processes.

    #[test]
    fn only_the_last_user_to_leave_is_told_to_stop_the_cluster() {
        let dir = scratch("users");
        let (first, alone) = Membership::join(&dir, &Gate::enter(&dir).unwrap()).unwrap();
        assert!(alone, "the first user is alone");
        let (second, alone) = Membership::join(&dir, &Gate::enter(&dir).unwrap()).unwrap();
        assert!(!alone, "the second user finds the first");
        // The one that started it leaves first: the other still uses the cluster.
        assert!(!first.leave(&dir, &Gate::enter(&dir).unwrap()).unwrap());
        assert!(second.leave(&dir, &Gate::enter(&dir).unwrap()).unwrap());
        // A user that ends without leaving (dropped, as by the kernel when a process dies)
        // counts no more: the next one finds the cluster without users and adopts it.
        let (dead, _) = Membership::join(&dir, &Gate::enter(&dir).unwrap()).unwrap();
        drop(dead);
        let (next, alone) = Membership::join(&dir, &Gate::enter(&dir).unwrap()).unwrap();
        assert!(alone);
        assert!(next.leave(&dir, &Gate::enter(&dir).unwrap()).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_gate_admits_one_process_at_a_time() {
        let dir = scratch("gate");
        let held = Gate::enter(&dir).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let gate = Gate::enter(&dir).unwrap();
                tx.send(()).unwrap();
                drop(gate);
            })
        };
        assert!(rx.recv_timeout(std::time::Duration::from_millis(300)).is_err(), "entered a held gate");
        drop(held);
        rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the gate opens when its holder leaves");
        waiter.join().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_second_service_on_one_data_dir_is_refused_with_the_pid_of_the_first() {
        let dir = scratch("service");
        let first = ServiceLock::acquire(&dir).unwrap();
        let err = ServiceLock::acquire(&dir).err().expect("a second service must be refused").to_string();
        assert!(err.contains(&format!("(pid {})", std::process::id())), "{err}");
        assert!(err.contains("already runs on the data dir"), "{err}");
        assert!(err.contains("--data-dir"), "{err}");
        drop(first);
        let again = ServiceLock::acquire(&dir).expect("free again once the first service ends");
        drop(again);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
