//! The Public API's case routes: open a case (idempotent twice over), look cases up, and
//! store a CRM record id on one.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use fml_app::idempotency::Claim;
use fml_app::opener::Opened;
use fml_app::queries::records::CaseRecord;
use fml_domain::case::{CaseFields, NewCase, limits, number_literal, parse_crm_record_id};
use fml_domain::idempotency::fingerprint;
use fml_domain::ids::CaseLocator;
use fml_domain::{CaseId, Scope};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::KnownFormat;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::idempotent::{self, Storage};
use crate::view::{CaseView, render_case};
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{Auth, IdempotencyHeader, JsonBody, typed_body};
use fml_web::schema;
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_case, list_cases))
        .routes(routes!(get_case))
        .routes(routes!(set_crm_record_id))
}

const CREATE_ROUTE: &str = "POST /v1/cases";

/// The body of `POST /v1/cases`. Unknown fields are ignored. Each field is read as sent and
/// checked together with the others, so a `validation_error` lists every failed field; a blank
/// optional field (`""`, as CRMs send empty properties) counts as absent.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct CreateCaseBody {
    #[schema(required = true, schema_with = customer_email_schema)]
    customer_email: Option<Value>,
    #[schema(schema_with = customer_name_schema)]
    customer_name: Option<Value>,
    #[schema(schema_with = company_name_schema)]
    company_name: Option<Value>,
    #[schema(schema_with = country_schema)]
    country: Option<Value>,
    #[schema(schema_with = entity_type_schema)]
    entity_type: Option<Value>,
    #[schema(schema_with = crm_record_id_schema)]
    crm_record_id: Option<Value>,
    #[schema(schema_with = crm_source_schema)]
    crm_source: Option<Value>,
    #[schema(schema_with = send_invite_schema)]
    send_invite: Option<Value>,
    #[schema(schema_with = company_number_schema)]
    company_number: Option<Value>,
}

impl CreateCaseBody {
    fn fields(&self) -> CaseFields<'_> {
        CaseFields {
            customer_email: self.customer_email.as_ref(),
            customer_name: self.customer_name.as_ref(),
            company_name: self.company_name.as_ref(),
            country: self.country.as_ref(),
            entity_type: self.entity_type.as_ref(),
            crm_record_id: self.crm_record_id.as_ref(),
            crm_source: self.crm_source.as_ref(),
            send_invite: self.send_invite.as_ref(),
        }
    }
}

fn customer_email_schema() -> utoipa::openapi::schema::Schema {
    schema::formatted(KnownFormat::Email, limits::EMAIL, false, "Where the magic-link invite goes. Required.")
}
fn customer_name_schema() -> utoipa::openapi::schema::Schema {
    schema::text(limits::NAME, true, "The customer's name, used in the invite's greeting.")
}
fn company_name_schema() -> utoipa::openapi::schema::Schema {
    schema::text(limits::COMPANY, true, "The business being onboarded.")
}
fn country_schema() -> utoipa::openapi::schema::Schema {
    schema::one_of_strings(
        fml_domain::CountryCode::spellings().into_iter().chain([String::new()]),
        "An ISO 3166-1 alpha-2 or alpha-3 code or an English name (\"United Kingdom\", \"GB\", \"GBR\", \"uk\"), \
         in any case; stored and returned as alpha-2.",
    )
}
fn entity_type_schema() -> utoipa::openapi::schema::Schema {
    schema::text(limits::ENTITY_TYPE, true, "e.g. \"Private limited company\".")
}
fn crm_record_id_schema() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::AnyOfBuilder::new()
        .item(schema::text(limits::CRM_RECORD_ID, true, "As text."))
        .item(utoipa::openapi::schema::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::Number))
        .description(Some(
            "The upstream CRM record: a second create for it returns the existing case. A number is kept as its exact text.",
        ))
        .build()
        .into()
}
fn crm_source_schema() -> utoipa::openapi::schema::Schema {
    schema::text(limits::CRM_SOURCE, true, "e.g. \"hubspot\", \"salesforce\".")
}
fn company_number_schema() -> utoipa::openapi::schema::Schema {
    schema::text(limits::COMPANY_NUMBER, true, "The company's registration number.")
}
fn send_invite_schema() -> utoipa::openapi::schema::Schema {
    schema::lenient_flag("Email the customer a magic-link invite to the portal (default false).")
}

