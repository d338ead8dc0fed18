//! Case lifecycle events: a case opened, submitted, decided, moved between statuses,
//! escalated to a senior reviewer, or given a new owner.

use schemars::JsonSchema;
use serde::Serialize;

use super::values::{DecisionOutcome, SeniorRecommendation, SubmissionSource};
use crate::events::WebhookEvent;
use crate::{CaseId, CaseReference, CaseSource, CaseStatus, CountryCode, Timestamp};

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
