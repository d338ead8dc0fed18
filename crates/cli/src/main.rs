//! `fml`: the server and its admin commands. Every command reads the same settings
//! (`FML_DATABASE_URL`, …) so the admin commands work against a running server's database.

use std::process::ExitCode;

mod watchlist;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use fml_domain::{OrgId, Scope, ScopeSet, Timestamp};
use fml_server::config::{self, Config};
use fml_server::keys;
use fml_store::{ConnectOptions, Db};
use serde_json::json;

#[derive(Debug, Parser)]
#[command(name = "fml", version, about = "First Mile Labs KYB platform")]
struct Cli {
    /// Database URL: `sqlite:path` (the default, embedded) or `postgres://…`.
    #[arg(long, env = "FML_DATABASE_URL", global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Manage organisations (tenants).
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage OAuth clients of the Public API.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Read the mail outbox.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Manage outbound webhook endpoints.
    #[command(subcommand)]
    Endpoint(EndpointCommand),
    /// The master key that seals secrets at rest.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Manage analysts (a tenant's compliance team).
    #[command(subcommand)]
    Analyst(AnalystCommand),
    /// Tenant settings: the branding every email and the portal show.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Background jobs (sending mail, and the engines' work).
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// The sanctions and PEP watch list screening matches against.
    #[command(subcommand)]
    Sanctions(watchlist::SanctionsCommand),
    /// Adverse-media articles screening matches against.
    #[command(subcommand)]
    Media(watchlist::MediaCommand),
}

