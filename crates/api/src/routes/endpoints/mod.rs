//! Webhook endpoints through the Public API (`webhooks:write` / `webhooks:read`): create,
//! list, read, update (incl. secret rotation), delete, the pre-save ping and the saved
//! endpoint's test.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use fml_app::queries::records::Endpoint;
use fml_domain::secret::Secret;
use fml_domain::{FieldError, Scope, Timestamp};
use fml_outbound::endpoints::{PingOutcome, validate};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::idempotent::{self, Storage};
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{Auth, IdempotencyHeader, JsonBody, typed_body};
use fml_web::state::AppState;

mod recover;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_endpoint, list_endpoints))
        .routes(routes!(get_endpoint, update_endpoint, delete_endpoint))
        .routes(routes!(ping))
        .routes(routes!(test_endpoint))
        .merge(recover::router())
}

/// An endpoint. `secret` appears only in the response that created or rotated it. Its
/// `Debug` output never shows the secret.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointView {
    pub id: String,
    pub url: String,
    pub label: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// `fml-v1` (`X-FML-Signature`, the guide's) or `standard-webhooks` (`webhook-id`,
    /// `webhook-timestamp`, `webhook-signature`).
    pub signature_scheme: String,
    /// During a rotation's grace period, when the previous secret stops signing (until then
    /// every delivery carries both signatures); null otherwise.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub previous_secret_expires_at: Option<Timestamp>,
    /// How its deliveries went over the last 24 hours and the last 7 days (whole hours, test
    /// pings left out).
    pub health: EndpointHealth,
    /// Why the platform disabled it: `gone` (the receiver answered 410 Gone) or `failing`
    /// (every attempt failed for the configured period, five days by default). Null while
    /// enabled or when a person disabled it; enabling clears it.
    #[schema(value_type = Option<String>)]
    pub disabled_reason: Option<String>,
    /// When the platform disabled it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub disabled_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "expose_secret")]
    #[schema(value_type = Option<String>)]
    pub secret: Option<Secret>,
}

/// Serialises a secret into the one response that shows it.
fn expose_secret<S: serde::Serializer>(s: &Option<Secret>, ser: S) -> Result<S::Ok, S::Error> {
    match s {
        Some(s) => ser.serialize_str(s.expose()),
        None => ser.serialize_none(),
    }
}

/// Attempts over the last day and week.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointHealth {
    pub last_day: HealthWindow,
    pub last_week: HealthWindow,
}

/// Attempts over a window: how many, the share answered 2xx, the mean latency.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthWindow {
    pub attempts: i64,
    /// 0 to 1; null without attempts.
    pub success_rate: Option<f64>,
    /// Null without attempts.
    pub mean_latency_ms: Option<i64>,
}

impl HealthWindow {
    fn of(w: fml_outbound::endpoints::HealthCounts) -> Self {
        Self { attempts: w.attempts, success_rate: w.success_rate(), mean_latency_ms: w.mean_latency_ms() }
    }
}

impl EndpointView {
    pub fn new(e: Endpoint, secret: Option<Secret>) -> Self {
        Self {
            health: EndpointHealth {
                last_day: HealthWindow::of(e.health.day),
                last_week: HealthWindow::of(e.health.week),
            },
            id: e.id,
            url: e.url,
            label: e.label,
            event_types: e.event_types,
            enabled: e.enabled,
            created_at: Timestamp::from_millis(e.created_at),
            updated_at: Timestamp::from_millis(e.updated_at),
            previous_secret_expires_at: e
                .previous_secret
                .as_ref()
                .map(|(_, until)| *until)
                .filter(|until| *until > Timestamp::now().millis())
                .map(Timestamp::from_millis),
            signature_scheme: e.signature_scheme,
            disabled_reason: e.disabled.as_ref().map(|(why, _)| why.clone()),
            disabled_at: e.disabled.as_ref().map(|(_, at)| Timestamp::from_millis(*at)),
            secret,
        }
    }
}

mod bodies;

pub use bodies::{CreateEndpointBody, PingBody, UpdateEndpointBody};
pub use fml_outbound::endpoints::{EndpointFields, EndpointInput, SecretChoice};

use idempotent::to_json;

