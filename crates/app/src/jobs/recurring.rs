//! Recurring work as jobs. Time is cut into slots of each job's period; at the start of a
//! slot every node's runner tries to claim it, and the one whose claim commits queues the
//! slot's job in the same transaction. So however many nodes run, each slot's work is queued
//! once, then leased, retried and listed like any other job.

use std::time::Duration;

use fml_domain::jobs::Job;
use fml_domain::{OrgId, Timestamp};
use fml_store::jobs::JobRecord;

use super::{JobFuture, JobHandler, Outcome, Schedules};
use crate::Ctx;

/// One recurring job: its name (its kind), its period, and the job of a slot.
#[derive(Debug, Clone)]
pub struct Recurring {
    pub name: &'static str,
    pub every: Duration,
    job: fn(i64) -> Job,
}

impl Recurring {
    /// Housekeeping every `housekeeping_every`, the monitoring schedule every
    /// `monitoring_every`.
    pub fn platform(s: &Schedules) -> Vec<Recurring> {
        vec![
            Recurring { name: Job::HOUSEKEEPING, every: s.housekeeping_every, job: |slot| Job::Housekeeping { slot } },
            Recurring {
                name: Job::SCHEDULE_MONITORING,
                every: s.monitoring_every,
                job: |slot| Job::ScheduleMonitoring { slot },
            },
        ]
    }

    /// The slot `now` falls in.
    pub fn slot(&self, now: Timestamp) -> i64 {
        let period = i64::try_from(self.every.as_millis()).unwrap_or(i64::MAX).max(1);
        now.millis().div_euclid(period)
    }
}

/// Claims slot `slot` of `r` and queues its job, in one transaction; true when this node
/// claimed it (false: another node did, or a later slot is claimed already).
pub async fn claim(ctx: &Ctx, r: &Recurring, slot: i64, now: Timestamp) -> Result<bool, fml_store::StoreError> {
    let mut unit = ctx.bookkeeping().await?;
    if !fml_store::jobs::claim_slot(unit.conn(), r.name, slot).await? {
        return Ok(false);
    }
    unit.enqueue(&[(None, (r.job)(slot))], now).await?;
    unit.commit().await?;
    Ok(true)
}

/// The handler of `schedule_monitoring` jobs: queues the monitoring runs that came due (each
/// case's run slot is claimed too, so a run is never queued twice).
#[derive(Debug)]
pub struct ScheduleMonitoring;

/// Runs queued per pass; a slot with more due keeps going until none are left.
const PASS: i64 = 500;

impl JobHandler for ScheduleMonitoring {
    fn kind(&self) -> &'static str {
        Job::SCHEDULE_MONITORING
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, _: Option<&'a OrgId>, _: &'a JobRecord) -> JobFuture<'a, Outcome> {
        Box::pin(async move {
            loop {
                match crate::monitoring::schedule(ctx, Timestamp::now(), PASS).await {
                    Ok(n) if usize::try_from(PASS).is_ok_and(|p| n >= p) => {
                        tracing::info!(queued = n, "monitoring runs queued; more are due");
                    }
                    Ok(n) => {
                        if n > 0 {
                            tracing::info!(queued = n, "monitoring runs queued");
                        }
                        return Outcome::Done;
                    }
                    Err(e) => return Outcome::Failed(e.to_string()),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_follow_the_period() {
        let r = Recurring { name: "x", every: Duration::from_secs(60), job: |slot| Job::Housekeeping { slot } };
        assert_eq!(r.slot(Timestamp::from_millis(0)), 0);
        assert_eq!(r.slot(Timestamp::from_millis(59_999)), 0);
        assert_eq!(r.slot(Timestamp::from_millis(60_000)), 1);
        let zero = Recurring { every: Duration::ZERO, ..r };
        assert_eq!(zero.slot(Timestamp::from_millis(5)), 5, "a zero period is one slot a millisecond");
    }
}
