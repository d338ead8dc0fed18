// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use super::defs::*;
use serde::{Deserialize, Serialize};

/// The autonomous AI case review (AI screening) finished for a case — analyst-triggered or background.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AiReviewCompleted {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "companyName")]
    pub company_name: Option<String>,
    #[serde(rename = "completedAt")]
    pub completed_at: String,
    #[serde(rename = "confidence")]
    pub confidence: Confidence,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "recommendation")]
    pub recommendation: AiRecommendation,
    /// Internal id of the case_ai_reviews row.
    #[serde(rename = "reviewId")]
    pub review_id: i64,
    #[serde(rename = "riskFactorCount")]
    pub risk_factor_count: i64,
    #[serde(rename = "riskFactors")]
    pub risk_factors: Vec<RiskFactor>,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
    /// Analyst email, or "system:form-submission:<email>" / "system:confirm-review:<email>".
    #[serde(rename = "triggeredBy")]
    pub triggered_by: String,
}

