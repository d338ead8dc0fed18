//! Perpetual monitoring over the analyst API: run now, a case's runs and alerts, the tenant's
//! alerts, resolving one, and the interval.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use fml_app::monitoring as commands;
use fml_domain::FieldError;
// The API's own `MonitoringRun` is the view; the row keeps the store's name here.
use fml_app::queries::records::{AlertRow, MonitoringRun as RunRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::workflow::locate;
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{Admin, JsonBody, Staff, opt_note, typed_body};
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(case_monitoring, run_now))
        .routes(routes!(list_alerts))
        .routes(routes!(resolve_alert))
        .routes(routes!(get_settings, put_settings))
}

/// A monitoring run.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringRun {
    id: i64,
    /// "scheduled" or the analyst's email.
    triggered_by: String,
    alerts_generated: i32,
    /// `[{check, status, subjects}]`.
    #[schema(value_type = Vec<Object>)]
    checks_run: Value,
    list_version: i64,
    #[schema(value_type = String, format = DateTime)]
    completed_at: fml_domain::Timestamp,
}

impl From<RunRow> for MonitoringRun {
    fn from(r: RunRow) -> Self {
        Self {
            id: r.id,
            triggered_by: r.triggered_by,
            alerts_generated: r.alerts_generated,
            checks_run: serde_json::from_str(&r.checks).unwrap_or(Value::Null),
            list_version: r.list_version,
            completed_at: fml_domain::Timestamp::from_millis(r.completed_at),
        }
    }
}

/// A monitoring alert.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringAlert {
    id: i64,
    case_id: String,
    run_id: i64,
    /// `sanctions_hit`, `pep_change` or `adverse_media`.
    alert_type: String,
    /// `low`, `medium` or `high`.
    severity: String,
    title: String,
    detail: String,
    subject_name: String,
    /// The listed entity (`am:<id>` for adverse media).
    entity_id: String,
    /// `open` or `resolved`.
    status: String,
    resolution_note: Option<String>,
    resolved_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    resolved_at: Option<fml_domain::Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    created_at: fml_domain::Timestamp,
}

impl From<AlertRow> for MonitoringAlert {
    fn from(a: AlertRow) -> Self {
        Self {
            id: a.id,
            case_id: a.case_id,
            run_id: a.run_id,
            alert_type: a.alert_type,
            severity: a.severity,
            title: a.title,
            detail: a.detail,
            subject_name: a.subject_name,
            entity_id: a.entity_id,
            status: a.status,
            resolution_note: a.resolution_note,
            resolved_by: a.resolved_by,
            resolved_at: a.resolved_at.map(fml_domain::Timestamp::from_millis),
            created_at: fml_domain::Timestamp::from_millis(a.created_at),
        }
    }
}

/// A case's monitoring.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseMonitoring {
    case_id: String,
    /// Newest first, at most 20.
    runs: Vec<MonitoringRun>,
    /// Newest first.
    alerts: Vec<MonitoringAlert>,
}

/// A case's monitoring runs and alerts.
#[utoipa::path(
    get, path = "/api/cases/{caseId}/monitoring", tag = "monitoring", operation_id = "get_case_monitoring",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 200, description = "Runs and alerts", body = CaseMonitoring)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn case_monitoring(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<CaseMonitoring>, ApiError> {
    let (case, runs, alerts) = commands::for_case(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok(Json(CaseMonitoring {
        case_id: case.id.to_string(),
        runs: runs.into_iter().map(Into::into).collect(),
        alerts: alerts.into_iter().map(Into::into).collect(),
    }))
}

/// A queued run.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringQueued {
    case_id: String,
    /// Always `queued`: `monitoring.run.completed` follows.
    status: String,
}

/// Run monitoring for the case now (a background job under your email).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/monitoring", tag = "monitoring", operation_id = "run_monitoring",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 202, description = "The run is queued", body = MonitoringQueued)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn run_now(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<(StatusCode, Json<MonitoringQueued>), ApiError> {
    let case = commands::request(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(MonitoringQueued { case_id: case.id.to_string(), status: "queued".into() })))
}

/// Which alerts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AlertQuery {
    /// `open` or `resolved` (default: both).
    #[param(inline, schema_with = status_schema)]
    status: Option<String>,
}

fn status_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(["open", "resolved"].map(|v| Value::String(v.into()))))
        .build()
        .into()
}

/// A list of alerts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertList {
    data: Vec<MonitoringAlert>,
}

