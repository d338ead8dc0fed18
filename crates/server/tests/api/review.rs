//! The case review: after submission (once screening and risk have run) with the guide's
//! `system:form-submission:<email>` tag, on an analyst's request (answered, or queued as a job
//! whose progress is streamed as server-sent events), each stored with its inputs;
//! `ai_review.completed` schema-checked.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use fml_app::review::Followed;
use fml_domain::ids::CaseLocator;
use fml_domain::jobs::{Job, JobStatus};
use fml_domain::lifecycle::Role;
use fml_vendors::{Vendors, anthropic};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::helpers::{Backend, Options, TestApp, eventually, recipe_body, spawn, spawn_with};
use crate::screening::{load_samples, people, submitted_case};

async fn reviews_after_submission_on_request_and_streamed(b: Backend) {
    let app = spawn(b).await;
    load_samples(&app).await;
    let analyst = app.analyst(Role::Analyst).await;
    let case = submitted_case(&app, "crm-review-1", "Inter Tobacco LLC", people()).await;

    // In the background after submission, once screening and risk have run.
    let done = app.events_of(&analyst.token, &case, "ai_review.completed", 1).await;
    let r = &done[0];
    assert_eq!(r["triggeredBy"], "system:form-submission:jane@acme.example");
    assert_eq!((r["recommendation"].as_str(), r["confidence"].as_str()), (Some("Decline"), Some("Medium")), "{r}");
    assert_eq!(r["companyName"], "Inter Tobacco LLC");
    let factors = r["riskFactors"].as_array().unwrap();
    assert_eq!(r["riskFactorCount"].as_u64(), Some(factors.len() as u64));
    assert!(
        factors.iter().any(|f| f["severity"] == "HIGH"
            && f["text"].as_str().unwrap().starts_with("Director OSETROVA, Maria returned a sanctions screening hit")),
        "{factors:?}"
    );
    let (_, stored) = app.get_json(&analyst.token, &format!("/api/cases/{case}/ai-reviews")).await;
    let first = &stored["data"][0];
    assert_eq!(first["id"], r["reviewId"]);
    assert_eq!((first["model"].as_str(), first["promptVersion"].as_str()), (Some("rules-v1"), Some("1")));
    assert_eq!(first["inputs"]["screened"], true);
    assert_eq!(first["inputs"]["riskBand"], "prohibited");

    // An analyst clears Maria's hit: the next review, on request, no longer counts it.
    let (_, results) = app.get_json(&analyst.token, &format!("/api/cases/{case}/screening")).await;
    let hit =
        results["hits"].as_array().unwrap().iter().find(|h| h["hitId"] == "NK-2Tbri3s6GgNtAwsSXh4qpL").unwrap()["id"]
            .clone();
    let path = format!("/api/cases/{case}/screening/hits/{hit}");
    assert_eq!(app.post_json(&analyst.token, &path, &json!({"disposition": "false_positive"})).await.0, 200);
    let (code, body) = app.post_json(&analyst.token, &format!("/api/cases/{case}/ai-review"), &json!({})).await;
    assert_eq!(code, 200, "{body}");
    let hits_named = |b: &Value| {
        b["riskFactors"].as_array().unwrap().iter().any(|f| {
            let t = f["text"].as_str().unwrap();
            t.contains("OSETROVA") && t.contains("screening hit")
        })
    };
    assert!(!hits_named(&body), "{body}");
    assert!(hits_named(&done[0]), "the first review counted it");
    let done = app.events_of(&analyst.token, &case, "ai_review.completed", 2).await;
    assert_eq!(done[1]["triggeredBy"], analyst.email.as_str());
    assert_eq!(done[1]["reviewId"], body["reviewId"]);

    // Streamed: what it read, each factor as found, then the stored review.
    let res = stream(&app, &analyst.token, &case).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let text = res.text().await.unwrap();
    let events: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("event: ")).collect();
    assert_eq!(&events[..3], ["step", "step", "step"], "{text}");
    assert!(events.contains(&"factor"));
    assert_eq!(events.last(), Some(&"completed"));
    let last: Value =
        serde_json::from_str(text.lines().filter_map(|l| l.strip_prefix("data: ")).next_back().unwrap()).unwrap();
    app.events_of(&analyst.token, &case, "ai_review.completed", 3).await;
    let (_, stored) = app.get_json(&analyst.token, &format!("/api/cases/{case}/ai-reviews")).await;
    assert_eq!(stored["data"][0]["id"], last["reviewId"]);

    // Another tenant sees none of it.
    let other = fml_domain::OrgId::parse("org_other_bank").unwrap();
    crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let stranger = app.analyst_in(&other, Role::Admin).await;
    assert_eq!(app.get_json(&stranger.token, &format!("/api/cases/{case}/ai-reviews")).await.0, 404);
    assert_eq!(app.post_json(&stranger.token, &format!("/api/cases/{case}/ai-review"), &json!({})).await.0, 404);
    assert_eq!(app.post_json(&stranger.token, &format!("/api/cases/{case}/ai-review/stream"), &json!({})).await.0, 404);
}

