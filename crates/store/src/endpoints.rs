//! Webhook endpoints of a tenant and the event types each subscribes to.

use std::collections::HashMap;

use fml_domain::{OrgId, Timestamp};

use crate::db::{Arg, Conn, values_clause};
use crate::{Db, StoreError, execute, execute_args, fetch_all, fetch_all_args};

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    id: String,
    org_id: String,
    url: String,
    label: String,
    secret_sealed: Vec<u8>,
    enabled: bool,
    created_at: i64,
    updated_at: i64,
    deleted_at: Option<i64>,
    signature_scheme: String,
    previous_secret_sealed: Option<Vec<u8>>,
    previous_secret_until: Option<i64>,
    disabled_reason: Option<String>,
    disabled_at: Option<i64>,
}

/// An endpoint as stored, with its subscriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: String,
    pub org_id: String,
    pub url: String,
    pub label: String,
    pub secret_sealed: Vec<u8>,
    pub enabled: bool,
    pub event_types: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    /// `fml-v1` or `standard-webhooks`.
    pub signature_scheme: String,
    /// The secret a rotation replaced (sealed) and until when it still signs.
    pub previous_secret: Option<(Vec<u8>, i64)>,
    /// Its attempts over the last day and week.
    pub health: crate::endpoint_stats::Health,
    /// Why the platform disabled it, and when: [`GONE`] or [`FAILING`] (`None` while enabled,
    /// or when a person disabled it).
    pub disabled: Option<(String, i64)>,
}

/// The receiver answered `410 Gone`.
pub const GONE: &str = "gone";
/// Every attempt failed for the configured period.
pub const FAILING: &str = "failing";

const COLUMNS: &str = "id, org_id, url, label, secret_sealed, enabled, created_at, updated_at, deleted_at, \
    signature_scheme, previous_secret_sealed, previous_secret_until, disabled_reason, disabled_at";

/// The seal context of an endpoint's secret: bound to the endpoint, so a sealed secret copied
/// onto another row does not open.
pub fn seal_context(endpoint_id: &str) -> Vec<u8> {
    format!("fml/webhook_endpoints/secret/{endpoint_id}").into_bytes()
}

/// A new endpoint, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub id: String,
    pub url: String,
    pub label: String,
    pub secret_sealed: Vec<u8>,
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// `fml-v1` or `standard-webhooks`.
    pub signature_scheme: &'static str,
}

/// Inserts an endpoint inside the caller's transaction.
pub async fn create(mut conn: Conn<'_>, org: &OrgId, e: &NewEndpoint, now: Timestamp) -> Result<Endpoint, StoreError> {
    execute!(
        conn.reborrow(),
        "INSERT INTO webhook_endpoints (id, org_id, url, label, secret_sealed, enabled, created_at, updated_at, \
            signature_scheme) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        e.id.as_str(),
        org.as_str(),
        e.url.as_str(),
        e.label.as_str(),
        e.secret_sealed.clone(),
        e.enabled,
        now.millis(),
        e.signature_scheme
    )?;
    set_subscriptions(conn.reborrow(), &e.id, &e.event_types).await?;
    get_in(conn, org, &e.id).await?.ok_or_else(|| StoreError::Corrupt("endpoint vanished after insert".into()))
}

async fn set_subscriptions(mut conn: Conn<'_>, id: &str, types: &[String]) -> Result<(), StoreError> {
    execute!(conn.reborrow(), "DELETE FROM endpoint_subscriptions WHERE endpoint_id = $1", id)?;
    if types.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO endpoint_subscriptions (endpoint_id, event_type) VALUES {}",
        values_clause(types.len(), 2, 1)
    );
    let args: Vec<Arg> = types.iter().flat_map(|t| [Arg::Text(id.to_owned()), Arg::Text(t.clone())]).collect();
    execute_args!(conn, sql, args)?;
    Ok(())
}

async fn with_types(mut conn: Conn<'_>, rows: Vec<Row>) -> Result<Vec<Endpoint>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(sqlx::FromRow)]
    struct Sub {
        endpoint_id: String,
        event_type: String,
    }
    let sql = format!(
        "SELECT endpoint_id, event_type FROM endpoint_subscriptions WHERE endpoint_id IN ({}) ORDER BY event_type",
        (1..=rows.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
    );
    let args: Vec<Arg> = rows.iter().map(|r| Arg::Text(r.id.clone())).collect();
    let subs = fetch_all_args!(conn.reborrow(), Sub, sql, args)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut health = crate::endpoint_stats::health_in(conn, &ids, Timestamp::now()).await?;
    let mut by_endpoint: HashMap<String, Vec<String>> = HashMap::new();
    for s in subs {
        by_endpoint.entry(s.endpoint_id).or_default().push(s.event_type);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let types = by_endpoint.remove(&r.id).unwrap_or_default();
            let health = health.remove(&r.id).unwrap_or_default();
            r.into_endpoint(types, health)
        })
        .collect())
}

