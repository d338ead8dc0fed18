//! Idempotency-Key around any command: the key's claim, the command's writes and the stored
//! answer commit in one unit of work — a crash or a timeout keeps all of it (a retry gets the
//! replay) or none of it (a retry runs afresh). The surfaces map what comes back to their
//! answers; none opens the transaction itself.

use fml_domain::Timestamp;
use fml_domain::crypto::MasterKey;
use fml_domain::idempotency::ExistingKey;
use fml_store::StoreError;
use fml_store::idempotency::{Claim, claim_many, complete_many, existing_many, seal_response};
use fml_store::unit::UnitOfWork;

use crate::Ctx;

/// What became of a keyed command.
#[derive(Debug)]
pub enum Keyed {
    /// It ran (and, with a key, its answer was stored with its writes).
    Ran { status: u16, body: String },
    /// The key was already taken: judge it against the request.
    Taken(ExistingKey),
    /// The key was claimed by another request that vanished between two statements (the
    /// janitor purged it): the caller should retry.
    Vanished,
}

/// The form an answer is stored in: as is, or sealed under the master key when it carries a
/// secret.
pub fn stored_form(seal: Option<&MasterKey>, body: &str) -> String {
    match seal {
        Some(key) => seal_response(key, body.as_bytes()),
        None => body.to_owned(),
    }
}

/// Runs `command` in one unit of work with `claim` (when a key was sent) and its stored answer.
pub async fn write<E, F>(ctx: &Ctx, claim: Option<&Claim>, seal: Option<&MasterKey>, command: F) -> Result<Keyed, E>
where
    E: From<StoreError>,
    F: AsyncFnOnce(&mut UnitOfWork) -> Result<(u16, String), E>,
{
    let mut unit = ctx.unit().await?;
    if let Some(claim) = claim
        && claim_many(unit.conn(), &[claim], Timestamp::now()).await?.is_empty()
    {
        let existing = existing_many(unit.conn(), &[(&claim.org, &claim.key)]).await?.pop().map(|(_, _, e)| e);
        return Ok(existing.map_or(Keyed::Vanished, Keyed::Taken));
    }
    // An error drops the unit: the writes and the claim roll back together, leaving the key
    // free for a corrected retry.
    let (status, body) = command(&mut unit).await?;
    if let Some(claim) = claim {
        let stored = stored_form(seal, &body);
        complete_many(unit.conn(), &[(&claim.org, &claim.key, status, stored.as_str())]).await?;
    }
    unit.commit().await?;
    Ok(Keyed::Ran { status, body })
}

/// Stores the answer of a keyed request that changed no state (a test ping).
pub async fn complete(ctx: &Ctx, claim: &Claim, status: u16, stored: &str) -> Result<(), StoreError> {
    let mut unit = ctx.unit().await?;
    complete_many(unit.conn(), &[(&claim.org, &claim.key, status, stored)]).await?;
    unit.commit().await
}

/// Claims a key for a request that changes no state (a test ping), before it runs: `Some`
/// with the earlier request's record when the key is taken.
pub async fn claim(ctx: &Ctx, claim: &Claim) -> Result<Option<fml_domain::idempotency::ExistingKey>, StoreError> {
    fml_store::idempotency::claim(&ctx.db, claim, fml_domain::Timestamp::now()).await
}

/// Releases a claim whose request ended without an answer (the client hung up), so a retry
/// runs at once; a key already completed is left alone.
pub async fn release(ctx: &Ctx, org: &fml_domain::OrgId, key: &fml_domain::IdempotencyKey) -> Result<(), StoreError> {
    fml_store::idempotency::release(&ctx.db, org, key).await
}
