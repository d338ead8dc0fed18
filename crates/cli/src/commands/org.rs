//! `fml org`: organisations (tenants).

use anyhow::Result;
use clap::Subcommand;
use fml_domain::OrgId;
use serde_json::json;

use super::{command_error, ctx, open_db, print};

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
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

pub(crate) async fn run(url: &str, cmd: OrgCommand) -> Result<()> {
    let OrgCommand::Create { id, name, json } = cmd;
    let org = OrgId::parse(&id).map_err(anyhow::Error::msg)?;
    let db = open_db(url).await?;
    fml_app::orgs::create(&ctx(&db), &org, &name, fml_app::Operator::Cli).await.map_err(command_error)?;
    print(json, &json!({ "orgId": org.as_str() }), || format!("created org {org}"));
    Ok(())
}
