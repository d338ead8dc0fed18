//! The risk and routing panel: the latest risk assessment with its factors, and the outcome of
//! the routing policy.

use askama::Template;
use fml_app::Analyst;
use fml_store::cases::CaseRecord;
use serde_json::Value;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::When;
use fml_web::state::AppState;

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

pub(super) async fn risk(st: &AppState, who: &Analyst, csrf: &str, c: &CaseRecord) -> Result<Rendered, ConsoleError> {
    let (a, r) = {
        let mut conn = st.db.reader().await?;
        let a = fml_store::risk::latest_assessment(conn.conn(), &who.org, c.id).await?;
        let r = fml_store::risk::latest_routing(conn.conn(), &who.org, c.id).await?;
        (a, r)
    };
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
    let assessment = a.map(|a| {
        (
            format!("{:.0}", a.composite_score),
            a.band,
            a.band_label,
            a.assessed_by,
            When::millis(a.assessed_at),
            a.config_id,
            a.override_reason.unwrap_or_default(),
        )
    });
    let routing = r.map(|r| {
        let rule = r.matched_rule_index.map_or_else(|| "default branch".to_owned(), |i| format!("rule {i}"));
        (r.policy_name, rule, r.outcome, r.decided.unwrap_or_default())
    });
    rendered("risk", "Risk and routing", Risk { csrf, id: c.id.to_string(), assessment, factors, routing })
}
