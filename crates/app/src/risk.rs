//! Risk scoring and routing of a case: the facts the engines stored (country, entity type,
//! screening, identity verification, EDD) scored with the tenant's risk model, then routed by
//! its decision policy — `risk.assessed`, `routing.evaluated` and, when the policy may decide
//! and the case is in review, the decision as `system` — in one transaction.

use fml_domain::events::{CaseDecisionMade, DecisionOutcome, RiskAssessed, RoutingEvaluated, WebhookEvent};
use fml_domain::ids::CaseLocator;
use fml_domain::jobs::Job;
use fml_domain::lifecycle::{self, Action, Outcome, Verdict};
use fml_domain::policy::{self, AUTO_APPROVE, DECLINE, Policy, Routing};
use fml_domain::risk::{self, Assessment, IdvState, Inputs, RiskModel, ScreeningState};
use fml_domain::{CaseStatus, OrgId, Timestamp};
use fml_store::StoreError;
use fml_store::audit::{self, ActorKind};
use fml_store::cases::{CaseRecord, Decision};
use fml_store::db::Conn;
use fml_store::risk::{AssessmentRow, ConfigKind, ConfigRow, NewAssessment, NewRouting, RoutingRow};
use serde_json::json;

use crate::cases::{load, move_case};
use crate::{Analyst, CommandError, Ctx};

/// What risk knows of a case, from what the engines stored.
pub async fn inputs(mut conn: Conn<'_>, case: &CaseRecord) -> Result<Inputs, StoreError> {
    let org = &case.org_id;
    let (mut sanctioned, mut pep, mut matched) = (0u32, 0u32, 0u32);
    let screening = match fml_store::screening::latest_run(conn.reborrow(), org, case.id).await? {
        None => ScreeningState::NotScreened,
        Some(run) => {
            for h in fml_store::screening::hits(conn.reborrow(), org, run.id).await? {
                // An analyst's "false positive" takes the hit out; the triage alone does not.
                if h.review_disposition.as_deref() == Some("false_positive") {
                    continue;
                }
                match h.standing.as_str() {
                    "sanctioned" => sanctioned += 1,
                    "pep" => pep += 1,
                    _ => matched += 1,
                }
            }
            if sanctioned > 0 {
                ScreeningState::Sanctioned
            } else if pep > 0 {
                ScreeningState::Pep
            } else if matched > 0 {
                ScreeningState::Match
            } else {
                ScreeningState::Clear
            }
        }
    };
    let people = fml_store::persons::roster(conn.reborrow(), org, case.id).await?;
    let checks = fml_store::idv::for_case(conn.reborrow(), org, case.id).await?;
    let idv = idv_state(&people, &checks);
    let edd = fml_store::risk::edd_outstanding(conn, org, case.id).await?;
    Ok(Inputs {
        country: case.country.map(|c| c.as_str().to_owned()),
        entity_type: case.entity_type.clone(),
        screening,
        sanctioned_hits: sanctioned,
        pep_hits: pep,
        match_hits: matched,
        idv,
        edd_outstanding: u32::try_from(edd).unwrap_or(u32::MAX),
    })
}

/// The case's identity verification as one state: the worst of the people who need it (a
/// person without a check is pending); nobody needing it is a pass.
fn idv_state(people: &[fml_store::persons::CasePerson], checks: &[fml_store::idv::IdvCheck]) -> IdvState {
    use fml_domain::idv::IdvStatus;
    let mut state = IdvState::Passed;
    for p in people.iter().filter(|p| fml_domain::idv::needs_idv(&p.entry.roles)) {
        let this = match checks.iter().find(|c| c.person_key == p.entry.person_key).map(|c| c.status) {
            Some(IdvStatus::Pass | IdvStatus::Satisfied) => IdvState::Passed,
            Some(IdvStatus::Fail) => IdvState::Failed,
            Some(IdvStatus::ManualReview) => IdvState::ManualReview,
            Some(IdvStatus::Dispatched) | None => IdvState::Pending,
        };
        state = worst(state, this);
    }
    state
}

