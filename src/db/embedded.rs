//! The embedded default: a private PostgreSQL cluster under the data dir, run from the
//! installed server binaries, so that one command starts everything.
//!
//! initdb and postgres refuse to run as root; as root the binaries run as the `postgres`
//! user. The cluster listens only on a Unix socket inside the data dir. If the cluster is
//! already running (another `digituki` command on the same data dir), it is used and left
//! running; only a cluster this process started is stopped by it.

use std::os::unix::fs::PermissionsExt;
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

pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    cluster_dir: PathBuf,
    socket_dir: PathBuf,
    owner: Option<(u32, u32)>,
    started_here: bool,
}

impl EmbeddedPostgres {
    /// Creates the cluster the first time, starts it unless it is already running, and
    /// returns a handle whose `stop` stops it again if this process started it.
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
        let mut pg = EmbeddedPostgres { bin_dir, cluster_dir, socket_dir, owner, started_here: false };
        if !pg.cluster_dir.join("PG_VERSION").exists() {
            pg.initdb()?;
        }
        if !pg.is_running()? {
            pg.pg_ctl_start()?;
            pg.started_here = true;
        }
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

    /// Stops the cluster cleanly (fast shutdown: open sessions are ended, data is flushed),
    /// but only if this process started it.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        if !self.started_here {
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
        self.started_here = false;
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
}
