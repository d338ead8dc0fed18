//! `fml listen` sessions: a developer's stream of their tenant's events (read from the event
//! outbox after a cursor), plus sample events (`fml trigger`) written for one session only,
//! never to the outbox, so no endpoint receives them.

use fml_domain::{OrgId, Timestamp};

use crate::{Db, StoreError, execute, fetch_all, fetch_optional};

/// A session of `org`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id: String,
    pub org_id: String,
    pub client_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// One event for a listener: its cursor, type, id and the exact payload bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Streamed {
    pub id: i64,
    pub event_type: String,
    pub payload: String,
}

pub async fn create(db: &Db, org: &OrgId, id: &str, client_id: &str, now: Timestamp) -> Result<Session, StoreError> {
    let mut tx = db.begin().await?;
    let s = fetch_optional!(
        tx.conn(),
        Session,
        "INSERT INTO listen_sessions (id, org_id, client_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4) \
         RETURNING id, org_id, client_id, created_at, last_seen_at",
        id,
        org.as_str(),
        client_id,
        now.millis()
    )?
    .ok_or_else(|| StoreError::Corrupt("listen session not written".into()))?;
    tx.commit().await?;
    Ok(s)
}

pub async fn get(db: &Db, org: &OrgId, id: &str) -> Result<Option<Session>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_optional!(
        c.conn(),
        Session,
        "SELECT id, org_id, client_id, created_at, last_seen_at FROM listen_sessions WHERE id = $1 AND org_id = $2",
        id,
        org.as_str()
    )?)
}

/// The session `client_id` of `org` used last, if it was seen after `since`.
pub async fn newest(db: &Db, org: &OrgId, client_id: &str, since: Timestamp) -> Result<Option<Session>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_optional!(
        c.conn(),
        Session,
        "SELECT id, org_id, client_id, created_at, last_seen_at FROM listen_sessions \
         WHERE org_id = $1 AND client_id = $2 AND last_seen_at >= $3 ORDER BY last_seen_at DESC, id DESC LIMIT 1",
        org.as_str(),
        client_id,
        since.millis()
    )?)
}

/// Marks a session alive now (a stream is connected).
pub async fn touch(db: &Db, id: &str, now: Timestamp) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let n = execute!(tx.conn(), "UPDATE listen_sessions SET last_seen_at = $2 WHERE id = $1", id, now.millis())?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Writes a sample event for one session; returns its cursor.
pub async fn add_sample(
    db: &Db,
    session: &str,
    event_type: &str,
    payload: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = fetch_optional!(
        tx.conn(),
        (i64,),
        "INSERT INTO listen_samples (session_id, event_type, payload, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        session,
        event_type,
        payload,
        now.millis()
    )?
    .ok_or_else(|| StoreError::Corrupt("sample not written".into()))?;
    tx.commit().await?;
    Ok(id)
}

/// The tenant's newest event row (where a new stream begins).
pub async fn head(db: &Db, org: &OrgId) -> Result<i64, StoreError> {
    let mut c = db.reader().await?;
    let (n,): (Option<i64>,) =
        fetch_optional!(c.conn(), (Option<i64>,), "SELECT MAX(id) FROM events WHERE org_id = $1", org.as_str())?
            .unwrap_or((None,));
    Ok(n.unwrap_or(0))
}

/// The tenant's events after `cursor` (test pings left out), oldest first.
pub async fn events_after(db: &Db, org: &OrgId, cursor: i64, limit: i64) -> Result<Vec<Streamed>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_all!(
        c.conn(),
        Streamed,
        "SELECT id, event_type, payload FROM events WHERE org_id = $1 AND id > $2 AND event_type <> 'ping' \
         ORDER BY id LIMIT $3",
        org.as_str(),
        cursor,
        limit
    )?)
}

/// A session's samples after `cursor`, oldest first.
pub async fn samples_after(db: &Db, session: &str, cursor: i64, limit: i64) -> Result<Vec<Streamed>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_all!(
        c.conn(),
        Streamed,
        "SELECT id, event_type, payload FROM listen_samples WHERE session_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        session,
        cursor,
        limit
    )?)
}

/// Ends a session of `org` (its samples with it); `false` if there was none.
pub async fn end(db: &Db, org: &OrgId, id: &str) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    execute!(
        tx.conn(),
        "DELETE FROM listen_samples WHERE session_id IN (SELECT id FROM listen_sessions WHERE id = $1 AND org_id = $2)",
        id,
        org.as_str()
    )?;
    let n = execute!(tx.conn(), "DELETE FROM listen_sessions WHERE id = $1 AND org_id = $2", id, org.as_str())?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Housekeeping: sessions not seen since `before`, with their samples.
pub async fn prune(db: &Db, before: Timestamp) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    execute!(
        tx.conn(),
        "DELETE FROM listen_samples WHERE session_id IN (SELECT id FROM listen_sessions WHERE last_seen_at < $1)",
        before.millis()
    )?;
    let n = execute!(tx.conn(), "DELETE FROM listen_sessions WHERE last_seen_at < $1", before.millis())?;
    tx.commit().await?;
    Ok(n)
}
