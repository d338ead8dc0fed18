//! The console's one error type: each variant is a page (or, for a missing session, the way to
//! the sign-in page). Command refusals that belong beside a form (validation, a move the
//! case's status does not allow) are shown on the page by the handlers, not here.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fml_app::{CommandError, StoreError};

#[derive(Debug)]
pub enum ConsoleError {
    /// No live session: sign in, then come back to `next`. A script's request (`fragment`)
    /// is told so with a 401 it can show, instead of the sign-in page.
    SignIn {
        next: String,
        fragment: bool,
    },
    Forbidden(String),
    NotFound(&'static str),
    /// A refusal with its status and the text to show.
    Refused(StatusCode, String),
    Internal(String),
}

impl From<CommandError> for ConsoleError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::NotFound(what) => ConsoleError::NotFound(what),
            CommandError::Forbidden(why) => ConsoleError::Forbidden(why.to_owned()),
            CommandError::Control { message, reasons, .. } if reasons.is_empty() => {
                ConsoleError::Refused(StatusCode::FORBIDDEN, message)
            }
            CommandError::Control { message, reasons, .. } => {
                ConsoleError::Refused(StatusCode::FORBIDDEN, format!("{message}: {}.", reasons.join("; ")))
            }
            CommandError::Illegal { .. } => ConsoleError::Refused(StatusCode::CONFLICT, e.to_string()),
            CommandError::Conflict(_, m) => ConsoleError::Refused(StatusCode::CONFLICT, m),
            CommandError::Unprocessable(_, m) => ConsoleError::Refused(StatusCode::UNPROCESSABLE_ENTITY, m),
            CommandError::Validation(errors) => ConsoleError::Refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "),
            ),
            CommandError::Upstream(m) => ConsoleError::Refused(StatusCode::BAD_GATEWAY, m),
            CommandError::NotYet(m) => ConsoleError::Refused(StatusCode::SERVICE_UNAVAILABLE, m),
            CommandError::Store(e) => ConsoleError::from(e),
        }
    }
}

impl From<StoreError> for ConsoleError {
    fn from(e: StoreError) -> Self {
        ConsoleError::Internal(e.to_string())
    }
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
    /// Where to go from here: (href, label).
    back: (&'a str, &'a str),
}

/// The page a browser gets for an address nothing serves (the APIs answer their JSON error
/// instead): a customer is sent back to their application, anyone else to the console.
pub fn not_found_page(path: &str) -> Response {
    let back =
        if path.starts_with("/portal") { ("/portal", "Go to your application") } else { ("/cases", "Go to the cases") };
    let message = "There is no page at this address. Check the link, or start again from the page below.";
    let page = ErrorPage { status: 404, title: "Page not found", message, back };
    let mut res = match page.render() {
        Ok(body) => (StatusCode::NOT_FOUND, [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], body)
            .into_response(),
        Err(_) => (StatusCode::NOT_FOUND, message).into_response(),
    };
    crate::set_security_headers(res.headers_mut(), false);
    res
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            ConsoleError::SignIn { fragment: true, .. } => {
                let text = "<p class=\"field-error\" role=\"alert\">Your session has ended. Reload the page to sign in again.</p>";
                return (
                    StatusCode::UNAUTHORIZED,
                    [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    text,
                )
                    .into_response();
            }
            ConsoleError::SignIn { next, fragment: false } => {
                return Redirect::to(&format!("/sign-in?next={}", crate::links::query_value(next))).into_response();
            }
            ConsoleError::Forbidden(m) => (StatusCode::FORBIDDEN, "Not allowed", m.clone()),
            ConsoleError::NotFound(m) => (StatusCode::NOT_FOUND, "Not found", format!("{}.", capitalised(m))),
            ConsoleError::Refused(s, m) => (*s, "That could not be done", m.clone()),
            ConsoleError::Internal(m) => {
                tracing::error!(error = %m, "console request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "The error was logged; try again.".into())
            }
        };
        let page = ErrorPage { status: status.as_u16(), title, message: &message, back: ("/cases", "Back to cases") };
        match page.render() {
            Ok(body) => {
                (status, [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
            }
            Err(_) => (status, message).into_response(),
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}
