// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use super::defs::*;
use serde::{Deserialize, Serialize};

/// An identity-verification (Didit) link was sent to a real person on the case (one emit per email — deduped by personKey across roles).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdvDispatched {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    /// "system" for automatic dispatch, analyst email for manual sends.
    #[serde(rename = "dispatchedBy")]
    pub dispatched_by: String,
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
    /// Stable identity key (UUID v4) shared across the same real human within the case.
    #[serde(rename = "personKey")]
    pub person_key: String,
    #[serde(rename = "recipientEmail")]
    pub recipient_email: String,
    #[serde(rename = "recipientName")]
    pub recipient_name: String,
    /// All roles this dispatch covers (e.g. ["director", "ubo"]).
    #[serde(rename = "roles")]
    pub roles: Vec<String>,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// A vendor (Didit) reported an identity verification result for one person on a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdvCompleted {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "completedAt")]
    pub completed_at: String,
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
    #[serde(rename = "outcome")]
    pub outcome: IdvOutcome,
    /// Index of the person in the case roster.
    #[serde(rename = "position")]
    pub position: i64,
    #[serde(rename = "role")]
    pub role: String,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
    /// IDV vendor (e.g. "Didit").
    #[serde(rename = "vendorName")]
    pub vendor_name: String,
    #[serde(rename = "verificationType")]
    pub verification_type: VerificationType,
}

/// A Didit dispatch was suppressed because an accepted Passport/ID document is already on file for that person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdvSatisfiedByDocument {
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
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "personEmail")]
    pub person_email: Option<String>,
    #[serde(rename = "personKey")]
    pub person_key: String,
    #[serde(rename = "personName")]
    pub person_name: String,
    #[serde(rename = "roles")]
    pub roles: Vec<String>,
    /// Internal id of the Passport/ID document that satisfied IDV.
    #[serde(rename = "satisfiedByDocId")]
    pub satisfied_by_doc_id: i64,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

