//! Signing. Two schemes, chosen per endpoint:
//! - **`fml-v1`** (the guide's): `X-FML-Signature: sha256=<hex HMAC-SHA256 of the raw body>`,
//!   keyed with the secret's UTF-8 bytes.
//! - **`standard-webhooks`** ([standardwebhooks.com](https://www.standardwebhooks.com/)):
//!   `webhook-id`, `webhook-timestamp` (the attempt's time, Unix seconds) and
//!   `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the
//!   base64-decoded part of a `whsec_…` secret; the reference libraries verify it.
//!
//! During a rotation's grace period both the new and the previous secret sign each attempt:
//! `X-FML-Signature: sha256=<new>, sha256=<previous>` and `webhook-signature: v1,<new>
//! v1,<previous>` (the Standard Webhooks list), so a receiver holding either secret verifies.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How an endpoint's deliveries are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheme {
    #[default]
    FmlV1,
    StandardWebhooks,
}

impl Scheme {
    pub const ALL: [&'static str; 2] = ["fml-v1", "standard-webhooks"];

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "fml-v1" => Some(Scheme::FmlV1),
            "standard-webhooks" => Some(Scheme::StandardWebhooks),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::FmlV1 => "fml-v1",
            Scheme::StandardWebhooks => "standard-webhooks",
        }
    }

    /// A new secret of this scheme's form, from the OS CSPRNG: 64 hex characters, or
    /// `whsec_` and 32 bytes in base64.
    pub fn generate_secret(self) -> String {
        let mut bytes = [0u8; 32];
        fml_domain::secret::fill_random(&mut bytes);
        match self {
            Scheme::FmlV1 => hex::encode(bytes),
            Scheme::StandardWebhooks => format!("{WHSEC}{}", STANDARD.encode(bytes)),
        }
    }

    /// Why `secret` cannot be this scheme's, if it cannot: a Standard Webhooks secret is
    /// `whsec_` and base64 of 24 to 64 bytes (what the reference libraries accept).
    pub fn refuses(self, secret: &str) -> Option<&'static str> {
        match self {
            Scheme::FmlV1 => None,
            Scheme::StandardWebhooks => match secret.strip_prefix(WHSEC).map(|b| STANDARD.decode(b)) {
                Some(Ok(key)) if (24..=64).contains(&key.len()) => None,
                _ => Some("a standard-webhooks secret is whsec_ followed by base64 of 24 to 64 bytes"),
            },
        }
    }
}

const WHSEC: &str = "whsec_";

/// The secrets an attempt is signed with: the endpoint's, and during a rotation's grace
/// period the previous one.
#[derive(Debug, Clone)]
pub struct Keys {
    pub current: String,
    /// The previous secret and until when (Unix milliseconds) it still signs.
    pub previous: Option<(String, i64)>,
}

impl Keys {
    pub fn one(secret: impl Into<String>) -> Self {
        Self { current: secret.into(), previous: None }
    }

    /// The secrets that sign at `now_ms`, newest first.
    fn at(&self, now_ms: i64) -> impl Iterator<Item = &str> {
        let previous = self.previous.as_ref().filter(|(_, until)| now_ms < *until).map(|(s, _)| s.as_str());
        std::iter::once(self.current.as_str()).chain(previous)
    }
}

/// The signature headers of one attempt at `now_ms` of event `event_id`.
pub fn headers(scheme: Scheme, keys: &Keys, now_ms: i64, event_id: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    match scheme {
        Scheme::FmlV1 => {
            let all: Vec<String> = keys.at(now_ms).map(|k| signature(k, body)).collect();
            vec![("x-fml-signature", all.join(", "))]
        }
        Scheme::StandardWebhooks => {
            let ts = (now_ms / 1000).to_string();
            let all: Vec<String> = keys.at(now_ms).map(|k| standard_signature(k, event_id, &ts, body)).collect();
            vec![("webhook-id", event_id.to_owned()), ("webhook-timestamp", ts), ("webhook-signature", all.join(" "))]
        }
    }
}

/// The `X-FML-Signature` value for `body`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(hmac(secret.as_bytes(), &[body])))
}

/// One `webhook-signature` entry: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
fn standard_signature(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> String {
    // A secret checked by `refuses` always decodes; anything else keys with its bytes.
    let key = secret.strip_prefix(WHSEC).and_then(|b| STANDARD.decode(b).ok()).unwrap_or_else(|| secret.into());
    let mac = hmac(&key, &[id.as_bytes(), b".", timestamp.as_bytes(), b".", body]);
    format!("v1,{}", STANDARD.encode(mac))
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

/// A new `fml-v1` endpoint secret: 64 hex characters from the OS CSPRNG.
pub fn generate_secret() -> String {
    Scheme::FmlV1.generate_secret()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_known_hmac() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn matches_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sig = standard_signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", br#"{"test": 2432232314}"#);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_rotation_signs_with_both_secrets_until_its_grace_ends() {
        let keys = Keys { current: "new-secret".into(), previous: Some(("old-secret".into(), 2_000)) };
        let during = headers(Scheme::FmlV1, &keys, 1_999, "e", b"{}");
        assert_eq!(during[0].1, format!("{}, {}", signature("new-secret", b"{}"), signature("old-secret", b"{}")));
        let after = headers(Scheme::FmlV1, &keys, 2_000, "e", b"{}");
        assert_eq!(after[0].1, signature("new-secret", b"{}"));
        let sw = Keys { current: Scheme::StandardWebhooks.generate_secret(), previous: keys.previous.clone() };
        let h = headers(Scheme::StandardWebhooks, &sw, 1_500, "evt", b"{}");
        assert_eq!((h[0].1.as_str(), h[1].1.as_str()), ("evt", "1"));
        assert_eq!(h[2].1.split(' ').count(), 2);
        assert!(h[2].1.split(' ').all(|s| s.starts_with("v1,")));
    }

    #[test]
    fn secrets_have_their_schemes_form() {
        let a = generate_secret();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, generate_secret());
        let sw = Scheme::StandardWebhooks.generate_secret();
        assert_eq!(Scheme::StandardWebhooks.refuses(&sw), None);
        for bad in ["whsec_", "whsec_!!!", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2hvcnQ="] {
            assert!(Scheme::StandardWebhooks.refuses(bad).is_some(), "{bad}");
        }
        assert_eq!(Scheme::FmlV1.refuses("anything-16-chars-long"), None);
        assert_eq!(Scheme::ALL.map(|s| Scheme::parse(s).unwrap().as_str()), Scheme::ALL);
    }
}
