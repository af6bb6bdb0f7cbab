//! Who stops the embedded cluster (issue 14, point 2): the real binary, run on a data dir of
//! the test's own, in each sequence where a service and CLI commands share one cluster. The
//! rule under test (see `digituki::db::embedded`): the last `digituki` process using the
//! cluster stops it, none stops it under another, and one `serve` runs per data dir.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const ORG: &str = "joensuun-kaupunginkirjasto";

/// Whether a process runs (a zombie waiting for its reaper does not).
fn alive(pid: i32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !matches!(stat.rsplit(')').next().unwrap_or("").trim_start().chars().next(), None | Some('Z') | Some('X'))
}

struct Proc {
    name: String,
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

/// A data dir of the test's own and every process the test started on it. However the test
/// ends, the processes are stopped (SIGTERM, then SIGKILL), a cluster still running on the
/// data dir is stopped (immediate shutdown), and the folder is removed.
struct Harness {
    dir: PathBuf,
    logs: PathBuf,
    procs: Vec<Proc>,
}

impl Harness {
    fn new(tag: &str) -> Harness {
        // As root the server runs as `postgres`, which must be able to traverse the data dir.
        let dir = PathBuf::from(format!("/tmp/digituki-cluster-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let logs = dir.join("test-logs");
        std::fs::create_dir_all(&logs).unwrap();
        Harness { dir, logs, procs: Vec::new() }
    }

    /// Starts `digituki <args> --data-dir <dir>`; output goes to files under test-logs.
    fn spawn(&mut self, name: &str, args: &[&str]) -> usize {
        let stdout = self.logs.join(format!("{name}.out"));
        let stderr = self.logs.join(format!("{name}.err"));
        let child = Command::new(env!("CARGO_BIN_EXE_digituki"))
            .args(args)
            .arg("--data-dir")
            .arg(&self.dir)
            .env_remove("DATABASE_URL")
            .env_remove("DIGITUKI_DATA_DIR")
            .env_remove("DIGITUKI_GEOCODER_URL")
            .env_remove("DIGITUKI_KIRKANTA_URL")
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("RUST_LOG", "info,actix_server=warn")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("starting the digituki binary");
        self.procs.push(Proc { name: name.into(), child, stdout, stderr });
        self.procs.len() - 1
    }

    /// `digituki serve` on a free port; returns the process and the port.
    fn serve(&mut self, name: &str) -> (usize, u16) {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let listen = format!("127.0.0.1:{port}");
        (self.spawn(name, &["serve", "--listen", &listen, "--workers", "1"]), port)
    }

    fn stdout(&self, i: usize) -> String {
        std::fs::read_to_string(&self.procs[i].stdout).unwrap_or_default()
    }

    fn stderr(&self, i: usize) -> String {
        std::fs::read_to_string(&self.procs[i].stderr).unwrap_or_default()
    }

    fn exited(&mut self, i: usize) -> Option<ExitStatus> {
        self.procs[i].child.try_wait().unwrap()
    }

    /// Waits (bounded) for a process to end.
    fn wait(&mut self, i: usize, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.exited(i) {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} still running after {limit:?}; its log:\n{}",
                self.procs[i].name,
                self.stderr(i)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends a signal to a process the test started and has not reaped (so the pid is still its).
    fn signal(&mut self, i: usize, signal: libc::c_int) {
        assert!(self.exited(i).is_none(), "{} already ended", self.procs[i].name);
        assert_eq!(unsafe { libc::kill(self.procs[i].child.id() as i32, signal) }, 0);
    }

    /// Runs a CLI command to its end (at most 120 s); returns its stdout, asserting success.
    fn run(&mut self, name: &str, args: &[&str]) -> String {
        let i = self.spawn(name, args);
        let status = self.wait(i, Duration::from_secs(120));
        assert!(status.success(), "digituki {args:?} failed ({status}):\n{}", self.stderr(i));
        self.stdout(i)
    }

    /// A new partner token, made by `digituki token create` beside whatever else runs.
    fn token(&mut self, name: &str) -> String {
        let out = self.run(name, &["token", "create", "--organization", ORG, "--name", name]);
        out.lines().last().expect("the token is the last line").trim().to_owned()
    }

    /// Waits until the service answers /readyz with 200.
    async fn ready(&mut self, i: usize, port: u16) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let ready = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await;
            if matches!(&ready, Ok(r) if r.status() == 200) {
                return;
            }
            if let Some(status) = self.exited(i) {
                panic!("{} exited with {status} before it was ready:\n{}", self.procs[i].name, self.stderr(i));
            }
            assert!(Instant::now() < deadline, "{} not ready within 180 s:\n{}", self.procs[i].name, self.stderr(i));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn cluster_dir(&self) -> PathBuf {
        self.dir.canonicalize().unwrap().join("postgres")
    }

    /// The pid of the running postmaster of this data dir, if one runs.
    fn postmaster(&self) -> Option<i32> {
        let pid = std::fs::read_to_string(self.cluster_dir().join("postmaster.pid")).ok()?;
        let pid: i32 = pid.lines().next()?.trim().parse().ok()?;
        alive(pid).then_some(pid)
    }

    /// The postmaster and every other process of this data dir's cluster still running: its
    /// children (backends, background workers) and any process naming the cluster folder.
    fn postgres_processes(&self, postmaster: i32) -> Vec<i32> {
        let needle = self.cluster_dir().to_string_lossy().into_owned();
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            let ppid = stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<i32>().ok());
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let names_cluster = String::from_utf8_lossy(&cmdline).contains(&needle);
            if (pid == postmaster || ppid == Some(postmaster) || names_cluster) && alive(pid) {
                found.push(pid);
            }
        }
        found
    }

    /// Asserts (waiting up to 30 s) that no process of the cluster is left and that
    /// PostgreSQL removed its postmaster.pid, i.e. was stopped cleanly.
    fn assert_cluster_stopped(&self, postmaster: i32, why: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = self.postgres_processes(postmaster);
            let pid_file = self.cluster_dir().join("postmaster.pid").exists();
            if left.is_empty() && !pid_file {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{why}: PostgreSQL processes {left:?} still running (postmaster.pid present: {pid_file})"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        for p in &mut self.procs {
            if matches!(p.child.try_wait(), Ok(None)) {
                unsafe { libc::kill(p.child.id() as i32, libc::SIGTERM) };
            }
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        for p in &mut self.procs {
            while matches!(p.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if matches!(p.child.try_wait(), Ok(None)) {
                let _ = p.child.kill();
                let _ = p.child.wait();
            }
        }
        // A cluster the processes left running (the test failed, or killed a process).
        if let Some(postmaster) = self.postmaster() {
            unsafe { libc::kill(postmaster, libc::SIGQUIT) };
            let deadline = Instant::now() + Duration::from_secs(10);
            while alive(postmaster) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if alive(postmaster) {
                unsafe { libc::kill(postmaster, libc::SIGKILL) };
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A partner write through the service: a PATCH of a demo location, which must succeed.
async fn assert_writes(port: u16, token: &str, phone: &str) {
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/v1/locations/jns-rantakyla");
    let resp = client.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let resp = client
        .patch(&url)
        .bearer_auth(token)
        .header("If-Match", etag)
        .json(&serde_json::json!({ "phone": phone }))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body = resp.text().await.unwrap();
    assert_eq!(status, 200, "the service must write: {body}");
    let ready = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let health: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(health["status"], "ok", "{health}");
}

/// Sends SIGTERM to the service and asserts that it exits 0.
fn terminate(h: &mut Harness, service: usize) {
    h.signal(service, libc::SIGTERM);
    let status = h.wait(service, Duration::from_secs(90));
    assert!(status.success(), "the service exited with {status}:\n{}", h.stderr(service));
}

/// Starts `digituki import kirkanta` against a Kirkanta that accepts the request and answers
/// nothing until the returned connection is dropped (then the import fails: nothing
/// imported). Returns once the request arrived: the import has joined the cluster (it opens
/// the database before fetching) and holds it as long as the test wants.
async fn hanging_import(h: &mut Harness) -> (usize, std::net::TcpStream) {
    let kirkanta = TcpListener::bind("127.0.0.1:0").unwrap();
    kirkanta.set_nonblocking(true).unwrap();
    let base_url = format!("http://127.0.0.1:{}/v4", kirkanta.local_addr().unwrap().port());
    let import = h.spawn(
        "import",
        &[
            "import",
            "kirkanta",
            "--consortium",
            "2093",
            "--base-url",
            &base_url,
            "--retries",
            "0",
            "--timeout-secs",
            "600",
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        match kirkanta.accept() {
            Ok((stream, _)) => return (import, stream),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
        if let Some(status) = h.exited(import) {
            panic!("the import exited with {status} before fetching:\n{}", h.stderr(import));
        }
        assert!(Instant::now() < deadline, "the import did not fetch within 180 s:\n{}", h.stderr(import));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Hangs up on the import and asserts that it ended as it should: nothing imported.
fn end_import(h: &mut Harness, import: usize, request: std::net::TcpStream) {
    drop(request);
    let status = h.wait(import, Duration::from_secs(60));
    assert!(!status.success(), "nothing to import, so a failure exit: {}", h.stderr(import));
    assert!(h.stderr(import).contains("nothing imported"), "{}", h.stderr(import));
}

/// (a) A CLI command starts the cluster; a service starts meanwhile and attaches; the command
/// exits: the cluster stays up for the service, which stops it on SIGTERM.
#[tokio::test]
async fn a_cli_command_that_started_the_cluster_leaves_it_running_for_a_service_that_attached() {
    let mut h = Harness::new("a");
    let (import, request) = hanging_import(&mut h).await;
    let postmaster = h.postmaster().expect("the import started the embedded cluster");

    let (service, port) = h.serve("serve");
    h.ready(service, port).await;
    assert_eq!(h.postmaster(), Some(postmaster), "the service attached to the cluster the import started");

    // Kirkanta hangs up: the import ends (nothing imported) while the service runs.
    end_import(&mut h, import, request);

    assert_eq!(h.postmaster(), Some(postmaster), "the import stopped the cluster under the service");
    let token = h.token("token-after-import");
    assert_writes(port, &token, "013 267 1111").await;

    // The service, now the last user, stops the cluster it did not start.
    terminate(&mut h, service);
    h.assert_cluster_stopped(postmaster, "after SIGTERM of the last user");
}

/// (b) CLI commands beside a running service leave its cluster running; (d) a second service
/// on the same data dir is refused, naming the first, and the first is unaffected.
#[tokio::test]
async fn cli_commands_beside_a_service_leave_its_cluster_running_and_a_second_service_is_refused() {
    let mut h = Harness::new("b");
    let (service, port) = h.serve("serve");
    h.ready(service, port).await;
    let postmaster = h.postmaster().expect("the service started the embedded cluster");

    let token = h.token("token-beside-service");
    h.run("migrate", &["migrate"]);
    let listed = h.run("token-list", &["token", "list"]);
    assert!(listed.contains("token-beside-service"), "{listed}");
    assert_eq!(h.postmaster(), Some(postmaster), "a CLI command stopped the service's cluster");
    assert_writes(port, &token, "013 267 2222").await;

    let (second, second_port) = h.serve("second-serve");
    let status = h.wait(second, Duration::from_secs(60));
    assert!(!status.success(), "a second service on one data dir must not start");
    let err = h.stderr(second);
    let first_pid = h.procs[service].child.id();
    assert!(err.contains("already runs on the data dir"), "{err}");
    assert!(err.contains(&format!("(pid {first_pid})")), "the message names the running service: {err}");
    assert!(std::net::TcpStream::connect(("127.0.0.1", second_port)).is_err(), "the second service listened");
    assert_eq!(h.postmaster(), Some(postmaster));
    assert_writes(port, &token, "013 267 3333").await;

    terminate(&mut h, service);
    h.assert_cluster_stopped(postmaster, "after SIGTERM of the service");
}

/// (c) After kill -9 of the service, the restarted service adopts the orphaned cluster and
/// stops it on SIGTERM; an orphan found by a CLI command is stopped by it at exit.
#[tokio::test]
async fn a_restarted_service_adopts_the_cluster_orphaned_by_kill_9_and_stops_it_on_sigterm() {
    let mut h = Harness::new("c");
    let (first, port) = h.serve("serve-1");
    h.ready(first, port).await;
    let postmaster = h.postmaster().expect("the service started the embedded cluster");
    h.signal(first, libc::SIGKILL);
    h.wait(first, Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(h.postmaster(), Some(postmaster), "kill -9 of the service leaves its cluster orphaned");

    let (second, port) = h.serve("serve-2");
    h.ready(second, port).await;
    assert_eq!(h.postmaster(), Some(postmaster), "the restarted service adopts the running cluster");
    let token = h.token("token-after-restart");
    assert_writes(port, &token, "013 267 4444").await;
    terminate(&mut h, second);
    h.assert_cluster_stopped(postmaster, "after SIGTERM of the service that adopted the orphan");

    // Orphaned again; this time a CLI command comes first: it adopts the cluster and, being
    // its only user, stops it at exit.
    let (third, port) = h.serve("serve-3");
    h.ready(third, port).await;
    let postmaster = h.postmaster().expect("the service started the embedded cluster again");
    h.signal(third, libc::SIGKILL);
    h.wait(third, Duration::from_secs(30));
    let listed = h.run("token-list", &["token", "list"]);
    assert!(listed.contains("token-after-restart"), "{listed}");
    h.assert_cluster_stopped(postmaster, "after a CLI command that adopted the orphan exited");
}

/// A service that ends while a CLI command still uses the cluster leaves it to the command,
/// which stops it at exit, being then its last user.
#[tokio::test]
async fn a_service_ending_while_a_cli_command_runs_leaves_the_cluster_to_the_command() {
    let mut h = Harness::new("e");
    let (service, port) = h.serve("serve");
    h.ready(service, port).await;
    let postmaster = h.postmaster().expect("the service started the embedded cluster");
    let (import, request) = hanging_import(&mut h).await;

    terminate(&mut h, service);
    assert_eq!(h.postmaster(), Some(postmaster), "the service stopped the cluster under the import");
    assert!(h.exited(import).is_none(), "the import ended with the service:\n{}", h.stderr(import));

    end_import(&mut h, import, request);
    h.assert_cluster_stopped(postmaster, "after the last user, the import, exited");
}