/// Register an endpoint.
#[utoipa::path(
    post, path = "/v1/webhook-endpoints", tag = "webhooks",
    request_body(content = CreateEndpointBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created; `secret` is shown in this response only", body = EndpointView),
        (status = 400, description = "validation_error (incl. \"Webhook URL must not target a private or loopback address.\")", body = ErrorBody),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "insufficient_scope", body = ErrorBody),
        (status = 409, description = "idempotency_key_conflict or idempotency_request_in_progress", body = ErrorBody),
        (status = 422, description = "idempotency_key_reused", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:write"]))
)]
async fn create_endpoint(
    State(st): State<AppState>,
    auth: Auth,
    IdempotencyHeader(key): IdempotencyHeader,
    JsonBody(body, _): JsonBody,
) -> Result<Response, ApiError> {
    auth.require(Scope::WebhooksWrite)?;
    let typed: CreateEndpointBody = typed_body(&body)?;
    let input = validate(typed.fields(), true, st.pinger.allows_private()).await.map_err(ApiError::Validation)?;
    let claim = idempotent::claim_of(&auth, key, "POST /v1/webhook-endpoints".to_owned(), &body);
    let render = |(ep, secret): (Endpoint, Secret)| idempotent::text(&EndpointView::new(ep, Some(secret)));
    let key = idempotent::key(&st, claim.as_ref(), Storage::Sealed, StatusCode::CREATED, &render);
    let by = fml_outbound::endpoints::Operator::Client(&auth.client_id);
    let out = fml_outbound::endpoints::create_keyed(&st.ctx, &st.config.master_key, &auth.org, input, by, key).await?;
    idempotent::answer(&st, claim.as_ref(), out)
}

#[derive(Debug, Serialize, ToSchema)]
struct EndpointList {
    data: Vec<EndpointView>,
}

