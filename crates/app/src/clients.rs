//! Public API clients: minting (the secret is returned once; only its hash is stored) and
//! revoking (its tokens stop working on every node when the change commits). The console and
//! the CLI both call these.

use fml_domain::secret::Secret;
use fml_domain::{ClientId, OrgId, ScopeSet, Timestamp};
use serde_json::json;

use crate::principal::Operator;
use crate::{CommandError, Ctx};

/// Longest client name, in characters.
pub const MAX_NAME: usize = 100;

/// Creates a client of `org` allowed `scopes`; returns its id and its secret (shown this once).
pub async fn create(
    ctx: &Ctx,
    org: &OrgId,
    name: &str,
    scopes: ScopeSet,
    by: Operator<'_>,
) -> Result<(ClientId, Secret), CommandError> {
    let mut errors = Vec::new();
    let name = match fml_domain::text::clean(name, MAX_NAME) {
        Ok(Some(n)) => n,
        Ok(None) => {
            errors.push(fml_domain::FieldError::new("name", "is required"));
            String::new()
        }
        Err(e) => {
            errors.push(fml_domain::FieldError::new("name", e.to_string()));
            String::new()
        }
    };
    if scopes.is_empty() {
        errors.push(fml_domain::FieldError::new("scopes", "choose at least one scope"));
    }
    if !errors.is_empty() {
        return Err(CommandError::Validation(errors));
    }
    let id = ClientId::generate();
    let secret = Secret::generate("fml_sk_");
    let now = Timestamp::now();
    let scope_text = scopes.to_space_separated();
    let mut unit = ctx.unit().await?;
    fml_store::clients::create(unit.conn(), org, &id, &name, &secret.hash(), &scope_text, now).await?;
    by.record(
        &mut unit,
        org,
        "client.create",
        json!({"clientId": id.as_str(), "name": name, "scopes": scope_text}),
        now,
    )
    .await?;
    unit.commit().await?;
    Ok((id, secret))
}

/// Revokes a client of `org` and deletes its tokens.
pub async fn revoke(ctx: &Ctx, org: &OrgId, id: &str, by: Operator<'_>) -> Result<(), CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    if !fml_store::clients::revoke(unit.conn(), org, id, now).await? {
        return Err(CommandError::NotFound("no such client"));
    }
    by.record(&mut unit, org, "client.revoke", json!({"clientId": id}), now).await?;
    unit.commit().await?;
    Ok(())
}
