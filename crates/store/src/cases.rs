//! Reading cases, and the few case writes that are not creation (see [`crate::case_writer`]).

use fml_domain::ids::CaseLocator;
use fml_domain::{AnalystId, CaseId, CaseReference, CaseSource, CaseStatus, CountryCode, OrgId, Timestamp};

use crate::db::Conn;
use crate::{Db, StoreError, fetch_all, fetch_optional};

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: CaseId,
    pub org_id: OrgId,
    pub reference: CaseReference,
    pub status: CaseStatus,
    pub source: CaseSource,
    pub customer_email: Option<String>,
    pub customer_name: Option<String>,
    pub company_name: Option<String>,
    pub company_number: Option<String>,
    pub country: Option<CountryCode>,
    pub entity_type: Option<String>,
    pub crm_record_id: Option<String>,
    pub crm_source: Option<String>,
    pub invite_sent_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The analyst working the case.
    pub owner_id: Option<AnalystId>,
    /// The analyst who opened a manual case (email).
    pub created_by: Option<String>,
    /// Set with the final decision.
    pub decision: Option<Decision>,
}

/// The final decision on a case (its outcome is the status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub notes: String,
    pub decided_by: String,
    pub decided_at: Timestamp,
}

/// The columns a new case is inserted with (the rest start null).
pub(crate) const INSERT_COLUMNS: &str = "id, org_id, reference, status, source, customer_email, customer_name, company_name, \
     company_number, country, entity_type, crm_record_id, crm_source, invite_sent_at, created_at, updated_at, created_by";

pub(crate) const CASE_COLUMNS: &str = "id, org_id, reference, status, source, customer_email, customer_name, company_name, \
     company_number, country, entity_type, crm_record_id, crm_source, invite_sent_at, created_at, updated_at, created_by, \
     owner_id, decision_notes, decided_by, decided_at";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: String,
    org_id: String,
    reference: String,
    status: String,
    source: String,
    customer_email: Option<String>,
    customer_name: Option<String>,
    company_name: Option<String>,
    company_number: Option<String>,
    country: Option<String>,
    entity_type: Option<String>,
    crm_record_id: Option<String>,
    crm_source: Option<String>,
    invite_sent_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    created_by: Option<String>,
    owner_id: Option<String>,
    decision_notes: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<i64>,
}

