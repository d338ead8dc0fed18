//! Didit identity verification: sessions are created with `POST {base}/v3/session/`
//! (`x-api-key`; `workflow_id`, `vendor_data`, `callback`, `contact_details`), answered with
//! the session's `session_id` and `url`; results arrive on `POST /callbacks/didit/{orgId}`,
//! signed with the webhook secret: `X-Signature` is hex HMAC-SHA256 of the raw body, and
//! `X-Timestamp` (Unix seconds) must be within five minutes.

use std::time::Duration;

use fml_app::idv::{IdvProvider, Session, SessionRequest};
use fml_app::screening::BoxFuture;
use fml_domain::events::IdvOutcome;
use serde_json::{Value, json};

pub const DEFAULT_URL: &str = "https://verification.didit.me";
/// A callback's timestamp may be this far from now.
pub const TOLERANCE_SECS: i64 = 300;

/// Debug leaves the secrets out.
#[derive(Clone)]
pub struct Settings {
    pub base_url: String,
    pub api_key: String,
    pub webhook_secret: String,
    pub workflow_id: String,
    /// Where Didit sends the person when they finish (the tenant's page); none by default.
    pub redirect_url: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("base_url", &self.base_url)
            .field("workflow_id", &self.workflow_id)
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
pub struct Didit {
    http: reqwest::Client,
    settings: Settings,
}

impl std::fmt::Debug for Didit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Didit").field("base_url", &self.settings.base_url).finish()
    }
}

impl Didit {
    pub fn new(settings: Settings) -> Self {
        Self { http: crate::client(settings.timeout), settings }
    }

    async fn create(&self, req: SessionRequest<'_>) -> Result<Session, String> {
        let mut body = json!({
            "workflow_id": self.settings.workflow_id,
            // Names the check without anything personal: tenant, case and person key.
            "vendor_data": format!("{}:{}:{}", req.org, req.case_id, req.person_key),
            "contact_details": {"email": req.email, "send_notification_emails": false},
        });
        if let Some(url) = &self.settings.redirect_url {
            body["callback"] = json!(url);
        }
        let url = format!("{}/v3/session/", self.settings.base_url.trim_end_matches('/'));
        let resp = self
            .http
            .post(url)
            .header("x-api-key", &self.settings.api_key)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("Didit did not answer: {e}"))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("Didit refused the session: HTTP {}", status.as_u16()));
        }
        let v: Value = resp.json().await.map_err(|e| format!("Didit's answer is not JSON: {e}"))?;
        let session_id = v.get("session_id").and_then(Value::as_str).filter(|s| !s.is_empty());
        let link =
            v.get("url").and_then(Value::as_str).filter(|s| s.starts_with("https://") || s.starts_with("http://"));
        match (session_id, link) {
            (Some(id), Some(link)) => {
                Ok(Session { url: link.to_owned(), session_id: Some(id.to_owned()), token_hash: None })
            }
            _ => Err("Didit's answer has no session_id or url".to_owned()),
        }
    }

    /// Whether a callback is Didit's: a fresh timestamp and the body's HMAC.
    pub fn verify(&self, body: &[u8], signature: Option<&str>, timestamp: Option<&str>, now_secs: i64) -> bool {
        verify(&self.settings.webhook_secret, body, signature, timestamp, now_secs)
    }
}

impl IdvProvider for Didit {
    fn vendor(&self) -> &'static str {
        fml_store::idv::VENDOR_DIDIT
    }

    fn start<'a>(&'a self, req: SessionRequest<'a>) -> BoxFuture<'a, Result<Session, String>> {
        Box::pin(self.create(req))
    }
}

