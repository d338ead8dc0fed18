//! The customer portal: server-rendered pages that work without JavaScript, and the same
//! routes answering JSON when sent JSON.
//!
//! - `GET /portal/invite/{token}` shows a confirmation page; `POST` redeems the token (so a
//!   mail scanner that follows links cannot burn it) and sets the portal session cookie.
//! - `GET /portal` is the customer's case: the application form, then the review of the data
//!   on file, then the submission.
//! - `GET/POST /portal/apply/{orgId}`: a tenant's public application link opens a case.
//!
//! A portal session sees its own case and nothing else: every handler takes the case from the
//! session, never from the request.

use axum::Router;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fml_app::Customer;
use fml_app::settings::Branding;
use fml_domain::application::Application;
use fml_domain::events::SubmissionSource;
use fml_domain::{CaseStatus, FieldError, OrgId};
use fml_store::cases::CaseRecord;
use serde_json::{Value, json};

use fml_web::error::ApiError;
use fml_web::extract::cookie;
use fml_web::html::{self, esc};
use fml_web::state::AppState;

mod apply;
mod assets;

/// The portal session cookie.
pub const COOKIE: &str = "fml_portal";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/", get(home))
        .route("/portal/invite/{token}", get(confirm_invite).post(redeem_invite))
        .route("/portal/application", post(save_application))
        .route("/portal/review", post(review))
        .route("/portal/review/confirm", post(confirm_review))
        .route("/portal/submit", post(submit))
        .route(
            "/portal/documents",
            post(upload_documents).layer(axum::extract::DefaultBodyLimit::max(fml_web::multipart::UPLOAD_BODY_LIMIT)),
        )
        .route("/portal/sign-out", post(sign_out))
        .route(
            "/portal/verify/{token}",
            get(verify_page)
                .post(verify_upload)
                .layer(axum::extract::DefaultBodyLimit::max(fml_web::multipart::UPLOAD_BODY_LIMIT)),
        )
        // Anonymous: no files, so every body is held to the default 1 MiB.
        .route("/portal/apply/{org}", get(apply::form).post(apply::apply))
        .route("/portal/apply/confirm/{token}", get(apply::confirm_page).post(apply::confirm))
        .route(assets::CSS_PATH, get(assets::stylesheet))
}

/// The policy of every portal page: no script at all, styles only from our own stylesheet,
/// logos from anywhere on the web, forms post only to us, never framed.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src https: http:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

