//! Who acts. Each surface authenticates its own kind of principal and hands it to commands;
//! a command's signature says which principals may call it.

use fml_domain::lifecycle::{Actor, Role};
use fml_domain::{AnalystId, CaseId, OrgId};
use fml_store::analysts::AnalystRecord;
use fml_store::audit::ActorKind;

/// A member of a tenant's compliance team, signed in (session cookie) or holding their
/// personal API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analyst {
    pub id: AnalystId,
    pub org: OrgId,
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl Analyst {
    pub fn actor(&self) -> Actor {
        Actor::Analyst(self.role)
    }

    pub(crate) fn audit_actor(&self) -> (ActorKind, &str) {
        (ActorKind::Analyst, &self.email)
    }
}

impl From<AnalystRecord> for Analyst {
    fn from(a: AnalystRecord) -> Self {
        Self { id: a.id, org: a.org_id, email: a.email, name: a.name, role: a.role }
    }
}

/// A customer in the portal: a session bound to one case, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub org: OrgId,
    pub case_id: CaseId,
    /// The address the invite went to (what events carry as the actor).
    pub email: String,
}

/// Who manages the tenant's integrations (webhook endpoints, API clients, deliveries), as the
/// audit log records it.
#[derive(Debug, Clone, Copy)]
pub enum Operator<'a> {
    /// A Public API client, by id.
    Client(&'a str),
    /// An analyst in the console.
    Analyst(&'a Analyst),
    /// An operator at the command line.
    Cli,
}

impl Operator<'_> {
    /// The audit log's actor kind and name.
    pub fn audit(&self) -> (ActorKind, &str) {
        match self {
            Operator::Client(id) => (ActorKind::Client, id),
            Operator::Analyst(a) => a.audit_actor(),
            Operator::Cli => (ActorKind::System, "cli"),
        }
    }

    /// Adds the audit row of `action` on `org` to the unit.
    pub async fn record(
        &self,
        unit: &mut fml_store::unit::UnitOfWork,
        org: &OrgId,
        action: &str,
        detail: serde_json::Value,
        now: fml_domain::Timestamp,
    ) -> Result<(), crate::CommandError> {
        self.record_on(unit, org, None, action, detail, now).await
    }

    /// Adds the audit row of `action` on case `case_id` of `org` to the unit.
    pub(crate) async fn record_case(
        &self,
        unit: &mut fml_store::unit::UnitOfWork,
        org: &OrgId,
        case_id: fml_domain::CaseId,
        action: &str,
        detail: serde_json::Value,
        now: fml_domain::Timestamp,
    ) -> Result<(), crate::CommandError> {
        self.record_on(unit, org, Some(case_id), action, detail, now).await
    }

    async fn record_on(
        &self,
        unit: &mut fml_store::unit::UnitOfWork,
        org: &OrgId,
        case_id: Option<fml_domain::CaseId>,
        action: &str,
        detail: serde_json::Value,
        now: fml_domain::Timestamp,
    ) -> Result<(), crate::CommandError> {
        let (actor_kind, actor) = self.audit();
        let entry = fml_store::audit::Entry { org: Some(org), case_id, actor_kind, actor, action, detail };
        unit.audit(&entry, now);
        Ok(())
    }
}
