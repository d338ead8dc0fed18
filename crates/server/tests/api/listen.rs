//! `fml listen`'s server side (issue 19): a session, its Server-Sent Events stream of the
//! tenant's events (resumable by `Last-Event-ID`), samples for one session only, and the
//! scopes and tenancy that guard them. The CLI's end-to-end test is in crates/cli/tests.

use std::time::Duration;

use fml_domain::{OrgId, Scope, ScopeSet};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, recipe_body, seed_org, spawn};

/// Reads SSE blocks from `res` until `n` events came (20 s at most): (event, id, data).
async fn events(res: &mut reqwest::Response, n: usize) -> Vec<(String, String, Value)> {
    let mut buf = String::new();
    let mut out = Vec::new();
    let read = async {
        while out.len() < n {
            let Some(chunk) = res.chunk().await.unwrap() else { break };
            buf.push_str(std::str::from_utf8(&chunk).unwrap());
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let field = |name: &str| block.lines().find_map(|l| l.strip_prefix(name)).map(str::to_owned);
                if let (Some(e), Some(id), Some(data)) = (field("event: "), field("id: "), field("data: ")) {
                    out.push((e, id, serde_json::from_str(&data).unwrap()));
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read).await.expect("the events arrive");
    out
}

async fn open(app: &TestApp, token: &str) -> String {
    let (s, v) = app.post_json(token, "/v1/listen/sessions", &Value::Null).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

async fn stream(app: &TestApp, token: &str, session: &str, query: &str, last: Option<&str>) -> reqwest::Response {
    let mut req = app.http.get(app.url(&format!("/v1/listen/sessions/{session}/events{query}"))).bearer_auth(token);
    if let Some(id) = last {
        req = req.header("last-event-id", id);
    }
    req.send().await.unwrap()
}

async fn a_session_streams_the_tenants_events_and_its_own_samples(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let session = open(&app, &token).await;
    let mut res = stream(&app, &token, &session, "?events=case.created,risk.assessed", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    // Created after the stream began: delivered, with the exact payload a webhook carries.
    let case: Value = app.create_case(&token, None, &recipe_body("rec_listen")).await.json().await.unwrap();
    // A type the stream did not ask for is left out.
    let (s, _) = app.post_json(&token, "/v1/listen/trigger", &json!({"event": "ping"})).await;
    assert_eq!(s, 202);
    let (s, t) = app.post_json(&token, "/v1/listen/trigger", &json!({"event": "risk.assessed"})).await;
    assert_eq!(s, 202, "{t}");
    assert_eq!(t["sessionId"], session.as_str(), "the client's newest session");
    let got = events(&mut res, 2).await;
    assert_eq!(got[0].0, "case.created");
    assert_eq!(got[0].2["caseId"], case["caseId"]);
    assert_eq!(got[1].0, "risk.assessed");
    assert_eq!(got[1].2["eventId"], t["eventId"]);
    assert_eq!(got[1].2["orgId"], app.org.as_str());
    drop(res);
    // No endpoint ever sees a sample: it is not in the tenant's event outbox.
    let outbox = fml_store::events::list(&app.db, &app.org).await.unwrap();
    assert!(outbox.iter().any(|e| e.event_type == "case.created"));
    assert!(!outbox.iter().any(|e| e.event_id == t["eventId"].as_str().unwrap()));

    // Resuming after the first event gives the second again, and only that.
    let mut again = stream(&app, &token, &session, "?events=case.created,risk.assessed", Some(&got[0].1)).await;
    let resumed = events(&mut again, 1).await;
    assert_eq!(resumed[0].2["eventId"], t["eventId"]);
    drop(again);

    // Ended: gone for good.
    let del = app.http.delete(app.url(&format!("/v1/listen/sessions/{session}"))).bearer_auth(&token).send().await;
    assert_eq!(del.unwrap().status(), 204);
    assert_eq!(stream(&app, &token, &session, "", None).await.status(), 404);
    let (s, _) = app.post_json(&token, "/v1/listen/trigger", &json!({"event": "ping", "sessionId": session})).await;
    assert_eq!(s, 404);
}

async fn sessions_are_the_tenants_and_need_both_scopes(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let session = open(&app, &token).await;
    let other = OrgId::parse("org_other_listen").unwrap();
    let (oid, osecret) = seed_org(&app.db, &other, ScopeSet::all()).await;
    let theirs = app.token_for(&oid, &osecret).await;
    assert_eq!(stream(&app, &theirs, &session, "", None).await.status(), 404);
    let (s, _) = app.post_json(&theirs, "/v1/listen/trigger", &json!({"event": "ping", "sessionId": session})).await;
    assert_eq!(s, 404);
    // Opening is safe to retry under an Idempotency-Key: the same session comes back.
    let open_keyed = || {
        app.http.post(app.url("/v1/listen/sessions")).bearer_auth(&token).header("idempotency-key", "listen-1").send()
    };
    let first: Value = open_keyed().await.unwrap().json().await.unwrap();
    let again = open_keyed().await.unwrap();
    assert!(again.headers().contains_key("idempotent-replay"));
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let (lid, lsecret) = seed_org(&app.db, &app.org, ScopeSet::from_iter([Scope::WebhooksWrite])).await;
    let limited = app.token_for(&lid, &lsecret).await;
    let (s, _) = app.post_json(&limited, "/v1/listen/sessions", &Value::Null).await;
    assert_eq!(s, 403, "the stream carries case data");
    for (body, field) in [(json!({}), "event"), (json!({"event": 5}), "event"), (json!({"event": "nope"}), "event")] {
        let (s, v) = app.post_json(&token, "/v1/listen/trigger", &body).await;
        assert_eq!((s, v["fields"][0]["field"].as_str()), (400, Some(field)), "{body}: {v}");
    }
}

crate::on_both_backends!(
    a_session_streams_the_tenants_events_and_its_own_samples,
    sessions_are_the_tenants_and_need_both_scopes
);
