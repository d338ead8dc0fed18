//! The way in and out: the invitation link (a confirmation page, then a post that redeems the
//! token, so a mail scanner that follows links cannot burn it) and signing out.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use fml_web::error::ApiError;
use fml_web::extract::cookie;
use fml_web::html::{self, esc};
use fml_web::state::AppState;

use crate::respond::{html_response, invalid_link, notice_page, see_other};
use crate::session::{COOKIE, session_cookie};

/// `GET /portal/invite/{token}`: a confirmation page (GET never uses the token).
pub async fn confirm(State(st): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    if !fml_app::portal::invite_is_live(&st.ctx, &token).await? {
        return Ok(invalid_link());
    }
    let body = format!(
        "<p>You have been invited to complete a business verification. Continue to open your secure application; \
         this link then stops working, and you can return within two hours of opening it.</p>\
         <form method=\"post\" action=\"/portal/invite/{}\"><button type=\"submit\">Continue to my application</button></form>",
        esc(&token)
    );
    Ok(html_response(StatusCode::OK, html::page(None, "Business verification", &body)))
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
