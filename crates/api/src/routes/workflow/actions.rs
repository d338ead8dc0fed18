//! The case's lifecycle actions: open a case by hand, (re)send the invite, set the owner,
//! decide, escalate and answer the escalation, each one command of [`fml_app::cases`].

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fml_app::cases as commands;
use fml_domain::lifecycle::{Outcome, Recommendation};
use fml_domain::{CaseSource, FieldError};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

use super::views::{StaffCaseView, locate, view};
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{JsonBody, Staff, typed_body};
use fml_web::state::AppState;

fn outcome_schema() -> Schema {
    enum_schema(&["approved", "declined"], "The decision.")
}
fn recommendation_schema() -> Schema {
    enum_schema(&["approve", "decline", "refer"], "What the senior recommends.")
}
fn enum_schema(values: &[&str], description: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(values.iter().map(|v| Value::String((*v).to_owned()))))
        .description(Some(description))
        .build()
        .into()
}
fn note_schema(nonblank: bool, description: &str) -> Schema {
    let ty = if nonblank { SchemaType::Type(Type::String) } else { SchemaType::Array(vec![Type::String, Type::Null]) };
    ObjectBuilder::new()
        .schema_type(ty)
        .max_length(Some(commands::MAX_NOTE))
        .pattern(Some(fml_domain::text::note_pattern(nonblank)))
        .description(Some(description))
        .build()
        .into()
}
fn optional_note_schema() -> Schema {
    note_schema(false, "Free text (line breaks allowed), at most 5,000 characters.")
}
fn required_note_schema() -> Schema {
    note_schema(true, "Free text (line breaks allowed), at most 5,000 characters; required.")
}
fn owner_email_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
        .max_length(Some(320))
        .description(Some("The email of an active analyst of the tenant; null clears the owner."))
        .build()
        .into()
}

/// A string field, or the field error saying what it must be.
fn string_field<'a>(v: Option<&'a Value>, field: &str) -> Result<Option<&'a str>, FieldError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(FieldError::new(field, "must be a string")),
    }
}

fn note_field(v: Option<&Value>, field: &str, required: bool) -> Result<String, FieldError> {
    let raw = string_field(v, field)?;
    commands::note(field, raw, required).map_err(|e| match e {
        fml_app::CommandError::Validation(mut f) if !f.is_empty() => f.remove(0),
        other => FieldError::new(field, other.to_string()),
    })
}

/// The body of `POST /api/cases/{caseId}/owner`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct OwnerBody {
    #[schema(required = true, schema_with = owner_email_schema)]
    email: Option<Value>,
}

