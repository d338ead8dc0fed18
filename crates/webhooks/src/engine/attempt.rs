//! One delivery attempt, signed and sent, and the pure rule for what the delivery becomes
//! after it: kept apart from the loop so the retry rule can be read (and tested) on its own.

use bytes::Bytes;
use fml_domain::Timestamp;
use fml_store::deliveries::{Claimed, Recorded};

use super::{EngineConfig, Target};
use crate::client::{AttemptOutcome, Envelope, send};
use crate::schedule::Schedule;
use crate::sign::headers;

/// One attempt and the delivery's next state.
pub(super) async fn attempt(
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
    let signing = headers(t.scheme, &t.keys, Timestamp::now().millis(), &d.event_id, &body);
    let env = Envelope {
        event: &d.event_type,
        event_id: &d.event_id,
        timestamp: &timestamp,
        delivery_id: d.id,
        attempt: number,
        signing: &signing,
    };
    let outcome = match &t.url {
        Ok(url) => send(client, url, cfg.allow_private, &env, body).await,
        Err(reason) => AttemptOutcome {
            http_status: 0,
            duration_ms: 0,
            error: Some(reason.clone()),
            response_body: None,
            response_truncated: false,
        },
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
        response_truncated: o.response_truncated,
        status,
        auto_failures,
        next_attempt_at: next,
    }
}
