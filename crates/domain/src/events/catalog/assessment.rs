//! Assessment events: the AI case review, the risk score and the decision-policy routing,
//! the automated judgements made about a case.

use schemars::JsonSchema;
use serde::Serialize;

use super::values::{AiRecommendation, Confidence, RiskBand, RiskSeverity};
use crate::events::WebhookEvent;
use crate::{CaseId, CaseReference, Timestamp};

/// A risk factor the AI surfaced.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskFactor {
    pub text: String,
    pub severity: RiskSeverity,
}

/// The autonomous AI case review finished for a case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AiReviewCompleted {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    /// Internal id of the case_ai_reviews row.
    pub review_id: i64,
    pub company_name: Option<String>,
    /// Analyst email, or "system:form-submission:<email>" / "system:confirm-review:<email>".
    pub triggered_by: String,
    pub recommendation: AiRecommendation,
    pub confidence: Confidence,
    pub risk_factor_count: u32,
    pub risk_factors: Vec<RiskFactor>,
    pub completed_at: Timestamp,
}
webhook_event!(
    AiReviewCompleted,
    "ai_review.completed",
    "The autonomous AI case review (AI screening) finished for a case — analyst-triggered or background."
);

/// The risk-scoring engine produced (or refreshed) a composite score for a case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskAssessed {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub assessment_id: i64,
    /// Active risk_model_config row this score was computed against.
    pub config_id: i64,
    /// 0–100 composite score, a whole number.
    pub composite_score: crate::Percent,
    pub band_id: RiskBand,
    pub band_label: String,
    /// "system" for automatic runs, analyst email for manual recompute.
    pub assessed_by: String,
    pub assessed_at: Timestamp,
}
webhook_event!(
    RiskAssessed,
    "risk.assessed",
    "The risk-scoring engine produced (or refreshed) a composite score for a case."
);

/// A decision-policy run completed for a case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoutingEvaluated {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub policy_id: i64,
    pub policy_name: String,
    /// Zero-indexed rule that matched, or null if the default branch fired.
    pub matched_rule_index: Option<u32>,
    /// Routing outcome (e.g. "AUTO_APPROVE", "REVIEW_LEVEL_1", "DECLINE").
    pub outcome: String,
    pub evaluated_at: Timestamp,
}
webhook_event!(
    RoutingEvaluated,
    "routing.evaluated",
    "A decision-policy run completed for a case (every time the rule engine evaluates the active policy)."
);
