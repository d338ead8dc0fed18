//! Deliveries (one per event and subscribed endpoint) and their attempts: what the engine
//! claims and records, and what the "Recent Deliveries" API reads.

use fml_domain::{OrgId, Timestamp};

use crate::db::{Arg, Conn, values_clause};
use crate::{Db, StoreError, execute_args, fetch_all, fetch_all_args, fetch_optional};

/// The PostgreSQL channel on which a node announces new deliveries to the others.
pub const CHANNEL: &str = "fml_deliveries";

/// Wakes the delivery engines of other nodes once the transaction commits (PostgreSQL
/// delivers NOTIFY at commit): an empty payload announces new deliveries, an endpoint id says
/// that older deliveries of that endpoint are due now. On SQLite there is only one process.
pub(crate) async fn notify_other_nodes(conn: Conn<'_>, endpoint: Option<&str>) -> Result<(), StoreError> {
    if let Conn::Postgres(c) = conn {
        sqlx::query("SELECT pg_notify('fml_deliveries', $1)").bind(endpoint.unwrap_or("")).execute(&mut *c).await?;
    }
    Ok(())
}

/// Tells the other nodes, once the transaction commits, that these endpoints have new
/// deliveries due now (`new:` and the ids; a payload too long for NOTIFY falls back to "look
/// for new deliveries").
pub(crate) async fn notify_new_deliveries(conn: Conn<'_>, endpoints: &[String]) -> Result<(), StoreError> {
    if let Conn::Postgres(c) = conn {
        let payload = format!("new:{}", endpoints.join(","));
        let payload = if payload.len() < 7900 { payload } else { String::new() };
        sqlx::query("SELECT pg_notify('fml_deliveries', $1)").bind(payload).execute(&mut *c).await?;
    }
    Ok(())
}

/// A delivery as the API shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub org_id: String,
    /// `None` only for a pre-save ping (no endpoint exists yet).
    pub endpoint_id: Option<String>,
    pub event_id: String,
    pub event_type: String,
    pub case_id: Option<String>,
    pub status: String,
    pub attempt_count: i32,
    pub auto_failures: i32,
    pub manual: bool,
    pub next_attempt_at: Option<i64>,
    pub last_http_status: Option<i32>,
    pub created_at: i64,
    pub updated_at: i64,
    /// A test ping (the pre-save ping or an endpoint's Test): one attempt, never retried.
    pub test: bool,
    /// Where a test ping was sent.
    pub target_url: Option<String>,
}

pub(crate) const COLUMNS: &str = "id, org_id, endpoint_id, event_id, event_type, case_id, status, attempt_count, \
    auto_failures, manual, next_attempt_at, last_http_status, created_at, updated_at, test, target_url";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub attempt: i32,
    pub manual: bool,
    pub started_at: i64,
    pub http_status: i32,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub response_body: Option<String>,
    pub response_truncated: bool,
}

/// Filters of the delivery list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub endpoint_id: Option<String>,
    pub status: Option<String>,
    pub event: Option<String>,
    pub case_id: Option<String>,
    /// Only deliveries with a smaller id (the cursor).
    pub before: Option<i64>,
}

/// A page of `org`'s deliveries, newest first.
pub async fn list_in(conn: Conn<'_>, org: &OrgId, f: &ListFilter, limit: u32) -> Result<Vec<DeliveryRow>, StoreError> {
    let mut sql = format!("SELECT {COLUMNS} FROM deliveries WHERE org_id = $1");
    let mut args = vec![Arg::Text(org.as_str().to_owned())];
    let mut add = |clause: &str, arg: Arg| {
        args.push(arg);
        sql.push_str(&format!(" AND {clause} ${}", args.len()));
    };
    if let Some(v) = &f.endpoint_id {
        add("endpoint_id =", Arg::Text(v.clone()));
    }
    if let Some(v) = &f.status {
        add("status =", Arg::Text(v.clone()));
    }
    if let Some(v) = &f.event {
        add("event_type =", Arg::Text(v.clone()));
    }
    if let Some(v) = &f.case_id {
        add("case_id =", Arg::Text(v.clone()));
    }
    if let Some(v) = f.before {
        add("id <", Arg::Int(v));
    }
    args.push(Arg::Int(i64::from(limit)));
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", args.len()));
    Ok(fetch_all_args!(conn, DeliveryRow, sql, args)?)
}

