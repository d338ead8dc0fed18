//! The people on a case: the roster built from the application (merged across roles, stable
//! keys), linking to tenant Persons, marking new, unlinking, attaching identity documents;
//! each with its event, schema-checked.

use fml_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::catalog::assert_valid;
use crate::helpers::{Backend, TestApp, recipe_body, spawn};

/// Opens an invited case and saves `application` as its customer; the case id and the
/// customer's portal cookie.
pub(crate) async fn case_with_application(app: &TestApp, crm: &str, application: &Value) -> (String, String) {
    let token = app.token().await;
    let v: Value = app.create_case(&token, None, &recipe_body(crm)).await.json().await.unwrap();
    let case = v["caseId"].as_str().unwrap().to_owned();
    let invite = crate::portal::invite_tokens_for(app, Some(&case)).await.pop().unwrap();
    let cookie = crate::portal::redeem_for_test(app, &invite).await;
    let res =
        app.http.post(app.url("/portal/application")).header("cookie", &cookie).json(application).send().await.unwrap();
    assert_eq!(res.status(), 200);
    (case, cookie)
}

pub(crate) fn application(bob: &str) -> Value {
    json!({
        "companyName": "Acme Holdings Ltd",
        "registeredAddress": "1 Road",
        "directors": [
            {"fullName": "Jane Smith", "email": "jane.smith@acme.example", "dateOfBirth": "1980-01-02"},
            {"fullName": bob, "email": "bob@acme.example"}
        ],
        "shareholders": [{"fullName": "Jane Smith", "email": "Jane.Smith@acme.example", "ownershipPercent": 60}]
    })
}

async fn event(app: &TestApp, token: &str, case: &str, kind: &str) -> Vec<Value> {
    let mut out: Vec<Value> = app.timeline(token, case).await.into_iter().filter(|e| e["event"] == kind).collect();
    out.reverse();
    for e in &out {
        assert_valid(app, &e.to_string()).await;
    }
    out
}

