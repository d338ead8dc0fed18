//! The AI case review panel: the latest review's recommendation, confidence and risk factors.

use askama::Template;
use fml_app::queries::CasePage;
use serde_json::Value;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::When;

pub struct ReviewLine {
    pub recommendation: String,
    pub confidence: String,
    pub by: String,
    pub at: When,
    pub model: String,
    /// Text and severity (lower case).
    pub factors: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/panels/ai_review.html")]
struct AiReview<'a> {
    csrf: &'a str,
    id: String,
    latest: Option<ReviewLine>,
    earlier: usize,
}

pub(super) fn ai_review(page: &CasePage, csrf: &str) -> Result<Rendered, ConsoleError> {
    let earlier = page.earlier_reviews;
    let latest = page.engines.review.as_ref().map(|r| {
        let factors: Vec<Value> = serde_json::from_str(&r.risk_factors).unwrap_or_default();
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let factors = factors.iter().map(|f| (text(f, "text"), text(f, "severity").to_lowercase())).collect();
        ReviewLine {
            recommendation: r.recommendation.clone(),
            confidence: r.confidence.clone(),
            by: r.triggered_by.clone(),
            at: When::millis(r.completed_at),
            model: r.model.clone(),
            factors,
        }
    });
    rendered("ai-review", "Case review", AiReview { csrf, id: page.engines.case.id.to_string(), latest, earlier })
}
