//! Idempotency-Key around any command: the key's claim, the command's writes and the stored
//! answer commit in one unit of work — a crash or a timeout keeps all of it (a retry gets the
//! replay) or none of it (a retry runs afresh). A keyed command takes a [`Key`] and runs
//! itself through [`run`]; the surfaces map what comes back ([`Keyed`]) to their answers, and
//! none of them opens or holds the transaction.

use fml_domain::Timestamp;
use fml_domain::crypto::MasterKey;
use fml_domain::idempotency::ExistingKey;
use fml_store::StoreError;
pub use fml_store::idempotency::Claim;
use fml_store::idempotency::{claim_many, complete_many, existing_many, open_response, seal_response};
use fml_store::unit::UnitOfWork;

use crate::{CommandError, Ctx};

/// A request's key as a command takes it: the claim (`None` when no key was sent), whether its
/// answer is sealed, and the answer — the success status and how the command's result is
/// rendered — which is stored with the writes.
pub struct Key<'a, T> {
    pub claim: Option<&'a Claim>,
    pub seal: Option<&'a MasterKey>,
    pub status: u16,
    pub render: &'a (dyn Fn(T) -> String + Sync),
}

impl<T> std::fmt::Debug for Key<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key").field("claim", &self.claim).field("status", &self.status).finish_non_exhaustive()
    }
}

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

/// A stored answer as it was sent (unsealed when it was sealed).
pub fn opened(master: &MasterKey, stored: &str) -> Result<String, CommandError> {
    let plain = open_response(master, stored).map_err(|e| CommandError::Store(StoreError::Corrupt(e.to_string())))?;
    String::from_utf8(plain).map_err(|e| CommandError::Store(StoreError::Corrupt(e.to_string())))
}

/// Runs `command` in one unit of work with the key's claim (when a key was sent) and its
/// stored answer.
pub async fn run<T, F>(ctx: &Ctx, key: Key<'_, T>, command: F) -> Result<Keyed, CommandError>
where
    F: AsyncFnOnce(&mut UnitOfWork) -> Result<T, CommandError>,
{
    let mut unit = ctx.unit().await?;
    if let Some(claim) = key.claim
        && claim_many(unit.conn(), &[claim], Timestamp::now()).await?.is_empty()
    {
        let existing = existing_many(unit.conn(), &[(&claim.org, &claim.key)]).await?.pop().map(|(_, _, e)| e);
        return Ok(existing.map_or(Keyed::Vanished, Keyed::Taken));
    }
    // An error drops the unit: the writes and the claim roll back together, leaving the key
    // free for a corrected retry.
    let value = command(&mut unit).await?;
    // The command's result is only rendered: the answer is all the caller gets back.
    let body = (key.render)(value);
    if let Some(claim) = key.claim {
        let stored = stored_form(key.seal, &body);
        complete_many(unit.conn(), &[(&claim.org, &claim.key, key.status, stored.as_str())]).await?;
    }
    unit.commit().await?;
    Ok(Keyed::Ran { status: key.status, body })
}

/// Stores the answer of a keyed request that changed no state (a test ping).
pub async fn complete(ctx: &Ctx, claim: &Claim, status: u16, stored: &str) -> Result<(), StoreError> {
    let mut unit = ctx.bookkeeping().await?;
    complete_many(unit.conn(), &[(&claim.org, &claim.key, status, stored)]).await?;
    unit.commit().await
}

/// Claims a key for a request that changes no state (a test ping), before it runs: `Some`
/// with the earlier request's record when the key is taken.
pub async fn claim(ctx: &Ctx, claim: &Claim) -> Result<Option<ExistingKey>, StoreError> {
    fml_store::idempotency::claim(&ctx.db, claim, Timestamp::now()).await
}

/// Releases a claim whose request ended without an answer (the client hung up), so a retry
/// runs at once; a key already completed is left alone.
pub async fn release(ctx: &Ctx, org: &fml_domain::OrgId, key: &fml_domain::IdempotencyKey) -> Result<(), StoreError> {
    fml_store::idempotency::release(&ctx.db, org, key).await
}
