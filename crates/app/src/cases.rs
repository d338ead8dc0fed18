//! Commands on a case's lifecycle: decide, escalate, answer an escalation, assign an owner.
//!
//! Each one: load the case in the principal's tenant (another tenant's case is "not found"),
//! ask [`lifecycle::judge`], move the case with a compare-and-set on its status (a concurrent
//! action that got there first turns this one into `Illegal` with the status it left), write
//! the audit row, emit the specific event and `case.status.changed`, commit.

use fml_domain::events::{
    CaseDecisionMade, CaseStatusChanged, CaseSubmitted, DecisionOutcome, EscalationCreated, EscalationResponded, Owner,
    OwnerChanged, SeniorRecommendation, SubmissionSource, WebhookEvent,
};
use fml_domain::ids::CaseLocator;
use fml_domain::lifecycle::{self, Action, Outcome, Recommendation, Verdict};
use fml_domain::{CaseSource, CaseStatus, OrgId, Timestamp};
use fml_store::analysts::AnalystRecord;
use fml_store::audit;
use fml_store::cases::{CaseRecord, Decision};
use fml_store::unit::UnitOfWork;
use serde_json::json;

use crate::{Analyst, CommandError, Ctx, Customer};

/// Longest note or decision text, in characters.
pub const MAX_NOTE: usize = 5000;

/// Loads a case of `org` inside the unit.
pub(crate) async fn load(
    unit: &mut UnitOfWork,
    org: &OrgId,
    locator: &CaseLocator,
) -> Result<CaseRecord, CommandError> {
    fml_store::cases::get_in(unit.conn(), org, locator).await?.ok_or(CommandError::NotFound("no such case"))
}

