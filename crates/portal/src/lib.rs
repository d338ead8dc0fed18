//! The customer portal: server-rendered pages (askama templates in `templates/portal`, under a
//! strict Content-Security-Policy: no script, no inline style) that work without JavaScript,
//! and the same routes answering JSON when sent JSON.
//!
//! - `GET /portal/invite/{token}` shows a confirmation page; `POST` redeems the token (so a
//!   mail scanner that follows links cannot burn it) and sets the portal session cookie.
//! - `GET /portal` is the customer's case: the application form, then the review of the data
//!   on file, then the submission. Without a live session it is the way back in: a form that
//!   mails a new link (`POST /portal/link`).
//! - `GET/POST /portal/verify/{token}`: a person's identity verification link.
//! - `GET/POST /portal/apply/{orgId}`: a tenant's public application link opens a case.
//!
//! A portal session sees its own case and nothing else: every handler takes the case from the
//! session, never from the request.
//!
//! Modules: `session` (the cookie and its extractor), `respond` (pages, redirects, the policy),
//! `view` (what every page shows), `invite`, `link` (the way back in), `application` (the case page and its posts) with
//! `form`, `verify`, `apply`, and `assets` (the stylesheet).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use fml_web::multipart::UPLOAD_BODY_LIMIT;
use fml_web::state::AppState;

mod application;
mod apply;
mod assets;
mod form;
mod invite;
mod link;
mod respond;
mod session;
mod verify;
mod view;
mod words;

pub use session::{COOKIE, PortalCustomer, PortalDenied};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal", get(application::home))
        .route("/portal/", get(application::home))
        .route("/portal/invite/{token}", get(invite::confirm).post(invite::redeem))
        .route("/portal/application", post(application::save))
        .route("/portal/review", post(application::review))
        .route("/portal/review/confirm", post(application::confirm_review))
        .route("/portal/submit", post(application::submit))
        .route("/portal/documents", post(application::upload_documents).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
        .route("/portal/sign-out", post(invite::sign_out))
        // Anonymous, counted per email and per client before anything is looked up.
        .route("/portal/link", post(link::request))
        .route(
            "/portal/verify/{token}",
            get(verify::page).post(verify::upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        // Anonymous: no files, so every body is held to the default 1 MiB.
        .route("/portal/apply/{org}", get(apply::form).post(apply::apply))
        .route("/portal/apply/confirm/{token}", get(apply::confirm_page).post(apply::confirm))
        .route(assets::CSS_PATH, get(assets::stylesheet))
}
