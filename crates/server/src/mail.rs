//! Mail: the worker that sends the outbox over SMTP (messages are composed by `fml_app::mail`).

use std::sync::Arc;
use std::time::Duration;

use fml_domain::{OrgId, Timestamp};
use fml_store::Db;
use fml_store::mail::{MailRow, SEAL_CONTEXT};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;

use crate::config::Config;

/// Send attempts before a message is marked failed.
const MAX_ATTEMPTS: i32 = 8;
/// Messages leased at once; they are sent one after another.
const MAIL_BATCH: i64 = 8;
/// The most one message may take, end to end (lettre's own timeout is per SMTP command).
const SEND_DEADLINE_SECS: i64 = 30;
/// A lease must outlast the slowest possible batch, or another node would lease the same
/// messages while they are still being sent and mail them twice.
const LEASE_SECS: i64 = MAIL_BATCH * SEND_DEADLINE_SECS + 30;

/// Sends due outbox mail over SMTP until the process ends. Woken by `wake` when mail is
/// queued; also checks every few seconds for retries that have come due.
pub async fn run_worker(db: Db, config: Arc<Config>, wake: Arc<Notify>) {
    let Some(url) = config.smtp_url.clone() else { return };
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&url) {
        Ok(b) => b.timeout(Some(Duration::from_secs(20))).build(),
        Err(e) => {
            tracing::error!(error = %e, "FML_SMTP_URL is invalid; mail stays in the outbox");
            return;
        }
    };
    loop {
        match fml_store::mail::lease_due(&db, Timestamp::now(), LEASE_SECS, MAIL_BATCH).await {
            Ok(rows) if !rows.is_empty() => {
                for row in rows {
                    send_one(&db, &config, &transport, row).await;
                }
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not read the mail outbox"),
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}

async fn send_one(db: &Db, config: &Config, transport: &AsyncSmtpTransport<Tokio1Executor>, row: MailRow) {
    let result = compose(db, config, &row).await;
    let result = match result {
        Ok(msg) => {
            let deadline = Duration::from_secs(SEND_DEADLINE_SECS.unsigned_abs());
            match tokio::time::timeout(deadline, transport.send(msg)).await {
                Ok(sent) => sent.map(|_| ()).map_err(|e| e.to_string()),
                Err(_) => Err(format!("the SMTP exchange took longer than {SEND_DEADLINE_SECS} s")),
            }
        }
        Err(e) => Err(e),
    };
    let now = Timestamp::now();
    let outcome = match result {
        Ok(()) => fml_store::mail::mark_sent(db, row.id, now).await,
        Err(e) => {
            tracing::warn!(mail_id = row.id, attempt = row.attempts, error = %e, "sending mail failed");
            let retry = (row.attempts < MAX_ATTEMPTS).then(|| now.plus_secs(30 * (1 << row.attempts.clamp(0, 10))));
            fml_store::mail::mark_failed(db, row.id, &e, retry).await
        }
    };
    if let Err(e) = outcome {
        tracing::error!(mail_id = row.id, error = %e, "could not record the mail outcome");
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message of a leased batch is sent (or abandoned) before the lease ends, so no
    /// other node can lease it meanwhile.
    #[test]
    fn a_lease_outlasts_the_slowest_batch() {
        let lease = LEASE_SECS;
        assert!(lease > MAIL_BATCH * SEND_DEADLINE_SECS, "{lease} s");
    }
}
