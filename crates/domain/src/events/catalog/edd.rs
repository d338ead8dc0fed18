//! Enhanced due diligence and customer outreach events: requirements marked, and evidence or
//! document requests emailed to the customer.

use schemars::JsonSchema;
use serde::Serialize;

use super::values::EddStatus;
use crate::events::WebhookEvent;
use crate::{CaseId, CaseReference, Timestamp};

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
