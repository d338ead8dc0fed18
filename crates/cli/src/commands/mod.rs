//! One module per subcommand (`fml <subcommand>`), and what they share: opening the
//! database, the master key, the commands layer and printing.

use anyhow::{Context, Result, bail};
use fml_app::{ConnectOptions, Db};
use fml_domain::OrgId;
use fml_server::keys;
use fml_web::config;

// `--org ORG [--json]`: the arguments of every listing of one organisation's things (a plain
// comment: a doc comment here would replace each listing's own help line).
#[derive(Debug, clap::Args)]
pub struct OrgListing {
    #[arg(long)]
    pub org: String,
    #[arg(long)]
    pub json: bool,
}

pub mod analyst;
pub mod client;
pub mod endpoint;
pub mod jobs;
pub mod key;
pub mod listen;
pub mod org;
pub mod outbox;
pub mod serve;
pub mod settings;
pub mod watchlist;

pub(crate) fn database_url(cli: &Option<String>) -> String {
    cli.clone().unwrap_or_else(|| config::DEFAULT_DATABASE_URL.to_owned())
}

pub(crate) async fn open_db(url: &str) -> Result<Db> {
    let db = Db::connect(url, &ConnectOptions::default()).await.with_context(|| format!("opening {url}"))?;
    db.migrate().await.context("running migrations")?;
    Ok(db)
}

/// The master key in force for `db`, checked against its sealed data.
pub(crate) async fn master_key(db: &Db, url: &str) -> Result<fml_domain::crypto::MasterKey> {
    Ok(keys::load(db, url, &keys::KeySettings::from_env()).await.map_err(anyhow::Error::msg)?.0)
}

/// The commands layer on `db` (the CLI wakes no worker: a running server finds the work).
pub(crate) fn ctx(db: &Db) -> fml_app::Ctx {
    fml_app::Ctx::new(db.clone(), fml_app::Wakers::default())
}

/// A command's refusal as a CLI error.
pub(crate) fn command_error(e: fml_app::CommandError) -> anyhow::Error {
    match e {
        fml_app::CommandError::Validation(fields) => anyhow::anyhow!(
            "{}",
            fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

pub(crate) fn print(json: bool, value: &serde_json::Value, human: impl FnOnce() -> String) {
    if json {
        println!("{value}");
    } else {
        println!("{}", human());
    }
}

pub(crate) async fn require_org(db: &Db, raw: &str) -> Result<OrgId> {
    let org = OrgId::parse(raw).map_err(anyhow::Error::msg)?;
    if !fml_app::orgs::exists(&ctx(db), &org).await.map_err(command_error)? {
        bail!("no organisation {org}");
    }
    Ok(org)
}

/// `--secret`: `-` reads the secret from standard input (its first line), so it stays out of
/// shell history and the process list.
pub(crate) fn secret_arg(arg: Option<String>) -> Result<Option<String>> {
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

/// `FML_WEBHOOK_ALLOW_PRIVATE_TARGETS=1` (or `true`).
pub(crate) fn allow_private_env() -> bool {
    std::env::var("FML_WEBHOOK_ALLOW_PRIVATE_TARGETS").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}