/// An analyst asks an engine to run on a case now: the job `make` builds for the case, queued
/// with an audit row `action`, in one transaction.
pub(crate) async fn queue_engine(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    action: &str,
    make: impl FnOnce(&CaseRecord) -> fml_domain::jobs::Job,
) -> Result<CaseRecord, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    unit.enqueue(&[(Some(&who.org), make(&case))], now).await?;
    let entry = audit::Entry {
        org: Some(&who.org),
        case_id: Some(case.id),
        actor_kind: fml_store::audit::ActorKind::Analyst,
        actor: &who.email,
        action,
        detail: json!({}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(case)
}

/// The lifecycle's verdict as a command result.
fn rule(current: CaseStatus, action: Action, actor: lifecycle::Actor) -> Result<CaseStatus, CommandError> {
    match lifecycle::judge(current, action, actor) {
        Verdict::Move { to, .. } => Ok(to),
        Verdict::Illegal { current } => Err(CommandError::Illegal { current }),
        Verdict::Forbidden => Err(CommandError::Forbidden("your role does not allow this action")),
    }
}

/// Moves `case` to `to` (compare-and-set on its status) and emits `case.status.changed`.
pub(crate) async fn move_case(
    unit: &mut UnitOfWork,
    case: &CaseRecord,
    to: CaseStatus,
    changed_by: &str,
    decision: Option<&Decision>,
    recommendation: Option<SeniorRecommendation>,
    now: Timestamp,
) -> Result<CaseRecord, CommandError> {
    let moved =
        fml_store::cases::transition(unit.conn(), &case.org_id, case.id, case.status, to, decision, now).await?;
    let Some(moved) = moved else {
        // Another action moved it first: report where it is now.
        let current = load(unit, &case.org_id, &CaseLocator::Id(case.id)).await?.status;
        return Err(CommandError::Illegal { current });
    };
    let event = CaseStatusChanged {
        case_id: moved.id,
        case_reference: moved.reference.clone(),
        company_name: moved.company_name.clone(),
        status: to,
        previous_status: case.status,
        changed_by: changed_by.to_owned(),
        recommendation,
    };
    unit.emit(event.emit(&moved.org_id, moved.crm_record_id.as_deref(), now));
    Ok(moved)
}

async fn audit(
    unit: &mut UnitOfWork,
    who: &Analyst,
    case: &CaseRecord,
    action: &str,
    detail: serde_json::Value,
    now: Timestamp,
) -> Result<(), CommandError> {
    let (actor_kind, actor) = who.audit_actor();
    let entry = audit::Entry { org: Some(&who.org), case_id: Some(case.id), actor_kind, actor, action, detail };
    unit.audit(&entry, now);
    Ok(())
}

/// Checks a free-text note ([`fml_domain::text::clean_note`]); blank is `""` unless
/// `required`.
pub fn note(field: &str, raw: Option<&str>, required: bool) -> Result<String, CommandError> {
    match fml_domain::text::clean_note(raw.unwrap_or(""), MAX_NOTE) {
        Ok(Some(text)) => Ok(text),
        Ok(None) if required => Err(CommandError::field(field, "is required")),
        Ok(None) => Ok(String::new()),
        Err(e) => Err(CommandError::field(field, e.to_string())),
    }
}

/// The customer submits their part: `case.submitted` (with how the data came in) and
/// `case.status.changed` to `in_review`.
pub async fn submit(ctx: &Ctx, who: &Customer, source: SubmissionSource) -> Result<CaseRecord, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, &CaseLocator::Id(who.case_id)).await?;
    let to = rule(case.status, Action::Submit, lifecycle::Actor::Customer)?;
    // Nothing is submitted without a complete application.
    match fml_store::portal::application(unit.conn(), &who.org, who.case_id).await? {
        Some(app) => app.check_complete().map_err(CommandError::Validation)?,
        None => return Err(CommandError::field("application", "fill in the application before submitting")),
    }
    let moved = move_case(&mut unit, &case, to, &who.email, None, None, now).await?;
    let event = CaseSubmitted {
        case_id: moved.id,
        case_reference: moved.reference.clone(),
        company_name: moved.company_name.clone(),
        country: moved.country,
        customer_email: moved.customer_email.clone(),
        source,
    };
    unit.emit(event.emit(&moved.org_id, moved.crm_record_id.as_deref(), now));
    // The engines start on what was submitted.
    // Screening, then risk, then the case review (tagged with how the submission came).
    let tag = match source {
        SubmissionSource::ApplicationForm => format!("system:form-submission:{}", who.email),
        SubmissionSource::DocUpload => format!("system:confirm-review:{}", who.email),
    };
    let screen =
        fml_domain::jobs::Job::ScreenCase { case_id: moved.id, triggered_by: "system".into(), review: Some(tag) };
    // Identity verification goes out with the submission (each person needing it gets a link,
    // unless an accepted identity document is already on file) — except on cases started by a
    // stranger through the public link: mail in the tenant's name to whoever they listed waits
    // for an analyst ("Send identity links").
    let mut jobs = vec![(Some(&who.org), screen)];
    if !matches!(moved.source, CaseSource::ApplicationForm | CaseSource::DocUpload) {
        let idv = fml_domain::jobs::Job::DispatchIdv { case_id: moved.id, dispatched_by: "system".into() };
        jobs.push((Some(&who.org), idv));
    }
    unit.enqueue(&jobs, now).await?;
    let source = match source {
        SubmissionSource::ApplicationForm => "application_form",
        SubmissionSource::DocUpload => "doc_upload",
    };
    let entry = audit::Entry {
        org: Some(&who.org),
        case_id: Some(moved.id),
        actor_kind: fml_store::audit::ActorKind::Customer,
        actor: &who.email,
        action: "case.submit",
        detail: json!({"source": source}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(moved)
}

/// What a decision did.
#[derive(Debug)]
pub enum Decided {
    /// The case is decided.
    Final(CaseRecord),
    /// A first approval of a high-risk case under maker-checker: recorded, and the case waits
    /// (in its status, no event) for a different senior or admin to complete it.
    AwaitingSecond(CaseRecord),
}

impl Decided {
    pub fn case(&self) -> &CaseRecord {
        match self {
            Decided::Final(c) | Decided::AwaitingSecond(c) => c,
        }
    }
}

/// Approves or declines a case: `case.decision.made` and `case.status.changed`. Approving
/// a high-risk case passes the decision controls first ([`crate::approvals`]); a decline
/// never waits for them, and withdraws a pending first approval.
pub async fn decide(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    outcome: Outcome,
    notes: String,
) -> Result<Decided, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    let to = rule(case.status, Action::Decide(outcome), who.actor())?;
    let controls = match outcome {
        Outcome::Approved => match crate::approvals::check(&mut unit, who, &case, &notes, now).await? {
            crate::approvals::Step::Approve { overrides, first } => {
                crate::approvals::override_detail(&overrides, first.as_ref())
            }
            crate::approvals::Step::AwaitSecond => {
                let detail = json!({"outcome": "approved", "notes": notes, "awaiting": "second_approval"});
                audit(&mut unit, who, &case, "case.approval.requested", detail, now).await?;
                unit.commit().await?;
                return Ok(Decided::AwaitingSecond(case));
            }
        },
        Outcome::Declined => json!({"override": false}),
    };
    let decision = Decision { notes: notes.clone(), decided_by: who.email.clone(), decided_at: now };
    let moved = move_case(&mut unit, &case, to, &who.email, Some(&decision), None, now).await?;
    let close = match outcome {
        Outcome::Approved => fml_store::approvals::Close::Completed,
        Outcome::Declined => fml_store::approvals::Close::Withdrawn,
    };
    fml_store::approvals::close(unit.conn(), &who.org, moved.id, close, &who.email, now).await?;
    let outcome = match outcome {
        Outcome::Approved => DecisionOutcome::Approved,
        Outcome::Declined => DecisionOutcome::Declined,
    };
    let event = CaseDecisionMade {
        case_id: moved.id,
        case_reference: moved.reference.clone(),
        outcome,
        notes: notes.clone(),
        analyst_email: who.email.clone(),
        decided_at: now,
        company_name: moved.company_name.clone(),
    };
    unit.emit(event.emit(&moved.org_id, moved.crm_record_id.as_deref(), now));
    let mut detail = json!({"outcome": to.as_str(), "notes": notes});
    if let (Some(d), serde_json::Value::Object(c)) = (detail.as_object_mut(), controls) {
        d.extend(c);
    }
    audit(&mut unit, who, &moved, "case.decide", detail, now).await?;
    unit.commit().await?;
    Ok(Decided::Final(moved))
}

