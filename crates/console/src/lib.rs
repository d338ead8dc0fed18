//! The analyst console: server-rendered pages (askama templates, compiled with the server, so
//! a template error fails the build) over the same commands and store queries as the APIs.
//! Every page works without JavaScript; `assets/console.js` adds live updates, in-place pings
//! and copy buttons. Every form carries a CSRF token bound to the session, and every response
//! has a strict Content-Security-Policy (no inline script or style) and `X-Frame-Options: DENY`.

mod assets;
mod auth;
mod cases;
mod catalog;
mod clients;
mod decision;
mod deliveries;
mod engines;
mod error;
mod flash;
mod form;
mod links;
mod panels;
mod policy_form;
mod recovery;
mod risk_form;
mod session;
mod settings;
mod view;
mod webhooks;
mod words;

use axum::Router;
use axum::extract::{Query, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use fml_web::state::AppState;

pub use error::not_found_page;

/// The console's routes. They are not in the OpenAPI document, which describes the APIs.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/console", get(home))
        .route("/console/", get(home))
        .route("/sign-in", get(auth::page).post(auth::sign_in))
        .route("/sign-out", post(auth::sign_out))
        .route("/cases", get(cases::dashboard))
        .route("/cases/new", get(cases::new_form).post(cases::create))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/owner", post(cases::owner))
        .route("/cases/{id}/decision", post(cases::decide))
        .route("/cases/{id}/escalation", post(cases::escalate))
        .route("/cases/{id}/escalation/response", post(cases::respond))
        .route("/cases/{id}/invite", post(cases::resend_invite))
        .route("/cases/{id}/screening", post(cases::screen))
        .route("/cases/{id}/risk", post(cases::recompute_risk))
        .route("/cases/{id}/monitoring", post(cases::monitor))
        .route("/cases/{id}/idv", post(cases::send_idv_all))
        .route("/cases/{id}/idv/{key}", post(cases::send_idv))
        .route("/cases/{id}/idv/{key}/result", post(cases::resolve_idv))
        .route("/cases/{id}/ai-review", post(cases::ai_review))
        .route("/cases/{id}/alerts/{alert}/resolve", post(cases::resolve_alert))
        .route("/cases/{id}/screening/hits/{hit}", post(cases::review_hit))
        .route("/cases/{id}/edd", post(cases::edd_requirement))
        .route("/cases/{id}/edd/request", post(cases::edd_request))
        .route("/cases/{id}/outreach", post(cases::outreach))
        .route(
            "/cases/{id}/documents",
            post(cases::upload).layer(axum::extract::DefaultBodyLimit::max(fml_web::multipart::UPLOAD_BODY_LIMIT)),
        )
        .route("/cases/{id}/documents/{doc}/override", post(cases::override_document))
        .route("/cases/{id}/people/{key}/document", post(cases::attach))
        .route("/cases/{id}/people/{key}/link", post(cases::link_person))
        .route("/cases/{id}/people/{key}/unlink", post(cases::unlink_person))
        .route("/cases/{id}/people/{key}/mark-new", post(cases::mark_new))
        .route("/config/api-clients", get(clients::list).post(clients::create))
        .route("/config/api-clients/{id}/revoke", get(clients::confirm_revoke).post(clients::revoke))
        .route("/config/api-clients/{id}/scopes", get(clients::edit_scopes).post(clients::set_scopes))
        .route("/config/webhooks", get(webhooks::list))
        .route("/config/webhooks/new", get(webhooks::new_form).post(webhooks::create))
        .route("/config/webhooks/ping", post(webhooks::ping))
        .route("/config/webhooks/{id}", get(webhooks::edit).post(webhooks::update))
        .route("/config/webhooks/{id}/test", post(webhooks::test))
        .route("/config/webhooks/{id}/enabled", post(webhooks::set_enabled))
        .route("/config/webhooks/{id}/delete", get(webhooks::confirm_delete).post(webhooks::delete))
        .route("/config/webhooks/{id}/recover", get(recovery::page).post(recovery::start))
        .route("/config/deliveries", get(deliveries::list))
        .route("/config/deliveries/rows", get(deliveries::rows))
        .route("/config/deliveries/{id}", get(deliveries::show))
        .route("/config/deliveries/{id}/redeliver", post(deliveries::redeliver))
        .route("/config/events", get(catalog::index))
        .route("/config/events/{name}", get(catalog::show))
        .route("/settings", get(settings::page))
        .route("/settings/engines", get(engines::page))
        .route("/settings/engines/threshold", post(engines::threshold))
        .route("/settings/engines/interval", post(engines::interval))
        .route("/settings/engines/risk-model", post(engines::risk_model))
        .route("/settings/engines/risk-form", post(engines::risk_form))
        .route("/settings/engines/policy", post(engines::policy))
        .route("/settings/engines/policy-form", post(engines::policy_form))
        .route("/settings/branding", post(settings::branding))
        .route("/settings/controls", post(settings::controls))
        .route("/settings/analysts", post(settings::add_analyst))
        .route("/settings/analysts/{id}", post(settings::change_analyst))
        .route("/assets/{file}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
        .layer(middleware::from_fn(security_headers))
}

/// The `?done=` of a page reached after an action (its notice, by code).
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct HomeQuery {
    case: Option<String>,
}

/// `/` is the dashboard; `/?case=<id>` (the `analystUrl` of every case) opens that case.
async fn home(Query(q): Query<HomeQuery>) -> Redirect {
    match q.case.as_deref().filter(|c| !c.is_empty()) {
        Some(id) => Redirect::to(&format!("/cases/{}", links::path_segment(id))),
        None => Redirect::to("/cases"),
    }
}

/// The policy of every console page: scripts and styles from our own origin only (no inline
/// code), no framing, forms post only to us.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn security_headers(req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/") || req.uri().path() == "/favicon.ico";
    let mut res = next.run(req).await;
    set_security_headers(res.headers_mut(), is_asset);
    res
}

fn set_security_headers(h: &mut axum::http::HeaderMap, is_asset: bool) {
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !is_asset {
        // Pages show tenant data (and one-time secrets): never stored by a cache.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// An HTML response of a rendered template, or a 500 page if rendering failed.
fn html(status: axum::http::StatusCode, rendered: Result<String, askama::Error>) -> Response {
    match rendered {
        Ok(body) => (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response(),
        Err(e) => error::ConsoleError::Internal(e.to_string()).into_response(),
    }
}
