//! The Public API's case routes: open a case (idempotent twice over), look cases up, and
//! store a CRM record id on one.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use fml_domain::case::{NewCase, number_literal, parse_crm_record_id};
use fml_domain::idempotency::fingerprint;
use fml_domain::ids::CaseLocator;
use fml_domain::{CaseId, Scope, Timestamp};
use fml_store::case_writer::{CreateCase, CreateOutcome};
use fml_store::cases::{CaseRecord, SetCrmOutcome};
use fml_store::db::Tx;
use fml_store::idempotency::Claim;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::idempotent::{self, Storage};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, IdempotencyHeader, JsonBody};
use crate::state::AppState;
use crate::view::{CaseView, render_case};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_case, list_cases))
        .routes(routes!(get_case))
        .routes(routes!(set_crm_record_id))
}

const CREATE_ROUTE: &str = "POST /v1/cases";

/// The body of `POST /v1/cases`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "documents the request shape; the handler validates field by field")]
struct CreateCaseBody {
    /// Where the magic-link invite goes. Required.
    customer_email: String,
    customer_name: Option<String>,
    company_name: Option<String>,
    /// An ISO 3166-1 alpha-2 or alpha-3 code or an English name ("United Kingdom", "GB",
    /// "GBR", "uk"); stored and returned as alpha-2.
    country: Option<String>,
    entity_type: Option<String>,
    /// The upstream CRM record: a second create for it returns the existing case.
    crm_record_id: Option<String>,
    /// e.g. "hubspot", "salesforce".
    crm_source: Option<String>,
    /// Email the customer a magic-link invite to the portal (default false).
    send_invite: Option<bool>,
}

/// Open a KYB case.
///
/// Safe to retry: send an `Idempotency-Key` and a replay returns the original status and body
/// byte for byte with `Idempotent-Replay: true`; send a `crmRecordId` and a second create for
/// the same record returns the existing case with `200` and `Idempotent-Replay: crm-record-id`.
#[utoipa::path(
    post, path = "/v1/cases", tag = "cases",
    params(("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters, kept 24 hours")),
    request_body = CreateCaseBody,
    responses(
        (status = 201, description = "Case created", body = CaseView),
        (status = 200, description = "An existing case for this crmRecordId (Idempotent-Replay: crm-record-id)", body = CaseView),
        (status = 400, description = "validation_error or invalid_json", body = ErrorBody),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "insufficient_scope", body = ErrorBody),
        (status = 409, description = "idempotency_key_conflict or idempotency_request_in_progress", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_media_type", body = ErrorBody),
        (status = 422, description = "idempotency_key_reused", body = ErrorBody),
    ),
    security(("oauth2" = ["cases:write"]))
)]
async fn create_case(
    State(st): State<AppState>,
    auth: Auth,
    IdempotencyHeader(key): IdempotencyHeader,
    JsonBody(body, raw): JsonBody,
) -> Result<Response, ApiError> {
    auth.require(Scope::CasesWrite)?;
    let mut new_case = NewCase::from_json(&body).map_err(ApiError::Validation)?;
    if new_case.crm_record_id.is_some()
        && let Some(literal) = number_literal(&raw, "crmRecordId")
    {
        new_case.crm_record_id = Some(literal);
    }
    let claim = key.map(|key| Claim {
        org: auth.org.clone(),
        key,
        route: CREATE_ROUTE.to_owned(),
        fingerprint: fingerprint(CREATE_ROUTE, &body),
    });
    let case_id = CaseId::generate();
    let invite = new_case
        .send_invite
        .then(|| crate::mail::prepare_invite(&st.config, &auth, &new_case, case_id, Timestamp::now()));
    let queued_mail = invite.is_some();
    let outcome = st.cases.create(CreateCase { org: auth.org.clone(), case_id, claim, new_case, invite }).await?;
    Ok(match outcome {
        CreateOutcome::Created { body, .. } => {
            if queued_mail {
                st.mail_wake.notify_one();
            }
            idempotent::json(StatusCode::CREATED, body, None)
        }
        CreateOutcome::ExistingForCrm { body, .. } => idempotent::json(StatusCode::OK, body, Some("crm-record-id")),
        CreateOutcome::KeyTaken(verdict) => idempotent::verdict_response(verdict)?,
    })
}

fn locate(raw: &str) -> Result<CaseLocator, ApiError> {
    CaseLocator::parse(raw).ok_or(ApiError::NotFound("no such case"))
}

