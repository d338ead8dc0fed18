//! `Idempotency-Key` for the mutating routes that do not open cases (the opener keys those).
//!
//! - [`key`] and [`answer`], for handlers that change state: the route hands the command a
//!   [`Key`] (the claim, the success status and how its result is rendered) and the command
//!   claims the key, writes, stores the answer and commits in one unit of work (no route holds
//!   a transaction), so a crash or a timeout either keeps all of it (a retry gets the replay)
//!   or none of it (a retry runs afresh) — never a change without its stored answer. A
//!   concurrent duplicate waits for the first to commit and gets its replay.
//! - [`call`], for handlers that only talk to the outside world (a test ping): no transaction
//!   is held across the network; the claim stops a concurrent duplicate, and the key is
//!   released on failure.
//!
//! Stored responses that carry a secret are sealed under the master key.

use std::future::Future;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use fml_app::idempotency::{Claim, Key, Keyed};
use fml_domain::IdempotencyKey;
use fml_domain::idempotency::{ExistingKey, Verdict, fingerprint, judge};
use serde::Serialize;
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

/// The claim a keyed request makes; `None` without a key.
pub fn claim_of(auth: &Auth, key: Option<IdempotencyKey>, route: String, body: &Value) -> Option<Claim> {
    key.map(|key| Claim { org: auth.org.clone(), key, fingerprint: fingerprint(&route, body), route })
}

/// The key a state-changing command takes: `claim`, answered with `status` and `render` of
/// the command's result, stored as `storage` says.
pub fn key<'a, T>(
    st: &'a AppState,
    claim: Option<&'a Claim>,
    storage: Storage,
    status: StatusCode,
    render: &'a (dyn Fn(T) -> String + Sync),
) -> Key<'a, T> {
    let seal = (storage == Storage::Sealed).then_some(&st.config.master_key);
    Key { claim, seal, status: status.as_u16(), render }
}

/// A view as the JSON text of an answer.
pub fn text<T: Serialize>(view: &T) -> String {
    // The views are plain structs of strings, numbers and JSON values: serialising them
    // cannot fail.
    serde_json::to_string(view).unwrap_or_default()
}

/// The response to a keyed command: its answer, the replay of the request that took the key
/// first, or the refusal.
pub fn answer(st: &AppState, claim: Option<&Claim>, keyed: Keyed) -> Result<Response, ApiError> {
    match keyed {
        Keyed::Ran { status, body } => {
            let status = StatusCode::from_u16(status).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(json(status, body, None))
        }
        Keyed::Taken(existing) => match claim {
            Some(claim) => replay_or_refuse(st, existing, claim),
            None => Err(ApiError::Internal("a key was taken without a claim".into())),
        },
        Keyed::Vanished => Err(ApiError::IdempotencyInProgress),
    }
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

/// A handler's JSON answer for [`call`]: its status and text.
pub fn to_json<T: Serialize>(status: StatusCode, v: &T) -> Result<(StatusCode, String), ApiError> {
    serde_json::to_string(v).map(|s| (status, s)).map_err(|e| ApiError::Internal(e.to_string()))
}

/// A keyed `204`: no body, even on a replay (which keeps its `Idempotent-Replay` header).
pub fn no_content(res: Response) -> Response {
    let (parts, _) = res.into_parts();
    let mut out = Response::new(Body::empty());
    *out.status_mut() = StatusCode::NO_CONTENT;
    if let Some(v) = parts.headers.get("idempotent-replay") {
        out.headers_mut().insert("idempotent-replay", v.clone());
    }
    out
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
    Ok(fml_app::idempotency::opened(&st.config.master_key, stored)?)
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
