//! Perpetual monitoring: approved cases re-screened on the tenant's interval (one run per case
//! per slot, whatever the number of nodes) and on an analyst's request. A run compares what it
//! finds with every hit and alert the case has had and raises an alert only for what is new —
//! a new listed entity for a subject, or a known one whose standing changed. Alerts never
//! change a case: an analyst resolves them.

use fml_domain::events::{AlertSeverity, CheckRun, MonitoringAlertCreated, MonitoringRunCompleted, WebhookEvent};
use fml_domain::ids::CaseLocator;
use fml_domain::jobs::Job;
use fml_domain::screening::ftm::Standing;
use fml_domain::{CaseId, OrgId, Timestamp};
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::monitoring::{AlertRow, NewAlert, RunRow};
use fml_store::{Db, StoreError};
use serde_json::json;

use crate::cases::load;
use crate::screening::{Matched, match_case, standing_str};
use crate::{Analyst, CommandError, Ctx};

/// The interval a tenant may choose, in hours (an hour to 30 days).
pub const INTERVAL_RANGE: (i64, i64) = (1, 720);

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    /// `None` when the slot had a run already (another node, or a retry): nothing was done.
    pub run_id: Option<i64>,
    pub alerts: usize,
}

fn alert_of(
    subject: &str,
    standing: Standing,
    article: bool,
    caption: &str,
) -> (&'static str, &'static str, String, String) {
    if article {
        return (
            "adverse_media",
            "medium",
            format!("New adverse media — {subject}"),
            format!("Article \"{caption}\" names this subject since the last screening run."),
        );
    }
    match standing {
        Standing::Sanctioned => (
            "sanctions_hit",
            "high",
            format!("New sanctions hit — {subject}"),
            format!("Listed as sanctioned ({caption}) since the last screening run."),
        ),
        Standing::Pep => (
            "pep_change",
            "medium",
            format!("New PEP designation — {subject}"),
            format!("PEP designation added since the last screening run ({caption})."),
        ),
        Standing::Match => (
            "sanctions_hit",
            "medium",
            format!("New watch-list match — {subject}"),
            format!("Listed on a watch list ({caption}) since the last screening run."),
        ),
    }
}

fn severity(s: &str) -> AlertSeverity {
    match s {
        "high" => AlertSeverity::High,
        "medium" => AlertSeverity::Medium,
        _ => AlertSeverity::Low,
    }
}

