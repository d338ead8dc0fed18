//! Stored idempotency keys. The rules that judge a repeated request live in
//! [`fml_domain::idempotency`]; this module only claims, reads, completes and releases rows.

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fml_domain::crypto::{CryptoError, MasterKey};
use fml_domain::idempotency::{ABANDONED_CLAIM_SECS, ExistingKey, KEY_TTL_SECS, StoredResponse};
use fml_domain::{IdempotencyKey, OrgId, Timestamp};

use crate::db::{Arg, Conn, values_clause};
use crate::{Db, StoreError, execute, execute_args, fetch_all_args};

/// A request's attempt to take a key.
#[derive(Debug, Clone)]
pub struct Claim {
    pub org: OrgId,
    pub key: IdempotencyKey,
    pub route: String,
    pub fingerprint: String,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    org_id: String,
    key: String,
}

#[derive(sqlx::FromRow)]
struct ExistingRow {
    org_id: String,
    key: String,
    route: String,
    fingerprint: String,
    status_code: Option<i32>,
    response_body: Option<String>,
}

/// Tries to take every key in `claims` (which must not repeat a key) in one statement. A key
/// is taken if it is new, expired, or held by a request that never finished. Returns the
/// `(org, key)` pairs taken.
pub async fn claim_many(
    conn: Conn<'_>,
    claims: &[&Claim],
    now: Timestamp,
) -> Result<HashSet<(String, String)>, StoreError> {
    if claims.is_empty() {
        return Ok(HashSet::new());
    }
    let n = claims.len();
    let sql = format!(
        "INSERT INTO idempotency_keys (org_id, key, route, fingerprint, locked_at, expires_at) VALUES {} \
         ON CONFLICT (org_id, key) DO UPDATE SET route = excluded.route, fingerprint = excluded.fingerprint, \
         status_code = NULL, response_body = NULL, locked_at = excluded.locked_at, expires_at = excluded.expires_at \
         WHERE idempotency_keys.expires_at <= ${} \
            OR (idempotency_keys.status_code IS NULL AND idempotency_keys.locked_at <= ${}) \
         RETURNING org_id, key",
        values_clause(n, 6, 1),
        n * 6 + 1,
        n * 6 + 2
    );
    let mut args = Vec::with_capacity(n * 6 + 2);
    for c in claims {
        args.push(Arg::Text(c.org.as_str().to_owned()));
        args.push(Arg::Text(c.key.as_str().to_owned()));
        args.push(Arg::Text(c.route.clone()));
        args.push(Arg::Text(c.fingerprint.clone()));
        args.push(Arg::Int(now.millis()));
        args.push(Arg::Int(now.plus_secs(KEY_TTL_SECS).millis()));
    }
    args.push(Arg::Int(now.millis()));
    args.push(Arg::Int(now.plus_secs(-ABANDONED_CLAIM_SECS).millis()));
    let rows = fetch_all_args!(conn, KeyRow, sql, args)?;
    Ok(rows.into_iter().map(|r| (r.org_id, r.key)).collect())
}

/// Reads keys that could not be claimed.
pub async fn existing_many(
    conn: Conn<'_>,
    keys: &[(&OrgId, &IdempotencyKey)],
) -> Result<Vec<(String, String, ExistingKey)>, StoreError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT org_id, key, route, fingerprint, status_code, response_body FROM idempotency_keys \
         WHERE (org_id, key) IN (VALUES {})",
        values_clause(keys.len(), 2, 1)
    );
    let args = keys.iter().flat_map(|(o, k)| [Arg::Text(o.as_str().to_owned()), Arg::Text(k.as_str().to_owned())]);
    let rows = fetch_all_args!(conn, ExistingRow, sql, args.collect::<Vec<_>>())?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let response = match (r.status_code, r.response_body) {
                (Some(status), Some(body)) => {
                    Some(StoredResponse { status: u16::try_from(status).unwrap_or(500), body })
                }
                _ => None,
            };
            (r.org_id, r.key, ExistingKey { route: r.route, fingerprint: r.fingerprint, response })
        })
        .collect())
}

/// Stores the finished responses of claimed keys.
pub async fn complete_many(conn: Conn<'_>, done: &[(&OrgId, &IdempotencyKey, u16, &str)]) -> Result<(), StoreError> {
    if done.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE idempotency_keys SET status_code = v.column3, response_body = v.column4 \
         FROM (VALUES {}) AS v WHERE idempotency_keys.org_id = v.column1 AND idempotency_keys.key = v.column2",
        values_clause(done.len(), 4, 1)
    );
    let mut args = Vec::with_capacity(done.len() * 4);
    for (org, key, status, body) in done {
        args.push(Arg::Text(org.as_str().to_owned()));
        args.push(Arg::Text(key.as_str().to_owned()));
        args.push(Arg::Int(i64::from(*status)));
        args.push(Arg::Text((*body).to_owned()));
    }
    execute_args!(conn, sql, args)?;
    Ok(())
}

/// A stored response that carries a secret is kept as this prefix and the base64 of its
/// sealed bytes.
pub const SEALED_PREFIX: &str = "sealed:";
const RESPONSE_SEAL_CONTEXT: &[u8] = b"fml/idempotency_keys/response";

/// The stored form of a response that carries a secret.
pub fn seal_response(key: &MasterKey, text: &[u8]) -> String {
    format!("{SEALED_PREFIX}{}", STANDARD.encode(key.seal(RESPONSE_SEAL_CONTEXT, text)))
}

/// A stored response as sent: opened if sealed, as it is otherwise.
pub fn open_response(key: &MasterKey, stored: &str) -> Result<Vec<u8>, CryptoError> {
    let Some(b64) = stored.strip_prefix(SEALED_PREFIX) else { return Ok(stored.as_bytes().to_vec()) };
    let sealed = STANDARD.decode(b64).map_err(|_| CryptoError::Open)?;
    key.open(RESPONSE_SEAL_CONTEXT, &sealed)
}

/// Claims one key in its own transaction: `None` if taken, else the key as stored.
pub async fn claim(db: &Db, claim: &Claim, now: Timestamp) -> Result<Option<ExistingKey>, StoreError> {
    let mut tx = db.begin().await?;
    let taken = claim_many(tx.conn(), &[claim], now).await?;
    if taken.is_empty() {
        let mut existing = existing_many(tx.conn(), &[(&claim.org, &claim.key)]).await?;
        tx.commit().await?;
        // The row can only vanish between the two statements if the janitor purged it; treat
        // that as still in progress so the caller retries.
        return Ok(Some(existing.pop().map(|(_, _, e)| e).unwrap_or(ExistingKey {
            route: claim.route.clone(),
            fingerprint: claim.fingerprint.clone(),
            response: None,
        })));
    }
    tx.commit().await?;
    Ok(None)
}

/// Frees a claimed key after a request failed, so a corrected retry can use it.
pub async fn release(db: &Db, org: &OrgId, key: &IdempotencyKey) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    execute!(
        tx.conn(),
        "DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND status_code IS NULL",
        org.as_str(),
        key.as_str()
    )?;
    tx.commit().await
}

/// Deletes keys past their 24 hours.
pub async fn purge_expired(db: &Db, now: Timestamp) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = execute!(tx.conn(), "DELETE FROM idempotency_keys WHERE expires_at <= $1", now.millis())?;
    tx.commit().await?;
    Ok(n)
}
