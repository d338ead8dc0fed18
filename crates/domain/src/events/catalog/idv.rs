//! Identity verification events: a link sent to a person, a vendor's result, or a link made
//! needless by an identity document already on file.

use schemars::JsonSchema;
use serde::Serialize;

use super::values::{IdvOutcome, VerificationType};
use crate::events::WebhookEvent;
use crate::{CaseId, CaseReference, Timestamp};

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
