//! The case review (the offline default of the "AI case review", `rules-v1`): a
//! recommendation over the whole case — screening, risk, EDD, documents — with the risk
//! factors that led to it, each a sentence an analyst can check against what is stored.

use serde::{Deserialize, Serialize};

use crate::events::{AiRecommendation, Confidence, RiskSeverity};

/// The reviewer's name (`model`) and rules' version.
pub const MODEL: &str = "rules-v1";
pub const VERSION: &str = "1";

/// A hit as the review sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HitFact {
    pub subject: String,
    /// director, shareholder, ubo; none for the company.
    pub role: Option<String>,
    /// sanctioned, pep, match.
    pub standing: String,
    pub entity: String,
    /// The analyst's disposition, if any (false_positive, true_match, escalate).
    pub review: Option<String>,
    pub adverse_media: bool,
}

/// One person's identity verification as the review sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdvFact {
    pub person: String,
    /// dispatched, satisfied, pass, fail, manual_review.
    pub status: String,
}

/// What the review reads, stored with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inputs {
    pub company_name: Option<String>,
    pub country: Option<String>,
    pub screened: bool,
    pub hits: Vec<HitFact>,
    /// Score and band label of the latest assessment.
    pub risk: Option<(f64, String)>,
    pub risk_band: Option<String>,
    pub edd_outstanding: Vec<String>,
    pub documents: u32,
    pub documents_errored: u32,
    pub people: u32,
    /// The people's identity checks (reviews stored before they were read have none).
    #[serde(default)]
    pub idv: Vec<IdvFact>,
}

/// One factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    pub text: String,
    pub severity: RiskSeverity,
}

/// A review.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub recommendation: AiRecommendation,
    pub confidence: Confidence,
    pub factors: Vec<Factor>,
}

fn who(h: &HitFact) -> String {
    match h.role.as_deref() {
        Some("director") => format!("Director {}", h.subject),
        Some("shareholder") => format!("Shareholder {}", h.subject),
        Some("ubo") => format!("UBO {}", h.subject),
        Some(r) => format!("{r} {}", h.subject),
        None => format!("The company {}", h.subject),
    }
}

