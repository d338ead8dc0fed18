//! Documents on a case: recording an upload (the bytes are already in the blob store) and an
//! analyst's override of a document whose processing failed.

use fml_domain::document::{DocumentId, DocumentStatus};
use fml_domain::events::{
    CorrectionSource, DataCorrected, DocumentUploaded, OverrideField, OverrideValue, WebhookEvent,
};
use fml_domain::ids::CaseLocator;
use fml_domain::{CaseStatus, Timestamp};
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::documents::{DocumentRecord, NewDocument};
use serde_json::json;

use crate::cases::load;
use crate::{Analyst, CommandError, Ctx, Customer};

/// Who uploads.
#[derive(Debug, Clone, Copy)]
pub enum Uploader<'a> {
    Analyst(&'a Analyst),
    /// The customer, to their own case, while it is theirs to fill in.
    Customer(&'a Customer),
}

/// Records one upload batch: one `document.uploaded` with every id and filename.
pub async fn record_upload(
    ctx: &Ctx,
    who: Uploader<'_>,
    locator: &CaseLocator,
    files: &[NewDocument],
) -> Result<(CaseRecord, Vec<DocumentRecord>), CommandError> {
    if files.is_empty() {
        return Err(CommandError::field("files", "attach at least one file"));
    }
    let now = Timestamp::now();
    let (org, kind, actor_kind, email) = match who {
        Uploader::Analyst(a) => (&a.org, "analyst", ActorKind::Analyst, a.email.as_str()),
        Uploader::Customer(c) => (&c.org, "customer", ActorKind::Customer, c.email.as_str()),
    };
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, org, locator).await?;
    let allowed = match who {
        // The customer's own case: while they have it, and after submitting only what the
        // tenant asked for (an outstanding EDD requirement) until the case is decided.
        Uploader::Customer(c) if c.case_id != case.id => false,
        Uploader::Customer(_) if case.status == CaseStatus::InProgress => true,
        Uploader::Customer(_) => {
            !case.status.is_final() && !crate::portal::outstanding(unit.conn(), &case).await?.is_empty()
        }
        Uploader::Analyst(_) => !case.status.is_final(),
    };
    if !allowed {
        return Err(CommandError::Illegal { current: case.status });
    }
    let docs = insert_upload(&mut unit, &case, kind, email, files, now).await?;
    let entry = audit::Entry {
        org: Some(org),
        case_id: Some(case.id),
        actor_kind,
        actor: email,
        action: "documents.upload",
        detail: json!({"documentIds": docs.iter().map(|d| d.id.0).collect::<Vec<_>>()}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok((case, docs))
}

/// Writes an upload's rows, its one `document.uploaded`, and a processing job per document.
pub(crate) async fn insert_upload(
    unit: &mut fml_store::unit::UnitOfWork,
    case: &CaseRecord,
    kind: &str,
    email: &str,
    files: &[NewDocument],
    now: Timestamp,
) -> Result<Vec<DocumentRecord>, CommandError> {
    let org = &case.org_id;
    let docs = fml_store::documents::insert_many(unit.conn(), org, case.id, kind, email, files, now).await?;
    let jobs: Vec<_> = docs
        .iter()
        .map(|d| (Some(org), fml_domain::jobs::Job::ProcessDocument { case_id: case.id, document_id: d.id.0 }))
        .collect();
    unit.enqueue(&jobs, now).await?;
    let event = DocumentUploaded {
        case_id: case.id,
        case_reference: case.reference.clone(),
        document_ids: docs.iter().map(|d| d.id.0).collect(),
        file_count: u32::try_from(docs.len()).unwrap_or(u32::MAX),
        filenames: docs.iter().map(|d| d.filename.clone()).collect(),
    };
    unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
    Ok(docs)
}

/// What an analyst does with a document whose processing failed.
#[derive(Debug, Clone)]
pub enum Override {
    Approve { note: String },
    Escalate { reason: String },
}

/// Overrides an errored document: `data.corrected` with `source: analyst_override`.
pub async fn override_document(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    id: DocumentId,
    action: Override,
) -> Result<DocumentRecord, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    let doc = fml_store::documents::get(unit.conn(), &who.org, case.id, id)
        .await?
        .ok_or(CommandError::NotFound("no such document"))?;
    let (to, value) = match action {
        Override::Approve { .. } => (DocumentStatus::Approved, OverrideValue::Approved),
        Override::Escalate { .. } => (DocumentStatus::Escalated, OverrideValue::Escalated),
    };
    if doc.status != DocumentStatus::Error
        || !fml_store::documents::set_status(unit.conn(), &who.org, id, DocumentStatus::Error, to).await?
    {
        return Err(CommandError::Conflict(
            "document_not_in_error",
            format!("only a document whose processing failed can be overridden; this one is {}", doc.status.as_str()),
        ));
    }
    let (note, reason) = match &action {
        Override::Approve { note } => (Some(note.clone()), None),
        Override::Escalate { reason } => (None, Some(reason.clone())),
    };
    let event = DataCorrected {
        case_id: case.id,
        case_reference: case.reference.clone(),
        source: CorrectionSource::AnalystOverride,
        amendment_count: None,
        amendments: None,
        document_id: Some(id.0),
        field: Some(OverrideField::DocumentStatus),
        original_value: Some(DocumentStatus::Error.as_str().to_owned()),
        corrected_value: Some(value),
        note: note.clone(),
        reason: reason.clone(),
        by: Some(who.email.clone()),
    };
    unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
    let entry = audit::Entry {
        org: Some(&who.org),
        case_id: Some(case.id),
        actor_kind: ActorKind::Analyst,
        actor: &who.email,
        action: "document.override",
        detail: json!({"documentId": id.0, "to": to.as_str(), "note": note, "reason": reason}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(DocumentRecord { status: to, ..doc })
}

/// Deletes stored files no document names, last touched more than `grace` ago (uploads in
/// flight write their file before their row commits), and temporary files of uploads that
/// never finished. Runs with housekeeping; safe on several nodes at once.
pub async fn collect_orphan_blobs(
    ctx: &Ctx,
    grace: std::time::Duration,
) -> Result<fml_store::blobs::Collected, CommandError> {
    let Some(store) = ctx.blobs.as_ref() else { return Ok(fml_store::blobs::Collected::default()) };
    let older_than = std::time::SystemTime::now() - grace;
    let found = store
        .collect(older_than, |batch| async move {
            let mut r = ctx.db.reader().await?;
            fml_store::documents::referenced_blobs(r.conn(), &batch).await
        })
        .await?;
    Ok(found)
}
