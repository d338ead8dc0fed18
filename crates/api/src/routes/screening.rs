//! Screening over the analyst API: run it now, read a case's latest run with every hit (its
//! features, the listed entity, the triage and the analyst's review), review a hit, and the
//! tenant's threshold.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use fml_app::screening as commands;
use fml_domain::FieldError;
// The API's own `ScreeningRun` is the view; the row keeps the store's name here.
use fml_app::queries::records::{HitRow, ScreeningRun as RunRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::workflow::locate;
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{Admin, JsonBody, Staff, opt_note, typed_body};
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(results, run))
        .routes(routes!(review_hit))
        .routes(routes!(get_settings, put_settings))
}

/// What a hit's subject got.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreenedSubject {
    name: String,
    /// `director`, `shareholder` or `ubo`; null for the company.
    role: Option<String>,
    /// `clear`, `match`, `pep` or `sanctioned`.
    status: String,
}

/// A screening run.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningRun {
    id: i64,
    /// "system" or the analyst's email.
    triggered_by: String,
    /// The watch list's version the run matched against (0 for a remote service).
    list_version: i64,
    /// `local` (this deployment's list) or `yente` (a yente-compatible service).
    source: String,
    /// The tenant's threshold at the time.
    threshold: f64,
    screened: i32,
    summary: Vec<ScreenedSubject>,
    #[schema(value_type = String, format = DateTime)]
    completed_at: fml_domain::Timestamp,
}

impl From<RunRow> for ScreeningRun {
    fn from(r: RunRow) -> Self {
        let summary: Vec<Value> = serde_json::from_str(&r.summary).unwrap_or_default();
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        Self {
            id: r.id,
            triggered_by: r.triggered_by,
            list_version: r.list_version,
            source: r.source,
            threshold: r.threshold,
            screened: r.screened,
            summary: summary
                .iter()
                .map(|s| ScreenedSubject {
                    name: text(s, "name").unwrap_or_default(),
                    role: text(s, "role"),
                    status: text(s, "status").unwrap_or_default(),
                })
                .collect(),
            completed_at: fml_domain::Timestamp::from_millis(r.completed_at),
        }
    }
}

/// The triage of a hit.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HitTriage {
    /// 0-100, a whole number (as in `screening.hit.triaged`).
    #[schema(value_type = u8, minimum = 0, maximum = 100)]
    confidence: fml_domain::Percent,
    /// `false_positive`, `true_match` or `escalate`.
    disposition: String,
    short_reason: String,
    model: String,
    prompt_version: String,
}

/// An analyst's review of a hit.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HitReview {
    disposition: String,
    note: String,
    reviewed_by: String,
    #[schema(value_type = String, format = DateTime)]
    reviewed_at: fml_domain::Timestamp,
}

/// A hit: a subject of the case against a listed entity.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningHit {
    /// The hit's id on this case (for the review route).
    id: i64,
    run_id: i64,
    /// The listed entity's id (the event's `hitId`): an OpenSanctions id, or `am:<id>`.
    hit_id: String,
    subject_name: String,
    subject_role: Option<String>,
    person_key: Option<String>,
    /// `sanctioned`, `pep` or `match`, from the entity's topics.
    standing: String,
    /// 0.0-1.0.
    score: f64,
    /// What the score is made of: `name` similarity, `matchedName`, `birthDate` and `country`
    /// (`same`, `different`, `unknown`), `kindAgrees`, `score`.
    #[schema(value_type = Object)]
    features: Value,
    /// The entity as listed when it matched: caption, names, countries, birth dates, topics,
    /// datasets (and an article's title, URL and summary).
    #[schema(value_type = Object)]
    entity: Value,
    triage: HitTriage,
    /// The analyst's disposition, when one was given.
    review: Option<HitReview>,
}

impl From<HitRow> for ScreeningHit {
    fn from(h: HitRow) -> Self {
        let review = match (h.review_disposition, h.reviewed_by, h.reviewed_at) {
            (Some(disposition), Some(reviewed_by), Some(at)) => Some(HitReview {
                disposition,
                note: h.review_note.unwrap_or_default(),
                reviewed_by,
                reviewed_at: fml_domain::Timestamp::from_millis(at),
            }),
            _ => None,
        };
        Self {
            id: h.id,
            run_id: h.run_id,
            hit_id: h.entity_id,
            subject_name: h.subject_name,
            subject_role: h.subject_role,
            person_key: h.person_key,
            standing: h.standing,
            score: h.score,
            features: serde_json::from_str(&h.features).unwrap_or(Value::Null),
            entity: serde_json::from_str(&h.entity).unwrap_or(Value::Null),
            triage: HitTriage {
                confidence: fml_domain::Percent::of(h.confidence),
                disposition: h.disposition,
                short_reason: h.short_reason,
                model: h.model,
                prompt_version: h.prompt_version,
            },
            review,
        }
    }
}

/// A case's latest screening.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningResults {
    case_id: String,
    /// Null before the first screening.
    run: Option<ScreeningRun>,
    hits: Vec<ScreeningHit>,
}