/// Fetch a case by its UUID or its `CS-<year>-<n>` reference.
#[utoipa::path(
    get, path = "/v1/cases/{caseId}", tag = "cases",
    params(("caseId" = String, Path, description = "The case UUID or its reference (CS-2026-00471)")),
    responses(
        (status = 200, description = "The case", body = CaseView),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "insufficient_scope", body = ErrorBody),
        (status = 404, description = "not_found (also for another tenant's case)", body = ErrorBody),
    ),
    security(("oauth2" = ["cases:read"]))
)]
async fn get_case(
    State(st): State<AppState>,
    auth: Auth,
    Path(case_id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    auth.require(Scope::CasesRead)?;
    let case = fml_store::cases::get(&st.db, &auth.org, &locate(&case_id)?)
        .await?
        .ok_or(ApiError::NotFound("no such case"))?;
    Ok(Json(CaseView::new(&case, &st.config)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only the case for this CRM record id.
    crm_record_id: Option<String>,
    /// Page size, 1-100 (default 25).
    limit: Option<u32>,
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CaseList {
    data: Vec<CaseView>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
}

/// List cases, newest first, or look one up by `crmRecordId`.
#[utoipa::path(
    get, path = "/v1/cases", tag = "cases",
    params(ListParams),
    responses(
        (status = 200, description = "A page of cases", body = CaseList),
        (status = 400, description = "validation_error", body = ErrorBody),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "insufficient_scope", body = ErrorBody),
    ),
    security(("oauth2" = ["cases:read"]))
)]
async fn list_cases(
    State(st): State<AppState>,
    auth: Auth,
    query: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CaseList>, ApiError> {
    auth.require(Scope::CasesRead)?;
    let Query(p) = query.map_err(|e| ApiError::BadRequest("invalid_request", e.body_text()))?;
    let limit = p.limit.unwrap_or(25);
    let mut errors = Vec::new();
    if !(1..=100).contains(&limit) {
        errors.push(fml_domain::FieldError::new("limit", "must be between 1 and 100"));
    }
    let after = match p.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => c
            .parse::<CaseId>()
            .map_err(|_| errors.push(fml_domain::FieldError::new("cursor", "is not a valid cursor")))
            .ok(),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // Compared as stored: trimmed and NFC-normalised. Text no case can hold matches nothing.
    let crm = match p.crm_record_id.as_deref().map(|raw| fml_domain::text::clean(raw, usize::MAX)) {
        None | Some(Ok(None)) => None,
        Some(Ok(Some(c))) => Some(c),
        Some(Err(_)) => return Ok(Json(CaseList { data: Vec::new(), next_cursor: None })),
    };
    let mut rows = fml_store::cases::list(&st.db, &auth.org, crm.as_deref(), after, limit + 1).await?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|c| c.id.to_string())
    } else {
        None
    };
    Ok(Json(CaseList { data: rows.iter().map(|c| CaseView::new(c, &st.config)).collect(), next_cursor }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "documents the request shape")]
struct CrmRecordIdBody {
    crm_record_id: String,
}

/// Store the CRM record id on a case, so every later webhook for it carries `crmRecordId`.
#[utoipa::path(
    post, path = "/api/cases/{caseId}/crm-record-id", tag = "cases",
    params(
        ("caseId" = String, Path, description = "The case UUID or its reference"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters, kept 24 hours"),
    ),
    request_body = CrmRecordIdBody,
    responses(
        (status = 200, description = "The updated case", body = CaseView),
        (status = 400, description = "validation_error", body = ErrorBody),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "insufficient_scope", body = ErrorBody),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 409, description = "crm_record_id_conflict, idempotency_key_conflict or idempotency_request_in_progress", body = ErrorBody),
        (status = 422, description = "idempotency_key_reused", body = ErrorBody),
    ),
    security(("oauth2" = ["cases:write"]))
)]
async fn set_crm_record_id(
    State(st): State<AppState>,
    auth: Auth,
    Path(case_id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
    JsonBody(body, raw): JsonBody,
) -> Result<Response, ApiError> {
    auth.require(Scope::CasesWrite)?;
    let crm = body
        .as_object()
        .ok_or_else(|| ApiError::Validation(vec![fml_domain::FieldError::new("body", "must be a JSON object")]))
        .and_then(|o| parse_crm_record_id(o.get("crmRecordId")).map_err(|e| ApiError::Validation(vec![e])))?;
    let crm = number_literal(&raw, "crmRecordId").unwrap_or(crm);
    let locator = locate(&case_id)?;
    let route = format!("POST /api/cases/{case_id}/crm-record-id");
    let (res, _) = idempotent::write(&st, &auth, key, route, &body, Storage::Plain, async |tx: &mut Tx| {
        let case: CaseRecord =
            match fml_store::cases::set_crm_record_id(tx.conn(), &auth.org, &locator, &crm, Timestamp::now()).await? {
                SetCrmOutcome::Updated(c) => *c,
                SetCrmOutcome::NotFound => return Err(ApiError::NotFound("no such case")),
                SetCrmOutcome::TakenByOtherCase => {
                    return Err(ApiError::Conflict(
                        "crm_record_id_conflict",
                        "another case of this organisation already has this crmRecordId".into(),
                    ));
                }
            };
        Ok((StatusCode::OK, render_case(&case, &st.config), ()))
    })
    .await?;
    Ok(res)
}
