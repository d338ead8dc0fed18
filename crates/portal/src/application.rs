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
    /// Just saved: the page says so.
    saved: bool,
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
    /// Just saved: the page says so.
    saved: bool,
}

/// Once submitted: what happens next, and until the case is decided the documents the tenant
/// asked for since (outstanding EDD requirements), with the upload form.
#[derive(Template)]
#[template(path = "portal/submitted.html")]
struct SubmittedPage<'a> {
    frame: Frame,
    case: CaseSummary,
    problems: Vec<Problem>,
    decided: bool,
    asked: Vec<String>,
    documents: Vec<&'a str>,
    /// Where the tenant will write.
    email: &'a str,
}

/// How the case page is shown after a request: its status, what is wrong, the customer's
/// `draft` (if any) in the form, rows "Add another" asked for, and a confirmation.
#[derive(Default)]
struct Shown<'a> {
    status: StatusCode,
    errors: &'a [FieldError],
    draft: Option<&'a Application>,
    extra: form::Extra,
    saved: bool,
    /// Still the first form, though the application is on file (a row was added to it).
    first_form: bool,
}

/// The case page as `shown`.
async fn render_home(st: &AppState, who: &Customer, shown: Shown<'_>) -> Result<Response, ApiError> {
    let fml_app::portal::PortalView { case, application: app, documents: docs, asked } =
        fml_app::portal::view(&st.ctx, who).await?;
    let b = branding(st, &who.org).await;
    let frame =
        Frame::new(b.as_ref(), &format!("Verification of {}", case.company_name.as_deref().unwrap_or("your business")));
    let summary = CaseSummary::of(&case);
    let problems = problems(shown.errors);
    let status = shown.status;
    let documents = filenames(&docs);
    if case.status != CaseStatus::InProgress {
        let decided = case.status.is_final();
        let email = who.email.as_str();
        let page = SubmittedPage { frame, case: summary, problems, decided, asked, documents, email };
        return Ok(html(status, &page));
    }
    let saved = shown.saved;
    Ok(match app.filter(|_| !shown.first_form) {
        None => {
            let blank =
                Application { company_name: case.company_name.clone().unwrap_or_default(), ..Application::default() };
            let fieldsets = form::fieldsets(shown.draft.unwrap_or(&blank), shown.errors, shown.extra);
            html(status, &ApplicationPage { frame, case: summary, problems, fieldsets, documents, saved })
        }
        Some(app) => {
            let fieldsets = form::fieldsets(shown.draft.unwrap_or(&app), shown.errors, shown.extra);
            html(status, &ReviewPage { frame, case: summary, problems, fieldsets, documents, saved })
        }
    })
}

/// The case page with `errors` marked (and the customer's input, if it is not on file).
async fn render_errors(
    st: &AppState,
    who: &Customer,
    status: StatusCode,
    errors: &[FieldError],
    draft: Option<&Application>,
) -> Result<Response, ApiError> {
    render_home(st, who, Shown { status, errors, draft, ..Shown::default() }).await
}

fn filenames(docs: &[DocumentRecord]) -> Vec<&str> {
    docs.iter().map(|d| d.filename.as_str()).collect()
}

/// `GET /portal`: the customer's case (`?saved`: after a save, which the page confirms).
pub async fn home(
    State(st): State<AppState>,
    PortalCustomer(who): PortalCustomer,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let saved = uri.query() == Some("saved");
    render_home(&st, &who, Shown { status: StatusCode::OK, saved, ..Shown::default() }).await
}

/// Where a saved form goes: the page again, saying it is saved.
const SAVED: &str = "/portal?saved";

/// A post of the application: whether it was JSON, what the customer pressed, and the body.
struct Posted {
    json: bool,
    then: form::Then,
    body: Value,
}

async fn posted(st: &AppState, req: Request) -> Result<Posted, ApiError> {
    let (json, body) = form::read(req, st).await?;
    // JSON clients call each step by its route; the buttons are the form's.
    let then = if json { form::Then::Save } else { form::Then::of(&body) };
    Ok(Posted { json, then, body })
}

/// The posted application, checked: `Err` carries the form page again with what is wrong (a
/// form post); a JSON post gets the validation error itself.
async fn checked(st: &AppState, who: &Customer, p: &Posted) -> Result<Result<Application, Response>, ApiError> {
    match Application::from_json(&p.body) {
        Ok(app) => Ok(Ok(app)),
        Err(errors) if p.json => Err(ApiError::Validation(errors)),
        Err(errors) => {
            let draft = form::lenient_draft(&p.body);
            render_errors(st, who, StatusCode::BAD_REQUEST, &errors, Some(&draft)).await.map(Err)
        }
    }
}

fn application_json(app: &Application) -> Value {
    serde_json::to_value(app).unwrap_or(Value::Null)
}

/// "Add another director/shareholder": the page again with one more row. What is on the page
/// is kept: saved when it is valid (as a save or a review would), shown as typed either way.
async fn add_row(
    st: &AppState,
    who: &Customer,
    p: &Posted,
    extra: form::Extra,
    review: bool,
) -> Result<Response, ApiError> {
    if let Ok(app) = Application::from_json(&p.body) {
        if review {
            fml_app::portal::review(&st.ctx, who, &app).await?;
        } else {
            fml_app::portal::save_application(&st.ctx, who, &app).await?;
        }
    }
    let draft = form::lenient_draft(&p.body);
    let shown = Shown { status: StatusCode::OK, draft: Some(&draft), extra, first_form: !review, ..Shown::default() };
    render_home(st, who, shown).await
}

/// `POST /portal/application`: saves the application (form or JSON).
pub async fn save(
    State(st): State<AppState>,
    PortalCustomer(who): PortalCustomer,
    req: Request,
) -> Result<Response, ApiError> {
    let p = posted(&st, req).await?;
    if let Some(extra) = p.then.extra() {
        return add_row(&st, &who, &p, extra, false).await;
    }
    let app = match checked(&st, &who, &p).await? {
        Ok(app) => app,
        Err(page) => return Ok(page),
    };
    fml_app::portal::save_application(&st.ctx, &who, &app).await?;
    Ok(if p.json {
        axum::Json(json!({"application": application_json(&app)})).into_response()
    } else {
        see_other(SAVED)
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
    let p = posted(&st, req).await?;
    if let Some(extra) = p.then.extra() {
        return add_row(&st, &who, &p, extra, true).await;
    }
    let app = match checked(&st, &who, &p).await? {
        Ok(app) => app,
        Err(page) => return Ok(page),
    };
    let n = fml_app::portal::review(&st.ctx, &who, &app).await?;
    if p.then == form::Then::Submit {
        let case = fml_app::portal::view(&st.ctx, &who).await?.case;
        let source = if case.source == CaseSource::DocUpload {
            SubmissionSource::DocUpload
        } else {
            SubmissionSource::ApplicationForm
        };
        return submit_as(&st, &who, &headers, source).await;
    }
    Ok(if p.json {
        axum::Json(json!({"amendmentCount": n, "application": application_json(&app)})).into_response()
    } else {
        see_other(SAVED)
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
            render_errors(st, who, StatusCode::BAD_REQUEST, &errors, None).await
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
            render_errors(&st, &who, status, &[FieldError::new("files", message)], None).await
        }
    }
}
