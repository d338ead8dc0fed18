//! The job table: enqueue in the transaction of the change that calls for the work, lease
//! due jobs (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so nodes never take the same job; SQLite
//! has one writer), and record each outcome — done, or failed with a retry time or for good.

use fml_domain::jobs::{Job, JobStatus};
use fml_domain::{OrgId, Timestamp};

use crate::db::{Arg, Backend, Conn, values_clause};
use crate::{Db, StoreError, execute, execute_args, fetch_all, fetch_optional};

/// The PostgreSQL channel on which a commit that queued jobs wakes the other nodes' runners
/// (see [`crate::listener`]).
pub const CHANNEL: &str = "fml_jobs";

/// This process among the nodes: the payload of its own `fml_jobs` notifications, so its
/// listener can ignore them (its runner was woken in-process already).
pub fn this_node() -> &'static str {
    static NODE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NODE.get_or_init(|| uuid::Uuid::new_v4().simple().to_string())
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: i64,
    pub org_id: Option<String>,
    pub job: Job,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

const COLUMNS: &str =
    "id, org_id, kind, payload, status, attempts, max_attempts, run_at, last_error, created_at, finished_at";

#[derive(Debug, sqlx::FromRow)]
struct JobRow {
    id: i64,
    org_id: Option<String>,
    kind: String,
    payload: String,
    status: String,
    attempts: i32,
    max_attempts: i32,
    run_at: i64,
    last_error: Option<String>,
    created_at: i64,
    finished_at: Option<i64>,
}

impl TryFrom<JobRow> for JobRecord {
    type Error = StoreError;
    fn try_from(r: JobRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("job {}: bad {what}", r.id));
        let job = Job::from_payload(&r.payload).map_err(|_| corrupt("payload"))?;
        if job.kind() != r.kind {
            return Err(corrupt("kind"));
        }
        Ok(JobRecord {
            id: r.id,
            org_id: r.org_id,
            job,
            status: JobStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            run_at: Timestamp::from_millis(r.run_at),
            last_error: r.last_error,
            created_at: Timestamp::from_millis(r.created_at),
            finished_at: r.finished_at.map(Timestamp::from_millis),
        })
    }
}

/// Queues jobs in the caller's transaction.
pub async fn enqueue_many(conn: Conn<'_>, jobs: &[(Option<&OrgId>, Job)], now: Timestamp) -> Result<(), StoreError> {
    if jobs.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO jobs (org_id, kind, payload, status, max_attempts, run_at, created_at) VALUES {}",
        values_clause(jobs.len(), 7, 1)
    );
    let mut args = Vec::with_capacity(jobs.len() * 7);
    for (org, job) in jobs {
        args.extend([
            Arg::OptText(org.map(|o| o.as_str().to_owned())),
            Arg::Text(job.kind().to_owned()),
            Arg::Text(job.payload()),
            Arg::Text(JobStatus::Queued.as_str().to_owned()),
            Arg::Int(i64::from(job.max_attempts())),
            Arg::Int(now.millis()),
            Arg::Int(now.millis()),
        ]);
    }
    execute_args!(conn, sql, args)?;
    Ok(())
}

/// Queues one job in the caller's transaction; its id, for whoever follows it.
pub async fn enqueue_one(conn: Conn<'_>, org: Option<&OrgId>, job: &Job, now: Timestamp) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(
        conn,
        (i64,),
        "INSERT INTO jobs (org_id, kind, payload, status, max_attempts, run_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        org.map(|o| o.as_str().to_owned()),
        job.kind(),
        job.payload(),
        JobStatus::Queued.as_str(),
        i64::from(job.max_attempts()),
        now.millis(),
        now.millis()
    )?;
    Ok(row.ok_or_else(|| StoreError::Corrupt("a job was not queued".into()))?.0)
}

/// One job of a tenant, as it stands now.
pub async fn get_in(conn: Conn<'_>, org: &OrgId, id: i64) -> Result<Option<JobRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1 AND org_id = $2");
    fetch_optional!(conn, JobRow, sqlx::AssertSqlSafe(sql), id, org.as_str())?.map(TryInto::try_into).transpose()
}

