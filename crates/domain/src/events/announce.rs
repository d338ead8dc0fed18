//! Events an email announces: `outreach.email.sent`, `idv.dispatched` and `edd.requested` say
//! that a message *was sent*, so when mail goes over SMTP they are fired when the message is
//! handed to the server, not when it is queued (issue 19). The command that queues the message
//! composes its event then, timed at [`PENDING`]; the mail job re-times it to the moment of
//! handoff ([`Announcement::at`]) and emits it in the transaction that marks the message sent.
//! A message that fails for good announces nothing.

use serde::Deserialize;
use uuid::Uuid;

use super::{OutboxEvent, WebhookEvent};
use crate::{CaseId, OrgId, Timestamp};

/// The placeholder instant an announced event carries until its message is sent.
pub const PENDING: Timestamp = Timestamp::from_millis(0);

/// The fields of an announced event that hold the time of sending: the envelope's
/// `timestamp`, and `edd.requested`'s `sentAt`.
const TIMED: [&str; 2] = ["timestamp", "sentAt"];

/// Composes `event` to be fired when its message is sent; the stored text goes with the
/// message (`mail_outbox.announce`).
pub fn later<E: WebhookEvent>(event: &E, org: &OrgId, crm_record_id: Option<&str>) -> String {
    event.emit(org, crm_record_id, PENDING).payload
}

/// An announced event, as stored with its message.
#[derive(Debug, Clone)]
pub struct Announcement(String);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Head {
    event: String,
    event_id: Uuid,
    case_id: Option<CaseId>,
}

impl Announcement {
    pub fn stored(text: String) -> Self {
        Self(text)
    }

    /// The event as fired at `sent`: every time field that held [`PENDING`] now holds `sent`.
    /// Only structural occurrences are replaced (`"sentAt":"…"` with its quotes unescaped), so
    /// text a customer or analyst typed is never changed. `None` if the text is not an event
    /// of the catalog (a stored row from another version).
    pub fn at(&self, org: &OrgId, sent: Timestamp) -> Option<OutboxEvent> {
        let head: Head = serde_json::from_str(&self.0).ok()?;
        let event_type = super::schema::find(&head.event)?.event;
        let (pending, now) = (PENDING.to_iso(), sent.to_iso());
        let mut payload = self.0.clone();
        for field in TIMED {
            payload = payload.replace(&format!("\"{field}\":\"{pending}\""), &format!("\"{field}\":\"{now}\""));
        }
        Some(OutboxEvent {
            event_id: head.event_id,
            event_type,
            org_id: org.clone(),
            case_id: head.case_id,
            created_at: sent,
            payload,
            trace_parent: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EddRequested, IdvDispatched, OutreachEmailSent, RequestedItem};
    use crate::{CaseReference, OrgId};

    fn same_but_id(a: &str, b: &OutboxEvent) {
        let id = b.event_id.to_string();
        let strip = |s: &str, id: &str| s.replacen(id, "ID", 1);
        let a_id: Head = serde_json::from_str(a).unwrap();
        assert_eq!(strip(a, &a_id.event_id.to_string()), strip(&b.payload, &id));
    }

    #[test]
    fn a_re_timed_announcement_is_the_event_emitted_at_sending() {
        let org = OrgId::from_trusted("org_a".into());
        let case_id = CaseId::generate();
        let reference = CaseReference::new(2026, 7);
        let sent = Timestamp::from_millis(1_796_000_000_123);
        // A label that looks like the placeholder's time stays as typed.
        let items = vec![RequestedItem { key: "k".into(), label: format!("\"sentAt\":\"{}\"", PENDING.to_iso()) }];
        let edd = |at| EddRequested {
            case_id,
            case_reference: reference.clone(),
            recipient_email: "jane@acme.example".into(),
            item_count: 1,
            items: items.clone(),
            sent_by: "ada@bank.example".into(),
            sent_at: at,
        };
        let stored = Announcement::stored(later(&edd(PENDING), &org, Some("crm-1")));
        let fired = stored.at(&org, sent).unwrap();
        assert_eq!((fired.event_type, fired.case_id, fired.created_at), ("edd.requested", Some(case_id), sent));
        same_but_id(&fired.payload, &edd(sent).emit(&org, Some("crm-1"), sent));
        assert!(fired.payload.contains(&items[0].label.replace('"', "\\\"")), "typed text untouched");

        let idv = IdvDispatched {
            case_id,
            case_reference: reference.clone(),
            recipient_email: "j@acme.example".into(),
            recipient_name: "J".into(),
            person_key: "p".into(),
            roles: vec!["director".into()],
            dispatched_by: "system".into(),
        };
        let fired = Announcement::stored(later(&idv, &org, None)).at(&org, sent).unwrap();
        same_but_id(&fired.payload, &idv.emit(&org, None, sent));
        let outreach = OutreachEmailSent {
            case_id,
            case_reference: reference,
            kind: "document_request".into(),
            recipient_email: "j@acme.example".into(),
            subject: "Documents".into(),
            item_count: 0,
            items: Vec::new(),
            sent_by: "ada@bank.example".into(),
        };
        let fired = Announcement::stored(later(&outreach, &org, None)).at(&org, sent).unwrap();
        same_but_id(&fired.payload, &outreach.emit(&org, None, sent));
        assert!(Announcement::stored("{}".into()).at(&org, sent).is_none());
    }
}
