//! Every tenant sees only its own data: another tenant's case is a 404.

use fml_domain::{OrgId, ScopeSet};
use serde_json::{Value, json};

use crate::helpers::{Backend, recipe_body, seed_org, spawn};

async fn another_tenants_case_is_not_found(b: Backend) {
    let app = spawn(b).await;
    let mine = app.token().await;
    let other = OrgId::parse("org_intruder").unwrap();
    let (oid, osecret) = seed_org(&app.db, &other, ScopeSet::all()).await;
    let theirs = app.token_for(&oid, &osecret).await;
    let case: Value = app.create_case(&mine, None, &recipe_body("rec_private")).await.json().await.unwrap();
    let id = case["caseId"].as_str().unwrap();
    let reference = case["caseReference"].as_str().unwrap();
    for path in [format!("/v1/cases/{id}"), format!("/v1/cases/{reference}")] {
        let (status, v) = app.get_json(&theirs, &path).await;
        assert_eq!((status, v["error"].as_str()), (404, Some("not_found")), "{path}");
    }
    let (_, v) = app.get_json(&theirs, "/v1/cases?crmRecordId=rec_private").await;
    assert_eq!(v["data"], json!([]));
    let (_, v) = app.get_json(&theirs, "/v1/cases").await;
    assert_eq!(v["data"], json!([]));
    let res = app
        .http
        .post(app.url(&format!("/api/cases/{id}/crm-record-id")))
        .bearer_auth(&theirs)
        .json(&json!({"crmRecordId": "stolen"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let (_, mine_view) = app.get_json(&mine, &format!("/v1/cases/{id}")).await;
    assert_eq!(mine_view["crmRecordId"], "rec_private");
    // The other tenant's events and mail are its own.
    assert!(fml_store::events::list(&app.db, &other).await.unwrap().is_empty());
    assert!(fml_store::mail::list(&app.db, &other).await.unwrap().is_empty());
}

/// A tenant is created once, audited; its id cannot be taken again, nor its name left blank.
async fn a_tenant_is_created_once(b: Backend) {
    let app = spawn(b).await;
    let ctx = app.ctx();
    let org = OrgId::parse("org_second_bank").unwrap();
    fml_app::orgs::create(&ctx, &org, " Second Bank ", fml_app::Operator::Cli).await.unwrap();
    assert!(fml_app::orgs::exists(&ctx, &org).await.unwrap());
    let again = fml_app::orgs::create(&ctx, &org, "Other", fml_app::Operator::Cli).await.unwrap_err();
    assert!(matches!(again, fml_app::CommandError::Conflict("org_exists", _)), "{again:?}");
    let blank = OrgId::parse("org_blank").unwrap();
    assert!(matches!(
        fml_app::orgs::create(&ctx, &blank, "  ", fml_app::Operator::Cli).await,
        Err(fml_app::CommandError::Validation(_))
    ));
    assert!(!fml_app::orgs::exists(&ctx, &blank).await.unwrap());
    let audit = fml_store::audit::list(&app.db, &org, Some("org.create"), 5).await.unwrap();
    assert_eq!(audit.len(), 1, "the refused second create wrote nothing");
    assert_eq!(serde_json::from_str::<Value>(&audit[0].detail).unwrap()["name"], "Second Bank");
}

crate::on_both_backends!(another_tenants_case_is_not_found, a_tenant_is_created_once);
