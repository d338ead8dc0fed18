//! The webhook event catalog: JSON Schemas and TypeScript definitions, public and cacheable.
//! Rendered once, at first use.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use fml_domain::events::schema::{CATALOG, index};
use fml_domain::events::typescript::{manifest, webhooks_d_ts};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use fml_web::error::ApiError;
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(schema_index))
        .routes(routes!(schema_file))
        .routes(routes!(types_file))
        .routes(routes!(types_index))
}

static INDEX: LazyLock<String> = LazyLock::new(|| pretty(&index()));
static SCHEMAS: LazyLock<Vec<(String, String)>> =
    LazyLock::new(|| CATALOG.iter().map(|e| (format!("{}.v1.json", e.event), pretty(&e.schema))).collect());
static TYPES: LazyLock<String> = LazyLock::new(webhooks_d_ts);
static TYPES_INDEX: LazyLock<String> = LazyLock::new(|| pretty(&manifest()));

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

fn body(content_type: &'static str, text: &'static str) -> Response {
    let mut res = text.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    res.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    res
}

/// The index of webhook event schemas.
#[utoipa::path(get, path = "/schemas/webhooks/index.json", tag = "webhooks",
    responses((status = 200, description = "Every event type with its schema's path", content_type = "application/json")))]
async fn schema_index() -> Response {
    body("application/json", INDEX.as_str())
}

/// One event's JSON Schema (Draft 2020-12), e.g. `case.created.v1.json`.
#[utoipa::path(get, path = "/schemas/webhooks/{file}", tag = "webhooks",
    params(("file" = String, Path, description = "<event>.v1.json")),
    responses(
        (status = 200, description = "The schema", content_type = "application/schema+json"),
        (status = 404, description = "No such event type", body = fml_web::error::ErrorBody),
    ))]
async fn schema_file(Path(file): Path<String>) -> Result<Response, ApiError> {
    let (_, text) = SCHEMAS.iter().find(|(name, _)| *name == file).ok_or(ApiError::NotFound("no such event schema"))?;
    Ok(body("application/schema+json", text.as_str()))
}

/// TypeScript definitions of every event: `CaseCreatedV1` …, `FmlWebhookEvent`, `FmlWebhookEventMap`.
#[utoipa::path(get, path = "/types/webhooks.d.ts", tag = "webhooks",
    responses((status = 200, description = "The definitions", content_type = "application/typescript")))]
async fn types_file() -> Response {
    body("application/typescript; charset=utf-8", TYPES.as_str())
}

/// The manifest of the TypeScript definitions.
#[utoipa::path(get, path = "/types/index.json", tag = "webhooks",
    responses((status = 200, description = "Files and interfaces", content_type = "application/json")))]
async fn types_index() -> Response {
    body("application/json", TYPES_INDEX.as_str())
}
