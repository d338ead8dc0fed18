//! Composing the emails the platform sends. Every email is tenant-branded (display name,
//! support address) and sealed under the master key before it is queued, since it may carry a
//! magic link.

use fml_domain::crypto::MasterKey;
use fml_domain::letters::{self, About, Sender};
use fml_domain::secret::Secret;
use fml_domain::{CaseId, OrgId, Timestamp};
use fml_store::mail::NewMail;
pub use fml_store::mail::SEAL_CONTEXT;

use crate::settings::Branding;

/// How long a magic link works.
pub const INVITE_TTL_SECS: i64 = 7 * 24 * 3600;

/// What composing mail needs: where links point and the key that seals bodies.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `FML_PORTAL_URL`, without a trailing slash.
    pub portal_url: String,
    pub master_key: MasterKey,
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
        },
        token,
    }
}

/// A sealed message ready for the outbox.
pub fn sealed(
    cfg: &MailConfig,
    org: &OrgId,
    case_id: CaseId,
    kind: &'static str,
    to: &str,
    subject: String,
    body: &str,
) -> NewMail {
    NewMail {
        org: org.clone(),
        case_id: Some(case_id),
        kind,
        recipient: to.to_owned(),
        subject,
        body_sealed: cfg.master_key.seal(SEAL_CONTEXT, body.as_bytes()),
    }
}
