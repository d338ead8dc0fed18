//! The runner: leases due jobs of the registered kinds and runs them, until the process
//! ends. Woken when a committed change queued jobs; otherwise it looks every few seconds for
//! retries that came due, jobs whose worker died (their lease ran out) and recurring slots
//! that began.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use fml_domain::{OrgId, Timestamp};
use fml_store::jobs::JobRecord;
use tokio::sync::Notify;

use super::{Outcome, Registry, recurring};
use crate::Ctx;

/// Jobs leased at once; they run together.
const BATCH: i64 = 8;
/// The longest a job may run. One that takes longer (a vendor answering slowly for each of
/// many people) is abandoned and retried later: every engine commits as it goes and skips
/// what is already done, so the retry resumes rather than repeats.
pub const JOB_DEADLINE_SECS: i64 = 240;
/// A lease must outlast the slowest possible batch, or another node would take the same jobs
/// while they still run (and, for mail, send it twice). The batch runs at once, so its
/// slowest job is the bound.
pub const LEASE_SECS: i64 = JOB_DEADLINE_SECS + 30;
const _: () = assert!(LEASE_SECS > JOB_DEADLINE_SECS);
/// How long a job that waits for other work (a document being read) waits before it looks
/// again.
const WAIT_SECS: i64 = 30;
/// How often the runner looks without being woken.
const IDLE: Duration = Duration::from_secs(5);

/// Runs the registry's jobs until the process ends.
pub async fn run(ctx: Ctx, registry: Registry, wake: Arc<Notify>) {
    let kinds = registry.kinds();
    if kinds.is_empty() {
        return;
    }
    // The last slot of each recurring job this node saw claimed: a claim is tried once per
    // slot, not on every pass.
    let mut seen: HashMap<&'static str, i64> = HashMap::new();
    // Looks at least as often as the shortest recurring period (tests run monitoring every
    // second), but never spins.
    let idle =
        registry.recurring.iter().map(|r| r.every).min().map_or(IDLE, |p| p.clamp(Duration::from_millis(100), IDLE));
    loop {
        claim_recurring(&ctx, &registry, &mut seen).await;
        match fml_store::jobs::lease(&ctx.db, &kinds, Timestamp::now(), LEASE_SECS, BATCH).await {
            Ok(jobs) if !jobs.is_empty() => {
                // A batch runs at once: one job's parsing or vendor call overlaps another's
                // database round trips (each job is its own transactions; none waits on another).
                futures_util::future::join_all(jobs.into_iter().map(|job| run_one(&ctx, &registry, job))).await;
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not lease jobs"),
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(idle) => {}
        }
    }
}

async fn claim_recurring(ctx: &Ctx, registry: &Registry, seen: &mut HashMap<&'static str, i64>) {
    let now = Timestamp::now();
    for r in &registry.recurring {
        let slot = r.slot(now);
        if seen.get(r.name).is_some_and(|s| *s >= slot) {
            continue;
        }
        match recurring::claim(ctx, r, slot, now).await {
            Ok(claimed) => {
                if claimed {
                    tracing::debug!(job = r.name, slot, "claimed a recurring slot");
                }
                seen.insert(r.name, slot);
            }
            Err(e) => tracing::warn!(job = r.name, error = %e, "could not claim a recurring slot"),
        }
    }
}

async fn run_one(ctx: &Ctx, registry: &Registry, job: JobRecord) {
    let deadline = Duration::from_secs(JOB_DEADLINE_SECS.unsigned_abs());
    let Some(handler) = registry.handler(job.job.kind()) else {
        record(ctx, registry, &job, Outcome::Failed(format!("no handler for {}", job.job.kind()))).await;
        return;
    };
    let org = match job.org_id.as_deref().map(OrgId::parse) {
        Some(Ok(org)) => Some(org),
        Some(Err(_)) => {
            record(ctx, registry, &job, Outcome::Failed("the job's tenant is not a tenant id".to_owned())).await;
            return;
        }
        None => None,
    };
    let outcome = tokio::time::timeout(deadline, handler.run(ctx, org.as_ref(), &job))
        .await
        .unwrap_or_else(|_| Outcome::Failed(format!("abandoned after {JOB_DEADLINE_SECS} s")));
    record(ctx, registry, &job, outcome).await;
}

async fn record(ctx: &Ctx, registry: &Registry, job: &JobRecord, outcome: Outcome) {
    let (db, now) = (&ctx.db, Timestamp::now());
    let recorded = match outcome {
        Outcome::Done => fml_store::jobs::complete(db, job.id, now).await,
        Outcome::Waiting(why) => {
            tracing::info!(job = job.id, kind = job.job.kind(), reason = %why, "a job waits");
            fml_store::jobs::defer(db, job.id, &why, now.plus_secs(WAIT_SECS)).await
        }
        Outcome::WaitUntil(why, at) => {
            tracing::info!(job = job.id, kind = job.job.kind(), reason = %why, until = %at.to_iso(), "a job waits");
            fml_store::jobs::defer(db, job.id, &why, at).await
        }
        Outcome::Failed(e) => {
            let give_up = job.attempts >= job.max_attempts;
            tracing::warn!(job = job.id, kind = job.job.kind(), attempt = job.attempts, error = %e, "a job failed");
            let handler = registry.handler(job.job.kind());
            let backoff =
                handler.map_or_else(|| fml_domain::jobs::backoff_secs(job.attempts), |h| h.backoff_secs(job.attempts));
            let retry = (!give_up).then(|| now.plus_secs(backoff));
            // The handler's own record of the failure (mail marks its outbox row) comes
            // first: whoever sees the job failed then sees what the failure left.
            if let Some(h) = handler {
                h.failed(ctx, job, &e, give_up).await;
            }
            fml_store::jobs::fail(db, job.id, &e, retry, now).await
        }
    };
    if let Err(e) = recorded {
        tracing::error!(job = job.id, error = %e, "could not record a job's outcome");
    }
}
