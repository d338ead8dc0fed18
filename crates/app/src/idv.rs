//! Identity verification: each real person of a case who needs it (a director or UBO, once
//! whatever their roles) either is satisfied by an accepted identity document on file
//! (`idv.satisfied_by_document`) or gets a verification link by email (`idv.dispatched`); the
//! vendor's result (Didit's callback, or the built-in page's document read) completes the check
//! (`idv.completed`). Every step is one transaction with its event and audit entry.

use std::sync::Arc;

use fml_domain::document::DocumentStatus;
use fml_domain::events::{
    IdvCompleted, IdvDispatched, IdvOutcome, IdvSatisfiedByDocument, VerificationType, WebhookEvent,
};
use fml_domain::ids::CaseLocator;
use fml_domain::idv::{self, IdvStatus};
use fml_domain::secret::{Secret, SecretHash};
use fml_domain::{CaseId, OrgId, Timestamp};
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::documents::{DocumentRecord, NewDocument};
use fml_store::idv::{Earlier, IdvCheck, NewCheck};
use fml_store::persons::CasePerson;
use fml_store::unit::UnitOfWork;
use serde_json::json;

use crate::cases::load;
use crate::screening::BoxFuture;
use crate::{Analyst, CommandError, Ctx};

/// Built-in verification links start with this.
pub const TOKEN_PREFIX: &str = "fml_idv_";

/// Who to start a verification session for.
#[derive(Debug, Clone, Copy)]
pub struct SessionRequest<'a> {
    pub org: &'a OrgId,
    pub case_id: CaseId,
    pub person_key: &'a str,
    pub name: &'a str,
    pub email: &'a str,
}

/// A started session: the link to send, and how the result will find its check.
#[derive(Debug, Clone)]
pub struct Session {
    pub url: String,
    /// The vendor's session id (its callback names it).
    pub session_id: Option<String>,
    /// The built-in page's link token, hashed.
    pub token_hash: Option<String>,
}

/// Who verifies identities: Didit, or the built-in page.
pub trait IdvProvider: Send + Sync + std::fmt::Debug {
    /// `vendorName` in the events.
    fn vendor(&self) -> &'static str;
    fn start<'a>(&'a self, req: SessionRequest<'a>) -> BoxFuture<'a, Result<Session, String>>;
}

/// The built-in verification page (`/portal/verify/{token}`): the person uploads their
/// passport or identity card, and the document processor reads it.
#[derive(Debug, Clone)]
pub struct Builtin {
    /// `FML_PORTAL_URL`.
    pub portal_url: String,
}

impl IdvProvider for Builtin {
    fn vendor(&self) -> &'static str {
        fml_store::idv::VENDOR_BUILTIN
    }

    fn start<'a>(&'a self, _req: SessionRequest<'a>) -> BoxFuture<'a, Result<Session, String>> {
        Box::pin(async move {
            let token = Secret::generate(TOKEN_PREFIX);
            Ok(Session {
                url: format!("{}/verify/{}", self.portal_url, token.expose()),
                session_id: None,
                token_hash: Some(token.hash().as_str().to_owned()),
            })
        })
    }
}

/// Who asks for the dispatch.
#[derive(Debug, Clone, Copy)]
pub enum Dispatcher<'a> {
    /// After submission: every person needing IDV who has no check yet; an accepted identity
    /// document suppresses the link.
    System,
    /// An analyst, for every person the system would send to (the public link's cases wait
    /// for this: their submission sends none). A document still being read is not waited for.
    Everyone(&'a Analyst),
    /// An analyst, for one person: a link is sent (again) whatever is on file, unless the
    /// person already passed.
    Analyst(&'a Analyst, &'a str),
}

impl Dispatcher<'_> {
    /// Whether this dispatch goes through the whole roster (rather than one person).
    fn batch(self) -> bool {
        !matches!(self, Dispatcher::Analyst(..))
    }

    fn actor(self) -> (ActorKind, &'static str, Option<String>) {
        match self {
            Dispatcher::System => (ActorKind::System, "system", None),
            Dispatcher::Everyone(a) | Dispatcher::Analyst(a, _) => (ActorKind::Analyst, "", Some(a.email.clone())),
        }
    }
}

