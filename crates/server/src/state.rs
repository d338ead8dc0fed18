//! What every handler shares.

use std::sync::Arc;

use fml_store::Db;
use fml_store::case_writer::CaseWriter;
use fml_store::wake::DeliveryWake;
use tokio::sync::Notify;

use crate::config::Config;

#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub cases: CaseWriter,
    /// Wakes the mail worker when a message is queued.
    pub mail_wake: Arc<Notify>,
    /// Wakes the webhook engine when deliveries are created or redelivered.
    pub deliveries_wake: Arc<DeliveryWake>,
    /// Recently seen access tokens (PostgreSQL only; revocations clear it on every node).
    pub tokens: Arc<crate::tokens::TokenCache>,
    /// The SSRF-guarded client for test pings.
    pub webhook_client: reqwest::Client,
}
