//! Tenants: created by an operator (the CLI, the demo seed), each creation audited.

use fml_domain::{OrgId, Timestamp};
use serde_json::json;

use crate::principal::Operator;
use crate::{CommandError, Ctx};

/// Longest tenant name, in characters.
pub const MAX_NAME: usize = 200;

/// Creates tenant `org` named `name`; a taken id is a conflict and changes nothing.
pub async fn create(ctx: &Ctx, org: &OrgId, name: &str, by: Operator<'_>) -> Result<(), CommandError> {
    let name = match fml_domain::text::clean(name, MAX_NAME) {
        Ok(Some(n)) => n,
        Ok(None) => return Err(CommandError::field("name", "is required")),
        Err(e) => return Err(CommandError::field("name", e.to_string())),
    };
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    if !fml_store::orgs::create_in(unit.conn(), org, &name, now).await? {
        return Err(CommandError::Conflict("org_exists", format!("an organisation with id {org} already exists")));
    }
    by.record(&mut unit, org, "org.create", json!({"orgId": org.as_str(), "name": name}), now).await?;
    unit.commit().await?;
    Ok(())
}

/// Whether tenant `org` exists.
pub async fn exists(ctx: &Ctx, org: &OrgId) -> Result<bool, CommandError> {
    Ok(fml_store::orgs::get(&ctx.db, org).await?.is_some())
}
