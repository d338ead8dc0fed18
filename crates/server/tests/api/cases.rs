//! `POST /v1/cases`, the lookups, the CRM dedup, bad input, and `POST /api/cases/{id}/crm-record-id`.

use serde_json::{Value, json};

use crate::helpers::{Backend, recipe_body, spawn};

async fn create_returns_the_recipe_shape(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let res = app.create_case(&token, Some("zapier-rec_8d2"), &recipe_body("rec_8d2")).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert!(res.headers().get("idempotent-replay").is_none());
    let v: Value = res.json().await.unwrap();
    let id = v["caseId"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let reference = v["caseReference"].as_str().unwrap();
    assert!(reference.starts_with("CS-") && reference.len() == "CS-2026-00001".len(), "{reference}");
    assert!(reference.ends_with("-00001"));
    assert_eq!(v["customerEmail"], "jane@acme.example");
    assert_eq!(v["customerName"], "Jane Doe");
    assert_eq!(v["companyName"], "Acme Holdings Ltd");
    assert_eq!(v["country"], "GB");
    assert_eq!(v["entityType"], Value::Null);
    assert_eq!(v["crmRecordId"], "rec_8d2");
    assert_eq!(v["crmSource"], "hubspot");
    assert_eq!(v["source"], "api");
    assert_eq!(v["status"], "in_progress");
    let sent = v["inviteSentAt"].as_str().unwrap();
    assert!(sent.ends_with('Z') && sent.len() == "2026-05-15T09:14:11.421Z".len(), "{sent}");
    assert_eq!(v["customerPortalUrl"], "https://portal.test.example/");
    assert_eq!(v["analystUrl"], format!("{}/?case={id}", app.base));

    // The case.created event is in the outbox, with the envelope and the CRM id.
    let events = fml_store::events::list(&app.db, &app.org).await.unwrap();
    assert_eq!(events.len(), 1);
    let e: Value = serde_json::from_str(&events[0].payload).unwrap();
    assert_eq!(e["event"], "case.created");
    assert_eq!(e["eventVersion"], 1);
    assert_eq!(e["orgId"], app.org.as_str());
    assert_eq!(e["crmRecordId"], "rec_8d2");
    assert_eq!(e["caseId"], id);
    assert_eq!(e["caseReference"], reference);
    assert_eq!(e["source"], "api");
    assert_eq!(e["country"], "GB");
    assert!(uuid::Uuid::parse_str(e["eventId"].as_str().unwrap()).unwrap().get_version_num() == 4);

    // The opening is audited in its transaction, as the client that asked.
    let audited = async || fml_store::audit::list(&app.db, &app.org, Some("case.create"), 10).await.unwrap();
    let rows = audited().await;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].actor_kind.as_str(), rows[0].case_id.as_deref()), ("client", Some(id)));
    assert_eq!(rows[0].actor, app.client_id);
    let detail: Value = serde_json::from_str(&rows[0].detail).unwrap();
    assert_eq!((detail["reference"].as_str(), detail["crmRecordId"].as_str()), (Some(reference), Some("rec_8d2")));
    // A second create for the same CRM record opens nothing, and audits nothing.
    let again = app.create_case(&token, None, &recipe_body("rec_8d2")).await;
    assert_eq!(again.status(), 200);
    assert_eq!(audited().await.len(), 1);

    // References count up per tenant.
    let res = app.create_case(&token, None, &json!({"customerEmail": "b@b.io"})).await;
    let v: Value = res.json().await.unwrap();
    assert!(v["caseReference"].as_str().unwrap().ends_with("-00002"));
    assert_eq!(v["inviteSentAt"], Value::Null);
    assert_eq!(v["country"], Value::Null);
}