impl Row {
    fn into_endpoint(self, event_types: Vec<String>, health: crate::endpoint_stats::Health) -> Endpoint {
        Endpoint {
            event_types,
            health,
            id: self.id,
            org_id: self.org_id,
            url: self.url,
            label: self.label,
            secret_sealed: self.secret_sealed,
            enabled: self.enabled,
            created_at: self.created_at,
            updated_at: self.updated_at,
            deleted_at: self.deleted_at,
            signature_scheme: self.signature_scheme,
            previous_secret: self.previous_secret_sealed.zip(self.previous_secret_until),
            disabled: self.disabled_reason.zip(self.disabled_at),
        }
    }
}

/// A live (not deleted) endpoint of `org`.
pub async fn get(db: &Db, org: &OrgId, id: &str) -> Result<Option<Endpoint>, StoreError> {
    let mut c = db.reader().await?;
    get_in(c.conn(), org, id).await
}

/// [`get`] on a given connection (inside a transaction: it sees the transaction's writes).
pub async fn get_in(mut conn: Conn<'_>, org: &OrgId, id: &str) -> Result<Option<Endpoint>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL");
    let rows = fetch_all!(conn.reborrow(), Row, sqlx::AssertSqlSafe(sql), org.as_str(), id)?;
    Ok(with_types(conn, rows).await?.pop())
}

/// The live endpoints of `org`, oldest first.
pub async fn list(db: &Db, org: &OrgId) -> Result<Vec<Endpoint>, StoreError> {
    let mut c = db.reader().await?;
    list_in(c.conn(), org).await
}

/// [`list`] on a given connection.
pub async fn list_in(mut conn: Conn<'_>, org: &OrgId) -> Result<Vec<Endpoint>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE org_id = $1 AND deleted_at IS NULL ORDER BY created_at, id"
    );
    let rows = fetch_all!(conn.reborrow(), Row, sqlx::AssertSqlSafe(sql), org.as_str())?;
    with_types(conn, rows).await
}

/// The id and label of each live endpoint of `org`, oldest first: what a delivery list names
/// The id and label of each live endpoint of `org` (of endpoint `only`, when given).
pub async fn labels(conn: Conn<'_>, org: &OrgId, only: Option<&str>) -> Result<Vec<(String, String)>, StoreError> {
    Ok(fetch_all!(
        conn,
        (String, String),
        "SELECT id, label FROM webhook_endpoints WHERE org_id = $1 AND ($2 IS NULL OR id = $2) \
         AND deleted_at IS NULL ORDER BY created_at, id",
        org.as_str(),
        only
    )?)
}

/// Endpoints by id, whatever their tenant or state (the delivery engine's view).
pub async fn by_ids(db: &Db, ids: &[&str]) -> Result<Vec<Endpoint>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut c = db.reader().await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE id IN ({})",
        (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
    );
    let args: Vec<Arg> = ids.iter().map(|i| Arg::Text((*i).to_owned())).collect();
    let rows = fetch_all_args!(c.conn(), Row, sql, args)?;
    // The engine needs no subscriptions (deliveries already name their endpoint).
    Ok(rows.into_iter().map(|r| r.into_endpoint(Vec::new(), Default::default())).collect())
}

/// Changes to an endpoint; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub label: Option<String>,
    pub secret_sealed: Option<Vec<u8>>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
    pub signature_scheme: Option<&'static str>,
    /// With a new secret: until when the replaced one still signs (a rotation's grace);
    /// `None` ends it at once. Ignored without a new secret.
    pub previous_until: Option<i64>,
}

/// Applies `p` to a live endpoint inside the caller's transaction; `None` if there is none.
pub async fn update(
    mut conn: Conn<'_>,
    org: &OrgId,
    id: &str,
    p: &EndpointPatch,
    now: Timestamp,
) -> Result<Option<Endpoint>, StoreError> {
    let n = execute!(
        conn.reborrow(),
        // Every right-hand side reads the row as it was, so a rotation keeps the replaced
        // secret as the previous one.
        "UPDATE webhook_endpoints SET url = COALESCE($3, url), label = COALESCE($4, label), \
         previous_secret_sealed = CASE WHEN $5 IS NULL THEN previous_secret_sealed \
                                       WHEN $8 IS NULL THEN NULL ELSE secret_sealed END, \
         previous_secret_until = CASE WHEN $5 IS NULL THEN previous_secret_until ELSE $8 END, \
         secret_sealed = COALESCE($5, secret_sealed), enabled = COALESCE($6, enabled), updated_at = $7, \
         signature_scheme = COALESCE($9, signature_scheme), \
         enabled_at = CASE WHEN $6 AND NOT enabled THEN $7 ELSE enabled_at END, \
         disabled_reason = CASE WHEN $6 IS NULL THEN disabled_reason END, \
         disabled_at = CASE WHEN $6 IS NULL THEN disabled_at END \
         WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL",
        org.as_str(),
        id,
        p.url.clone(),
        p.label.clone(),
        p.secret_sealed.clone(),
        p.enabled,
        now.millis(),
        p.previous_until,
        p.signature_scheme
    )?;
    if n == 0 {
        return Ok(None);
    }
    if let Some(types) = &p.event_types {
        set_subscriptions(conn.reborrow(), id, types).await?;
    }
    if p.enabled == Some(true) {
        // Its queued deliveries go out now, on every node.
        crate::deliveries::notify_other_nodes(conn.reborrow(), Some(id)).await?;
    }
    get_in(conn, org, id).await
}