impl TryFrom<CaseRow> for CaseRecord {
    type Error = StoreError;
    fn try_from(r: CaseRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("case {}: bad {what}", r.id));
        Ok(CaseRecord {
            id: r.id.parse().map_err(|_| corrupt("id"))?,
            status: CaseStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            source: CaseSource::parse(&r.source).ok_or_else(|| corrupt("source"))?,
            country: match &r.country {
                Some(c) => Some(CountryCode::from_stored(c).ok_or_else(|| corrupt("country"))?),
                None => None,
            },
            owner_id: match &r.owner_id {
                Some(o) => Some(o.parse().map_err(|_| corrupt("owner"))?),
                None => None,
            },
            decision: match (r.decision_notes, r.decided_by, r.decided_at) {
                (Some(notes), Some(decided_by), Some(at)) => {
                    Some(Decision { notes, decided_by, decided_at: Timestamp::from_millis(at) })
                }
                _ => None,
            },
            created_by: r.created_by,
            org_id: OrgId::from_trusted(r.org_id),
            reference: CaseReference::from_trusted(r.reference),
            customer_email: r.customer_email,
            customer_name: r.customer_name,
            company_name: r.company_name,
            company_number: r.company_number,
            entity_type: r.entity_type,
            crm_record_id: r.crm_record_id,
            crm_source: r.crm_source,
            invite_sent_at: r.invite_sent_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

fn convert(rows: Vec<CaseRow>) -> Result<Vec<CaseRecord>, StoreError> {
    rows.into_iter().map(CaseRecord::try_from).collect()
}

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
pub(crate) async fn find_by_crm_in(conn: Conn<'_>, pairs: &[(&OrgId, &str)]) -> Result<Vec<CaseRecord>, StoreError> {
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

/// Counts a tenant's cases (tests and the CLI).
pub async fn count(db: &Db, org: &OrgId) -> Result<i64, StoreError> {
    let mut c = db.reader().await?;
    let (n,): (i64,) = fetch_optional!(c.conn(), (i64,), "SELECT COUNT(*) FROM cases WHERE org_id = $1", org.as_str())?
        .unwrap_or((0,));
    Ok(n)
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

/// What the case lists (`GET /api/cases`, the console's dashboard) filter on; every filter is
/// optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    /// `Some(None)`: unassigned cases only.
    pub owner: Option<Option<AnalystId>>,
    pub source: Option<CaseSource>,
    /// Text, matched literally and in any case, that the company name, the reference or the
    /// customer's email contains.
    pub text: Option<String>,
}

/// The orders the console's dashboard sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseOrder {
    #[default]
    Newest,
    Oldest,
    /// Most recently changed first.
    Updated,
    /// Company name A-Z.
    Company,
    /// By status, the longest waiting first within each (a work queue).
    Status,
}

impl CaseOrder {
    fn sql(self) -> &'static str {
        match self {
            CaseOrder::Newest => "id DESC",
            CaseOrder::Oldest => "id ASC",
            // Each matches an index of `cases` walked in one direction (see migration 0012).
            CaseOrder::Updated => "updated_at DESC, id DESC",
            CaseOrder::Company => "LOWER(COALESCE(company_name, '')) ASC, id ASC",
            CaseOrder::Status => "status ASC, id ASC",
        }
    }
}

/// Which page of a list: after a cursor (the API: newest first, stable under inserts), or at
/// an offset in an order (the console: numbered pages in any order).
#[derive(Debug, Clone, Copy)]
pub enum CasePage {
    After(Option<CaseId>),
    Offset { order: CaseOrder, offset: u32 },
}

/// The `WHERE` clause of `filter` for `org`, with its arguments (placeholders from `$1`).
fn filter_sql(backend: crate::Backend, org: &OrgId, filter: &CaseFilter) -> (String, Vec<crate::db::Arg>) {
    use crate::db::Arg;
    let mut sql = String::from(" WHERE org_id = $1");
    let mut args = vec![Arg::Text(org.as_str().to_owned())];
    let mut push = |cond: &str, arg: Option<Arg>| {
        match arg {
            Some(a) => {
                args.push(a);
                sql.push_str(&format!(" AND {cond}${}", args.len()));
            }
            None => sql.push_str(&format!(" AND {cond}")),
        };
    };
    if let Some(s) = filter.status {
        push("status = ", Some(Arg::Text(s.as_str().to_owned())));
    }
    match filter.owner {
        Some(Some(o)) => push("owner_id = ", Some(Arg::Text(o.to_string()))),
        Some(None) => push("owner_id IS NULL", None),
        None => {}
    }
    if let Some(s) = filter.source {
        push("source = ", Some(Arg::Text(s.as_str().to_owned())));
    }
    if let Some(q) = &filter.text {
        let (before, after, arg) = text_condition(backend, q);
        args.push(Arg::Text(arg));
        sql.push_str(&format!(" AND {before}${}{after}", args.len()));
    }
    (sql, args)
}

/// The text search's condition, as the text before and after its argument's placeholder, and
/// the argument.
/// Both backends answer from a trigram index (migration 0012) for three characters or more;
/// shorter text is a substring scan of the tenant's cases.
fn text_condition(backend: crate::Backend, q: &str) -> (&'static str, &'static str, String) {
    // No stored text holds a control character (and the index joins the fields with one).
    let q: String = q.chars().filter(|c| !c.is_control()).collect();
    let like = || {
        // LIKE with the pattern's own wildcards escaped: the text is matched literally, in
        // lower case as PostgreSQL's LOWER makes it (Unicode, under a UTF-8 ctype).
        let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        format!("%{escaped}%")
    };
    match backend {
        // The same expression as the index, so the planner can use it.
        // (Backslash is PostgreSQL's default LIKE escape.)
        crate::Backend::Postgres => (
            "LOWER(COALESCE(company_name, '') || CHR(31) || reference || CHR(31) || COALESCE(customer_email, '')) LIKE ",
            "",
            like(),
        ),
        // An FTS5 phrase of the whole text is a literal substring match (quotes doubled).
        crate::Backend::Sqlite if q.chars().count() >= 3 => (
            "id IN (SELECT k.case_id FROM cases_search JOIN case_search_ids k ON k.rowid = cases_search.rowid \
             WHERE cases_search MATCH ",
            ")",
            format!("\"{}\"", q.replace('"', "\"\"")),
        ),
        // Shorter than a trigram: SQLite's LOWER and LIKE fold ASCII only, so a GLOB whose
        // every letter is a class of its cases (`[öÖ][kK]`) folds as PostgreSQL's LOWER does.
        crate::Backend::Sqlite => (
            "(COALESCE(company_name, '') || CHAR(31) || reference || CHAR(31) || COALESCE(customer_email, '')) GLOB ",
            "",
            format!("*{}*", case_classes(&q)),
        ),
    }
}

/// A GLOB pattern matching `q` literally in any letter case: each letter a class of its
/// one-character case forms, each of GLOB's own `*`, `?`, `[` and `]` a class of itself.
fn case_classes(q: &str) -> String {
    let mut out = String::new();
    for c in q.chars() {
        let mut forms = vec![c];
        for f in [c.to_lowercase().collect::<Vec<_>>(), c.to_uppercase().collect::<Vec<_>>()] {
            // A case form of several characters (ß → SS) cannot be a class member.
            if let [one] = f[..]
                && !forms.contains(&one)
            {
                forms.push(one);
            }
        }
        match (c, forms.len()) {
            ('*' | '?' | '[' | ']', _) => out.extend(['[', c, ']']),
            (_, 1) => out.push(c),
            _ => {
                out.push('[');
                out.extend(forms);
                out.push(']');
            }
        }
    }
    out
}

/// One page of a tenant's cases matching `filter`.
pub async fn search(
    db: &Db,
    org: &OrgId,
    filter: &CaseFilter,
    page: CasePage,
    limit: u32,
) -> Result<Vec<CaseRecord>, StoreError> {
    use crate::db::Arg;
    let (mut where_sql, mut args) = filter_sql(db.backend(), org, filter);
    let (order, offset) = match page {
        CasePage::After(after) => {
            args.push(Arg::Text(after.map(|a| a.to_string()).unwrap_or_else(|| "~".into())));
            where_sql.push_str(&format!(" AND id < ${}", args.len()));
            (CaseOrder::Newest, 0)
        }
        CasePage::Offset { order, offset } => (order, offset),
    };
    args.push(Arg::Int(i64::from(limit)));
    args.push(Arg::Int(i64::from(offset)));
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases{where_sql} ORDER BY {} LIMIT ${} OFFSET ${}",
        order.sql(),
        args.len() - 1,
        args.len()
    );
    let mut c = db.reader().await?;
    // A search is planned with its text, so PostgreSQL sees the trigram index pays.
    let persistent = filter.text.is_none();
    convert(crate::fetch_all_args!(c.conn(), CaseRow, sql, args, persistent: persistent)?)
}

/// How many of a tenant's cases match `filter`, counting no further than `cap` (the dashboard's
/// "10,000+ cases"): the work is bounded however large the tenant's history grows.
pub async fn count_matching(db: &Db, org: &OrgId, filter: &CaseFilter, cap: i64) -> Result<i64, StoreError> {
    let (where_sql, mut args) = filter_sql(db.backend(), org, filter);
    args.push(crate::db::Arg::Int(cap));
    let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM cases{where_sql} LIMIT ${}) capped", args.len());
    let mut c = db.reader().await?;
    let persistent = filter.text.is_none();
    let rows: Vec<(i64,)> = crate::fetch_all_args!(c.conn(), (i64,), sql, args, persistent: persistent)?;
    Ok(rows.first().map_or(0, |r| r.0))
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

#[cfg(test)]
mod tests {
    use super::case_classes;

    #[test]
    fn glob_classes_fold_case_and_quote_globs_own_characters() {
        assert_eq!(case_classes("ök"), "[öÖ][kK]");
        assert_eq!(case_classes("Ü1"), "[Üü]1");
        // GLOB's own characters are literal; a letter whose other case is two letters keeps
        // the one-letter forms it has.
        assert_eq!(case_classes("*?[]"), "[*][?][[][]]");
        assert_eq!(case_classes("ß"), "ß");
        assert_eq!(case_classes("ẞ"), "[ẞß]");
        assert_eq!(case_classes("-@"), "-@");
    }
}
