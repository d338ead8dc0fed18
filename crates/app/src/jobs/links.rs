//! The `send_portal_links` job: the way back in's lookup and mail, queued by
//! [`crate::portal_links::request`].

use fml_domain::OrgId;
use fml_domain::email::EmailAddress;
use fml_domain::jobs::Job;

use super::{JobFuture, JobHandler, Outcome};
use crate::Ctx;

/// The `send_portal_links` job.
#[derive(Debug)]
pub(crate) struct SendLinks;

impl JobHandler for SendLinks {
    fn kind(&self) -> &'static str {
        "send_portal_links"
    }

    fn run<'a>(
        &'a self,
        ctx: &'a Ctx,
        _org: Option<&'a OrgId>,
        job: &'a fml_store::jobs::JobRecord,
    ) -> JobFuture<'a, Outcome> {
        Box::pin(async move {
            let Job::SendPortalLinks { email } = &job.job else {
                return Outcome::Failed(format!("{} is not a send_portal_links job", job.job.kind()));
            };
            match EmailAddress::parse(email) {
                Ok(email) => Outcome::of(crate::portal_links::send_links(ctx, &email).await),
                // Checked when it was queued: a stored job that no longer parses is done.
                Err(why) => {
                    tracing::warn!(why, "a send_portal_links job's email does not parse; skipped");
                    Outcome::Done
                }
            }
        })
    }
}
