//! Dispatching verification: deciding, person by person, whether an identity document on file
//! satisfies the check or a link must be mailed, within the case's cap on people mailed.

use fml_domain::OrgId;
use fml_domain::Timestamp;
use fml_domain::document::DocumentStatus;
use fml_domain::events::{IdvDispatched, IdvSatisfiedByDocument, WebhookEvent};
use fml_domain::ids::CaseLocator;
use fml_domain::idv::{self, IdvStatus};
use fml_store::audit::ActorKind;
use fml_store::cases::CaseRecord;
use fml_store::documents::DocumentRecord;
use fml_store::idv::{Earlier, IdvCheck, NewCheck};
use fml_store::persons::CasePerson;
use serde_json::json;

use super::provider::{Session, SessionRequest, provider};
use super::record;
use crate::{Analyst, CommandError, Ctx};

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
    let sender = crate::mail::sender(branding);
    let (subject, body) =
        fml_domain::letters::idv(&sender, &p.entry.display_name, case.company_name.as_deref(), &session.url);
    let mail = crate::mail::sealed(cfg, &case.org_id, Some(case.id), "idv_link", email, subject, &body);
    let event = IdvDispatched {
        case_id: case.id,
        case_reference: case.reference.clone(),
        recipient_email: email.to_owned(),
        recipient_name: p.entry.display_name.clone(),
        person_key: p.entry.person_key.clone(),
        roles: p.entry.roles.clone(),
        dispatched_by: actor.to_owned(),
    };
    crate::mail::queue_announcing(&mut unit, cfg, mail, &event, case.crm_record_id.as_deref(), now).await?;
    let detail = json!({"personKey": p.entry.person_key, "vendor": vendor, "sessionId": session.session_id});
    record(&mut unit, case, actor_kind, actor, "idv.dispatch", detail, now).await?;
    unit.commit().await?;
    Ok(Some(check))
}
