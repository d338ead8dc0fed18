//! Reading cases: the filtered, cursor-paged list, one case, and its activity timeline.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use fml_app::queries::records::{AnalystRecord, CaseFilter};
use fml_domain::{AnalystId, CaseId, CaseSource, CaseStatus, FieldError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::views::{StaffCaseView, locate};
use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::Staff;
use fml_web::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(super) struct ListParams {
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
pub(super) struct StaffCaseList {
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
pub(super) async fn list_cases(
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
    let mut owner_email = None;
    match p.owner.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {}
        Some("none") => filter.owner = Some(None),
        Some("me") => filter.owner = Some(Some(staff.id)),
        // Nobody by an email no analyst has owns anything.
        Some(email) => owner_email = Some(email.to_lowercase()),
    }
    filter.text = p.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(200).collect());
    let (mut rows, analysts) =
        fml_app::queries::cases::search(&st.ctx, &staff.org, filter, owner_email.as_deref(), after, limit + 1).await?;
    let analysts: HashMap<AnalystId, AnalystRecord> = analysts.into_iter().map(|a| (a.id, a)).collect();
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
pub(super) async fn get_case(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Json<StaffCaseView>, ApiError> {
    let found = fml_app::queries::cases::staff_case(&st.ctx, &staff.org, &locate(&case_id)?).await?;
    Ok(Json(StaffCaseView::of(found, &st.config)))
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
pub(super) async fn timeline(
    State(st): State<AppState>,
    staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Response, ApiError> {
    let payloads = fml_app::queries::cases::timeline(&st.ctx, &staff.org, &locate(&case_id)?, TIMELINE_LIMIT).await?;
    // The stored payloads are the exact JSON that was signed and sent: joined, not re-encoded.
    let body = format!("[{}]", payloads.join(","));
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
