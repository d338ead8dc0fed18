//! The integration recipes, run as written: the Zapier steps with curl, and the HubSpot Custom
//! Code action's JavaScript under Node with only its host changed.

use std::process::Stdio;

use serde_json::Value;
use tokio::process::Command;

use crate::helpers::{Backend, spawn};

const RECIPE_HOST: &str = "https://www.firstmilelabs.com";

async fn curl(args: &[&str]) -> (u16, String, Value) {
    let out = Command::new("curl")
        .args(["-s", "-i"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("curl is needed (see .ci/setup)");
    let text = String::from_utf8(out.stdout).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_ascii_lowercase(), serde_json::from_str(body).unwrap_or(Value::Null))
}

async fn zapier_token_and_create_case_steps(b: Backend) {
    let app = spawn(b).await;
    // Step 2 — token: Payload Type json.
    let token_body = format!(
        r#"{{"grant_type":"client_credentials","client_id":"{}","client_secret":"{}"}}"#,
        app.client_id, app.client_secret
    );
    let token_url = app.url("/v1/oauth/token");
    let (status, _, v) =
        curl(&["-X", "POST", &token_url, "-H", "Content-Type: application/json", "-d", &token_body]).await;
    assert_eq!(status, 200);
    let token = v["access_token"].as_str().unwrap().to_owned();
    // Step 3 — create case: Zapier sends every Data value as a string.
    let case_body = r#"{"customerEmail":"jane@acme.example","customerName":"Jane Doe","companyName":"Acme Holdings Ltd","country":"United Kingdom","crmRecordId":"rec_8d2","crmSource":"hubspot","sendInvite":"true"}"#;
    let auth = format!("Authorization: Bearer {token}");
    let cases_url = app.url("/v1/cases");
    let args = [
        "-X",
        "POST",
        cases_url.as_str(),
        "-H",
        auth.as_str(),
        "-H",
        "Content-Type: application/json",
        "-H",
        "Idempotency-Key: zapier-rec_8d2",
        "-d",
        case_body,
    ];
    let (status, _, first) = curl(&args).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["crmRecordId"], "rec_8d2");
    assert!(first["inviteSentAt"].is_string());
    // A Zap retry replays the original response.
    let (status, head, replay) = curl(&args).await;
    assert_eq!(status, 201);
    assert!(head.contains("idempotent-replay: true"));
    assert_eq!(replay, first);
}

async fn hubspot_custom_code_action_runs_under_node(b: Backend) {
    let app = spawn(b).await;
    let dir = std::env::temp_dir().join(format!("fml-hubspot-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let action = include_str!("../fixtures/hubspot_action.js").replace(RECIPE_HOST, &app.base);
    std::fs::write(dir.join("action.js"), action).unwrap();
    std::fs::write(
        dir.join("run.js"),
        r#"const { main } = require('./action.js');
main({ inputFields: { companyId: 12345678901, name: 'Acme Holdings Ltd', country: 'United Kingdom',
                      email: 'jane@acme.example', contact: 'Jane Doe' } },
     (out) => console.log(JSON.stringify(out)));"#,
    )
    .unwrap();
    let run = || async {
        let out = Command::new("node")
            .arg("run.js")
            .current_dir(&dir)
            .env("FML_CLIENT_ID", &app.client_id)
            .env("FML_CLIENT_SECRET", &app.client_secret)
            .output()
            .await
            .expect("node is needed (see .ci/setup)");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let first = run().await;
    assert_eq!(first["outputFields"]["ok"], true, "{first}");
    let case_id = first["outputFields"]["caseId"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&case_id).is_ok());
    assert_eq!(first["outputFields"]["customerPortalUrl"], "https://portal.test.example/");
    // The workflow re-fires for the same Company: same case.
    let second = run().await;
    assert_eq!(second["outputFields"]["caseId"], case_id.as_str());
    let token = app.token().await;
    let (_, v) = app.get_json(&token, "/v1/cases?crmRecordId=12345678901").await;
    assert_eq!(v["data"][0]["caseId"], case_id.as_str());
    assert_eq!(v["data"][0]["crmSource"], "hubspot");
    let _ = std::fs::remove_dir_all(&dir);
}

crate::on_both_backends!(zapier_token_and_create_case_steps, hubspot_custom_code_action_runs_under_node);
