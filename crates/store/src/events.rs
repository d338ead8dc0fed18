//! The event outbox: every case change writes its events here, in the same transaction as the
//! change. The webhook engine reads from it.

use fml_domain::OrgId;
use fml_domain::events::OutboxEvent;

use crate::db::{Arg, Conn, values_clause};
use crate::{Db, StoreError, execute_args, fetch_all};

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

pub(crate) async fn insert_many(conn: Conn<'_>, events: &[&OutboxEvent]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO events (event_id, org_id, event_type, case_id, payload, created_at) VALUES {}",
        values_clause(events.len(), 6, 1)
    );
    let mut args = Vec::with_capacity(events.len() * 6);
    for e in events {
        args.extend([
            Arg::Text(e.event_id.to_string()),
            Arg::Text(e.org_id.as_str().to_owned()),
            Arg::Text(e.event_type.to_owned()),
            Arg::OptText(e.case_id.map(|c| c.to_string())),
            Arg::Text(e.payload.clone()),
            Arg::Int(e.created_at.millis()),
        ]);
    }
    execute_args!(conn, sql, args)?;
    Ok(())
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
