//! Endpoint health: attempts, successes and total latency per endpoint and hour, added to in
//! the same statement (PostgreSQL) or transaction (SQLite) that records each batch of attempts,
//! so an endpoint's last day and week are a read of at most 168 rows, however many attempts.

use std::collections::{BTreeMap, HashMap};

use fml_domain::Timestamp;

use crate::db::{Arg, Conn, values_clause};
use crate::{Db, StoreError, execute, fetch_all_args};

/// Attempts over a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub attempts: i64,
    pub successes: i64,
    pub duration_ms_sum: i64,
}

impl Window {
    /// The share of attempts answered 2xx, 0 to 1; `None` without attempts.
    pub fn success_rate(&self) -> Option<f64> {
        (self.attempts > 0).then(|| self.successes as f64 / self.attempts as f64)
    }

    /// The mean attempt latency; `None` without attempts.
    pub fn mean_latency_ms(&self) -> Option<i64> {
        (self.attempts > 0).then(|| self.duration_ms_sum / self.attempts)
    }
}

/// An endpoint's last 24 hours and last 7 days (by whole hours).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Health {
    pub day: Window,
    pub week: Window,
}

/// A batch's attempts summed per endpoint and hour: (endpoint, hour) → (attempts, successes,
/// total milliseconds).
pub(crate) type Hourly<'a> = BTreeMap<(&'a str, i64), (i64, i64, i64)>;

const HOUR_MS: i64 = 3_600_000;

/// Sums attempts given as (endpoint, started at, HTTP status, duration in ms).
pub(crate) fn hourly<'a>(attempts: impl Iterator<Item = (&'a str, i64, i32, i64)>) -> Hourly<'a> {
    let mut out = Hourly::new();
    for (endpoint, started_at, status, duration_ms) in attempts {
        let hour = started_at - started_at.rem_euclid(HOUR_MS);
        let e = out.entry((endpoint, hour)).or_insert((0, 0, 0));
        e.0 += 1;
        e.1 += i64::from((200..300).contains(&status));
        e.2 += duration_ms;
    }
    out
}

/// The statement that adds `rows` hours (their arguments from `$first_arg`).
pub(crate) fn upsert(rows: usize, first_arg: usize) -> String {
    format!(
        "INSERT INTO endpoint_stats (endpoint_id, hour, attempts, successes, duration_ms_sum) VALUES {} \
         ON CONFLICT (endpoint_id, hour) DO UPDATE SET attempts = endpoint_stats.attempts + excluded.attempts, \
            successes = endpoint_stats.successes + excluded.successes, \
            duration_ms_sum = endpoint_stats.duration_ms_sum + excluded.duration_ms_sum",
        values_clause(rows, 5, first_arg)
    )
}

pub(crate) fn args(stats: Hourly<'_>) -> Vec<Arg> {
    stats
        .into_iter()
        .flat_map(|((endpoint, hour), (n, ok, ms))| {
            [Arg::Text(endpoint.to_owned()), Arg::Int(hour), Arg::Int(n), Arg::Int(ok), Arg::Int(ms)]
        })
        .collect()
}

/// The health of each of `ids` at `now` (missing: no attempt in the last week).
pub async fn health_in(conn: Conn<'_>, ids: &[String], now: Timestamp) -> Result<HashMap<String, Health>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let this_hour = now.millis() - now.millis().rem_euclid(HOUR_MS);
    let (day, week) = (this_hour - 23 * HOUR_MS, this_hour - (7 * 24 - 1) * HOUR_MS);
    let sql = format!(
        // PostgreSQL sums BIGINTs into NUMERIC: cast back, as SQLite's sums already are.
        "SELECT endpoint_id, \
            CAST(SUM(CASE WHEN hour >= $1 THEN attempts ELSE 0 END) AS BIGINT), \
            CAST(SUM(CASE WHEN hour >= $1 THEN successes ELSE 0 END) AS BIGINT), \
            CAST(SUM(CASE WHEN hour >= $1 THEN duration_ms_sum ELSE 0 END) AS BIGINT), \
            CAST(SUM(attempts) AS BIGINT), CAST(SUM(successes) AS BIGINT), CAST(SUM(duration_ms_sum) AS BIGINT) \
         FROM endpoint_stats WHERE hour >= $2 AND endpoint_id IN ({}) GROUP BY endpoint_id",
        (3..3 + ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
    );
    let mut args = vec![Arg::Int(day), Arg::Int(week)];
    args.extend(ids.iter().map(|id| Arg::Text(id.clone())));
    type Row = (String, i64, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = fetch_all_args!(conn, Row, sql, args)?;
    Ok(rows
        .into_iter()
        .map(|(id, da, ds, dm, wa, ws, wm)| {
            let window = |attempts, successes, duration_ms_sum| Window { attempts, successes, duration_ms_sum };
            (id, Health { day: window(da, ds, dm), week: window(wa, ws, wm) })
        })
        .collect())
}

/// Housekeeping: deletes the hours older than `before`.
pub async fn prune(db: &Db, before: Timestamp) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = execute!(tx.conn(), "DELETE FROM endpoint_stats WHERE hour < $1", before.millis())?;
    tx.commit().await?;
    Ok(n)
}