/// The most people one case mails verification links to, over its life: an applicant who
/// lists a hundred "directors" at strangers' addresses gets twenty links sent, not a hundred
/// (an application lists at most 20 directors and 20 shareholders).
pub const MAX_PEOPLE_MAILED: usize = 20;

/// How long a built-in page link works after it was sent.
pub const LINK_TTL_SECS: i64 = 7 * 24 * 3600;

fn provider(ctx: &Ctx) -> Result<Arc<dyn IdvProvider>, CommandError> {
    ctx.idv.clone().ok_or_else(|| {
        CommandError::Store(fml_store::StoreError::Config("no identity verification is configured".into()))
    })
}

/// Dispatches identity verification on a case; returns the checks started.
pub async fn dispatch(
    ctx: &Ctx,
    org: &OrgId,
    locator: &CaseLocator,
    by: Dispatcher<'_>,
) -> Result<Vec<IdvCheck>, CommandError> {
    let provider = provider(ctx)?;
    let (case, roster, attached, checks) = {
        let mut r = ctx.db.reader().await?;
        let case =
            fml_store::cases::get_in(r.conn(), org, locator).await?.ok_or(CommandError::NotFound("no such case"))?;
        let roster = fml_store::persons::roster(r.conn(), org, case.id).await?;
        let checks = fml_store::idv::for_case(r.conn(), org, case.id).await?;
        // Identity documents an analyst attached to the people's Person records (for reuse
        // within the tenant): the only documents that may stand in for a verification.
        let person_ids: Vec<i64> = roster.iter().filter_map(|p| p.person_id.map(|id| id.0)).collect();
        let links = fml_store::persons::attached_documents(r.conn(), org, &person_ids, Timestamp::now()).await?;
        let doc_ids: Vec<i64> = links.iter().map(|(_, d)| *d).collect();
        let docs = fml_store::documents::by_ids(r.conn(), org, &doc_ids).await?;
        let attached: Vec<(i64, DocumentRecord)> = links
            .into_iter()
            .filter_map(|(person, doc)| docs.iter().find(|d| d.id.0 == doc).map(|d| (person, d.clone())))
            .collect();
        (case, roster, attached, checks)
    };
    if case.status.is_final() {
        return match by {
            Dispatcher::System => Ok(Vec::new()),
            Dispatcher::Everyone(_) | Dispatcher::Analyst(..) => Err(CommandError::Illegal { current: case.status }),
        };
    }
    let people: Vec<&CasePerson> = match by {
        Dispatcher::System | Dispatcher::Everyone(_) => {
            roster.iter().filter(|p| idv::needs_idv(&p.entry.roles)).collect()
        }
        Dispatcher::Analyst(_, key) => {
            let p =
                roster.iter().find(|p| p.entry.person_key == key).ok_or(CommandError::NotFound("no such person"))?;
            vec![p]
        }
    };
    // The people this case has mailed a link to already.
    let mut mailed: Vec<&str> =
        checks.iter().filter(|c| c.satisfied_by_doc.is_none()).map(|c| c.person_key.as_str()).collect();
    // Read once for every link this dispatch sends.
    let branding = crate::settings::branding(ctx, org).await?;
    let mut started = Vec::new();
    let mut waiting = 0;
    for p in people {
        let existing = checks.iter().find(|c| c.person_key == p.entry.person_key);
        match (by.batch(), existing) {
            (true, Some(_)) => continue,
            (false, Some(c)) if c.status == IdvStatus::Pass => {
                return Err(CommandError::Conflict("already_verified", "this person's identity is verified".into()));
            }
            _ => {}
        }
        if by.batch()
            && let Some(doc) = accepted_document(&attached, p)
        {
            started.extend(satisfy(ctx, &case, p, doc, provider.vendor()).await?);
            continue;
        }
        if by.batch() && document_being_read(&attached, p, Timestamp::now()) {
            // The system's job waits for it; an analyst sends the others now and this one later.
            if matches!(by, Dispatcher::System) {
                waiting += 1;
            }
            continue;
        }
        let Some(email) = p.entry.email.as_deref() else {
            if !by.batch() {
                return Err(CommandError::Unprocessable(
                    "no_email",
                    "this person has no email address to send to".into(),
                ));
            }
            continue;
        };
        if mailed.len() >= MAX_PEOPLE_MAILED && !mailed.contains(&p.entry.person_key.as_str()) {
            if by.batch() {
                tracing::warn!(case = %case.id, "identity links capped at {MAX_PEOPLE_MAILED} people");
                break;
            }
            return Err(CommandError::Unprocessable(
                "idv_limit",
                format!("this case has sent identity links to {MAX_PEOPLE_MAILED} people, the most it may"),
            ));
        }
        let req = SessionRequest {
            org,
            case_id: case.id,
            person_key: &p.entry.person_key,
            name: &p.entry.display_name,
            email,
        };
        let session = provider.start(req).await.map_err(CommandError::Upstream)?;
        match send(ctx, &branding, &case, p, email, &session, provider.vendor(), by).await? {
            Some(check) => {
                mailed.push(&p.entry.person_key);
                started.push(check);
            }
            // Someone got there first: a batch keeps theirs; an analyst's send meets a pass.
            None if !by.batch() => {
                return Err(CommandError::Conflict("already_verified", "this person's identity is verified".into()));
            }
            None => {}
        }
    }
    if waiting > 0 {
        // The others are done; the retry (which skips them) finds the documents read.
        return Err(CommandError::NotYet(format!("{waiting} person(s) wait for an attached document to be read")));
    }
    Ok(started)
}