fn worst(a: IdvState, b: IdvState) -> IdvState {
    let rank = |s: IdvState| match s {
        IdvState::Passed => 0,
        IdvState::Pending => 1,
        IdvState::ManualReview => 2,
        IdvState::Failed => 3,
    };
    if rank(b) > rank(a) { b } else { a }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// The model in force (the default written as version 1 on first use).
async fn model_row(mut conn: Conn<'_>, org: &OrgId, now: Timestamp) -> Result<(ConfigRow, RiskModel), StoreError> {
    let row = match fml_store::risk::active(conn.reborrow(), org, ConfigKind::RiskModel).await? {
        Some(r) => r,
        None => {
            let json = serde_json::to_string(&RiskModel::default_model()).unwrap_or_default();
            fml_store::risk::add_version(conn, org, ConfigKind::RiskModel, "", &json, "system", now).await?
        }
    };
    let model = serde_json::from_str(&row.config).map_err(|e| corrupt("risk model", e))?;
    Ok((row, model))
}

/// The policy in force (the default written as version 1 on first use).
async fn policy_row(mut conn: Conn<'_>, org: &OrgId, now: Timestamp) -> Result<(ConfigRow, Policy), StoreError> {
    let row = match fml_store::risk::active(conn.reborrow(), org, ConfigKind::Policy).await? {
        Some(r) => r,
        None => {
            let p = Policy::default_policy();
            let json = serde_json::to_string(&p).unwrap_or_default();
            fml_store::risk::add_version(conn, org, ConfigKind::Policy, &p.name, &json, "system", now).await?
        }
    };
    let policy = serde_json::from_str(&row.config).map_err(|e| corrupt("decision policy", e))?;
    Ok((row, policy))
}

/// What an assessment did.
#[derive(Debug, Clone)]
pub struct Assessed {
    pub assessment_id: i64,
    pub assessment: Assessment,
    pub routing: Routing,
    /// The decision the policy made, if it made one.
    pub decided: Option<CaseStatus>,
}

/// Assesses and routes a case now (the `assess_risk` job). `assessed_by` is "system" or the
/// analyst who asked.
pub async fn assess(
    ctx: &Ctx,
    org: &OrgId,
    case_id: fml_domain::CaseId,
    assessed_by: &str,
    review: Option<&str>,
) -> Result<Assessed, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, org, &CaseLocator::Id(case_id)).await?;
    let (model_row, model) = model_row(unit.conn(), org, now).await?;
    let (policy_row, policy) = policy_row(unit.conn(), org, now).await?;
    let inputs = inputs(unit.conn(), &case).await?;
    let assessment = risk::assess(&model, &inputs);
    let band =
        serde_json::to_value(assessment.band).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let record = NewAssessment {
        config_id: model_row.id,
        composite_score: assessment.composite,
        band,
        band_label: assessment.band_label.clone(),
        factors: serde_json::to_string(&assessment.factors).unwrap_or_default(),
        inputs: serde_json::to_string(&inputs).unwrap_or_default(),
        override_reason: assessment.override_reason.clone(),
        assessed_by: assessed_by.to_owned(),
        assessed_at: now,
    };
    let assessment_id = fml_store::risk::insert_assessment(unit.conn(), org, case.id, &record).await?;
    let crm = case.crm_record_id.clone();
    unit.emit(
        RiskAssessed {
            case_id: case.id,
            case_reference: case.reference.clone(),
            assessment_id,
            config_id: model_row.id,
            composite_score: fml_domain::Percent::of(assessment.composite),
            band_id: assessment.band,
            band_label: assessment.band_label.clone(),
            assessed_by: assessed_by.to_owned(),
            assessed_at: now,
        }
        .emit(&case.org_id, crm.as_deref(), now),
    );

    let attrs = policy::attributes(&inputs, &assessment);
    let routing = policy::evaluate(&policy, &attrs);
    // The policy decides only what it may: its decision outcomes, when the tenant allows it,
    // and only a case in review (the lifecycle's AutoDecide).
    let auto = match routing.outcome.as_str() {
        AUTO_APPROVE if policy.auto_decide => Some(Outcome::Approved),
        DECLINE if policy.auto_decide => Some(Outcome::Declined),
        _ => None,
    };
    // Nor does it approve what the decision controls call high-risk (a hit nobody has
    // disposed of, an open alert, whatever a tenant's rules say): that is a person's call.
    let auto = match auto {
        Some(Outcome::Approved) => {
            let mut facts = fml_store::approvals::facts(unit.conn(), org, case.id).await?;
            facts.routing = Some(routing.outcome.clone());
            fml_domain::controls::concerns(&facts).is_empty().then_some(Outcome::Approved)
        }
        other => other,
    };
    let decided =
        match auto.map(|o| (o, lifecycle::judge(case.status, Action::AutoDecide(o), lifecycle::Actor::System))) {
            Some((o, Verdict::Move { to, .. })) => Some((o, to)),
            _ => None,
        };
    let routing_id = fml_store::risk::insert_routing(
        unit.conn(),
        org,
        case.id,
        &NewRouting {
            assessment_id,
            policy_id: policy_row.id,
            policy_name: policy.name.clone(),
            matched_rule_index: routing.matched_rule_index.and_then(|i| i32::try_from(i).ok()),
            outcome: routing.outcome.clone(),
            attributes: serde_json::Value::Object(attrs.clone()).to_string(),
            decided: decided.map(|(_, to)| if to == CaseStatus::Approved { "approved" } else { "declined" }),
            evaluated_at: now,
        },
    )
    .await?;
    unit.emit(
        RoutingEvaluated {
            case_id: case.id,
            case_reference: case.reference.clone(),
            policy_id: policy_row.id,
            policy_name: policy.name.clone(),
            matched_rule_index: routing.matched_rule_index,
            outcome: routing.outcome.clone(),
            evaluated_at: now,
        }
        .emit(&case.org_id, crm.as_deref(), now),
    );
    let rule = match (routing.matched_rule_index, &routing.rule_name) {
        (Some(i), Some(n)) => format!("rule {i} \"{n}\""),
        (Some(i), None) => format!("rule {i}"),
        (None, _) => "the default branch".to_owned(),
    };
    if let Some((outcome, to)) = decided {
        let notes = format!(
            "Decided automatically by policy \"{}\" (id {}, version {}), {rule}: {}. Risk {} ({}), assessment {assessment_id}.",
            policy.name,
            policy_row.id,
            policy_row.version,
            routing.outcome,
            assessment.composite,
            assessment.band_label
        );
        let decision = Decision { notes: notes.clone(), decided_by: "system".into(), decided_at: now };
        let moved = move_case(&mut unit, &case, to, "system", Some(&decision), None, now).await?;
        let event = CaseDecisionMade {
            case_id: moved.id,
            case_reference: moved.reference.clone(),
            outcome: match outcome {
                Outcome::Approved => DecisionOutcome::Approved,
                Outcome::Declined => DecisionOutcome::Declined,
            },
            notes,
            analyst_email: "system".into(),
            decided_at: now,
            company_name: moved.company_name.clone(),
        };
        unit.emit(event.emit(&moved.org_id, moved.crm_record_id.as_deref(), now));
    }
    let entry = audit::Entry {
        org: Some(org),
        case_id: Some(case.id),
        actor_kind: ActorKind::System,
        actor: "system",
        action: "risk.assess",
        detail: json!({
            "assessmentId": assessment_id, "assessedBy": assessed_by, "configId": model_row.id,
            "score": assessment.composite, "band": assessment.band, "routingId": routing_id,
            "policyId": policy_row.id, "outcome": routing.outcome, "rule": rule,
            "decided": decided.map(|(_, to)| to.as_str()),
        }),
    };
    unit.audit(&entry, now);
    if let Some(tag) = review {
        unit.enqueue(&[(Some(org), Job::ReviewCase { case_id: case.id, triggered_by: tag.to_owned() })], now).await?;
    }
    unit.commit().await?;
    Ok(Assessed { assessment_id, assessment, routing, decided: decided.map(|(_, to)| to) })
}