/// One delivery of `org` with its payload and attempts. Read it in a snapshot
/// (`Db::snapshot`) so the delivery's state (`lastHttpStatus`, `status`) agrees with its
/// attempt history.
pub async fn get_in(
    mut conn: Conn<'_>,
    org: &OrgId,
    id: i64,
) -> Result<Option<(DeliveryRow, String, Vec<AttemptRow>)>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM deliveries WHERE org_id = $1 AND id = $2");
    let Some(d) = fetch_optional!(conn.reborrow(), DeliveryRow, sqlx::AssertSqlSafe(sql), org.as_str(), id)? else {
        return Ok(None);
    };
    let (payload,): (String,) = fetch_optional!(
        conn.reborrow(),
        (String,),
        "SELECT ev.payload FROM events ev JOIN deliveries d ON d.event_row = ev.id WHERE d.id = $1",
        id
    )?
    .ok_or_else(|| StoreError::Corrupt(format!("delivery {id} has no event")))?;
    let attempts = fetch_all!(
        conn,
        AttemptRow,
        "SELECT attempt, manual, started_at, http_status, duration_ms, error, response_body, response_truncated \
         FROM delivery_attempts \
         WHERE delivery_id = $1 ORDER BY id",
        id
    )?;
    Ok(Some((d, payload, attempts)))
}

/// Queues a manual redelivery now, on the same row: a pending delivery is made due; a
/// finished one gets one manual attempt. An attempt in flight loses its lease, so its outcome
/// is recorded in the history but no longer decides the delivery's state, and the redelivery
/// goes out at once. `None` if `org` has no such delivery (or its endpoint was deleted, or it
/// is a test ping, which is never sent again).
/// Runs inside the caller's transaction; wake the engine for the endpoint after commit.
pub async fn redeliver(
    mut conn: Conn<'_>,
    org: &OrgId,
    id: i64,
    now: Timestamp,
) -> Result<Option<DeliveryRow>, StoreError> {
    let sql = format!(
        "UPDATE deliveries SET manual = (status <> 'pending'), status = 'pending', next_attempt_at = $3, updated_at = $3, \
            leased_until = NULL \
         WHERE org_id = $1 AND id = $2 \
           AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE deleted_at IS NULL) AND NOT test \
         RETURNING {COLUMNS}"
    );
    let row = fetch_optional!(conn.reborrow(), DeliveryRow, sqlx::AssertSqlSafe(sql), org.as_str(), id, now.millis())?;
    if let Some(d) = &row {
        notify_other_nodes(conn, d.endpoint_id.as_deref()).await?;
    }
    Ok(row)
}

/// A delivery taken by the engine for one attempt.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub endpoint_id: String,
    pub event_row: i64,
    pub event_id: String,
    pub event_type: String,
    pub attempt_count: i32,
    pub auto_failures: i32,
    pub manual: bool,
    /// The case the event concerns (logs and traces name it).
    pub case_id: Option<String>,
    /// The event's `traceparent` (trace export), read with its payload.
    #[sqlx(default)]
    pub trace_parent: Option<String>,
}

