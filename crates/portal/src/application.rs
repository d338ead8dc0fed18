//! The customer's case: the page of what is asked of them now (the application form, then
//! the review of the data on file with the documents, then the submitted state), and the
//! posts that save, correct, upload and submit. Each answers JSON when sent JSON.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fml_app::Customer;
use fml_app::queries::records::CaseRecord;
use fml_app::queries::records::DocumentRecord;
use fml_domain::application::Application;
use fml_domain::events::SubmissionSource;
use fml_domain::{CaseSource, CaseStatus, FieldError};
use fml_web::error::ApiError;
use fml_web::state::AppState;
use serde_json::{Value, json};

use crate::form;
use crate::respond::{accepts_json, html, is_json, see_other};
use crate::session::PortalCustomer;
use crate::view::{Fieldset, Frame, Problem, branding, problems};

/// The summary of the case at the top of every stage.
struct CaseSummary {
    reference: String,
    company: String,
    status: &'static str,
}

impl CaseSummary {
    fn of(case: &CaseRecord) -> Self {
        CaseSummary {
            reference: case.reference.as_str().to_owned(),
            company: case.company_name.clone().unwrap_or_else(|| "—".into()),
            status: status_text(case.status),
        }
    }
}

fn status_text(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::InProgress => "Waiting for your application",
        CaseStatus::InReview | CaseStatus::PendingSenior | CaseStatus::Returned => "Submitted: being reviewed",
        CaseStatus::Approved => "Approved",
        CaseStatus::Declined => "Closed",
    }
}

/// Before any application: the form, and the documents.
#[derive(Template)]
#[template(path = "portal/application.html")]
struct ApplicationPage<'a> {
    frame: Frame,
    case: CaseSummary,
    problems: Vec<Problem>,
    fieldsets: Vec<Fieldset>,
    documents: Vec<&'a str>,
}

/// With an application on file: the documents, then the review and the submission in one
/// form (submitting saves what is on the page first).
#[derive(Template)]
#[template(path = "portal/review.html")]
struct ReviewPage<'a> {
    frame: Frame,
    case: CaseSummary,
    problems: Vec<Problem>,
    fieldsets: Vec<Fieldset>,
    documents: Vec<&'a str>,
}

/// Once submitted: nothing more is asked.
#[derive(Template)]
#[template(path = "portal/submitted.html")]
struct SubmittedPage {
    frame: Frame,
    case: CaseSummary,
    problems: Vec<Problem>,
}

/// The case page, with `errors` marked and the customer's `draft` (if any) in the form.
async fn render_home(
    st: &AppState,
    who: &Customer,
    status: StatusCode,
    errors: &[FieldError],
    draft: Option<&Application>,
) -> Result<Response, ApiError> {
    let (case, app, docs) = fml_app::portal::view(&st.ctx, who).await?;
    let b = branding(st, &who.org).await;
    let frame = Frame::new(b.as_ref(), "Business verification");
    let summary = CaseSummary::of(&case);
    let problems = problems(errors);
    if case.status != CaseStatus::InProgress {
        return Ok(html(status, &SubmittedPage { frame, case: summary, problems }));
    }
    let documents = filenames(&docs);
    Ok(match app {
        None => {
            let blank =
                Application { company_name: case.company_name.clone().unwrap_or_default(), ..Application::default() };
            let fieldsets = form::fieldsets(draft.unwrap_or(&blank), errors);
            html(status, &ApplicationPage { frame, case: summary, problems, fieldsets, documents })
        }
        Some(app) => {
            let fieldsets = form::fieldsets(draft.unwrap_or(&app), errors);
            html(status, &ReviewPage { frame, case: summary, problems, fieldsets, documents })
        }
    })
}

fn filenames(docs: &[DocumentRecord]) -> Vec<&str> {
    docs.iter().map(|d| d.filename.as_str()).collect()
}

/// `GET /portal`: the customer's case.
pub async fn home(State(st): State<AppState>, PortalCustomer(who): PortalCustomer) -> Result<Response, ApiError> {
    render_home(&st, &who, StatusCode::OK, &[], None).await
}

/// A checked application post: whether it was JSON, what the customer pressed, and the
/// application.
struct Posted {
    json: bool,
    /// The form's `then`: `submit` when the customer pressed "Submit application".
    then_submit: bool,
    app: Application,
}

