//! The 27 event types of the Webhook Integration Guide, one struct each, with the guide's
//! field names, types, nullability and enumerated values. Every case event also carries
//! `caseReference` (an additive field: see docs/decisions.md).
//!
//! `Option<T>` without `skip_serializing_if` is a field that is always present and may be
//! null ("string | null" in the guide); with it, a field present only in some situations.

use schemars::JsonSchema;
use serde::Serialize;

use super::WebhookEvent;
use crate::{CaseId, CaseReference, CaseSource, CaseStatus, CountryCode, Timestamp};

/// Implements [`WebhookEvent`] for a payload struct with a `case_id` field.
macro_rules! webhook_event {
    ($ty:ident, $name:literal, $desc:literal $(, optional = [$($opt:literal),* $(,)?])?) => {
        impl WebhookEvent for $ty {
            const TYPE: &'static str = $name;
            const NAME: &'static str = stringify!($ty);
            const DESCRIPTION: &'static str = $desc;
            $(const OPTIONAL: &'static [&'static str] = &[$($opt),*];)?
            fn case_id(&self) -> CaseId {
                self.case_id
            }
        }
    };
}

/// A closed set of string values, serialised exactly as the guide spells them.
macro_rules! string_enum {
    ($(#[$m:meta])* $ty:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, JsonSchema)]
        pub enum $ty {
            $(#[serde(rename = $text)] $variant),+
        }
    };
}

string_enum!(
    /// `case.submitted` sources.
    SubmissionSource { ApplicationForm = "application_form", DocUpload = "doc_upload" }
);
string_enum!(
    /// An analyst's decision.
    DecisionOutcome { Approved = "approved", Declined = "declined" }
);
string_enum!(
    /// A senior reviewer's recommendation.
    SeniorRecommendation { Approve = "approve", Decline = "decline", Refer = "refer" }
);
string_enum!(
    /// Where a data correction came from.
    CorrectionSource { CustomerReview = "customer_review", AnalystOverride = "analyst_override" }
);
string_enum!(
    /// What an analyst override set an errored document to.
    OverrideValue { Approved = "approved", Escalated = "escalated" }
);
string_enum!(
    /// The field an analyst override changes (always `document_status`).
    OverrideField { DocumentStatus = "document_status" }
);
string_enum!(
    /// A screened subject's result.
    ScreeningStatus { Clear = "clear", Match = "match", Pep = "pep", Sanctioned = "sanctioned" }
);
string_enum!(
    /// The AI case review's recommendation.
    AiRecommendation { Approve = "Approve", Refer = "Refer", Decline = "Decline" }
);
string_enum!(
    /// A model's confidence.
    Confidence { High = "High", Medium = "Medium", Low = "Low" }
);
string_enum!(
    /// A risk factor's severity.
    RiskSeverity { High = "HIGH", Medium = "MEDIUM", Low = "LOW" }
);
string_enum!(
    /// A processed document's status (always `complete`: errors do not fire the event).
    DocumentStatus { Complete = "complete" }
);
string_enum!(
    /// A risk band.
    RiskBand { Low = "low", Medium = "medium", High = "high", Prohibited = "prohibited" }
);
string_enum!(
    /// An EDD requirement's state.
    EddStatus { Outstanding = "outstanding", Received = "received", Waived = "waived" }
);
string_enum!(
    /// The kind of verification (always `identity` today).
    VerificationType { Identity = "identity" }
);
string_enum!(
    /// An identity verification's result.
    IdvOutcome { Pass = "pass", Fail = "fail", ManualReview = "manual_review" }
);
string_enum!(
    /// A monitoring alert's severity.
    AlertSeverity { Low = "low", Medium = "medium", High = "high" }
);
string_enum!(
    /// The AI triage of a screening hit.
    HitDisposition { FalsePositive = "false_positive", TrueMatch = "true_match", Escalate = "escalate" }
);

/// A new case is opened — manual analyst creation, customer doc upload, application form
/// submission, or the Public API.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseCreated {
    /// First Mile Labs case identifier (the UUID the Public API returns).
    pub case_id: CaseId,
    /// The per-tenant human reference, e.g. `CS-2026-00471`.
    pub case_reference: CaseReference,
    /// Subject company name when known.
    pub company_name: Option<String>,
    /// Registry number when collected (e.g. Companies House number).
    pub company_number: Option<String>,
    /// ISO 3166-1 alpha-2 country of the subject company.
    pub country: Option<CountryCode>,
    /// Email of the customer the case belongs to.
    pub customer_email: Option<String>,
    /// One of "manual", "doc_upload", "application_form", or "api" (Public API).
    pub source: CaseSource,
    /// Analyst email — only present on manual creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}
webhook_event!(
    CaseCreated,
    "case.created",
    "A new case is opened — manual analyst creation, customer doc upload, application form submission, or the Public API.",
    optional = ["createdBy"]
);

/// The customer has finished their part — application form submitted or customer review confirmed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseSubmitted {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub company_name: Option<String>,
    pub country: Option<CountryCode>,
    pub customer_email: Option<String>,
    pub source: SubmissionSource,
}
webhook_event!(
    CaseSubmitted,
    "case.submitted",
    "The customer has finished their part — application form submitted or customer review confirmed."
);

/// An analyst has approved or declined the case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseDecisionMade {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub outcome: DecisionOutcome,
    /// Free-text decision notes captured in the analyst panel.
    pub notes: String,
    /// Analyst who made the decision.
    pub analyst_email: String,
    /// Decision timestamp.
    pub decided_at: Timestamp,
    pub company_name: Option<String>,
}
webhook_event!(CaseDecisionMade, "case.decision.made", "An analyst has approved or declined the case.");

