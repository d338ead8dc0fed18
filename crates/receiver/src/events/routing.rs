// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use serde::{Deserialize, Serialize};

/// A decision-policy run completed for a case (every time the rule engine evaluates the active policy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingEvaluated {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    #[serde(rename = "evaluatedAt")]
    pub evaluated_at: String,
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    /// Zero-indexed rule that matched, or null if the default branch fired.
    #[serde(rename = "matchedRuleIndex")]
    pub matched_rule_index: Option<i64>,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    /// Routing outcome (e.g. "AUTO_APPROVE", "REVIEW_LEVEL_1", "DECLINE").
    #[serde(rename = "outcome")]
    pub outcome: String,
    #[serde(rename = "policyId")]
    pub policy_id: i64,
    #[serde(rename = "policyName")]
    pub policy_name: String,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

