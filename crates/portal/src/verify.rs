//! The built-in identity verification page: the person's own link (from the `idv.dispatched`
//! email), where they upload their passport or identity card.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use fml_app::queries::records::CaseRecord;
use fml_app::queries::records::IdvCheck;
use fml_app::settings::Branding;
use fml_domain::FieldError;
use fml_web::error::ApiError;
use fml_web::state::AppState;

use crate::respond::{html, invalid_verification_link, notice_page};
use crate::view::{Frame, Problem, branding, problems};

#[derive(Template)]
#[template(path = "portal/verify.html")]
struct Verify<'a> {
    frame: Frame,
    problems: Vec<Problem>,
    person: &'a str,
    org: &'a str,
    company: &'a str,
    token: &'a str,
}

/// The page of a person's link, with what is wrong with the last upload (if anything).
fn form(
    status: StatusCode,
    check: &IdvCheck,
    case: &CaseRecord,
    branding: Option<&Branding>,
    token: &str,
    errors: &[FieldError],
) -> Response {
    let page = Verify {
        frame: Frame::new(branding, "Verify your identity"),
        problems: problems(errors),
        person: &check.person_name,
        org: branding.map_or("The company", Branding::name),
        company: case.company_name.as_deref().unwrap_or("a business"),
        token,
    };
    html(status, &page)
}

/// `GET /portal/verify/{token}`: the verification page (the link works until a document is
/// uploaded on it).
pub async fn page(State(st): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    let Some((check, case)) = fml_app::idv::by_link(&st.ctx, &token).await? else {
        return Ok(invalid_verification_link());
    };
    let b = branding(&st, &case.org_id).await;
    Ok(form(StatusCode::OK, &check, &case, b.as_ref(), &token, &[]))
}

/// `POST /portal/verify/{token}`: one identity document (multipart, field `files`); it is
/// processed like any upload and its reading completes the check (`idv.completed`).
pub async fn upload(
    State(st): State<AppState>,
    Path(token): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let Some((check, case)) = fml_app::idv::by_link(&st.ctx, &token).await? else {
        return Ok(invalid_verification_link());
    };
    let b = branding(&st, &case.org_id).await;
    let refused = |status: StatusCode, message: String| {
        form(status, &check, &case, b.as_ref(), &token, &[FieldError::new("files", message)])
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
        Err(fml_app::CommandError::NotFound(_) | fml_app::CommandError::Illegal { .. }) => {
            Ok(invalid_verification_link())
        }
        Err(e) => Err(e.into()),
    }
}
