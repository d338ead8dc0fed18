//! How the portal answers: an HTML page under the strict policy (no script, no inline style,
//! never stored, never framed), a redirect, or a notice page; and whether a request wants
//! JSON instead.

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fml_app::settings::Branding;
use fml_web::error::ApiError;

use crate::view::Frame;

/// The policy of every portal page: no script at all, styles only from our own stylesheet,
/// logos from anywhere on the web, forms post only to us, never framed.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src https: http:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// A rendered page with the portal's headers (a failed rendering is a 500).
pub fn html(status: StatusCode, page: &impl Template) -> Response {
    let body = match page.render() {
        Ok(body) => body,
        Err(e) => return ApiError::Internal(format!("portal template: {e}")).into_response(),
    };
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

pub fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Whether the request is JSON (then the answer is JSON too).
pub fn is_json(headers: &HeaderMap) -> bool {
    fml_web::extract::is_json(headers.get(header::CONTENT_TYPE))
}

/// Whether the client asks for a JSON answer (`Accept`).
pub fn accepts_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

/// A page saying why the portal cannot go on, or what happens next.
#[derive(Template)]
#[template(path = "portal/notice.html")]
struct Notice<'a> {
    frame: Frame,
    text: &'a str,
}

pub fn notice_page(status: StatusCode, branding: Option<&Branding>, title: &str, text: &str) -> Response {
    html(status, &Notice { frame: Frame::new(branding, title), text })
}

/// The answer to an identity verification link that no longer works (its person is not the
/// customer, so there is no portal link to ask for: the company sends a new one).
pub fn invalid_verification_link() -> Response {
    notice_page(
        StatusCode::NOT_FOUND,
        None,
        "This link cannot be used",
        "This link has expired, was already used, or was replaced by a newer one. \
         Ask the company that sent it for a new one.",
    )
}
