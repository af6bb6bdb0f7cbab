//! Command line and environment, parsed once at the edge into typed settings.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "digituki", version, about = "Digituki directory: digital-support providers of North Karelia")]
pub struct Cli {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Data folder of the embedded PostgreSQL cluster (used when DATABASE_URL is not set).
    #[arg(long, env = "DIGITUKI_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// PostgreSQL server to use instead of the embedded cluster.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations.
    Migrate,
    /// Load the bundled North Karelia demo data into an empty directory.
    Seed,
    /// Manage partner tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import records from an outside system.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Give stored locations without coordinates a position (geocoder from
    /// DIGITUKI_GEOCODER_URL, else postal-code centroid, else municipality centre).
    Geocode(GeocodeArgs),
}

#[derive(Debug, Clone, Args)]
pub struct GeocodeArgs {
    /// Least time between two geocoder requests, in milliseconds.
    #[arg(long, env = "DIGITUKI_GEOCODE_INTERVAL_MS", default_value_t = 500)]
    pub geocode_interval_ms: u64,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is printed once, as the last line of the output.
    Create {
        /// The organization the token may edit.
        #[arg(long)]
        organization: String,
        /// A label saying who uses it.
        #[arg(long)]
        name: String,
        /// May do everything (the regional coordinator).
        #[arg(long)]
        admin: bool,
    },
    /// List tokens, one a line, id first.
    List,
    /// Revoke a token by id.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Libraries from Kirkanta, the Finnish library directory (API v4).
    Kirkanta(KirkantaArgs),
    /// Service locations from PTV, Suomi.fi Palvelutietovaranto (open API v11).
    Ptv(PtvArgs),
}

#[derive(Debug, Clone, Args)]
pub struct PtvArgs {
    /// Municipality code (e.g. 167 for Joensuu); repeat or separate with commas.
    #[arg(long = "municipality", value_delimiter = ',')]
    pub municipalities: Vec<String>,
    /// PTV organization id (a guid); its service locations; repeat or separate with commas.
    #[arg(long = "organization", value_delimiter = ',')]
    pub organizations: Vec<String>,
    /// Put the locations under this existing organization of ours (default: one organization
    /// per PTV organization, `ptv-<guid>`, created when missing).
    #[arg(long)]
    pub organization_id: Option<String>,
    /// PTV open API base URL (up to and including `/api/v11`).
    #[arg(long, env = "DIGITUKI_PTV_URL", default_value = crate::import::ptv::DEFAULT_BASE_URL)]
    pub base_url: String,
    /// Timeout of each request, in seconds.
    #[arg(long, default_value_t = 30)]
    pub timeout_secs: u64,
    /// Extra attempts after a timeout, connection error or 5xx answer.
    #[arg(long, default_value_t = 2)]
    pub retries: u32,
}

#[derive(Debug, Clone, Args)]
pub struct KirkantaArgs {
    /// Kirkanta consortium id (e.g. Vaara-kirjastot's).
    #[arg(long)]
    pub consortium: Option<String>,
    /// Only libraries in this city (Kirkanta `city.name`).
    #[arg(long)]
    pub city: Option<String>,
    /// Put the libraries under this existing organization (default: one organization per
    /// consortium, `kirkanta-<consortium>`, created when missing).
    #[arg(long)]
    pub organization: Option<String>,
    /// Kirkanta API base URL.
    #[arg(long, env = "DIGITUKI_KIRKANTA_URL", default_value = crate::import::kirkanta::DEFAULT_BASE_URL)]
    pub base_url: String,
    /// Timeout of each request, in seconds.
    #[arg(long, default_value_t = 20)]
    pub timeout_secs: u64,
    /// Extra attempts after a timeout, connection error or 5xx answer.
    #[arg(long, default_value_t = 2)]
    pub retries: u32,
    /// Print what would change (added, updated with field diffs, made inactive, conflicts
    /// with partner edits) and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "DIGITUKI_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Worker threads (default: one per core).
    #[arg(long, env = "DIGITUKI_WORKERS")]
    pub workers: Option<usize>,
    /// Do not load the demo data into an empty database.
    #[arg(long, env = "DIGITUKI_NO_DEMO_DATA")]
    pub no_demo_data: bool,
    /// Largest accepted request body (bytes); larger ones answer 413.
    #[arg(long, env = "DIGITUKI_MAX_BODY_BYTES", default_value_t = 65536)]
    pub max_body_bytes: usize,
    /// Writes per minute allowed per token; more answer 429 with Retry-After.
    #[arg(long, env = "DIGITUKI_WRITES_PER_MINUTE", default_value_t = 120)]
    pub writes_per_minute: u32,
    /// Failed authentications per minute allowed per client address (burst of as many); more
    /// answer 429 with Retry-After, before any database query.
    #[arg(long, env = "DIGITUKI_FAILED_LOGINS_PER_MINUTE", default_value_t = 10)]
    pub failed_logins_per_minute: u32,
    /// Log as JSON lines.
    #[arg(long, env = "DIGITUKI_LOG_JSON")]
    pub log_json: bool,
    /// Proxies (comma-separated IP addresses or CIDR blocks) whose `Forwarded` and
    /// `X-Forwarded-*` headers are believed; from any other peer they are ignored.
    #[arg(long, env = "DIGITUKI_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// The public base URL of absolute links (referral slips, QR codes, JSON-LD ids), e.g.
    /// `https://digituki.example.fi`; by default the request's own Host.
    #[arg(long, env = "DIGITUKI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Restrict `/metrics` to requests with `Authorization: Bearer <this token>`.
    #[arg(long, env = "DIGITUKI_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Run the imports given with `--import` every this long (`6h`, `30m`, `1h30m`, `1d`); the
    /// first round one interval after start. Reported in the log and in `/metrics`.
    #[arg(long, env = "DIGITUKI_IMPORT_EVERY", value_parser = crate::import::schedule::parse_every)]
    pub import_every: Option<std::time::Duration>,
    /// An import to run on the schedule, `source:key=value,...` with the options of
    /// `digituki import <source>`, e.g. `kirkanta:consortium=2093`. Repeat for more (in the
    /// environment: separated by `;`).
    #[arg(long = "import", env = "DIGITUKI_IMPORTS", value_delimiter = ';')]
    pub imports: Vec<String>,
}

impl ServeArgs {
    /// The import schedule, checked: `--import-every` and `--import` come together.
    pub fn schedule(&self) -> anyhow::Result<Option<crate::import::schedule::Schedule>> {
        use crate::import::schedule::{Job, Schedule};
        let specs: Vec<&str> = self.imports.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        match (self.import_every, specs.is_empty()) {
            (None, true) => Ok(None),
            (None, false) => anyhow::bail!("--import needs --import-every (e.g. --import-every 6h)"),
            (Some(_), true) => {
                anyhow::bail!("--import-every needs at least one --import (e.g. kirkanta:consortium=2093)")
            }
            (Some(every), false) => {
                let jobs = specs
                    .into_iter()
                    .map(|s| Job::parse(s).map_err(|e| anyhow::anyhow!("--import {e}")))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                Ok(Some(Schedule { every, jobs }))
            }
        }
    }
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            listen: "127.0.0.1:8080".parse().unwrap(),
            workers: None,
            no_demo_data: false,
            max_body_bytes: 65536,
            writes_per_minute: 120,
            failed_logins_per_minute: 10,
            log_json: false,
            trusted_proxies: None,
            public_url: None,
            metrics_token: None,
            import_every: None,
            imports: Vec::new(),
        }
    }
}
