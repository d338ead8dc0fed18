//! The OpenAPI document lists exactly the routes the server serves.

use serde_json::Value;

use crate::helpers::{Backend, spawn};

/// Every operation the server serves (the Public API and the analyst API). Adding a route without documenting it (or the
/// reverse) fails this test.
const SERVED: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("post", "/v1/oauth/token"),
    ("get", "/.well-known/oauth-authorization-server"),
    ("post", "/v1/cases"),
    ("get", "/v1/cases"),
    ("get", "/v1/cases/{caseId}"),
    ("post", "/api/cases/{caseId}/crm-record-id"),
    ("get", "/schemas/webhooks/index.json"),
    ("get", "/schemas/webhooks/{file}"),
    ("get", "/types/webhooks.d.ts"),
    ("get", "/types/index.json"),
    ("post", "/v1/webhook-endpoints"),
    ("get", "/v1/webhook-endpoints"),
    ("get", "/v1/webhook-endpoints/{id}"),
    ("patch", "/v1/webhook-endpoints/{id}"),
    ("delete", "/v1/webhook-endpoints/{id}"),
    ("post", "/v1/webhook-endpoints/ping"),
    ("post", "/v1/webhook-endpoints/{id}/test"),
    ("post", "/v1/webhook-endpoints/{id}/recover"),
    ("get", "/v1/webhook-endpoints/{id}/recoveries"),
    ("get", "/v1/webhook-endpoints/{id}/recoveries/{recoveryId}"),
    ("post", "/v1/listen/sessions"),
    ("delete", "/v1/listen/sessions/{id}"),
    ("get", "/v1/listen/sessions/{id}/events"),
    ("post", "/v1/listen/trigger"),
    ("get", "/v1/webhook-deliveries"),
    ("get", "/v1/webhook-deliveries/{id}"),
    ("post", "/v1/webhook-deliveries/{id}/redeliver"),
    ("post", "/api/session"),
    ("get", "/api/session"),
    ("delete", "/api/session"),
    ("get", "/api/settings"),
    ("patch", "/api/settings"),
    ("get", "/api/clients"),
    ("patch", "/api/clients/{clientId}"),
    ("get", "/api/cases"),
    ("post", "/api/cases"),
    ("post", "/api/cases/{caseId}/invite"),
    ("post", "/api/cases/{caseId}/documents"),
    ("get", "/api/cases/{caseId}/edd"),
    ("get", "/api/cases/{caseId}/screening"),
    ("post", "/api/cases/{caseId}/screening"),
    ("post", "/api/cases/{caseId}/screening/hits/{hitId}"),
    ("get", "/api/screening/settings"),
    ("get", "/api/cases/{caseId}/risk"),
    ("get", "/api/cases/{caseId}/engines"),
    ("get", "/api/cases/{caseId}/idv"),
    ("post", "/api/cases/{caseId}/idv"),
    ("post", "/api/cases/{caseId}/idv/{personKey}"),
    ("post", "/api/cases/{caseId}/idv/{personKey}/result"),
    ("post", "/callbacks/didit/{orgId}"),
    ("get", "/api/cases/{caseId}/ai-reviews"),
    ("post", "/api/cases/{caseId}/ai-review"),
    ("post", "/api/cases/{caseId}/ai-review/stream"),
    ("get", "/api/cases/{caseId}/monitoring"),
    ("post", "/api/cases/{caseId}/monitoring"),
    ("get", "/api/monitoring/alerts"),
    ("post", "/api/monitoring/alerts/{alertId}/resolve"),
    ("get", "/api/monitoring/settings"),
    ("put", "/api/monitoring/settings"),
    ("post", "/api/cases/{caseId}/risk"),
    ("get", "/api/risk-models"),
    ("put", "/api/risk-models"),
    ("get", "/api/policies"),
    ("put", "/api/policies"),
    ("post", "/api/policies/dry-run"),
    ("put", "/api/screening/settings"),
    ("post", "/api/cases/{caseId}/edd/request"),
    ("post", "/api/cases/{caseId}/edd/{reqKey}"),
    ("post", "/api/cases/{caseId}/outreach"),
    ("get", "/api/cases/{caseId}/persons"),
    ("post", "/api/cases/{caseId}/persons/{personKey}/link"),
    ("post", "/api/cases/{caseId}/persons/{personKey}/unlink"),
    ("post", "/api/cases/{caseId}/persons/{personKey}/mark-new"),
    ("post", "/api/persons/{personId}/documents"),
    ("get", "/api/cases/{caseId}/documents"),
    ("get", "/api/cases/{caseId}/documents/{docId}"),
    ("post", "/api/cases/{caseId}/documents/{docId}/override"),
    ("get", "/api/cases/{caseId}"),
    ("get", "/api/cases/{caseId}/timeline"),
    ("post", "/api/cases/{caseId}/owner"),
    ("post", "/api/cases/{caseId}/decision"),
    ("post", "/api/cases/{caseId}/escalation"),
    ("post", "/api/cases/{caseId}/escalation/response"),
];

