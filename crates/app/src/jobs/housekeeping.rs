//! Housekeeping, once an hour as a recurring job: deletes expired tokens, sessions,
//! idempotency keys, public applications and remembered vendor callbacks, stored files no
//! document names, finished jobs after a month and, when a retention is set, finished
//! deliveries (with their attempts) older than it. Each step is idempotent and reports its
//! own failure, so a run cut short is simply done again by the next slot.

use std::time::Duration;

use fml_domain::{OrgId, Timestamp};
use fml_store::jobs::JobRecord;

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
}

impl JobHandler for Housekeeping {
    fn kind(&self) -> &'static str {
        fml_domain::jobs::Job::HOUSEKEEPING
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, _: Option<&'a OrgId>, _: &'a JobRecord) -> JobFuture<'a, Outcome> {
        Box::pin(async move {
            let failures = sweep(ctx, self.delivery_retention, Timestamp::now()).await;
            if failures.is_empty() { Outcome::Done } else { Outcome::Failed(failures.join("; ")) }
        })
    }
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
