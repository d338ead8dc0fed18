// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use super::defs::*;
use serde::{Deserialize, Serialize};

/// An analyst marked an Enhanced Due Diligence requirement outstanding/received/waived (or updated its note).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EddRequirementsChanged {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
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
    #[serde(rename = "label")]
    pub label: String,
    #[serde(rename = "note")]
    pub note: String,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "previousStatus")]
    pub previous_status: Option<EddStatus>,
    /// Stable key for the requirement (e.g. "source_of_funds").
    #[serde(rename = "reqKey")]
    pub req_key: String,
    #[serde(rename = "status")]
    pub status: EddStatus,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
    #[serde(rename = "updatedBy")]
    pub updated_by: String,
}

/// An EDD evidence-request email was sent to the customer (one emit per send).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EddRequested {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
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
    #[serde(rename = "itemCount")]
    pub item_count: i64,
    #[serde(rename = "items")]
    pub items: Vec<RequestedItem>,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "recipientEmail")]
    pub recipient_email: String,
    #[serde(rename = "sentAt")]
    pub sent_at: String,
    #[serde(rename = "sentBy")]
    pub sent_by: String,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

