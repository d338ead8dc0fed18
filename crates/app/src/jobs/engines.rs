//! The engines' jobs: screening, risk, monitoring runs, case reviews, document processing and
//! identity-link dispatch. Each is one command of its engine, run for the job's tenant; the
//! command commits as it goes and skips what is done, so a retry resumes rather than repeats.

use std::sync::Arc;

use fml_domain::OrgId;
use fml_domain::ids::CaseLocator;
use fml_domain::jobs::Job;
use fml_store::jobs::JobRecord;

use super::{JobFuture, JobHandler, Outcome};
use crate::Ctx;

/// The kinds an [`Engine`] runs.
const KINDS: [&str; 6] =
    ["screen_case", "assess_risk", "monitor_case", "review_case", "process_document", "dispatch_idv"];

/// The handler of one engine kind.
#[derive(Debug)]
struct Engine {
    kind: &'static str,
}

/// One handler per engine kind.
pub(super) fn all() -> Vec<Arc<dyn JobHandler>> {
    KINDS.into_iter().map(|kind| Arc::new(Engine { kind }) as Arc<dyn JobHandler>).collect()
}

impl JobHandler for Engine {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, org: Option<&'a OrgId>, job: &'a JobRecord) -> JobFuture<'a, Outcome> {
        Box::pin(async move {
            let Some(org) = org else { return Outcome::Failed("the job names no tenant".to_owned()) };
            match &job.job {
                Job::ScreenCase { case_id, triggered_by, review } => {
                    Outcome::of(crate::screening::run(ctx, org, *case_id, triggered_by, review.as_deref()).await)
                }
                Job::AssessRisk { case_id, assessed_by, review } => {
                    Outcome::of(crate::risk::assess(ctx, org, *case_id, assessed_by, review.as_deref()).await)
                }
                Job::MonitorCase { case_id, triggered_by, slot } => {
                    Outcome::of(crate::monitoring::run(ctx, org, *case_id, triggered_by, *slot).await)
                }
                Job::ReviewCase { case_id, triggered_by } => {
                    Outcome::of(crate::review::run_job(ctx, org, job.id, *case_id, triggered_by).await)
                }
                Job::ProcessDocument { case_id, document_id } => Outcome::of(
                    crate::processing::process(ctx, org, *case_id, fml_domain::document::DocumentId(*document_id))
                        .await,
                ),
                Job::DispatchIdv { case_id, dispatched_by: _ } => Outcome::of(
                    crate::idv::dispatch(ctx, org, &CaseLocator::Id(*case_id), crate::idv::Dispatcher::System).await,
                ),
                other => Outcome::Failed(format!("{} is not an engine's job", other.kind())),
            }
        })
    }
}