/// Lifecycle transitions — initial submission, decision, escalation to senior, return from senior review.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseStatusChanged {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub company_name: Option<String>,
    /// New status.
    pub status: CaseStatus,
    /// Status before the transition.
    pub previous_status: CaseStatus,
    /// Email of the actor (analyst or customer).
    pub changed_by: String,
    /// Senior reviewer recommendation — only on returns from senior review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<SeniorRecommendation>,
}
webhook_event!(
    CaseStatusChanged,
    "case.status.changed",
    "Lifecycle transitions — initial submission, decision, escalation to senior, return from senior review.",
    optional = ["recommendation"]
);

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

/// One screened subject.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningSubject {
    pub name: String,
    pub role: Option<String>,
    pub status: ScreeningStatus,
}

/// A sanctions / PEP / adverse media screening run finished for a case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningCompleted {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    /// Total subjects screened (company plus directors and shareholders).
    pub screened: u32,
    pub summary: Vec<ScreeningSubject>,
    /// When screening completed (the envelope's `timestamp` is the emission time; see
    /// docs/decisions.md).
    pub completed_at: Timestamp,
}
webhook_event!(
    ScreeningCompleted,
    "screening.completed",
    "A sanctions / PEP / adverse media screening run finished for a case."
);

/// A risk factor the AI surfaced.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskFactor {
    pub text: String,
    pub severity: RiskSeverity,
}

/// The autonomous AI case review finished for a case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AiReviewCompleted {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    /// Internal id of the case_ai_reviews row.
    pub review_id: i64,
    pub company_name: Option<String>,
    /// Analyst email, or "system:form-submission:<email>" / "system:confirm-review:<email>".
    pub triggered_by: String,
    pub recommendation: AiRecommendation,
    pub confidence: Confidence,
    pub risk_factor_count: u32,
    pub risk_factors: Vec<RiskFactor>,
    pub completed_at: Timestamp,
}
webhook_event!(
    AiReviewCompleted,
    "ai_review.completed",
    "The autonomous AI case review (AI screening) finished for a case — analyst-triggered or background."
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

/// The risk-scoring engine produced (or refreshed) a composite score for a case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskAssessed {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub assessment_id: i64,
    /// Active risk_model_config row this score was computed against.
    pub config_id: i64,
    /// 0–100 composite score.
    #[schemars(range(min = 0, max = 100))]
    pub composite_score: f64,
    pub band_id: RiskBand,
    pub band_label: String,
    /// "system" for automatic runs, analyst email for manual recompute.
    pub assessed_by: String,
    pub assessed_at: Timestamp,
}
webhook_event!(
    RiskAssessed,
    "risk.assessed",
    "The risk-scoring engine produced (or refreshed) a composite score for a case."
);