/// The tenant's alerts, newest first (at most 200).
#[utoipa::path(
    get, path = "/api/monitoring/alerts", tag = "monitoring", operation_id = "list_monitoring_alerts",
    params(AlertQuery),
    responses(
        (status = 200, description = "The alerts", body = AlertList),
        (status = 400, description = "invalid_request: an unknown status", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn list_alerts(
    State(st): State<AppState>,
    staff: Staff,
    query: Result<Query<AlertQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AlertList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest("invalid_request", e.body_text()))?;
    let status = match q.status.as_deref() {
        None => None,
        Some(s @ ("open" | "resolved")) => Some(s),
        Some(_) => return Err(ApiError::Validation(vec![FieldError::new("status", "open or resolved")])),
    };
    let rows = commands::alerts(&st.ctx, &staff, status, 200).await?;
    Ok(Json(AlertList { data: rows.into_iter().map(Into::into).collect() }))
}

fn note_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
        .max_length(Some(fml_app::cases::MAX_NOTE))
        .pattern(Some(fml_domain::text::note_pattern(false)))
        .description(Some("How it was resolved (line breaks allowed), at most 5,000 characters."))
        .build()
        .into()
}

/// The body of a resolution.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct ResolveBody {
    #[schema(schema_with = note_schema)]
    note: Option<Value>,
}

/// Resolve an alert (the case is not changed by it).
#[utoipa::path(
    post, path = "/api/monitoring/alerts/{alertId}/resolve", tag = "monitoring", operation_id = "resolve_monitoring_alert",
    params(("alertId" = String, Path, description = "The alert's id")),
    request_body(content = ResolveBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The resolved alert", body = MonitoringAlert),
        (status = 404, description = "No such alert in your tenant", body = ErrorBody),
        (status = 409, description = "already_resolved", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn resolve_alert(
    State(st): State<AppState>,
    staff: Staff,
    Path(alert_id): Path<String>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<MonitoringAlert>, ApiError> {
    let typed: ResolveBody = typed_body(&body)?;
    let id: i64 = alert_id.parse().map_err(|_| ApiError::NotFound("no such alert"))?;
    let mut errors = Vec::new();
    let note = opt_note(typed.note.as_ref(), "note", &mut errors);
    let (Some(note), true) = (note, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    Ok(Json(commands::resolve(&st.ctx, &staff, id, note).await?.into()))
}

/// The tenant's monitoring settings.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringSettings {
    /// Hours between scheduled runs of each approved case (1-720; default 24).
    interval_hours: i64,
}

/// The tenant's monitoring settings.
#[utoipa::path(
    get, path = "/api/monitoring/settings", tag = "monitoring", operation_id = "get_monitoring_settings",
    responses((status = 200, description = "The settings", body = MonitoringSettings)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn get_settings(State(st): State<AppState>, staff: Staff) -> Result<Json<MonitoringSettings>, ApiError> {
    Ok(Json(MonitoringSettings { interval_hours: commands::interval(&st.db, &staff.org).await? }))
}

fn hours_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Integer))
        .minimum(Some(commands::INTERVAL_RANGE.0 as f64))
        .maximum(Some(commands::INTERVAL_RANGE.1 as f64))
        .build()
        .into()
}

/// The body of `PUT /api/monitoring/settings`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, rename_all = "camelCase")]
struct MonitoringSettingsBody {
    #[schema(required = true, schema_with = hours_schema)]
    interval_hours: Option<Value>,
}

/// Change the monitoring interval (admins).
#[utoipa::path(
    put, path = "/api/monitoring/settings", tag = "monitoring", operation_id = "put_monitoring_settings",
    request_body(content = MonitoringSettingsBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The settings", body = MonitoringSettings),
        (status = 403, description = "Admins only", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn put_settings(
    State(st): State<AppState>,
    staff: Staff<Admin>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<MonitoringSettings>, ApiError> {
    let typed: MonitoringSettingsBody = typed_body(&body)?;
    // JSON Schema's integers include `48.0`; the range is the command's rule.
    let Some(hours) = fml_web::extract::positive_integer(typed.interval_hours.as_ref()) else {
        return Err(ApiError::Validation(vec![FieldError::new("intervalHours", "a whole number of hours")]));
    };
    Ok(Json(MonitoringSettings { interval_hours: commands::set_interval(&st.ctx, &staff, hours).await? }))
}
