//! Idempotency keys: what a caller may send, and how a stored key judges a repeated request.

use serde_json::Value;

/// How long a key is remembered.
pub const KEY_TTL_SECS: i64 = 24 * 60 * 60;
/// A claim older than this whose request never finished (its process died) may be taken over.
pub const ABANDONED_CLAIM_SECS: i64 = 60;

/// A caller-supplied `Idempotency-Key`: 1–255 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl TryFrom<&str> for IdempotencyKey {
    type Error = &'static str;
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        if raw.is_empty() || raw.len() > 255 {
            return Err("the Idempotency-Key header must be 1-255 characters");
        }
        if !raw.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err("the Idempotency-Key header must be printable ASCII");
        }
        Ok(Self(raw.to_owned()))
    }
}

impl IdempotencyKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A finished response kept under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

/// A key as found in the store when a request tries to claim it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingKey {
    pub route: String,
    pub fingerprint: String,
    pub response: Option<StoredResponse>,
}

/// What to answer a request whose key was already taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The key was used on another route: 409 `idempotency_key_conflict`.
    OtherRoute,
    /// Same route, different request: 422 `idempotency_key_reused`.
    OtherRequest,
    /// The first request has not finished: 409 `idempotency_request_in_progress`.
    InProgress,
    /// Send the stored response again, byte for byte, with `Idempotent-Replay: true`.
    Replay(StoredResponse),
}

/// Judges a repeated request against the stored key. The route check comes first: a key
/// reused on another endpoint is a conflict whatever the body.
pub fn judge(existing: ExistingKey, route: &str, fingerprint: &str) -> Verdict {
    if existing.route != route {
        Verdict::OtherRoute
    } else if existing.fingerprint != fingerprint {
        Verdict::OtherRequest
    } else {
        match existing.response {
            Some(r) => Verdict::Replay(r),
            None => Verdict::InProgress,
        }
    }
}

/// A fingerprint of a JSON request that ignores key order and whitespace, so a client that
/// re-serialises the same object still matches.
pub fn fingerprint(route: &str, body: &Value) -> String {
    let mut canon = String::with_capacity(256);
    canon.push_str(route);
    canon.push('\n');
    write_canonical(body, &mut canon);
    crate::secret::sha256_hex(canon.as_bytes())
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_syntax() {
        assert!(IdempotencyKey::try_from("zapier-rec_8d2").is_ok());
        assert!(IdempotencyKey::try_from("a").is_ok());
        assert!(IdempotencyKey::try_from("x".repeat(255).as_str()).is_ok());
        assert!(IdempotencyKey::try_from("").is_err());
        assert!(IdempotencyKey::try_from("x".repeat(256).as_str()).is_err());
        assert!(IdempotencyKey::try_from("tab\there").is_err());
        assert!(IdempotencyKey::try_from("café").is_err());
    }

    #[test]
    fn fingerprint_ignores_order_and_whitespace_but_not_values() {
        let a = fingerprint("POST /v1/cases", &json!({"a": 1, "b": {"y": [1, 2], "x": "s"}}));
        let b = fingerprint("POST /v1/cases", &serde_json::from_str(r#"{ "b": {"x":"s","y":[1,2]}, "a":1 }"#).unwrap());
        assert_eq!(a, b);
        assert_ne!(a, fingerprint("POST /v1/cases", &json!({"a": 2, "b": {"y": [1, 2], "x": "s"}})));
        assert_ne!(a, fingerprint("POST /other", &json!({"a": 1, "b": {"y": [1, 2], "x": "s"}})));
        assert_ne!(a, fingerprint("POST /v1/cases", &json!({"a": 1, "b": {"y": [2, 1], "x": "s"}})));
    }

    #[test]
    fn judging() {
        let done = StoredResponse { status: 201, body: "{}".into() };
        let key = |route: &str, fp: &str, r: Option<StoredResponse>| ExistingKey {
            route: route.into(),
            fingerprint: fp.into(),
            response: r,
        };
        assert_eq!(judge(key("r1", "f", Some(done.clone())), "r2", "f"), Verdict::OtherRoute);
        assert_eq!(judge(key("r1", "f", None), "r2", "g"), Verdict::OtherRoute);
        assert_eq!(judge(key("r1", "f", Some(done.clone())), "r1", "g"), Verdict::OtherRequest);
        assert_eq!(judge(key("r1", "f", None), "r1", "f"), Verdict::InProgress);
        assert_eq!(judge(key("r1", "f", Some(done.clone())), "r1", "f"), Verdict::Replay(done));
    }
}
