// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use super::defs::*;
use serde::{Deserialize, Serialize};

/// A customer-facing outreach email was sent (e.g. document request) — one emit per send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutreachEmailSent {
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
    /// Email kind, e.g. "document_request".
    #[serde(rename = "kind")]
    pub kind: String,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "recipientEmail")]
    pub recipient_email: String,
    #[serde(rename = "sentBy")]
    pub sent_by: String,
    #[serde(rename = "subject")]
    pub subject: String,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

