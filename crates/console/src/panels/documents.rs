//! The documents panel: each uploaded document, what processing read from it, and the form to
//! override its status.

use askama::Template;
use fml_app::queries::CasePage;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::{Echo, When};

pub struct DocumentRow {
    pub id: i64,
    pub filename: String,
    pub kind: String,
    pub size: String,
    pub status: &'static str,
    pub errored: bool,
    pub uploaded_by: String,
    pub uploaded: When,
    pub href: String,
    /// The override note as posted, when that form was refused.
    pub note: String,
    /// What processing read: its confidence, fields, warnings and missing fields, or why it
    /// could not.
    pub confidence: String,
    pub fields: Vec<(String, String)>,
    pub warnings: Vec<String>,
    pub missing: Vec<String>,
    pub error: String,
}

#[derive(Template)]
#[template(path = "console/panels/documents.html")]
struct Documents<'a> {
    csrf: &'a str,
    id: String,
    documents: Vec<DocumentRow>,
    /// The case is not decided: an analyst may add documents.
    can_upload: bool,
    max_files: usize,
    max_mib: u64,
}

fn human_size(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{:.0} KiB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

pub(super) fn documents(page: &CasePage, csrf: &str, echo: &Echo) -> Result<Rendered, ConsoleError> {
    let c = &page.engines.case;
    let documents = page
        .engines
        .documents
        .iter()
        .map(|d| DocumentRow {
            note: echo.value(&format!("document-{}", d.id.0), "note").to_owned(),
            href: format!("/api/cases/{}/documents/{}", c.id, d.id.0),
            id: d.id.0,
            kind: d
                .document_type
                .clone()
                .unwrap_or_else(|| crate::words::file_type(d.file_type.content_type()).to_owned()),
            size: human_size(d.size),
            status: d.status.as_str(),
            errored: d.status == fml_domain::document::DocumentStatus::Error,
            uploaded_by: d.uploaded_by.clone(),
            uploaded: d.created_at.into(),
            confidence: d.extraction.as_ref().map(|e| format!("{:?}", e.confidence)).unwrap_or_default(),
            fields: d
                .extraction
                .as_ref()
                .map(|e| e.fields.iter().map(|f| (f.name.clone(), f.value.clone())).collect())
                .unwrap_or_default(),
            warnings: d.extraction.as_ref().map(|e| e.warnings.clone()).unwrap_or_default(),
            missing: d.extraction.as_ref().map(|e| e.missing_fields.clone()).unwrap_or_default(),
            error: d.processing_error.clone().unwrap_or_default(),
            filename: d.filename.clone(),
        })
        .collect();
    let can_upload = !c.status.is_final();
    let (max_files, max_mib) = (fml_domain::document::MAX_FILES, fml_domain::document::MAX_FILE_BYTES / (1024 * 1024));
    let panel = Documents { csrf, id: c.id.to_string(), documents, can_upload, max_files, max_mib };
    rendered("documents", "Documents", panel)
}
