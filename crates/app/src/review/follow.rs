//! An analyst's review in the background: [`request`] queues a `review_case` job and follows
//! it, yielding the steps its run publishes on this node, then its outcome, read from the
//! database (the review names its job) when the run it heard ends or after each [`POLL`]
//! without news, so it ends even when the job ran on another node or before it listened.
//! The job is the work: its follower may leave at any time.

use std::time::Duration;

use fml_domain::ids::CaseLocator;
use fml_domain::jobs::{Job, JobStatus};
use fml_domain::review::Review;
use fml_domain::{CaseId, OrgId, Timestamp};
use fml_store::audit::{self, ActorKind};
use fml_store::jobs::JobRecord;
use fml_store::reviews::ReviewRow;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use super::Progress;
use crate::cases::load;
use crate::jobs::progress::Subscription;
use crate::{Analyst, CommandError, Ctx};

/// How long a follower waits without news before it looks at the job.
pub const POLL: Duration = Duration::from_secs(1);
/// How long it waits for the outcome: a whole attempt ([`crate::jobs::JOB_DEADLINE_SECS`]) and a slow queue.
pub const DEADLINE: Duration = Duration::from_secs(300);

/// What a followed review did next.
#[derive(Debug, Clone, PartialEq)]
pub enum Followed {
    /// A step of its run, as it happened.
    Progress(Progress),
    /// The review its job stored (the last).
    Completed(i64, Review),
    /// Why no review came (the last): the job failed for good, or the follower gave up.
    Failed(String),
}

/// An analyst asks for the case's review in the background: a `review_case` job under their
/// email and its audit row, in one transaction (another tenant's case is `NotFound`).
pub async fn request(ctx: &Ctx, who: &Analyst, locator: &CaseLocator) -> Result<Following, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    let job = Job::ReviewCase { case_id: case.id, triggered_by: who.email.clone() };
    let job_id = unit.enqueue_one(Some(&who.org), &job, now).await?;
    let entry = audit::Entry {
        org: Some(&who.org),
        case_id: Some(case.id),
        actor_kind: ActorKind::Analyst,
        actor: &who.email,
        action: "ai_review.requested",
        detail: json!({"jobId": job_id}),
    };
    unit.audit(&entry, now);
    // Before a runner can see the job, so its run on this node is heard from the first step.
    let live = ctx.review_progress.subscribe(job_id);
    unit.commit().await?;
    let (org, case_id, deadline) = (who.org.clone(), case.id, Instant::now() + DEADLINE);
    Ok(Following { ctx: ctx.clone(), org, case_id, job_id, live: Some(live), deadline, ended: false })
}

/// A review job being followed; dropping it leaves the job to run on its own.
#[derive(Debug)]
pub struct Following {
    ctx: Ctx,
    org: OrgId,
    case_id: CaseId,
    job_id: i64,
    /// The channel of the job's current run on this node.
    live: Option<Subscription<Progress>>,
    deadline: Instant,
    ended: bool,
}

impl Following {
    pub fn job_id(&self) -> i64 {
        self.job_id
    }

    /// Gives up `patience` from now rather than at [`DEADLINE`].
    #[must_use]
    pub fn with_deadline(mut self, patience: Duration) -> Self {
        self.deadline = Instant::now() + patience;
        self
    }

    /// What the job did next; `None` after its end.
    pub async fn next(&mut self) -> Option<Followed> {
        if self.ended {
            return None;
        }
        let next = self.wait().await;
        self.ended = !matches!(next, Followed::Progress(_));
        Some(next)
    }

    async fn wait(&mut self) -> Followed {
        loop {
            let heard = tokio::select! {
                heard = hear(&mut self.live) => Some(heard),
                () = tokio::time::sleep(POLL) => None,
                () = tokio::time::sleep_until(self.deadline) => return Followed::Failed(format!(
                    "the review did not finish in time; its job {} goes on, and lists its review when done", self.job_id
                )),
            };
            match heard {
                Some(Ok(step)) => return Followed::Progress(step),
                // The steps missed are lost; the outcome is still read from the database.
                Some(Err(RecvError::Lagged(_))) => continue,
                Some(Err(RecvError::Closed)) => self.live = None,
                None => {}
            }
            match self.settled().await {
                Ok(Some(end)) => return end,
                Ok(None) => {}
                Err(e) => tracing::warn!(job = self.job_id, error = %e, "could not read a followed review's job"),
            }
            // A run that ended without an outcome will be retried: hear the next one too.
            if self.live.is_none() {
                self.live = Some(self.ctx.review_progress.subscribe(self.job_id));
            }
        }
    }

