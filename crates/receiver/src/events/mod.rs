// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

mod defs;
mod ai_review;
mod case;
mod data;
mod document;
mod edd;
mod escalation;
mod idv;
mod monitoring;
mod outreach;
mod owner;
mod person;
mod ping;
mod risk;
mod routing;
mod screening;

pub use defs::*;
pub use ai_review::*;
pub use case::*;
pub use data::*;
pub use document::*;
pub use edd::*;
pub use escalation::*;
pub use idv::*;
pub use monitoring::*;
pub use outreach::*;
pub use owner::*;
pub use person::*;
pub use ping::*;
pub use risk::*;
pub use routing::*;
pub use screening::*;

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
