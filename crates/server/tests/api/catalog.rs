//! The served event catalog: schemas, TypeScript definitions that compile under `tsc --strict`
//! and narrow on `event`, and schema validation of what the engine emits.

use std::path::PathBuf;

use serde_json::Value;

use crate::helpers::{Backend, TestApp, recipe_body, spawn};

/// The workspace's `tests/node` (where `.ci/setup` installs typescript and express).
pub fn node_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/node")
}

/// Validates an emitted payload against the schema the server publishes for its type.
pub async fn assert_valid(app: &TestApp, payload: &str) {
    let v: Value = serde_json::from_str(payload).unwrap();
    let event = v["event"].as_str().unwrap();
    let schema: Value = app
        .http
        .get(app.url(&format!("/schemas/webhooks/{event}.v1.json")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{event} payload does not match its schema: {errors:?}\n{payload}");
}

async fn schemas_and_types_are_served(b: Backend) {
    let app = spawn(b).await;
    let index: Value =
        app.http.get(app.url("/schemas/webhooks/index.json")).send().await.unwrap().json().await.unwrap();
    let events = index["events"].as_array().unwrap();
    assert_eq!(events.len(), 28);
    for e in events {
        let res = app.http.get(app.url(e["schema"].as_str().unwrap())).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let schema: Value = res.json().await.unwrap();
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(schema["properties"]["event"]["const"], e["event"]);
        assert_eq!(schema["title"], e["interface"]);
    }
    assert_eq!(app.http.get(app.url("/schemas/webhooks/case.approved.v1.json")).send().await.unwrap().status(), 404);
    let manifest: Value = app.http.get(app.url("/types/index.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(manifest["interfaces"]["case.decision.made"], "CaseDecisionMadeV1");
    let ts = app.http.get(app.url("/types/webhooks.d.ts")).send().await.unwrap().text().await.unwrap();
    assert_eq!(manifest["files"][0]["sha256"], fml_domain::secret::sha256_hex(ts.as_bytes()));

    // Everything the engine has emitted in this test validates against its schema.
    let token = app.token().await;
    app.create_case(&token, None, &recipe_body("rec_schema")).await;
    app.create_case(&token, None, &serde_json::json!({"customerEmail": "bare@x.io"})).await;
    for e in fml_store::events::list(&app.db, &app.org).await.unwrap() {
        assert_valid(&app, &e.payload).await;
    }
}

/// A consumer that switches on `event` and touches a field only the narrowed interface has.
fn consumer(index: &Value, wrong: bool) -> String {
    let mut out = String::from("import type { FmlWebhookEvent, FmlWebhookEventMap } from './webhooks';\n");
    out.push_str("export function route(e: FmlWebhookEvent): string {\n  switch (e.event) {\n");
    for entry in index["events"].as_array().unwrap() {
        let (event, iface) = (entry["event"].as_str().unwrap(), entry["interface"].as_str().unwrap());
        let field = if event == "ping" { "message" } else { "caseReference" };
        let field = if wrong && event == "ping" { "caseId" } else { field };
        out.push_str(&format!(
            "    case '{event}': {{ const n: FmlWebhookEventMap['{event}'] = e; return String(n.{field}) + '{iface}'; }}\n"
        ));
    }
    out.push_str("    default: { const never: never = e; return never; }\n  }\n}\n");
    out
}

async fn typescript_definitions_compile_and_narrow(b: Backend) {
    let app = spawn(b).await;
    let tsc = node_dir().join("node_modules/.bin/tsc");
    assert!(tsc.exists(), "typescript is not installed: run .ci/setup");
    let dir = std::env::temp_dir().join(format!("fml-ts-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let ts = app.http.get(app.url("/types/webhooks.d.ts")).send().await.unwrap().text().await.unwrap();
    std::fs::write(dir.join("webhooks.d.ts"), ts).unwrap();
    let index: Value =
        app.http.get(app.url("/schemas/webhooks/index.json")).send().await.unwrap().json().await.unwrap();
    let compile = |source: String| {
        std::fs::write(dir.join("consumer.ts"), source).unwrap();
        std::process::Command::new(&tsc)
            .args(["--strict", "--noEmit", "--target", "es2020", "--module", "commonjs", "consumer.ts"])
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let ok = compile(consumer(&index, false));
    assert!(ok.status.success(), "tsc failed:\n{}", String::from_utf8_lossy(&ok.stdout));
    // Narrowing is real: reading a case field off a ping does not compile.
    let bad = compile(consumer(&index, true));
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stdout).contains("caseId"));
    let _ = std::fs::remove_dir_all(&dir);
}

crate::on_both_backends!(schemas_and_types_are_served, typescript_definitions_compile_and_narrow);
