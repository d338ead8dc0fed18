// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use super::defs::*;
use serde::{Deserialize, Serialize};

/// A customer corrected extracted data during review, or an analyst manually overrode an errored document (approve / escalate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataCorrected {
    /// Customer review only — number of fields the customer changed.
    #[serde(rename = "amendmentCount", default, skip_serializing_if = "Option::is_none")]
    pub amendment_count: Option<i64>,
    /// Customer review only.
    #[serde(rename = "amendments", default, skip_serializing_if = "Option::is_none")]
    pub amendments: Option<Vec<Amendment>>,
    /// Analyst email.
    #[serde(rename = "by", default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// Analyst override only.
    #[serde(rename = "correctedValue", default, skip_serializing_if = "Option::is_none")]
    pub corrected_value: Option<OverrideValue>,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    /// Analyst override only — the document that was overridden.
    #[serde(rename = "documentId", default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<i64>,
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    /// Analyst override only — always "document_status".
    #[serde(rename = "field", default, skip_serializing_if = "Option::is_none")]
    pub field: Option<OverrideField>,
    /// Manual approval note.
    #[serde(rename = "note", default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    /// Analyst override only — typically "error".
    #[serde(rename = "originalValue", default, skip_serializing_if = "Option::is_none")]
    pub original_value: Option<String>,
    /// Escalation reason.
    #[serde(rename = "reason", default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(rename = "source")]
    pub source: CorrectionSource,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

