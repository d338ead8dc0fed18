//! The people on a case and the tenant's Person records: the roster is rebuilt from the
//! application whenever it changes; analysts link a roster entry to an existing Person, mark
//! it new (creating one), unlink it (softly, with a reason), and attach identity documents to
//! a Person for reuse.

use fml_domain::document::DocumentId;
use fml_domain::events::{PersonDocumentAttached, PersonLinked, PersonMarkedNew, PersonUnlinked, WebhookEvent};
use fml_domain::ids::CaseLocator;
use fml_domain::persons::{PersonId, name_key};
use fml_domain::{CaseId, OrgId, Timestamp};
use fml_store::StoreError;
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::db::Conn;
use fml_store::persons::{CasePerson, PersonRow, Resolution};
use fml_store::unit::UnitOfWork;
use serde_json::json;

use crate::cases::load;
use crate::{Analyst, CommandError, Ctx};

/// How long an attached identity document may be reused for other cases of the tenant.
pub const DOCUMENT_VALIDITY_SECS: i64 = 365 * 86_400;

/// Rebuilds a case's roster from its application, inside the caller's unit.
pub(crate) async fn rebuild_roster(
    unit: &mut UnitOfWork,
    case: &CaseRecord,
    app: &fml_domain::application::Application,
) -> Result<(), CommandError> {
    let existing: Vec<_> =
        fml_store::persons::roster(unit.conn(), &case.org_id, case.id).await?.into_iter().map(|p| p.entry).collect();
    let roster = fml_domain::persons::roster(app, &existing);
    fml_store::persons::replace_roster(unit.conn(), &case.org_id, case.id, &roster).await?;
    Ok(())
}

/// A roster entry with the tenant Persons it may be.
#[derive(Debug, Clone)]
pub struct RosterView {
    pub person: CasePerson,
    pub candidates: Vec<PersonRow>,
    /// The documents attached to the linked Person and still valid (from any of the tenant's
    /// cases), newest first.
    pub attached: Vec<DocumentId>,
}

/// A case's roster, each entry with its candidate matches (same email, or same name).
pub async fn roster(ctx: &Ctx, who: &Analyst, locator: &CaseLocator) -> Result<Vec<RosterView>, CommandError> {
    let mut r = ctx.db.reader().await?;
    let case =
        fml_store::cases::get_in(r.conn(), &who.org, locator).await?.ok_or(CommandError::NotFound("no such case"))?;
    Ok(roster_in(r.conn(), &who.org, case.id).await?)
}

/// [`roster`] of a case already read, on the caller's connection (the case page's snapshot):
/// three statements, whatever the number of people.
pub(crate) async fn roster_in(mut c: Conn<'_>, org: &OrgId, case: CaseId) -> Result<Vec<RosterView>, StoreError> {
    let people = fml_store::persons::roster(c.reborrow(), org, case).await?;
    let entries: Vec<_> = people.iter().map(|p| p.entry.clone()).collect();
    let found = fml_store::persons::candidates(c.reborrow(), org, &entries).await?;
    let linked: Vec<i64> =
        people.iter().filter(|p| p.resolution.is_linked()).filter_map(|p| p.person_id.map(|id| id.0)).collect();
    let attached = fml_store::persons::attached_documents(c, org, &linked, Timestamp::now()).await?;
    Ok(people
        .into_iter()
        .map(|p| {
            let key = name_key(&p.entry.display_name);
            let candidates = found
                .iter()
                .filter(|(c, n)| (c.email.is_some() && c.email == p.entry.email) || (n == &key))
                .map(|(c, _)| c.clone())
                .collect();
            let of_person =
                |(person, _): &&(i64, i64)| p.resolution.is_linked() && p.person_id.map(|id| id.0) == Some(*person);
            let attached = attached.iter().filter(of_person).map(|(_, doc)| DocumentId(*doc)).collect();
            RosterView { person: p, candidates, attached }
        })
        .collect())
}

async fn entry(unit: &mut UnitOfWork, case: &CaseRecord, key: &str) -> Result<CasePerson, CommandError> {
    fml_store::persons::roster(unit.conn(), &case.org_id, case.id)
        .await?
        .into_iter()
        .find(|p| p.entry.person_key == key)
        .ok_or(CommandError::NotFound("no such person on this case"))
}

async fn audit(
    unit: &mut UnitOfWork,
    who: &Analyst,
    case_id: CaseId,
    action: &str,
    detail: serde_json::Value,
    now: Timestamp,
) -> Result<(), CommandError> {
    let e = audit::Entry {
        org: Some(&who.org),
        case_id: Some(case_id),
        actor_kind: ActorKind::Analyst,
        actor: &who.email,
        action,
        detail,
    };
    unit.audit(&e, now);
    Ok(())
}

/// Links a roster entry to an existing Person of the tenant: `person.linked`. Linking it to the
/// Person it is already linked to changes nothing.
pub async fn link(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    key: &str,
    person_id: PersonId,
) -> Result<CasePerson, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    let current = entry(&mut unit, &case, key).await?;
    let person = fml_store::persons::get_person(unit.conn(), &who.org, person_id).await?.ok_or_else(|| {
        CommandError::Unprocessable("unknown_person", "no Person of this organisation has this id".into())
    })?;
    if current.resolution.is_linked() && current.person_id == Some(person.id) {
        return Ok(current);
    }
    fml_store::persons::set_resolution(unit.conn(), &who.org, case.id, key, Some(person.id), Resolution::Linked, None)
        .await?;
    let event = PersonLinked {
        case_id: case.id,
        case_reference: case.reference.clone(),
        person_id: person.id.0,
        person_key: key.to_owned(),
        display_name: current.entry.display_name.clone(),
        email: current.entry.email.clone(),
        roles: current.entry.roles.clone(),
        linked_by: who.email.clone(),
    };
    unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
    audit(&mut unit, who, case.id, "person.link", json!({"personKey": key, "personId": person.id.0}), now).await?;
    unit.commit().await?;
    Ok(CasePerson { person_id: Some(person.id), resolution: Resolution::Linked, unlink_reason: None, ..current })
}