/// An accepted identity document of this person: attached by an analyst to the Person the
/// roster entry is linked to, still valid, and read as their passport or identity card.
fn accepted_document<'a>(attached: &'a [(i64, DocumentRecord)], p: &CasePerson) -> Option<&'a DocumentRecord> {
    let person = p.person_id?.0;
    attached.iter().find_map(|(id, d)| {
        let ok = *id == person
            && d.status == DocumentStatus::Complete
            && d.extraction
                .as_ref()
                .is_some_and(|e| idv::accepts(e, &p.entry.display_name, p.entry.date_of_birth.as_deref()));
        ok.then_some(d)
    })
}

/// How long the system's dispatch waits for a document attached to a person to be read
/// (processing takes seconds; a document unread for longer is stuck and no longer waited for,
/// which bounds the job's waits: they do not use its attempts).
const READING_WAIT_MS: i64 = 10 * 60 * 1000;

/// Whether a document an analyst attached to this person is still being read: it may be the
/// identity document that makes a link needless, so the system's dispatch waits for it.
fn document_being_read(attached: &[(i64, DocumentRecord)], p: &CasePerson, now: Timestamp) -> bool {
    p.person_id.is_some_and(|person| {
        attached.iter().any(|(id, d)| {
            *id == person.0
                && d.status == DocumentStatus::Uploaded
                && now.millis() - d.created_at.millis() < READING_WAIT_MS
        })
    })
}

async fn satisfy(
    ctx: &Ctx,
    case: &CaseRecord,
    p: &CasePerson,
    doc: &DocumentRecord,
    vendor: &str,
) -> Result<Option<IdvCheck>, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let new = NewCheck {
        person_key: &p.entry.person_key,
        person_name: &p.entry.display_name,
        person_email: p.entry.email.as_deref(),
        roles: &p.entry.roles,
        position: p.entry.position,
        vendor,
        session_id: None,
        token_hash: None,
        status: IdvStatus::Satisfied,
        satisfied_by_doc: Some(doc.id.0),
        dispatched_by: "system",
    };
    let Some(check) = fml_store::idv::upsert(unit.conn(), &case.org_id, case.id, &new, Earlier::Keep, now).await?
    else {
        return Ok(None);
    };
    let event = IdvSatisfiedByDocument {
        case_id: case.id,
        case_reference: case.reference.clone(),
        person_name: p.entry.display_name.clone(),
        person_email: p.entry.email.clone(),
        person_key: p.entry.person_key.clone(),
        roles: p.entry.roles.clone(),
        satisfied_by_doc_id: doc.id.0,
    };
    unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
    let detail = json!({"personKey": p.entry.person_key, "documentId": doc.id.0});
    record(&mut unit, case, ActorKind::System, "system", "idv.satisfied", detail, now).await?;
    unit.commit().await?;
    Ok(Some(check))
}

