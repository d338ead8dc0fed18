//! Document rows: the uploads of a case (the bytes are in [`crate::blobs`]).

use fml_domain::document::{DocumentId, DocumentStatus, FileType};
use fml_domain::extraction::Extraction;
use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::{Arg, Conn, values_clause};
use crate::{StoreError, fetch_all, fetch_all_args, fetch_optional};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub id: DocumentId,
    pub org_id: OrgId,
    pub case_id: CaseId,
    pub filename: String,
    pub file_type: FileType,
    pub size: i64,
    pub sha256: String,
    /// `analyst` or `customer`, and their email.
    pub uploaded_by_kind: String,
    pub uploaded_by: String,
    pub status: DocumentStatus,
    pub document_type: Option<String>,
    /// What processing read from it (once `complete`).
    pub extraction: Option<Extraction>,
    /// Why processing failed (once `error` by processing).
    pub processing_error: Option<String>,
    pub processed_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, org_id, case_id, filename, content_type, size, sha256, uploaded_by_kind, uploaded_by, status, \
     document_type, extraction, processing_error, processed_at, created_at";

#[derive(Debug, sqlx::FromRow)]
struct DocumentRow {
    id: i64,
    org_id: String,
    case_id: String,
    filename: String,
    content_type: String,
    size: i64,
    sha256: String,
    uploaded_by_kind: String,
    uploaded_by: String,
    status: String,
    document_type: Option<String>,
    extraction: Option<String>,
    processing_error: Option<String>,
    processed_at: Option<i64>,
    created_at: i64,
}

impl TryFrom<DocumentRow> for DocumentRecord {
    type Error = StoreError;
    fn try_from(r: DocumentRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("document {}: bad {what}", r.id));
        Ok(DocumentRecord {
            id: DocumentId(r.id),
            case_id: r.case_id.parse().map_err(|_| corrupt("case id"))?,
            file_type: FileType::from_content_type(&r.content_type).ok_or_else(|| corrupt("content type"))?,
            status: DocumentStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            org_id: OrgId::from_trusted(r.org_id),
            filename: r.filename,
            size: r.size,
            sha256: r.sha256,
            uploaded_by_kind: r.uploaded_by_kind,
            uploaded_by: r.uploaded_by,
            extraction: match &r.extraction {
                Some(raw) => Some(serde_json::from_str(raw).map_err(|_| corrupt("extraction"))?),
                None => None,
            },
            document_type: r.document_type,
            processing_error: r.processing_error,
            processed_at: r.processed_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
        })
    }
}

/// One file of an upload, stored and sniffed.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub filename: String,
    pub file_type: FileType,
    pub size: i64,
    pub sha256: String,
}

/// Inserts an upload's documents; returns them with their ids, in order.
pub async fn insert_many(
    conn: Conn<'_>,
    org: &OrgId,
    case_id: CaseId,
    uploader_kind: &str,
    uploader: &str,
    docs: &[NewDocument],
    now: Timestamp,
) -> Result<Vec<DocumentRecord>, StoreError> {
    if docs.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO documents (org_id, case_id, filename, content_type, size, sha256, uploaded_by_kind, uploaded_by, status, created_at) \
         VALUES {} RETURNING {COLUMNS}",
        values_clause(docs.len(), 10, 1)
    );
    let mut args = Vec::with_capacity(docs.len() * 10);
    for d in docs {
        args.extend([
            Arg::Text(org.as_str().to_owned()),
            Arg::Text(case_id.to_string()),
            Arg::Text(d.filename.clone()),
            Arg::Text(d.file_type.content_type().to_owned()),
            Arg::Int(d.size),
            Arg::Text(d.sha256.clone()),
            Arg::Text(uploader_kind.to_owned()),
            Arg::Text(uploader.to_owned()),
            Arg::Text(DocumentStatus::Uploaded.as_str().to_owned()),
            Arg::Int(now.millis()),
        ]);
    }
    let mut rows: Vec<DocumentRecord> =
        fetch_all_args!(conn, DocumentRow, sql, args)?.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?;
    rows.sort_by_key(|d| d.id);
    Ok(rows)
}

