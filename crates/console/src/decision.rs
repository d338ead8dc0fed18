//! The top of the case page: the risk strip (what each engine last said) beside the decision
//! panel, whose forms follow the decision controls the command applies — a high-risk case
//! asks a senior for the reason on the page, tells an analyst why they cannot approve it, and
//! shows a first approval waiting for its second, the open escalation's note and the senior's
//! answer.

use fml_app::Analyst;
use fml_app::approvals::DecisionState;
use fml_app::queries::records::CaseRecord;
use fml_domain::CaseStatus;
use fml_domain::controls::Ruling;
use fml_domain::lifecycle::{Action, Outcome, Recommendation, Role, Verdict, judge};

use crate::view::When;

/// One item of the risk strip.
pub struct StripItem {
    pub label: &'static str,
    pub value: String,
    /// `good`, `warn`, `bad` or `none`: the item's colour (with its text, never alone).
    pub tone: &'static str,
}

/// What the escalation said, and the answer if there is one.
pub struct EscalationShown {
    pub note: String,
    pub raised_by: String,
    pub raised_at: When,
    /// The senior's answer, once given.
    pub answer: Option<Answer>,
}

/// A senior's answer to an escalation.
pub struct Answer {
    pub recommendation: String,
    pub note: String,
    pub by: String,
}

/// A first approval waiting for its second.
pub struct PendingShown {
    pub by: String,
    pub notes: String,
    pub at: When,
}

/// The decision panel's state for one viewer.
pub struct DecisionPanel {
    pub strip: Vec<StripItem>,
    /// Why the case is high-risk; empty when it is not.
    pub concerns: Vec<String>,
    /// The viewer may approve, but only with a reason (an override).
    pub reason_required: bool,
    /// The viewer may not approve this case at all (an analyst, high-risk).
    pub approve_blocked: bool,
    /// A first approval waiting for its second.
    pub pending: Option<PendingShown>,
    /// The viewer gave that first approval (so they cannot give the second).
    pub pending_mine: bool,
    pub maker_checker: bool,
    pub escalation: Option<EscalationShown>,
}

fn recommendation_label(r: &str) -> String {
    match r {
        "approve" | "APPROVE" => "Approve".into(),
        "decline" | "DECLINE" => "Decline".into(),
        "refer" => "Refer".into(),
        "ESCALATE" => "Escalate".into(),
        "REQUEST_INFO" => "Request information".into(),
        other => other.replace('_', " "),
    }
}

fn strip(s: &DecisionState) -> Vec<StripItem> {
    let t = &s.strip;
    let band_tone = |band: &str| match band.to_ascii_lowercase().as_str() {
        "low" => "good",
        "medium" => "warn",
        _ => "bad",
    };
    let none = |label| StripItem { label, value: "—".into(), tone: "none" };
    vec![
        match &t.risk {
            Some((band, score)) => {
                StripItem { label: "Risk", value: format!("{band} · {score}"), tone: band_tone(band) }
            }
            None => StripItem { label: "Risk", value: "Not assessed".into(), tone: "none" },
        },
        match t.open_hits {
            Some(0) => StripItem { label: "Open hits", value: "0".into(), tone: "good" },
            Some(n) => StripItem { label: "Open hits", value: n.to_string(), tone: "bad" },
            None => StripItem { label: "Open hits", value: "Not screened".into(), tone: "none" },
        },
        match &t.routing {
            Some(o) => StripItem {
                label: "Routing",
                value: o.clone(),
                tone: if fml_domain::controls::routing_is_adverse(o) { "bad" } else { "good" },
            },
            None => none("Routing"),
        },
        match &t.review {
            Some(r) => StripItem {
                label: "Case review",
                value: recommendation_label(r),
                tone: if r == "APPROVE" {
                    "good"
                } else if r == "DECLINE" {
                    "bad"
                } else {
                    "warn"
                },
            },
            None => none("Case review"),
        },
        match t.idv {
            (_, _, 0) => none("IDV"),
            (_, failed @ 1.., all) => {
                StripItem { label: "IDV", value: format!("{failed} of {all} failed"), tone: "bad" }
            }
            (passed, _, all) if passed == all => {
                StripItem { label: "IDV", value: format!("{passed} of {all} verified"), tone: "good" }
            }
            (passed, _, all) => StripItem { label: "IDV", value: format!("{passed} of {all} verified"), tone: "warn" },
        },
    ]
}

impl DecisionPanel {
    pub fn new(s: &DecisionState, who: &Analyst) -> Self {
        // How the command would rule on this viewer's approval with a reason given.
        let ruling = s.ruling(who, true);
        let escalation = s.escalation.as_ref().map(|e| EscalationShown {
            note: e.note.clone(),
            raised_by: e.raised_by.clone(),
            raised_at: When::millis(e.raised_at),
            answer: e.recommendation.as_ref().map(|r| Answer {
                recommendation: recommendation_label(r),
                note: e.response_note.clone().unwrap_or_default(),
                by: e.responded_by.clone().unwrap_or_default(),
            }),
        });
        DecisionPanel {
            strip: strip(s),
            concerns: s.concerns.iter().map(ToString::to_string).collect(),
            reason_required: !s.concerns.is_empty() && who.role >= Role::Senior,
            approve_blocked: matches!(ruling, Ruling::SeniorRequired(_)),
            pending: s.pending.as_ref().map(|p| PendingShown {
                by: p.requested_by.clone(),
                notes: p.notes.clone(),
                at: When::millis(p.requested_at),
            }),
            pending_mine: matches!(ruling, Ruling::SecondApproverRequired),
            maker_checker: s.maker_checker,
            escalation,
        }
    }
}

/// What the analyst may do to the case now, by the lifecycle's own rule.
pub struct Allowed {
    pub decide: bool,
    pub escalate: bool,
    pub respond: bool,
    pub resend_invite: bool,
}

impl Allowed {
    pub fn of(c: &CaseRecord, who: &Analyst) -> Self {
        let may = |a: Action| matches!(judge(c.status, a, who.actor()), Verdict::Move { .. });
        Allowed {
            decide: may(Action::Decide(Outcome::Approved)),
            escalate: may(Action::Escalate),
            respond: may(Action::RespondToEscalation(Recommendation::Refer)),
            resend_invite: c.status == CaseStatus::InProgress && c.customer_email.is_some(),
        }
    }
}
