//! Bulk recovery through the Public API: `POST /v1/webhook-endpoints/{id}/recover` re-queues
//! every failed delivery of a window as a durable job; its progress is read back by id.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use fml_domain::{FieldError, Scope, Timestamp};
use fml_outbound::recover::Recovery;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::super::idempotent::{self, Storage};
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{Auth, IdempotencyHeader, JsonBody, typed_body};
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(recover)).routes(routes!(list_recoveries)).routes(routes!(get_recovery))
}

/// The body of a recovery: the window of the deliveries' creation times.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RecoverBody {
    /// The window's start (RFC 3339, inclusive).
    #[schema(value_type = String, format = DateTime, required = true)]
    since: Option<Value>,
    /// The window's end (RFC 3339, exclusive); omitted or later than now: now.
    #[schema(value_type = Option<String>, format = DateTime)]
    until: Option<Value>,
}

/// A bulk recovery and its progress.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryView {
    pub id: String,
    pub endpoint_id: String,
    #[schema(value_type = String, format = DateTime)]
    pub since: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub until: Timestamp,
    /// `running` or `done`.
    pub status: String,
    /// Failed deliveries in the window when the recovery began.
    pub total: i64,
    /// Re-queued so far (each gets one attempt now, as a redelivery).
    pub requeued: i64,
    /// The client id, analyst email or `cli` that asked.
    pub requested_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
}

impl From<&Recovery> for RecoveryView {
    fn from(r: &Recovery) -> Self {
        Self {
            id: r.id.clone(),
            endpoint_id: r.endpoint_id.clone(),
            since: Timestamp::from_millis(r.since_at),
            until: Timestamp::from_millis(r.until_at),
            status: r.status.clone(),
            total: r.total,
            requeued: r.requeued,
            requested_by: r.requested_by.clone(),
            created_at: Timestamp::from_millis(r.created_at),
            finished_at: r.finished_at.map(Timestamp::from_millis),
        }
    }
}

/// A list of recoveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryList {
    pub data: Vec<RecoveryView>,
}

fn time_field(name: &str, v: Option<&Value>, errors: &mut Vec<FieldError>) -> Option<Timestamp> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Timestamp::parse_iso(s).or_else(|| {
            errors.push(FieldError::new(name, "must be an RFC 3339 time, e.g. 2026-12-01T09:00:00Z"));
            None
        }),
        Some(_) => {
            errors.push(FieldError::new(name, "must be a string"));
            None
        }
    }
}

/// Re-send every failed delivery of this endpoint created in `[since, until)`.
#[utoipa::path(post, path = "/v1/webhook-endpoints/{id}/recover", tag = "webhooks",
    params(("id" = String, Path)),
    request_body = RecoverBody,
    responses(
        (status = 202, description = "The recovery, begun: re-queued in batches by a job", body = RecoveryView),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "recovery_running: this endpoint's last recovery has not finished", body = ErrorBody),
        (status = 422, description = "invalid_window: `since` is not before `until` (or now)", body = ErrorBody),
        (status = 400, description = "validation_error", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:write"])))]
async fn recover(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
    JsonBody(body, _): JsonBody,
) -> Result<Response, ApiError> {
    auth.require(Scope::WebhooksWrite)?;
    let typed: RecoverBody = typed_body(&body)?;
    let mut errors = Vec::new();
    let since = time_field("since", typed.since.as_ref(), &mut errors);
    let until = time_field("until", typed.until.as_ref(), &mut errors);
    if since.is_none() && errors.is_empty() {
        errors.push(FieldError::new("since", "is required"));
    }
    let (Some(since), true) = (since, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let route = format!("POST /v1/webhook-endpoints/{id}/recover");
    idempotent::call(&st, &auth, key, route, &body, Storage::Plain, || async {
        let by = fml_app::Operator::Client(&auth.client_id);
        let r = fml_outbound::recover::start(&st.ctx, &auth.org, &id, since, until, by).await?;
        idempotent::to_json(StatusCode::ACCEPTED, &RecoveryView::from(&r))
    })
    .await
}

/// This endpoint's recoveries, newest first (the last 20).
#[utoipa::path(get, path = "/v1/webhook-endpoints/{id}/recoveries", tag = "webhooks",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Its recoveries", body = RecoveryList),
    ),
    security(("oauth2" = ["webhooks:read"])))]
async fn list_recoveries(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<RecoveryList>, ApiError> {
    auth.require(Scope::WebhooksRead)?;
    let rows = fml_outbound::recover::list(&st.ctx, &auth.org, &id).await?;
    Ok(Json(RecoveryList { data: rows.iter().map(RecoveryView::from).collect() }))
}

/// One recovery and its progress.
#[utoipa::path(get, path = "/v1/webhook-endpoints/{id}/recoveries/{recoveryId}", tag = "webhooks",
    params(("id" = String, Path), ("recoveryId" = String, Path)),
    responses(
        (status = 200, description = "The recovery", body = RecoveryView),
        (status = 404, description = "not_found", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:read"])))]
async fn get_recovery(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, recovery_id)): Path<(String, String)>,
) -> Result<Json<RecoveryView>, ApiError> {
    auth.require(Scope::WebhooksRead)?;
    let r = fml_outbound::recover::get(&st.ctx, &auth.org, &id, &recovery_id).await?;
    Ok(Json(RecoveryView::from(&r)))
}
