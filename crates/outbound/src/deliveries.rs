//! Webhook deliveries: a manual redelivery, from the Public API or the console.

use fml_domain::{OrgId, Timestamp};
use fml_store::deliveries::DeliveryRow;
use fml_store::unit::UnitOfWork;
use serde_json::json;

use fml_app::CommandError;
use fml_app::principal::Operator;

/// Queues delivery `id` of `org` for an immediate attempt with its original payload (the
/// attempt counter continues) and wakes the engine for its endpoint after commit.
async fn redeliver_in(
    unit: &mut UnitOfWork,
    org: &OrgId,
    id: i64,
    by: Operator<'_>,
) -> Result<DeliveryRow, CommandError> {
    let now = Timestamp::now();
    let Some(d) = fml_store::deliveries::redeliver(unit.conn(), org, id, now).await? else {
        return Err(match fml_store::deliveries::get_in(unit.conn(), org, id).await? {
            Some((d, ..)) if d.test => CommandError::Conflict(
                "test_delivery",
                "a test ping is sent once and never again: send a new ping or press Test".into(),
            ),
            _ => CommandError::NotFound("no such delivery"),
        });
    };
    if let Some(endpoint) = &d.endpoint_id {
        unit.wake_endpoint(endpoint);
    }
    by.record(unit, org, "delivery.redeliver", json!({"deliveryId": id, "eventId": d.event_id}), now).await?;
    Ok(d)
}

/// Queues delivery `id` of `org` for an immediate attempt (see [`redeliver_in`]).
pub async fn redeliver(
    ctx: &fml_app::Ctx,
    org: &OrgId,
    id: i64,
    by: Operator<'_>,
) -> Result<DeliveryRow, CommandError> {
    let mut unit = ctx.unit().await?;
    let d = redeliver_in(&mut unit, org, id, by).await?;
    unit.commit().await?;
    Ok(d)
}

/// [`redeliver`] under an `Idempotency-Key`.
pub async fn redeliver_keyed(
    ctx: &fml_app::Ctx,
    org: &OrgId,
    id: i64,
    by: Operator<'_>,
    key: fml_app::idempotency::Key<'_, DeliveryRow>,
) -> Result<fml_app::idempotency::Keyed, CommandError> {
    fml_app::idempotency::run(ctx, key, async |unit: &mut UnitOfWork| redeliver_in(unit, org, id, by).await).await
}