/// A case opened over the Public API (not submitted: its review reads what little it holds).
async fn new_case(app: &TestApp, crm: &str) -> String {
    let v: Value = app.create_case(&app.token().await, None, &recipe_body(crm)).await.json().await.unwrap();
    v["caseId"].as_str().unwrap().to_owned()
}

/// The `review_case` jobs of a tenant, newest first.
async fn review_jobs(app: &TestApp, org: &fml_domain::OrgId) -> Vec<fml_store::jobs::JobRecord> {
    let all = fml_store::jobs::list(&app.db, Some(org), None, 500).await.unwrap();
    all.into_iter().filter(|j| matches!(j.job, Job::ReviewCase { .. })).collect()
}

/// `POST …/ai-review/stream` on `case` as the holder of `token`, answered.
async fn stream(app: &TestApp, token: &str, case: &str) -> reqwest::Response {
    app.http.post(app.url(&format!("/api/cases/{case}/ai-review/stream"))).bearer_auth(token).send().await.unwrap()
}

/// `(event, data)` of each server-sent event in `text`.
fn sse_events(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let field = |name: &str| block.lines().find_map(|l| l.strip_prefix(name)).unwrap_or_default().to_owned();
            (field("event: "), serde_json::from_str(&field("data: ")).unwrap())
        })
        .collect()
}