/// Leases up to `limit` due jobs of these kinds for `lease_secs`: queued jobs whose time has
/// come, and running jobs whose lease ran out (their worker died). Each lease counts an
/// attempt.
pub async fn lease(
    db: &Db,
    kinds: &[&str],
    now: Timestamp,
    lease_secs: i64,
    limit: i64,
) -> Result<Vec<JobRecord>, StoreError> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let kind_list = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect::<Vec<_>>().join(", ");
    let kind_rows = (0..kinds.len()).map(|i| format!("(${})", i + 4)).collect::<Vec<_>>().join(", ");
    // Fair across tenants: each tenant's due jobs are ranked by age (`turn`), and a batch takes
    // every tenant's first before anyone's second, so one tenant's backlog (thousands of jobs)
    // never delays another's mail. Within a tenant, and among equal turns, the oldest first.
    //
    // Ranking a whole backlog would cost every lease a scan of it (100 ms at 100,000 queued
    // jobs, on SQLite inside the one writer), so only the heads of the queues are ranked: the
    // tenants with queued jobs are found by a skip scan of `jobs_queue` (one index probe
    // each), and each gives its first `depth` due jobs of each kind this node runs, in index
    // order (a kind it does not run, however many, is never read). Jobs whose lease ran out
    // (a dead worker's) join them; there are at most a few batches of those.
    let (depth, by) = match db.backend() {
        // Some candidates may be another node's by the time they are locked.
        Backend::Postgres => ("$3 * 4", ""),
        // Without statistics SQLite would rather walk `jobs_due` (every queued job) for MIN.
        Backend::Sqlite => ("$3", " INDEXED BY jobs_queue"),
    };
    let head = format!(
        "FROM jobs h{by} WHERE COALESCE(h.org_id, '') = t.org AND h.kind = k.kind AND h.status = 'queued' \
         AND h.run_at <= $1 ORDER BY h.run_at, h.id LIMIT {depth}"
    );
    let heads = match db.backend() {
        Backend::Postgres => format!(
            "SELECT q.id, q.org_id, q.run_at FROM tenants t CROSS JOIN kinds k \
             CROSS JOIN LATERAL (SELECT h.id, h.org_id, h.run_at {head}) q"
        ),
        // No LATERAL in SQLite: a correlated IN (…) with its own LIMIT does the same.
        Backend::Sqlite => format!(
            "SELECT q.id, q.org_id, q.run_at FROM tenants t CROSS JOIN kinds k \
             JOIN jobs q ON q.id IN (SELECT h.id {head})"
        ),
    };
    let ranked = format!(
        "WITH RECURSIVE kinds(kind) AS (VALUES {kind_rows}), \
         tenants(org) AS (\
           SELECT MIN(COALESCE(org_id, '')) FROM jobs{by} WHERE status = 'queued' \
           UNION ALL SELECT (SELECT MIN(COALESCE(n.org_id, '')) FROM jobs n{by} \
             WHERE n.status = 'queued' AND COALESCE(n.org_id, '') > t.org) FROM tenants t WHERE t.org IS NOT NULL), \
         candidates AS ({heads} UNION ALL SELECT * FROM (SELECT e.id, e.org_id, e.run_at FROM jobs e \
             WHERE e.status = 'running' AND e.leased_until <= $1 AND e.kind IN ({kind_list}) \
             ORDER BY e.run_at, e.id LIMIT {depth}) expired), \
         ranked AS (SELECT id, run_at, ROW_NUMBER() OVER (PARTITION BY org_id ORDER BY run_at, id) AS turn \
             FROM candidates)"
    );
    let sql = match db.backend() {
        // SKIP LOCKED: two nodes never lease the same job. The candidates are a few batches
        // deep so that passing over another node's locked jobs still fills this batch, and the
        // due condition is re-checked on each row as it is locked: one another node leased and
        // committed meanwhile is passed over. Rows are found by id only (`= ANY(ARRAY(…))`,
        // and the due re-check is a CASE, which no index serves): on a young table without
        // statistics the planner would otherwise read every queued job through the indexes
        // the condition matches, to find eight.
        Backend::Postgres => format!(
            "{ranked}, top AS MATERIALIZED (SELECT id, turn, run_at FROM ranked ORDER BY turn, run_at, id LIMIT {depth}), \
             picked AS MATERIALIZED (SELECT j.id FROM jobs j JOIN top c ON c.id = j.id \
             WHERE j.id = ANY(ARRAY(SELECT id FROM top)) \
             AND CASE j.status WHEN 'queued' THEN j.run_at <= $1 WHEN 'running' THEN j.leased_until <= $1 ELSE FALSE END \
             ORDER BY c.turn, c.run_at, c.id LIMIT $3 FOR UPDATE OF j SKIP LOCKED) \
             UPDATE jobs SET status = 'running', attempts = attempts + 1, leased_until = $2 \
             WHERE id = ANY(ARRAY(SELECT id FROM picked)) RETURNING {COLUMNS}"
        ),
        // One writer at a time: the pick and the update are one statement.
        Backend::Sqlite => format!(
            "{ranked} UPDATE jobs SET status = 'running', attempts = attempts + 1, leased_until = $2 \
             WHERE id IN (SELECT id FROM ranked ORDER BY turn, run_at, id LIMIT $3) RETURNING {COLUMNS}"
        ),
    };
    let mut args = vec![Arg::Int(now.millis()), Arg::Int(now.plus_secs(lease_secs).millis()), Arg::Int(limit)];
    args.extend(kinds.iter().map(|k| Arg::Text((*k).to_owned())));
    let mut tx = db.begin().await?;
    // Planned afresh on PostgreSQL each time (an unnamed statement): a plan cached while the
    // table was young and empty (a sequential scan) would be kept as it grew.
    let persistent = db.backend() == Backend::Sqlite;
    let rows = crate::fetch_all_args!(tx.conn(), JobRow, sql, args, persistent: persistent)?;
    tx.commit().await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// The job is done.
