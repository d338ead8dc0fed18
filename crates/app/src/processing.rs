//! Document processing (the `process_document` job): the file's text is read in a child
//! process under limits ([`crate::docreader`], [`crate::filetext`]), classified and its
//! fields extracted (`fml_domain::extraction`), and the result recorded in one transaction
//! with `document.processed` — or the document becomes `error` (no event) for an analyst's
//! override. A processed document also feeds the case: the customer's application gets the
//! extracted company details where it is still blank (the review step then shows them, and
//! corrections become `data.corrected`), and an identity check waiting on this document gets
//! its result.

use fml_domain::application;
use fml_domain::document::{DocumentId, DocumentStatus};
use fml_domain::events::{DocumentProcessed, WebhookEvent};
use fml_domain::extraction::{self, Context, DocKind, Extraction};
use fml_domain::ids::CaseLocator;
use fml_domain::{CaseId, CaseStatus, OrgId, Timestamp};
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::documents::DocumentRecord;
use fml_store::unit::UnitOfWork;
use serde_json::json;

use crate::cases::load;
use crate::{CommandError, Ctx};

/// What became of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    Complete(Extraction),
    Error(String),
    /// It was processed before (a repeated job).
    Already,
}

/// Processes one uploaded document.
pub async fn process(ctx: &Ctx, org: &OrgId, case_id: CaseId, id: DocumentId) -> Result<Processed, CommandError> {
    let (case, doc, people) = {
        let mut r = ctx.db.reader().await?;
        let case = fml_store::cases::get_in(r.conn(), org, &CaseLocator::Id(case_id))
            .await?
            .ok_or(CommandError::NotFound("no such case"))?;
        let doc = fml_store::documents::get(r.conn(), org, case_id, id)
            .await?
            .ok_or(CommandError::NotFound("no such document"))?;
        let people: Vec<String> = fml_store::persons::roster(r.conn(), org, case_id)
            .await?
            .into_iter()
            .map(|p| p.entry.display_name)
            .collect();
        (case, doc, people)
    };
    if doc.status != DocumentStatus::Uploaded {
        return Ok(Processed::Already);
    }
    let bytes = match read_file(ctx, &doc).await? {
        Ok(b) => b,
        Err(reason) => return record(ctx, org, &case, &doc, Err(reason)).await,
    };
    // The file is read in a child process under limits; a file it cannot read is the
    // document's error, never the job's.
    let text = match ctx.reader.read(doc.file_type, bytes).await {
        Ok(Ok(text)) => text,
        Ok(Err(reason)) => return record(ctx, org, &case, &doc, Err(reason)).await,
        Err(e) => return Err(CommandError::Store(fml_store::StoreError::Config(e.to_string()))),
    };
    let today = Timestamp::now().to_datetime().date_naive();
    let (company, number) = (case.company_name.clone(), case.company_number.clone());
    // Extraction (on at most `filetext::MAX_TEXT` of text) runs off the async workers; a
    // panic is that file's error.
    let verdict = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(|| {
            let context = Context {
                company_name: company.as_deref(),
                company_number: number.as_deref(),
                people: people.iter().map(String::as_str).collect(),
                today: Some(today),
            };
            extraction::process(&text, &context).map_err(|e| e.to_string())
        })
        .unwrap_or_else(|_| Err("the file could not be parsed".to_owned()))
    })
    .await
    .unwrap_or_else(|_| Err("the file could not be parsed".to_owned()));
    record(ctx, org, &case, &doc, verdict).await
}

