//! The token endpoint (RFC 6749 §4.4), its errors (§5.2), metadata (RFC 8414), and bearer
//! token errors on resources (RFC 6750).

use base64::Engine;
use fml_domain::secret::Secret;
use fml_domain::{OrgId, Scope, ScopeSet, Timestamp};
use reqwest::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, recipe_body, seed_org, spawn};

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

async fn post_token(
    app: &TestApp,
    content_type: &str,
    body: String,
    auth: Option<String>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = app.http.post(app.url("/v1/oauth/token")).header(CONTENT_TYPE, content_type).body(body);
    if let Some(a) = auth {
        req = req.header(AUTHORIZATION, a);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.json().await.unwrap_or(Value::Null))
}

async fn json_token_is_issued_with_no_store(b: Backend) {
    let app = spawn(b).await;
    let body =
        json!({"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": app.client_secret});
    let (status, headers, v) = post_token(&app, "application/json", body.to_string(), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(headers[CACHE_CONTROL], "no-store");
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    assert_eq!(v["scope"], "cases:write cases:read webhooks:write webhooks:read");
    let token = v["access_token"].as_str().unwrap();
    assert!(token.len() >= 40);
    // The token works, and only its hash is stored.
    let (status, _) = app.get_json(token, "/v1/cases").await;
    assert_eq!(status, 200);
    let grant =
        fml_store::clients::find_token(&app.db, &fml_domain::secret::SecretHash::of(token)).await.unwrap().unwrap();
    assert_eq!(grant.client_id, app.client_id);
}

async fn form_body_and_basic_auth_are_accepted(b: Backend) {
    let app = spawn(b).await;
    let form = format!("grant_type=client_credentials&client_id={}&client_secret={}", app.client_id, app.client_secret);
    let (status, _, v) = post_token(&app, "application/x-www-form-urlencoded", form, None).await;
    assert_eq!(status, 200, "{v}");
    let (status, _, v) = post_token(
        &app,
        "application/x-www-form-urlencoded; charset=utf-8",
        "grant_type=client_credentials&scope=cases%3Aread".into(),
        Some(basic(&app.client_id, &app.client_secret)),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["scope"], "cases:read");
}

async fn malformed_token_requests_are_invalid_request(b: Backend) {
    let app = spawn(b).await;
    // Two client authentication methods at once.
    let form = format!("grant_type=client_credentials&client_id={}&client_secret={}", app.client_id, app.client_secret);
    let (status, _, v) =
        post_token(&app, "application/x-www-form-urlencoded", form, Some(basic(&app.client_id, &app.client_secret)))
            .await;
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_request")));
    // Another content type.
    let (status, _, v) = post_token(&app, "text/plain", "grant_type=client_credentials".into(), None).await;
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_request")));
    // Malformed JSON.
    let (status, _, v) = post_token(&app, "application/json", "{nope".into(), None).await;
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_request")));
    // Repeated parameter.
    let (status, _, v) = post_token(
        &app,
        "application/x-www-form-urlencoded",
        "grant_type=client_credentials&grant_type=x".into(),
        None,
    )
    .await;
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_request")));
    // Missing grant_type, and an unsupported one.
    let body = json!({"client_id": app.client_id, "client_secret": app.client_secret});
    let (status, _, v) = post_token(&app, "application/json", body.to_string(), None).await;
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_request")));
    let body = json!({"grant_type": "password", "client_id": app.client_id, "client_secret": app.client_secret});
    let (status, _, v) = post_token(&app, "application/json", body.to_string(), None).await;
    assert_eq!((status, v["error"].as_str()), (400, Some("unsupported_grant_type")));
    assert!(v["error_description"].as_str().is_some());
}

async fn bad_credentials_are_invalid_client(b: Backend) {
    let app = spawn(b).await;
    let body = json!({"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": "stale"});
    let (status, headers, v) = post_token(&app, "application/json", body.to_string(), None).await;
    assert_eq!((status, v["error"].as_str()), (401, Some("invalid_client")));
    assert!(headers.get(WWW_AUTHENTICATE).is_none());
    let body =
        json!({"grant_type": "client_credentials", "client_id": "fml_client_nope", "client_secret": app.client_secret});
    let (status, _, v) = post_token(&app, "application/json", body.to_string(), None).await;
    assert_eq!((status, v["error"].as_str()), (401, Some("invalid_client")));
    let (status, headers, v) = post_token(
        &app,
        "application/x-www-form-urlencoded",
        "grant_type=client_credentials".into(),
        Some(basic(&app.client_id, "wrong")),
    )
    .await;
    assert_eq!((status, v["error"].as_str()), (401, Some("invalid_client")));
    assert!(headers[WWW_AUTHENTICATE].to_str().unwrap().starts_with("Basic"));
    // No credentials at all.
    let (status, _, v) =
        post_token(&app, "application/json", json!({"grant_type": "client_credentials"}).to_string(), None).await;
    assert_eq!((status, v["error"].as_str()), (401, Some("invalid_client")));
}

async fn scopes_narrow_and_are_enforced(b: Backend) {
    let app = spawn(b).await;
    let body = json!({"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": app.client_secret, "scope": "cases:read"});
    let (status, _, v) = post_token(&app, "application/json", body.to_string(), None).await;
    assert_eq!(status, 200);
    assert_eq!(v["scope"], "cases:read");
    let read_only = v["access_token"].as_str().unwrap().to_owned();
    let res = app.create_case(&read_only, None, &recipe_body("rec_1")).await;
    assert_eq!(res.status(), 403);
    let challenge = res.headers()[WWW_AUTHENTICATE].to_str().unwrap().to_owned();
    assert!(challenge.contains("insufficient_scope") && challenge.contains("cases:write"), "{challenge}");
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["error"], "insufficient_scope");
    assert_eq!(app.get_json(&read_only, "/v1/cases").await.0, 200);

    // A scope the client lacks, and an unknown scope.
    let (limited_id, limited_secret) = seed_org(&app.db, &app.org, ScopeSet::from_iter([Scope::CasesRead])).await;
    for scope in ["cases:write", "admin"] {
        let body = json!({"grant_type": "client_credentials", "client_id": limited_id, "client_secret": limited_secret, "scope": scope});
        let (status, _, v) = post_token(&app, "application/json", body.to_string(), None).await;
        assert_eq!((status, v["error"].as_str()), (400, Some("invalid_scope")), "{scope}");
    }
    // Without cases:write the default grant cannot create cases either.
    let token = app.token_for(&limited_id, &limited_secret).await;
    assert_eq!(app.create_case(&token, None, &recipe_body("rec_2")).await.status(), 403);
}

