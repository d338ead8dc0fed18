// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use super::defs::*;
use serde::{Deserialize, Serialize};

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

