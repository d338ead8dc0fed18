// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use serde::{Deserialize, Serialize};

/// The AI case review's recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AiRecommendation {
    #[serde(rename = "Approve")]
    Approve,
    #[serde(rename = "Refer")]
    Refer,
    #[serde(rename = "Decline")]
    Decline,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// A monitoring alert's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AlertSeverity {
    #[serde(rename = "low")]
    Low,
    #[serde(rename = "medium")]
    Medium,
    #[serde(rename = "high")]
    High,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// One field a customer changed during review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amendment {
    #[serde(rename = "correctedValue")]
    pub corrected_value: Option<String>,
    #[serde(rename = "field")]
    pub field: String,
    #[serde(rename = "originalValue")]
    pub original_value: Option<String>,
    #[serde(rename = "section")]
    pub section: String,
}

/// How a case came to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CaseSource {
    #[serde(rename = "manual")]
    Manual,
    #[serde(rename = "doc_upload")]
    DocUpload,
    #[serde(rename = "application_form")]
    ApplicationForm,
    #[serde(rename = "api")]
    Api,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// Where a case is in its life. Always snake_case on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CaseStatus {
    #[serde(rename = "approved")]
    Approved,
    #[serde(rename = "declined")]
    Declined,
    #[serde(rename = "in_progress")]
    InProgress,
    #[serde(rename = "in_review")]
    InReview,
    #[serde(rename = "pending_senior")]
    PendingSenior,
    #[serde(rename = "returned")]
    Returned,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// One check of a monitoring run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRun {
    #[serde(rename = "check")]
    pub check: String,
    #[serde(rename = "status")]
    pub status: String,
    #[serde(rename = "subjects")]
    pub subjects: i64,
}

/// A model's confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Confidence {
    #[serde(rename = "High")]
    High,
    #[serde(rename = "Medium")]
    Medium,
    #[serde(rename = "Low")]
    Low,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// Where a data correction came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CorrectionSource {
    #[serde(rename = "customer_review")]
    CustomerReview,
    #[serde(rename = "analyst_override")]
    AnalystOverride,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// An analyst's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DecisionOutcome {
    #[serde(rename = "approved")]
    Approved,
    #[serde(rename = "declined")]
    Declined,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// A processed document's status (always `complete`: errors do not fire the event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DocumentStatus {
    #[serde(rename = "complete")]
    Complete,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// An EDD requirement's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum EddStatus {
    #[serde(rename = "outstanding")]
    Outstanding,
    #[serde(rename = "received")]
    Received,
    #[serde(rename = "waived")]
    Waived,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// The AI triage of a screening hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum HitDisposition {
    #[serde(rename = "false_positive")]
    FalsePositive,
    #[serde(rename = "true_match")]
    TrueMatch,
    #[serde(rename = "escalate")]
    Escalate,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// An identity verification's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum IdvOutcome {
    #[serde(rename = "pass")]
    Pass,
    #[serde(rename = "fail")]
    Fail,
    #[serde(rename = "manual_review")]
    ManualReview,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// The field an analyst override changes (always `document_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OverrideField {
    #[serde(rename = "document_status")]
    DocumentStatus,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// What an analyst override set an errored document to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OverrideValue {
    #[serde(rename = "approved")]
    Approved,
    #[serde(rename = "escalated")]
    Escalated,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// A case owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Owner {
    #[serde(rename = "email")]
    pub email: String,
    #[serde(rename = "name")]
    pub name: String,
}

/// One requested item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestedItem {
    #[serde(rename = "key")]
    pub key: String,
    #[serde(rename = "label")]
    pub label: String,
}

/// A risk band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RiskBand {
    #[serde(rename = "low")]
    Low,
    #[serde(rename = "medium")]
    Medium,
    #[serde(rename = "high")]
    High,
    #[serde(rename = "prohibited")]
    Prohibited,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// A risk factor the AI surfaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskFactor {
    #[serde(rename = "severity")]
    pub severity: RiskSeverity,
    #[serde(rename = "text")]
    pub text: String,
}

/// A risk factor's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RiskSeverity {
    #[serde(rename = "HIGH")]
    High,
    #[serde(rename = "MEDIUM")]
    Medium,
    #[serde(rename = "LOW")]
    Low,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// A screened subject's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ScreeningStatus {
    #[serde(rename = "clear")]
    Clear,
    #[serde(rename = "match")]
    Match,
    #[serde(rename = "pep")]
    Pep,
    #[serde(rename = "sanctioned")]
    Sanctioned,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// One screened subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningSubject {
    #[serde(rename = "name")]
    pub name: String,
    #[serde(rename = "role")]
    pub role: Option<String>,
    #[serde(rename = "status")]
    pub status: ScreeningStatus,
}

