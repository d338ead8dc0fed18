//! Test pings as deliveries: the pre-save ping and an endpoint's Test are written as a
//! delivery (marked `test`, with the `ping` event it sends) before they go out, so the id
//! sent as `X-FML-Delivery-Id` is a row support can look up, and Recent Deliveries lists them.
//! They are never claimed by the engine nor redelivered: a test row is born finished
//! (`failed`, no attempt) and its single attempt is recorded when the receiver has answered.

use fml_domain::{OrgId, Timestamp};

use crate::{Db, StoreError, execute, fetch_optional};

/// A test ping about to be sent.
#[derive(Debug)]
pub struct NewPing<'a> {
    /// The saved endpoint tested; `None` for the pre-save ping.
    pub endpoint_id: Option<&'a str>,
    pub url: &'a str,
    pub event_id: &'a str,
    /// The exact bytes that are signed and sent.
    pub payload: &'a str,
}

/// Writes the ping's event and its delivery; returns the delivery id.
pub async fn begin(db: &Db, org: &OrgId, ping: &NewPing<'_>, now: Timestamp) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let (event_row,): (i64,) = fetch_optional!(
        tx.conn(),
        (i64,),
        "INSERT INTO events (event_id, org_id, event_type, case_id, payload, created_at) \
         VALUES ($1, $2, 'ping', NULL, $3, $4) RETURNING id",
        ping.event_id,
        org.as_str(),
        ping.payload,
        now.millis()
    )?
    .ok_or_else(|| StoreError::Corrupt("insert returned no row".into()))?;
    let (id,): (i64,) = fetch_optional!(
        tx.conn(),
        (i64,),
        "INSERT INTO deliveries (org_id, endpoint_id, event_row, event_id, event_type, case_id, status, attempt_count, \
            auto_failures, manual, next_attempt_at, created_at, updated_at, test, target_url) \
         VALUES ($1, $2, $3, $4, 'ping', NULL, 'failed', 0, 0, FALSE, NULL, $5, $5, TRUE, $6) RETURNING id",
        org.as_str(),
        ping.endpoint_id,
        event_row,
        ping.event_id,
        now.millis(),
        ping.url
    )?
    .ok_or_else(|| StoreError::Corrupt("insert returned no row".into()))?;
    tx.commit().await?;
    Ok(id)
}

/// What the receiver answered a test ping.
#[derive(Debug)]
pub struct PingAttempt {
    pub started_at: Timestamp,
    /// 0 when there was no response.
    pub http_status: u16,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub response_body: Option<String>,
    pub response_truncated: bool,
}

/// Records the ping's only attempt and its outcome (`delivered` on a 2xx, else `failed`).
pub async fn finish(db: &Db, id: i64, a: &PingAttempt) -> Result<(), StoreError> {
    let status = if (200..300).contains(&a.http_status) { "delivered" } else { "failed" };
    let http = i64::from(a.http_status);
    let mut tx = db.begin().await?;
    execute!(
        tx.conn(),
        "INSERT INTO delivery_attempts (delivery_id, attempt, manual, started_at, http_status, duration_ms, error, \
            response_body, response_truncated) VALUES ($1, 1, FALSE, $2, $3, $4, $5, $6, $7)",
        id,
        a.started_at.millis(),
        http,
        a.duration_ms,
        a.error.as_deref(),
        a.response_body.as_deref(),
        a.response_truncated
    )?;
    execute!(
        tx.conn(),
        "UPDATE deliveries SET status = $2, attempt_count = 1, last_http_status = $3, updated_at = $4 \
         WHERE id = $1 AND test",
        id,
        status,
        http,
        Timestamp::now().millis()
    )?;
    tx.commit().await
}
