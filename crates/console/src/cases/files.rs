//! A case's files from the console: documents the analyst uploads (`document.uploaded`, the
//! command the analyst API's upload calls) and a passport or ID attached to the Person profile
//! of one of the case's people (`person.document_attached`).

use axum::extract::{Path, State};
use axum::response::Response;
use fml_app::CommandError;
use fml_app::documents::Uploader;
use fml_domain::document::DocumentId;
use fml_web::error::ApiError;

use super::page::{after, answer, locate, refused};
use crate::error::ConsoleError;
use crate::form::{Posted, Upload};
use fml_web::state::AppState;

/// The most small fields an upload form sends before its files (its CSRF token).
const FIELDS_BEFORE_FILES: usize = 4;

/// `POST /cases/{id}/documents` (multipart: `_csrf`, then `files`).
pub async fn upload(State(st): State<AppState>, Path(id): Path<String>, up: Upload) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let gate = up.gate();
    let files = fml_web::multipart::receive_gated(&st, up.multipart, Some((FIELDS_BEFORE_FILES, gate))).await;
    let who = &up.who;
    let files = match files {
        Ok(files) => files,
        Err(ApiError::Forbidden(why)) => return Err(ConsoleError::Forbidden(why.into())),
        Err(e) => return refused(&st, &who.analyst, who.chrome("cases"), &id, e.status(), said(&e)).await,
    };
    let r = fml_app::documents::record_upload(&st.ctx, Uploader::Analyst(&who.analyst), &locator, &files).await;
    let done = if files.len() == 1 { "uploaded" } else { "uploaded-many" };
    answer(&st, &who.analyst, who.chrome("cases"), &[], &id, r.map(drop), (done, "upload")).await
}

/// An upload's refusal as a sentence that says what to do.
fn said(e: &ApiError) -> String {
    match e {
        ApiError::Validation(_) => "Choose at least one file to upload.".to_owned(),
        ApiError::UnsupportedFile(m) => format!("Nothing was uploaded: {m}. Upload PDF, PNG or JPEG files."),
        ApiError::UploadTooLarge(m) => format!("Nothing was uploaded: {m}. Upload fewer or smaller files at a time."),
        _ => "The upload could not be read. Choose the files again and retry.".to_owned(),
    }
}

/// `POST /cases/{id}/people/{key}/document`: attaches one of the case's documents (`document`)
/// to the Person the case's person `key` is linked to.
pub async fn attach(
    State(st): State<AppState>,
    Path((id, key)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let posted = format!("attach-{key}");
    let r = match form.fields.text("document").parse::<i64>().ok().filter(|n| *n > 0) {
        Some(doc) => fml_app::persons::attach_document_of(&st.ctx, form.analyst(), &locator, &key, DocumentId(doc))
            .await
            .map(drop),
        None => Err(CommandError::Unprocessable("document_required", "Choose the document to attach.".into())),
    };
    after(&st, &form, &id, r, ("attached", &posted)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_what_to_do() {
        let cases = [
            (ApiError::Validation(vec![]), "Choose at least one file to upload."),
            (
                ApiError::UnsupportedFile("run.exe is not a PDF, PNG or JPEG file".into()),
                "Nothing was uploaded: run.exe is not a PDF, PNG or JPEG file. Upload PDF, PNG or JPEG files.",
            ),
            (
                ApiError::UploadTooLarge("scan.pdf is larger than 25 MiB".into()),
                "Nothing was uploaded: scan.pdf is larger than 25 MiB. Upload fewer or smaller files at a time.",
            ),
            (
                ApiError::BadRequest("invalid_request", "x".into()),
                "The upload could not be read. Choose the files again and retry.",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(said(&e), want);
        }
    }
}