/// A senior reviewer's recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SeniorRecommendation {
    #[serde(rename = "approve")]
    Approve,
    #[serde(rename = "decline")]
    Decline,
    #[serde(rename = "refer")]
    Refer,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// `case.submitted` sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SubmissionSource {
    #[serde(rename = "application_form")]
    ApplicationForm,
    #[serde(rename = "doc_upload")]
    DocUpload,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// The kind of verification (always `identity` today).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum VerificationType {
    #[serde(rename = "identity")]
    Identity,
    /// A value this version of the crate does not know (a later contract's).
    #[serde(other)]
    Unknown,
}

/// A new case is opened — manual analyst creation, customer doc upload, application form submission, or the Public API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseCreated {
    /// First Mile Labs case identifier (the UUID the Public API returns).
    #[serde(rename = "caseId")]
    pub case_id: String,
    /// The per-tenant human reference, e.g. `CS-2026-00471`.
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// Subject company name when known.
    #[serde(rename = "companyName")]
    pub company_name: Option<String>,
    /// Registry number when collected (e.g. Companies House number).
    #[serde(rename = "companyNumber")]
    pub company_number: Option<String>,
    /// ISO 3166-1 alpha-2 country of the subject company.
    #[serde(rename = "country")]
    pub country: Option<String>,
    /// Analyst email — only present on manual creation.
    #[serde(rename = "createdBy", default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    /// Email of the customer the case belongs to.
    #[serde(rename = "customerEmail")]
    pub customer_email: Option<String>,
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
    /// One of "manual", "doc_upload", "application_form", or "api" (Public API).
    #[serde(rename = "source")]
    pub source: CaseSource,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// The customer has finished their part — application form submitted or customer review confirmed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSubmitted {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "companyName")]
    pub company_name: Option<String>,
    #[serde(rename = "country")]
    pub country: Option<String>,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    #[serde(rename = "customerEmail")]
    pub customer_email: Option<String>,
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
    #[serde(rename = "source")]
    pub source: SubmissionSource,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// An analyst has approved or declined the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseDecisionMade {
    /// Analyst who made the decision.
    #[serde(rename = "analystEmail")]
    pub analyst_email: String,
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "companyName")]
    pub company_name: Option<String>,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    /// Decision timestamp.
    #[serde(rename = "decidedAt")]
    pub decided_at: String,
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    /// Free-text decision notes captured in the analyst panel.
    #[serde(rename = "notes")]
    pub notes: String,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "outcome")]
    pub outcome: DecisionOutcome,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// Lifecycle transitions — initial submission, decision, escalation to senior, return from senior review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseStatusChanged {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// Email of the actor (analyst or customer).
    #[serde(rename = "changedBy")]
    pub changed_by: String,
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
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    /// Status before the transition.
    #[serde(rename = "previousStatus")]
    pub previous_status: CaseStatus,
    /// Senior reviewer recommendation — only on returns from senior review.
    #[serde(rename = "recommendation", default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<SeniorRecommendation>,
    /// New status.
    #[serde(rename = "status")]
    pub status: CaseStatus,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

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

/// A sanctions / PEP / adverse media screening run finished for a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningCompleted {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// When screening completed (the envelope's `timestamp` is the emission time; see
    /// docs/decisions.md).
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
    /// Total subjects screened (company plus directors and shareholders).
    #[serde(rename = "screened")]
    pub screened: i64,
    #[serde(rename = "summary")]
    pub summary: Vec<ScreeningSubject>,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

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

/// A perpetual-monitoring run produced a new alert against an existing case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitoringAlertCreated {
    /// Alert category (e.g. "sanctions_hit", "pep_change", "adverse_media").
    #[serde(rename = "alertType")]
    pub alert_type: String,
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "companyName")]
    pub company_name: Option<String>,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    #[serde(rename = "detail")]
    pub detail: String,
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
    #[serde(rename = "runId")]
    pub run_id: i64,
    #[serde(rename = "severity")]
    pub severity: AlertSeverity,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
    #[serde(rename = "title")]
    pub title: String,
}

