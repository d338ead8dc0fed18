//! The analyst API's case routes: list and read cases with their timeline, and the lifecycle
//! actions (owner, decision, escalation and its response). Each action is one command of
//! [`fml_app::cases`]; these handlers only parse, authorise by type and render.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use fml_app::cases as commands;
use fml_domain::ids::CaseLocator;
use fml_domain::lifecycle::{Outcome, Recommendation};
use fml_domain::{AnalystId, CaseId, CaseSource, CaseStatus, FieldError, Timestamp};
use fml_store::analysts::AnalystRecord;
use fml_store::cases::{CaseFilter, CasePage, CaseRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::view::CaseView;
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{JsonBody, Staff, typed_body};
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases, create_case))
        .routes(routes!(send_invite))
        .routes(routes!(get_case))
        .routes(routes!(timeline))
        .routes(routes!(set_owner))
        .routes(routes!(decide))
        .routes(routes!(escalate))
        .routes(routes!(respond))
}

pub(crate) fn locate(raw: &str) -> Result<CaseLocator, ApiError> {
    CaseLocator::parse(raw).ok_or(ApiError::NotFound("no such case"))
}

/// A case owner or other analyst, by name and email.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRef {
    pub name: String,
    pub email: String,
}

/// The final decision.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionView {
    pub notes: String,
    pub decided_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub decided_at: Timestamp,
}

/// A case as the analyst API shows it: the Public API's representation, plus its owner, who
/// opened it and the decision.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffCaseView {
    #[serde(flatten)]
    pub case: CaseView,
    pub owner: Option<PersonRef>,
    /// The analyst who opened a manual case.
    pub created_by: Option<String>,
    pub decision: Option<DecisionView>,
    /// A first approval waiting for a second senior or admin (maker-checker). Given on the
    /// routes that return one case; absent from lists and when none waits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_approval: Option<PendingApprovalView>,
}

/// A first approval of a high-risk case, waiting for a different senior or admin.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingApprovalView {
    pub requested_by: String,
    pub notes: String,
    /// Why the case is high-risk, as the first approver saw it.
    pub reasons: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub requested_at: Timestamp,
}

impl StaffCaseView {
    pub fn new(c: &CaseRecord, owner: Option<&AnalystRecord>, config: &fml_web::Config) -> Self {
        Self {
            case: CaseView::new(c, config),
            owner: owner.map(|a| PersonRef { name: a.name.clone(), email: a.email.clone() }),
            created_by: c.created_by.clone(),
            decision: c.decision.as_ref().map(|d| DecisionView {
                notes: d.notes.clone(),
                decided_by: d.decided_by.clone(),
                decided_at: d.decided_at,
            }),
            pending_approval: None,
        }
    }
}

/// Renders one case with its owner.
pub(crate) async fn view(st: &AppState, c: &CaseRecord) -> Result<StaffCaseView, ApiError> {
    let owner = match c.owner_id {
        Some(id) => {
            let mut r = st.db.reader().await?;
            fml_store::analysts::get_in(r.conn(), &c.org_id, id).await?
        }
        None => None,
    };
    let mut v = StaffCaseView::new(c, owner.as_ref(), &st.config);
    if matches!(c.status, CaseStatus::InReview | CaseStatus::Returned) {
        let mut r = st.db.reader().await?;
        v.pending_approval =
            fml_store::approvals::pending(r.conn(), &c.org_id, c.id).await?.map(|p| PendingApprovalView {
                reasons: p.concerns(),
                requested_by: p.requested_by,
                notes: p.notes,
                requested_at: Timestamp::from_millis(p.requested_at),
            });
    }
    Ok(v)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only cases in this status.
    #[param(inline, value_type = Option<String>, pattern = "^(in_progress|in_review|pending_senior|returned|approved|declined)?$")]
    status: Option<String>,
    /// Only cases owned by this analyst (email), `me`, or `none` for unassigned cases.
    owner: Option<String>,
    /// Only cases opened this way.
    #[param(value_type = Option<String>, pattern = "^(api|manual|doc_upload|application_form)?$")]
    source: Option<String>,
    /// Text the company name, the reference or the customer's email contains (any case).
    q: Option<String>,
    /// Page size, 1-100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// `nextCursor` of the previous page (empty: the first page).
    #[param(pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct StaffCaseList {
    data: Vec<StaffCaseView>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
}

