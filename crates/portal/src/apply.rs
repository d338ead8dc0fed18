//! The tenant's public application link: the form, the application (counted per address
//! before its body is read, no files), and the confirmation link that opens the case.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fml_app::settings::Branding;
use fml_domain::{FieldError, OrgId};
use fml_web::error::ApiError;
use fml_web::state::AppState;
use serde_json::{Value, json};

use crate::link::invalid_link;
use crate::respond::{html, is_json, notice_page, see_other};
use crate::session::session_cookie;
use crate::view::{Field, Frame, Problem, branding, problems};

/// `GET /portal/apply/{orgId}`: the tenant's public application link (404 unless the tenant
/// turned it on).
pub async fn form(State(st): State<AppState>, Path(org): Path<String>) -> Result<Response, ApiError> {
    let Some((org, b)) = open_link(&st, &org).await else { return Ok(unknown_org()) };
    Ok(apply_page(StatusCode::OK, &b, &org, &[], &[]))
}

/// The tenant of a public link, if it exists and its link is on.
async fn open_link(st: &AppState, org: &str) -> Option<(OrgId, Branding)> {
    let org = OrgId::parse(org).ok()?;
    let b = branding(st, &org).await?;
    b.settings.public_applications.then_some((org, b))
}

fn unknown_org() -> Response {
    notice_page(
        StatusCode::NOT_FOUND,
        None,
        "Application not found",
        "This application link is not valid. Check the address you were given.",
    )
}

/// The public application form (`portal/apply.html`).
#[derive(Template)]
#[template(path = "portal/apply.html")]
struct ApplyPage<'a> {
    frame: Frame,
    problems: Vec<Problem>,
    org: &'a str,
    fields: Vec<Field>,
    /// Whether the applicant chose to start with their documents.
    documents: bool,
}

/// The form, with the applicant's `values` and what is wrong with them.
fn apply_page(
    status: StatusCode,
    b: &Branding,
    org: &OrgId,
    values: &[(String, String)],
    errors: &[FieldError],
) -> Response {
    let v = |k: &str| values.iter().find(|(n, _)| n == k).map_or("", |(_, v)| v.as_str());
    let field = |name: &str, label: &str, kind: &'static str| Field::new(name, label, v(name), kind, errors).required();
    let page = ApplyPage {
        frame: Frame::new(Some(b), "Apply"),
        problems: problems(errors),
        org: org.as_str(),
        fields: vec![
            field("companyName", "Registered company name", "text"),
            field("country", "Country of incorporation", "text").countries(),
            field("customerName", "Your name", "text"),
            field("customerEmail", "Your email", "email"),
        ],
        documents: v("start") == "documents",
    };
    html(status, &page)
}

