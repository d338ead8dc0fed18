//! A yente-compatible matching API (OpenSanctions' `POST /match/{dataset}`): one query per
//! subject — `{"queries": {"q": {"schema", "properties": {"name", "birthDate", "nationality"
//! | "jurisdiction"}}}}` — answered with scored FtM entities under `responses.q.results`.

use std::time::Duration;

use fml_app::screening::{BoxFuture, RemoteMatcher};
use fml_domain::screening::ftm::{Entity, parse_line};
use fml_domain::screening::matching::{Subject, SubjectKind};
use serde_json::{Value, json};

/// Debug leaves the key out.
#[derive(Clone)]
pub struct Settings {
    pub base_url: String,
    /// The dataset path segment (`default`, `sanctions`, …).
    pub dataset: String,
    /// Sent as `Authorization: ApiKey …` (the hosted API's scheme) when set.
    pub api_key: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("base_url", &self.base_url)
            .field("dataset", &self.dataset)
            .finish_non_exhaustive()
    }
}

/// Results asked for per subject.
const LIMIT: usize = 10;

#[derive(Clone)]
pub struct Yente {
    http: reqwest::Client,
    settings: Settings,
}

impl std::fmt::Debug for Yente {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Yente")
            .field("base_url", &self.settings.base_url)
            .field("dataset", &self.settings.dataset)
            .finish()
    }
}

impl Yente {
    pub fn new(settings: Settings) -> Self {
        Self { http: crate::client(settings.timeout), settings }
    }

    /// The query example of a subject.
    pub fn example(subject: &Subject) -> Value {
        let mut props = serde_json::Map::new();
        props.insert("name".into(), json!([subject.name]));
        match subject.kind {
            SubjectKind::Person => {
                if let Some(d) = &subject.birth_date {
                    props.insert("birthDate".into(), json!([d]));
                }
                if let Some(c) = &subject.country {
                    props.insert("nationality".into(), json!([c.to_ascii_lowercase()]));
                }
            }
            SubjectKind::Company => {
                if let Some(c) = &subject.country {
                    props.insert("jurisdiction".into(), json!([c.to_ascii_lowercase()]));
                }
            }
        }
        let schema = match subject.kind {
            SubjectKind::Person => "Person",
            SubjectKind::Company => "Company",
        };
        json!({"schema": schema, "properties": props})
    }

    async fn query(&self, subject: &Subject, threshold: f64) -> Result<Vec<(Entity, f64)>, String> {
        let url = format!(
            "{}/match/{}?limit={LIMIT}&threshold={threshold}",
            self.settings.base_url.trim_end_matches('/'),
            self.settings.dataset
        );
        let mut req = self.http.post(url).json(&json!({"queries": {"q": Self::example(subject)}}));
        if let Some(key) = &self.settings.api_key {
            req = req.header("authorization", format!("ApiKey {key}"));
        }
        let res = req.send().await.map_err(|e| format!("request failed: {e}"))?;
        let status = res.status().as_u16();
        let text = res.text().await.map_err(|e| format!("reading the answer: {e}"))?;
        if status != 200 {
            return Err(format!("answered {status}: {}", text.chars().take(200).collect::<String>()));
        }
        parse(&text)
    }
}

/// The scored entities of a `/match` answer (entities of schemas screening does not cover are
/// left out, as the local list leaves them out).
pub fn parse(text: &str) -> Result<Vec<(Entity, f64)>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let q = &v["responses"]["q"];
    if let Some(status) = q["status"].as_u64().filter(|s| *s != 200) {
        return Err(format!("the query failed with {status}"));
    }
    let results = q["results"].as_array().ok_or("no results in the answer")?;
    let mut out = Vec::new();
    for r in results {
        let score = r["score"].as_f64().filter(|s| s.is_finite()).ok_or("a result without a score")?;
        if let Some(entity) = parse_line(&r.to_string())? {
            out.push((entity, score.clamp(0.0, 1.0)));
        }
    }
    Ok(out)
}

impl RemoteMatcher for Yente {
    fn source(&self) -> &'static str {
        "yente"
    }

    fn matches<'a>(
        &'a self,
        subject: &'a Subject,
        threshold: f64,
    ) -> BoxFuture<'a, Result<Vec<(Entity, f64)>, String>> {
        Box::pin(self.query(subject, threshold))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_carry_what_the_case_knows() {
        let p = Subject {
            kind: SubjectKind::Person,
            name: "Maria Osetrova".into(),
            birth_date: Some("1988-01-07".into()),
            country: Some("RU".into()),
        };
        assert_eq!(
            Yente::example(&p),
            json!({"schema": "Person", "properties": {"name": ["Maria Osetrova"], "birthDate": ["1988-01-07"], "nationality": ["ru"]}})
        );
        let c =
            Subject { kind: SubjectKind::Company, name: "Acme".into(), birth_date: None, country: Some("GB".into()) };
        assert_eq!(Yente::example(&c)["properties"]["jurisdiction"], json!(["gb"]));
    }

    #[test]
    fn answers_are_read_or_refused() {
        let ok = r#"{"responses": {"q": {"status": 200, "results": [
            {"id": "NK-1", "schema": "Person", "caption": "Maria Osetrova", "properties": {"name": ["Maria Osetrova"], "topics": ["sanction"]}, "datasets": ["eu_fsf"], "score": 0.97, "match": true},
            {"id": "addr-1", "schema": "Address", "caption": "Somewhere", "properties": {}, "score": 0.9}
        ], "total": {"value": 2, "relation": "eq"}}}, "limit": 10}"#;
        let found = parse(ok).unwrap();
        assert_eq!(found.len(), 1, "an address is not screened");
        assert_eq!((found[0].0.id.as_str(), found[0].1), ("NK-1", 0.97));
        assert!(parse("<html>").is_err());
        assert!(parse(r#"{"responses": {"q": {"status": 500}}}"#).is_err());
        assert!(parse(r#"{"responses": {}}"#).is_err());
        assert!(
            parse(r#"{"responses": {"q": {"results": [{"id": "x", "schema": "Person", "caption": "X"}]}}}"#).is_err()
        );
    }
}
