//! Recording a check's result, from the vendor's callback or an analyst's own judgement, with
//! its `idv.completed` event and audit entry in the same transaction.

use fml_domain::events::{IdvCompleted, IdvOutcome, VerificationType, WebhookEvent};
use fml_domain::ids::CaseLocator;
use fml_domain::idv::IdvStatus;
use fml_domain::{OrgId, Timestamp};
use fml_store::audit::ActorKind;
use fml_store::cases::CaseRecord;
use fml_store::idv::IdvCheck;
use fml_store::unit::UnitOfWork;
use serde_json::json;

use super::record;
use crate::cases::load;
use crate::{Analyst, CommandError, Ctx};

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
pub(super) async fn complete_in(
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
        unit.unchanged();
        unit.commit().await?;
        return Ok(VendorResult::Unchanged);
    }
    unit.commit().await?;
    Ok(VendorResult::Completed)
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
