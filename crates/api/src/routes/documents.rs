//! Documents over the analyst API: upload (multipart, field `files`), list, download, and the
//! override of a document whose processing failed.

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fml_app::documents::{Override, Uploader};
use fml_app::queries::records::DocumentRecord;
use fml_domain::FieldError;
use fml_domain::document::{DocumentId, FileType};
use fml_domain::ids::CaseLocator;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::workflow::locate;
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{JsonBody, Staff, typed_body};
use fml_web::multipart::{UPLOAD_BODY_LIMIT, receive};
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, list_documents))
        .routes(routes!(download))
        .routes(routes!(override_document))
        // Uploads may be larger than the 1 MiB of every other body.
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
}

/// A document, as the analyst API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentView {
    pub id: i64,
    pub filename: String,
    /// `application/pdf`, `image/png` or `image/jpeg` (recognised from the bytes).
    pub content_type: &'static str,
    pub size: i64,
    pub sha256: String,
    /// `uploaded`, `complete`, `error`, `approved` or `escalated`.
    pub status: &'static str,
    /// `analyst` or `customer`.
    pub uploaded_by_kind: String,
    pub uploaded_by: String,
    /// The classified type once processed ("Certificate of Incorporation", "Passport", …).
    pub document_type: Option<String>,
    /// What processing read: `{documentType, confidence, fields [{name, value, confidence,
    /// source}], people [], warnings [], missingFields [], engine}`; null until processed.
    #[schema(value_type = Option<Object>)]
    pub extraction: Option<fml_domain::extraction::Extraction>,
    /// Why processing failed (status `error`).
    pub processing_error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: fml_domain::Timestamp,
}

impl From<&DocumentRecord> for DocumentView {
    fn from(d: &DocumentRecord) -> Self {
        Self {
            id: d.id.0,
            filename: d.filename.clone(),
            content_type: d.file_type.content_type(),
            size: d.size,
            sha256: d.sha256.clone(),
            status: d.status.as_str(),
            uploaded_by_kind: d.uploaded_by_kind.clone(),
            uploaded_by: d.uploaded_by.clone(),
            document_type: d.document_type.clone(),
            extraction: d.extraction.clone(),
            processing_error: d.processing_error.clone(),
            created_at: d.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    pub data: Vec<DocumentView>,
}

/// The multipart form of an upload.
#[derive(Debug, ToSchema)]
#[expect(dead_code, reason = "describes the multipart form to the OpenAPI document")]
struct UploadForm {
    /// One or more files (PDF, PNG or JPEG; at most 10, each at most 20 MiB, 50 MiB in all).
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<Vec<u8>>,
}

/// Upload one or more documents to a case: one `document.uploaded` for the batch.
#[utoipa::path(
    post, path = "/api/cases/{caseId}/documents", tag = "documents",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The documents stored", body = DocumentList),
        (status = 400, description = "validation_error: no file", body = ErrorBody),
        (status = 409, description = "invalid_transition: the case is decided (currentStatus)", body = ErrorBody),
        (status = 413, description = "payload_too_large: too many files, a file over 20 MiB or 50 MiB in all", body = ErrorBody),
        (status = 415, description = "unsupported_media_type: not multipart, or a file that is not PDF, PNG or JPEG", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn upload(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let locator = locate(&case_id)?;
    // Unknown or foreign cases are refused before any byte is stored.
    fml_app::queries::cases::get(&st.ctx, &staff.org, &locator).await?;
    let files = receive(&st, multipart).await?;
    let (_, docs) = fml_app::documents::record_upload(&st.ctx, Uploader::Analyst(&staff), &locator, &files).await?;
    Ok((StatusCode::CREATED, Json(DocumentList { data: docs.iter().map(DocumentView::from).collect() }))
        .into_response())
}

/// A case's documents, oldest first.
#[utoipa::path(
    get, path = "/api/cases/{caseId}/documents", tag = "documents",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 200, description = "The documents", body = DocumentList)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn list_documents(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<DocumentList>, ApiError> {
    let docs = fml_app::queries::cases::documents(&st.ctx, &staff.org, &locate(&case_id)?).await?;
    Ok(Json(DocumentList { data: docs.iter().map(DocumentView::from).collect() }))
}

fn doc_id(raw: &str) -> Result<DocumentId, ApiError> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).map(DocumentId).ok_or(ApiError::NotFound("no such document"))
}

async fn find(
    st: &AppState,
    org: &fml_domain::OrgId,
    locator: &CaseLocator,
    id: DocumentId,
) -> Result<DocumentRecord, ApiError> {
    Ok(fml_app::queries::cases::document(&st.ctx, org, locator, id).await?)
}

/// How a download is presented: saved (`attachment`, the default) or shown by the browser
/// (`inline`, the console's "View").
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DownloadParams {
    /// `attachment` (default) or `inline`.
    #[param(inline, value_type = Option<String>, pattern = "^(attachment|inline)?$")]
    disposition: Option<String>,
}

/// Download a document, with its content type, as an attachment (or inline).
#[utoipa::path(
    get, path = "/api/cases/{caseId}/documents/{docId}", tag = "documents",
    params(
        ("caseId" = String, Path, description = "The case UUID or its reference"),
        ("docId" = String, Path, description = "The document id"),
        DownloadParams,
    ),
    responses(
        (status = 200, description = "The file, with its type", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "image/png"),
            (Vec<u8> = "image/jpeg"),
        )),
        (status = 400, description = "validation_error (disposition) or invalid_request (a malformed query)", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn download(
    State(st): State<AppState>,
    staff: Staff,
    Path((case_id, doc)): Path<(String, String)>,
    query: Result<axum::extract::Query<DownloadParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let axum::extract::Query(params) = query.map_err(|e| ApiError::BadRequest("invalid_request", e.body_text()))?;
    let disposition = match params.disposition.as_deref() {
        None | Some("" | "attachment") => "attachment",
        Some("inline") => "inline",
        Some(_) => {
            return Err(ApiError::Validation(vec![FieldError::new("disposition", "must be attachment or inline")]));
        }
    };
    let d = find(&st, &staff.org, &locate(&case_id)?, doc_id(&doc)?).await?;
    let path = st.blobs.path(&d.sha256).ok_or_else(|| ApiError::Internal("a document has a bad hash".into()))?;
    // At most 20 MiB (the upload limit) is held per download.
    let bytes =
        tokio::fs::read(&path).await.map_err(|e| ApiError::Internal(format!("reading {}: {e}", path.display())))?;
    let mut res = Body::from(bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(d.file_type.content_type()));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    // Shown inline, the file is a document of its own that no page may frame, and an image is
    // sandboxed (an opaque origin: nothing in it reaches the console's cookies or API). A PDF
    // keeps the browser's own viewer, which `default-src 'none'` or any `sandbox` makes
    // Chromium refuse outright; its type is pinned with `nosniff`, so its bytes never run as a
    // page of this origin, and the viewer's own scripting has no access to it.
    let csp = match d.file_type {
        FileType::Pdf => "frame-ancestors 'none'",
        _ => "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    };
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    // RFC 6266: an ASCII fallback and the exact name in UTF-8.
    let ascii: String = d.filename.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    let encoded: String = d
        .filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

fn action_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(["approve", "escalate"].map(|v| Value::String(v.into()))))
        .description(Some("approve: accept the document as it is; escalate: send it for senior review."))
        .build()
        .into()
}
fn override_text_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
        .max_length(Some(fml_app::cases::MAX_NOTE))
        .pattern(Some(fml_domain::text::note_pattern(false)))
        .description(Some("The approval note (approve) or the escalation reason (escalate)."))
        .build()
        .into()
}

