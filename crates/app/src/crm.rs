//! A case's link to the CRM record it came from: the CRM sets (or corrects) it after the
//! case exists, and it is what the second dedup of `POST /v1/cases` matches on.

use fml_domain::ids::CaseLocator;
use fml_domain::{OrgId, Timestamp};
use fml_store::cases::{CaseRecord, SetCrmOutcome};
use fml_store::unit::UnitOfWork;
use serde_json::json;

use crate::CommandError;
use crate::principal::Operator;

/// Sets the CRM record id of a case of `org` under the request's `Idempotency-Key`, with its
/// audit row.
/// Setting the value the case already has changes nothing and succeeds; a value another case
/// of the tenant holds is a conflict (the unique index decides races).
pub async fn set_record_id(
    ctx: &crate::Ctx,
    org: &OrgId,
    locator: &CaseLocator,
    crm_record_id: &str,
    by: Operator<'_>,
    key: crate::idempotency::Key<'_, CaseRecord>,
) -> Result<crate::idempotency::Keyed, CommandError> {
    crate::idempotency::run(ctx, key, async |unit: &mut UnitOfWork| set_in(unit, org, locator, crm_record_id, by).await)
        .await
}

async fn set_in(
    unit: &mut UnitOfWork,
    org: &OrgId,
    locator: &CaseLocator,
    crm_record_id: &str,
    by: Operator<'_>,
) -> Result<CaseRecord, CommandError> {
    let now = Timestamp::now();
    let case = match fml_store::cases::set_crm_record_id(unit.conn(), org, locator, crm_record_id, now).await? {
        SetCrmOutcome::Updated(c) => *c,
        SetCrmOutcome::NotFound => return Err(CommandError::NotFound("no such case")),
        SetCrmOutcome::TakenByOtherCase => {
            return Err(CommandError::Conflict(
                "crm_record_id_conflict",
                "another case of this organisation already has this crmRecordId".into(),
            ));
        }
    };
    let detail = json!({"caseId": case.id.to_string(), "crmRecordId": crm_record_id});
    by.record_case(unit, org, case.id, "case.crm_record_id.set", detail, now).await?;
    Ok(case)
}
