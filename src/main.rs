use std::net::TcpListener;

use anyhow::Context;
use clap::Parser;
use digituki::config::{Cli, Command, ImportCommand, ServeArgs, TokenCommand};
use digituki::startup;

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// glibc gives each thread that meets contention its own heap arena (up to 8 per core); the
/// snapshot is built on one thread and read on others, so many arenas mostly hold freed pages.
/// Two arenas keep the resident size close to what is live.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only changes allocator tuning; called before the service allocates much.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    limit_malloc_arenas();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    init_logging(matches!(&command, Command::Serve(a) if a.log_json));
    match command {
        Command::Serve(args) => serve(&cli.db, args).await,
        Command::Migrate => {
            let mut db = startup::open_database(&cli.db).await?;
            println!("migrations applied");
            stop(&mut db);
            Ok(())
        }
        Command::Seed => {
            let mut db = startup::open_database(&cli.db).await?;
            let result = seed(&db.url).await;
            stop(&mut db);
            let counts = result?;
            println!(
                "loaded {} organizations, {} locations, {} services, {} postal codes",
                counts.organizations, counts.locations, counts.services, counts.postal_codes
            );
            Ok(())
        }
        Command::Token(cmd) => {
            let mut db = startup::open_database(&cli.db).await?;
            let result = token(&db.url, cmd).await;
            stop(&mut db);
            result
        }
        Command::Import(ImportCommand::Kirkanta(args)) => {
            let mut db = startup::open_database(&cli.db).await?;
            let result = import_kirkanta(&db.url, args).await;
            stop(&mut db);
            result
        }
        Command::Import(ImportCommand::Ptv(args)) => {
            if args.municipalities.is_empty() && args.organizations.is_empty() {
                anyhow::bail!("give --municipality <code> and/or --organization <PTV organization id>");
            }
            let mut db = startup::open_database(&cli.db).await?;
            let result = import_ptv(&db.url, args).await;
            stop(&mut db);
            result
        }
        Command::Geocode(args) => {
            let mut db = startup::open_database(&cli.db).await?;
            let result = async {
                let geocoder = geocoder()?;
                if geocoder.is_none() {
                    eprintln!("DIGITUKI_GEOCODER_URL is not set: using postal-code centroids and municipality centres");
                }
                let options = digituki::geocode::fill::FillOptions {
                    interval: std::time::Duration::from_millis(args.geocode_interval_ms),
                };
                let report = digituki::geocode::fill::fill_missing(&db.url, geocoder.as_ref(), &options).await?;
                println!("{}", serde_json::to_string_pretty(&report)?);
                if !report.rate_limited.is_empty() {
                    eprintln!(
                        "the geocoder's rate limit was reached: {} locations left for a later run",
                        report.rate_limited.len()
                    );
                }
                anyhow::Ok(())
            }
            .await;
            stop(&mut db);
            result
        }
    }
}

fn geocoder() -> anyhow::Result<Option<digituki::geocode::Geocoder>> {
    digituki::geocode::GeocoderConfig::from_env()?.map(digituki::geocode::Geocoder::new).transpose()
}

/// Prints the report as JSON; fails (non-zero exit) when nothing could be imported.
async fn import_kirkanta(url: &str, args: digituki::config::KirkantaArgs) -> anyhow::Result<()> {
    let opts = digituki::import::kirkanta::Options {
        base_url: args.base_url,
        consortium: args.consortium,
        city: args.city,
        organization: args.organization,
        timeout: std::time::Duration::from_secs(args.timeout_secs),
        retries: args.retries,
        dry_run: args.dry_run,
        ..Default::default()
    };
    let geocoder = geocoder()?;
    let report = digituki::import::kirkanta::run(url, &opts, geocoder.as_ref()).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    if report.dry_run {
        eprintln!("dry run: nothing was written. It would:");
        for org in &report.organizations_created {
            eprintln!("  create organization {org}");
        }
        for c in &report.changes {
            let how = c.matched_by.as_deref().map(|m| format!(" (matched by {m})")).unwrap_or_default();
            eprintln!("  {} {}{how}", c.action, c.location_id);
            for f in &c.fields {
                eprintln!("      {}: {} -> {}", f.field, f.from, f.to);
            }
        }
    }
    summarize(&report, "Kirkanta", "libraries")
}

/// Tells on stderr what an import skipped, which partner edits it kept and what it did; fails
/// (non-zero exit) when nothing could be imported.
fn summarize(report: &digituki::import::ImportReport, upstream: &str, things: &str) -> anyhow::Result<()> {
    for s in &report.skipped {
        eprintln!("skipped {}: {}", s.external_id.as_deref().unwrap_or("(no id)"), s.reason);
    }
    for c in &report.conflicts {
        eprintln!(
            "conflict {} {}: kept {} (partner edit); {upstream} now says {}, last import wrote {}",
            c.location_id, c.field, c.current, c.upstream, c.last_imported
        );
    }
    match &report.aborted {
        Some(reason) => anyhow::bail!("nothing imported: {reason}"),
        None => {
            eprintln!(
                "{} {} {things}: {} created, {} updated, {} unchanged, {} deactivated, {} conflicts",
                if report.dry_run { "dry run, would import" } else { "imported" },
                report.imported(),
                report.created.len(),
                report.updated.len(),
                report.unchanged,
                report.deactivated.len(),
                report.conflicts.len()
            );
            Ok(())
        }
    }
}

