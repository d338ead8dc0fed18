//! The Idempotency-Key layer of `POST /v1/cases`.

use fml_domain::idempotency::fingerprint;
use fml_domain::{IdempotencyKey, OrgId, Timestamp};
use fml_store::idempotency::Claim;
use serde_json::{Value, json};

use crate::helpers::{Backend, recipe_body, spawn};

async fn replays_are_byte_for_byte(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let first = app.create_case(&token, Some("zapier-1"), &recipe_body("rec_1")).await;
    assert_eq!(first.status(), 201);
    let first_bytes = first.bytes().await.unwrap();
    // The same request re-serialised with other key order and spacing is the same request.
    let body = recipe_body("rec_1");
    let reordered = r#"{ "sendInvite": true, "crmSource": "hubspot", "crmRecordId": "rec_1", "country": "United Kingdom",
        "companyName": "Acme Holdings Ltd", "customerName": "Jane Doe", "customerEmail": "jane@acme.example" }"#;
    assert_eq!(serde_json::from_str::<Value>(reordered).unwrap(), body);
    let replay = app
        .http
        .post(app.url("/v1/cases"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .header("Idempotency-Key", "zapier-1")
        .body(reordered)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replay"], "true");
    assert_eq!(replay.bytes().await.unwrap(), first_bytes);
    assert_eq!(fml_store::cases::count(&app.db, &app.org).await.unwrap(), 1);
    assert_eq!(fml_store::mail::list(&app.db, &app.org).await.unwrap().len(), 1, "a replay sends no second invite");
}

async fn a_key_with_another_body_is_refused(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    assert_eq!(app.create_case(&token, Some("k"), &recipe_body("rec_1")).await.status(), 201);
    let res = app.create_case(&token, Some("k"), &recipe_body("rec_2")).await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "idempotency_key_reused");
    assert_eq!(fml_store::cases::count(&app.db, &app.org).await.unwrap(), 1);
}

/// Both recipes make the key from the record id, so a re-saved record re-fires the trigger with
/// the same key and changed fields: that is a second create for the same record, answered
/// with its case, not a reused key.
async fn a_re_fired_trigger_with_changed_fields_gets_its_case(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let first = app.create_case(&token, Some("hubspot-4711"), &recipe_body("4711")).await;
    assert_eq!(first.status(), 201);
    let first_bytes = first.bytes().await.unwrap();
    let case: Value = serde_json::from_slice(&first_bytes).unwrap();
    let mut resaved = recipe_body("4711");
    resaved["companyName"] = json!("Acme Holdings (UK) Ltd");
    resaved["customerName"] = json!("Jane A. Doe");
    let res = app.create_case(&token, Some("hubspot-4711"), &resaved).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["idempotent-replay"], "crm-record-id");
    let again: Value = res.json().await.unwrap();
    assert_eq!(again["caseId"], case["caseId"]);
    assert_eq!(fml_store::cases::count(&app.db, &app.org).await.unwrap(), 1);
    assert_eq!(fml_store::mail::list(&app.db, &app.org).await.unwrap().len(), 1, "no second invite");
    // The key keeps its first answer: the original request still replays byte for byte.
    let replay = app.create_case(&token, Some("hubspot-4711"), &recipe_body("4711")).await;
    assert_eq!((replay.status().as_u16(), replay.headers()["idempotent-replay"].to_str().unwrap()), (201, "true"));
    assert_eq!(replay.bytes().await.unwrap(), first_bytes);
    // Zapier sends the record id as a number: the same record.
    let mut numeric = resaved.clone();
    numeric["crmRecordId"] = json!(4711);
    let res = app.create_case(&token, Some("hubspot-4711"), &numeric).await;
    assert_eq!(res.status(), 200);
    // Another record, or none, under the same key is a reused key; nothing is opened.
    for other in [recipe_body("4712"), json!({"customerEmail": "jane@acme.example", "companyName": "Acme"})] {
        let res = app.create_case(&token, Some("hubspot-4711"), &other).await;
        assert_eq!(res.status(), 422, "{other}");
        assert_eq!(res.json::<Value>().await.unwrap()["error"], "idempotency_key_reused");
    }
    assert_eq!(fml_store::cases::count(&app.db, &app.org).await.unwrap(), 1);
}

