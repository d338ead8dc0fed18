//! Uploads: one reader of multipart bodies for the analyst API, the console and the portal,
//! streaming each file into the blob store under every limit before anything is recorded.

use axum::extract::Multipart;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::http::StatusCode;
use fml_domain::FieldError;
use fml_domain::document::{self, FileType};
use fml_store::documents::NewDocument;

use crate::error::ApiError;
use crate::state::AppState;

/// Largest upload request (every file of a batch together). Routes that take uploads raise
/// their body limit to this (plus room for the form's other fields).
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// The body limit of a route that takes uploads.
pub const UPLOAD_BODY_LIMIT: usize = MAX_UPLOAD_BYTES + 64 * 1024;

/// Longest field other than a file that an upload may carry (it is read and dropped).
const MAX_OTHER_FIELD: usize = 64 * 1024;

/// Streams the `files` of a multipart body into the blob store, checking every limit: at
/// most [`document::MAX_FILES`] files, each at most [`document::MAX_FILE_BYTES`] and of a type
/// recognised from its bytes. Other fields are ignored. Nothing is kept of a refused upload.
pub async fn receive(
    st: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Vec<NewDocument>, ApiError> {
    receive_gated(st, multipart, None::<(usize, fn(&[(String, String)]) -> Result<(), ApiError>)>).await
}

/// As [`receive`], for a form whose small text fields must pass `gate` before any file is
/// read (a browser sends fields in the page's order, so the console puts its CSRF token
/// before the file input): `gate = (n, check)` sees the fields before the first file part (at
/// most `n` of them, each at most 64 KiB, or every field of a body without files), and its
/// refusal ends the upload before a byte of a file is stored.
pub async fn receive_gated<G>(
    st: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
    gate: Option<(usize, G)>,
) -> Result<Vec<NewDocument>, ApiError>
where
    G: FnOnce(&[(String, String)]) -> Result<(), ApiError>,
{
    let mut multipart = multipart.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::UploadTooLarge(format!("an upload may carry at most {} MiB", MAX_UPLOAD_BYTES / (1024 * 1024)))
        } else {
            ApiError::UnsupportedFile("send the files as multipart/form-data in the field `files`".into())
        }
    })?;
    let too_large = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::UploadTooLarge(format!("an upload may carry at most {} MiB", MAX_UPLOAD_BYTES / (1024 * 1024)))
        } else {
            ApiError::BadRequest("invalid_request", format!("the multipart body could not be read: {}", e.body_text()))
        }
    };
    let mut docs = Vec::new();
    let mut gate = gate;
    let mut before: Vec<(String, String)> = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(too_large)? {
        if field.name() != Some("files") {
            // Read within its bound; kept for the gate while it has not run, else dropped.
            let name = field.name().unwrap_or("").to_owned();
            let (mut seen, mut value) = (0, Vec::new());
            while let Some(chunk) = field.chunk().await.map_err(too_large)? {
                seen += chunk.len();
                if seen > MAX_OTHER_FIELD {
                    return Err(ApiError::UploadTooLarge(format!("the field {name} is too long")));
                }
                if gate.is_some() {
                    value.extend_from_slice(&chunk);
                }
            }
            if let Some((max_fields, _)) = &gate {
                if before.len() == *max_fields {
                    return Err(ApiError::BadRequest("invalid_request", "the form has too many fields".into()));
                }
                before.push((name, String::from_utf8_lossy(&value).into_owned()));
            }
            continue;
        }
        if let Some((_, check)) = gate.take() {
            check(&before)?;
        }
        // A file input left empty still sends one part, with no name and no bytes.
        if field.file_name().is_none_or(str::is_empty) {
            while field.chunk().await.map_err(too_large)?.is_some() {}
            continue;
        }
        if docs.len() == document::MAX_FILES {
            return Err(ApiError::UploadTooLarge(format!("an upload may carry at most {} files", document::MAX_FILES)));
        }
        let filename = document::clean_filename(field.file_name().unwrap_or(""));
        let mut writer = st.blobs.writer().await.map_err(|e| ApiError::Internal(format!("blob store: {e}")))?;
        while let Some(chunk) = field.chunk().await.map_err(too_large)? {
            if writer.size() + chunk.len() as u64 > document::MAX_FILE_BYTES {
                return Err(ApiError::UploadTooLarge(format!(
                    "{filename} is larger than {} MiB",
                    document::MAX_FILE_BYTES / (1024 * 1024)
                )));
            }
            writer.write(&chunk).await.map_err(|e| ApiError::Internal(format!("blob store: {e}")))?;
        }
        // Recognised from the bytes: the name and the declared type are the sender's word.
        let Some(file_type) = FileType::sniff(writer.head()) else {
            return Err(ApiError::UnsupportedFile(format!("{filename} is not a PDF, PNG or JPEG file")));
        };
        let blob = writer.finish(&st.blobs).await.map_err(|e| ApiError::Internal(format!("blob store: {e}")))?;
        docs.push(NewDocument {
            filename,
            file_type,
            size: i64::try_from(blob.size).unwrap_or(i64::MAX),
            sha256: blob.sha256,
        });
    }
    if let Some((_, check)) = gate.take() {
        check(&before)?;
    }
    if docs.is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new("files", "attach at least one file")]));
    }
    Ok(docs)
}