async fn a_streamed_review_is_its_jobs_progress_and_review(b: Backend) {
    let app = spawn(b).await;
    let analyst = app.analyst(Role::Analyst).await;
    let case = new_case(&app, "crm-stream-1").await;

    let res = stream(&app, &analyst.token, &case).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let text = res.text().await.unwrap();
    let events = sse_events(&text);
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    // What it read, then each factor (a case never screened nor assessed has some), then the
    // stored review: the job's run on this node, heard as it went.
    assert_eq!(&names[..4], ["step"; 4], "{text}");
    assert!(events[0].1["text"].as_str().unwrap().starts_with("Screening: not run yet"), "{text}");
    let factors: Vec<&Value> = events.iter().filter(|(e, _)| e == "factor").map(|(_, d)| d).collect();
    assert!(!factors.is_empty(), "{text}");
    assert_eq!(names.last(), Some(&"completed"), "{text}");
    assert_eq!(names.len(), 4 + factors.len() + 1, "{text}");
    let done = &events.last().unwrap().1;
    let mut keys: Vec<&str> = done.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["confidence", "recommendation", "reviewId", "riskFactors"], "{done}");
    assert_eq!(done["riskFactors"].as_array().unwrap().iter().collect::<Vec<_>>(), factors, "{text}");

    // The stored review names the job that wrote it, a review_case job under the analyst's
    // email, queued with an audit row naming them.
    let (_, stored) = app.get_json(&analyst.token, &format!("/api/cases/{case}/ai-reviews")).await;
    let review = &stored["data"][0];
    assert_eq!(review["id"], done["reviewId"]);
    assert_eq!(review["triggeredBy"], analyst.email.as_str());
    assert_eq!((&review["recommendation"], &review["riskFactors"]), (&done["recommendation"], &done["riskFactors"]));
    let job_id = review["jobId"].as_i64().expect("the review names its job");
    let job = review_jobs(&app, &app.org).await.into_iter().find(|j| j.id == job_id).expect("the job");
    assert_eq!(job.job, Job::ReviewCase { case_id: case.parse().unwrap(), triggered_by: analyst.email.clone() });
    eventually(10, || async {
        let job = fml_store::jobs::list(&app.db, Some(&app.org), None, 500).await.unwrap();
        job.into_iter().find(|j| j.id == job_id).filter(|j| j.status == JobStatus::Done)
    })
    .await;
    let asked = fml_store::audit::list(&app.db, &app.org, Some("ai_review.requested"), 10).await.unwrap();
    assert_eq!(asked.len(), 1);
    assert_eq!((asked[0].actor_kind.as_str(), asked[0].actor.as_str()), ("analyst", analyst.email.as_str()));
    assert_eq!(asked[0].case_id.as_deref(), Some(case.as_str()));
    assert_eq!(serde_json::from_str::<Value>(&asked[0].detail).unwrap(), json!({"jobId": job_id}));
    let completed = app.events_of(&analyst.token, &case, "ai_review.completed", 1).await;
    assert_eq!(completed[0]["reviewId"], done["reviewId"]);
    assert_eq!(completed[0]["triggeredBy"], analyst.email.as_str());

    // A review answered when done names no job.
    let (code, now) = app.post_json(&analyst.token, &format!("/api/cases/{case}/ai-review"), &json!({})).await;
    assert_eq!(code, 200, "{now}");
    let (_, stored) = app.get_json(&analyst.token, &format!("/api/cases/{case}/ai-reviews")).await;
    assert_eq!((&stored["data"][0]["id"], &stored["data"][0]["jobId"]), (&now["reviewId"], &Value::Null));
}

async fn a_follower_that_hears_nothing_reads_the_outcome_from_the_database(b: Backend) {
    let app = spawn(b).await;
    let analyst = app.analyst(Role::Analyst).await;
    let case = new_case(&app, "crm-stream-2").await;
    let locator = CaseLocator::Id(case.parse().unwrap());

    // The test's own commands layer is another node's as far as the app is concerned: the
    // app's runner runs the job, and its progress never reaches this process's follower.
    let elsewhere = app.ctx();
    let mut following = fml_app::review::request(&elsewhere, &analyst.analyst, &locator).await.unwrap();
    let mut heard = Vec::new();
    while let Some(next) = following.next().await {
        heard.push(next);
    }
    let [Followed::Completed(id, review)] = heard.as_slice() else { panic!("{heard:?}") };
    let (_, stored) = app.get_json(&analyst.token, &format!("/api/cases/{case}/ai-reviews")).await;
    assert_eq!(stored["data"][0]["id"], *id);
    assert_eq!(stored["data"][0]["jobId"], following.job_id());
    assert_eq!(stored["data"][0]["recommendation"], json!(review.recommendation));

    // A follower gives up at its deadline with an error; the job goes on regardless.
    let mut impatient =
        fml_app::review::request(&elsewhere, &analyst.analyst, &locator).await.unwrap().with_deadline(Duration::ZERO);
    let Some(Followed::Failed(why)) = impatient.next().await else { panic!("it should give up") };
    assert!(why.contains(&format!("job {}", impatient.job_id())), "{why}");
    assert_eq!(impatient.next().await, None);
    app.events_of(&analyst.token, &case, "ai_review.completed", 2).await;
}

/// `POST /v1/messages` for the case review, answered only once the test opens the gate.
async fn gated_review(State((gate, asked)): State<(Arc<Semaphore>, Arc<AtomicUsize>)>) -> axum::Json<Value> {
    asked.fetch_add(1, Ordering::SeqCst);
    let _pass = gate.acquire().await.unwrap();
    let text = r#"{"recommendation": "Refer", "confidence": "Low", "riskFactors": [{"text": "Held at the gate.", "severity": "LOW"}]}"#;
    axum::Json(json!({
        "id": "msg_01gate", "type": "message", "role": "assistant", "model": "claude-opus-4-5",
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
        "usage": {"input_tokens": 400, "output_tokens": 40}
    }))
}

