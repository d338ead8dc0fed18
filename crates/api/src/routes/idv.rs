//! Identity verification over the analyst API — each person's check on a case, and an
//! analyst's dispatch to one person — and the Didit result callback
//! `POST /callbacks/didit/{orgId}`, authenticated by Didit's signature, not by a token.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fml_app::idv::{Dispatcher, VendorResult};
use fml_app::queries::records::IdvCheck;
use fml_domain::{FieldError, OrgId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::workflow::locate;
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{JsonBody, Staff, opt_note, typed_body};
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, dispatch_all))
        .routes(routes!(dispatch))
        .routes(routes!(resolve))
        .routes(routes!(didit_callback))
}

/// One person's identity check.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdvCheckView {
    pub id: i64,
    /// The person's stable key on the case (UUID v4).
    pub person_key: String,
    pub person_name: String,
    pub person_email: Option<String>,
    pub roles: Vec<String>,
    /// 1-based roster position.
    pub position: u32,
    /// `Didit` or `FML` (the built-in page).
    pub vendor: String,
    /// `dispatched`, `satisfied`, `pass`, `fail` or `manual_review`.
    pub status: &'static str,
    /// The vendor's own word for the result ("Approved", "In Review", …).
    pub vendor_status: Option<String>,
    /// The identity document that satisfied the check without a link.
    pub satisfied_by_doc_id: Option<i64>,
    /// The document the person uploaded on the built-in page.
    pub document_id: Option<i64>,
    /// "system" or the analyst's email.
    pub dispatched_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: fml_domain::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<fml_domain::Timestamp>,
}

