//! A screening run: the case's subjects, each matched against the local index or a remote
//! service and triaged, then the run, its events and its audit entry committed together.

use fml_domain::events::{ScreeningCompleted, ScreeningHitTriaged, ScreeningStatus, ScreeningSubject, WebhookEvent};
use fml_domain::ids::CaseLocator;
use fml_domain::jobs::Job;
use fml_domain::screening::ftm::{Entity, Standing};
use fml_domain::screening::matching::{Features, Subject, SubjectKind};
use fml_domain::screening::triage::Triage;
use fml_domain::{CaseId, OrgId, Timestamp};
use fml_store::StoreError;
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::screening::{NewHit, NewRun};
use serde_json::json;

use super::adapters::{remote_matches, rules};
use super::index::matches;
use super::labels::{disposition_str, features_json, standing_str};
use crate::cases::load;
use crate::{CommandError, Ctx};

/// One subject's hit before it is stored.
#[derive(Debug, Clone)]
pub struct Hit {
    pub entity: Entity,
    pub features: Features,
    pub score: f64,
    pub triage: Triage,
    pub model: String,
    pub prompt_version: String,
}

/// A subject of a case as screened.
#[derive(Debug, Clone)]
pub struct Screened {
    pub subject: Subject,
    pub role: Option<String>,
    pub person_key: Option<String>,
    pub hits: Vec<Hit>,
}

impl Screened {
    /// The gravest standing among the hits; `clear` without any.
    pub fn status(&self) -> ScreeningStatus {
        let standings = self.hits.iter().map(|h| h.entity.standing());
        let mut status = ScreeningStatus::Clear;
        for s in standings {
            status = match (status, s) {
                (_, Standing::Sanctioned) | (ScreeningStatus::Sanctioned, _) => ScreeningStatus::Sanctioned,
                (_, Standing::Pep) | (ScreeningStatus::Pep, _) => ScreeningStatus::Pep,
                _ => ScreeningStatus::Match,
            };
        }
        status
    }
}

/// The subjects of a case: the company, then each person of the roster once (a person who
/// is director and shareholder is one subject, named by their first role).
pub async fn subjects(conn: fml_store::db::Conn<'_>, case: &CaseRecord) -> Result<Vec<Screened>, StoreError> {
    let mut out = Vec::new();
    let country = case.country.map(|c| c.as_str().to_owned());
    if let Some(name) = case.company_name.as_deref().filter(|n| !n.trim().is_empty()) {
        out.push(Screened {
            subject: Subject { kind: SubjectKind::Company, name: name.to_owned(), birth_date: None, country },
            role: None,
            person_key: None,
            hits: Vec::new(),
        });
    }
    for p in fml_store::persons::roster(conn, &case.org_id, case.id).await? {
        let e = p.entry;
        out.push(Screened {
            subject: Subject {
                kind: SubjectKind::Person,
                name: e.display_name,
                birth_date: e.date_of_birth,
                country: None,
            },
            role: e.roles.first().cloned(),
            person_key: Some(e.person_key),
            hits: Vec::new(),
        });
    }
    Ok(out)
}

/// What a screening run recorded.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub run_id: i64,
    pub screened: Vec<Screened>,
}

/// A case's subjects matched against the list now, nothing written.
#[derive(Debug, Clone)]
pub struct Matched {
    pub case: CaseRecord,
    pub screened: Vec<Screened>,
    pub threshold: f64,
    pub list_version: i64,
    pub source: &'static str,
}

/// Matches every subject of a case against the list in force; hits are triaged by the
/// configured triager when `triage`, else by the rules alone (monitoring, which only looks
/// for what is new).
pub async fn match_case(ctx: &Ctx, org: &OrgId, case_id: CaseId, triage: bool) -> Result<Matched, CommandError> {
    let (case, mut screened, threshold) = {
        let mut r = ctx.db.reader().await?;
        let case = fml_store::cases::get_in(r.conn(), org, &CaseLocator::Id(case_id))
            .await?
            .ok_or(CommandError::NotFound("no such case"))?;
        let screened = subjects(r.conn(), &case).await?;
        let threshold = fml_store::screening::threshold(r.conn(), org).await?;
        (case, screened, threshold)
    };
    // The list: this deployment's own, or a yente-compatible service when one is configured
    // (its failure fails the run, to be retried: a case is never shown clear for want of an
    // answer).
    let loaded = match &ctx.remote {
        Some(_) => None,
        None => Some(ctx.screener.index(&ctx.db).await?),
    };
    let (list_version, source) = match (&ctx.remote, &loaded) {
        (Some(remote), _) => (0, remote.source()),
        (None, Some(l)) => (l.version, "local"),
        (None, None) => (0, "local"),
    };
    for s in &mut screened {
        let found = match (&ctx.remote, &loaded) {
            (Some(remote), _) => remote_matches(remote.as_ref(), &s.subject, threshold).await?,
            (None, Some(l)) => matches(&ctx.db, &l.index, &s.subject, threshold).await?,
            (None, None) => Vec::new(),
        };
        for (entity, features, score) in found {
            let t = if triage { ctx.triager.triage(&s.subject, &entity, &features).await } else { rules(&features) };
            s.hits.push(Hit { entity, features, score, triage: t.triage, model: t.model, prompt_version: t.version });
        }
    }
    Ok(Matched { case, screened, threshold, list_version, source })
}

