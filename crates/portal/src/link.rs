//! The way back in: the page that asks for an email (shown wherever a session or a link has
//! run out) and `POST /portal/link`, which mails a new link for each application in progress
//! of that address. The answer is the same whether or not the address has one.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fml_domain::FieldError;
use fml_domain::email::EmailAddress;
use fml_web::error::ApiError;
use fml_web::state::AppState;
use serde_json::{Value, json};

use crate::respond::{html, is_json, notice_page};
use crate::view::{Field, Frame, Problem, problems};

/// The page (`portal/sign_in.html`): a `notice` saying why it is shown, and the email form.
#[derive(Template)]
#[template(path = "portal/sign_in.html")]
struct SignIn<'a> {
    frame: Frame,
    notice: Option<&'a str>,
    problems: Vec<Problem>,
    email: Field,
}

/// The sign-in page under `title`, with `notice` above the form, the `email` typed so far and
/// what is wrong with it.
pub fn sign_in_page(
    status: StatusCode,
    title: &str,
    notice: Option<&str>,
    email: &str,
    errors: &[FieldError],
) -> Response {
    let page = SignIn {
        frame: Frame::new(None, title),
        notice,
        problems: problems(errors),
        email: Field::new("email", "Your email address", email, "email", errors).required(),
    };
    html(status, &page)
}

/// What the customer sees after asking (whether or not the address has an application).
const SENT: &str = "If this address has an application in progress, we have emailed it a new secure link. \
     It works once and expires in 7 days. Nothing arrived? Check your spam folder, or ask the company that \
     invited you.";

/// `POST /portal/link {email}` (a form or JSON): counted per email and per client address
/// before anything is looked up; then a new link for each application in progress of that
/// address. Answers 202 (JSON: `{"status":"sent_if_known"}`) whatever it found.
pub async fn request(
    State(st): State<AppState>,
    fml_web::extract::ClientAddr(addr): fml_web::extract::ClientAddr,
    _: fml_web::extract::SameSite,
    req: Request,
) -> Result<Response, ApiError> {
    let json = is_json(req.headers());
    let bytes = fml_web::extract::read_body(req, &st).await?;
    let typed = if json {
        let body: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::BadRequest("invalid_json", format!("the body is not valid JSON: {e}")))?;
        body.get("email").and_then(Value::as_str).unwrap_or_default().to_owned()
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| ApiError::BadRequest("invalid_request", format!("the form could not be read: {e}")))?;
        pairs.into_iter().find(|(k, _)| k == "email").map(|(_, v)| v).unwrap_or_default()
    };
    st.links.take(&typed, &addr).map_err(|wait| ApiError::TooManyRequests(wait.as_secs().max(1)))?;
    let email = match EmailAddress::parse(&typed) {
        Ok(e) => e,
        Err(why) => {
            // Malformed: nothing was looked up, so it does not count.
            st.links.give_back(&typed, &addr);
            let errors = [FieldError::new("email", why)];
            if json {
                return Err(ApiError::Validation(errors.to_vec()));
            }
            return Ok(sign_in_page(StatusCode::BAD_REQUEST, "Continue your application", None, &typed, &errors));
        }
    };
    fml_app::portal_links::request(&st.ctx, &email).await?;
    if json {
        return Ok((StatusCode::ACCEPTED, axum::Json(json!({"status": "sent_if_known"}))).into_response());
    }
    Ok(notice_page(StatusCode::ACCEPTED, None, "Check your email", SENT))
}

/// The answer to a link that no longer works: why, and the way back in.
pub fn invalid_link() -> Response {
    sign_in_page(
        StatusCode::NOT_FOUND,
        "This link cannot be used",
        Some(
            "This link has expired, was already used, or was replaced by a newer one. \
             Enter your email address below and we will send you a new link.",
        ),
        "",
        &[],
    )
}
