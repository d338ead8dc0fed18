//! Outbound webhooks end to end: endpoints, signed deliveries with the guide's headers, the
//! status table's outcomes against real receivers, the retry schedule, redelivery, SSRF.

use serde_json::{Value, json};

use crate::helpers::{Backend, Options, TestApp, eventually, recipe_body, spawn, spawn_with, test_schedule};
use crate::receiver::{Receiver, refused_url, start_resetter};

impl TestApp {
    pub async fn create_endpoint(&self, token: &str, body: Value) -> Value {
        let res =
            self.http.post(self.url("/v1/webhook-endpoints")).bearer_auth(token).json(&body).send().await.unwrap();
        let status = res.status();
        let v: Value = res.json().await.unwrap();
        assert_eq!(status, 201, "{v}");
        v
    }

    /// Every delivery of this tenant matching `query` (e.g. "status=failed").
    pub async fn deliveries(&self, token: &str, query: &str) -> Vec<Value> {
        let (status, v) = self.get_json(token, &format!("/v1/webhook-deliveries?limit=100&{query}")).await;
        assert_eq!(status, 200, "{v}");
        v["data"].as_array().unwrap().clone()
    }

    /// Waits until a delivery of `endpoint` satisfies `done`, and returns its detail. The
    /// payload the engine sent is validated against its published schema on the way.
    pub async fn wait_delivery(&self, token: &str, endpoint: &str, secs: u64, done: impl Fn(&Value) -> bool) -> Value {
        let detail = eventually(secs, || async {
            let list = self.deliveries(token, &format!("endpointId={endpoint}")).await;
            let d = list.first()?;
            let (_, detail) = self.get_json(token, &format!("/v1/webhook-deliveries/{}", d["id"])).await;
            done(&detail).then_some(detail)
        })
        .await;
        crate::catalog::assert_valid(self, &detail["payload"].to_string()).await;
        detail
    }
}

fn hmac(secret: &str, body: &[u8]) -> String {
    fml_webhooks::sign::signature(secret, body)
}

