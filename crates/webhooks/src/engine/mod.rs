//! The delivery engine: claims due deliveries, sends them, records every attempt.
//!
//! - Work is found without polling the whole table: the engine keeps, per endpoint, the time
//!   its next delivery is due. New deliveries wake it (in-process, and through the node's
//!   one PostgreSQL listener, `fml_store::listener`, from other nodes), the recorder reports retries it schedules, and a full
//!   rescan every few seconds picks up anything else (another node's retries, expired leases).
//! - Each endpoint has at most `per_endpoint` attempts in flight — a few once it is
//!   unhealthy (its last attempt failed, got no answer, or answered slowly) — each tenant at
//!   most `per_tenant`, and the process at most `global`. A slow or failing endpoint holds
//!   only its own few slots, and a tenant whose endpoints all misbehave holds only its share:
//!   other endpoints and other tenants go on.
//! - A claim is a lease past the attempt's deadline: if the process dies mid-attempt the
//!   delivery is claimable again when the lease ends (at once on restart with SQLite, where
//!   the process is the only deliverer): at-least-once. No database connection is held
//!   during an HTTP request.
//! - Back-pressure: a `429` or `503` with `Retry-After` pauses the whole endpoint that long
//!   (at most an hour), pushes that delivery's retry at least as late without adding an
//!   attempt, and, as any failure does, lowers the endpoint to a probe's worth of slots.
//! - Outcomes are recorded in batches (one transaction per batch) by a separate task.
//!
//! This module holds the engine's configuration and its start; the main loop, the attempt
//! and the recorder are its submodules.

mod attempt;
mod recorder;
mod scheduler;

pub use attempt::next_state;

use std::sync::Arc;
use std::time::Duration;

use fml_domain::crypto::MasterKey;
use fml_store::Db;
use fml_store::wake::DeliveryWake;

use crate::schedule::Schedule;
use crate::ssrf::WebhookUrl;

/// How long a claim holds a delivery: past the 10 s request timeout, with room to record.
const LEASE_MS: i64 = 20_000;
/// Attempts in flight for an unhealthy endpoint: a probe's worth, so a dead, failing or slow
/// endpoint ties up almost nothing.
const DEGRADED_SLOTS: usize = 4;
/// An attempt slower than this marks its endpoint unhealthy even when it succeeded: at 64
/// in flight, a receiver taking seconds per request would hold slots others need.
const SLOW_MS: i64 = 2_000;

/// How many attempts may be in flight at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concurrency {
    pub per_endpoint: usize,
    pub per_tenant: usize,
    pub global: usize,
}

impl Default for Concurrency {
    fn default() -> Self {
        Self { per_endpoint: 64, per_tenant: 256, global: 1024 }
    }
}

/// Whether an endpoint is unhealthy after an attempt with this outcome: it failed (any
/// non-2xx, no response) or it took longer than [`SLOW_MS`]. The pure rule behind demotion.
pub fn unhealthy_after(http_status: u16, duration_ms: i64) -> bool {
    !(200..300).contains(&http_status) || duration_ms > SLOW_MS
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Development and tests only: allow `http://` and private targets.
    pub allow_private: bool,
    pub schedule: Schedule,
    pub concurrency: Concurrency,
    pub master_key: MasterKey,
    /// How often the engine rescans all pending work: the safety net for what no wake-up
    /// announced (another node's retries, expired leases).
    pub rescan: Duration,
    /// Where each attempt is counted (`/metrics`).
    pub metrics: Arc<fml_metrics::Metrics>,
}

impl EngineConfig {
    pub fn new(master_key: MasterKey) -> Self {
        Self {
            allow_private: false,
            schedule: Schedule::default(),
            concurrency: Concurrency::default(),
            master_key,
            rescan: Duration::from_secs(5),
            metrics: Arc::default(),
        }
    }
}

/// What the main loop hears from attempts and the recorder.
enum Msg {
    /// An attempt of this endpoint (of this tenant) finished: a slot is free; `unhealthy`
    /// says how the attempt went.
    /// `pause_until`: the endpoint asked (`Retry-After`) not to be sent anything before then.
    SlotFreed { endpoint: Arc<str>, org: Arc<str>, unhealthy: bool, pause_until: Option<i64> },
    /// A delivery of this endpoint is due at this time (a retry was scheduled).
    Due(Arc<str>, i64),
}

/// An endpoint as the engine needs it.
struct Target {
    org: Arc<str>,
    /// The URL, or why it may no longer be dialled (the SSRF rules are checked again here).
    url: Result<WebhookUrl, String>,
    scheme: crate::sign::Scheme,
    keys: crate::sign::Keys,
    updated_at: i64,
}

/// Starts the engine; `wake` is told whenever deliveries are created or made due in this
/// process.
pub fn spawn(db: Db, cfg: EngineConfig, wake: Arc<DeliveryWake>) {
    if cfg.allow_private {
        tracing::warn!("FML_WEBHOOK_ALLOW_PRIVATE_TARGETS is on: webhooks may target http:// and private addresses");
    }
    tokio::spawn(async move {
        // One `fml serve` per SQLite file: a lease found at start belongs to a process that
        // died mid-attempt, so its delivery is due again now rather than when the lease ends.
        if db.backend().single_server() {
            match fml_store::deliveries::release_all_leases(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    deliveries = n,
                    "re-queued deliveries that were in flight when the last process died"
                ),
                Err(e) => tracing::warn!(error = %e, "releasing stale leases failed"),
            }
        }
        scheduler::run(db, Arc::new(cfg), wake).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_silent_and_slow_endpoints_are_demoted() {
        for (status, ms, unhealthy) in [
            (200, 40, false),
            (204, SLOW_MS, false),
            (200, SLOW_MS + 1, true), // answered, but too slowly
            (500, 9_900, true),       // the slow 5xx that filled every slot
            (503, 5, true),           // failing fast
            (401, 5, true),
            (302, 5, true),    // redirects are not followed: a failure
            (0, 10_000, true), // no answer
        ] {
            assert_eq!(unhealthy_after(status, ms), unhealthy, "{status} after {ms} ms");
        }
    }
}
