//! Who verifies identities: the provider trait Didit and the built-in page implement, the
//! session it starts, and the configured provider a dispatch uses.

use std::sync::Arc;

use fml_domain::{CaseId, OrgId};

use crate::screening::BoxFuture;
use crate::{CommandError, Ctx};

/// Who to start a verification session for.
#[derive(Debug, Clone, Copy)]
pub struct SessionRequest<'a> {
    pub org: &'a OrgId,
    pub case_id: CaseId,
    pub person_key: &'a str,
    pub name: &'a str,
    pub email: &'a str,
}

/// A started session: the link to send, and how the result will find its check.
#[derive(Debug, Clone)]
pub struct Session {
    pub url: String,
    /// The vendor's session id (its callback names it).
    pub session_id: Option<String>,
    /// The built-in page's link token, hashed.
    pub token_hash: Option<String>,
}

/// Who verifies identities: Didit, or the built-in page.
pub trait IdvProvider: Send + Sync + std::fmt::Debug {
    /// `vendorName` in the events.
    fn vendor(&self) -> &'static str;
    fn start<'a>(&'a self, req: SessionRequest<'a>) -> BoxFuture<'a, Result<Session, String>>;
}

pub(super) fn provider(ctx: &Ctx) -> Result<Arc<dyn IdvProvider>, CommandError> {
    ctx.idv.clone().ok_or_else(|| {
        CommandError::Store(fml_store::StoreError::Config("no identity verification is configured".into()))
    })
}
