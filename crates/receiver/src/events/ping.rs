// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use serde::{Deserialize, Serialize};

/// A reachability check: sent by the pre-save test ping and the endpoint Test button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ping {
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    #[serde(rename = "message")]
    pub message: String,
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