/// Removes an entry's link (softly: the reason is kept): `person.unlinked`.
pub async fn unlink(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    key: &str,
    reason: Option<String>,
) -> Result<CasePerson, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    let current = entry(&mut unit, &case, key).await?;
    let (true, Some(person_id)) = (current.resolution.is_linked(), current.person_id) else {
        return Err(CommandError::Conflict("not_linked", "this person is not linked to a Person".into()));
    };
    fml_store::persons::set_resolution(
        unit.conn(),
        &who.org,
        case.id,
        key,
        Some(person_id),
        Resolution::Unlinked,
        reason.as_deref(),
    )
    .await?;
    let event = PersonUnlinked {
        case_id: case.id,
        case_reference: case.reference.clone(),
        person_id: person_id.0,
        person_key: key.to_owned(),
        unlinked_by: who.email.clone(),
        reason: reason.clone(),
    };
    unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
    audit(
        &mut unit,
        who,
        case.id,
        "person.unlink",
        json!({"personKey": key, "personId": person_id.0, "reason": reason}),
        now,
    )
    .await?;
    unit.commit().await?;
    Ok(CasePerson { resolution: Resolution::Unlinked, unlink_reason: reason, ..current })
}

/// Confirms no prior match: a Person is created from the entry and linked:
/// `person.marked_new`.
pub async fn mark_new(ctx: &Ctx, who: &Analyst, locator: &CaseLocator, key: &str) -> Result<CasePerson, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    let current = entry(&mut unit, &case, key).await?;
    if current.resolution.is_linked() {
        return Err(CommandError::Conflict("already_linked", "unlink this person before marking them new".into()));
    }
    let person_id = fml_store::persons::create_person(unit.conn(), &who.org, &current.entry, &who.email, now).await?;
    fml_store::persons::set_resolution(unit.conn(), &who.org, case.id, key, Some(person_id), Resolution::New, None)
        .await?;
    let event = PersonMarkedNew {
        case_id: case.id,
        case_reference: case.reference.clone(),
        person_id: person_id.0,
        person_key: key.to_owned(),
        display_name: current.entry.display_name.clone(),
        email: current.entry.email.clone(),
        resolved_by: who.email.clone(),
    };
    unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
    audit(&mut unit, who, case.id, "person.mark_new", json!({"personKey": key, "personId": person_id.0}), now).await?;
    unit.commit().await?;
    Ok(CasePerson { person_id: Some(person_id), resolution: Resolution::New, unlink_reason: None, ..current })
}

/// Attaches a case's document (a passport or ID) to a Person, for reuse by the tenant's other
/// cases for a year: `person.document_attached`. Attaching it again changes nothing.
pub async fn attach_document(
    ctx: &Ctx,
    who: &Analyst,
    person_id: PersonId,
    locator: &CaseLocator,
    document_id: DocumentId,
) -> Result<String, CommandError> {
    let mut unit = ctx.unit().await?;
    if fml_store::persons::get_person(unit.conn(), &who.org, person_id).await?.is_none() {
        return Err(CommandError::NotFound("no such person"));
    }
    let case = load(&mut unit, &who.org, locator).await?;
    attach_in(unit, who, person_id, &case, document_id).await
}

/// [`attach_document`] to the Person that the case's person `key` is linked to (the console's
/// People panel, where the analyst sees the case's people, not Person ids).
pub async fn attach_document_of(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    key: &str,
    document_id: DocumentId,
) -> Result<String, CommandError> {
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    let current = entry(&mut unit, &case, key).await?;
    let Some(person_id) = current.person_id.filter(|_| current.resolution.is_linked()) else {
        return Err(CommandError::Unprocessable(
            "person_not_linked",
            "Link this person to a Person profile (or mark them as new) before attaching a document.".into(),
        ));
    };
    attach_in(unit, who, person_id, &case, document_id).await
}

async fn attach_in(
    mut unit: UnitOfWork,
    who: &Analyst,
    person_id: PersonId,
    case: &CaseRecord,
    document_id: DocumentId,
) -> Result<String, CommandError> {
    let now = Timestamp::now();
    let doc = fml_store::documents::get(unit.conn(), &who.org, case.id, document_id).await?.ok_or_else(|| {
        CommandError::Unprocessable("unknown_document", "the case has no document with this id".into())
    })?;
    let document_type = doc.document_type.clone().unwrap_or_else(|| "Government ID".to_owned());
    let attached = fml_store::persons::attach_document(
        unit.conn(),
        &who.org,
        person_id,
        document_id.0,
        case.id,
        &document_type,
        &who.email,
        now,
        now.plus_secs(DOCUMENT_VALIDITY_SECS),
    )
    .await?;
    if attached {
        let event = PersonDocumentAttached {
            case_id: case.id,
            case_reference: case.reference.clone(),
            person_id: person_id.0,
            document_id: document_id.0,
            document_type: document_type.clone(),
            attached_by: who.email.clone(),
        };
        unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
        audit(
            &mut unit,
            who,
            case.id,
            "person.document",
            json!({"personId": person_id.0, "documentId": document_id.0}),
            now,
        )
        .await?;
    } else {
        unit.unchanged();
    }
    unit.commit().await?;
    Ok(document_type)
}