/// The latest screening of a case: each subject's status and every hit.
#[utoipa::path(
    get, path = "/api/cases/{caseId}/screening", tag = "screening", operation_id = "get_screening",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 200, description = "The latest run and its hits", body = ScreeningResults)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn results(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<ScreeningResults>, ApiError> {
    let (case, latest) = commands::results(&st.ctx, &staff, &locate(&case_id)?).await?;
    let (run, hits) = match latest {
        Some((run, hits)) => (Some(run.into()), hits.into_iter().map(Into::into).collect()),
        None => (None, Vec::new()),
    };
    Ok(Json(ScreeningResults { case_id: case.id.to_string(), run, hits }))
}

/// A queued run.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningQueued {
    case_id: String,
    /// Always `queued`: the run's result arrives as `screening.completed`.
    status: String,
}

/// Screen the case now (a background job: `screening.completed` and one
/// `screening.hit.triaged` per hit follow).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/screening", tag = "screening", operation_id = "run_screening",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 202, description = "The run is queued", body = ScreeningQueued)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn run(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<(StatusCode, Json<ScreeningQueued>), ApiError> {
    let case = commands::request(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(ScreeningQueued { case_id: case.id.to_string(), status: "queued".into() })))
}

fn disposition_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(["false_positive", "true_match", "escalate"].map(|v| Value::String(v.into()))))
        .build()
        .into()
}
pub(crate) fn note_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
        .max_length(Some(fml_app::cases::MAX_NOTE))
        .pattern(Some(fml_domain::text::note_pattern(false)))
        .description(Some("Why (line breaks allowed), at most 5,000 characters."))
        .build()
        .into()
}

/// The body of a hit's review.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct HitReviewBody {
    #[schema(required = true, schema_with = disposition_schema)]
    disposition: Option<Value>,
    #[schema(schema_with = note_schema)]
    note: Option<Value>,
}

/// Record an analyst's disposition of a hit (the triage stays beside it).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/screening/hits/{hitId}", tag = "screening", operation_id = "review_screening_hit",
    params(
        ("caseId" = String, Path, description = "The case UUID or its reference"),
        ("hitId" = String, Path, description = "The hit's id (`id` in the screening results)"),
    ),
    request_body(content = HitReviewBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The hit with its review", body = ScreeningHit),
        (status = 404, description = "No such case or hit in your tenant", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn review_hit(
    State(st): State<AppState>,
    staff: Staff,
    Path((case_id, hit_id)): Path<(String, String)>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<ScreeningHit>, ApiError> {
    let typed: HitReviewBody = typed_body(&body)?;
    let locator = locate(&case_id)?;
    let hit_id: i64 = hit_id.parse().map_err(|_| ApiError::NotFound("no such hit on this case"))?;
    let mut errors = Vec::new();
    let disposition = typed.disposition.as_ref().and_then(Value::as_str).and_then(commands::parse_disposition);
    if disposition.is_none() {
        errors.push(FieldError::new("disposition", "must be \"false_positive\", \"true_match\" or \"escalate\""));
    }
    let note = opt_note(typed.note.as_ref(), "note", &mut errors);
    let (Some(disposition), Some(note), true) = (disposition, note, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let hit = commands::review_hit(&st.ctx, &staff, &locator, hit_id, disposition, note).await?;
    Ok(Json(hit.into()))
}

/// A tenant's screening settings.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningSettings {
    /// A hit needs at least this score (0.7-1.0; default 0.85).
    threshold: f64,
}

/// The tenant's screening settings.
#[utoipa::path(
    get, path = "/api/screening/settings", tag = "screening", operation_id = "get_screening_settings",
    responses((status = 200, description = "The settings", body = ScreeningSettings)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn get_settings(State(st): State<AppState>, staff: Staff) -> Result<Json<ScreeningSettings>, ApiError> {
    Ok(Json(ScreeningSettings { threshold: commands::threshold(&st.ctx, &staff.org).await? }))
}

fn threshold_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Number))
        .minimum(Some(commands::THRESHOLD_RANGE.0))
        .maximum(Some(commands::THRESHOLD_RANGE.1))
        .build()
        .into()
}

/// The body of `PUT /api/screening/settings`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct ScreeningSettingsBody {
    #[schema(required = true, schema_with = threshold_schema)]
    threshold: Option<Value>,
}

/// Change the tenant's screening threshold (admins).
#[utoipa::path(
    put, path = "/api/screening/settings", tag = "screening", operation_id = "put_screening_settings",
    request_body(content = ScreeningSettingsBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The settings", body = ScreeningSettings),
        (status = 403, description = "Admins only", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn put_settings(
    State(st): State<AppState>,
    staff: Staff<Admin>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<ScreeningSettings>, ApiError> {
    let typed: ScreeningSettingsBody = typed_body(&body)?;
    let Some(value) = typed.threshold.as_ref().and_then(Value::as_f64) else {
        return Err(ApiError::Validation(vec![FieldError::new("threshold", "must be a number")]));
    };
    let threshold = commands::set_threshold(&st.ctx, &staff, value).await?;
    Ok(Json(ScreeningSettings { threshold }))
}