async fn document_matches_the_router(b: Backend) {
    let app = spawn(b).await;
    let res = app.http.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in
            ops.as_object().unwrap().keys().filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
        {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut served: Vec<(String, String)> = SERVED.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    served.sort();
    assert_eq!(documented, served);

    // Each documented operation is really routed: never the router's own 404 or a 405.
    for (method, path) in &documented {
        let url = app.url(
            &path
                .replace("{caseId}", "CS-2026-00001")
                .replace("{file}", "ping.v1.json")
                .replace("{id}", "1")
                .replace("{docId}", "1"),
        );
        let req = app.http.request(method.to_uppercase().parse().unwrap(), &url);
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert_ne!(status, 405, "{method} {path}");
        assert_ne!(body["error_description"], "no such route", "{method} {path}");
    }

    // The create-case operation carries its schemas, error shapes and security.
    let create = &doc["paths"]["/v1/cases"]["post"];
    for status in ["200", "201", "400", "401", "403", "409", "413", "415", "422"] {
        assert!(create["responses"][status].is_object(), "missing {status}");
    }
    let schemas = &doc["components"]["schemas"];
    for name in ["CaseView", "CreateCaseBody", "ErrorBody", "TokenResponse"] {
        assert!(schemas[name].is_object(), "missing schema {name}");
    }
    assert!(schemas["CaseView"]["properties"]["caseReference"].is_object());

    // What the validators enforce is stated: limits, forbidden characters, blanks, ranges.
    let body = &schemas["CreateCaseBody"];
    assert_eq!(body["required"], serde_json::json!(["customerEmail"]));
    assert_eq!(body["properties"]["customerName"]["maxLength"], 200);
    assert_eq!(body["properties"]["customerName"]["pattern"], fml_domain::text::pattern());
    assert!(body["properties"]["country"]["enum"].as_array().unwrap().contains(&"United Kingdom".into()));
    let list = &doc["paths"]["/v1/cases"]["get"]["parameters"];
    let limit = list.as_array().unwrap().iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!((limit["schema"]["minimum"].clone(), limit["schema"]["maximum"].clone()), (1.into(), 100.into()));
    // Every body route documents 415; every keyed route the Idempotency-Key and its answers.
    for (path, method) in [("/v1/webhook-endpoints/ping", "post"), ("/v1/webhook-endpoints/{id}", "patch")] {
        let op = &doc["paths"][path][method];
        for status in ["400", "401", "403", "409", "413", "415", "422"] {
            assert!(op["responses"][status].is_object(), "{method} {path} lacks {status}");
        }
        assert!(op["parameters"].to_string().contains("IdempotencyKey"), "{method} {path}");
    }
    // A webhook URL without a host as written (`HTTP://`) is refused by the schema itself, and
    // by the server; a real one passes both.
    let url_schema = &schemas["PingBody"]["properties"]["url"];
    let url_ok = jsonschema::validator_for(url_schema).unwrap();
    let token = app.token().await;
    for (url, valid) in [
        ("HTTP://", false),
        ("https://", false),
        ("https:///hooks.example.com", false),
        ("https:hooks.example.com", false),
        ("https://@hooks.example.com/x", false),
        ("HTTPS://8.8.8.8/fml", true),
        ("http://127.0.0.1:9/hook", true),
    ] {
        assert_eq!(url_ok.is_valid(&serde_json::json!(url)), valid, "schema on {url}");
        let res = app
            .http
            .post(app.url("/v1/webhook-endpoints"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"url": url}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), if valid { 201 } else { 400 }, "server on {url}");
    }
    // Links from creation to the operations that use what it returns.
    let links = &doc["paths"]["/v1/cases"]["post"]["responses"]["201"]["links"];
    assert_eq!(links["getCase"]["operationId"], "get_case");
    assert_eq!(links["getCase"]["parameters"]["caseId"], "$response.body#/caseId");
    assert_eq!(doc["components"]["securitySchemes"]["oauth2"]["type"], "oauth2");
    assert_eq!(doc["components"]["securitySchemes"]["analystToken"]["scheme"], "bearer");

    // operationIds are unique, and every link names one of them.
    let mut ids = Vec::new();
    for ops in doc["paths"].as_object().unwrap().values() {
        for op in ops.as_object().unwrap().values() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                ids.push(id.to_owned());
            }
        }
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "duplicate operationIds in {ids:?}");
    let text = doc.to_string();
    for link in text.split("\"operationId\":\"").skip(1) {
        let target = link.split('"').next().unwrap();
        assert!(ids.iter().any(|i| i == target), "a link or operation names {target}, which does not exist");
    }
    // Analyst routes take no Idempotency-Key; the analyst errors are documented.
    let decide = &doc["paths"]["/api/cases/{caseId}/decision"]["post"];
    assert!(!decide["parameters"].to_string().contains("IdempotencyKey"));
    assert!(decide["responses"]["409"].is_object() && decide["responses"]["403"].is_object());
}

crate::on_both_backends!(document_matches_the_router);