async fn a_client_that_leaves_still_gets_its_review_stored(b: Backend) {
    let (gate, asked) = (Arc::new(Semaphore::new(0)), Arc::new(AtomicUsize::new(0)));
    let stand_in = Router::new().route("/v1/messages", post(gated_review)).with_state((gate.clone(), asked.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, stand_in).await });
    let vendors = Vendors {
        anthropic: Some(anthropic::Settings {
            api_key: "test-key".into(),
            base_url: base,
            model: "claude-opus-4-5".into(),
            timeout: Duration::from_secs(25),
        }),
        yente: None,
        didit: None,
    };
    let app = spawn_with(b, Options { vendors, ..Options::default() }).await;
    let analyst = app.analyst(Role::Analyst).await;
    let case = new_case(&app, "crm-stream-3").await;

    // The client reads what the review read, then leaves while the model is still asked.
    let mut res = stream(&app, &analyst.token, &case).await;
    assert_eq!(res.status(), 200);
    let mut text = String::new();
    while text.matches("event: step").count() < 4 {
        let chunk = res.chunk().await.unwrap().expect("the stream ended early");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    eventually(10, || async { (asked.load(Ordering::SeqCst) == 1).then_some(()) }).await;
    drop(res);
    let (_, stored) = app.get_json(&analyst.token, &format!("/api/cases/{case}/ai-reviews")).await;
    assert_eq!(stored["data"], json!([]), "nothing is stored while the model is asked");

    // The job goes on without it: the review is stored, linked to the job, and announced.
    gate.add_permits(1);
    let review = eventually(20, || async {
        let (_, stored) = app.get_json(&analyst.token, &format!("/api/cases/{case}/ai-reviews")).await;
        stored["data"].as_array().unwrap().first().cloned()
    })
    .await;
    assert_eq!((review["model"].as_str(), review["recommendation"].as_str()), (Some("claude-opus-4-5"), Some("Refer")));
    assert_eq!(review["triggeredBy"], analyst.email.as_str());
    let jobs = review_jobs(&app, &app.org).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(review["jobId"], jobs[0].id);
    let completed = app.events_of(&analyst.token, &case, "ai_review.completed", 1).await;
    assert_eq!(completed[0]["reviewId"], review["id"]);
    assert_eq!(asked.load(Ordering::SeqCst), 1, "the model was asked once: the job was not run twice");
}

async fn another_tenants_case_is_not_found_and_nothing_is_queued(b: Backend) {
    let app = spawn(b).await;
    let case = new_case(&app, "crm-stream-4").await;
    let other = fml_domain::OrgId::parse("org_other_bank").unwrap();
    crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let stranger = app.analyst_in(&other, Role::Admin).await;
    let res = stream(&app, &stranger.token, &case).await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "not_found", "{body}");
    // Nor by its reference.
    let (_, view) = app.get_json(&app.analyst(Role::Analyst).await.token, &format!("/api/cases/{case}")).await;
    let reference = view["caseReference"].as_str().unwrap();
    let (code, _) =
        app.post_json(&stranger.token, &format!("/api/cases/{reference}/ai-review/stream"), &json!({})).await;
    assert_eq!(code, 404);
    for org in [&app.org, &other] {
        assert!(review_jobs(&app, org).await.is_empty(), "nothing queued in {org:?}");
        assert!(fml_store::audit::list(&app.db, org, Some("ai_review.requested"), 10).await.unwrap().is_empty());
    }
}

crate::on_both_backends!(
    reviews_after_submission_on_request_and_streamed,
    a_streamed_review_is_its_jobs_progress_and_review,
    a_follower_that_hears_nothing_reads_the_outcome_from_the_database,
    a_client_that_leaves_still_gets_its_review_stored,
    another_tenants_case_is_not_found_and_nothing_is_queued,
);
