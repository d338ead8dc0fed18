//! The job runner: leases due jobs from the job table and runs each with its handler, until
//! the process ends. Woken when a committed change queued jobs; otherwise it looks every few
//! seconds for retries that came due and for jobs whose worker died (their lease ran out).
//!
//! A node runs only the kinds it can handle: without SMTP, `send_mail` jobs wait (the outbox
//! is then the mailbox) and stay visible in `fml jobs list`.

use std::sync::Arc;
use std::time::Duration;

use fml_domain::Timestamp;
use fml_domain::jobs::{Job, backoff_secs};
use fml_store::Db;
use fml_store::jobs::JobRecord;
use tokio::sync::Notify;

use crate::mail::{Mailer, SEND_DEADLINE_SECS};
use fml_web::config::Config;

/// Jobs leased at once; they run together.
const BATCH: i64 = 8;
/// The longest a job may run. One that takes longer (a vendor answering slowly for each of
/// many people) is abandoned and retried later: every engine commits as it goes and skips
/// what is already done, so the retry resumes rather than repeats.
const JOB_DEADLINE_SECS: i64 = 240;
/// A lease must outlast the slowest possible batch, or another node would take the same jobs
/// while they still run (and, for mail, send it twice). The batch runs at once, so its
/// slowest job is the bound.
pub const LEASE_SECS: i64 = JOB_DEADLINE_SECS + 30;
// Every job of a leased batch finishes (or is abandoned) before the lease ends, so no other
// node can lease it meanwhile; a mail's own deadline fits inside a job's. Checked at build.
const _: () = assert!(LEASE_SECS > JOB_DEADLINE_SECS && SEND_DEADLINE_SECS < JOB_DEADLINE_SECS);

/// What this node can run: the engines always, mail when SMTP is configured.
#[derive(Debug, Clone)]
pub struct Handlers {
    pub mailer: Option<Mailer>,
    pub ctx: fml_app::Ctx,
}

impl Handlers {
    /// Every kind ([`Job::KINDS`]), but mail without SMTP.
    fn kinds(&self) -> Vec<&'static str> {
        Job::KINDS.iter().copied().filter(|k| *k != Job::SEND_MAIL || self.mailer.is_some()).collect()
    }
}

