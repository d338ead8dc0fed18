//! The people on a case and the tenant's Person records, over the analyst API.

use axum::Json;
use axum::extract::{Path, State};
use fml_app::persons as commands;
use fml_app::queries::records::{CasePerson, PersonRow};
use fml_domain::FieldError;
use fml_domain::document::DocumentId;
use fml_domain::ids::CaseLocator;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::workflow::locate;
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{JsonBody, Staff, typed_body};
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_persons))
        .routes(routes!(link))
        .routes(routes!(unlink))
        .routes(routes!(mark_new))
        .routes(routes!(attach_document))
}

/// A tenant-wide Person.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonView {
    pub person_id: i64,
    pub display_name: String,
    pub email: Option<String>,
    pub date_of_birth: Option<String>,
}

impl From<PersonRow> for PersonView {
    fn from(p: PersonRow) -> Self {
        Self { person_id: p.id.0, display_name: p.display_name, email: p.email, date_of_birth: p.date_of_birth }
    }
}

/// One person of a case's roster.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RosterPersonView {
    /// Stable for the life of the case (UUID v4).
    pub person_key: String,
    /// 1-based, in roster order.
    pub position: u32,
    pub display_name: String,
    pub email: Option<String>,
    pub date_of_birth: Option<String>,
    /// ⊆ director, shareholder, ubo (ownership ≥ 25 %).
    pub roles: Vec<String>,
    pub ownership_percent: Option<String>,
    /// The tenant Person it is (or was, when unlinked) linked to.
    pub person_id: Option<i64>,
    /// `unresolved`, `linked`, `new` (a Person was created for it) or `unlinked`.
    pub resolution: &'static str,
    pub unlink_reason: Option<String>,
    /// Tenant Persons with the same email or name, to link to.
    pub candidates: Vec<PersonView>,
}

