// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use super::defs::*;
use serde::{Deserialize, Serialize};

/// An analyst escalated a case for senior review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationCreated {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "companyName")]
    pub company_name: Option<String>,
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
    #[serde(rename = "note")]
    pub note: String,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "raisedBy")]
    pub raised_by: String,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// A senior reviewer responded to an escalation with approve/decline/refer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationResponded {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "companyName")]
    pub company_name: Option<String>,
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
    #[serde(rename = "note")]
    pub note: String,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "recommendation")]
    pub recommendation: SeniorRecommendation,
    #[serde(rename = "respondedBy")]
    pub responded_by: String,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