async fn cases_are_found_by_id_reference_and_crm_record_id(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let created: Value = app.create_case(&token, None, &recipe_body("rec_a")).await.json().await.unwrap();
    let id = created["caseId"].as_str().unwrap();
    let reference = created["caseReference"].as_str().unwrap();
    for path in [format!("/v1/cases/{id}"), format!("/v1/cases/{reference}")] {
        let (status, v) = app.get_json(&token, &path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(v, created);
    }
    let (status, v) = app.get_json(&token, "/v1/cases?crmRecordId=rec_a").await;
    assert_eq!(status, 200);
    assert_eq!(v["data"], json!([created]));
    assert_eq!(v["nextCursor"], Value::Null);
    let (_, v) = app.get_json(&token, "/v1/cases?crmRecordId=rec_none").await;
    assert_eq!(v["data"], json!([]));
    for missing in ["/v1/cases/CS-2026-99999", "/v1/cases/not-a-case", "/v1/cases/0196f5a0-7b1a-7f2e-9c3b-2d1e8f7a4b6c"]
    {
        let (status, v) = app.get_json(&token, missing).await;
        assert_eq!((status, v["error"].as_str()), (404, Some("not_found")), "{missing}");
    }
}

async fn listing_pages_newest_first(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let v: Value =
            app.create_case(&token, None, &json!({"customerEmail": format!("c{i}@x.io")})).await.json().await.unwrap();
        ids.push(v["caseId"].as_str().unwrap().to_owned());
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, v) = app.get_json(&token, &format!("/v1/cases?limit=2&cursor={cursor}")).await;
        assert_eq!(status, 200);
        seen.extend(v["data"].as_array().unwrap().iter().map(|c| c["caseId"].as_str().unwrap().to_owned()));
        match v["nextCursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let (status, v) = app.get_json(&token, "/v1/cases?limit=0").await;
    assert_eq!((status, v["error"].as_str()), (400, Some("validation_error")));
    let (status, _) = app.get_json(&token, "/v1/cases?cursor=garbage").await;
    assert_eq!(status, 400);
}

async fn a_second_create_for_a_crm_record_returns_the_existing_case(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let first = app.create_case(&token, Some("k1"), &recipe_body("12345678901")).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    // A different key (a re-fired workflow) and a changed body: still the same case.
    let mut body = recipe_body("12345678901");
    body["companyName"] = json!("Acme Holdings Limited");
    let second = app.create_case(&token, Some("k2"), &body).await;
    assert_eq!(second.status(), 200);
    assert_eq!(second.headers()["idempotent-replay"], "crm-record-id");
    let second: Value = second.json().await.unwrap();
    assert_eq!(second["caseId"], first["caseId"]);
    assert_eq!(second["companyName"], "Acme Holdings Ltd");
    // Without a key too; and a numeric crmRecordId is the same record.
    let mut numeric = recipe_body("x");
    numeric["crmRecordId"] = json!(12345678901_u64);
    let third = app.create_case(&token, None, &numeric).await;
    assert_eq!(third.status(), 200);
    // One case, one invite, one event.
    assert_eq!(fml_store::cases::count(&app.db, &app.org).await.unwrap(), 1);
    assert_eq!(fml_store::mail::list(&app.db, &app.org).await.unwrap().len(), 1);
    assert_eq!(fml_store::events::list(&app.db, &app.org).await.unwrap().len(), 1);
    // The second key stored the 200: its replay says so.
    let replay = app.create_case(&token, Some("k2"), &body).await;
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.headers()["idempotent-replay"], "true");
}

async fn every_failed_field_is_listed(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let res = app
        .create_case(
            &token,
            None,
            &json!({"customerEmail": "nope", "country": "Atlantis", "sendInvite": "sometimes", "customerName": 5}),
        )
        .await;
    assert_eq!(res.status(), 400);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["error"], "validation_error");
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["customerEmail", "customerName", "country", "sendInvite"]);
    assert!(v["fields"][0]["message"].as_str().unwrap().contains("email"));
    let res = app.create_case(&token, None, &json!({"companyName": "Acme"})).await;
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["fields"], json!([{"field": "customerEmail", "message": "is required"}]));
    assert_eq!(fml_store::cases::count(&app.db, &app.org).await.unwrap(), 0);
}

async fn malformed_bodies_get_json_errors(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let post = |ct: &'static str, body: Vec<u8>| {
        app.http.post(app.url("/v1/cases")).bearer_auth(&token).header("content-type", ct).body(body).send()
    };
    let res = post("application/json", b"{\"customerEmail\": ".to_vec()).await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_json");
    let res = post("text/plain", b"{}".to_vec()).await.unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "unsupported_media_type");
    let res = app.http.post(app.url("/v1/cases")).bearer_auth(&token).body("{}").send().await.unwrap();
    assert_eq!(res.status(), 415);
    let mut big = br#"{"customerEmail":"a@b.io","companyName":""#.to_vec();
    big.extend(std::iter::repeat_n(b'x', 1024 * 1024 + 1));
    big.extend(br#""}"#);
    let res = post("application/json", big).await.unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "payload_too_large");
    let res = post("application/json", b"[1,2]".to_vec()).await.unwrap();
    assert_eq!(res.status(), 400);
    let res = app.http.delete(app.url("/v1/cases")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "method_not_allowed");
    let res = app.http.get(app.url("/v1/nothing")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "not_found");
    assert_eq!(fml_store::cases::count(&app.db, &app.org).await.unwrap(), 0);
}

