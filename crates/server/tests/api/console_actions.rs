//! The console's actions that the guides walk an analyst through (issue 18): opening a case by
//! hand, uploading documents to it, attaching a passport to a person, editing a client's
//! scopes. Each is a 303 after the same command the analyst API calls.

use crate::console::{Session, sign_in};
use crate::helpers::{Backend, TestApp, spawn};
use fml_domain::lifecycle::Role;

/// The case id in a `/cases/{id}?done=…` redirect.
fn case_of(res: &reqwest::Response) -> (String, String) {
    assert_eq!(res.status(), 303, "an action answers with a redirect");
    let to = res.headers()["location"].to_str().unwrap();
    let rest = to.strip_prefix("/cases/").unwrap_or_else(|| panic!("not a case: {to}"));
    let (id, query) = rest.split_once('?').unwrap_or((rest, ""));
    (id.to_owned(), query.to_owned())
}

async fn open_case(app: &TestApp, s: &Session, fields: &[(&str, &str)]) -> reqwest::Response {
    s.post(app, "/cases/new", fields).await
}

async fn a_new_case_from_the_console_is_a_manual_case(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let s = sign_in(&app, &a).await;
    let (status, form) = s.get(&app, "/cases/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("<option value=\"GB\">United Kingdom</option>"), "the country is a select");
    let (_, dash) = s.get(&app, "/cases").await;
    assert!(dash.contains("href=\"/cases/new\""), "the dashboard offers New case");

    // Refused: every problem named by its label, linked to its input, what was typed kept.
    let res = open_case(&app, &s, &[("companyNumber", "01234567"), ("customerEmail", "not-an-email")]).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    for (anchor, text) in [
        ("nc-companyName", "Enter the company name."),
        ("nc-country", "Choose the country of incorporation."),
        ("nc-customerEmail", "Enter an email address like name@example.com."),
    ] {
        assert!(page.contains(&format!("href=\"#{anchor}\"")) && page.contains(&format!("id=\"{anchor}\"")), "{page}");
        assert!(page.contains(text), "{text}: {page}");
    }
    assert!(page.contains("value=\"01234567\"") && page.contains("value=\"not-an-email\""), "typed values kept");
    let (_, none) = app.get_json(&a.token, "/api/cases").await;
    assert_eq!(none["data"].as_array().unwrap().len(), 0, "nothing opened: {none}");

    // Opened: 303 to the case, `case.created` with `source: manual` and the analyst as its
    // opener, no invite unless asked.
    let fields = [
        ("companyName", "Northwind Trading Ltd"),
        ("companyNumber", "09876543"),
        ("country", "GB"),
        ("customerName", "Nadia Patel"),
        ("customerEmail", "nadia@northwind.example"),
        ("crmRecordId", "sf-001"),
    ];
    let res = open_case(&app, &s, &fields).await;
    let (id, query) = case_of(&res);
    assert_eq!(query, "done=created");
    let (_, page) = s.get(&app, &format!("/cases/{id}?{query}")).await;
    assert!(page.contains("Case opened.") && page.contains("Northwind Trading Ltd"), "{page}");
    let (_, case) = app.get_json(&a.token, &format!("/api/cases/{id}")).await;
    assert_eq!(case["source"], "manual", "{case}");
    assert_eq!(case["country"], "GB");
    assert_eq!(case["crmRecordId"], "sf-001");
    assert!(case["inviteSentAt"].is_null(), "no invite unless ticked: {case}");
    let created = app.events_of(&a.token, &id, "case.created", 1).await;
    assert_eq!(created[0]["source"], "manual", "{}", created[0]);
    assert_eq!(created[0]["createdBy"], a.email.as_str());

    // The same CRM record again: that case, said so, no second one (as the API's 200).
    let res = open_case(&app, &s, &fields).await;
    assert_eq!(case_of(&res), (id.clone(), "done=existing-crm".to_owned()));
    let (_, all) = app.get_json(&a.token, "/api/cases").await;
    assert_eq!(all["data"].as_array().unwrap().len(), 1);

    // With the invite ticked, the customer is invited as the case opens.
    let res = open_case(
        &app,
        &s,
        &[
            ("companyName", "Contoso GmbH"),
            ("country", "DE"),
            ("customerEmail", "eva@contoso.example"),
            ("sendInvite", "true"),
        ],
    )
    .await;
    let (invited, query) = case_of(&res);
    assert_eq!(query, "done=created-invited");
    let (_, case) = app.get_json(&a.token, &format!("/api/cases/{invited}")).await;
    assert!(case["inviteSentAt"].is_string(), "{case}");
    let (_, page) = s.get(&app, &format!("/cases/{invited}?{query}")).await;
    assert!(page.contains("the invitation is on its way"), "{page}");
    // A form posted without the session's token opens nothing.
    let bad = Session { cookie: s.cookie.clone(), csrf: "forged".into() };
    assert_eq!(open_case(&app, &bad, &fields[..5]).await.status(), 403);
    let (_, all) = app.get_json(&a.token, "/api/cases").await;
    assert_eq!(all["data"].as_array().unwrap().len(), 2, "{all}");
}