/// An analyst asks for a recompute: an `assess_risk` job under their email.
pub async fn request(ctx: &Ctx, who: &Analyst, locator: &CaseLocator) -> Result<CaseRecord, CommandError> {
    crate::cases::queue_engine(ctx, who, locator, "risk.request", |case| Job::AssessRisk {
        case_id: case.id,
        assessed_by: who.email.clone(),
        review: None,
    })
    .await
}

/// A case's latest assessment and routing.
pub async fn results(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
) -> Result<(CaseRecord, Option<AssessmentRow>, Option<RoutingRow>), CommandError> {
    let mut r = ctx.db.reader().await?;
    let case =
        fml_store::cases::get_in(r.conn(), &who.org, locator).await?.ok_or(CommandError::NotFound("no such case"))?;
    let a = fml_store::risk::latest_assessment(r.conn(), &who.org, case.id).await?;
    let routing = fml_store::risk::latest_routing(r.conn(), &who.org, case.id).await?;
    Ok((case, a, routing))
}

/// The risk model or policy in force, as stored (the defaults written on first read).
pub async fn active(ctx: &Ctx, org: &OrgId, kind: ConfigKind) -> Result<ConfigRow, CommandError> {
    {
        let mut r = ctx.db.reader().await?;
        if let Some(row) = fml_store::risk::active(r.conn(), org, kind).await? {
            return Ok(row);
        }
    }
    let now = Timestamp::now();
    // The defaults, written once so that later assessments can name the config they used.
    let mut unit = ctx.bookkeeping().await?;
    let row = match kind {
        ConfigKind::RiskModel => model_row(unit.conn(), org, now).await?.0,
        ConfigKind::Policy => policy_row(unit.conn(), org, now).await?.0,
    };
    unit.commit().await?;
    Ok(row)
}

