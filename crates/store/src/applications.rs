//! Applications through a tenant's public link, waiting for the applicant to confirm their
//! email before a case opens.

use fml_domain::secret::SecretHash;
use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::Conn;
use crate::{StoreError, execute, fetch_optional};

/// An application to record.
#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub id: uuid::Uuid,
    pub org: &'a OrgId,
    pub token: &'a SecretHash,
    pub customer_email: &'a str,
    /// What the applicant gave, as JSON.
    pub details: &'a str,
    /// The client address, for the audit.
    pub address: &'a str,
    pub expires_at: Timestamp,
}

pub async fn insert(conn: Conn<'_>, a: &NewApplication<'_>, now: Timestamp) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO public_applications (id, org_id, token_hash, customer_email, details, address, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        a.id.to_string(),
        a.org.as_str(),
        a.token.as_str(),
        a.customer_email,
        a.details,
        a.address,
        now.millis(),
        a.expires_at.millis()
    )?;
    Ok(())
}

/// A stored application.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: String,
    pub org_id: String,
    pub customer_email: String,
    pub details: String,
    pub confirmed_at: Option<i64>,
    pub case_id: Option<String>,
}

/// The live application a link's token names (`None`: unknown or expired).
pub async fn live(conn: Conn<'_>, token: &SecretHash, now: Timestamp) -> Result<Option<ApplicationRow>, StoreError> {
    Ok(fetch_optional!(
        conn,
        ApplicationRow,
        "SELECT id, org_id, customer_email, details, confirmed_at, case_id FROM public_applications \
         WHERE token_hash = $1 AND expires_at > $2",
        token.as_str(),
        now.millis()
    )?)
}

/// Claims the opening of the application's case: true for exactly one of several concurrent
/// confirmations. A claim whose case never appeared (its process died) can be taken over after
/// `stale_after_ms`.
pub async fn claim(conn: Conn<'_>, id: &str, now: Timestamp, stale_after_ms: i64) -> Result<bool, StoreError> {
    let n = execute!(
        conn,
        "UPDATE public_applications SET confirmed_at = $2 WHERE id = $1 AND case_id IS NULL \
         AND (confirmed_at IS NULL OR confirmed_at < $3)",
        id,
        now.millis(),
        now.millis() - stale_after_ms
    )?;
    Ok(n == 1)
}

/// Records the case the confirmation opened.
pub async fn set_case(conn: Conn<'_>, id: &str, case: CaseId) -> Result<(), StoreError> {
    execute!(conn, "UPDATE public_applications SET case_id = $2 WHERE id = $1", id, case.to_string())?;
    Ok(())
}

/// Ends the confirmation link of the application that opened `case` (a newer link replaced
/// it as the applicant's way back in).
pub async fn expire_for_case(conn: Conn<'_>, case: CaseId, now: Timestamp) -> Result<u64, StoreError> {
    Ok(execute!(
        conn,
        "UPDATE public_applications SET expires_at = $2 WHERE case_id = $1 AND expires_at > $2",
        case.to_string(),
        now.millis()
    )?)
}

/// Deletes expired applications: their links no longer work (housekeeping).
pub async fn purge_expired(db: &crate::Db, now: Timestamp) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = execute!(tx.conn(), "DELETE FROM public_applications WHERE expires_at <= $1", now.millis())?;
    tx.commit().await?;
    Ok(n)
}
