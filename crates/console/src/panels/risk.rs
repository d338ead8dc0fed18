//! The risk and routing panel: the latest risk assessment with its factors, and the outcome of
//! the routing policy.

use askama::Template;
use fml_app::queries::CasePage;
use serde_json::Value;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::When;

pub struct FactorLine {
    pub label: String,
    pub score: String,
    pub weight: String,
    pub contribution: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "console/panels/risk.html")]
struct Risk<'a> {
    csrf: &'a str,
    id: String,
    /// Score, band id, band label, by, when, config id, override reason.
    assessment: Option<(String, String, String, String, When, i64, String)>,
    factors: Vec<FactorLine>,
    /// Policy name, rule, outcome, decided.
    routing: Option<(String, String, String, String)>,
}

pub(super) fn risk(page: &CasePage, csrf: &str) -> Result<Rendered, ConsoleError> {
    let (a, r) = (&page.engines.assessment, &page.engines.routing);
    let factors = a
        .as_ref()
        .map(|a| serde_json::from_str::<Vec<Value>>(&a.factors).unwrap_or_default())
        .unwrap_or_default()
        .iter()
        .map(|f| {
            let n = |k: &str| f.get(k).and_then(Value::as_f64).unwrap_or(0.0);
            FactorLine {
                label: f.get("label").and_then(Value::as_str).unwrap_or_default().to_owned(),
                score: format!("{:.0}", n("score")),
                weight: format!("{:.0}", n("weight")),
                contribution: format!("{:.1}", n("contribution")),
                reason: f.get("reason").and_then(Value::as_str).unwrap_or_default().to_owned(),
            }
        })
        .collect();
    let assessment = a.as_ref().map(|a| {
        (
            format!("{:.0}", a.composite_score),
            a.band.clone(),
            a.band_label.clone(),
            a.assessed_by.clone(),
            When::millis(a.assessed_at),
            a.config_id,
            a.override_reason.clone().unwrap_or_default(),
        )
    });
    let routing = r.as_ref().map(|r| {
        let rule = r.matched_rule_index.map_or_else(|| "default branch".to_owned(), |i| format!("rule {i}"));
        (r.policy_name.clone(), rule, r.outcome.clone(), r.decided.clone().unwrap_or_default())
    });
    rendered(
        "risk",
        "Risk and routing",
        Risk { csrf, id: page.engines.case.id.to_string(), assessment, factors, routing },
    )
}