/// Screens a case now (the `screen_case` job): every subject against the list at its current
/// version, each hit triaged, the run and its events committed together.
pub async fn run(
    ctx: &Ctx,
    org: &OrgId,
    case_id: CaseId,
    triggered_by: &str,
    review: Option<&str>,
) -> Result<RunOutcome, CommandError> {
    let Matched { case, screened, threshold, list_version, source } = match_case(ctx, org, case_id, true).await?;
    let now = Timestamp::now();
    let summary: Vec<ScreeningSubject> = screened
        .iter()
        .map(|s| ScreeningSubject { name: s.subject.name.clone(), role: s.role.clone(), status: s.status() })
        .collect();
    let mut hits = Vec::new();
    for s in &screened {
        for h in &s.hits {
            hits.push(NewHit {
                subject_name: s.subject.name.clone(),
                subject_role: s.role.clone(),
                person_key: s.person_key.clone(),
                entity_id: h.entity.id.clone(),
                entity: serde_json::to_string(&h.entity).unwrap_or_default(),
                standing: standing_str(h.entity.standing()),
                score: h.score,
                features: features_json(&h.features, h.score).to_string(),
                confidence: h.triage.confidence,
                disposition: disposition_str(h.triage.disposition),
                short_reason: h.triage.short_reason.clone(),
                model: h.model.clone(),
                prompt_version: h.prompt_version.clone(),
            });
        }
    }
    let record = NewRun {
        triggered_by: triggered_by.to_owned(),
        list_version,
        threshold,
        screened: i32::try_from(screened.len()).unwrap_or(i32::MAX),
        summary: serde_json::to_string(&summary).unwrap_or_default(),
        source,
        completed_at: now,
    };
    let mut unit = ctx.unit().await?;
    // The case may have gone (or moved tenant) since it was read: read it again in the unit.
    let case = load(&mut unit, org, &CaseLocator::Id(case.id)).await?;
    let run_id = fml_store::screening::insert_run(unit.conn(), org, case.id, &record, &hits).await?;
    let crm = case.crm_record_id.as_deref();
    unit.emit(
        ScreeningCompleted {
            case_id: case.id,
            case_reference: case.reference.clone(),
            screened: u32::try_from(screened.len()).unwrap_or(u32::MAX),
            summary,
            completed_at: now,
        }
        .emit(&case.org_id, crm, now),
    );
    for s in &screened {
        for h in &s.hits {
            let event = ScreeningHitTriaged {
                case_id: case.id,
                case_reference: case.reference.clone(),
                hit_id: h.entity.id.clone(),
                subject_name: s.subject.name.clone(),
                confidence: fml_domain::Percent::of(h.triage.confidence),
                disposition: h.triage.disposition,
                short_reason: h.triage.short_reason.clone(),
                model: h.model.clone(),
                prompt_version: h.prompt_version.clone(),
            };
            unit.emit(event.emit(&case.org_id, crm, now));
        }
    }
    let entry = audit::Entry {
        org: Some(org),
        case_id: Some(case.id),
        actor_kind: ActorKind::System,
        actor: "system",
        action: "screening.run",
        detail: json!({"runId": run_id, "triggeredBy": triggered_by, "listVersion": list_version, "source": source,
                       "subjects": screened.len(), "hits": hits.len()}),
    };
    unit.audit(&entry, now);
    // Risk follows every screening.
    let assess = Job::AssessRisk { case_id: case.id, assessed_by: "system".into(), review: review.map(str::to_owned) };
    unit.enqueue(&[(Some(org), assess)], now).await?;
    unit.commit().await?;
    Ok(RunOutcome { run_id, screened })
}
