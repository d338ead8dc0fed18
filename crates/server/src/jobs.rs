//! The host's one job kind: `send_mail`, which needs the SMTP transport and so is registered
//! only on a node that has one (the rest of the job model is `fml_app::jobs`).

use std::sync::Arc;

use fml_app::Ctx;
use fml_app::jobs::{JOB_DEADLINE_SECS, JobFuture, JobHandler, Outcome};
use fml_domain::OrgId;
use fml_domain::jobs::Job;
use fml_store::jobs::JobRecord;
use fml_web::config::Config;

use crate::mail::{Mailer, SEND_DEADLINE_SECS, Sent};

// A mail's own deadline fits inside a job's, so a slow SMTP exchange ends as a failed attempt
// and not as an abandoned job. Checked at build.
const _: () = assert!(SEND_DEADLINE_SECS < JOB_DEADLINE_SECS);

/// Sends one message of the outbox; a failure is recorded on the message too (the outbox is
/// what `fml outbox` and the deliveries page show).
#[derive(Debug)]
pub struct SendMail {
    pub mailer: Mailer,
    pub config: Arc<Config>,
}

impl JobHandler for SendMail {
    fn kind(&self) -> &'static str {
        Job::SEND_MAIL
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, _: Option<&'a OrgId>, job: &'a JobRecord) -> JobFuture<'a, Outcome> {
        Box::pin(async move {
            let Job::SendMail { mail_id } = &job.job else {
                return Outcome::Failed(format!("{} is not a mail job", job.job.kind()));
            };
            match self.mailer.send(&ctx.db, &self.config, *mail_id).await {
                Ok(Sent::Deferred(at)) => Outcome::WaitUntil("the tenant's mail for this hour is spent".to_owned(), at),
                Ok(Sent::Nothing) => Outcome::Done,
                // Handed to SMTP: marked sent, with the event it announces, in one transaction.
                Ok(Sent::Sent) => match fml_app::mail::sent(ctx, *mail_id).await {
                    Ok(()) => Outcome::Done,
                    Err(e) => Outcome::Failed(format!("sent, but not recorded: {e}")),
                },
                Err(e) => Outcome::Failed(e),
            }
        })
    }

    fn failed<'a>(&'a self, ctx: &'a Ctx, job: &'a JobRecord, error: &'a str, gave_up: bool) -> JobFuture<'a, ()> {
        Box::pin(async move {
            if let Job::SendMail { mail_id } = &job.job
                && let Err(e) = fml_store::mail::mark_failed(&ctx.db, *mail_id, error, gave_up).await
            {
                tracing::error!(mail_id, error = %e, "could not record the mail failure");
            }
        })
    }
}
