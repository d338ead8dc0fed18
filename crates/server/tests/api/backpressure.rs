//! What receivers say back (issue 19): a `429` with `Retry-After` pauses the whole endpoint
//! that long and pushes that delivery's retry at least as late, without adding an attempt to
//! the schedule; a `410 Gone` disables the endpoint at once, audited, its queue kept.

use serde_json::{Value, json};

use crate::helpers::{Backend, eventually, recipe_body, spawn};
use crate::receiver::Receiver;

fn started(d: &Value, i: usize) -> i64 {
    let at = d["attempts"][i]["startedAt"].as_str().unwrap();
    chrono::DateTime::parse_from_rfc3339(at).unwrap().timestamp_millis()
}

async fn retry_after_pauses_the_endpoint(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/busy/2"), "eventTypes": ["case.created"]})).await;
    let id = ep["id"].as_str().unwrap();
    app.create_case(&token, None, &recipe_body("rec_busy_1")).await;
    let first = app.wait_delivery(&token, id, 10, |d| d["attempts"].as_array().is_some_and(|a| !a.is_empty())).await;
    assert_eq!(first["attempts"][0]["httpStatus"], 429);
    // Another event for the endpoint while it is paused: held back too.
    app.create_case(&token, None, &recipe_body("rec_busy_2")).await;
    let all = eventually(15, || async {
        let list = app.deliveries(&token, &format!("endpointId={id}")).await;
        (list.len() == 2 && list.iter().all(|d| d["status"] == "delivered")).then_some(list)
    })
    .await;
    let (_, retried) = app.get_json(&token, &format!("/v1/webhook-deliveries/{}", first["id"])).await;
    assert_eq!(retried["attempts"].as_array().unwrap().len(), 2, "one retry: {retried}");
    assert!(started(&retried, 1) - started(&retried, 0) >= 2_000, "the retry waited for Retry-After: {retried}");
    let other = all.iter().find(|d| d["id"] != first["id"]).unwrap();
    let (_, other) = app.get_json(&token, &format!("/v1/webhook-deliveries/{}", other["id"])).await;
    assert_eq!(other["attempts"].as_array().unwrap().len(), 1, "{other}");
    assert!(started(&other, 0) - started(&retried, 0) >= 2_000, "the endpoint was left alone: {other}");
}

async fn a_gone_receiver_disables_its_endpoint(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/status/410"), "eventTypes": ["case.created"]})).await;
    let id = ep["id"].as_str().unwrap();
    app.create_case(&token, None, &recipe_body("rec_gone")).await;
    let disabled = eventually(10, || async {
        let (_, v) = app.get_json(&token, &format!("/v1/webhook-endpoints/{id}")).await;
        (v["enabled"] == false).then_some(v)
    })
    .await;
    assert_eq!(disabled["id"], id);
    let audit = fml_store::audit::list(&app.db, &app.org, Some("endpoint.disable"), 10).await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    // Its delivery waits (one attempt, still pending) for someone to enable the endpoint again.
    let list = app.deliveries(&token, &format!("endpointId={id}")).await;
    assert_eq!((list[0]["status"].as_str(), list[0]["attemptCount"].as_i64()), (Some("pending"), Some(1)));
    assert_eq!(rx.hits("/status/410").len(), 1, "nothing more was sent to it");
}

crate::on_both_backends!(retry_after_pauses_the_endpoint, a_gone_receiver_disables_its_endpoint);
