//! "Email sent" means sent (issue 19): `outreach.email.sent`, `edd.requested` and
//! `idv.dispatched` fire when their message is handed to SMTP, in the transaction that marks it
//! sent, timed then; a message that fails for good fires nothing, and the analyst sees it.

use fml_domain::Timestamp;
use fml_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::console::sign_in;
use crate::helpers::{Backend, Options, TestApp, eventually, recipe_body, spawn_with};
use crate::mail::start_smtp;

async fn quiet_case(app: &TestApp, crm: &str) -> String {
    let token = app.token().await;
    let mut body = recipe_body(crm);
    body["sendInvite"] = json!(false);
    let v: Value = app.create_case(&token, None, &body).await.json().await.unwrap();
    v["caseId"].as_str().unwrap().to_owned()
}

const OUTREACH: &str = r#"{"kind": "document_request", "items": [{"key": "passport", "label": "Passport"}]}"#;

async fn sent_events_are_timed_at_the_smtp_handoff(b: Backend) {
    let mut smtp = start_smtp().await;
    let smtp_url = Some(format!("smtp://127.0.0.1:{}", smtp.port));
    let app = spawn_with(b, Options { smtp_url, ..Options::default() }).await;
    let a = app.analyst(Role::Admin).await;
    let case = quiet_case(&app, "crm-announce-1").await;
    let outreach: Value = serde_json::from_str(OUTREACH).unwrap();
    let (status, _) = app.post_json(&a.token, &format!("/api/cases/{case}/outreach"), &outreach).await;
    assert_eq!(status, 200);
    let (status, _) = app
        .post_json(&a.token, &format!("/api/cases/{case}/edd/source_of_funds"), &json!({"status": "outstanding"}))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.post_json(&a.token, &format!("/api/cases/{case}/edd/request"), &json!({})).await;
    assert_eq!(status, 200);
    smtp.next_message().await;
    smtp.next_message().await;

    // Each event carries the instant its message was marked sent, and is schema-valid.
    for (event, kind) in [("outreach.email.sent", "outreach"), ("edd.requested", "edd_request")] {
        let fired = app.events_of(&a.token, &case, event, 1).await;
        assert_eq!(fired.len(), 1, "{event} once");
        let mails = fml_store::mail::list(&app.db, &app.org).await.unwrap();
        let mail = mails.iter().find(|m| m.kind == kind).unwrap();
        let sent_at = Timestamp::from_millis(mail.sent_at.expect("marked sent")).to_iso();
        assert_eq!(fired[0]["timestamp"], sent_at, "{event} is timed at the handoff");
        if event == "edd.requested" {
            assert_eq!(fired[0]["sentAt"], sent_at);
        }
    }
    // The sending is on the audit trail.
    let audit = fml_store::audit::list(&app.db, &app.org, Some("mail.sent"), 10).await.unwrap();
    assert_eq!(audit.len(), 2, "{audit:?}");
}

async fn a_message_that_fails_for_good_announces_nothing(b: Backend) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = spawn_with(b, Options { smtp_url: Some(format!("smtp://127.0.0.1:{port}")), ..Options::default() }).await;
    let a = app.analyst(Role::Admin).await;
    let case = quiet_case(&app, "crm-announce-2").await;
    let outreach: Value = serde_json::from_str(OUTREACH).unwrap();
    assert_eq!(app.post_json(&a.token, &format!("/api/cases/{case}/outreach"), &outreach).await.0, 200);
    let failed_once = || async {
        let mails = fml_store::mail::list(&app.db, &app.org).await.unwrap();
        mails.into_iter().find(|m| m.kind == "outreach" && m.last_error.is_some())
    };
    eventually(20, failed_once).await;
    let events = |n: usize| {
        let (app, token, case) = (&app, a.token.clone(), case.clone());
        async move {
            let all = app.timeline_all(&token, &case).await;
            assert_eq!(all.iter().filter(|e| e["event"] == "outreach.email.sent").count(), n, "{all:?}");
        }
    };
    events(0).await;

    // The last attempt: the job gives up, the message is failed, still nothing announced.
    crate::idempotency::exec(
        &app,
        "UPDATE jobs SET attempts = max_attempts - 1, run_at = 0 WHERE kind = 'send_mail' AND status = 'queued'",
    )
    .await;
    let mail = eventually(20, || async {
        let mails = fml_store::mail::list(&app.db, &app.org).await.unwrap();
        mails.into_iter().find(|m| m.kind == "outreach" && m.status == "failed")
    })
    .await;
    assert!(mail.sent_at.is_none());
    events(0).await;

    // The analyst sees it on the case, with why.
    let s = sign_in(&app, &a).await;
    let (_, page) = s.get(&app, &format!("/cases/{case}")).await;
    let activity = page.split("id=\"timeline\"").nth(1).unwrap();
    assert!(activity.contains("Not sent: gave up"), "{activity}");
    assert!(activity.contains("Why it was not sent"), "{activity}");
}

crate::on_both_backends!(sent_events_are_timed_at_the_smtp_handoff, a_message_that_fails_for_good_announces_nothing);
