//! Signing in and out of the console.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use fml_domain::secret::{Secret, constant_time_eq};

use crate::error::ConsoleError;
use crate::form::{Fields, Posted};
use crate::links::safe_next;
use fml_web::extract::{ClientAddr, SESSION_COOKIE, cookie};
use fml_web::state::AppState;

/// The cookie carrying the sign-in form's CSRF token (there is no session yet to bind it to).
const LOGIN_CSRF_COOKIE: &str = "fml_login_csrf";

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    next: String,
    csrf: String,
    email: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Debug, serde::Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

fn render_sign_in(st: &AppState, status: StatusCode, page: SignInPage) -> Response {
    let csrf = page.csrf.clone();
    let mut res = crate::html(status, page.render());
    let secure = if st.config.public_url.starts_with("https://") { "; Secure" } else { "" };
    let attrs = format!("; SameSite=Strict; HttpOnly; Path=/sign-in; Max-Age=3600{secure}");
    if let Ok(v) = HeaderValue::from_str(&format!("{LOGIN_CSRF_COOKIE}={csrf}{attrs}")) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The sign-in page (or, with a live session, straight on).
pub async fn page(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<SignInQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Ok(Some(_)) = fml_app::analysts::by_session(&st.ctx, token).await
    {
        return Redirect::to(&next).into_response();
    }
    let notice = q.signed_out.is_some().then_some("You have signed out.");
    let csrf = Secret::generate("").expose().to_owned();
    render_sign_in(&st, StatusCode::OK, SignInPage { next, csrf, email: String::new(), error: None, notice })
}

/// Signs in with email and password; on success, on to `next`.
pub async fn sign_in(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let fields = Fields(serde_urlencoded::from_bytes(&body).unwrap_or_default());
    let next = safe_next(fields.get("next"));
    let email = fields.text("email").to_owned();
    let fresh = Secret::generate("").expose().to_owned();
    let again = |status, error: String| {
        render_sign_in(
            &st,
            status,
            SignInPage {
                next: next.clone(),
                csrf: fresh.clone(),
                email: email.clone(),
                error: Some(error),
                notice: None,
            },
        )
    };
    let presented = fields.get("_csrf").unwrap_or_default();
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(presented.as_bytes(), expected.as_bytes()) {
        return again(StatusCode::BAD_REQUEST, "The sign-in form expired. Please try again.".into());
    }
    let password = fields.get("password").unwrap_or_default();
    if email.is_empty() || password.is_empty() {
        return again(StatusCode::UNPROCESSABLE_ENTITY, "Enter your email and password.".into());
    }
    if email.chars().count() > 320 || password.len() > fml_domain::password::MAX_LEN {
        return again(StatusCode::UNAUTHORIZED, "The email or password is incorrect.".into());
    }
    let account = email.to_lowercase();
    // Counted before the password is checked: attempts in flight count too.
    let attempt = match st.logins.begin(&account, &addr) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let minutes = wait.as_secs().div_ceil(60).max(1);
            return again(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many failed sign-in attempts. For your security, sign-in is locked for {minutes} minute{}. \
                 Try again later or ask an admin to check your account.",
                    if minutes == 1 { "" } else { "s" }
                ),
            );
        }
    };
    match fml_app::analysts::login(&st.ctx, &account, password, &addr).await {
        Ok(Some(session)) => {
            attempt.succeeded();
            let mut res = Redirect::to(&next).into_response();
            if let Some(c) = fml_web::extract::session_cookie(&st, Some(session.token.expose())) {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            if let Ok(v) = HeaderValue::from_str(&format!("{LOGIN_CSRF_COOKIE}=; Path=/sign-in; Max-Age=0")) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Ok(None) => {
            drop(attempt);
            again(StatusCode::UNAUTHORIZED, "The email or password is incorrect.".into())
        }
        Err(e) => ConsoleError::from(e).into_response(),
    }
}

/// Signs out: the session ends at once and the cookie is cleared.
pub async fn sign_out(State(st): State<AppState>, form: Posted) -> Result<Response, ConsoleError> {
    fml_app::analysts::logout(&st.ctx, form.analyst(), &form.who.session).await?;
    let mut res = Redirect::to("/sign-in?signed_out=1").into_response();
    if let Some(c) = fml_web::extract::session_cookie(&st, None) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}
