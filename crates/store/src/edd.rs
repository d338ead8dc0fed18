//! Enhanced due diligence requirements of a case.

use fml_domain::{CaseId, OrgId};

use crate::db::Conn;
use crate::{StoreError, execute, fetch_all, fetch_optional};

/// A requirement as stored (`status` is `outstanding`, `received` or `waived`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EddRow {
    pub req_key: String,
    pub label: String,
    pub status: String,
    pub note: String,
    pub updated_by: String,
    pub updated_at: i64,
}

const COLUMNS: &str = "req_key, label, status, note, updated_by, updated_at";

pub async fn get(conn: Conn<'_>, org: &OrgId, case_id: CaseId, key: &str) -> Result<Option<EddRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM edd_requirements WHERE org_id = $1 AND case_id = $2 AND req_key = $3");
    Ok(fetch_optional!(conn, EddRow, sqlx::AssertSqlSafe(sql), org.as_str(), case_id.to_string(), key)?)
}

/// A case's requirements, by key.
pub async fn for_case(conn: Conn<'_>, org: &OrgId, case_id: CaseId) -> Result<Vec<EddRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM edd_requirements WHERE org_id = $1 AND case_id = $2 ORDER BY req_key");
    Ok(fetch_all!(conn, EddRow, sqlx::AssertSqlSafe(sql), org.as_str(), case_id.to_string())?)
}

/// Creates or replaces a requirement.
pub async fn put(conn: Conn<'_>, org: &OrgId, case_id: CaseId, row: &EddRow) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO edd_requirements (case_id, org_id, req_key, label, status, note, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (case_id, req_key) DO UPDATE SET label = excluded.label, \
         status = excluded.status, note = excluded.note, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        case_id.to_string(),
        org.as_str(),
        row.req_key.as_str(),
        row.label.as_str(),
        row.status.as_str(),
        row.note.as_str(),
        row.updated_by.as_str(),
        row.updated_at
    )?;
    Ok(())
}