async fn the_roster_and_person_records(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let (case, cookie) = case_with_application(&app, "crm-persons-1", &application("Bob Jones")).await;

    let (status, roster) = app.get_json(&a.token, &format!("/api/cases/{case}/persons")).await;
    assert_eq!(status, 200, "{roster}");
    let people = roster["data"].as_array().unwrap().clone();
    assert_eq!(people.len(), 2, "Jane once, across her roles");
    assert_eq!(people[0]["displayName"], "Jane Smith");
    assert_eq!(people[0]["roles"], json!(["director", "shareholder", "ubo"]));
    assert_eq!(people[0]["ownershipPercent"], "60");
    assert_eq!((people[0]["position"].as_u64(), people[1]["position"].as_u64()), (Some(1), Some(2)));
    assert_eq!(people[1]["roles"], json!(["director"]));
    assert_eq!(people[0]["resolution"], "unresolved");
    let jane_key = people[0]["personKey"].as_str().unwrap().to_owned();
    let bob_key = people[1]["personKey"].as_str().unwrap().to_owned();
    assert_eq!(uuid::Uuid::parse_str(&jane_key).unwrap().get_version_num(), 4);

    // A correction keeps the keys.
    let res = app
        .http
        .post(app.url("/portal/review"))
        .header("cookie", &cookie)
        .json(&application("Robert Jones"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, roster) = app.get_json(&a.token, &format!("/api/cases/{case}/persons")).await;
    assert_eq!(roster["data"][1]["displayName"], "Robert Jones");
    assert_eq!(roster["data"][1]["personKey"], bob_key.as_str());
    assert_eq!(roster["data"][0]["personKey"], jane_key.as_str());

    // Mark Jane new: a tenant Person is created.
    let path = |c: &str, key: &str, action: &str| format!("/api/cases/{c}/persons/{key}/{action}");
    let (status, jane) = app.post_json(&a.token, &path(&case, &jane_key, "mark-new"), &json!({})).await;
    assert_eq!(status, 200, "{jane}");
    assert_eq!(jane["resolution"], "new");
    let person_id = jane["personId"].as_i64().unwrap();
    let (status, res) = app.post_json(&a.token, &path(&case, &jane_key, "mark-new"), &json!({})).await;
    assert_eq!((status, res["error"].as_str()), (409, Some("already_linked")));
    let marked = event(&app, &a.token, &case, "person.marked_new").await;
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0]["personId"], person_id);
    assert_eq!(marked[0]["personKey"], jane_key.as_str());
    assert_eq!(marked[0]["email"], "jane.smith@acme.example");
    assert_eq!(marked[0]["resolvedBy"], a.email.as_str());

    // On another case Jane is a candidate, and is linked to her Person.
    let (case2, _) = case_with_application(&app, "crm-persons-2", &application("Bob Jones")).await;
    let (_, roster2) = app.get_json(&a.token, &format!("/api/cases/{case2}/persons")).await;
    let jane2 = &roster2["data"][0];
    assert_eq!(jane2["candidates"][0]["personId"], person_id);
    assert_eq!(roster2["data"][1]["candidates"], json!([]));
    let jane2_key = jane2["personKey"].as_str().unwrap().to_owned();
    assert_ne!(jane2_key, jane_key, "keys belong to one case");
    let (status, linked) =
        app.post_json(&a.token, &path(&case2, &jane2_key, "link"), &json!({"personId": person_id})).await;
    assert_eq!(status, 200, "{linked}");
    assert_eq!(linked["resolution"], "linked");
    app.post_json(&a.token, &path(&case2, &jane2_key, "link"), &json!({"personId": person_id})).await;
    let links = event(&app, &a.token, &case2, "person.linked").await;
    assert_eq!(links.len(), 1, "linking again changes nothing");
    assert_eq!(links[0]["roles"], json!(["director", "shareholder", "ubo"]));
    assert_eq!(links[0]["linkedBy"], a.email.as_str());

    // Unlink, softly, with a reason.
    let (status, un) = app
        .post_json(&a.token, &path(&case2, &jane2_key, "unlink"), &json!({"reason": "different date of birth"}))
        .await;
    assert_eq!(status, 200, "{un}");
    assert_eq!(
        (un["resolution"].as_str(), un["unlinkReason"].as_str()),
        (Some("unlinked"), Some("different date of birth"))
    );
    assert_eq!(app.post_json(&a.token, &path(&case2, &jane2_key, "unlink"), &json!({})).await.0, 409);
    let unlinked = event(&app, &a.token, &case2, "person.unlinked").await;
    assert_eq!(
        (unlinked[0]["personId"].as_i64(), unlinked[0]["reason"].as_str()),
        (Some(person_id), Some("different date of birth"))
    );

    // Bad input and unknowns.
    assert_eq!(app.post_json(&a.token, &path(&case2, &jane2_key, "link"), &json!({"personId": 999_999})).await.0, 422);
    assert_eq!(app.post_json(&a.token, &path(&case2, &jane2_key, "link"), &json!({"personId": "x"})).await.0, 400);
    assert_eq!(app.post_json(&a.token, &path(&case2, "no-such-key", "mark-new"), &json!({})).await.0, 404);

    // Attach an identity document of case 2 to Jane's Person.
    let (ct, body) = crate::documents::multipart(&[("jane-passport.pdf", crate::documents::PDF)]);
    let res = app
        .http
        .post(app.url(&format!("/api/cases/{case2}/documents")))
        .bearer_auth(&a.token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    let docs: Value = res.json().await.unwrap();
    let doc_id = docs["data"][0]["id"].as_i64().unwrap();
    let attach = json!({"caseId": case2, "documentId": doc_id});
    let (status, res) = app.post_json(&a.token, &format!("/api/persons/{person_id}/documents"), &attach).await;
    assert_eq!(status, 200, "{res}");
    app.post_json(&a.token, &format!("/api/persons/{person_id}/documents"), &attach).await;
    let attached = event(&app, &a.token, &case2, "person.document_attached").await;
    assert_eq!(attached.len(), 1, "once");
    assert_eq!((attached[0]["personId"].as_i64(), attached[0]["documentId"].as_i64()), (Some(person_id), Some(doc_id)));
    assert_eq!(attached[0]["attachedBy"], a.email.as_str());
    let wrong_case = json!({"caseId": case, "documentId": doc_id});
    assert_eq!(app.post_json(&a.token, &format!("/api/persons/{person_id}/documents"), &wrong_case).await.0, 422);
    assert_eq!(app.post_json(&a.token, "/api/persons/999999/documents", &attach).await.0, 404);

    // Another tenant sees none of it.
    let other = fml_domain::OrgId::parse("org_other_bank").unwrap();
    crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let outsider = app.analyst_in(&other, Role::Admin).await;
    assert_eq!(app.get_json(&outsider.token, &format!("/api/cases/{case}/persons")).await.0, 404);
    assert_eq!(app.post_json(&outsider.token, &path(&case, &bob_key, "mark-new"), &json!({})).await.0, 404);
    assert_eq!(app.post_json(&outsider.token, &format!("/api/persons/{person_id}/documents"), &attach).await.0, 404);
}

crate::on_both_backends!(the_roster_and_person_records);
