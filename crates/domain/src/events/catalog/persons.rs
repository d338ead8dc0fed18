//! Person events: an analyst linking, unlinking or creating the tenant Person behind a
//! case's subject, or attaching an identity document to one.

use schemars::JsonSchema;
use serde::Serialize;

use crate::events::WebhookEvent;
use crate::{CaseId, CaseReference};

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
