//! Decision controls (four eyes) over the analyst API: a case whose director and shareholder
//! are sanctions matches (risk band prohibited) is approved only by a senior or an admin with a
//! reason, recorded as an override; nobody answers their own escalation; with maker-checker,
//! a high-risk approval takes two different people. Every refusal leaves the case unchanged
//! and emits nothing.

use fml_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestAnalyst, TestApp, recipe_body, spawn};
use crate::screening::{load_samples, people, submitted_case};

async fn decide(app: &TestApp, who: &TestAnalyst, case: &str, body: Value) -> (u16, Value) {
    app.post_json(&who.token, &format!("/api/cases/{case}/decision"), &body).await
}

/// A submitted case with sanctioned people, once screening and risk have run on it.
async fn high_risk_case(app: &TestApp, crm: &str, reader: &TestAnalyst) -> String {
    let case = submitted_case(app, crm, "Inter Tobacco LLC", people()).await;
    app.events_of(&reader.token, &case, "routing.evaluated", 1).await;
    case
}

async fn decisions_made(app: &TestApp, who: &TestAnalyst, case: &str) -> Vec<Value> {
    app.timeline_all(&who.token, case).await.into_iter().filter(|e| e["event"] == "case.decision.made").collect()
}

async fn status_of(app: &TestApp, who: &TestAnalyst, case: &str) -> String {
    app.get_json(&who.token, &format!("/api/cases/{case}")).await.1["status"].as_str().unwrap().to_owned()
}

async fn a_high_risk_approval_needs_a_senior_and_a_reason(b: Backend) {
    let app = spawn(b).await;
    load_samples(&app).await;
    let analyst = app.analyst(Role::Analyst).await;
    let senior = app.analyst(Role::Senior).await;
    let case = high_risk_case(&app, "crm-4eyes-1", &analyst).await;

    // The analyst's one click is refused, with every reason, and nothing changes.
    let (status, body) = decide(&app, &analyst, &case, json!({"outcome": "approved", "notes": "fine"})).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "senior_approval_required");
    let reasons: Vec<&str> = body["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(reasons.contains(&"OSETROVA, Maria: sanctions hit not yet disposed of"), "{reasons:?}");
    assert!(reasons.contains(&"risk band prohibited"), "{reasons:?}");
    assert!(reasons.contains(&"routing outcome DECLINE"), "{reasons:?}");
    assert_eq!(status_of(&app, &analyst, &case).await, "in_review");
    assert!(decisions_made(&app, &analyst, &case).await.is_empty());

    // The analyst may still decline: the controls guard the way in, not the way out (checked
    // on another case below). A senior must give the reason.
    for notes in [json!(null), json!(""), json!("   ")] {
        let (status, body) = decide(&app, &senior, &case, json!({"outcome": "approved", "notes": notes})).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], "validation_error");
        assert_eq!(body["fields"][0]["field"], "notes", "{body}");
    }
    assert_eq!(status_of(&app, &analyst, &case).await, "in_review");

    let why = "Board minutes show the director resigned in 2019; MLRO sign-off ref 4471.";
    let (status, body) = decide(&app, &senior, &case, json!({"outcome": "approved", "notes": why})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "approved");
    let made = decisions_made(&app, &analyst, &case).await;
    assert_eq!(made.len(), 1);
    assert_eq!((made[0]["notes"].as_str(), made[0]["analystEmail"].as_str()), (Some(why), Some(&*senior.email)));
    crate::catalog::assert_valid(&app, &made[0].to_string()).await;

    // The audit log records an override, with what was overridden.
    let audit = fml_store::audit::list(&app.db, &app.org, Some("case.decide"), 5).await.unwrap();
    let detail: Value = serde_json::from_str(&audit[0].detail).unwrap();
    assert_eq!(detail["override"], true, "{detail}");
    assert_eq!(audit[0].actor, senior.email);
    assert!(detail["overrides"].as_array().unwrap().iter().any(|o| o == "risk band prohibited"), "{detail}");

    // An analyst declines a high-risk case without anyone's leave.
    let other = high_risk_case(&app, "crm-4eyes-2", &analyst).await;
    let (status, body) = decide(&app, &analyst, &other, json!({"outcome": "declined"})).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("declined")), "{body}");

    // A plain case is approved by an analyst in one step, as before, with no override.
    let plain = plain_case(&app, "crm-4eyes-plain").await;
    let (status, body) = decide(&app, &analyst, &plain, json!({"outcome": "approved"})).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("approved")), "{body}");
    let audit = fml_store::audit::list(&app.db, &app.org, Some("case.decide"), 1).await.unwrap();
    let detail: Value = serde_json::from_str(&audit[0].detail).unwrap();
    assert_eq!(detail["override"], false, "{detail}");
}

