//! The delivery engine: claims due deliveries, sends them, records every attempt.
//!
//! - Work is found without polling the whole table: the engine keeps, per endpoint, the time
//!   its next delivery is due. New deliveries wake it (in-process, and through PostgreSQL
//!   `LISTEN/NOTIFY` from other nodes), the recorder reports retries it schedules, and a full
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
//! - Outcomes are recorded in batches (one transaction per batch) by a separate task.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use fml_domain::Timestamp;
use fml_domain::crypto::MasterKey;
use fml_store::Db;
use fml_store::deliveries::{Claimed, Recorded};
use fml_store::wake::DeliveryWake;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::client::{AttemptOutcome, Envelope, build_client, send};
use crate::schedule::Schedule;
use crate::sign::signature;
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
}

impl EngineConfig {
    pub fn new(master_key: MasterKey) -> Self {
        Self {
            allow_private: false,
            schedule: Schedule::default(),
            concurrency: Concurrency::default(),
            master_key,
            rescan: Duration::from_secs(5),
        }
    }
}

/// What the main loop hears from attempts and the recorder.
enum Msg {
    /// An attempt of this endpoint (of this tenant) finished: a slot is free; `unhealthy`
    /// says how the attempt went.
    SlotFreed { endpoint: Arc<str>, org: Arc<str>, unhealthy: bool },
    /// A delivery of this endpoint is due at this time (a retry was scheduled).
    Due(Arc<str>, i64),
}

/// An endpoint as the engine needs it.
struct Target {
    org: Arc<str>,
    /// The URL, or why it may no longer be dialled (the SSRF rules are checked again here).
    url: Result<WebhookUrl, String>,
    secret: String,
    updated_at: i64,
}

/// Starts the engine; `wake` is told whenever deliveries are created or made due in this
/// process.
pub fn spawn(db: Db, cfg: EngineConfig, wake: Arc<DeliveryWake>) {
    if cfg.allow_private {
        tracing::warn!("FML_WEBHOOK_ALLOW_PRIVATE_TARGETS is on: webhooks may target http:// and private addresses");
    }
    if let Db::Postgres(pool) = &db {
        tokio::spawn(listen(pool.clone(), wake.clone()));
    }
    tokio::spawn(async move {
        // One `fml serve` per SQLite file: a lease found at start belongs to a process that
        // died mid-attempt, so its delivery is due again now rather than when the lease ends.
        if db.backend() == fml_store::Backend::Sqlite {
            match fml_store::deliveries::release_all_leases(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    deliveries = n,
                    "re-queued deliveries that were in flight when the last process died"
                ),
                Err(e) => tracing::warn!(error = %e, "releasing stale leases failed"),
            }
        }
        run(db, Arc::new(cfg), wake).await;
    });
}

