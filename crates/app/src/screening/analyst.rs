//! What analysts and admins do with screening: ask for a run, read the latest results, set the
//! tenant's threshold, and record their own disposition of a hit.

use fml_domain::events::HitDisposition;
use fml_domain::ids::CaseLocator;
use fml_domain::jobs::Job;
use fml_domain::{CaseId, OrgId, Timestamp};
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::screening::{HitRow, RunRow};
use serde_json::json;

use super::labels::disposition_str;
use crate::cases::load;
use crate::{Analyst, CommandError, Ctx};

/// An analyst asks for a screening now: a `screen_case` job under their email.
pub async fn request(ctx: &Ctx, who: &Analyst, locator: &CaseLocator) -> Result<CaseRecord, CommandError> {
    crate::cases::queue_engine(ctx, who, locator, "screening.request", |case| Job::ScreenCase {
        case_id: case.id,
        triggered_by: who.email.clone(),
        review: None,
    })
    .await
}

/// A case's latest run and its hits (`None` before the first screening).
pub async fn latest(ctx: &Ctx, org: &OrgId, case: CaseId) -> Result<Option<(RunRow, Vec<HitRow>)>, CommandError> {
    let mut r = ctx.db.reader().await?;
    let Some(run) = fml_store::screening::latest_run(r.conn(), org, case).await? else { return Ok(None) };
    let hits = fml_store::screening::hits(r.conn(), org, run.id).await?;
    Ok(Some((run, hits)))
}

/// The latest screening of a case of the analyst's tenant.
pub async fn results(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
) -> Result<(CaseRecord, Option<(RunRow, Vec<HitRow>)>), CommandError> {
    let case = {
        let mut r = ctx.db.reader().await?;
        fml_store::cases::get_in(r.conn(), &who.org, locator).await?.ok_or(CommandError::NotFound("no such case"))?
    };
    let latest = latest(ctx, &who.org, case.id).await?;
    Ok((case, latest))
}

/// A tenant's screening threshold.
pub async fn threshold(ctx: &Ctx, org: &OrgId) -> Result<f64, CommandError> {
    let mut r = ctx.db.reader().await?;
    Ok(fml_store::screening::threshold(r.conn(), org).await?)
}

/// The lowest and highest thresholds a tenant may set: below 0.7 names that merely share a
/// surname match; 1.0 takes an exact name with a corroborating birth date.
pub const THRESHOLD_RANGE: (f64, f64) = (0.7, 1.0);

/// Sets a tenant's screening threshold (admins).
pub async fn set_threshold(ctx: &Ctx, who: &Analyst, value: f64) -> Result<f64, CommandError> {
    if who.role < fml_domain::lifecycle::Role::Admin {
        return Err(CommandError::Forbidden("only an admin may change the screening threshold"));
    }
    let (lo, hi) = THRESHOLD_RANGE;
    if !(lo..=hi).contains(&value) {
        return Err(CommandError::field("threshold", format!("must be between {lo} and {hi}")));
    }
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let before = fml_store::screening::threshold(unit.conn(), &who.org).await?;
    fml_store::screening::set_threshold(unit.conn(), &who.org, value, now).await?;
    let entry = audit::Entry {
        org: Some(&who.org),
        case_id: None,
        actor_kind: ActorKind::Analyst,
        actor: &who.email,
        action: "screening.threshold",
        detail: json!({"from": before, "to": value}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(value)
}

/// An analyst's disposition of a hit (the triage stays as it was, beside it).
pub async fn review_hit(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    hit_id: i64,
    disposition: HitDisposition,
    note: String,
) -> Result<HitRow, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    let hit = fml_store::screening::hit(unit.conn(), &who.org, case.id, hit_id)
        .await?
        .ok_or(CommandError::NotFound("no such hit on this case"))?;
    let d = disposition_str(disposition);
    fml_store::screening::review(unit.conn(), &who.org, hit.id, d, &note, &who.email, now).await?;
    let entry = audit::Entry {
        org: Some(&who.org),
        case_id: Some(case.id),
        actor_kind: ActorKind::Analyst,
        actor: &who.email,
        action: "screening.hit.review",
        detail: json!({"hitId": hit.id, "entityId": hit.entity_id, "subjectName": hit.subject_name,
                       "disposition": d, "triage": hit.disposition, "note": note}),
    };
    unit.audit(&entry, now);
    let updated = fml_store::screening::hit(unit.conn(), &who.org, case.id, hit_id)
        .await?
        .ok_or(CommandError::NotFound("no such hit on this case"))?;
    unit.commit().await?;
    Ok(updated)
}
