//! Decision controls (four eyes): which cases are *high-risk*, and who may approve one, on
//! what terms. A pure rule, applied by the decision command for every surface (the analyst
//! API, the console, the CLI), so no door approves a case another door would refuse.
//!
//! - A case is high-risk when any [`Concern`] holds: a screening hit an analyst confirmed as a
//!   true match; a sanctions or PEP hit nobody has disposed of yet; a risk band of high or
//!   prohibited; a latest routing outcome that declines or refers; an unresolved monitoring
//!   alert.
//! - Declining is never held back: the controls guard the way *in*, not the way out.
//! - Approving a high-risk case takes a senior or an admin, and their reason: the approval is
//!   an override, recorded as one.
//! - With the tenant's maker-checker setting, a high-risk approval takes two different people:
//!   the first senior approval is recorded as pending; only another senior or admin completes
//!   it.

use crate::lifecycle::Role;

/// A hit as the controls see it (from the case's latest screening run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitFact {
    pub subject: String,
    /// `sanctioned`, `pep` or `match`.
    pub standing: String,
    /// The analyst's disposition: `true_match`, `false_positive`, `escalate`, or none yet.
    pub disposition: Option<String>,
}

/// What the controls read about a case, all from one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub hits: Vec<HitFact>,
    /// The latest risk assessment's band (`low`, `medium`, `high`, `prohibited`).
    pub band: Option<String>,
    /// The latest routing evaluation's outcome (e.g. `DECLINE`, `REVIEW_LEVEL_2`).
    pub routing: Option<String>,
    /// Monitoring alerts not yet resolved.
    pub open_alerts: u32,
}

/// One reason a case is high-risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Concern {
    ConfirmedMatch { subject: String, standing: String },
    UndisposedHit { subject: String, standing: String },
    RiskBand(String),
    Routing(String),
    OpenAlerts(u32),
}

impl std::fmt::Display for Concern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let standing = |s: &str| match s {
            "sanctioned" => "sanctions",
            "pep" => "PEP",
            _ => "watch-list",
        };
        match self {
            Concern::ConfirmedMatch { subject, standing: s } => {
                write!(f, "{subject}: {} hit confirmed as a true match", standing(s))
            }
            Concern::UndisposedHit { subject, standing: s } => {
                write!(f, "{subject}: {} hit not yet disposed of", standing(s))
            }
            Concern::RiskBand(band) => write!(f, "risk band {band}"),
            Concern::Routing(outcome) => write!(f, "routing outcome {outcome}"),
            Concern::OpenAlerts(1) => write!(f, "1 monitoring alert unresolved"),
            Concern::OpenAlerts(n) => write!(f, "{n} monitoring alerts unresolved"),
        }
    }
}

/// Whether a routing outcome declines or refers the case: `DECLINE`, any outcome naming a
/// referral or a senior (`REFER_TO_MLRO`, `SENIOR_REVIEW`), or a second or higher review level
/// (`REVIEW_LEVEL_2`). Outcomes are a tenant's own words, so the rule reads their shape.
pub fn routing_is_adverse(outcome: &str) -> bool {
    if outcome == crate::policy::DECLINE || outcome.contains("REFER") || outcome.contains("SENIOR") {
        return true;
    }
    outcome.strip_prefix("REVIEW_LEVEL_").and_then(|n| n.parse::<u32>().ok()).is_some_and(|level| level >= 2)
}

/// Everything that makes the case high-risk, gravest first; empty when it is not.
pub fn concerns(facts: &Facts) -> Vec<Concern> {
    let mut out = Vec::new();
    for h in &facts.hits {
        match h.disposition.as_deref() {
            Some("true_match") => {
                out.push(Concern::ConfirmedMatch { subject: h.subject.clone(), standing: h.standing.clone() })
            }
            Some("false_positive") => {}
            // Not disposed of (or sent up for a second look, which is not a disposal).
            _ if matches!(h.standing.as_str(), "sanctioned" | "pep") => {
                out.push(Concern::UndisposedHit { subject: h.subject.clone(), standing: h.standing.clone() })
            }
            _ => {}
        }
    }
    if let Some(band) = facts.band.as_deref().filter(|b| matches!(*b, "high" | "prohibited")) {
        out.push(Concern::RiskBand(band.to_owned()));
    }
    if let Some(outcome) = facts.routing.as_deref().filter(|o| routing_is_adverse(o)) {
        out.push(Concern::Routing(outcome.to_owned()));
    }
    if facts.open_alerts > 0 {
        out.push(Concern::OpenAlerts(facts.open_alerts));
    }
    out
}

