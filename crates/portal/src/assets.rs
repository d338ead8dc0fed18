//! The portal's stylesheet, compiled into the binary and served from our own origin (the
//! pages' policy allows no inline style). Pages link it with a version of its content, so it
//! may be cached for long: a release that changes it changes the link.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../assets/portal.css");

/// Where the stylesheet is served.
pub const CSS_PATH: &str = "/portal/assets/portal.css";

/// The link pages use: [`CSS_PATH`] with a hash of the content.
pub static CSS_HREF: LazyLock<String> = LazyLock::new(|| format!("{CSS_PATH}?v={:016x}", fnv1a(CSS.as_bytes())));

/// FNV-1a: a short, stable fingerprint (not a security measure).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// `GET /portal/assets/portal.css`.
pub async fn stylesheet() -> Response {
    let mut res = CSS.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_names_the_content() {
        assert!(CSS_HREF.starts_with("/portal/assets/portal.css?v="));
        assert_ne!(fnv1a(b"a{}"), fnv1a(b"b{}"));
        assert!(CSS.contains(".error-summary{"));
    }
}
