//! The case review over the analyst API: run it now (answered when done), queue it as a job
//! and stream the job's progress as server-sent events (what it reads, each factor it finds,
//! then the stored review), and list a case's reviews with the inputs each read.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use fml_app::queries::records::ReviewRow;
use fml_app::review::{self as commands, Followed, Progress};
use fml_domain::review::Review;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::workflow::locate;
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::Staff;
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_reviews)).routes(routes!(run_review)).routes(routes!(stream_review))
}

/// A review.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AiReview {
    /// `reviewId` in `ai_review.completed`.
    id: i64,
    triggered_by: String,
    /// `Approve`, `Refer` or `Decline`.
    recommendation: String,
    /// `High`, `Medium` or `Low`.
    confidence: String,
    /// `[{text, severity}]`, severity `HIGH`, `MEDIUM` or `LOW`.
    #[schema(value_type = Vec<Object>)]
    risk_factors: Value,
    /// What the review read (screening hits, risk, EDD, documents, people).
    #[schema(value_type = Object)]
    inputs: Value,
    model: String,
    prompt_version: String,
    #[schema(value_type = String, format = DateTime)]
    completed_at: fml_domain::Timestamp,
    /// The background job that wrote it (a streamed review's, or one queued after risk);
    /// none for a review answered when done, or stored before jobs were recorded.
    job_id: Option<i64>,
}

impl From<ReviewRow> for AiReview {
    fn from(r: ReviewRow) -> Self {
        Self {
            id: r.id,
            triggered_by: r.triggered_by,
            recommendation: r.recommendation,
            confidence: r.confidence,
            risk_factors: serde_json::from_str(&r.risk_factors).unwrap_or(Value::Null),
            inputs: serde_json::from_str(&r.inputs).unwrap_or(Value::Null),
            model: r.model,
            prompt_version: r.prompt_version,
            completed_at: fml_domain::Timestamp::from_millis(r.completed_at),
            job_id: r.job_id,
        }
    }
}

/// A case's reviews.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AiReviewList {
    case_id: String,
    /// Newest first, at most 20.
    data: Vec<AiReview>,
}

/// A case's reviews, newest first, each with what it read.
#[utoipa::path(
    get, path = "/api/cases/{caseId}/ai-reviews", tag = "ai_review", operation_id = "list_ai_reviews",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 200, description = "The reviews", body = AiReviewList)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn list_reviews(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<AiReviewList>, ApiError> {
    let (case, rows) = commands::list(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok(Json(AiReviewList { case_id: case.id.to_string(), data: rows.into_iter().map(Into::into).collect() }))
}

fn summary(id: i64, r: &Review) -> Value {
    json!({
        "reviewId": id,
        "recommendation": r.recommendation,
        "confidence": r.confidence,
        "riskFactors": r.factors.iter().map(|f| json!({"text": f.text, "severity": f.severity})).collect::<Vec<_>>(),
    })
}

/// A review's outcome.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AiReviewOutcome {
    review_id: i64,
    recommendation: String,
    confidence: String,
    #[schema(value_type = Vec<Object>)]
    risk_factors: Value,
}

/// Review the case now, under your email (`ai_review.completed` follows).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/ai-review", tag = "ai_review", operation_id = "run_ai_review",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 200, description = "The review", body = AiReviewOutcome)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn run_review(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (id, review) = commands::run_for(&st.ctx, &staff, &locate(&case_id)?, &mut |_| {}).await?;
    Ok(Json(summary(id, &review)))
}

fn event_name_schema() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::Type(utoipa::openapi::schema::Type::String))
        .enum_values(Some(["step", "factor", "completed", "error"].map(|v| Value::String(v.into()))))
        .build()
        .into()
}

/// One server-sent event of a streamed review.
#[derive(Debug, Serialize, ToSchema)]
pub struct AiReviewStreamEvent {
    /// `step` (`{text}`: what was read), `factor` (`{text, severity}`), `completed` (the
    /// review: `{reviewId, recommendation, confidence, riskFactors}`) or `error` (`{error}`).
    #[schema(schema_with = event_name_schema)]
    event: String,
    /// The event's JSON.
    data: String,
}

fn sse(event: &str, data: &Value) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

/// Review the case in the background, under your email, and stream it as server-sent
/// events. The review is queued as a job (audited `ai_review.requested`), and the stream
/// follows it: `step` (what was read) and `factor` (each risk factor as it is found) while it
/// runs on this node, then `completed` (the stored review) or `error` (the job failed for
/// good, or it did not finish within five minutes). The job does not depend on the stream:
/// if the client leaves, the review is still stored and `ai_review.completed` still follows
/// (`GET …/ai-reviews` lists it with its `jobId`).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/ai-review/stream", tag = "ai_review", operation_id = "stream_ai_review",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses(
        (status = 200, description = "The review's job as it runs", content_type = "text/event-stream", body = AiReviewStreamEvent),
        (status = 404, description = "No such case in your tenant; nothing is queued", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn stream_review(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Response, ApiError> {
    // The case is found in the tenant (or refused) and the job queued before the stream
    // starts, so a 404 is a 404 and nothing is queued for it.
    let following = commands::request(&st.ctx, &staff, &locate(&case_id)?).await?;
    // Polled only while the client reads; dropped when it leaves, which leaves the job be.
    let stream = futures_util::stream::unfold(following, |mut following| async move {
        let line = match following.next().await? {
            Followed::Progress(Progress::Read(text)) => sse("step", &json!({"text": text})),
            Followed::Progress(Progress::Factor(f)) => sse("factor", &json!({"text": f.text, "severity": f.severity})),
            Followed::Completed(id, review) => sse("completed", &summary(id, &review)),
            Followed::Failed(error) => sse("error", &json!({"error": error})),
        };
        Some((Ok::<_, std::convert::Infallible>(line), following))
    });
    Ok(([(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-store")], Body::from_stream(stream))
        .into_response())
}
