//! One delivery attempt, signed and sent, and the pure rule for what the delivery becomes
//! after it: kept apart from the loop so the retry rule can be read (and tested) on its own.

use bytes::Bytes;
use fml_domain::Timestamp;
use fml_store::deliveries::{Claimed, Recorded};

use super::{EngineConfig, Target};
use crate::client::{AttemptOutcome, Envelope, send};
use crate::schedule::Schedule;
use crate::sign::headers;

/// One attempt and the delivery's next state, with how long the endpoint asked to be left
/// alone (`Retry-After` on a 429 or 503, in milliseconds).
pub(super) async fn attempt(
    cfg: &EngineConfig,
    client: &reqwest::Client,
    t: &Target,
    d: &Claimed,
    payload: String,
    emitted_at: Timestamp,
) -> (Recorded, Option<i64>) {
    let started_at = Timestamp::now().millis();
    // The claim counted this attempt.
    let number = u32::try_from(d.attempt_count).unwrap_or(0);
    // The body's `timestamp` is the emission time, which the outbox row keeps too.
    let timestamp = emitted_at.to_iso();
    let body = Bytes::from(payload);
    let mut signing = headers(t.scheme, &t.keys, Timestamp::now().millis(), &d.event_id, &body);
    // With trace export on, the receiver can join the attempt's trace (W3C Trace Context).
    if let Some(parent) = fml_store::trace::current() {
        signing.push(("traceparent", parent));
    }
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
            retry_after_ms: None,
        },
    };
    let pause = outcome.retry_after_ms;
    (next_state(&cfg.schedule, d, number, started_at, outcome), pause)
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
            // A `Retry-After` (429, 503) pushes the retry later, never sooner, and is not an
            // extra attempt: the schedule's count stays.
            Some(delay) => {
                let wait = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX).max(o.retry_after_ms.unwrap_or(0));
                ("pending", failures, Some(now.saturating_add(wait)))
            }
            None => ("failed", failures, None),
        }
    };
    Recorded {
        delivery_id: d.id,
        endpoint_id: d.endpoint_id.clone(),
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn claimed(auto_failures: i32) -> Claimed {
        Claimed {
            id: 1,
            endpoint_id: "e".into(),
            event_row: 1,
            event_id: "ev".into(),
            event_type: "case.created".into(),
            attempt_count: auto_failures + 1,
            auto_failures,
            manual: false,
            case_id: None,
            trace_parent: None,
        }
    }

    fn outcome(status: u16, retry_after_ms: Option<i64>) -> AttemptOutcome {
        AttemptOutcome {
            http_status: status,
            duration_ms: 5,
            error: Some(format!("HTTP {status}")),
            response_body: None,
            response_truncated: false,
            retry_after_ms,
        }
    }

    #[test]
    fn retry_after_pushes_a_retry_later_without_adding_attempts() {
        let schedule = Schedule::new(vec![Duration::from_secs(1), Duration::from_secs(5)]);
        let before = Timestamp::now().millis();
        // Longer than the schedule's step: the retry waits for it.
        let r = next_state(&schedule, &claimed(0), 1, before, outcome(429, Some(60_000)));
        assert_eq!((r.status, r.auto_failures), ("pending", 1));
        assert!(r.next_attempt_at.unwrap() >= before + 60_000);
        // Shorter than the step: the schedule's own delay stands.
        let r = next_state(&schedule, &claimed(0), 1, before, outcome(503, Some(10)));
        let next = r.next_attempt_at.unwrap();
        assert!((before + 1_000..before + 60_000).contains(&next), "{next}");
        // The last retry spent: failed, whatever the endpoint asks.
        let r = next_state(&schedule, &claimed(2), 3, before, outcome(429, Some(60_000)));
        assert_eq!((r.status, r.next_attempt_at), ("failed", None));
    }
}
