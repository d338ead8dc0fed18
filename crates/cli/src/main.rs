//! `fml`: the server and its admin commands. Every command reads the same settings
//! (`FML_DATABASE_URL`, …) so the admin commands work against a running server's database.

use std::process::ExitCode;

mod commands;
mod malloc;

use anyhow::Result;
use clap::{Parser, Subcommand};

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
    Serve(commands::serve::ServeArgs),
    /// Manage organisations (tenants).
    #[command(subcommand)]
    Org(commands::org::OrgCommand),
    /// Manage OAuth clients of the Public API.
    #[command(subcommand)]
    Client(commands::client::ClientCommand),
    /// Read the mail outbox.
    #[command(subcommand)]
    Outbox(commands::outbox::OutboxCommand),
    /// Manage outbound webhook endpoints (also `fml endpoints`).
    #[command(subcommand, visible_alias = "endpoints")]
    Endpoint(commands::endpoint::EndpointCommand),
    /// The master key that seals secrets at rest.
    #[command(subcommand)]
    Key(commands::key::KeyCommand),
    /// Manage analysts (a tenant's compliance team).
    #[command(subcommand)]
    Analyst(commands::analyst::AnalystCommand),
    /// Tenant settings: the branding every email and the portal show.
    #[command(subcommand)]
    Settings(commands::settings::SettingsCommand),
    /// Background jobs (sending mail, and the engines' work).
    #[command(subcommand)]
    Jobs(commands::jobs::JobsCommand),
    /// The sanctions and PEP watch list screening matches against.
    #[command(subcommand)]
    Sanctions(commands::watchlist::SanctionsCommand),
    /// Adverse-media articles screening matches against.
    #[command(subcommand)]
    Media(commands::watchlist::MediaCommand),
    /// Receive your tenant's events on this machine: forwarded, signed, to a local URL.
    Listen(commands::listen::ListenArgs),
    /// Send a sample event of any type to your `fml listen` session (no endpoint gets it).
    Trigger(commands::listen::TriggerArgs),
}

fn main() -> ExitCode {
    // `fml read-document` is the server's child document reader (`fml_app::docreader`): it
    // runs before anything else starts (no runtime, no logging), and is not in `--help`.
    if std::env::args().nth(1).as_deref() == Some(fml_app::docreader::ARG) {
        return fml_app::docreader::child_main();
    }
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve(_)) {
        malloc::one_arena();
    }
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(async_main(cli)),
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn async_main(cli: Cli) -> ExitCode {
    // `FML_LOG_FORMAT=json`: one JSON object per line, with the fields of the spans it
    // happened in (a request's id, method and path; a delivery's id, event and endpoint), for
    // a log pipeline. Otherwise the readable format.
    let json = std::env::var("FML_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    // PostgreSQL's notices (e.g. "relation _sqlx_migrations already exists, skipping" on
    // every start) are routine: shown only from warnings up unless FML_LOG asks.
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let filter = tracing_subscriber::EnvFilter::try_from_env("FML_LOG")
        .unwrap_or_else(|_| "info,sqlx::postgres::notice=warn".into());
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = if json {
        logs.json().with_current_span(true).with_span_list(false).with_filter(filter).boxed()
    } else {
        logs.with_filter(filter).boxed()
    };
    // `FML_OTLP_ENDPOINT` (the server only): requests and delivery attempts as OTLP traces.
    let otlp = std::env::var("FML_OTLP_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty() && matches!(cli.command, Command::Serve(_)))
        .map(|endpoint| {
            let service = std::env::var("FML_OTLP_SERVICE_NAME").unwrap_or_else(|_| "fml".into());
            fml_server::otel::layer(&endpoint, &service)
        });
    let (otlp_layer, exporter) = otlp.map_or((None, None), |(l, e)| (Some(l), Some(e)));
    // The delivery attempt's span is a debug span: traced, though not logged at `info`.
    let traced = tracing_subscriber::EnvFilter::new("info,fml_webhooks::engine=debug,sqlx=warn");
    tracing_subscriber::registry().with(logs).with(otlp_layer.map(|l| l.with_filter(traced))).init();
    if let Some(exporter) = exporter {
        tokio::spawn(exporter.run());
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if json => {
            tracing::error!(error = %format!("{e:#}"), "fml stopped");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let url = commands::database_url(&cli.database_url);
    match cli.command {
        Command::Serve(args) => commands::serve::serve(url, args).await,
        Command::Org(cmd) => commands::org::run(&url, cmd).await,
        Command::Client(cmd) => commands::client::client(&url, cmd).await,
        Command::Outbox(cmd) => commands::outbox::run(&url, cmd).await,
        Command::Endpoint(cmd) => commands::endpoint::endpoint(&url, cmd).await,
        Command::Key(cmd) => commands::key::key(&url, cmd).await,
        Command::Analyst(cmd) => commands::analyst::analyst(&url, cmd).await,
        Command::Settings(cmd) => commands::settings::settings(&url, cmd).await,
        Command::Jobs(cmd) => commands::jobs::run(&url, cmd).await,
        Command::Sanctions(cmd) => commands::watchlist::sanctions(&url, cmd).await,
        Command::Media(cmd) => commands::watchlist::media(&url, cmd).await,
        Command::Listen(args) => commands::listen::listen(args).await,
        Command::Trigger(args) => commands::listen::trigger(args).await,
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
