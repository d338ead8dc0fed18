//! Enhanced due diligence and outreach over the analyst API.

use axum::Json;
use axum::extract::{Path, State};
use fml_app::edd as commands;
use fml_app::queries::records::EddRow;
use fml_domain::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::workflow::locate;
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{JsonBody, Staff, opt_string, typed_body};
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_requirements))
        .routes(routes!(request_evidence))
        .routes(routes!(set_requirement))
        .routes(routes!(outreach))
}

/// An EDD requirement.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct RequirementView {
    req_key: String,
    label: String,
    /// `outstanding`, `received` or `waived`.
    status: String,
    note: String,
    updated_by: String,
    #[schema(value_type = String, format = DateTime)]
    updated_at: fml_domain::Timestamp,
}

impl From<EddRow> for RequirementView {
    fn from(r: EddRow) -> Self {
        Self {
            req_key: r.req_key,
            label: r.label,
            status: r.status,
            note: r.note,
            updated_by: r.updated_by,
            updated_at: fml_domain::Timestamp::from_millis(r.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
struct RequirementList {
    data: Vec<RequirementView>,
}

/// A case's EDD requirements.
#[utoipa::path(
    get, path = "/api/cases/{caseId}/edd", tag = "edd",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 200, description = "The requirements, by key", body = RequirementList)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn list_requirements(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<RequirementList>, ApiError> {
    let rows = commands::requirements(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok(Json(RequirementList { data: rows.into_iter().map(Into::into).collect() }))
}

fn edd_status_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(["outstanding", "received", "waived"].map(|v| Value::String(v.into()))))
        .build()
        .into()
}
fn note_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
        .max_length(Some(fml_app::cases::MAX_NOTE))
        .pattern(Some(fml_domain::text::note_pattern(false)))
        .description(Some("Free text (line breaks allowed), at most 5,000 characters."))
        .build()
        .into()
}
fn label_schema() -> Schema {
    fml_web::schema::text(
        commands::MAX_LABEL,
        true,
        "Names a new requirement (default: from its key); kept when absent.",
    )
}

/// The body of `POST /api/cases/{caseId}/edd/{reqKey}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct RequirementBody {
    #[schema(required = true, schema_with = edd_status_schema)]
    status: Option<Value>,
    #[schema(schema_with = note_schema)]
    note: Option<Value>,
    #[schema(schema_with = label_schema)]
    label: Option<Value>,
}

/// Mark an EDD requirement outstanding, received or waived (`edd.requirements.changed`).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/edd/{reqKey}", tag = "edd",
    params(
        ("caseId" = String, Path, description = "The case UUID or its reference"),
        ("reqKey" = String, Path, description = "The requirement's stable key, e.g. source_of_funds (lower-case letters, digits, _ - .)"),
    ),
    request_body(content = RequirementBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The requirement", body = RequirementView),
        (status = 409, description = "invalid_transition: the case is decided", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn set_requirement(
    State(st): State<AppState>,
    staff: Staff,
    Path((case_id, key)): Path<(String, String)>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<RequirementView>, ApiError> {
    let typed: RequirementBody = typed_body(&body)?;
    let locator = locate(&case_id)?;
    let mut errors = Vec::new();
    let status = match typed.status.as_ref().and_then(Value::as_str).and_then(commands::parse_status) {
        Some(s) => Some(s),
        None => {
            errors.push(FieldError::new("status", "must be \"outstanding\", \"received\" or \"waived\""));
            None
        }
    };
    let note = fml_web::extract::opt_note(typed.note.as_ref(), "note", &mut errors);
    let label = match opt_string(typed.label.as_ref(), "label", &mut errors)
        .map(|l| fml_domain::text::clean(l, commands::MAX_LABEL))
    {
        None | Some(Ok(None)) => None,
        Some(Ok(Some(l))) => Some(l),
        Some(Err(e)) => {
            errors.push(FieldError::new("label", e.to_string()));
            None
        }
    };
    let (Some(status), Some(note), true) = (status, note, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let row = commands::set_requirement(&st.ctx, &staff, &locator, &key, status, note, label).await?;
    Ok(Json(row.into()))
}

/// Requested items.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct SentRequest {
    recipient_email: String,
    item_count: usize,
    items: Vec<ItemView>,
}

#[derive(Debug, Serialize, ToSchema)]
struct ItemView {
    key: String,
    label: String,
}

/// Email the customer the outstanding EDD requirements (`edd.requested`).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/edd/request", tag = "edd",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses(
        (status = 200, description = "The request was queued", body = SentRequest),
        (status = 409, description = "nothing_outstanding, or invalid_transition: the case is decided", body = ErrorBody),
        (status = 422, description = "no_customer_email", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn request_evidence(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<SentRequest>, ApiError> {
    let (to, items) = commands::request_evidence(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok(Json(SentRequest {
        recipient_email: to,
        item_count: items.len(),
        items: items.into_iter().map(|i| ItemView { key: i.key, label: i.label }).collect(),
    }))
}

fn kind_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .pattern(Some("^[a-z][a-z0-9_]{0,39}$"))
        .description(Some("The email's kind, e.g. document_request."))
        .build()
        .into()
}
fn items_schema() -> Schema {
    let item = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Object))
        .property(
            "key",
            ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)).pattern(Some(commands::KEY_PATTERN)),
        )
        .property(
            "label",
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .max_length(Some(commands::MAX_LABEL))
                .pattern(Some(fml_domain::text::nonblank_pattern()))
                .description(Some("What is asked for.")),
        )
        .required("key")
        .required("label");
    ArrayBuilder::new()
        .items(item)
        .min_items(Some(1))
        .max_items(Some(commands::MAX_ITEMS))
        .description(Some("The items the email lists."))
        .build()
        .into()
}

/// The body of `POST /api/cases/{caseId}/outreach`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct OutreachBody {
    #[schema(required = true, schema_with = kind_schema)]
    kind: Option<Value>,
    #[schema(required = true, schema_with = items_schema)]
    items: Option<Value>,
}

/// Email the customer a request (e.g. for documents) listing items (`outreach.email.sent`).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/outreach", tag = "edd",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    request_body(content = OutreachBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The email was queued", body = SentRequest),
        (status = 409, description = "invalid_transition: the case is decided", body = ErrorBody),
        (status = 422, description = "no_customer_email", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn outreach(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<SentRequest>, ApiError> {
    let typed: OutreachBody = typed_body(&body)?;
    let locator = locate(&case_id)?;
    let mut errors = Vec::new();
    let kind = typed.kind.as_ref().and_then(Value::as_str).filter(|k| {
        let b = k.as_bytes();
        !b.is_empty()
            && b.len() <= 40
            && b[0].is_ascii_lowercase()
            && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
    });
    if kind.is_none() {
        errors.push(FieldError::new(
            "kind",
            "lower-case letters, digits and _, starting with a letter (e.g. document_request)",
        ));
    }
    let mut items = Vec::new();
    match typed.items.as_ref() {
        Some(Value::Array(list)) => {
            for (i, item) in list.iter().enumerate() {
                match (item.get("key").and_then(Value::as_str), item.get("label").and_then(Value::as_str)) {
                    (Some(k), Some(l)) => items.push((k.to_owned(), l.to_owned())),
                    _ => errors
                        .push(FieldError::new(format!("items[{i}]"), "must be {\"key\": string, \"label\": string}")),
                }
            }
        }
        _ => errors.push(FieldError::new("items", "must be an array of {key, label}")),
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let items = commands::check_items(items)?;
    let sent = commands::outreach(&st.ctx, &staff, &locator, kind.unwrap_or("document_request"), items).await?;
    Ok(Json(SentRequest {
        recipient_email: sent.recipient_email,
        item_count: sent.items.len(),
        items: sent.items.into_iter().map(|i| ItemView { key: i.key, label: i.label }).collect(),
    }))
}
