//! The delivery engine's wake-ups and leases: a redelivery or a re-enabled endpoint goes out
//! without waiting for a rescan, and an attempt overtaken by newer state (a redelivery, a
//! deleted endpoint) is recorded in the history without overwriting that state. These apps
//! rescan only once an hour, so anything delivered here was found by a wake-up.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{Backend, Options, TestApp, eventually, recipe_body, spawn_with};
use crate::receiver::Receiver;

async fn no_rescan(b: Backend) -> TestApp {
    spawn_with(b, Options { webhook_rescan: Duration::from_secs(3600), ..Options::default() }).await
}

async fn post(app: &TestApp, token: &str, path: &str) -> u16 {
    app.http.post(app.url(path)).bearer_auth(token).send().await.unwrap().status().as_u16()
}

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let res = app.http.patch(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn attempts(d: &Value) -> &Vec<Value> {
    d["attempts"].as_array().unwrap()
}

async fn redelivery_goes_out_at_once(b: Backend) {
    let rx = Receiver::start().await;
    let app = no_rescan(b).await;
    let token = app.token().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/ok"), "eventTypes": ["case.created"]})).await;
    let ep_id = ep["id"].as_str().unwrap();
    app.create_case(&token, None, &recipe_body("rec_wake")).await;
    let d = app.wait_delivery(&token, ep_id, 10, |d| d["status"] == "delivered").await;
    assert_eq!(post(&app, &token, &format!("/v1/webhook-deliveries/{}/redeliver", d["id"])).await, 202);
    let hits = rx.wait_for("/ok", 2, 10).await;
    assert_eq!(hits[1].header("x-fml-attempt"), "2");
    let d = app.wait_delivery(&token, ep_id, 10, |d| attempts(d).len() == 2).await;
    assert_eq!(d["status"], "delivered");
    assert_eq!(attempts(&d)[1]["manual"], true);
}

async fn reenabling_an_endpoint_sends_its_queue_at_once(b: Backend) {
    let rx = Receiver::start().await;
    let app = no_rescan(b).await;
    let token = app.token().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/status/500"), "eventTypes": ["case.created"]})).await;
    let ep_id = ep["id"].as_str().unwrap();
    let path = format!("/v1/webhook-endpoints/{ep_id}");
    app.create_case(&token, None, &recipe_body("rec_reenable")).await;
    app.wait_delivery(&token, ep_id, 10, |d| !attempts(d).is_empty()).await;
    patch(&app, &token, &path, json!({"enabled": false})).await;
    // Let the retry fall due while the endpoint is disabled: the engine drops it then.
    let due = app
        .wait_delivery(&token, ep_id, 10, |d| d["status"] == "pending" && d["nextAttemptAt"].is_string())
        .await["nextAttemptAt"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually(10, || async { (chrono_now() > due).then_some(()) }).await;
    let before = rx.hits("/status/500").len();
    patch(&app, &token, &path, json!({"enabled": true, "url": rx.url("/ok/fixed")})).await;
    rx.wait_for("/ok/fixed", 1, 10).await;
    let d = app.wait_delivery(&token, ep_id, 10, |d| d["status"] == "delivered").await;
    assert_eq!(attempts(&d).len(), before + 1);
}

fn chrono_now() -> String {
    fml_domain::Timestamp::now().to_iso()
}

async fn an_overtaken_attempt_does_not_overwrite_a_redelivery(b: Backend) {
    let rx = Receiver::start().await;
    let app = no_rescan(b).await;
    let token = app.token().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/hold/500"), "eventTypes": ["case.created"]})).await;
    let ep_id = ep["id"].as_str().unwrap();
    app.create_case(&token, None, &recipe_body("rec_overtaken")).await;
    rx.wait_for("/hold/500", 1, 10).await;
    let id = app.deliveries(&token, &format!("endpointId={ep_id}")).await[0]["id"].clone();
    // Attempt 1 is held; the redelivery goes out beside it and succeeds.
    assert_eq!(post(&app, &token, &format!("/v1/webhook-deliveries/{id}/redeliver")).await, 202);
    let hits = rx.wait_for("/hold/500", 2, 10).await;
    assert_eq!(hits[1].header("x-fml-attempt"), "2");
    app.wait_delivery(&token, ep_id, 10, |d| d["status"] == "delivered").await;
    // Attempt 1 now fails: it joins the history but cannot schedule a retry.
    rx.release();
    let d = app.wait_delivery(&token, ep_id, 10, |d| attempts(d).len() == 2).await;
    assert_eq!(d["status"], "delivered", "{d}");
    assert_eq!(d["nextAttemptAt"], Value::Null);
    assert_eq!(d["lastHttpStatus"], 200);
    let statuses: Vec<(i64, i64)> =
        attempts(&d).iter().map(|a| (a["attempt"].as_i64().unwrap(), a["httpStatus"].as_i64().unwrap())).collect();
    assert!(statuses.contains(&(1, 500)) && statuses.contains(&(2, 200)), "{statuses:?}");
}

async fn an_attempt_overtaken_by_deletion_leaves_the_delivery_failed(b: Backend) {
    let rx = Receiver::start().await;
    let app = no_rescan(b).await;
    let token = app.token().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/hold/200"), "eventTypes": ["case.created"]})).await;
    let ep_id = ep["id"].as_str().unwrap();
    app.create_case(&token, None, &recipe_body("rec_deleted")).await;
    rx.wait_for("/hold/200", 1, 10).await;
    let res =
        app.http.delete(app.url(&format!("/v1/webhook-endpoints/{ep_id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 204);
    rx.release();
    let d = app.wait_delivery(&token, ep_id, 10, |d| attempts(d).len() == 1).await;
    assert_eq!(attempts(&d)[0]["httpStatus"], 200, "the attempt is in the history");
    assert_eq!(d["status"], "failed", "a deleted endpoint's delivery stays failed: {d}");
    assert_eq!(d["nextAttemptAt"], Value::Null);
}

/// A tenant whose endpoints all hold every request and then fail takes only its share of the
/// engine: another tenant's event is delivered while all of the first tenant's attempts are
/// still waiting, and the first never has more than its share in flight.
async fn a_misbehaving_tenant_cannot_starve_another(b: Backend) {
    use fml_webhooks::engine::Concurrency;
    let rx = Receiver::start().await;
    let concurrency = Concurrency { per_endpoint: 64, per_tenant: 16, global: 64 };
    let app = spawn_with(b, Options { webhook_concurrency: concurrency, ..Options::default() }).await;
    let token = app.token().await;
    for i in 0..4 {
        app.create_endpoint(&token, json!({"url": rx.url(&format!("/gate/500/a{i}")), "eventTypes": ["case.created"]}))
            .await;
    }
    let other = fml_domain::OrgId::parse("org_other_tenant").unwrap();
    let (id, secret) = crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let theirs = app.token_for(&id, &secret).await;
    app.create_endpoint(&theirs, json!({"url": rx.url("/ok/other-tenant"), "eventTypes": ["case.created"]})).await;

    // 20 cases x 4 endpoints: more attempts than the whole engine may run at once.
    for i in 0..20 {
        assert_eq!(app.create_case(&token, None, &recipe_body(&format!("rec_busy_{i}"))).await.status(), 201);
    }
    eventually(10, || async { (rx.gate_waiting().0 >= concurrency.per_tenant).then_some(()) }).await;
    assert_eq!(app.create_case(&theirs, None, &recipe_body("rec_other")).await.status(), 201);
    rx.wait_for("/ok/other-tenant", 1, 10).await;
    let (waiting, most) = rx.gate_waiting();
    assert_eq!(waiting, concurrency.per_tenant, "the busy tenant's attempts are all still held");
    assert!(most <= concurrency.per_tenant, "{most} attempts of one tenant in flight at once");
    rx.open_gate();
}

/// Retention prunes finished deliveries with their attempts, never pending ones, and never the
/// events (the cases' timeline); a pruned delivery is gone from the API.
async fn retention_prunes_finished_deliveries_only(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn_with(b, Options::default()).await;
    let token = app.token().await;
    let ok = app.create_endpoint(&token, json!({"url": rx.url("/ok"), "eventTypes": ["case.created"]})).await;
    let held = app.create_endpoint(&token, json!({"url": rx.url("/hold/200"), "eventTypes": ["case.created"]})).await;
    for i in 0..2 {
        assert_eq!(app.create_case(&token, None, &recipe_body(&format!("rec_keep_{i}"))).await.status(), 201);
    }
    let ok_id = ok["id"].as_str().unwrap();
    eventually(10, || async {
        (app.deliveries(&token, &format!("endpointId={ok_id}&status=delivered")).await.len() == 2).then_some(())
    })
    .await;
    rx.wait_for("/hold/200", 1, 10).await;
    let delivered = app.deliveries(&token, &format!("endpointId={ok_id}")).await;
    let future = fml_domain::Timestamp::from_millis(fml_domain::Timestamp::now().millis() + 60_000);
    let pruned = fml_store::deliveries::prune_finished(&app.db, future, 1).await.unwrap();
    let held_id = held["id"].as_str().unwrap();
    // The held endpoint's first delivery is still in flight (pending); its second went at once.
    let held_left = app.deliveries(&token, &format!("endpointId={held_id}")).await;
    assert_eq!(pruned, 3, "two delivered to /ok and the held endpoint's delivered one");
    assert_eq!(held_left.len(), 1);
    assert_eq!(held_left[0]["status"], "pending");
    assert!(app.deliveries(&token, &format!("endpointId={ok_id}")).await.is_empty());
    for d in &delivered {
        assert_eq!(app.get_json(&token, &format!("/v1/webhook-deliveries/{}", d["id"])).await.0, 404);
        assert_eq!(post(&app, &token, &format!("/v1/webhook-deliveries/{}/redeliver", d["id"])).await, 404);
    }
    // The events — the cases' timeline — are all still there.
    assert_eq!(fml_store::events::list(&app.db, &app.org).await.unwrap().len(), 2);
    rx.release();
}

/// A receiver that answers with a NUL byte (which PostgreSQL cannot store in text) still gets
/// its attempt recorded, and its delivery is not sent again.
async fn a_response_with_a_nul_byte_is_recorded(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn_with(b, Options::default()).await;
    let token = app.token().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/nul"), "eventTypes": ["case.created"]})).await;
    app.create_case(&token, None, &recipe_body("rec_nul")).await;
    let d = app.wait_delivery(&token, ep["id"].as_str().unwrap(), 10, |d| d["status"] == "delivered").await;
    assert_eq!(attempts(&d)[0]["responseBody"], "before\u{FFFD}after");
    assert_eq!(rx.hits("/nul").len(), 1);
}

/// A keyed test ping whose caller hangs up mid-request releases its key: the retry runs at
/// once instead of meeting `409 idempotency_request_in_progress` for a minute.
async fn an_abandoned_keyed_ping_frees_its_key(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn_with(b, Options::default()).await;
    let token = app.token().await;
    let body = json!({"url": rx.url("/hold/200"), "secret": "a-shared-secret-for-pings"});
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let first = impatient
        .post(app.url("/v1/webhook-endpoints/ping"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "ping-once")
        .json(&body)
        .send()
        .await;
    assert!(first.is_err(), "the first ping is held at the receiver");
    rx.wait_for("/hold/200", 1, 10).await;
    let retry = eventually(10, || async {
        let res = app
            .http
            .post(app.url("/v1/webhook-endpoints/ping"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "ping-once")
            .json(&body)
            .send()
            .await
            .unwrap();
        (res.status() == 200).then_some(res)
    })
    .await;
    assert!(retry.headers().get("idempotent-replay").is_none(), "the retry ran afresh");
    rx.release();
}

crate::on_both_backends!(
    an_abandoned_keyed_ping_frees_its_key,
    a_response_with_a_nul_byte_is_recorded,
    retention_prunes_finished_deliveries_only,
    a_misbehaving_tenant_cannot_starve_another,
    redelivery_goes_out_at_once,
    reenabling_an_endpoint_sends_its_queue_at_once,
    an_overtaken_attempt_does_not_overwrite_a_redelivery,
    an_attempt_overtaken_by_deletion_leaves_the_delivery_failed,
);
