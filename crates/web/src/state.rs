//! What every handler shares.

use std::sync::Arc;

use fml_app::opener::Opener;
use fml_store::Db;

use crate::config::Config;

#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub cases: Opener,
    /// The commands, with the workers they wake after commit.
    pub ctx: fml_app::Ctx,
    /// Where documents' bytes are kept.
    pub blobs: fml_store::blobs::BlobStore,
    /// The Didit adapter, when configured (its callback route verifies with it).
    pub didit: Option<fml_vendors::didit::Didit>,
    /// Tenants' branding for invites and portal pages.
    pub branding: Arc<crate::branding::BrandingCache>,
    /// Failed sign-ins per account and per address.
    pub logins: Arc<crate::ratelimit::LoginLimiter>,
    /// Public applications per tenant and client address, per hour.
    pub applications: Arc<crate::ratelimit::ApplyLimiter>,
    /// Requests for a new portal link per email address and client address, per hour.
    pub links: Arc<crate::ratelimit::LinkLimiter>,
    /// Recently seen access tokens (PostgreSQL only; revocations clear it on every node).
    pub tokens: Arc<crate::tokens::TokenCache>,
    /// Test pings to webhook receivers (SSRF-guarded).
    pub pinger: fml_outbound::endpoints::Pinger,
    /// The process's counters (`/metrics`), shared with the delivery engine.
    pub metrics: Arc<fml_metrics::Metrics>,
    /// `fml listen` streams this node holds open at once ([`LISTEN_STREAMS`] at most).
    pub listen_slots: Arc<tokio::sync::Semaphore>,
}

/// Open `fml listen` streams a node holds at most (each polls the event outbox).
pub const LISTEN_STREAMS: usize = 64;
