//! Identity verification checks: one row per real person (`person_key`) of a case.

use fml_domain::idv::IdvStatus;
use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::Conn;
use crate::{StoreError, fetch_all, fetch_optional};

/// Who performs the check: the Didit adapter or the built-in page.
pub const VENDOR_DIDIT: &str = "Didit";
pub const VENDOR_BUILTIN: &str = "FML";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdvCheck {
    pub id: i64,
    pub org_id: OrgId,
    pub case_id: CaseId,
    pub person_key: String,
    pub person_name: String,
    pub person_email: Option<String>,
    pub roles: Vec<String>,
    pub position: u32,
    pub vendor: String,
    pub session_id: Option<String>,
    pub status: IdvStatus,
    /// The vendor's own word for the result ("Approved", "In Review", …).
    pub vendor_status: Option<String>,
    pub satisfied_by_doc: Option<i64>,
    /// The document the person uploaded on the built-in page.
    pub document_id: Option<i64>,
    pub dispatched_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub completed_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, org_id, case_id, person_key, person_name, person_email, roles, position, vendor, session_id, \
     status, vendor_status, satisfied_by_doc, document_id, dispatched_by, created_at, updated_at, completed_at";

#[derive(Debug, sqlx::FromRow)]
struct Row {
    id: i64,
    org_id: String,
    case_id: String,
    person_key: String,
    person_name: String,
    person_email: Option<String>,
    roles: String,
    position: i32,
    vendor: String,
    session_id: Option<String>,
    status: String,
    vendor_status: Option<String>,
    satisfied_by_doc: Option<i64>,
    document_id: Option<i64>,
    dispatched_by: String,
    created_at: i64,
    updated_at: i64,
    completed_at: Option<i64>,
}

impl TryFrom<Row> for IdvCheck {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("idv check {}: bad {what}", r.id));
        Ok(IdvCheck {
            id: r.id,
            case_id: r.case_id.parse().map_err(|_| corrupt("case id"))?,
            status: IdvStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            position: u32::try_from(r.position).map_err(|_| corrupt("position"))?,
            org_id: OrgId::from_trusted(r.org_id),
            roles: r.roles.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            person_key: r.person_key,
            person_name: r.person_name,
            person_email: r.person_email,
            vendor: r.vendor,
            session_id: r.session_id,
            vendor_status: r.vendor_status,
            satisfied_by_doc: r.satisfied_by_doc,
            document_id: r.document_id,
            dispatched_by: r.dispatched_by,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            completed_at: r.completed_at.map(Timestamp::from_millis),
        })
    }
}

/// A check to start (or restart) for one person.
#[derive(Debug, Clone)]
pub struct NewCheck<'a> {
    pub person_key: &'a str,
    pub person_name: &'a str,
    pub person_email: Option<&'a str>,
    pub roles: &'a [String],
    pub position: u32,
    pub vendor: &'a str,
    pub session_id: Option<&'a str>,
    /// The built-in page's link, hashed.
    pub token_hash: Option<&'a str>,
    /// `Dispatched` or `Satisfied`.
    pub status: IdvStatus,
    pub satisfied_by_doc: Option<i64>,
    pub dispatched_by: &'a str,
}

/// How a new check meets an earlier one of the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Earlier {
    /// Keep the earlier one (the system's dispatch: someone got there first).
    Keep,
    /// Replace it — a new link ends the old one — unless the person passed (an analyst's send).
    ReplaceUnlessPassed,
}

/// Starts a person's check; `None` when an earlier one stays (see [`Earlier`]).
pub async fn upsert(
    conn: Conn<'_>,
    org: &OrgId,
    case_id: CaseId,
    c: &NewCheck<'_>,
    earlier: Earlier,
    now: Timestamp,
) -> Result<Option<IdvCheck>, StoreError> {
    let on_conflict = match earlier {
        Earlier::Keep => "DO NOTHING".to_owned(),
        Earlier::ReplaceUnlessPassed => UPDATE.to_owned() + " WHERE idv_checks.status <> 'pass'",
    };
    let sql = format!(
        "INSERT INTO idv_checks (org_id, case_id, person_key, person_name, person_email, roles, position, vendor, \
         session_id, token_hash, status, satisfied_by_doc, dispatched_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) \
         ON CONFLICT (case_id, person_key) {on_conflict} RETURNING {COLUMNS}"
    );
    let row = fetch_optional!(
        conn,
        Row,
        sqlx::AssertSqlSafe(sql),
        org.as_str(),
        case_id.to_string(),
        c.person_key,
        c.person_name,
        c.person_email,
        c.roles.join(","),
        i32::try_from(c.position).unwrap_or(i32::MAX),
        c.vendor,
        c.session_id,
        c.token_hash,
        c.status.as_str(),
        c.satisfied_by_doc,
        c.dispatched_by,
        now.millis()
    )?;
    row.map(TryInto::try_into).transpose()
}

