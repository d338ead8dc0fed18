//! Liveness and readiness.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz)).routes(routes!(readyz)).routes(routes!(metrics))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database is reachable.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn readyz(State(st): State<AppState>) -> (StatusCode, Json<Health>) {
    match st.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(Health { status: "ok" })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "database unreachable" }))
        }
    }
}

/// Prometheus metrics (text format 0.0.4): delivery attempts by outcome and event type, the
/// attempt latency histogram, queue depth and the age of the oldest due delivery, jobs by kind
/// and state, per-endpoint failure streaks, HTTP requests by route and status. Served only when
/// the deployment sets `FML_METRICS_TOKEN`, to a scraper presenting it as a bearer token.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses(
        (status = 200, description = "The metrics", content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, description = "invalid_token: not the metrics token", body = fml_web::error::ErrorBody),
        (status = 404, description = "not_found: no metrics token is configured", body = fml_web::error::ErrorBody),
    ))]
async fn metrics(
    State(st): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, fml_web::error::ApiError> {
    use axum::response::IntoResponse;
    let presented = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    match fml_web::metrics::allowed(&st, presented) {
        None => {
            Err(fml_web::error::ApiError::NotFound("metrics are off on this server (FML_METRICS_TOKEN is not set)"))
        }
        Some(false) => {
            Err(fml_web::error::ApiError::InvalidToken("the metrics token is required", presented.is_some()))
        }
        Some(true) => {
            let text =
                fml_web::metrics::scrape(&st).await.map_err(|e| fml_web::error::ApiError::Internal(e.to_string()))?;
            Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
        }
    }
}
