//! The mail outbox: every email is first a row here, written in the same transaction as the
//! change that caused it, with a `send_mail` job (see [`crate::jobs`]). The job runner sends it
//! over SMTP when one is configured; without SMTP the outbox is the mailbox, read with
//! `fml outbox list`.

use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::{Arg, Conn, values_clause};
use crate::{Db, StoreError, execute, fetch_all};

/// An email to queue. `body_sealed` is the message sealed under the master key.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub org: OrgId,
    pub case_id: Option<CaseId>,
    pub kind: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body_sealed: Vec<u8>,
    /// The event the message announces, fired when it is sent (`fml_domain::events::announce`).
    pub announce: Option<String>,
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

/// Inserts messages; returns their ids, in order.
pub(crate) async fn insert_many(conn: Conn<'_>, mails: &[&NewMail], now: Timestamp) -> Result<Vec<i64>, StoreError> {
    if mails.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO mail_outbox (org_id, case_id, kind, recipient, subject, body_sealed, status, next_attempt_at, \
            created_at, announce) VALUES {} RETURNING id",
        values_clause(mails.len(), 10, 1)
    );
    let mut args = Vec::with_capacity(mails.len() * 10);
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
            Arg::OptText(m.announce.clone()),
        ]);
    }
    let mut ids: Vec<i64> = crate::fetch_all_args!(conn, (i64,), sql, args)?.into_iter().map(|(id,)| id).collect();
    ids.sort_unstable();
    Ok(ids)
}

/// One message.
pub async fn get(db: &Db, id: i64) -> Result<Option<MailRow>, StoreError> {
    let mut c = db.reader().await?;
    let sql = format!("SELECT {COLUMNS} FROM mail_outbox WHERE id = $1");
    Ok(crate::fetch_optional!(c.conn(), MailRow, sqlx::AssertSqlSafe(sql), id)?)
}

/// A tenant's outbox, oldest first.
pub async fn list(db: &Db, org: &OrgId) -> Result<Vec<MailRow>, StoreError> {
    let mut c = db.reader().await?;
    let sql = format!("SELECT {COLUMNS} FROM mail_outbox WHERE org_id = $1 ORDER BY id");
    Ok(fetch_all!(c.conn(), MailRow, sqlx::AssertSqlSafe(sql), org.as_str())?)
}

/// A message just marked sent: whose it is and the event it announces.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SentMail {
    pub org_id: String,
    pub case_id: Option<String>,
    pub kind: String,
    pub announce: Option<String>,
}

/// Marks a message sent and drops its sealed body (once delivered, the link it carries need
/// not be kept), in the caller's transaction. `None` if it was already sent (or is gone), so
/// a job run twice announces once.
pub async fn mark_sent_in(conn: Conn<'_>, id: i64, now: Timestamp) -> Result<Option<SentMail>, StoreError> {
    Ok(crate::fetch_optional!(
        conn,
        SentMail,
        "UPDATE mail_outbox SET status = 'sent', sent_at = $2, body_sealed = NULL, last_error = NULL \
         WHERE id = $1 AND status <> 'sent' RETURNING org_id, case_id, kind, announce",
        id,
        now.millis()
    )?)
}

/// A case's messages, newest first (the case page's list of emails, with failures).
pub async fn for_case_in(conn: Conn<'_>, org: &OrgId, case: CaseId) -> Result<Vec<MailRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM mail_outbox WHERE org_id = $1 AND case_id = $2 ORDER BY id DESC LIMIT 50");
    Ok(fetch_all!(conn, MailRow, sqlx::AssertSqlSafe(sql), org.as_str(), case.to_string())?)
}

/// Takes one of the tenant's `per_hour` sends for this message before it is sent: the
/// message's latest attempt is counted, so a retry within the hour costs nothing more. When
/// the hour's allowance is spent, nothing is taken and the answer is when one frees up.
/// Taken under a lock of the tenant's row on PostgreSQL (SQLite has one writer), so nodes
/// sending at once never pass the cap together.
pub async fn take_send(
    db: &Db,
    org: &str,
    id: i64,
    per_hour: i64,
    now: Timestamp,
) -> Result<Result<(), Timestamp>, StoreError> {
    let mut tx = db.begin().await?;
    // Concurrent writers count under the tenant's row lock; SQLite's write transaction
    // already holds the database's one write lock.
    if db.backend().concurrent_writers() {
        crate::fetch_optional!(tx.conn(), (String,), "SELECT id FROM orgs WHERE id = $1 FOR UPDATE", org)?;
    }
    let since = now.millis() - 3_600_000;
    let (count, oldest): (i64, Option<i64>) = crate::fetch_optional!(
        tx.conn(),
        (i64, Option<i64>),
        "SELECT COUNT(*), MIN(last_attempt_at) FROM mail_outbox \
         WHERE org_id = $1 AND last_attempt_at > $2 AND id <> $3",
        org,
        since,
        id
    )?
    .unwrap_or((0, None));
    if count >= per_hour {
        tx.commit().await?;
        return Ok(Err(Timestamp::from_millis(oldest.unwrap_or(now.millis()) + 3_600_000)));
    }
    execute!(tx.conn(), "UPDATE mail_outbox SET last_attempt_at = $2 WHERE id = $1", id, now.millis())?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Records a failed attempt; `give_up` marks the message failed for good.
pub async fn mark_failed(db: &Db, id: i64, error: &str, give_up: bool) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let status = if give_up { "failed" } else { "pending" };
    execute!(
        tx.conn(),
        "UPDATE mail_outbox SET status = $3, last_error = $2, attempts = attempts + 1 WHERE id = $1 AND status <> 'sent'",
        id,
        error,
        status
    )?;
    tx.commit().await
}
