//! The AI case review panel: the latest review's recommendation, confidence and risk factors.

use askama::Template;
use fml_app::Analyst;
use fml_store::cases::CaseRecord;
use serde_json::Value;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::When;
use fml_web::state::AppState;

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

pub(super) async fn ai_review(
    st: &AppState,
    who: &Analyst,
    csrf: &str,
    c: &CaseRecord,
) -> Result<Rendered, ConsoleError> {
    let rows = {
        let mut r = st.db.reader().await?;
        fml_store::reviews::for_case(r.conn(), &who.org, c.id).await?
    };
    let earlier = rows.len().saturating_sub(1);
    let latest = rows.into_iter().next().map(|r| {
        let factors: Vec<Value> = serde_json::from_str(&r.risk_factors).unwrap_or_default();
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let factors = factors.iter().map(|f| (text(f, "text"), text(f, "severity").to_lowercase())).collect();
        ReviewLine {
            recommendation: r.recommendation,
            confidence: r.confidence,
            by: r.triggered_by,
            at: When::millis(r.completed_at),
            model: r.model,
            factors,
        }
    });
    rendered("ai-review", "Case review", AiReview { csrf, id: c.id.to_string(), latest, earlier })
}
