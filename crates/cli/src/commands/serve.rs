//! `fml serve`: the HTTP server (and the demo tenant on first start).

use anyhow::{Context, Result};
use clap::Args;
use fml_app::Db;
use fml_domain::{OrgId, ScopeSet};
use fml_server::keys;
use fml_web::config::Config;

use super::{allow_private_env, command_error, ctx, open_db};

#[derive(Debug, Args)]
pub struct ServeArgs {
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
    /// Disable an endpoint whose every attempt failed for this many hours (telling the
    /// tenant's admins by email, audited; one click enables it again); 0 never does. At most
    /// a week (the hourly health figures are kept eight days).
    #[arg(long, env = "FML_WEBHOOK_DISABLE_AFTER_HOURS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(0..=168))]
    webhook_disable_after_hours: u64,
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
    #[arg(long, env = "FML_TRUSTED_PROXIES", value_parser = fml_web::client_addr::TrustedProxies::parse)]
    trusted_proxies: Option<fml_web::client_addr::TrustedProxies>,
    /// The most messages one tenant sends in an hour; beyond it they wait in the outbox.
    #[arg(long, env = "FML_MAIL_PER_TENANT_PER_HOUR", default_value_t = fml_web::config::DEFAULT_MAIL_PER_TENANT_PER_HOUR,
          value_parser = clap::value_parser!(u32).range(1..))]
    mail_per_tenant_per_hour: u32,
    /// The bearer token a Prometheus scraper presents at /metrics (at least 16 characters);
    /// unset, /metrics answers 404.
    #[arg(long, env = "FML_METRICS_TOKEN", value_parser = metrics_token, hide_env_values = true)]
    metrics_token: Option<String>,
    /// Test-only: the webhook retry schedule in milliseconds, e.g. "10,20,30,40,50".
    #[arg(long, env = "FML_TEST_RETRY_SCHEDULE_MS", hide = true)]
    test_retry_schedule_ms: Option<String>,
}

pub(crate) async fn serve(url: String, args: ServeArgs) -> Result<()> {
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
    config.metrics_token = args.metrics_token.map(fml_domain::secret::Secret::new);
    if let Some(reader) = args.document_reader {
        config.document_reader = reader;
    }
    config.delivery_retention = args.delivery_retention_days.map(|d| std::time::Duration::from_secs(d * 86_400));
    config.endpoint_disable_after = (args.webhook_disable_after_hours > 0)
        .then(|| std::time::Duration::from_secs(args.webhook_disable_after_hours * 3600));
    config.vendors = fml_vendors::Vendors::from_env();
    config.http = fml_web::http::HttpLimits {
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

/// A metrics token long enough not to be guessed.
fn metrics_token(raw: &str) -> Result<String, String> {
    if raw.chars().count() >= 16 && !raw.chars().any(char::is_whitespace) {
        Ok(raw.to_owned())
    } else {
        Err("FML_METRICS_TOKEN must be at least 16 characters, without spaces".into())
    }
}

/// Creates the demo tenant on first start and prints how to use it.
pub(crate) async fn demo(db: &Db, public: &str) -> Result<()> {
    let org = OrgId::parse("org_demo_bank").map_err(anyhow::Error::msg)?;
    match fml_app::orgs::create(&ctx(db), &org, "Demo Bank", fml_app::Operator::Cli).await {
        Ok(()) => {}
        Err(fml_app::CommandError::Conflict(..)) => {
            println!("Demo tenant org_demo_bank already exists; its client secret was printed on first start.");
            return Ok(());
        }
        Err(e) => return Err(command_error(e)),
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