#[derive(Debug, Subcommand)]
enum JobsCommand {
    /// Print jobs, newest first.
    List {
        /// Only this organisation's jobs.
        #[arg(long)]
        org: Option<String>,
        /// queued, running, done or failed.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AnalystCommand {
    /// Create an analyst; the password and personal API token are printed this once.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// analyst, senior or admin.
        #[arg(long, default_value = "analyst")]
        role: String,
        /// Choose the password (`-` reads it from stdin) instead of generating one.
        #[arg(long)]
        password: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List an organisation's analysts.
    List {
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum SettingsCommand {
    /// Print an organisation's settings.
    Show {
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// Change an organisation's settings; a field left out is unchanged, an empty value clears it.
    Set {
        #[arg(long)]
        org: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        logo_url: Option<String>,
        #[arg(long)]
        support_email: Option<String>,
        /// Maker-checker: every high-risk approval needs a second senior or admin.
        #[arg(long)]
        second_approval: Option<bool>,
        /// Opens (true) or closes (false) the public application link.
        #[arg(long)]
        public_applications: Option<bool>,
        /// Applications one client address may start per hour on the public link (1 to 1000).
        #[arg(long)]
        public_applications_per_hour: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Print a new random key (64 hex characters), e.g. for FML_MASTER_KEY or a key file.
    Generate,
    /// Print the fingerprint of the key in force, checked against the database.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Re-seal every secret under a new generated key, in one transaction. Stop every
    /// `fml serve` first. With the implicit `master.key` or FML_MASTER_KEY_FILE the file is
    /// replaced; with FML_MASTER_KEY the new key is printed for you to install on every node.
    Rotate {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum EndpointCommand {
    /// Register an endpoint; its secret is printed this once.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        url: String,
        #[arg(long)]
        label: Option<String>,
        /// The shared secret; `-` reads it from standard input (keeps it out of shell
        /// history). Omitted: a 64-hex-character secret is generated.
        #[arg(long)]
        secret: Option<String>,
        /// Event types to deliver (repeatable); default: all.
        #[arg(long = "event-type")]
        event_types: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List an organisation's endpoints.
    List {
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// Change an endpoint.
    Update {
        #[arg(long)]
        org: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        label: Option<String>,
        /// A new secret (rotation); `-` reads it from standard input.
        #[arg(long, conflicts_with = "generate_secret")]
        secret: Option<String>,
        /// Rotate to a new generated secret, printed this once.
        #[arg(long)]
        generate_secret: bool,
        #[arg(long = "event-type")]
        event_types: Vec<String>,
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
        #[arg(long)]
        json: bool,
    },
    /// Delete an endpoint (its delivery history stays readable).
    Delete {
        #[arg(long)]
        org: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "FML_LISTEN")]
    listen: Option<String>,
    /// Base URL for links such as analystUrl (default http://<listen>).
    #[arg(long, env = "FML_PUBLIC_URL")]
    public_url: Option<String>,
    /// Base URL of the customer portal (default <public>/portal).
    #[arg(long, env = "FML_PORTAL_URL")]
    portal_url: Option<String>,
    /// SMTP server for outgoing mail, e.g. smtp://127.0.0.1:2525; without it mail stays in the outbox.
    #[arg(long, env = "FML_SMTP_URL")]
    smtp_url: Option<String>,
    /// Sender address of outgoing mail.
    #[arg(long, env = "FML_MAIL_FROM")]
    mail_from: Option<String>,
    /// On first start, create the demo tenant org_demo_bank with an all-scopes client.
    #[arg(long)]
    demo: bool,
    /// Allow http:// and private/loopback webhook targets: local development and tests only
    /// (also FML_WEBHOOK_ALLOW_PRIVATE_TARGETS=1).
    #[arg(long)]
    webhook_allow_private_targets: bool,
    /// Seconds a client may take to send a request's headers; also how long an idle
    /// kept-alive connection stays open.
    #[arg(long, env = "FML_HTTP_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    http_header_timeout_secs: u64,
    /// Connections open at once; past it new ones wait in the listen backlog.
    #[arg(long, env = "FML_HTTP_MAX_CONNECTIONS", default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    http_max_connections: u64,
    /// Keep finished webhook deliveries (and their attempts) this many days, then prune them;
    /// unset keeps them for ever, so Redeliver works at any time. Events (the case timeline)
    /// are never pruned.
    #[arg(long, env = "FML_DELIVERY_RETENTION_DAYS", value_parser = clap::value_parser!(u64).range(1..=36500))]
    delivery_retention_days: Option<u64>,
    /// Where documents' bytes are kept (content-addressed); shared by every node on PostgreSQL.
    /// Default: `documents/` beside a SQLite database, else `./fml-documents`.
    #[arg(long, env = "FML_DOCUMENTS_DIR")]
    documents_dir: Option<std::path::PathBuf>,
    /// The executable that reads uploaded documents in a child process when run with
    /// `read-document` (under 512 MiB of memory, 10 s of CPU and 20 s). Default: this `fml`.
    #[arg(long, env = "FML_DOCUMENT_READER")]
    document_reader: Option<std::path::PathBuf>,
    /// The reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For
    /// names the client for sign-in and application throttling; unset, the TCP peer is the client.
    #[arg(long, env = "FML_TRUSTED_PROXIES", value_parser = fml_server::client_addr::TrustedProxies::parse)]
    trusted_proxies: Option<fml_server::client_addr::TrustedProxies>,
    /// The most messages one tenant sends in an hour; beyond it they wait in the outbox.
    #[arg(long, env = "FML_MAIL_PER_TENANT_PER_HOUR", default_value_t = fml_server::config::DEFAULT_MAIL_PER_TENANT_PER_HOUR,
          value_parser = clap::value_parser!(u32).range(1..))]
    mail_per_tenant_per_hour: u32,
    /// Test-only: the webhook retry schedule in milliseconds, e.g. "10,20,30,40,50".
    #[arg(long, env = "FML_TEST_RETRY_SCHEDULE_MS", hide = true)]
    test_retry_schedule_ms: Option<String>,
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Create an organisation.
    Create {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ClientCommand {
    /// Create a client; its secret is printed this once.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        name: String,
        /// cases:write, cases:read, webhooks:write, webhooks:read (repeatable).
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List an organisation's clients.
    List {
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a client; its live tokens stop working at once.
    Revoke {
        #[arg(long)]
        org: String,
        #[arg(long)]
        client_id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// Print an organisation's queued and sent mail.
    List {
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    // `fml read-document` is the server's child document reader (`fml_app::docreader`): it
    // runs before anything else starts (no runtime, no logging), and is not in `--help`.
    if std::env::args().nth(1).as_deref() == Some(fml_app::docreader::ARG) {
        return fml_app::docreader::child_main();
    }
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(async_main()),
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn async_main() -> ExitCode {
    tracing_subscriber::fmt()
        // PostgreSQL's notices (e.g. "relation _sqlx_migrations already exists, skipping" on
        // every start) are routine: shown only from warnings up unless FML_LOG asks.
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FML_LOG")
                .unwrap_or_else(|_| "info,sqlx::postgres::notice=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn database_url(cli: &Option<String>) -> String {
    cli.clone().unwrap_or_else(|| config::DEFAULT_DATABASE_URL.to_owned())
}

async fn open_db(url: &str) -> Result<Db> {
    let db = Db::connect(url, &ConnectOptions::default()).await.with_context(|| format!("opening {url}"))?;
    db.migrate().await.context("running migrations")?;
    Ok(db)
}

/// The master key in force for `db`, checked against its sealed data.
async fn master_key(db: &Db, url: &str) -> Result<fml_domain::crypto::MasterKey> {
    Ok(keys::load(db, url, &keys::KeySettings::from_env()).await.map_err(anyhow::Error::msg)?.0)
}

async fn run(cli: Cli) -> Result<()> {
    let url = database_url(&cli.database_url);
    match cli.command {
        Command::Serve(args) => serve(url, args).await,
        Command::Org(OrgCommand::Create { id, name, json }) => {
            let org = OrgId::parse(&id).map_err(anyhow::Error::msg)?;
            let db = open_db(&url).await?;
            fml_store::orgs::create(&db, &org, name.trim(), Timestamp::now()).await?;
            print(json, &json!({ "orgId": org.as_str() }), || format!("created org {org}"));
            Ok(())
        }
        Command::Client(cmd) => client(&url, cmd).await,
        Command::Outbox(OutboxCommand::List { org, json }) => outbox(&url, &org, json).await,
        Command::Endpoint(cmd) => endpoint(&url, cmd).await,
        Command::Key(cmd) => key(&url, cmd).await,
        Command::Analyst(cmd) => analyst(&url, cmd).await,
        Command::Settings(cmd) => settings(&url, cmd).await,
        Command::Jobs(JobsCommand::List { org, status, limit, json }) => jobs(&url, org, status, limit, json).await,
        Command::Sanctions(cmd) => watchlist::sanctions(&url, cmd).await,
        Command::Media(cmd) => watchlist::media(&url, cmd).await,
    }
}

/// The commands layer on `db` (the CLI wakes no worker: a running server finds the work).
fn ctx(db: &Db) -> fml_app::Ctx {
    fml_app::Ctx::new(db.clone(), fml_store::unit::Wakers::default())
}

/// A command's refusal as a CLI error.
fn command_error(e: fml_app::CommandError) -> anyhow::Error {
    match e {
        fml_app::CommandError::Validation(fields) => anyhow::anyhow!(
            "{}",
            fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

async fn analyst(url: &str, cmd: AnalystCommand) -> Result<()> {
    let db = open_db(url).await?;
    match cmd {
        AnalystCommand::Create { org, email, name, role, password, json } => {
            let org = require_org(&db, &org).await?;
            let role = fml_domain::lifecycle::Role::parse(&role)
                .with_context(|| format!("--role must be analyst, senior or admin, not {role:?}"))?;
            let password = secret_arg(password)?;
            let created =
                fml_app::analysts::create(&ctx(&db), &org, &email, &name, role, password, fml_app::Operator::Cli)
                    .await
                    .map_err(command_error)?;
            let a = &created.analyst;
            print(
                json,
                &json!({
                    "id": a.id.to_string(), "orgId": a.org.as_str(), "email": a.email, "name": a.name,
                    "role": a.role.as_str(), "password": created.password.expose(), "apiToken": created.api_token.expose(),
                }),
                || {
                    format!(
                        "created {} ({}) in {}\npassword:  {}   (shown once)\napi token: {}   (shown once)",
                        a.email,
                        a.role.as_str(),
                        a.org,
                        created.password.expose(),
                        created.api_token.expose()
                    )
                },
            );
        }
        AnalystCommand::List { org, json } => {
            let org = require_org(&db, &org).await?;
            let rows = fml_store::analysts::list(&db, &org).await?;
            let list: Vec<_> = rows
                .iter()
                .map(|a| {
                    json!({"id": a.id.to_string(), "email": a.email, "name": a.name, "role": a.role.as_str(),
                           "disabled": a.disabled_at.is_some()})
                })
                .collect();
            print(json, &json!(list), || {
                rows.iter()
                    .map(|a| format!("{}\t{}\t{}", a.email, a.role.as_str(), a.name))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

async fn settings(url: &str, cmd: SettingsCommand) -> Result<()> {
    let db = open_db(url).await?;
    let (org, json, branding) = match cmd {
        SettingsCommand::Show { org, json } => {
            let org = require_org(&db, &org).await?;
            let b = fml_app::settings::branding(&ctx(&db), &org).await.map_err(command_error)?;
            (org, json, b)
        }
        SettingsCommand::Set {
            org,
            display_name,
            logo_url,
            support_email,
            second_approval,
            public_applications,
            public_applications_per_hour,
            json,
        } => {
            let org = require_org(&db, &org).await?;
            // An empty value clears the field.
            let field = |v: Option<String>| v.map(|s| Some(s).filter(|s| !s.is_empty()));
            let patch = fml_app::settings::SettingsPatch {
                display_name: field(display_name),
                logo_url: field(logo_url),
                support_email: field(support_email),
                second_approval,
                public_applications,
                public_applications_per_hour,
            };
            let b = fml_app::settings::update(&ctx(&db), None, &org, &patch).await.map_err(command_error)?;
            (org, json, b)
        }
    };
    let s = &branding.settings;
    print(
        json,
        &json!({"orgId": org.as_str(), "orgName": branding.org_name, "displayName": s.display_name,
                "logoUrl": s.logo_url, "supportEmail": s.support_email, "secondApproval": s.second_approval,
                "publicApplications": s.public_applications, "publicApplicationsPerHour": s.public_applications_per_hour}),
        || {
            format!(
                "org:             {org} ({})\ndisplay name:    {}\nlogo URL:        {}\nsupport email:   {}\nsecond approval: {}\npublic link:     {} ({} an hour per address)",
                branding.org_name,
                s.display_name.as_deref().unwrap_or("-"),
                s.logo_url.as_deref().unwrap_or("-"),
                s.support_email.as_deref().unwrap_or("-"),
                if s.second_approval { "on" } else { "off" },
                if s.public_applications { "open" } else { "closed" },
                s.public_applications_per_hour
            )
        },
    );
    Ok(())
}

fn print(json: bool, value: &serde_json::Value, human: impl FnOnce() -> String) {
    if json {
        println!("{value}");
    } else {
        println!("{}", human());
    }
}

async fn require_org(db: &Db, raw: &str) -> Result<OrgId> {
    let org = OrgId::parse(raw).map_err(anyhow::Error::msg)?;
    if fml_store::orgs::get(db, &org).await?.is_none() {
        bail!("no organisation {org}");
    }
    Ok(org)
}

async fn client(url: &str, cmd: ClientCommand) -> Result<()> {
    let db = open_db(url).await?;
    match cmd {
        ClientCommand::Create { org, name, scopes, json } => {
            let org = require_org(&db, &org).await?;
            let scopes: ScopeSet = scopes
                .iter()
                .flat_map(|s| s.split([',', ' ']))
                .filter(|s| !s.is_empty())
                .map(|s| Scope::parse(s).with_context(|| format!("unknown scope {s}")))
                .collect::<Result<_>>()?;
            let ctx = fml_app::Ctx::new(db.clone(), Default::default());
            let (id, secret) = fml_app::clients::create(&ctx, &org, &name, scopes, fml_app::Operator::Cli).await?;
            let scope_list: Vec<&str> = scopes.iter().map(Scope::as_str).collect();
            print(
                json,
                &json!({ "client_id": id.as_str(), "client_secret": secret.expose(), "scopes": scope_list }),
                || {
                    format!(
                        "client_id:     {id}\nclient_secret: {}\nscopes:        {}\n\nThe secret is shown this once; only its hash is stored.",
                        secret.expose(),
                        scope_list.join(" ")
                    )
                },
            );
        }
        ClientCommand::List { org, json } => {
            let org = require_org(&db, &org).await?;
            let rows = fml_store::clients::list(&db, &org).await?;
            let items: Vec<_> = rows
                .iter()
                .map(|c| {
                    json!({
                        "client_id": c.id, "name": c.name,
                        "scopes": c.scopes.split_whitespace().collect::<Vec<_>>(),
                        "createdAt": Timestamp::from_millis(c.created_at).to_iso(),
                        "revokedAt": c.revoked_at.map(|t| Timestamp::from_millis(t).to_iso()),
                    })
                })
                .collect();
            print(json, &json!(items), || {
                rows.iter()
                    .map(|c| {
                        format!(
                            "{}  {}  [{}]{}",
                            c.id,
                            c.name,
                            c.scopes,
                            if c.revoked_at.is_some() { "  (revoked)" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ClientCommand::Revoke { org, client_id, json } => {
            let org = require_org(&db, &org).await?;
            let ctx = fml_app::Ctx::new(db.clone(), Default::default());
            match fml_app::clients::revoke(&ctx, &org, &client_id, fml_app::Operator::Cli).await {
                Err(fml_app::CommandError::NotFound(_)) => bail!("organisation {org} has no client {client_id}"),
                other => other?,
            }
            print(json, &json!({ "client_id": client_id, "revoked": true }), || format!("revoked {client_id}"));
        }
    }
    Ok(())
}

/// The http(s) links in a message body, in order.
fn links_in(body: &str) -> Vec<String> {
    body.split_whitespace()
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ')', '>']).to_owned())
        .collect()
}

async fn jobs(url: &str, org: Option<String>, status: Option<String>, limit: i64, json: bool) -> Result<()> {
    let db = open_db(url).await?;
    let org = match org {
        Some(o) => Some(require_org(&db, &o).await?),
        None => None,
    };
    let status = match status.as_deref() {
        Some(s) => Some(
            fml_domain::jobs::JobStatus::parse(s)
                .with_context(|| format!("--status must be queued, running, done or failed, not {s:?}"))?,
        ),
        None => None,
    };
    let rows = fml_store::jobs::list(&db, org.as_ref(), status, limit).await?;
    let items: Vec<_> = rows
        .iter()
        .map(|j| {
            json!({
                "id": j.id, "orgId": j.org_id, "kind": j.job.kind(), "payload": serde_json::to_value(&j.job).unwrap_or_default(),
                "status": j.status.as_str(), "attempts": j.attempts, "maxAttempts": j.max_attempts,
                "runAt": j.run_at.to_iso(), "lastError": j.last_error, "createdAt": j.created_at.to_iso(),
                "finishedAt": j.finished_at.map(|t| t.to_iso()),
            })
        })
        .collect();
    print(json, &json!(items), || {
        items
            .iter()
            .map(|j| {
                format!(
                    "#{} {} [{}] attempts {}/{} run at {}{}",
                    j["id"],
                    j["kind"].as_str().unwrap_or(""),
                    j["status"].as_str().unwrap_or(""),
                    j["attempts"],
                    j["maxAttempts"],
                    j["runAt"].as_str().unwrap_or(""),
                    j["lastError"].as_str().map(|e| format!(" — {e}")).unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

async fn outbox(url: &str, org: &str, json: bool) -> Result<()> {
    let db = open_db(url).await?;
    let org = require_org(&db, org).await?;
    let key = master_key(&db, url).await?;
    let rows = fml_store::mail::list(&db, &org).await?;
    let items: Vec<_> = rows
        .iter()
        .map(|m| {
            let body = m
                .body_sealed
                .as_deref()
                .map(|b| key.open(fml_store::mail::SEAL_CONTEXT, b).map(|p| String::from_utf8_lossy(&p).into_owned()));
            let links: Vec<String> = match &body {
                Some(Ok(b)) => links_in(b),
                _ => Vec::new(),
            };
            json!({
                "id": m.id, "kind": m.kind, "to": m.recipient, "subject": m.subject, "status": m.status, "links": links,
                "caseId": m.case_id, "attempts": m.attempts, "lastError": m.last_error,
                "createdAt": Timestamp::from_millis(m.created_at).to_iso(),
                "sentAt": m.sent_at.map(|t| Timestamp::from_millis(t).to_iso()),
                "body": match body { Some(Ok(b)) => json!(b), Some(Err(_)) => json!("<cannot decrypt: different master key>"), None => json!(null) },
            })
        })
        .collect();
    print(json, &json!(items), || {
        items
            .iter()
            .map(|m| {
                format!(
                    "#{} [{}] to {} — {}\n{}",
                    m["id"],
                    m["status"],
                    m["to"],
                    m["subject"],
                    m["body"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n---\n")
    });
    Ok(())
}

/// `--secret`: `-` reads the secret from standard input (its first line), so it stays out of
/// shell history and the process list.
fn secret_arg(arg: Option<String>) -> Result<Option<String>> {
    match arg.as_deref() {
        Some("-") => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("reading the secret from standard input")?;
            let secret = line.trim_end_matches(['\r', '\n']).to_owned();
            if secret.is_empty() {
                bail!("--secret -: standard input held no secret");
            }
            Ok(Some(secret))
        }
        _ => Ok(arg),
    }
}

/// The JSON body the API's endpoint validation takes, from CLI flags.
fn endpoint_body(
    url: Option<String>,
    label: Option<String>,
    secret: Option<String>,
    generate_secret: bool,
    event_types: Vec<String>,
    enabled: Option<bool>,
) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    if let Some(v) = url {
        body.insert("url".into(), json!(v));
    }
    if let Some(v) = label {
        body.insert("label".into(), json!(v));
    }
    if let Some(v) = secret {
        body.insert("secret".into(), json!(v));
    }
    if generate_secret {
        body.insert("generateSecret".into(), json!(true));
    }
    if !event_types.is_empty() {
        body.insert("eventTypes".into(), json!(event_types));
    }
    if let Some(v) = enabled {
        body.insert("enabled".into(), json!(v));
    }
    serde_json::Value::Object(body)
}

fn api_error(e: fml_server::error::ApiError) -> anyhow::Error {
    match e {
        fml_server::error::ApiError::Validation(fields) => anyhow::anyhow!(
            "{}",
            fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

/// `FML_WEBHOOK_ALLOW_PRIVATE_TARGETS=1` (or `true`).
fn allow_private_env() -> bool {
    std::env::var("FML_WEBHOOK_ALLOW_PRIVATE_TARGETS").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

async fn endpoint(url: &str, cmd: EndpointCommand) -> Result<()> {
    use fml_app::endpoints::Operator;
    use fml_server::extract::typed_body;
    use fml_server::routes::endpoints::{CreateEndpointBody, EndpointView, UpdateEndpointBody, validate};
    let allow_private = allow_private_env();
    let db = open_db(url).await?;
    let show = |json_out: bool, v: &EndpointView| {
        let value = serde_json::to_value(v).unwrap_or_default();
        print(json_out, &value, || {
            let mut s =
                format!("{}  {}  {}  [{}]", v.id, v.url, v.label, if v.enabled { "enabled" } else { "disabled" });
            if let Some(secret) = &v.secret {
                s.push_str(&format!("\nsecret: {}   (shown once)", secret.expose()));
            }
            s
        });
    };
    match cmd {
        EndpointCommand::Create { org, url: target, label, secret, event_types, json } => {
            let org = require_org(&db, &org).await?;
            let body = endpoint_body(Some(target), label, secret_arg(secret)?, false, event_types, None);
            let typed: CreateEndpointBody = typed_body(&body).map_err(api_error)?;
            let input = validate(typed.fields(), true, allow_private).await.map_err(api_error)?;
            let key = master_key(&db, url).await?;
            let (ep, secret) =
                fml_app::endpoints::create(&ctx(&db), &key, &org, input, Operator::Cli).await.map_err(command_error)?;
            show(json, &EndpointView::new(ep, Some(secret)));
        }
        EndpointCommand::List { org, json } => {
            let org = require_org(&db, &org).await?;
            let views: Vec<EndpointView> =
                fml_store::endpoints::list(&db, &org).await?.into_iter().map(|e| EndpointView::new(e, None)).collect();
            print(json, &serde_json::to_value(&views)?, || {
                views.iter().map(|v| format!("{}  {}  {}", v.id, v.url, v.label)).collect::<Vec<_>>().join("\n")
            });
        }
        EndpointCommand::Update {
            org,
            id,
            url: target,
            label,
            secret,
            generate_secret,
            event_types,
            enable,
            disable,
            json,
        } => {
            let org = require_org(&db, &org).await?;
            let enabled = if enable {
                Some(true)
            } else if disable {
                Some(false)
            } else {
                None
            };
            let body = endpoint_body(target, label, secret_arg(secret)?, generate_secret, event_types, enabled);
            let typed: UpdateEndpointBody = typed_body(&body).map_err(api_error)?;
            let input = validate(typed.fields(), false, allow_private).await.map_err(api_error)?;
            let key = master_key(&db, url).await?;
            let (ep, secret) = fml_app::endpoints::update(&ctx(&db), &key, &org, &id, input, Operator::Cli)
                .await
                .map_err(command_error)?;
            show(json, &EndpointView::new(ep, secret));
        }
        EndpointCommand::Delete { org, id, json } => {
            let org = require_org(&db, &org).await?;
            match fml_app::endpoints::delete(&ctx(&db), &org, &id, Operator::Cli).await {
                Ok(()) => {}
                Err(fml_app::CommandError::NotFound(_)) => bail!("organisation {org} has no endpoint {id}"),
                Err(e) => return Err(command_error(e)),
            }
            print(json, &json!({ "id": id, "deleted": true }), || format!("deleted {id}"));
        }
    }
    Ok(())
}

async fn serve(url: String, args: ServeArgs) -> Result<()> {
    let db = open_db(&url).await?;
    let (key, origin) = keys::load(&db, &url, &keys::KeySettings::from_env()).await.map_err(anyhow::Error::msg)?;
    tracing::info!(fingerprint = keys::short(&key.fingerprint()), ?origin, "master key checked");
    let mut config =
        Config::resolve(args.listen, Some(url), args.public_url, args.portal_url, args.smtp_url, args.mail_from, key);
    config.allow_private_targets = args.webhook_allow_private_targets || allow_private_env();
    if let Some(dir) = args.documents_dir {
        config.documents_dir = dir;
    }
    config.trusted_proxies = args.trusted_proxies.unwrap_or_default();
    config.mail_per_tenant_per_hour = args.mail_per_tenant_per_hour;
    if let Some(reader) = args.document_reader {
        config.document_reader = reader;
    }
    config.delivery_retention = args.delivery_retention_days.map(|d| std::time::Duration::from_secs(d * 86_400));
    config.vendors = fml_server::vendors::Vendors::from_env();
    config.http = fml_server::http::HttpLimits {
        header_timeout: std::time::Duration::from_secs(args.http_header_timeout_secs),
        max_connections: usize::try_from(args.http_max_connections).unwrap_or(usize::MAX),
    };
    if let Some(raw) = args.test_retry_schedule_ms {
        config.retry_schedule = fml_webhooks::Schedule::from_millis_list(&raw).context("FML_TEST_RETRY_SCHEDULE_MS")?;
        tracing::warn!(schedule = %raw, "using a test retry schedule");
    }
    let listener =
        tokio::net::TcpListener::bind(&config.listen).await.with_context(|| format!("binding {}", config.listen))?;
    let public = config.public_url.clone();
    let app = fml_server::App::with_db(db, config);
    if args.demo {
        demo(app.db(), &public).await?;
    }
    tracing::info!(address = %listener.local_addr()?, "fml listening");
    app.serve(listener).await?;
    Ok(())
}

/// Creates the demo tenant on first start and prints how to use it.
async fn demo(db: &Db, public: &str) -> Result<()> {
    let org = OrgId::parse("org_demo_bank").map_err(anyhow::Error::msg)?;
    match fml_store::orgs::create(db, &org, "Demo Bank", Timestamp::now()).await {
        Ok(()) => {}
        Err(fml_store::StoreError::Conflict(_)) => {
            println!("Demo tenant org_demo_bank already exists; its client secret was printed on first start.");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    }
    let (id, secret) = fml_app::clients::create(&ctx(db), &org, "Demo client", ScopeSet::all(), fml_app::Operator::Cli)
        .await
        .map_err(command_error)?;
    let admin = fml_app::analysts::create(
        &ctx(db),
        &org,
        "admin@demo-bank.example",
        "Demo Admin",
        fml_domain::lifecycle::Role::Admin,
        None,
        fml_app::Operator::Cli,
    )
    .await
    .map_err(command_error)?;
    println!(
        "\nAnalyst console: {public}/  (sign in as the demo admin)\n\
         analyst_email:     admin@demo-bank.example\nanalyst_password:  {}   (shown once)\nanalyst_api_token: {}   (shown once)",
        admin.password.expose(),
        admin.api_token.expose()
    );
    let s = secret.expose();
    println!(
        "\nDemo tenant org_demo_bank created with an API client holding every scope.\n\
         client_id:     {id}\nclient_secret: {s}   (shown once)\n\n\
         1. Mint a token:\n\
         curl -s -X POST {public}/v1/oauth/token -H 'Content-Type: application/json' \\\n  \
         -d '{{\"grant_type\":\"client_credentials\",\"client_id\":\"{id}\",\"client_secret\":\"{s}\"}}'\n\n\
         2. Open a case (replace $TOKEN with the access_token above):\n\
         curl -s -X POST {public}/v1/cases -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\\n  \
         -H 'Idempotency-Key: zapier-rec_8d2' \\\n  \
         -d '{{\"customerEmail\":\"jane@acme.example\",\"customerName\":\"Jane Doe\",\"companyName\":\"Acme Holdings Ltd\",\"country\":\"United Kingdom\",\"crmRecordId\":\"rec_8d2\",\"crmSource\":\"hubspot\",\"sendInvite\":true}}'\n"
    );
    Ok(())
}

async fn key(url: &str, cmd: KeyCommand) -> Result<()> {
    use fml_domain::crypto::MasterKey;
    if let KeyCommand::Generate = cmd {
        println!("{}", MasterKey::generate_hex());
        return Ok(());
    }
    let db = open_db(url).await?;
    let (current, origin) = keys::load(&db, url, &keys::KeySettings::from_env()).await.map_err(anyhow::Error::msg)?;
    match cmd {
        KeyCommand::Generate => Ok(()),
        KeyCommand::Show { json } => {
            let fp = current.fingerprint();
            print(json, &json!({ "fingerprint": fp }), || format!("master key fingerprint: {fp}"));
            Ok(())
        }
        KeyCommand::Rotate { json } => {
            let hex = MasterKey::generate_hex();
            let new = MasterKey::from_hex(&hex).map_err(anyhow::Error::msg)?;
            // The new key is put where it survives a crash before the database switches to it:
            // beside the old file (promoted after commit, or at the next start), or on stdout.
            let file = match &origin {
                keys::KeyOrigin::Beside(p) | keys::KeyOrigin::File(p) => {
                    let next = keys::next_path(p);
                    let _ = std::fs::remove_file(&next);
                    keys::write_key_file(&next, &hex).map_err(anyhow::Error::msg)?;
                    Some((next, p.clone()))
                }
                keys::KeyOrigin::Env => {
                    eprintln!("new master key (set FML_MASTER_KEY to it on every node and for the CLI):\n{hex}");
                    None
                }
            };
            let done = match fml_store::keyring::rotate(&db, &current, &new).await {
                Ok(d) => Some(d),
                Err(e) => {
                    // The commit may have happened even though its answer was lost: the
                    // recorded fingerprint says which key is in force now.
                    let recorded = fml_store::keyring::fingerprint(&db).await.ok().flatten();
                    if recorded.as_deref() != Some(new.fingerprint().as_str()) {
                        if let Some((next, _)) = &file {
                            let _ = std::fs::remove_file(next);
                        }
                        bail!("rotation failed, nothing changed and the current key stays in force: {e}");
                    }
                    tracing::warn!(error = %e, "the rotation's commit answered with an error but took effect");
                    None
                }
            };
            if let Some((next, path)) = &file {
                std::fs::rename(next, path).with_context(|| {
                    format!("the database now uses the key in {}; move it to {}", next.display(), path.display())
                })?;
            }
            let fp = new.fingerprint();
            let done = done.unwrap_or_default();
            print(
                json,
                &json!({
                    "fingerprint": fp,
                    "endpointSecrets": done.endpoint_secrets,
                    "mailBodies": done.mail_bodies,
                    "storedResponses": done.stored_responses,
                }),
                || {
                    format!(
                        "re-sealed {} endpoint secrets, {} mail bodies and {} stored responses; new key fingerprint {fp}",
                        done.endpoint_secrets, done.mail_bodies, done.stored_responses
                    )
                },
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
