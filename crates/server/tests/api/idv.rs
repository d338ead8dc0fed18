//! Identity verification: after submission each director or UBO (once across roles) is either
//! satisfied by an accepted passport on file (`idv.satisfied_by_document`) or sent a link
//! (`idv.dispatched`); the built-in page reads the uploaded passport (`idv.completed`); the
//! Didit adapter against a stand-in speaking Didit's API: sessions, signed callbacks, status
//! mapping, and its error and timeout paths.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use fml_domain::crypto::MasterKey;
use fml_domain::lifecycle::Role;
use fml_vendors::{Vendors, didit};
use serde_json::{Value, json};

use crate::documents::multipart;
use crate::helpers::{Backend, Options, TestApp, eventually, recipe_body, spawn, spawn_with};
use crate::processing::{passport_png, processed};

fn application() -> Value {
    json!({
        "companyName": "Acme Holdings Ltd",
        "registeredAddress": "1 High Street",
        "directors": [
            {"fullName": "Jane Smith", "email": "jane.smith@acme.example", "dateOfBirth": "1980-01-02"},
            {"fullName": "Bob Jones", "email": "bob@acme.example"}
        ],
        "shareholders": [
            {"fullName": "Bob Jones", "email": "bob@acme.example", "ownershipPercent": 60},
            {"fullName": "Carol White", "email": "carol@acme.example", "ownershipPercent": 10}
        ]
    })
}

/// Opens a case; the customer fills in the application and uploads `files`; `before` runs
/// (the analyst's part, with the case id) and the customer submits.
async fn submitted_after<F, Fut>(app: &TestApp, crm: &str, files: &[(&str, &[u8])], before: F) -> String
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let token = app.token().await;
    let v: Value = app.create_case(&token, None, &recipe_body(crm)).await.json().await.unwrap();
    let case = v["caseId"].as_str().unwrap().to_owned();
    let invite = crate::portal::invite_tokens_for(app, Some(&case)).await.pop().unwrap();
    let cookie = crate::portal::redeem_for_test(app, &invite).await;
    let res = app.http.post(app.url("/portal/application")).header("cookie", &cookie).json(&application()).send();
    assert_eq!(res.await.unwrap().status(), 200);
    if !files.is_empty() {
        let (ct, body) = multipart(files);
        let res =
            app.http.post(app.url("/portal/documents")).header("cookie", &cookie).header("accept", "application/json");
        assert_eq!(res.header("content-type", ct).body(body).send().await.unwrap().status(), 201);
        let a = app.analyst(Role::Analyst).await;
        processed(app, &a.token, &case).await;
    }
    before(case.clone()).await;
    let res = app.http.post(app.url("/portal/submit")).header("cookie", &cookie).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    case
}

/// A case whose customer submitted `application` (no files).
async fn submitted_with(app: &TestApp, crm: &str, application: &Value) -> String {
    let token = app.token().await;
    let v: Value = app.create_case(&token, None, &recipe_body(crm)).await.json().await.unwrap();
    let case = v["caseId"].as_str().unwrap().to_owned();
    let invite = crate::portal::invite_tokens_for(app, Some(&case)).await.pop().unwrap();
    let cookie = crate::portal::redeem_for_test(app, &invite).await;
    let post = |path: &str, body: &Value| app.http.post(app.url(path)).header("cookie", &cookie).json(body).send();
    assert_eq!(post("/portal/application", application).await.unwrap().status(), 200);
    assert_eq!(post("/portal/submit", &json!({})).await.unwrap().status(), 200);
    case
}

