//! The way in and out: the invitation link (a confirmation page, then a post that redeems the
//! token, so a mail scanner that follows links cannot burn it) and signing out.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use fml_web::error::ApiError;
use fml_web::extract::cookie;
use fml_web::state::AppState;

use crate::link::invalid_link;
use crate::respond::{html, notice_page, see_other};
use crate::session::{COOKIE, session_cookie};
use crate::view::{Frame, branding};

/// The invitation's landing page: whose it is (the tenant, by name and logo) and what about
/// (the company), so it does not read like phishing.
#[derive(Template)]
#[template(path = "portal/invite.html")]
struct Invite<'a> {
    frame: Frame,
    token: &'a str,
    company: &'a str,
}

/// `GET /portal/invite/{token}`: a confirmation page (GET never uses the token).
pub async fn confirm(State(st): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    let Some(landing) = fml_app::portal::invite_landing(&st.ctx, &token).await? else {
        return Ok(invalid_link());
    };
    let b = branding(&st, &landing.org).await;
    let company = landing.company_name.as_deref().unwrap_or("your business");
    let frame = Frame::new(b.as_ref(), &format!("Verify {company}"));
    Ok(html(StatusCode::OK, &Invite { frame, token: &token, company }))
}

/// `POST /portal/invite/{token}`: redeems the token for a portal session.
pub async fn redeem(
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

/// `POST /portal/sign-out`: ends the session (the saved answers stay).
pub async fn sign_out(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookie(&headers, COOKIE) {
        fml_app::portal::sign_out(&st.ctx, token).await?;
    }
    let mut res = notice_page(StatusCode::OK, None, "Signed out", "You have signed out. Your saved answers are kept.");
    if let Some(c) = session_cookie(&st, None) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}
