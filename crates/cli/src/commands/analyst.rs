//! `fml analyst`: a tenant's compliance team.

use anyhow::{Context, Result};
use clap::Subcommand;
use serde_json::json;

use super::{OrgListing, command_error, ctx, open_db, print, require_org, secret_arg};

#[derive(Debug, Subcommand)]
pub enum AnalystCommand {
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
    List(OrgListing),
}

pub(crate) async fn analyst(url: &str, cmd: AnalystCommand) -> Result<()> {
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
        AnalystCommand::List(OrgListing { org, json }) => {
            let org = require_org(&db, &org).await?;
            let rows = fml_app::queries::analysts(&ctx(&db), &org).await.map_err(command_error)?;
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