pub async fn run(db: Db, config: Arc<Config>, wake: Arc<Notify>, handlers: Handlers) {
    let kinds = handlers.kinds();
    if kinds.is_empty() {
        return;
    }
    loop {
        match fml_store::jobs::lease(&db, &kinds, Timestamp::now(), LEASE_SECS, BATCH).await {
            Ok(jobs) if !jobs.is_empty() => {
                // A batch runs at once: one job's parsing or vendor call overlaps another's
                // database round trips (each job is its own transactions; none waits on another).
                futures_util::future::join_all(jobs.into_iter().map(|job| run_one(&db, &config, &handlers, job))).await;
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not lease jobs"),
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}

/// How long a job that waits for other work (a document being read) waits before it looks
/// again.
const WAIT_SECS: i64 = 30;

/// How one run of a job ended.
#[derive(Debug)]
enum Outcome {
    Done,
    /// It failed: retried with backoff until its attempts are used up.
    Failed(String),
    /// It waits for other work: run again later, without using an attempt.
    Waiting(String),
    /// It waits for a known time (a tenant's mail allowance), without using an attempt.
    WaitUntil(String, Timestamp),
}

async fn run_one(db: &Db, config: &Config, handlers: &Handlers, job: JobRecord) {
    let deadline = Duration::from_secs(JOB_DEADLINE_SECS.unsigned_abs());
    let outcome = tokio::time::timeout(deadline, handle(db, config, handlers, &job))
        .await
        .unwrap_or_else(|_| Outcome::Failed(format!("abandoned after {JOB_DEADLINE_SECS} s")));
    record(db, &job, outcome).await;
}

/// Runs one job with its handler.
async fn handle(db: &Db, config: &Config, handlers: &Handlers, job: &JobRecord) -> Outcome {
    match &job.job {
        Job::SendMail { mail_id } => match &handlers.mailer {
            Some(m) => match m.send(db, config, *mail_id).await {
                Ok(crate::mail::Sent::Deferred(at)) => {
                    Outcome::WaitUntil("the tenant's mail for this hour is spent".to_owned(), at)
                }
                Ok(_) => Outcome::Done,
                Err(e) => Outcome::Failed(e),
            },
            None => Outcome::Failed("no SMTP server is configured".to_owned()),
        },
        Job::ScreenCase { case_id, triggered_by, review } => {
            match job.org_id.as_deref().map(fml_domain::OrgId::parse) {
                Some(Ok(org)) => engine(
                    fml_app::screening::run(&handlers.ctx, &org, *case_id, triggered_by, review.as_deref()).await,
                ),
                _ => Outcome::Failed("the job names no tenant".to_owned()),
            }
        }
        Job::MonitorCase { case_id, triggered_by, slot } => match job.org_id.as_deref().map(fml_domain::OrgId::parse) {
            Some(Ok(org)) => engine(fml_app::monitoring::run(&handlers.ctx, &org, *case_id, triggered_by, *slot).await),
            _ => Outcome::Failed("the job names no tenant".to_owned()),
        },
        Job::AssessRisk { case_id, assessed_by, review } => match job.org_id.as_deref().map(fml_domain::OrgId::parse) {
            Some(Ok(org)) => {
                engine(fml_app::risk::assess(&handlers.ctx, &org, *case_id, assessed_by, review.as_deref()).await)
            }
            _ => Outcome::Failed("the job names no tenant".to_owned()),
        },
        Job::ReviewCase { case_id, triggered_by } => match job.org_id.as_deref().map(fml_domain::OrgId::parse) {
            Some(Ok(org)) => {
                engine(fml_app::review::run(&handlers.ctx, &org, *case_id, triggered_by, &mut |_| {}).await)
            }
            _ => Outcome::Failed("the job names no tenant".to_owned()),
        },
        Job::ProcessDocument { case_id, document_id } => match job.org_id.as_deref().map(fml_domain::OrgId::parse) {
            Some(Ok(org)) => engine(
                fml_app::processing::process(
                    &handlers.ctx,
                    &org,
                    *case_id,
                    fml_domain::document::DocumentId(*document_id),
                )
                .await,
            ),
            _ => Outcome::Failed("the job names no tenant".to_owned()),
        },
        Job::DispatchIdv { case_id, dispatched_by: _ } => match job.org_id.as_deref().map(fml_domain::OrgId::parse) {
            Some(Ok(org)) => engine(
                fml_app::idv::dispatch(
                    &handlers.ctx,
                    &org,
                    &fml_domain::ids::CaseLocator::Id(*case_id),
                    fml_app::idv::Dispatcher::System,
                )
                .await,
            ),
            _ => Outcome::Failed("the job names no tenant".to_owned()),
        },
    }
}

async fn record(db: &Db, job: &JobRecord, outcome: Outcome) {
    let now = Timestamp::now();
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
            if let Job::SendMail { mail_id } = &job.job
                && let Err(err) = fml_store::mail::mark_failed(db, *mail_id, &e, give_up).await
            {
                tracing::error!(mail_id, error = %err, "could not record the mail failure");
            }
            let retry = (!give_up).then(|| now.plus_secs(backoff_secs(job.attempts)));
            fml_store::jobs::fail(db, job.id, &e, retry, now).await
        }
    };
    if let Err(e) = recorded {
        tracing::error!(job = job.id, error = %e, "could not record a job's outcome");
    }
}

/// An engine's outcome as a job's: a case that is gone is done (nothing left to do), work it
/// waits for is a wait, other refusals and store errors are retried.
fn engine<T>(result: Result<T, fml_app::CommandError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Done,
        Err(fml_app::CommandError::NotFound(what)) => {
            tracing::info!(what, "an engine job's object is gone; nothing to do");
            Outcome::Done
        }
        Err(fml_app::CommandError::NotYet(why)) => Outcome::Waiting(why),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}
