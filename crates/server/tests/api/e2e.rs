//! End to end in a real headless browser: the invite arrives through a real SMTP server, the
//! customer opens it in Chromium (driven by playwright-core, `tests/node/e2e/portal.mjs`),
//! fills the application, uploads a PDF, corrects a field and submits; a webhook receiver gets
//! `document.uploaded`, `data.corrected` and `case.submitted`, signed.

use serde_json::{Value, json};

use crate::helpers::{Backend, Options, recipe_body, spawn_with};
use crate::mail::start_smtp;
use crate::receiver::Receiver;

async fn the_customer_journey_in_a_browser(b: Backend) {
    let mut smtp = start_smtp().await;
    let app = spawn_with(
        b,
        Options {
            smtp_url: Some(format!("smtp://127.0.0.1:{}", smtp.port)),
            portal_on_self: true,
            ..Options::default()
        },
    )
    .await;
    let token = app.token().await;
    let rx = Receiver::start().await;
    let events = ["document.uploaded", "data.corrected", "case.submitted"];
    app.create_endpoint(&token, json!({"url": rx.url("/ok"), "eventTypes": events})).await;
    let res = app.create_case(&token, None, &recipe_body("crm-e2e")).await;
    assert_eq!(res.status(), 201);
    let case: Value = res.json().await.unwrap();

    // The magic link, as the customer receives it.
    let mail = smtp.next_message().await;
    let body = mail["body"].as_str().unwrap();
    let start = body.find(&format!("{}/portal/invite/", app.base)).expect("a magic link to this server");
    let link: String = body[start..].chars().take_while(|c| !c.is_whitespace()).collect();

    let dir = std::env::temp_dir().join(format!("fml-e2e-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let pdf = dir.join("certificate-of-incorporation.pdf");
    std::fs::write(&pdf, crate::documents::PDF).unwrap();

    let script = crate::catalog::node_dir().join("e2e/portal.mjs");
    let out = tokio::process::Command::new("node")
        .arg(&script)
        .arg(&link)
        .arg(&pdf)
        .current_dir(crate::catalog::node_dir())
        .output()
        .await
        .expect("node is needed (see .ci/setup)");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("ok"),
        "the browser journey failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The receiver got each event, signed, for this case.
    let hits = rx.wait_for("/ok", 3, 30).await;
    let mut seen: Vec<Value> = hits.iter().map(|h| serde_json::from_slice(&h.body).unwrap()).collect();
    seen.sort_by_key(|e| e["event"].as_str().unwrap().to_owned());
    let kinds: Vec<&str> = seen.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["case.submitted", "data.corrected", "document.uploaded"]);
    for (hit, e) in hits.iter().zip(&seen) {
        assert!(hit.header("x-fml-signature").starts_with("sha256="), "unsigned delivery");
        assert_eq!(e["caseId"], case["caseId"]);
    }
    assert_eq!(seen[0]["source"], "application_form");
    assert_eq!(seen[1]["source"], "customer_review");
    assert_eq!(seen[1]["amendments"][0]["field"], "registeredAddress");
    assert_eq!(seen[1]["amendments"][0]["correctedValue"], "10 High Street, London EC1A 1BB");
    assert_eq!(seen[2]["filenames"], json!(["certificate-of-incorporation.pdf"]));
}

crate::on_both_backends!(the_customer_journey_in_a_browser);
