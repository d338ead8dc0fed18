//! What receivers say back (issue 19): a `429` with `Retry-After` pauses the whole endpoint
//! that long and pushes that delivery's retry at least as late, without adding an attempt to
//! the schedule; a `410 Gone` disables the endpoint at once, audited, its queue kept; an
//! endpoint that failed every attempt for days is disabled, its tenant's admins told by email,
//! and one click gives it a fresh start.

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
    assert_eq!(disabled["disabledReason"], "gone");
    let audit = fml_store::audit::list(&app.db, &app.org, Some("endpoint.disable"), 10).await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    // Its delivery waits (one attempt, still pending) for someone to enable the endpoint again.
    let list = app.deliveries(&token, &format!("endpointId={id}")).await;
    assert_eq!((list[0]["status"].as_str(), list[0]["attemptCount"].as_i64()), (Some("pending"), Some(1)));
    assert_eq!(rx.hits("/status/410").len(), 1, "nothing more was sent to it");
}

/// Writes `endpoint`'s hourly totals for the hours from `from_h` to `to_h` hours ago (both
/// included): one attempt each, failed, but a success `ok_h` hours ago.
async fn history(db: &fml_store::Db, endpoint: &str, from_h: i64, to_h: i64, ok_h: Option<i64>) {
    let now = fml_domain::Timestamp::now().millis();
    let this_hour = now - now.rem_euclid(3_600_000);
    let mut tx = db.begin().await.unwrap();
    for h in (to_h..=from_h).rev() {
        let ok = i64::from(ok_h == Some(h));
        fml_store::execute!(
            tx.conn(),
            "INSERT INTO endpoint_stats (endpoint_id, hour, attempts, successes, duration_ms_sum) VALUES ($1, $2, 1, $3, 40)",
            endpoint,
            this_hour - h * 3_600_000,
            ok
        )
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn an_endpoint_failing_for_days_is_disabled_and_its_admins_told(b: Backend) {
    use fml_domain::lifecycle::Role;
    let app = spawn(b).await;
    let token = app.token().await;
    let admin = app.analyst(Role::Admin).await;
    let analyst = app.analyst(Role::Analyst).await;
    let mut ids = Vec::new();
    for label in ["down", "recovered", "recent", "idle"] {
        let ep = app
            .create_endpoint(
                &token,
                json!({"url": "https://8.8.8.8/hook", "label": label, "eventTypes": ["case.created"]}),
            )
            .await;
        ids.push(ep["id"].as_str().unwrap().to_owned());
    }
    // The endpoints are as old as their history (it was enabled all along).
    let mut tx = app.db.begin().await.unwrap();
    fml_store::execute!(tx.conn(), "UPDATE webhook_endpoints SET created_at = created_at - $1", 8 * 86_400_000_i64)
        .unwrap();
    tx.commit().await.unwrap();
    history(&app.db, &ids[0], 6 * 24, 0, None).await; // failing for six days, to this hour
    history(&app.db, &ids[1], 6 * 24, 0, Some(48)).await; // one success two days ago
    history(&app.db, &ids[2], 3 * 24, 0, None).await; // failing for three days
    history(&app.db, &ids[3], 6 * 24, 48, None).await; // not tried for two days
    let key = fml_domain::crypto::MasterKey::from_hex(&app.master_key_hex).unwrap();
    let cfg = fml_app::mail::MailConfig { portal_url: "https://portal.example".into(), master_key: key, smtp: false };
    let ctx = app.ctx().with_mail(cfg);
    let five_days = std::time::Duration::from_secs(5 * 86_400);
    let now = fml_domain::Timestamp::now();
    let n = fml_app::jobs::housekeeping::disable_failing(&ctx, five_days, now).await.unwrap();
    assert_eq!(n, 1);
    let state = |v: &Value| (v["label"].as_str().unwrap().to_owned(), v["enabled"].as_bool().unwrap());
    let (_, list) = app.get_json(&token, "/v1/webhook-endpoints").await;
    let mut states: Vec<(String, bool)> = list["data"].as_array().unwrap().iter().map(state).collect();
    states.sort();
    assert_eq!(
        states,
        [("down".into(), false), ("idle".into(), true), ("recent".into(), true), ("recovered".into(), true)]
    );
    let (_, down) = app.get_json(&token, &format!("/v1/webhook-endpoints/{}", ids[0])).await;
    assert_eq!(down["disabledReason"], "failing", "{down}");
    assert!(down["disabledAt"].is_string());
    let audit = fml_store::audit::list(&app.db, &app.org, Some("endpoint.disable"), 10).await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert!(audit[0].detail.contains("every attempt failed for 120 hours"), "{audit:?}");
    let mails: Vec<_> = fml_store::mail::list(&app.db, &app.org)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "endpoint_disabled")
        .collect();
    assert_eq!(mails.len(), 1, "to the admin only: {mails:?}");
    assert_eq!(mails[0].recipient, admin.email);
    assert_ne!(mails[0].recipient, analyst.email);
    assert_eq!(mails[0].subject, "Webhook endpoint disabled: down");
    // Run again: nothing more to do.
    assert_eq!(fml_app::jobs::housekeeping::disable_failing(&ctx, five_days, now).await.unwrap(), 0);
    // One click enables it with a fresh start: the same failures do not disable it again.
    let (s, v) = app.patch_json(&token, &format!("/v1/webhook-endpoints/{}", ids[0]), &json!({"enabled": true})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["enabled"].as_bool(), v["disabledReason"].is_null()), (Some(true), true), "{v}");
    let later = fml_domain::Timestamp::now();
    assert_eq!(fml_app::jobs::housekeeping::disable_failing(&ctx, five_days, later).await.unwrap(), 0);
}

crate::on_both_backends!(
    retry_after_pauses_the_endpoint,
    a_gone_receiver_disables_its_endpoint,
    an_endpoint_failing_for_days_is_disabled_and_its_admins_told
);