/// A decision-policy run completed for a case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoutingEvaluated {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub policy_id: i64,
    pub policy_name: String,
    /// Zero-indexed rule that matched, or null if the default branch fired.
    pub matched_rule_index: Option<u32>,
    /// Routing outcome (e.g. "AUTO_APPROVE", "REVIEW_LEVEL_1", "DECLINE").
    pub outcome: String,
    pub evaluated_at: Timestamp,
}
webhook_event!(
    RoutingEvaluated,
    "routing.evaluated",
    "A decision-policy run completed for a case (every time the rule engine evaluates the active policy)."
);

/// An analyst marked an Enhanced Due Diligence requirement outstanding/received/waived.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EddRequirementsChanged {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    /// Stable key for the requirement (e.g. "source_of_funds").
    pub req_key: String,
    pub label: String,
    pub status: EddStatus,
    pub previous_status: Option<EddStatus>,
    pub note: String,
    pub updated_by: String,
}
webhook_event!(
    EddRequirementsChanged,
    "edd.requirements.changed",
    "An analyst marked an Enhanced Due Diligence requirement outstanding/received/waived (or updated its note)."
);

/// One requested item.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequestedItem {
    pub key: String,
    pub label: String,
}

/// An EDD evidence-request email was sent to the customer (one emit per send).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EddRequested {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub recipient_email: String,
    pub item_count: u32,
    pub items: Vec<RequestedItem>,
    pub sent_by: String,
    pub sent_at: Timestamp,
}
webhook_event!(
    EddRequested,
    "edd.requested",
    "An EDD evidence-request email was sent to the customer (one emit per send)."
);

/// An identity-verification link was sent to a real person on the case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdvDispatched {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub recipient_email: String,
    pub recipient_name: String,
    /// Stable identity key (UUID v4) shared across the same real human within the case.
    pub person_key: String,
    /// All roles this dispatch covers (e.g. ["director", "ubo"]).
    pub roles: Vec<String>,
    /// "system" for automatic dispatch, analyst email for manual sends.
    pub dispatched_by: String,
}
webhook_event!(
    IdvDispatched,
    "idv.dispatched",
    "An identity-verification (Didit) link was sent to a real person on the case (one emit per email — deduped by personKey across roles)."
);

/// A vendor reported an identity verification result for one person on a case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdvCompleted {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub verification_type: VerificationType,
    /// IDV vendor (e.g. "Didit").
    pub vendor_name: String,
    /// Index of the person in the case roster.
    pub position: u32,
    pub role: String,
    pub outcome: IdvOutcome,
    pub completed_at: Timestamp,
}
webhook_event!(
    IdvCompleted,
    "idv.completed",
    "A vendor (Didit) reported an identity verification result for one person on a case."
);

/// An IDV dispatch was suppressed because an accepted Passport/ID document is on file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdvSatisfiedByDocument {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub person_name: String,
    pub person_email: Option<String>,
    pub person_key: String,
    pub roles: Vec<String>,
    /// Internal id of the Passport/ID document that satisfied IDV.
    pub satisfied_by_doc_id: i64,
}
webhook_event!(
    IdvSatisfiedByDocument,
    "idv.satisfied_by_document",
    "A Didit dispatch was suppressed because an accepted Passport/ID document is already on file for that person."
);

/// A perpetual-monitoring run produced a new alert against an existing case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringAlertCreated {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub company_name: Option<String>,
    pub run_id: i64,
    /// Alert category (e.g. "sanctions_hit", "pep_change", "adverse_media").
    pub alert_type: String,
    pub severity: AlertSeverity,
    pub title: String,
    pub detail: String,
}
webhook_event!(
    MonitoringAlertCreated,
    "monitoring.alert.created",
    "A perpetual-monitoring run produced a new alert against an existing case."
);

/// One check of a monitoring run.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckRun {
    pub check: String,
    pub status: String,
    pub subjects: u32,
}

