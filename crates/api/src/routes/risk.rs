//! Risk and routing over the analyst API: a case's latest assessment and routing, a
//! recompute, the tenant's risk model and decision policy (read by any analyst, saved by
//! admins as a new version), and a policy's dry run on a case.

use std::borrow::Cow;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use fml_app::queries::records::{AssessmentRow, ConfigKind, ConfigRow, RoutingRow};
use fml_app::risk as commands;
use fml_domain::FieldError;
use fml_domain::policy::Policy;
use fml_domain::risk::RiskModel;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::workflow::locate;
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{Admin, JsonBody, Staff};
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(case_risk, recompute))
        .routes(routes!(get_model, put_model))
        .routes(routes!(get_policy, put_policy))
        .routes(routes!(dry_run))
}

/// The bodies' schemas are written as JSON Schema (utoipa's builders cannot say
/// `propertyNames` or an untyped `value`); the document's components get them in
/// [`crate::openapi::finish`], the types below stand in until then.
fn placeholder() -> RefOr<Schema> {
    utoipa::openapi::ObjectBuilder::new().into()
}

/// The hand-written component schemas, by name.
pub fn component_schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("RiskModelConfig", risk_model_schema()),
        ("PolicyConfig", policy_schema()),
        (
            "PolicyDryRun",
            json!({
                "type": "object", "additionalProperties": false, "required": ["caseId"],
                "properties": {
                    "caseId": {"type": "string", "description": "The case UUID or its reference"},
                    "policy": policy_schema()
                }
            }),
        ),
    ]
}

const PCT: fn() -> Value = || json!({"type": "number", "minimum": 0, "maximum": 100});

/// The risk model's JSON (`fml_domain::risk::RiskModel`).
#[derive(Debug)]
pub struct RiskModelConfig;
impl PartialSchema for RiskModelConfig {
    fn schema() -> RefOr<Schema> {
        placeholder()
    }
}

fn risk_model_schema() -> Value {
    {
        let factor_keys = ["country", "entityType", "screening", "idv", "edd"];
        let weights: serde_json::Map<String, Value> = factor_keys.iter().map(|k| ((*k).to_owned(), PCT())).collect();
        json!({
            "type": "object",
            "description": "Weights (0-100) per factor, the country lists, the entity-type scores and the four bands with the score each starts at.",
            "additionalProperties": false,
            "required": ["weights", "highRiskCountries", "mediumRiskCountries", "entityTypeScores", "defaultEntityTypeScore", "bands", "sanctionedIsProhibited"],
            "properties": {
                "weights": {"type": "object", "properties": weights, "additionalProperties": false},
                "highRiskCountries": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{2}$"}},
                "mediumRiskCountries": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{2}$"}},
                "entityTypeScores": {"type": "object", "additionalProperties": PCT(), "propertyNames": {"minLength": 1, "maxLength": 64}},
                "defaultEntityTypeScore": PCT(),
                "bands": {
                    "type": "array", "minItems": 4, "maxItems": 4,
                    "description": "low, medium, high, prohibited, in that order; minScore starts at 0 and rises.",
                    "items": {
                        "type": "object", "additionalProperties": false, "required": ["id", "label", "minScore"],
                        "properties": {
                            "id": {"type": "string", "enum": ["low", "medium", "high", "prohibited"]},
                            "label": {"type": "string", "minLength": 1, "maxLength": 40},
                            "minScore": PCT()
                        }
                    }
                },
                "sanctionedIsProhibited": {"type": "boolean"}
            }
        })
    }
}
impl ToSchema for RiskModelConfig {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("RiskModelConfig")
    }
}

fn policy_schema() -> Value {
    let attrs: Vec<&str> = fml_domain::policy::ATTRIBUTES.iter().map(|(a, ..)| *a).collect();
    json!({
        "type": "object",
        "description": "Rules tried in order (the first whose conditions all hold decides the outcome), and the default outcome.",
        "additionalProperties": false,
        "required": ["name", "rules", "defaultOutcome"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "rules": {"type": "array", "maxItems": 100, "items": {
                "type": "object", "additionalProperties": false, "required": ["when", "outcome"],
                "properties": {
                    "name": {"type": "string", "maxLength": 100},
                    "when": {"type": "array", "minItems": 1, "maxItems": 20, "items": {
                        "type": "object", "additionalProperties": false, "required": ["attribute", "op", "value"],
                        "properties": {
                            "attribute": {"type": "string", "enum": attrs},
                            "op": {"type": "string", "enum": ["eq", "ne", "lt", "lte", "gt", "gte", "in"]},
                            "value": {"description": "A number or string of the attribute's type; a list with in."}
                        }
                    }},
                    "outcome": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]{1,39}$"}
                }
            }},
            "defaultOutcome": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]{1,39}$"},
            "autoDecide": {"type": "boolean", "description": "AUTO_APPROVE and DECLINE decide a case in review, as system."}
        }
    })
}

