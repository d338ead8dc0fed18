//! The portal's stylesheet, compiled into the binary and served from our own origin (the
//! pages' policy allows no inline style).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../assets/portal.css");

/// Where the stylesheet is served.
pub const CSS_PATH: &str = "/portal/assets/portal.css";

/// `GET /portal/assets/portal.css`.
pub async fn stylesheet() -> Response {
    let mut res = CSS.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    // Short: pages link it by a fixed name, so a release's change is picked up within minutes.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}