/// A perpetual-monitoring run finished for a case (regardless of whether any alerts were generated).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitoringRunCompleted {
    #[serde(rename = "alertsGenerated")]
    pub alerts_generated: i64,
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "checksRun")]
    pub checks_run: Vec<CheckRun>,
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
    #[serde(rename = "runId")]
    pub run_id: i64,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
    /// "scheduled" or analyst email for ad-hoc runs.
    #[serde(rename = "triggeredBy")]
    pub triggered_by: String,
}

/// AI per-hit triage completed for an OpenSanctions hit or adverse-media article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningHitTriaged {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// 0–100 AI confidence score, a whole number.
    #[serde(rename = "confidence")]
    pub confidence: i64,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    #[serde(rename = "disposition")]
    pub disposition: HitDisposition,
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    /// Raw OpenSanctions id, or "am:<adverse_media_results.id>".
    #[serde(rename = "hitId")]
    pub hit_id: String,
    /// Anthropic model used (e.g. "claude-opus-4-5").
    #[serde(rename = "model")]
    pub model: String,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    /// Prompt version, currently "1".
    #[serde(rename = "promptVersion")]
    pub prompt_version: String,
    #[serde(rename = "shortReason")]
    pub short_reason: String,
    #[serde(rename = "subjectName")]
    pub subject_name: String,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// An analyst linked a case-side subject to a tenant Person row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonLinked {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    #[serde(rename = "displayName")]
    pub display_name: String,
    #[serde(rename = "email")]
    pub email: Option<String>,
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    #[serde(rename = "linkedBy")]
    pub linked_by: String,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "personId")]
    pub person_id: i64,
    #[serde(rename = "personKey")]
    pub person_key: String,
    #[serde(rename = "roles")]
    pub roles: Vec<String>,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// An analyst removed an active case-to-Person link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonUnlinked {
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
    #[serde(rename = "personId")]
    pub person_id: i64,
    #[serde(rename = "personKey")]
    pub person_key: String,
    #[serde(rename = "reason")]
    pub reason: Option<String>,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
    #[serde(rename = "unlinkedBy")]
    pub unlinked_by: String,
}

/// An analyst confirmed "no prior match" for a subject — a new Person row was created and linked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonMarkedNew {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    #[serde(rename = "displayName")]
    pub display_name: String,
    #[serde(rename = "email")]
    pub email: Option<String>,
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
    #[serde(rename = "personId")]
    pub person_id: i64,
    #[serde(rename = "personKey")]
    pub person_key: String,
    #[serde(rename = "resolvedBy")]
    pub resolved_by: String,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// An analyst attached a Passport/ID document on a case to a Person profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonDocumentAttached {
    #[serde(rename = "attachedBy")]
    pub attached_by: String,
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    #[serde(rename = "documentId")]
    pub document_id: i64,
    /// Typically "Passport" or "Government ID".
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
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "personId")]
    pub person_id: i64,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

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

/// A case owner was assigned, reassigned, or cleared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerChanged {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "changedBy")]
    pub changed_by: Option<String>,
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
    #[serde(rename = "newOwner")]
    pub new_owner: Option<Owner>,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "previousOwner")]
    pub previous_owner: Option<Owner>,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// A reachability check: sent by the pre-save test ping and the endpoint Test button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ping {
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    #[serde(rename = "message")]
    pub message: String,
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// Every event a receiver can get; match on it to read the payload.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `case.created`
    CaseCreated(CaseCreated),
    /// `case.submitted`
    CaseSubmitted(CaseSubmitted),
    /// `case.decision.made`
    CaseDecisionMade(CaseDecisionMade),
    /// `case.status.changed`
    CaseStatusChanged(CaseStatusChanged),
    /// `data.corrected`
    DataCorrected(DataCorrected),
    /// `document.uploaded`
    DocumentUploaded(DocumentUploaded),
    /// `screening.completed`
    ScreeningCompleted(ScreeningCompleted),
    /// `ai_review.completed`
    AiReviewCompleted(AiReviewCompleted),
    /// `document.processed`
    DocumentProcessed(DocumentProcessed),
    /// `risk.assessed`
    RiskAssessed(RiskAssessed),
    /// `routing.evaluated`
    RoutingEvaluated(RoutingEvaluated),
    /// `edd.requirements.changed`
    EddRequirementsChanged(EddRequirementsChanged),
    /// `edd.requested`
    EddRequested(EddRequested),
    /// `idv.dispatched`
    IdvDispatched(IdvDispatched),
    /// `idv.completed`
    IdvCompleted(IdvCompleted),
    /// `idv.satisfied_by_document`
    IdvSatisfiedByDocument(IdvSatisfiedByDocument),
    /// `monitoring.alert.created`
    MonitoringAlertCreated(MonitoringAlertCreated),
    /// `monitoring.run.completed`
    MonitoringRunCompleted(MonitoringRunCompleted),
    /// `screening.hit.triaged`
    ScreeningHitTriaged(ScreeningHitTriaged),
    /// `person.linked`
    PersonLinked(PersonLinked),
    /// `person.unlinked`
    PersonUnlinked(PersonUnlinked),
    /// `person.marked_new`
    PersonMarkedNew(PersonMarkedNew),
    /// `person.document_attached`
    PersonDocumentAttached(PersonDocumentAttached),
    /// `outreach.email.sent`
    OutreachEmailSent(OutreachEmailSent),
    /// `escalation.created`
    EscalationCreated(EscalationCreated),
    /// `escalation.responded`
    EscalationResponded(EscalationResponded),
    /// `owner.changed`
    OwnerChanged(OwnerChanged),
    /// `ping`
    Ping(Ping),
    /// An event type this version of the crate does not know (a later contract's), whole.
    Unknown(serde_json::Value),
}