/// Checks `X-Signature` (hex HMAC-SHA256 of the raw body under the webhook secret — our own
/// webhook signature without its `sha256=` prefix — compared in constant time) and
/// `X-Timestamp` (within [`TOLERANCE_SECS`]).
pub fn verify(secret: &str, body: &[u8], signature: Option<&str>, timestamp: Option<&str>, now_secs: i64) -> bool {
    let fresh = timestamp.and_then(|t| t.trim().parse::<i64>().ok()).is_some_and(|t| fresh(t, now_secs));
    let Some(given) = signature.map(|s| s.trim().to_ascii_lowercase()) else { return false };
    fresh && fml_domain::secret::constant_time_eq(given.as_bytes(), sign(secret, body).as_bytes())
}

/// Whether `timestamp` (Unix seconds) is within [`TOLERANCE_SECS`] of `now_secs`.
pub fn fresh(timestamp: i64, now_secs: i64) -> bool {
    now_secs.abs_diff(timestamp) <= TOLERANCE_SECS.unsigned_abs()
}

/// The hex signature Didit sends for `body` (for tests and the stand-in).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let signed = fml_webhooks::sign::signature(secret, body);
    signed.strip_prefix("sha256=").unwrap_or(&signed).to_owned()
}

/// Didit's session statuses as outcomes: `Approved` passes, `Declined` fails, `In Review`
/// goes to an analyst, and so does a session that ended without a result (`Expired`,
/// `Abandoned`, `Kyc Expired`: someone must follow up). Statuses of a session still running
/// (`Not Started`, `In Progress`, `Resubmitted`, `Awaiting User`) are no result: `None`.
pub fn outcome(status: &str) -> Option<IdvOutcome> {
    match status.trim().to_ascii_lowercase().replace(['_', '-'], " ").as_str() {
        "approved" => Some(IdvOutcome::Pass),
        "declined" => Some(IdvOutcome::Fail),
        "in review" | "expired" | "abandoned" | "kyc expired" => Some(IdvOutcome::ManualReview),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_outcomes() {
        let table: &[(&str, Option<IdvOutcome>)] = &[
            ("Approved", Some(IdvOutcome::Pass)),
            ("Declined", Some(IdvOutcome::Fail)),
            ("In Review", Some(IdvOutcome::ManualReview)),
            ("IN_REVIEW", Some(IdvOutcome::ManualReview)),
            ("Expired", Some(IdvOutcome::ManualReview)),
            ("Abandoned", Some(IdvOutcome::ManualReview)),
            ("Kyc Expired", Some(IdvOutcome::ManualReview)),
            ("Not Started", None),
            ("In Progress", None),
            ("Resubmitted", None),
            ("Awaiting User", None),
            ("approved ", Some(IdvOutcome::Pass)),
            ("Approvedd", None),
        ];
        for (raw, want) in table {
            assert_eq!(outcome(raw), *want, "{raw}");
        }
    }

    #[test]
    fn signatures_are_checked_with_their_timestamp() {
        let body = br#"{"session_id":"s1","status":"Approved"}"#;
        let sig = sign("whsec", body);
        let now = 1_800_000_000;
        let ts = now.to_string();
        assert!(verify("whsec", body, Some(&sig), Some(&ts), now));
        assert!(verify("whsec", body, Some(&sig.to_uppercase()), Some(&ts), now), "hex in either case");
        assert!(!verify("other", body, Some(&sig), Some(&ts), now), "another secret");
        assert!(!verify("whsec", br#"{"session_id":"s1","status":"Declined"}"#, Some(&sig), Some(&ts), now));
        assert!(!verify("whsec", body, Some(&sig), Some(&(now - 301).to_string()), now), "too old");
        assert!(!verify("whsec", body, Some(&sig), Some(&(now + 301).to_string()), now), "from the future");
        assert!(!verify("whsec", body, Some(&sig), None, now), "no timestamp");
        assert!(!verify("whsec", body, None, Some(&ts), now), "no signature");
        assert!(!verify("whsec", body, Some("zz"), Some(&ts), now), "not hex");
        assert!(!verify("whsec", body, Some(""), Some(&ts), now));
        assert!(!verify("whsec", body, Some(&sig), Some(&i64::MIN.to_string()), now), "no overflow");
    }
}