/// Runs monitoring for a case (the `monitor_case` job).
pub async fn run(
    ctx: &Ctx,
    org: &OrgId,
    case_id: CaseId,
    triggered_by: &str,
    slot: Option<i64>,
) -> Result<RunOutcome, CommandError> {
    let Matched { screened, list_version, .. } = match_case(ctx, org, case_id, false).await?;
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, org, &CaseLocator::Id(case_id)).await?;
    let known = fml_store::monitoring::known(unit.conn(), org, case.id).await?;
    let is_known = |subject: &str, entity: &str, standing: &str| {
        known.iter().any(|(s, e, st)| s == subject && e == entity && st == standing)
    };
    let mut fresh = Vec::new();
    for s in &screened {
        for h in &s.hits {
            let standing = h.entity.standing();
            if is_known(&s.subject.name, &h.entity.id, standing_str(standing)) {
                continue;
            }
            let (alert_type, sev, title, detail) =
                alert_of(&s.subject.name, standing, h.entity.is_article(), &h.entity.caption);
            fresh.push(NewAlert {
                alert_type,
                severity: sev,
                title,
                detail,
                subject_name: s.subject.name.clone(),
                entity_id: h.entity.id.clone(),
                standing: standing_str(standing),
                entity: serde_json::to_string(&h.entity).unwrap_or_default(),
            });
        }
    }
    let subjects = u32::try_from(screened.len()).unwrap_or(u32::MAX);
    let checks = vec![
        CheckRun { check: "sanctions".into(), status: "ok".into(), subjects },
        CheckRun { check: "adverse_media".into(), status: "ok".into(), subjects },
    ];
    let checks_json = serde_json::to_string(&checks).unwrap_or_default();
    let alerts = i32::try_from(fresh.len()).unwrap_or(i32::MAX);
    let record = fml_store::monitoring::NewRun {
        triggered_by,
        slot,
        checks: &checks_json,
        alerts,
        list_version,
        completed_at: now,
    };
    let Some(run_id) = fml_store::monitoring::insert_run(unit.conn(), org, case.id, &record).await? else {
        // This slot ran already (another node took the same slot, or this is a retry of a
        // run that committed): nothing new to say.
        return Ok(RunOutcome { run_id: None, alerts: 0 });
    };
    let crm = case.crm_record_id.clone();
    for a in &fresh {
        fml_store::monitoring::insert_alert(unit.conn(), org, case.id, run_id, a, now).await?;
        unit.emit(
            MonitoringAlertCreated {
                case_id: case.id,
                case_reference: case.reference.clone(),
                company_name: case.company_name.clone(),
                run_id,
                alert_type: a.alert_type.to_owned(),
                severity: severity(a.severity),
                title: a.title.clone(),
                detail: a.detail.clone(),
            }
            .emit(&case.org_id, crm.as_deref(), now),
        );
    }
    unit.emit(
        MonitoringRunCompleted {
            case_id: case.id,
            case_reference: case.reference.clone(),
            run_id,
            triggered_by: triggered_by.to_owned(),
            alerts_generated: u32::try_from(fresh.len()).unwrap_or(u32::MAX),
            checks_run: checks,
        }
        .emit(&case.org_id, crm.as_deref(), now),
    );
    let entry = audit::Entry {
        org: Some(org),
        case_id: Some(case.id),
        actor_kind: ActorKind::System,
        actor: "system",
        action: "monitoring.run",
        detail: json!({"runId": run_id, "triggeredBy": triggered_by, "slot": slot, "alerts": fresh.len(),
                       "listVersion": list_version}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(RunOutcome { run_id: Some(run_id), alerts: fresh.len() })
}

/// Queues this slot's runs for approved cases that have none (claimed in the same
/// transaction, so two nodes never queue the same slot); returns how many were queued.
pub async fn schedule(ctx: &Ctx, now: Timestamp, limit: i64) -> Result<usize, StoreError> {
    let due = fml_store::monitoring::due(&ctx.db, now, limit).await?;
    if due.is_empty() {
        return Ok(0);
    }
    // The scheduler's slots and jobs: each run it queues audits itself when it runs.
    let mut unit = ctx.bookkeeping().await?;
    let mut queued = Vec::new();
    for (org, case, slot) in due {
        let (Ok(org), Ok(case_id)) = (OrgId::parse(&org), case.parse::<CaseId>()) else { continue };
        if fml_store::monitoring::claim(unit.conn(), &case, slot, now).await? {
            queued.push((org, Job::MonitorCase { case_id, triggered_by: "scheduled".into(), slot: Some(slot) }));
        }
    }
    let jobs: Vec<_> = queued.iter().map(|(o, j)| (Some(o), j.clone())).collect();
    unit.enqueue(&jobs, now).await?;
    unit.commit().await?;
    Ok(queued.len())
}

/// An analyst asks for a run now.
pub async fn request(ctx: &Ctx, who: &Analyst, locator: &CaseLocator) -> Result<CaseRecord, CommandError> {
    crate::cases::queue_engine(ctx, who, locator, "monitoring.request", |case| Job::MonitorCase {
        case_id: case.id,
        triggered_by: who.email.clone(),
        slot: None,
    })
    .await
}

/// A case's runs and alerts.
pub async fn for_case(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
) -> Result<(CaseRecord, Vec<RunRow>, Vec<AlertRow>), CommandError> {
    let mut r = ctx.db.reader().await?;
    let case =
        fml_store::cases::get_in(r.conn(), &who.org, locator).await?.ok_or(CommandError::NotFound("no such case"))?;
    let (runs, alerts) = fml_store::monitoring::for_case(r.conn(), &who.org, case.id).await?;
    Ok((case, runs, alerts))
}

/// The tenant's alerts.
pub async fn alerts(ctx: &Ctx, who: &Analyst, status: Option<&str>, limit: i64) -> Result<Vec<AlertRow>, CommandError> {
    let mut r = ctx.db.reader().await?;
    Ok(fml_store::monitoring::list(r.conn(), &who.org, status, limit).await?)
}

/// Resolves an alert with a note (audited); an alert resolved already is a conflict.
pub async fn resolve(ctx: &Ctx, who: &Analyst, id: i64, note: String) -> Result<AlertRow, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let alert = fml_store::monitoring::get_alert(unit.conn(), &who.org, id)
        .await?
        .ok_or(CommandError::NotFound("no such alert"))?;
    if !fml_store::monitoring::resolve(unit.conn(), &who.org, id, &note, &who.email, now).await? {
        return Err(CommandError::Conflict("already_resolved", "this alert is resolved already".into()));
    }
    let case_id = alert.case_id.parse::<CaseId>().ok();
    let entry = audit::Entry {
        org: Some(&who.org),
        case_id,
        actor_kind: ActorKind::Analyst,
        actor: &who.email,
        action: "monitoring.alert.resolve",
        detail: json!({"alertId": id, "note": note}),
    };
    unit.audit(&entry, now);
    let resolved = fml_store::monitoring::get_alert(unit.conn(), &who.org, id)
        .await?
        .ok_or(CommandError::NotFound("no such alert"))?;
    unit.commit().await?;
    Ok(resolved)
}

/// A tenant's monitoring interval.
pub async fn interval(db: &Db, org: &OrgId) -> Result<i64, CommandError> {
    let mut r = db.reader().await?;
    Ok(fml_store::monitoring::interval_hours(r.conn(), org).await?)
}

/// Sets a tenant's monitoring interval (admins).
pub async fn set_interval(ctx: &Ctx, who: &Analyst, hours: i64) -> Result<i64, CommandError> {
    if who.role < fml_domain::lifecycle::Role::Admin {
        return Err(CommandError::Forbidden("only an admin may change the monitoring interval"));
    }
    let (lo, hi) = INTERVAL_RANGE;
    if !(lo..=hi).contains(&hours) {
        return Err(CommandError::field("intervalHours", format!("a whole number of hours from {lo} to {hi}")));
    }
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    fml_store::monitoring::set_interval_hours(unit.conn(), &who.org, hours, now).await?;
    let entry = audit::Entry {
        org: Some(&who.org),
        case_id: None,
        actor_kind: ActorKind::Analyst,
        actor: &who.email,
        action: "monitoring.interval",
        detail: json!({"hours": hours}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(hours)
}