/// A browser's multipart upload from the documents panel: the token first, then the files.
fn upload_body(csrf: &str, files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let (ct, files_body) = crate::documents::multipart(files);
    let boundary = ct.split("boundary=").nth(1).unwrap().to_owned();
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n").into_bytes();
    body.extend_from_slice(&files_body);
    (ct, body)
}

async fn post_upload(app: &TestApp, s: &Session, case: &str, csrf: &str, files: &[(&str, &[u8])]) -> reqwest::Response {
    let (ct, body) = upload_body(csrf, files);
    crate::console::raw()
        .post(app.url(&format!("/cases/{case}/documents")))
        .header("cookie", &s.cookie)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn documents_and_a_passport_from_the_console(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let s = sign_in(&app, &a).await;
    let (case, _) =
        crate::persons::case_with_application(&app, "crm-console-files", &crate::persons::application("Bob Jones"))
            .await;
    let (_, page) = s.get(&app, &format!("/cases/{case}")).await;
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("data-dropzone"), "{page}");
    assert!(!page.contains("Attach to profile"), "no documents yet, nothing to attach");
    assert!(page.contains("<span class=\"pill tone-warn\">Unresolved</span>"), "statuses are words with a tone");
    // Everything the customer gave is on the page: the registered address, each person.
    let application = &page[page.find("id=\"application\"").expect("the application panel")..];
    let application = &application[..application.find("</section>").unwrap()];
    for given in ["<dt>Registered address</dt><dd class=\"keep-lines\">1 Road</dd>", "Bob Jones", "bob@acme.example"] {
        assert!(application.contains(given), "{given}: {application}");
    }
    assert!(application.contains("jane.smith@acme.example · 60 %"), "{application}");
    // The analyst API gives it too, on the case's own route (not in lists).
    let (_, one) = app.get_json(&a.token, &format!("/api/cases/{case}")).await;
    assert_eq!(one["registeredAddress"], "1 Road", "{one}");
    let (_, list) = app.get_json(&a.token, "/api/cases").await;
    assert!(list["data"][0].get("registeredAddress").is_none(), "{list}");
    // The overview names the country; the index links every section.
    assert!(page.contains("<dt>Country</dt><dd>United Kingdom</dd>"), "{page}");
    for anchor in ["overview", "people", "documents", "screening", "risk", "idv", "edd", "timeline", "deliveries"] {
        assert!(page.contains(&format!("<a href=\"#{anchor}\">")), "{anchor}");
        assert!(page.contains(&format!("id=\"{anchor}\"")), "no section {anchor}");
    }
    // The activity says what happened in words, the event's name beside it.
    let activity = page.split("id=\"timeline\"").nth(1).unwrap();
    assert!(
        activity.contains("<strong>Case opened</strong> <span class=\"mono small muted\">case.created</span>"),
        "{activity}"
    );

    // A forged token stores nothing, whatever the files.
    let passport = crate::processing::passport_png("SMITH", "JANE", "123456789", "800102");
    let res = post_upload(&app, &s, &case, "forged", &[("passport.png", &passport)]).await;
    assert_eq!(res.status(), 403);
    let (_, docs) = app.get_json(&a.token, &format!("/api/cases/{case}/documents")).await;
    assert_eq!(docs["data"].as_array().unwrap().len(), 0, "{docs}");
    // A file that is not a document: refused in words, nothing kept.
    let res = post_upload(&app, &s, &case, &s.csrf, &[("run.exe", b"MZ\x90\x00binary")]).await;
    assert_eq!(res.status(), 415);
    let page = res.text().await.unwrap();
    assert!(page.contains("Nothing was uploaded: run.exe is not a PDF, PNG or JPEG file."), "{page}");
    // No file chosen.
    let res = post_upload(&app, &s, &case, &s.csrf, &[]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Choose at least one file to upload."));

    // Two files: one `document.uploaded` naming both, the analyst as uploader.
    let files: [(&str, &[u8]); 2] = [("passport.png", &passport), ("register.pdf", crate::documents::PDF)];
    let res = post_upload(&app, &s, &case, &s.csrf, &files).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/cases/{case}?done=uploaded-many"));
    let uploaded = app.events_of(&a.token, &case, "document.uploaded", 1).await;
    assert_eq!(uploaded[0]["filenames"], serde_json::json!(["passport.png", "register.pdf"]), "{}", uploaded[0]);
    let (_, docs) = app.get_json(&a.token, &format!("/api/cases/{case}/documents")).await;
    let passport_id = docs["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["filename"] == "passport.png")
        .and_then(|d| d["id"].as_i64())
        .unwrap_or_else(|| panic!("{docs}"));
    assert!(docs["data"].as_array().unwrap().iter().all(|d| d["uploadedBy"] == a.email.as_str()), "{docs}");

    // Attach it to Jane's Person: she must be linked to one first.
    let (_, roster) = app.get_json(&a.token, &format!("/api/cases/{case}/persons")).await;
    let jane = roster["data"][0]["personKey"].as_str().unwrap().to_owned();
    let attach = format!("/cases/{case}/people/{jane}/document");
    let doc = passport_id.to_string();
    let res = s.post(&app, &attach, &[("document", &doc)]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Link this person to a Person profile"));
    assert_eq!(s.post(&app, &format!("/cases/{case}/people/{jane}/mark-new"), &[]).await.status(), 303);
    let (_, page) = s.get(&app, &format!("/cases/{case}")).await;
    assert!(page.contains(&format!("action=\"/cases/{case}/people/{jane}/document\"")), "{page}");
    assert!(page.contains("<span class=\"pill tone-good\">New person</span>"), "{page}");
    // No document chosen: said so, nothing attached.
    let res = s.post(&app, &attach, &[("document", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Choose the document to attach."));
    let res = s.post(&app, &attach, &[("document", &doc)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/cases/{case}?done=attached"));
    let attached = app.events_of(&a.token, &case, "person.document_attached", 1).await;
    assert_eq!(attached[0]["documentId"], passport_id);
    assert_eq!(attached[0]["attachedBy"], a.email.as_str());
    let (_, page) = s.get(&app, &format!("/cases/{case}?done=attached")).await;
    assert!(page.contains("ID on file: passport.png"), "{page}");
    // Again: nothing changes, no second event.
    assert_eq!(s.post(&app, &attach, &[("document", &doc)]).await.status(), 303);
    let all = app.timeline(&a.token, &case).await;
    assert_eq!(all.iter().filter(|e| e["event"] == "person.document_attached").count(), 1);
    // Another case's document id is not this case's.
    let res = s.post(&app, &attach, &[("document", "999999")]).await;
    assert_eq!(res.status(), 422);
}

async fn patch_scopes(app: &TestApp, token: &str, client: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let res =
        app.http.patch(app.url(&format!("/api/clients/{client}"))).bearer_auth(token).json(&body).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or_default())
}

async fn a_clients_scopes_change_in_the_api_and_the_console(b: Backend) {
    use serde_json::json;
    let app = spawn(b).await;
    let admin = app.analyst(Role::Admin).await;
    let narrow = fml_domain::ScopeSet::parse_space_separated("cases:read").unwrap();
    let (client, secret) = crate::helpers::seed_org(&app.db, &app.org, narrow).await;
    let token = app.token_for(&client, &secret).await;
    assert_eq!(app.get_json(&token, "/v1/cases").await.0, 200);

    // Listed for admins only, never with a secret.
    let (status, list) = app.get_json(&admin.token, "/api/clients").await;
    assert_eq!(status, 200);
    let row = list["data"].as_array().unwrap().iter().find(|c| c["clientId"] == client.as_str()).unwrap().clone();
    assert_eq!(row["scopes"], json!(["cases:read"]));
    assert!(!list.to_string().contains(&secret));
    let analyst = app.analyst(Role::Analyst).await;
    assert_eq!(app.get_json(&analyst.token, "/api/clients").await.0, 403);
    assert_eq!(patch_scopes(&app, &analyst.token, &client, json!({"scopes": ["cases:write"]})).await.0, 403);

    // Widened: the live token keeps working (with the scopes it was granted), a new token
    // carries the new scope.
    let (status, body) =
        patch_scopes(&app, &admin.token, &client, json!({"scopes": ["cases:read", "cases:write"]})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["scopes"].clone(), body["tokensRevoked"].clone()),
        (json!(["cases:write", "cases:read"]), json!(false))
    );
    assert_eq!(app.get_json(&token, "/v1/cases").await.0, 200, "widening keeps live tokens");
    let wider = app.token_for(&client, &secret).await;
    assert_eq!(app.create_case(&wider, None, &crate::helpers::recipe_body("crm-scoped")).await.status(), 201);

    // Bad bodies, another tenant's client, a revoked one.
    for bad in [json!({}), json!({"scopes": []}), json!({"scopes": ["admin"]}), json!({"scopes": "cases:read"})] {
        let (status, body) = patch_scopes(&app, &admin.token, &client, bad.clone()).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("validation_error")), "{bad}: {body}");
    }
    let other = fml_domain::OrgId::parse("org_other_bank").unwrap();
    let (theirs, _) = crate::helpers::seed_org(&app.db, &other, narrow).await;
    assert_eq!(patch_scopes(&app, &admin.token, &theirs, json!({"scopes": ["cases:write"]})).await.0, 404);

    // Narrowed in the console: a form of checkboxes, POST → 303, and the live tokens are
    // revoked (a token never keeps a scope its client lost).
    let s = sign_in(&app, &admin).await;
    let (status, page) = s.get(&app, &format!("/config/api-clients/{client}/scopes")).await;
    assert_eq!(status, 200);
    assert!(page.contains("value=\"cases:write\" checked") && page.contains("value=\"cases:read\" checked"), "{page}");
    let (_, list_page) = s.get(&app, "/config/api-clients").await;
    assert!(list_page.contains(&format!("href=\"/config/api-clients/{client}/scopes\"")), "{list_page}");
    let res = s.post(&app, &format!("/config/api-clients/{client}/scopes"), &[]).await;
    assert_eq!(res.status(), 422, "no scope at all is refused");
    assert!(res.text().await.unwrap().contains("Choose at least one scope"));
    let res = s.post(&app, &format!("/config/api-clients/{client}/scopes"), &[("scope", "cases:read")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/config/api-clients?done=scopes-narrowed");
    crate::helpers::eventually(10, || async { (app.get_json(&wider, "/v1/cases").await.0 == 401).then_some(()) }).await;
    let fresh = app.token_for(&client, &secret).await;
    assert_eq!(app.create_case(&fresh, None, &crate::helpers::recipe_body("crm-scoped-2")).await.status(), 403);

    // Each change is audited with what the scopes were.
    let mut r = app.db.reader().await.unwrap();
    let rows: Vec<(String, String)> = fml_store::fetch_all!(
        r.conn(),
        (String, String),
        "SELECT actor, detail FROM audit_log WHERE action = 'client.scopes' ORDER BY id",
    )
    .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let last: serde_json::Value = serde_json::from_str(&rows[1].1).unwrap();
    assert_eq!(rows[1].0, admin.email);
    assert_eq!(
        (last["from"].as_str(), last["to"].as_str(), last["tokensRevoked"].as_bool()),
        (Some("cases:write cases:read"), Some("cases:read"), Some(true))
    );
    drop(r);

    // A revoked client's scopes are not changed.
    assert_eq!(s.post(&app, &format!("/config/api-clients/{client}/revoke"), &[]).await.status(), 303);
    let (status, body) = patch_scopes(&app, &admin.token, &client, json!({"scopes": ["cases:write"]})).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("client_revoked")), "{body}");
}

crate::on_both_backends!(
    a_new_case_from_the_console_is_a_manual_case,
    documents_and_a_passport_from_the_console,
    a_clients_scopes_change_in_the_api_and_the_console,
    browsers_get_pages_for_bad_addresses_and_an_icon,
    the_risk_model_is_a_form_with_its_json_kept_as_advanced,
    the_policy_is_a_form_of_rules_and_conditions,
);

async fn browsers_get_pages_for_bad_addresses_and_an_icon(b: Backend) {
    let app = spawn(b).await;
    let get = |path: &str, accept: &str| {
        let req = crate::console::raw().get(app.url(path)).header("accept", accept).send();
        async move { req.await.unwrap() }
    };
    let html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let res = get("/no-such-page", html).await;
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
    let page = res.text().await.unwrap();
    assert!(page.contains("<h1>Page not found</h1>") && page.contains("href=\"/cases\""), "{page}");
    let page = get("/portal/no-such-step", html).await.text().await.unwrap();
    assert!(page.contains("href=\"/portal\">Go to your application"), "{page}");
    // Programs keep the documented JSON, and the APIs answer JSON to anyone.
    for (path, accept) in [("/no-such-page", "application/json"), ("/api/nope", html), ("/v1/nope", html)] {
        let res = get(path, accept).await;
        assert_eq!(res.status(), 404);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "not_found", "{path}");
    }
    let res = get("/favicon.ico", "image/avif,image/webp,*/*").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.text().await.unwrap().starts_with("<svg"));
}

async fn the_risk_model_is_a_form_with_its_json_kept_as_advanced(b: Backend) {
    let app = spawn(b).await;
    let admin = app.analyst(Role::Admin).await;
    let s = sign_in(&app, &admin).await;
    let (_, page) = s.get(&app, "/settings/engines").await;
    for shown in ["name=\"weight-screening\" value=\"35\"", "name=\"band-high\" value=\"60\"", "IR, KP, MM"] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    assert!(page.contains("<summary>Advanced: the whole model as JSON"), "the JSON stays, as advanced");
    let (_, before) = app.get_json(&admin.token, "/api/risk-models").await;

    // Refused in words, by label; nothing saved; what was typed kept.
    let res = s
        .post(&app, "/settings/engines/risk-form", &[("weight-country", "lots"), ("highRiskCountries", "Iran, Narnia")])
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Country risk: a number from 0 to 100.") && body.contains("“Narnia” is not a country"),
        "{body}"
    );
    assert!(body.contains("Iran, Narnia"), "typed values kept");
    assert_eq!(app.get_json(&admin.token, "/api/risk-models").await.1["version"], before["version"]);

    // Saved as a new version: the form's values, the rest (entity-type scores) kept.
    let mut fields = vec![
        ("weight-country", "25"),
        ("weight-entityType", "15"),
        ("weight-screening", "50"),
        ("weight-idv", "15"),
        ("weight-edd", "10"),
        ("band-medium", "30"),
        ("band-high", "55"),
        ("band-prohibited", "85"),
        ("highRiskCountries", "Iran, north korea, RUS"),
        ("mediumRiskCountries", "Turkey"),
    ];
    fields.push(("sanctionedIsProhibited", "true"));
    let res = s.post(&app, "/settings/engines/risk-form", &fields).await;
    assert_eq!(res.status(), 303);
    let (_, after) = app.get_json(&admin.token, "/api/risk-models").await;
    assert_eq!(after["version"].as_i64(), before["version"].as_i64().map(|v| v + 1), "{after}");
    let config = &after["config"];
    assert_eq!(config["weights"]["screening"], 50.0, "{after}");
    assert_eq!(config["highRiskCountries"], serde_json::json!(["IR", "KP", "RU"]));
    assert_eq!(config["bands"][2]["minScore"], 55.0);
    assert_eq!(config["entityTypeScores"], before["config"]["entityTypeScores"]);
    // Bands out of order: the model's own rule, said by the form's name for the place.
    let mut bad = fields.clone();
    bad[7] = ("band-prohibited", "20");
    let res = s.post(&app, "/settings/engines/risk-form", &bad).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Bands: "), "refused by the model's rule");
}

async fn the_policy_is_a_form_of_rules_and_conditions(b: Backend) {
    let app = spawn(b).await;
    let admin = app.analyst(Role::Admin).await;
    let s = sign_in(&app, &admin).await;
    let (_, page) = s.get(&app, "/settings/engines").await;
    assert!(page.contains("name=\"r0.name\" maxlength=\"100\" value=\"Prohibited risk\""), "{page}");
    assert!(page.contains("<legend>New rule 4 (leave empty to add none)</legend>"), "{page}");
    assert!(page.contains("<summary>Advanced: the policy as JSON</summary>"));
    let (_, before) = app.get_json(&admin.token, "/api/policies").await;

    let rule = |value: &'static str| {
        vec![
            ("name", "Strict"),
            ("defaultOutcome", "REVIEW_LEVEL_1"),
            ("r0.name", "Risky"),
            ("r0.outcome", "REVIEW_LEVEL_2"),
            ("r0c0.attribute", "score"),
            ("r0c0.op", "gte"),
            ("r0c0.value", value),
            ("r0c1.attribute", "country"),
            ("r0c1.op", "in"),
            ("r0c1.value", "IR, KP"),
            ("r0c2.attribute", ""),
            ("r0c2.op", "eq"),
            ("r0c2.value", ""),
            ("r1.name", ""),
            ("r1.outcome", ""),
            ("r1c0.attribute", ""),
            ("r1c0.op", "eq"),
            ("r1c0.value", ""),
        ]
    };
    // A value of the wrong kind: refused where the form shows it, nothing saved.
    let res = s.post(&app, "/settings/engines/policy-form", &rule("high")).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("Rule 1, condition 1: score takes a number."), "{body}");
    assert!(body.contains("value=\"IR, KP\""), "typed values kept");
    assert_eq!(app.get_json(&admin.token, "/api/policies").await.1["version"], before["version"]);

    // A dry run on a case saves nothing; saving makes a new version of exactly the form.
    let (_, case) = app.post_json(&admin.token, "/api/cases", &crate::helpers::recipe_body("crm-policy-form")).await;
    let reference = case["caseReference"].as_str().unwrap().to_owned();
    let mut dry = rule("70");
    dry.extend([("action", "dry-run"), ("case", reference.as_str())]);
    let res = s.post(&app, "/settings/engines/policy-form", &dry).await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains(&format!("Dry run on {reference}")) && body.contains("Nothing was saved"), "{body}");
    let mut save = rule("70");
    save.push(("action", "save"));
    assert_eq!(s.post(&app, "/settings/engines/policy-form", &save).await.status(), 303);
    let (_, after) = app.get_json(&admin.token, "/api/policies").await;
    assert_eq!(after["version"].as_i64(), before["version"].as_i64().map(|v| v + 1));
    assert_eq!(
        after["config"]["rules"],
        serde_json::json!([{"name": "Risky", "outcome": "REVIEW_LEVEL_2", "when": [
            {"attribute": "score", "op": "gte", "value": 70},
            {"attribute": "country", "op": "in", "value": ["IR", "KP"]}
        ]}]),
        "{after}"
    );
    // A rule added in the empty row and moved first by its position: saved in that order.
    let mut reordered = rule("70");
    for (k, v) in reordered.iter_mut() {
        match *k {
            "r1.name" => *v = "Sanctioned",
            "r1.outcome" => *v = "DECLINE",
            "r1c0.attribute" => *v = "screening",
            "r1c0.value" => *v = "sanctioned",
            _ => {}
        }
    }
    reordered.extend([("r0.position", "2"), ("r1.position", "1"), ("action", "save")]);
    assert_eq!(s.post(&app, "/settings/engines/policy-form", &reordered).await.status(), 303);
    let (_, moved) = app.get_json(&admin.token, "/api/policies").await;
    let names: Vec<&str> =
        moved["config"]["rules"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Sanctioned", "Risky"], "{moved}");
    let (_, form) = s.get(&app, "/settings/engines").await;
    assert!(form.contains("name=\"r0.name\" maxlength=\"100\" value=\"Sanctioned\""), "the form shows the new order");
    assert!(form.contains("name=\"r1.position\" value=\"2\""), "{form}");

    // A rule without conditions: the policy's own rule, said by the rule's number.
    let mut empty = rule("70");
    empty[4].1 = "";
    empty[7].1 = "";
    let res = s.post(&app, "/settings/engines/policy-form", &empty).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Rule 1: 1 to 20 conditions."));
}
