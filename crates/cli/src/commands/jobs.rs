//! `fml jobs`: the job table, for an operator.

use anyhow::{Context, Result};
use clap::Subcommand;
use serde_json::json;

use super::{open_db, print, require_org};

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Print jobs, newest first.
    List {
        /// Only this organisation's jobs.
        #[arg(long)]
        org: Option<String>,
        /// queued, running, done or failed.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
}

pub(crate) async fn jobs(url: &str, org: Option<String>, status: Option<String>, limit: i64, json: bool) -> Result<()> {
    let db = open_db(url).await?;
    let org = match org {
        Some(o) => Some(require_org(&db, &o).await?),
        None => None,
    };
    let status = match status.as_deref() {
        Some(s) => Some(
            fml_domain::jobs::JobStatus::parse(s)
                .with_context(|| format!("--status must be queued, running, done or failed, not {s:?}"))?,
        ),
        None => None,
    };
    let rows =
        fml_app::queries::jobs(&super::ctx(&db), org.as_ref(), status, limit).await.map_err(super::command_error)?;
    let items: Vec<_> = rows
        .iter()
        .map(|j| {
            json!({
                "id": j.id, "orgId": j.org_id, "kind": j.job.kind(), "payload": serde_json::to_value(&j.job).unwrap_or_default(),
                "status": j.status.as_str(), "attempts": j.attempts, "maxAttempts": j.max_attempts,
                "runAt": j.run_at.to_iso(), "lastError": j.last_error, "createdAt": j.created_at.to_iso(),
                "finishedAt": j.finished_at.map(|t| t.to_iso()),
            })
        })
        .collect();
    print(json, &json!(items), || {
        items
            .iter()
            .map(|j| {
                format!(
                    "#{} {} [{}] attempts {}/{} run at {}{}",
                    j["id"],
                    j["kind"].as_str().unwrap_or(""),
                    j["status"].as_str().unwrap_or(""),
                    j["attempts"],
                    j["maxAttempts"],
                    j["runAt"].as_str().unwrap_or(""),
                    j["lastError"].as_str().map(|e| format!(" — {e}")).unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

pub(crate) async fn run(url: &str, cmd: JobsCommand) -> Result<()> {
    let JobsCommand::List { org, status, limit, json } = cmd;
    jobs(url, org, status, limit, json).await
}