/// An approval someone asked for under maker-checker, waiting for a second person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Who gave the first approval (their email, as the audit names them).
    pub by: String,
}

/// The approval being asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    pub role: Role,
    /// Who asks (email).
    pub who: &'a str,
    /// Whether they gave a reason (non-blank notes).
    pub has_notes: bool,
    /// The tenant's maker-checker setting.
    pub maker_checker: bool,
    /// A first approval already waiting on this case.
    pub pending: Option<&'a Pending>,
}

/// What the controls rule on an approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ruling {
    /// Approve now; `overrides` lists the concerns the approver overrode (empty: an ordinary
    /// approval).
    Approve { overrides: Vec<Concern> },
    /// Record this approval as the first of two; a different senior or admin completes it.
    AwaitSecond { concerns: Vec<Concern> },
    /// 403 `senior_approval_required`: only a senior or an admin may approve this case.
    SeniorRequired(Vec<Concern>),
    /// 400 `validation_error` on `notes`: an override needs its reason.
    ReasonRequired,
    /// 403 `second_approver_required`: the first approver cannot also be the second.
    SecondApproverRequired,
}

/// The rule for approving a case with these concerns.
pub fn approve(concerns: Vec<Concern>, r: Request<'_>) -> Ruling {
    if concerns.is_empty() {
        return Ruling::Approve { overrides: concerns };
    }
    if r.role < Role::Senior {
        return Ruling::SeniorRequired(concerns);
    }
    if !r.has_notes {
        return Ruling::ReasonRequired;
    }
    if !r.maker_checker {
        return Ruling::Approve { overrides: concerns };
    }
    match r.pending {
        None => Ruling::AwaitSecond { concerns },
        Some(p) if p.by.eq_ignore_ascii_case(r.who) => Ruling::SecondApproverRequired,
        Some(_) => Ruling::Approve { overrides: concerns },
    }
}

