//! Bulk recovery: after an outage, every failed delivery of an endpoint in a window is sent
//! again (one manual attempt each, as a redelivery), by a durable job that walks them in
//! batches. The recovery's row is its progress; `POST /v1/webhook-endpoints/{id}/recover`,
//! the console and `fml endpoint recover` begin one, and all three read the same row.

use fml_app::jobs::{JOB_DEADLINE_SECS, JobFuture, JobHandler, Outcome};
use fml_app::principal::Operator;
use fml_app::{CommandError, Ctx};
use fml_domain::jobs::Job;
use fml_domain::{OrgId, Timestamp};
use fml_store::jobs::JobRecord;
use fml_store::recoveries::NewRecovery;
pub use fml_store::recoveries::Recovery;
use serde_json::json;

/// Deliveries re-queued per transaction.
pub const BATCH: i64 = 500;

/// Begins recovering `endpoint`'s failed deliveries created in `[since, until)` (`until`
/// defaults to now, and a later one is now: nothing after it can have failed yet). The job is
/// queued in the same transaction; the answer is the recovery with its total.
pub async fn start(
    ctx: &Ctx,
    org: &OrgId,
    endpoint: &str,
    since: Timestamp,
    until: Option<Timestamp>,
    by: Operator<'_>,
) -> Result<Recovery, CommandError> {
    let now = Timestamp::now();
    let until = until.map_or(now, |u| if u.millis() > now.millis() { now } else { u });
    if since.millis() >= until.millis() {
        return Err(CommandError::Unprocessable(
            "invalid_window",
            "`since` must be before `until` (and before now): the window is empty".into(),
        ));
    }
    let mut unit = ctx.unit().await?;
    if fml_store::endpoints::get_in(unit.conn(), org, endpoint).await?.is_none() {
        return Err(CommandError::NotFound("no such endpoint"));
    }
    let id = format!("rec_{}", uuid::Uuid::now_v7().simple());
    let (_, actor) = by.audit();
    let new = NewRecovery { id: &id, endpoint_id: endpoint, since, until, requested_by: actor };
    let Some(recovery) = fml_store::recoveries::begin_in(unit.conn(), org, &new, now).await? else {
        return Err(CommandError::Conflict(
            "recovery_running",
            "a recovery of this endpoint is still running: wait for it to finish (GET its recoveries)".into(),
        ));
    };
    unit.enqueue_one(Some(org), &Job::RecoverDeliveries { recovery_id: id.clone() }, now).await?;
    let detail = json!({"id": endpoint, "recoveryId": id, "since": since, "until": until, "total": recovery.total});
    by.record(&mut unit, org, "endpoint.recover", detail, now).await?;
    unit.commit().await?;
    Ok(recovery)
}

/// One recovery of `endpoint` (another endpoint's, or another tenant's, is not found).
pub async fn get(ctx: &Ctx, org: &OrgId, endpoint: &str, id: &str) -> Result<Recovery, CommandError> {
    fml_store::recoveries::get(&ctx.db, Some(org), id)
        .await?
        .filter(|r| r.endpoint_id == endpoint)
        .ok_or(CommandError::NotFound("no such recovery"))
}

/// `endpoint`'s recoveries, newest first (at most 20).
pub async fn list(ctx: &Ctx, org: &OrgId, endpoint: &str) -> Result<Vec<Recovery>, CommandError> {
    Ok(fml_store::recoveries::for_endpoint(&ctx.db, org, endpoint, 20).await?)
}

/// Re-queues one batch of recovery `id` and wakes its endpoint; returns the recovery as it
/// now stands. A batch another run took first is not repeated: this one reads the row again.
pub async fn step(ctx: &Ctx, id: &str) -> Result<Recovery, CommandError> {
    let r = fml_store::recoveries::get(&ctx.db, None, id).await?.ok_or(CommandError::NotFound("no such recovery"))?;
    if r.status != "running" {
        return Ok(r);
    }
    let org = OrgId::from_trusted(r.org_id.clone());
    let mut unit = ctx.bookkeeping().await?;
    if fml_store::endpoints::get_in(unit.conn(), &org, &r.endpoint_id).await?.is_none() {
        drop(unit);
        fml_store::recoveries::abandon(&ctx.db, id, Timestamp::now()).await?;
        return Err(CommandError::NotFound("the recovery's endpoint was deleted"));
    }
    match fml_store::recoveries::step_in(unit.conn(), &r, BATCH, Timestamp::now()).await? {
        Some(next) => {
            if next.requeued > r.requeued {
                unit.wake_endpoint(&r.endpoint_id);
            }
            unit.commit().await?;
            Ok(next)
        }
        // Rolled back with the unit.
        None => Ok(fml_store::recoveries::get(&ctx.db, None, id).await?.unwrap_or(r)),
    }
}

/// The `recover_deliveries` job: batches until the recovery is done, or until the job's
/// deadline nears (then it runs again at once and goes on from the cursor).
#[derive(Debug)]
pub struct RecoverDeliveries;

impl JobHandler for RecoverDeliveries {
    fn kind(&self) -> &'static str {
        Job::RECOVER_DELIVERIES
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, _org: Option<&'a OrgId>, job: &'a JobRecord) -> JobFuture<'a, Outcome> {
        Box::pin(async move {
            let Job::RecoverDeliveries { recovery_id } = &job.job else {
                return Outcome::Failed(format!("{} is not a recover_deliveries job", job.job.kind()));
            };
            let started = Timestamp::now();
            loop {
                match step(ctx, recovery_id).await {
                    Ok(r) if r.status != "running" => return Outcome::Done,
                    Ok(_) if Timestamp::now().millis() - started.millis() > JOB_DEADLINE_SECS * 1000 / 2 => {
                        return Outcome::WaitUntil("more batches to go".into(), Timestamp::now());
                    }
                    Ok(_) => {}
                    Err(e) => return Outcome::of::<()>(Err(e)),
                }
            }
        })
    }
}
