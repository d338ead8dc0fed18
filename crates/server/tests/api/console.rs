//! The analyst console over real HTTP (the browser journey is in `e2e`): sign-in and its
//! errors, the deep link, CSRF and the security headers, roles and tenant isolation, and that
//! each form reaches the same command as the API (the events and records it leaves).

use fml_domain::lifecycle::Role;
use reqwest::Client;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestAnalyst, TestApp, recipe_body, spawn};
use crate::portal::customer_submits;

/// A client that shows us redirects instead of following them.
pub(crate) fn raw() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// `application/x-www-form-urlencoded` bodies, as a browser posts a form.
pub(crate) trait FormBody {
    fn form_body(self, fields: &[(&str, &str)]) -> Self;
}

impl FormBody for reqwest::RequestBuilder {
    fn form_body(self, fields: &[(&str, &str)]) -> Self {
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap())
    }
}

/// A signed-in console session: its cookie and the CSRF token of its pages.
pub(crate) struct Session {
    pub(crate) cookie: String,
    pub(crate) csrf: String,
}

pub(crate) fn cookie_value(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

/// The value of the first hidden `_csrf` field of a page.
pub(crate) fn csrf_in(page: &str) -> String {
    let at = page.find("name=\"_csrf\" value=\"").expect("a form with a CSRF token");
    page[at + 20..].split('"').next().unwrap().to_owned()
}

/// The text of `<code id="{id}">` on a page (where one-time secrets are shown).
pub(crate) fn code_text(page: &str, id: &str) -> String {
    let open = format!("<code id=\"{id}\">");
    let at = page.find(&open).unwrap_or_else(|| panic!("no #{id} on the page:\n{page}")) + open.len();
    page[at..].split('<').next().unwrap().to_owned()
}

/// Submits the sign-in form; the response to the POST.
async fn submit_sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    let page = raw().get(app.url("/sign-in")).send().await.unwrap();
    let login_cookie = cookie_value(&page, "fml_login_csrf").expect("the sign-in page sets its CSRF cookie");
    let csrf = csrf_in(&page.text().await.unwrap());
    raw()
        .post(app.url("/sign-in"))
        .header("cookie", login_cookie)
        .form_body(&[("_csrf", csrf.as_str()), ("next", "/cases"), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

pub(crate) async fn sign_in(app: &TestApp, who: &TestAnalyst) -> Session {
    sign_in_as(app, &who.email, &who.password).await
}

async fn sign_in_as(app: &TestApp, email: &str, password: &str) -> Session {
    let res = submit_sign_in(app, email, password).await;
    assert_eq!(res.status(), 303);
    let cookie = cookie_value(&res, "fml_session").expect("a session cookie");
    let page = raw().get(app.url("/cases")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    Session { csrf: csrf_in(&page), cookie }
}

impl Session {
    pub(crate) async fn get(&self, app: &TestApp, path: &str) -> (u16, String) {
        let res = raw().get(app.url(path)).header("cookie", &self.cookie).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// Follows a create's `303` as a browser does, with the flash cookie it set; the page.
    pub(crate) async fn follow(&self, app: &TestApp, res: reqwest::Response) -> String {
        assert_eq!(res.status(), 303, "a create answers with a redirect");
        let to = res.headers()["location"].to_str().unwrap().to_owned();
        let flash = cookie_value(&res, "fml_flash").expect("what was made rides in a flash");
        let cookie = format!("{}; {flash}", self.cookie);
        let page = raw().get(app.url(&to)).header("cookie", cookie).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert_eq!(cookie_value(&page, "fml_flash").as_deref(), Some("fml_flash="), "shown once, then cleared");
        page.text().await.unwrap()
    }

    pub(crate) async fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        raw().post(app.url(path)).header("cookie", &self.cookie).form_body(&all).send().await.unwrap()
    }
}

pub(crate) async fn case_in_review(app: &TestApp, crm: &str) -> String {
    let token = app.token().await;
    let res = app.create_case(&token, None, &recipe_body(crm)).await;
    assert_eq!(res.status(), 201);
    let case: Value = res.json().await.unwrap();
    let id = case["caseId"].as_str().unwrap().to_owned();
    customer_submits(app, &id).await;
    id
}

async fn the_analyst_url_leads_through_sign_in_to_the_case(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let case: Value = app.create_case(&token, None, &recipe_body("crm-deep")).await.json().await.unwrap();
    let url = case["analystUrl"].as_str().unwrap();
    assert_eq!(url, format!("{}/?case={}", app.base, case["caseId"].as_str().unwrap()));
    // Signed out: the link goes to the case, which asks for a sign-in and comes back.
    let res = raw().get(url).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let to_case = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to_case, format!("/cases/{}", case["caseId"].as_str().unwrap()));
    let res = raw().get(app.url(&to_case)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/sign-in?next=%2Fcases%2F{}", case["caseId"].as_str().unwrap()));
    let s = sign_in(&app, &app.analyst(Role::Analyst).await).await;
    let (status, page) = s.get(&app, &to_case).await;
    assert_eq!(status, 200);
    assert!(page.contains("Acme Holdings Ltd") && page.contains("API · HubSpot"), "{page}");
    // The dashboard lists it with the orange API badge and the deep link.
    let (_, dash) = s.get(&app, "/cases").await;
    assert!(dash.contains("class=\"badge badge-api\">API · HubSpot</span>"), "{dash}");
    assert!(dash.contains(&format!("href=\"{to_case}\"")));
}

async fn the_dashboard_pages_filters_and_sorts(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    for i in 0..27 {
        let mut body = recipe_body(&format!("crm-page-{i}"));
        body["companyName"] = json!(format!("Company {i:02}"));
        assert_eq!(app.create_case(&token, None, &body).await.status(), 201);
    }
    let s = sign_in(&app, &app.analyst(Role::Analyst).await).await;
    let (_, first) = s.get(&app, "/cases").await;
    assert!(first.contains("27 cases") && first.contains("Page 1 of 2"), "{first}");
    assert_eq!(first.matches("badge badge-api").count(), 25);
    assert!(first.contains("Company 26") && !first.contains("Company 01"), "newest first");
    assert!(first.contains("href=\"/cases?page=2\""));
    let (_, second) = s.get(&app, "/cases?page=2").await;
    assert_eq!(second.matches("badge badge-api").count(), 2);
    assert!(second.contains("Company 00") && second.contains("Company 01") && !second.contains("rel=\"next\""));
    let (_, sorted) = s.get(&app, "/cases?sort=company&page=2").await;
    assert!(sorted.contains("Company 25") && sorted.contains("Company 26") && !sorted.contains("Company 00"));
    let (_, found) = s.get(&app, "/cases?q=company+07").await;
    assert!(found.contains("1 case matches these filters") && found.contains("Company 07"), "{found}");
    // The search index follows changes: the customer's application renames a company.
    let (_, renamed) = s.get(&app, "/cases?q=Renamed+Trading").await;
    assert!(renamed.contains("No cases match"), "no case is called that yet");
    let (_, list) = app.get_json(&token, "/v1/cases?limit=1").await;
    let id = list["data"][0]["caseId"].as_str().unwrap().to_owned();
    let invite = crate::portal::invite_tokens_for(&app, Some(&id)).await.pop().unwrap();
    let portal = crate::portal::redeem_for_test(&app, &invite).await;
    let application = json!({
        "companyName": "Renamed Trading Ltd",
        "registeredAddress": "10 High Street, London EC1A 1AA",
        "directors": [{"fullName": "J Smith", "email": "j.smith@acme.example"}]
    });
    let res =
        app.http.post(app.url("/portal/application")).header("cookie", portal).json(&application).send().await.unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let (_, renamed) = s.get(&app, "/cases?q=renamed+trading").await;
    assert!(renamed.contains("1 case matches these filters") && renamed.contains(&id), "{renamed}");
    let (_, old_name) = s.get(&app, "/cases?q=Company+26").await;
    assert!(old_name.contains("No cases match"), "the old name is gone from the index");
    let (_, none) = s.get(&app, "/cases?source=manual").await;
    assert!(none.contains("No cases match these filters."));
    // Unknown values are ignored rather than refused: a stale bookmark still opens.
    assert_eq!(s.get(&app, "/cases?status=nope&page=zero&sort=sideways").await.0, 200);
}

async fn sign_in_errors_are_clear_and_throttled(b: Backend) {
    let app = spawn(b).await;
    let who = app.analyst(Role::Analyst).await;
    let res = submit_sign_in(&app, &who.email, "wrong-password").await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("The email or password is incorrect."));
    // Without the sign-in form's own token the post is refused before any password check.
    let res = raw()
        .post(app.url("/sign-in"))
        .form_body(&[("email", who.email.as_str()), ("password", who.password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(cookie_value(&res, "fml_session").is_none());
    for _ in 0..4 {
        submit_sign_in(&app, &who.email, "wrong-password").await;
    }
    // Locked now, even with the right password.
    let res = submit_sign_in(&app, &who.email, &who.password).await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("sign-in is locked for"));
}

async fn forms_need_the_session_csrf_token_and_pages_carry_the_security_headers(b: Backend) {
    let app = spawn(b).await;
    let id = case_in_review(&app, "crm-csrf").await;
    let s = sign_in(&app, &app.analyst(Role::Analyst).await).await;
    let res = raw().get(app.url(&format!("/cases/{id}"))).header("cookie", &s.cookie).send().await.unwrap();
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"));
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["cache-control"], "no-store");
    let path = format!("/cases/{id}/decision");
    for token in ["", "0000", &s.csrf[1..]] {
        let res = raw()
            .post(app.url(&path))
            .header("cookie", &s.cookie)
            .form_body(&[("_csrf", token), ("outcome", "approved")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "token {token:?}");
    }
    // A browser marking the post cross-site is refused even with the token.
    let res = raw()
        .post(app.url(&path))
        .header("cookie", &s.cookie)
        .header("sec-fetch-site", "cross-site")
        .form_body(&[("_csrf", s.csrf.as_str()), ("outcome", "approved")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (_, page) = s.get(&app, &format!("/cases/{id}")).await;
    assert!(page.contains("In review"), "nothing was decided");
    // Another session's token does not work for this one.
    let other = sign_in(&app, &app.analyst(Role::Analyst).await).await;
    let res = raw()
        .post(app.url(&path))
        .header("cookie", &s.cookie)
        .form_body(&[("_csrf", other.csrf.as_str()), ("outcome", "approved")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

async fn deciding_in_the_console_is_the_workflow_command(b: Backend) {
    let app = spawn(b).await;
    let who = app.analyst(Role::Analyst).await;
    let s = sign_in(&app, &who).await;
    let token = app.token().await;
    // Not submitted yet: the page offers no decision, and a forged post is told why.
    let fresh: Value = app.create_case(&token, None, &recipe_body("crm-early")).await.json().await.unwrap();
    let fresh_id = fresh["caseId"].as_str().unwrap();
    let (_, page) = s.get(&app, &format!("/cases/{fresh_id}")).await;
    assert!(!page.contains("value=\"approved\""), "no decision form before submission");
    let res = s.post(&app, &format!("/cases/{fresh_id}/decision"), &[("outcome", "approved")]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("the case is in_progress"));

    let id = case_in_review(&app, "crm-decide").await;
    // As the browser posts "Assign to me": the select's current value first, then the button.
    let res = s.post(&app, &format!("/cases/{id}/owner"), &[("owner", ""), ("assign", "me")]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = s.get(&app, &format!("/cases/{id}")).await;
    assert!(page.contains(&format!("value=\"{}\" selected", who.email)), "assigned to me");
    let res = s
        .post(&app, &format!("/cases/{id}/decision"), &[("outcome", "approved"), ("notes", "All checks clear.")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/cases/{id}?done=approved"));
    let (_, page) = s.get(&app, &format!("/cases/{id}?done=approved")).await;
    assert!(page.contains("Case approved.") && page.contains("pill-approved"));
    let timeline = app.timeline(&who.token, &id).await;
    let kinds: Vec<&str> = timeline.iter().map(|e| e["event"].as_str().unwrap()).collect();
    let mut latest = kinds[..2].to_vec();
    latest.sort_unstable();
    assert_eq!(latest, ["case.decision.made", "case.status.changed"]);
    assert_eq!(kinds[2], "owner.changed");
    let decision = timeline.iter().find(|e| e["event"] == "case.decision.made").unwrap();
    assert_eq!(decision["notes"], "All checks clear.");
    assert_eq!(decision["analystEmail"], who.email);
    // Deciding twice: the lifecycle refuses, shown on the page.
    let res = s.post(&app, &format!("/cases/{id}/decision"), &[("outcome", "declined")]).await;
    assert_eq!(res.status(), 409);
    // Outreach lists any document, whatever alphabet its name is in.
    let open_case = case_in_review(&app, "crm-outreach").await;
    let res = s.post(&app, &format!("/cases/{open_case}/outreach"), &[("items", "Выписка из банка\nPassport")]).await;
    assert_eq!(res.status(), 303);
    let sent = app.timeline(&who.token, &open_case).await;
    let outreach = sent.iter().find(|e| e["event"] == "outreach.email.sent").expect("outreach.email.sent");
    assert_eq!(outreach["items"][0]["key"], "item_1");
    assert_eq!(outreach["items"][0]["label"], "Выписка из банка");
    // A blank escalation note is a validation error beside the form, not a 5xx.
    let other = case_in_review(&app, "crm-escalate").await;
    let res = s.post(&app, &format!("/cases/{other}/escalation"), &[("note", "  ")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("note"));
}

async fn roles_and_tenants_are_enforced(b: Backend) {
    let app = spawn(b).await;
    let id = case_in_review(&app, "crm-iso").await;
    let analyst = sign_in(&app, &app.analyst(Role::Analyst).await).await;
    assert_eq!(analyst.get(&app, "/settings").await.0, 403);
    let res = analyst.post(&app, "/config/api-clients", &[("name", "Zapier"), ("scope", "cases:write")]).await;
    assert_eq!(res.status(), 403);
    let res = analyst.post(&app, &format!("/cases/{id}/escalation/response"), &[("recommendation", "approve")]).await;
    assert_eq!(res.status(), 403);
    // Another tenant's analyst: the case, its endpoint and its deliveries do not exist.
    let other_org = fml_domain::OrgId::parse("org_console_other").unwrap();
    crate::helpers::seed_org(&app.db, &other_org, fml_domain::ScopeSet::all()).await;
    let stranger = sign_in(&app, &app.analyst_in(&other_org, Role::Admin).await).await;
    assert_eq!(stranger.get(&app, &format!("/cases/{id}")).await.0, 404);
    let res = stranger.post(&app, &format!("/cases/{id}/decision"), &[("outcome", "approved")]).await;
    assert_eq!(res.status(), 404);
    let token = app.token().await;
    let rx = crate::receiver::Receiver::start().await;
    let ep = app.create_endpoint(&token, json!({"url": rx.url("/ok")})).await;
    let ep_id = ep["id"].as_str().unwrap();
    assert_eq!(stranger.get(&app, &format!("/config/webhooks/{ep_id}")).await.0, 404);
    assert_eq!(stranger.post(&app, &format!("/config/webhooks/{ep_id}/delete"), &[]).await.status(), 404);
    let (_, list) = stranger.get(&app, "/cases").await;
    assert!(!list.contains(&id), "another tenant's case is not listed");
    assert_eq!(stranger.get(&app, "/cases/not-a-case").await.0, 404);
}

async fn api_clients_show_their_secret_once_and_revoke(b: Backend) {
    let app = spawn(b).await;
    let admin = app.analyst(Role::Admin).await;
    let s = sign_in(&app, &admin).await;
    let res = s.post(&app, "/config/api-clients", &[("name", "Zapier — production"), ("scope", "cases:write")]).await;
    // POST → 303 → GET: a reload of the answer never makes a second client.
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/config/api-clients#minted");
    let flash = cookie_value(&res, "fml_flash").expect("the secret rides to the page in a flash");
    let with_flash = |cookie: &str| {
        let req = raw().get(app.url("/config/api-clients")).header("cookie", format!("{cookie}; {flash}")).send();
        async move { req.await.unwrap() }
    };
    let res = with_flash(&s.cookie).await;
    assert_eq!(res.status(), 200);
    let cleared = cookie_value(&res, "fml_flash").expect("the page clears the flash");
    assert_eq!(cleared, "fml_flash=");
    let page = res.text().await.unwrap();
    let (client_id, secret) = (code_text(&page, "minted-id"), code_text(&page, "minted-secret"));
    assert!(secret.starts_with("fml_sk_") && page.contains("will not be shown again"));
    // Another analyst's session carrying the same cookie sees nothing of it.
    let other = app.analyst(Role::Admin).await;
    let other = sign_in(&app, &other).await;
    let page = with_flash(&other.cookie).await.text().await.unwrap();
    assert!(!page.contains(&secret) && !page.contains("minted-secret"), "{page}");
    // One client was made, whatever was reloaded.
    let clients = fml_app::queries::clients(&app.ctx(), &app.org).await.unwrap();
    assert_eq!(clients.iter().filter(|c| c.name == "Zapier — production").count(), 1);
    // The secret works, and is never on a page again.
    let token = app.token_for(&client_id, &secret).await;
    assert_eq!(app.create_case(&token, None, &recipe_body("crm-zap")).await.status(), 201);
    let (_, again) = s.get(&app, "/config/api-clients").await;
    assert!(again.contains(&client_id) && !again.contains(&secret));
    let row = &again[again.find(&client_id).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(!row.contains("Never") && row.contains("<time"), "the client shows its last use: {row}");
    // No scope ticked: refused with the reason, nothing created.
    let res = s.post(&app, "/config/api-clients", &[("name", "Nothing")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("choose at least one scope"));
    // Revoke: a confirmation page first, then the client stops working.
    let (status, confirm) = s.get(&app, &format!("/config/api-clients/{client_id}/revoke")).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("Revoke client"));
    let res = s.post(&app, &format!("/config/api-clients/{client_id}/revoke"), &[]).await;
    assert_eq!(res.status(), 303);
    crate::helpers::eventually(10, || async {
        let r = app.http.get(app.url("/v1/cases")).bearer_auth(&token).send().await.unwrap();
        (r.status() == 401).then_some(())
    })
    .await;
}

async fn endpoints_from_the_console_save_through_the_api_rules(b: Backend) {
    let app = spawn(b).await;
    let s = sign_in(&app, &app.analyst(Role::Analyst).await).await;
    let rx = crate::receiver::Receiver::start().await;
    let url = rx.url("/ok");
    // The pre-save ping reaches the receiver, signed; nothing is saved.
    let res = s.post(&app, "/config/webhooks/ping", &[("url", &url), ("secret", "whsec_0123456789abcdef")]).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("HTTP 200"), "{page}");
    let hit = rx.wait_for("/ok", 1, 10).await;
    assert!(hit[0].header("x-fml-signature").starts_with("sha256="));
    let token = app.token().await;
    assert_eq!(app.get_json(&token, "/v1/webhook-endpoints").await.1["data"], json!([]));
    // A bad URL: the API's own message, the form kept, no endpoint.
    let res = s.post(&app, "/config/webhooks/new", &[("url", "ftp://x"), ("eventTypes", "case.created")]).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("The endpoint was not saved") && page.contains("id=\"ep-url-error\""), "{page}");
    assert!(
        page.contains("aria-invalid=\"true\"") && page.contains("value=\"ftp://x\""),
        "the field is marked and kept"
    );
    // Saved with two event types and a generated secret, shown once.
    let res = s
        .post(
            &app,
            "/config/webhooks/new",
            &[("url", &url), ("label", "CRM"), ("eventTypes", "case.created"), ("eventTypes", "case.decision.made")],
        )
        .await;
    let page = s.follow(&app, res).await;
    let secret = &code_text(&page, "endpoint-secret");
    assert_eq!(secret.len(), 64, "a generated 64-character hex secret");
    let list = app.get_json(&token, "/v1/webhook-endpoints").await.1;
    let ep = &list["data"][0];
    assert_eq!(ep["eventTypes"], json!(["case.created", "case.decision.made"]));
    assert_eq!(ep["label"], "CRM");
    let id = ep["id"].as_str().unwrap();
    let (_, listing) = s.get(&app, "/config/webhooks").await;
    assert!(!listing.contains(secret), "the secret is shown only once");
    // Edit: fewer event types and a generated secret (a rotation, shown once); the URL stays.
    let (status, form) = s.get(&app, &format!("/config/webhooks/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        form.contains(&format!("value=\"{url}\"")) && !form.contains(secret),
        "the edit form never shows the secret"
    );
    let res = s
        .post(
            &app,
            &format!("/config/webhooks/{id}"),
            &[
                ("url", &url),
                ("label", "CRM"),
                ("eventTypes", "case.created"),
                ("generateSecret", "true"),
                ("enabled", "true"),
            ],
        )
        .await;
    let rotated = code_text(&s.follow(&app, res).await, "endpoint-secret");
    assert!(rotated.len() == 64 && rotated != *secret);
    assert_eq!(
        app.get_json(&token, &format!("/v1/webhook-endpoints/{id}")).await.1["eventTypes"],
        json!(["case.created"])
    );
    // Disable through the console; the API sees it.
    let res = s.post(&app, &format!("/config/webhooks/{id}/enabled"), &[("enabled", "false")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.get_json(&token, &format!("/v1/webhook-endpoints/{id}")).await.1["enabled"], false);
    // The saved endpoint's Test, as a fragment beside the button.
    let res = raw()
        .post(app.url(&format!("/config/webhooks/{id}/test")))
        .header("cookie", &s.cookie)
        .header("x-console-fragment", "1")
        .form_body(&[("_csrf", s.csrf.as_str())])
        .send()
        .await
        .unwrap();
    let fragment = res.text().await.unwrap();
    assert!(fragment.contains("HTTP 200") && !fragment.contains("<html"), "{fragment}");
    // Delete: confirmation, then gone.
    assert_eq!(s.post(&app, &format!("/config/webhooks/{id}/delete"), &[]).await.status(), 303);
    assert_eq!(app.get_json(&token, &format!("/v1/webhook-endpoints/{id}")).await.0, 404);
}

async fn recent_deliveries_refresh_cheaply_and_redeliver(b: Backend) {
    let app = spawn(b).await;
    let s = sign_in(&app, &app.analyst(Role::Analyst).await).await;
    let (_, empty) = s.get(&app, "/config/deliveries").await;
    assert!(empty.contains("No deliveries yet — open a case") && !empty.contains("test ping from"), "{empty}");
    let token = app.token().await;
    let rx = crate::receiver::Receiver::start().await;
    app.create_endpoint(&token, json!({"url": rx.url("/ok"), "eventTypes": ["case.created"]})).await;
    let case: Value = app.create_case(&token, None, &recipe_body("crm-live")).await.json().await.unwrap();
    let reference = case["caseReference"].as_str().unwrap().to_owned();
    rx.wait_for("/ok", 1, 10).await;
    let rows = crate::helpers::eventually(10, || async {
        let res = raw().get(app.url("/config/deliveries/rows")).header("cookie", &s.cookie).send().await.unwrap();
        let etag = res.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
        let body = res.text().await.unwrap();
        body.contains("Delivered").then_some((etag.unwrap(), body))
    })
    .await;
    assert!(rows.1.contains("case.created") && rows.1.contains("Redeliver"));
    // Unchanged: 304 and no body.
    let res = raw()
        .get(app.url("/config/deliveries/rows"))
        .header("cookie", &s.cookie)
        .header("if-none-match", &rows.0)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    let id: i64 = {
        let at = rows.1.find("/config/deliveries/").unwrap() + 19;
        rows.1[at..].split('"').next().unwrap().parse().unwrap()
    };
    // Each row shows its delivery id, to share with support, and names its case by reference.
    assert!(rows.1.contains(&format!("<td class=\"mono\">{id}</td>")), "{}", rows.1);
    assert!(rows.1.contains(&format!(">{reference}</a>")), "{}", rows.1);
    let (status, detail) = s.get(&app, &format!("/config/deliveries/{id}")).await;
    assert_eq!(status, 200);
    assert!(detail.contains(&format!(">{reference}</a>")), "the detail names the case: {detail}");
    // The payload, escaped into the page, and the attempt with the receiver's answer.
    assert!(detail.contains("event&#34;: &#34;case.created&#34;"), "{detail}");
    assert!(detail.contains("<h3>Attempts</h3>") && detail.contains("pill pill-ok\">200</span>"), "{detail}");
    let res = s.post(&app, &format!("/config/deliveries/{id}/redeliver"), &[]).await;
    assert_eq!(res.status(), 303);
    let hits = rx.wait_for("/ok", 2, 10).await;
    assert_eq!(hits[1].header("x-fml-attempt"), "2", "the redelivery continues the attempt count");
    assert_eq!(hits[0].header("x-fml-event-id"), hits[1].header("x-fml-event-id"));
    // A filter by status keeps only matching rows.
    let (_, failed) = s.get(&app, "/config/deliveries?status=failed").await;
    assert!(failed.contains("No deliveries match these filters."));
}

async fn catalog_and_settings_pages(b: Backend) {
    let app = spawn(b).await;
    let admin_analyst = app.analyst(Role::Admin).await;
    let admin_email = admin_analyst.email.clone();
    let admin = sign_in(&app, &admin_analyst).await;
    let (status, index) = admin.get(&app, "/config/events").await;
    assert_eq!(status, 200);
    assert_eq!(index.matches("Schema ↗<span").count(), 28, "every event type and ping");
    let (_, one) = admin.get(&app, "/config/events/case.decision.made").await;
    assert!(one.contains("/schemas/webhooks/case.decision.made.v1.json") && one.contains("analystEmail"));
    assert_eq!(admin.get(&app, "/config/events/case.nope").await.0, 404);
    let res = admin
        .post(&app, "/settings/branding", &[("displayName", "Acme Bank KYB"), ("supportEmail", "kyb@acme.example")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = admin.get(&app, "/settings?done=saved").await;
    assert!(page.contains("value=\"Acme Bank KYB\"") && page.contains("Saved."));
    let res =
        admin.post(&app, "/settings/branding", &[("displayName", "Typed"), ("supportEmail", "not an email")]).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("value=\"not an email\"") && page.contains("value=\"Typed\""),
        "the refused form keeps what was typed"
    );
    // Decision controls and the public link: a refused allowance keeps what was typed.
    let res = admin
        .post(&app, "/settings/controls", &[("publicApplications", "on"), ("publicApplicationsPerHour", "0")])
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("value=\"0\"") && page.contains("id=\"s-public\" name=\"publicApplications\" checked"));
    let res = admin
        .post(&app, "/settings/controls", &[("publicApplications", "on"), ("publicApplicationsPerHour", "12")])
        .await;
    assert_eq!(res.status(), 303);
    let b = fml_app::settings::branding(&app.ctx(), &app.org).await.unwrap();
    assert!(b.settings.public_applications && !b.settings.second_approval);
    assert_eq!(b.settings.public_applications_per_hour, 12);
    let (_, page) = admin.get(&app, "/settings").await;
    assert!(page.contains(&format!("https://portal.test.example/apply/{}", app.org)), "the link to share is shown");
    let res = admin
        .post(&app, "/settings/analysts", &[("name", "Sam Senior"), ("email", "sam@acme.example"), ("role", "senior")])
        .await;
    let page = admin.follow(&app, res).await;
    assert!(page.contains("Analyst added."), "{page}");
    let password = code_text(&page, "new-password");
    let s = sign_in_as(&app, "sam@acme.example", &password).await;
    let (_, dash) = s.get(&app, "/cases").await;
    assert!(dash.contains("Sam Senior") && dash.contains("senior"));
    assert!(dash.contains("<span class=\"muted\">· Senior reviewer</span>"), "roles are labels: {dash}");
    assert!(page.contains("selected>Senior reviewer</option>"), "{page}");
    // Roles and access: promote Sam, then disable them (signed out at once), and never oneself.
    let sam = fml_store::analysts::list(&app.db, &app.org)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Sam Senior")
        .unwrap();
    let path = format!("/settings/analysts/{}", sam.id);
    assert_eq!(admin.post(&app, &path, &[("action", "role"), ("role", "admin")]).await.status(), 303);
    assert_eq!(s.get(&app, "/settings").await.0, 200, "Sam is an admin now");
    assert_eq!(admin.post(&app, &path, &[("action", "disable")]).await.status(), 303);
    assert_eq!(s.get(&app, "/cases").await.0, 303, "a disabled analyst's session ends");
    assert_eq!(submit_sign_in(&app, "sam@acme.example", &password).await.status(), 401);
    let me = fml_store::analysts::list(&app.db, &app.org)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.email == admin_email)
        .unwrap();
    let res =
        admin.post(&app, &format!("/settings/analysts/{}", me.id), &[("action", "role"), ("role", "analyst")]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("cannot change your own"));
    let rows = fml_store::audit::list(&app.db, &app.org, Some("analyst.update"), 10).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.actor == admin_email));
}

async fn a_tenant_keeps_an_admin_when_two_demote_each_other(b: Backend) {
    use fml_app::analysts::{Change, change};
    let app = spawn(b).await;
    let (a, bee) = (app.analyst(Role::Admin).await, app.analyst(Role::Admin).await);
    // Both act at once: each still holds the other's principal as an admin.
    change(&app.ctx(), &a.analyst, bee.analyst.id, Change::Role(Role::Analyst)).await.unwrap();
    let refused = change(&app.ctx(), &bee.analyst, a.analyst.id, Change::Disable).await;
    assert!(matches!(refused, Err(fml_app::CommandError::Conflict("last_admin", _))), "{refused:?}");
    let admins = fml_store::analysts::list(&app.db, &app.org).await.unwrap();
    assert!(admins.iter().any(|x| x.id == a.analyst.id && x.role == Role::Admin && x.disabled_at.is_none()));

    // Truly at once, in a tenant of their own each round: exactly one change goes through.
    for round in 0..10 {
        let org = fml_domain::OrgId::parse(&format!("org_pair_{round}")).unwrap();
        crate::helpers::seed_org(&app.db, &org, fml_domain::ScopeSet::all()).await;
        let (x, y) = (app.analyst_in(&org, Role::Admin).await, app.analyst_in(&org, Role::Admin).await);
        let (cx, cy) = (app.ctx(), app.ctx());
        let (r1, r2) = tokio::join!(
            change(&cx, &x.analyst, y.analyst.id, Change::Role(Role::Analyst)),
            change(&cy, &y.analyst, x.analyst.id, Change::Role(Role::Analyst)),
        );
        assert_eq!(u8::from(r1.is_ok()) + u8::from(r2.is_ok()), 1, "round {round}: {r1:?} {r2:?}");
        let left = fml_store::analysts::list(&app.db, &org).await.unwrap();
        assert_eq!(left.iter().filter(|a| a.role == Role::Admin).count(), 1, "round {round}");
    }
}

async fn signing_out_ends_the_session(b: Backend) {
    let app = spawn(b).await;
    let s = sign_in(&app, &app.analyst(Role::Analyst).await).await;
    let res = s.post(&app, "/sign-out", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/sign-in?signed_out=1");
    assert_eq!(s.get(&app, "/cases").await.0, 303, "the old cookie no longer works");
    // A script's request is told with a 401 and a line it can show, not the sign-in page.
    let res = raw()
        .get(app.url("/config/deliveries/rows"))
        .header("cookie", &s.cookie)
        .header("x-console-fragment", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("Your session has ended"));
    let page = raw().get(app.url("/sign-in?signed_out=1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("You have signed out."));
}

async fn the_screening_panel_shows_hits_and_takes_dispositions(b: Backend) {
    let app = spawn(b).await;
    crate::screening::load_samples(&app).await;
    let a = app.analyst(Role::Analyst).await;
    let case =
        crate::screening::submitted_case(&app, "crm-console-screen", "Inter Tobacco LLC", crate::screening::people())
            .await;
    let s = sign_in(&app, &a).await;
    let path = format!("/cases/{case}");
    let page = crate::helpers::eventually(20, || async {
        let (_, page) = s.get(&app, &path).await;
        page.contains("NK-2Tbri3s6GgNtAwsSXh4qpL").then_some(page)
    })
    .await;
    assert!(page.contains("id=\"screening\""), "the panel has its anchor");
    assert!(
        page.contains("OSETROVA, Maria") && page.contains("rules-v1") && page.contains("status-sanctioned"),
        "{page}"
    );
    assert!(page.contains("status-clear"), "Jane Smith is clear");
    let (_, results) = app.get_json(&a.token, &format!("/api/cases/{case}/screening")).await;
    let hit =
        results["hits"].as_array().unwrap().iter().find(|h| h["hitId"] == "NK-2Tbri3s6GgNtAwsSXh4qpL").unwrap()["id"]
            .clone();

    // A refused disposition comes back on the page with what was typed.
    let hit_path = format!("{path}/screening/hits/{hit}");
    let res = s.post(&app, &hit_path, &[("disposition", "perhaps"), ("note", "kept note")]).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("choose false positive, true match or escalate") && body.contains("kept note"), "{body}");
    let res =
        s.post(&app, &hit_path, &[("disposition", "false_positive"), ("note", "Other person: passport on file")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("{path}?done=hit"));
    let (_, page) = s.get(&app, &format!("{path}?done=hit")).await;
    assert!(
        page.contains("Your disposition of the hit is recorded.") && page.contains("Other person: passport on file"),
        "{page}"
    );
    let (_, results) = app.get_json(&a.token, &format!("/api/cases/{case}/screening")).await;
    let reviewed = results["hits"].as_array().unwrap().iter().find(|h| h["id"] == hit).unwrap().clone();
    assert_eq!(reviewed["review"]["reviewedBy"], a.email.as_str());

    // Screen now queues another run.
    let res = s.post(&app, &format!("{path}/screening"), &[]).await;
    assert_eq!(res.status(), 303);
    crate::helpers::eventually(20, || async {
        let n = app.timeline_all(&a.token, &case).await.iter().filter(|e| e["event"] == "screening.completed").count();
        (n == 2).then_some(())
    })
    .await;
    // Another tenant's analyst cannot post to it.
    let other = fml_domain::OrgId::parse("org_other_bank").unwrap();
    crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let stranger = sign_in(&app, &app.analyst_in(&other, Role::Admin).await).await;
    assert_eq!(stranger.post(&app, &hit_path, &[("disposition", "escalate")]).await.status(), 404);
}

async fn the_documents_and_idv_panels(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let case =
        crate::screening::submitted_case(&app, "crm-console-idv", "Acme Holdings Ltd", crate::screening::people())
            .await;
    let s = sign_in(&app, &a).await;
    let path = format!("/cases/{case}");
    // Both directors and the 40 % shareholder (a UBO) get links after submission; the panel
    // shows each, with a resend form.
    let page = crate::helpers::eventually(20, || async {
        let (_, page) = s.get(&app, &path).await;
        (page.matches("idv-dispatched").count() == 3).then_some(page)
    })
    .await;
    assert!(page.contains("id=\"idv\"") && page.contains("OSETROVA, Maria") && page.contains("Send verification link"));
    assert!(page.contains("Виктор Сойко") && page.contains("shareholder, ubo"), "{page}");
    let (_, checks) = app.get_json(&a.token, &format!("/api/cases/{case}/idv")).await;
    assert_eq!(checks["data"].as_array().unwrap().len(), 3, "{checks}");
    let key = checks["data"][0]["personKey"].as_str().unwrap().to_owned();
    let res = s.post(&app, &format!("{path}/idv/{key}"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("{path}?done=idv"));
    let (_, after) = app.get_json(&a.token, &format!("/api/cases/{case}/idv")).await;
    assert_eq!(after["data"][0]["dispatchedBy"], a.email.as_str());
    // The analyst confirms an identity by hand; the form is gone once it is final.
    let res =
        s.post(&app, &format!("{path}/idv/{key}/result"), &[("outcome", "pass"), ("note", "seen in person")]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = s.get(&app, &format!("{path}?done=idv-result")).await;
    assert!(page.contains("The identity result is recorded.") && page.contains("idv-pass"), "{page}");
    assert_eq!(page.matches("Confirm identity").count(), 2, "only the two still waiting");

    // A processed certificate shows what was read; an unreadable file why not.
    let coi = crate::processing::certificate("Acme Holdings Ltd", "12345678");
    let files: [(&str, &[u8]); 2] = [("coi.pdf", &coi), ("scan.png", crate::documents::PNG)];
    assert_eq!(crate::documents::upload(&app, &a.token, &case, &files).await.0, 201);
    crate::processing::processed(&app, &a.token, &case).await;
    let (_, page) = s.get(&app, &path).await;
    assert!(page.contains("Certificate of Incorporation") && page.contains("<dd>12345678</dd>"), "{page}");
    assert!(page.contains("Not processed: no readable text"), "{page}");
    assert!(page.contains("Approve<span class=\"skip\"> scan.png</span> anyway"), "the override form is offered");
}

async fn the_risk_panel_and_the_engine_settings(b: Backend) {
    let app = spawn(b).await;
    let admin = app.analyst(Role::Admin).await;
    let analyst = app.analyst(Role::Analyst).await;
    let case = case_in_review(&app, "crm-console-risk").await;
    crate::helpers::eventually(20, || async {
        let n =
            app.timeline_all(&admin.token, &case).await.iter().filter(|e| e["event"] == "routing.evaluated").count();
        (n == 1).then_some(())
    })
    .await;
    let s = sign_in(&app, &admin).await;
    let (_, page) = s.get(&app, &format!("/cases/{case}")).await;
    assert!(page.contains("Risk and routing") && page.contains("band-low"), "{page}");
    assert!(
        page.contains("REVIEW_LEVEL_1") && page.contains("default branch") && page.contains("Identity verification"),
        "{page}"
    );
    let res = s.post(&app, &format!("/cases/{case}/risk"), &[]).await;
    assert_eq!(
        (res.status().as_u16(), res.headers()["location"].to_str().unwrap()),
        (303, format!("/cases/{case}?done=risk").as_str())
    );

    // Engines: admins only.
    let other = sign_in(&app, &analyst).await;
    assert_eq!(other.get(&app, "/settings/engines").await.0, 403);
    let (code, page) = s.get(&app, "/settings/engines").await;
    assert_eq!(code, 200);
    assert!(
        page.contains("Version 1") && page.contains("Standard routing") && page.contains("sanctionedIsProhibited"),
        "{page}"
    );
    assert!(page.contains("the built-in verification page") && page.contains("rules-v1 (offline)"), "{page}");
    let res = s.post(&app, "/settings/engines/threshold", &[("threshold", "2")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("between 0.7 and 1"));
    assert_eq!(s.post(&app, "/settings/engines/threshold", &[("threshold", "0.9")]).await.status(), 303);
    assert_eq!(s.post(&app, "/settings/engines/interval", &[("intervalHours", "daily")]).await.status(), 422);
    assert_eq!(s.post(&app, "/settings/engines/interval", &[("intervalHours", "12")]).await.status(), 303);
    assert_eq!(app.get_json(&admin.token, "/api/monitoring/settings").await.1["intervalHours"], 12);
    assert_eq!(app.get_json(&admin.token, "/api/screening/settings").await.1["threshold"], 0.9);

    // A policy: refused with what was typed kept, dry-run without saving, then saved.
    let res =
        s.post(&app, "/settings/engines/policy", &[("config", "{\"name\": \"Broken\""), ("action", "save")]).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("This is not valid JSON at line 1, column 17.") && body.contains("Broken"), "{body}");
    assert!(!body.contains("config:"), "no field path where a person reads: {body}");
    let res = s.post(&app, "/settings/branding", &[("logoUrl", "not a url"), ("displayName", "Demo")]).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("Logo URL: must be an absolute http(s) URL"), "{body}");
    let policy = r#"{"name": "Everything to L2", "rules": [], "defaultOutcome": "REVIEW_LEVEL_2"}"#;
    let (_, c) = app.get_json(&admin.token, &format!("/api/cases/{case}")).await;
    let reference = c["caseReference"].as_str().unwrap().to_owned();
    let res = s
        .post(&app, "/settings/engines/policy", &[("config", policy), ("case", &reference), ("action", "dry-run")])
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Dry run on") && body.contains("REVIEW_LEVEL_2") && body.contains("Nothing was saved"),
        "{body}"
    );
    // Rules are counted from 1 where people read them.
    let one_rule = r#"{"name": "One", "rules": [{"name": "All", "when": [{"attribute": "score", "op": "gte", "value": 0}], "outcome": "REVIEW_LEVEL_1"}], "defaultOutcome": "REVIEW_LEVEL_2"}"#;
    let res = s
        .post(&app, "/settings/engines/policy", &[("config", one_rule), ("case", &reference), ("action", "dry-run")])
        .await;
    let body = res.text().await.unwrap();
    assert!(body.contains("rule 1 “All”"), "{body}");
    assert_eq!(app.get_json(&admin.token, "/api/policies").await.1["version"], 1);
    assert_eq!(s.post(&app, "/settings/engines/policy", &[("config", policy), ("action", "save")]).await.status(), 303);
    let (_, saved) = app.get_json(&admin.token, "/api/policies").await;
    assert_eq!((saved["version"].as_i64(), saved["createdBy"].as_str()), (Some(2), Some(admin.email.as_str())));

    // Monitoring: a new list entry naming the company → an alert on the page, resolved there.
    let entry = r#"{"id": "NK-test-acme", "schema": "Company", "caption": "Acme Holdings Ltd", "properties": {"name": ["Acme Holdings Ltd"], "topics": ["sanction"]}}"#;
    fml_app::watchlist::import(&app.db, "test", fml_app::watchlist::Format::Ftm, entry.as_bytes(), &()).await.unwrap();
    let res = s.post(&app, &format!("/cases/{case}/monitoring"), &[]).await;
    assert_eq!(res.status(), 303);
    let (_, mon) = crate::helpers::eventually(20, || async {
        let (code, v) = app.get_json(&admin.token, &format!("/api/cases/{case}/monitoring")).await;
        (!v["alerts"].as_array().unwrap().is_empty()).then_some((code, v))
    })
    .await;
    let alert = mon["alerts"][0]["id"].as_i64().unwrap();
    let (_, page) = s.get(&app, &format!("/cases/{case}")).await;
    assert!(page.contains("New sanctions hit — Acme Holdings Ltd") && page.contains("severity-high"), "{page}");
    let res =
        s.post(&app, &format!("/cases/{case}/alerts/{alert}/resolve"), &[("note", "Same name, other company")]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = s.get(&app, &format!("/cases/{case}?done=alert")).await;
    assert!(page.contains("The alert is resolved.") && page.contains("Same name, other company"), "{page}");
    let res = s.post(&app, &format!("/cases/{case}/alerts/{alert}/resolve"), &[("note", "again")]).await;
    assert_eq!(res.status(), 409, "resolved already");

    // The case review, run from the page.
    let res = s.post(&app, &format!("/cases/{case}/ai-review"), &[]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = s.get(&app, &format!("/cases/{case}?done=ai-review")).await;
    assert!(page.contains("Recommendation: <strong>") && page.contains(&format!("for {}", admin.email)), "{page}");
}

crate::on_both_backends!(
    the_risk_panel_and_the_engine_settings,
    the_screening_panel_shows_hits_and_takes_dispositions,
    the_documents_and_idv_panels,
    the_analyst_url_leads_through_sign_in_to_the_case,
    the_dashboard_pages_filters_and_sorts,
    sign_in_errors_are_clear_and_throttled,
    forms_need_the_session_csrf_token_and_pages_carry_the_security_headers,
    deciding_in_the_console_is_the_workflow_command,
    roles_and_tenants_are_enforced,
    api_clients_show_their_secret_once_and_revoke,
    endpoints_from_the_console_save_through_the_api_rules,
    recent_deliveries_refresh_cheaply_and_redeliver,
    catalog_and_settings_pages,
    signing_out_ends_the_session,
    a_tenant_keeps_an_admin_when_two_demote_each_other,
);
