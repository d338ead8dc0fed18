//! Webhook endpoints: creating, changing and deleting them, for the Public API (a client with
//! `webhooks:write`), the console and the CLI alike. Each writes the change and an audit row in
//! one unit of work; the `_keyed` forms (the Public API's) add the request's `Idempotency-Key`
//! and its stored answer to that unit.

use fml_domain::crypto::MasterKey;
use fml_domain::events::schema::subscribable;
use fml_domain::secret::Secret;
use fml_domain::{OrgId, Timestamp};
use fml_store::endpoints::{Endpoint as EndpointRecord, EndpointPatch, NewEndpoint};
use fml_store::unit::UnitOfWork;
use fml_webhooks::sign::Scheme;
use serde_json::json;

use fml_app::idempotency::{Key, Keyed};
use fml_app::{CommandError, Ctx};

mod ping;

pub use fml_store::endpoint_stats::Window as HealthCounts;
pub use fml_webhooks::input::{EndpointFields, EndpointInput, MAX_GRACE_SECS, SecretChoice, validate};
pub use fml_webhooks::sign::Scheme as SignatureScheme;
pub use ping::{PingOutcome, Pinger};

pub use fml_app::principal::Operator;

async fn record(
    unit: &mut UnitOfWork,
    org: &OrgId,
    by: Operator<'_>,
    action: &str,
    detail: serde_json::Value,
    now: Timestamp,
) -> Result<(), CommandError> {
    by.record(unit, org, action, detail, now).await
}

