//! Bulk recovery: re-queueing every failed delivery of an endpoint in a time window, in
//! batches walked in id order from a cursor kept on the recovery's row (so a run that dies
//! goes on where the last committed batch ended, and a batch is never applied twice: it moves
//! the cursor with a compare-and-set in the same transaction).

use fml_domain::{OrgId, Timestamp};

use crate::db::Conn;
use crate::{Db, StoreError, execute, fetch_all, fetch_optional};

/// A recovery and its progress.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recovery {
    pub id: String,
    pub org_id: String,
    pub endpoint_id: String,
    pub since_at: i64,
    pub until_at: i64,
    pub status: String,
    pub total: i64,
    pub requeued: i64,
    pub last_id: i64,
    pub requested_by: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

const COLUMNS: &str = "id, org_id, endpoint_id, since_at, until_at, status, total, requeued, last_id, requested_by, \
    created_at, finished_at";

/// A recovery to begin.
#[derive(Debug)]
pub struct NewRecovery<'a> {
    pub id: &'a str,
    pub endpoint_id: &'a str,
    pub since: Timestamp,
    pub until: Timestamp,
    pub requested_by: &'a str,
}

/// Writes a running recovery with the count of failed deliveries in its window. `None` when
/// the endpoint already has one running (the unique index decides, so two nodes cannot both
/// begin one).
pub async fn begin_in(
    mut conn: Conn<'_>,
    org: &OrgId,
    r: &NewRecovery<'_>,
    now: Timestamp,
) -> Result<Option<Recovery>, StoreError> {
    let (total,): (i64,) = fetch_optional!(
        conn.reborrow(),
        (i64,),
        "SELECT COUNT(*) FROM deliveries WHERE endpoint_id = $1 AND org_id = $2 AND status = 'failed' AND NOT test \
           AND created_at >= $3 AND created_at < $4",
        r.endpoint_id,
        org.as_str(),
        r.since.millis(),
        r.until.millis()
    )?
    .unwrap_or((0,));
    let sql = format!(
        "INSERT INTO delivery_recoveries ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, 'running', $6, 0, 0, $7, $8, NULL) \
         ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
    );
    Ok(fetch_optional!(
        conn,
        Recovery,
        sqlx::AssertSqlSafe(sql),
        r.id,
        org.as_str(),
        r.endpoint_id,
        r.since.millis(),
        r.until.millis(),
        total,
        r.requested_by,
        now.millis()
    )?)
}

/// One recovery of `org` (any tenant when `org` is `None`: the job runner's read).
pub async fn get(db: &Db, org: Option<&OrgId>, id: &str) -> Result<Option<Recovery>, StoreError> {
    let mut c = db.reader().await?;
    let sql = format!("SELECT {COLUMNS} FROM delivery_recoveries WHERE id = $1 AND ($2 IS NULL OR org_id = $2)");
    Ok(fetch_optional!(c.conn(), Recovery, sqlx::AssertSqlSafe(sql), id, org.map(OrgId::as_str))?)
}

/// An endpoint's recoveries, newest first.
pub async fn for_endpoint(db: &Db, org: &OrgId, endpoint: &str, limit: i64) -> Result<Vec<Recovery>, StoreError> {
    let mut c = db.reader().await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM delivery_recoveries WHERE org_id = $1 AND endpoint_id = $2 \
         ORDER BY created_at DESC, id DESC LIMIT $3"
    );
    Ok(fetch_all!(c.conn(), Recovery, sqlx::AssertSqlSafe(sql), org.as_str(), endpoint, limit)?)
}

/// Re-queues the next `limit` failed deliveries of `r`'s window after its cursor (one manual
/// attempt each now, as a redelivery), and moves the cursor past them; the recovery is done
/// when fewer than `limit` were left. `None` if another run moved the cursor first (this
/// transaction must then roll back). Wake the endpoint after commit.
pub async fn step_in(
    mut conn: Conn<'_>,
    r: &Recovery,
    limit: i64,
    now: Timestamp,
) -> Result<Option<Recovery>, StoreError> {
    let ids: Vec<(i64,)> = fetch_all!(
        conn.reborrow(),
        (i64,),
        "UPDATE deliveries SET manual = TRUE, status = 'pending', next_attempt_at = $6, updated_at = $6, \
            leased_until = NULL \
         WHERE id IN (SELECT id FROM deliveries WHERE endpoint_id = $1 AND status = 'failed' AND id > $2 \
             AND org_id = $3 AND NOT test AND created_at >= $4 AND created_at < $5 ORDER BY id LIMIT $7) \
         RETURNING id",
        r.endpoint_id.as_str(),
        r.last_id,
        r.org_id.as_str(),
        r.since_at,
        r.until_at,
        now.millis(),
        limit
    )?;
    let n = ids.len() as i64;
    let last = ids.iter().map(|(id,)| *id).max().unwrap_or(r.last_id);
    let done = n < limit;
    let sql = format!(
        "UPDATE delivery_recoveries SET requeued = requeued + $3, last_id = $4, \
            status = CASE WHEN $5 THEN 'done' ELSE 'running' END, finished_at = CASE WHEN $5 THEN $6 ELSE NULL END \
         WHERE id = $1 AND last_id = $2 AND status = 'running' RETURNING {COLUMNS}"
    );
    Ok(fetch_optional!(
        conn,
        Recovery,
        sqlx::AssertSqlSafe(sql),
        r.id.as_str(),
        r.last_id,
        n,
        last,
        done,
        now.millis()
    )?)
}

/// Ends a recovery whose endpoint is gone.
pub async fn abandon(db: &Db, id: &str, now: Timestamp) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    execute!(
        tx.conn(),
        "UPDATE delivery_recoveries SET status = 'done', finished_at = $2 WHERE id = $1 AND status = 'running'",
        id,
        now.millis()
    )?;
    tx.commit().await
}
