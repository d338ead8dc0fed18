//! The customer portal's storage: magic-link invites and their redemption, portal sessions,
//! and the customer's application.

use fml_domain::application::Application;
use fml_domain::secret::SecretHash;
use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::Conn;
use crate::{Db, StoreError, execute, fetch_all, fetch_optional};

/// Who a live invite or portal session admits: one case of one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    pub org: OrgId,
    pub case_id: CaseId,
    pub email: String,
}

#[derive(Debug, sqlx::FromRow)]
struct AdmissionRow {
    org_id: String,
    case_id: String,
    email: String,
}

impl TryFrom<AdmissionRow> for Admission {
    type Error = StoreError;
    fn try_from(r: AdmissionRow) -> Result<Self, StoreError> {
        Ok(Admission {
            case_id: r.case_id.parse().map_err(|_| StoreError::Corrupt(format!("bad case id {}", r.case_id)))?,
            org: OrgId::from_trusted(r.org_id),
            email: r.email,
        })
    }
}

/// Adds an invite for a case.
pub async fn insert_invite(
    conn: Conn<'_>,
    a: &Admission,
    token: &SecretHash,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO case_invites (id, org_id, case_id, email, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        uuid::Uuid::new_v4().to_string(),
        a.org.as_str(),
        a.case_id.to_string(),
        a.email.as_str(),
        token.as_str(),
        now.millis(),
        expires_at.millis()
    )?;
    Ok(())
}

/// Ends every unused invite of a case (a new one replaces them).
pub async fn revoke_invites(conn: Conn<'_>, org: &OrgId, case_id: CaseId, now: Timestamp) -> Result<u64, StoreError> {
    Ok(execute!(
        conn,
        "UPDATE case_invites SET expires_at = $3 WHERE org_id = $1 AND case_id = $2 AND used_at IS NULL AND expires_at > $3",
        org.as_str(),
        case_id.to_string(),
        now.millis()
    )?)
}

/// Whether an invite token is live (unused, unexpired), without using it.
pub async fn live_invite(db: &Db, token: &SecretHash, now: Timestamp) -> Result<Option<Admission>, StoreError> {
    let mut c = db.reader().await?;
    fetch_optional!(
        c.conn(),
        AdmissionRow,
        "SELECT org_id, case_id, email FROM case_invites WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        token.as_str(),
        now.millis()
    )?
    .map(TryInto::try_into)
    .transpose()
}

/// Uses an invite: one conditional update, so of two concurrent redemptions exactly one gets
/// the row back.
pub async fn redeem_invite(
    conn: Conn<'_>,
    token: &SecretHash,
    now: Timestamp,
) -> Result<Option<Admission>, StoreError> {
    fetch_optional!(
        conn,
        AdmissionRow,
        "UPDATE case_invites SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
         RETURNING org_id, case_id, email",
        token.as_str(),
        now.millis()
    )?
    .map(TryInto::try_into)
    .transpose()
}

pub async fn create_session(
    conn: Conn<'_>,
    a: &Admission,
    token: &SecretHash,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO portal_sessions (token_hash, org_id, case_id, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        token.as_str(),
        a.org.as_str(),
        a.case_id.to_string(),
        a.email.as_str(),
        now.millis(),
        expires_at.millis()
    )?;
    Ok(())
}

/// A live portal session: whom it admits, and when it began and ends.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub admission: Admission,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    admission: AdmissionRow,
    created_at: i64,
    expires_at: i64,
}

/// The live portal session of a token.
pub async fn session(db: &Db, token: &SecretHash, now: Timestamp) -> Result<Option<LiveSession>, StoreError> {
    let mut c = db.reader().await?;
    let row = fetch_optional!(
        c.conn(),
        SessionRow,
        "SELECT org_id, case_id, email, created_at, expires_at FROM portal_sessions WHERE token_hash = $1 AND expires_at > $2",
        token.as_str(),
        now.millis()
    )?;
    row.map(|r| {
        Ok(LiveSession {
            admission: r.admission.try_into()?,
            created_at: Timestamp::from_millis(r.created_at),
            expires_at: Timestamp::from_millis(r.expires_at),
        })
    })
    .transpose()
}

