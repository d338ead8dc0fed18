//! The event outbox: every case change writes its events here, in the same transaction as the
//! change. The webhook engine reads from it.

use fml_domain::OrgId;
use fml_domain::events::OutboxEvent;

use crate::db::{Arg, Conn, values_clause};
use crate::{Db, StoreError, fetch_all, fetch_all_args};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub event_id: String,
    pub org_id: String,
    pub event_type: String,
    pub case_id: Option<String>,
    pub payload: String,
    pub created_at: i64,
}

/// Writes events to the outbox and, in the same transaction, one pending delivery for each
/// enabled endpoint of the tenant subscribed to the event's type. Returns the endpoints that
/// got deliveries (each once): after commit the caller tells the engine they are due now, so
/// it claims them without looking for them first. Other nodes hear the same via `NOTIFY`.
pub async fn insert_many(mut conn: Conn<'_>, events: &[&OutboxEvent]) -> Result<Vec<String>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO events (event_id, org_id, event_type, case_id, payload, created_at, trace_parent) VALUES {} \
         RETURNING id, event_id",
        values_clause(events.len(), 7, 1)
    );
    let mut args = Vec::with_capacity(events.len() * 7);
    for e in events {
        args.extend([
            Arg::Text(e.event_id.to_string()),
            Arg::Text(e.org_id.as_str().to_owned()),
            Arg::Text(e.event_type.to_owned()),
            Arg::OptText(e.case_id.map(|c| c.to_string())),
            Arg::Text(e.payload.clone()),
            Arg::Int(e.created_at.millis()),
            Arg::OptText(e.trace_parent.clone()),
        ]);
    }
    let rows: std::collections::HashMap<String, i64> =
        fetch_all_args!(conn.reborrow(), (i64, String), sql, args)?.into_iter().map(|(id, e)| (e, id)).collect();
    // The deliveries come from the rows just written, given as values, joined only with the
    // tenant's subscribed endpoints: reading them back from `events` let the planner walk
    // every event of the tenant (an index on org_id) for each batch — work that grew with
    // history.
    let sql = format!(
        "INSERT INTO deliveries (org_id, endpoint_id, event_row, event_id, event_type, case_id, status, attempt_count, \
            auto_failures, manual, next_attempt_at, created_at, updated_at) \
         SELECT v.column3, ep.id, v.column1, v.column2, v.column4, v.column5, 'pending', 0, 0, FALSE, \
            v.column6, v.column6, v.column6 \
         FROM (VALUES {}) AS v \
         JOIN webhook_endpoints ep ON ep.org_id = v.column3 AND ep.enabled AND ep.deleted_at IS NULL \
         JOIN endpoint_subscriptions s ON s.endpoint_id = ep.id AND s.event_type = v.column4 \
         ORDER BY v.column1, ep.id \
         RETURNING endpoint_id",
        values_clause(events.len(), 6, 1)
    );
    let mut args = Vec::with_capacity(events.len() * 6);
    for e in events {
        let event_id = e.event_id.to_string();
        let row = *rows.get(&event_id).ok_or_else(|| StoreError::Corrupt(format!("event {event_id} not written")))?;
        args.extend([
            Arg::Int(row),
            Arg::Text(event_id),
            Arg::Text(e.org_id.as_str().to_owned()),
            Arg::Text(e.event_type.to_owned()),
            Arg::OptText(e.case_id.map(|c| c.to_string())),
            Arg::Int(e.created_at.millis()),
        ]);
    }
    let rows: Vec<(String,)> = fetch_all_args!(conn.reborrow(), (String,), sql, args)?;
    let mut endpoints: Vec<String> = rows.into_iter().map(|(e,)| e).collect();
    endpoints.sort_unstable();
    endpoints.dedup();
    if !endpoints.is_empty() {
        crate::deliveries::notify_new_deliveries(conn, &endpoints).await?;
    }
    Ok(endpoints)
}

/// A tenant's events, oldest first.
pub async fn list(db: &Db, org: &OrgId) -> Result<Vec<EventRow>, StoreError> {
    let mut c = db.reader().await?;
    Ok(fetch_all!(
        c.conn(),
        EventRow,
        "SELECT id, event_id, org_id, event_type, case_id, payload, created_at FROM events WHERE org_id = $1 ORDER BY id",
        org.as_str()
    )?)
}

/// The payloads of every event a case emitted, newest first (its activity timeline).
pub async fn for_case_in(
    conn: Conn<'_>,
    org: &OrgId,
    case_id: fml_domain::CaseId,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = fetch_all!(
        conn,
        (String,),
        "SELECT payload FROM events WHERE case_id = $2 AND org_id = $1 ORDER BY id DESC LIMIT $3",
        org.as_str(),
        case_id.to_string(),
        limit
    )?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}
