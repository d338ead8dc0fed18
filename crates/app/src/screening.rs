//! Sanctions, PEP and adverse-media screening of a case: the company and every person on its
//! roster against the watch list, each hit triaged, the run recorded with `screening.completed`
//! and one `screening.hit.triaged` per hit in one transaction.
//!
//! The match itself is `fml_domain::screening`; this module finds candidates with the
//! process's index ([`Screener`]), reads them from the store and writes the outcome.

use std::sync::Arc;

use fml_domain::events::{
    HitDisposition, ScreeningCompleted, ScreeningHitTriaged, ScreeningStatus, ScreeningSubject, WebhookEvent,
};
use fml_domain::ids::CaseLocator;
use fml_domain::jobs::Job;
use fml_domain::screening::ftm::{Entity, Standing};
use fml_domain::screening::index::{Index, IndexBuilder};
use fml_domain::screening::matching::{Agreement, Features, Subject, SubjectKind, compare};
use fml_domain::screening::names::tokens;
use fml_domain::screening::triage::{self, Triage};
use fml_domain::{CaseId, OrgId, Timestamp};
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::screening::{HitRow, NewHit, NewRun, RunRow};
use fml_store::{Db, StoreError};
use serde_json::json;
use tokio::sync::Mutex;

use crate::cases::load;
use crate::{Analyst, CommandError, Ctx};

/// Candidates compared name by name per subject.
const CANDIDATES: usize = 32;
/// Hits kept per subject, the best first.
pub const MAX_HITS_PER_SUBJECT: usize = 10;
/// Rows read per page while building the index.
const PAGE: i64 = 50_000;

/// An index built at a version of the watch list.
#[derive(Debug)]
pub struct Loaded {
    pub version: i64,
    pub index: Index,
}

/// The process's candidate index, rebuilt from the store when the list's version moves on
/// (an import on any node bumps it).
#[derive(Debug, Default)]
pub struct Screener {
    current: Mutex<Option<Arc<Loaded>>>,
}

impl Screener {
    /// The index at the list's current version, building it if this process has not yet.
    pub async fn index(&self, db: &Db) -> Result<Arc<Loaded>, StoreError> {
        let version = {
            let mut r = db.reader().await?;
            fml_store::watchlist::version(r.conn()).await?
        };
        // Held while building: concurrent screenings wait for one build, not start their own.
        let mut current = self.current.lock().await;
        if let Some(l) = current.as_ref()
            && l.version == version
        {
            return Ok(l.clone());
        }
        let loaded = Arc::new(build(db, version).await?);
        *current = Some(loaded.clone());
        Ok(loaded)
    }
}

/// Builds the index from the store, page by page.
pub async fn build(db: &Db, version: i64) -> Result<Loaded, StoreError> {
    let mut builder = IndexBuilder::new();
    let mut after = i64::MIN;
    let mut r = db.reader().await?;
    loop {
        let page = fml_store::watchlist::tokens_page(r.conn(), after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        let full = page.len() as i64 == PAGE;
        for (seq, toks) in &page {
            builder.add(*seq, toks);
        }
        if !full {
            break;
        }
    }
    drop(r);
    let index = tokio::task::spawn_blocking(move || builder.build())
        .await
        .map_err(|e| StoreError::Config(format!("building the screening index failed: {e}")))?;
    Ok(Loaded { version, index })
}

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

/// The hits of one subject at `threshold`, best first.
pub async fn matches(
    db: &Db,
    index: &Index,
    subject: &Subject,
    threshold: f64,
) -> Result<Vec<(Entity, Features, f64)>, StoreError> {
    let candidates = index.candidates(&tokens(&subject.name), CANDIDATES);
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<i64> = candidates.iter().map(|c| c.key).collect();
    let rows = {
        let mut r = db.reader().await?;
        fml_store::watchlist::by_seqs(r.conn(), &keys).await?
    };
    let mut found = Vec::new();
    for row in rows {
        let entity: Entity = serde_json::from_str(&row.data)
            .map_err(|e| StoreError::Corrupt(format!("watch-list entity {}: {e}", row.id)))?;
        let features = compare(subject, &entity);
        let score = features.score();
        if score >= threshold {
            found.push((entity, features, score));
        }
    }
    found.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.id.cmp(&b.0.id)));
    found.truncate(MAX_HITS_PER_SUBJECT);
    Ok(found)
}

