//! Document events: uploads, their AI extraction, and corrections to what was extracted
//! (by the customer in review or by an analyst overriding an errored document).

use schemars::JsonSchema;
use serde::Serialize;

use super::values::{Confidence, CorrectionSource, DocumentStatus, OverrideField, OverrideValue};
use crate::events::WebhookEvent;
use crate::{CaseId, CaseReference};

/// One field a customer changed during review.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Amendment {
    pub section: String,
    pub field: String,
    pub original_value: Option<String>,
    pub corrected_value: Option<String>,
}

/// A customer corrected extracted data during review, or an analyst manually overrode an
/// errored document (approve / escalate).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataCorrected {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub source: CorrectionSource,
    /// Customer review only — number of fields the customer changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amendment_count: Option<u32>,
    /// Customer review only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amendments: Option<Vec<Amendment>>,
    /// Analyst override only — the document that was overridden.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<i64>,
    /// Analyst override only — always "document_status".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<OverrideField>,
    /// Analyst override only — typically "error".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_value: Option<String>,
    /// Analyst override only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_value: Option<OverrideValue>,
    /// Manual approval note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Escalation reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Analyst email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}
webhook_event!(
    DataCorrected,
    "data.corrected",
    "A customer corrected extracted data during review, or an analyst manually overrode an errored document (approve / escalate).",
    optional = [
        "amendmentCount",
        "amendments",
        "documentId",
        "field",
        "originalValue",
        "correctedValue",
        "note",
        "reason",
        "by"
    ]
);

/// One or more documents were uploaded to a case (single emit per upload batch).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentUploaded {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    /// Internal IDs of every uploaded document.
    pub document_ids: Vec<i64>,
    /// Number of files in the batch.
    pub file_count: u32,
    /// Original filenames.
    pub filenames: Vec<String>,
}
webhook_event!(
    DocumentUploaded,
    "document.uploaded",
    "One or more documents were uploaded to a case (single emit per upload batch)."
);

/// A single uploaded document finished AI extraction successfully.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentProcessed {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub document_id: i64,
    /// AI-classified document type, e.g. "Certificate of Incorporation".
    pub document_type: String,
    pub filename: String,
    pub status: DocumentStatus,
    pub confidence: Confidence,
    pub warning_count: u32,
    pub missing_field_count: u32,
}
webhook_event!(
    DocumentProcessed,
    "document.processed",
    "A single uploaded document finished AI extraction successfully (one emit per document)."
);
