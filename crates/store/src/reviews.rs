//! Case reviews (the "AI case review") with the inputs each read.

use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::Conn;
use crate::{StoreError, fetch_all, fetch_optional};

/// A review to record.
#[derive(Debug, Clone)]
pub struct NewReview<'a> {
    pub triggered_by: &'a str,
    pub recommendation: &'a str,
    pub confidence: &'a str,
    pub risk_factors: &'a str,
    pub inputs: &'a str,
    pub model: &'a str,
    pub prompt_version: &'a str,
    pub completed_at: Timestamp,
}

/// A stored review.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub triggered_by: String,
    pub recommendation: String,
    pub confidence: String,
    pub risk_factors: String,
    pub inputs: String,
    pub model: String,
    pub prompt_version: String,
    pub completed_at: i64,
}

pub async fn insert(conn: Conn<'_>, org: &OrgId, case: CaseId, r: &NewReview<'_>) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(
        conn,
        (i64,),
        "INSERT INTO case_ai_reviews (org_id, case_id, triggered_by, recommendation, confidence, risk_factors, inputs, \
         model, prompt_version, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        org.as_str(),
        case.to_string(),
        r.triggered_by,
        r.recommendation,
        r.confidence,
        r.risk_factors,
        r.inputs,
        r.model,
        r.prompt_version,
        r.completed_at.millis()
    )?;
    Ok(row.ok_or_else(|| StoreError::Corrupt("a review was not recorded".into()))?.0)
}

/// A case's reviews, newest first (at most 20).
pub async fn for_case(conn: Conn<'_>, org: &OrgId, case: CaseId) -> Result<Vec<ReviewRow>, StoreError> {
    recent(conn, org, case, 20).await
}

/// A case's latest review.
pub async fn latest(conn: Conn<'_>, org: &OrgId, case: CaseId) -> Result<Option<ReviewRow>, StoreError> {
    Ok(recent(conn, org, case, 1).await?.pop())
}

async fn recent(conn: Conn<'_>, org: &OrgId, case: CaseId, limit: i64) -> Result<Vec<ReviewRow>, StoreError> {
    Ok(fetch_all!(
        conn,
        ReviewRow,
        "SELECT id, triggered_by, recommendation, confidence, risk_factors, inputs, model, prompt_version, completed_at \
         FROM case_ai_reviews WHERE org_id = $1 AND case_id = $2 ORDER BY id DESC LIMIT $3",
        org.as_str(),
        case.to_string(),
        limit
    )?)
}
