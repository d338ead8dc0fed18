//! Events: the envelope every outbound webhook carries, the catalog of event types, and their
//! JSON Schemas and TypeScript definitions.
//!
//! An event is serialised once, when it is emitted; those bytes are what the webhook engine
//! signs and sends on every attempt and redelivery.

pub mod announce;
pub mod catalog;
pub mod rust;
pub mod samples;
pub mod schema;
pub mod typescript;

use serde::Serialize;
use uuid::Uuid;

pub use catalog::*;

use crate::{CaseId, OrgId, Timestamp};

/// The current contract version (`eventVersion`, `X-FML-Event-Version`).
pub const EVENT_VERSION: u32 = 1;

/// The fields every case event carries before its own.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub event: &'static str,
    pub event_id: Uuid,
    pub event_version: u32,
    pub timestamp: Timestamp,
    pub org_id: OrgId,
    /// Present whenever the event concerns a case; null when no CRM record id is stored.
    pub crm_record_id: Option<String>,
}

/// The envelope of `ping`, which concerns no case and so has no `crmRecordId`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct PingEnvelope<'a> {
    event: &'static str,
    event_id: Uuid,
    event_version: u32,
    timestamp: Timestamp,
    org_id: &'a OrgId,
    message: &'static str,
}

/// One event ready for the outbox.
#[derive(Debug, Clone)]
pub struct OutboxEvent {
    pub event_id: Uuid,
    pub event_type: &'static str,
    pub org_id: OrgId,
    pub case_id: Option<CaseId>,
    pub created_at: Timestamp,
    /// The exact JSON bytes to sign and send.
    pub payload: String,
    /// The W3C `traceparent` of the span that caused it, when traces are exported: its
    /// delivery attempts join that trace.
    pub trace_parent: Option<String>,
}

/// A webhook event type of the catalog: its payload fields, and what the schema needs to know
/// about them that the Rust type alone does not say.
pub trait WebhookEvent: Serialize + schemars::JsonSchema + Sized {
    /// The `event` name, e.g. `case.created`.
    const TYPE: &'static str;
    /// The TypeScript interface name without its version suffix, e.g. `CaseCreated`.
    const NAME: &'static str;
    /// What the event means (the guide's description).
    const DESCRIPTION: &'static str;
    /// Fields that are present only in some situations (the guide's "only present on …");
    /// every other field, nullable or not, is always present.
    const OPTIONAL: &'static [&'static str] = &[];

    /// The case this event concerns.
    fn case_id(&self) -> CaseId;

    /// Stamps the envelope on and serialises the event for the outbox.
    fn emit(&self, org_id: &OrgId, crm_record_id: Option<&str>, at: Timestamp) -> OutboxEvent {
        let envelope = Envelope {
            event: Self::TYPE,
            event_id: Uuid::new_v4(),
            event_version: EVENT_VERSION,
            timestamp: at,
            org_id: org_id.clone(),
            crm_record_id: crm_record_id.map(str::to_owned),
        };
        let payload = serde_json::to_string(&Wire { envelope: &envelope, payload: self })
            .expect("event payloads are plain data and always serialise");
        OutboxEvent {
            event_id: envelope.event_id,
            event_type: Self::TYPE,
            org_id: org_id.clone(),
            case_id: Some(self.case_id()),
            created_at: at,
            payload,
            trace_parent: None,
        }
    }
}

#[derive(Serialize)]
struct Wire<'a, P: Serialize> {
    #[serde(flatten)]
    envelope: &'a Envelope,
    #[serde(flatten)]
    payload: &'a P,
}

/// The `ping` event's name.
pub const PING: &str = "ping";
/// The `ping` event's fixed message.
pub const PING_MESSAGE: &str = "This is a test ping from First Mile Labs webhook infrastructure.";

/// A `ping` payload: sent by the pre-save reachability check and the endpoint test; never
/// stored in the outbox.
pub fn ping(org_id: &OrgId, at: Timestamp) -> (Uuid, String) {
    let event_id = Uuid::new_v4();
    let body = PingEnvelope {
        event: PING,
        event_id,
        event_version: EVENT_VERSION,
        timestamp: at,
        org_id,
        message: PING_MESSAGE,
    };
    (event_id, serde_json::to_string(&body).expect("ping serialises"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CaseReference, CaseSource, CountryCode};

    #[test]
    fn case_created_has_envelope_then_fields() {
        let org = OrgId::parse("org_demo_bank").unwrap();
        let ev = CaseCreated {
            case_id: CaseId::generate(),
            case_reference: CaseReference::new(2026, 1),
            company_name: Some("Acme".into()),
            company_number: None,
            country: CountryCode::parse("GB").ok(),
            customer_email: Some("a@b.io".into()),
            source: CaseSource::Api,
            created_by: None,
        }
        .emit(&org, None, Timestamp::from_millis(1_778_836_451_421));
        let v: serde_json::Value = serde_json::from_str(&ev.payload).unwrap();
        assert_eq!(v["event"], "case.created");
        assert_eq!(v["eventId"], ev.event_id.to_string());
        assert_eq!(v["eventVersion"], 1);
        assert_eq!(v["timestamp"], "2026-05-15T09:14:11.421Z");
        assert_eq!(v["orgId"], "org_demo_bank");
        assert!(v["crmRecordId"].is_null() && v.get("crmRecordId").is_some());
        assert_eq!(v["caseReference"], "CS-2026-00001");
        assert_eq!(v["country"], "GB");
        assert_eq!(v["source"], "api");
        assert!(v.get("createdBy").is_none());
        assert!(ev.payload.starts_with(r#"{"event":"case.created","eventId""#));
    }

    #[test]
    fn ping_has_the_guides_shape() {
        let org = OrgId::parse("org_demo_bank").unwrap();
        let (id, body) = ping(&org, Timestamp::from_millis(0));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["event"], "ping");
        assert_eq!(v["eventId"], id.to_string());
        assert_eq!(v["message"], PING_MESSAGE);
        assert!(v.get("crmRecordId").is_none());
    }
}
