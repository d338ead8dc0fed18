//! Test pings are deliveries (issue 19): the pre-save ping and an endpoint's Test each get a
//! delivery row whose id is the `X-FML-Delivery-Id` sent, listed with `test: true`, sent once,
//! never retried nor redelivered; the console lists them marked "Test".

use serde_json::{Value, json};

use crate::console::sign_in;
use crate::helpers::{Backend, eventually, recipe_body, spawn};
use crate::receiver::Receiver;
use fml_domain::lifecycle::Role;

async fn pings_are_listed_as_test_deliveries_and_never_sent_again(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;

    // The pre-save ping: its delivery id is on the wire and in the answer.
    let res = app
        .http
        .post(app.url("/v1/webhook-endpoints/ping"))
        .bearer_auth(&token)
        .json(&json!({"url": rx.url("/ok/unsaved"), "secret": "typed-secret-0123456789"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    let unsaved = v["deliveryId"].as_i64().expect("a delivery id");
    let hit = rx.wait_for("/ok/unsaved", 1, 5).await.remove(0);
    assert_eq!(hit.header("x-fml-delivery-id"), unsaved.to_string(), "the real id, never 0");
    assert_eq!(hit.header("x-fml-attempt"), "1");
    let list = app.deliveries(&token, "").await;
    let row = list.iter().find(|d| d["id"] == unsaved).expect("the ping is listed");
    assert_eq!(row["test"], true);
    assert_eq!(row["event"], "ping");
    assert_eq!(row["endpointId"], Value::Null, "no endpoint exists before saving");
    assert_eq!(row["url"], rx.url("/ok/unsaved"));
    assert_eq!((row["status"].as_str(), row["attemptCount"].as_i64()), (Some("delivered"), Some(1)));
    let (_, detail) = app.get_json(&token, &format!("/v1/webhook-deliveries/{unsaved}")).await;
    assert_eq!(detail["payload"]["event"], "ping");
    assert_eq!(detail["payload"]["eventId"].as_str(), Some(hit.header("x-fml-event-id")));
    assert_eq!(detail["attempts"][0]["httpStatus"], 200);
    assert_eq!(detail["attempts"].as_array().unwrap().len(), 1);

    // A ping's answer shows its first 500 bytes; its delivery keeps the whole body.
    let res = app
        .http
        .post(app.url("/v1/webhook-endpoints/ping"))
        .bearer_auth(&token)
        .json(&json!({"url": rx.url("/sized/5000")}))
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    let whole = crate::receiver::sized_body(5000);
    assert_eq!(v["body"].as_str(), Some(&whole[..500]));
    let (_, detail) = app.get_json(&token, &format!("/v1/webhook-deliveries/{}", v["deliveryId"])).await;
    assert_eq!(detail["attempts"][0]["responseBody"].as_str(), Some(whole.as_str()));

    // A saved endpoint's Test that fails: recorded as failed, never retried, even while the
    // engine retries a real delivery to the same endpoint.
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/status/500"), "eventTypes": ["case.created"]})).await;
    let id = ep["id"].as_str().unwrap();
    let res =
        app.http.post(app.url(&format!("/v1/webhook-endpoints/{id}/test"))).bearer_auth(&token).send().await.unwrap();
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], 500);
    let tested = v["deliveryId"].as_i64().expect("a delivery id");
    assert_ne!(tested, unsaved);
    app.create_case(&token, None, &recipe_body("rec_ping_neighbour")).await;
    let real = eventually(10, || async {
        let list = app.deliveries(&token, &format!("endpointId={id}&event=case.created")).await;
        list.into_iter().find(|d| d["attemptCount"].as_i64() >= Some(3))
    })
    .await;
    assert_eq!(real["test"], false);
    let list = app.deliveries(&token, &format!("endpointId={id}")).await;
    let row = list.iter().find(|d| d["id"] == tested).expect("the Test is listed under its endpoint");
    assert_eq!((row["test"].as_bool(), row["status"].as_str()), (Some(true), Some("failed")));
    assert_eq!((row["attemptCount"].as_i64(), row["lastHttpStatus"].as_i64()), (Some(1), Some(500)));
    let pings = rx.hits("/status/500").into_iter().filter(|h| h.header("x-fml-event") == "ping").count();
    assert_eq!(pings, 1, "the failed Test was sent once");

    // Redelivery is refused with a reason, and changes nothing.
    let res = app
        .http
        .post(app.url(&format!("/v1/webhook-deliveries/{tested}/redeliver")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "test_delivery");

    // The console lists both, marked, with no Redeliver button, and the ping's answer links
    // to its delivery.
    let admin = app.analyst(Role::Admin).await;
    let s = sign_in(&app, &admin).await;
    let (status, page) = s.get(&app, "/config/deliveries").await;
    assert_eq!(status, 200);
    for d in [unsaved, tested] {
        let row = page.split(&format!("id=\"row-{d}\"")).nth(1).expect("listed").split("</tr>").next().unwrap();
        assert!(row.contains("pill-test"), "marked as a test: {row}");
        assert!(!row.contains("/redeliver"), "no redelivery of a test: {row}");
    }
    assert!(page.contains(&format!("{} (before saving)", rx.url("/ok/unsaved"))), "where the unsaved ping went");
    let res = s.post(&app, &format!("/config/webhooks/{id}/test"), &[]).await;
    let text = res.text().await.unwrap();
    let (_, list) = app.get_json(&token, "/v1/webhook-deliveries?limit=1").await;
    let newest = list["data"][0]["id"].as_i64().unwrap();
    assert!(text.contains(&format!("href=\"/config/deliveries/{newest}\"")), "{text}");
}

crate::on_both_backends!(pings_are_listed_as_test_deliveries_and_never_sent_again);
