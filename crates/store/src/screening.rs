//! Screening runs and their hits, and the engines' settings of a tenant.

use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::{Arg, Conn, values_clause};
use crate::{StoreError, execute, execute_args, fetch_all, fetch_optional};

/// The default threshold when a tenant has set none.
pub const DEFAULT_THRESHOLD: f64 = 0.85;

/// A tenant's screening threshold.
pub async fn threshold(conn: Conn<'_>, org: &OrgId) -> Result<f64, StoreError> {
    let row: Option<(f64,)> = fetch_optional!(
        conn,
        (f64,),
        "SELECT screening_threshold FROM engine_settings WHERE org_id = $1",
        org.as_str()
    )?;
    Ok(row.map_or(DEFAULT_THRESHOLD, |r| r.0))
}

pub async fn set_threshold(conn: Conn<'_>, org: &OrgId, value: f64, now: Timestamp) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO engine_settings (org_id, screening_threshold, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (org_id) DO UPDATE SET screening_threshold = excluded.screening_threshold, \
         updated_at = excluded.updated_at",
        org.as_str(),
        value,
        now.millis()
    )?;
    Ok(())
}

/// A run to record.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub triggered_by: String,
    pub list_version: i64,
    pub threshold: f64,
    pub screened: i32,
    /// JSON: `[{name, role, status}]`, the event's summary.
    pub summary: String,
    pub source: &'static str,
    pub completed_at: Timestamp,
}

/// A hit to record.
#[derive(Debug, Clone)]
pub struct NewHit {
    pub subject_name: String,
    pub subject_role: Option<String>,
    pub person_key: Option<String>,
    pub entity_id: String,
    /// The entity's JSON as it was listed when matched.
    pub entity: String,
    pub standing: &'static str,
    pub score: f64,
    pub features: String,
    pub confidence: f64,
    pub disposition: &'static str,
    pub short_reason: String,
    pub model: String,
    pub prompt_version: String,
}

/// A stored run.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub case_id: String,
    pub triggered_by: String,
    pub list_version: i64,
    pub threshold: f64,
    pub screened: i32,
    pub summary: String,
    pub source: String,
    pub completed_at: i64,
}

/// A stored hit.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct HitRow {
    pub id: i64,
    pub run_id: i64,
    pub subject_name: String,
    pub subject_role: Option<String>,
    pub person_key: Option<String>,
    pub entity_id: String,
    pub entity: String,
    pub standing: String,
    pub score: f64,
    pub features: String,
    pub confidence: f64,
    pub disposition: String,
    pub short_reason: String,
    pub model: String,
    pub prompt_version: String,
    pub review_disposition: Option<String>,
    pub review_note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
}

const RUN_COLUMNS: &str = "id, case_id, triggered_by, list_version, threshold, screened, summary, source, completed_at";
const HIT_COLUMNS: &str = "id, run_id, subject_name, subject_role, person_key, entity_id, entity, standing, score, \
     features, confidence, disposition, short_reason, model, prompt_version, review_disposition, review_note, \
     reviewed_by, reviewed_at";

/// Records a run and its hits in the caller's transaction; returns the run's id.
pub async fn insert_run(
    mut conn: Conn<'_>,
    org: &OrgId,
    case: CaseId,
    run: &NewRun,
    hits: &[NewHit],
) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(
        conn.reborrow(),
        (i64,),
        "INSERT INTO screening_runs (org_id, case_id, triggered_by, list_version, threshold, screened, summary, \
         source, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        org.as_str(),
        case.to_string(),
        &run.triggered_by,
        run.list_version,
        run.threshold,
        run.screened,
        &run.summary,
        run.source,
        run.completed_at.millis()
    )?;
    let run_id = row.ok_or_else(|| StoreError::Corrupt("a screening run was not recorded".into()))?.0;
    const COLS: usize = 16;
    for chunk in hits.chunks(500) {
        let sql = format!(
            "INSERT INTO screening_hits (run_id, org_id, case_id, subject_name, subject_role, person_key, entity_id, \
             entity, standing, score, features, confidence, disposition, short_reason, model, prompt_version) VALUES {}",
            values_clause(chunk.len(), COLS, 1)
        );
        let mut args = Vec::with_capacity(chunk.len() * COLS);
        for h in chunk {
            args.extend([
                Arg::Int(run_id),
                Arg::Text(org.as_str().to_owned()),
                Arg::Text(case.to_string()),
                Arg::Text(h.subject_name.clone()),
                Arg::OptText(h.subject_role.clone()),
                Arg::OptText(h.person_key.clone()),
                Arg::Text(h.entity_id.clone()),
                Arg::Text(h.entity.clone()),
                Arg::Text(h.standing.to_owned()),
                Arg::Float(h.score),
                Arg::Text(h.features.clone()),
                Arg::Float(h.confidence),
                Arg::Text(h.disposition.to_owned()),
                Arg::Text(h.short_reason.clone()),
                Arg::Text(h.model.clone()),
                Arg::Text(h.prompt_version.clone()),
            ]);
        }
        execute_args!(conn.reborrow(), sql, args)?;
    }
    Ok(run_id)
}

/// The latest run of a case, if any.
pub async fn latest_run(conn: Conn<'_>, org: &OrgId, case: CaseId) -> Result<Option<RunRow>, StoreError> {
    let sql =
        format!("SELECT {RUN_COLUMNS} FROM screening_runs WHERE org_id = $1 AND case_id = $2 ORDER BY id DESC LIMIT 1");
    Ok(fetch_optional!(conn, RunRow, sqlx::AssertSqlSafe(sql), org.as_str(), case.to_string())?)
}

/// A run's hits, in the order they were found.
pub async fn hits(conn: Conn<'_>, org: &OrgId, run_id: i64) -> Result<Vec<HitRow>, StoreError> {
    let sql = format!("SELECT {HIT_COLUMNS} FROM screening_hits WHERE org_id = $1 AND run_id = $2 ORDER BY id");
    Ok(fetch_all!(conn, HitRow, sqlx::AssertSqlSafe(sql), org.as_str(), run_id)?)
}

/// One hit of a case.
pub async fn hit(conn: Conn<'_>, org: &OrgId, case: CaseId, hit_id: i64) -> Result<Option<HitRow>, StoreError> {
    let sql = format!("SELECT {HIT_COLUMNS} FROM screening_hits WHERE org_id = $1 AND case_id = $2 AND id = $3");
    Ok(fetch_optional!(conn, HitRow, sqlx::AssertSqlSafe(sql), org.as_str(), case.to_string(), hit_id)?)
}

/// Records an analyst's disposition of a hit.
pub async fn review(
    conn: Conn<'_>,
    org: &OrgId,
    hit_id: i64,
    disposition: &str,
    note: &str,
    by: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    execute!(
        conn,
        "UPDATE screening_hits SET review_disposition = $3, review_note = $4, reviewed_by = $5, reviewed_at = $6 \
         WHERE org_id = $1 AND id = $2",
        org.as_str(),
        hit_id,
        disposition,
        note,
        by,
        at.millis()
    )?;
    Ok(())
}