/// A decision policy's JSON (`fml_domain::policy::Policy`).
#[derive(Debug)]
pub struct PolicyConfig;
impl PartialSchema for PolicyConfig {
    fn schema() -> RefOr<Schema> {
        placeholder()
    }
}
impl ToSchema for PolicyConfig {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("PolicyConfig")
    }
}

/// A stored version of a risk model or a policy.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigVersion {
    /// The row's id (`configId` / `policyId` in the events).
    id: i64,
    version: i32,
    #[schema(value_type = Object)]
    config: Value,
    /// "system" for the default, else the admin's email.
    created_by: String,
    #[schema(value_type = String, format = DateTime)]
    created_at: fml_domain::Timestamp,
}

impl From<ConfigRow> for ConfigVersion {
    fn from(r: ConfigRow) -> Self {
        Self {
            id: r.id,
            version: r.version,
            config: serde_json::from_str(&r.config).unwrap_or(Value::Null),
            created_by: r.created_by,
            created_at: fml_domain::Timestamp::from_millis(r.created_at),
        }
    }
}

/// An assessment.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentView {
    id: i64,
    config_id: i64,
    /// 0-100, a whole number (as in `risk.assessed`).
    #[schema(value_type = u8, minimum = 0, maximum = 100)]
    composite_score: fml_domain::Percent,
    /// `low`, `medium`, `high` or `prohibited`.
    band_id: String,
    band_label: String,
    /// Each factor: `factor`, `label`, `score`, `weight`, `contribution`, `reason`.
    #[schema(value_type = Vec<Object>)]
    factors: Value,
    /// What was scored: country, entity type, screening, hits, IDV, EDD outstanding.
    #[schema(value_type = Object)]
    inputs: Value,
    /// Why the band is not the score's, if so.
    override_reason: Option<String>,
    assessed_by: String,
    #[schema(value_type = String, format = DateTime)]
    assessed_at: fml_domain::Timestamp,
}

impl From<AssessmentRow> for AssessmentView {
    fn from(a: AssessmentRow) -> Self {
        Self {
            id: a.id,
            config_id: a.config_id,
            composite_score: fml_domain::Percent::of(a.composite_score),
            band_id: a.band,
            band_label: a.band_label,
            factors: serde_json::from_str(&a.factors).unwrap_or(Value::Null),
            inputs: serde_json::from_str(&a.inputs).unwrap_or(Value::Null),
            override_reason: a.override_reason,
            assessed_by: a.assessed_by,
            assessed_at: fml_domain::Timestamp::from_millis(a.assessed_at),
        }
    }
}

/// A routing.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoutingView {
    id: i64,
    assessment_id: i64,
    policy_id: i64,
    policy_name: String,
    /// Null when the default branch fired.
    matched_rule_index: Option<i32>,
    outcome: String,
    /// The case's attributes the rules saw.
    #[schema(value_type = Object)]
    attributes: Value,
    /// `approved` or `declined` when the policy decided the case.
    decided: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    evaluated_at: fml_domain::Timestamp,
}

impl From<RoutingRow> for RoutingView {
    fn from(r: RoutingRow) -> Self {
        Self {
            id: r.id,
            assessment_id: r.assessment_id,
            policy_id: r.policy_id,
            policy_name: r.policy_name,
            matched_rule_index: r.matched_rule_index,
            outcome: r.outcome,
            attributes: serde_json::from_str(&r.attributes).unwrap_or(Value::Null),
            decided: r.decided,
            evaluated_at: fml_domain::Timestamp::from_millis(r.evaluated_at),
        }
    }
}

/// A case's risk.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseRisk {
    case_id: String,
    /// Null before the first assessment.
    assessment: Option<AssessmentView>,
    routing: Option<RoutingView>,
}

/// The latest risk assessment and routing of a case.
#[utoipa::path(
    get, path = "/api/cases/{caseId}/risk", tag = "risk", operation_id = "get_case_risk",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 200, description = "The latest assessment and routing", body = CaseRisk)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn case_risk(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<CaseRisk>, ApiError> {
    let (case, a, r) = commands::results(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok(Json(CaseRisk { case_id: case.id.to_string(), assessment: a.map(Into::into), routing: r.map(Into::into) }))
}

/// A queued recompute.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskQueued {
    case_id: String,
    /// Always `queued`: `risk.assessed` and `routing.evaluated` follow.
    status: String,
}

/// Recompute the case's risk now (a background job, assessed under your email).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/risk", tag = "risk", operation_id = "recompute_risk",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 202, description = "The recompute is queued", body = RiskQueued)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn recompute(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<(StatusCode, Json<RiskQueued>), ApiError> {
    let case = commands::request(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(RiskQueued { case_id: case.id.to_string(), status: "queued".into() })))
}

