//! The mail outbox: every email is first a row here, written in the same transaction as the
//! change that caused it. A worker sends pending rows over SMTP when one is configured; without
//! SMTP the outbox is the mailbox, read with `fml outbox list`.

use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::{Arg, Conn, values_clause};
use crate::{Db, StoreError, execute, execute_args, fetch_all};

/// An email to queue. `body_sealed` is the message sealed under the master key.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub org: OrgId,
    pub case_id: Option<CaseId>,
    pub kind: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body_sealed: Vec<u8>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailRow {
    pub id: i64,
    pub org_id: String,
    pub case_id: Option<String>,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_sealed: Option<Vec<u8>>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const COLUMNS: &str = "id, org_id, case_id, kind, recipient, subject, body_sealed, status, attempts, last_error, next_attempt_at, created_at, sent_at";

/// The seal context for mail bodies: a body sealed for one row kind opens only as that kind.
pub const SEAL_CONTEXT: &[u8] = b"fml/mail_outbox/body";

pub(crate) async fn insert_many(conn: Conn<'_>, mails: &[&NewMail], now: Timestamp) -> Result<(), StoreError> {
    if mails.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO mail_outbox (org_id, case_id, kind, recipient, subject, body_sealed, status, next_attempt_at, created_at) VALUES {}",
        values_clause(mails.len(), 9, 1)
    );
    let mut args = Vec::with_capacity(mails.len() * 9);
    for m in mails {
        args.extend([
            Arg::Text(m.org.as_str().to_owned()),
            Arg::OptText(m.case_id.map(|c| c.to_string())),
            Arg::Text(m.kind.to_owned()),
            Arg::Text(m.recipient.clone()),
            Arg::Text(m.subject.clone()),
            Arg::Blob(m.body_sealed.clone()),
            Arg::Text("pending".to_owned()),
            Arg::Int(now.millis()),
            Arg::Int(now.millis()),
        ]);
    }
    execute_args!(conn, sql, args)?;
    Ok(())
}

/// A tenant's outbox, oldest first.
pub async fn list(db: &Db, org: &OrgId) -> Result<Vec<MailRow>, StoreError> {
    let mut c = db.reader().await?;
    let sql = format!("SELECT {COLUMNS} FROM mail_outbox WHERE org_id = $1 ORDER BY id");
    Ok(fetch_all!(c.conn(), MailRow, sqlx::AssertSqlSafe(sql), org.as_str())?)
}

/// Leases up to `limit` due messages for `lease_secs`: a message whose sender dies is picked
/// up again when the lease runs out. The status and due-time test is repeated in the outer
/// `WHERE` so that two nodes racing on PostgreSQL cannot lease the same row.
pub async fn lease_due(db: &Db, now: Timestamp, lease_secs: i64, limit: i64) -> Result<Vec<MailRow>, StoreError> {
    let mut tx = db.begin().await?;
    let sql = format!(
        "UPDATE mail_outbox SET status = 'sending', next_attempt_at = $2, attempts = attempts + 1 \
         WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 AND id IN ( \
            SELECT id FROM mail_outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 ORDER BY id LIMIT $3) \
         RETURNING {COLUMNS}"
    );
    let rows = fetch_all!(
        tx.conn(),
        MailRow,
        sqlx::AssertSqlSafe(sql),
        now.millis(),
        now.plus_secs(lease_secs).millis(),
        limit
    )?;
    tx.commit().await?;
    Ok(rows)
}

/// Marks a message sent and drops its sealed body: once delivered, the link it carries need
/// not be kept.
pub async fn mark_sent(db: &Db, id: i64, now: Timestamp) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    execute!(
        tx.conn(),
        "UPDATE mail_outbox SET status = 'sent', sent_at = $2, body_sealed = NULL, last_error = NULL WHERE id = $1",
        id,
        now.millis()
    )?;
    tx.commit().await
}

/// Records a failed send: retried at `retry_at`, or given up (`failed`) when `None`.
pub async fn mark_failed(db: &Db, id: i64, error: &str, retry_at: Option<Timestamp>) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    match retry_at {
        Some(at) => execute!(
            tx.conn(),
            "UPDATE mail_outbox SET status = 'pending', last_error = $2, next_attempt_at = $3 WHERE id = $1",
            id,
            error,
            at.millis()
        )?,
        None => {
            execute!(tx.conn(), "UPDATE mail_outbox SET status = 'failed', last_error = $2 WHERE id = $1", id, error)?
        }
    };
    tx.commit().await
}