/// Moves a live session's end out to `until` (never in: of two requests extending at once,
/// the later end stays).
pub async fn extend_session(
    conn: Conn<'_>,
    token: &SecretHash,
    now: Timestamp,
    until: Timestamp,
) -> Result<bool, StoreError> {
    let n = execute!(
        conn,
        "UPDATE portal_sessions SET expires_at = $3 WHERE token_hash = $1 AND expires_at > $2 AND expires_at < $3",
        token.as_str(),
        now.millis(),
        until.millis()
    )?;
    Ok(n == 1)
}

/// A case whose customer may be mailed a new portal link: not yet decided.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkTarget {
    pub org_id: String,
    pub case_id: String,
    /// The address as the case holds it (the mail goes there, not to what was typed).
    pub customer_email: String,
    pub customer_name: Option<String>,
    pub company_name: Option<String>,
}

/// The undecided cases, in every tenant, whose customer email is `email` ignoring ASCII letter
/// case (`email_ascii_lower` is already folded so), newest first, at most `limit`. By the
/// `cases_customer_email` index on both backends (`lower()` folds ASCII only on SQLite and
/// under PostgreSQL's C collation).
pub async fn undecided_cases_of_email(
    conn: Conn<'_>,
    email_ascii_lower: &str,
    limit: i64,
) -> Result<Vec<LinkTarget>, StoreError> {
    let sql = match conn.backend() {
        crate::Backend::Sqlite => {
            "SELECT org_id, id AS case_id, customer_email, customer_name, company_name FROM cases \
             WHERE lower(customer_email) = $1 AND status NOT IN ('approved', 'declined') \
             ORDER BY created_at DESC LIMIT $2"
        }
        crate::Backend::Postgres => {
            "SELECT org_id, id AS case_id, customer_email, customer_name, company_name FROM cases \
             WHERE lower(customer_email COLLATE \"C\") = $1 AND status NOT IN ('approved', 'declined') \
             ORDER BY created_at DESC LIMIT $2"
        }
    };
    Ok(fetch_all!(conn, LinkTarget, sql, email_ascii_lower, limit)?)
}

pub async fn delete_session(conn: Conn<'_>, token: &SecretHash) -> Result<(), StoreError> {
    execute!(conn, "DELETE FROM portal_sessions WHERE token_hash = $1", token.as_str())?;
    Ok(())
}

/// Deletes expired portal sessions (housekeeping).
pub async fn purge_expired_sessions(db: &Db, now: Timestamp) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = execute!(tx.conn(), "DELETE FROM portal_sessions WHERE expires_at <= $1", now.millis())?;
    tx.commit().await?;
    Ok(n)
}

/// The application saved for a case.
pub async fn application(conn: Conn<'_>, org: &OrgId, case_id: CaseId) -> Result<Option<Application>, StoreError> {
    let row: Option<(String,)> = fetch_optional!(
        conn,
        (String,),
        "SELECT data FROM case_applications WHERE org_id = $1 AND case_id = $2",
        org.as_str(),
        case_id.to_string()
    )?;
    row.map(|(data,)| {
        serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("application of case {case_id}: {e}")))
    })
    .transpose()
}

/// Saves a case's application, and copies its company details onto the case.
pub async fn put_application(
    mut conn: Conn<'_>,
    org: &OrgId,
    case_id: CaseId,
    app: &Application,
    now: Timestamp,
) -> Result<(), StoreError> {
    let data = serde_json::to_string(app).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    execute!(
        conn.reborrow(),
        "INSERT INTO case_applications (case_id, org_id, data, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (case_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        case_id.to_string(),
        org.as_str(),
        data,
        now.millis()
    )?;
    execute!(
        conn,
        "UPDATE cases SET company_name = $3, company_number = $4, country = COALESCE($5, country), updated_at = $6 \
         WHERE org_id = $1 AND id = $2",
        org.as_str(),
        case_id.to_string(),
        app.company_name.as_str(),
        app.company_number.as_deref(),
        app.country.map(|c| c.as_str().to_owned()),
        now.millis()
    )?;
    Ok(())
}
