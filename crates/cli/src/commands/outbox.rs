//! `fml outbox`: the mail outbox, read.

use anyhow::Result;
use clap::Subcommand;
use fml_domain::Timestamp;
use serde_json::json;

use super::{OrgListing, command_error, ctx, master_key, open_db, print, require_org};

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Print an organisation's queued and sent mail.
    List(OrgListing),
}

/// The http(s) links in a message body, in order.
pub(crate) fn links_in(body: &str) -> Vec<String> {
    body.split_whitespace()
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ')', '>']).to_owned())
        .collect()
}

pub(crate) async fn outbox(url: &str, org: &str, json: bool) -> Result<()> {
    let db = open_db(url).await?;
    let org = require_org(&db, org).await?;
    let key = master_key(&db, url).await?;
    let rows = fml_app::queries::outbox(&ctx(&db), &org).await.map_err(command_error)?;
    let items: Vec<_> = rows
        .iter()
        .map(|m| {
            let body = m
                .body_sealed
                .as_deref()
                .map(|b| key.open(fml_app::mail::SEAL_CONTEXT, b).map(|p| String::from_utf8_lossy(&p).into_owned()));
            let links: Vec<String> = match &body {
                Some(Ok(b)) => links_in(b),
                _ => Vec::new(),
            };
            json!({
                "id": m.id, "kind": m.kind, "to": m.recipient, "subject": m.subject, "status": m.status, "links": links,
                "caseId": m.case_id, "attempts": m.attempts, "lastError": m.last_error,
                "createdAt": Timestamp::from_millis(m.created_at).to_iso(),
                "sentAt": m.sent_at.map(|t| Timestamp::from_millis(t).to_iso()),
                "body": match body { Some(Ok(b)) => json!(b), Some(Err(_)) => json!("<cannot decrypt: different master key>"), None => json!(null) },
            })
        })
        .collect();
    print(json, &json!(items), || {
        items
            .iter()
            .map(|m| {
                format!(
                    "#{} [{}] to {} — {}\n{}",
                    m["id"],
                    m["status"],
                    m["to"],
                    m["subject"],
                    m["body"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n---\n")
    });
    Ok(())
}

pub(crate) async fn run(url: &str, cmd: OutboxCommand) -> Result<()> {
    let OutboxCommand::List(OrgListing { org, json }) = cmd;
    outbox(url, &org, json).await
}
