//! The portal session: its cookie, and the extractor that turns it into the customer of the
//! request. A portal session sees its own case and nothing else: every handler takes the case
//! from the session, never from the request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fml_app::Customer;
use fml_web::error::ApiError;
use fml_web::extract::cookie;
use fml_web::state::AppState;

use crate::link::sign_in_page;
use crate::respond::{is_json, notice_page};

/// The portal session cookie.
pub const COOKIE: &str = "fml_portal";

/// The `Set-Cookie` value that starts a session of `token`, or (`None`) ends it.
pub fn session_cookie(st: &AppState, token: Option<&str>) -> Option<HeaderValue> {
    let secure = if st.config.portal_url.starts_with("https://") { "; Secure" } else { "" };
    let value = match token {
        Some(t) => format!(
            "{COOKIE}={t}; Path=/portal; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            fml_app::portal::SESSION_MAX_SECS
        ),
        None => format!("{COOKIE}=; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&value).ok()
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
            } else if status == StatusCode::FORBIDDEN {
                PortalDenied::Html(notice_page(status, None, "Request refused", text))
            } else {
                PortalDenied::Html(sign_in_page(status, "Continue your application", Some(text), "", &[]))
            }
        };
        let Some(token) = cookie(&parts.headers, COOKIE) else {
            // The portal's front door: the way in is a link by email.
            return Err(if json {
                deny(StatusCode::UNAUTHORIZED, "no portal session: open the link in your email")
            } else {
                PortalDenied::Html(sign_in_page(StatusCode::OK, "Continue your application", None, "", &[]))
            });
        };
        let customer = fml_app::portal::by_session(&st.ctx, token).await.map_err(|e| PortalDenied::Json(e.into()))?;
        let Some(customer) = customer else {
            return Err(deny(
                StatusCode::UNAUTHORIZED,
                "Your session has ended, and your saved answers are kept. Enter your email address and we will \
                 send you a new link to continue.",
            ));
        };
        if fml_web::extract::cross_site(parts, &[&st.config.portal_url, &st.config.public_url]) {
            return Err(deny(StatusCode::FORBIDDEN, "cross-site requests are refused"));
        }
        Ok(PortalCustomer(customer))
    }
}