/// Takes up to `limit` due deliveries of one endpoint for `lease_ms`: a delivery whose
/// worker dies becomes claimable again when the lease ends. Each claim counts an attempt, so
/// the returned `attempt_count` is this attempt's number (`X-FML-Attempt`) and identifies the
/// lease: [`record`] applies an outcome only while the delivery still holds it. On PostgreSQL, `SKIP LOCKED` lets
/// several nodes claim side by side without taking the same row.
///
/// The order is exactly the `deliveries_due` index's, so the scan stops after `limit` rows
/// however large the endpoint's backlog (a tie-breaker column would force a sort of all of it).
///
/// Each claimed delivery comes with its event's payload and emission time (`X-FML-Timestamp`).
pub async fn claim(
    db: &Db,
    endpoint_id: &str,
    now: Timestamp,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<(Claimed, String, Timestamp)>, StoreError> {
    let pick = "SELECT d.id FROM deliveries d \
            WHERE d.endpoint_id = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2 \
              AND (d.leased_until IS NULL OR d.leased_until <= $2) \
              AND EXISTS (SELECT 1 FROM webhook_endpoints ep WHERE ep.id = d.endpoint_id AND ep.enabled AND ep.deleted_at IS NULL) \
            ORDER BY d.next_attempt_at LIMIT $4";
    let returning = "RETURNING deliveries.id, deliveries.endpoint_id, deliveries.event_row, deliveries.event_id, \
        deliveries.event_type, deliveries.attempt_count, deliveries.auto_failures, deliveries.manual, deliveries.case_id";
    let (now_ms, lease_end) = (now.millis(), now.millis() + lease_ms);
    if db.backend().chained_writes() {
        let mut c = db.standalone().await?;
        // One statement, committed on its own, that also returns each event's
        // payload. A materialised CTE runs the pick exactly once: as an `IN (…)` subquery
        // PostgreSQL may re-run it inside a join and take more than `limit` rows (seen: 18
        // claimed for 16).
        let sql = format!(
            "WITH picked AS MATERIALIZED ({pick} FOR UPDATE SKIP LOCKED) \
             UPDATE deliveries SET leased_until = $3, attempt_count = deliveries.attempt_count + 1 \
             FROM picked, events ev WHERE deliveries.id = picked.id AND ev.id = deliveries.event_row \
             {returning}, ev.payload, ev.created_at AS emitted_at, ev.trace_parent"
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            claimed: Claimed,
            payload: String,
            emitted_at: i64,
        }
        let rows = fetch_all!(c.conn(), Row, sqlx::AssertSqlSafe(sql), endpoint_id, now_ms, lease_end, limit)?;
        return Ok(rows.into_iter().map(|r| (r.claimed, r.payload, Timestamp::from_millis(r.emitted_at))).collect());
    }
    // SQLite: one writer, so the `IN` list is built once and nothing can take the rows
    // meanwhile; its RETURNING cannot name another table, so the payloads are a second read.
    let sql = format!(
        "UPDATE deliveries SET leased_until = $3, attempt_count = attempt_count + 1 WHERE id IN ({pick}) {returning}"
    );
    let mut tx = db.begin().await?;
    let claimed = fetch_all!(tx.conn(), Claimed, sqlx::AssertSqlSafe(sql), endpoint_id, now_ms, lease_end, limit)?;
    tx.commit().await?;
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(sqlx::FromRow)]
    struct Payload {
        id: i64,
        payload: String,
        created_at: i64,
        trace_parent: Option<String>,
    }
    let sql = format!(
        "SELECT id, payload, created_at, trace_parent FROM events WHERE id IN ({})",
        (1..=claimed.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
    );
    let args: Vec<Arg> = claimed.iter().map(|c| Arg::Int(c.event_row)).collect();
    let mut c = db.reader().await?;
    let mut payloads: std::collections::HashMap<i64, Payload> =
        fetch_all_args!(c.conn(), Payload, sql, args)?.into_iter().map(|p| (p.id, p)).collect();
    Ok(claimed
        .into_iter()
        .filter_map(|mut d| {
            let p = payloads.remove(&d.event_row)?;
            d.trace_parent = p.trace_parent;
            Some((d, p.payload, Timestamp::from_millis(p.created_at)))
        })
        .collect())
}

/// When each enabled endpoint next has work, with the highest delivery id seen.
///
/// - `None` (the engine's periodic rescan): every enabled endpoint's earliest pending
///   delivery, one index probe per endpoint — however large a backlog a failing endpoint
///   has built, the rescan reads one entry of it. (Grouping every pending delivery made the
///   rescan's cost, and the latency spike it caused every few seconds, grow with backlogs.)
///   An in-flight delivery counts as due: claiming then finds what is really claimable.
/// - `Some(id)`: only deliveries created after `id` (new work no wake-up named).
pub async fn due_by_endpoint(db: &Db, newer_than: Option<i64>) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let mut c = db.reader().await?;
    let rows: Vec<(String, Option<i64>, Option<i64>)> = match newer_than {
        None => fetch_all!(
            c.conn(),
            (String, Option<i64>, Option<i64>),
            "SELECT ep.id, \
                (SELECT d.next_attempt_at FROM deliveries d WHERE d.endpoint_id = ep.id AND d.status = 'pending' \
                 ORDER BY d.next_attempt_at LIMIT 1), \
                (SELECT MAX(id) FROM deliveries) \
             FROM webhook_endpoints ep WHERE ep.enabled AND ep.deleted_at IS NULL"
        )?,
        Some(after) => fetch_all!(
            c.conn(),
            (String, Option<i64>, Option<i64>),
            "SELECT d.endpoint_id, \
                MIN(CASE WHEN d.leased_until > d.next_attempt_at THEN d.leased_until ELSE d.next_attempt_at END), MAX(d.id) \
             FROM deliveries d \
             JOIN webhook_endpoints ep ON ep.id = d.endpoint_id AND ep.enabled AND ep.deleted_at IS NULL \
             WHERE d.status = 'pending' AND d.id > $1 GROUP BY d.endpoint_id",
            after
        )?,
    };
    Ok(rows.into_iter().filter_map(|(e, due, max)| Some((e, due?, max.unwrap_or(0)))).collect())
}

