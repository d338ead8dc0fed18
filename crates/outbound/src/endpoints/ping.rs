//! Test pings: a signed `ping` event sent now, outside the delivery queue, to a URL before it
//! is saved or to a saved endpoint with its stored secret. Each is written first as a test
//! delivery (its id is the `X-FML-Delivery-Id` sent), then its one attempt is recorded; it is
//! never retried. The API and the console show the receiver's answer as it came.

use fml_domain::crypto::MasterKey;
use fml_domain::secret::Secret;
use fml_domain::{OrgId, Timestamp};
use fml_store::Db;
use fml_store::endpoints::{Endpoint, seal_context};
use fml_store::pings::{NewPing, PingAttempt};
use fml_webhooks::WebhookUrl;
use fml_webhooks::client::{Envelope, PING_PREFIX, send};
use fml_webhooks::sign::{Keys, Scheme, headers};

use super::SecretChoice;
use fml_app::CommandError;

/// What the receiver answered. Its `Debug` output never shows a generated secret.
#[derive(Debug)]
pub struct PingOutcome {
    /// The test delivery's id (`X-FML-Delivery-Id`); `None` when nothing was sent (a saved URL
    /// the current rules refuse).
    pub delivery_id: Option<i64>,
    /// HTTP status, or 0 on a network error or timeout.
    pub status: u16,
    /// The first 500 bytes of the response body.
    pub body: Option<String>,
    pub duration_ms: i64,
    pub error: Option<String>,
    /// The generated secret, when none was given.
    pub secret: Option<Secret>,
}

/// Sends pings through the SSRF-guarded client, with the same target rules as deliveries.
#[derive(Debug, Clone)]
pub struct Pinger {
    db: Db,
    client: reqwest::Client,
    allow_private: bool,
    master_key: MasterKey,
}

impl Pinger {
    pub fn new(db: Db, allow_private: bool, master_key: MasterKey) -> Self {
        Self { db, client: fml_webhooks::client::build_client(allow_private), allow_private, master_key }
    }

    /// Whether loopback and private targets are accepted (local development only).
    pub fn allows_private(&self) -> bool {
        self.allow_private
    }

    /// A signed `ping` to `url`, recorded as a test delivery of `endpoint` (none before save).
    async fn ping(
        &self,
        org: &OrgId,
        endpoint: Option<&str>,
        url: &WebhookUrl,
        (scheme, keys): (Scheme, &Keys),
    ) -> Result<PingOutcome, CommandError> {
        let now = Timestamp::now();
        let (event_id, body) = fml_domain::events::ping(org, now);
        let (event_id, timestamp) = (event_id.to_string(), now.to_iso());
        let signing = headers(scheme, keys, now.millis(), &event_id, body.as_bytes());
        let new = NewPing { endpoint_id: endpoint, url: url.as_str(), event_id: &event_id, payload: &body };
        let delivery_id = fml_store::pings::begin(&self.db, org, &new, now).await?;
        let env = Envelope {
            event: "ping",
            event_id: &event_id,
            timestamp: &timestamp,
            delivery_id,
            attempt: 1,
            signing: &signing,
        };
        let started_at = Timestamp::now();
        let o = send(&self.client, url, self.allow_private, &env, body.into()).await;
        let attempt = PingAttempt {
            started_at,
            http_status: o.http_status,
            duration_ms: o.duration_ms,
            error: o.error.clone(),
            response_body: o.response_body.clone(),
            response_truncated: o.response_truncated,
        };
        fml_store::pings::finish(&self.db, delivery_id, &attempt).await?;
        Ok(PingOutcome {
            delivery_id: Some(delivery_id),
            status: o.http_status,
            // The guide shows a ping's answer as its first 500 bytes; the delivery keeps it all.
            body: o.response_body.map(|b| fml_webhooks::client::prefix(&b, PING_PREFIX).to_owned()),
            duration_ms: o.duration_ms,
            error: o.error,
            secret: None,
        })
    }

    /// The pre-save ping: signed with the secret typed, else with a fresh one, which the
    /// outcome then carries (the caller shows it so it can be saved).
    pub async fn ping_unsaved(
        &self,
        org: &OrgId,
        url: &WebhookUrl,
        choice: Option<SecretChoice>,
        scheme: Option<Scheme>,
    ) -> Result<PingOutcome, CommandError> {
        let scheme = scheme.unwrap_or_default();
        let generated = !matches!(choice, Some(SecretChoice::Given(_)));
        let secret = super::secret_of(scheme, choice)?;
        let mut outcome = self.ping(org, None, url, (scheme, &Keys::one(secret.expose()))).await?;
        if generated {
            outcome.secret = Some(secret);
        }
        Ok(outcome)
    }

    /// The saved endpoint's test: a signed `ping` with its stored secret. A URL the current
    /// rules refuse (saved when private targets were allowed) is a failed ping that was never
    /// sent, not an error; `Err` is a secret that cannot be opened or a failed write.
    pub async fn test_saved(&self, org: &OrgId, ep: &Endpoint) -> Result<PingOutcome, CommandError> {
        let url = match WebhookUrl::parse(&ep.url, self.allow_private) {
            Ok(url) => url,
            Err(e) => {
                return Ok(PingOutcome {
                    delivery_id: None,
                    status: 0,
                    body: None,
                    duration_ms: 0,
                    error: Some(e.to_string()),
                    secret: None,
                });
            }
        };
        let open = |sealed: &[u8]| {
            self.master_key
                .open(&seal_context(&ep.id), sealed)
                .map(|s| String::from_utf8_lossy(&s).into_owned())
                .map_err(|e| CommandError::Store(fml_store::StoreError::Corrupt(format!("endpoint secret: {e}"))))
        };
        // Signed as its deliveries are: with the previous secret too during a rotation's grace.
        let previous = ep.previous_secret.as_ref().and_then(|(sealed, until)| Some((open(sealed).ok()?, *until)));
        let keys = Keys { current: open(&ep.secret_sealed)?, previous };
        let scheme = Scheme::parse(&ep.signature_scheme).unwrap_or_default();
        self.ping(org, Some(&ep.id), &url, (scheme, &keys)).await
    }
}
