//! The case review ("AI case review"): reads the whole case — screening with the analysts'
//! dispositions, the latest risk assessment, EDD, documents, people — and records a
//! recommendation, a confidence and the risk factors behind them, with the inputs it read,
//! and `ai_review.completed`, in one transaction. The offline reviewer is `rules-v1`
//! (`fml_domain::review`); it reports each step as it goes, so an analyst's review streams.
//! An analyst's streamed review runs as a `review_case` job, followed as it runs ([`follow`]).

mod follow;

pub use follow::{DEADLINE, Followed, Following, POLL, request};

use fml_domain::events::{AiRecommendation, AiReviewCompleted, Confidence, RiskFactor, RiskSeverity, WebhookEvent};
use fml_domain::ids::CaseLocator;
use fml_domain::review::{self, Factor, HitFact, Inputs};
use fml_domain::{CaseId, OrgId, Timestamp};
use fml_store::StoreError;
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::db::Conn;
use fml_store::reviews::{NewReview, ReviewRow};
use serde_json::json;

use crate::cases::load;
use crate::{Analyst, CommandError, Ctx};

/// A step of a review as it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// What was read: a short line.
    Read(String),
    /// A factor found.
    Factor(Factor),
}

/// What the review reads of a case.
pub async fn inputs(mut conn: Conn<'_>, case: &CaseRecord) -> Result<Inputs, StoreError> {
    let org = &case.org_id;
    let (screened, hits) = match fml_store::screening::latest_run(conn.reborrow(), org, case.id).await? {
        None => (false, Vec::new()),
        Some(run) => {
            let hits = fml_store::screening::hits(conn.reborrow(), org, run.id).await?;
            let facts = hits
                .into_iter()
                .map(|h| HitFact {
                    adverse_media: h.entity_id.starts_with(fml_domain::screening::ftm::ARTICLE_PREFIX),
                    entity: serde_json::from_str::<serde_json::Value>(&h.entity)
                        .ok()
                        .and_then(|e| e["caption"].as_str().map(str::to_owned))
                        .unwrap_or(h.entity_id),
                    subject: h.subject_name,
                    role: h.subject_role,
                    standing: h.standing,
                    review: h.review_disposition,
                })
                .collect();
            (true, facts)
        }
    };
    let risk = fml_store::risk::latest_assessment(conn.reborrow(), org, case.id).await?;
    let edd = fml_store::edd::for_case(conn.reborrow(), org, case.id).await?;
    let docs = fml_store::documents::for_case(conn.reborrow(), org, case.id).await?;
    let people = fml_store::persons::roster(conn.reborrow(), org, case.id).await?;
    let idv = fml_store::idv::for_case(conn, org, case.id).await?;
    Ok(Inputs {
        company_name: case.company_name.clone(),
        country: case.country.map(|c| c.as_str().to_owned()),
        screened,
        hits,
        risk_band: risk.as_ref().map(|r| r.band.clone()),
        risk: risk.map(|r| (r.composite_score, r.band_label)),
        edd_outstanding: edd.into_iter().filter(|e| e.status == "outstanding").map(|e| e.label).collect(),
        documents: u32::try_from(docs.len()).unwrap_or(u32::MAX),
        documents_errored: u32::try_from(
            docs.iter().filter(|d| d.status == fml_domain::document::DocumentStatus::Error).count(),
        )
        .unwrap_or(u32::MAX),
        people: u32::try_from(people.len()).unwrap_or(u32::MAX),
        idv: idv
            .into_iter()
            .map(|c| review::IdvFact { person: c.person_name, status: c.status.as_str().to_owned() })
            .collect(),
    })
}

fn recommendation_str(r: AiRecommendation) -> &'static str {
    match r {
        AiRecommendation::Approve => "Approve",
        AiRecommendation::Refer => "Refer",
        AiRecommendation::Decline => "Decline",
    }
}

fn confidence_str(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "High",
        Confidence::Medium => "Medium",
        Confidence::Low => "Low",
    }
}

/// A review with who gave it: the rules, or a model (and its prompt's version).
#[derive(Debug, Clone)]
pub struct Reviewed {
    pub review: review::Review,
    pub model: String,
    pub version: String,
}

impl Reviewed {
    /// The offline reviewer's verdict (`rules-v1`).
    pub fn rules(inputs: &review::Inputs) -> Self {
        Self { review: review::review(inputs), model: review::MODEL.to_owned(), version: review::VERSION.to_owned() }
    }
}

/// Reviews cases: a model adapter that falls back to the rules (without one, the rules).
pub trait CaseReviewer: Send + Sync + std::fmt::Debug {
    fn review<'a>(&'a self, inputs: &'a review::Inputs) -> crate::screening::BoxFuture<'a, Reviewed>;
}