/// The document's bytes, or why there are none (a missing file is the document's failure, not
/// the job's: retrying would not help).
async fn read_file(ctx: &Ctx, doc: &DocumentRecord) -> Result<Result<Vec<u8>, String>, CommandError> {
    let Some(path) = ctx.blobs.as_ref().and_then(|b| b.path(&doc.sha256)) else {
        return Err(CommandError::Store(fml_store::StoreError::Config("no document store is configured".into())));
    };
    match tokio::fs::read(&path).await {
        Ok(b) => Ok(Ok(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Err("the file is missing".to_owned())),
        Err(e) => Err(CommandError::Store(fml_store::StoreError::Config(format!("reading a document: {e}")))),
    }
}

/// A value read from a document as the application takes it: cleaned and within its limit
/// (or nothing).
fn fit(raw: &str, max: usize) -> Option<String> {
    let cut: String = raw.chars().take(max).collect();
    fml_domain::text::clean(&cut, max).ok().flatten()
}

async fn record(
    ctx: &Ctx,
    org: &OrgId,
    case: &CaseRecord,
    doc: &DocumentRecord,
    verdict: Result<Extraction, String>,
) -> Result<Processed, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, org, &CaseLocator::Id(case.id)).await?;
    let outcome = match verdict {
        Ok(extraction) => {
            if !fml_store::documents::record_processed(unit.conn(), org, doc.id, &extraction, now).await? {
                return Ok(Processed::Already);
            }
            let event = DocumentProcessed {
                case_id: case.id,
                case_reference: case.reference.clone(),
                document_id: doc.id.0,
                document_type: extraction.document_type.clone(),
                filename: doc.filename.clone(),
                status: fml_domain::events::DocumentStatus::Complete,
                confidence: extraction.confidence,
                warning_count: u32::try_from(extraction.warnings.len()).unwrap_or(u32::MAX),
                missing_field_count: u32::try_from(extraction.missing_fields.len()).unwrap_or(u32::MAX),
            };
            unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
            prefill_application(&mut unit, &case, &extraction, now).await?;
            Processed::Complete(extraction)
        }
        Err(reason) => {
            if !fml_store::documents::record_failed(unit.conn(), org, doc.id, &reason, now).await? {
                return Ok(Processed::Already);
            }
            Processed::Error(reason)
        }
    };
    let extraction = match &outcome {
        Processed::Complete(e) => Some(e),
        _ => None,
    };
    crate::idv::complete_from_document(&mut unit, &case, doc.id.0, extraction, now).await?;
    let detail = match &outcome {
        Processed::Complete(e) => json!({"documentId": doc.id.0, "status": "complete", "documentType": e.document_type,
            "confidence": e.confidence, "warnings": e.warnings.len(), "missingFields": e.missing_fields}),
        Processed::Error(reason) => json!({"documentId": doc.id.0, "status": "error", "reason": reason}),
        Processed::Already => json!({}),
    };
    let entry = audit::Entry {
        org: Some(org),
        case_id: Some(case.id),
        actor_kind: ActorKind::System,
        actor: "system",
        action: "document.process",
        detail,
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(outcome)
}

/// While the customer still has the case, the extracted company details (and a register's
/// directors) fill what their application leaves blank: never overwriting what they typed.
/// The review step then shows them, and what the customer changes is a correction.
async fn prefill_application(
    unit: &mut UnitOfWork,
    case: &CaseRecord,
    e: &Extraction,
    now: Timestamp,
) -> Result<(), CommandError> {
    if case.status != CaseStatus::InProgress {
        return Ok(());
    }
    // The customer may be saving at this moment: one after the other, never a lost update.
    fml_store::cases::lock(unit.conn(), &case.org_id, case.id).await?;
    let on_file = fml_store::portal::application(unit.conn(), &case.org_id, case.id).await?;
    let mut app = on_file.clone().unwrap_or_else(|| fml_domain::application::Application {
        company_name: case.company_name.clone().unwrap_or_default(),
        company_number: case.company_number.clone(),
        country: case.country,
        ..Default::default()
    });
    let before = app.clone();
    match e.kind() {
        Some(DocKind::CertificateOfIncorporation) => {
            if app.company_name.trim().is_empty()
                && let Some(n) = e.field("companyName").and_then(|n| fit(n, application::MAX_COMPANY))
            {
                app.company_name = n;
            }
            if app.company_number.is_none() {
                app.company_number = e.field("companyNumber").and_then(|n| fit(n, application::MAX_NUMBER));
            }
        }
        Some(DocKind::ProofOfAddress) => {
            let addressed_to_company = matches!((e.field("fullName"), case.company_name.as_deref()),
                (Some(n), Some(c)) if extraction::same_name(n, c));
            if app.registered_address.trim().is_empty()
                && addressed_to_company
                && let Some(a) = e.field("address").and_then(|a| fit(a, application::MAX_ADDRESS))
            {
                app.registered_address = a;
            }
        }
        Some(DocKind::RegisterOfDirectors) if app.directors.is_empty() => {
            app.directors = e
                .people
                .iter()
                .filter_map(|n| fit(n, application::MAX_NAME))
                .take(application::MAX_PEOPLE)
                .map(|full_name| application::Director { full_name, ..Default::default() })
                .collect();
        }
        _ => {}
    }
    if app == before {
        return Ok(());
    }
    fml_store::portal::put_application(unit.conn(), &case.org_id, case.id, &app, now).await?;
    crate::persons::rebuild_roster(unit, case, &app).await?;
    Ok(())
}
