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

crate::on_both_backends!(guide_receivers_verify_real_deliveries);
