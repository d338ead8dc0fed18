//! "Recent Deliveries": the delivery history, one delivery with its attempts, and manual
//! redelivery on the same delivery row.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use fml_app::queries::records::{AttemptRow, DeliveryRow, ListFilter};
use fml_domain::ids::CaseLocator;
use fml_domain::{FieldError, Scope, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{Auth, IdempotencyHeader};
use fml_web::state::AppState;

use super::idempotent::{self, Storage};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_deliveries)).routes(routes!(get_delivery)).routes(routes!(redeliver))
}

/// A delivery: one event to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// Also sent as `X-FML-Delivery-Id`.
    pub id: i64,
    /// Null only for a pre-save ping (`test: true`), sent before any endpoint existed.
    pub endpoint_id: Option<String>,
    pub event: String,
    pub event_id: String,
    pub case_id: Option<String>,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempt_count: i32,
    /// HTTP status of the last attempt (0: no response).
    pub last_http_status: Option<i32>,
    /// When a pending delivery is next attempted.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// A test ping (the pre-save ping or an endpoint's Test): sent once, never retried nor
    /// redelivered.
    pub test: bool,
    /// The URL a test ping was sent to; null for an event's delivery (its endpoint's URL).
    pub url: Option<String>,
}

impl From<&DeliveryRow> for DeliveryView {
    fn from(d: &DeliveryRow) -> Self {
        Self {
            id: d.id,
            endpoint_id: d.endpoint_id.clone(),
            event: d.event_type.clone(),
            event_id: d.event_id.clone(),
            case_id: d.case_id.clone(),
            status: d.status.clone(),
            attempt_count: d.attempt_count,
            last_http_status: d.last_http_status,
            next_attempt_at: (d.status == "pending").then_some(d.next_attempt_at).flatten().map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(d.created_at),
            test: d.test,
            url: d.target_url.clone(),
        }
    }
}

/// One attempt.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptView {
    /// 1-based, as sent in `X-FML-Attempt`.
    pub attempt: i32,
    /// A manual redelivery.
    pub manual: bool,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    /// 0 when there was no response (timeout, network error).
    pub http_status: i32,
    pub duration_ms: i64,
    pub error: Option<String>,
    /// The response body, whole up to 64 KiB (65,536 bytes, cut at a character boundary).
    pub response_body: Option<String>,
    /// The body was longer than 64 KiB: `responseBody` is its beginning.
    pub response_truncated: bool,
}

