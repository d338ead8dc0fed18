//! What the decision controls read about a case, and the first approvals that wait for a
//! second person under maker-checker.

use fml_domain::controls::{Facts, HitFact};
use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::Conn;
use crate::{StoreError, execute, fetch_all, fetch_optional};

/// The case's facts for [`fml_domain::controls::concerns`]: the latest screening run's hits,
/// the latest risk band and routing outcome, and the open monitoring alerts. Read on the
/// caller's connection, so inside a command they are the transaction's view.
pub async fn facts(mut conn: Conn<'_>, org: &OrgId, case: CaseId) -> Result<Facts, StoreError> {
    let case = case.to_string();
    let hits: Vec<(String, String, Option<String>)> = fetch_all!(
        conn.reborrow(),
        (String, String, Option<String>),
        "SELECT subject_name, standing, review_disposition FROM screening_hits WHERE org_id = $1 AND run_id = \
         (SELECT MAX(id) FROM screening_runs WHERE org_id = $1 AND case_id = $2) ORDER BY id",
        org.as_str(),
        case.as_str()
    )?;
    let band: Option<(String,)> = fetch_optional!(
        conn.reborrow(),
        (String,),
        "SELECT band FROM risk_assessments WHERE org_id = $1 AND case_id = $2 ORDER BY id DESC LIMIT 1",
        org.as_str(),
        case.as_str()
    )?;
    let routing: Option<(String,)> = fetch_optional!(
        conn.reborrow(),
        (String,),
        "SELECT outcome FROM routing_evaluations WHERE org_id = $1 AND case_id = $2 ORDER BY id DESC LIMIT 1",
        org.as_str(),
        case.as_str()
    )?;
    let alerts: Option<(i64,)> = fetch_optional!(
        conn,
        (i64,),
        "SELECT COUNT(*) FROM monitoring_alerts WHERE org_id = $1 AND case_id = $2 AND status = 'open'",
        org.as_str(),
        case.as_str()
    )?;
    Ok(Facts {
        hits: hits
            .into_iter()
            .map(|(subject, standing, disposition)| HitFact { subject, standing, disposition })
            .collect(),
        band: band.map(|b| b.0),
        routing: routing.map(|r| r.0),
        open_alerts: u32::try_from(alerts.map_or(0, |a| a.0)).unwrap_or(u32::MAX),
    })
}

/// A first approval waiting for a second person.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingRow {
    pub id: i64,
    pub requested_by: String,
    pub notes: String,
    /// The concerns it overrides, as a JSON array of sentences.
    pub concerns: String,
    pub requested_at: i64,
}

impl PendingRow {
    pub fn concerns(&self) -> Vec<String> {
        serde_json::from_str(&self.concerns).unwrap_or_default()
    }
}

/// The case's pending approval, if any.
pub async fn pending(conn: Conn<'_>, org: &OrgId, case: CaseId) -> Result<Option<PendingRow>, StoreError> {
    Ok(fetch_optional!(
        conn,
        PendingRow,
        "SELECT id, requested_by, notes, concerns, requested_at FROM pending_approvals \
         WHERE org_id = $1 AND case_id = $2 AND state = 'pending'",
        org.as_str(),
        case.to_string()
    )?)
}

/// Records a first approval; the caller holds the case's lock, so there is none pending.
pub async fn request(
    conn: Conn<'_>,
    org: &OrgId,
    case: CaseId,
    by: &str,
    notes: &str,
    concerns: &[String],
    now: Timestamp,
) -> Result<(), StoreError> {
    let concerns = serde_json::to_string(concerns).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    execute!(
        conn,
        "INSERT INTO pending_approvals (org_id, case_id, requested_by, notes, concerns, requested_at, state) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending')",
        org.as_str(),
        case.to_string(),
        by,
        notes,
        &concerns,
        now.millis()
    )?;
    Ok(())
}

/// How a pending approval ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Close {
    /// A second person approved.
    Completed,
    /// The case was declined or escalated instead.
    Withdrawn,
}

/// Closes the case's pending approval, if it has one.
pub async fn close(
    conn: Conn<'_>,
    org: &OrgId,
    case: CaseId,
    how: Close,
    by: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let state = match how {
        Close::Completed => "completed",
        Close::Withdrawn => "withdrawn",
    };
    execute!(
        conn,
        "UPDATE pending_approvals SET state = $3, closed_by = $4, closed_at = $5 \
         WHERE org_id = $1 AND case_id = $2 AND state = 'pending'",
        org.as_str(),
        case.to_string(),
        state,
        by,
        now.millis()
    )?;
    Ok(())
}