/// Escalates a case to a senior reviewer: `escalation.created` and `case.status.changed`.
pub async fn escalate(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    note: String,
) -> Result<CaseRecord, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    let to = rule(case.status, Action::Escalate, who.actor())?;
    let moved = move_case(&mut unit, &case, to, &who.email, None, None, now).await?;
    // A first approval waiting for its second is void once a senior is asked instead.
    let withdrawn = fml_store::approvals::Close::Withdrawn;
    fml_store::approvals::close(unit.conn(), &who.org, moved.id, withdrawn, &who.email, now).await?;
    fml_store::escalations::raise(unit.conn(), &who.org, moved.id, &note, &who.email, now).await?;
    let event = EscalationCreated {
        case_id: moved.id,
        case_reference: moved.reference.clone(),
        company_name: moved.company_name.clone(),
        note: note.clone(),
        raised_by: who.email.clone(),
    };
    unit.emit(event.emit(&moved.org_id, moved.crm_record_id.as_deref(), now));
    audit(&mut unit, who, &moved, "case.escalate", json!({"note": note}), now).await?;
    unit.commit().await?;
    Ok(moved)
}

/// A senior answers the open escalation: `escalation.responded` and `case.status.changed`
/// (with the recommendation), and the case returns to its analyst.
pub async fn respond_to_escalation(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    recommendation: Recommendation,
    note: String,
) -> Result<CaseRecord, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    let to = rule(case.status, Action::RespondToEscalation(recommendation), who.actor())?;
    let open =
        fml_store::escalations::latest(unit.conn(), &who.org, case.id).await?.filter(|e| e.responded_at.is_none());
    if let Some(e) = open.filter(|e| !fml_domain::controls::may_answer_escalation(&e.raised_by, &who.email)) {
        return Err(CommandError::Control {
            code: "own_escalation",
            message: format!("{} raised this escalation; a different senior or admin must answer it", e.raised_by),
            reasons: Vec::new(),
        });
    }
    let rec = match recommendation {
        Recommendation::Approve => SeniorRecommendation::Approve,
        Recommendation::Decline => SeniorRecommendation::Decline,
        Recommendation::Refer => SeniorRecommendation::Refer,
    };
    let moved = move_case(&mut unit, &case, to, &who.email, None, Some(rec), now).await?;
    // Every case in pending_senior was escalated through `escalate`, which opened one.
    if !fml_store::escalations::respond(unit.conn(), &who.org, moved.id, recommendation, &note, &who.email, now).await?
    {
        return Err(CommandError::Conflict("no_open_escalation", "the case has no open escalation".into()));
    }
    let event = EscalationResponded {
        case_id: moved.id,
        case_reference: moved.reference.clone(),
        company_name: moved.company_name.clone(),
        recommendation: rec,
        note: note.clone(),
        responded_by: who.email.clone(),
    };
    unit.emit(event.emit(&moved.org_id, moved.crm_record_id.as_deref(), now));
    let detail = json!({"recommendation": fml_store::escalations::recommendation_str(recommendation), "note": note});
    audit(&mut unit, who, &moved, "case.escalation.respond", detail, now).await?;
    unit.commit().await?;
    Ok(moved)
}