/// Every event type this crate knows, in the guide's order, then `ping`.
pub const EVENT_TYPES: [&str; 28] = [
    "case.created",
    "case.submitted",
    "case.decision.made",
    "case.status.changed",
    "data.corrected",
    "document.uploaded",
    "screening.completed",
    "ai_review.completed",
    "document.processed",
    "risk.assessed",
    "routing.evaluated",
    "edd.requirements.changed",
    "edd.requested",
    "idv.dispatched",
    "idv.completed",
    "idv.satisfied_by_document",
    "monitoring.alert.created",
    "monitoring.run.completed",
    "screening.hit.triaged",
    "person.linked",
    "person.unlinked",
    "person.marked_new",
    "person.document_attached",
    "outreach.email.sent",
    "escalation.created",
    "escalation.responded",
    "owner.changed",
    "ping",
];

impl Event {
    /// Parses a payload by its `event` field; a type this crate does not know is `Unknown`.
    pub fn from_value(v: serde_json::Value) -> Result<Self, serde_json::Error> {
        let kind = v.get("event").and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
        Ok(match kind.as_str() {
            "case.created" => Event::CaseCreated(serde_json::from_value(v)?),
            "case.submitted" => Event::CaseSubmitted(serde_json::from_value(v)?),
            "case.decision.made" => Event::CaseDecisionMade(serde_json::from_value(v)?),
            "case.status.changed" => Event::CaseStatusChanged(serde_json::from_value(v)?),
            "data.corrected" => Event::DataCorrected(serde_json::from_value(v)?),
            "document.uploaded" => Event::DocumentUploaded(serde_json::from_value(v)?),
            "screening.completed" => Event::ScreeningCompleted(serde_json::from_value(v)?),
            "ai_review.completed" => Event::AiReviewCompleted(serde_json::from_value(v)?),
            "document.processed" => Event::DocumentProcessed(serde_json::from_value(v)?),
            "risk.assessed" => Event::RiskAssessed(serde_json::from_value(v)?),
            "routing.evaluated" => Event::RoutingEvaluated(serde_json::from_value(v)?),
            "edd.requirements.changed" => Event::EddRequirementsChanged(serde_json::from_value(v)?),
            "edd.requested" => Event::EddRequested(serde_json::from_value(v)?),
            "idv.dispatched" => Event::IdvDispatched(serde_json::from_value(v)?),
            "idv.completed" => Event::IdvCompleted(serde_json::from_value(v)?),
            "idv.satisfied_by_document" => Event::IdvSatisfiedByDocument(serde_json::from_value(v)?),
            "monitoring.alert.created" => Event::MonitoringAlertCreated(serde_json::from_value(v)?),
            "monitoring.run.completed" => Event::MonitoringRunCompleted(serde_json::from_value(v)?),
            "screening.hit.triaged" => Event::ScreeningHitTriaged(serde_json::from_value(v)?),
            "person.linked" => Event::PersonLinked(serde_json::from_value(v)?),
            "person.unlinked" => Event::PersonUnlinked(serde_json::from_value(v)?),
            "person.marked_new" => Event::PersonMarkedNew(serde_json::from_value(v)?),
            "person.document_attached" => Event::PersonDocumentAttached(serde_json::from_value(v)?),
            "outreach.email.sent" => Event::OutreachEmailSent(serde_json::from_value(v)?),
            "escalation.created" => Event::EscalationCreated(serde_json::from_value(v)?),
            "escalation.responded" => Event::EscalationResponded(serde_json::from_value(v)?),
            "owner.changed" => Event::OwnerChanged(serde_json::from_value(v)?),
            "ping" => Event::Ping(serde_json::from_value(v)?),
            _ => Event::Unknown(v),
        })
    }

