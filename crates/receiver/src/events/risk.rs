// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use super::defs::*;
use serde::{Deserialize, Serialize};

/// The risk-scoring engine produced (or refreshed) a composite score for a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskAssessed {
    #[serde(rename = "assessedAt")]
    pub assessed_at: String,
    /// "system" for automatic runs, analyst email for manual recompute.
    #[serde(rename = "assessedBy")]
    pub assessed_by: String,
    #[serde(rename = "assessmentId")]
    pub assessment_id: i64,
    #[serde(rename = "bandId")]
    pub band_id: RiskBand,
    #[serde(rename = "bandLabel")]
    pub band_label: String,
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// 0–100 composite score, a whole number.
    #[serde(rename = "compositeScore")]
    pub composite_score: i64,
    /// Active risk_model_config row this score was computed against.
    #[serde(rename = "configId")]
    pub config_id: i64,
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
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

