//! Risk models, decision policies (versioned config rows), risk assessments and routing
//! evaluations.

use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::Conn;
use crate::{StoreError, fetch_optional};

/// A versioned config row (a risk model or a decision policy).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConfigRow {
    pub id: i64,
    pub version: i32,
    pub config: String,
    pub created_by: String,
    pub created_at: i64,
}

/// Which table a config row lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    RiskModel,
    Policy,
}

impl ConfigKind {
    fn table(self) -> &'static str {
        match self {
            ConfigKind::RiskModel => "risk_models",
            ConfigKind::Policy => "decision_policies",
        }
    }
}

/// The row in force: the highest version.
pub async fn active(conn: Conn<'_>, org: &OrgId, kind: ConfigKind) -> Result<Option<ConfigRow>, StoreError> {
    let sql = format!(
        "SELECT id, version, config, created_by, created_at FROM {} WHERE org_id = $1 ORDER BY version DESC LIMIT 1",
        kind.table()
    );
    Ok(fetch_optional!(conn, ConfigRow, sqlx::AssertSqlSafe(sql), org.as_str())?)
}

/// Adds a version (the next after the highest) in the caller's transaction; `name` is the
/// policy's name (ignored for risk models).
pub async fn add_version(
    mut conn: Conn<'_>,
    org: &OrgId,
    kind: ConfigKind,
    name: &str,
    config: &str,
    by: &str,
    now: Timestamp,
) -> Result<ConfigRow, StoreError> {
    let next = active(conn.reborrow(), org, kind).await?.map_or(1, |r| r.version + 1);
    let sql = match kind {
        ConfigKind::RiskModel => "INSERT INTO risk_models (org_id, version, config, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id, version, config, created_by, created_at"
            .to_owned(),
        ConfigKind::Policy => "INSERT INTO decision_policies (org_id, version, config, created_by, created_at, name) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, version, config, created_by, created_at"
            .to_owned(),
    };
    let row: Option<ConfigRow> = match kind {
        ConfigKind::RiskModel => {
            fetch_optional!(conn, ConfigRow, sqlx::AssertSqlSafe(sql), org.as_str(), next, config, by, now.millis())?
        }
        ConfigKind::Policy => fetch_optional!(
            conn,
            ConfigRow,
            sqlx::AssertSqlSafe(sql),
            org.as_str(),
            next,
            config,
            by,
            now.millis(),
            name
        )?,
    };
    row.ok_or_else(|| StoreError::Corrupt("a config version was not recorded".into()))
}

/// An assessment to record.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub config_id: i64,
    pub composite_score: f64,
    pub band: String,
    pub band_label: String,
    pub factors: String,
    pub inputs: String,
    pub override_reason: Option<String>,
    pub assessed_by: String,
    pub assessed_at: Timestamp,
}

/// A stored assessment.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AssessmentRow {
    pub id: i64,
    pub config_id: i64,
    pub composite_score: f64,
    pub band: String,
    pub band_label: String,
    pub factors: String,
    pub inputs: String,
    pub override_reason: Option<String>,
    pub assessed_by: String,
    pub assessed_at: i64,
}

pub async fn insert_assessment(
    conn: Conn<'_>,
    org: &OrgId,
    case: CaseId,
    a: &NewAssessment,
) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(
        conn,
        (i64,),
        "INSERT INTO risk_assessments (org_id, case_id, config_id, composite_score, band, band_label, factors, inputs, \
         override_reason, assessed_by, assessed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        org.as_str(),
        case.to_string(),
        a.config_id,
        a.composite_score,
        &a.band,
        &a.band_label,
        &a.factors,
        &a.inputs,
        a.override_reason.as_deref(),
        &a.assessed_by,
        a.assessed_at.millis()
    )?;
    Ok(row.ok_or_else(|| StoreError::Corrupt("an assessment was not recorded".into()))?.0)
}

pub async fn latest_assessment(conn: Conn<'_>, org: &OrgId, case: CaseId) -> Result<Option<AssessmentRow>, StoreError> {
    Ok(fetch_optional!(
        conn,
        AssessmentRow,
        "SELECT id, config_id, composite_score, band, band_label, factors, inputs, override_reason, assessed_by, \
         assessed_at FROM risk_assessments WHERE org_id = $1 AND case_id = $2 ORDER BY id DESC LIMIT 1",
        org.as_str(),
        case.to_string()
    )?)
}

/// A routing to record.
#[derive(Debug, Clone)]
pub struct NewRouting {
    pub assessment_id: i64,
    pub policy_id: i64,
    pub policy_name: String,
    pub matched_rule_index: Option<i32>,
    pub outcome: String,
    pub attributes: String,
    pub decided: Option<&'static str>,
    pub evaluated_at: Timestamp,
}

/// A stored routing.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RoutingRow {
    pub id: i64,
    pub assessment_id: i64,
    pub policy_id: i64,
    pub policy_name: String,
    pub matched_rule_index: Option<i32>,
    pub outcome: String,
    pub attributes: String,
    pub decided: Option<String>,
    pub evaluated_at: i64,
}

pub async fn insert_routing(conn: Conn<'_>, org: &OrgId, case: CaseId, r: &NewRouting) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(
        conn,
        (i64,),
        "INSERT INTO routing_evaluations (org_id, case_id, assessment_id, policy_id, policy_name, matched_rule_index, \
         outcome, attributes, decided, evaluated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        org.as_str(),
        case.to_string(),
        r.assessment_id,
        r.policy_id,
        &r.policy_name,
        r.matched_rule_index,
        &r.outcome,
        &r.attributes,
        r.decided,
        r.evaluated_at.millis()
    )?;
    Ok(row.ok_or_else(|| StoreError::Corrupt("a routing was not recorded".into()))?.0)
}

pub async fn latest_routing(conn: Conn<'_>, org: &OrgId, case: CaseId) -> Result<Option<RoutingRow>, StoreError> {
    Ok(fetch_optional!(
        conn,
        RoutingRow,
        "SELECT id, assessment_id, policy_id, policy_name, matched_rule_index, outcome, attributes, decided, \
         evaluated_at FROM routing_evaluations WHERE org_id = $1 AND case_id = $2 ORDER BY id DESC LIMIT 1",
        org.as_str(),
        case.to_string()
    )?)
}

/// EDD requirements still outstanding on a case.
pub async fn edd_outstanding(conn: Conn<'_>, org: &OrgId, case: CaseId) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(
        conn,
        (i64,),
        "SELECT COUNT(*) FROM edd_requirements WHERE org_id = $1 AND case_id = $2 AND status = 'outstanding'",
        org.as_str(),
        case.to_string()
    )?;
    Ok(row.map_or(0, |r| r.0))
}
