//! The customer portal over real HTTP: the magic link's rules, the application, the review's
//! amendments and the submission (with their events), the public application link, manual
//! cases and invite resends.

use fml_domain::crypto::MasterKey;
use fml_domain::lifecycle::Role;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::catalog::assert_valid;
use crate::helpers::{Backend, TestApp, recipe_body, spawn};

/// The magic-link tokens in the tenant's outbox, oldest first.
pub async fn invite_tokens(app: &TestApp) -> Vec<String> {
    invite_tokens_for(app, None).await
}

/// The magic-link tokens sent for one case (or all), oldest first.
pub async fn invite_tokens_for(app: &TestApp, case: Option<&str>) -> Vec<String> {
    link_tokens(app, case, "/invite/").await
}

/// The tokens of the links after `marker` in the tenant's outbox (for one case, or all),
/// oldest first.
async fn link_tokens(app: &TestApp, case: Option<&str>, marker: &str) -> Vec<String> {
    let key = MasterKey::from_hex(&app.master_key_hex).unwrap();
    let mut out = Vec::new();
    for m in fml_store::mail::list(&app.db, &app.org).await.unwrap() {
        if case.is_some() && m.case_id.as_deref() != case {
            continue;
        }
        let Some(sealed) = m.body_sealed else { continue };
        let body = String::from_utf8(key.open(fml_store::mail::SEAL_CONTEXT, &sealed).unwrap()).unwrap();
        if let Some(i) = body.find(marker) {
            out.push(
                body[i + marker.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect(),
            );
        }
    }
    out
}

/// An HTML form post body.
pub trait FormExt {
    fn form_fields(self, fields: &[(&str, &str)]) -> Self;
}

impl FormExt for reqwest::RequestBuilder {
    fn form_fields(self, fields: &[(&str, &str)]) -> Self {
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap())
    }
}

/// A client that does not follow redirects (to see the 303 and its cookie).
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

/// The policy of every portal page: no script, no inline style (the stylesheet is ours).
const PORTAL_CSP: &str = "default-src 'none'; style-src 'self'; img-src https: http:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// A portal page under the strict policy, with the stylesheet it links served as CSS; its HTML.
pub async fn strict_page(app: &TestApp, res: reqwest::Response) -> String {
    let h = res.headers().clone();
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = h["content-security-policy"].to_str().unwrap();
    assert_eq!(csp, PORTAL_CSP);
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let html = res.text().await.unwrap();
    for inline in ["<style", "style=", "<script"] {
        assert!(!html.contains(inline), "{inline} in {html}");
    }
    let marker = "<link rel=\"stylesheet\" href=\"";
    let href = html[html.find(marker).expect("a stylesheet link") + marker.len()..].split('"').next().unwrap();
    assert!(href.starts_with("/portal/assets/portal.css"), "{href}");
    let css = app.http.get(app.url(href)).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(css.text().await.unwrap().contains(".error-summary"));
    html
}

/// The portal's templates carry no inline style or script (the policy would refuse them), and
/// mark nothing as safe from escaping.
#[test]
fn portal_templates_have_no_inline_code() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../portal/templates/portal");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
        for needle in ["<style", "style=", "<script", "javascript:", "|safe"] {
            assert!(!text.contains(needle), "{needle} in {}", path.display());
        }
        // No event handler attribute (`onclick=`, …) either.
        let handler = text.match_indices(" on").any(|(i, _)| {
            let rest = &text[i + 3..];
            let name = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_alphabetic()).len();
            name > 0 && rest[name..].starts_with('=')
        });
        assert!(!handler, "an event handler in {}", path.display());
        seen += 1;
    }
    assert!(seen >= 10, "{seen} templates in {}", dir.display());
}

/// The customer of an invited case opens their link, fills the application and submits.
pub async fn customer_submits(app: &TestApp, case: &str) {
    let token = invite_tokens_for(app, Some(case)).await.pop().expect("the case has an invite");
    let cookie = redeem(app, &token).await.expect("the invite works");
    let locator = fml_domain::ids::CaseLocator::parse(case).unwrap();
    let record = fml_store::cases::get(&app.db, &app.org, &locator).await.unwrap().unwrap();
    let application = json!({
        "companyName": record.company_name.unwrap_or_else(|| "Acme Holdings Ltd".into()),
        "registeredAddress": "10 High Street, London EC1A 1AA",
        "directors": [{"fullName": "J Smith", "email": "j.smith@acme.example"}]
    });
    let post =
        |path: &'static str, body: Value| app.http.post(app.url(path)).header("cookie", &cookie).json(&body).send();
    assert_eq!(post("/portal/application", application).await.unwrap().status(), 200);
    let res = post("/portal/submit", json!({})).await.unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
}