fn html_response(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

fn session_cookie(st: &AppState, token: Option<&str>) -> Option<HeaderValue> {
    let secure = if st.config.portal_url.starts_with("https://") { "; Secure" } else { "" };
    let value = match token {
        Some(t) => format!(
            "{COOKIE}={t}; Path=/portal; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            fml_app::portal::SESSION_TTL_SECS
        ),
        None => format!("{COOKIE}=; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&value).ok()
}

/// Whether the request is JSON (then the answer is JSON too).
fn is_json(headers: &HeaderMap) -> bool {
    fml_web::extract::is_json(headers.get(header::CONTENT_TYPE))
}

/// A page saying why the portal cannot go on.
fn notice_page(status: StatusCode, branding: Option<&Branding>, title: &str, text: &str) -> Response {
    html_response(status, html::page(branding, title, &format!("<p class=\"notice\">{}</p>", esc(text))))
}

/// The customer of the request's portal session. Without one, a page (or JSON 401) saying the
/// session has ended; a cookie-authenticated post from another site is refused.
#[derive(Debug)]
pub struct PortalCustomer(pub Customer);

#[derive(Debug)]
pub enum PortalDenied {
    Html(Response),
    Json(ApiError),
}

impl IntoResponse for PortalDenied {
    fn into_response(self) -> Response {
        match self {
            PortalDenied::Html(r) => r,
            PortalDenied::Json(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for PortalCustomer {
    type Rejection = PortalDenied;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, PortalDenied> {
        let json = is_json(&parts.headers);
        let deny = |status: StatusCode, text: &'static str| {
            if json {
                if status == StatusCode::FORBIDDEN {
                    PortalDenied::Json(ApiError::Forbidden(text))
                } else {
                    PortalDenied::Json(ApiError::InvalidToken(text, false))
                }
            } else {
                PortalDenied::Html(notice_page(status, None, "Your session has ended", text))
            }
        };
        let Some(token) = cookie(&parts.headers, COOKIE) else {
            return Err(deny(
                StatusCode::UNAUTHORIZED,
                "Open the secure link in your most recent invitation email to continue.",
            ));
        };
        let customer = fml_app::portal::by_session(&st.ctx, token).await.map_err(|e| PortalDenied::Json(e.into()))?;
        let Some(customer) = customer else {
            return Err(deny(
                StatusCode::UNAUTHORIZED,
                "Your session has ended. Open the secure link in your most recent invitation email to continue.",
            ));
        };
        if fml_web::extract::cross_site(parts, &[&st.config.portal_url, &st.config.public_url]) {
            return Err(deny(StatusCode::FORBIDDEN, "cross-site requests are refused"));
        }
        Ok(PortalCustomer(customer))
    }
}

async fn branding(st: &AppState, org: &OrgId) -> Option<Branding> {
    st.branding.get(&st.ctx, org).await.ok()
}

/// `GET /portal/invite/{token}`: a confirmation page (GET never uses the token).
async fn confirm_invite(State(st): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    if !fml_app::portal::invite_is_live(&st.ctx, &token).await? {
        return Ok(invalid_link());
    }
    let body = format!(
        "<p>You have been invited to complete a business verification. Continue to open your secure application; \
         this link then stops working, and you can return within two hours of opening it.</p>\
         <form method=\"post\" action=\"/portal/invite/{}\"><button type=\"submit\">Continue to my application</button></form>",
        esc(&token)
    );
    Ok(html_response(StatusCode::OK, html::page(None, "Business verification", &body)))
}

fn invalid_link() -> Response {
    notice_page(
        StatusCode::NOT_FOUND,
        None,
        "This link cannot be used",
        "This link has expired, was already used, or was replaced by a newer invitation. \
         Ask the company that invited you to send a new one.",
    )
}

/// `POST /portal/invite/{token}`: redeems the token for a portal session.
async fn redeem_invite(
    State(st): State<AppState>,
    _: fml_web::extract::SameSite,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let Some(session) = fml_app::portal::redeem(&st.ctx, &token).await? else {
        return Ok(invalid_link());
    };
    let mut res = see_other("/portal");
    if let Some(c) = session_cookie(&st, Some(session.token.expose())) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// The built-in identity verification page: the person's own link (from the `idv.dispatched`
/// email), where they upload their passport or identity card.
fn verify_form(
    check: &fml_store::idv::IdvCheck,
    case: &CaseRecord,
    branding: Option<&Branding>,
    token: &str,
    errors: &[FieldError],
) -> String {
    let org = branding.map_or("The company", Branding::name);
    let body = format!(
        "{}<p>Hello {}. {} is verifying {} and needs to confirm the identity of its directors and beneficial owners.</p>\
         <form class=\"card\" method=\"post\" action=\"/portal/verify/{}\" enctype=\"multipart/form-data\">\
         <label for=\"files\">Your passport or national identity card (the photo page, as a PDF or picture)</label>\
         <input id=\"files\" name=\"files\" type=\"file\" required accept=\".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg\"{}>\
         <button type=\"submit\">Upload and verify</button></form>",
        html::error_summary(errors),
        esc(&check.person_name),
        esc(org),
        esc(case.company_name.as_deref().unwrap_or("a business")),
        esc(token),
        if errors.is_empty() { "" } else { " aria-invalid=\"true\"" },
    );
    html::page(branding, "Verify your identity", &body)
}

/// `GET /portal/verify/{token}`: the verification page (the link works until a document is
/// uploaded on it).
async fn verify_page(State(st): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    let Some((check, case)) = fml_app::idv::by_link(&st.ctx, &token).await? else {
        return Ok(invalid_link());
    };
    let b = branding(&st, &case.org_id).await;
    Ok(html_response(StatusCode::OK, verify_form(&check, &case, b.as_ref(), &token, &[])))
}

/// `POST /portal/verify/{token}`: one identity document (multipart, field `files`); it is
/// processed like any upload and its reading completes the check (`idv.completed`).
async fn verify_upload(
    State(st): State<AppState>,
    Path(token): Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    let Some((check, case)) = fml_app::idv::by_link(&st.ctx, &token).await? else {
        return Ok(invalid_link());
    };
    let b = branding(&st, &case.org_id).await;
    let refused = |status: StatusCode, message: String| {
        html_response(status, verify_form(&check, &case, b.as_ref(), &token, &[FieldError::new("files", message)]))
    };
    let mut files = match fml_web::multipart::receive(&st, multipart).await {
        Ok(f) => f,
        Err(e) => return Ok(refused(e.status(), e.to_string())),
    };
    if files.len() != 1 {
        return Ok(refused(StatusCode::BAD_REQUEST, "upload exactly one file".into()));
    }
    match fml_app::idv::submit_document(&st.ctx, &token, files.remove(0)).await {
        Ok(_) => Ok(notice_page(
            StatusCode::OK,
            b.as_ref(),
            "Thank you",
            "We have your document and are checking it now. You can close this page.",
        )),
        Err(fml_app::CommandError::NotFound(_) | fml_app::CommandError::Illegal { .. }) => Ok(invalid_link()),
        Err(e) => Err(e.into()),
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

/// The application form's fields (company, address, people), prefilled from `app`.
fn application_fields(app: &Application, errors: &[FieldError]) -> String {
    let err = |name: &str| errors.iter().find(|e| e.field == name).map(|e| e.message.as_str());
    let mut out = String::from("<fieldset><legend>Company</legend>");
    out += &html::input("companyName", "Registered company name", &app.company_name, "text", true, err("companyName"));
    out += &html::input(
        "companyNumber",
        "Company registration number",
        app.company_number.as_deref().unwrap_or(""),
        "text",
        false,
        err("companyNumber"),
    );
    out += &html::input(
        "country",
        "Country of incorporation",
        &app.country.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        "text",
        false,
        err("country"),
    );
    out += &html::textarea(
        "registeredAddress",
        "Registered address",
        &app.registered_address,
        true,
        err("registeredAddress"),
    );
    out += "</fieldset>";
    // One fieldset per person, and one blank row to add another (at least two rows).
    let person = |out: &mut String, legend: &str, prefix: &str, fields: [(&str, &str, &str, &str); 3]| {
        *out += &format!("<fieldset><legend>{legend}</legend>");
        for (field, label, value, kind) in fields {
            let name = format!("{prefix}.{field}");
            *out += &html::input(&name, label, value, kind, false, err(&name));
        }
        *out += "</fieldset>";
    };
    for i in 0..(app.directors.len() + 1).max(2) {
        let d = app.directors.get(i).cloned().unwrap_or_default();
        let fields = [
            ("fullName", "Full name", d.full_name.as_str(), "text"),
            ("email", "Email", d.email.as_str(), "email"),
            ("dateOfBirth", "Date of birth", d.date_of_birth.as_deref().unwrap_or(""), "date"),
        ];
        person(&mut out, &format!("Director {}", i + 1), &format!("directors[{i}]"), fields);
    }
    for i in 0..(app.shareholders.len() + 1).max(2) {
        let sh = app.shareholders.get(i).cloned().unwrap_or_default();
        let fields = [
            ("fullName", "Full name", sh.full_name.as_str(), "text"),
            ("email", "Email", sh.email.as_str(), "email"),
            ("ownershipPercent", "Ownership (%)", sh.ownership_percent.as_str(), "text"),
        ];
        person(&mut out, &format!("Shareholder {}", i + 1), &format!("shareholders[{i}]"), fields);
    }
    out
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
            body += &application_fields(draft.unwrap_or(&blank), errors);
            body += "<button type=\"submit\">Save application</button></form>";
            body += &documents_section(docs);
        }
        Some(app) => {
            body += "<form class=\"card\" method=\"post\" action=\"/portal/review\"><h2>2. Review your details</h2>\
                     <p class=\"hint\">Check what we have on file and correct anything that is wrong.</p>";
            body += &application_fields(draft.unwrap_or(app), errors);
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

async fn home(State(st): State<AppState>, PortalCustomer(who): PortalCustomer) -> Result<Response, ApiError> {
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

/// The application in a request: JSON as is, or the form's fields.
async fn read_application(req: Request, st: &AppState) -> Result<(bool, Value), ApiError> {
    let json = is_json(req.headers());
    let form = fml_web::extract::media_type(req.headers().get(header::CONTENT_TYPE))
        .is_some_and(|m| m == "application/x-www-form-urlencoded");
    if !json && !form {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = fml_web::extract::read_body(req, st).await?;
    if json {
        let v = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::BadRequest("invalid_json", format!("the body is not valid JSON: {e}")))?;
        Ok((true, v))
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| ApiError::BadRequest("invalid_request", format!("the form could not be read: {e}")))?;
        Ok((false, Application::form_to_json(&pairs)))
    }
}

/// The application of a save or a review, checked: `Err` carries the form page again with
/// what is wrong (a form post); a JSON post gets the validation error itself.
async fn checked_application(
    st: &AppState,
    who: &Customer,
    req: Request,
) -> Result<Result<(bool, Application), Response>, ApiError> {
    let (json, body) = read_application(req, st).await?;
    match Application::from_json(&body) {
        Ok(a) => Ok(Ok((json, a))),
        Err(errors) if json => Err(ApiError::Validation(errors)),
        Err(errors) => form_errors(st, who, &body, errors).await.map(Err),
    }
}

/// The form page again with the customer's input and what is wrong with it.
async fn form_errors(
    st: &AppState,
    who: &Customer,
    draft: &Value,
    errors: Vec<FieldError>,
) -> Result<Response, ApiError> {
    render_home(st, who, StatusCode::BAD_REQUEST, &errors, Some(&lenient_draft(draft))).await
}

/// The customer's input as an application for redisplay, whatever its errors.
fn lenient_draft(v: &Value) -> Application {
    let s = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let people = |k: &str| v.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    Application {
        company_name: s(v, "companyName"),
        company_number: Some(s(v, "companyNumber")).filter(|x| !x.is_empty()),
        country: fml_domain::CountryCode::parse(&s(v, "country")).ok(),
        registered_address: s(v, "registeredAddress"),
        directors: people("directors")
            .iter()
            .map(|d| fml_domain::application::Director {
                full_name: s(d, "fullName"),
                email: s(d, "email"),
                date_of_birth: Some(s(d, "dateOfBirth")).filter(|x| !x.is_empty()),
            })
            .collect(),
        shareholders: people("shareholders")
            .iter()
            .map(|p| fml_domain::application::Shareholder {
                full_name: s(p, "fullName"),
                email: s(p, "email"),
                ownership_percent: s(p, "ownershipPercent"),
            })
            .collect(),
    }
}

fn application_json(app: &Application) -> Value {
    serde_json::to_value(app).unwrap_or(Value::Null)
}

/// `POST /portal/application`: saves the application (form or JSON).
async fn save_application(
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
async fn review(
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
async fn submit(
    State(st): State<AppState>,
    PortalCustomer(who): PortalCustomer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    submit_as(&st, &who, &headers, SubmissionSource::ApplicationForm).await
}

/// `POST /portal/review/confirm`: the customer confirms the reviewed data (of a case started
/// from documents): `case.submitted` with `source: doc_upload`.
async fn confirm_review(
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
    let json = is_json(headers)
        || headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"));
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
async fn upload_documents(
    State(st): State<AppState>,
    PortalCustomer(who): PortalCustomer,
    headers: HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    let json =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"));
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

async fn sign_out(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookie(&headers, COOKIE) {
        fml_app::portal::sign_out(&st.ctx, token).await?;
    }
    let mut res = notice_page(StatusCode::OK, None, "Signed out", "You have signed out. Your saved answers are kept.");
    if let Some(c) = session_cookie(&st, None) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}
