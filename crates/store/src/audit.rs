//! The audit log: one row per action, written in the transaction of the change it records.

use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::Conn;
use crate::{Db, StoreError, execute, fetch_all};

/// Who acted, as the audit log spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    Analyst,
    Customer,
    Client,
    System,
    /// A login attempt naming no known account.
    Anonymous,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Analyst => "analyst",
            ActorKind::Customer => "customer",
            ActorKind::Client => "client",
            ActorKind::System => "system",
            ActorKind::Anonymous => "anonymous",
        }
    }
}

/// One audit row.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub org: Option<&'a OrgId>,
    pub case_id: Option<CaseId>,
    pub actor_kind: ActorKind,
    /// The analyst's or customer's email, the client id, or `system`.
    pub actor: &'a str,
    /// e.g. `case.decide`, `login.failed`.
    pub action: &'a str,
    /// A JSON object with the action's input.
    pub detail: serde_json::Value,
}

pub async fn record(conn: Conn<'_>, e: &Entry<'_>, now: Timestamp) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO audit_log (org_id, case_id, actor_kind, actor, action, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        e.org.map(|o| o.as_str().to_owned()),
        e.case_id.map(|c| c.to_string()),
        e.actor_kind.as_str(),
        e.actor,
        e.action,
        e.detail.to_string(),
        now.millis()
    )?;
    Ok(())
}

/// An audit row as read back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub org_id: Option<String>,
    pub case_id: Option<String>,
    pub actor_kind: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub created_at: i64,
}

/// The latest audit rows of a tenant, newest first (`action` filters when given).
pub async fn list(db: &Db, org: &OrgId, action: Option<&str>, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_all!(
        c.conn(),
        AuditRow,
        "SELECT id, org_id, case_id, actor_kind, actor, action, detail, created_at FROM audit_log \
         WHERE org_id = $1 AND ($2 IS NULL OR action = $2) ORDER BY id DESC LIMIT $3",
        org.as_str(),
        action,
        limit
    )?)
}