#[expect(clippy::too_many_arguments, reason = "the dispatch's parts, each read once by the caller")]
async fn send(
    ctx: &Ctx,
    branding: &crate::settings::Branding,
    case: &CaseRecord,
    p: &CasePerson,
    email: &str,
    session: &Session,
    vendor: &str,
    by: Dispatcher<'_>,
) -> Result<Option<IdvCheck>, CommandError> {
    let cfg = ctx.mail()?;
    let (actor_kind, system, analyst) = by.actor();
    let actor = analyst.as_deref().unwrap_or(system);
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let new = NewCheck {
        person_key: &p.entry.person_key,
        person_name: &p.entry.display_name,
        person_email: Some(email),
        roles: &p.entry.roles,
        position: p.entry.position,
        vendor,
        session_id: session.session_id.as_deref(),
        token_hash: session.token_hash.as_deref(),
        status: IdvStatus::Dispatched,
        satisfied_by_doc: None,
        dispatched_by: actor,
    };
    let earlier = if by.batch() { Earlier::Keep } else { Earlier::ReplaceUnlessPassed };
    let Some(check) = fml_store::idv::upsert(unit.conn(), &case.org_id, case.id, &new, earlier, now).await? else {
        return Ok(None);
    };
    let (subject, body) =
        crate::mail::idv_text(branding, &p.entry.display_name, case.company_name.as_deref(), &session.url);
    let mail = crate::mail::sealed(cfg, &case.org_id, case.id, "idv_link", email, subject, &body);
    unit.queue_mail(&[&mail], now).await?;
    let event = IdvDispatched {
        case_id: case.id,
        case_reference: case.reference.clone(),
        recipient_email: email.to_owned(),
        recipient_name: p.entry.display_name.clone(),
        person_key: p.entry.person_key.clone(),
        roles: p.entry.roles.clone(),
        dispatched_by: actor.to_owned(),
    };
    unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
    let detail = json!({"personKey": p.entry.person_key, "vendor": vendor, "sessionId": session.session_id});
    record(&mut unit, case, actor_kind, actor, "idv.dispatch", detail, now).await?;
    unit.commit().await?;
    Ok(Some(check))
}

async fn record(
    unit: &mut UnitOfWork,
    case: &CaseRecord,
    actor_kind: ActorKind,
    actor: &str,
    action: &str,
    detail: serde_json::Value,
    now: Timestamp,
) -> Result<(), CommandError> {
    let entry = audit::Entry { org: Some(&case.org_id), case_id: Some(case.id), actor_kind, actor, action, detail };
    audit::record(unit.conn(), &entry, now).await?;
    Ok(())
}

/// `idv.completed` for a check's result: the person's roster position and first role.
fn completed(
    case: &CaseRecord,
    check: &IdvCheck,
    outcome: IdvOutcome,
    now: Timestamp,
) -> fml_domain::events::OutboxEvent {
    let event = IdvCompleted {
        case_id: case.id,
        case_reference: case.reference.clone(),
        verification_type: VerificationType::Identity,
        vendor_name: check.vendor.clone(),
        position: check.position,
        role: check.roles.first().cloned().unwrap_or_default(),
        outcome,
        completed_at: now,
    };
    event.emit(&case.org_id, case.crm_record_id.as_deref(), now)
}