/// Open a KYB case.
///
/// Safe to retry: send an `Idempotency-Key` and a replay returns the original status and body
/// byte for byte with `Idempotent-Replay: true`; send a `crmRecordId` and a second create for
/// the same record returns the existing case with `200` and `Idempotent-Replay: crm-record-id`.
/// A key reused with a changed body that names the same `crmRecordId` as the case the key
/// created (a CRM trigger re-fired on a re-saved record) is such a second create.
#[utoipa::path(
    post, path = "/v1/cases", tag = "cases",
    request_body(content = CreateCaseBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Case created", body = CaseView),
        (status = 200, description = "An existing case for this crmRecordId (Idempotent-Replay: crm-record-id)", body = CaseView),
        (status = 400, description = "validation_error or invalid_json", body = ErrorBody),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "insufficient_scope", body = ErrorBody),
        (status = 409, description = "idempotency_key_conflict or idempotency_request_in_progress", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_media_type", body = ErrorBody),
        (status = 422, description = "idempotency_key_reused: the key was used with another body naming another crmRecordId, or none", body = ErrorBody),
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
    let (new_case, company_number) = parse_create(&body, &raw)?;
    let claim = key.map(|key| Claim {
        org: auth.org.clone(),
        key,
        route: CREATE_ROUTE.to_owned(),
        fingerprint: fingerprint(CREATE_ROUTE, &body),
    });
    let branding = if new_case.send_invite { Some(st.branding.get(&st.ctx, &auth.org).await?) } else { None };
    let opening = fml_app::opener::Opening {
        org: auth.org.clone(),
        source: fml_domain::CaseSource::Api,
        by: fml_app::opener::OpenedBy::Client(auth.client_id.clone()),
        company_number,
        new_case,
        claim,
    };
    // The writer wakes the mailer and the delivery engine after its commit.
    let outcome = fml_app::opener::open(&st.ctx, &st.cases, opening, branding.as_ref()).await?;
    Ok(match outcome {
        Opened::Created { body, .. } => idempotent::json(StatusCode::CREATED, body, None),
        Opened::ExistingForCrm { body, .. } => idempotent::json(StatusCode::OK, body, Some("crm-record-id")),
        Opened::KeyTaken(verdict) => idempotent::verdict_response(verdict)?,
    })
}

/// Validates a create-case body (the Public API's, and the analyst API's manual create):
/// every failed field at once.
pub(crate) fn parse_create(body: &Value, raw: &[u8]) -> Result<(NewCase, Option<String>), ApiError> {
    let typed: CreateCaseBody = typed_body(body)?;
    let number = fml_domain::case::parse_company_number(typed.company_number.as_ref());
    let mut new_case = match (NewCase::from_fields(typed.fields()), number) {
        (Ok(c), Ok(_)) => c,
        (Err(mut errors), Err(e)) => {
            errors.push(e);
            return Err(ApiError::Validation(errors));
        }
        (Err(errors), Ok(_)) => return Err(ApiError::Validation(errors)),
        (Ok(_), Err(e)) => return Err(ApiError::Validation(vec![e])),
    };
    if new_case.crm_record_id.is_some()
        && let Some(literal) = number_literal(raw, "crmRecordId")
    {
        new_case.crm_record_id = Some(literal);
    }
    let number = fml_domain::case::parse_company_number(typed.company_number.as_ref()).unwrap_or(None);
    Ok((new_case, number))
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
    let case = fml_app::queries::cases::get(&st.ctx, &auth.org, &locate(&case_id)?).await?;
    Ok(Json(CaseView::new(&case, &st.config)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only the case for this CRM record id.
    crm_record_id: Option<String>,
    /// Page size, 1-100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// `nextCursor` of the previous page (empty: the first page).
    #[param(pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
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
    let mut rows = fml_app::queries::cases::list(&st.ctx, &auth.org, crm.as_deref(), after, limit + 1).await?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|c| c.id.to_string())
    } else {
        None
    };
    Ok(Json(CaseList { data: rows.iter().map(|c| CaseView::new(c, &st.config)).collect(), next_cursor }))
}

/// The body of `POST /api/cases/{caseId}/crm-record-id`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
struct CrmRecordIdBody {
    #[schema(required = true, schema_with = required_crm_record_id_schema)]
    crm_record_id: Option<Value>,
}

fn required_crm_record_id_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
    AnyOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(limits::CRM_RECORD_ID))
                .pattern(Some(fml_domain::text::nonblank_pattern())),
        )
        .item(ObjectBuilder::new().schema_type(Type::Number))
        .description(Some("The upstream CRM record id; a number is kept as its exact text."))
        .build()
        .into()
}

/// Store the CRM record id on a case, so every later webhook for it carries `crmRecordId`.
#[utoipa::path(
    post, path = "/api/cases/{caseId}/crm-record-id", tag = "cases",
    params(
        ("caseId" = String, Path, description = "The case UUID or its reference"),
    ),
    request_body(content = CrmRecordIdBody, content_type = "application/json"),
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
    let typed: CrmRecordIdBody = typed_body(&body)?;
    let crm = parse_crm_record_id(typed.crm_record_id.as_ref()).map_err(|e| ApiError::Validation(vec![e]))?;
    let crm = number_literal(&raw, "crmRecordId").unwrap_or(crm);
    let locator = locate(&case_id)?;
    let claim = idempotent::claim_of(&auth, key, format!("POST /api/cases/{case_id}/crm-record-id"), &body);
    let render = |case: CaseRecord| render_case(&case, &st.config);
    let key = idempotent::key(&st, claim.as_ref(), Storage::Plain, StatusCode::OK, &render);
    let by = fml_app::Operator::Client(&auth.client_id);
    let out = fml_app::crm::set_record_id(&st.ctx, &auth.org, &locator, &crm, by, key).await?;
    idempotent::answer(&st, claim.as_ref(), out)
}
