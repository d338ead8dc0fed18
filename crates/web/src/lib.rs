//! What the HTTP surfaces (the APIs, the console, the portal) share, and nothing they own:
//! the application state handed to every handler, the configuration, the one JSON error
//! shape, the extractors (bodies, credentials, client addresses), rate limits, the upload
//! reader and the listener.

pub mod branding;
pub mod client_addr;
pub mod config;
pub mod error;
pub mod extract;
pub mod http;
pub mod metrics;
pub mod multipart;
pub mod ratelimit;
pub mod schema;
pub mod state;
pub mod tokens;

pub use config::Config;
pub use state::AppState;
