//! How a hit's standing, disposition and match features are spelled where they are stored and
//! shown, so the run, the analyst's review and the adapters all write them the same way.

use fml_domain::events::HitDisposition;
use fml_domain::screening::ftm::Standing;
use fml_domain::screening::matching::{Agreement, Features};
use serde_json::json;

fn agreement(a: Agreement) -> &'static str {
    match a {
        Agreement::Same => "same",
        Agreement::Different => "different",
        Agreement::Unknown => "unknown",
    }
}

/// The features as stored with the hit (and shown to the analyst).
pub fn features_json(f: &Features, score: f64) -> serde_json::Value {
    json!({
        "name": (f.name * 1000.0).round() / 1000.0,
        "matchedName": f.matched_name,
        "birthDate": agreement(f.birth_date),
        "country": agreement(f.country),
        "kindAgrees": f.kind_agrees,
        "score": (score * 1000.0).round() / 1000.0,
    })
}

pub fn standing_str(s: Standing) -> &'static str {
    match s {
        Standing::Sanctioned => "sanctioned",
        Standing::Pep => "pep",
        Standing::Match => "match",
    }
}

pub fn disposition_str(d: HitDisposition) -> &'static str {
    match d {
        HitDisposition::FalsePositive => "false_positive",
        HitDisposition::TrueMatch => "true_match",
        HitDisposition::Escalate => "escalate",
    }
}

pub fn parse_disposition(raw: &str) -> Option<HitDisposition> {
    [HitDisposition::FalsePositive, HitDisposition::TrueMatch, HitDisposition::Escalate]
        .into_iter()
        .find(|d| disposition_str(*d) == raw)
}
