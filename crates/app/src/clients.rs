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

/// A client as its scopes were changed.
#[derive(Debug, Clone)]
pub struct ScopesChanged {
    pub client: fml_store::clients::ClientRow,
    /// A scope was taken away: the client's live tokens were revoked.
    pub tokens_revoked: bool,
}

/// Sets the scopes a live client of `org` may be granted (audited as `client.scopes`, with
/// what they were). Widening keeps its live tokens (their scopes are those they were granted;
/// the next token carries the new ones); narrowing revokes them, so no token keeps a scope
/// the client lost. The same scopes again change nothing.
pub async fn set_scopes(
    ctx: &Ctx,
    org: &OrgId,
    id: &str,
    scopes: ScopeSet,
    by: Operator<'_>,
) -> Result<ScopesChanged, CommandError> {
    if scopes.is_empty() {
        return Err(CommandError::field("scopes", "choose at least one scope"));
    }
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let Some(mut client) = fml_store::clients::get_in(unit.conn(), org, id).await? else {
        return Err(CommandError::NotFound("no such client"));
    };
    if client.revoked_at.is_some() {
        return Err(CommandError::Conflict("client_revoked", "the client is revoked; create a new one".into()));
    }
    // Stored scopes are ours; an unknown one (none today) counts as taken away.
    let before = ScopeSet::parse_space_separated(&client.scopes).unwrap_or_else(|_| ScopeSet::all());
    if before == scopes {
        unit.unchanged();
        unit.commit().await?;
        return Ok(ScopesChanged { client, tokens_revoked: false });
    }
    let narrowed = !before.is_subset_of(scopes);
    let text = scopes.to_space_separated();
    fml_store::clients::set_scopes(unit.conn(), org, id, &text, narrowed).await?;
    let detail = json!({"clientId": id, "from": client.scopes, "to": text, "tokensRevoked": narrowed});
    by.record(&mut unit, org, "client.scopes", detail, now).await?;
    unit.commit().await?;
    client.scopes = text;
    Ok(ScopesChanged { client, tokens_revoked: narrowed })
}

/// How long an access token is valid.
pub const TOKEN_TTL_SECS: i64 = 3600;

/// A hash no secret matches: verified against when the client id is unknown, so an unknown
/// client costs the same time as a wrong secret.
const DUMMY_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An access token granted to a client.
#[derive(Debug)]
pub struct Grant {
    pub token: Secret,
    /// The scopes granted, space-separated.
    pub scope: String,
    pub expires_in: i64,
}

/// Why a token was not granted.
#[derive(Debug)]
pub enum Refusal {
    /// Unknown client, wrong secret or revoked client (not told apart).
    InvalidClient,
    /// The scope asked for is unknown or not the client's; says which.
    InvalidScope(String),
    Store(fml_store::StoreError),
}

/// The client credentials grant: checks the client's secret (in constant time, also for an
/// unknown client), narrows its scopes to those asked for, and stores the new token's hash.
pub async fn grant(ctx: &Ctx, client_id: &str, secret: &str, requested: Option<&str>) -> Result<Grant, Refusal> {
    let creds = fml_store::clients::credentials(&ctx.db, client_id).await.map_err(Refusal::Store)?;
    let stored = creds.as_ref().map_or(DUMMY_HASH, |c| c.secret_hash.as_str());
    let secret_ok = fml_domain::secret::SecretHash::from_stored(stored.to_owned()).verify(secret);
    let Some(creds) = creds.filter(|c| secret_ok && c.revoked_at.is_none()) else {
        return Err(Refusal::InvalidClient);
    };
    let allowed = ScopeSet::parse_space_separated(&creds.scopes).unwrap_or_default();
    let granted = match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => allowed,
        Some(requested) => {
            let wanted = ScopeSet::parse_space_separated(requested)
                .map_err(|s| Refusal::InvalidScope(format!("unknown scope '{s}'")))?;
            if !wanted.is_subset_of(allowed) {
                return Err(Refusal::InvalidScope(
                    "the client is not allowed one or more of the requested scopes".into(),
                ));
            }
            wanted
        }
    };
    let token = Secret::generate("fml_at_");
    let now = Timestamp::now();
    let scope = granted.to_space_separated();
    let expires = now.plus_secs(TOKEN_TTL_SECS);
    fml_store::clients::insert_token(&ctx.db, &token.hash(), &creds.org_id, client_id, &scope, now, expires)
        .await
        .map_err(Refusal::Store)?;
    Ok(Grant { token, scope, expires_in: TOKEN_TTL_SECS })
}