/// However many people a customer lists, one case mails at most twenty of them.
async fn a_case_mails_at_most_twenty_people(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let directors: Vec<Value> = (0..20)
        .map(|i| json!({"fullName": format!("Director {i}"), "email": format!("d{i}@stranger.example")}))
        .collect();
    let shareholders: Vec<Value> = (0..4)
        .map(|i| json!({"fullName": format!("Owner {i}"), "email": format!("o{i}@stranger.example"), "ownershipPercent": 25}))
        .collect();
    let application = json!({"companyName": "Many People Ltd", "registeredAddress": "1 Road",
                             "directors": directors, "shareholders": shareholders});
    let case = submitted_with(&app, "crm-idv-cap", &application).await;
    dispatch_done(&app).await;
    let (_, checks) = app.get_json(&a.token, &format!("/api/cases/{case}/idv")).await;
    let checks = checks["data"].as_array().unwrap().clone();
    assert_eq!(checks.len(), 20, "24 people need IDV; 20 were sent links");
    assert_eq!(links(&app, &case, "/verify/").await.len(), 20);
    // An analyst cannot go past the cap either, for a person never sent one…
    let (_, roster) = app.get_json(&a.token, &format!("/api/cases/{case}/persons")).await;
    let sent: Vec<&str> = checks.iter().map(|c| c["personKey"].as_str().unwrap()).collect();
    let unsent = roster["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["personKey"].as_str().unwrap())
        .find(|k| !sent.contains(k))
        .unwrap()
        .to_owned();
    let (status, err) = app.post_json(&a.token, &format!("/api/cases/{case}/idv/{unsent}"), &json!({})).await;
    assert_eq!((status, err["error"].as_str()), (422, Some("idv_limit")), "{err}");
    let (status, more) = app.post_json(&a.token, &format!("/api/cases/{case}/idv"), &json!({})).await;
    assert_eq!((status, more["data"].as_array().unwrap().len()), (200, 0));
    // …but may send again to someone already mailed.
    let (status, again) = app.post_json(&a.token, &format!("/api/cases/{case}/idv/{}", sent[0]), &json!({})).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(links(&app, &case, "/verify/").await.len(), 21);

    // A built-in link works for 7 days after it was sent.
    let link = links(&app, &case, "/verify/").await.pop().unwrap();
    let token = link.rsplit('/').next().unwrap().to_owned();
    let page = |token: String| {
        let app = &app;
        async move { app.http.get(app.url(&format!("/portal/verify/{token}"))).send().await.unwrap().status() }
    };
    assert_eq!(page(token.clone()).await, 200);
    let eight_days_ago = fml_domain::Timestamp::now().millis() - 8 * 24 * 3600 * 1000;
    let mut tx = app.db.begin().await.unwrap();
    fml_store::execute!(
        tx.conn(),
        "UPDATE idv_checks SET updated_at = $1 WHERE case_id = $2 AND person_key = $3",
        eight_days_ago,
        case.as_str(),
        sent[0]
    )
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(page(token).await, 404);
}

async fn submitted(app: &TestApp, crm: &str, files: &[(&str, &[u8])]) -> String {
    submitted_after(app, crm, files, |_| async {}).await
}

/// Waits for the case's identity dispatch job to finish.
async fn dispatch_done(app: &TestApp) {
    eventually(20, || async {
        let mut r = app.db.reader().await.unwrap();
        let (n,): (i64,) = fml_store::fetch_optional!(
            r.conn(),
            (i64,),
            "SELECT COUNT(*) FROM jobs WHERE kind = 'dispatch_idv' AND status <> 'done'"
        )
        .unwrap()
        .unwrap();
        (n == 0).then_some(())
    })
    .await;
}

/// The links after `marker` in the case's outbox, oldest first.
async fn links(app: &TestApp, case: &str, marker: &str) -> Vec<String> {
    let key = MasterKey::from_hex(&app.master_key_hex).unwrap();
    let mut out = Vec::new();
    for m in fml_store::mail::list(&app.db, &app.org).await.unwrap() {
        let (Some(sealed), Some(c)) = (m.body_sealed, m.case_id.as_deref()) else { continue };
        if c != case {
            continue;
        }
        let body = String::from_utf8(key.open(fml_store::mail::SEAL_CONTEXT, &sealed).unwrap()).unwrap();
        if let Some(i) = body.find(marker) {
            out.push(body[i..].split_whitespace().next().unwrap().to_owned());
        }
    }
    out
}

/// The analyst's part: Jane, the first person, gets a Person record, and the case's first
/// document is attached to it; returns the document's id.
async fn attach_to_jane(app: &TestApp, token: &str, case: &str) -> i64 {
    let (_, roster) = app.get_json(token, &format!("/api/cases/{case}/persons")).await;
    let key = roster["data"][0]["personKey"].as_str().unwrap().to_owned();
    let (code, person) = app.post_json(token, &format!("/api/cases/{case}/persons/{key}/mark-new"), &json!({})).await;
    assert_eq!(code, 200, "{person}");
    let (_, docs) = app.get_json(token, &format!("/api/cases/{case}/documents")).await;
    let body = json!({"caseId": case, "documentId": docs["data"][0]["id"]});
    let path = format!("/api/persons/{}/documents", person["personId"]);
    assert_eq!(app.post_json(token, &path, &body).await.0, 200);
    docs["data"][0]["id"].as_i64().unwrap()
}

async fn verification_with_the_builtin_page(b: Backend) {
    let app = spawn_with(b, Options { portal_on_self: true, ..Options::default() }).await;
    let a = app.analyst(Role::Analyst).await;
    // Jane's passport is on file before submission, and an analyst accepted it: attached to
    // her Person record. (A document the customer uploads is not enough by itself.)
    let jane = passport_png("SMITH", "JANE", "123456789", "800102");
    let token = a.token.clone();
    let case = submitted_after(&app, "crm-idv-1", &[("jane-passport.png", &jane)], |case| {
        let (app, token) = (&app, &token);
        async move {
            attach_to_jane(app, token, &case).await;
        }
    })
    .await;

    dispatch_done(&app).await;
    let events = app.events_of(&a.token, &case, "idv.", 2).await;
    let satisfied = events.iter().find(|e| e["event"] == "idv.satisfied_by_document").unwrap();
    assert_eq!(satisfied["personName"], "Jane Smith");
    assert_eq!(satisfied["roles"], json!(["director"]));
    let (_, docs) = app.get_json(&a.token, &format!("/api/cases/{case}/documents")).await;
    assert_eq!(satisfied["satisfiedByDocId"], docs["data"][0]["id"]);
    let dispatched = events.iter().find(|e| e["event"] == "idv.dispatched").unwrap();
    assert_eq!(dispatched["recipientEmail"], "bob@acme.example");
    assert_eq!(dispatched["roles"], json!(["director", "shareholder", "ubo"]), "one link across his roles");
    assert_eq!(dispatched["dispatchedBy"], "system");
    assert_eq!(events.len(), 2, "Carol (10 %) needs no verification: {events:?}");
    let (_, checks) = app.get_json(&a.token, &format!("/api/cases/{case}/idv")).await;
    assert_eq!(checks["data"].as_array().unwrap().len(), 2);

    // Bob's link opens the built-in page; he uploads his passport.
    let link = links(&app, &case, "http").await.into_iter().find(|l| l.contains("/verify/")).unwrap();
    let path = link.split_once("/portal/").map(|(_, p)| format!("/portal/{p}")).unwrap();
    let page = app.http.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(crate::portal::strict_page(&app, page).await.contains("Hello Bob Jones"));
    let (ct, body) = multipart(&[("bob.png", &passport_png("JONES", "BOB", "987654321", "750505"))]);
    let res = app.http.post(app.url(&path)).header("content-type", ct).body(body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let events = app.events_of(&a.token, &case, "idv.", 3).await;
    let done = events.iter().find(|e| e["event"] == "idv.completed").unwrap();
    // Reading a file proves nothing of its authenticity: a clean passport goes to an analyst.
    assert_eq!((done["outcome"].as_str(), done["vendorName"].as_str()), (Some("manual_review"), Some("FML")), "{done}");
    assert_eq!((done["position"].as_u64(), done["role"].as_str()), (Some(2), Some("director")));
    assert_eq!(done["verificationType"], "identity");
    // The link is used up.
    assert_eq!(app.http.get(app.url(&path)).send().await.unwrap().status(), 404);

    let (_, checks) = app.get_json(&a.token, &format!("/api/cases/{case}/idv")).await;
    let statuses: Vec<(&str, &str)> = checks["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["personName"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(statuses, [("Jane Smith", "satisfied"), ("Bob Jones", "manual_review")]);
    assert_eq!(checks["data"][1]["vendorStatus"], "document read: Passport");
    // The engines' read has them too, with the documents as processed.
    let (code, all) = app.get_json(&a.token, &format!("/api/cases/{case}/engines")).await;
    assert_eq!(code, 200, "{all}");
    assert_eq!(all["idv"], checks["data"]);
    let kinds: Vec<&str> = all["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["extraction"]["documentType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Passport", "Passport"]);
    assert_eq!((all["monitoring"]["lastRun"].clone(), all["monitoring"]["alerts"].clone()), (Value::Null, json!([])));

    // An analyst looks at Bob's passport and confirms: the result is theirs, said once.
    let bob_key = checks["data"][1]["personKey"].as_str().unwrap().to_owned();
    let result = format!("/api/cases/{case}/idv/{bob_key}/result");
    for bad in [json!({}), json!({"outcome": "manual_review"}), json!({"outcome": "pass", "note": 3})] {
        assert_eq!(app.post_json(&a.token, &result, &bad).await.0, 400, "{bad}");
    }
    let (code, res) = app.post_json(&a.token, &result, &json!({"outcome": "pass", "note": "photo page matches"})).await;
    assert_eq!(code, 200, "{res}");
    assert_eq!(res["status"], "pass");
    assert_eq!(res["vendorStatus"], format!("by {}: photo page matches", a.email));
    let events = app.events_of(&a.token, &case, "idv.", 4).await;
    let confirmed = events.iter().filter(|e| e["event"] == "idv.completed").nth(1).unwrap();
    assert_eq!((confirmed["outcome"].as_str(), confirmed["vendorName"].as_str()), (Some("pass"), Some("FML")));
    let (code, res) = app.post_json(&a.token, &result, &json!({"outcome": "fail"})).await;
    assert_eq!((code, res["error"].as_str()), (409, Some("idv_final")));
    let (code, res) = app.post_json(&a.token, &format!("/api/cases/{case}/idv/{bob_key}"), &json!({})).await;
    assert_eq!((code, res["error"].as_str()), (409, Some("already_verified")), "no link to someone verified");
    assert_eq!(
        app.post_json(&a.token, &format!("/api/cases/{case}/idv/nobody/result"), &json!({"outcome": "pass"})).await.0,
        404
    );

    // Analysts send links by hand, even where a document stood in; not to nobody.
    let jane_key = checks["data"][0]["personKey"].as_str().unwrap().to_owned();
    let (code, res) = app.post_json(&a.token, &format!("/api/cases/{case}/idv/{jane_key}"), &json!({})).await;
    assert_eq!(code, 201, "{res}");
    assert_eq!((res["status"].as_str(), res["dispatchedBy"].as_str()), (Some("dispatched"), Some(a.email.as_str())));
    assert_eq!(app.post_json(&a.token, &format!("/api/cases/{case}/idv/nobody"), &json!({})).await.0, 404);
    // Another tenant sees nothing.
    let other_org = fml_domain::OrgId::parse("org_other_bank").unwrap();
    crate::helpers::seed_org(&app.db, &other_org, fml_domain::ScopeSet::all()).await;
    let other = app.analyst_in(&other_org, Role::Analyst).await;
    assert_eq!(app.get_json(&other.token, &format!("/api/cases/{case}/idv")).await.0, 404);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Answer,
    Down,
    Slow,
}

#[derive(Clone)]
struct Stand {
    mode: Arc<Mutex<Mode>>,
    seen: Arc<Mutex<Vec<Value>>>,
}

/// `POST /v3/session/` as Didit answers it.
async fn session(State(s): State<Stand>, headers: HeaderMap, body: String) -> Response {
    if headers.get("x-api-key").and_then(|h| h.to_str().ok()) != Some("didit-key") {
        return (StatusCode::FORBIDDEN, r#"{"detail":"You do not have permission to perform this action."}"#)
            .into_response();
    }
    let mode = *s.mode.lock().unwrap();
    match mode {
        Mode::Down => return (StatusCode::INTERNAL_SERVER_ERROR, "{}").into_response(),
        Mode::Slow => std::future::pending::<()>().await,
        Mode::Answer => {}
    }
    let v: Value = serde_json::from_str(&body).unwrap();
    let n = {
        let mut seen = s.seen.lock().unwrap();
        seen.push(v.clone());
        seen.len()
    };
    (
        StatusCode::CREATED,
        axum::Json(json!({
            "session_id": format!("11111111-2222-3333-4444-{n:012}"), "session_number": n,
            "session_token": format!("tok{n}"), "url": format!("https://verify.didit.me/session/tok{n}"),
            "status": "Not Started", "workflow_id": v["workflow_id"], "vendor_data": v["vendor_data"]
        })),
    )
        .into_response()
}

async fn callback(app: &TestApp, org: &str, body: &Value, secret: &str, age: i64) -> (u16, Value) {
    let raw = body.to_string();
    let ts = (fml_domain::Timestamp::now().millis() / 1000 - age).to_string();
    let res = app
        .http
        .post(app.url(&format!("/callbacks/didit/{org}")))
        .header("content-type", "application/json")
        .header("x-signature", didit::sign(secret, raw.as_bytes()))
        .header("x-timestamp", ts)
        .body(raw)
        .send()
        .await
        .unwrap();
    let code = res.status().as_u16();
    (code, res.json().await.unwrap_or(Value::Null))
}

async fn didit_sessions_and_callbacks(b: Backend) {
    let stand = Stand { mode: Arc::new(Mutex::new(Mode::Answer)), seen: Arc::default() };
    let router = Router::new().route("/v3/session/", post(session)).with_state(stand.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let vendors = Vendors {
        didit: Some(didit::Settings {
            base_url: base,
            api_key: "didit-key".into(),
            webhook_secret: "whsec-test".into(),
            workflow_id: "wf-kyc".into(),
            redirect_url: None,
            timeout: Duration::from_millis(800),
        }),
        ..Vendors::default()
    };
    let app = spawn_with(b, Options { vendors, ..Options::default() }).await;
    let a = app.analyst(Role::Analyst).await;
    let case = submitted(&app, "crm-idv-2", &[]).await;

    // Both people who need it get a Didit session, and the link Didit gave is what is mailed.
    let events = app.events_of(&a.token, &case, "idv.", 2).await;
    assert!(events.iter().all(|e| e["event"] == "idv.dispatched"));
    let sent = stand.seen.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["workflow_id"], "wf-kyc");
    assert_eq!(sent[0]["contact_details"]["email"], "jane.smith@acme.example");
    assert!(sent[0]["vendor_data"].as_str().unwrap().starts_with(&format!("org_test_bank:{case}:")));
    let mailed = links(&app, &case, "https://verify.didit.me/").await;
    assert_eq!(mailed.len(), 2, "{mailed:?}");
    let (_, checks) = app.get_json(&a.token, &format!("/api/cases/{case}/idv")).await;
    let session_of_bob = "11111111-2222-3333-4444-000000000002";
    assert_eq!(checks["data"][1]["vendor"], "Didit");

    // Callbacks: only Didit's signature, only fresh, only the tenant's session.
    let approved = json!({"session_id": session_of_bob, "status": "Approved", "webhook_type": "status.updated"});
    assert_eq!(callback(&app, "org_test_bank", &approved, "wrong-secret", 0).await.0, 401);
    assert_eq!(callback(&app, "org_test_bank", &approved, "whsec-test", 600).await.0, 401, "stale");
    assert_eq!(callback(&app, "org_other_bank", &approved, "whsec-test", 0).await.0, 404);
    let running = json!({"session_id": session_of_bob, "status": "In Progress", "webhook_type": "status.updated"});
    let (code, body) = callback(&app, "org_test_bank", &running, "whsec-test", 0).await;
    assert_eq!((code, body["outcome"].clone()), (200, Value::Null));
    let (code, body) = callback(&app, "org_test_bank", &approved, "whsec-test", 0).await;
    assert_eq!((code, body["outcome"].as_str(), body["changed"].as_bool()), (200, Some("pass"), Some(true)), "{body}");
    let (code, body) = callback(&app, "org_test_bank", &approved, "whsec-test", 0).await;
    assert_eq!((code, body["duplicate"].as_bool()), (200, Some(true)), "the same webhook again: {body}");
    let again = json!({"session_id": session_of_bob, "status": "Approved", "webhook_type": "data.updated"});
    let (code, body) = callback(&app, "org_test_bank", &again, "whsec-test", 0).await;
    assert_eq!(
        (code, body["changed"].as_bool(), body["duplicate"].as_bool()),
        (200, Some(false), Some(false)),
        "another webhook with the same result changes nothing: {body}"
    );
    // Jane's goes to Didit's reviewers, whose decision follows.
    let jane_session = "11111111-2222-3333-4444-000000000001";
    let now = fml_domain::Timestamp::now().millis() / 1000;
    // A signed body captured ten minutes ago, sent again under a fresh header: refused.
    let captured = json!({"session_id": jane_session, "status": "Approved", "timestamp": now - 600});
    let (code, body) = callback(&app, "org_test_bank", &captured, "whsec-test", 0).await;
    assert_eq!((code, body["error"].as_str()), (401, Some("invalid_signature")), "{body}");
    let review = json!({"session_id": jane_session, "status": "In Review", "timestamp": now});
    assert_eq!(callback(&app, "org_test_bank", &review, "whsec-test", 0).await.0, 200);
    // Sent again after the result, the same signed body is a duplicate, not processed.
    let replayed_review = review.clone();
    let declined = json!({"session_id": jane_session, "status": "Declined"});
    let (code, body) = callback(&app, "org_test_bank", &declined, "whsec-test", 0).await;
    assert_eq!((code, body["changed"].as_bool()), (200, Some(true)), "{body}");
    let (code, body) = callback(&app, "org_test_bank", &replayed_review, "whsec-test", 0).await;
    assert_eq!((code, body["duplicate"].as_bool()), (200, Some(true)), "{body}");
    let events = app.events_of(&a.token, &case, "idv.", 5).await;
    let done: Vec<&Value> = events.iter().filter(|e| e["event"] == "idv.completed").collect();
    assert_eq!(done.len(), 3);
    assert_eq!((done[0]["outcome"].as_str(), done[0]["vendorName"].as_str()), (Some("pass"), Some("Didit")));
    assert_eq!((done[0]["position"].as_u64(), done[0]["role"].as_str()), (Some(2), Some("director")));
    assert_eq!((done[1]["outcome"].as_str(), done[2]["outcome"].as_str()), (Some("manual_review"), Some("fail")));
    // The case review reads the checks: Jane's failure is a grave factor.
    let (code, review) = app.post_json(&a.token, &format!("/api/cases/{case}/ai-review"), &json!({})).await;
    assert_eq!(code, 200, "{review}");
    let factors = review["riskFactors"].as_array().unwrap();
    let failed = factors.iter().find(|f| f["text"].as_str().unwrap().starts_with("Identity verification of"));
    assert_eq!(
        failed.map(|f| (f["text"].as_str().unwrap().ends_with(" failed"), f["severity"].clone())),
        Some((true, json!("HIGH"))),
        "{review}"
    );
    assert_ne!(review["recommendation"], "Approve");
    // Bob passed: no more links for him.
    let (_, checks) = app.get_json(&a.token, &format!("/api/cases/{case}/idv")).await;
    let bob_key = checks["data"][1]["personKey"].as_str().unwrap().to_owned();
    let (code, res) = app.post_json(&a.token, &format!("/api/cases/{case}/idv/{bob_key}"), &json!({})).await;
    assert_eq!((code, res["error"].as_str()), (409, Some("already_verified")));
    assert_eq!(callback(&app, "org_test_bank", &json!({"status": "Approved"}), "whsec-test", 0).await.0, 400);

    // Didit failing or silent: the analyst's send answers 503 and nothing is recorded.
    let (_, checks) = app.get_json(&a.token, &format!("/api/cases/{case}/idv")).await;
    let jane_key = checks["data"][0]["personKey"].as_str().unwrap().to_owned();
    for mode in [Mode::Down, Mode::Slow] {
        *stand.mode.lock().unwrap() = mode;
        let (code, res) = app.post_json(&a.token, &format!("/api/cases/{case}/idv/{jane_key}"), &json!({})).await;
        assert_eq!(code, 503, "{mode:?}: {res}");
    }
    let (_, after) = app.get_json(&a.token, &format!("/api/cases/{case}/idv")).await;
    assert_eq!(after["data"][0]["status"], "fail", "unchanged by the failed sends");
    *stand.mode.lock().unwrap() = Mode::Answer;
    let (code, res) = app.post_json(&a.token, &format!("/api/cases/{case}/idv/{jane_key}"), &json!({})).await;
    assert_eq!((code, res["status"].as_str()), (201, Some("dispatched")));
}

/// Without Didit, its callback route does not exist for anyone.
/// Runs one `UPDATE … WHERE id = $1`: a state the test cannot reach through the API in time.
async fn set_by_id(app: &TestApp, sql: &'static str, id: i64) {
    let mut tx = app.db.begin().await.unwrap();
    fml_store::execute!(tx.conn(), sqlx::AssertSqlSafe(sql), id).unwrap();
    tx.commit().await.unwrap();
}

/// Jane's attached passport is still being read when the customer submits: the system's
/// dispatch sends Bob's link, waits for her document (the job is retried), and once it is read
/// the retry suppresses her link instead of sending one the document makes needless.
async fn the_dispatch_waits_for_an_attached_document_being_read(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let jane = passport_png("SMITH", "JANE", "123456789", "800102");
    let token = a.token.clone();
    let doc = std::sync::Arc::new(std::sync::Mutex::new(0));
    let case = submitted_after(&app, "crm-idv-wait", &[("jane-passport.png", &jane)], |case| {
        let (app, token, doc) = (&app, &token, doc.clone());
        async move {
            let id = attach_to_jane(app, token, &case).await;
            // As if its processing job had not run yet.
            set_by_id(app, "UPDATE documents SET status = 'uploaded' WHERE id = $1", id).await;
            *doc.lock().unwrap() = id;
        }
    })
    .await;
    let doc = *doc.lock().unwrap();

    let events = app.events_of(&a.token, &case, "idv.", 1).await;
    assert_eq!(
        (events[0]["event"].as_str(), events[0]["recipientEmail"].as_str()),
        (Some("idv.dispatched"), Some("bob@acme.example"))
    );
    let waiting = eventually(20, || async {
        let mut r = app.db.reader().await.unwrap();
        let row: Option<(i64, String, i32, Option<String>)> = fml_store::fetch_optional!(
            r.conn(),
            (i64, String, i32, Option<String>),
            "SELECT id, status, attempts, last_error FROM jobs WHERE kind = 'dispatch_idv'"
        )
        .unwrap();
        row.filter(|(.., e)| e.is_some())
    })
    .await;
    let (job, status, attempts, error) = waiting;
    assert_eq!((status.as_str(), attempts), ("queued", 0), "it waits, and a wait uses no attempt");
    assert!(error.unwrap().contains("wait for an attached document to be read"));
    let (_, checks) = app.get_json(&a.token, &format!("/api/cases/{case}/idv")).await;
    assert_eq!(checks["data"].as_array().unwrap().len(), 1, "no check for Jane yet: {checks}");

    // Her passport is read; the retry comes due.
    set_by_id(&app, "UPDATE documents SET status = 'complete' WHERE id = $1", doc).await;
    set_by_id(&app, "UPDATE jobs SET run_at = 0 WHERE id = $1", job).await;
    dispatch_done(&app).await;
    let events = app.events_of(&a.token, &case, "idv.", 2).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(
        (events[1]["event"].as_str(), events[1]["personName"].as_str()),
        (Some("idv.satisfied_by_document"), Some("Jane Smith"))
    );
    assert_eq!(events[1]["satisfiedByDocId"], doc);
}

async fn didit_callback_without_didit(b: Backend) {
    let app = spawn(b).await;
    let body = json!({"session_id": "x", "status": "Approved"});
    assert_eq!(callback(&app, "org_test_bank", &body, "anything", 0).await.0, 404);
}

crate::on_both_backends!(
    verification_with_the_builtin_page,
    a_case_mails_at_most_twenty_people,
    didit_sessions_and_callbacks,
    the_dispatch_waits_for_an_attached_document_being_read,
    didit_callback_without_didit
);
