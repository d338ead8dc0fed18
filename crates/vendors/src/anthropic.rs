//! The Anthropic Messages API (`POST {base}/v1/messages`, `x-api-key`, `anthropic-version`):
//! per-hit triage with a versioned prompt and a structured (JSON) answer. Any failure — an
//! error status, a timeout, an answer that is not the asked-for JSON — falls back to the
//! offline rules, so a hit is always triaged.

use std::time::Duration;

use fml_app::screening::{BoxFuture, HitTriager, Judged, rules};
use fml_domain::events::HitDisposition;
use fml_domain::screening::ftm::Entity;
use fml_domain::screening::matching::{Features, Subject, SubjectKind};
use fml_domain::screening::triage::Triage;
use serde_json::{Value, json};

pub const DEFAULT_URL: &str = "https://api.anthropic.com";
pub const DEFAULT_MODEL: &str = "claude-opus-4-5";
/// The API version sent in `anthropic-version`.
pub const API_VERSION: &str = "2023-06-01";
/// The triage prompt's version (`promptVersion`); change it with the prompt.
pub const TRIAGE_PROMPT_VERSION: &str = "1";

/// Debug leaves the key out.
#[derive(Clone)]
pub struct Settings {
    pub api_key: String,
    pub base_url: String,
    pub model: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").field("base_url", &self.base_url).field("model", &self.model).finish_non_exhaustive()
    }
}

/// Why a call gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("the request failed: {0}")]
    Transport(String),
    #[error("the API answered {status}: {body}")]
    Status { status: u16, body: String },
    #[error("the answer was not understood: {0}")]
    Answer(String),
}

/// A Messages API client.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    settings: Settings,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("anthropic::Client").field("base_url", &self.settings.base_url).finish()
    }
}

impl Client {
    pub fn new(settings: Settings) -> Self {
        Self { http: crate::client(settings.timeout), settings }
    }

    pub fn model(&self) -> &str {
        &self.settings.model
    }

    /// One message: the text of the answer and the model that gave it.
    pub async fn message(&self, system: &str, user: &str, max_tokens: u32) -> Result<(String, String), CallError> {
        let url = format!("{}/v1/messages", self.settings.base_url.trim_end_matches('/'));
        let body = json!({
            "model": self.settings.model,
            "max_tokens": max_tokens,
            "system": system,
            "messages": [{"role": "user", "content": user}],
        });
        let res = self
            .http
            .post(url)
            .header("x-api-key", &self.settings.api_key)
            .header("anthropic-version", API_VERSION)
            .json(&body)
            .send()
            .await
            .map_err(|e| CallError::Transport(e.to_string()))?;
        let status = res.status().as_u16();
        let text = res.text().await.map_err(|e| CallError::Transport(e.to_string()))?;
        if status != 200 {
            return Err(CallError::Status { status, body: text.chars().take(300).collect() });
        }
        let v: Value = serde_json::from_str(&text).map_err(|e| CallError::Answer(e.to_string()))?;
        let answer: String = v["content"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str())
            .collect();
        if answer.is_empty() {
            return Err(CallError::Answer("no text in the answer".into()));
        }
        let model = v["model"].as_str().unwrap_or(&self.settings.model).to_owned();
        Ok((answer, model))
    }
}

/// The first JSON object in a text (models sometimes wrap it in prose or a code fence).
pub fn json_object(text: &str) -> Option<Value> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    serde_json::from_str(text.get(start..=end)?).ok().filter(Value::is_object)
}

const TRIAGE_SYSTEM: &str = "You are a sanctions and PEP screening analyst at a bank. You judge whether a screening \
hit is the same real-world party as the customer-side subject. Answer with one JSON object only: \
{\"disposition\": \"false_positive\" | \"true_match\" | \"escalate\", \"confidence\": <integer 0-100>, \
\"shortReason\": \"<one sentence an analyst can check>\"}. Use escalate when the evidence is insufficient.";

