//! The portal's journeys off the happy path, over real HTTP: a customer whose session lapsed,
//! or whose link was used, asks for a new link by email and gets one for each application in
//! progress, in every tenant, in that tenant's name; nobody learns whether an address has one;
//! sessions slide. After submitting, the customer reads what happens next and sends what the
//! tenant asks for until the case is decided.

use fml_domain::{OrgId, ScopeSet, Timestamp};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, eventually, recipe_body, seed_org, spawn};
use crate::portal::{FormExt, invite_tokens_for, no_redirects, open_invited_case, redeem, strict_page};

/// The address `recipe_body` invites.
const CUSTOMER: &str = "jane@acme.example";

/// Waits until every queued `send_portal_links` job has run.
async fn links_jobs_done(app: &TestApp) {
    eventually(20, || async {
        let mut c = app.db.reader().await.unwrap();
        let (open,): (i64,) = fml_store::fetch_optional!(
            c.conn(),
            (i64,),
            "SELECT COUNT(*) FROM jobs WHERE kind = 'send_portal_links' AND status <> 'done'"
        )
        .unwrap()
        .unwrap();
        (open == 0).then_some(())
    })
    .await;
}

/// The mail of a kind in a tenant's outbox.
async fn mails_of(app: &TestApp, org: &OrgId, kind: &str) -> Vec<fml_store::mail::MailRow> {
    fml_store::mail::list(&app.db, org).await.unwrap().into_iter().filter(|m| m.kind == kind).collect()
}

