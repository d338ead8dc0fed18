//! Housekeeping, once an hour as a recurring job: deletes expired tokens, sessions,
//! idempotency keys, public applications and remembered vendor callbacks, stored files no
//! document names, finished jobs after a month and, when a retention is set, finished
//! deliveries (with their attempts) older than it. Each step is idempotent and reports its
//! own failure, so a run cut short is simply done again by the next slot.

use std::time::Duration;

use fml_domain::lifecycle::Role;
use fml_domain::{OrgId, Timestamp};
use fml_store::audit::{ActorKind, Entry};
use fml_store::jobs::JobRecord;
use fml_store::mail::NewMail;

use super::{JobFuture, JobHandler, Outcome};
use crate::Ctx;

/// How long a stored file no document names is kept: an upload writes its file before its
/// row commits.
const ORPHAN_BLOB_GRACE: Duration = Duration::from_secs(3600);

/// The handler of `housekeeping` jobs.
#[derive(Debug)]
pub struct Housekeeping {
    /// Finished deliveries older than this are pruned (`None`: kept).
    pub delivery_retention: Option<Duration>,
    /// Endpoints whose every attempt failed this long are disabled (`None`: never).
    pub endpoint_disable_after: Option<Duration>,
}

impl JobHandler for Housekeeping {
    fn kind(&self) -> &'static str {
        fml_domain::jobs::Job::HOUSEKEEPING
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, _: Option<&'a OrgId>, _: &'a JobRecord) -> JobFuture<'a, Outcome> {
        Box::pin(async move {
            let now = Timestamp::now();
            let mut failures = sweep(ctx, self.delivery_retention, now).await;
            if let Some(after) = self.endpoint_disable_after {
                match disable_failing(ctx, after, now).await {
                    Ok(0) => {}
                    Ok(n) => tracing::warn!(disabled = n, "housekeeping: disabled endpoints that kept failing"),
                    Err(e) => failures.push(format!("failing endpoints: {e}")),
                }
            }
            if failures.is_empty() { Outcome::Done } else { Outcome::Failed(failures.join("; ")) }
        })
    }
}

/// Disables the endpoints whose every attempt failed for `after` (and that were still tried
/// in the last day), each with its audit row and an email to its tenant's admins, in one
/// unit of work. Their queues wait until someone enables them again.
pub async fn disable_failing(ctx: &Ctx, after: Duration, now: Timestamp) -> Result<usize, crate::CommandError> {
    let since = now.plus_secs(-i64::try_from(after.as_secs()).unwrap_or(i64::MAX / 1000));
    let mut unit = ctx.unit().await?;
    let disabled = fml_store::endpoints::disable_failing_in(unit.conn(), since, now.plus_secs(-86_400), now).await?;
    if disabled.is_empty() {
        unit.unchanged();
        unit.commit().await?;
        return Ok(0);
    }
    let hours = after.as_secs() / 3600;
    for e in &disabled {
        let org = OrgId::from_trusted(e.org_id.clone());
        let why = format!("every attempt failed for {hours} hours");
        let entry = Entry {
            org: Some(&org),
            case_id: None,
            actor_kind: ActorKind::System,
            actor: "system",
            action: "endpoint.disable",
            detail: serde_json::json!({"id": e.id, "reason": why}),
        };
        unit.audit(&entry, now);
        // A context that composes no mail (a CLI's) still disables; the console says why.
        let Ok(cfg) = ctx.mail() else { continue };
        let (subject, body) = fml_domain::letters::endpoint_disabled(&e.label, &e.url, hours);
        let admins = fml_store::analysts::list_in(unit.conn(), &org).await?;
        let mails: Vec<NewMail> = admins
            .into_iter()
            .filter(|a| a.role == Role::Admin && a.disabled_at.is_none())
            .map(|a| crate::mail::sealed(cfg, &org, None, "endpoint_disabled", &a.email, subject.clone(), &body))
            .collect();
        unit.queue_mail(&mails.iter().collect::<Vec<_>>(), now).await?;
    }
    unit.commit().await?;
    Ok(disabled.len())
}

/// Every step, each on its own; returns the failures.
pub async fn sweep(ctx: &Ctx, delivery_retention: Option<Duration>, now: Timestamp) -> Vec<String> {
    let db = &ctx.db;
    let mut failures = Vec::new();
    let mut step = |what: &str, r: Result<u64, String>| match r {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "housekeeping: {what}"),
        Err(e) => {
            tracing::warn!(error = %e, "housekeeping: {what} failed");
            failures.push(format!("{what}: {e}"));
        }
    };
    let err = |e: fml_store::StoreError| e.to_string();
    step("expired public applications", fml_store::applications::purge_expired(db, now).await.map_err(err));
    step(
        "unreferenced document files",
        crate::documents::collect_orphan_blobs(ctx, ORPHAN_BLOB_GRACE)
            .await
            .map(|c| u64::try_from(c.removed + c.abandoned).unwrap_or(u64::MAX))
            .map_err(|e| e.to_string()),
    );
    step("expired tokens", fml_store::clients::purge_expired_tokens(db, now).await.map_err(err));
    step("expired analyst sessions", fml_store::analysts::purge_expired_sessions(db, now).await.map_err(err));
    step("expired portal sessions", fml_store::portal::purge_expired_sessions(db, now).await.map_err(err));
    // Finished jobs are kept a month for `fml jobs list`, then dropped.
    step("finished jobs", fml_store::jobs::prune_finished(db, now.plus_secs(-30 * 86_400)).await.map_err(err));
    // Endpoint health reads the last week: hours older than eight days are no longer read.
    step("endpoint statistics", fml_store::endpoint_stats::prune(db, now.plus_secs(-8 * 86_400)).await.map_err(err));
    // A listen session whose stream has been gone a day is over.
    step("idle listen sessions", fml_store::listen::prune(db, now.plus_secs(-86_400)).await.map_err(err));
    step("expired idempotency keys", fml_store::idempotency::purge_expired(db, now).await.map_err(err));
    // A day past their freshness window, callbacks are refused as stale anyway.
    step("remembered vendor callbacks", fml_store::idv::purge_callbacks(db, now.plus_secs(-86_400)).await.map_err(err));
    if let Some(keep) = delivery_retention {
        let before = Timestamp::from_millis(now.millis() - i64::try_from(keep.as_millis()).unwrap_or(i64::MAX));
        step(
            "deliveries past the retention",
            fml_store::deliveries::prune_finished(db, before, 1000).await.map_err(err),
        );
    }
    failures
}
