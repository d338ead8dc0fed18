//! `Idempotency-Key` for the mutating routes that do not go through the case writer.
//!
//! - [`write`], for handlers that change state: through `fml_app::idempotency::write`, the
//!   key is claimed, the handler's commands write and the 2xx response is stored in one unit
//!   of work (this module opens no transaction itself), so a crash or a timeout either keeps all of it
//!   (a retry gets the replay) or none of it (a retry runs afresh) — never a change without its
//!   stored answer. A concurrent duplicate waits for the first to commit and gets its replay.
//! - [`call`], for handlers that only talk to the outside world (a test ping): no transaction
//!   is held across the network; the claim stops a concurrent duplicate, and the key is
//!   released on failure.
//!
//! Stored responses that carry a secret are sealed under the master key.

use std::future::Future;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use fml_app::idempotency::Keyed;
use fml_domain::IdempotencyKey;
use fml_domain::idempotency::{ExistingKey, Verdict, fingerprint, judge};
use fml_store::idempotency::{Claim, open_response};
use fml_store::unit::UnitOfWork;
use serde_json::Value;

use fml_web::error::ApiError;
use fml_web::extract::Auth;
use fml_web::state::AppState;

/// Whether a stored response may be kept readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Plain,
    /// The response carries a secret: keep it sealed under the master key.
    Sealed,
}

/// Runs a state-changing `handler` in one unit of work with the key's claim and its stored
/// response: the handler's writes, the events and wake-ups it queues on the unit, the claim
/// and the stored answer commit together (and the engine is woken only after). A replay runs
/// nothing.
pub async fn write<F>(
    st: &AppState,
    auth: &Auth,
    key: Option<IdempotencyKey>,
    route: String,
    body: &Value,
    storage: Storage,
    handler: F,
) -> Result<Response, ApiError>
where
    F: AsyncFnOnce(&mut UnitOfWork) -> Result<(StatusCode, String), ApiError>,
{
    let claim = claim_of(auth, key, route, body);
    let seal = (storage == Storage::Sealed).then_some(&st.config.master_key);
    let command = async |unit: &mut UnitOfWork| handler(unit).await.map(|(s, b)| (s.as_u16(), b));
    match fml_app::idempotency::write(&st.ctx, claim.as_ref(), seal, command).await? {
        Keyed::Ran { status, body } => {
            let status = StatusCode::from_u16(status).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(json(status, body, None))
        }
        Keyed::Taken(existing) => match &claim {
            Some(claim) => replay_or_refuse(st, existing, claim),
            None => Err(ApiError::Internal("a key was taken without a claim".into())),
        },
        Keyed::Vanished => Err(ApiError::IdempotencyInProgress),
    }
}

/// The claim a keyed request makes; `None` without a key.
fn claim_of(auth: &Auth, key: Option<IdempotencyKey>, route: String, body: &Value) -> Option<Claim> {
    key.map(|key| Claim { org: auth.org.clone(), key, fingerprint: fingerprint(&route, body), route })
}

fn replay_or_refuse(st: &AppState, existing: ExistingKey, claim: &Claim) -> Result<Response, ApiError> {
    match judge(existing, &claim.route, &claim.fingerprint) {
        Verdict::Replay(stored) => {
            let status = StatusCode::from_u16(stored.status).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(json(status, unseal(st, &stored.body)?, Some("true")))
        }
        other => verdict_response(other),
    }
}

fn stored_form(st: &AppState, storage: Storage, text: &str) -> String {
    fml_app::idempotency::stored_form((storage == Storage::Sealed).then_some(&st.config.master_key), text)
}

/// Runs an outward-facing `handler` that changes no state at most once at a time per key; a
/// repeated key gets the stored response.
pub async fn call<F, Fut>(
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
    let Some(claim) = claim_of(auth, key, route, body) else {
        let (status, text) = handler().await?;
        return Ok(json(status, text, None));
    };
    if let Some(existing) = fml_app::idempotency::claim(&st.ctx, &claim).await? {
        return replay_or_refuse(st, existing, &claim);
    }
    // If this request is dropped before it stores its answer (the client hung up, the request
    // timed out) or storing fails, the claim is released, so a retry runs at once instead of
    // meeting `409 in progress` for a minute.
    let mut guard = ReleaseOnDrop { ctx: st.ctx.clone(), org: claim.org.clone(), key: Some(claim.key.clone()) };
    let (status, text) = handler().await?;
    let stored = stored_form(st, storage, &text);
    fml_app::idempotency::complete(&st.ctx, &claim, status.as_u16(), &stored).await?;
    guard.key = None;
    Ok(json(status, text, None))
}

/// Releases a claimed key when dropped while still holding it.
struct ReleaseOnDrop {
    ctx: fml_app::Ctx,
    org: fml_domain::OrgId,
    key: Option<IdempotencyKey>,
}

impl Drop for ReleaseOnDrop {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let (ctx, org) = (self.ctx.clone(), self.org.clone());
            // Drop cannot wait: the release runs on its own (it only deletes an unfinished
            // claim, so it is harmless if the key was completed meanwhile).
            tokio::spawn(async move {
                if let Err(e) = fml_app::idempotency::release(&ctx, &org, &key).await {
                    tracing::warn!(error = %e, "releasing an abandoned Idempotency-Key failed");
                }
            });
        }
    }
}

fn unseal(st: &AppState, stored: &str) -> Result<String, ApiError> {
    let plain = open_response(&st.config.master_key, stored).map_err(|e| ApiError::Internal(e.to_string()))?;
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