fn agreement(a: Agreement) -> &'static str {
    match a {
        Agreement::Same => "same",
        Agreement::Different => "different",
        Agreement::Unknown => "unknown",
    }
}

/// The features as stored with the hit (and shown to the analyst).
pub fn features_json(f: &Features, score: f64) -> serde_json::Value {
    json!({
        "name": (f.name * 1000.0).round() / 1000.0,
        "matchedName": f.matched_name,
        "birthDate": agreement(f.birth_date),
        "country": agreement(f.country),
        "kindAgrees": f.kind_agrees,
        "score": (score * 1000.0).round() / 1000.0,
    })
}

pub fn standing_str(s: Standing) -> &'static str {
    match s {
        Standing::Sanctioned => "sanctioned",
        Standing::Pep => "pep",
        Standing::Match => "match",
    }
}

pub fn disposition_str(d: HitDisposition) -> &'static str {
    match d {
        HitDisposition::FalsePositive => "false_positive",
        HitDisposition::TrueMatch => "true_match",
        HitDisposition::Escalate => "escalate",
    }
}

pub fn parse_disposition(raw: &str) -> Option<HitDisposition> {
    [HitDisposition::FalsePositive, HitDisposition::TrueMatch, HitDisposition::Escalate]
        .into_iter()
        .find(|d| disposition_str(*d) == raw)
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
                confidence: h.triage.confidence,
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
    audit::record(unit.conn(), &entry, now).await?;
    // Risk follows every screening.
    let assess = Job::AssessRisk { case_id: case.id, assessed_by: "system".into(), review: review.map(str::to_owned) };
    unit.enqueue(&[(Some(org), assess)], now).await?;
    unit.commit().await?;
    Ok(RunOutcome { run_id, screened })
}

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
    audit::record(unit.conn(), &entry, now).await?;
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
    audit::record(unit.conn(), &entry, now).await?;
    let updated = fml_store::screening::hit(unit.conn(), &who.org, case.id, hit_id)
        .await?
        .ok_or(CommandError::NotFound("no such hit on this case"))?;
    unit.commit().await?;
    Ok(updated)
}

/// A boxed future, as the adapters' traits return them.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// A matching service other than the local list (a yente-compatible API): the entities it
/// returns for a subject, each with its score.
pub trait RemoteMatcher: Send + Sync + std::fmt::Debug {
    /// How runs record it (`screening_runs.source`).
    fn source(&self) -> &'static str;
    fn matches<'a>(&'a self, subject: &'a Subject, threshold: f64)
    -> BoxFuture<'a, Result<Vec<(Entity, f64)>, String>>;
}

/// A remote service's matches with the local features beside its score (so each hit is
/// explained the same way whatever found it), above the tenant's threshold.
async fn remote_matches(
    remote: &dyn RemoteMatcher,
    subject: &Subject,
    threshold: f64,
) -> Result<Vec<(Entity, Features, f64)>, CommandError> {
    let found = remote
        .matches(subject, threshold)
        .await
        .map_err(|e| CommandError::Store(StoreError::Config(format!("the screening service failed: {e}"))))?;
    let mut out: Vec<(Entity, Features, f64)> = found
        .into_iter()
        .filter(|(_, score)| *score >= threshold)
        .map(|(entity, score)| {
            let features = compare(subject, &entity);
            (entity, features, score)
        })
        .collect();
    out.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.id.cmp(&b.0.id)));
    out.truncate(MAX_HITS_PER_SUBJECT);
    Ok(out)
}

/// A triage as a triager gives it, with who gave it.
#[derive(Debug, Clone)]
pub struct Judged {
    pub triage: Triage,
    pub model: String,
    pub version: String,
}

/// Triages hits: the offline rules, or a model adapter that falls back to them.
pub trait HitTriager: Send + Sync + std::fmt::Debug {
    fn triage<'a>(&'a self, subject: &'a Subject, entity: &'a Entity, features: &'a Features) -> BoxFuture<'a, Judged>;
}

/// The offline triager (`rules-v1`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Rules;

impl HitTriager for Rules {
    fn triage<'a>(
        &'a self,
        _subject: &'a Subject,
        _entity: &'a Entity,
        features: &'a Features,
    ) -> BoxFuture<'a, Judged> {
        Box::pin(async move { rules(features) })
    }
}

/// The rules' judgement, for adapters to fall back to.
pub fn rules(features: &Features) -> Judged {
    Judged { triage: triage::triage(features), model: triage::MODEL.into(), version: triage::VERSION.into() }
}
