//! The master key's record and rotation, on both backends: `keyring::rotate` re-seals every
//! kind of sealed value (endpoint secrets, queued mail bodies, stored responses that carry a
//! secret) in one transaction, after which only the new key opens them.

use fml_domain::crypto::MasterKey;
use serde_json::{Value, json};

use crate::helpers::{Backend, recipe_body, spawn};

/// Audited rotations of the master key.
async fn rotations(app: &crate::helpers::TestApp) -> i64 {
    let mut r = app.db.reader().await.unwrap();
    let (n,): (i64,) = fml_store::fetch_optional!(
        r.conn(),
        (i64,),
        "SELECT COUNT(*) FROM audit_log WHERE action = 'master_key.rotate' AND org_id IS NULL"
    )
    .unwrap()
    .unwrap();
    n
}

async fn rotation_reseals_every_sealed_value(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let old = MasterKey::from_hex(&app.master_key_hex).unwrap();
    assert_eq!(fml_store::keyring::record_fingerprint(&app.db, &old.fingerprint()).await.unwrap(), old.fingerprint());
    let secret = "a-shared-secret-for-rotation";
    let res = app
        .http
        .post(app.url("/v1/webhook-endpoints"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "ep-rotate")
        .json(&json!({"url": "http://127.0.0.1:9/hook", "secret": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let ep: Value = res.json().await.unwrap();
    assert_eq!(app.create_case(&token, None, &recipe_body("rec_rotate")).await.status(), 201);
    assert!(fml_store::keyring::has_sealed_data(&app.db).await.unwrap());
    assert_eq!(fml_store::keyring::opens_sealed_data(&app.db, &old).await.unwrap(), Some(true));

    let new = MasterKey::from_hex(&MasterKey::generate_hex()).unwrap();
    // The wrong "current" key changes nothing.
    assert!(fml_app::keyring::rotate(&app.ctx(), &new, &old).await.is_err());
    assert_eq!(fml_store::keyring::fingerprint(&app.db).await.unwrap(), Some(old.fingerprint()));
    assert_eq!(rotations(&app).await, 0, "a refused rotation is not audited");

    let done = fml_app::keyring::rotate(&app.ctx(), &old, &new).await.unwrap();
    assert_eq!(rotations(&app).await, 1, "the rotation is audited in its own transaction");
    assert_eq!(
        (done.endpoint_secrets, done.mail_bodies, done.stored_responses),
        (1, 1, 1),
        "the endpoint secret, the invite and the sealed create response"
    );
    assert_eq!(fml_store::keyring::fingerprint(&app.db).await.unwrap(), Some(new.fingerprint()));
    assert_eq!(fml_store::keyring::opens_sealed_data(&app.db, &new).await.unwrap(), Some(true));
    assert_eq!(fml_store::keyring::opens_sealed_data(&app.db, &old).await.unwrap(), Some(false));
    let stored = fml_store::endpoints::get(&app.db, &app.org, ep["id"].as_str().unwrap()).await.unwrap().unwrap();
    let ctx = fml_store::endpoints::seal_context(&stored.id);
    assert_eq!(new.open(&ctx, &stored.secret_sealed).unwrap(), secret.as_bytes());
    assert!(old.open(&ctx, &stored.secret_sealed).is_err());
    let mail = fml_store::mail::list(&app.db, &app.org).await.unwrap();
    let body = new.open(fml_store::mail::SEAL_CONTEXT, mail[0].body_sealed.as_deref().unwrap()).unwrap();
    assert!(String::from_utf8(body).unwrap().contains("/invite/"));
}

crate::on_both_backends!(rotation_reseals_every_sealed_value);
