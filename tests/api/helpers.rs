//! The test harness: one throwaway PostgreSQL cluster per test run, migrations and demo data
//! into a template database once, one database per test cloned from it, and the real service
//! started on a free port for each test.
//!
//! The cluster runs under a small shell watchdog that holds a pipe from this process: when the
//! test process ends (however it ends), the pipe closes, the watchdog stops the server and
//! removes the cluster folder.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::Value;
use tokio::sync::OnceCell;

pub const TEMPLATE: &str = "digituki_template";

pub struct Cluster {
    pub socket_dir: PathBuf,
    pub bin_dir: PathBuf,
    pub data_dir: PathBuf,
    pub owner: Option<(u32, u32)>,
    /// The watchdog; its stdin is the pipe that keeps the server alive.
    _watchdog: Mutex<Child>,
}

static CLUSTER: OnceCell<Cluster> = OnceCell::const_new();
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

fn postgres_owner() -> Option<(u32, u32)> {
    if unsafe { libc_geteuid() } != 0 {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").expect("reading /etc/passwd");
    let line = passwd.lines().find(|l| l.starts_with("postgres:")).expect(
        "tests run as root but there is no `postgres` user: install PostgreSQL with `apt-get install postgresql`",
    );
    let f: Vec<&str> = line.split(':').collect();
    Some((f[2].parse().unwrap(), f[3].parse().unwrap()))
}

extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

impl Cluster {
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@localhost/{db}?host={}", self.socket_dir.display())
    }

    fn start() -> Cluster {
        Self::start_named("test")
    }

    /// A cluster of its own in `$TMPDIR/digituki-{tag}-{pid}`, under the same watchdog.
    fn start_named(tag: &str) -> Cluster {
        let bin_dir = digituki::db::embedded::find_bin_dir()
            .unwrap_or_else(|e| panic!("the tests need a PostgreSQL server: {e:#}"));
        let owner = postgres_owner();
        let base = std::env::temp_dir().join(format!("digituki-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755)).unwrap();
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&base, Some(uid), Some(gid)).unwrap();
        }
        let data_dir = base.join("pgdata");
        let mut initdb = Command::new(bin_dir.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data_dir)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
            .stdout(Stdio::null());
        if let Some((uid, gid)) = owner {
            initdb.uid(uid).gid(gid);
        }
        let out = initdb.output().expect("running initdb");
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));

        // The watchdog: start postgres, wait for our pipe to close, then stop it and clean up.
        let script = r#"
            "$1/postgres" -D "$2" -k "$3" -c listen_addresses= -c fsync=off -c synchronous_commit=off \
                -c full_page_writes=off -c max_connections=300 >"$3/server.log" 2>&1 &
            pid=$!
            cat >/dev/null
            # pg_ctl also stops a server that a test restarted (not a child of this shell).
            "$1/pg_ctl" -D "$2" -m immediate -w stop >/dev/null 2>&1 || kill -INT "$pid" 2>/dev/null
            wait "$pid"
            rm -rf "$3"
        "#;
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(script)
            .arg("watchdog")
            .arg(&bin_dir)
            .arg(&data_dir)
            .arg(&base)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .current_dir("/");
        if let Some((uid, gid)) = owner {
            cmd.uid(uid).gid(gid);
        }
        let child = cmd.spawn().expect("starting the test PostgreSQL");
        Cluster { socket_dir: base.clone(), bin_dir, data_dir, owner, _watchdog: Mutex::new(child) }
    }

    /// Runs `pg_ctl stop|status|...` (fast shutdown) on this cluster; `start_again` brings a
    /// stopped server back with the same settings.
    pub fn pg_ctl(&self, action: &str) {
        let mut cmd = Command::new(self.bin_dir.join("pg_ctl"));
        cmd.arg("-D").arg(&self.data_dir).args(["-m", "fast", "-w", action]).current_dir("/").stdin(Stdio::null());
        if let Some((uid, gid)) = self.owner {
            cmd.uid(uid).gid(gid);
        }
        let out = cmd.output().expect("running pg_ctl");
        assert!(out.status.success(), "pg_ctl {action}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Starts the server again after `pg_ctl("stop")`, with the settings of the first start.
    pub fn start_again(&self) {
        let opts = format!(
            "-k {} -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            self.socket_dir.display()
        );
        let mut cmd = Command::new(self.bin_dir.join("pg_ctl"));
        cmd.arg("-D")
            .arg(&self.data_dir)
            .arg("-l")
            .arg(self.socket_dir.join("server-restarted.log"))
            .args(["-o", &opts, "-w", "start"])
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some((uid, gid)) = self.owner {
            cmd.uid(uid).gid(gid);
        }
        let out = cmd.output().expect("running pg_ctl start");
        assert!(out.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// A cluster of this test alone (for tests that stop the server: the shared cluster serves
/// other tests concurrently), with database `digituki` migrated and seeded. Returns the
/// cluster and the database URL; the cluster goes away when the value is dropped.
#[allow(dead_code)]
pub async fn private_cluster(tag: &str) -> (Cluster, String) {
    let cluster = Cluster::start_named(tag);
    let client = admin(&cluster).await;
    client.batch_execute("CREATE DATABASE digituki").await.unwrap();
    let url = cluster.url("digituki");
    digituki::db::migrate(&url).await.expect("migrating the private cluster");
    {
        use diesel_async::AsyncConnection;
        let mut conn = diesel_async::AsyncPgConnection::establish(&url).await.unwrap();
        digituki::seed::seed(&mut conn).await.expect("seeding the private cluster");
    }
    (cluster, url)
}

impl Drop for Cluster {
    /// Closing the watchdog's pipe stops the server and removes the folder.
    fn drop(&mut self) {
        if let Ok(mut child) = self._watchdog.lock() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

async fn admin(cluster: &Cluster) -> tokio_postgres::Client {
    let mut last = None;
    for _ in 0..200 {
        match tokio_postgres::connect(&cluster.url("postgres"), tokio_postgres::NoTls).await {
            Ok((client, conn)) => {
                tokio::spawn(conn);
                return client;
            }
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the test PostgreSQL did not start: {last:?}");
}

/// The shared cluster, with the template database migrated and seeded.
pub async fn cluster() -> &'static Cluster {
    CLUSTER
        .get_or_init(|| async {
            let cluster = Cluster::start();
            let client = admin(&cluster).await;
            client.batch_execute(&format!("CREATE DATABASE {TEMPLATE}")).await.unwrap();
            let url = cluster.url(TEMPLATE);
            digituki::db::migrate(&url).await.expect("migrating the template");
            {
                use diesel_async::AsyncConnection;
                let mut conn = diesel_async::AsyncPgConnection::establish(&url).await.unwrap();
                digituki::seed::seed(&mut conn).await.expect("seeding the template");
            }
            cluster
        })
        .await
}

/// A fresh database cloned from the template.
pub async fn fresh_database() -> String {
    let cluster = cluster().await;
    let name = format!("test_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::SeqCst));
    let client = admin(cluster).await;
    client.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")).await.unwrap();
    cluster.url(&name)
}

/// The real service on a free port, on its own database.
pub struct TestApp {
    pub base: String,
    pub db_url: String,
    pub client: reqwest::Client,
    pub state: actix_web::web::Data<digituki::http::state::AppState>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let db_url = fresh_database().await;
        Self::spawn_on(db_url).await
    }

    pub async fn spawn_on(db_url: String) -> TestApp {
        Self::spawn_with(db_url, None).await
    }

    /// The service with the given geocoder (tests never read DIGITUKI_GEOCODER_URL).
    pub async fn spawn_with(db_url: String, geocoder: Option<digituki::geocode::Geocoder>) -> TestApp {
        Self::spawn_options(db_url, digituki::startup::Options { geocoder, ..Default::default() }).await
    }

    /// The service with the given options (one worker).
    pub async fn spawn_options(db_url: String, options: digituki::startup::Options) -> TestApp {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let running = digituki::startup::build_with(
            &db_url,
            listener,
            digituki::startup::Options { workers: Some(1), ..options },
        )
        .await
        .expect("starting the service");
        let base = format!("http://127.0.0.1:{}", running.port);
        tokio::spawn(running.server);
        TestApp { base, db_url, client: reqwest::Client::new(), state: running.state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GET that must answer 200 with JSON.
    pub async fn json(&self, path: &str) -> Value {
        let resp = self.get(path).await;
        let status = resp.status();
        let body = resp.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {body}"))
    }

    /// GET that must fail with a problem document naming `param`.
    pub async fn problem(&self, path: &str, status: u16, param: &str) -> Value {
        let resp = self.get(path).await;
        assert_eq!(resp.status().as_u16(), status, "GET {path}");
        let ct = resp.headers().get("content-type").unwrap().to_str().unwrap().to_owned();
        assert_eq!(ct, "application/problem+json", "GET {path}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["status"], status, "GET {path}: {body}");
        assert_eq!(body["parameter"], param, "GET {path}: {body}");
        assert!(body["detail"].as_str().unwrap().contains(param), "GET {path}: {body}");
        body
    }

    /// Runs SQL on this test's database.
    pub async fn sql(&self, sql: &str) {
        let (client, conn) = tokio_postgres::connect(&self.db_url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        client.batch_execute(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The database's directory version (bumped by every committed write statement).
    pub async fn directory_version(&self) -> i64 {
        let (client, conn) = tokio_postgres::connect(&self.db_url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        client.query_one("SELECT version FROM directory_state", &[]).await.unwrap().get(0)
    }

    /// Runs a query on this test's database and returns its rows.
    pub async fn query(&self, sql: &str) -> Vec<tokio_postgres::Row> {
        let (client, conn) = tokio_postgres::connect(&self.db_url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        client.query(sql, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Waits until the service's snapshot reaches the database's current version.
    pub async fn wait_for_snapshot(&self) {
        let (client, conn) = tokio_postgres::connect(&self.db_url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        let row = client.query_one("SELECT version FROM directory_state", &[]).await.unwrap();
        let want: i64 = row.get(0);
        for _ in 0..200 {
            // The version is read in the same transaction as the rows, so reaching it means
            // the snapshot holds every change committed so far (through LISTEN/NOTIFY).
            if self.state.store.get().version >= want {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("snapshot did not reach version {want}");
    }
}

/// Great-circle distance computed independently of the service (spherical law of haversines,
/// mean Earth radius as in geo).
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let r = 6_371_008.8_f64;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * a.sqrt().asin()
}

#[allow(dead_code)]
pub fn write_artifact(name: &str, bytes: &[u8]) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::File::create(dir.join(name)).unwrap().write_all(bytes).unwrap();
}

impl TestApp {
    /// A new token of the organization, made the way `digituki token create` makes one.
    pub async fn token(&self, organization: &str, admin: bool) -> String {
        use diesel_async::AsyncConnection;
        let mut conn = diesel_async::AsyncPgConnection::establish(&self.db_url).await.unwrap();
        let token = digituki::auth::generate_token();
        digituki::db::tokens::create(
            &mut conn,
            organization,
            &format!("test token of {organization}"),
            admin,
            &digituki::auth::sha256_hex(&token),
            &token[..8],
        )
        .await
        .unwrap();
        token
    }

    /// The first column of the first row, as text (NULL → "NULL").
    pub async fn scalar(&self, sql: &str) -> String {
        let (client, conn) = tokio_postgres::connect(&self.db_url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        let rows = client.simple_query(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        for msg in rows {
            if let tokio_postgres::SimpleQueryMessage::Row(row) = msg {
                return row.get(0).unwrap_or("NULL").to_owned();
            }
        }
        panic!("{sql}: no rows");
    }

    /// A write request with a bearer token.
    pub fn write(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path)).bearer_auth(token)
    }

    /// A record's history (`{record}/history`, with `token`), oldest first.
    pub async fn history(&self, record: &str, token: &str) -> Vec<Value> {
        let resp = self.write(reqwest::Method::GET, &format!("{record}/history"), token).send().await.unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "GET {record}/history: {body}");
        body["items"].as_array().unwrap_or_else(|| panic!("no history items: {body}")).clone()
    }

    /// The current ETag of a resource.
    pub async fn etag(&self, path: &str) -> String {
        let resp = self.get(path).await;
        assert_eq!(resp.status(), 200, "GET {path}");
        resp.headers()["etag"].to_str().unwrap().to_owned()
    }
}