impl From<IdvCheck> for IdvCheckView {
    fn from(c: IdvCheck) -> Self {
        Self {
            id: c.id,
            person_key: c.person_key,
            person_name: c.person_name,
            person_email: c.person_email,
            roles: c.roles,
            position: c.position,
            vendor: c.vendor,
            status: c.status.as_str(),
            vendor_status: c.vendor_status,
            satisfied_by_doc_id: c.satisfied_by_doc,
            document_id: c.document_id,
            dispatched_by: c.dispatched_by,
            updated_at: c.updated_at,
            completed_at: c.completed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdvList {
    pub data: Vec<IdvCheckView>,
}

/// Each person's identity check on a case, in roster order.
#[utoipa::path(
    get, path = "/api/cases/{caseId}/idv", tag = "idv", operation_id = "list_idv_checks",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses(
        (status = 200, description = "The checks", body = IdvList),
        (status = 404, description = "No such case", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn list(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<IdvList>, ApiError> {
    let checks = fml_app::idv::for_case(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok(Json(IdvList { data: checks.into_iter().map(Into::into).collect() }))
}

/// Sends identity verification links to every person of the case who needs one and has no
/// check yet (`idv.dispatched` with the analyst as `dispatchedBy`; an accepted identity
/// document on file satisfies the person instead). This is how the links of a case started
/// through the public application link go out: its submission sends none. A case mails at
/// most 20 people over its life. Answers the checks this call started (possibly none).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/idv", tag = "idv", operation_id = "dispatch_idv_all",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses(
        (status = 200, description = "The checks started", body = IdvList),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 409, description = "The case is decided", body = ErrorBody),
        (status = 503, description = "The verification vendor did not answer", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn dispatch_all(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<IdvList>, ApiError> {
    let by = Dispatcher::Everyone(&staff.analyst);
    let started = fml_app::idv::dispatch(&st.ctx, &staff.org, &locate(&case_id)?, by).await?;
    Ok(Json(IdvList { data: started.into_iter().map(Into::into).collect() }))
}

/// Sends (or sends again) the identity verification link to one person of the case
/// (`idv.dispatched` with the analyst as `dispatchedBy`). A person who passed is not sent
/// another (409); a person without an email cannot be (422).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/idv/{personKey}", tag = "idv", operation_id = "dispatch_idv",
    params(
        ("caseId" = String, Path, description = "The case UUID or its reference"),
        ("personKey" = String, Path, description = "The person's key on the case"),
    ),
    responses(
        (status = 201, description = "The link was sent", body = IdvCheckView),
        (status = 404, description = "No such case or person", body = ErrorBody),
        (status = 409, description = "The case is decided, or the person is verified", body = ErrorBody),
        (status = 422, description = "The person has no email address", body = ErrorBody),
        (status = 503, description = "The verification vendor did not answer", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn dispatch(
    State(st): State<AppState>,
    staff: Staff,
    Path((case_id, person_key)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let by = Dispatcher::Analyst(&staff.analyst, &person_key);
    let mut started = fml_app::idv::dispatch(&st.ctx, &staff.org, &locate(&case_id)?, by).await?;
    let check = started.pop().ok_or(ApiError::NotFound("no such person"))?;
    Ok((StatusCode::CREATED, Json(IdvCheckView::from(check))).into_response())
}

fn outcome_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(["pass", "fail"].map(|v| Value::String(v.into()))))
        .build()
        .into()
}

/// An analyst's result for a person's identity check.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct ResultBody {
    #[schema(required = true, schema_with = outcome_schema)]
    outcome: Option<Value>,
    #[schema(schema_with = crate::routes::screening::note_schema)]
    note: Option<Value>,
}

/// Record an analyst's own result for a person whose check waits or went to manual review
/// (e.g. after looking at the passport uploaded on the built-in page): `idv.completed` with
/// that outcome. A check with a final result already is refused (409 `idv_final`).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/idv/{personKey}/result", tag = "idv", operation_id = "resolve_idv",
    params(
        ("caseId" = String, Path, description = "The case UUID or its reference"),
        ("personKey" = String, Path, description = "The person's key on the case"),
    ),
    request_body(content = ResultBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The check with its result", body = IdvCheckView),
        (status = 404, description = "No such case, or no check for this person", body = ErrorBody),
        (status = 409, description = "The case is decided, or the check has its final result", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn resolve(
    State(st): State<AppState>,
    staff: Staff,
    Path((case_id, person_key)): Path<(String, String)>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<IdvCheckView>, ApiError> {
    let typed: ResultBody = typed_body(&body)?;
    let locator = locate(&case_id)?;
    let mut errors = Vec::new();
    let outcome = typed.outcome.as_ref().and_then(Value::as_str).and_then(fml_app::idv::parse_analyst_outcome);
    if outcome.is_none() {
        errors.push(FieldError::new("outcome", "must be \"pass\" or \"fail\""));
    }
    let note = opt_note(typed.note.as_ref(), "note", &mut errors);
    let (Some(outcome), Some(note), true) = (outcome, note, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let check = fml_app::idv::resolve(&st.ctx, &staff, &locator, &person_key, outcome, &note).await?;
    Ok(Json(check.into()))
}

/// Didit's webhook body (the fields read; the rest is ignored).
#[derive(Debug, ToSchema)]
#[expect(dead_code, reason = "describes Didit's webhook body to the OpenAPI document")]
struct DiditWebhook {
    /// The verification session.
    session_id: String,
    /// "Approved", "Declined", "In Review", "Expired", "Abandoned", "Not Started", "In Progress", …
    status: String,
    webhook_type: Option<String>,
    vendor_data: Option<String>,
    /// When Didit sent it (Unix seconds); signed with the body, so it must be fresh too.
    timestamp: Option<i64>,
}

/// Didit's result callback. Authenticated by `X-Signature` (hex HMAC-SHA256 of the raw body
/// under the webhook secret) and `X-Timestamp` (Unix seconds, within five minutes). A final
/// status completes the person's check (`idv.completed`: Approved → pass, Declined → fail,
/// In Review / Expired / Abandoned → manual_review); a repeated or still-running status changes
/// nothing, and the same signed body again is answered `duplicate: true` without being
/// processed. A body whose own `timestamp` is stale is refused like a stale header. 404 when
/// Didit is not configured or the session is not the tenant's.
#[utoipa::path(
    post, path = "/callbacks/didit/{orgId}", tag = "idv", operation_id = "didit_callback",
    params(
        ("orgId" = String, Path, description = "The tenant the session belongs to"),
        ("X-Signature" = Option<String>, Header, description = "Hex HMAC-SHA256 of the raw body"),
        ("X-Timestamp" = Option<String>, Header, description = "Unix seconds"),
    ),
    request_body(content = DiditWebhook, content_type = "application/json"),
    responses(
        (status = 200, description = "Received", body = Object),
        (status = 400, description = "Not a Didit webhook body", body = ErrorBody),
        (status = 401, description = "Bad or stale signature", body = ErrorBody),
        (status = 404, description = "Didit is not configured, or no such session", body = ErrorBody),
    ),
    security(())
)]
async fn didit_callback(
    State(st): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(didit) = &st.didit else { return Err(ApiError::NotFound("Didit is not configured")) };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = fml_domain::Timestamp::now().millis() / 1000;
    if !didit.verify(&body, header("x-signature"), header("x-timestamp"), now) {
        return Ok(fml_web::error::json_error(
            StatusCode::UNAUTHORIZED,
            "invalid_signature",
            "the signature or its timestamp is wrong".into(),
            None,
        ));
    }
    let org = OrgId::parse(&org).map_err(|_| ApiError::NotFound("no such verification session"))?;
    let v: Value = serde_json::from_slice(&body)
        .map_err(|_| ApiError::BadRequest("invalid_body", "the body is not JSON".into()))?;
    // `X-Timestamp` is not signed; Didit's body carries its own `timestamp`, which is: a body
    // captured once cannot come back later under a fresh header.
    if v.get("timestamp").and_then(Value::as_i64).is_some_and(|t| !fml_vendors::didit::fresh(t, now)) {
        return Ok(fml_web::error::json_error(
            StatusCode::UNAUTHORIZED,
            "invalid_signature",
            "the signed body's timestamp is stale".into(),
            None,
        ));
    }
    let (Some(session), Some(status)) =
        (v.get("session_id").and_then(Value::as_str), v.get("status").and_then(Value::as_str))
    else {
        return Err(ApiError::BadRequest("invalid_body", "session_id and status are required".into()));
    };
    let Some(outcome) = fml_vendors::didit::outcome(status) else {
        return Ok(Json(json!({"received": true, "outcome": null})).into_response());
    };
    // The verified signature names this callback: each is processed once.
    let digest = header("x-signature").unwrap_or_default().trim().to_ascii_lowercase();
    let done = fml_app::idv::complete_from_vendor(&st.ctx, &org, session, outcome, status, &digest).await?;
    let (changed, duplicate) = match done {
        VendorResult::Completed => (true, false),
        VendorResult::Unchanged => (false, false),
        VendorResult::Duplicate => (false, true),
    };
    Ok(Json(json!({"received": true, "outcome": outcome, "changed": changed, "duplicate": duplicate})).into_response())
}
