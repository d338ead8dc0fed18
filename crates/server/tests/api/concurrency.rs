//! Races: many parallel creates for one CRM record or one key make exactly one case; many
//! distinct creates (batched into shared commits) each get their own case and reference.

use std::collections::HashSet;

use futures::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{Backend, Options, recipe_body, spawn, spawn_with};

async fn parallel_creates_for_one_crm_record_make_one_case(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let results = join_all((0..50).map(|_| async {
        let res = app.create_case(&token, None, &recipe_body("rec_race")).await;
        let status = res.status().as_u16();
        let replay = res.headers().get("idempotent-replay").map(|v| v.to_str().unwrap().to_owned());
        let v: Value = res.json().await.unwrap();
        (status, replay, v["caseId"].as_str().unwrap().to_owned())
    }))
    .await;
    assert_eq!(results.iter().filter(|r| r.0 == 201).count(), 1);
    assert!(results.iter().filter(|r| r.0 != 201).all(|r| r.0 == 200 && r.1.as_deref() == Some("crm-record-id")));
    assert_eq!(results.iter().map(|r| &r.2).collect::<HashSet<_>>().len(), 1);
    assert_eq!(fml_store::cases::count(&app.db, &app.org).await.unwrap(), 1);
    assert_eq!(fml_store::mail::list(&app.db, &app.org).await.unwrap().len(), 1);
    assert_eq!(fml_store::events::list(&app.db, &app.org).await.unwrap().len(), 1);
}

async fn parallel_creates_with_one_key_make_one_case(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let body = json!({"customerEmail": "jane@acme.example", "sendInvite": true});
    let results = join_all((0..30).map(|_| async {
        let res = app.create_case(&token, Some("double-fire"), &body).await;
        let status = res.status().as_u16();
        let replay = res.headers().get("idempotent-replay").is_some();
        (status, replay, res.bytes().await.unwrap())
    }))
    .await;
    let firsts: Vec<_> = results.iter().filter(|r| r.0 == 201 && !r.1).collect();
    assert_eq!(firsts.len(), 1, "exactly one request did the work");
    for r in &results {
        // Every other request saw the finished first one (a replay), or, had it arrived while
        // the first was mid-flight, a 409 in progress.
        assert!((r.0 == 201 && r.2 == firsts[0].2) || r.0 == 409, "{}", r.0);
    }
    assert_eq!(fml_store::cases::count(&app.db, &app.org).await.unwrap(), 1);
    assert_eq!(fml_store::mail::list(&app.db, &app.org).await.unwrap().len(), 1);
}

async fn parallel_distinct_creates_each_get_a_case(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let (app, token) = (&app, &token);
    let results = join_all((0..200).map(|i| async move {
        let res = app.create_case(token, Some(&format!("key-{i}")), &recipe_body(&format!("rec-{i}"))).await;
        assert_eq!(res.status(), 201);
        let v: Value = res.json().await.unwrap();
        (
            v["caseId"].as_str().unwrap().to_owned(),
            v["caseReference"].as_str().unwrap().to_owned(),
            v["crmRecordId"].clone(),
        )
    }))
    .await;
    let refs: HashSet<_> = results.iter().map(|r| r.1.clone()).collect();
    assert_eq!(refs.len(), 200);
    let year = &results[0].1[3..7];
    let expected: HashSet<_> = (1..=200).map(|n| format!("CS-{year}-{n:05}")).collect();
    assert_eq!(refs, expected, "references are dense: no number lost or doubled");
    assert_eq!(results.iter().map(|r| &r.0).collect::<HashSet<_>>().len(), 200);
    assert_eq!(fml_store::cases::count(&app.db, &app.org).await.unwrap(), 200);
    assert_eq!(fml_store::events::list(&app.db, &app.org).await.unwrap().len(), 200);
    assert_eq!(fml_store::mail::list(&app.db, &app.org).await.unwrap().len(), 200);
}

crate::on_both_backends!(
    parallel_creates_for_one_crm_record_make_one_case,
    parallel_creates_with_one_key_make_one_case,
    parallel_distinct_creates_each_get_a_case,
);

/// Two `fml serve` nodes on one PostgreSQL race for the same CRM record and key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_nodes_make_one_case() {
    if crate::helpers::pg_url().is_none() {
        return;
    }
    let a = spawn(Backend::Postgres).await;
    let b = spawn_with(Backend::Postgres, Options { spec: Some(a.spec.clone()), ..Options::default() }).await;
    let (ta, tb) = (a.token().await, b.token().await);
    let results = join_all((0..40).map(|i| {
        let (node, token) = if i % 2 == 0 { (&a, &ta) } else { (&b, &tb) };
        async move { node.create_case(token, None, &recipe_body("rec_two_nodes")).await.status().as_u16() }
    }))
    .await;
    assert_eq!(results.iter().filter(|s| **s == 201).count(), 1, "{results:?}");
    assert!(results.iter().all(|s| *s == 201 || *s == 200));
    assert_eq!(fml_store::cases::count(&a.db, &a.org).await.unwrap(), 1);
    assert_eq!(fml_store::mail::list(&a.db, &a.org).await.unwrap().len(), 1);
}
