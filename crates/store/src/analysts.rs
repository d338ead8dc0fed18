//! Analysts (a tenant's compliance team) and their login sessions.

use fml_domain::lifecycle::Role;
use fml_domain::password::PasswordHash;
use fml_domain::secret::SecretHash;
use fml_domain::{AnalystId, OrgId, Timestamp};

use crate::db::Conn;
use crate::{Db, StoreError, execute, fetch_all, fetch_optional};

/// An analyst as stored (without the password and token hashes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalystRecord {
    pub id: AnalystId,
    pub org_id: OrgId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
    pub disabled_at: Option<Timestamp>,
}

const COLUMNS: &str = "a.id, a.org_id, a.email, a.name, a.role, a.created_at, a.disabled_at";
/// The same, unqualified (for `RETURNING`, where SQLite takes no table alias).
const RETURNING: &str = "id, org_id, email, name, role, created_at, disabled_at";

#[derive(Debug, sqlx::FromRow)]
struct AnalystRow {
    id: String,
    org_id: String,
    email: String,
    name: String,
    role: String,
    created_at: i64,
    disabled_at: Option<i64>,
}

impl TryFrom<AnalystRow> for AnalystRecord {
    type Error = StoreError;
    fn try_from(r: AnalystRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("analyst {}: bad {what}", r.id));
        Ok(AnalystRecord {
            id: r.id.parse().map_err(|_| corrupt("id"))?,
            role: Role::parse(&r.role).ok_or_else(|| corrupt("role"))?,
            org_id: OrgId::from_trusted(r.org_id),
            email: r.email,
            name: r.name,
            created_at: Timestamp::from_millis(r.created_at),
            disabled_at: r.disabled_at.map(Timestamp::from_millis),
        })
    }
}

/// A new analyst: the email already lower-cased and validated.
#[derive(Debug)]
pub struct NewAnalyst<'a> {
    pub id: AnalystId,
    pub org: &'a OrgId,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a PasswordHash,
    pub api_token_hash: &'a SecretHash,
}