/// The factors, gravest first, and the recommendation they give.
pub fn review(i: &Inputs) -> Review {
    let mut factors = Vec::new();
    let mut confirmed_sanction = false;
    for h in &i.hits {
        let state = match h.review.as_deref() {
            Some("false_positive") => continue,
            Some("true_match") => "confirmed by an analyst",
            _ => "pending adjudication",
        };
        let (what, severity) = match (h.adverse_media, h.standing.as_str()) {
            (true, _) => ("an adverse-media mention", RiskSeverity::Medium),
            (false, "sanctioned") => ("a sanctions screening hit", RiskSeverity::High),
            (false, "pep") => ("a PEP screening hit", RiskSeverity::Medium),
            _ => ("a watch-list match", RiskSeverity::Medium),
        };
        if h.standing == "sanctioned" && !h.adverse_media && h.review.as_deref() == Some("true_match") {
            confirmed_sanction = true;
        }
        factors.push(Factor { text: format!("{} returned {what} ({}) {state}", who(h), h.entity), severity });
    }
    if !i.screened {
        factors.push(Factor { text: "Screening has not run on this case yet".into(), severity: RiskSeverity::Medium });
    }
    match i.risk_band.as_deref() {
        Some("prohibited") => factors.push(Factor {
            text: format!("Risk band Prohibited (score {})", i.risk.as_ref().map_or(0.0, |r| r.0)),
            severity: RiskSeverity::High,
        }),
        Some("high") => factors.push(Factor {
            text: format!("Risk band High (score {})", i.risk.as_ref().map_or(0.0, |r| r.0)),
            severity: RiskSeverity::Medium,
        }),
        None => factors.push(Factor { text: "No risk assessment yet".into(), severity: RiskSeverity::Low }),
        _ => {}
    }
    if !i.edd_outstanding.is_empty() {
        factors.push(Factor {
            text: format!(
                "{} EDD requirement(s) outstanding: {}",
                i.edd_outstanding.len(),
                i.edd_outstanding.join(", ")
            ),
            severity: RiskSeverity::Medium,
        });
    }
    if i.documents_errored > 0 {
        factors.push(Factor {
            text: format!("{} document(s) could not be processed", i.documents_errored),
            severity: RiskSeverity::Low,
        });
    }
    for c in &i.idv {
        let (text, severity) = match c.status.as_str() {
            "fail" => ("failed", RiskSeverity::High),
            "manual_review" => ("needs a manual review", RiskSeverity::Medium),
            "dispatched" => ("is still awaited", RiskSeverity::Low),
            _ => continue,
        };
        factors.push(Factor { text: format!("Identity verification of {} {text}", c.person), severity });
    }
    if i.documents == 0 {
        factors.push(Factor { text: "No documents on file".into(), severity: RiskSeverity::Low });
    }
    if i.people == 0 {
        factors.push(Factor { text: "No directors or shareholders declared".into(), severity: RiskSeverity::Medium });
    }
    let rank = |s: RiskSeverity| match s {
        RiskSeverity::High => 0,
        RiskSeverity::Medium => 1,
        RiskSeverity::Low => 2,
    };
    factors.sort_by_key(|f| rank(f.severity));
    let high = factors.iter().any(|f| f.severity == RiskSeverity::High);
    let medium = factors.iter().any(|f| f.severity == RiskSeverity::Medium);
    let (recommendation, confidence) = if confirmed_sanction {
        (AiRecommendation::Decline, Confidence::High)
    } else if i.risk_band.as_deref() == Some("prohibited") {
        (AiRecommendation::Decline, Confidence::Medium)
    } else if high || medium {
        (AiRecommendation::Refer, Confidence::Medium)
    } else if factors.is_empty() {
        (AiRecommendation::Approve, Confidence::High)
    } else {
        (AiRecommendation::Approve, Confidence::Medium)
    };
    Review { recommendation, confidence, factors }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> Inputs {
        Inputs {
            company_name: Some("Acme".into()),
            country: Some("GB".into()),
            screened: true,
            hits: Vec::new(),
            risk: Some((12.0, "Low".into())),
            risk_band: Some("low".into()),
            edd_outstanding: Vec::new(),
            documents: 2,
            documents_errored: 0,
            people: 1,
            idv: vec![IdvFact { person: "Maria Lopez".into(), status: "pass".into() }],
        }
    }

    fn hit(standing: &str, review: Option<&str>) -> HitFact {
        HitFact {
            subject: "Maria Lopez".into(),
            role: Some("ubo".into()),
            standing: standing.into(),
            entity: "NK-1".into(),
            review: review.map(Into::into),
            adverse_media: false,
        }
    }

    #[test]
    fn a_clean_case_is_approved_with_confidence() {
        let r = review(&clean());
        assert_eq!((r.recommendation, r.confidence), (AiRecommendation::Approve, Confidence::High));
        assert!(r.factors.is_empty());
    }

    #[test]
    fn a_pending_pep_hit_refers_and_says_who() {
        let mut i = clean();
        i.hits.push(hit("pep", None));
        let r = review(&i);
        assert_eq!(r.recommendation, AiRecommendation::Refer);
        assert_eq!(r.factors[0].text, "UBO Maria Lopez returned a PEP screening hit (NK-1) pending adjudication");
        assert_eq!(r.factors[0].severity, RiskSeverity::Medium);
        i.hits[0].review = Some("false_positive".into());
        assert_eq!(review(&i).recommendation, AiRecommendation::Approve, "a cleared hit no longer counts");
    }

    #[test]
    fn a_confirmed_sanctions_hit_declines() {
        let mut i = clean();
        i.hits.push(hit("sanctioned", Some("true_match")));
        i.risk_band = Some("prohibited".into());
        let r = review(&i);
        assert_eq!((r.recommendation, r.confidence), (AiRecommendation::Decline, Confidence::High));
        assert_eq!(r.factors.iter().filter(|f| f.severity == RiskSeverity::High).count(), 2);
        let mut unscreened = clean();
        unscreened.screened = false;
        unscreened.risk = None;
        unscreened.risk_band = None;
        unscreened.documents = 0;
        let r = review(&unscreened);
        assert_eq!(r.recommendation, AiRecommendation::Refer);
        assert_eq!(r.factors.len(), 3);
    }

    #[test]
    fn identity_verification_counts_until_it_passes() {
        let mut i = clean();
        i.idv[0].status = "fail".into();
        let r = review(&i);
        assert_eq!(r.recommendation, AiRecommendation::Refer);
        assert_eq!(
            r.factors,
            [Factor { text: "Identity verification of Maria Lopez failed".into(), severity: RiskSeverity::High }]
        );
        i.idv[0].status = "manual_review".into();
        assert_eq!(review(&i).factors[0].severity, RiskSeverity::Medium);
        i.idv[0].status = "dispatched".into();
        let r = review(&i);
        assert_eq!((r.recommendation, r.confidence), (AiRecommendation::Approve, Confidence::Medium));
        assert_eq!(r.factors[0].text, "Identity verification of Maria Lopez is still awaited");
        i.idv[0].status = "satisfied".into();
        assert!(review(&i).factors.is_empty(), "a document on file stands in for the check");
        let old: Inputs = serde_json::from_value(serde_json::json!({
            "companyName": "Acme", "country": "GB", "screened": true, "hits": [], "risk": null, "riskBand": null,
            "eddOutstanding": [], "documents": 1, "documentsErrored": 0, "people": 1
        }))
        .unwrap();
        assert!(old.idv.is_empty(), "inputs stored before IDV was read still load");
    }
}
