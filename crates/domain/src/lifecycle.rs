//! The case lifecycle: one state machine, as a pure rule. Given a case's status, an action and
//! who acts, [`judge`] says what happens — the new status, or why not — and the command layer
//! maps each verdict to its answer one to one (a move is written with its events, `Illegal`
//! is a 409 carrying the current status, `Forbidden` a 403).
//!
//! ```text
//! in_progress ──submit──▶ in_review ──decide──▶ approved | declined
//!                             │  ▲
//!                     escalate│  │ (decide, or escalate again)
//!                             ▼  │
//!                     pending_senior ──respond──▶ returned
//! ```
//!
//! `approved` and `declined` are final. The guide's `submitted` has no place of its own: a
//! customer's submission puts the case straight into review, so the status set has no
//! `submitted` (docs/decisions.md).

use crate::CaseStatus;

/// An analyst's role; each includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Works cases.
    Analyst,
    /// Also responds to escalations.
    Senior,
    /// Also manages API clients, analysts and tenant settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Analyst, Role::Senior, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::Senior => "senior",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// Who acts on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The customer, through the portal session bound to this case.
    Customer,
    Analyst(Role),
    /// An automated step (`changedBy: "system"`), e.g. a confirmed review.
    System,
}

/// An analyst's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Approved,
    Declined,
}

/// What a senior recommends when answering an escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recommendation {
    Approve,
    Decline,
    Refer,
}

/// What is done to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The customer submits their application (or confirms the reviewed data).
    Submit,
    Decide(Outcome),
    /// A decision policy's `AUTO_APPROVE` / `DECLINE` (the system, only from `in_review`: a
    /// case an analyst has touched since, or a senior has returned, is theirs to decide).
    AutoDecide(Outcome),
    Escalate,
    RespondToEscalation(Recommendation),
}

/// What [`judge`] rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed: the case moves from `from` to `to`.
    Move { from: CaseStatus, to: CaseStatus },
    /// Not from this status: 409 with the current status.
    Illegal { current: CaseStatus },
    /// Not for this actor, whatever the status: 403.
    Forbidden,
}

/// The rule: may `actor` do `action` to a case in `current`, and where does it go?
pub fn judge(current: CaseStatus, action: Action, actor: Actor) -> Verdict {
    use CaseStatus::*;
    if !may(actor, action) {
        return Verdict::Forbidden;
    }
    let to = match (action, current) {
        (Action::Submit, InProgress) => InReview,
        (Action::Decide(Outcome::Approved), InReview | Returned) => Approved,
        (Action::Decide(Outcome::Declined), InReview | Returned) => Declined,
        (Action::AutoDecide(Outcome::Approved), InReview) => Approved,
        (Action::AutoDecide(Outcome::Declined), InReview) => Declined,
        (Action::Escalate, InReview | Returned) => PendingSenior,
        (Action::RespondToEscalation(_), PendingSenior) => Returned,
        _ => return Verdict::Illegal { current },
    };
    Verdict::Move { from: current, to }
}