/// A revocation (here as the CLI makes it, from outside the server) ends the client's tokens
/// at once: on SQLite every request reads the token; on PostgreSQL, where nodes cache tokens,
/// the revocation's NOTIFY clears every node's cache — this app trusts a cached token for an
/// hour, so only that clearing can make the next requests fail.
async fn revoking_a_client_kills_its_tokens_at_once(b: Backend) {
    let app = crate::helpers::spawn_with(
        b,
        crate::helpers::Options { token_cache_trust: std::time::Duration::from_secs(3600), ..Default::default() },
    )
    .await;
    let token = app.token().await;
    assert_eq!(app.get_json(&token, "/v1/cases").await.0, 200);
    assert_eq!(app.get_json(&token, "/v1/cases").await.0, 200, "served from the cache on PostgreSQL");
    fml_app::clients::revoke(&app.ctx(), &app.org, &app.client_id, fml_app::Operator::Cli).await.unwrap();
    crate::helpers::eventually(10, || async { (app.get_json(&token, "/v1/cases").await.0 == 401).then_some(()) }).await;
    let res = app.http.get(app.url("/v1/cases")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()[WWW_AUTHENTICATE].to_str().unwrap().contains("invalid_token"));
    let body =
        json!({"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": app.client_secret});
    let (status, _, v) = post_token(&app, "application/json", body.to_string(), None).await;
    assert_eq!((status, v["error"].as_str()), (401, Some("invalid_client")));
    // Revoking another tenant's client is refused.
    let other = OrgId::parse("org_other").unwrap();
    let (other_id, _) = seed_org(&app.db, &other, ScopeSet::all()).await;
    let refused = fml_app::clients::revoke(&app.ctx(), &app.org, &other_id, fml_app::Operator::Cli).await;
    assert!(matches!(refused, Err(fml_app::CommandError::NotFound(_))), "{refused:?}");
}

async fn missing_expired_and_malformed_tokens_get_bearer_challenges(b: Backend) {
    let app = spawn(b).await;
    let res = app.http.get(app.url("/v1/cases")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()[WWW_AUTHENTICATE], "Bearer realm=\"fml\"");
    let res = app.http.get(app.url("/v1/cases")).header(AUTHORIZATION, "Token abc").send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = app.http.get(app.url("/v1/cases")).bearer_auth("fml_at_forged").send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()[WWW_AUTHENTICATE].to_str().unwrap().contains("error=\"invalid_token\""));
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["error"], "invalid_token");

    // A token past its hour.
    let expired = Secret::generate("fml_at_");
    let then = Timestamp::from_millis(Timestamp::now().millis() - 2 * 3600 * 1000);
    fml_store::clients::insert_token(
        &app.db,
        &expired.hash(),
        app.org.as_str(),
        &app.client_id,
        "cases:read",
        then,
        then.plus_secs(3600),
    )
    .await
    .unwrap();
    let res = app.http.get(app.url("/v1/cases")).bearer_auth(expired.expose()).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

async fn metadata_is_published(b: Backend) {
    let app = spawn(b).await;
    let v: Value =
        app.http.get(app.url("/.well-known/oauth-authorization-server")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["issuer"], app.base);
    assert_eq!(v["token_endpoint"], format!("{}/v1/oauth/token", app.base));
    assert_eq!(v["grant_types_supported"], json!(["client_credentials"]));
    assert_eq!(v["token_endpoint_auth_methods_supported"], json!(["client_secret_basic", "client_secret_post"]));
    assert_eq!(v["scopes_supported"], json!(["cases:write", "cases:read", "webhooks:write", "webhooks:read"]));
}

crate::on_both_backends!(
    json_token_is_issued_with_no_store,
    form_body_and_basic_auth_are_accepted,
    malformed_token_requests_are_invalid_request,
    bad_credentials_are_invalid_client,
    scopes_narrow_and_are_enforced,
    revoking_a_client_kills_its_tokens_at_once,
    missing_expired_and_malformed_tokens_get_bearer_challenges,
    metadata_is_published,
);
