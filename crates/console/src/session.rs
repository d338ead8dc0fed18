//! The signed-in analyst of a console page, as an extractor: the session cookie looked up,
//! the role checked, and the session's CSRF token derived for the page's forms.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use fml_app::Analyst;
use fml_domain::lifecycle::Role;
use fml_domain::secret::{SecretHash, sha256_hex};
use fml_web::extract::{AnyRole, MinRole, SESSION_COOKIE, cookie};
use fml_web::state::AppState;

use crate::error::ConsoleError;
use crate::view::Chrome;

/// The CSRF token of a session: derived from the session token, which only the cookie's holder
/// knows, so it needs no storage and dies with the session.
pub(crate) fn csrf_token(session_token: &str) -> String {
    sha256_hex(format!("fml-console-csrf\0{session_token}").as_bytes())
}

/// The signed-in analyst of a console page, with at least role `R`.
#[derive(Debug)]
pub struct Viewer<R: MinRole = AnyRole> {
    pub analyst: Analyst,
    /// This session's CSRF token, for the page's forms.
    pub csrf: String,
    pub(crate) session: SecretHash,
    role: PhantomData<R>,
}

impl<R: MinRole> Viewer<R> {
    /// The page frame for this analyst, with `section` marked current in the navigation.
    pub fn chrome(&self, section: &'static str) -> Chrome {
        Chrome {
            name: self.analyst.name.clone(),
            email: self.analyst.email.clone(),
            role: self.analyst.role.as_str(),
            is_admin: self.analyst.role >= Role::Admin,
            csrf: self.csrf.clone(),
            section,
        }
    }
}

impl<R: MinRole> FromRequestParts<AppState> for Viewer<R> {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ConsoleError> {
        let next = if parts.method == axum::http::Method::GET {
            parts.uri.path_and_query().map_or("/cases".to_owned(), |p| p.as_str().to_owned())
        } else {
            "/cases".to_owned()
        };
        let fragment = parts.headers.contains_key("x-console-fragment");
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(ConsoleError::SignIn { next, fragment });
        };
        let Some(analyst) = fml_app::analysts::by_session(&st.ctx, token).await? else {
            return Err(ConsoleError::SignIn { next, fragment });
        };
        if analyst.role < R::MIN {
            return Err(ConsoleError::Forbidden(format!(
                "This page needs the {} role; you are signed in as {}.",
                R::MIN.as_str(),
                analyst.role.as_str()
            )));
        }
        Ok(Viewer { csrf: csrf_token(token), session: SecretHash::of(token), analyst, role: PhantomData })
    }
}