const UPDATE: &str = "DO UPDATE SET person_name = excluded.person_name, \
     person_email = excluded.person_email, roles = excluded.roles, position = excluded.position, \
     vendor = excluded.vendor, session_id = excluded.session_id, token_hash = excluded.token_hash, \
     status = excluded.status, satisfied_by_doc = excluded.satisfied_by_doc, vendor_status = NULL, \
     document_id = NULL, dispatched_by = excluded.dispatched_by, updated_at = excluded.updated_at, \
     completed_at = NULL";

/// A case's checks, in roster order.
pub async fn for_case(conn: Conn<'_>, org: &OrgId, case_id: CaseId) -> Result<Vec<IdvCheck>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM idv_checks WHERE org_id = $1 AND case_id = $2 ORDER BY position, id");
    fetch_all!(conn, Row, sqlx::AssertSqlSafe(sql), org.as_str(), case_id.to_string())?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The check a vendor session belongs to.
pub async fn by_session(conn: Conn<'_>, org: &OrgId, session_id: &str) -> Result<Option<IdvCheck>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM idv_checks WHERE org_id = $1 AND session_id = $2");
    fetch_optional!(conn, Row, sqlx::AssertSqlSafe(sql), org.as_str(), session_id)?.map(TryInto::try_into).transpose()
}

/// Records that the vendor callback `digest` (of its signed body) is being processed; false
/// when it was already (a replay or a vendor's repeat): the caller changes nothing. In the
/// transaction that applies the callback, so a failure leaves it to be processed again.
pub async fn claim_callback(
    conn: Conn<'_>,
    org: &OrgId,
    vendor: &str,
    digest: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    Ok(crate::execute!(
        conn,
        "INSERT INTO vendor_callbacks (org_id, vendor, digest, received_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
        org.as_str(),
        vendor,
        digest,
        now.millis()
    )? == 1)
}

/// Forgets callbacks received before `before` (housekeeping): their timestamps are long stale.
pub async fn purge_callbacks(db: &crate::Db, before: Timestamp) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = crate::execute!(tx.conn(), "DELETE FROM vendor_callbacks WHERE received_at < $1", before.millis())?;
    tx.commit().await?;
    Ok(n)
}

/// The check of a built-in page link (any tenant: the hash is the secret).
pub async fn by_token(conn: Conn<'_>, token_hash: &str) -> Result<Option<IdvCheck>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM idv_checks WHERE token_hash = $1");
    fetch_optional!(conn, Row, sqlx::AssertSqlSafe(sql), token_hash)?.map(TryInto::try_into).transpose()
}

/// The check waiting on a document the person uploaded.
pub async fn by_document(conn: Conn<'_>, org: &OrgId, document_id: i64) -> Result<Option<IdvCheck>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM idv_checks WHERE org_id = $1 AND document_id = $2 AND status = 'dispatched'");
    fetch_optional!(conn, Row, sqlx::AssertSqlSafe(sql), org.as_str(), document_id)?.map(TryInto::try_into).transpose()
}

/// Links the document uploaded on the built-in page to a check still waiting (and ends the
/// link: one upload per link). False if the check is no longer waiting for one.
pub async fn attach_document(conn: Conn<'_>, id: i64, document_id: i64, now: Timestamp) -> Result<bool, StoreError> {
    Ok(crate::execute!(
        conn,
        "UPDATE idv_checks SET document_id = $2, token_hash = NULL, updated_at = $3 \
         WHERE id = $1 AND status = 'dispatched' AND document_id IS NULL",
        id,
        document_id,
        now.millis()
    )? == 1)
}

/// Records a result on a waiting check — or on one Didit left "In Review", whose reviewer's
/// decision follows; false if it has its result already (a repeated callback).
pub async fn complete(
    conn: Conn<'_>,
    id: i64,
    status: IdvStatus,
    vendor_status: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    Ok(crate::execute!(
        conn,
        "UPDATE idv_checks SET status = $2, vendor_status = $3, updated_at = $4, completed_at = $4, token_hash = NULL \
         WHERE id = $1 AND (status = 'dispatched' \
         OR (status = 'manual_review' AND vendor = 'Didit' AND vendor_status = 'In Review' AND $3 <> 'In Review'))",
        id,
        status.as_str(),
        vendor_status,
        now.millis()
    )? == 1)
}

/// An analyst's result on a check waiting for one or left for manual review; false if the
/// check has a final result already.
pub async fn resolve(
    conn: Conn<'_>,
    id: i64,
    status: IdvStatus,
    note: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    Ok(crate::execute!(
        conn,
        "UPDATE idv_checks SET status = $2, vendor_status = $3, updated_at = $4, completed_at = $4, token_hash = NULL \
         WHERE id = $1 AND status IN ('dispatched', 'manual_review')",
        id,
        status.as_str(),
        note,
        now.millis()
    )? == 1)
}
