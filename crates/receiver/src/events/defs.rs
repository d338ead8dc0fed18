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