/// The triage prompt (version [`TRIAGE_PROMPT_VERSION`]): the subject, the listed entity and
/// the matcher's features.
pub fn triage_prompt(subject: &Subject, entity: &Entity, features: &Features, rules_view: &Triage) -> String {
    let kind = match subject.kind {
        SubjectKind::Company => "company",
        SubjectKind::Person => "person",
    };
    let case_side = json!({
        "kind": kind, "name": subject.name, "birthDate": subject.birth_date, "country": subject.country,
    });
    let listed = json!({
        "id": entity.id, "schema": entity.schema, "names": entity.names, "birthDates": entity.birth_dates,
        "countries": entity.countries, "topics": entity.topics, "datasets": entity.datasets,
        "article": entity.article.as_ref().map(|a| json!({"title": a.title, "summary": a.summary})),
    });
    let feats = fml_app::screening::features_json(features, features.score());
    format!(
        "Customer-side subject:\n{case_side}\n\nListed entity:\n{listed}\n\nMatcher features:\n{feats}\n\n\
         A deterministic rule set would say: {} ({}/100): {}\n\nYour JSON answer:",
        fml_app::screening::disposition_str(rules_view.disposition),
        rules_view.confidence,
        rules_view.short_reason
    )
}

/// Reads the model's triage; `None` when it is not the asked-for shape.
pub fn parse_triage(text: &str) -> Option<Triage> {
    let v = json_object(text)?;
    let disposition = match v["disposition"].as_str()? {
        "false_positive" => HitDisposition::FalsePositive,
        "true_match" => HitDisposition::TrueMatch,
        "escalate" => HitDisposition::Escalate,
        _ => return None,
    };
    let confidence = v["confidence"].as_f64().filter(|c| c.is_finite())?.clamp(0.0, 100.0).round();
    let reason: String = v["shortReason"].as_str()?.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.is_empty() {
        return None;
    }
    let short_reason = if reason.chars().count() > 300 {
        format!("{}…", reason.chars().take(299).collect::<String>())
    } else {
        reason
    };
    Some(Triage { confidence, disposition, short_reason })
}

/// Hit triage by a model, falling back to the rules.
#[derive(Debug, Clone)]
pub struct ModelTriager {
    client: Client,
}