    /// The payload as JSON again.
    pub fn to_value(&self) -> serde_json::Value {
        match self {
            Event::CaseCreated(e) => serde_json::to_value(e),
            Event::CaseSubmitted(e) => serde_json::to_value(e),
            Event::CaseDecisionMade(e) => serde_json::to_value(e),
            Event::CaseStatusChanged(e) => serde_json::to_value(e),
            Event::DataCorrected(e) => serde_json::to_value(e),
            Event::DocumentUploaded(e) => serde_json::to_value(e),
            Event::ScreeningCompleted(e) => serde_json::to_value(e),
            Event::AiReviewCompleted(e) => serde_json::to_value(e),
            Event::DocumentProcessed(e) => serde_json::to_value(e),
            Event::RiskAssessed(e) => serde_json::to_value(e),
            Event::RoutingEvaluated(e) => serde_json::to_value(e),
            Event::EddRequirementsChanged(e) => serde_json::to_value(e),
            Event::EddRequested(e) => serde_json::to_value(e),
            Event::IdvDispatched(e) => serde_json::to_value(e),
            Event::IdvCompleted(e) => serde_json::to_value(e),
            Event::IdvSatisfiedByDocument(e) => serde_json::to_value(e),
            Event::MonitoringAlertCreated(e) => serde_json::to_value(e),
            Event::MonitoringRunCompleted(e) => serde_json::to_value(e),
            Event::ScreeningHitTriaged(e) => serde_json::to_value(e),
            Event::PersonLinked(e) => serde_json::to_value(e),
            Event::PersonUnlinked(e) => serde_json::to_value(e),
            Event::PersonMarkedNew(e) => serde_json::to_value(e),
            Event::PersonDocumentAttached(e) => serde_json::to_value(e),
            Event::OutreachEmailSent(e) => serde_json::to_value(e),
            Event::EscalationCreated(e) => serde_json::to_value(e),
            Event::EscalationResponded(e) => serde_json::to_value(e),
            Event::OwnerChanged(e) => serde_json::to_value(e),
            Event::Ping(e) => serde_json::to_value(e),
            Event::Unknown(v) => Ok(v.clone()),
        }
        // Plain structs of strings, numbers and vectors: serialising cannot fail.
        .unwrap_or_default()
    }

    /// The `event` name, e.g. `case.created`.
    pub fn event_type(&self) -> &str {
        match self {
            Event::CaseCreated(e) => &e.event,
            Event::CaseSubmitted(e) => &e.event,
            Event::CaseDecisionMade(e) => &e.event,
            Event::CaseStatusChanged(e) => &e.event,
            Event::DataCorrected(e) => &e.event,
            Event::DocumentUploaded(e) => &e.event,
            Event::ScreeningCompleted(e) => &e.event,
            Event::AiReviewCompleted(e) => &e.event,
            Event::DocumentProcessed(e) => &e.event,
            Event::RiskAssessed(e) => &e.event,
            Event::RoutingEvaluated(e) => &e.event,
            Event::EddRequirementsChanged(e) => &e.event,
            Event::EddRequested(e) => &e.event,
            Event::IdvDispatched(e) => &e.event,
            Event::IdvCompleted(e) => &e.event,
            Event::IdvSatisfiedByDocument(e) => &e.event,
            Event::MonitoringAlertCreated(e) => &e.event,
            Event::MonitoringRunCompleted(e) => &e.event,
            Event::ScreeningHitTriaged(e) => &e.event,
            Event::PersonLinked(e) => &e.event,
            Event::PersonUnlinked(e) => &e.event,
            Event::PersonMarkedNew(e) => &e.event,
            Event::PersonDocumentAttached(e) => &e.event,
            Event::OutreachEmailSent(e) => &e.event,
            Event::EscalationCreated(e) => &e.event,
            Event::EscalationResponded(e) => &e.event,
            Event::OwnerChanged(e) => &e.event,
            Event::Ping(e) => &e.event,
            Event::Unknown(v) => v.get("event").and_then(serde_json::Value::as_str).unwrap_or_default(),
        }
    }

