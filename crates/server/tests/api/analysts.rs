//! Analysts: signing in and out (cookie and personal token), throttling, the audit of every
//! attempt, roles, and tenant settings.

use fml_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::helpers::{Backend, spawn};

async fn sign_in_sign_out_and_tokens(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;

    // A wrong password and an unknown account answer alike.
    for (email, password) in [(a.email.as_str(), "wrong password!"), ("nobody@bank.example", "whatever it is")] {
        let res = app
            .http
            .post(app.url("/api/session"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        assert!(res.headers().get("set-cookie").is_none());
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_credentials");
    }

    // The email is matched without regard to case or surrounding space.
    let res = app
        .http
        .post(app.url("/api/session"))
        .json(&json!({"email": format!(" {} ", a.email.to_uppercase()), "password": a.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("fml_session=fml_ss_"), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attr), "{attr} missing from {cookie}");
    }
    assert!(!cookie.contains("Secure"), "served over plain HTTP: {cookie}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["analyst"]["email"], a.email.as_str());
    assert_eq!(body["analyst"]["role"], "analyst");
    let session = cookie.split(';').next().unwrap().to_owned();

    // The cookie and the personal token both authenticate.
    let me = app.http.get(app.url("/api/session")).header("cookie", &session).send().await.unwrap();
    assert_eq!(me.status(), 200);
    let (status, me) = app.get_json(&a.token, "/api/session").await;
    assert_eq!(status, 200);
    assert_eq!(me["analyst"]["email"], a.email.as_str());
    // A Public API client token is not an analyst credential, nor is a made-up one.
    let client_token = app.token().await;
    assert_eq!(app.get_json(&client_token, "/api/session").await.0, 401);
    assert_eq!(app.get_json("fml_at_nope", "/api/cases").await.0, 401);
    assert_eq!(app.http.get(app.url("/api/cases")).send().await.unwrap().status(), 401);

    // A state-changing request by cookie from another site is refused.
    let res = app
        .http
        .post(app.url("/api/cases/CS-2026-00001/escalation"))
        .header("cookie", &session)
        .header("origin", "https://evil.example")
        .json(&json!({"note": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .http
        .post(app.url("/api/cases/CS-2026-00001/escalation"))
        .header("cookie", &session)
        .header("origin", app.base.as_str())
        .json(&json!({"note": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "same origin goes through (to the missing case)");

    // Signing out ends the session at once and clears the cookie.
    let res = app.http.delete(app.url("/api/session")).header("cookie", &session).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    let me = app.http.get(app.url("/api/session")).header("cookie", &session).send().await.unwrap();
    assert_eq!(me.status(), 401);

    // Every attempt is audited, failed or not.
    let rows = fml_store::audit::list(&app.db, &app.org, None, 50).await.unwrap();
    let actions: Vec<(&str, &str)> = rows.iter().map(|r| (r.action.as_str(), r.actor.as_str())).collect();
    assert!(actions.contains(&("login.failed", a.email.as_str())), "{actions:?}");
    assert!(actions.contains(&("login.succeeded", a.email.as_str())), "{actions:?}");
    assert!(actions.contains(&("logout", a.email.as_str())), "{actions:?}");
    assert!(rows.iter().all(|r| r.detail.contains("address") || r.action != "login.failed"));
}

async fn sign_in_is_throttled(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let attempt = |password: &str| {
        app.http.post(app.url("/api/session")).json(&json!({"email": a.email, "password": password})).send()
    };
    for _ in 0..fml_web::ratelimit::PER_ACCOUNT {
        assert_eq!(attempt("not the password").await.unwrap().status(), 401);
    }
    // Past the limit even the right password is refused, without being checked.
    let res = attempt(&a.password).await.unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "too_many_requests");
    // The personal token still works: throttling guards passwords, not the account.
    assert_eq!(app.get_json(&a.token, "/api/session").await.0, 200);
}

async fn settings_are_for_admins(b: Backend) {
    let app = spawn(b).await;
    let admin = app.analyst(Role::Admin).await;
    let senior = app.analyst(Role::Senior).await;

    let (status, body) = app.get_json(&senior.token, "/api/settings").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "forbidden");
    let res = app
        .http
        .patch(app.url("/api/settings"))
        .bearer_auth(&senior.token)
        .json(&json!({"displayName": "Nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let (status, body) = app.get_json(&admin.token, "/api/settings").await;
    assert_eq!(status, 200);
    assert_eq!(body["orgName"], "org_test_bank Ltd");
    assert_eq!(body["displayName"], Value::Null);

    let patch = |body: Value| app.http.patch(app.url("/api/settings")).bearer_auth(&admin.token).json(&body).send();
    let res = patch(json!({"displayName": "Test Bank", "logoUrl": "https://cdn.bank.example/logo.svg", "supportEmail": "kyb@bank.example"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A field left out is kept; null clears.
    let res = patch(json!({"logoUrl": null})).await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["displayName"], "Test Bank");
    assert_eq!(body["logoUrl"], Value::Null);
    assert_eq!(body["supportEmail"], "kyb@bank.example");
    // Every bad field is reported at once, and nothing is written.
    let res =
        patch(json!({"displayName": "A\u{202E}B", "logoUrl": "javascript:alert(1)", "supportEmail": 7})).await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["supportEmail"], "type errors first: {body}");
    let res = patch(json!({"displayName": "A\u{202E}B", "logoUrl": "javascript:alert(1)"})).await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["fields"].as_array().unwrap().len(), 2, "{body}");
    let (_, now) = app.get_json(&admin.token, "/api/settings").await;
    assert_eq!(now["displayName"], "Test Bank");
    // The change is audited with the admin's email.
    let rows = fml_store::audit::list(&app.db, &app.org, Some("settings.update"), 10).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.actor == admin.email));
}

/// This process's resident memory, in bytes.
pub fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).unwrap();
    kb.trim().trim_end_matches("kB").trim().parse::<u64>().unwrap() * 1024
}

/// Attempts are counted when they start: forty guesses at one account sent together get five
/// password checks, and three hundred from one address (each at another account) get what is
/// left of the address's twenty, with memory bounded (Argon2 runs two at a time).
async fn concurrent_guesses_are_counted_before_any_check(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let guess = |email: String| {
        let app = &app;
        async move {
            let body = json!({"email": email, "password": "not the password"});
            app.http.post(app.url("/api/session")).json(&body).send().await.unwrap().status().as_u16()
        }
    };
    let count = |statuses: &[u16], code: u16| statuses.iter().filter(|s| **s == code).count();

    let statuses = futures::future::join_all((0..40).map(|_| guess(a.email.clone()))).await;
    assert_eq!((count(&statuses, 401), count(&statuses, 429)), (5, 35), "{statuses:?}");
    let checked = fml_store::audit::list(&app.db, &app.org, Some("login.failed"), 100).await.unwrap();
    assert_eq!(checked.len(), 5, "only five passwords were checked");

    let before = resident_bytes();
    let statuses = futures::future::join_all((0..300).map(|i| guess(format!("nobody{i}@example.test")))).await;
    let grown = resident_bytes().saturating_sub(before);
    let left = (fml_web::ratelimit::PER_ADDRESS - fml_web::ratelimit::PER_ACCOUNT) as usize;
    assert_eq!((count(&statuses, 401), count(&statuses, 429)), (left, 300 - left), "{statuses:?}");
    // Each Argon2 check takes 19 MiB; 236 of them at once took 4.6 GB before the limits. The
    // bound is loose because other tests share this process (and the allocator keeps freed
    // arenas); that Argon2 runs two at a time is tested exactly in fml-app.
    assert!(grown < 1 << 30, "resident memory grew by {} MiB", grown >> 20);
}

/// An email is a login across tenants, so an admin adding one another tenant uses is refused —
/// with the very answer an email of their own tenant gets, which says nothing of the other.
async fn another_tenants_analyst_is_not_disclosed(b: Backend) {
    let app = spawn(b).await;
    let mine = app.analyst(Role::Analyst).await;
    let other = fml_domain::OrgId::parse("org_elsewhere").unwrap();
    crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let theirs = app.analyst_in(&other, Role::Analyst).await;
    let refusal = |email: String| {
        let ctx = app.ctx();
        let org = app.org.clone();
        async move {
            match fml_app::analysts::create(
                &ctx,
                &org,
                &email,
                "New Person",
                Role::Analyst,
                None,
                fml_app::Operator::Cli,
            )
            .await
            {
                Err(fml_app::CommandError::Conflict(code, message)) => (code, message),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    };
    let own = refusal(mine.email.clone()).await;
    let foreign = refusal(theirs.email.clone()).await;
    assert_eq!(own, foreign);
    assert_eq!(own.0, "analyst_exists");
    assert!(!own.1.contains("exists") && !own.1.contains("tenant"), "{}", own.1);
}

crate::on_both_backends!(
    another_tenants_analyst_is_not_disclosed,
    sign_in_sign_out_and_tokens,
    sign_in_is_throttled,
    concurrent_guesses_are_counted_before_any_check,
    settings_are_for_admins
);