    async fn settled(&self) -> Result<Option<Followed>, fml_store::StoreError> {
        let mut r = self.ctx.db.reader().await?;
        // The job before the review: a job recorded done had committed its review before.
        let job = fml_store::jobs::get_in(r.conn(), &self.org, self.job_id).await?;
        let review = fml_store::reviews::by_job(r.conn(), &self.org, self.case_id, self.job_id).await?;
        Ok(verdict(job.as_ref(), review.as_ref()))
    }
}

async fn hear(live: &mut Option<Subscription<Progress>>) -> Result<Progress, RecvError> {
    match live {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

/// How a job and what it stored end a follower's wait: the review when there is one, the
/// job's failure once it failed for good, nothing while it may still run.
fn verdict(job: Option<&JobRecord>, review: Option<&ReviewRow>) -> Option<Followed> {
    if let Some(row) = review {
        return Some(row.review().map_or_else(|e| Followed::Failed(e.to_string()), |r| Followed::Completed(row.id, r)));
    }
    match job.map(|j| (j.status, j.last_error.as_deref())) {
        None => Some(Followed::Failed("the review's job is gone".to_owned())),
        Some((JobStatus::Queued | JobStatus::Running, _)) => None,
        Some((JobStatus::Failed, error)) => Some(Followed::Failed(error.unwrap_or("the review failed").to_owned())),
        // An engine's job whose case is gone is done with nothing to do.
        Some((JobStatus::Done, _)) => Some(Followed::Failed("no review was written: the case is gone".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use fml_domain::events::{AiRecommendation, Confidence, RiskSeverity};
    use fml_domain::review::Factor;

    use super::*;

    fn job(status: JobStatus, last_error: Option<&str>) -> JobRecord {
        let case_id: CaseId = "0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b".parse().unwrap();
        JobRecord {
            id: 9,
            org_id: Some("org_a".into()),
            job: Job::ReviewCase { case_id, triggered_by: "a@bank.example".into() },
            status,
            attempts: 1,
            max_attempts: 6,
            run_at: Timestamp::from_millis(0),
            last_error: last_error.map(str::to_owned),
            created_at: Timestamp::from_millis(0),
            finished_at: None,
        }
    }

    fn review() -> ReviewRow {
        ReviewRow {
            id: 4,
            triggered_by: "a@bank.example".into(),
            recommendation: "Refer".into(),
            confidence: "Medium".into(),
            risk_factors: r#"[{"text":"No screening yet","severity":"MEDIUM"}]"#.into(),
            inputs: "{}".into(),
            model: "rules-v1".into(),
            prompt_version: "1".into(),
            completed_at: 0,
            job_id: Some(9),
        }
    }

    #[test]
    fn the_stored_review_ends_it_whatever_the_job_row_says() {
        let expected = Followed::Completed(
            4,
            Review {
                recommendation: AiRecommendation::Refer,
                confidence: Confidence::Medium,
                factors: vec![Factor { text: "No screening yet".into(), severity: RiskSeverity::Medium }],
            },
        );
        for j in [None, Some(job(JobStatus::Running, None)), Some(job(JobStatus::Done, None))] {
            assert_eq!(verdict(j.as_ref(), Some(&review())), Some(expected.clone()));
        }
    }

    #[test]
    fn without_a_review_it_waits_while_the_job_may_still_run() {
        assert_eq!(verdict(Some(&job(JobStatus::Queued, Some("store: busy"))), None), None, "a retry");
        assert_eq!(verdict(Some(&job(JobStatus::Running, None)), None), None);
        assert_eq!(
            verdict(Some(&job(JobStatus::Failed, Some("store: down"))), None),
            Some(Followed::Failed("store: down".into()))
        );
        assert!(matches!(verdict(Some(&job(JobStatus::Done, None)), None), Some(Followed::Failed(_))));
        assert!(matches!(verdict(None, None), Some(Followed::Failed(_))));
    }

    #[test]
    fn a_corrupt_review_ends_it_with_an_error() {
        let bad = ReviewRow { recommendation: "Maybe".into(), ..review() };
        assert!(matches!(verdict(None, Some(&bad)), Some(Followed::Failed(e)) if e.contains("recommendation")));
    }
}
