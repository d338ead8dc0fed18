//! Escalations to a senior reviewer: raised by an analyst, answered by a senior.

use fml_domain::lifecycle::Recommendation;
use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::Conn;
use crate::{StoreError, execute, fetch_optional};

pub fn recommendation_str(r: Recommendation) -> &'static str {
    match r {
        Recommendation::Approve => "approve",
        Recommendation::Decline => "decline",
        Recommendation::Refer => "refer",
    }
}

pub async fn raise(
    conn: Conn<'_>,
    org: &OrgId,
    case_id: CaseId,
    note: &str,
    by: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO escalations (org_id, case_id, note, raised_by, raised_at) VALUES ($1, $2, $3, $4, $5)",
        org.as_str(),
        case_id.to_string(),
        note,
        by,
        now.millis()
    )?;
    Ok(())
}

/// Answers the case's open escalation; false if it has none.
pub async fn respond(
    mut conn: Conn<'_>,
    org: &OrgId,
    case_id: CaseId,
    recommendation: Recommendation,
    note: &str,
    by: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let open: Option<(i64,)> = fetch_optional!(
        conn.reborrow(),
        (i64,),
        "SELECT id FROM escalations WHERE org_id = $1 AND case_id = $2 AND responded_at IS NULL ORDER BY id DESC LIMIT 1",
        org.as_str(),
        case_id.to_string()
    )?;
    let Some((id,)) = open else { return Ok(false) };
    execute!(
        conn,
        "UPDATE escalations SET recommendation = $2, response_note = $3, responded_by = $4, responded_at = $5 WHERE id = $1",
        id,
        recommendation_str(recommendation),
        note,
        by,
        now.millis()
    )?;
    Ok(true)
}

/// An escalation as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EscalationRow {
    pub note: String,
    pub raised_by: String,
    pub raised_at: i64,
    /// `approve`, `decline` or `refer`; none while it is open.
    pub recommendation: Option<String>,
    pub response_note: Option<String>,
    pub responded_by: Option<String>,
    pub responded_at: Option<i64>,
}

/// The case's latest escalation, open or answered.
pub async fn latest(conn: Conn<'_>, org: &OrgId, case_id: CaseId) -> Result<Option<EscalationRow>, StoreError> {
    Ok(fetch_optional!(
        conn,
        EscalationRow,
        "SELECT note, raised_by, raised_at, recommendation, response_note, responded_by, responded_at \
         FROM escalations WHERE org_id = $1 AND case_id = $2 ORDER BY id DESC LIMIT 1",
        org.as_str(),
        case_id.to_string()
    )?)
}
