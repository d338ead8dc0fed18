//! `/metrics` (issue 19): off unless a token is configured, refused without it, and parsed by
//! the reference Prometheus parser; the counters move when deliveries succeed and fail.

use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::helpers::{Backend, Options, TestApp, eventually, recipe_body, spawn, spawn_with};
use crate::receiver::Receiver;

const TOKEN: &str = "metrics-token-0123456789";

/// Every sample of a scrape, as the reference parser reads it.
async fn scrape(app: &TestApp) -> Vec<Value> {
    let res = app.http.get(app.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = res.text().await.unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/python/prom_parse.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "the parser refused it: {}\n{text}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn value(samples: &[Value], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| s["name"] == name && labels.iter().all(|(k, v)| s["labels"][k] == *v))
        .and_then(|s| s["value"].as_f64())
}

async fn metrics_are_off_by_default(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let res = app.http.get(app.url("/metrics")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 404, "nothing served without a metrics token configured");
}

async fn deliveries_move_the_metrics(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn_with(b, Options { metrics_token: Some(TOKEN), ..Options::default() }).await;
    let token = app.token().await;
    for wrong in [None, Some(token.as_str()), Some("metrics-token-0123456788")] {
        let mut req = app.http.get(app.url("/metrics"));
        if let Some(t) = wrong {
            req = req.bearer_auth(t);
        }
        assert_eq!(req.send().await.unwrap().status(), 401, "{wrong:?}");
    }
    let ok = app.create_endpoint(&token, json!({"url": rx.url("/ok/m"), "eventTypes": ["case.created"]})).await;
    let bad = app.create_endpoint(&token, json!({"url": rx.url("/status/500"), "eventTypes": ["case.created"]})).await;
    let before = scrape(&app).await;
    let delivered =
        |s: &[Value]| value(s, "fml_delivery_attempts_total", &[("outcome", "delivered"), ("event", "case.created")]);
    assert_eq!(delivered(&before), None);
    app.create_case(&token, None, &recipe_body("rec_metrics")).await;
    app.wait_delivery(&token, ok["id"].as_str().unwrap(), 10, |d| d["status"] == "delivered").await;
    let bad_id = bad["id"].as_str().unwrap().to_owned();
    let after = eventually(10, || async {
        let s = scrape(&app).await;
        (value(&s, "fml_endpoint_failure_streak", &[("endpoint", &bad_id)]).unwrap_or(0.0) >= 2.0).then_some(s)
    })
    .await;
    assert_eq!(delivered(&after), Some(1.0));
    assert!(
        value(&after, "fml_delivery_attempts_total", &[("outcome", "failed"), ("event", "case.created")]) >= Some(2.0)
    );
    assert_eq!(value(&after, "fml_endpoint_failure_streak", &[("endpoint", ok["id"].as_str().unwrap())]), Some(0.0));
    assert!(value(&after, "fml_delivery_attempt_duration_seconds_count", &[]) >= Some(3.0));
    assert_eq!(
        value(&after, "fml_http_requests_total", &[("route", "/v1/cases"), ("method", "POST"), ("status", "201")]),
        Some(1.0)
    );
    assert!(value(&after, "fml_delivery_queue_depth", &[]).is_some());
    assert!(value(&after, "fml_delivery_oldest_due_age_seconds", &[]).is_some());
    assert!(after.iter().any(|s| s["name"] == "fml_jobs" && s["labels"]["kind"].is_string()), "jobs by kind and state");
}

/// Each endpoint's health: attempts, success rate and mean latency over the last day and week.
async fn endpoints_report_their_health(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let ok = app.create_endpoint(&token, json!({"url": rx.url("/ok/h"), "eventTypes": ["case.created"]})).await;
    let bad = app.create_endpoint(&token, json!({"url": rx.url("/status/500"), "eventTypes": ["case.created"]})).await;
    let idle = app.create_endpoint(&token, json!({"url": rx.url("/ok/idle"), "eventTypes": ["owner.changed"]})).await;
    app.create_case(&token, None, &recipe_body("rec_health")).await;
    let bad_id = bad["id"].as_str().unwrap();
    app.wait_delivery(&token, bad_id, 10, |d| d["attempts"].as_array().is_some_and(|a| a.len() >= 2)).await;
    let health = |id: &str| {
        let (app, token, id) = (&app, token.clone(), id.to_owned());
        async move { app.get_json(&token, &format!("/v1/webhook-endpoints/{id}")).await.1["health"].clone() }
    };
    let good = eventually(10, || async {
        let h = health(ok["id"].as_str().unwrap()).await;
        (h["lastDay"]["attempts"] == 1).then_some(h)
    })
    .await;
    assert_eq!(good["lastDay"]["successRate"], 1.0);
    assert!(good["lastDay"]["meanLatencyMs"].as_i64().is_some_and(|ms| ms >= 0), "{good}");
    assert_eq!(good["lastWeek"]["attempts"], 1);
    let failing = health(bad_id).await;
    assert!(failing["lastDay"]["attempts"].as_i64() >= Some(2), "{failing}");
    assert_eq!(failing["lastDay"]["successRate"], 0.0);
    let quiet = health(idle["id"].as_str().unwrap()).await;
    assert_eq!((quiet["lastDay"]["attempts"].as_i64(), &quiet["lastDay"]["successRate"]), (Some(0), &Value::Null));
    // The list carries it too, and the console shows it, a failing endpoint in red.
    let (_, list) = app.get_json(&token, "/v1/webhook-endpoints").await;
    assert!(list["data"].as_array().unwrap().iter().all(|e| e["health"]["lastWeek"].is_object()), "{list}");
    let admin = app.analyst(fml_domain::lifecycle::Role::Admin).await;
    let s = crate::console::sign_in(&app, &admin).await;
    let (_, page) = s.get(&app, "/config/webhooks").await;
    assert!(page.contains("<td>100 % of 1 · "), "{page}");
    assert!(page.contains("<span class=\"pill pill-bad\">0 % of "), "{page}");
}

crate::on_both_backends!(metrics_are_off_by_default, deliveries_move_the_metrics, endpoints_report_their_health);