/// A case's documents, oldest first.
pub async fn for_case(conn: Conn<'_>, org: &OrgId, case_id: CaseId) -> Result<Vec<DocumentRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE org_id = $1 AND case_id = $2 ORDER BY id");
    fetch_all!(conn, DocumentRow, sqlx::AssertSqlSafe(sql), org.as_str(), case_id.to_string())?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// One document of a case.
pub async fn get(
    conn: Conn<'_>,
    org: &OrgId,
    case_id: CaseId,
    id: DocumentId,
) -> Result<Option<DocumentRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE org_id = $1 AND case_id = $2 AND id = $3");
    fetch_optional!(conn, DocumentRow, sqlx::AssertSqlSafe(sql), org.as_str(), case_id.to_string(), id.0)?
        .map(TryInto::try_into)
        .transpose()
}

/// Moves a document from `from` to `to` (compare-and-set); false if it was not in `from`.
pub async fn set_status(
    conn: Conn<'_>,
    org: &OrgId,
    id: DocumentId,
    from: DocumentStatus,
    to: DocumentStatus,
) -> Result<bool, StoreError> {
    Ok(crate::execute!(
        conn,
        "UPDATE documents SET status = $4 WHERE org_id = $1 AND id = $2 AND status = $3",
        org.as_str(),
        id.0,
        from.as_str(),
        to.as_str()
    )? == 1)
}

/// Records a document's extraction: `uploaded` → `complete`; false if it was not `uploaded`
/// (processed already, by another node's run of the same job).
pub async fn record_processed(
    conn: Conn<'_>,
    org: &OrgId,
    id: DocumentId,
    extraction: &Extraction,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let json = serde_json::to_string(extraction).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let confidence = serde_json::to_value(extraction.confidence).ok().and_then(|v| v.as_str().map(str::to_owned));
    Ok(crate::execute!(
        conn,
        "UPDATE documents SET status = 'complete', document_type = $3, confidence = $4, extraction = $5, \
         processed_at = $6 WHERE org_id = $1 AND id = $2 AND status = 'uploaded'",
        org.as_str(),
        id.0,
        extraction.document_type.clone(),
        confidence,
        json,
        now.millis()
    )? == 1)
}

/// Records why a document could not be processed: `uploaded` → `error`.
pub async fn record_failed(
    conn: Conn<'_>,
    org: &OrgId,
    id: DocumentId,
    reason: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    Ok(crate::execute!(
        conn,
        "UPDATE documents SET status = 'error', processing_error = $3, processed_at = $4 \
         WHERE org_id = $1 AND id = $2 AND status = 'uploaded'",
        org.as_str(),
        id.0,
        reason.to_owned(),
        now.millis()
    )? == 1)
}

/// Documents of the tenant by id (any case), in id order.
pub async fn by_ids(conn: Conn<'_>, org: &OrgId, ids: &[i64]) -> Result<Vec<DocumentRecord>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE org_id = $1 AND id IN ({}) ORDER BY id", list.join(", "));
    let mut args = vec![Arg::Text(org.as_str().to_owned())];
    args.extend(ids.iter().map(|id| Arg::Int(*id)));
    fetch_all_args!(conn, DocumentRow, sql, args)?.into_iter().map(TryInto::try_into).collect()
}

/// Which of these blob hashes a document (of any tenant: blobs are shared by content) names.
pub async fn referenced_blobs(conn: Conn<'_>, hashes: &[String]) -> Result<Vec<String>, StoreError> {
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    let list = (1..=hashes.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT DISTINCT sha256 FROM documents WHERE sha256 IN ({list})");
    let args: Vec<Arg> = hashes.iter().map(|h| Arg::Text(h.clone())).collect();
    Ok(fetch_all_args!(conn, (String,), sql, args)?.into_iter().map(|(h,)| h).collect())
}