/// The risk model in force.
#[utoipa::path(
    get, path = "/api/risk-models", tag = "risk", operation_id = "get_risk_model",
    responses((status = 200, description = "The version in force", body = ConfigVersion)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn get_model(State(st): State<AppState>, staff: Staff) -> Result<Json<ConfigVersion>, ApiError> {
    Ok(Json(commands::active(&st.ctx, &staff.org, ConfigKind::RiskModel).await?.into()))
}

/// A configuration of the documented shape that the rules refuse (bands out of order, a
/// comparison of the wrong type): 422, each problem named.
fn refused(what: &'static str, errors: Vec<FieldError>) -> ApiError {
    let text = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
    ApiError::Unprocessable(what, text)
}

/// Reads a body as `T`, a shape error as a 400 naming where it is.
fn typed<T: serde::de::DeserializeOwned>(body: &Value) -> Result<T, ApiError> {
    serde_json::from_value(body.clone()).map_err(|e| ApiError::Validation(vec![FieldError::new("body", e.to_string())]))
}

/// Save a new version of the risk model (admins).
#[utoipa::path(
    put, path = "/api/risk-models", tag = "risk", operation_id = "put_risk_model",
    request_body(content = RiskModelConfig, content_type = "application/json"),
    responses(
        (status = 200, description = "The new version, now in force", body = ConfigVersion),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 422, description = "invalid_risk_model: the bands or weights break a rule (each named)", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn put_model(
    State(st): State<AppState>,
    staff: Staff<Admin>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<ConfigVersion>, ApiError> {
    let model: RiskModel = typed(&body)?;
    model.validate().map_err(|e| refused("invalid_risk_model", e))?;
    Ok(Json(commands::save_model(&st.ctx, &staff, &model).await?.into()))
}

/// The decision policy in force.
#[utoipa::path(
    get, path = "/api/policies", tag = "risk", operation_id = "get_policy",
    responses((status = 200, description = "The version in force", body = ConfigVersion)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn get_policy(State(st): State<AppState>, staff: Staff) -> Result<Json<ConfigVersion>, ApiError> {
    Ok(Json(commands::active(&st.ctx, &staff.org, ConfigKind::Policy).await?.into()))
}

/// Save a new version of the decision policy (admins); checked for unknown attributes and
/// comparisons of the wrong type.
#[utoipa::path(
    put, path = "/api/policies", tag = "risk", operation_id = "put_policy",
    request_body(content = PolicyConfig, content_type = "application/json"),
    responses(
        (status = 200, description = "The new version, now in force", body = ConfigVersion),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 422, description = "invalid_policy: an unknown attribute or a comparison of the wrong type (each named)", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn put_policy(
    State(st): State<AppState>,
    staff: Staff<Admin>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<ConfigVersion>, ApiError> {
    let p: Policy = typed(&body)?;
    p.validate().map_err(|e| refused("invalid_policy", e))?;
    Ok(Json(commands::save_policy(&st.ctx, &staff, &p).await?.into()))
}

/// The body of a dry run.
#[derive(Debug)]
pub struct DryRunBody;
impl PartialSchema for DryRunBody {
    fn schema() -> RefOr<Schema> {
        placeholder()
    }
}
impl ToSchema for DryRunBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("PolicyDryRun")
    }
}

/// What a policy would do with a case now.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DryRunResult {
    matched_rule_index: Option<u32>,
    rule_name: Option<String>,
    outcome: String,
    /// 0-100, a whole number.
    #[schema(value_type = u8, minimum = 0, maximum = 100)]
    composite_score: fml_domain::Percent,
    band_id: String,
    /// The attributes the rules saw.
    #[schema(value_type = Object)]
    attributes: Value,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DryRun {
    case_id: String,
    policy: Option<Policy>,
}

/// Run a policy (the one given, else the one in force) on a case without writing anything.
#[utoipa::path(
    post, path = "/api/policies/dry-run", tag = "risk", operation_id = "dry_run_policy",
    request_body(content = DryRunBody, content_type = "application/json"),
    responses(
        (status = 200, description = "What the policy would do", body = DryRunResult),
        (status = 404, description = "No such case in your tenant", body = ErrorBody),
        (status = 422, description = "invalid_policy: the policy given breaks a rule", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn dry_run(
    State(st): State<AppState>,
    staff: Staff,
    JsonBody(body, _): JsonBody,
) -> Result<Json<DryRunResult>, ApiError> {
    let req: DryRun = typed(&body)?;
    if let Some(p) = &req.policy {
        p.validate().map_err(|e| refused("invalid_policy", e))?;
    }
    let (attrs, routing, a) = commands::dry_run(&st.ctx, &staff, &locate(&req.case_id)?, req.policy).await?;
    Ok(Json(DryRunResult {
        matched_rule_index: routing.matched_rule_index,
        rule_name: routing.rule_name,
        outcome: routing.outcome,
        composite_score: fml_domain::Percent::of(a.composite),
        band_id: serde_json::to_value(a.band).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        attributes: Value::Object(attrs),
    }))
}