/// Records a result on a waiting check and emits `idv.completed`; false if it had one.
async fn complete_in(
    unit: &mut UnitOfWork,
    case: &CaseRecord,
    check: &IdvCheck,
    outcome: IdvOutcome,
    vendor_status: &str,
    now: Timestamp,
) -> Result<bool, CommandError> {
    if !fml_store::idv::complete(unit.conn(), check.id, IdvStatus::from_outcome(outcome), vendor_status, now).await? {
        return Ok(false);
    }
    unit.emit(completed(case, check, outcome, now));
    let detail = json!({"personKey": check.person_key, "outcome": outcome, "vendorStatus": vendor_status});
    record(unit, case, ActorKind::System, check.vendor.as_str(), "idv.complete", detail, now).await?;
    Ok(true)
}

/// What a vendor's callback did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorResult {
    /// The check has its result (`idv.completed` emitted).
    Completed,
    /// The session had its result already: nothing changed.
    Unchanged,
    /// This very callback (same signed body) was processed before: nothing was done again.
    Duplicate,
}

/// A vendor's result for one of its sessions (Didit's callback). `digest` names the callback
/// (of its signed body): each is processed once, in the transaction that applies it.
pub async fn complete_from_vendor(
    ctx: &Ctx,
    org: &OrgId,
    session_id: &str,
    outcome: IdvOutcome,
    vendor_status: &str,
    digest: &str,
) -> Result<VendorResult, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let check = fml_store::idv::by_session(unit.conn(), org, session_id)
        .await?
        .ok_or(CommandError::NotFound("no such verification session"))?;
    if !fml_store::idv::claim_callback(unit.conn(), org, &check.vendor, digest, now).await? {
        return Ok(VendorResult::Duplicate);
    }
    let case = load(&mut unit, org, &CaseLocator::Id(check.case_id)).await?;
    if !complete_in(&mut unit, &case, &check, outcome, vendor_status, now).await? {
        // Remembered all the same: the same body again is a duplicate, not a new result.
        unit.commit().await?;
        return Ok(VendorResult::Unchanged);
    }
    unit.commit().await?;
    Ok(VendorResult::Completed)
}

/// The built-in page's result: the document the person uploaded has been processed (in the
/// processing command's transaction).
pub(crate) async fn complete_from_document(
    unit: &mut UnitOfWork,
    case: &CaseRecord,
    document_id: i64,
    extraction: Option<&fml_domain::extraction::Extraction>,
    now: Timestamp,
) -> Result<(), CommandError> {
    let Some(check) = fml_store::idv::by_document(unit.conn(), &case.org_id, document_id).await? else {
        return Ok(());
    };
    let roster = fml_store::persons::roster(unit.conn(), &case.org_id, case.id).await?;
    let dob =
        roster.iter().find(|p| p.entry.person_key == check.person_key).and_then(|p| p.entry.date_of_birth.clone());
    let outcome = idv::builtin_outcome(extraction, &check.person_name, dob.as_deref());
    let vendor_status = match extraction {
        Some(e) => format!("document read: {}", e.document_type),
        None => "document unreadable".to_owned(),
    };
    complete_in(unit, case, &check, outcome, &vendor_status, now).await?;
    Ok(())
}

/// Whether a built-in page link is past its [`LINK_TTL_SECS`] (counted from when it was last
/// sent: sending again renews it).
fn link_expired(check: &IdvCheck, now: Timestamp) -> bool {
    now.millis() - check.updated_at.millis() > LINK_TTL_SECS * 1000
}

/// The check behind a built-in page link, with its case, while it waits for a document.
pub async fn by_link(ctx: &Ctx, token: &str) -> Result<Option<(IdvCheck, CaseRecord)>, CommandError> {
    let mut r = ctx.db.reader().await?;
    let Some(check) = fml_store::idv::by_token(r.conn(), SecretHash::of(token).as_str()).await? else {
        return Ok(None);
    };
    if link_expired(&check, Timestamp::now()) {
        return Ok(None);
    }
    let case = fml_store::cases::get_in(r.conn(), &check.org_id, &CaseLocator::Id(check.case_id)).await?;
    Ok(case.filter(|c| !c.status.is_final()).map(|c| (check, c)))
}

