//! Mail: sending one outbox message over SMTP, as the `send_mail` job (messages are composed
//! by `fml_app::mail`; the job runner in [`crate::jobs`] schedules, leases and retries).

use std::time::Duration;

use fml_domain::OrgId;
use fml_store::Db;
use fml_store::mail::{MailRow, SEAL_CONTEXT};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use fml_web::config::Config;

/// The most one message may take, end to end (lettre's own timeout is per SMTP command).
pub const SEND_DEADLINE_SECS: i64 = 30;

/// The SMTP side of the `send_mail` job.
#[derive(Debug, Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

/// What became of a message.
#[derive(Debug)]
pub enum Sent {
    Sent,
    /// Already sent, or gone: nothing to do.
    Nothing,
    /// The tenant's mail for this hour is spent: try again at this time.
    Deferred(fml_domain::Timestamp),
}

impl Mailer {
    /// A mailer for `FML_SMTP_URL`, if one is set and valid.
    pub fn from_config(config: &Config) -> Option<Self> {
        let url = config.smtp_url.as_deref()?;
        match AsyncSmtpTransport::<Tokio1Executor>::from_url(url) {
            Ok(b) => Some(Self { transport: b.timeout(Some(Duration::from_secs(20))).build() }),
            Err(e) => {
                tracing::error!(error = %e, "FML_SMTP_URL is invalid; mail stays in the outbox");
                None
            }
        }
    }

    /// Hands message `id` to the SMTP server.
    pub async fn send(&self, db: &Db, config: &Config, id: i64) -> Result<Sent, String> {
        let Some(row) = fml_store::mail::get(db, id).await.map_err(|e| e.to_string())? else {
            return Ok(Sent::Nothing);
        };
        if row.status == "sent" {
            return Ok(Sent::Nothing);
        }
        let now = fml_domain::Timestamp::now();
        let per_hour = i64::from(config.mail_per_tenant_per_hour);
        if let Err(at) =
            fml_store::mail::take_send(db, &row.org_id, row.id, per_hour, now).await.map_err(|e| e.to_string())?
        {
            return Ok(Sent::Deferred(at));
        }
        let msg = compose(db, config, &row).await?;
        let deadline = Duration::from_secs(SEND_DEADLINE_SECS.unsigned_abs());
        match tokio::time::timeout(deadline, self.transport.send(msg)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err(format!("the SMTP exchange took longer than {SEND_DEADLINE_SECS} s")),
        }
        // The caller marks it sent (and fires what it announces): `fml_app::mail::sent`.
        Ok(Sent::Sent)
    }
}

async fn compose(db: &Db, config: &Config, row: &MailRow) -> Result<Message, String> {
    let sealed = row.body_sealed.as_deref().ok_or("the message body is gone")?;
    let body = config.master_key.open(SEAL_CONTEXT, sealed).map_err(|e| e.to_string())?;
    let body = String::from_utf8(body).map_err(|e| e.to_string())?;
    // The sender's display name is the tenant's (its display name when set).
    let mut r = db.reader().await.map_err(|e| e.to_string())?;
    let org_name = fml_store::tenant::get(r.conn(), &OrgId::from_trusted(row.org_id.clone()))
        .await
        .map_err(|e| e.to_string())?
        .map_or_else(|| row.org_id.clone(), |(name, s)| s.display_name.unwrap_or(name));
    drop(r);
    let from = Mailbox::new(Some(org_name), config.mail_from.parse().map_err(|e| format!("bad sender: {e}"))?);
    let to: Mailbox = row.recipient.parse().map_err(|e| format!("bad recipient: {e}"))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())
}
