//! Identity verification: each real person of a case who needs it (a director or UBO, once
//! whatever their roles) either is satisfied by an accepted identity document on file
//! (`idv.satisfied_by_document`) or gets a verification link by email (`idv.dispatched`); the
//! vendor's result (Didit's callback, or the built-in page's document read) completes the check
//! (`idv.completed`). Every step is one transaction with its event and audit entry.
//!
//! This module holds what every step shares (the audit entry); who verifies, how links are
//! dispatched, how results are recorded and the built-in page are its submodules.

mod builtin;
mod dispatch;
mod provider;
mod results;

pub(crate) use builtin::complete_from_document;
pub use builtin::{Builtin, LINK_TTL_SECS, TOKEN_PREFIX, by_link, submit_document};
pub use dispatch::{Dispatcher, MAX_PEOPLE_MAILED, dispatch};
pub use provider::{IdvProvider, Session, SessionRequest};
pub use results::{VendorResult, complete_from_vendor, parse_analyst_outcome, resolve};

use fml_domain::Timestamp;
use fml_domain::ids::CaseLocator;
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::idv::IdvCheck;
use fml_store::unit::UnitOfWork;

use crate::{Analyst, CommandError, Ctx};

async fn record(
    unit: &mut UnitOfWork,
    case: &CaseRecord,
    actor_kind: ActorKind,
    actor: &str,
    action: &str,
    detail: serde_json::Value,
    now: Timestamp,
) -> Result<(), CommandError> {
    let entry = audit::Entry { org: Some(&case.org_id), case_id: Some(case.id), actor_kind, actor, action, detail };
    unit.audit(&entry, now);
    Ok(())
}

/// A case's identity checks (analysts).
pub async fn for_case(ctx: &Ctx, who: &Analyst, locator: &CaseLocator) -> Result<Vec<IdvCheck>, CommandError> {
    let mut r = ctx.db.reader().await?;
    let case =
        fml_store::cases::get_in(r.conn(), &who.org, locator).await?.ok_or(CommandError::NotFound("no such case"))?;
    Ok(fml_store::idv::for_case(r.conn(), &who.org, case.id).await?)
}
