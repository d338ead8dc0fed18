//! The invite email: through a real SMTP server when one is configured, else kept sealed in
//! the outbox.

use std::process::Stdio;

use fml_domain::secret::SecretHash;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::helpers::{Backend, Options, eventually, recipe_body, spawn, spawn_with};

pub struct SmtpSink {
    _child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    pub port: u16,
}

pub async fn start_smtp() -> SmtpSink {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/smtp_sink.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 with aiosmtpd is needed (see .ci/setup)");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().expect("the SMTP sink did not start: is aiosmtpd installed?");
    let port = first.strip_prefix("PORT ").unwrap().parse().unwrap();
    SmtpSink { _child: child, lines, port }
}

impl SmtpSink {
    pub async fn next_message(&mut self) -> Value {
        let line = tokio::time::timeout(std::time::Duration::from_secs(20), self.lines.next_line())
            .await
            .expect("no mail arrived within 20s")
            .unwrap()
            .unwrap();
        serde_json::from_str(&line).unwrap()
    }
}

/// Pulls the magic-link token out of a message body.
fn token_in(text: &str) -> String {
    let start = text.find("https://portal.test.example/invite/").expect("no magic link in the mail")
        + "https://portal.test.example/invite/".len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

async fn invite_is_sent_over_smtp_with_a_single_hashed_link(b: Backend) {
    let mut smtp = start_smtp().await;
    let app =
        spawn_with(b, Options { smtp_url: Some(format!("smtp://127.0.0.1:{}", smtp.port)), ..Options::default() })
            .await;
    let token = app.token().await;
    let case: Value = app.create_case(&token, None, &recipe_body("rec_mail")).await.json().await.unwrap();
    let msg = smtp.next_message().await;
    assert_eq!(msg["to"], json!(["jane@acme.example"]));
    assert_eq!(msg["from"], "kyb@test.example");
    assert_eq!(msg["subject"], "org_test_bank Ltd: complete the business verification for Acme Holdings Ltd");
    let data = msg["body"].as_str().unwrap();
    assert!(data.contains("Hello Jane Doe,"));
    let link_token = token_in(data);
    assert_eq!(link_token.len(), 43, "32 random bytes in base64url");
    // Only the hash of the token is stored.
    let hash = SecretHash::of(&link_token);
    let stored: Vec<String> = match &app.db {
        fml_store::Db::Sqlite { read, .. } => {
            sqlx::query_scalar("SELECT token_hash FROM case_invites").fetch_all(read).await.unwrap()
        }
        fml_store::Db::Postgres(p) => {
            sqlx::query_scalar("SELECT token_hash FROM case_invites").fetch_all(p).await.unwrap()
        }
    };
    assert_eq!(stored, vec![hash.as_str().to_owned()]);
    // The outbox row is marked sent and its sealed body dropped.
    let rows = eventually(10, || async {
        let rows = fml_store::mail::list(&app.db, &app.org).await.unwrap();
        (rows[0].status == "sent").then_some(rows)
    })
    .await;
    assert!(rows[0].body_sealed.is_none());
    assert_eq!(rows[0].case_id.as_deref(), case["caseId"].as_str());
    // A case without sendInvite sends nothing; the next mail to arrive is the next invite.
    app.create_case(&token, None, &json!({"customerEmail": "quiet@acme.example"})).await;
    app.create_case(&token, None, &json!({"customerEmail": "loud@acme.example", "sendInvite": true})).await;
    assert_eq!(smtp.next_message().await["to"], json!(["loud@acme.example"]));
}

async fn without_smtp_the_outbox_keeps_the_mail_sealed(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    app.create_case(&token, None, &recipe_body("rec_outbox")).await;
    let rows = fml_store::mail::list(&app.db, &app.org).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "pending");
    assert_eq!(rows[0].recipient, "jane@acme.example");
    let sealed = rows[0].body_sealed.clone().unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("invite/"), "the link is not stored readable");
    let key = fml_domain::crypto::MasterKey::from_hex(&app.master_key_hex).unwrap();
    let body = String::from_utf8(key.open(fml_store::mail::SEAL_CONTEXT, &sealed).unwrap()).unwrap();
    let link_token = token_in(&body);
    assert_eq!(link_token.len(), 43);
}

/// A tenant's mail per hour is capped: beyond it, messages wait in the outbox for the next
/// hour's allowance (their job deferred, not failed), and nothing is lost.
async fn a_tenants_mail_per_hour_is_capped(b: Backend) {
    let mut smtp = start_smtp().await;
    let smtp_url = Some(format!("smtp://127.0.0.1:{}", smtp.port));
    let app = spawn_with(b, Options { smtp_url, mail_per_hour: 2, ..Options::default() }).await;
    let token = app.token().await;
    for n in 0..3 {
        let res = app.create_case(&token, None, &recipe_body(&format!("rec_cap_{n}"))).await;
        assert_eq!(res.status(), 201);
    }
    smtp.next_message().await;
    smtp.next_message().await;
    let waiting = eventually(20, || async {
        let jobs = fml_store::jobs::list(&app.db, Some(&app.org), None, 10).await.unwrap();
        jobs.into_iter().find(|j| j.last_error.as_deref().is_some_and(|e| e.contains("mail for this hour")))
    })
    .await;
    assert_eq!(waiting.status, fml_domain::jobs::JobStatus::Queued);
    assert_eq!(waiting.attempts, 0, "waiting uses no attempt");
    let in_an_hour = fml_domain::Timestamp::now().plus_secs(3500);
    assert!(waiting.run_at > in_an_hour, "it waits for the hour's allowance");
    // The second message's send is recorded just after the sink got it.
    let outbox = eventually(20, || async {
        let outbox = fml_store::mail::list(&app.db, &app.org).await.unwrap();
        (outbox.iter().filter(|m| m.status == "sent").count() == 2).then_some(outbox)
    })
    .await;
    let statuses: Vec<&str> = outbox.iter().map(|m| m.status.as_str()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == "sent").count(), 2, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == "pending").count(), 1, "{statuses:?}");
    assert!(outbox.iter().any(|m| m.status == "pending" && m.body_sealed.is_some()), "kept for later");
}

crate::on_both_backends!(
    invite_is_sent_over_smtp_with_a_single_hashed_link,
    a_tenants_mail_per_hour_is_capped,
    without_smtp_the_outbox_keeps_the_mail_sealed
);