/// Creates an endpoint; returns it with its secret (shown this once).
async fn create_in(
    unit: &mut UnitOfWork,
    key: &MasterKey,
    org: &OrgId,
    input: EndpointInput,
    by: Operator<'_>,
) -> Result<(EndpointRecord, Secret), CommandError> {
    let now = Timestamp::now();
    let url = input.url.ok_or_else(|| CommandError::field("url", "is required"))?;
    if input.grace_secs.is_some() {
        return Err(CommandError::field("rotationGraceSeconds", "applies to a rotation only"));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let scheme = input.scheme.unwrap_or_default();
    let secret = secret_of(scheme, input.secret)?;
    let label =
        input.label.filter(|l| !l.is_empty()).unwrap_or_else(|| url.url().host_str().unwrap_or_default().to_owned());
    let new = NewEndpoint {
        secret_sealed: key.seal(&fml_store::endpoints::seal_context(&id), secret.expose().as_bytes()),
        id,
        url: url.as_str().to_owned(),
        label,
        event_types: input.event_types.unwrap_or_else(|| subscribable().map(str::to_owned).collect()),
        enabled: input.enabled.unwrap_or(true),
        signature_scheme: scheme.as_str(),
    };
    let ep = fml_store::endpoints::create(unit.conn(), org, &new, now).await?;
    record(unit, org, by, "endpoint.create", json!({"id": ep.id, "url": ep.url}), now).await?;
    Ok((ep, secret))
}

/// The secret to store (see [`SecretChoice::resolve`]).
fn secret_of(scheme: Scheme, choice: Option<SecretChoice>) -> Result<Secret, CommandError> {
    SecretChoice::resolve(choice, scheme).map_err(|e| CommandError::Validation(vec![e]))
}

/// Changes an endpoint. A new secret (given, or generated on request) is a rotation, returned
/// this once; enabling it sends what was queued while it was disabled (after commit).
async fn update_in(
    unit: &mut UnitOfWork,
    key: &MasterKey,
    org: &OrgId,
    id: &str,
    input: EndpointInput,
    by: Operator<'_>,
) -> Result<(EndpointRecord, Option<Secret>), CommandError> {
    let now = Timestamp::now();
    let stored =
        fml_store::endpoints::get_in(unit.conn(), org, id).await?.ok_or(CommandError::NotFound("no such endpoint"))?;
    let was = Scheme::parse(&stored.signature_scheme).unwrap_or_default();
    let scheme = input.scheme.unwrap_or(was);
    if scheme != was && input.secret.is_none() {
        return Err(CommandError::field(
            "signatureScheme",
            "another scheme needs a secret of its form: add generateSecret: true (or a secret)",
        ));
    }
    if scheme != was && input.grace_secs.is_some_and(|g| g > 0) {
        return Err(CommandError::field(
            "rotationGraceSeconds",
            "the previous secret cannot keep signing under another scheme: leave the grace out",
        ));
    }
    let new_secret = input.secret.map(|s| secret_of(scheme, Some(s))).transpose()?;
    let enabling = input.enabled == Some(true);
    let patch = EndpointPatch {
        url: input.url.map(|u| u.as_str().to_owned()),
        label: input.label,
        secret_sealed: new_secret
            .as_ref()
            .map(|s| key.seal(&fml_store::endpoints::seal_context(id), s.expose().as_bytes())),
        event_types: input.event_types,
        enabled: input.enabled,
        signature_scheme: (scheme != was).then_some(scheme.as_str()),
        previous_until: input.grace_secs.filter(|g| *g > 0).map(|g| now.plus_secs(g).millis()),
    };
    let rotated = patch.secret_sealed.is_some();
    let ep = fml_store::endpoints::update(unit.conn(), org, id, &patch, now)
        .await?
        .ok_or(CommandError::NotFound("no such endpoint"))?;
    if enabling {
        unit.wake_endpoint(&ep.id);
    }
    record(
        unit,
        org,
        by,
        "endpoint.update",
        json!({"id": ep.id, "secretRotated": rotated, "enabled": ep.enabled, "signatureScheme": ep.signature_scheme,
               "previousSecretUntil": ep.previous_secret.as_ref().map(|(_, until)| until)}),
        now,
    )
    .await?;
    Ok((ep, new_secret))
}

/// Deletes an endpoint (its delivery history stays readable; its queue fails).
async fn delete_in(unit: &mut UnitOfWork, org: &OrgId, id: &str, by: Operator<'_>) -> Result<(), CommandError> {
    let now = Timestamp::now();
    if !fml_store::endpoints::delete(unit.conn(), org, id, now).await? {
        return Err(CommandError::NotFound("no such endpoint"));
    }
    record(unit, org, by, "endpoint.delete", json!({"id": id}), now).await
}

/// Creates an endpoint; returns it with its secret (shown this once).
pub async fn create(
    ctx: &Ctx,
    master: &MasterKey,
    org: &OrgId,
    input: EndpointInput,
    by: Operator<'_>,
) -> Result<(EndpointRecord, Secret), CommandError> {
    let mut unit = ctx.unit().await?;
    let out = create_in(&mut unit, master, org, input, by).await?;
    unit.commit().await?;
    Ok(out)
}

/// [`create`] under an `Idempotency-Key`.
pub async fn create_keyed(
    ctx: &Ctx,
    master: &MasterKey,
    org: &OrgId,
    input: EndpointInput,
    by: Operator<'_>,
    key: Key<'_, (EndpointRecord, Secret)>,
) -> Result<Keyed, CommandError> {
    fml_app::idempotency::run(ctx, key, async |unit: &mut UnitOfWork| create_in(unit, master, org, input, by).await)
        .await
}

/// Changes an endpoint; returns it, with the new secret when it was rotated. Enabling it
/// sends what was queued while it was disabled (the engine is woken for it after commit).
pub async fn update(
    ctx: &Ctx,
    master: &MasterKey,
    org: &OrgId,
    id: &str,
    input: EndpointInput,
    by: Operator<'_>,
) -> Result<(EndpointRecord, Option<Secret>), CommandError> {
    let mut unit = ctx.unit().await?;
    let out = update_in(&mut unit, master, org, id, input, by).await?;
    unit.commit().await?;
    Ok(out)
}

/// [`update`] under an `Idempotency-Key`.
pub async fn update_keyed(
    ctx: &Ctx,
    master: &MasterKey,
    org: &OrgId,
    id: &str,
    input: EndpointInput,
    by: Operator<'_>,
    key: Key<'_, (EndpointRecord, Option<Secret>)>,
) -> Result<Keyed, CommandError> {
    fml_app::idempotency::run(ctx, key, async |unit: &mut UnitOfWork| update_in(unit, master, org, id, input, by).await)
        .await
}

/// Deletes an endpoint (its delivery history stays readable; its queue fails).
pub async fn delete(ctx: &Ctx, org: &OrgId, id: &str, by: Operator<'_>) -> Result<(), CommandError> {
    let mut unit = ctx.unit().await?;
    delete_in(&mut unit, org, id, by).await?;
    unit.commit().await?;
    Ok(())
}

/// [`delete`] under an `Idempotency-Key`.
pub async fn delete_keyed(
    ctx: &Ctx,
    org: &OrgId,
    id: &str,
    by: Operator<'_>,
    key: Key<'_, ()>,
) -> Result<Keyed, CommandError> {
    fml_app::idempotency::run(ctx, key, async |unit: &mut UnitOfWork| delete_in(unit, org, id, by).await).await
}