/// Deletes an endpoint, keeping it (and its deliveries) for the audit trail. Its pending
/// deliveries will never be attempted, so they are marked failed.
/// Deletes an endpoint inside the caller's transaction: its history stays readable, its
/// undelivered deliveries fail. `false` if there was no such live endpoint.
pub async fn delete(mut conn: Conn<'_>, org: &OrgId, id: &str, now: Timestamp) -> Result<bool, StoreError> {
    let n = execute!(
        conn.reborrow(),
        "UPDATE webhook_endpoints SET deleted_at = $3, enabled = FALSE, updated_at = $3 WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL",
        org.as_str(),
        id,
        now.millis()
    )?;
    if n == 0 {
        return Ok(false);
    }
    execute!(
        conn,
        "UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, leased_until = NULL, updated_at = $2 \
         WHERE endpoint_id = $1 AND status = 'pending'",
        id,
        now.millis()
    )?;
    Ok(true)
}

/// Disables an endpoint whose receiver answered `410 Gone` (it says it will take nothing
/// more), with its audit row, in one unit of work. Its queued deliveries wait, as for any
/// disabled endpoint, until someone enables it again. `false` if it was not enabled.
pub async fn disable_gone(db: &Db, id: &str, now: Timestamp) -> Result<bool, StoreError> {
    let mut unit = crate::unit::UnitOfWork::begin(db, &crate::unit::Wakers::default()).await?;
    let org: Option<(String,)> = crate::fetch_optional!(
        unit.conn(),
        (String,),
        "UPDATE webhook_endpoints SET enabled = FALSE, updated_at = $2, disabled_reason = $3, disabled_at = $2 \
         WHERE id = $1 AND enabled AND deleted_at IS NULL RETURNING org_id",
        id,
        now.millis(),
        GONE
    )?;
    let Some((org,)) = org else {
        unit.unchanged();
        unit.commit().await?;
        return Ok(false);
    };
    let org = OrgId::from_trusted(org);
    let entry = crate::audit::Entry {
        org: Some(&org),
        case_id: None,
        actor_kind: crate::audit::ActorKind::System,
        actor: "system",
        action: "endpoint.disable",
        detail: serde_json::json!({"id": id, "reason": "the receiver answered 410 Gone"}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(true)
}

/// An endpoint [`disable_failing_in`] disabled.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Disabled {
    pub org_id: String,
    pub id: String,
    pub label: String,
    pub url: String,
}

/// Disables every enabled endpoint whose attempts have all failed since `since` (to the
/// hour: no hour from `since`'s on had a success, and an hour no later than it had a
/// failure after the last success), which was enabled all that time (one enabled again
/// starts afresh) and was still tried after `tried_after`, inside the
/// caller's transaction. The caller audits each and tells the tenant's admins. Its queue waits
/// for someone to enable it again.
pub async fn disable_failing_in(
    conn: Conn<'_>,
    since: Timestamp,
    tried_after: Timestamp,
    now: Timestamp,
) -> Result<Vec<Disabled>, StoreError> {
    let hour = since.millis() - since.millis().rem_euclid(3_600_000);
    Ok(crate::fetch_all!(
        conn,
        Disabled,
        "WITH per AS ( \
             SELECT endpoint_id, COALESCE(MAX(CASE WHEN successes > 0 THEN hour END), -1) AS last_ok, \
                    MAX(hour) AS last_try \
             FROM endpoint_stats WHERE attempts > 0 GROUP BY endpoint_id), \
         failing AS ( \
             SELECT p.endpoint_id FROM per p JOIN webhook_endpoints ep ON ep.id = p.endpoint_id \
             WHERE p.last_ok < $1 AND p.last_try >= $2 AND COALESCE(ep.enabled_at, ep.created_at) <= $1 \
               AND EXISTS (SELECT 1 FROM endpoint_stats s WHERE s.endpoint_id = p.endpoint_id \
                           AND s.hour > p.last_ok AND s.hour <= $1 AND s.attempts > s.successes)) \
         UPDATE webhook_endpoints SET enabled = FALSE, updated_at = $3, disabled_reason = $4, disabled_at = $3 \
         WHERE enabled AND deleted_at IS NULL AND id IN (SELECT endpoint_id FROM failing) \
         RETURNING org_id, id, label, url",
        hour,
        tried_after.millis() - tried_after.millis().rem_euclid(3_600_000),
        now.millis(),
        FAILING
    )?)
}
