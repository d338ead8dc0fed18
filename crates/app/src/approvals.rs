//! Decision controls inside the decision command: the facts are read in the command's own
//! transaction, [`fml_domain::controls`] rules, and this module turns the ruling into the
//! command's next step or its refusal. Also what the console's decision panel shows, which the
//! case page reads (`crate::queries::case_page`).

use fml_domain::controls::{self, Concern, Pending, Request, Ruling};
use fml_domain::idv::IdvStatus;
use fml_domain::{CaseStatus, Timestamp};
use fml_store::StoreError;
use fml_store::approvals::PendingRow;
use fml_store::cases::CaseRecord;
use fml_store::db::Conn;
use fml_store::escalations::EscalationRow;
use fml_store::unit::UnitOfWork;

use crate::engines::EngineState;
use crate::{Analyst, CommandError};

/// What an approval does after the controls.
#[derive(Debug)]
pub(crate) enum Step {
    /// Approve now; the concerns overridden (empty: an ordinary approval) and the first
    /// approver when this completes a maker-checker pair.
    Approve { overrides: Vec<Concern>, first: Option<PendingRow> },
    /// Recorded as the first of two approvals; the case waits.
    AwaitSecond,
}

fn sentences(concerns: &[Concern]) -> Vec<String> {
    concerns.iter().map(ToString::to_string).collect()
}

/// Applies the controls to `who` approving `case` with `notes`, inside the unit. The case row
/// is locked first, so two approvals of one case are judged one after the other.
pub(crate) async fn check(
    unit: &mut UnitOfWork,
    who: &Analyst,
    case: &CaseRecord,
    notes: &str,
    now: Timestamp,
) -> Result<Step, CommandError> {
    fml_store::cases::lock(unit.conn(), &who.org, case.id).await?;
    let facts = fml_store::approvals::facts(unit.conn(), &who.org, case.id).await?;
    let maker_checker = fml_store::tenant::get(unit.conn(), &who.org).await?.is_some_and(|(_, s)| s.second_approval);
    let pending = fml_store::approvals::pending(unit.conn(), &who.org, case.id).await?;
    let first = pending.as_ref().map(|p| Pending { by: p.requested_by.clone() });
    let request = Request {
        role: who.role,
        who: &who.email,
        has_notes: !notes.is_empty(),
        maker_checker,
        pending: first.as_ref(),
    };
    match controls::approve(controls::concerns(&facts), request) {
        Ruling::Approve { overrides } => Ok(Step::Approve { overrides, first: pending }),
        Ruling::AwaitSecond { concerns } => {
            let reasons = sentences(&concerns);
            fml_store::approvals::request(unit.conn(), &who.org, case.id, &who.email, notes, &reasons, now).await?;
            Ok(Step::AwaitSecond)
        }
        Ruling::SeniorRequired(concerns) => Err(CommandError::Control {
            code: "senior_approval_required",
            message: "this case is high-risk: only a senior or an admin may approve it, with a reason".into(),
            reasons: sentences(&concerns),
        }),
        Ruling::ReasonRequired => {
            Err(CommandError::field("notes", "give the reason for approving this high-risk case (it is an override)"))
        }
        Ruling::SecondApproverRequired => Err(CommandError::Control {
            code: "second_approver_required",
            message: "you gave the first approval; a different senior or admin must complete it".into(),
            reasons: sentences(&controls::concerns(&facts)),
        }),
    }
}

/// The audit detail of an override, if the approval was one.
pub(crate) fn override_detail(overrides: &[Concern], first: Option<&PendingRow>) -> serde_json::Value {
    serde_json::json!({
        "override": !overrides.is_empty(),
        "overrides": sentences(overrides),
        "firstApprover": first.map(|p| &p.requested_by),
        "firstApproverNotes": first.map(|p| &p.notes),
    })
}

/// What the console's decision panel shows about a case's controls.
#[derive(Debug, Clone)]
pub struct DecisionState {
    /// Why the case is high-risk (empty: it is not).
    pub concerns: Vec<Concern>,
    pub maker_checker: bool,
    pub pending: Option<PendingRow>,
    /// The case's latest escalation, open or answered.
    pub escalation: Option<EscalationRow>,
    /// The risk strip beside the decision: what each engine last said.
    pub strip: Strip,
}

/// The engines' last word on a case, in one line.
#[derive(Debug, Clone, Default)]
pub struct Strip {
    /// Band label and composite score of the latest assessment.
    pub risk: Option<(String, f64)>,
    /// Hits of the latest screening run nobody has disposed of; `None` before screening.
    pub open_hits: Option<usize>,
    pub routing: Option<String>,
    /// The latest case review's recommendation.
    pub review: Option<String>,
    /// (passed or satisfied, failed, all) identity checks.
    pub idv: (usize, usize, usize),
}

impl DecisionState {
    /// Whether `who` may approve now, as the command would rule (the case's status aside).
    pub fn ruling(&self, who: &Analyst, has_notes: bool) -> Ruling {
        let concerns = self.concerns.clone();
        let first = self.pending.as_ref().map(|p| Pending { by: p.requested_by.clone() });
        let request = Request {
            role: who.role,
            who: &who.email,
            has_notes,
            maker_checker: self.maker_checker,
            pending: first.as_ref(),
        };
        controls::approve(concerns, request)
    }
}

/// The controls' view of a case, on the caller's connection (the case page's snapshot), with
/// what the engines last said as read there already.
pub(crate) async fn state_in(mut c: Conn<'_>, said: &EngineState) -> Result<DecisionState, StoreError> {
    let (case, org) = (&said.case, &said.case.org_id);
    let facts = fml_store::approvals::facts(c.reborrow(), org, case.id).await?;
    let maker_checker = fml_store::tenant::get(c.reborrow(), org).await?.is_some_and(|(_, s)| s.second_approval);
    let pending = match case.status {
        CaseStatus::InReview | CaseStatus::Returned => {
            fml_store::approvals::pending(c.reborrow(), org, case.id).await?
        }
        _ => None,
    };
    let escalation = fml_store::escalations::latest(c, org, case.id).await?;
    let passed = said.idv.iter().filter(|k| matches!(k.status, IdvStatus::Pass | IdvStatus::Satisfied)).count();
    let failed = said.idv.iter().filter(|k| k.status == IdvStatus::Fail).count();
    let strip = Strip {
        risk: said.assessment.as_ref().map(|a| (a.band_label.clone(), a.composite_score)),
        open_hits: said.screening.is_some().then(|| facts.hits.iter().filter(|h| h.disposition.is_none()).count()),
        routing: facts.routing.clone(),
        review: said.review.as_ref().map(|r| r.recommendation.clone()),
        idv: (passed, failed, said.idv.len()),
    };
    Ok(DecisionState { concerns: controls::concerns(&facts), maker_checker, pending, escalation, strip })
}