/// Prints the report as JSON; fails (non-zero exit) when nothing could be imported.
async fn import_ptv(url: &str, args: digituki::config::PtvArgs) -> anyhow::Result<()> {
    let opts = digituki::import::ptv::Options {
        base_url: args.base_url,
        municipalities: args.municipalities,
        ptv_organizations: args.organizations,
        organization: args.organization_id,
        timeout: std::time::Duration::from_secs(args.timeout_secs),
        retries: args.retries,
        ..Default::default()
    };
    let geocoder = geocoder()?;
    let report = digituki::import::ptv::run(url, &opts, geocoder.as_ref()).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    summarize(&report, "PTV", "service locations")
}

async fn token(url: &str, cmd: TokenCommand) -> anyhow::Result<()> {
    use diesel_async::AsyncConnection;
    use digituki::db::tokens;
    let mut conn = diesel_async::AsyncPgConnection::establish(url).await?;
    match cmd {
        TokenCommand::Create { organization, name, admin } => {
            let name = digituki::auth::token_name(&name).map_err(|e| anyhow::anyhow!("--name {e}"))?;
            if !digituki::db::load::organization_exists(&mut conn, &organization).await? {
                anyhow::bail!("no organization {organization:?}");
            }
            let token = digituki::auth::generate_token();
            let row = tokens::create(
                &mut conn,
                &organization,
                &name,
                admin,
                &digituki::auth::sha256_hex(&token),
                &token[..8],
            )
            .await?;
            println!(
                "created token {} for {} ({}{}); it is shown only now:",
                row.id,
                row.organization_id,
                row.name,
                if row.is_admin { ", admin" } else { "" }
            );
            println!("{token}");
        }
        TokenCommand::List => {
            for t in tokens::list(&mut conn).await? {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d")),
                    None => "active".into(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}...\t{}",
                    t.id,
                    t.organization_id,
                    t.name,
                    if t.is_admin { "admin" } else { "partner" },
                    t.token_prefix,
                    state
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if !tokens::revoke(&mut conn, id).await? {
                anyhow::bail!("no active token {id}");
            }
            println!("revoked token {id}");
        }
    }
    Ok(())
}

async fn seed(url: &str) -> anyhow::Result<digituki::seed::SeedCounts> {
    use diesel_async::AsyncConnection;
    let mut conn = diesel_async::AsyncPgConnection::establish(url).await?;
    digituki::seed::seed(&mut conn).await
}

/// Leaves the embedded cluster, stopping it only when no other `digituki` process uses it
/// (see `digituki::db::embedded`); then a service lets go of the data dir.
fn stop(db: &mut startup::Database) {
    if let Some(pg) = db.embedded.as_mut() {
        if let Err(e) = pg.stop() {
            eprintln!("{e:#}");
        }
    }
    drop(db.service.take());
}

async fn serve(db_args: &digituki::config::DbArgs, args: ServeArgs) -> anyhow::Result<()> {
    // Checked before anything starts.
    let schedule = args.schedule()?;
    let mut db = startup::open_service_database(db_args).await?;
    let result = async {
        if !args.no_demo_data {
            use diesel_async::AsyncConnection;
            let mut conn = diesel_async::AsyncPgConnection::establish(&db.url).await?;
            if digituki::db::load::is_empty(&mut conn).await? {
                let counts = digituki::seed::seed(&mut conn).await?;
                tracing::info!(?counts, "loaded the bundled demo data into the empty directory");
            }
        }
        let listener = TcpListener::bind(args.listen).with_context(|| format!("binding {}", args.listen))?;
        let proxy =
            digituki::http::proxy::ProxyConfig::parse(args.trusted_proxies.as_deref(), args.public_url.as_deref())
                .map_err(anyhow::Error::msg)?;
        let options = startup::Options {
            proxy,
            metrics_token: args.metrics_token.clone().filter(|t| !t.is_empty()),
            geocoder: geocoder()?,
            schedule,
            workers: args.workers,
            limits: digituki::http::limits::Limits {
                max_body_bytes: args.max_body_bytes,
                writes_per_minute: args.writes_per_minute,
                failed_logins_per_minute: args.failed_logins_per_minute,
            },
        };
        let running = startup::build_with(&db.url, listener, options).await?;
        tracing::info!("listening on http://{}", args.listen);
        // actix stops on SIGINT/SIGTERM: no new connections, requests in flight finish.
        running.server.await?;
        anyhow::Ok(())
    }
    .await;
    stop(&mut db);
    result
}
