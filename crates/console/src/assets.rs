//! The console's stylesheet and script, compiled into the binary (no build step, nothing to
//! deploy beside it).

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ConsoleError;

const CSS: &str = include_str!("../assets/console.css");
const JS: &str = include_str!("../assets/console.js");
const FAVICON: &str = include_str!("../assets/favicon.svg");

pub async fn serve(Path(file): Path<String>) -> Result<Response, ConsoleError> {
    let (body, kind) = match file.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "console.js" => (JS, "text/javascript; charset=utf-8"),
        "favicon.svg" => (FAVICON, "image/svg+xml"),
        _ => return Err(ConsoleError::NotFound("no such file")),
    };
    let mut res = body.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    // Short: a new release's files are picked up within minutes without versioned names.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    Ok(res)
}

/// `/favicon.ico`, which browsers ask for on every site (the console's pages and the portal's):
/// the same icon, as SVG, which every current browser takes whatever the name.
pub async fn favicon() -> Result<Response, ConsoleError> {
    serve(Path("favicon.svg".to_owned())).await
}