    /// The `eventId`: stable across retries and redeliveries, the idempotency key.
    pub fn event_id(&self) -> &str {
        match self {
            Event::CaseCreated(e) => &e.event_id,
            Event::CaseSubmitted(e) => &e.event_id,
            Event::CaseDecisionMade(e) => &e.event_id,
            Event::CaseStatusChanged(e) => &e.event_id,
            Event::DataCorrected(e) => &e.event_id,
            Event::DocumentUploaded(e) => &e.event_id,
            Event::ScreeningCompleted(e) => &e.event_id,
            Event::AiReviewCompleted(e) => &e.event_id,
            Event::DocumentProcessed(e) => &e.event_id,
            Event::RiskAssessed(e) => &e.event_id,
            Event::RoutingEvaluated(e) => &e.event_id,
            Event::EddRequirementsChanged(e) => &e.event_id,
            Event::EddRequested(e) => &e.event_id,
            Event::IdvDispatched(e) => &e.event_id,
            Event::IdvCompleted(e) => &e.event_id,
            Event::IdvSatisfiedByDocument(e) => &e.event_id,
            Event::MonitoringAlertCreated(e) => &e.event_id,
            Event::MonitoringRunCompleted(e) => &e.event_id,
            Event::ScreeningHitTriaged(e) => &e.event_id,
            Event::PersonLinked(e) => &e.event_id,
            Event::PersonUnlinked(e) => &e.event_id,
            Event::PersonMarkedNew(e) => &e.event_id,
            Event::PersonDocumentAttached(e) => &e.event_id,
            Event::OutreachEmailSent(e) => &e.event_id,
            Event::EscalationCreated(e) => &e.event_id,
            Event::EscalationResponded(e) => &e.event_id,
            Event::OwnerChanged(e) => &e.event_id,
            Event::Ping(e) => &e.event_id,
            Event::Unknown(v) => v.get("eventId").and_then(serde_json::Value::as_str).unwrap_or_default(),
        }
    }

    /// The `timestamp` (ISO 8601 UTC) the event was emitted at, covered by the signature.
    pub fn timestamp(&self) -> &str {
        match self {
            Event::CaseCreated(e) => &e.timestamp,
            Event::CaseSubmitted(e) => &e.timestamp,
            Event::CaseDecisionMade(e) => &e.timestamp,
            Event::CaseStatusChanged(e) => &e.timestamp,
            Event::DataCorrected(e) => &e.timestamp,
            Event::DocumentUploaded(e) => &e.timestamp,
            Event::ScreeningCompleted(e) => &e.timestamp,
            Event::AiReviewCompleted(e) => &e.timestamp,
            Event::DocumentProcessed(e) => &e.timestamp,
            Event::RiskAssessed(e) => &e.timestamp,
            Event::RoutingEvaluated(e) => &e.timestamp,
            Event::EddRequirementsChanged(e) => &e.timestamp,
            Event::EddRequested(e) => &e.timestamp,
            Event::IdvDispatched(e) => &e.timestamp,
            Event::IdvCompleted(e) => &e.timestamp,
            Event::IdvSatisfiedByDocument(e) => &e.timestamp,
            Event::MonitoringAlertCreated(e) => &e.timestamp,
            Event::MonitoringRunCompleted(e) => &e.timestamp,
            Event::ScreeningHitTriaged(e) => &e.timestamp,
            Event::PersonLinked(e) => &e.timestamp,
            Event::PersonUnlinked(e) => &e.timestamp,
            Event::PersonMarkedNew(e) => &e.timestamp,
            Event::PersonDocumentAttached(e) => &e.timestamp,
            Event::OutreachEmailSent(e) => &e.timestamp,
            Event::EscalationCreated(e) => &e.timestamp,
            Event::EscalationResponded(e) => &e.timestamp,
            Event::OwnerChanged(e) => &e.timestamp,
            Event::Ping(e) => &e.timestamp,
            Event::Unknown(v) => v.get("timestamp").and_then(serde_json::Value::as_str).unwrap_or_default(),
        }
    }
}
