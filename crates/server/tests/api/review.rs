//! The case review: after submission (once screening and risk have run) with the guide's
//! `system:form-submission:<email>` tag, on an analyst's request (answered, or streamed as
//! server-sent events), each stored with its inputs; `ai_review.completed` schema-checked.

use fml_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::helpers::{Backend, spawn};
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
    let res = app
        .http
        .post(app.url(&format!("/api/cases/{case}/ai-review/stream")))
        .bearer_auth(&analyst.token)
        .send()
        .await
        .unwrap();
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

crate::on_both_backends!(reviews_after_submission_on_request_and_streamed);