/// The text fields of an application, from JSON, a form or a multipart form (which may carry
/// no file: documents come after the email is confirmed). The body is already bounded by
/// the router's 1 MiB limit.
async fn applicant_fields(st: &AppState, req: Request) -> Result<Value, ApiError> {
    let headers = req.headers().clone();
    let media = fml_web::extract::media_type(headers.get(header::CONTENT_TYPE));
    if media.is_some_and(|m| m == "multipart/form-data") {
        let too_large = |status: StatusCode, text: String| {
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest("invalid_request", format!("the multipart body could not be read: {text}"))
            }
        };
        let mut mp = <axum::extract::Multipart as axum::extract::FromRequest<AppState>>::from_request(req, st)
            .await
            .map_err(|e| too_large(e.status(), e.body_text()))?;
        let mut fields = serde_json::Map::new();
        let mut file = false;
        while let Some(mut field) = mp.next_field().await.map_err(|e| too_large(e.status(), e.body_text()))? {
            if field.file_name().is_some_and(|f| !f.is_empty()) {
                // Read past it (within the 1 MiB) so the client hears the answer rather than
                // a reset connection, and keep none of it.
                file = true;
                while field.chunk().await.map_err(|e| too_large(e.status(), e.body_text()))?.is_some() {}
                continue;
            }
            let name = field.name().unwrap_or("").to_owned();
            let text = field.text().await.map_err(|e| too_large(e.status(), e.body_text()))?;
            fields.insert(name, Value::String(text));
        }
        if file {
            return Err(ApiError::Validation(vec![FieldError::new(
                "files",
                "upload documents after confirming your email, from your application",
            )]));
        }
        return Ok(Value::Object(fields));
    }
    let bytes = fml_web::extract::read_body(req, st).await?;
    if is_json(&headers) {
        return serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::BadRequest("invalid_json", format!("the body is not valid JSON: {e}")));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| ApiError::BadRequest("invalid_request", format!("the form could not be read: {e}")))?;
    Ok(Value::Object(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
}

/// `POST /portal/apply/{orgId}`: records the application and emails the applicant the link
/// that opens the case. Counted per client address before the body is read.
pub async fn apply(
    State(st): State<AppState>,
    fml_web::extract::ClientAddr(addr): fml_web::extract::ClientAddr,
    Path(org): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let Some((org, b)) = open_link(&st, &org).await else { return Ok(unknown_org()) };
    let (mut parts, body) = req.into_parts();
    // After the link's existence: a closed link is a 404 to everyone.
    fml_web::extract::SameSite::from_request_parts(&mut parts, &st).await?;
    // Before the allowance is counted: a body declared too large costs no application.
    if fml_web::extract::declared_oversize(&parts.headers) {
        return Err(fml_web::extract::refuse_oversize(body).await);
    }
    let per_hour = u32::try_from(b.settings.public_applications_per_hour).unwrap_or(1);
    st.applications
        .take(org.as_str(), &addr, per_hour)
        .map_err(|wait| ApiError::TooManyRequests(wait.as_secs().max(1)))?;
    let json = is_json(&parts.headers);
    let fields = match applicant_fields(&st, Request::from_parts(parts, body)).await {
        Ok(f) => f,
        Err(e) => {
            st.applications.give_back(org.as_str(), &addr);
            return Err(e);
        }
    };
    let values: Vec<(String, String)> = fields
        .as_object()
        .map(|o| o.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned()))).collect())
        .unwrap_or_default();
    let source = match fields.get("start").and_then(Value::as_str) {
        Some("documents") => fml_domain::CaseSource::DocUpload,
        _ => fml_domain::CaseSource::ApplicationForm,
    };
    let applicant = match fml_app::applications::Applicant::parse(&fields, source) {
        Ok(a) => a,
        Err(fml_app::CommandError::Validation(errors)) => {
            // A refused form stored nothing and costs little: it does not count.
            st.applications.give_back(org.as_str(), &addr);
            return apply_failed(json, &b, &org, &values, errors);
        }
        Err(e) => return Err(e.into()),
    };
    fml_app::applications::apply(&st.ctx, &org, &applicant, &addr).await?;
    if json {
        return Ok((StatusCode::ACCEPTED, axum::Json(json!({"status": "confirmation_sent"}))).into_response());
    }
    let text = format!(
        "We sent a link to {}. Open it to confirm your email and start your application; it works for 7 days.",
        applicant.new_case.customer_email.as_str()
    );
    Ok(notice_page(StatusCode::ACCEPTED, Some(&b), "Check your email", &text))
}

/// The page of an applicant's confirmation link (`portal/apply_confirm.html`).
#[derive(Template)]
#[template(path = "portal/apply_confirm.html")]
struct ConfirmPage<'a> {
    frame: Frame,
    token: &'a str,
}

/// `GET /portal/apply/confirm/{token}`: a page with the button that opens the application
/// (GET never uses the link: mail scanners follow links).
pub async fn confirm_page(Path(token): Path<String>) -> Response {
    html(StatusCode::OK, &ConfirmPage { frame: Frame::new(None, "Confirm your email"), token: &token })
}

/// `POST /portal/apply/confirm/{token}`: opens the case (the first time) and a portal session.
pub async fn confirm(
    State(st): State<AppState>,
    _: fml_web::extract::SameSite,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    use fml_app::applications::Confirmed;
    let session = match fml_app::applications::confirm(&st.ctx, &st.cases, &token).await? {
        None => return Ok(invalid_link()),
        Some(Confirmed::Opening) => {
            let text = "Your application is being opened. Wait a moment, then press the button again.";
            return Ok(notice_page(StatusCode::CONFLICT, None, "One moment", text));
        }
        Some(Confirmed::Opened(s) | Confirmed::Returned(s)) => s,
    };
    let mut res = if is_json(&headers) {
        (StatusCode::OK, axum::Json(json!({"caseId": session.customer.case_id}))).into_response()
    } else {
        see_other("/portal")
    };
    if let Some(c) = session_cookie(&st, Some(session.token.expose())) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}

fn apply_failed(
    json: bool,
    b: &Branding,
    org: &OrgId,
    values: &[(String, String)],
    errors: Vec<FieldError>,
) -> Result<Response, ApiError> {
    if json {
        Err(ApiError::Validation(errors))
    } else {
        Ok(apply_page(StatusCode::BAD_REQUEST, b, org, values, &errors))
    }
}
