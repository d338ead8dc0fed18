//! Perpetual monitoring: the interval, the slots the scheduler claims, runs and alerts.

use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::Conn;
use crate::{Db, StoreError, execute, fetch_all, fetch_optional};

pub const DEFAULT_INTERVAL_HOURS: i64 = 24;

/// A tenant's monitoring interval.
pub async fn interval_hours(conn: Conn<'_>, org: &OrgId) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(
        conn,
        (i64,),
        "SELECT CAST(monitoring_interval_hours AS BIGINT) FROM engine_settings WHERE org_id = $1",
        org.as_str()
    )?;
    Ok(row.map_or(DEFAULT_INTERVAL_HOURS, |r| r.0))
}

pub async fn set_interval_hours(conn: Conn<'_>, org: &OrgId, hours: i64, now: Timestamp) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO engine_settings (org_id, screening_threshold, monitoring_interval_hours, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (org_id) DO UPDATE SET \
         monitoring_interval_hours = excluded.monitoring_interval_hours, updated_at = excluded.updated_at",
        org.as_str(),
        crate::screening::DEFAULT_THRESHOLD,
        i32::try_from(hours).unwrap_or(i32::MAX),
        now.millis()
    )?;
    Ok(())
}

/// Approved cases whose current slot has no claimed run: `(org, case, slot)`, at most `limit`.
pub async fn due(db: &Db, now: Timestamp, limit: i64) -> Result<Vec<(String, String, i64)>, StoreError> {
    let mut r = db.reader().await?;
    Ok(fetch_all!(
        r.conn(),
        (String, String, i64),
        "SELECT c.org_id, c.id, $1 / (CAST(COALESCE(s.monitoring_interval_hours, 24) AS BIGINT) * 3600000) AS slot \
         FROM cases c LEFT JOIN engine_settings s ON s.org_id = c.org_id \
         WHERE c.status = 'approved' AND NOT EXISTS (SELECT 1 FROM monitoring_slots m WHERE m.case_id = c.id \
           AND m.slot = $1 / (CAST(COALESCE(s.monitoring_interval_hours, 24) AS BIGINT) * 3600000)) \
         ORDER BY c.id LIMIT $2",
        now.millis(),
        limit
    )?)
}

/// Claims a slot in the caller's transaction; false when another node (or an earlier tick)
/// has it.
pub async fn claim(conn: Conn<'_>, case: &str, slot: i64, now: Timestamp) -> Result<bool, StoreError> {
    let n = execute!(
        conn,
        "INSERT INTO monitoring_slots (case_id, slot, queued_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        case,
        slot,
        now.millis()
    )?;
    Ok(n == 1)
}

/// A run to record.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub triggered_by: &'a str,
    /// The schedule's slot; none for an ad-hoc run.
    pub slot: Option<i64>,
    pub checks: &'a str,
    pub alerts: i32,
    pub list_version: i64,
    pub completed_at: Timestamp,
}

/// Records a run; `None` when its slot has one already.
pub async fn insert_run(
    conn: Conn<'_>,
    org: &OrgId,
    case: CaseId,
    run: &NewRun<'_>,
) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(
        conn,
        (i64,),
        "INSERT INTO monitoring_runs (org_id, case_id, triggered_by, slot, checks, alerts_generated, list_version, \
         completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id",
        org.as_str(),
        case.to_string(),
        run.triggered_by,
        run.slot,
        run.checks,
        run.alerts,
        run.list_version,
        run.completed_at.millis()
    )?;
    Ok(row.map(|r| r.0))
}

/// An alert to record.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub alert_type: &'static str,
    pub severity: &'static str,
    pub title: String,
    pub detail: String,
    pub subject_name: String,
    pub entity_id: String,
    pub standing: &'static str,
    pub entity: String,
}

pub async fn insert_alert(
    conn: Conn<'_>,
    org: &OrgId,
    case: CaseId,
    run_id: i64,
    a: &NewAlert,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(
        conn,
        (i64,),
        "INSERT INTO monitoring_alerts (org_id, case_id, run_id, alert_type, severity, title, detail, subject_name, \
         entity_id, standing, entity, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12) \
         RETURNING id",
        org.as_str(),
        case.to_string(),
        run_id,
        a.alert_type,
        a.severity,
        &a.title,
        &a.detail,
        &a.subject_name,
        &a.entity_id,
        a.standing,
        &a.entity,
        now.millis()
    )?;
    Ok(row.ok_or_else(|| StoreError::Corrupt("an alert was not recorded".into()))?.0)
}