/// The application of a save or a review, checked: `Err` carries the form page again with
/// what is wrong (a form post); a JSON post gets the validation error itself.
async fn checked_application(
    st: &AppState,
    who: &Customer,
    req: Request,
) -> Result<Result<Posted, Response>, ApiError> {
    let (json, body) = form::read(req, st).await?;
    let then_submit = !json && body.get("then").and_then(Value::as_str) == Some("submit");
    match Application::from_json(&body) {
        Ok(app) => Ok(Ok(Posted { json, then_submit, app })),
        Err(errors) if json => Err(ApiError::Validation(errors)),
        Err(errors) => {
            let draft = form::lenient_draft(&body);
            render_home(st, who, StatusCode::BAD_REQUEST, &errors, Some(&draft)).await.map(Err)
        }
    }
}

fn application_json(app: &Application) -> Value {
    serde_json::to_value(app).unwrap_or(Value::Null)
}

/// `POST /portal/application`: saves the application (form or JSON).
pub async fn save(
    State(st): State<AppState>,
    PortalCustomer(who): PortalCustomer,
    req: Request,
) -> Result<Response, ApiError> {
    let Posted { json, app, .. } = match checked_application(&st, &who, req).await? {
        Ok(checked) => checked,
        Err(page) => return Ok(page),
    };
    fml_app::portal::save_application(&st.ctx, &who, &app).await?;
    Ok(if json {
        axum::Json(json!({"application": application_json(&app)})).into_response()
    } else {
        see_other("/portal")
    })
}

/// `POST /portal/review`: the corrected application; each change becomes an amendment of
/// `data.corrected`. From the form, "Submit application" (`then=submit`) saves what is on the
/// page first and then submits, so a correction is never lost for want of pressing "Save".
pub async fn review(
    State(st): State<AppState>,
    PortalCustomer(who): PortalCustomer,
    req: Request,
) -> Result<Response, ApiError> {
    let headers = req.headers().clone();
    let Posted { json, then_submit, app } = match checked_application(&st, &who, req).await? {
        Ok(checked) => checked,
        Err(page) => return Ok(page),
    };
    let n = fml_app::portal::review(&st.ctx, &who, &app).await?;
    if then_submit {
        let (case, _, _) = fml_app::portal::view(&st.ctx, &who).await?;
        let source = if case.source == CaseSource::DocUpload {
            SubmissionSource::DocUpload
        } else {
            SubmissionSource::ApplicationForm
        };
        return submit_as(&st, &who, &headers, source).await;
    }
    Ok(if json {
        axum::Json(json!({"amendmentCount": n, "application": application_json(&app)})).into_response()
    } else {
        see_other("/portal")
    })
}

/// `POST /portal/submit`: `case.submitted` and the case goes to review.
pub async fn submit(
    State(st): State<AppState>,
    PortalCustomer(who): PortalCustomer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    submit_as(&st, &who, &headers, SubmissionSource::ApplicationForm).await
}

/// `POST /portal/review/confirm`: the customer confirms the reviewed data (of a case started
/// from documents): `case.submitted` with `source: doc_upload`.
pub async fn confirm_review(
    State(st): State<AppState>,
    PortalCustomer(who): PortalCustomer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    submit_as(&st, &who, &headers, SubmissionSource::DocUpload).await
}

async fn submit_as(
    st: &AppState,
    who: &Customer,
    headers: &HeaderMap,
    source: SubmissionSource,
) -> Result<Response, ApiError> {
    let json = is_json(headers) || accepts_json(headers);
    match fml_app::cases::submit(&st.ctx, who, source).await {
        Ok(case) if json => {
            Ok(axum::Json(json!({"caseId": case.id, "caseReference": case.reference, "status": case.status}))
                .into_response())
        }
        Ok(_) => Ok(see_other("/portal")),
        Err(fml_app::CommandError::Validation(errors)) if !json => {
            render_home(st, who, StatusCode::BAD_REQUEST, &errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /portal/documents`: the customer uploads files (multipart, field `files`):
/// `document.uploaded`.
pub async fn upload_documents(
    State(st): State<AppState>,
    PortalCustomer(who): PortalCustomer,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let json = accepts_json(&headers);
    let locator = fml_domain::ids::CaseLocator::Id(who.case_id);
    let result = match fml_web::multipart::receive(&st, multipart).await {
        Ok(files) => {
            fml_app::documents::record_upload(&st.ctx, fml_app::documents::Uploader::Customer(&who), &locator, &files)
                .await
                .map_err(ApiError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((_, docs)) if json => {
            let ids: Vec<i64> = docs.iter().map(|d| d.id.0).collect();
            Ok((StatusCode::CREATED, axum::Json(json!({"documentIds": ids}))).into_response())
        }
        Ok(_) => Ok(see_other("/portal")),
        Err(e) if json => Err(e),
        Err(e) => {
            let status = e.status();
            let message = e.to_string();
            render_home(&st, &who, status, &[FieldError::new("files", message)], None).await
        }
    }
}
