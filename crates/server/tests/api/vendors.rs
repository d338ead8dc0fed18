//! The vendor adapters against local stand-ins that speak the vendors' documented APIs: the
//! Anthropic Messages API for hit triage (answers, error statuses, timeouts, answers that are
//! not the asked-for JSON — the last three fall back to the rules), and a yente-compatible
//! `POST /match/{dataset}` for screening (its matches become hits; its failure fails the run,
//! to be retried, rather than showing the case clear).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use fml_domain::lifecycle::Role;
use fml_vendors::{Vendors, anthropic, yente};
use serde_json::{Value, json};

use crate::helpers::{Backend, Options, TestApp, eventually, spawn_with};
use crate::screening::{load_samples, people, submitted_case};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Answer,
    Overloaded,
    Slow,
    Prose,
    Down,
}

#[derive(Clone)]
struct StandIn {
    mode: Arc<Mutex<Mode>>,
    /// Each request's headers of interest and body.
    seen: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
}

impl StandIn {
    async fn start(router: Router<StandIn>) -> (String, StandIn) {
        let s = StandIn { mode: Arc::new(Mutex::new(Mode::Answer)), seen: Arc::default() };
        let app = router.with_state(s.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (base, s)
    }

    fn set(&self, m: Mode) {
        *self.mode.lock().unwrap() = m;
    }

    fn mode(&self) -> Mode {
        *self.mode.lock().unwrap()
    }
}

/// `POST /v1/messages` as the Messages API answers it.
async fn messages(State(s): State<StandIn>, headers: HeaderMap, body: String) -> Response {
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    s.seen.lock().unwrap().push((headers.clone(), v.clone()));
    if headers.get("x-api-key").and_then(|h| h.to_str().ok()) != Some("test-key") {
        return (
            StatusCode::UNAUTHORIZED,
            r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
        )
            .into_response();
    }
    let reviewing = v["system"].as_str().is_some_and(|p| p.contains("case review"));
    let text = match s.mode() {
        Mode::Answer if reviewing => {
            r#"{"recommendation": "Decline", "confidence": "High", "riskFactors": [{"text": "Director OSETROVA, Maria is on the UK sanctions list.", "severity": "HIGH"}]}"#
        }
        Mode::Answer => {
            r#"{"disposition": "escalate", "confidence": 77, "shortReason": "Same name and birth date; the listing's nationality cannot be checked."}"#
        }
        Mode::Prose => "I believe this is probably the same person.",
        Mode::Overloaded | Mode::Down => {
            return (
                StatusCode::from_u16(529).unwrap(),
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            )
                .into_response();
        }
        // Never answers: the adapter's own deadline must end the call.
        Mode::Slow => std::future::pending::<&str>().await,
    };
    axum::Json(json!({
        "id": "msg_01standin", "type": "message", "role": "assistant", "model": v["model"],
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
        "usage": {"input_tokens": 400, "output_tokens": 40}
    }))
    .into_response()
}

async fn triaged(app: &TestApp, token: &str, case: &str) -> Vec<Value> {
    let mut t: Vec<Value> =
        app.timeline_all(token, case).await.into_iter().filter(|e| e["event"] == "screening.hit.triaged").collect();
    t.reverse();
    for e in &t {
        crate::catalog::assert_valid(app, &e.to_string()).await;
    }
    t
}

/// Screens the case again and waits for run `n`'s triage of Maria Osetrova's hit.
async fn rescreen(app: &TestApp, token: &str, case: &str, n: usize) -> Value {
    let (code, _) = app.post_json(token, &format!("/api/cases/{case}/screening"), &json!({})).await;
    assert_eq!(code, 202);
    latest_maria(app, token, case, n).await
}

async fn latest_maria(app: &TestApp, token: &str, case: &str, n: usize) -> Value {
    eventually(20, || async {
        let all: Vec<Value> =
            triaged(app, token, case).await.into_iter().filter(|t| t["hitId"] == "NK-2Tbri3s6GgNtAwsSXh4qpL").collect();
        (all.len() >= n).then(|| all[n - 1].clone())
    })
    .await
}

async fn anthropic_triage_and_its_fallbacks(b: Backend) {
    let (base, stand_in) = StandIn::start(Router::new().route("/v1/messages", post(messages))).await;
    let vendors = Vendors {
        anthropic: Some(anthropic::Settings {
            api_key: "test-key".into(),
            base_url: base,
            model: "claude-opus-4-5".into(),
            timeout: Duration::from_millis(800),
        }),
        yente: None,
        didit: None,
    };
    let app = spawn_with(b, Options { vendors, ..Options::default() }).await;
    load_samples(&app).await;
    let a = app.analyst(Role::Analyst).await;
    let case = submitted_case(&app, "crm-vendor-1", "Inter Tobacco LLC", people()).await;

    // The model's answer, with the model it names and the prompt's version.
    let t = latest_maria(&app, &a.token, &case, 1).await;
    assert_eq!((t["model"].as_str(), t["promptVersion"].as_str()), (Some("claude-opus-4-5"), Some("1")), "{t}");
    assert_eq!((t["disposition"].as_str(), t["confidence"].as_f64()), (Some("escalate"), Some(77.0)));
    assert!(t["shortReason"].as_str().unwrap().starts_with("Same name and birth date"));
    {
        let seen = stand_in.seen.lock().unwrap();
        let prompt = |b: &Value| b["messages"][0]["content"].as_str().unwrap_or_default().to_owned();
        let (headers, body) =
            seen.iter().find(|(_, b)| prompt(b).contains("OSETROVA, Maria")).expect("Maria's hit was asked about");
        assert_eq!(headers["anthropic-version"], "2023-06-01");
        assert_eq!(body["model"], "claude-opus-4-5");
        assert!(body["max_tokens"].as_u64().unwrap() > 0);
        assert!(prompt(body).contains("NK-2Tbri3s6GgNtAwsSXh4qpL") && prompt(body).contains("1988-01-07"));
        assert!(body["system"].as_str().unwrap().contains("JSON"));
    }
    // The stored hit carries the model's triage too.
    let (_, results) = app.get_json(&a.token, &format!("/api/cases/{case}/screening")).await;
    let hit = results["hits"].as_array().unwrap().iter().find(|h| h["hitId"] == "NK-2Tbri3s6GgNtAwsSXh4qpL").unwrap();
    assert_eq!(hit["triage"]["model"], "claude-opus-4-5");

    // The case review after submission is the model's too, stored with its prompt's version.
    let reviews = eventually(20, || async {
        let (_, r) = app.get_json(&a.token, &format!("/api/cases/{case}/ai-reviews")).await;
        (!r["data"].as_array().unwrap().is_empty()).then_some(r)
    })
    .await;
    let first = &reviews["data"][0];
    assert_eq!((first["model"].as_str(), first["promptVersion"].as_str()), (Some("claude-opus-4-5"), Some("review-1")));
    assert_eq!((first["recommendation"].as_str(), first["confidence"].as_str()), (Some("Decline"), Some("High")));
    {
        let seen = stand_in.seen.lock().unwrap();
        let asked = seen.iter().find(|(_, b)| b["system"].as_str().unwrap_or_default().contains("case review"));
        let (_, body) = asked.expect("the review was asked");
        assert!(body["messages"][0]["content"].as_str().unwrap().contains("Inter Tobacco LLC"), "the case's facts");
    }

    // An error status, a timeout and prose instead of JSON: the rules triage and review instead.
    for (n, mode) in [(2, Mode::Overloaded), (3, Mode::Slow), (4, Mode::Prose)] {
        stand_in.set(mode);
        let t = rescreen(&app, &a.token, &case, n).await;
        assert_eq!((t["model"].as_str(), t["promptVersion"].as_str()), (Some("rules-v1"), Some("1")), "{mode:?}: {t}");
        assert_eq!(t["disposition"], "true_match", "{mode:?}: the rules' own judgement");
        let (code, r) = app.post_json(&a.token, &format!("/api/cases/{case}/ai-review"), &json!({})).await;
        assert_eq!(code, 200, "{r}");
        let (_, list) = app.get_json(&a.token, &format!("/api/cases/{case}/ai-reviews")).await;
        let latest = list["data"].as_array().unwrap().iter().find(|x| x["id"] == r["reviewId"]).unwrap().clone();
        assert_eq!(
            (latest["model"].as_str(), latest["promptVersion"].as_str()),
            (Some("rules-v1"), Some("1")),
            "{mode:?}"
        );
    }
}

/// `POST /match/{dataset}` as yente answers it: Maria Osetrova for any query naming her.
async fn match_route(
    State(s): State<StandIn>,
    Path(dataset): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    s.seen.lock().unwrap().push((headers, v.clone()));
    if s.mode() == Mode::Down {
        return (StatusCode::INTERNAL_SERVER_ERROR, r#"{"detail": "index unavailable"}"#).into_response();
    }
    if dataset != "sanctions" {
        return (StatusCode::NOT_FOUND, r#"{"detail": "No such dataset"}"#).into_response();
    }
    let Some(queries) = v["queries"].as_object() else {
        return (StatusCode::BAD_REQUEST, r#"{"detail": "No queries provided."}"#).into_response();
    };
    let mut responses = serde_json::Map::new();
    for (key, q) in queries {
        let name = q["properties"]["name"][0].as_str().unwrap_or_default().to_lowercase();
        let results = if name.contains("osetrova") {
            json!([{
                "id": "NK-2Tbri3s6GgNtAwsSXh4qpL", "caption": "Maria Aleksandrovna Osetrova", "schema": "Person",
                "properties": {"name": ["Maria Aleksandrovna Osetrova"], "birthDate": ["1988-01-07"], "country": ["ru"], "topics": ["sanction"]},
                "datasets": ["gb_hmt_sanctions"], "referents": [], "target": true,
                "score": 0.93, "match": true, "features": {"person_name_jaro_winkler": 0.93}
            }])
        } else {
            json!([])
        };
        responses.insert(
            key.clone(),
            json!({"status": 200, "results": results, "total": {"value": 1, "relation": "eq"}, "query": q}),
        );
    }
    axum::Json(json!({"responses": responses, "matcher": {}, "limit": 10})).into_response()
}

async fn yente_matching_and_its_failure(b: Backend) {
    let (base, stand_in) = StandIn::start(Router::new().route("/match/{dataset}", post(match_route))).await;
    let vendors = Vendors {
        anthropic: None,
        yente: Some(yente::Settings {
            base_url: base,
            dataset: "sanctions".into(),
            api_key: Some("yente-key".into()),
            timeout: Duration::from_millis(800),
        }),
        didit: None,
    };
    let app = spawn_with(b, Options { vendors, ..Options::default() }).await;
    // No local list at all: the service is the list.
    let a = app.analyst(Role::Analyst).await;
    let case = submitted_case(&app, "crm-vendor-2", "Inter Tobacco LLC", people()).await;
    let done = eventually(20, || async {
        let d: Vec<Value> = app
            .timeline_all(&a.token, &case)
            .await
            .into_iter()
            .filter(|e| e["event"] == "screening.completed")
            .collect();
        d.first().cloned()
    })
    .await;
    crate::catalog::assert_valid(&app, &done.to_string()).await;
    assert_eq!(done["screened"], 4);
    let statuses: Vec<&str> =
        done["summary"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["clear", "sanctioned", "clear", "clear"], "{done}");
    let (_, results) = app.get_json(&a.token, &format!("/api/cases/{case}/screening")).await;
    assert_eq!(results["run"]["source"], "yente");
    let hit = &results["hits"][0];
    assert_eq!((hit["hitId"].as_str(), hit["score"].as_f64()), (Some("NK-2Tbri3s6GgNtAwsSXh4qpL"), Some(0.93)));
    assert_eq!(hit["features"]["birthDate"], "same", "the local features explain the service's match");
    {
        let seen = stand_in.seen.lock().unwrap();
        assert_eq!(seen.len(), 4, "one query per subject");
        assert_eq!(seen[0].0["authorization"], "ApiKey yente-key");
        let maria = seen.iter().find(|(_, b)| b["queries"]["q"]["properties"]["name"][0] == "OSETROVA, Maria").unwrap();
        assert_eq!(maria.1["queries"]["q"]["schema"], "Person");
        assert_eq!(maria.1["queries"]["q"]["properties"]["birthDate"], json!(["1988-01-07"]));
    }

    // The service down: the run fails and is retried later; nothing says the case is clear.
    stand_in.set(Mode::Down);
    assert_eq!(app.post_json(&a.token, &format!("/api/cases/{case}/screening"), &json!({})).await.0, 202);
    let failed = eventually(20, || async {
        let jobs = fml_store::jobs::list(&app.db, Some(&app.org), None, 50).await.unwrap();
        jobs.into_iter().find(|j| j.job.kind() == "screen_case" && j.last_error.is_some())
    })
    .await;
    assert!(failed.last_error.as_deref().unwrap().contains("the screening service failed"), "{failed:?}");
    assert_eq!(failed.status, fml_domain::jobs::JobStatus::Queued, "queued again for its retry");
    let runs =
        app.timeline_all(&a.token, &case).await.into_iter().filter(|e| e["event"] == "screening.completed").count();
    assert_eq!(runs, 1);
}

crate::on_both_backends!(anthropic_triage_and_its_fallbacks, yente_matching_and_its_failure);