/// Redeems a token that must work; the portal cookie.
pub async fn redeem_for_test(app: &TestApp, token: &str) -> String {
    redeem(app, token).await.expect("the invite works")
}

/// Redeems a token; the portal cookie (`name=value`) on success.
pub async fn redeem(app: &TestApp, token: &str) -> Result<String, u16> {
    let res = no_redirects().post(app.url(&format!("/portal/invite/{token}"))).send().await.unwrap();
    if res.status() != 303 {
        return Err(res.status().as_u16());
    }
    assert_eq!(res.headers()["location"], "/portal");
    let c = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/portal"), "{c}");
    Ok(c.split(';').next().unwrap().to_owned())
}

pub async fn open_invited_case(app: &TestApp, crm: &str) -> String {
    let token = app.token().await;
    let res = app.create_case(&token, None, &recipe_body(crm)).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["caseId"].as_str().unwrap().to_owned()
}

async fn magic_links_work_once(b: Backend) {
    let app = spawn(b).await;
    let analyst = app.analyst(Role::Analyst).await;
    let case = open_invited_case(&app, "crm-portal-1").await;
    let tokens = invite_tokens(&app).await;
    assert_eq!(tokens.len(), 1);
    let t = &tokens[0];

    // The confirmation page does not use the link, however often it is fetched.
    for _ in 0..2 {
        let res = app.http.get(app.url(&format!("/portal/invite/{t}"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = strict_page(&app, res).await;
        assert!(html.contains(&format!("action=\"/portal/invite/{t}\"")) && html.contains("method=\"post\""), "{html}");
    }
    // Another site's page posting the link (to sign its visitor in as someone else) is
    // refused, and the link stays unused.
    let url = app.url(&format!("/portal/invite/{t}"));
    for (name, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
        let res = no_redirects().post(&url).header(name, value).send().await.unwrap();
        assert_eq!(res.status(), 403, "{name}");
        assert!(res.headers().get("set-cookie").is_none());
    }
    // Two redemptions at once: exactly one session.
    let (a, b2) = tokio::join!(redeem(&app, t), redeem(&app, t));
    assert!(a.is_ok() != b2.is_ok(), "{a:?} {b2:?}");
    assert_eq!(redeem(&app, t).await, Err(404), "used");
    assert_eq!(redeem(&app, "not-a-token").await, Err(404));
    let page = app.http.get(app.url(&format!("/portal/invite/{t}"))).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(strict_page(&app, page).await.contains("cannot be used"));

    // A resend replaces every earlier unused link.
    let (status, body) = app.post_json(&analyst.token, &format!("/api/cases/{case}/invite"), &json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app.post_json(&analyst.token, &format!("/api/cases/{case}/invite"), &json!({})).await;
    assert_eq!(status, 200);
    let tokens = invite_tokens(&app).await;
    assert_eq!(tokens.len(), 3);
    assert_eq!(redeem(&app, &tokens[1]).await, Err(404), "replaced by the next resend");
    let cookie = redeem(&app, &tokens[2]).await.unwrap();
    let home = app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(home.status(), 200);
    strict_page(&app, home).await;
    // The stylesheet itself, by its plain name: CSS, cached for long (the pages' link changes
    // with its content).
    let css = app.http.get(app.url("/portal/assets/portal.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.headers()["cache-control"].to_str().unwrap().contains("max-age=31536000"));

    // An expired link is refused like a used one.
    app.post_json(&analyst.token, &format!("/api/cases/{case}/invite"), &json!({})).await;
    let latest = invite_tokens(&app).await.pop().unwrap();
    let hash = fml_domain::secret::SecretHash::of(&latest);
    let mut tx = app.db.begin().await.unwrap();
    fml_store::execute!(tx.conn(), "UPDATE case_invites SET expires_at = 1 WHERE token_hash = $1", hash.as_str())
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(redeem(&app, &latest).await, Err(404));

    // The portal cookie is no analyst credential, and no portal page works without it.
    let res = app
        .http
        .get(app.url("/api/cases"))
        .header("cookie", format!("fml_session={}", &cookie[11..]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // (Without it, /portal is the way back in: a form that mails a new link.)
    let front = app.http.get(app.url("/portal")).send().await.unwrap();
    assert_eq!(front.status(), 200);
    assert!(!strict_page(&app, front).await.contains("Submit application"));
}

async fn apply_review_and_submit(b: Backend) {
    let app = spawn(b).await;
    let analyst = app.analyst(Role::Analyst).await;
    let case = open_invited_case(&app, "crm-portal-2").await;
    let cookie = redeem(&app, &invite_tokens(&app).await[0]).await.unwrap();
    let post =
        |path: &'static str, body: Value| app.http.post(app.url(path)).header("cookie", &cookie).json(&body).send();

    // Submitting before any application is refused.
    let res = post("/portal/submit", json!({})).await.unwrap();
    assert_eq!(res.status(), 400);

    let bad = json!({"companyName": "", "registeredAddress": "x", "directors": [{"fullName": "A", "email": "nope"}]});
    let res = post("/portal/application", bad).await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["companyName", "directors[0].email"]);

    let application = json!({
        "companyName": "Acme Holdings Ltd",
        "companyNumber": "01234567",
        "country": "GB",
        "registeredAddress": "10 High Street, London EC1A 1AA",
        "directors": [{"fullName": "J Smith", "email": "j.smith@acme.example", "dateOfBirth": "1975-04-02"}],
        "shareholders": [{"fullName": "Holdco Ltd", "email": "cosec@holdco.example", "ownershipPercent": 100}]
    });
    let res = post("/portal/application", application.clone()).await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["application"]["shareholders"][0]["ownershipPercent"], "100");

    // The page now shows the review with the values on file, escaped.
    let html = app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Review and submit") && html.contains("value=\"J Smith\""), "{html}");

    // Corrections become amendments of data.corrected.
    let mut corrected = application.clone();
    corrected["registeredAddress"] = json!("10 High Street, London EC1A 1BB");
    corrected["directors"][0]["fullName"] = json!("Jane Smith");
    let res = post("/portal/review", corrected.clone()).await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["amendmentCount"], 2);
    // The same again changes nothing and emits nothing.
    let body: Value = post("/portal/review", corrected).await.unwrap().json().await.unwrap();
    assert_eq!(body["amendmentCount"], 0);

    let res = post("/portal/submit", json!({})).await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "in_review");
    // Submitted: the application is closed and a second submission is a conflict.
    let res = post("/portal/submit", json!({})).await.unwrap();
    assert_eq!(res.status(), 409);
    let res = post("/portal/application", application).await.unwrap();
    assert_eq!(res.status(), 409);

    let timeline = app.timeline(&analyst.token, &case).await;
    let kinds: Vec<&str> = timeline.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["case.submitted", "case.status.changed", "data.corrected", "case.created"]);
    for e in &timeline {
        assert_valid(&app, &e.to_string()).await;
    }
    let corrected = &timeline[2];
    assert_eq!(corrected["source"], "customer_review");
    assert_eq!(corrected["amendmentCount"], 2);
    assert_eq!(
        corrected["amendments"],
        json!([
            {"section": "company", "field": "registeredAddress", "originalValue": "10 High Street, London EC1A 1AA", "correctedValue": "10 High Street, London EC1A 1BB"},
            {"section": "directors", "field": "0.fullName", "originalValue": "J Smith", "correctedValue": "Jane Smith"}
        ])
    );
    assert_eq!(timeline[0]["source"], "application_form");
    assert_eq!(timeline[0]["companyName"], "Acme Holdings Ltd");
    assert_eq!(timeline[1]["changedBy"], "jane@acme.example");
    assert_eq!(timeline[1]["previousStatus"], "in_progress");
    // The case carries the application's company details.
    let (_, c) = app.get_json(&analyst.token, &format!("/api/cases/{case}")).await;
    assert_eq!(c["companyNumber"], "01234567");
}

/// The same flow as a browser without JavaScript does it: form posts and redirects, and a
/// form with errors comes back with them marked.
async fn html_forms_work_without_javascript(b: Backend) {
    let app = spawn(b).await;
    let analyst = app.analyst(Role::Analyst).await;
    let case = open_invited_case(&app, "crm-portal-3").await;
    let cookie = redeem(&app, &invite_tokens(&app).await[0]).await.unwrap();
    let http = no_redirects();
    let form = |path: &'static str, fields: &[(&str, &str)]| {
        http.post(app.url(path)).header("cookie", &cookie).form_fields(fields).send()
    };
    let res = form(
        "/portal/application",
        &[
            ("companyName", "Acme <Ltd>"),
            ("registeredAddress", ""),
            ("directors[0].fullName", "J Smith"),
            ("directors[0].email", "bad"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 400);
    let html = strict_page(&app, res).await;
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(
        html.contains("id=\"registeredAddress\" name=\"registeredAddress\" rows=\"3\" required aria-invalid=\"true\""),
        "{html}"
    );
    assert!(html.contains("value=\"Acme &#60;Ltd&#62;\""), "the input is kept, escaped: {html}");
    assert!(html.contains("<a href=\"#registeredAddress\">Enter the registered address.</a>"), "{html}");
    assert!(!html.contains("Acme <Ltd>"), "{html}");
    // Whatever the input, it stays a value: nothing breaks out of an attribute or a textarea.
    let res = form(
        "/portal/application",
        &[
            ("companyName", "\"><img src=x onerror=alert(1)>"),
            ("registeredAddress", "</textarea><script>alert(1)</script>"),
            ("directors[0].fullName", "J Smith"),
            ("directors[0].email", "bad"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(!html.contains("<img") && !html.contains("<script") && !html.contains("</textarea><"), "{html}");
    assert!(html.contains("value=\"&#34;&#62;&#60;img src=x onerror=alert(1)&#62;\""), "{html}");
    assert!(html.contains("aria-describedby=\"directors-0-email-error\""), "{html}");
    // The errors are sentences naming the fields as the form does, each linking to an input
    // that exists; no path reaches the customer.
    assert!(html.contains("Director 1&#39;s email address must be a valid email address."), "{html}");
    assert!(!html.contains("directors[0].email:"), "{html}");
    for anchor in html.match_indices("href=\"#").map(|(i, _)| html[i + 7..].split('"').next().unwrap()) {
        if anchor != "main" {
            assert!(html.contains(&format!("id=\"{anchor}\"")), "no input #{anchor}: {html}");
        }
    }
    // "Add another director" brings the page back with one more row, the input kept (and
    // nothing saved while it is invalid).
    let res = form(
        "/portal/application",
        &[
            ("companyName", "Acme Ltd"),
            ("directors[0].fullName", "J Smith"),
            ("directors[0].email", "j@acme.example"),
            ("then", "add_director"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Director 3 (if any)") && !html.contains("Director 4"), "{html}");
    assert!(html.contains("value=\"J Smith\"") && !html.contains("role=\"alert\""), "{html}");
    let res = form(
        "/portal/application",
        &[
            ("companyName", "Acme Ltd"),
            ("country", "United Kingdom"),
            ("registeredAddress", "1 Road"),
            ("directors[0].fullName", "J Smith"),
            ("directors[0].email", "j@acme.example"),
            ("directors[1].fullName", ""),
            ("shareholders[0].fullName", ""),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 303);
    // Saved, and the page says so; the country is a choice, and what was typed is chosen.
    assert_eq!(res.headers()["location"], "/portal?saved");
    let html =
        app.http.get(app.url("/portal?saved")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("role=\"status\">Saved."), "{html}");
    assert!(html.contains("<select id=\"country\" name=\"country\">"), "{html}");
    assert!(html.contains("<option value=\"GB\" selected>United Kingdom</option>"), "{html}");
    let html = app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("Saved."), "{html}");
    // The customer corrects the address on the review and presses "Submit application" without
    // "Save corrections": the correction is saved (data.corrected), then the case submitted.
    let res = form(
        "/portal/review",
        &[
            ("companyName", "Acme Ltd"),
            ("country", "GB"),
            ("registeredAddress", "2 Road"),
            ("directors[0].fullName", "J Smith"),
            ("directors[0].email", "j@acme.example"),
            ("then", "submit"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 303);
    let html = app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("has been submitted"), "{html}");
    let timeline = app.timeline(&analyst.token, &case).await;
    let kinds: Vec<&str> = timeline.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(kinds[..3], ["case.submitted", "case.status.changed", "data.corrected"], "{kinds:?}");
    assert_eq!(timeline[2]["amendments"][0]["field"], "registeredAddress", "{}", timeline[2]);
    assert_eq!(timeline[2]["amendments"][0]["correctedValue"], "2 Road");
    assert_eq!(timeline[0]["source"], "application_form");
    // A post from another site is refused even with the cookie.
    let res = http
        .post(app.url("/portal/submit"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form_fields(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

/// Turns the tenant's public application link on, with an hourly allowance per address.
async fn open_public_link(app: &TestApp, admin: &str, per_hour: u32) {
    let body = json!({"publicApplications": true, "publicApplicationsPerHour": per_hour});
    let res = app.http.patch(app.url("/api/settings")).bearer_auth(admin).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

/// The confirmation links mailed to applicants, oldest first.
async fn confirmation_tokens(app: &TestApp) -> Vec<String> {
    link_tokens(app, None, "/apply/confirm/").await
}

/// Follows a confirmation link (a POST, as its page's button does): the session cookie.
async fn confirm_application(app: &TestApp, token: &str) -> String {
    let res = no_redirects().post(app.url(&format!("/portal/apply/confirm/{token}"))).send().await.unwrap();
    assert_eq!(res.status(), 303, "{:?}", res.text().await);
    assert_eq!(res.headers()["location"], "/portal");
    res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
}

async fn the_public_application_link(b: Backend) {
    let app = spawn(b).await;
    let admin = app.analyst(Role::Admin).await;
    let apply_url = app.url(&format!("/portal/apply/{}", app.org));
    let application = [
        ("companyName", "Bravo GmbH"),
        ("country", "DE"),
        ("customerName", "Berta"),
        ("customerEmail", "berta@bravo.example"),
    ];
    // Off by default: the link does not exist, and a post makes nothing.
    assert_eq!(app.http.get(&apply_url).send().await.unwrap().status(), 404);
    let res = no_redirects().post(&apply_url).form_fields(&application).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(fml_store::mail::list(&app.db, &app.org).await.unwrap().is_empty());

    app.http
        .patch(app.url("/api/settings"))
        .bearer_auth(&admin.token)
        .json(&json!({"displayName": "Test Bank", "supportEmail": "kyb@bank.example", "logoUrl": "https://cdn.bank.example/l.png"}))
        .send()
        .await
        .unwrap();
    open_public_link(&app, &admin.token, 5).await;
    let page = app.http.get(&apply_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = strict_page(&app, page).await;
    for needle in ["Test Bank", "kyb@bank.example", "https://cdn.bank.example/l.png", "<label for=\"customerEmail\">"] {
        assert!(html.contains(needle), "{needle} missing");
    }
    assert_eq!(app.http.get(app.url("/portal/apply/org_nope")).send().await.unwrap().status(), 404);

    let http = no_redirects();
    let mut blank = application;
    blank[3].1 = "";
    let res = http.post(&apply_url).form_fields(&blank).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let html = strict_page(&app, res).await;
    assert!(html.contains("role=\"alert\"") && html.contains("aria-describedby=\"customerEmail-error\""), "{html}");
    let res = http.post(&apply_url).form_fields(&application).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let html = strict_page(&app, res).await;
    assert!(html.contains("Check your email") && html.contains("berta@bravo.example"), "{html}");
    // Nothing is opened until the applicant shows they hold the address.
    let (_, list) = app.get_json(&admin.token, "/api/cases").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0, "{list}");
    let mails = fml_store::mail::list(&app.db, &app.org).await.unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].recipient, "berta@bravo.example");
    let token = confirmation_tokens(&app).await.pop().expect("a confirmation link");

    // Another site cannot post the link for its visitor.
    let res = no_redirects()
        .post(app.url(&format!("/portal/apply/confirm/{token}")))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The link's page only shows a button (mail scanners follow GETs); the button opens the case.
    let page = app.http.get(app.url(&format!("/portal/apply/confirm/{token}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(strict_page(&app, page).await.contains("Confirm and continue"));
    let (_, list) = app.get_json(&admin.token, "/api/cases").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let cookie = confirm_application(&app, &token).await;
    let html = app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Bravo GmbH") && html.contains("Your application"), "{html}");

    let (_, list) = app.get_json(&admin.token, "/api/cases?source=application_form").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let case = &list["data"][0];
    assert_eq!(case["country"], "DE");
    assert_eq!(case["customerEmail"], "berta@bravo.example");
    let timeline = app.timeline(&admin.token, case["caseId"].as_str().unwrap()).await;
    assert_eq!(timeline[0]["event"], "case.created");
    assert_eq!(timeline[0]["source"], "application_form");
    assert_valid(&app, &timeline[0].to_string()).await;

    // The same link is the applicant's way back in after their session lapses: a new session
    // for the same case, never a second case.
    app.http.post(app.url("/portal/sign-out")).header("cookie", &cookie).send().await.unwrap();
    assert_ne!(app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap().status(), 200);
    let again = confirm_application(&app, &token).await;
    assert_ne!(again, cookie);
    let html = app.http.get(app.url("/portal")).header("cookie", &again).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Bravo GmbH"), "{html}");
    let (_, list) = app.get_json(&admin.token, "/api/cases").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    // A made-up link opens nothing.
    let res = no_redirects().post(app.url("/portal/apply/confirm/not-a-token")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers().get("set-cookie").is_none());

    // Closing the link again closes it.
    let res = app
        .http
        .patch(app.url("/api/settings"))
        .bearer_auth(&admin.token)
        .json(&json!({"publicApplications": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["publicApplications"], false);
    assert_eq!(app.http.get(&apply_url).send().await.unwrap().status(), 404);
}

/// The status a server answers to a JSON POST that declares `len` bytes, of which only the
/// first 64 KiB are sent (a raw connection: a client library would insist on sending it all).
async fn declared_body_status(app: &TestApp, path: &str, len: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.base.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let _ = conn.write_all(&vec![b' '; 64 * 1024]).await;
    let mut answer = vec![0u8; 12];
    conn.read_exact(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer[9..12]).parse().unwrap()
}

/// What a stranger can make the public link do is small: a few applications an hour from one
/// address, no files, no large bodies, and refused attempts cost no allowance.
async fn public_applications_are_bounded(b: Backend) {
    let app = spawn(b).await;
    let admin = app.analyst(Role::Admin).await;
    let apply_url = app.url(&format!("/portal/apply/{}", app.org));
    for bad in [
        json!({"publicApplicationsPerHour": 0}),
        json!({"publicApplicationsPerHour": 1001}),
        json!({"publicApplications": "yes"}),
    ] {
        let res = app.http.patch(app.url("/api/settings")).bearer_auth(&admin.token).json(&bad).send().await.unwrap();
        assert_eq!(res.status(), 400, "{bad}");
    }
    open_public_link(&app, &admin.token, 2).await;
    let post_json = |body: Value| app.http.post(&apply_url).json(&body).send();
    let applicant = |n: u32| {
        json!({"companyName": format!("Firm {n} Ltd"), "country": "GB", "customerName": "Al",
               "customerEmail": format!("al{n}@firm.example")})
    };

    // A body over 1 MiB is refused before it is read whole: a client declaring 5 MB of JSON
    // hears 413 after sending a fraction of it.
    assert_eq!(declared_body_status(&app, &format!("/portal/apply/{}", app.org), 5_000_000).await, 413);
    // So does every JSON route.
    assert_eq!(declared_body_status(&app, "/api/session", 5_000_000).await, 413);
    let huge = json!({"companyName": "x".repeat(1024 * 1024 + 1), "country": "GB", "customerEmail": "a@b.example"});
    assert_eq!(post_json(huge).await.unwrap().status(), 413);
    // Files come only after the email is confirmed; none is stored.
    let boundary = "fml-apply-boundary";
    let mut body = Vec::new();
    for (k, v) in applicant(0).as_object().unwrap() {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{}\r\n", v.as_str().unwrap())
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(crate::documents::PDF);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = app
        .http
        .post(&apply_url)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["fields"][0]["field"], "files", "{err}");
    assert_eq!(std::fs::read_dir(app.documents_dir()).map(|d| d.count()).unwrap_or(0), 0);
    // A refused form stores nothing.
    let res = post_json(json!({"companyName": "No Mail Ltd", "country": "GB"})).await.unwrap();
    assert_eq!(res.status(), 400);

    // None of those counted: two applications pass, the third waits.
    for n in 1..=2 {
        let res = post_json(applicant(n)).await.unwrap();
        assert_eq!(res.status(), 202);
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "confirmation_sent"}));
    }
    let res = post_json(applicant(3)).await.unwrap();
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "too_many_requests");
    let recipients: Vec<String> =
        fml_store::mail::list(&app.db, &app.org).await.unwrap().into_iter().map(|m| m.recipient).collect();
    assert_eq!(recipients.len(), 2, "{recipients:?}");
    // Cross-site posts are refused (a page elsewhere cannot apply in a visitor's name).
    let res = app
        .http
        .post(&apply_url)
        .header("origin", "https://evil.example")
        .form_fields(&[("companyName", "X"), ("country", "GB"), ("customerEmail", "x@x.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

async fn manual_cases(b: Backend) {
    let app = spawn(b).await;
    let analyst = app.analyst(Role::Analyst).await;
    let mut body = recipe_body("crm-manual");
    body["companyNumber"] = json!("SC123456");
    let (status, case) = app.post_json(&analyst.token, "/api/cases", &body).await;
    assert_eq!(status, 201, "{case}");
    assert_eq!(case["source"], "manual");
    assert_eq!(case["createdBy"], analyst.email.as_str());
    assert_eq!(case["companyNumber"], "SC123456");
    assert!(case["inviteSentAt"].is_string());
    // The CRM dedup applies here too.
    let (status, again) = app.post_json(&analyst.token, "/api/cases", &body).await;
    assert_eq!(status, 200);
    assert_eq!(again["caseId"], case["caseId"]);
    let (status, res) = app.post_json(&analyst.token, "/api/cases", &json!({"companyNumber": 5})).await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = res["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["customerEmail", "companyNumber"]);

    let timeline = app.timeline(&analyst.token, case["caseId"].as_str().unwrap()).await;
    assert_eq!(timeline[0]["event"], "case.created");
    assert_eq!(timeline[0]["source"], "manual");
    assert_eq!(timeline[0]["createdBy"], analyst.email.as_str());
    assert_eq!(timeline[0]["companyNumber"], "SC123456");
    assert_valid(&app, &timeline[0].to_string()).await;
    // The invite works.
    assert!(redeem(&app, &invite_tokens(&app).await[0]).await.is_ok());
    // The Public API cannot open manual cases, nor can a portal customer.
    let client = app.token().await;
    assert_eq!(app.post_json(&client, "/api/cases", &body).await.0, 401);
}

/// A case that came through the public link (turned on by `admin`), confirmed and submitted
/// by its applicant with two directors: nobody has an identity link yet.
pub async fn submitted_public_case(app: &TestApp, admin: &str, company: &str) -> String {
    open_public_link(app, admin, 5).await;
    let email = "owner@public.example";
    let body = json!({"companyName": company, "country": "GB", "customerName": "Pat", "customerEmail": email});
    let res = app.http.post(app.url(&format!("/portal/apply/{}", app.org))).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let token = confirmation_tokens(app).await.pop().expect("a confirmation link");
    let cookie = confirm_application(app, &token).await;
    let post =
        |path: &'static str, body: Value| app.http.post(app.url(path)).header("cookie", &cookie).json(&body).send();
    let application = json!({"companyName": company, "registeredAddress": "3 Court",
        "directors": [{"fullName": "Pat Public", "email": email}, {"fullName": "Quinn Public", "email": "quinn@public.example"}]});
    assert_eq!(post("/portal/application", application).await.unwrap().status(), 200);
    assert_eq!(post("/portal/review/confirm", json!({})).await.unwrap().status(), 200);
    let (_, list) = app.get_json(admin, "/api/cases?source=application_form").await;
    let case = list["data"].as_array().unwrap().iter().find(|c| c["companyName"] == company).expect("the case");
    case["caseId"].as_str().unwrap().to_owned()
}

/// The doc-upload start: the public link with documents first. The documents come after the
/// applicant confirms their email, then the review submits with `source: doc_upload`.
async fn starting_from_documents(b: Backend) {
    let app = spawn(b).await;
    let admin = app.analyst(Role::Admin).await;
    open_public_link(&app, &admin.token, 5).await;
    let body = json!({"companyName": "Docs First Ltd", "country": "GB", "customerName": "Dee",
                      "customerEmail": "dee@docs.example", "start": "documents"});
    let res = app.http.post(app.url(&format!("/portal/apply/{}", app.org))).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let token = confirmation_tokens(&app).await.pop().expect("a confirmation link");
    let cookie = confirm_application(&app, &token).await;

    let boundary = "fml-docs-boundary";
    let mut upload = Vec::new();
    upload.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"incorporation.pdf\"\r\n\r\n"
        )
        .as_bytes(),
    );
    upload.extend_from_slice(crate::documents::PDF);
    upload.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = app
        .http
        .post(app.url("/portal/documents"))
        .header("cookie", &cookie)
        .header("accept", "application/json")
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(upload)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{:?}", res.text().await);

    let (_, list) = app.get_json(&admin.token, "/api/cases?source=doc_upload").await;
    let case = list["data"][0]["caseId"].as_str().unwrap().to_owned();
    let timeline = app.timeline(&admin.token, &case).await;
    let kinds: Vec<&str> = timeline.iter().map(|e| e["event"].as_str().unwrap()).collect();
    // Newest first.
    assert_eq!(kinds, ["document.uploaded", "case.created"]);
    assert_eq!(timeline[1]["source"], "doc_upload");

    let post =
        |path: &'static str, body: Value| app.http.post(app.url(path)).header("cookie", &cookie).json(&body).send();
    let application = json!({"companyName": "Docs First Ltd", "registeredAddress": "2 Lane", "directors": [{"fullName": "Dee", "email": "dee@docs.example"}]});
    assert_eq!(post("/portal/application", application).await.unwrap().status(), 200);
    let html = app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    // The review and the submission are one form: "Submit application" saves the page, then
    // confirms the reviewed data (a case started from documents).
    assert!(html.contains("action=\"/portal/review\"") && html.contains("name=\"then\" value=\"submit\""), "{html}");
    let res = no_redirects()
        .post(app.url("/portal/review"))
        .header("cookie", &cookie)
        .form_fields(&[
            ("companyName", "Docs First Ltd"),
            ("registeredAddress", "2 Lane"),
            ("directors[0].fullName", "Dee"),
            ("directors[0].email", "dee@docs.example"),
            ("then", "submit"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let submitted =
        app.timeline(&admin.token, &case).await.into_iter().find(|e| e["event"] == "case.submitted").unwrap();
    assert_valid(&app, &submitted.to_string()).await;
    assert_eq!(submitted["source"], "doc_upload");

    // A stranger's case mails nobody on its own: identity links wait for an analyst.
    let kinds_in_outbox = |kind: &'static str| {
        let app = &app;
        async move { fml_store::mail::list(&app.db, &app.org).await.unwrap().into_iter().filter(|m| m.kind == kind).count() }
    };
    let jobs = fml_store::jobs::list(&app.db, Some(&app.org), None, 100).await.unwrap();
    assert!(jobs.iter().all(|j| j.job.kind() != "dispatch_idv"), "{jobs:?}");
    assert!(jobs.iter().any(|j| j.job.kind() == "screen_case"), "the engines still start");
    assert_eq!(kinds_in_outbox("idv_link").await, 0);
    let (status, sent) = app.post_json(&admin.token, &format!("/api/cases/{case}/idv"), &json!({})).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["data"].as_array().unwrap().len(), 1);
    assert_eq!(sent["data"][0]["dispatchedBy"], admin.email.as_str());
    assert_eq!(kinds_in_outbox("idv_link").await, 1);
    // Sending again sends nobody twice.
    let (status, again) = app.post_json(&admin.token, &format!("/api/cases/{case}/idv"), &json!({})).await;
    assert_eq!((status, again["data"].as_array().unwrap().len()), (200, 0));
    assert_eq!(kinds_in_outbox("idv_link").await, 1);
}

crate::on_both_backends!(
    starting_from_documents,
    magic_links_work_once,
    apply_review_and_submit,
    html_forms_work_without_javascript,
    the_public_application_link,
    public_applications_are_bounded,
    manual_cases,
);