async fn crm_record_id_can_be_stored_afterwards(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let a: Value = app.create_case(&token, None, &json!({"customerEmail": "a@a.io"})).await.json().await.unwrap();
    let b_: Value = app.create_case(&token, None, &json!({"customerEmail": "b@b.io"})).await.json().await.unwrap();
    let post = |case: String, body: Value, key: Option<&'static str>| {
        let mut req =
            app.http.post(app.url(&format!("/api/cases/{case}/crm-record-id"))).bearer_auth(&token).json(&body);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        req.send()
    };
    let reference = a["caseReference"].as_str().unwrap().to_owned();
    let res = post(reference.clone(), json!({"crmRecordId": "0035g00000Abc12AAA"}), Some("sf-1")).await.unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["crmRecordId"], "0035g00000Abc12AAA");
    assert_eq!(v["caseId"], a["caseId"]);
    let (_, found) = app.get_json(&token, "/v1/cases?crmRecordId=0035g00000Abc12AAA").await;
    assert_eq!(found["data"][0]["caseId"], a["caseId"]);
    // Replay of the same key.
    let res = post(reference.clone(), json!({"crmRecordId": "0035g00000Abc12AAA"}), Some("sf-1")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["idempotent-replay"], "true");
    // The change is audited once, with the client that made it (the replay ran nothing).
    let audit = fml_store::audit::list(&app.db, &app.org, Some("case.crm_record_id.set"), 10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!((audit[0].actor_kind.as_str(), audit[0].actor.as_str()), ("client", app.client_id.as_str()));
    assert_eq!(audit[0].case_id.as_deref(), a["caseId"].as_str());
    // The same key on another route.
    let res = app.create_case(&token, Some("sf-1"), &json!({"customerEmail": "c@c.io"})).await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "idempotency_key_conflict");
    // Taken by another case.
    let res =
        post(b_["caseId"].as_str().unwrap().to_owned(), json!({"crmRecordId": "0035g00000Abc12AAA"}), Some("sf-2"))
            .await
            .unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "crm_record_id_conflict");
    // ...and the failed request left its key free for a corrected retry.
    let res = post(b_["caseId"].as_str().unwrap().to_owned(), json!({"crmRecordId": "0035g00000Zzz"}), Some("sf-2"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("idempotent-replay").is_none());
    // Unknown case, bad body.
    let res = post("CS-2026-99999".into(), json!({"crmRecordId": "x"}), None).await.unwrap();
    assert_eq!(res.status(), 404);
    let res = post(reference, json!({"crm": "x"}), None).await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["fields"][0]["field"], "crmRecordId");
}

/// Numeric CRM ids keep their literal text: two large ids that a float would merge open two
/// cases, and `1e2` stays `1e2`.
async fn numeric_crm_record_ids_keep_their_text(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let post = |crm: &'static str| {
        let body = format!(r#"{{"customerEmail": "jane@acme.example", "crmRecordId": {crm}}}"#);
        let req = app.http.post(app.url("/v1/cases")).bearer_auth(&token);
        async move { req.header("content-type", "application/json").body(body).send().await.unwrap() }
    };
    let mut ids = Vec::new();
    for crm in ["12345678901234567890123", "12345678901234567890124", "1e2"] {
        let res = post(crm).await;
        assert_eq!(res.status(), 201, "{crm}");
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["crmRecordId"], crm);
        ids.push(v["caseId"].clone());
    }
    assert_ne!(ids[0], ids[1]);
    // The same literal again is the same record.
    let again = post("12345678901234567890124").await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["caseId"], ids[1]);
}

/// Names that flow into emails and the console refuse invisible and bidi characters, and CRM
/// ids are compared after NFC normalisation.
async fn text_is_normalised_and_invisible_characters_refused(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let mut body = recipe_body("rec_text");
    body["companyName"] = json!("Acme\u{202E}Ltd");
    body["customerName"] = json!("Jane\u{200B}Doe");
    body["entityType"] = json!("LL\u{2028}C");
    let res = app.create_case(&token, None, &body).await;
    assert_eq!(res.status(), 400);
    let v: Value = res.json().await.unwrap();
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["customerName", "companyName", "entityType"], "{v}");
    assert!(v["fields"][1]["message"].as_str().unwrap().contains("U+202E"));

    // The decomposed and the precomposed spelling are one CRM record.
    let res = app.create_case(&token, None, &recipe_body("caf\u{E9}-42")).await;
    assert_eq!(res.status(), 201);
    let first: Value = res.json().await.unwrap();
    let res = app.create_case(&token, None, &recipe_body("cafe\u{301}-42")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["caseId"], first["caseId"]);
    let (status, list) = app.get_json(&token, "/v1/cases?crmRecordId=cafe%CC%81-42").await;
    assert_eq!(status, 200);
    assert_eq!(list["data"][0]["caseId"], first["caseId"]);
}

crate::on_both_backends!(
    numeric_crm_record_ids_keep_their_text,
    text_is_normalised_and_invisible_characters_refused,
    create_returns_the_recipe_shape,
    cases_are_found_by_id_reference_and_crm_record_id,
    listing_pages_newest_first,
    a_second_create_for_a_crm_record_returns_the_existing_case,
    every_failed_field_is_listed,
    malformed_bodies_get_json_errors,
    crm_record_id_can_be_stored_afterwards,
);
