//! [`Receiver`]: the checks a delivery must pass before its event is handed over.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use sha2::Sha256;

use crate::dedup::{Dedup, MemoryDedup};
use crate::events::Event;

/// The default replay window: the retry schedule's horizon (1 s + 5 s + 30 s + 5 min + 30 min
/// between six attempts of at most 10 s each, about 37 minutes) with room for clocks and
/// queues. A redelivery or a bulk recovery resends the original body, so a receiver that
/// accepts those later widens its window ([`Receiver::window`]) and relies on [`Dedup`].
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(40 * 60);

/// The largest body the extractor reads; events are a few KB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

const WHSEC: &str = "whsec_";

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// Neither `X-FML-Signature` nor the Standard Webhooks headers are present.
    MissingSignature,
    /// No signature matches any accepted secret: a forged or altered request, or the wrong
    /// secret.
    BadSignature,
    /// Signed, but not an event: not JSON, or a field of the wrong type.
    Malformed(String),
    /// The body's `timestamp` is further from now than the window.
    Stale { age_secs: i64 },
    /// This `eventId` was taken already (a retry after a lost answer, or a replay): answer
    /// 2xx and do nothing.
    Duplicate { event_id: String },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingSignature => f.write_str("no X-FML-Signature or webhook-signature header"),
            VerifyError::BadSignature => f.write_str("the signature does not match"),
            VerifyError::Malformed(why) => write!(f, "the body is not a valid event: {why}"),
            VerifyError::Stale { age_secs } => {
                write!(f, "the event's timestamp is {age_secs} s from now, outside the replay window")
            }
            VerifyError::Duplicate { event_id } => write!(f, "event {event_id} was already received"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Verifies one delivery with one secret and no duplicate check (for a receiver that
/// deduplicates itself); see [`Receiver`] for the rest.
pub fn verify(secret: &str, headers: &HeaderMap, raw_body: &[u8]) -> Result<Event, VerifyError> {
    Receiver::new(secret).without_dedup().verify(headers, raw_body)
}

/// What a receiver accepts: its secrets, its replay window and its memory of event ids.
/// Cheap to clone (the store is shared).
#[derive(Clone)]
pub struct Receiver {
    secrets: Vec<String>,
    window: Duration,
    dedup: Option<Arc<dyn Dedup>>,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secrets.
        f.debug_struct("Receiver")
            .field("secrets", &self.secrets.len())
            .field("window", &self.window)
            .field("dedup", &self.dedup.is_some())
            .finish()
    }
}

impl Receiver {
    /// A receiver of one endpoint's deliveries, signed with `secret` (hex for `fml-v1`,
    /// `whsec_…` for `standard-webhooks`), with the default window and an in-memory
    /// duplicate check.
    pub fn new(secret: impl Into<String>) -> Self {
        Self {
            secrets: vec![secret.into()],
            window: DEFAULT_WINDOW,
            dedup: Some(Arc::new(MemoryDedup::new(DEFAULT_WINDOW))),
        }
    }

    /// Accepts `secret` too: for the time you move from one secret to another.
    pub fn also_accept(mut self, secret: impl Into<String>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// The replay window on the body's `timestamp` (the in-memory store keeps ids as long).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        if self.dedup.is_some() {
            self.dedup = Some(Arc::new(MemoryDedup::new(window)));
        }
        self
    }

    /// Uses `store` to remember event ids (yours: a table, Redis).
    pub fn dedup(mut self, store: impl Dedup + 'static) -> Self {
        self.dedup = Some(Arc::new(store));
        self
    }

    /// No duplicate check: every correctly signed, fresh delivery is handed over.
    pub fn without_dedup(mut self) -> Self {
        self.dedup = None;
        self
    }

    /// Checks one delivery now; see the crate's documentation for the order of the checks.
    pub fn verify(&self, headers: &HeaderMap, raw_body: &[u8]) -> Result<Event, VerifyError> {
        self.verify_at(headers, raw_body, SystemTime::now())
    }

    /// [`Receiver::verify`] as if the time were `now`.
    pub fn verify_at(&self, headers: &HeaderMap, raw_body: &[u8], now: SystemTime) -> Result<Event, VerifyError> {
        self.check_signature(headers, raw_body)?;
        let value: serde_json::Value =
            serde_json::from_slice(raw_body).map_err(|e| VerifyError::Malformed(e.to_string()))?;
        let event = Event::from_value(value).map_err(|e| VerifyError::Malformed(e.to_string()))?;
        let at = chrono::DateTime::parse_from_rfc3339(event.timestamp())
            .map_err(|_| VerifyError::Malformed("`timestamp` is not an ISO 8601 time".into()))?;
        let now_ms = now.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        let age_ms = now_ms - at.timestamp_millis();
        if age_ms.unsigned_abs() > self.window.as_millis() as u64 {
            return Err(VerifyError::Stale { age_secs: age_ms / 1000 });
        }
        if event.event_id().is_empty() {
            return Err(VerifyError::Malformed("no `eventId`".into()));
        }
        if let Some(store) = &self.dedup
            && !store.claim(event.event_id(), now)
        {
            return Err(VerifyError::Duplicate { event_id: event.event_id().to_owned() });
        }
        Ok(event)
    }

    fn check_signature(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(sig) = header("x-fml-signature") {
            // Several values during a rotation on our side: any one that matches will do.
            let ok = sig
                .split(',')
                .filter_map(|s| s.trim().strip_prefix("sha256="))
                .filter_map(|h| hex::decode(h).ok())
                .any(|given| self.secrets.iter().any(|k| matches(k.as_bytes(), &[body], &given)));
            return if ok { Ok(()) } else { Err(VerifyError::BadSignature) };
        }
        let (Some(id), Some(ts), Some(sig)) =
            (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"))
        else {
            return Err(VerifyError::MissingSignature);
        };
        let ok =
            sig.split(' ').filter_map(|s| s.strip_prefix("v1,")).filter_map(|b| STANDARD.decode(b).ok()).any(|given| {
                self.secrets.iter().any(|k| {
                    let key = k
                        .strip_prefix(WHSEC)
                        .and_then(|b| STANDARD.decode(b).ok())
                        .unwrap_or_else(|| k.as_bytes().to_vec());
                    matches(&key, &[id.as_bytes(), b".", ts.as_bytes(), b".", body], &given)
                })
            });
        if ok { Ok(()) } else { Err(VerifyError::BadSignature) }
    }
}

/// Whether `given` is the HMAC-SHA256 of `parts` under `key`, compared in constant time.
fn matches(key: &[u8], parts: &[&[u8]], given: &[u8]) -> bool {
    // HMAC takes keys of any length; were one refused, nothing would match.
    let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else { return false };
    for p in parts {
        m.update(p);
    }
    m.verify_slice(given).is_ok()
}
