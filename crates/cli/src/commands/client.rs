//! `fml client`: OAuth clients of the Public API.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use fml_domain::{Scope, ScopeSet, Timestamp};
use serde_json::json;

use super::{OrgListing, command_error, ctx, open_db, print, require_org};

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
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
    List(OrgListing),
    /// Set the scopes a client may be granted (audited). Taking a scope away revokes its live
    /// tokens; adding one keeps them (its next token carries the new scopes).
    Scopes {
        #[arg(long)]
        org: String,
        #[arg(long)]
        client_id: String,
        /// Every scope it keeps or gains (repeatable; also comma- or space-separated).
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
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

pub(crate) async fn client(url: &str, cmd: ClientCommand) -> Result<()> {
    let db = open_db(url).await?;
    match cmd {
        ClientCommand::Create { org, name, scopes, json } => {
            let org = require_org(&db, &org).await?;
            let scopes = scope_set(&scopes)?;
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
        ClientCommand::List(OrgListing { org, json }) => {
            let org = require_org(&db, &org).await?;
            let rows = fml_app::queries::clients(&ctx(&db), &org).await.map_err(command_error)?;
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
        ClientCommand::Scopes { org, client_id, scopes, json } => {
            let org = require_org(&db, &org).await?;
            let scopes = scope_set(&scopes)?;
            let ctx = fml_app::Ctx::new(db.clone(), Default::default());
            let changed =
                match fml_app::clients::set_scopes(&ctx, &org, &client_id, scopes, fml_app::Operator::Cli).await {
                    Err(fml_app::CommandError::NotFound(_)) => bail!("organisation {org} has no client {client_id}"),
                    other => other.map_err(command_error)?,
                };
            let list: Vec<&str> = changed.client.scopes.split_whitespace().collect();
            let out = json!({ "client_id": client_id, "scopes": list, "tokens_revoked": changed.tokens_revoked });
            print(json, &out, || {
                let revoked =
                    if changed.tokens_revoked { "\nA scope was taken away: its live tokens were revoked." } else { "" };
                format!("{client_id}  scopes: {}{revoked}", list.join(" "))
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

/// `--scope` values as a set: repeatable, each also comma- or space-separated.
fn scope_set(raw: &[String]) -> Result<ScopeSet> {
    raw.iter()
        .flat_map(|s| s.split([',', ' ']))
        .filter(|s| !s.is_empty())
        .map(|s| Scope::parse(s).with_context(|| format!("unknown scope {s}")))
        .collect()
}
