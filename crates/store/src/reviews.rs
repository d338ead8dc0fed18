//! Case reviews (the "AI case review") with the inputs each read.

use fml_domain::review::Review;
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
    /// The `review_case` job that wrote it (none for a review run on request).
    pub job_id: Option<i64>,
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
    pub job_id: Option<i64>,
}

impl ReviewRow {
    /// The review as the reviewer gave it.
    pub fn review(&self) -> Result<Review, StoreError> {
        let corrupt =
            |what: &str, e: serde_json::Error| StoreError::Corrupt(format!("review {}: {what}: {e}", self.id));
        let text = |s: &str| serde_json::Value::String(s.to_owned());
        Ok(Review {
            recommendation: serde_json::from_value(text(&self.recommendation))
                .map_err(|e| corrupt("recommendation", e))?,
            confidence: serde_json::from_value(text(&self.confidence)).map_err(|e| corrupt("confidence", e))?,
            factors: serde_json::from_str(&self.risk_factors).map_err(|e| corrupt("risk factors", e))?,
        })
    }
}

pub async fn insert(conn: Conn<'_>, org: &OrgId, case: CaseId, r: &NewReview<'_>) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(
        conn,
        (i64,),
        "INSERT INTO case_ai_reviews (org_id, case_id, triggered_by, recommendation, confidence, risk_factors, inputs, \
         model, prompt_version, completed_at, job_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        org.as_str(),
        case.to_string(),
        r.triggered_by,
        r.recommendation,
        r.confidence,
        r.risk_factors,
        r.inputs,
        r.model,
        r.prompt_version,
        r.completed_at.millis(),
        r.job_id
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

/// The review job `job` wrote, if it has.
pub async fn by_job(conn: Conn<'_>, org: &OrgId, case: CaseId, job: i64) -> Result<Option<ReviewRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM case_ai_reviews WHERE org_id = $1 AND case_id = $2 AND job_id = $3");
    Ok(fetch_optional!(conn, ReviewRow, sqlx::AssertSqlSafe(sql), org.as_str(), case.to_string(), job)?)
}

const COLUMNS: &str =
    "id, triggered_by, recommendation, confidence, risk_factors, inputs, model, prompt_version, completed_at, job_id";

async fn recent(conn: Conn<'_>, org: &OrgId, case: CaseId, limit: i64) -> Result<Vec<ReviewRow>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM case_ai_reviews WHERE org_id = $1 AND case_id = $2 ORDER BY id DESC LIMIT $3");
    Ok(fetch_all!(conn, ReviewRow, sqlx::AssertSqlSafe(sql), org.as_str(), case.to_string(), limit)?)
}