fn require_admin(who: &Analyst) -> Result<(), CommandError> {
    if who.role >= fml_domain::lifecycle::Role::Admin {
        Ok(())
    } else {
        Err(CommandError::Forbidden("only an admin may change the risk model or the decision policy"))
    }
}

/// Saves a new version of the risk model (admins); checked first.
pub async fn save_model(ctx: &Ctx, who: &Analyst, model: &RiskModel) -> Result<ConfigRow, CommandError> {
    require_admin(who)?;
    model.validate().map_err(CommandError::Validation)?;
    save(ctx, who, ConfigKind::RiskModel, "", &serde_json::to_string(model).unwrap_or_default()).await
}

/// Saves a new version of the decision policy (admins); checked first.
pub async fn save_policy(ctx: &Ctx, who: &Analyst, p: &Policy) -> Result<ConfigRow, CommandError> {
    require_admin(who)?;
    p.validate().map_err(CommandError::Validation)?;
    save(ctx, who, ConfigKind::Policy, &p.name, &serde_json::to_string(p).unwrap_or_default()).await
}

async fn save(ctx: &Ctx, who: &Analyst, kind: ConfigKind, name: &str, json: &str) -> Result<ConfigRow, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let row = fml_store::risk::add_version(unit.conn(), &who.org, kind, name, json, &who.email, now).await?;
    let action = match kind {
        ConfigKind::RiskModel => "risk_model.save",
        ConfigKind::Policy => "policy.save",
    };
    let entry = audit::Entry {
        org: Some(&who.org),
        case_id: None,
        actor_kind: ActorKind::Analyst,
        actor: &who.email,
        action,
        detail: json!({"id": row.id, "version": row.version}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(row)
}

/// A dry run of a policy (the one given, else the one in force) on a case: its attributes now
/// (scored with the model in force) and the routing, nothing written.
pub async fn dry_run(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    candidate: Option<Policy>,
) -> Result<(serde_json::Map<String, serde_json::Value>, Routing, Assessment), CommandError> {
    if let Some(p) = &candidate {
        p.validate().map_err(CommandError::Validation)?;
    }
    let model_row = active(ctx, &who.org, ConfigKind::RiskModel).await?;
    let policy_row = active(ctx, &who.org, ConfigKind::Policy).await?;
    let model: RiskModel = serde_json::from_str(&model_row.config).map_err(|e| corrupt("risk model", e))?;
    let policy = match candidate {
        Some(p) => p,
        None => serde_json::from_str(&policy_row.config).map_err(|e| corrupt("decision policy", e))?,
    };
    let mut r = ctx.db.reader().await?;
    let case =
        fml_store::cases::get_in(r.conn(), &who.org, locator).await?.ok_or(CommandError::NotFound("no such case"))?;
    let inputs = inputs(r.conn(), &case).await?;
    let assessment = risk::assess(&model, &inputs);
    let attrs = policy::attributes(&inputs, &assessment);
    let routing = policy::evaluate(&policy, &attrs);
    Ok((attrs, routing, assessment))
}
