//! EDD requirements, the evidence request and outreach emails: their events (schema-checked),
//! their branded mail, bad input, decided cases and tenant isolation.

use fml_domain::crypto::MasterKey;
use fml_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, recipe_body, spawn};

async fn new_case(app: &TestApp, crm: &str) -> String {
    let token = app.token().await;
    let mut body = recipe_body(crm);
    body["sendInvite"] = json!(false);
    let v: Value = app.create_case(&token, None, &body).await.json().await.unwrap();
    v["caseId"].as_str().unwrap().to_owned()
}

/// The bodies of the tenant's mail of this kind.
async fn mail_bodies(app: &TestApp, kind: &str) -> Vec<(String, String)> {
    let key = MasterKey::from_hex(&app.master_key_hex).unwrap();
    fml_store::mail::list(&app.db, &app.org)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == kind)
        .map(|m| {
            let body = key.open(fml_store::mail::SEAL_CONTEXT, m.body_sealed.as_deref().unwrap()).unwrap();
            (m.subject, String::from_utf8(body).unwrap())
        })
        .collect()
}

async fn requirements_and_the_evidence_request(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let case = new_case(&app, "crm-edd-1").await;
    let set = |key: &'static str, body: Value| {
        let app = &app;
        let token = a.token.clone();
        let case = case.clone();
        async move { app.post_json(&token, &format!("/api/cases/{case}/edd/{key}"), &body).await }
    };

    // Nothing outstanding yet: nothing to request.
    let (status, body) = app.post_json(&a.token, &format!("/api/cases/{case}/edd/request"), &json!({})).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("nothing_outstanding")));

    let (status, body) = set("source_of_funds", json!({"status": "outstanding", "note": "bank statements"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["label"], "Source of funds", "a label from the key");
    set("source_of_wealth", json!({"status": "outstanding", "label": "Source of wealth (UBO)"})).await;
    set("pep_declaration", json!({"status": "outstanding"})).await;
    let (_, body) = set("pep_declaration", json!({"status": "waived", "note": "not a PEP per screening"})).await;
    assert_eq!(body["status"], "waived");
    // The same again changes nothing and emits nothing.
    set("pep_declaration", json!({"status": "waived", "note": "not a PEP per screening"})).await;

    let changed = app.events_of(&a.token, &case, "edd.requirements.changed", 0).await;
    assert_eq!(changed.len(), 4);
    assert_eq!(changed[0]["reqKey"], "source_of_funds");
    assert_eq!(changed[0]["previousStatus"], Value::Null);
    assert_eq!(changed[0]["note"], "bank statements");
    assert_eq!(changed[0]["updatedBy"], a.email.as_str());
    assert_eq!(changed[1]["label"], "Source of wealth (UBO)");
    assert_eq!(
        (changed[3]["status"].as_str(), changed[3]["previousStatus"].as_str()),
        (Some("waived"), Some("outstanding"))
    );

    for (key, bad) in [
        ("source_of_funds", json!({"status": "done"})),
        ("source_of_funds", json!({})),
        ("source_of_funds", json!({"status": "received", "note": 4})),
        ("source_of_funds", json!({"status": "received", "label": "a\u{202E}b"})),
    ] {
        assert_eq!(set(key, bad.clone()).await.0, 400, "{bad}");
    }
    assert_eq!(set("Bad_Key", json!({"status": "received"})).await.0, 404);
    let (_, list) = app.get_json(&a.token, &format!("/api/cases/{case}/edd")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 3);

    let (status, body) = app.post_json(&a.token, &format!("/api/cases/{case}/edd/request"), &json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["itemCount"], 2);
    let requested = app.events_of(&a.token, &case, "edd.requested", 0).await;
    assert_eq!(requested.len(), 1);
    assert_eq!(requested[0]["recipientEmail"], "jane@acme.example");
    assert_eq!(requested[0]["sentBy"], a.email.as_str());
    assert_eq!(
        requested[0]["items"],
        json!([{"key": "source_of_funds", "label": "Source of funds"}, {"key": "source_of_wealth", "label": "Source of wealth (UBO)"}])
    );
    let mail = mail_bodies(&app, "edd_request").await;
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].1.contains("  - Source of funds\n") && mail[0].1.contains("Source of wealth (UBO)"),
        "{}",
        mail[0].1
    );
    assert!(!mail[0].1.contains("PEP"), "waived items are not asked for");
}

async fn outreach_emails(b: Backend) {
    let app = spawn(b).await;
    let admin = app.analyst(Role::Admin).await;
    app.http
        .patch(app.url("/api/settings"))
        .bearer_auth(&admin.token)
        .json(&json!({"displayName": "Test Bank", "supportEmail": "kyb@bank.example"}))
        .send()
        .await
        .unwrap();
    let case = new_case(&app, "crm-out-1").await;
    let body = json!({"kind": "document_request", "items": [{"key": "passport", "label": "Passport of each director"}, {"key": "poa", "label": "Proof of address"}]});
    let (status, res) = app.post_json(&admin.token, &format!("/api/cases/{case}/outreach"), &body).await;
    assert_eq!(status, 200, "{res}");
    let sent = app.events_of(&admin.token, &case, "outreach.email.sent", 0).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["kind"], "document_request");
    assert_eq!(sent[0]["itemCount"], 2);
    assert_eq!(sent[0]["sentBy"], admin.email.as_str());
    let mail = mail_bodies(&app, "outreach").await;
    assert_eq!(sent[0]["subject"], mail[0].0.as_str());
    assert!(mail[0].0.starts_with("Test Bank:"), "branded: {}", mail[0].0);
    assert!(mail[0].1.contains("Passport of each director") && mail[0].1.contains("kyb@bank.example"));

    for bad in [
        json!({"kind": "Document Request", "items": [{"key": "a", "label": "A"}]}),
        json!({"kind": "document_request", "items": []}),
        json!({"kind": "document_request", "items": [{"key": "A B", "label": "A"}]}),
        json!({"kind": "document_request", "items": [{"key": "a"}]}),
        json!({"kind": "document_request"}),
    ] {
        assert_eq!(app.post_json(&admin.token, &format!("/api/cases/{case}/outreach"), &bad).await.0, 400, "{bad}");
    }
    // Another tenant's case does not exist.
    let other = fml_domain::OrgId::parse("org_other_bank").unwrap();
    crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let outsider = app.analyst_in(&other, Role::Admin).await;
    assert_eq!(app.post_json(&outsider.token, &format!("/api/cases/{case}/outreach"), &body).await.0, 404);
    assert_eq!(
        app.post_json(
            &outsider.token,
            &format!("/api/cases/{case}/edd/source_of_funds"),
            &json!({"status": "received"})
        )
        .await
        .0,
        404
    );
    assert_eq!(app.get_json(&outsider.token, &format!("/api/cases/{case}/edd")).await.0, 404);
}

crate::on_both_backends!(requirements_and_the_evidence_request, outreach_emails);