/// A perpetual-monitoring run finished for a case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringRunCompleted {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub run_id: i64,
    /// "scheduled" or analyst email for ad-hoc runs.
    pub triggered_by: String,
    pub alerts_generated: u32,
    pub checks_run: Vec<CheckRun>,
}
webhook_event!(
    MonitoringRunCompleted,
    "monitoring.run.completed",
    "A perpetual-monitoring run finished for a case (regardless of whether any alerts were generated)."
);

/// AI per-hit triage completed for an OpenSanctions hit or adverse-media article.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningHitTriaged {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    /// Raw OpenSanctions id, or "am:<adverse_media_results.id>".
    pub hit_id: String,
    pub subject_name: String,
    /// 0–100 AI confidence score.
    #[schemars(range(min = 0, max = 100))]
    pub confidence: f64,
    pub disposition: HitDisposition,
    pub short_reason: String,
    /// Anthropic model used (e.g. "claude-opus-4-5").
    pub model: String,
    /// Prompt version, currently "1".
    pub prompt_version: String,
}
webhook_event!(
    ScreeningHitTriaged,
    "screening.hit.triaged",
    "AI per-hit triage completed for an OpenSanctions hit or adverse-media article."
);

/// An analyst linked a case-side subject to a tenant Person row.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonLinked {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub person_id: i64,
    pub person_key: String,
    pub display_name: String,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub linked_by: String,
}
webhook_event!(PersonLinked, "person.linked", "An analyst linked a case-side subject to a tenant Person row.");

/// An analyst removed an active case-to-Person link.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonUnlinked {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub person_id: i64,
    pub person_key: String,
    pub unlinked_by: String,
    pub reason: Option<String>,
}
webhook_event!(PersonUnlinked, "person.unlinked", "An analyst removed an active case-to-Person link.");

/// An analyst confirmed "no prior match" for a subject — a new Person row was created and linked.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonMarkedNew {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub person_id: i64,
    pub person_key: String,
    pub display_name: String,
    pub email: Option<String>,
    pub resolved_by: String,
}
webhook_event!(
    PersonMarkedNew,
    "person.marked_new",
    "An analyst confirmed \"no prior match\" for a subject — a new Person row was created and linked."
);

/// An analyst attached a Passport/ID document on a case to a Person profile.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonDocumentAttached {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub person_id: i64,
    pub document_id: i64,
    /// Typically "Passport" or "Government ID".
    pub document_type: String,
    pub attached_by: String,
}
webhook_event!(
    PersonDocumentAttached,
    "person.document_attached",
    "An analyst attached a Passport/ID document on a case to a Person profile."
);

/// A customer-facing outreach email was sent (e.g. document request).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutreachEmailSent {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    /// Email kind, e.g. "document_request".
    pub kind: String,
    pub recipient_email: String,
    pub subject: String,
    pub item_count: u32,
    pub items: Vec<RequestedItem>,
    pub sent_by: String,
}
webhook_event!(
    OutreachEmailSent,
    "outreach.email.sent",
    "A customer-facing outreach email was sent (e.g. document request) — one emit per send."
);

/// An analyst escalated a case for senior review.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EscalationCreated {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub company_name: Option<String>,
    pub note: String,
    pub raised_by: String,
}
webhook_event!(EscalationCreated, "escalation.created", "An analyst escalated a case for senior review.");

/// A senior reviewer responded to an escalation with approve/decline/refer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EscalationResponded {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub company_name: Option<String>,
    pub recommendation: SeniorRecommendation,
    pub note: String,
    pub responded_by: String,
}
webhook_event!(
    EscalationResponded,
    "escalation.responded",
    "A senior reviewer responded to an escalation with approve/decline/refer."
);

/// A case owner.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    pub name: String,
    pub email: String,
}

/// A case owner was assigned, reassigned, or cleared.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnerChanged {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub previous_owner: Option<Owner>,
    pub new_owner: Option<Owner>,
    pub changed_by: Option<String>,
}
webhook_event!(OwnerChanged, "owner.changed", "A case owner was assigned, reassigned, or cleared.");
