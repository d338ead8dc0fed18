//! The customer's case: the page of what is asked of them now (the application form, then
//! the review of the data on file with the documents, then the submitted state), and the
//! posts that save, correct, upload and submit. Each answers JSON when sent JSON.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fml_app::Customer;
use fml_app::settings::Branding;
use fml_domain::application::Application;
use fml_domain::events::SubmissionSource;
use fml_domain::{CaseStatus, FieldError};
use fml_store::cases::CaseRecord;
use fml_web::error::ApiError;
use fml_web::html::{self, esc};
use fml_web::state::AppState;
use serde_json::{Value, json};

use crate::form;
use crate::respond::{accepts_json, html_response, is_json, see_other};
use crate::session::PortalCustomer;
use crate::view::branding;

fn status_text(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::InProgress => "Waiting for your application",
        CaseStatus::InReview | CaseStatus::PendingSenior | CaseStatus::Returned => "Submitted: being reviewed",
        CaseStatus::Approved => "Approved",
        CaseStatus::Declined => "Closed",
    }
}

/// The documents uploaded so far and the upload form.
fn documents_section(docs: &[fml_store::documents::DocumentRecord]) -> String {
    let mut out = String::from(
        "<form class=\"card\" method=\"post\" action=\"/portal/documents\" enctype=\"multipart/form-data\">\
         <h2>3. Documents</h2><p class=\"hint\">For example the certificate of incorporation and the directors' passports. \
         PDF, PNG or JPEG, up to 20 MB each.</p>",
    );
    if !docs.is_empty() {
        out.push_str("<ul>");
        for d in docs {
            out += &format!("<li>{}</li>", esc(&d.filename));
        }
        out.push_str("</ul>");
    }
    out += "<label for=\"files\">Files to upload</label>\
            <input id=\"files\" name=\"files\" type=\"file\" multiple accept=\".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg\">\
            <button type=\"submit\" class=\"secondary\">Upload documents</button></form>";
    out
}

/// The customer's case page: what is asked of them now.
fn home_page(
    case: &CaseRecord,
    app: Option<&Application>,
    docs: &[fml_store::documents::DocumentRecord],
    branding: Option<&Branding>,
    errors: &[FieldError],
    draft: Option<&Application>,
) -> String {
    let mut body = format!(
        "<section aria-labelledby=\"case-h\"><h2 id=\"case-h\">Your case</h2><dl><dt>Reference</dt><dd>{}</dd>\
         <dt>Company</dt><dd>{}</dd><dt>Status</dt><dd>{}</dd></dl></section>",
        esc(case.reference.as_str()),
        esc(case.company_name.as_deref().unwrap_or("—")),
        status_text(case.status)
    );
    body += &html::error_summary(errors);
    if case.status != CaseStatus::InProgress {
        body += "<p class=\"notice\">Thank you. Your application has been submitted and is with the compliance team; \
                 they will contact you if they need anything else.</p>";
        return html::page(branding, "Business verification", &body);
    }
    match app {
        None => {
            let blank =
                Application { company_name: case.company_name.clone().unwrap_or_default(), ..Application::default() };
            body += "<form class=\"card\" method=\"post\" action=\"/portal/application\"><h2>1. Your application</h2>\
                     <p class=\"hint\">Tell us about the company, its directors and its shareholders. Leave a row empty if it is not needed.</p>";
            body += &form::fields(draft.unwrap_or(&blank), errors);
            body += "<button type=\"submit\">Save application</button></form>";
            body += &documents_section(docs);
        }
        Some(app) => {
            body += "<form class=\"card\" method=\"post\" action=\"/portal/review\"><h2>2. Review your details</h2>\
                     <p class=\"hint\">Check what we have on file and correct anything that is wrong.</p>";
            body += &form::fields(draft.unwrap_or(app), errors);
            body += "<button type=\"submit\" class=\"secondary\">Save corrections</button></form>";
            body += &documents_section(docs);
            let action = if case.source == fml_domain::CaseSource::DocUpload {
                "/portal/review/confirm"
            } else {
                "/portal/submit"
            };
            body += &format!(
                "<form class=\"card\" method=\"post\" action=\"{action}\"><h2>4. Submit</h2>\
                     <p>When everything is correct, submit your application for review. You cannot change it afterwards.</p>\
                     <button type=\"submit\">Submit application</button></form>"
            );
        }
    }
    body += "<form method=\"post\" action=\"/portal/sign-out\"><button type=\"submit\" class=\"secondary\">Sign out</button></form>";
    html::page(branding, "Business verification", &body)
}

/// `GET /portal`: the customer's case.
pub async fn home(State(st): State<AppState>, PortalCustomer(who): PortalCustomer) -> Result<Response, ApiError> {
    render_home(&st, &who, StatusCode::OK, &[], None).await
}

/// The case page, with `errors` marked and the customer's `draft` kept.
async fn render_home(
    st: &AppState,
    who: &Customer,
    status: StatusCode,
    errors: &[FieldError],
    draft: Option<&Application>,
) -> Result<Response, ApiError> {
    let (case, app, docs) = fml_app::portal::view(&st.ctx, who).await?;
    let b = branding(st, &who.org).await;
    Ok(html_response(status, home_page(&case, app.as_ref(), &docs, b.as_ref(), errors, draft)))
}

/// The application of a save or a review, checked: `Err` carries the form page again with
/// what is wrong (a form post); a JSON post gets the validation error itself.
async fn checked_application(
    st: &AppState,
    who: &Customer,
    req: Request,
) -> Result<Result<(bool, Application), Response>, ApiError> {
    let (json, body) = form::read(req, st).await?;
    match Application::from_json(&body) {
        Ok(a) => Ok(Ok((json, a))),
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
    let (json, app) = match checked_application(&st, &who, req).await? {
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
/// `data.corrected`.
pub async fn review(
    State(st): State<AppState>,
    PortalCustomer(who): PortalCustomer,
    req: Request,
) -> Result<Response, ApiError> {
    let (json, app) = match checked_application(&st, &who, req).await? {
        Ok(checked) => checked,
        Err(page) => return Ok(page),
    };
    let n = fml_app::portal::review(&st.ctx, &who, &app).await?;
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
