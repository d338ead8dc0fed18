//! Bulk recovery (issue 19): after an outage, `POST /v1/webhook-endpoints/{id}/recover`
//! re-sends every failed delivery of a window, by a durable job, and the recovery's progress
//! is read back; what is outside the window stays failed.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, eventually, recipe_body, spawn};
use crate::receiver::Receiver;

impl TestApp {
    /// Polls a recovery until it is done.
    pub async fn wait_recovery(&self, token: &str, endpoint: &str, id: &str) -> Value {
        eventually(20, || async {
            let (s, r) = self.get_json(token, &format!("/v1/webhook-endpoints/{endpoint}/recoveries/{id}")).await;
            assert_eq!(s, 200, "{r}");
            (r["status"] == "done").then_some(r)
        })
        .await
    }
}

async fn failed_deliveries_in_the_window_are_sent_again(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    // Down for the first 18 requests: three deliveries' six attempts each.
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/flaky/18"), "eventTypes": ["case.created"]})).await;
    let ep_id = ep["id"].as_str().unwrap();
    let since = fml_domain::Timestamp::now().to_iso();
    for i in 0..2 {
        app.create_case(&token, None, &recipe_body(&format!("rec_out_{i}"))).await;
    }
    // The window ends strictly after the first two events (the clock has passed the moment
    // they were done) and the third comes at or after its end, which is exclusive.
    let done = fml_domain::Timestamp::now().millis();
    eventually(5, || async move { (fml_domain::Timestamp::now().millis() > done).then_some(()) }).await;
    let until = fml_domain::Timestamp::now().to_iso();
    app.create_case(&token, None, &recipe_body("rec_out_late")).await;
    eventually(30, || async {
        let failed = app.deliveries(&token, &format!("endpointId={ep_id}&status=failed")).await;
        (failed.len() == 3).then_some(())
    })
    .await;
    assert_eq!(rx.hits("/flaky/18").len(), 18);

    // Refusals first: each names its field, and nothing begins.
    let path = format!("/v1/webhook-endpoints/{ep_id}/recover");
    for (body, field) in
        [(json!({}), "since"), (json!({"since": "yesterday"}), "since"), (json!({"since": since, "until": 5}), "until")]
    {
        let (s, r) = app.post_json(&token, &path, &body).await;
        assert_eq!(s, 400, "{body}: {r}");
        assert_eq!(r["error"], "validation_error", "{body}: {r}");
        assert_eq!(r["fields"][0]["field"], field, "{body}: {r}");
    }
    let (s, r) = app.post_json(&token, &path, &json!({"since": until, "until": since})).await;
    assert_eq!((s, r["error"].as_str()), (422, Some("invalid_window")), "{r}");
    let (s, _) = app.post_json(&token, "/v1/webhook-endpoints/nope/recover", &json!({"since": since})).await;
    assert_eq!(s, 404);

    let (s, r) = app.post_json(&token, &path, &json!({"since": since, "until": until})).await;
    assert_eq!(s, 202, "{r}");
    assert_eq!(r["total"], 2, "the two failed deliveries of the window: {r}");
    assert_eq!(r["endpointId"], ep_id);
    let id = r["id"].as_str().unwrap();
    let done = app.wait_recovery(&token, ep_id, id).await;
    assert_eq!(done["requeued"], 2);
    assert!(done["finishedAt"].is_string());
    rx.wait_for("/flaky/18", 20, 10).await;
    let delivered = eventually(10, || async {
        let d = app.deliveries(&token, &format!("endpointId={ep_id}&status=delivered")).await;
        (d.len() == 2).then_some(d)
    })
    .await;
    for d in &delivered {
        assert_eq!(d["attemptCount"], 7, "one more attempt each, as a redelivery: {d}");
    }
    let still = app.deliveries(&token, &format!("endpointId={ep_id}&status=failed")).await;
    assert_eq!(still.len(), 1, "the late one is outside the window");
    assert_eq!(rx.hits("/flaky/18").len(), 20, "nothing sent twice");

    let (s, list) = app.get_json(&token, &format!("/v1/webhook-endpoints/{ep_id}/recoveries")).await;
    assert_eq!(s, 200);
    assert_eq!(list["data"][0]["id"], id);
    let audit = fml_store::audit::list(&app.db, &app.org, Some("endpoint.recover"), 10).await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    // Another tenant cannot read it.
    let (s, _) = app.get_json(&token, &format!("/v1/webhook-endpoints/other/recoveries/{id}")).await;
    assert_eq!(s, 404);
}

