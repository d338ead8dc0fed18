//! Background work, one model: every kind of job has a [`JobHandler`] in a [`Registry`], and
//! one runner leases due jobs of the kinds registered, runs each under a deadline and records
//! how it ended (done, retried with the handler's backoff, or waiting without using an
//! attempt). Recurring work (housekeeping, the monitoring schedule) is queued as jobs too,
//! once per time slot by whichever node claims the slot ([`recurring`]).
//!
//! A node registers only what it can run: without SMTP, `send_mail` jobs wait (the outbox is
//! then the mailbox) and stay visible in `fml jobs list`.

mod engines;
pub mod housekeeping;
mod links;
pub mod progress;
pub mod recurring;
mod runner;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use fml_domain::jobs::backoff_secs;
use fml_domain::{OrgId, Timestamp};
use fml_store::jobs::JobRecord;

use crate::{CommandError, Ctx};

pub use runner::{JOB_DEADLINE_SECS, LEASE_SECS, run};

/// A handler's future: handlers are stored as trait objects, so their `run` is boxed.
pub type JobFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How one run of a job ended.
#[derive(Debug)]
pub enum Outcome {
    Done,
    /// It failed: retried with the handler's backoff until its attempts are used up.
    Failed(String),
    /// It waits for other work (a document being read): run again later, without using an
    /// attempt.
    Waiting(String),
    /// It waits for a known time (a tenant's mail allowance), without using an attempt.
    WaitUntil(String, Timestamp),
}

impl Outcome {
    /// An engine's result as a job's: a case that is gone is done (nothing left to do), work
    /// it waits for is a wait, other refusals and store errors are retried.
    pub fn of<T>(result: Result<T, CommandError>) -> Self {
        match result {
            Ok(_) => Outcome::Done,
            Err(CommandError::NotFound(what)) => {
                tracing::info!(what, "an engine job's object is gone; nothing to do");
                Outcome::Done
            }
            Err(CommandError::NotYet(why)) => Outcome::Waiting(why),
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

/// One kind of job: its stored name, how it runs, and how long a failed attempt waits. How
/// many attempts it has is the job's own ([`fml_domain::jobs::Job::max_attempts`]), stored
/// with it when it is queued.
pub trait JobHandler: Send + Sync + std::fmt::Debug {
    /// The kind it runs, as stored ([`fml_domain::jobs::Job::kind`]).
    fn kind(&self) -> &'static str;

    /// Runs one job; `org` is the job's tenant, parsed once by the runner (`None` for work of
    /// no tenant).
    fn run<'a>(&'a self, ctx: &'a Ctx, org: Option<&'a OrgId>, job: &'a JobRecord) -> JobFuture<'a, Outcome>;

    /// Seconds before the retry that follows failed attempt `attempt` (1-based).
    fn backoff_secs(&self, attempt: i32) -> i64 {
        backoff_secs(attempt)
    }

    /// Told of a failed attempt (`gave_up`: it was the last), after the job's row records it.
    fn failed<'a>(&'a self, _ctx: &'a Ctx, _job: &'a JobRecord, _error: &'a str, _gave_up: bool) -> JobFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// Periods of the recurring jobs, and how long finished deliveries are kept.
#[derive(Debug, Clone)]
pub struct Schedules {
    /// How often housekeeping runs (an hour).
    pub housekeeping_every: Duration,
    /// How often the monitoring schedule looks for runs that came due.
    pub monitoring_every: Duration,
    /// Finished deliveries older than this are pruned (`None`: kept).
    pub delivery_retention: Option<Duration>,
    /// Endpoints whose every attempt failed this long are disabled (`None`: never).
    pub endpoint_disable_after: Option<Duration>,
}

/// The handlers this node runs, by kind.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    handlers: Vec<Arc<dyn JobHandler>>,
    recurring: Vec<recurring::Recurring>,
}

impl Registry {
    /// The platform's own kinds: every engine, housekeeping and the monitoring schedule (mail
    /// needs an SMTP transport, which the host adds with [`Registry::with`]).
    pub fn platform(schedules: &Schedules) -> Self {
        let mut r = Registry::default();
        for h in engines::all() {
            r.handlers.push(h);
        }
        r.handlers.push(Arc::new(housekeeping::Housekeeping {
            delivery_retention: schedules.delivery_retention,
            endpoint_disable_after: schedules.endpoint_disable_after,
        }));
        r.handlers.push(Arc::new(recurring::ScheduleMonitoring));
        r.handlers.push(Arc::new(links::SendLinks));
        r.recurring = recurring::Recurring::platform(schedules);
        r
    }

    /// Adds (or replaces) the handler of one kind.
    pub fn with(mut self, handler: impl JobHandler + 'static) -> Self {
        self.handlers.retain(|h| h.kind() != handler.kind());
        self.handlers.push(Arc::new(handler));
        self
    }

    /// The kinds this node runs.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.handlers.iter().map(|h| h.kind()).collect()
    }

    fn handler(&self, kind: &str) -> Option<&Arc<dyn JobHandler>> {
        self.handlers.iter().find(|h| h.kind() == kind)
    }
}

#[cfg(test)]
mod tests {
    use fml_domain::jobs::Job;

    use super::*;

    #[test]
    fn the_platform_registers_every_kind_but_mail_and_recovery() {
        let schedules = Schedules {
            housekeeping_every: Duration::from_secs(3600),
            monitoring_every: Duration::from_secs(60),
            delivery_retention: None,
            endpoint_disable_after: None,
        };
        let mut kinds = Registry::platform(&schedules).kinds();
        // Mail needs SMTP, and recovery is fml-outbound's: the host adds both.
        kinds.extend([Job::SEND_MAIL, Job::RECOVER_DELIVERIES]);
        kinds.sort_unstable();
        let mut all = Job::KINDS.to_vec();
        all.sort_unstable();
        assert_eq!(kinds, all);
    }
}