impl From<AttemptRow> for AttemptView {
    fn from(a: AttemptRow) -> Self {
        Self {
            attempt: a.attempt,
            manual: a.manual,
            started_at: Timestamp::from_millis(a.started_at),
            http_status: a.http_status,
            duration_ms: a.duration_ms,
            error: a.error,
            response_body: a.response_body,
            response_truncated: a.response_truncated,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct DeliveryDetail {
    #[serde(flatten)]
    delivery: DeliveryView,
    /// The exact event that is signed and sent on every attempt. It carries case data, so it
    /// is present only for clients that also hold `cases:read` (or `cases:write`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    payload: Option<Value>,
    attempts: Vec<AttemptView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct DeliveryList {
    data: Vec<DeliveryView>,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
struct ListParams {
    endpoint_id: Option<String>,
    /// `pending`, `delivered` or `failed` (empty: any).
    #[param(pattern = "^(pending|delivered|failed)?$")]
    status: Option<String>,
    /// An event type, e.g. `case.created`.
    event: Option<String>,
    /// A case UUID or reference.
    case_id: Option<String>,
    /// 1-100, default 25.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// `nextCursor` of the previous page (empty: the first page).
    #[param(pattern = "^[0-9]{0,18}$")]
    cursor: Option<String>,
}

/// Recent deliveries, newest first.
#[utoipa::path(get, path = "/v1/webhook-deliveries", tag = "webhooks",
    params(ListParams),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryList),
        (status = 400, description = "validation_error", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:read"])))]
async fn list_deliveries(
    State(st): State<AppState>,
    auth: Auth,
    query: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DeliveryList>, ApiError> {
    auth.require(Scope::WebhooksRead)?;
    let Query(p) = query.map_err(|e| ApiError::BadRequest("invalid_request", e.body_text()))?;
    let mut errors = Vec::new();
    let limit = p.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        errors.push(FieldError::new("limit", "must be between 1 and 100"));
    }
    let blank = |v: Option<String>| v.filter(|s| !s.is_empty());
    let (status, endpoint_id, event) = (blank(p.status), blank(p.endpoint_id), blank(p.event));
    if let Some(s) = &status
        && !["pending", "delivered", "failed"].contains(&s.as_str())
    {
        errors.push(FieldError::new("status", "must be pending, delivered or failed"));
    }
    let before = match p.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => c.parse::<i64>().map_err(|_| errors.push(FieldError::new("cursor", "is not a valid cursor"))).ok(),
        None => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // The read resolves a case reference to the case's UUID, which deliveries store; text that
    // is neither names no case, and no delivery matches it.
    let case = match p.case_id.as_deref().filter(|c| !c.is_empty()).map(CaseLocator::parse) {
        None => None,
        Some(Some(locator)) => Some(locator),
        Some(None) => return Ok(Json(DeliveryList { data: Vec::new(), next_cursor: None })),
    };
    let filter = ListFilter { endpoint_id, status, event, case_id: None, before };
    let mut rows = fml_app::queries::deliveries::list(&st.ctx, &auth.org, &filter, case.as_ref(), limit + 1).await?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|d| d.id.to_string())
    } else {
        None
    };
    Ok(Json(DeliveryList { data: rows.iter().map(DeliveryView::from).collect(), next_cursor }))
}

fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound("no such delivery"))
}

/// One delivery with every attempt, and its payload for clients that may read cases.
#[utoipa::path(get, path = "/v1/webhook-deliveries/{id}", tag = "webhooks",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The delivery", body = DeliveryDetail),
        (status = 404, description = "not_found", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:read"])))]
async fn get_delivery(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<DeliveryDetail>, ApiError> {
    auth.require(Scope::WebhooksRead)?;
    let fml_app::queries::deliveries::DeliveryDetail { delivery: d, payload, attempts, .. } =
        fml_app::queries::deliveries::get(&st.ctx, &auth.org, parse_id(&id)?).await?;
    Ok(Json(DeliveryDetail {
        delivery: DeliveryView::from(&d),
        payload: auth
            .require(Scope::CasesRead)
            .is_ok()
            .then(|| serde_json::from_str(&payload).unwrap_or(Value::String(payload))),
        attempts: attempts.into_iter().map(AttemptView::from).collect(),
    }))
}

/// Send a delivery again now, with its original payload, on the same delivery row (the
/// attempt counter continues).
#[utoipa::path(post, path = "/v1/webhook-deliveries/{id}/redeliver", tag = "webhooks",
    params(("id" = i64, Path)),
    responses(
        (status = 202, description = "Queued for an immediate attempt", body = DeliveryView),
        (status = 404, description = "not_found (or its endpoint was deleted)", body = ErrorBody),
        (status = 409, description = "test_delivery: a test ping is never sent again", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:write"])))]
async fn redeliver(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
) -> Result<Response, ApiError> {
    auth.require(Scope::WebhooksWrite)?;
    let delivery = parse_id(&id)?;
    let claim = idempotent::claim_of(&auth, key, format!("POST /v1/webhook-deliveries/{id}/redeliver"), &Value::Null);
    let render = |d: DeliveryRow| idempotent::text(&DeliveryView::from(&d));
    let key = idempotent::key(&st, claim.as_ref(), Storage::Plain, StatusCode::ACCEPTED, &render);
    let by = fml_app::Operator::Client(&auth.client_id);
    let out = fml_outbound::deliveries::redeliver_keyed(&st.ctx, &auth.org, delivery, by, key).await?;
    idempotent::answer(&st, claim.as_ref(), out)
}