async fn one_recovery_runs_per_endpoint(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/ok"), "eventTypes": ["case.created"]})).await;
    let ep_id = ep["id"].as_str().unwrap();
    let now = fml_domain::Timestamp::now();
    let new = |id: &'static str| fml_store::recoveries::NewRecovery {
        id,
        endpoint_id: ep_id,
        since: fml_domain::Timestamp::from_millis(0),
        until: now,
        requested_by: "test",
    };
    let mut tx = app.db.begin().await.unwrap();
    let first = fml_store::recoveries::begin_in(tx.conn(), &app.org, &new("rec_a"), now).await.unwrap();
    assert!(first.is_some());
    let second = fml_store::recoveries::begin_in(tx.conn(), &app.org, &new("rec_b"), now).await.unwrap();
    assert!(second.is_none(), "a second one while the first runs");
    // A step taken by another run first is not applied again.
    let r = first.unwrap();
    let moved = fml_store::recoveries::step_in(tx.conn(), &r, 10, now).await.unwrap().unwrap();
    assert_eq!(moved.status, "done");
    assert!(fml_store::recoveries::step_in(tx.conn(), &r, 10, now).await.unwrap().is_none());
    tx.commit().await.unwrap();
}

async fn the_console_recovers_and_shows_progress(b: Backend) {
    use crate::console::sign_in;
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/flaky/6"), "eventTypes": ["case.created"]})).await;
    let ep_id = ep["id"].as_str().unwrap();
    app.create_case(&token, None, &recipe_body("rec_console")).await;
    app.wait_delivery(&token, ep_id, 20, |d| d["status"] == "failed").await;
    let a = app.analyst(fml_domain::lifecycle::Role::Analyst).await;
    let s = sign_in(&app, &a).await;
    let (_, list) = s.get(&app, "/config/webhooks").await;
    let page = format!("/config/webhooks/{ep_id}/recover");
    assert!(list.contains(&format!("href=\"{page}\"")), "each endpoint offers Recover");
    let (status, form) = s.get(&app, &page).await;
    assert_eq!(status, 200);
    assert!(form.contains("<option value=\"24h\" selected>the last 24 hours</option>"), "{form}");
    assert_eq!(s.post(&app, &page, &[("window", "forever")]).await.status(), 422);
    let res = s.post(&app, &page, &[("window", "24h")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("{page}?done=started"));
    let done = eventually(20, || async {
        let (_, html) = s.get(&app, &page).await;
        html.contains("1 of 1 re-queued").then_some(html)
    })
    .await;
    assert!(done.contains("Recovery started") || done.contains(&a.email), "{done}");
    let delivered = eventually(10, || async {
        let d = app.deliveries(&token, &format!("endpointId={ep_id}&status=delivered")).await;
        (d.len() == 1).then_some(d)
    })
    .await;
    assert_eq!(delivered[0]["attemptCount"], 7);
    // A disabled endpoint says why beside its Enable button.
    assert!(fml_store::endpoints::disable_gone(&app.db, ep_id, fml_domain::Timestamp::now()).await.unwrap());
    let (_, list) = s.get(&app, "/config/webhooks").await;
    assert!(list.contains("Its receiver answered 410 Gone"), "{list}");
    let (_, form) = s.get(&app, &page).await;
    assert!(form.contains("This endpoint is disabled"), "{form}");
}

crate::on_both_backends!(
    failed_deliveries_in_the_window_are_sent_again,
    one_recovery_runs_per_endpoint,
    the_console_recovers_and_shows_progress
);