fn owner_of(a: &AnalystRecord) -> Owner {
    Owner { name: a.name.clone(), email: a.email.clone() }
}

/// Assigns, reassigns or clears (`new_owner: None`) a case's owner: `owner.changed`. Setting
/// the owner a case already has changes nothing and emits nothing.
pub async fn assign_owner(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    new_owner: Option<&str>,
) -> Result<CaseRecord, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    let new = match new_owner {
        Some(email) => {
            let email = email.trim().to_lowercase();
            let a = fml_store::analysts::by_email_in(unit.conn(), &who.org, &email)
                .await?
                .filter(|a| a.disabled_at.is_none())
                .ok_or_else(|| {
                    CommandError::Unprocessable(
                        "unknown_analyst",
                        "no active analyst of this organisation has this email".into(),
                    )
                })?;
            Some(a)
        }
        None => None,
    };
    if new.as_ref().map(|a| a.id) == case.owner_id {
        return Ok(case);
    }
    let previous = match case.owner_id {
        Some(id) => fml_store::analysts::get_in(unit.conn(), &who.org, id).await?,
        None => None,
    };
    let updated = fml_store::cases::set_owner(unit.conn(), &who.org, case.id, new.as_ref().map(|a| a.id), now)
        .await?
        .ok_or(CommandError::NotFound("no such case"))?;
    let event = OwnerChanged {
        case_id: updated.id,
        case_reference: updated.reference.clone(),
        previous_owner: previous.as_ref().map(owner_of),
        new_owner: new.as_ref().map(owner_of),
        changed_by: Some(who.email.clone()),
    };
    unit.emit(event.emit(&updated.org_id, updated.crm_record_id.as_deref(), now));
    let detail = json!({"from": previous.map(|a| a.email), "to": new.map(|a| a.email)});
    audit(&mut unit, who, &updated, "case.owner", detail, now).await?;
    unit.commit().await?;
    Ok(updated)
}