/// Creates an analyst; `Conflict` if the email is taken (in any tenant).
pub async fn create(conn: Conn<'_>, a: &NewAnalyst<'_>, now: Timestamp) -> Result<(), StoreError> {
    let res = execute!(
        conn,
        "INSERT INTO analysts (id, org_id, email, name, role, password_hash, api_token_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        a.id.to_string(),
        a.org.as_str(),
        a.email,
        a.name,
        a.role.as_str(),
        a.password_hash.as_str(),
        a.api_token_hash.as_str(),
        now.millis()
    );
    match res {
        Ok(_) => Ok(()),
        Err(e) => {
            let e = StoreError::from(e);
            // Emails are logins across tenants: the answer is the same whether the email is
            // this tenant's or another's, and says nothing of which.
            if e.is_unique_violation() {
                Err(StoreError::Conflict("this email cannot be used for a new analyst; choose another"))
            } else {
                Err(e)
            }
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
struct LoginRow {
    #[sqlx(flatten)]
    analyst: AnalystRow,
    password_hash: String,
}

/// The enabled analyst with this (lower-cased) email and their password hash, for a login.
pub async fn for_login(db: &Db, email: &str) -> Result<Option<(AnalystRecord, PasswordHash)>, StoreError> {
    let mut c = db.reader().await?;
    let sql = format!("SELECT {COLUMNS}, a.password_hash FROM analysts a WHERE a.email = $1 AND a.disabled_at IS NULL");
    let row = fetch_optional!(c.conn(), LoginRow, sqlx::AssertSqlSafe(sql), email)?;
    row.map(|r| Ok((r.analyst.try_into()?, PasswordHash::from_stored(r.password_hash)))).transpose()
}

/// The enabled analyst holding this personal API token.
pub async fn by_api_token(db: &Db, token: &SecretHash) -> Result<Option<AnalystRecord>, StoreError> {
    let mut c = db.reader().await?;
    let sql = format!("SELECT {COLUMNS} FROM analysts a WHERE a.api_token_hash = $1 AND a.disabled_at IS NULL");
    fetch_optional!(c.conn(), AnalystRow, sqlx::AssertSqlSafe(sql), token.as_str())?.map(TryInto::try_into).transpose()
}

/// The enabled analyst of a live session.
pub async fn by_session(db: &Db, token: &SecretHash, now: Timestamp) -> Result<Option<AnalystRecord>, StoreError> {
    let mut c = db.reader().await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM analyst_sessions s JOIN analysts a ON a.id = s.analyst_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL"
    );
    fetch_optional!(c.conn(), AnalystRow, sqlx::AssertSqlSafe(sql), token.as_str(), now.millis())?
        .map(TryInto::try_into)
        .transpose()
}

/// An analyst of `org` by email (lower-cased), enabled or not.
pub async fn by_email_in(conn: Conn<'_>, org: &OrgId, email: &str) -> Result<Option<AnalystRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM analysts a WHERE a.org_id = $1 AND a.email = $2");
    fetch_optional!(conn, AnalystRow, sqlx::AssertSqlSafe(sql), org.as_str(), email)?.map(TryInto::try_into).transpose()
}

/// An analyst of `org` by id.
pub async fn get_in(conn: Conn<'_>, org: &OrgId, id: AnalystId) -> Result<Option<AnalystRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM analysts a WHERE a.org_id = $1 AND a.id = $2");
    fetch_optional!(conn, AnalystRow, sqlx::AssertSqlSafe(sql), org.as_str(), id.to_string())?
        .map(TryInto::try_into)
        .transpose()
}

/// A tenant's analysts, by email.
pub async fn list(db: &Db, org: &OrgId) -> Result<Vec<AnalystRecord>, StoreError> {
    let mut c = db.reader().await?;
    list_in(c.conn(), org).await
}

/// [`list`] on a given connection (a snapshot that reads more beside it).
pub async fn list_in(conn: Conn<'_>, org: &OrgId) -> Result<Vec<AnalystRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM analysts a WHERE a.org_id = $1 ORDER BY a.email");
    fetch_all!(conn, AnalystRow, sqlx::AssertSqlSafe(sql), org.as_str())?.into_iter().map(TryInto::try_into).collect()
}

/// Sets an analyst's role; the updated analyst, or `None` if `org` has no such analyst.
pub async fn set_role(
    conn: Conn<'_>,
    org: &OrgId,
    id: AnalystId,
    role: Role,
) -> Result<Option<AnalystRecord>, StoreError> {
    let sql = format!("UPDATE analysts SET role = $3 WHERE org_id = $1 AND id = $2 RETURNING {RETURNING}");
    fetch_optional!(conn, AnalystRow, sqlx::AssertSqlSafe(sql), org.as_str(), id.to_string(), role.as_str())?
        .map(TryInto::try_into)
        .transpose()
}

/// Disables (at `at`) or re-enables an analyst. Disabling ends their sessions in the same
/// transaction, so they are signed out everywhere when it commits.
pub async fn set_disabled(
    mut conn: Conn<'_>,
    org: &OrgId,
    id: AnalystId,
    at: Option<Timestamp>,
) -> Result<Option<AnalystRecord>, StoreError> {
    let sql = format!("UPDATE analysts SET disabled_at = $3 WHERE org_id = $1 AND id = $2 RETURNING {RETURNING}");
    let row = fetch_optional!(
        conn.reborrow(),
        AnalystRow,
        sqlx::AssertSqlSafe(sql),
        org.as_str(),
        id.to_string(),
        at.map(Timestamp::millis)
    )?;
    if row.is_some() && at.is_some() {
        execute!(conn, "DELETE FROM analyst_sessions WHERE analyst_id = $1", id.to_string())?;
    }
    row.map(TryInto::try_into).transpose()
}

/// Locks `org`'s enabled admins until the transaction ends (PostgreSQL; SQLite has one writer
/// at a time): two admins changing each other at once then take turns, and the second sees
/// the first's change when it counts what is left.
pub async fn lock_admins(conn: Conn<'_>, org: &OrgId) -> Result<(), StoreError> {
    if let Conn::Postgres(_) = conn {
        fetch_all!(
            conn,
            (String,),
            "SELECT id FROM analysts WHERE org_id = $1 AND role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE",
            org.as_str()
        )?;
    }
    Ok(())
}

/// How many enabled admins `org` has.
pub async fn count_admins(conn: Conn<'_>, org: &OrgId) -> Result<i64, StoreError> {
    let (n,): (i64,) = fetch_optional!(
        conn,
        (i64,),
        "SELECT COUNT(*) FROM analysts WHERE org_id = $1 AND role = 'admin' AND disabled_at IS NULL",
        org.as_str()
    )?
    .unwrap_or((0,));
    Ok(n)
}

/// Starts a session.
pub async fn create_session(
    conn: Conn<'_>,
    analyst: AnalystId,
    token: &SecretHash,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO analyst_sessions (token_hash, analyst_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        token.as_str(),
        analyst.to_string(),
        now.millis(),
        expires_at.millis()
    )?;
    Ok(())
}

/// Ends a session; returns whether there was one.
pub async fn delete_session(conn: Conn<'_>, token: &SecretHash) -> Result<bool, StoreError> {
    Ok(execute!(conn, "DELETE FROM analyst_sessions WHERE token_hash = $1", token.as_str())? > 0)
}

/// Deletes expired sessions (housekeeping).
pub async fn purge_expired_sessions(db: &Db, now: Timestamp) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = execute!(tx.conn(), "DELETE FROM analyst_sessions WHERE expires_at <= $1", now.millis())?;
    tx.commit().await?;
    Ok(n)
}