fn view(p: CasePerson, candidates: Vec<PersonRow>) -> RosterPersonView {
    RosterPersonView {
        person_key: p.entry.person_key,
        position: p.entry.position,
        display_name: p.entry.display_name,
        email: p.entry.email,
        date_of_birth: p.entry.date_of_birth,
        roles: p.entry.roles,
        ownership_percent: p.entry.ownership_percent,
        person_id: p.person_id.map(|id| id.0),
        resolution: p.resolution.as_str(),
        unlink_reason: p.unlink_reason,
        candidates: candidates.into_iter().map(Into::into).collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
struct Roster {
    data: Vec<RosterPersonView>,
}

/// The case's roster: each real person once, merged across roles, with candidate matches.
#[utoipa::path(
    get, path = "/api/cases/{caseId}/persons", tag = "persons",
    params(("caseId" = String, Path, description = "The case UUID or its reference")),
    responses((status = 200, description = "The roster, in order", body = Roster)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn list_persons(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<Roster>, ApiError> {
    let rows = commands::roster(&st.ctx, &staff, &locate(&case_id)?).await?;
    Ok(Json(Roster { data: rows.into_iter().map(|r| view(r.person, r.candidates)).collect() }))
}

fn person_id_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Integer))
        .minimum(Some(1))
        .description(Some("A tenant Person's id."))
        .build()
        .into()
}

/// The body of a link.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
struct LinkBody {
    #[schema(required = true, schema_with = person_id_schema)]
    person_id: Option<Value>,
}

fn positive_id(v: Option<&Value>, field: &str) -> Result<i64, ApiError> {
    fml_web::extract::positive_integer(v)
        .ok_or_else(|| ApiError::Validation(vec![FieldError::new(field, "must be a positive integer")]))
}

/// Link a roster person to an existing tenant Person (`person.linked`).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/persons/{personKey}/link", tag = "persons",
    params(
        ("caseId" = String, Path, description = "The case UUID or its reference"),
        ("personKey" = String, Path, description = "The roster person's key"),
    ),
    request_body(content = LinkBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The roster person", body = RosterPersonView),
        (status = 422, description = "unknown_person", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn link(
    State(st): State<AppState>,
    staff: Staff,
    Path((case_id, key)): Path<(String, String)>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<RosterPersonView>, ApiError> {
    let typed: LinkBody = typed_body(&body)?;
    let locator = locate(&case_id)?;
    let id = positive_id(typed.person_id.as_ref(), "personId")?;
    let p = commands::link(&st.ctx, &staff, &locator, &key, fml_domain::persons::PersonId(id)).await?;
    Ok(Json(view(p, Vec::new())))
}

fn reason_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
        .max_length(Some(fml_app::cases::MAX_NOTE))
        .pattern(Some(fml_domain::text::note_pattern(false)))
        .description(Some("Why the link is removed."))
        .build()
        .into()
}

/// The body of an unlink.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct UnlinkBody {
    #[schema(schema_with = reason_schema)]
    reason: Option<Value>,
}

/// Remove a roster person's link, softly, with a reason (`person.unlinked`).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/persons/{personKey}/unlink", tag = "persons",
    params(
        ("caseId" = String, Path, description = "The case UUID or its reference"),
        ("personKey" = String, Path, description = "The roster person's key"),
    ),
    request_body(content = UnlinkBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The roster person", body = RosterPersonView),
        (status = 409, description = "not_linked", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn unlink(
    State(st): State<AppState>,
    staff: Staff,
    Path((case_id, key)): Path<(String, String)>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<RosterPersonView>, ApiError> {
    let typed: UnlinkBody = typed_body(&body)?;
    let locator = locate(&case_id)?;
    let reason = match typed.reason.as_ref() {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(ApiError::Validation(vec![FieldError::new("reason", "must be a string")])),
    };
    let reason = fml_app::cases::note("reason", reason, false)?;
    let reason = Some(reason).filter(|r| !r.is_empty());
    let p = commands::unlink(&st.ctx, &staff, &locator, &key, reason).await?;
    Ok(Json(view(p, Vec::new())))
}

/// Confirm no prior match: a new tenant Person is created and linked (`person.marked_new`).
#[utoipa::path(
    post, path = "/api/cases/{caseId}/persons/{personKey}/mark-new", tag = "persons",
    params(
        ("caseId" = String, Path, description = "The case UUID or its reference"),
        ("personKey" = String, Path, description = "The roster person's key"),
    ),
    responses(
        (status = 200, description = "The roster person", body = RosterPersonView),
        (status = 409, description = "already_linked", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn mark_new(
    State(st): State<AppState>,
    staff: Staff,
    Path((case_id, key)): Path<(String, String)>,
) -> Result<Json<RosterPersonView>, ApiError> {
    let p = commands::mark_new(&st.ctx, &staff, &locate(&case_id)?, &key).await?;
    Ok(Json(view(p, Vec::new())))
}

fn case_id_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .description(Some("The case (UUID or reference) the document is on."))
        .build()
        .into()
}
fn document_id_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Integer))
        .minimum(Some(1))
        .description(Some("The document's id."))
        .build()
        .into()
}

/// The body of `POST /api/persons/{personId}/documents`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
struct AttachBody {
    #[schema(required = true, schema_with = case_id_schema)]
    case_id: Option<Value>,
    #[schema(required = true, schema_with = document_id_schema)]
    document_id: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Attached {
    person_id: i64,
    document_id: i64,
    document_type: String,
}

/// Attach a passport or ID document of a case to a Person, for reuse by the tenant's other
/// cases for a year (`person.document_attached`).
#[utoipa::path(
    post, path = "/api/persons/{personId}/documents", tag = "persons",
    params(("personId" = i64, Path, description = "The tenant Person's id")),
    request_body(content = AttachBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Attached", body = Attached),
        (status = 422, description = "unknown_document: the case has no such document", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn attach_document(
    State(st): State<AppState>,
    staff: Staff,
    Path(person_id): Path<String>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<Attached>, ApiError> {
    let typed: AttachBody = typed_body(&body)?;
    let person_id = person_id.parse::<i64>().ok().filter(|n| *n > 0).ok_or(ApiError::NotFound("no such person"))?;
    let case = typed.case_id.as_ref().and_then(Value::as_str).and_then(CaseLocator::parse);
    let doc = fml_web::extract::positive_integer(typed.document_id.as_ref());
    let (Some(case), Some(doc)) = (case, doc) else {
        let mut errors = Vec::new();
        if typed.case_id.as_ref().and_then(Value::as_str).is_none() {
            errors.push(FieldError::new("caseId", "must be a case id or reference"));
        }
        if doc.is_none() {
            errors.push(FieldError::new("documentId", "must be a positive integer"));
        }
        if errors.is_empty() {
            return Err(ApiError::Unprocessable("unknown_case", "no case has this id".into()));
        }
        return Err(ApiError::Validation(errors));
    };
    let person = fml_domain::persons::PersonId(person_id);
    let document_type = match commands::attach_document(&st.ctx, &staff, person, &case, DocumentId(doc)).await {
        Err(fml_app::CommandError::NotFound("no such case")) => {
            return Err(ApiError::Unprocessable("unknown_case", "no case of this organisation has this id".into()));
        }
        other => other?,
    };
    Ok(Json(Attached { person_id, document_id: doc, document_type }))
}