/// Whether `who` may answer an escalation `raised_by` raised: never their own.
pub fn may_answer_escalation(raised_by: &str, who: &str) -> bool {
    !raised_by.eq_ignore_ascii_case(who)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(standing: &str, disposition: Option<&str>) -> HitFact {
        HitFact { subject: "Jane Smith".into(), standing: standing.into(), disposition: disposition.map(Into::into) }
    }

    fn facts_with(f: impl FnOnce(&mut Facts)) -> Facts {
        let mut facts = Facts { band: Some("low".into()), routing: Some("REVIEW_LEVEL_1".into()), ..Facts::default() };
        f(&mut facts);
        facts
    }

    #[test]
    fn what_makes_a_case_high_risk() {
        // (facts, expected concerns) — every condition alone, and the ones that do not count.
        let table: Vec<(Facts, Vec<Concern>)> = vec![
            (facts_with(|_| {}), vec![]),
            (Facts::default(), vec![]),
            (
                facts_with(|f| f.hits.push(hit("sanctioned", Some("true_match")))),
                vec![Concern::ConfirmedMatch { subject: "Jane Smith".into(), standing: "sanctioned".into() }],
            ),
            (
                facts_with(|f| f.hits.push(hit("match", Some("true_match")))),
                vec![Concern::ConfirmedMatch { subject: "Jane Smith".into(), standing: "match".into() }],
            ),
            (
                facts_with(|f| f.hits.push(hit("sanctioned", None))),
                vec![Concern::UndisposedHit { subject: "Jane Smith".into(), standing: "sanctioned".into() }],
            ),
            (
                facts_with(|f| f.hits.push(hit("pep", None))),
                vec![Concern::UndisposedHit { subject: "Jane Smith".into(), standing: "pep".into() }],
            ),
            // Sent up for a second look is not disposed of.
            (
                facts_with(|f| f.hits.push(hit("pep", Some("escalate")))),
                vec![Concern::UndisposedHit { subject: "Jane Smith".into(), standing: "pep".into() }],
            ),
            (facts_with(|f| f.hits.push(hit("sanctioned", Some("false_positive")))), vec![]),
            (facts_with(|f| f.hits.push(hit("pep", Some("false_positive")))), vec![]),
            // A plain name match nobody has looked at is the analyst's to clear.
            (facts_with(|f| f.hits.push(hit("match", None))), vec![]),
            (facts_with(|f| f.band = Some("high".into())), vec![Concern::RiskBand("high".into())]),
            (facts_with(|f| f.band = Some("prohibited".into())), vec![Concern::RiskBand("prohibited".into())]),
            (facts_with(|f| f.band = Some("medium".into())), vec![]),
            (facts_with(|f| f.routing = Some("DECLINE".into())), vec![Concern::Routing("DECLINE".into())]),
            (
                facts_with(|f| f.routing = Some("REVIEW_LEVEL_2".into())),
                vec![Concern::Routing("REVIEW_LEVEL_2".into())],
            ),
            (facts_with(|f| f.routing = Some("REFER_TO_MLRO".into())), vec![Concern::Routing("REFER_TO_MLRO".into())]),
            (facts_with(|f| f.routing = Some("AUTO_APPROVE".into())), vec![]),
            (facts_with(|f| f.open_alerts = 2), vec![Concern::OpenAlerts(2)]),
        ];
        for (facts, expected) in table {
            assert_eq!(concerns(&facts), expected, "{facts:?}");
        }
    }

    #[test]
    fn every_concern_is_listed_in_order() {
        let facts = Facts {
            hits: vec![hit("sanctioned", Some("true_match")), hit("pep", None)],
            band: Some("prohibited".into()),
            routing: Some("DECLINE".into()),
            open_alerts: 1,
        };
        let text: Vec<String> = concerns(&facts).iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "Jane Smith: sanctions hit confirmed as a true match",
                "Jane Smith: PEP hit not yet disposed of",
                "risk band prohibited",
                "routing outcome DECLINE",
                "1 monitoring alert unresolved",
            ]
        );
    }

    #[test]
    fn routing_outcomes_that_decline_or_refer() {
        for adverse in ["DECLINE", "REVIEW_LEVEL_2", "REVIEW_LEVEL_3", "REVIEW_LEVEL_10", "REFER", "SENIOR_REVIEW"] {
            assert!(routing_is_adverse(adverse), "{adverse}");
        }
        for fine in ["AUTO_APPROVE", "REVIEW_LEVEL_1", "REVIEW_LEVEL_", "REVIEW_LEVEL_X", "STANDARD", "DECLINED_LATER"]
        {
            // DECLINED_LATER is a tenant's own word, not the policy's DECLINE.
            assert!(!routing_is_adverse(fine), "{fine}");
        }
    }

    /// The whole approval table: (high-risk?, role, notes?, maker-checker?, pending by) → ruling.
    #[test]
    fn the_whole_approval_table() {
        let risky = || vec![Concern::RiskBand("prohibited".into())];
        let me = "sam@bank.example";
        let other = Pending { by: "olga@bank.example".into() };
        let mine = Pending { by: "SAM@bank.example".into() };
        for role in Role::ALL {
            for has_notes in [false, true] {
                for maker_checker in [false, true] {
                    for pending in [None, Some(&other), Some(&mine)] {
                        let r = Request { role, who: me, has_notes, maker_checker, pending };
                        // Not high-risk: anyone approves, with or without notes or a pending row.
                        assert_eq!(approve(vec![], r), Ruling::Approve { overrides: vec![] }, "{r:?}");
                        let expected = if role == Role::Analyst {
                            Ruling::SeniorRequired(risky())
                        } else if !has_notes {
                            Ruling::ReasonRequired
                        } else if !maker_checker {
                            Ruling::Approve { overrides: risky() }
                        } else {
                            match pending {
                                None => Ruling::AwaitSecond { concerns: risky() },
                                Some(p) if p == &mine => Ruling::SecondApproverRequired,
                                Some(_) => Ruling::Approve { overrides: risky() },
                            }
                        };
                        assert_eq!(approve(risky(), r), expected, "{r:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn nobody_answers_their_own_escalation() {
        assert!(!may_answer_escalation("sam@bank.example", "sam@bank.example"));
        assert!(!may_answer_escalation("Sam@Bank.example", "sam@bank.example"));
        assert!(may_answer_escalation("sam@bank.example", "olga@bank.example"));
    }
}