pub async fn complete(db: &Db, id: i64, now: Timestamp) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    execute!(
        tx.conn(),
        "UPDATE jobs SET status = 'done', finished_at = $2, leased_until = NULL, last_error = NULL WHERE id = $1",
        id,
        now.millis()
    )?;
    tx.commit().await
}

/// The attempt failed: run again at `retry_at`, or give up (`failed`) when `None`.
pub async fn fail(
    db: &Db,
    id: i64,
    error: &str,
    retry_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    match retry_at {
        Some(at) => execute!(
            tx.conn(),
            "UPDATE jobs SET status = 'queued', run_at = $2, leased_until = NULL, last_error = $3 WHERE id = $1",
            id,
            at.millis(),
            error
        )?,
        None => execute!(
            tx.conn(),
            "UPDATE jobs SET status = 'failed', finished_at = $2, leased_until = NULL, last_error = $3 WHERE id = $1",
            id,
            now.millis(),
            error
        )?,
    };
    tx.commit().await
}

/// The job waits for other work (`reason`) and runs again at `at`. A wait is not a failure:
/// the lease's attempt is given back, so waiting never uses up the job's attempts (the
/// handler bounds how long it waits).
pub async fn defer(db: &Db, id: i64, reason: &str, at: Timestamp) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    execute!(
        tx.conn(),
        "UPDATE jobs SET status = 'queued', run_at = $2, leased_until = NULL, last_error = $3, \
            attempts = attempts - 1 WHERE id = $1",
        id,
        at.millis(),
        reason
    )?;
    tx.commit().await
}

/// Jobs, newest first: of one tenant or all, in one status or any.
pub async fn list(
    db: &Db,
    org: Option<&OrgId>,
    status: Option<JobStatus>,
    limit: i64,
) -> Result<Vec<JobRecord>, StoreError> {
    let mut c = db.reader().await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM jobs WHERE ($1 IS NULL OR org_id = $1) AND ($2 IS NULL OR status = $2) ORDER BY id DESC LIMIT $3"
    );
    fetch_all!(
        c.conn(),
        JobRow,
        sqlx::AssertSqlSafe(sql),
        org.map(|o| o.as_str().to_owned()),
        status.map(|s| s.as_str().to_owned()),
        limit
    )?
    .into_iter()
    .map(TryInto::try_into)
    .collect()
}

/// How many jobs there are of each kind in each state (`/metrics`); finished jobs are pruned
/// by housekeeping, so the groups stay few.
pub async fn counts(db: &Db) -> Result<Vec<(String, String, i64)>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_all!(
        c.conn(),
        (String, String, i64),
        "SELECT kind, status, COUNT(*) FROM jobs GROUP BY kind, status ORDER BY kind, status"
    )?)
}

/// Deletes finished jobs that ended before `before` (done and failed alike; housekeeping).
/// Claims slot `slot` of recurring work `name` for this node: true once per slot across every
/// node (the first to ask), false for a slot claimed already or older than the last claimed.
/// Taken in the caller's transaction, which queues the slot's job, so a claim and its job
/// commit together.
pub async fn claim_slot(conn: Conn<'_>, name: &str, slot: i64) -> Result<bool, StoreError> {
    let claimed = fetch_optional!(
        conn,
        (String,),
        "INSERT INTO recurring_jobs (name, last_slot) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET last_slot = excluded.last_slot \
         WHERE recurring_jobs.last_slot < excluded.last_slot RETURNING name",
        name,
        slot
    )?;
    Ok(claimed.is_some())
}

pub async fn prune_finished(db: &Db, before: Timestamp) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = execute!(
        tx.conn(),
        "DELETE FROM jobs WHERE status IN ('done', 'failed') AND finished_at < $1",
        before.millis()
    )?;
    tx.commit().await?;
    Ok(n)
}