/// The person uploads their identity document on the built-in page: it becomes a document of
/// the case (`document.uploaded`, then processing), linked to their check; the link is used up.
pub async fn submit_document(ctx: &Ctx, token: &str, file: NewDocument) -> Result<IdvCheck, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let check = fml_store::idv::by_token(unit.conn(), SecretHash::of(token).as_str())
        .await?
        .filter(|c| !link_expired(c, now))
        .ok_or(CommandError::NotFound("this verification link cannot be used"))?;
    let case = load(&mut unit, &check.org_id, &CaseLocator::Id(check.case_id)).await?;
    if case.status.is_final() {
        return Err(CommandError::Illegal { current: case.status });
    }
    let email = check.person_email.clone().unwrap_or_default();
    let docs = crate::documents::insert_upload(&mut unit, &case, "customer", &email, &[file], now).await?;
    let doc = docs.first().ok_or(CommandError::NotFound("no document"))?;
    if !fml_store::idv::attach_document(unit.conn(), check.id, doc.id.0, now).await? {
        return Err(CommandError::NotFound("this verification link cannot be used"));
    }
    let detail = json!({"personKey": check.person_key, "documentId": doc.id.0});
    record(&mut unit, &case, ActorKind::Customer, &email, "idv.document", detail, now).await?;
    unit.commit().await?;
    Ok(IdvCheck { document_id: Some(doc.id.0), ..check })
}

/// The outcome an analyst may record (`pass` or `fail`: theirs is final, never another
/// manual review), as the API and the console's form spell it.
pub fn parse_analyst_outcome(raw: &str) -> Option<IdvOutcome> {
    match raw {
        "pass" => Some(IdvOutcome::Pass),
        "fail" => Some(IdvOutcome::Fail),
        _ => None,
    }
}

/// An analyst's own result for a person whose check waits or went to manual review (the
/// built-in page never passes anyone: an analyst looks at the document and says so):
/// `idv.completed` with the analyst's outcome, the check's vendor, and who said it in the
/// audit and the check's `vendorStatus`.
pub async fn resolve(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    person_key: &str,
    outcome: IdvOutcome,
    note: &str,
) -> Result<IdvCheck, CommandError> {
    if outcome == IdvOutcome::ManualReview {
        return Err(CommandError::field("outcome", "must be pass or fail"));
    }
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    if case.status.is_final() {
        return Err(CommandError::Illegal { current: case.status });
    }
    let check = fml_store::idv::for_case(unit.conn(), &who.org, case.id)
        .await?
        .into_iter()
        .find(|c| c.person_key == person_key)
        .ok_or(CommandError::NotFound("no identity check for this person"))?;
    let status = IdvStatus::from_outcome(outcome);
    let said = if note.is_empty() { format!("by {}", who.email) } else { format!("by {}: {note}", who.email) };
    if !fml_store::idv::resolve(unit.conn(), check.id, status, &said, now).await? {
        return Err(CommandError::Conflict(
            "idv_final",
            format!("this person's identity check is {} already", check.status.as_str()),
        ));
    }
    unit.emit(completed(&case, &check, outcome, now));
    let detail = json!({"personKey": person_key, "outcome": outcome, "note": note});
    record(&mut unit, &case, ActorKind::Analyst, &who.email, "idv.resolve", detail, now).await?;
    unit.commit().await?;
    Ok(IdvCheck { status, vendor_status: Some(said), completed_at: Some(now), ..check })
}

/// A case's identity checks (analysts).
pub async fn for_case(ctx: &Ctx, who: &Analyst, locator: &CaseLocator) -> Result<Vec<IdvCheck>, CommandError> {
    let mut r = ctx.db.reader().await?;
    let case =
        fml_store::cases::get_in(r.conn(), &who.org, locator).await?.ok_or(CommandError::NotFound("no such case"))?;
    Ok(fml_store::idv::for_case(r.conn(), &who.org, case.id).await?)
}
