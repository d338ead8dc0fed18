//! The audit log: one row per action, written in the transaction of the change it records.
//! Rows reach it only through a unit of work ([`crate::unit::UnitOfWork::audit`]), which
//! refuses to commit a change without one.

use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::{Arg, Conn};
use crate::{Db, StoreError, fetch_all};

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

/// An audit row owned by a unit of work until it commits (see [`crate::unit::UnitOfWork::audit`]).
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    org: Option<String>,
    case_id: Option<String>,
    actor_kind: ActorKind,
    actor: String,
    action: String,
    detail: String,
    at: Timestamp,
}

impl Pending {
    pub(crate) fn of(e: &Entry<'_>, at: Timestamp) -> Self {
        Self {
            org: e.org.map(|o| o.as_str().to_owned()),
            case_id: e.case_id.map(|c| c.to_string()),
            actor_kind: e.actor_kind,
            actor: e.actor.to_owned(),
            action: e.action.to_owned(),
            detail: e.detail.to_string(),
            at,
        }
    }
}

/// Writes a unit's audit rows in one statement (a batch of case creations audits each case).
pub(crate) async fn insert_many(conn: Conn<'_>, rows: &[Pending]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO audit_log (org_id, case_id, actor_kind, actor, action, detail, created_at) VALUES {}",
        crate::db::values_clause(rows.len(), 7, 1)
    );
    let mut args = Vec::with_capacity(rows.len() * 7);
    for r in rows {
        args.extend([
            Arg::OptText(r.org.clone()),
            Arg::OptText(r.case_id.clone()),
            Arg::Text(r.actor_kind.as_str().to_owned()),
            Arg::Text(r.actor.clone()),
            Arg::Text(r.action.clone()),
            Arg::Text(r.detail.clone()),
            Arg::Int(r.at.millis()),
        ]);
    }
    crate::execute_args!(conn, sql, args)?;
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
