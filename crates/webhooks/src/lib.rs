//! Outbound webhooks: who may be called (SSRF rules), how a request is signed and sent, when a
//! failed one is retried, and the engine that delivers the event outbox.

pub mod client;
pub mod engine;
pub mod input;
pub mod schedule;
pub mod sign;
pub mod ssrf;

pub use schedule::Schedule;
pub use ssrf::{UrlError, WebhookUrl};
