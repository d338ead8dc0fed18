//! `GET /api/cases/{caseId}/engines`: every engine's stored results for a case at once —
//! screening, risk and routing, documents as processed, identity verification, monitoring
//! and the latest case review: what the console's case view shows.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::documents::DocumentView;
use crate::routes::idv::IdvCheckView;
use crate::routes::monitoring::{MonitoringAlert, MonitoringRun};
use crate::routes::review::AiReview;
use crate::routes::risk::{AssessmentView, RoutingView};
use crate::routes::screening::{ScreeningHit, ScreeningRun};
use crate::routes::workflow::locate;
use fml_web::error::ApiError;
use fml_web::extract::Staff;
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(engines))
}

/// Screening: the latest run and its hits.
#[derive(Debug, Serialize, ToSchema)]
pub struct EngineScreening {
    run: Option<ScreeningRun>,
    hits: Vec<ScreeningHit>,
}

/// Risk and routing: the latest assessment and routing.
#[derive(Debug, Serialize, ToSchema)]
pub struct EngineRisk {
    assessment: Option<AssessmentView>,
    routing: Option<RoutingView>,
}

/// Every engine's stored results for a case.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EngineResults {
    case_id: String,
    screening: EngineScreening,
    risk: EngineRisk,
    /// Every document with what processing read.
    documents: Vec<DocumentView>,
    /// Each person's identity check.
    idv: Vec<IdvCheckView>,
    monitoring: EngineMonitoring,
    /// The latest case review.
    ai_review: Option<AiReview>,
}

/// Monitoring: the latest run and the alerts, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EngineMonitoring {
    last_run: Option<MonitoringRun>,
    alerts: Vec<MonitoringAlert>,
}

/// Every engine's latest stored results for a case (screening with its hits, risk with its
/// factors, routing, documents with their extraction, identity checks, monitoring, the latest
/// case review).
#[utoipa::path(
    get, path = "/api/cases/{caseId}/engines", tag = "risk", operation_id = "get_case_engines",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 200, description = "The engines' latest results", body = EngineResults)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn engines(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<EngineResults>, ApiError> {
    let e = fml_app::engines::results(&st.ctx, &staff, &locate(&case_id)?).await?;
    let (run, hits) = match e.screening {
        Some((run, hits)) => (Some(run.into()), hits.into_iter().map(Into::into).collect()),
        None => (None, Vec::new()),
    };
    Ok(Json(EngineResults {
        case_id: e.case.id.to_string(),
        screening: EngineScreening { run, hits },
        risk: EngineRisk { assessment: e.assessment.map(Into::into), routing: e.routing.map(Into::into) },
        documents: e.documents.iter().map(Into::into).collect(),
        idv: e.idv.into_iter().map(Into::into).collect(),
        monitoring: EngineMonitoring {
            last_run: e.monitoring_run.map(Into::into),
            alerts: e.alerts.into_iter().map(Into::into).collect(),
        },
        ai_review: e.review.map(Into::into),
    }))
}