/// Posts the way-back form; its status and page.
async fn ask_by_form(app: &TestApp, email: &str) -> (u16, String) {
    let res = app.http.post(app.url("/portal/link")).form_fields(&[("email", email)]).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn a_lapsed_customer_gets_back_in_by_email(b: Backend) {
    let app = spawn(b).await;
    let case = open_invited_case(&app, "crm-way-back").await;
    let first = invite_tokens_for(&app, Some(&case)).await.pop().expect("the case's invite");
    let cookie = redeem(&app, &first).await.unwrap();

    // Without a cookie, /portal is the front door: the form that mails a link.
    let res = app.http.get(app.url("/portal")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = strict_page(&app, res).await;
    assert!(html.contains("action=\"/portal/link\"") && html.contains("name=\"email\""), "{html}");

    // The session lapses: the page says so and offers the same form.
    let mut tx = app.db.begin().await.unwrap();
    fml_store::execute!(tx.conn(), "UPDATE portal_sessions SET expires_at = 1").unwrap();
    tx.commit().await.unwrap();
    let res = app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let html = strict_page(&app, res).await;
    assert!(html.contains("Your session has ended") && html.contains("action=\"/portal/link\""), "{html}");
    // So does the used link.
    let res = app.http.get(app.url(&format!("/portal/invite/{first}"))).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(strict_page(&app, res).await.contains("action=\"/portal/link\""));

    // An analyst's resend left a link the customer has not opened; the new link replaces it.
    let analyst = app.analyst(fml_domain::lifecycle::Role::Analyst).await;
    let (status, _) = app.post_json(&analyst.token, &format!("/api/cases/{case}/invite"), &json!({})).await;
    assert_eq!(status, 200);
    let unopened = invite_tokens_for(&app, Some(&case)).await.pop().unwrap();

    // Asked for with the address in other letters' case: the same answer as for anyone.
    let (status, page) = ask_by_form(&app, "  JANE@Acme.Example ").await;
    assert_eq!(status, 202, "{page}");
    assert!(page.contains("Check your email") && page.contains("If this address has an application"), "{page}");
    let new = eventually(20, || async {
        let tokens = invite_tokens_for(&app, Some(&case)).await;
        (tokens.len() == 3).then(|| tokens[2].clone())
    })
    .await;
    let sent = mails_of(&app, &app.org, "portal_link").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].recipient, CUSTOMER, "to the case's address, not what was typed");
    assert!(sent[0].subject.starts_with(&format!("{} Ltd:", app.org.as_str())), "{}", sent[0].subject);
    assert_eq!(redeem(&app, &unopened).await, Err(404), "older links die");
    let cookie = redeem(&app, &new).await.expect("the new link works");
    let home = app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(home.status(), 200);

    // A visit moves a session's end a day out (never written more than every quarter hour).
    let soon = Timestamp::now().plus_secs(3600).millis();
    let mut tx = app.db.begin().await.unwrap();
    fml_store::execute!(tx.conn(), "UPDATE portal_sessions SET expires_at = $1 WHERE expires_at > $2", soon, soon - 1)
        .unwrap();
    tx.commit().await.unwrap();
    let home = app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let mut c = app.db.reader().await.unwrap();
    let (end,): (i64,) =
        fml_store::fetch_optional!(c.conn(), (i64,), "SELECT MAX(expires_at) FROM portal_sessions").unwrap().unwrap();
    drop(c);
    assert!(end > Timestamp::now().plus_secs(23 * 3600).millis(), "the session slid a day out");

    // An address with no application: the same answer, and nothing is sent.
    let res =
        app.http.post(app.url("/portal/link")).json(&json!({"email": "nobody@example.test"})).send().await.unwrap();
    assert_eq!(res.status(), 202);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "sent_if_known"}));
    links_jobs_done(&app).await;
    assert_eq!(mails_of(&app, &app.org, "portal_link").await.len(), 1);

    // A malformed address is refused with the field's error (and does not count).
    let res = app.http.post(app.url("/portal/link")).json(&json!({"email": "not an address"})).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "validation_error");
    assert_eq!(body["fields"][0]["field"], "email", "{body}");
    let (status, page) = ask_by_form(&app, "not an address").await;
    assert_eq!(status, 400);
    assert!(
        page.contains("aria-invalid=\"true\"") && page.contains("Your email address must be a valid email address."),
        "{page}"
    );

    // Three requests for one address an hour; the fourth is refused before anything is looked
    // up (one was made above).
    for _ in 0..2 {
        assert_eq!(ask_by_form(&app, CUSTOMER).await.0, 202);
    }
    let res = app.http.post(app.url("/portal/link")).json(&json!({"email": CUSTOMER})).send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    // Another site's page cannot make a visitor's browser ask.
    let res = no_redirects()
        .post(app.url("/portal/link"))
        .header("origin", "https://evil.example")
        .form_fields(&[("email", "other@acme.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

/// One address, applications with two tenants and one decided case: a link for each
/// undecided case, each in its own tenant's name.
async fn every_tenants_application_gets_its_own_link(b: Backend) {
    let app = spawn(b).await;
    let mine = open_invited_case(&app, "crm-two-tenants").await;
    let other = OrgId::parse("org_second_bank").unwrap();
    let (id, secret) = seed_org(&app.db, &other, ScopeSet::all()).await;
    let theirs = app.token_for(&id, &secret).await;
    let res = app.create_case(&theirs, None, &recipe_body("crm-their-record")).await;
    assert_eq!(res.status(), 201);
    // A third case of the address, decided: nothing to come back to.
    let decided = open_invited_case(&app, "crm-decided").await;
    let mut tx = app.db.begin().await.unwrap();
    fml_store::execute!(tx.conn(), "UPDATE cases SET status = 'declined' WHERE id = $1", decided.as_str()).unwrap();
    tx.commit().await.unwrap();

    assert_eq!(ask_by_form(&app, CUSTOMER).await.0, 202);
    links_jobs_done(&app).await;
    let mine_sent = mails_of(&app, &app.org, "portal_link").await;
    assert_eq!(mine_sent.len(), 1);
    assert_eq!(mine_sent[0].case_id.as_deref(), Some(mine.as_str()));
    let theirs_sent = mails_of(&app, &other, "portal_link").await;
    assert_eq!(theirs_sent.len(), 1);
    assert!(theirs_sent[0].subject.starts_with("org_second_bank Ltd:"), "{}", theirs_sent[0].subject);
    // Each is audited on its case, in its tenant.
    let mut c = app.db.reader().await.unwrap();
    let (n,): (i64,) = fml_store::fetch_optional!(
        c.conn(),
        (i64,),
        "SELECT COUNT(*) FROM audit_log WHERE action = 'portal.link_sent' AND actor = $1",
        CUSTOMER
    )
    .unwrap()
    .unwrap();
    assert_eq!(n, 2);
}

/// Uploads `files` as the customer; the status.
async fn customer_uploads(app: &TestApp, cookie: &str, files: &[(&str, &[u8])]) -> u16 {
    let (ct, body) = crate::documents::multipart(files);
    let res = app
        .http
        .post(app.url("/portal/documents"))
        .header("cookie", cookie)
        .header("accept", "application/json")
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

async fn after_submitting_the_customer_sends_what_is_asked_until_the_decision(b: Backend) {
    let app = spawn(b).await;
    let analyst = app.analyst(fml_domain::lifecycle::Role::Senior).await;
    let case = open_invited_case(&app, "crm-after-submit").await;
    let token = invite_tokens_for(&app, Some(&case)).await.pop().unwrap();
    let cookie = redeem(&app, &token).await.unwrap();
    let post =
        |path: &'static str, body: Value| app.http.post(app.url(path)).header("cookie", &cookie).json(&body).send();
    let application = json!({"companyName": "Acme Holdings Ltd", "registeredAddress": "1 High Street",
        "directors": [{"fullName": "J Smith", "email": "j.smith@acme.example"}]});
    assert_eq!(post("/portal/application", application).await.unwrap().status(), 200);
    assert_eq!(post("/portal/submit", json!({})).await.unwrap().status(), 200);

    // Submitted: the page says what happens next, and there is nothing to upload.
    let page = |app: &TestApp| {
        let req = app.http.get(app.url("/portal")).header("cookie", &cookie).send();
        async move { req.await.unwrap().text().await.unwrap() }
    };
    let html = page(&app).await;
    assert!(html.contains("What happens next") && html.contains(CUSTOMER), "{html}");
    assert!(!html.contains("Files to upload"), "{html}");
    assert_eq!(customer_uploads(&app, &cookie, &[("late.pdf", crate::documents::PDF)]).await, 409);

    // The analyst asks for evidence: it is listed, and the customer can send it.
    let path = format!("/api/cases/{case}/edd/source_of_funds");
    let (status, body) = app.post_json(&analyst.token, &path, &json!({"status": "outstanding"})).await;
    assert_eq!(status, 200, "{body}");
    let html = page(&app).await;
    assert!(html.contains("<li>Source of funds</li>") && html.contains("Files to upload"), "{html}");
    assert_eq!(customer_uploads(&app, &cookie, &[("statements.pdf", crate::documents::PDF)]).await, 201);
    let timeline = app.timeline(&analyst.token, &case).await;
    let uploaded = timeline.iter().find(|e| e["event"] == "document.uploaded").expect("document.uploaded");
    assert_eq!(uploaded["filenames"], json!(["statements.pdf"]));
    assert!(page(&app).await.contains("<li>statements.pdf</li>"));

    // Once decided, nothing more is taken, whatever is still outstanding.
    let mut tx = app.db.begin().await.unwrap();
    fml_store::execute!(tx.conn(), "UPDATE cases SET status = 'approved' WHERE id = $1", case.as_str()).unwrap();
    tx.commit().await.unwrap();
    let html = page(&app).await;
    assert!(html.contains("is complete: approved") && !html.contains("Files to upload"), "{html}");
    assert_eq!(customer_uploads(&app, &cookie, &[("more.pdf", crate::documents::PDF)]).await, 409);
}

crate::on_both_backends!(
    a_lapsed_customer_gets_back_in_by_email,
    every_tenants_application_gets_its_own_link,
    after_submitting_the_customer_sends_what_is_asked_until_the_decision
);