/// Whether `actor` may ever do `action` (the status aside).
fn may(actor: Actor, action: Action) -> bool {
    match action {
        Action::Submit => matches!(actor, Actor::Customer | Actor::System),
        Action::Decide(_) | Action::Escalate => matches!(actor, Actor::Analyst(_)),
        Action::AutoDecide(_) => matches!(actor, Actor::System),
        Action::RespondToEscalation(_) => matches!(actor, Actor::Analyst(r) if r >= Role::Senior),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStatus::*;

    const ACTIONS: [Action; 9] = [
        Action::Submit,
        Action::Decide(Outcome::Approved),
        Action::Decide(Outcome::Declined),
        Action::AutoDecide(Outcome::Approved),
        Action::AutoDecide(Outcome::Declined),
        Action::Escalate,
        Action::RespondToEscalation(Recommendation::Approve),
        Action::RespondToEscalation(Recommendation::Decline),
        Action::RespondToEscalation(Recommendation::Refer),
    ];

    /// Every legal move, with the least-privileged actor that may make it.
    fn legal() -> Vec<(CaseStatus, Action, Actor, CaseStatus)> {
        let analyst = Actor::Analyst(Role::Analyst);
        let senior = Actor::Analyst(Role::Senior);
        let mut out = vec![(InProgress, Action::Submit, Actor::Customer, InReview)];
        for from in [InReview, Returned] {
            out.push((from, Action::Decide(Outcome::Approved), analyst, Approved));
            out.push((from, Action::Decide(Outcome::Declined), analyst, Declined));
            out.push((from, Action::Escalate, analyst, PendingSenior));
        }
        for r in [Recommendation::Approve, Recommendation::Decline, Recommendation::Refer] {
            out.push((PendingSenior, Action::RespondToEscalation(r), senior, Returned));
        }
        out.push((InReview, Action::AutoDecide(Outcome::Approved), Actor::System, Approved));
        out.push((InReview, Action::AutoDecide(Outcome::Declined), Actor::System, Declined));
        out
    }

    #[test]
    fn the_whole_table() {
        let legal = legal();
        for current in CaseStatus::ALL {
            for action in ACTIONS {
                let expected = legal.iter().find(|(f, a, ..)| *f == current && *a == action);
                // The least-privileged permitted actor gets the move or the 409.
                let actor = match action {
                    Action::Submit => Actor::Customer,
                    Action::AutoDecide(_) => Actor::System,
                    Action::RespondToEscalation(_) => Actor::Analyst(Role::Senior),
                    _ => Actor::Analyst(Role::Analyst),
                };
                let verdict = judge(current, action, actor);
                match expected {
                    Some((from, _, _, to)) => {
                        assert_eq!(verdict, Verdict::Move { from: *from, to: *to }, "{current:?} {action:?}")
                    }
                    None => assert_eq!(verdict, Verdict::Illegal { current }, "{current:?} {action:?}"),
                }
            }
        }
    }

    #[test]
    fn final_statuses_accept_nothing() {
        for current in [Approved, Declined] {
            for action in ACTIONS {
                for actor in [Actor::Customer, Actor::System, Actor::Analyst(Role::Admin)] {
                    assert!(!matches!(judge(current, action, actor), Verdict::Move { .. }), "{current:?} {action:?}");
                }
            }
        }
    }

    #[test]
    fn roles_and_actors_are_checked_before_the_status() {
        let respond = Action::RespondToEscalation(Recommendation::Approve);
        // An analyst may not answer an escalation, in any status.
        for current in CaseStatus::ALL {
            assert_eq!(judge(current, respond, Actor::Analyst(Role::Analyst)), Verdict::Forbidden);
            assert_eq!(judge(current, Action::Escalate, Actor::Customer), Verdict::Forbidden);
            assert_eq!(judge(current, Action::Decide(Outcome::Approved), Actor::System), Verdict::Forbidden);
            assert_eq!(judge(current, Action::Submit, Actor::Analyst(Role::Admin)), Verdict::Forbidden);
            // A policy's decision is the system's alone; no analyst makes it.
            assert_eq!(
                judge(current, Action::AutoDecide(Outcome::Declined), Actor::Analyst(Role::Admin)),
                Verdict::Forbidden
            );
        }
        // Only from in_review: a returned case is the analyst's.
        assert_eq!(
            judge(Returned, Action::AutoDecide(Outcome::Approved), Actor::System),
            Verdict::Illegal { current: Returned }
        );
        // Roles include the ones below them.
        let to_review = Verdict::Move { from: PendingSenior, to: Returned };
        assert_eq!(judge(PendingSenior, respond, Actor::Analyst(Role::Admin)), to_review);
        assert_eq!(
            judge(InReview, Action::Escalate, Actor::Analyst(Role::Admin)),
            Verdict::Move { from: InReview, to: PendingSenior }
        );
        // A confirmed review submits as the system.
        assert_eq!(judge(InProgress, Action::Submit, Actor::System), Verdict::Move { from: InProgress, to: InReview });
    }

    #[test]
    fn every_status_but_the_first_is_reachable() {
        let actors = [Actor::Customer, Actor::System, Actor::Analyst(Role::Admin)];
        for target in CaseStatus::ALL.into_iter().filter(|s| *s != InProgress) {
            let reached = CaseStatus::ALL.into_iter().any(|from| {
                ACTIONS.iter().any(|a| {
                    actors
                        .iter()
                        .any(|actor| matches!(judge(from, *a, *actor), Verdict::Move { to, .. } if to == target))
                })
            });
            assert!(reached, "{target:?} can never be entered");
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("Admin"), None);
        assert!(Role::Analyst < Role::Senior && Role::Senior < Role::Admin);
    }
}