/// Assign, reassign or clear the case owner (`owner.changed`).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/owner", tag = "workflow",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    request_body(content = OwnerBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The case", body = StaffCaseView),
        (status = 422, description = "unknown_analyst: no active analyst of the tenant has this email", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
pub(super) async fn set_owner(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<StaffCaseView>, ApiError> {
    let typed: OwnerBody = typed_body(&body)?;
    let locator = locate(&case_id)?;
    if body.get("email").is_none() {
        return Err(ApiError::Validation(vec![FieldError::new("email", "is required (null clears the owner)")]));
    }
    let email = string_field(typed.email.as_ref(), "email").map_err(|e| ApiError::Validation(vec![e]))?;
    let case = commands::assign_owner(&st.ctx, &staff, &locator, email).await?;
    Ok(Json(view(&st, &case).await?))
}

/// The body of `POST /api/cases/{caseId}/decision`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct DecisionBody {
    #[schema(required = true, schema_with = outcome_schema)]
    outcome: Option<Value>,
    #[schema(schema_with = optional_note_schema)]
    notes: Option<Value>,
}

/// Approve or decline the case (`case.decision.made` and `case.status.changed`). Allowed from
/// `in_review` and `returned`; otherwise 409 `invalid_transition` with `currentStatus`.
///
/// Approving a high-risk case (a confirmed or undisposed sanctions/PEP hit, risk band high or
/// prohibited, a routing outcome that declines or refers, an open monitoring alert) takes a
/// senior or an admin and `notes` (the reason for the override); an analyst gets 403
/// `senior_approval_required` with the `reasons`. With the tenant's `secondApproval`
/// setting, the first such approval answers 202 and the case waits for a different senior or
/// admin (`pendingApproval`); the same person again gets 403 `second_approver_required`.
#[utoipa::path(
    post, path = "/api/cases/{caseId}/decision", tag = "workflow",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    request_body(content = DecisionBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The decided case", body = StaffCaseView),
        (status = 202, description = "A first approval, recorded: a second senior or admin completes it", body = StaffCaseView),
        (status = 400, description = "validation_error (`notes` is required to approve a high-risk case)", body = ErrorBody),
        (status = 403, description = "senior_approval_required or second_approver_required (reasons)", body = ErrorBody),
        (status = 409, description = "invalid_transition (currentStatus)", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
pub(super) async fn decide(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
    JsonBody(body, _): JsonBody,
) -> Result<(StatusCode, Json<StaffCaseView>), ApiError> {
    let typed: DecisionBody = typed_body(&body)?;
    let locator = locate(&case_id)?;
    let mut errors = Vec::new();
    let outcome = match typed.outcome.as_ref().and_then(Value::as_str) {
        Some("approved") => Some(Outcome::Approved),
        Some("declined") => Some(Outcome::Declined),
        _ => {
            errors.push(FieldError::new("outcome", "must be \"approved\" or \"declined\""));
            None
        }
    };
    let notes = note_field(typed.notes.as_ref(), "notes", false).map_err(|e| errors.push(e)).ok();
    let (Some(outcome), Some(notes)) = (outcome, notes) else { return Err(ApiError::Validation(errors)) };
    let decided = commands::decide(&st.ctx, &staff, &locator, outcome, notes).await?;
    let status = match decided {
        commands::Decided::Final(_) => StatusCode::OK,
        commands::Decided::AwaitingSecond(_) => StatusCode::ACCEPTED,
    };
    Ok((status, Json(view(&st, decided.case()).await?)))
}

/// The body of `POST /api/cases/{caseId}/escalation`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct EscalationBody {
    #[schema(required = true, schema_with = required_note_schema)]
    note: Option<Value>,
}

/// Escalate the case to a senior reviewer (`escalation.created` and `case.status.changed` to
/// `pending_senior`). Allowed from `in_review` and `returned`.
#[utoipa::path(
    post, path = "/api/cases/{caseId}/escalation", tag = "workflow",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    request_body(content = EscalationBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The escalated case", body = StaffCaseView),
        (status = 409, description = "invalid_transition (currentStatus)", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
pub(super) async fn escalate(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<StaffCaseView>, ApiError> {
    let typed: EscalationBody = typed_body(&body)?;
    let locator = locate(&case_id)?;
    let note = note_field(typed.note.as_ref(), "note", true).map_err(|e| ApiError::Validation(vec![e]))?;
    let case = commands::escalate(&st.ctx, &staff, &locator, note).await?;
    Ok(Json(view(&st, &case).await?))
}

/// The body of `POST /api/cases/{caseId}/escalation/response`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct ResponseBody {
    #[schema(required = true, schema_with = recommendation_schema)]
    recommendation: Option<Value>,
    #[schema(schema_with = optional_note_schema)]
    note: Option<Value>,
}

/// Answer the escalation (seniors and admins): `escalation.responded` and
/// `case.status.changed` to `returned` with the recommendation. Allowed from `pending_senior`.
#[utoipa::path(
    post, path = "/api/cases/{caseId}/escalation/response", tag = "workflow",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    request_body(content = ResponseBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The case, returned to its analyst", body = StaffCaseView),
        (status = 409, description = "invalid_transition (currentStatus)", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
pub(super) async fn respond(
    State(st): State<AppState>,
    staff: Staff<fml_web::extract::Senior>,
    Path(case_id): Path<String>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<StaffCaseView>, ApiError> {
    let typed: ResponseBody = typed_body(&body)?;
    let locator = locate(&case_id)?;
    let mut errors = Vec::new();
    let rec = match typed.recommendation.as_ref().and_then(Value::as_str) {
        Some("approve") => Some(Recommendation::Approve),
        Some("decline") => Some(Recommendation::Decline),
        Some("refer") => Some(Recommendation::Refer),
        _ => {
            errors.push(FieldError::new("recommendation", "must be \"approve\", \"decline\" or \"refer\""));
            None
        }
    };
    let note = note_field(typed.note.as_ref(), "note", false).map_err(|e| errors.push(e)).ok();
    let (Some(rec), Some(note)) = (rec, note) else { return Err(ApiError::Validation(errors)) };
    let case = commands::respond_to_escalation(&st.ctx, &staff, &locator, rec, note).await?;
    Ok(Json(view(&st, &case).await?))
}

/// Open a case by hand (`source: manual`, `createdBy` the analyst): the Public API's fields
/// plus `companyNumber`; `sendInvite` emails the customer their magic link. A `crmRecordId`
/// the tenant already has returns that case with 200.
#[utoipa::path(
    post, path = "/api/cases", tag = "workflow", operation_id = "staff_create_case",
    request_body(content = crate::routes::cases::CreateCaseBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Case created", body = StaffCaseView),
        (status = 200, description = "The tenant's existing case for this crmRecordId", body = StaffCaseView),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
pub(super) async fn create_case(
    State(st): State<AppState>,
    staff: Staff,
    JsonBody(body, raw): JsonBody,
) -> Result<Response, ApiError> {
    let (new_case, company_number) = crate::routes::cases::parse_create(&body, &raw)?;
    let branding = if new_case.send_invite { Some(st.branding.get(&st.ctx, &staff.org).await?) } else { None };
    let opening = fml_app::opener::Opening {
        org: staff.org.clone(),
        source: CaseSource::Manual,
        by: fml_app::opener::OpenedBy::Analyst(staff.email.clone()),
        company_number,
        new_case,
        claim: None,
    };
    let (status, case) = match fml_app::opener::open(&st.ctx, &st.cases, opening, branding.as_ref()).await? {
        fml_app::opener::Opened::Created { case, .. } => (axum::http::StatusCode::CREATED, case),
        fml_app::opener::Opened::ExistingForCrm { case, .. } => (axum::http::StatusCode::OK, case),
        fml_app::opener::Opened::KeyTaken(_) => {
            return Err(ApiError::Internal("a manual create carried an idempotency key".into()));
        }
    };
    Ok((status, Json(view(&st, &case).await?)).into_response())
}

/// (Re)send the customer's magic-link invite: every earlier unused link stops working.
#[utoipa::path(
    post, path = "/api/cases/{caseId}/invite", tag = "workflow",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses(
        (status = 200, description = "The case, with the new inviteSentAt", body = StaffCaseView),
        (status = 409, description = "invalid_transition: the case is decided (currentStatus)", body = ErrorBody),
        (status = 422, description = "no_customer_email", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
pub(super) async fn send_invite(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<StaffCaseView>, ApiError> {
    let case = fml_app::portal::resend_invite(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok(Json(view(&st, &case).await?))
}
