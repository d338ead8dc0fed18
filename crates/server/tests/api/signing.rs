//! Signing per endpoint (issue 19): Standard Webhooks deliveries verified by the reference
//! libraries (PyPI and npm `standardwebhooks`), before and during a rotation's grace period,
//! and an FML v1 rotation that carries both signatures until its grace ends.

use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::helpers::{Backend, TestApp, eventually, recipe_body, spawn};
use crate::receiver::{Hit, Receiver};

/// Whether the reference verifier in `lang` ("python" or "node") accepts `hit` with `secret`.
async fn verifies(lang: &str, secret: &str, hit: &Hit) -> bool {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut cmd = match lang {
        "python" => {
            let mut c = Command::new("python3");
            c.arg(root.join("python/standard_verify.py"));
            c
        }
        _ => {
            let mut c = Command::new("node");
            c.arg(root.join("node/standard_verify.mjs"));
            c
        }
    };
    let headers: serde_json::Map<String, Value> = ["webhook-id", "webhook-timestamp", "webhook-signature"]
        .into_iter()
        .map(|h| (h.to_owned(), Value::String(hit.header(h).to_owned())))
        .collect();
    let input = json!({"secret": secret, "headers": headers, "body": std::str::from_utf8(&hit.body).unwrap()});
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() || said.starts_with("refused"), "{lang} verifier broke: {said} {:?}", out.stderr);
    out.status.success() && said.trim() == "case.created"
}

/// The next `case.created` hit at `path` after `seen` of them.
async fn next_case_hit(app: &TestApp, token: &str, rx: &Receiver, path: &str, crm: &str, seen: usize) -> Hit {
    app.create_case(token, None, &recipe_body(crm)).await;
    eventually(10, || async {
        let hits: Vec<Hit> = rx.hits(path).into_iter().filter(|h| h.header("x-fml-event") == "case.created").collect();
        hits.get(seen).cloned()
    })
    .await
}

async fn standard_webhooks_deliveries_verify_with_the_reference_libraries(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let ep = app
        .create_endpoint(
            &token,
            json!({"url": rx.url("/ok/sw"), "signatureScheme": "standard-webhooks", "eventTypes": ["case.created"]}),
        )
        .await;
    assert_eq!(ep["signatureScheme"], "standard-webhooks");
    let first = ep["secret"].as_str().unwrap().to_owned();
    assert!(first.starts_with("whsec_"), "{first}");
    let id = ep["id"].as_str().unwrap();

    let hit = next_case_hit(&app, &token, &rx, "/ok/sw", "rec_sw_1", 0).await;
    let event: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(hit.header("webhook-id"), event["eventId"].as_str().unwrap(), "the event id, stable across retries");
    assert!(hit.header("x-fml-signature").is_empty(), "one scheme's signature");
    for lang in ["python", "node"] {
        assert!(verifies(lang, &first, &hit).await, "{lang} accepts a delivery");
        assert!(!verifies(lang, &fml_webhooks::sign::Scheme::StandardWebhooks.generate_secret(), &hit).await);
    }

    // A rotation with an hour's grace: both secrets verify meanwhile.
    let (status, rotated) = app
        .patch_json(
            &token,
            &format!("/v1/webhook-endpoints/{id}"),
            &json!({"generateSecret": true, "rotationGraceSeconds": 3600}),
        )
        .await;
    assert_eq!(status, 200, "{rotated}");
    let second = rotated["secret"].as_str().unwrap().to_owned();
    assert!(rotated["previousSecretExpiresAt"].is_string(), "{rotated}");
    let hit = next_case_hit(&app, &token, &rx, "/ok/sw", "rec_sw_2", 1).await;
    assert_eq!(hit.header("webhook-signature").split(' ').count(), 2);
    for lang in ["python", "node"] {
        for secret in [&first, &second] {
            assert!(verifies(lang, secret, &hit).await, "{lang} during the grace");
        }
    }
    // A secret not of the scheme's form, or another scheme without a new secret, is refused.
    for bad in [json!({"secret": "0123456789abcdef0123"}), json!({"signatureScheme": "fml-v1"})] {
        let (status, v) = app.patch_json(&token, &format!("/v1/webhook-endpoints/{id}"), &bad).await;
        assert_eq!(status, 400, "{bad}: {v}");
    }
    // A rotation without grace: only the new secret signs.
    let (_, third) =
        app.patch_json(&token, &format!("/v1/webhook-endpoints/{id}"), &json!({"generateSecret": true})).await;
    assert_eq!(third["previousSecretExpiresAt"], Value::Null);
    let third = third["secret"].as_str().unwrap().to_owned();
    let hit = next_case_hit(&app, &token, &rx, "/ok/sw", "rec_sw_3", 2).await;
    assert!(verifies("python", &third, &hit).await);
    assert!(!verifies("python", &second, &hit).await, "the replaced secret stopped at once");
}

async fn an_fml_rotation_sends_both_signatures_during_its_grace(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let old = "the-old-shared-secret-0123456789";
    let ep = app
        .create_endpoint(&token, json!({"url": rx.url("/ok/v1"), "secret": old, "eventTypes": ["case.created"]}))
        .await;
    assert_eq!(ep["signatureScheme"], "fml-v1");
    let id = ep["id"].as_str().unwrap();
    let new = "the-new-shared-secret-0123456789";
    let (status, v) = app
        .patch_json(
            &token,
            &format!("/v1/webhook-endpoints/{id}"),
            &json!({"secret": new, "rotationGraceSeconds": 600}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let hit = next_case_hit(&app, &token, &rx, "/ok/v1", "rec_v1_grace", 0).await;
    let sign = |s: &str| fml_webhooks::sign::signature(s, &hit.body);
    assert_eq!(hit.header("x-fml-signature"), format!("{}, {}", sign(new), sign(old)));
    // The grace is refused outside a rotation, and beyond a week.
    for bad in [json!({"rotationGraceSeconds": 60}), json!({"generateSecret": true, "rotationGraceSeconds": 604801})] {
        let (status, v) = app.patch_json(&token, &format!("/v1/webhook-endpoints/{id}"), &bad).await;
        assert_eq!((status, v["fields"][0]["field"].as_str()), (400, Some("rotationGraceSeconds")), "{bad}");
    }
}

crate::on_both_backends!(
    standard_webhooks_deliveries_verify_with_the_reference_libraries,
    an_fml_rotation_sends_both_signatures_during_its_grace
);