/// List the tenant's cases, newest first, with filters.
#[utoipa::path(
    get, path = "/api/cases", tag = "workflow", operation_id = "staff_list_cases",
    params(ListParams),
    responses(
        (status = 200, description = "A page of cases", body = StaffCaseList),
        (status = 400, description = "validation_error or invalid_request", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn list_cases(
    State(st): State<AppState>,
    staff: Staff,
    query: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<StaffCaseList>, ApiError> {
    let Query(p) = query.map_err(|e| ApiError::BadRequest("invalid_request", e.body_text()))?;
    let mut errors = Vec::new();
    let limit = p.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        errors.push(FieldError::new("limit", "must be between 1 and 100"));
    }
    let mut filter = CaseFilter::default();
    match p.status.as_deref().filter(|s| !s.is_empty()) {
        None => {}
        Some(s) => match CaseStatus::parse(s) {
            Some(s) => filter.status = Some(s),
            None => errors.push(FieldError::new("status", "is not a case status")),
        },
    }
    match p.source.as_deref().filter(|s| !s.is_empty()) {
        None => {}
        Some(s) => match CaseSource::parse(s) {
            Some(s) => filter.source = Some(s),
            None => errors.push(FieldError::new("source", "is not a case source")),
        },
    }
    let after = match p.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => {
            c.parse::<CaseId>().map_err(|_| errors.push(FieldError::new("cursor", "is not a valid cursor"))).ok()
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let analysts: HashMap<AnalystId, AnalystRecord> =
        fml_store::analysts::list(&st.db, &staff.org).await?.into_iter().map(|a| (a.id, a)).collect();
    match p.owner.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {}
        Some("none") => filter.owner = Some(None),
        Some("me") => filter.owner = Some(Some(staff.id)),
        Some(email) => {
            let email = email.to_lowercase();
            match analysts.values().find(|a| a.email == email) {
                Some(a) => filter.owner = Some(Some(a.id)),
                // Nobody by that email owns anything.
                None => return Ok(Json(StaffCaseList { data: Vec::new(), next_cursor: None })),
            }
        }
    }
    filter.text = p.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(200).collect());
    let mut rows = fml_store::cases::search(&st.db, &staff.org, &filter, CasePage::After(after), limit + 1).await?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|c| c.id.to_string())
    } else {
        None
    };
    let data =
        rows.iter().map(|c| StaffCaseView::new(c, c.owner_id.and_then(|o| analysts.get(&o)), &st.config)).collect();
    Ok(Json(StaffCaseList { data, next_cursor }))
}

/// A case, by UUID or reference.
#[utoipa::path(
    get, path = "/api/cases/{caseId}", tag = "workflow", operation_id = "staff_get_case",
    params(("caseId" = String, Path, description = "The case UUID or its reference (CS-2026-00471)")),
    responses((status = 200, description = "The case", body = StaffCaseView)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn get_case(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<StaffCaseView>, ApiError> {
    let case = fml_store::cases::get(&st.db, &staff.org, &locate(&case_id)?)
        .await?
        .ok_or(ApiError::NotFound("no such case"))?;
    Ok(Json(view(&st, &case).await?))
}

/// Most timeline entries returned.
const TIMELINE_LIMIT: i64 = 1000;

/// The case's activity timeline: the payload of every event it emitted, newest first (at
/// most the latest 1,000).
#[utoipa::path(
    get, path = "/api/cases/{caseId}/timeline", tag = "workflow",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 200, description = "Event payloads, newest first", body = Vec<Object>)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn timeline(State(st): State<AppState>, staff: Staff, Path(case_id): Path<String>) -> Result<Response, ApiError> {
    let case = fml_store::cases::get(&st.db, &staff.org, &locate(&case_id)?)
        .await?
        .ok_or(ApiError::NotFound("no such case"))?;
    let payloads = fml_store::events::for_case(&st.db, &staff.org, case.id, TIMELINE_LIMIT).await?;
    // The stored payloads are the exact JSON that was signed and sent: joined, not re-encoded.
    let body = format!("[{}]", payloads.join(","));
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

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
async fn set_owner(
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
async fn decide(
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
async fn escalate(
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
async fn respond(
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
async fn create_case(
    State(st): State<AppState>,
    staff: Staff,
    JsonBody(body, raw): JsonBody,
) -> Result<Response, ApiError> {
    let (new_case, company_number) = crate::routes::cases::parse_create(&body, &raw)?;
    let branding = if new_case.send_invite { Some(st.branding.get(&st.ctx, &staff.org).await?) } else { None };
    let opening = commands::Opening {
        org: staff.org.clone(),
        source: CaseSource::Manual,
        created_by: Some(staff.email.clone()),
        company_number,
        new_case,
        claim: None,
    };
    let (status, case) = match commands::open(&st.ctx, &st.cases, opening, branding.as_ref()).await? {
        fml_store::case_writer::CreateOutcome::Created { case, .. } => (axum::http::StatusCode::CREATED, case),
        fml_store::case_writer::CreateOutcome::ExistingForCrm { case, .. } => (axum::http::StatusCode::OK, case),
        fml_store::case_writer::CreateOutcome::KeyTaken(_) => {
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
async fn send_invite(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<StaffCaseView>, ApiError> {
    let case = fml_app::portal::resend_invite(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok(Json(view(&st, &case).await?))
}
