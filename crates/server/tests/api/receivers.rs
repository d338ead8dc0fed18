//! The guide's own Flask and Express receivers, run unchanged as separate processes, verify
//! the signatures of real deliveries (and refuse a delivery signed with another secret).

use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::helpers::{Backend, recipe_body, spawn};

struct Proc {
    _child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    url: String,
}

async fn start(mut cmd: Command, path: &str) -> Proc {
    let mut child =
        cmd.stdout(Stdio::piped()).stderr(Stdio::null()).stdin(Stdio::null()).kill_on_drop(true).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
        .await
        .expect("the receiver did not start")
        .unwrap()
        .expect("the receiver exited (are express and flask installed? see .ci/setup)");
    let port = first.strip_prefix("PORT ").unwrap().trim().to_owned();
    Proc { _child: child, lines, url: format!("http://127.0.0.1:{port}{path}") }
}

async fn guide_receivers_verify_real_deliveries(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let secret = fml_webhooks::sign::generate_secret();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests");

    let mut express_cmd = Command::new("node");
    express_cmd.arg(root.join("node/receivers/harness.mjs")).env("FML_WEBHOOK_SECRET", &secret);
    let mut express = start(express_cmd, "/webhooks/fml").await;
    let mut flask_cmd = Command::new("python3");
    flask_cmd.arg(root.join("python/flask_harness.py")).env("FML_WEBHOOK_SECRET", &secret);
    let flask = start(flask_cmd, "/webhooks/fml").await;

    let ex = app
        .create_endpoint(&token, json!({"url": express.url, "secret": secret, "eventTypes": ["case.created"]}))
        .await;
    let fl =
        app.create_endpoint(&token, json!({"url": flask.url, "secret": secret, "eventTypes": ["case.created"]})).await;
    // The same receivers with another secret must refuse (401): they really check.
    let wrong = fml_webhooks::sign::generate_secret();
    let ex_wrong =
        app.create_endpoint(&token, json!({"url": express.url, "secret": wrong, "eventTypes": ["case.created"]})).await;
    let fl_wrong =
        app.create_endpoint(&token, json!({"url": flask.url, "secret": wrong, "eventTypes": ["case.created"]})).await;

    let case: Value = app.create_case(&token, None, &recipe_body("rec_guide_receivers")).await.json().await.unwrap();
    for ep in [&ex, &fl] {
        let d = app.wait_delivery(&token, ep["id"].as_str().unwrap(), 15, |d| d["status"] == "delivered").await;
        assert_eq!(d["attempts"][0]["httpStatus"], 200);
        assert_eq!(d["payload"]["caseId"], case["caseId"]);
    }
    let line = express.lines.next_line().await.unwrap().unwrap();
    let accepted: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(accepted["accepted"], "case.created");
    for ep in [&ex_wrong, &fl_wrong] {
        let d = app
            .wait_delivery(&token, ep["id"].as_str().unwrap(), 15, |d| !d["attempts"].as_array().unwrap().is_empty())
            .await;
        assert_eq!(d["attempts"][0]["httpStatus"], 401, "{d}");
    }
    // The ping is verified too.
    for url in [&express.url, &flask.url] {
        let res = app
            .http
            .post(app.url("/v1/webhook-endpoints/ping"))
            .bearer_auth(&token)
            .json(&json!({"url": url, "secret": secret}))
            .send()
            .await
            .unwrap();
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["status"], 200, "{url}: {v}");
    }
    drop(flask);
}

/// Starts the guide's receivers (`corrected`: the versions docs/webhooks.md shows) with `secret`.
async fn receivers(secret: &str, corrected: bool) -> [Proc; 2] {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut express = Command::new("node");
    express.arg(root.join("node/receivers/harness.mjs")).env("FML_WEBHOOK_SECRET", secret);
    let mut flask = Command::new("python3");
    flask.arg(root.join("python/flask_harness.py")).env("FML_WEBHOOK_SECRET", secret);
    if corrected {
        express.env("FML_RECEIVER", "express_corrected.mjs");
        flask.env("FML_RECEIVER", "flask_corrected.py");
    }
    [start(express, "/webhooks/fml").await, start(flask, "/webhooks/fml").await]
}

/// A request as we send it, signed with `secret`, whose body says it was emitted `age_secs`
/// ago and whose `X-FML-Timestamp` says `header_age_secs` ago.
async fn post_signed(http: &reqwest::Client, url: &str, secret: &str, age_secs: i64, header_age_secs: i64) -> u16 {
    let at = |age: i64| fml_domain::Timestamp::now().plus_secs(-age).to_iso();
    let event_id = uuid::Uuid::new_v4().to_string();
    let body = json!({"event": "case.created", "eventId": event_id, "eventVersion": 1, "timestamp": at(age_secs),
                      "orgId": "org_x", "crmRecordId": null});
    let body = body.to_string();
    let res = http
        .post(url)
        .header("content-type", "application/json")
        .header("x-fml-signature", fml_webhooks::sign::signature(secret, body.as_bytes()))
        .header("x-fml-event", "case.created")
        .header("x-fml-event-id", &event_id)
        .header("x-fml-timestamp", at(header_age_secs))
        .body(body)
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

/// The corrected receivers accept our deliveries, and a retry ten minutes after emission that
/// the guide's five-minute window on `X-FML-Timestamp` refuses; they refuse an old body whose
/// unsigned `X-FML-Timestamp` was made fresh, which the guide's accept.
async fn corrected_receivers_window_the_signed_timestamp(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let secret = fml_webhooks::sign::generate_secret();
    let corrected = receivers(&secret, true).await;
    let guide = receivers(&secret, false).await;
    for (i, r) in corrected.iter().enumerate() {
        let ep =
            app.create_endpoint(&token, json!({"url": r.url, "secret": secret, "eventTypes": ["case.created"]})).await;
        app.create_case(&token, None, &recipe_body(&format!("rec_corrected_{i}"))).await;
        let d = app.wait_delivery(&token, ep["id"].as_str().unwrap(), 15, |d| d["status"] == "delivered").await;
        assert_eq!(d["attempts"][0]["httpStatus"], 200, "{}: {d}", r.url);
    }
    for (procs, late_retry, forged_header) in [(&corrected, 200, 401), (&guide, 401, 200)] {
        for r in procs {
            assert_eq!(post_signed(&app.http, &r.url, &secret, 600, 600).await, late_retry, "late retry at {}", r.url);
            assert_eq!(
                post_signed(&app.http, &r.url, &secret, 7200, 0).await,
                forged_header,
                "fresh header at {}",
                r.url
            );
        }
    }
}

crate::on_both_backends!(guide_receivers_verify_real_deliveries, corrected_receivers_window_the_signed_timestamp);