/// `(subject, entity, standing)` of every hit and alert a case has had: what is not new.
pub async fn known(conn: Conn<'_>, org: &OrgId, case: CaseId) -> Result<Vec<(String, String, String)>, StoreError> {
    Ok(fetch_all!(
        conn,
        (String, String, String),
        "SELECT subject_name, entity_id, standing FROM screening_hits WHERE org_id = $1 AND case_id = $2 \
         UNION SELECT subject_name, entity_id, standing FROM monitoring_alerts WHERE org_id = $1 AND case_id = $2",
        org.as_str(),
        case.to_string()
    )?)
}

/// A stored run.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub triggered_by: String,
    pub slot: Option<i64>,
    pub checks: String,
    pub alerts_generated: i32,
    pub list_version: i64,
    pub completed_at: i64,
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AlertRow {
    pub id: i64,
    pub case_id: String,
    pub run_id: i64,
    pub alert_type: String,
    pub severity: String,
    pub title: String,
    pub detail: String,
    pub subject_name: String,
    pub entity_id: String,
    pub standing: String,
    pub status: String,
    pub resolution_note: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<i64>,
    pub created_at: i64,
}

const ALERT_COLUMNS: &str = "id, case_id, run_id, alert_type, severity, title, detail, subject_name, entity_id, \
     standing, status, resolution_note, resolved_by, resolved_at, created_at";

/// A case's runs, newest first (at most 20) and all its alerts, newest first.
pub async fn for_case(
    mut conn: Conn<'_>,
    org: &OrgId,
    case: CaseId,
) -> Result<(Vec<RunRow>, Vec<AlertRow>), StoreError> {
    let runs = fetch_all!(
        conn.reborrow(),
        RunRow,
        "SELECT id, triggered_by, slot, checks, alerts_generated, list_version, completed_at FROM monitoring_runs \
         WHERE org_id = $1 AND case_id = $2 ORDER BY id DESC LIMIT 20",
        org.as_str(),
        case.to_string()
    )?;
    let sql =
        format!("SELECT {ALERT_COLUMNS} FROM monitoring_alerts WHERE org_id = $1 AND case_id = $2 ORDER BY id DESC");
    let alerts = fetch_all!(conn, AlertRow, sqlx::AssertSqlSafe(sql), org.as_str(), case.to_string())?;
    Ok((runs, alerts))
}

/// A tenant's alerts, newest first, optionally of one status.
pub async fn list(conn: Conn<'_>, org: &OrgId, status: Option<&str>, limit: i64) -> Result<Vec<AlertRow>, StoreError> {
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM monitoring_alerts WHERE org_id = $1 AND ($2 IS NULL OR status = $2) \
         ORDER BY id DESC LIMIT $3"
    );
    Ok(fetch_all!(conn, AlertRow, sqlx::AssertSqlSafe(sql), org.as_str(), status, limit)?)
}

pub async fn get_alert(conn: Conn<'_>, org: &OrgId, id: i64) -> Result<Option<AlertRow>, StoreError> {
    let sql = format!("SELECT {ALERT_COLUMNS} FROM monitoring_alerts WHERE org_id = $1 AND id = $2");
    Ok(fetch_optional!(conn, AlertRow, sqlx::AssertSqlSafe(sql), org.as_str(), id)?)
}

/// Resolves an open alert; false when it was resolved already.
pub async fn resolve(
    conn: Conn<'_>,
    org: &OrgId,
    id: i64,
    note: &str,
    by: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let n = execute!(
        conn,
        "UPDATE monitoring_alerts SET status = 'resolved', resolution_note = $3, resolved_by = $4, resolved_at = $5 \
         WHERE org_id = $1 AND id = $2 AND status = 'open'",
        org.as_str(),
        id,
        note,
        by,
        at.millis()
    )?;
    Ok(n == 1)
}