impl ModelTriager {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

impl HitTriager for ModelTriager {
    fn triage<'a>(&'a self, subject: &'a Subject, entity: &'a Entity, features: &'a Features) -> BoxFuture<'a, Judged> {
        Box::pin(async move {
            let fallback = rules(features);
            let prompt = triage_prompt(subject, entity, features, &fallback.triage);
            match self.client.message(TRIAGE_SYSTEM, &prompt, 300).await {
                Ok((text, model)) => match parse_triage(&text) {
                    Some(triage) => Judged { triage, model, version: TRIAGE_PROMPT_VERSION.to_owned() },
                    None => {
                        tracing::warn!(entity = %entity.id, "the model's triage was not the asked-for JSON; rules used");
                        fallback
                    }
                },
                Err(e) => {
                    tracing::warn!(entity = %entity.id, error = %e, "model triage failed; rules used");
                    fallback
                }
            }
        })
    }
}

/// The case review prompt's version (stored with each review as `promptVersion`).
pub const REVIEW_PROMPT_VERSION: &str = "review-1";
/// Most risk factors kept from a model's review.
const MAX_FACTORS: usize = 20;

const REVIEW_SYSTEM: &str = "You are a senior KYB compliance analyst at a bank doing the case review of a business \
customer. From the facts given (screening hits with any analyst dispositions, the risk score and band, outstanding \
enhanced due diligence, documents, people), recommend Approve, Refer or Decline, with the risk factors behind it, \
each one sentence an analyst can check against the facts. Never invent facts. Answer with one JSON object only: \
{\"recommendation\": \"Approve\" | \"Refer\" | \"Decline\", \"confidence\": \"High\" | \"Medium\" | \"Low\", \
\"riskFactors\": [{\"text\": \"<sentence>\", \"severity\": \"HIGH\" | \"MEDIUM\" | \"LOW\"}]}.";

/// The review prompt (version [`REVIEW_PROMPT_VERSION`]): the stored inputs as JSON, and what
/// the rules would say.
pub fn review_prompt(inputs: &fml_domain::review::Inputs, rules_view: &fml_domain::review::Review) -> String {
    let facts = serde_json::to_string_pretty(inputs).unwrap_or_default();
    let rules: Vec<Value> =
        rules_view.factors.iter().map(|f| json!({"text": f.text, "severity": f.severity})).collect();
    format!(
        "Case facts:\n{facts}\n\nA deterministic rule set would say: {} ({} confidence), factors: {}\n\nYour JSON answer:",
        serde_json::to_value(rules_view.recommendation).unwrap_or_default(),
        serde_json::to_value(rules_view.confidence).unwrap_or_default(),
        Value::Array(rules)
    )
}

/// Reads the model's review; `None` when it is not the asked-for shape.
pub fn parse_review(text: &str) -> Option<fml_domain::review::Review> {
    use fml_domain::events::{AiRecommendation, Confidence, RiskSeverity};
    let v = json_object(text)?;
    let recommendation: AiRecommendation = serde_json::from_value(v.get("recommendation")?.clone()).ok()?;
    let confidence: Confidence = serde_json::from_value(v.get("confidence")?.clone()).ok()?;
    let mut factors = Vec::new();
    for f in v.get("riskFactors")?.as_array()?.iter().take(MAX_FACTORS) {
        let text: String = f.get("text")?.as_str()?.split_whitespace().collect::<Vec<_>>().join(" ");
        let severity: RiskSeverity = serde_json::from_value(f.get("severity")?.clone()).ok()?;
        if text.is_empty() || text.chars().count() > 500 {
            return None;
        }
        factors.push(fml_domain::review::Factor { text, severity });
    }
    Some(fml_domain::review::Review { recommendation, confidence, factors })
}

/// The case review by a model, falling back to the rules on an error, a timeout or an answer
/// that is not the asked-for JSON.
#[derive(Debug, Clone)]
pub struct ModelReviewer {
    client: Client,
}

impl ModelReviewer {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

impl fml_app::review::CaseReviewer for ModelReviewer {
    fn review<'a>(&'a self, inputs: &'a fml_domain::review::Inputs) -> BoxFuture<'a, fml_app::review::Reviewed> {
        Box::pin(async move {
            let fallback = fml_app::review::Reviewed::rules(inputs);
            let prompt = review_prompt(inputs, &fallback.review);
            match self.client.message(REVIEW_SYSTEM, &prompt, 1500).await {
                Ok((text, model)) => match parse_review(&text) {
                    Some(review) => {
                        fml_app::review::Reviewed { review, model, version: REVIEW_PROMPT_VERSION.to_owned() }
                    }
                    None => {
                        tracing::warn!("the model's case review was not the asked-for JSON; rules used");
                        fallback
                    }
                },
                Err(e) => {
                    tracing::warn!(error = %e, "model case review failed; rules used");
                    fallback
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviews_are_read_strictly() {
        let ok = r#"Here: {"recommendation": "Refer", "confidence": "Medium", "riskFactors": [{"text": "UBO is a PEP", "severity": "MEDIUM"}]}"#;
        let r = parse_review(ok).unwrap();
        assert_eq!(r.recommendation, fml_domain::events::AiRecommendation::Refer);
        assert_eq!(r.factors.len(), 1);
        for bad in [
            r#"{"recommendation": "Maybe", "confidence": "Medium", "riskFactors": []}"#,
            r#"{"recommendation": "Approve", "confidence": "medium", "riskFactors": []}"#,
            r#"{"recommendation": "Approve", "confidence": "High", "riskFactors": [{"text": "x", "severity": "SEVERE"}]}"#,
            r#"{"recommendation": "Approve", "confidence": "High", "riskFactors": [{"text": " ", "severity": "LOW"}]}"#,
            r#"{"recommendation": "Approve", "confidence": "High"}"#,
            "I would approve.",
        ] {
            assert!(parse_review(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn answers_are_read_strictly() {
        let ok = parse_triage("Sure:\n```json\n{\"disposition\": \"true_match\", \"confidence\": 92.4, \"shortReason\": \"Same name,\\n same DOB.\"}\n```").unwrap();
        assert_eq!((ok.disposition, ok.confidence), (HitDisposition::TrueMatch, 92.0));
        assert_eq!(ok.short_reason, "Same name, same DOB.");
        assert_eq!(
            parse_triage(r#"{"disposition": "true_match", "confidence": 140, "shortReason": "x"}"#).unwrap().confidence,
            100.0
        );
        for bad in [
            "no json here",
            r#"{"disposition": "maybe", "confidence": 50, "shortReason": "x"}"#,
            r#"{"disposition": "escalate", "confidence": "high", "shortReason": "x"}"#,
            r#"{"disposition": "escalate", "confidence": 50, "shortReason": "  "}"#,
            r#"{"disposition": "escalate", "confidence": 50}"#,
        ] {
            assert!(parse_triage(bad).is_none(), "{bad}");
        }
        let long = format!(r#"{{"disposition": "escalate", "confidence": 50, "shortReason": "{}"}}"#, "a".repeat(400));
        assert_eq!(parse_triage(&long).unwrap().short_reason.chars().count(), 300);
    }
}
