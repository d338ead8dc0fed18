//! `Idempotency-Key` for the mutating routes that do not go through the case writer: claim
//! the key, run the handler, store a 2xx result (sealed when it carries a secret), release
//! the key on failure.

use std::future::Future;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fml_domain::idempotency::{Verdict, fingerprint, judge};
use fml_domain::{IdempotencyKey, Timestamp};
use fml_store::idempotency::Claim;
use serde_json::Value;

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;

const SEALED: &str = "sealed:";
const SEAL_CONTEXT: &[u8] = b"fml/idempotency_keys/response";

/// Whether a stored response may be kept readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Plain,
    /// The response carries a secret: keep it sealed under the master key.
    Sealed,
}

/// Runs `handler` at most once per key; a repeated key gets the stored response.
pub async fn run<F, Fut>(
    st: &AppState,
    auth: &Auth,
    key: Option<IdempotencyKey>,
    route: String,
    body: &Value,
    storage: Storage,
    handler: F,
) -> Result<Response, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(StatusCode, String), ApiError>>,
{
    let Some(key) = key else {
        let (status, text) = handler().await?;
        return Ok(json(status, text, None));
    };
    let claim = Claim { org: auth.org.clone(), key, fingerprint: fingerprint(&route, body), route };
    if let Some(existing) = fml_store::idempotency::claim(&st.db, &claim, Timestamp::now()).await? {
        return match judge(existing, &claim.route, &claim.fingerprint) {
            Verdict::Replay(stored) => {
                let status = StatusCode::from_u16(stored.status).map_err(|e| ApiError::Internal(e.to_string()))?;
                Ok(json(status, unseal(st, &stored.body)?, Some("true")))
            }
            other => verdict_response(other),
        };
    }
    match handler().await {
        Ok((status, text)) => {
            let stored = match storage {
                Storage::Plain => text.clone(),
                Storage::Sealed => {
                    format!("{SEALED}{}", STANDARD.encode(st.config.master_key.seal(SEAL_CONTEXT, text.as_bytes())))
                }
            };
            let mut tx = st.db.begin().await?;
            fml_store::idempotency::complete_many(
                tx.conn(),
                &[(&claim.org, &claim.key, status.as_u16(), stored.as_str())],
            )
            .await?;
            tx.commit().await?;
            Ok(json(status, text, None))
        }
        Err(e) => {
            fml_store::idempotency::release(&st.db, &claim.org, &claim.key).await?;
            Err(e)
        }
    }
}

fn unseal(st: &AppState, stored: &str) -> Result<String, ApiError> {
    let Some(b64) = stored.strip_prefix(SEALED) else { return Ok(stored.to_owned()) };
    let sealed = STANDARD.decode(b64).map_err(|e| ApiError::Internal(e.to_string()))?;
    let plain = st.config.master_key.open(SEAL_CONTEXT, &sealed).map_err(|e| ApiError::Internal(e.to_string()))?;
    String::from_utf8(plain).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The answer to a request whose key was already taken.
pub fn verdict_response(v: Verdict) -> Result<Response, ApiError> {
    match v {
        Verdict::Replay(stored) => {
            let status = StatusCode::from_u16(stored.status).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(json(status, stored.body, Some("true")))
        }
        Verdict::OtherRoute => Err(ApiError::Conflict(
            "idempotency_key_conflict",
            "this Idempotency-Key was already used on a different endpoint".into(),
        )),
        Verdict::OtherRequest => Err(ApiError::IdempotencyReused),
        Verdict::InProgress => Err(ApiError::IdempotencyInProgress),
    }
}

/// A JSON response from already-serialised bytes, optionally marked as a replay.
pub fn json(status: StatusCode, body: String, replay: Option<&'static str>) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(r) = replay {
        res.headers_mut().insert("idempotent-replay", HeaderValue::from_static(r));
    }
    res
}