/// List endpoints.
#[utoipa::path(get, path = "/v1/webhook-endpoints", tag = "webhooks",
    responses(
        (status = 200, description = "The tenant's endpoints", body = EndpointList),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "insufficient_scope", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:read"])))]
async fn list_endpoints(State(st): State<AppState>, auth: Auth) -> Result<Json<EndpointList>, ApiError> {
    auth.require(Scope::WebhooksRead)?;
    let rows = fml_app::queries::endpoints(&st.ctx, &auth.org).await?;
    Ok(Json(EndpointList { data: rows.into_iter().map(|e| EndpointView::new(e, None)).collect() }))
}

/// Read an endpoint.
#[utoipa::path(get, path = "/v1/webhook-endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The endpoint", body = EndpointView),
        (status = 404, description = "not_found", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:read"])))]
async fn get_endpoint(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<EndpointView>, ApiError> {
    auth.require(Scope::WebhooksRead)?;
    let ep = fml_app::queries::endpoint(&st.ctx, &auth.org, &id).await?;
    Ok(Json(EndpointView::new(ep, None)))
}

/// Change an endpoint: URL, label, event types, enabled, or the secret (rotation).
#[utoipa::path(patch, path = "/v1/webhook-endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path)),
    request_body(content = UpdateEndpointBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The endpoint; `secret` present when it was rotated", body = EndpointView),
        (status = 400, description = "validation_error", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:write"])))]
async fn update_endpoint(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
    JsonBody(body, _): JsonBody,
) -> Result<Response, ApiError> {
    auth.require(Scope::WebhooksWrite)?;
    let typed: UpdateEndpointBody = typed_body(&body)?;
    let input = validate(typed.fields(), false, st.pinger.allows_private()).await.map_err(ApiError::Validation)?;
    let claim = idempotent::claim_of(&auth, key, format!("PATCH /v1/webhook-endpoints/{id}"), &body);
    let render = |(ep, secret): (Endpoint, Option<Secret>)| idempotent::text(&EndpointView::new(ep, secret));
    let key = idempotent::key(&st, claim.as_ref(), Storage::Sealed, StatusCode::OK, &render);
    let by = fml_outbound::endpoints::Operator::Client(&auth.client_id);
    let out =
        fml_outbound::endpoints::update_keyed(&st.ctx, &st.config.master_key, &auth.org, &id, input, by, key).await?;
    idempotent::answer(&st, claim.as_ref(), out)
}

/// Delete an endpoint. Its delivery history stays readable.
#[utoipa::path(delete, path = "/v1/webhook-endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, description = "not_found", body = ErrorBody)),
    security(("oauth2" = ["webhooks:write"])))]
async fn delete_endpoint(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
) -> Result<Response, ApiError> {
    auth.require(Scope::WebhooksWrite)?;
    let claim = idempotent::claim_of(&auth, key, format!("DELETE /v1/webhook-endpoints/{id}"), &Value::Null);
    let render = |(): ()| String::new();
    let key = idempotent::key(&st, claim.as_ref(), Storage::Plain, StatusCode::NO_CONTENT, &render);
    let by = fml_outbound::endpoints::Operator::Client(&auth.client_id);
    let out = fml_outbound::endpoints::delete_keyed(&st.ctx, &auth.org, &id, by, key).await?;
    Ok(idempotent::no_content(idempotent::answer(&st, claim.as_ref(), out)?))
}

/// The result of a test ping. Its `Debug` output never shows a generated secret.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PingResult {
    /// The test delivery recorded for this ping (sent as `X-FML-Delivery-Id`, listed in
    /// `GET /v1/webhook-deliveries` with `test: true`); null when nothing was sent because the
    /// saved URL is refused by the current target rules.
    pub delivery_id: Option<i64>,
    /// HTTP status, or 0 on a network error or timeout.
    pub status: u16,
    /// The first 500 bytes of the response body.
    pub body: Option<String>,
    pub duration_ms: i64,
    pub error: Option<String>,
    /// The generated secret, when none was given.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "expose_secret")]
    #[schema(value_type = Option<String>)]
    pub secret: Option<Secret>,
}

impl From<PingOutcome> for PingResult {
    fn from(o: PingOutcome) -> Self {
        Self {
            delivery_id: o.delivery_id,
            status: o.status,
            body: o.body,
            duration_ms: o.duration_ms,
            error: o.error,
            secret: o.secret,
        }
    }
}

/// Pre-save reachability check: send a signed `ping` to a URL with the secret you typed (or a
/// generated one, returned in the result).
#[utoipa::path(post, path = "/v1/webhook-endpoints/ping", tag = "webhooks",
    request_body(content = PingBody, content_type = "application/json"),
    responses(
        (status = 200, description = "What the receiver answered", body = PingResult),
        (status = 400, description = "validation_error", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:write"])))]
async fn ping(
    State(st): State<AppState>,
    auth: Auth,
    IdempotencyHeader(key): IdempotencyHeader,
    JsonBody(body, _): JsonBody,
) -> Result<Response, ApiError> {
    auth.require(Scope::WebhooksWrite)?;
    let typed: PingBody = typed_body(&body)?;
    let input = validate(typed.fields(), true, st.pinger.allows_private()).await.map_err(ApiError::Validation)?;
    let url = input.url.ok_or_else(|| ApiError::Validation(vec![FieldError::new("url", "is required")]))?;
    let route = "POST /v1/webhook-endpoints/ping".to_owned();
    idempotent::call(&st, &auth, key, route, &body, Storage::Sealed, || async {
        let result = PingResult::from(st.pinger.ping_unsaved(&auth.org, &url, input.secret, input.scheme).await?);
        to_json(StatusCode::OK, &result)
    })
    .await
}

/// Send a signed `ping` to a saved endpoint with its stored secret.
#[utoipa::path(post, path = "/v1/webhook-endpoints/{id}/test", tag = "webhooks",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "What the receiver answered", body = PingResult),
        (status = 404, description = "not_found", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:write"])))]
async fn test_endpoint(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
) -> Result<Response, ApiError> {
    auth.require(Scope::WebhooksWrite)?;
    let route = format!("POST /v1/webhook-endpoints/{id}/test");
    idempotent::call(&st, &auth, key, route, &Value::Null, Storage::Plain, || async {
        let ep = fml_app::queries::endpoint(&st.ctx, &auth.org, &id).await?;
        let result = PingResult::from(st.pinger.test_saved(&auth.org, &ep).await?);
        to_json(StatusCode::OK, &result)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_a_secret() {
        let secret = "a-very-private-shared-secret";
        let input =
            EndpointInput { secret: Some(SecretChoice::Given(Secret::new(secret.into()))), ..Default::default() };
        let ping = PingResult {
            delivery_id: Some(1),
            status: 200,
            body: None,
            duration_ms: 1,
            error: None,
            secret: Some(Secret::new(secret.into())),
        };
        let view = EndpointView {
            id: "ep".into(),
            url: "https://hooks.example/x".into(),
            label: "x".into(),
            event_types: Vec::new(),
            enabled: true,
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
            signature_scheme: "fml-v1".into(),
            previous_secret_expires_at: None,
            health: EndpointHealth {
                last_day: HealthWindow::of(Default::default()),
                last_week: HealthWindow::of(Default::default()),
            },
            disabled_reason: None,
            disabled_at: None,
            secret: Some(Secret::new(secret.into())),
        };
        for shown in [format!("{input:?}"), format!("{ping:?}"), format!("{view:?}")] {
            assert!(!shown.contains(secret), "{shown}");
        }
        // The one response that shows it does.
        assert_eq!(serde_json::to_value(&view).unwrap()["secret"], secret);
    }
}
