//! Events: the envelope every outbound webhook carries, and the payloads written to the outbox.
//!
//! An event is serialised once, when it is emitted; those bytes are what the webhook engine
//! signs and sends on every attempt.

use serde::Serialize;
use uuid::Uuid;

use crate::{CaseId, CaseReference, CaseSource, CountryCode, OrgId, Timestamp};

/// The current contract version (`eventVersion`, `X-FML-Event-Version`).
pub const EVENT_VERSION: u32 = 1;

/// The fields every event carries.
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
}

#[derive(Serialize)]
struct Wire<'a, P: Serialize> {
    #[serde(flatten)]
    envelope: &'a Envelope,
    #[serde(flatten)]
    payload: &'a P,
}

/// `case.created`: a new case was opened.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseCreated {
    /// The case's UUID, the same `caseId` the Public API returns (see docs/decisions.md).
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub company_name: Option<String>,
    pub company_number: Option<String>,
    pub country: Option<CountryCode>,
    pub customer_email: Option<String>,
    pub source: CaseSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl CaseCreated {
    pub const TYPE: &'static str = "case.created";

    /// Stamps the envelope on and serialises the event for the outbox.
    pub fn emit(&self, org_id: &OrgId, crm_record_id: Option<&str>, at: Timestamp) -> OutboxEvent {
        emit(Self::TYPE, org_id, Some(self.case_id), crm_record_id, at, self)
    }
}

fn emit<P: Serialize>(
    event_type: &'static str,
    org_id: &OrgId,
    case_id: Option<CaseId>,
    crm_record_id: Option<&str>,
    at: Timestamp,
    payload: &P,
) -> OutboxEvent {
    let envelope = Envelope {
        event: event_type,
        event_id: Uuid::new_v4(),
        event_version: EVENT_VERSION,
        timestamp: at,
        org_id: org_id.clone(),
        crm_record_id: crm_record_id.map(str::to_owned),
    };
    let payload = serde_json::to_string(&Wire { envelope: &envelope, payload })
        .expect("event payloads are plain data and always serialise");
    OutboxEvent { event_id: envelope.event_id, event_type, org_id: org_id.clone(), case_id, created_at: at, payload }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