async fn a_case_event_is_delivered_signed_with_every_header(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/ok"), "label": "Salesforce — production"})).await;
    let secret = ep["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64);
    assert_eq!(ep["eventTypes"].as_array().unwrap().len(), 27, "every type by default");
    assert_eq!(ep["enabled"], true);
    let case: Value = app.create_case(&token, None, &recipe_body("rec_hook")).await.json().await.unwrap();

    let hit = rx.wait_for("/ok", 1, 10).await.remove(0);
    assert_eq!(hit.header("content-type"), "application/json");
    assert_eq!(hit.header("user-agent"), "FirstMileLabs-Webhooks/1.0");
    assert_eq!(hit.header("x-fml-event"), "case.created");
    assert_eq!(hit.header("x-fml-event-version"), "1");
    assert_eq!(hit.header("x-fml-attempt"), "1");
    assert_eq!(hit.header("x-fml-signature"), hmac(&secret, &hit.body));
    assert!(hit.headers.get("traceparent").is_none(), "no trace context unless traces are exported");
    let body: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(hit.header("x-fml-event-id"), body["eventId"].as_str().unwrap());
    assert_eq!(hit.header("x-fml-timestamp"), body["timestamp"].as_str().unwrap());
    assert_eq!(body["caseId"], case["caseId"]);
    assert_eq!(body["crmRecordId"], "rec_hook");
    crate::catalog::assert_valid(&app, std::str::from_utf8(&hit.body).unwrap()).await;

    let d = app.wait_delivery(&token, ep["id"].as_str().unwrap(), 10, |d| d["status"] == "delivered").await;
    assert_eq!(hit.header("x-fml-delivery-id"), d["id"].to_string());
    assert_eq!(d["event"], "case.created");
    assert_eq!(d["eventId"], body["eventId"]);
    assert_eq!(d["caseId"], case["caseId"]);
    assert_eq!(d["attemptCount"], 1);
    assert_eq!(d["lastHttpStatus"], 200);
    assert_eq!(d["nextAttemptAt"], Value::Null);
    assert_eq!(d["payload"], body);
    assert_eq!(d["attempts"][0]["httpStatus"], 200);
    assert_eq!(d["attempts"][0]["responseBody"], r#"{"ok":true}"#);

    // Redelivery: same row, same bytes, same event id, the attempt counter continues.
    let res = app
        .http
        .post(app.url(&format!("/v1/webhook-deliveries/{}/redeliver", d["id"])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let again = rx.wait_for("/ok", 2, 10).await.remove(1);
    assert_eq!(again.body, hit.body);
    assert_eq!(again.header("x-fml-attempt"), "2");
    assert_eq!(again.header("x-fml-event-id"), hit.header("x-fml-event-id"));
    assert_eq!(again.header("x-fml-delivery-id"), hit.header("x-fml-delivery-id"));
    let d = app
        .wait_delivery(&token, ep["id"].as_str().unwrap(), 10, |d| d["attempts"].as_array().unwrap().len() == 2)
        .await;
    assert_eq!(d["status"], "delivered");
    assert_eq!(d["attempts"][1]["manual"], true);
}

async fn failures_follow_the_retry_schedule_then_fail(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/status/500"), "eventTypes": ["case.created"]})).await;
    app.create_case(&token, None, &recipe_body("rec_fail")).await;
    let d = app.wait_delivery(&token, ep["id"].as_str().unwrap(), 20, |d| d["status"] == "failed").await;
    let attempts = d["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 6, "the first attempt and five retries");
    let hits = rx.hits("/status/500");
    assert_eq!(hits.len(), 6);
    for (i, h) in hits.iter().enumerate() {
        assert_eq!(h.header("x-fml-attempt"), (i + 1).to_string());
        assert_eq!(h.body, hits[0].body, "the same bytes every time");
        assert_eq!(h.header("x-fml-signature"), hits[0].header("x-fml-signature"));
    }
    // Each retry waits at least its step of the (scaled) schedule after the failure before it.
    for i in 1..6 {
        let prev = attempts[i - 1]["startedAt"].as_str().unwrap();
        let prev_end = chrono_ms(prev) + attempts[i - 1]["durationMs"].as_i64().unwrap();
        let gap = chrono_ms(attempts[i]["startedAt"].as_str().unwrap()) - prev_end;
        let step = test_schedule().delay_after(i as u32).unwrap().as_millis() as i64;
        assert!(gap >= step - 2, "retry {i} came {gap} ms after the failure, before its {step} ms step");
        assert_eq!(attempts[i]["httpStatus"], 500);
        assert_eq!(attempts[i]["responseBody"], "answered 500 Internal Server Error");
    }
    assert_eq!(d["lastHttpStatus"], 500);
    assert_eq!(d["nextAttemptAt"], Value::Null);
    // A failed delivery can be redelivered by hand: one attempt, counter continues.
    app.http
        .post(app.url(&format!("/v1/webhook-deliveries/{}/redeliver", d["id"])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    rx.wait_for("/status/500", 7, 10).await;
    let d = app
        .wait_delivery(&token, ep["id"].as_str().unwrap(), 10, |d| d["attempts"].as_array().unwrap().len() == 7)
        .await;
    assert_eq!(d["status"], "failed");
    // Failed with nothing scheduled: the engine only claims pending deliveries, so no more.
    assert_eq!(d["nextAttemptAt"], Value::Null);
    assert_eq!(rx.hits("/status/500").len(), 7, "a manual redelivery is one attempt");
}

fn chrono_ms(iso: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(iso).unwrap().timestamp_millis()
}

async fn every_outcome_of_the_status_table(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let reset = start_resetter().await;
    let refused = refused_url();
    // (url, expected first-attempt http status, error must contain)
    let cases = [
        (rx.url("/status/404"), 404, "HTTP 404"),
        (rx.url("/status/401"), 401, "HTTP 401"),
        (rx.url("/status/503"), 503, "HTTP 503"),
        (rx.url("/redirect"), 302, "redirects are not followed"),
        (refused.clone(), 0, "connection failed"),
        (reset.clone(), 0, "reading the response failed"),
    ];
    let mut endpoints = Vec::new();
    for (url, _, _) in &cases {
        endpoints.push(app.create_endpoint(&token, json!({"url": url, "eventTypes": ["case.created"]})).await);
    }
    let big = app.create_endpoint(&token, json!({"url": rx.url("/big"), "eventTypes": ["case.created"]})).await;
    let sized =
        app.create_endpoint(&token, json!({"url": rx.url("/sized/5000"), "eventTypes": ["case.created"]})).await;
    let flaky = app.create_endpoint(&token, json!({"url": rx.url("/flaky/2"), "eventTypes": ["case.created"]})).await;
    app.create_case(&token, None, &recipe_body("rec_outcomes")).await;

    for ((_, status, error), ep) in cases.iter().zip(&endpoints) {
        let d = app
            .wait_delivery(&token, ep["id"].as_str().unwrap(), 15, |d| d["attempts"].as_array().unwrap().len() >= 2)
            .await;
        let first = &d["attempts"][0];
        assert_eq!(first["httpStatus"], *status, "{d}");
        assert!(first["error"].as_str().unwrap_or("").contains(error), "{error}: {d}");
        assert!(d["status"] == "pending" || d["status"] == "failed", "a failure is retried: {d}");
    }
    assert!(rx.hits("/ok/redirected").is_empty(), "redirects are never followed");

    let d = app.wait_delivery(&token, big["id"].as_str().unwrap(), 15, |d| d["status"] == "delivered").await;
    // The whole body is recorded up to 64 KiB; beyond, its beginning with a mark.
    let body = d["attempts"][0]["responseBody"].as_str().unwrap();
    assert_eq!((body.len(), d["attempts"][0]["responseTruncated"].as_bool()), (64 * 1024, Some(true)));
    let d = app.wait_delivery(&token, sized["id"].as_str().unwrap(), 15, |d| d["status"] == "delivered").await;
    assert_eq!(d["attempts"][0]["responseBody"], crate::receiver::sized_body(5000), "a 5 KB body whole");
    assert_eq!(d["attempts"][0]["responseTruncated"], false);

    let d = app.wait_delivery(&token, flaky["id"].as_str().unwrap(), 15, |d| d["status"] == "delivered").await;
    let statuses: Vec<i64> =
        d["attempts"].as_array().unwrap().iter().map(|a| a["httpStatus"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [503, 503, 200], "retried until the receiver recovered");
}

async fn a_slow_receiver_times_out_after_ten_seconds(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let slow = app.create_endpoint(&token, json!({"url": rx.url("/slow"), "eventTypes": ["case.created"]})).await;
    let ok = app.create_endpoint(&token, json!({"url": rx.url("/ok"), "eventTypes": ["case.created"]})).await;
    for i in 0..5 {
        app.create_case(&token, None, &recipe_body(&format!("rec_slow_{i}"))).await;
    }
    // The healthy endpoint is not held up by the slow one.
    rx.wait_for("/ok", 5, 5).await;
    let d = app.wait_delivery(&token, ok["id"].as_str().unwrap(), 5, |d| d["status"] == "delivered").await;
    assert_eq!(d["attemptCount"], 1);
    let d = app
        .wait_delivery(&token, slow["id"].as_str().unwrap(), 25, |d| !d["attempts"].as_array().unwrap().is_empty())
        .await;
    let a = &d["attempts"][0];
    assert_eq!(a["httpStatus"], 0);
    assert!(a["error"].as_str().unwrap().contains("timed out"), "{a}");
    assert!(a["durationMs"].as_i64().unwrap() >= 10_000);
    assert_eq!(d["lastHttpStatus"], 0);
}

async fn subscriptions_and_disabled_endpoints(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let other =
        app.create_endpoint(&token, json!({"url": rx.url("/ok/other"), "eventTypes": ["case.decision.made"]})).await;
    let off = app.create_endpoint(&token, json!({"url": rx.url("/ok/off"), "enabled": false})).await;
    let on = app.create_endpoint(&token, json!({"url": rx.url("/ok/on"), "eventTypes": ["case.created"]})).await;
    app.create_case(&token, None, &recipe_body("rec_subs")).await;
    rx.wait_for("/ok/on", 1, 10).await;
    assert!(app.deliveries(&token, &format!("endpointId={}", other["id"].as_str().unwrap())).await.is_empty());
    assert!(app.deliveries(&token, &format!("endpointId={}", off["id"].as_str().unwrap())).await.is_empty());
    assert!(rx.hits("/ok/other").is_empty() && rx.hits("/ok/off").is_empty());

    // Deleting keeps the history readable; the endpoint itself is gone.
    let on_id = on["id"].as_str().unwrap();
    let res =
        app.http.delete(app.url(&format!("/v1/webhook-endpoints/{on_id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.get_json(&token, &format!("/v1/webhook-endpoints/{on_id}")).await.0, 404);
    let history = app.deliveries(&token, &format!("endpointId={on_id}")).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["status"], "delivered");
    // A later event goes to a live endpoint, created in the same transaction as any delivery
    // to the deleted one would be; once it has arrived, the deleted one must have nothing.
    app.create_endpoint(&token, json!({"url": rx.url("/ok/sentinel"), "eventTypes": ["case.created"]})).await;
    app.create_case(&token, None, &recipe_body("rec_after_delete")).await;
    rx.wait_for("/ok/sentinel", 1, 10).await;
    assert_eq!(app.deliveries(&token, &format!("endpointId={on_id}")).await.len(), 1);
    assert_eq!(rx.hits("/ok/on").len(), 1, "a deleted endpoint receives nothing");
}

async fn endpoints_are_managed_and_their_secrets_sealed(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let mine = "my-own-shared-secret-0123456789";
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/ok"), "label": "HubSpot relay", "secret": mine, "eventTypes": ["case.created", "owner.changed"]})).await;
    assert_eq!(ep["secret"], mine);
    let id = ep["id"].as_str().unwrap();
    let (_, got) = app.get_json(&token, &format!("/v1/webhook-endpoints/{id}")).await;
    assert!(got.get("secret").is_none(), "the secret is shown only at creation");
    assert_eq!(got["eventTypes"], json!(["case.created", "owner.changed"]));
    let (_, list) = app.get_json(&token, "/v1/webhook-endpoints").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    // No readable secret in the database.
    let raw: Vec<Vec<u8>> = match &app.db {
        fml_store::Db::Sqlite { read, .. } => {
            sqlx::query_scalar("SELECT secret_sealed FROM webhook_endpoints").fetch_all(read).await.unwrap()
        }
        fml_store::Db::Postgres(p) => {
            sqlx::query_scalar("SELECT secret_sealed FROM webhook_endpoints").fetch_all(p).await.unwrap()
        }
    };
    assert!(!raw[0].windows(mine.len()).any(|w| w == mine.as_bytes()));

    // Test with the stored secret: the receiver can verify it.
    let res =
        app.http.post(app.url(&format!("/v1/webhook-endpoints/{id}/test"))).bearer_auth(&token).send().await.unwrap();
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], 200);
    assert_eq!(v["body"], r#"{"ok":true}"#);
    let ping = rx.wait_for("/ok", 1, 5).await.remove(0);
    assert_eq!(ping.header("x-fml-event"), "ping");
    assert_eq!(ping.header("x-fml-signature"), hmac(mine, &ping.body));
    crate::catalog::assert_valid(&app, std::str::from_utf8(&ping.body).unwrap()).await;

    // A null or blank secret on update means "unchanged", never a rotation.
    for unchanged in [json!({"secret": null}), json!({"secret": ""}), json!({"generateSecret": false})] {
        let res = app
            .http
            .patch(app.url(&format!("/v1/webhook-endpoints/{id}")))
            .bearer_auth(&token)
            .json(&unchanged)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.json::<Value>().await.unwrap().get("secret").is_none(), "{unchanged}");
    }
    let res =
        app.http.post(app.url(&format!("/v1/webhook-endpoints/{id}/test"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let ping = rx.wait_for("/ok", 2, 5).await.remove(1);
    assert_eq!(ping.header("x-fml-signature"), hmac(mine, &ping.body), "still signed with the old secret");
    let res = app
        .http
        .patch(app.url(&format!("/v1/webhook-endpoints/{id}")))
        .bearer_auth(&token)
        .json(&json!({"secret": "another-secret-0123456789", "generateSecret": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "a secret and a request to generate one");

    // Rotation on request: a generated secret, shown once; deliveries use it.
    let res = app
        .http
        .patch(app.url(&format!("/v1/webhook-endpoints/{id}")))
        .bearer_auth(&token)
        .json(&json!({"generateSecret": true, "label": "HubSpot relay v2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    let rotated = v["secret"].as_str().unwrap().to_owned();
    assert_eq!(rotated.len(), 64);
    assert_eq!(v["label"], "HubSpot relay v2");
    app.create_case(&token, None, &recipe_body("rec_rotated")).await;
    let hit =
        eventually(10, || async { rx.hits("/ok").into_iter().find(|h| h.header("x-fml-event") == "case.created") })
            .await;
    assert_eq!(hit.header("x-fml-signature"), hmac(&rotated, &hit.body));

    // A dump of the whole database holds none of the secrets in readable form.
    if let Some(path) = app.spec.url.strip_prefix("sqlite:") {
        let mut dump = std::fs::read(path).unwrap();
        dump.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
        for secret in [mine, rotated.as_str(), app.client_secret.as_str()] {
            assert!(
                !dump.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret is readable in the database file"
            );
        }
    }

    // Bad input: every field listed.
    let res = app
        .http
        .post(app.url("/v1/webhook-endpoints"))
        .bearer_auth(&token)
        .json(&json!({"url": "ftp://x", "secret": "short", "eventTypes": ["case.approved"], "enabled": "yes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let v: Value = res.json().await.unwrap();
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["url", "secret", "eventTypes", "enabled"]);
    assert_eq!(app.get_json(&token, "/v1/webhook-endpoints/nope").await.0, 404);

    // The pre-save ping with a generated secret.
    let res = app
        .http
        .post(app.url("/v1/webhook-endpoints/ping"))
        .bearer_auth(&token)
        .json(&json!({"url": rx.url("/status/418")}))
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], 418);
    assert_eq!(v["secret"].as_str().unwrap().len(), 64);
    let res = app
        .http
        .post(app.url("/v1/webhook-endpoints/ping"))
        .bearer_auth(&token)
        .json(&json!({"url": refused_url()}))
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], 0);
    assert!(v["error"].as_str().unwrap().contains("connection failed"));
}

async fn private_targets_are_refused_by_default(b: Backend) {
    let app = spawn_with(b, Options { allow_private: false, ..Options::default() }).await;
    let token = app.token().await;
    for url in [
        "https://127.0.0.1/hook",
        "https://2130706433/",
        "https://0x7f000001/",
        "https://0177.0.0.1/",
        "https://127.1/",
        "https://[::ffff:127.0.0.1]/",
        "https://localhost./",
        "https://169.254.169.254/latest",
        "https://10.0.0.5/",
        "https://localhost/",
        "https://[::1]/",
    ] {
        for path in ["/v1/webhook-endpoints", "/v1/webhook-endpoints/ping"] {
            let res = app.http.post(app.url(path)).bearer_auth(&token).json(&json!({"url": url})).send().await.unwrap();
            assert_eq!(res.status(), 400, "{url}");
            let v: Value = res.json().await.unwrap();
            assert_eq!(v["error"], "validation_error");
            assert_eq!(
                v["fields"][0]["message"], "Webhook URL must not target a private or loopback address.",
                "{url}"
            );
        }
    }
    let res = app
        .http
        .post(app.url("/v1/webhook-endpoints"))
        .bearer_auth(&token)
        .json(&json!({"url": "http://hooks.example.com/"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = app
        .http
        .post(app.url("/v1/webhook-endpoints"))
        .bearer_auth(&token)
        .json(&json!({"url": "https://user:pw@hooks.example.com/"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

async fn deliveries_are_filtered_paged_and_tenant_scoped(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    let token = app.token().await;
    let ok = app.create_endpoint(&token, json!({"url": rx.url("/ok"), "eventTypes": ["case.created"]})).await;
    let bad = app.create_endpoint(&token, json!({"url": rx.url("/status/500"), "eventTypes": ["case.created"]})).await;
    let mut cases = Vec::new();
    for i in 0..3 {
        let c: Value =
            app.create_case(&token, None, &recipe_body(&format!("rec_page_{i}"))).await.json().await.unwrap();
        cases.push(c);
    }
    rx.wait_for("/ok", 3, 10).await;
    eventually(10, || async { (app.deliveries(&token, "status=delivered").await.len() == 3).then_some(()) }).await;
    let all = app.deliveries(&token, "").await;
    assert_eq!(all.len(), 6);
    let ids: Vec<i64> = all.iter().map(|d| d["id"].as_i64().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first");
    assert_eq!(app.deliveries(&token, &format!("endpointId={}", bad["id"].as_str().unwrap())).await.len(), 3);
    assert_eq!(app.deliveries(&token, &format!("endpointId={}", ok["id"].as_str().unwrap())).await.len(), 3);
    assert_eq!(app.deliveries(&token, "event=case.created").await.len(), 6);
    assert_eq!(app.deliveries(&token, "event=owner.changed").await.len(), 0);
    let by_case = app.deliveries(&token, &format!("caseId={}", cases[1]["caseReference"].as_str().unwrap())).await;
    assert_eq!(by_case.len(), 2);
    assert!(by_case.iter().all(|d| d["caseId"] == cases[1]["caseId"]));
    // Pages of two.
    let (_, page1) = app.get_json(&token, "/v1/webhook-deliveries?limit=4").await;
    let cursor = page1["nextCursor"].as_str().unwrap();
    let (_, page2) = app.get_json(&token, &format!("/v1/webhook-deliveries?limit=4&cursor={cursor}")).await;
    assert_eq!(page2["data"].as_array().unwrap().len(), 2);
    assert_eq!(page2["nextCursor"], Value::Null);
    assert_eq!(app.get_json(&token, "/v1/webhook-deliveries?status=lost").await.0, 400);

    // Another tenant sees none of it.
    let other = fml_domain::OrgId::parse("org_other_hooks").unwrap();
    let (oid, osecret) = crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let theirs = app.token_for(&oid, &osecret).await;
    assert!(app.deliveries(&theirs, "").await.is_empty());
    let id = all[0]["id"].as_i64().unwrap();
    assert_eq!(app.get_json(&theirs, &format!("/v1/webhook-deliveries/{id}")).await.0, 404);
    let res = app
        .http
        .post(app.url(&format!("/v1/webhook-deliveries/{id}/redeliver")))
        .bearer_auth(&theirs)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(app.get_json(&theirs, &format!("/v1/webhook-endpoints/{}", ok["id"].as_str().unwrap())).await.0, 404);
    // Scopes: cases-only clients cannot touch webhooks.
    let (cid, csecret) =
        crate::helpers::seed_org(&app.db, &app.org, fml_domain::ScopeSet::from_iter([fml_domain::Scope::CasesWrite]))
            .await;
    let cases_only = app.token_for(&cid, &csecret).await;
    assert_eq!(app.get_json(&cases_only, "/v1/webhook-deliveries").await.0, 403);

    // Payloads carry case data (the customer's email, the company): only a client that may
    // read cases sees them; the rest of the delivery record stays visible.
    use fml_domain::Scope;
    let (hid, hsecret) =
        crate::helpers::seed_org(&app.db, &app.org, fml_domain::ScopeSet::from_iter([Scope::WebhooksRead])).await;
    let hooks_only = app.token_for(&hid, &hsecret).await;
    let (status, d) = app.get_json(&hooks_only, &format!("/v1/webhook-deliveries/{id}")).await;
    assert_eq!(status, 200);
    assert!(d.get("payload").is_none(), "{d}");
    assert!(!d.to_string().contains("jane@acme.example"));
    assert_eq!(d["id"], id);
    assert!(!d["attempts"].as_array().unwrap().is_empty());
    let (hid, hsecret) = crate::helpers::seed_org(
        &app.db,
        &app.org,
        fml_domain::ScopeSet::from_iter([Scope::WebhooksRead, Scope::CasesRead]),
    )
    .await;
    let both = app.token_for(&hid, &hsecret).await;
    let (_, d) = app.get_json(&both, &format!("/v1/webhook-deliveries/{id}")).await;
    assert_eq!(d["payload"]["customerEmail"], "jane@acme.example");
}

/// Endpoint changes go through the commands layer: each is audited with the client that made
/// it, and a failed change leaves no audit row.
async fn endpoint_changes_are_audited(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let ep =
        app.create_endpoint(&token, json!({"url": "http://127.0.0.1:9/hook", "eventTypes": ["case.created"]})).await;
    let id = ep["id"].as_str().unwrap();
    let res = app
        .http
        .patch(app.url(&format!("/v1/webhook-endpoints/{id}")))
        .bearer_auth(&token)
        .json(&json!({"generateSecret": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res =
        app.http.delete(app.url(&format!("/v1/webhook-endpoints/{id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let res =
        app.http.delete(app.url(&format!("/v1/webhook-endpoints/{id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let mut rows = fml_store::audit::list(&app.db, &app.org, None, 20).await.unwrap();
    rows.reverse();
    rows.retain(|r| r.action.starts_with("endpoint."));
    let acts: Vec<(&str, &str, &str)> =
        rows.iter().map(|r| (r.action.as_str(), r.actor_kind.as_str(), r.actor.as_str())).collect();
    let client = app.client_id.as_str();
    assert_eq!(
        acts,
        [
            ("endpoint.create", "client", client),
            ("endpoint.update", "client", client),
            ("endpoint.delete", "client", client)
        ]
    );
    assert!(rows[1].detail.contains("\"secretRotated\":true"), "{}", rows[1].detail);
}

crate::on_both_backends!(
    endpoint_changes_are_audited,
    a_case_event_is_delivered_signed_with_every_header,
    failures_follow_the_retry_schedule_then_fail,
    every_outcome_of_the_status_table,
    a_slow_receiver_times_out_after_ten_seconds,
    subscriptions_and_disabled_endpoints,
    endpoints_are_managed_and_their_secrets_sealed,
    private_targets_are_refused_by_default,
    deliveries_are_filtered_paged_and_tenant_scoped,
);

/// Two nodes on one PostgreSQL share the deliveries: every event arrives, and no attempt is
/// made twice (each event's first attempt reaches the receiver exactly once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_nodes_share_deliveries_without_doubles() {
    if crate::helpers::pg_url().is_none() {
        return;
    }
    let rx = Receiver::start().await;
    let a = spawn(Backend::Postgres).await;
    let b = spawn_with(Backend::Postgres, Options { spec: Some(a.spec.clone()), ..Options::default() }).await;
    let (ta, tb) = (a.token().await, b.token().await);
    a.create_endpoint(&ta, json!({"url": rx.url("/ok/shared"), "eventTypes": ["case.created"]})).await;
    let n = 120;
    futures::future::join_all((0..n).map(|i| {
        let (node, token) = if i % 2 == 0 { (&a, &ta) } else { (&b, &tb) };
        async move { node.create_case(token, None, &recipe_body(&format!("rec_nodes_{i}"))).await.status() }
    }))
    .await;
    let hits = rx.wait_for("/ok/shared", n, 30).await;
    eventually(10, || async {
        (fml_store::deliveries::count_by_status(&a.db, &a.org, "delivered").await.unwrap() == n as i64).then_some(())
    })
    .await;
    // Every delivery was attempted exactly once: no node sent an attempt another had claimed.
    let fml_store::Db::Postgres(pool) = &a.db else { unreachable!() };
    let attempts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM delivery_attempts").fetch_one(pool).await.unwrap();
    assert_eq!(attempts, n as i64);
    assert!(hits.len() >= n);
    let hits = rx.hits("/ok/shared");
    let mut ids: Vec<(String, String)> =
        hits.iter().map(|h| (h.header("x-fml-event-id").to_owned(), h.header("x-fml-attempt").to_owned())).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), hits.len(), "an attempt was delivered twice");
    assert_eq!(hits.len(), n, "every event once");
}
