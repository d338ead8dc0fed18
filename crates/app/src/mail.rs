//! Composing the emails the platform sends. Every email is tenant-branded (display name,
//! support address) and sealed under the master key before it is queued, since it may carry a
//! magic link.

use fml_domain::crypto::MasterKey;
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

/// The footer every customer email ends with.
fn footer(b: &Branding) -> String {
    match &b.settings.support_email {
        Some(s) => format!("Questions? Write to {s}.\n\n— {}, via First Mile Labs\n", b.name()),
        None => format!("— {}, via First Mile Labs\n", b.name()),
    }
}

/// The invite's subject and plain-text body.
pub fn invite_text(b: &Branding, to: &InviteFor<'_>, link: &str) -> (String, String) {
    let org_name = b.name();
    let company = to.company_name.unwrap_or("your business");
    let subject = format!("{org_name}: complete the business verification for {company}");
    let greeting = to.customer_name.map_or_else(|| "Hello,".to_owned(), |n| format!("Hello {n},"));
    let body = format!(
        "{greeting}\n\n{org_name} has asked you to complete a business verification (KYB) for {company}.\n\n\
         Open this secure link to start; it works once and expires in 7 days:\n\n{link}\n\n\
         If you were not expecting this email, you can ignore it.\n\n{}",
        footer(b)
    );
    (subject, body)
}

/// Mints an invite's single-use token and seals the email that carries it. The link is built
/// from `FML_PORTAL_URL`, never from a request.
pub fn invite(cfg: &MailConfig, b: &Branding, to: &InviteFor<'_>, now: Timestamp) -> Invite {
    magic_link(cfg, to, now, "case_invite", |link| invite_text(b, to, link))
}

/// The new link a customer asked for at `/portal` (their way back in): a magic link like the
/// invite's, in words that say it was asked for.
pub fn new_link(cfg: &MailConfig, b: &Branding, to: &InviteFor<'_>, now: Timestamp) -> Invite {
    magic_link(cfg, to, now, "portal_link", |link| new_link_text(b, to, link))
}

/// The new link's subject and plain-text body.
pub fn new_link_text(b: &Branding, to: &InviteFor<'_>, link: &str) -> (String, String) {
    let org_name = b.name();
    let company = to.company_name.unwrap_or("your business");
    let subject = format!("{org_name}: your link to continue the verification of {company}");
    let greeting = to.customer_name.map_or_else(|| "Hello,".to_owned(), |n| format!("Hello {n},"));
    let body = format!(
        "{greeting}\n\nYou asked for a new link to continue the business verification (KYB) of {company} with \
         {org_name}.\n\nOpen this secure link to continue; it works once and expires in 7 days. Links sent \
         before it no longer work.\n\n{link}\n\nIf you did not ask for it, you can ignore this email: nothing \
         else has changed.\n\n{}",
        footer(b)
    );
    (subject, body)
}

/// The link a public applicant gets once their email is confirmed and the case is open: their
/// way back to the application later.
pub fn opened_link(cfg: &MailConfig, b: &Branding, to: &InviteFor<'_>, now: Timestamp) -> Invite {
    magic_link(cfg, to, now, "application_opened", |link| opened_text(b, to, link, &cfg.portal_url))
}

/// The opened application's subject and plain-text body.
pub fn opened_text(b: &Branding, to: &InviteFor<'_>, link: &str, portal_url: &str) -> (String, String) {
    let org_name = b.name();
    let company = to.company_name.unwrap_or("your business");
    let subject = format!("{org_name}: your application for {company} is open");
    let greeting = to.customer_name.map_or_else(|| "Hello,".to_owned(), |n| format!("Hello {n},"));
    let body = format!(
        "{greeting}\n\nYour email is confirmed and your business verification (KYB) of {company} with {org_name} \
         is open. Your answers are saved as you go.\n\nTo come back to it later, open this secure link; it works \
         once and expires in 7 days:\n\n{link}\n\nAfter that, ask for a new link at {portal_url}/ with this \
         email address.\n\n{}",
        footer(b)
    );
    (subject, body)
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

/// The public application's confirmation email: the link that opens the case.
pub fn application_text(
    b: &Branding,
    customer_name: Option<&str>,
    company: Option<&str>,
    link: &str,
) -> (String, String) {
    let org_name = b.name();
    let company = company.unwrap_or("your business");
    let subject = format!("{org_name}: confirm your email to start the verification of {company}");
    let greeting = customer_name.map_or_else(|| "Hello,".to_owned(), |n| format!("Hello {n},"));
    let body = format!(
        "{greeting}\n\nYou asked to start a business verification (KYB) for {company} with {org_name}.\n\n\
         Open this secure link to confirm your email and start; it also brings you back to your application \
         later, and expires in 7 days:\n\n{link}\n\nIf you did not ask for this, ignore this email: nothing \
         was opened in your name.\n\n{}",
        footer(b)
    );
    (subject, body)
}

/// A plain request to the customer listing items (the EDD evidence request and the outreach
/// document request): its subject and body.
pub fn request_text(
    b: &Branding,
    customer_name: Option<&str>,
    company: Option<&str>,
    intro: &str,
    items: &[(String, String)],
) -> (String, String) {
    let org_name = b.name();
    let company = company.unwrap_or("your business");
    let subject = format!("{org_name}: information needed for {company}");
    let greeting = customer_name.map_or_else(|| "Hello,".to_owned(), |n| format!("Hello {n},"));
    let list: String = items.iter().map(|(_, label)| format!("  - {label}\n")).collect();
    let body = format!(
        "{greeting}\n\n{intro}\n\n{list}\nPlease reply to this email with the documents, or send them to the contact \
         you have at {org_name}.\n\n{}",
        footer(b)
    );
    (subject, body)
}

/// The identity verification email: a personal link for one person of the case.
pub fn idv_text(b: &Branding, name: &str, company: Option<&str>, link: &str) -> (String, String) {
    let org_name = b.name();
    let company = company.unwrap_or("your business");
    let subject = format!("{org_name}: verify your identity for {company}");
    let body = format!(
        "Hello {name},\n\nAs part of the business verification of {company}, {org_name} needs to verify the identity \
         of its directors and beneficial owners.\n\nOpen this personal link to verify yours; it takes a few minutes and \
         a passport or identity card:\n\n{link}\n\nIf you were not expecting this email, you can ignore it.\n\n{}",
        footer(b)
    );
    (subject, body)
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
