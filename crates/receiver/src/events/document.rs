// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use super::defs::*;
use serde::{Deserialize, Serialize};

/// One or more documents were uploaded to a case (single emit per upload batch).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentUploaded {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    /// Internal IDs of every uploaded document.
    #[serde(rename = "documentIds")]
    pub document_ids: Vec<i64>,
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    /// Number of files in the batch.
    #[serde(rename = "fileCount")]
    pub file_count: i64,
    /// Original filenames.
    #[serde(rename = "filenames")]
    pub filenames: Vec<String>,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// A single uploaded document finished AI extraction successfully (one emit per document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentProcessed {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "confidence")]
    pub confidence: Confidence,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    #[serde(rename = "documentId")]
    pub document_id: i64,
    /// AI-classified document type, e.g. "Certificate of Incorporation".
    #[serde(rename = "documentType")]
    pub document_type: String,
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    #[serde(rename = "filename")]
    pub filename: String,
    #[serde(rename = "missingFieldCount")]
    pub missing_field_count: i64,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "status")]
    pub status: DocumentStatus,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
    #[serde(rename = "warningCount")]
    pub warning_count: i64,
}

