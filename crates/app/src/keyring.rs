//! The master key's rotation: every sealed value (endpoint secrets, queued mail bodies,
//! stored idempotent responses) re-sealed under the new key and its fingerprint recorded, in
//! one transaction with its audit row — all of it moves to the new key or none does.

use fml_domain::Timestamp;
use fml_domain::crypto::MasterKey;
pub use fml_store::keyring::Resealed;
use serde_json::json;

use crate::{CommandError, Ctx};

/// Rotates from `current` to `new`; fails, changing nothing, if `current` is not the key in
/// force (it does not open a sealed value).
pub async fn rotate(ctx: &Ctx, current: &MasterKey, new: &MasterKey) -> Result<Resealed, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let done = fml_store::keyring::rotate_in(unit.tx(), current, new).await?;
    let entry = fml_store::audit::Entry {
        org: None,
        case_id: None,
        actor_kind: fml_store::audit::ActorKind::System,
        actor: "cli",
        action: "master_key.rotate",
        detail: json!({
            "fingerprint": new.fingerprint(),
            "endpointSecrets": done.endpoint_secrets,
            "mailBodies": done.mail_bodies,
            "storedResponses": done.stored_responses,
        }),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(done)
}

/// The fingerprint of the key the database records as in force.
pub async fn fingerprint(ctx: &Ctx) -> Result<Option<String>, CommandError> {
    Ok(fml_store::keyring::fingerprint(&ctx.db).await?)
}
