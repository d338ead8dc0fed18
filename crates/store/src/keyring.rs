//! Which master key sealed this database's secrets, and re-sealing them all under a new one.
//!
//! Sealed values live in three places: webhook endpoint secrets, queued mail bodies (they
//! carry magic links), and stored idempotent responses that carry a secret. The fingerprint
//! of the key that sealed them is kept in `settings`, so a process started with another key
//! is refused at once rather than failing, one delivery at a time, to open them.

use fml_domain::crypto::{CryptoError, MasterKey};

use crate::db::{Arg, Conn};
use crate::{Db, StoreError, execute, execute_args, fetch_all, fetch_optional};

const FINGERPRINT: &str = "master_key_fingerprint";

/// The recorded fingerprint, if any.
pub async fn fingerprint(db: &Db) -> Result<Option<String>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_optional!(c.conn(), (String,), "SELECT value FROM settings WHERE name = $1", FINGERPRINT)?.map(|r| r.0))
}

/// Records `fingerprint` unless one is recorded already; returns the one in force (another
/// node may have won the race).
pub async fn record_fingerprint(db: &Db, fingerprint: &str) -> Result<String, StoreError> {
    let mut tx = db.begin().await?;
    execute!(
        tx.conn(),
        "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        FINGERPRINT,
        fingerprint
    )?;
    let (value,): (String,) =
        fetch_optional!(tx.conn(), (String,), "SELECT value FROM settings WHERE name = $1", FINGERPRINT)?
            .ok_or_else(|| StoreError::Corrupt("the key fingerprint vanished".into()))?;
    tx.commit().await?;
    Ok(value)
}

/// Whether anything is sealed in this database.
pub async fn has_sealed_data(db: &Db) -> Result<bool, StoreError> {
    let mut c = db.reader().await?;
    let pattern = format!("{}%", crate::idempotency::SEALED_PREFIX);
    let (n,): (i64,) = fetch_optional!(
        c.conn(),
        (i64,),
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM webhook_endpoints LIMIT 1) a) \
              + (SELECT COUNT(*) FROM (SELECT 1 FROM mail_outbox WHERE body_sealed IS NOT NULL LIMIT 1) b) \
              + (SELECT COUNT(*) FROM (SELECT 1 FROM idempotency_keys WHERE response_body LIKE $1 LIMIT 1) c)",
        pattern.as_str()
    )?
    .unwrap_or((0,));
    Ok(n > 0)
}

/// Whether `key` opens this database's sealed values, judged on one of each kind (a database
/// sealed before fingerprints were recorded). `None` when nothing is sealed.
pub async fn opens_sealed_data(db: &Db, key: &MasterKey) -> Result<Option<bool>, StoreError> {
    let mut c = db.reader().await?;
    let mut tried = false;
    if let Some((id, sealed)) = fetch_optional!(
        c.conn(),
        (String, Vec<u8>),
        "SELECT id, secret_sealed FROM webhook_endpoints ORDER BY created_at LIMIT 1"
    )? {
        tried = true;
        if key.open(&crate::endpoints::seal_context(&id), &sealed).is_err() {
            return Ok(Some(false));
        }
    }
    if let Some((sealed,)) = fetch_optional!(
        c.conn(),
        (Vec<u8>,),
        "SELECT body_sealed FROM mail_outbox WHERE body_sealed IS NOT NULL ORDER BY id LIMIT 1"
    )? {
        tried = true;
        if key.open(crate::mail::SEAL_CONTEXT, &sealed).is_err() {
            return Ok(Some(false));
        }
    }
    let pattern = format!("{}%", crate::idempotency::SEALED_PREFIX);
    if let Some((stored,)) = fetch_optional!(
        c.conn(),
        (String,),
        "SELECT response_body FROM idempotency_keys WHERE response_body LIKE $1 LIMIT 1",
        pattern.as_str()
    )? {
        tried = true;
        if crate::idempotency::open_response(key, &stored).is_err() {
            return Ok(Some(false));
        }
    }
    Ok(tried.then_some(true))
}

/// How many values a rotation re-sealed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resealed {
    pub endpoint_secrets: usize,
    pub mail_bodies: usize,
    pub stored_responses: usize,
}

/// Re-seals every sealed value under `new` and records its fingerprint, in one transaction:
/// either all of it moves to the new key or none does. Fails, changing nothing, if `old` does
/// not open a value (it is not the key in force).
/// In the caller's transaction: the command adds its audit row to it and commits.
pub async fn rotate_in(tx: &mut crate::db::Tx, old: &MasterKey, new: &MasterKey) -> Result<Resealed, StoreError> {
    let opened = |r: Result<Vec<u8>, CryptoError>, what: &str| {
        r.map_err(|_| StoreError::Config(format!("the current master key does not open {what}")))
    };
    let mut done = Resealed::default();

    let endpoints = fetch_all!(tx.conn(), (String, Vec<u8>), "SELECT id, secret_sealed FROM webhook_endpoints")?;
    for (id, sealed) in endpoints {
        let ctx = crate::endpoints::seal_context(&id);
        let plain = opened(old.open(&ctx, &sealed), &format!("the secret of endpoint {id}"))?;
        update_one(
            tx.conn(),
            "UPDATE webhook_endpoints SET secret_sealed = $1 WHERE id = $2",
            new.seal(&ctx, &plain),
            Arg::Text(id),
        )
        .await?;
        done.endpoint_secrets += 1;
    }
    let mails =
        fetch_all!(tx.conn(), (i64, Vec<u8>), "SELECT id, body_sealed FROM mail_outbox WHERE body_sealed IS NOT NULL")?;
    for (id, sealed) in mails {
        let ctx = crate::mail::SEAL_CONTEXT;
        let plain = opened(old.open(ctx, &sealed), &format!("queued mail {id}"))?;
        update_one(
            tx.conn(),
            "UPDATE mail_outbox SET body_sealed = $1 WHERE id = $2",
            new.seal(ctx, &plain),
            Arg::Int(id),
        )
        .await?;
        done.mail_bodies += 1;
    }
    let pattern = format!("{}%", crate::idempotency::SEALED_PREFIX);
    let responses = fetch_all!(
        tx.conn(),
        (String, String, String),
        "SELECT org_id, key, response_body FROM idempotency_keys WHERE response_body LIKE $1",
        pattern.as_str()
    )?;
    for (org, key, stored) in responses {
        let plain = opened(crate::idempotency::open_response(old, &stored), "a stored idempotent response")?;
        execute!(
            tx.conn(),
            "UPDATE idempotency_keys SET response_body = $1 WHERE org_id = $2 AND key = $3",
            crate::idempotency::seal_response(new, &plain),
            org.as_str(),
            key.as_str()
        )?;
        done.stored_responses += 1;
    }
    execute!(
        tx.conn(),
        "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = $2",
        FINGERPRINT,
        new.fingerprint()
    )?;
    Ok(done)
}

async fn update_one(conn: Conn<'_>, sql: &'static str, sealed: Vec<u8>, id: Arg) -> Result<(), StoreError> {
    execute_args!(conn, sql, [Arg::Blob(sealed), id])?;
    Ok(())
}