/// The outcome of one attempt, ready to record.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub delivery_id: i64,
    /// Its endpoint (the health statistics are kept per endpoint and hour).
    pub endpoint_id: String,
    pub attempt: i32,
    pub manual: bool,
    pub started_at: i64,
    pub http_status: i32,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub response_body: Option<String>,
    pub response_truncated: bool,
    /// The delivery's state after the attempt.
    pub status: &'static str,
    pub auto_failures: i32,
    pub next_attempt_at: Option<i64>,
}

/// When `endpoint`'s earliest pending delivery is due, if it has one: one index probe,
/// however large its backlog (an in-flight one counts; the claim takes what is claimable).
pub async fn next_due(db: &Db, endpoint: &str) -> Result<Option<i64>, StoreError> {
    let mut c = db.reader().await?;
    let row: Option<(Option<i64>,)> = fetch_optional!(
        c.conn(),
        (Option<i64>,),
        "SELECT next_attempt_at FROM deliveries WHERE endpoint_id = $1 AND status = 'pending' \
         ORDER BY next_attempt_at LIMIT 1",
        endpoint
    )?;
    Ok(row.and_then(|(d,)| d))
}

/// Records a batch of attempts in one transaction. Every attempt joins the history; the
/// delivery's new state is applied only while the attempt still holds its lease (the
/// delivery is pending, leased, and its attempt counter is this attempt's), so an attempt
/// overtaken by a redelivery, a deleted endpoint or an expired lease cannot overwrite newer
/// state.
pub async fn record(db: &Db, batch: &[Recorded], now: Timestamp) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    let update = format!(
        "UPDATE deliveries SET status = v.column2, auto_failures = v.column4, \
            next_attempt_at = v.column5, last_http_status = v.column6, manual = FALSE, updated_at = v.column7, \
            leased_until = NULL \
         FROM (VALUES {}) AS v WHERE deliveries.id = v.column1 AND deliveries.attempt_count = v.column3 \
           AND deliveries.status = 'pending' AND deliveries.leased_until IS NOT NULL",
        values_clause(batch.len(), 7, 1)
    );
    let insert = format!(
        "INSERT INTO delivery_attempts (delivery_id, attempt, manual, started_at, http_status, duration_ms, error, \
            response_body, response_truncated) VALUES {}",
        values_clause(batch.len(), 9, 1 + batch.len() * 7)
    );
    let mut args = Vec::with_capacity(batch.len() * 16);
    for r in batch {
        args.extend([
            Arg::Int(r.delivery_id),
            Arg::Text(r.status.to_owned()),
            Arg::Int(i64::from(r.attempt)),
            Arg::Int(i64::from(r.auto_failures)),
            Arg::OptInt(r.next_attempt_at),
            Arg::Int(i64::from(r.http_status)),
            Arg::Int(now.millis()),
        ]);
    }
    for r in batch {
        args.extend([
            Arg::Int(r.delivery_id),
            Arg::Int(i64::from(r.attempt)),
            Arg::Bool(r.manual),
            Arg::Int(r.started_at),
            Arg::Int(i64::from(r.http_status)),
            Arg::Int(r.duration_ms),
            Arg::OptText(r.error.clone()),
            Arg::OptText(r.response_body.clone()),
            Arg::Bool(r.response_truncated),
        ]);
    }
    let stats = crate::endpoint_stats::hourly(
        batch.iter().map(|r| (r.endpoint_id.as_str(), r.started_at, r.http_status, r.duration_ms)),
    );
    if db.backend().chained_writes() {
        let mut c = db.standalone().await?;
        // Every write in one statement (data-modifying CTEs), committed alone.
        let upsert = crate::endpoint_stats::upsert(stats.len(), 1 + batch.len() * 16);
        args.extend(crate::endpoint_stats::args(stats));
        let sql = format!("WITH updated AS ({update} RETURNING 1), recorded AS ({insert} RETURNING 1) {upsert}");
        execute_args!(c.conn(), sql, args)?;
        return Ok(());
    }
    let update_args = args.drain(..batch.len() * 7).collect::<Vec<_>>();
    let insert = format!(
        "INSERT INTO delivery_attempts (delivery_id, attempt, manual, started_at, http_status, duration_ms, error, \
            response_body, response_truncated) VALUES {}",
        values_clause(batch.len(), 9, 1)
    );
    let mut tx = db.begin().await?;
    execute_args!(tx.conn(), update, update_args)?;
    execute_args!(tx.conn(), insert, args)?;
    let upsert = crate::endpoint_stats::upsert(stats.len(), 1);
    execute_args!(tx.conn(), upsert, crate::endpoint_stats::args(stats))?;
    tx.commit().await
}