/// Runs `review_case` job `job_id`, publishing its steps to the job's followers on this node;
/// a review the job already stored (its end was not recorded) is not written twice.
pub(crate) async fn run_job(
    ctx: &Ctx,
    org: &OrgId,
    job_id: i64,
    case_id: CaseId,
    triggered_by: &str,
) -> Result<i64, CommandError> {
    // Dropped when the run ends, however it ends, which wakes the followers to read how.
    let live = ctx.review_progress.publish(job_id);
    {
        let mut r = ctx.db.reader().await?;
        if let Some(done) = fml_store::reviews::by_job(r.conn(), org, case_id, job_id).await? {
            return Ok(done.id);
        }
    }
    let (id, _) = run(ctx, org, case_id, triggered_by, Some(job_id), &mut |p| live.send(p)).await?;
    Ok(id)
}

/// Reviews a case now (as job `job_id`, stored with the review); `progress` hears each step.
pub async fn run(
    ctx: &Ctx,
    org: &OrgId,
    case_id: CaseId,
    triggered_by: &str,
    job_id: Option<i64>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<(i64, review::Review), CommandError> {
    let inputs = {
        let mut r = ctx.db.reader().await?;
        let case = fml_store::cases::get_in(r.conn(), org, &CaseLocator::Id(case_id))
            .await?
            .ok_or(CommandError::NotFound("no such case"))?;
        inputs(r.conn(), &case).await?
    };
    progress(Progress::Read(if inputs.screened {
        format!("Screening: {} hit(s) on the latest run", inputs.hits.len())
    } else {
        "Screening: not run yet".to_owned()
    }));
    progress(Progress::Read(match &inputs.risk {
        Some((score, band)) => format!("Risk: {score} ({band})"),
        None => "Risk: not assessed yet".to_owned(),
    }));
    progress(Progress::Read(format!(
        "EDD: {} outstanding; documents: {} ({} errored); people: {}",
        inputs.edd_outstanding.len(),
        inputs.documents,
        inputs.documents_errored,
        inputs.people
    )));
    progress(Progress::Read(format!(
        "Identity verification: {} of {} check(s) passed or satisfied",
        inputs.idv.iter().filter(|c| c.status == "pass" || c.status == "satisfied").count(),
        inputs.idv.len()
    )));
    let reviewed = match &ctx.reviewer {
        Some(r) => r.review(&inputs).await,
        None => Reviewed::rules(&inputs),
    };
    let review = reviewed.review;
    for f in &review.factors {
        progress(Progress::Factor(f.clone()));
    }
    let now = Timestamp::now();
    let factors_json = serde_json::to_string(&review.factors).unwrap_or_default();
    let inputs_json = serde_json::to_string(&inputs).unwrap_or_default();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, org, &CaseLocator::Id(case_id)).await?;
    let record = NewReview {
        triggered_by,
        recommendation: recommendation_str(review.recommendation),
        confidence: confidence_str(review.confidence),
        risk_factors: &factors_json,
        inputs: &inputs_json,
        model: &reviewed.model,
        prompt_version: &reviewed.version,
        completed_at: now,
        job_id,
    };
    let id = fml_store::reviews::insert(unit.conn(), org, case.id, &record).await?;
    let event = AiReviewCompleted {
        case_id: case.id,
        case_reference: case.reference.clone(),
        review_id: id,
        company_name: case.company_name.clone(),
        triggered_by: triggered_by.to_owned(),
        recommendation: review.recommendation,
        confidence: review.confidence,
        risk_factor_count: u32::try_from(review.factors.len()).unwrap_or(u32::MAX),
        risk_factors: review
            .factors
            .iter()
            .map(|f| RiskFactor { text: f.text.clone(), severity: f.severity })
            .collect::<Vec<_>>(),
        completed_at: now,
    };
    unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
    let mut detail = json!({"reviewId": id, "triggeredBy": triggered_by, "recommendation": record.recommendation,
                            "model": reviewed.model});
    if let Some(job) = job_id {
        detail["jobId"] = job.into();
    }
    let entry = audit::Entry {
        org: Some(org),
        case_id: Some(case.id),
        actor_kind: ActorKind::System,
        actor: "system",
        action: "ai_review.run",
        detail,
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok((id, review))
}

/// An analyst's review, run now (the tenant checked first).
pub async fn run_for(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<(i64, review::Review), CommandError> {
    let case = {
        let mut r = ctx.db.reader().await?;
        fml_store::cases::get_in(r.conn(), &who.org, locator).await?.ok_or(CommandError::NotFound("no such case"))?
    };
    run(ctx, &who.org, case.id, &who.email, None, progress).await
}

/// A case's reviews, newest first.
pub async fn list(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
) -> Result<(CaseRecord, Vec<ReviewRow>), CommandError> {
    let mut r = ctx.db.reader().await?;
    let case =
        fml_store::cases::get_in(r.conn(), &who.org, locator).await?.ok_or(CommandError::NotFound("no such case"))?;
    let rows = fml_store::reviews::for_case(r.conn(), &who.org, case.id).await?;
    Ok((case, rows))
}

/// A severity as the guide spells it.
pub fn severity_str(s: RiskSeverity) -> &'static str {
    match s {
        RiskSeverity::High => "HIGH",
        RiskSeverity::Medium => "MEDIUM",
        RiskSeverity::Low => "LOW",
    }
}