/// Wakes the engine when another node creates deliveries or makes some due.
async fn listen(pool: sqlx::PgPool, wake: Arc<DeliveryWake>) {
    loop {
        match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut l) => {
                if let Err(e) = l.listen(fml_store::deliveries::CHANNEL).await {
                    tracing::warn!(error = %e, "LISTEN failed");
                } else {
                    // `try_recv` says when the connection was lost (`None`; the next call
                    // reconnects): whatever was announced meanwhile is found by a scan.
                    loop {
                        match l.try_recv().await {
                            Ok(Some(n)) => match n.payload() {
                                "" => wake.new_deliveries(),
                                p => match p.strip_prefix("new:") {
                                    Some(list) => wake.due_now(&list.split(',').map(str::to_owned).collect::<Vec<_>>()),
                                    None => wake.endpoint_due(p),
                                },
                            },
                            Ok(None) => wake.new_deliveries(),
                            Err(_) => break,
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot open the LISTEN connection"),
        }
        // The rescan covers the gap; try again shortly.
        tokio::time::sleep(Duration::from_secs(1)).await;
        wake.new_deliveries();
    }
}

struct State {
    due: HashMap<Arc<str>, i64>,
    inflight: HashMap<Arc<str>, usize>,
    inflight_by_org: HashMap<Arc<str>, usize>,
    total: usize,
    last_seen: i64,
    targets: HashMap<Arc<str>, Arc<Target>>,
    /// Endpoints whose last attempt failed or was slow.
    degraded: std::collections::HashSet<Arc<str>>,
}

impl State {
    /// How many more attempts `endpoint` may have in flight, by its own cap alone.
    fn room(&self, cfg: &EngineConfig, endpoint: &Arc<str>) -> usize {
        let c = cfg.concurrency;
        let cap = if self.degraded.contains(endpoint) { DEGRADED_SLOTS.min(c.per_endpoint) } else { c.per_endpoint };
        cap.saturating_sub(self.inflight.get(endpoint).copied().unwrap_or(0))
    }

    /// Whether an attempt of `endpoint` could start now, by every cap: the main loop sleeps
    /// past endpoints that could not (a finished attempt wakes it).
    fn can_send(&self, cfg: &EngineConfig, endpoint: &Arc<str>) -> bool {
        self.total < cfg.concurrency.global
            && self.room(cfg, endpoint) > 0
            && self.targets.get(endpoint).is_none_or(|t| self.org_room(cfg, &t.org) > 0)
    }

    /// How many more attempts `org` may have in flight.
    fn org_room(&self, cfg: &EngineConfig, org: &Arc<str>) -> usize {
        cfg.concurrency.per_tenant.saturating_sub(self.inflight_by_org.get(org).copied().unwrap_or(0))
    }
}

async fn run(db: Db, cfg: Arc<EngineConfig>, wake: Arc<DeliveryWake>) {
    let client = build_client(cfg.allow_private);
    let (msg_tx, mut msg_rx) = mpsc::unbounded_channel::<Msg>();
    let (rec_tx, rec_rx) = mpsc::unbounded_channel::<(Arc<str>, Recorded)>();
    tokio::spawn(recorder(db.clone(), rec_rx, msg_tx.clone()));
    let mut st = State {
        due: HashMap::new(),
        inflight: HashMap::new(),
        inflight_by_org: HashMap::new(),
        total: 0,
        last_seen: 0,
        targets: HashMap::new(),
        degraded: std::collections::HashSet::new(),
    };
    let mut next_rescan = Instant::now();
    let mut woken = false;
    loop {
        if Instant::now() >= next_rescan {
            match fml_store::deliveries::due_by_endpoint(&db, None).await {
                Ok(rows) => {
                    st.due.clear();
                    for (e, due, max) in rows {
                        st.due.insert(e.into(), due);
                        st.last_seen = st.last_seen.max(max);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "scanning pending deliveries failed"),
            }
            next_rescan = Instant::now() + cfg.rescan;
        } else if woken && wake.take_scan() {
            match fml_store::deliveries::due_by_endpoint(&db, Some(st.last_seen)).await {
                Ok(rows) => {
                    for (e, due, max) in rows {
                        let slot = st.due.entry(e.into()).or_insert(due);
                        *slot = (*slot).min(due);
                        st.last_seen = st.last_seen.max(max);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading new deliveries failed"),
            }
        }
        if woken {
            // New deliveries: due now, no need to look.
            let now = Timestamp::now().millis();
            for endpoint in wake.take_due_now() {
                let slot = st.due.entry(endpoint.into()).or_insert(now);
                *slot = (*slot).min(now);
            }
            // Older deliveries made due again (redelivery, an endpoint enabled again).
            for endpoint in wake.take_endpoints() {
                match fml_store::deliveries::next_due(&db, &endpoint).await {
                    Ok(Some(due)) => {
                        let slot = st.due.entry(endpoint.into()).or_insert(due);
                        *slot = (*slot).min(due);
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "reading an endpoint's due deliveries failed"),
                }
            }
        }
        woken = false;
        dispatch(&db, &cfg, &client, &mut st, &msg_tx, &rec_tx).await;

        // Sleep until the next due time of an endpoint with room, a wake-up, a finished
        // attempt, or the next rescan.
        let now = Timestamp::now().millis();
        let next_due = st.due.iter().filter(|(e, _)| st.can_send(&cfg, e)).map(|(_, d)| *d).min();
        let mut deadline = next_rescan;
        if let Some(d) = next_due {
            deadline = deadline.min(Instant::now() + Duration::from_millis(u64::try_from(d - now).unwrap_or(0)));
        }
        tokio::select! {
            () = wake.notified() => woken = true,
            Some(msg) = msg_rx.recv() => {
                handle(&mut st, msg);
                while let Ok(m) = msg_rx.try_recv() {
                    handle(&mut st, m);
                }
            }
            () = tokio::time::sleep_until(deadline) => {}
        }
    }
}

fn handle(st: &mut State, msg: Msg) {
    match msg {
        Msg::SlotFreed { endpoint, org, unhealthy } => {
            if let Some(n) = st.inflight.get_mut(&endpoint) {
                *n = n.saturating_sub(1);
            }
            if let Some(n) = st.inflight_by_org.get_mut(&org) {
                *n = n.saturating_sub(1);
            }
            st.total = st.total.saturating_sub(1);
            if unhealthy {
                st.degraded.insert(endpoint);
            } else {
                st.degraded.remove(&endpoint);
            }
        }
        Msg::Due(e, at) => {
            let slot = st.due.entry(e).or_insert(at);
            *slot = (*slot).min(at);
        }
    }
}

async fn dispatch(
    db: &Db,
    cfg: &Arc<EngineConfig>,
    client: &reqwest::Client,
    st: &mut State,
    msg_tx: &mpsc::UnboundedSender<Msg>,
    rec_tx: &mpsc::UnboundedSender<(Arc<str>, Recorded)>,
) {
    let now = Timestamp::now();
    let ready: Vec<Arc<str>> =
        st.due.iter().filter(|(e, due)| **due <= now.millis() && st.can_send(cfg, e)).map(|(e, _)| e.clone()).collect();
    if ready.is_empty() || st.total >= cfg.concurrency.global {
        return;
    }
    refresh_targets(db, cfg, st, &ready).await;
    for endpoint in ready {
        if st.total >= cfg.concurrency.global {
            break;
        }
        let Some(target) = st.targets.get(&endpoint).cloned() else {
            // Disabled or deleted: nothing to send to.
            st.due.remove(&endpoint);
            continue;
        };
        let room = st
            .room(cfg, &endpoint)
            .min(st.org_room(cfg, &target.org))
            .min(cfg.concurrency.global.saturating_sub(st.total));
        if room == 0 {
            // This tenant has its share in flight; its other endpoints wait too.
            continue;
        }
        let claimed = match fml_store::deliveries::claim(db, &endpoint, now, LEASE_MS, room as i64).await {
            Ok(c) => c,
            Err(e) => {
                // Try this endpoint again in a second rather than at once, round after round.
                tracing::warn!(error = %e, "claiming deliveries failed");
                st.due.insert(endpoint.clone(), now.millis() + 1_000);
                continue;
            }
        };
        if claimed.len() < room {
            st.due.remove(&endpoint);
        }
        *st.inflight.entry(endpoint.clone()).or_insert(0) += claimed.len();
        *st.inflight_by_org.entry(target.org.clone()).or_insert(0) += claimed.len();
        st.total += claimed.len();
        for (delivery, payload, emitted_at) in claimed {
            let (cfg, client, target, endpoint) = (cfg.clone(), client.clone(), target.clone(), endpoint.clone());
            let (msg_tx, rec_tx) = (msg_tx.clone(), rec_tx.clone());
            tokio::spawn(async move {
                let recorded = attempt(&cfg, &client, &target, &delivery, payload, emitted_at).await;
                let unhealthy = unhealthy_after(u16::try_from(recorded.http_status).unwrap_or(0), recorded.duration_ms);
                let _ = rec_tx.send((endpoint.clone(), recorded));
                let _ = msg_tx.send(Msg::SlotFreed { endpoint, org: target.org.clone(), unhealthy });
            });
        }
    }
}

/// Loads (or refreshes) the URL and decrypted secret of the endpoints about to be served.
async fn refresh_targets(db: &Db, cfg: &EngineConfig, st: &mut State, ready: &[Arc<str>]) {
    let ids: Vec<&str> = ready.iter().map(|e| e.as_ref()).collect();
    let rows = match fml_store::endpoints::by_ids(db, &ids).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "loading endpoints failed");
            return;
        }
    };
    for id in ready {
        st.targets.remove(id.as_ref());
    }
    for ep in rows {
        if !ep.enabled || ep.deleted_at.is_some() {
            continue;
        }
        let key: Arc<str> = ep.id.as_str().into();
        let cached = st.targets.get(&key).filter(|t| t.updated_at == ep.updated_at).cloned();
        let target = match cached {
            Some(t) => t,
            None => {
                let url = WebhookUrl::parse(&ep.url, cfg.allow_private).map_err(|e| e.to_string());
                let ctx = fml_store::endpoints::seal_context(&ep.id);
                let Ok(secret) = cfg.master_key.open(&ctx, &ep.secret_sealed) else {
                    tracing::error!(endpoint = %ep.id, "an endpoint secret cannot be decrypted with this master key");
                    continue;
                };
                Arc::new(Target {
                    org: ep.org_id.as_str().into(),
                    url,
                    secret: String::from_utf8_lossy(&secret).into_owned(),
                    updated_at: ep.updated_at,
                })
            }
        };
        st.targets.insert(key, target);
    }
}

/// One attempt and the delivery's next state.
async fn attempt(
    cfg: &EngineConfig,
    client: &reqwest::Client,
    t: &Target,
    d: &Claimed,
    payload: String,
    emitted_at: Timestamp,
) -> Recorded {
    let started_at = Timestamp::now().millis();
    // The claim counted this attempt.
    let number = u32::try_from(d.attempt_count).unwrap_or(0);
    // The body's `timestamp` is the emission time, which the outbox row keeps too.
    let timestamp = emitted_at.to_iso();
    let body = Bytes::from(payload);
    let sig = signature(&t.secret, &body);
    let env = Envelope {
        event: &d.event_type,
        event_id: &d.event_id,
        timestamp: &timestamp,
        delivery_id: d.id,
        attempt: number,
        signature: &sig,
    };
    let outcome = match &t.url {
        Ok(url) => send(client, url, cfg.allow_private, &env, body).await,
        Err(reason) => {
            AttemptOutcome { http_status: 0, duration_ms: 0, error: Some(reason.clone()), response_body: None }
        }
    };
    next_state(&cfg.schedule, d, number, started_at, outcome)
}

/// The pure rule: what a delivery becomes after an attempt.
pub fn next_state(schedule: &Schedule, d: &Claimed, number: u32, started_at: i64, o: AttemptOutcome) -> Recorded {
    let now = Timestamp::now().millis();
    let (status, auto_failures, next) = if o.delivered() {
        ("delivered", d.auto_failures, None)
    } else if d.manual {
        ("failed", d.auto_failures, None)
    } else {
        let failures = d.auto_failures + 1;
        match schedule.delay_after(u32::try_from(failures).unwrap_or(u32::MAX)) {
            Some(delay) => ("pending", failures, Some(now + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX))),
            None => ("failed", failures, None),
        }
    };
    Recorded {
        delivery_id: d.id,
        attempt: i32::try_from(number).unwrap_or(i32::MAX),
        manual: d.manual,
        started_at,
        http_status: i32::from(o.http_status),
        duration_ms: o.duration_ms,
        error: o.error,
        response_body: o.response_body,
        status,
        auto_failures,
        next_attempt_at: next,
    }
}

/// Records outcomes in batches; reports scheduled retries back to the main loop.
async fn recorder(db: Db, mut rx: mpsc::UnboundedReceiver<(Arc<str>, Recorded)>, msg_tx: mpsc::UnboundedSender<Msg>) {
    let mut batch: Vec<(Arc<str>, Recorded)> = Vec::new();
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < 512 {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        let rows: Vec<Recorded> = batch.iter().map(|(_, r)| r.clone()).collect();
        let mut delay = Duration::from_millis(50);
        // An attempt that is not recorded would be sent again when its lease ends; keep
        // trying for a while before leaving it to that. After a failed try the rows go one by
        // one, so a row the database refuses costs only itself, not its whole batch.
        let mut recorded = false;
        for _ in 0..20 {
            match fml_store::deliveries::record(&db, &rows, Timestamp::now()).await {
                Ok(()) => {
                    recorded = true;
                    break;
                }
                Err(e) if rows.len() > 1 => {
                    tracing::warn!(error = %e, size = rows.len(), "recording a batch of attempts failed; one by one");
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "recording an attempt failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(2));
                }
            }
        }
        if !recorded && rows.len() > 1 {
            for row in &rows {
                if let Err(e) = fml_store::deliveries::record(&db, std::slice::from_ref(row), Timestamp::now()).await {
                    tracing::error!(error = %e, delivery = row.delivery_id, "an attempt could not be recorded");
                }
            }
        }
        for (endpoint, r) in batch.drain(..) {
            if let Some(at) = r.next_attempt_at {
                let _ = msg_tx.send(Msg::Due(endpoint, at));
            }
        }
    }
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
