//! The case writes that are not creation (status moves, owner, CRM record id, invites) and the
//! row lock, each returning the case as it now stands so callers need not read it again.

use fml_domain::ids::CaseLocator;
use fml_domain::{AnalystId, CaseId, CaseStatus, OrgId, Timestamp};

use super::{CASE_COLUMNS, CaseRecord, CaseRow, Decision};
use crate::StoreError;
use crate::db::Conn;
use crate::fetch_optional;

/// Outcome of storing a CRM record id on a case.
#[derive(Debug)]
pub enum SetCrmOutcome {
    Updated(Box<CaseRecord>),
    NotFound,
    /// Another case of the tenant already holds this CRM record id.
    TakenByOtherCase,
}

/// Stores `crm_record_id` on a case (`POST /api/cases/{caseId}/crm-record-id`). The unique
/// index decides races; setting the value a case already has is a no-op success.
pub async fn set_crm_record_id(
    conn: Conn<'_>,
    org: &OrgId,
    locator: &CaseLocator,
    crm_record_id: &str,
    now: Timestamp,
) -> Result<SetCrmOutcome, StoreError> {
    let (col, val) = match locator {
        CaseLocator::Id(id) => ("id", id.to_string()),
        CaseLocator::Reference(r) => ("reference", r.as_str().to_owned()),
    };
    let sql = format!(
        "UPDATE cases SET crm_record_id = $3, updated_at = $4 WHERE org_id = $1 AND {col} = $2 RETURNING {CASE_COLUMNS}"
    );
    match fetch_optional!(conn, CaseRow, sqlx::AssertSqlSafe(sql), org.as_str(), val, crm_record_id, now.millis()) {
        Ok(Some(row)) => Ok(SetCrmOutcome::Updated(Box::new(row.try_into()?))),
        Ok(None) => Ok(SetCrmOutcome::NotFound),
        Err(e) => {
            let e = StoreError::from(e);
            if e.is_unique_violation() { Ok(SetCrmOutcome::TakenByOtherCase) } else { Err(e) }
        }
    }
}

/// Moves a case from `from` to `to` if it is still in `from` (compare-and-set, so two
/// concurrent actions cannot both move it; the loser re-reads and is told the new status).
/// `decision` is stored with a final move. Returns the updated case, or `None` if its status
/// had changed.
pub async fn transition(
    conn: Conn<'_>,
    org: &OrgId,
    id: CaseId,
    from: CaseStatus,
    to: CaseStatus,
    decision: Option<&Decision>,
    now: Timestamp,
) -> Result<Option<CaseRecord>, StoreError> {
    let sql = format!(
        "UPDATE cases SET status = $4, updated_at = $5, \
         decision_notes = COALESCE($6, decision_notes), decided_by = COALESCE($7, decided_by), \
         decided_at = COALESCE($8, decided_at) \
         WHERE org_id = $1 AND id = $2 AND status = $3 RETURNING {CASE_COLUMNS}"
    );
    fetch_optional!(
        conn,
        CaseRow,
        sqlx::AssertSqlSafe(sql),
        org.as_str(),
        id.to_string(),
        from.as_str(),
        to.as_str(),
        now.millis(),
        decision.map(|d| d.notes.clone()),
        decision.map(|d| d.decided_by.clone()),
        decision.map(|d| d.decided_at.millis())
    )?
    .map(CaseRecord::try_from)
    .transpose()
}

/// Sets (or clears) a case's owner; returns the updated case.
pub async fn set_owner(
    conn: Conn<'_>,
    org: &OrgId,
    id: CaseId,
    owner: Option<AnalystId>,
    now: Timestamp,
) -> Result<Option<CaseRecord>, StoreError> {
    let sql = format!(
        "UPDATE cases SET owner_id = $3, updated_at = $4 WHERE org_id = $1 AND id = $2 RETURNING {CASE_COLUMNS}"
    );
    fetch_optional!(
        conn,
        CaseRow,
        sqlx::AssertSqlSafe(sql),
        org.as_str(),
        id.to_string(),
        owner.map(|o| o.to_string()),
        now.millis()
    )?
    .map(CaseRecord::try_from)
    .transpose()
}

/// Records that an invite was (re)sent now.
pub async fn mark_invited(
    conn: Conn<'_>,
    org: &OrgId,
    id: CaseId,
    now: Timestamp,
) -> Result<Option<CaseRecord>, StoreError> {
    let sql = format!(
        "UPDATE cases SET invite_sent_at = $3, updated_at = $3 WHERE org_id = $1 AND id = $2 RETURNING {CASE_COLUMNS}"
    );
    fetch_optional!(conn, CaseRow, sqlx::AssertSqlSafe(sql), org.as_str(), id.to_string(), now.millis())?
        .map(CaseRecord::try_from)
        .transpose()
}

/// Holds the case's row until the transaction ends, so two commands that read and then write
/// what hangs off a case (its application) run one after the other. On PostgreSQL a row lock;
/// SQLite's write transactions are serial already.
pub async fn lock(conn: Conn<'_>, org: &OrgId, id: CaseId) -> Result<(), StoreError> {
    if let Conn::Postgres(c) = conn {
        sqlx::query::<sqlx::Postgres>("SELECT 1 FROM cases WHERE org_id = $1 AND id = $2 FOR UPDATE")
            .bind(org.as_str())
            .bind(id.to_string())
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}
