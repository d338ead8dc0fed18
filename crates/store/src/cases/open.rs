//! The statements that open cases in bulk (the opener in `fml-app` batches requests into
//! them): a tenant's reference numbers, the cases, their magic-link invites.

use std::collections::HashSet;

use fml_domain::secret::SecretHash;
use fml_domain::{CaseId, OrgId, Timestamp};

use super::{CaseRecord, INSERT_COLUMNS};
use crate::db::{Arg, Conn, values_clause};
use crate::{StoreError, fetch_all_args, fetch_optional};

/// Reserves `k` consecutive reference numbers of `org` for `year`; returns the last one.
pub async fn reserve_references(conn: Conn<'_>, org: &OrgId, year: i32, k: i64) -> Result<i64, StoreError> {
    let (last,): (i64,) = fetch_optional!(
        conn,
        (i64,),
        "INSERT INTO case_counters (org_id, year, last) VALUES ($1, $2, $3) \
         ON CONFLICT (org_id, year) DO UPDATE SET last = case_counters.last + excluded.last RETURNING last",
        org.as_str(),
        year,
        k
    )?
    .ok_or_else(|| StoreError::Corrupt("case counter upsert returned nothing".into()))?;
    Ok(last)
}

#[derive(sqlx::FromRow)]
struct IdRow {
    id: String,
}

/// Inserts new cases; a case whose CRM record id the tenant already holds (another node's
/// transaction won the race) is skipped. Returns the ids inserted.
pub async fn insert_many(conn: Conn<'_>, records: &[&CaseRecord]) -> Result<HashSet<CaseId>, StoreError> {
    if records.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "INSERT INTO cases ({INSERT_COLUMNS}) VALUES {} ON CONFLICT (org_id, crm_record_id) DO NOTHING RETURNING id",
        values_clause(records.len(), 17, 1)
    );
    let mut args = Vec::with_capacity(records.len() * 17);
    for r in records {
        args.extend([
            Arg::Text(r.id.to_string()),
            Arg::Text(r.org_id.as_str().to_owned()),
            Arg::Text(r.reference.as_str().to_owned()),
            Arg::Text(r.status.as_str().to_owned()),
            Arg::Text(r.source.as_str().to_owned()),
            Arg::OptText(r.customer_email.clone()),
            Arg::OptText(r.customer_name.clone()),
            Arg::OptText(r.company_name.clone()),
            Arg::OptText(r.company_number.clone()),
            Arg::OptText(r.country.map(|c| c.as_str().to_owned())),
            Arg::OptText(r.entity_type.clone()),
            Arg::OptText(r.crm_record_id.clone()),
            Arg::OptText(r.crm_source.clone()),
            Arg::OptInt(r.invite_sent_at.map(Timestamp::millis)),
            Arg::Int(r.created_at.millis()),
            Arg::Int(r.updated_at.millis()),
            Arg::OptText(r.created_by.clone()),
        ]);
    }
    let rows = fetch_all_args!(conn, IdRow, sql, args)?;
    rows.into_iter().map(|r| r.id.parse().map_err(|_| StoreError::Corrupt("a new case's id".into()))).collect()
}

/// A new case's magic-link invite: only the token's hash is stored.
#[derive(Debug)]
pub struct NewInvite<'a> {
    pub org: &'a OrgId,
    pub case_id: CaseId,
    pub email: &'a str,
    pub token_hash: &'a SecretHash,
    pub expires_at: Timestamp,
}

/// Inserts the invites of newly opened cases.
pub async fn insert_invites(conn: Conn<'_>, invites: &[NewInvite<'_>], now: Timestamp) -> Result<(), StoreError> {
    if invites.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO case_invites (id, org_id, case_id, email, token_hash, created_at, expires_at) VALUES {}",
        values_clause(invites.len(), 7, 1)
    );
    let mut args = Vec::with_capacity(invites.len() * 7);
    for inv in invites {
        args.extend([
            Arg::Text(uuid::Uuid::new_v4().to_string()),
            Arg::Text(inv.org.as_str().to_owned()),
            Arg::Text(inv.case_id.to_string()),
            Arg::Text(inv.email.to_owned()),
            Arg::Text(inv.token_hash.as_str().to_owned()),
            Arg::Int(now.millis()),
            Arg::Int(inv.expires_at.millis()),
        ]);
    }
    crate::execute_args!(conn, sql, args)?;
    Ok(())
}
