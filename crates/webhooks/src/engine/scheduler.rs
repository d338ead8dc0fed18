//! The engine's main loop: it keeps each endpoint's next due time and in-flight counts, and
//! claims and starts attempts only where every concurrency cap leaves room.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use fml_domain::Timestamp;
use fml_store::Db;
use fml_store::deliveries::Recorded;
use fml_store::wake::DeliveryWake;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::attempt::attempt;
use super::recorder::recorder;
use super::{DEGRADED_SLOTS, EngineConfig, LEASE_MS, Msg, Target, unhealthy_after};
use crate::client::build_client;
use crate::ssrf::WebhookUrl;

struct State {
    due: HashMap<Arc<str>, i64>,
    inflight: HashMap<Arc<str>, usize>,
    inflight_by_org: HashMap<Arc<str>, usize>,
    total: usize,
    last_seen: i64,
    targets: HashMap<Arc<str>, Arc<Target>>,
    /// Endpoints whose last attempt failed or was slow.
    degraded: std::collections::HashSet<Arc<str>>,
    /// Endpoints that asked (`Retry-After`) to be left alone until then (ms).
    paused: HashMap<Arc<str>, i64>,
}

impl State {
    /// When `endpoint`'s work, due at `due`, may go out: not before a pause it asked for.
    fn due_at(&self, endpoint: &Arc<str>, due: i64) -> i64 {
        self.paused.get(endpoint).map_or(due, |until| due.max(*until))
    }

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

pub(super) async fn run(db: Db, cfg: Arc<EngineConfig>, wake: Arc<DeliveryWake>) {
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
        paused: HashMap::new(),
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
        // What finished attempts said comes first (freed slots, a pause an endpoint asked
        // for), whichever of the wake-ups the select below took.
        while let Ok(m) = msg_rx.try_recv() {
            handle(&mut st, m);
        }
        dispatch(&db, &cfg, &client, &mut st, &msg_tx, &rec_tx).await;

        // Sleep until the next due time of an endpoint with room, a wake-up, a finished
        // attempt, or the next rescan.
        let now = Timestamp::now().millis();
        let next_due = st.due.iter().filter(|(e, _)| st.can_send(&cfg, e)).map(|(e, d)| st.due_at(e, *d)).min();
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
        Msg::SlotFreed { endpoint, org, unhealthy, pause_until } => {
            if let Some(until) = pause_until {
                let slot = st.paused.entry(endpoint.clone()).or_insert(until);
                *slot = (*slot).max(until);
            }
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
    st.paused.retain(|_, until| *until > now.millis());
    let ready: Vec<Arc<str>> = st
        .due
        .iter()
        .filter(|(e, due)| st.due_at(e, **due) <= now.millis() && st.can_send(cfg, e))
        .map(|(e, _)| e.clone())
        .collect();
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
            let span = tracing::debug_span!(
                "delivery",
                delivery_id = delivery.id,
                event_id = %delivery.event_id,
                event = %delivery.event_type,
                case_id = delivery.case_id.as_deref().unwrap_or_default(),
                endpoint = %endpoint,
                traceparent = delivery.trace_parent.as_deref().unwrap_or_default()
            );
            tokio::spawn(tracing::Instrument::instrument(
                async move {
                    let (recorded, pause) = attempt(&cfg, &client, &target, &delivery, payload, emitted_at).await;
                    tracing::debug!(http_status = recorded.http_status, duration_ms = recorded.duration_ms, "attempt");
                    let unhealthy =
                        unhealthy_after(u16::try_from(recorded.http_status).unwrap_or(0), recorded.duration_ms);
                    let pause_until = pause.map(|ms| Timestamp::now().millis().saturating_add(ms));
                    let delivered = (200..300).contains(&recorded.http_status);
                    cfg.metrics.attempt(&endpoint, &delivery.event_type, delivered, recorded.duration_ms);
                    let _ = rec_tx.send((endpoint.clone(), recorded));
                    let _ = msg_tx.send(Msg::SlotFreed { endpoint, org: target.org.clone(), unhealthy, pause_until });
                },
                span,
            ));
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
                // A rotation's previous secret signs too until its grace ends (checked at
                // each attempt); one that cannot be opened just stops signing.
                let previous = ep.previous_secret.as_ref().and_then(|(sealed, until)| {
                    let s = cfg.master_key.open(&ctx, sealed).ok()?;
                    Some((String::from_utf8_lossy(&s).into_owned(), *until))
                });
                Arc::new(Target {
                    org: ep.org_id.as_str().into(),
                    url,
                    scheme: crate::sign::Scheme::parse(&ep.signature_scheme).unwrap_or_default(),
                    keys: crate::sign::Keys { current: String::from_utf8_lossy(&secret).into_owned(), previous },
                    updated_at: ep.updated_at,
                })
            }
        };
        st.targets.insert(key, target);
    }
}
