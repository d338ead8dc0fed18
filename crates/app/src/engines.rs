//! Every engine's stored results for one case, as the console's case view shows them: read
//! in one snapshot, the case located once, so the parts agree with each other (a risk
//! assessment never appears beside the screening run before the one it read).

use fml_domain::OrgId;
use fml_domain::ids::CaseLocator;
use fml_store::StoreError;
use fml_store::cases::CaseRecord;
use fml_store::db::Conn;
use fml_store::documents::DocumentRecord;
use fml_store::idv::IdvCheck;
use fml_store::reviews::ReviewRow;
use fml_store::risk::{AssessmentRow, RoutingRow};
use fml_store::{monitoring, screening};

use crate::{Analyst, CommandError, Ctx};

/// A case's engine results.
#[derive(Debug, Clone)]
pub struct EngineState {
    pub case: CaseRecord,
    /// The latest screening run and its hits.
    pub screening: Option<(screening::RunRow, Vec<screening::HitRow>)>,
    pub assessment: Option<AssessmentRow>,
    pub routing: Option<RoutingRow>,
    pub documents: Vec<DocumentRecord>,
    pub idv: Vec<IdvCheck>,
    pub monitoring_run: Option<monitoring::RunRow>,
    /// Newest first.
    pub alerts: Vec<monitoring::AlertRow>,
    pub review: Option<ReviewRow>,
}

/// The engines' results for a case of the analyst's tenant.
pub async fn results(ctx: &Ctx, who: &Analyst, locator: &CaseLocator) -> Result<EngineState, CommandError> {
    let org = &who.org;
    let mut tx = ctx.db.snapshot().await?;
    let mut c = tx.conn();
    let case =
        fml_store::cases::get_in(c.reborrow(), org, locator).await?.ok_or(CommandError::NotFound("no such case"))?;
    Ok(results_in(c, org, case).await?)
}

/// [`results`] of a case already read, on the caller's connection (the case page's snapshot).
pub(crate) async fn results_in(mut c: Conn<'_>, org: &OrgId, case: CaseRecord) -> Result<EngineState, StoreError> {
    let screening = match screening::latest_run(c.reborrow(), org, case.id).await? {
        Some(run) => {
            let hits = screening::hits(c.reborrow(), org, run.id).await?;
            Some((run, hits))
        }
        None => None,
    };
    let assessment = fml_store::risk::latest_assessment(c.reborrow(), org, case.id).await?;
    let routing = fml_store::risk::latest_routing(c.reborrow(), org, case.id).await?;
    let documents = fml_store::documents::for_case(c.reborrow(), org, case.id).await?;
    let idv = fml_store::idv::for_case(c.reborrow(), org, case.id).await?;
    let (runs, alerts) = monitoring::for_case(c.reborrow(), org, case.id).await?;
    let review = fml_store::reviews::latest(c, org, case.id).await?;
    Ok(EngineState {
        case,
        screening,
        assessment,
        routing,
        documents,
        idv,
        monitoring_run: runs.into_iter().next(),
        alerts,
        review,
    })
}