/// The body of an override.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct OverrideBody {
    #[schema(required = true, schema_with = action_schema)]
    action: Option<Value>,
    #[schema(schema_with = override_text_schema)]
    note: Option<Value>,
    #[schema(schema_with = override_text_schema)]
    reason: Option<Value>,
}

/// Override a document whose processing failed (`data.corrected`, `source: analyst_override`).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/documents/{docId}/override", tag = "documents",
    params(
        ("caseId" = String, Path, description = "The case UUID or its reference"),
        ("docId" = String, Path, description = "The document id"),
    ),
    request_body(content = OverrideBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The document", body = DocumentView),
        (status = 409, description = "document_not_in_error", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn override_document(
    State(st): State<AppState>,
    staff: Staff,
    Path((case_id, doc)): Path<(String, String)>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<DocumentView>, ApiError> {
    let typed: OverrideBody = typed_body(&body)?;
    let locator = locate(&case_id)?;
    let id = doc_id(&doc)?;
    let text = |v: Option<&Value>, field: &str| -> Result<String, ApiError> {
        let raw = match v {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => return Err(ApiError::Validation(vec![FieldError::new(field, "must be a string")])),
        };
        fml_app::cases::note(field, raw, false).map_err(ApiError::from)
    };
    let action = match typed.action.as_ref().and_then(Value::as_str) {
        Some("approve") => Override::Approve { note: text(typed.note.as_ref(), "note")? },
        Some("escalate") => Override::Escalate { reason: text(typed.reason.as_ref(), "reason")? },
        _ => return Err(ApiError::Validation(vec![FieldError::new("action", "must be \"approve\" or \"escalate\"")])),
    };
    let d = fml_app::documents::override_document(&st.ctx, &staff, &locator, id, action).await?;
    Ok(Json(DocumentView::from(&d)))
}