/// Retention: deletes the finished (delivered or failed) deliveries last changed before
/// `before`, with their attempts, oldest first, at most `limit` per transaction; returns how
/// many went. The events they delivered stay — they are the cases' timeline, and the payload
/// other deliveries of the same event may still need. The walk follows the primary key from
/// the oldest delivery and stops at the first one created after `before`, so each run reads
/// only the prunable prefix (and any old delivery still pending), however long the history.
pub async fn prune_finished(db: &Db, before: Timestamp, limit: i64) -> Result<u64, StoreError> {
    let mut pruned = 0;
    let mut cursor = 0_i64;
    loop {
        let rows: Vec<(i64, String, i64, i64)> = {
            let mut c = db.reader().await?;
            fetch_all!(
                c.conn(),
                (i64, String, i64, i64),
                "SELECT id, status, created_at, updated_at FROM deliveries WHERE id > $1 ORDER BY id LIMIT $2",
                cursor,
                limit
            )?
        };
        let Some(&(last, ..)) = rows.last() else { return Ok(pruned) };
        cursor = last;
        let reached_recent = rows.iter().any(|r| r.2 >= before.millis());
        let ids: Vec<Arg> = rows
            .iter()
            .filter(|(_, status, created, updated)| {
                status != "pending" && *created < before.millis() && *updated < before.millis()
            })
            .map(|r| Arg::Int(r.0))
            .collect();
        if !ids.is_empty() {
            let list = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",");
            let mut tx = db.begin().await?;
            execute_args!(
                tx.conn(),
                format!("DELETE FROM delivery_attempts WHERE delivery_id IN ({list})"),
                ids.clone()
            )?;
            // Re-checked under the write: a redelivery may have made one pending meanwhile.
            let sql = format!("DELETE FROM deliveries WHERE id IN ({list}) AND status <> 'pending'");
            pruned += execute_args!(tx.conn(), sql, ids)?;
            tx.commit().await?;
        }
        if reached_recent || (rows.len() as i64) < limit {
            return Ok(pruned);
        }
    }
}

/// Counts deliveries by status for `org` (tests and the CLI).
pub async fn count_by_status(db: &Db, org: &OrgId, status: &str) -> Result<i64, StoreError> {
    let mut c = db.reader().await?;
    let (n,): (i64,) = fetch_optional!(
        c.conn(),
        (i64,),
        "SELECT COUNT(*) FROM deliveries WHERE org_id = $1 AND status = $2",
        org.as_str(),
        status
    )?
    .unwrap_or((0,));
    Ok(n)
}

/// Every tenant's pending deliveries and the earliest due time among them (`/metrics`): one
/// walk of the partial `deliveries_due` index, whose size is the backlog.
pub async fn queue_stats(db: &Db) -> Result<(i64, Option<i64>), StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_optional!(
        c.conn(),
        (i64, Option<i64>),
        "SELECT COUNT(*), MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'"
    )?
    .unwrap_or((0, None)))
}

/// Releases every lease. Only for a deployment where this process is the only one delivering
/// (SQLite): at start, any lease left is from a process that died.
pub async fn release_all_leases(db: &Db) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::execute!(
        tx.conn(),
        "UPDATE deliveries SET leased_until = NULL WHERE status = 'pending' AND leased_until IS NOT NULL"
    )?;
    tx.commit().await?;
    Ok(n)
}
