//! Posted forms: read, CSRF-checked and authenticated in one extractor, so no handler can
//! forget the check.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::header;
use fml_domain::secret::constant_time_eq;

use crate::error::ConsoleError;
use crate::session::Viewer;
use fml_web::error::ApiError;
use fml_web::extract::{AnyRole, MinRole, cross_site};
use fml_web::state::AppState;

/// The fields of an `application/x-www-form-urlencoded` body, in order (a checkbox group
/// repeats its name).
#[derive(Debug, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// Fields from pairs (as a test posts them).
    #[cfg(test)]
    pub fn of(pairs: &[(&str, &str)]) -> Self {
        Fields(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    /// The first value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value of `name`, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).map_or("", str::trim)
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// A form posted by a signed-in analyst of at least role `R`, from one of our own pages (the
/// CSRF token matches the session's, and the browser does not call the request cross-site).
#[derive(Debug)]
pub struct Posted<R: MinRole = AnyRole> {
    pub who: Viewer<R>,
    pub fields: Fields,
    /// The page asked for a fragment (script-driven), not a whole page.
    pub fragment: bool,
}

const EXPIRED: &str =
    "This form has expired (its security token does not match your session). Reload the page and try again.";

/// Who posts: a signed-in analyst of at least role `R`, from a page of ours (the browser does
/// not call the request cross-site).
async fn poster<R: MinRole>(parts: &mut axum::http::request::Parts, st: &AppState) -> Result<Viewer<R>, ConsoleError> {
    let who = Viewer::<R>::from_request_parts(parts, st).await?;
    if cross_site(parts, &[&st.config.public_url]) {
        return Err(ConsoleError::Forbidden("Cross-site form posts are refused.".into()));
    }
    Ok(who)
}

/// Longest form body accepted.
const MAX_FORM_BYTES: usize = 256 * 1024;

impl<R: MinRole> FromRequest<AppState> for Posted<R> {
    type Rejection = ConsoleError;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, ConsoleError> {
        let (mut parts, body) = req.into_parts();
        let who = poster::<R>(&mut parts, st).await?;
        let fragment = parts.headers.contains_key("x-console-fragment");
        let is_form = fml_web::extract::media_type(parts.headers.get(header::CONTENT_TYPE))
            .is_some_and(|m| m == "application/x-www-form-urlencoded");
        if !is_form {
            return Err(ConsoleError::Refused(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "The console accepts its own forms only.".into(),
            ));
        }
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES).await.map_err(|_| {
            ConsoleError::Refused(axum::http::StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.".into())
        })?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|_| {
            ConsoleError::Refused(axum::http::StatusCode::BAD_REQUEST, "The form could not be read.".into())
        })?;
        let fields = Fields(fields);
        let presented = fields.get("_csrf").unwrap_or_default();
        if !constant_time_eq(presented.as_bytes(), who.csrf.as_bytes()) {
            return Err(ConsoleError::Forbidden(EXPIRED.into()));
        }
        Ok(Posted { who, fields, fragment })
    }
}

impl<R: MinRole> Posted<R> {
    pub fn analyst(&self) -> &fml_app::Analyst {
        &self.who.analyst
    }
}

/// A multipart upload by a signed-in analyst, from one of our own pages: the session and the
/// request's origin are checked here, the CSRF token (the form's first field, before its
/// files) by [`Upload::receive`] before a byte of a file is stored.
pub struct Upload {
    pub who: Viewer,
    pub multipart: Result<Multipart, MultipartRejection>,
}

impl FromRequest<AppState> for Upload {
    type Rejection = ConsoleError;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, ConsoleError> {
        let (mut parts, body) = req.into_parts();
        let who = poster::<AnyRole>(&mut parts, st).await?;
        let multipart = Multipart::from_request(Request::from_parts(parts, body), st).await;
        Ok(Upload { who, multipart })
    }
}

impl Upload {
    /// The check [`fml_web::multipart::receive_gated`] runs before the first file: the form's
    /// token matches the session's.
    pub fn gate(&self) -> impl FnOnce(&[(String, String)]) -> Result<(), ApiError> + use<> {
        let csrf = self.who.csrf.clone();
        move |fields: &[(String, String)]| {
            let presented = fields.iter().find(|(k, _)| k == "_csrf").map_or("", |(_, v)| v.as_str());
            if constant_time_eq(presented.as_bytes(), csrf.as_bytes()) {
                Ok(())
            } else {
                Err(ApiError::Forbidden(EXPIRED))
            }
        }
    }
}
