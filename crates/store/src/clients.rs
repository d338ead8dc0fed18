//! OAuth clients of the Public API and the access tokens minted for them.

use fml_domain::secret::SecretHash;
use fml_domain::{ClientId, OrgId, Timestamp};

use crate::db::Conn;
use crate::{Db, StoreError, execute, fetch_all, fetch_optional};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClientRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub scopes: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    /// When it last obtained an access token.
    pub last_used_at: Option<i64>,
}

/// What the token endpoint needs to authenticate a client.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClientCredentials {
    pub org_id: String,
    pub secret_hash: String,
    pub scopes: String,
    pub revoked_at: Option<i64>,
}

/// The PostgreSQL channel on which a revocation tells every node to drop cached tokens.
pub const TOKENS_CHANNEL: &str = "fml_tokens";

/// A live access token, as the resource endpoints see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenGrant {
    pub org_id: String,
    pub org_name: String,
    pub client_id: String,
    pub scopes: String,
    pub expires_at: i64,
}

/// Inserts a client (its secret as a hash only), in the caller's transaction.
pub async fn create(
    conn: Conn<'_>,
    org: &OrgId,
    id: &ClientId,
    name: &str,
    secret_hash: &SecretHash,
    scopes: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO api_clients (id, org_id, name, secret_hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        id.as_str(),
        org.as_str(),
        name,
        secret_hash.as_str(),
        scopes,
        now.millis()
    )?;
    Ok(())
}

pub async fn list(db: &Db, org: &OrgId) -> Result<Vec<ClientRow>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_all!(
        c.conn(),
        ClientRow,
        "SELECT id, org_id, name, scopes, created_at, revoked_at, last_used_at FROM api_clients WHERE org_id = $1 \
         ORDER BY created_at, id",
        org.as_str()
    )?)
}

/// One client of the tenant, in the caller's transaction.
pub async fn get_in(conn: Conn<'_>, org: &OrgId, id: &str) -> Result<Option<ClientRow>, StoreError> {
    Ok(fetch_optional!(
        conn,
        ClientRow,
        "SELECT id, org_id, name, scopes, created_at, revoked_at, last_used_at FROM api_clients \
         WHERE org_id = $1 AND id = $2",
        org.as_str(),
        id
    )?)
}

/// Sets a live client's scopes (space-separated). When `narrowed` (a scope was taken away),
/// its access tokens are deleted and every node told to forget them, as a revocation does:
/// a token never keeps a scope its client no longer has.
pub async fn set_scopes(
    mut conn: Conn<'_>,
    org: &OrgId,
    id: &str,
    scopes: &str,
    narrowed: bool,
) -> Result<(), StoreError> {
    execute!(
        conn.reborrow(),
        "UPDATE api_clients SET scopes = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL",
        org.as_str(),
        id,
        scopes
    )?;
    if narrowed {
        forget_tokens(conn, org, id).await?;
    }
    Ok(())
}

async fn forget_tokens(mut conn: Conn<'_>, org: &OrgId, id: &str) -> Result<(), StoreError> {
    execute!(conn.reborrow(), "DELETE FROM access_tokens WHERE org_id = $1 AND client_id = $2", org.as_str(), id)?;
    if let crate::db::Conn::Postgres(c) = conn {
        // Every node drops the tokens it has cached, when this commits.
        sqlx::query("SELECT pg_notify($1, '')").bind(TOKENS_CHANNEL).execute(&mut *c).await?;
    }
    Ok(())
}

/// Revokes a client and deletes its tokens in the caller's transaction, so they stop working
/// when it commits. Returns false if the tenant has no such client.
pub async fn revoke(mut conn: Conn<'_>, org: &OrgId, id: &str, now: Timestamp) -> Result<bool, StoreError> {
    let n = execute!(
        conn.reborrow(),
        "UPDATE api_clients SET revoked_at = COALESCE(revoked_at, $3) WHERE org_id = $1 AND id = $2",
        org.as_str(),
        id,
        now.millis()
    )?;
    if n == 0 {
        return Ok(false);
    }
    forget_tokens(conn, org, id).await?;
    Ok(true)
}

pub async fn credentials(db: &Db, client_id: &str) -> Result<Option<ClientCredentials>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_optional!(
        c.conn(),
        ClientCredentials,
        "SELECT org_id, secret_hash, scopes, revoked_at FROM api_clients WHERE id = $1",
        client_id
    )?)
}

pub async fn insert_token(
    db: &Db,
    token_hash: &SecretHash,
    org: &str,
    client_id: &str,
    scopes: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    execute!(
        tx.conn(),
        "INSERT INTO access_tokens (token_hash, org_id, client_id, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        token_hash.as_str(),
        org,
        client_id,
        scopes,
        now.millis(),
        expires_at.millis()
    )?;
    // "Last used" on the console: tokens are cached by their callers, so a mint is the use
    // worth recording (and a write per mint, not per request).
    execute!(tx.conn(), "UPDATE api_clients SET last_used_at = $2 WHERE id = $1", client_id, now.millis())?;
    tx.commit().await
}

/// Looks a presented token up by its hash. A token of a revoked client is not found.
pub async fn find_token(db: &Db, token_hash: &SecretHash) -> Result<Option<TokenGrant>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_optional!(
        c.conn(),
        TokenGrant,
        "SELECT t.org_id, o.name AS org_name, t.client_id, t.scopes, t.expires_at \
         FROM access_tokens t \
         JOIN api_clients c ON c.id = t.client_id AND c.revoked_at IS NULL \
         JOIN orgs o ON o.id = t.org_id \
         WHERE t.token_hash = $1",
        token_hash.as_str()
    )?)
}

/// Deletes tokens that expired before `now`; returns how many.
pub async fn purge_expired_tokens(db: &Db, now: Timestamp) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = execute!(tx.conn(), "DELETE FROM access_tokens WHERE expires_at <= $1", now.millis())?;
    tx.commit().await?;
    Ok(n)
}
