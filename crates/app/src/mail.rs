//! Composing the emails the platform sends. Every email is tenant-branded (display name,
//! support address) and sealed under the master key before it is queued, since it may carry a
//! magic link.

use fml_domain::crypto::MasterKey;
use fml_domain::events::WebhookEvent;
use fml_domain::events::announce::{self, Announcement};
use fml_domain::letters::{self, About, Sender};
use fml_domain::secret::Secret;
use fml_domain::{CaseId, OrgId, Timestamp};
use fml_store::audit::{ActorKind, Entry};
use fml_store::mail::NewMail;
pub use fml_store::mail::SEAL_CONTEXT;
use fml_store::unit::UnitOfWork;
use serde_json::json;

use crate::settings::Branding;
use crate::{CommandError, Ctx};

/// How long a magic link works.
pub const INVITE_TTL_SECS: i64 = 7 * 24 * 3600;

/// What composing mail needs: where links point and the key that seals bodies.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `FML_PORTAL_URL`, without a trailing slash.
    pub portal_url: String,
    pub master_key: MasterKey,
    /// Mail is handed to an SMTP server (`FML_SMTP_URL`): an email's event is fired when the
    /// message is sent. Without one the outbox is the mailbox, and it is fired on queueing.
    pub smtp: bool,
}

impl MailConfig {
    /// The time an announced event records as its sending: the placeholder until the message
    /// is handed to SMTP, or `now` when the outbox is the mailbox.
    pub fn sending_time(&self, now: Timestamp) -> Timestamp {
        if self.smtp { announce::PENDING } else { now }
    }
}

/// Queues `mail` with the event it announces (`outreach.email.sent`, `idv.dispatched`,
/// `edd.requested`): fired when the message is handed to SMTP ([`sent`]), or now when the
/// outbox is the mailbox. A message that fails for good announces nothing.
pub async fn queue_announcing<E: WebhookEvent>(
    unit: &mut UnitOfWork,
    cfg: &MailConfig,
    mut mail: NewMail,
    event: &E,
    crm_record_id: Option<&str>,
    now: Timestamp,
) -> Result<(), CommandError> {
    if cfg.smtp {
        mail.announce = Some(announce::later(event, &mail.org, crm_record_id));
    } else {
        unit.emit(event.emit(&mail.org, crm_record_id, now));
    }
    Ok(unit.queue_mail(&[&mail], now).await?)
}

/// The mail job handed message `id` to SMTP: it is marked sent, its event (if it announces
/// one) is fired timed now, and the sending is audited — in one transaction, so an event says
/// "sent" only of a message that was. A message already marked sent changes nothing.
pub async fn sent(ctx: &Ctx, id: i64) -> Result<(), CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let Some(m) = fml_store::mail::mark_sent_in(unit.conn(), id, now).await? else {
        unit.unchanged();
        return Ok(unit.commit().await?);
    };
    let org = OrgId::from_trusted(m.org_id);
    let case_id = m.case_id.as_deref().and_then(|c| c.parse::<CaseId>().ok());
    let event = m.announce.map(Announcement::stored).and_then(|a| {
        let event = a.at(&org, now);
        if event.is_none() {
            // Written by another version of the platform with an event this one does not know.
            tracing::error!(mail_id = id, "a sent message announces an event this version cannot read");
        }
        event
    });
    let detail = json!({"mailId": id, "kind": m.kind, "event": event.as_ref().map(|e| e.event_type)});
    if let Some(event) = event {
        unit.emit(event);
    }
    let entry =
        Entry { org: Some(&org), case_id, actor_kind: ActorKind::System, actor: "system", action: "mail.sent", detail };
    unit.audit(&entry, now);
    Ok(unit.commit().await?)
}

/// A composed invite: the token (its hash goes to the store, the link in the mail) and the
/// sealed message.
#[derive(Debug)]
pub struct Invite {
    pub token: Secret,
    pub expires_at: Timestamp,
    pub mail: NewMail,
}

/// Who the invite is for and about.
#[derive(Debug, Clone, Copy)]
pub struct InviteFor<'a> {
    pub org: &'a OrgId,
    pub case_id: CaseId,
    pub email: &'a str,
    pub customer_name: Option<&'a str>,
    pub company_name: Option<&'a str>,
}

/// The tenant as the sender of its emails.
pub fn sender(b: &Branding) -> Sender<'_> {
    Sender { name: b.name(), support: b.settings.support_email.as_deref() }
}

impl InviteFor<'_> {
    fn about(&self) -> About<'_> {
        About { customer_name: self.customer_name, company: self.company_name }
    }
}

/// Mints an invite's single-use token and seals the email that carries it. The link is built
/// from `FML_PORTAL_URL`, never from a request.
pub fn invite(cfg: &MailConfig, b: &Branding, to: &InviteFor<'_>, now: Timestamp) -> Invite {
    magic_link(cfg, to, now, "case_invite", |link| letters::invite(&sender(b), &to.about(), link))
}

/// The new link a customer asked for at `/portal` (their way back in): a magic link like the
/// invite's, in words that say it was asked for.
pub fn new_link(cfg: &MailConfig, b: &Branding, to: &InviteFor<'_>, now: Timestamp) -> Invite {
    magic_link(cfg, to, now, "portal_link", |link| letters::new_link(&sender(b), &to.about(), link))
}

/// The link a public applicant gets once their email is confirmed and the case is open: their
/// way back to the application later.
pub fn opened_link(cfg: &MailConfig, b: &Branding, to: &InviteFor<'_>, now: Timestamp) -> Invite {
    magic_link(cfg, to, now, "application_opened", |link| {
        letters::opened(&sender(b), &to.about(), link, &cfg.portal_url)
    })
}

/// A single-use portal link for `to` in a sealed message of `kind`, worded by `text`.
fn magic_link(
    cfg: &MailConfig,
    to: &InviteFor<'_>,
    now: Timestamp,
    kind: &'static str,
    text: impl FnOnce(&str) -> (String, String),
) -> Invite {
    let token = Secret::generate("");
    let link = format!("{}/invite/{}", cfg.portal_url, token.expose());
    let (subject, body) = text(&link);
    Invite {
        expires_at: now.plus_secs(INVITE_TTL_SECS),
        mail: NewMail {
            org: to.org.clone(),
            case_id: Some(to.case_id),
            kind,
            recipient: to.email.to_owned(),
            subject,
            body_sealed: cfg.master_key.seal(SEAL_CONTEXT, body.as_bytes()),
            announce: None,
        },
        token,
    }
}

/// A sealed message ready for the outbox (`case_id`: the case it is about, if any).
pub fn sealed(
    cfg: &MailConfig,
    org: &OrgId,
    case_id: Option<CaseId>,
    kind: &'static str,
    to: &str,
    subject: String,
    body: &str,
) -> NewMail {
    NewMail {
        org: org.clone(),
        case_id,
        kind,
        recipient: to.to_owned(),
        subject,
        body_sealed: cfg.master_key.seal(SEAL_CONTEXT, body.as_bytes()),
        announce: None,
    }
}