async fn failed_requests_leave_the_key_free(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let res = app.create_case(&token, Some("retry-me"), &json!({"customerEmail": "broken"})).await;
    assert_eq!(res.status(), 400);
    let res = app.create_case(&token, Some("retry-me"), &json!({"customerEmail": "fixed@acme.example"})).await;
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("idempotent-replay").is_none());
}

async fn a_key_still_in_flight_gets_409_with_retry_after(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let body = recipe_body("rec_1");
    // A request that took the key and has not finished (another node, mid-request).
    let claim = Claim {
        org: app.org.clone(),
        key: IdempotencyKey::try_from("in-flight").unwrap(),
        route: "POST /v1/cases".into(),
        fingerprint: fingerprint("POST /v1/cases", &body),
    };
    assert!(fml_store::idempotency::claim(&app.db, &claim, Timestamp::now()).await.unwrap().is_none());
    let res = app.create_case(&token, Some("in-flight"), &body).await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "idempotency_request_in_progress");
    assert_eq!(fml_store::cases::count(&app.db, &app.org).await.unwrap(), 0);
    // Bad keys are a validation error.
    let res = app.create_case(&token, Some(&"x".repeat(256)), &body).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["fields"][0]["field"], "Idempotency-Key");
}

async fn keys_belong_to_one_tenant(b: Backend) {
    let app = spawn(b).await;
    let other = OrgId::parse("org_other_bank").unwrap();
    let (oid, osecret) = crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let mine = app.token().await;
    let theirs = app.token_for(&oid, &osecret).await;
    let a: Value = app.create_case(&mine, Some("shared-key"), &recipe_body("rec_shared")).await.json().await.unwrap();
    let res = app.create_case(&theirs, Some("shared-key"), &recipe_body("rec_shared")).await;
    assert_eq!(res.status(), 201, "another tenant's key and CRM id do not collide");
    let b_: Value = res.json().await.unwrap();
    assert_ne!(a["caseId"], b_["caseId"]);
    assert_eq!(a["caseReference"], b_["caseReference"], "references count per tenant");
}

crate::on_both_backends!(
    a_keyed_write_and_its_stored_response_commit_together,
    replays_are_byte_for_byte,
    a_key_with_another_body_is_refused,
    a_re_fired_trigger_with_changed_fields_gets_its_case,
    failed_requests_leave_the_key_free,
    a_key_still_in_flight_gets_409_with_retry_after,
    keys_belong_to_one_tenant,
);

/// Runs one statement on the test's database, outside the app.
pub(crate) async fn exec(app: &crate::helpers::TestApp, sql: &str) {
    match &app.db {
        fml_store::Db::Sqlite { write, .. } => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(write).await.unwrap();
        }
        fml_store::Db::Postgres(pool) => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(pool).await.unwrap();
        }
    }
}

/// A keyed write and its stored response commit together: when storing the response fails
/// (here a trigger refuses it; in life a crash or the request timeout), the write is undone
/// too, so a retry with the same key makes exactly one endpoint instead of a second.
async fn a_keyed_write_and_its_stored_response_commit_together(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let (create_trigger, drop_trigger) = match b {
        Backend::Sqlite => (
            "CREATE TRIGGER refuse_store BEFORE UPDATE OF status_code ON idempotency_keys \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
            "DROP TRIGGER refuse_store",
        ),
        Backend::Postgres => (
            "CREATE FUNCTION refuse_store() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$; \
             CREATE TRIGGER refuse_store BEFORE UPDATE ON idempotency_keys \
             FOR EACH ROW EXECUTE FUNCTION refuse_store();",
            "DROP TRIGGER refuse_store ON idempotency_keys",
        ),
    };
    exec(&app, create_trigger).await;
    let post = || {
        app.http
            .post(app.url("/v1/webhook-endpoints"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "ep-once")
            .json(&json!({"url": "http://127.0.0.1:9/hook", "eventTypes": ["case.created"]}))
            .send()
    };
    let failed = post().await.unwrap();
    assert_eq!(failed.status(), 500, "the injected failure");
    let (_, list) = app.get_json(&token, "/v1/webhook-endpoints").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0, "the write was rolled back with its key");

    exec(&app, drop_trigger).await;
    let created = post().await.unwrap();
    assert_eq!(created.status(), 201, "the key is free at once, not held in progress");
    assert!(created.headers().get("idempotent-replay").is_none());
    let replay = post().await.unwrap();
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replay"], "true");
    let (_, list) = app.get_json(&token, "/v1/webhook-endpoints").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}