/// A submitted case with nobody on a watch list.
async fn plain_case(app: &TestApp, crm: &str) -> String {
    let token = app.token().await;
    let v: Value = app.create_case(&token, None, &recipe_body(crm)).await.json().await.unwrap();
    let case = v["caseId"].as_str().unwrap().to_owned();
    crate::portal::customer_submits(app, &case).await;
    case
}

async fn nobody_answers_their_own_escalation(b: Backend) {
    let app = spawn(b).await;
    let senior = app.analyst(Role::Senior).await;
    let other = app.analyst(Role::Senior).await;
    let admin = app.analyst(Role::Admin).await;
    let case = plain_case(&app, "crm-own-esc").await;
    let respond = |who: &TestAnalyst| {
        let path = format!("/api/cases/{case}/escalation/response");
        let token = who.token.clone();
        let app = &app;
        async move { app.post_json(&token, &path, &json!({"recommendation": "approve", "note": "ok"})).await }
    };

    let (status, _) =
        app.post_json(&senior.token, &format!("/api/cases/{case}/escalation"), &json!({"note": "odd"})).await;
    assert_eq!(status, 200);
    let (status, body) = respond(&senior).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "own_escalation");
    assert_eq!(status_of(&app, &senior, &case).await, "pending_senior");
    let responded = app.timeline_all(&senior.token, &case).await;
    assert!(!responded.iter().any(|e| e["event"] == "escalation.responded"));

    let (status, body) = respond(&other).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("returned")), "{body}");

    // An admin is no exception.
    let (status, _) =
        app.post_json(&admin.token, &format!("/api/cases/{case}/escalation"), &json!({"note": "again"})).await;
    assert_eq!(status, 200);
    assert_eq!(respond(&admin).await.1["error"], "own_escalation");
    assert_eq!(respond(&senior).await.0, 200);
}

async fn maker_checker_needs_two_different_people(b: Backend) {
    let app = spawn(b).await;
    load_samples(&app).await;
    let analyst = app.analyst(Role::Analyst).await;
    let first = app.analyst(Role::Senior).await;
    let second = app.analyst(Role::Admin).await;

    // Off by default; an admin turns it on.
    let (_, settings) = app.get_json(&second.token, "/api/settings").await;
    assert_eq!(settings["secondApproval"], false, "{settings}");
    let res = app
        .http
        .patch(app.url("/api/settings"))
        .bearer_auth(&second.token)
        .json(&json!({"secondApproval": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["secondApproval"], true);

    let case = high_risk_case(&app, "crm-maker-1", &analyst).await;
    let approve = |notes: &'static str| json!({"outcome": "approved", "notes": notes});
    let (status, body) = decide(&app, &first, &case, approve("Resigned director; evidence on file.")).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["status"], "in_review");
    assert_eq!(body["pendingApproval"]["requestedBy"], first.email.as_str(), "{body}");
    assert!(body["pendingApproval"]["reasons"].as_array().unwrap().iter().any(|r| r == "risk band prohibited"));
    assert!(decisions_made(&app, &analyst, &case).await.is_empty(), "no event for a first approval");
    let (_, read) = app.get_json(&analyst.token, &format!("/api/cases/{case}")).await;
    assert_eq!(read["pendingApproval"]["notes"], "Resigned director; evidence on file.");

    // The maker cannot be the checker; an analyst cannot be either.
    let (status, body) = decide(&app, &first, &case, approve("me again")).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("second_approver_required")), "{body}");
    let (status, body) = decide(&app, &analyst, &case, approve("me too")).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("senior_approval_required")), "{body}");
    assert_eq!(status_of(&app, &analyst, &case).await, "in_review");

    let (status, body) = decide(&app, &second, &case, approve("Agreed after reading the minutes.")).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("approved")), "{body}");
    assert!(body.get("pendingApproval").is_none(), "{body}");
    let made = decisions_made(&app, &analyst, &case).await;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["analystEmail"], second.email.as_str());
    let audit = fml_store::audit::list(&app.db, &app.org, Some("case.decide"), 1).await.unwrap();
    let detail: Value = serde_json::from_str(&audit[0].detail).unwrap();
    assert_eq!(detail["firstApprover"], first.email.as_str(), "{detail}");

    // An escalation withdraws a waiting first approval: the next approval starts again.
    let again = high_risk_case(&app, "crm-maker-2", &analyst).await;
    assert_eq!(decide(&app, &first, &again, approve("first")).await.0, 202);
    let (status, _) =
        app.post_json(&analyst.token, &format!("/api/cases/{again}/escalation"), &json!({"note": "?"})).await;
    assert_eq!(status, 200);
    let (_, read) = app.get_json(&analyst.token, &format!("/api/cases/{again}")).await;
    assert!(read.get("pendingApproval").is_none(), "{read}");
}

crate::on_both_backends!(
    a_high_risk_approval_needs_a_senior_and_a_reason,
    nobody_answers_their_own_escalation,
    maker_checker_needs_two_different_people,
);
