//! Finding cases by id, reference or CRM record id, and paging through a tenant's cases: the
//! plain lookups every command starts from.

use fml_domain::ids::CaseLocator;
use fml_domain::{CaseId, OrgId};

use super::{CASE_COLUMNS, CaseRecord, CaseRow, convert};
use crate::db::Conn;
use crate::{Db, StoreError, fetch_all, fetch_optional};

/// Finds a case of `org` by UUID or reference.
pub async fn get(db: &Db, org: &OrgId, locator: &CaseLocator) -> Result<Option<CaseRecord>, StoreError> {
    let mut c = db.reader().await?;
    get_in(c.conn(), org, locator).await
}

pub async fn get_in(conn: Conn<'_>, org: &OrgId, locator: &CaseLocator) -> Result<Option<CaseRecord>, StoreError> {
    let row = match locator {
        CaseLocator::Id(id) => {
            let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE org_id = $1 AND id = $2");
            fetch_optional!(conn, CaseRow, sqlx::AssertSqlSafe(sql), org.as_str(), id.to_string())?
        }
        CaseLocator::Reference(r) => {
            let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE org_id = $1 AND reference = $2");
            fetch_optional!(conn, CaseRow, sqlx::AssertSqlSafe(sql), org.as_str(), r.as_str())?
        }
    };
    row.map(CaseRecord::try_from).transpose()
}

/// One page of a tenant's cases, newest first. `after` is the id of the last case of the
/// previous page (ids are UUIDv7, so they sort by creation time).
pub async fn list(
    db: &Db,
    org: &OrgId,
    crm_record_id: Option<&str>,
    after: Option<CaseId>,
    limit: u32,
) -> Result<Vec<CaseRecord>, StoreError> {
    let mut c = db.reader().await?;
    let after = after.map(|a| a.to_string()).unwrap_or_else(|| "~".to_owned());
    let limit = i64::from(limit);
    let rows = match crm_record_id {
        Some(crm) => {
            let sql = format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE org_id = $1 AND crm_record_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4"
            );
            fetch_all!(c.conn(), CaseRow, sqlx::AssertSqlSafe(sql), org.as_str(), crm, after, limit)?
        }
        None => {
            let sql =
                format!("SELECT {CASE_COLUMNS} FROM cases WHERE org_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3");
            fetch_all!(c.conn(), CaseRow, sqlx::AssertSqlSafe(sql), org.as_str(), after, limit)?
        }
    };
    convert(rows)
}

/// The cases holding these (tenant, CRM record id) pairs: one `UNION ALL` branch per pair,
/// each an equality on both columns of the unique index, so every branch is one index probe
/// whatever the planner believes about the table. (A row-value `IN (VALUES …)` was planned as
/// a sequential scan, and `org_id = $1 AND crm_record_id IN (…)` as a walk of every case of
/// the tenant on another index: work that grew with history.)
pub async fn find_by_crm_in(conn: Conn<'_>, pairs: &[(&OrgId, &str)]) -> Result<Vec<CaseRecord>, StoreError> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let sql = (0..pairs.len())
        .map(|i| {
            format!("SELECT {CASE_COLUMNS} FROM cases WHERE org_id = ${} AND crm_record_id = ${}", 2 * i + 1, 2 * i + 2)
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let args: Vec<crate::db::Arg> = pairs
        .iter()
        .flat_map(|(o, c)| [crate::db::Arg::Text(o.as_str().to_owned()), crate::db::Arg::Text((*c).to_owned())])
        .collect();
    // Planned afresh on PostgreSQL (an unnamed statement): a generic plan made while `cases`
    // was young walked the tenant's cases on another index until autovacuum analysed it.
    let persistent = matches!(conn, Conn::Sqlite(_));
    convert(crate::fetch_all_args!(conn, CaseRow, sql, args, persistent: persistent)?)
}

/// Counts a tenant's cases (tests and the CLI).
pub async fn count(db: &Db, org: &OrgId) -> Result<i64, StoreError> {
    let mut c = db.reader().await?;
    let (n,): (i64,) = fetch_optional!(c.conn(), (i64,), "SELECT COUNT(*) FROM cases WHERE org_id = $1", org.as_str())?
        .unwrap_or((0,));
    Ok(n)
}

/// The references of `ids`, cases of `org` (ids of other tenants' cases find nothing), in one
/// statement: for lists that name each row's case (the console's deliveries).
pub async fn references_in(conn: Conn<'_>, org: &OrgId, ids: &[&str]) -> Result<Vec<(String, String)>, StoreError> {
    use crate::db::Arg;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = vec![Arg::Text(org.as_str().to_owned())];
    let mut marks = Vec::with_capacity(ids.len());
    for id in ids {
        args.push(Arg::Text((*id).to_owned()));
        marks.push(format!("${}", args.len()));
    }
    let sql = format!("SELECT id, reference FROM cases WHERE org_id = $1 AND id IN ({})", marks.join(", "));
    Ok(crate::fetch_all_args!(conn, (String, String), sql, args, persistent: false)?)
}
