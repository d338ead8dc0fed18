//! Settings → Engines (admins): the screening threshold, the risk model and the decision
//! policy (each saved as a new version by the same commands as the API, checked by the same
//! validators), and a policy's dry run on a case before it is saved.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fml_app::CommandError;
use fml_app::queries::records::ConfigKind;
use fml_domain::policy::Policy;
use fml_domain::risk::RiskModel;

use crate::error::ConsoleError;
use crate::form::Posted;
use crate::session::Viewer;
use crate::view::{Chrome, When, notice};
use crate::{DoneQuery, html};
use fml_web::extract::Admin;
use fml_web::state::AppState;

#[derive(Template)]
#[template(path = "console/engines.html")]
struct EnginesPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    /// Which form was refused, and why.
    error: Option<(&'static str, String)>,
    threshold: String,
    interval: String,
    model: String,
    /// The model as a form (its weights, bands and country lists).
    model_form: crate::risk_form::ModelForm,
    model_version: (i64, i32, String, When),
    policy: String,
    /// The policy as a form (its rules and their conditions).
    policy_form: crate::policy_form::PolicyForm,
    attributes: Vec<&'static str>,
    ops: [(&'static str, &'static str); 7],
    policy_version: (i64, i32, String, When),
    dry_case: String,
    /// Outcome, rule, score and band of a dry run.
    dry: Option<(String, String, String, String)>,
    /// Who does what (the operator's configuration, shown, not edited here): engine, provider.
    providers: Vec<(&'static str, String)>,
}

/// The engines' providers as configured for this process.
fn providers(st: &AppState) -> Vec<(&'static str, String)> {
    let v = &st.config.vendors;
    let model = v.anthropic.as_ref().map(|a| a.model.clone());
    vec![
        (
            "Screening",
            v.yente.as_ref().map_or_else(
                || "the local watch list (fml sanctions import)".to_owned(),
                |y| format!("yente-compatible service at {} (dataset {})", y.base_url, y.dataset),
            ),
        ),
        (
            "Hit triage and case review",
            model.map_or_else(
                || "rules-v1 (offline)".to_owned(),
                |m| format!("Anthropic {m}, falling back to rules-v1"),
            ),
        ),
        ("Document processing", "rules-v1 (offline: PDF text layers, image text, passport zones)".to_owned()),
        (
            "Identity verification",
            v.didit.as_ref().map_or_else(
                || "the built-in verification page (an analyst confirms each document)".to_owned(),
                |d| format!("Didit, workflow {}", d.workflow_id),
            ),
        ),
    ]
}

#[derive(Default)]
struct Shown {
    notice: Option<&'static str>,
    error: Option<(&'static str, String)>,
    threshold: Option<String>,
    interval: Option<String>,
    model: Option<String>,
    model_form: Option<crate::risk_form::ModelForm>,
    policy: Option<String>,
    policy_form: Option<crate::policy_form::PolicyForm>,
    dry_case: String,
    dry: Option<(String, String, String, String)>,
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| json.to_owned())
}

async fn render(st: &AppState, who: &Viewer<Admin>, s: Shown, status: StatusCode) -> Result<Response, ConsoleError> {
    let org = &who.analyst.org;
    let model = fml_app::risk::active(&st.ctx, org, ConfigKind::RiskModel).await?;
    let policy = fml_app::risk::active(&st.ctx, org, ConfigKind::Policy).await?;
    let threshold = match s.threshold {
        Some(t) => t,
        None => format!("{}", fml_app::screening::threshold(&st.ctx, org).await?),
    };
    let interval = match s.interval {
        Some(i) => i,
        None => fml_app::monitoring::interval(&st.db, org).await?.to_string(),
    };
    let in_force: RiskModel = stored(&model.config)?;
    let policy_in_force: Policy = stored(&policy.config)?;
    let page = EnginesPage {
        policy_form: s.policy_form.unwrap_or_else(|| crate::policy_form::PolicyForm::of(&policy_in_force)),
        attributes: crate::policy_form::attributes(),
        ops: crate::policy_form::OPS,
        model_form: s.model_form.unwrap_or_else(|| crate::risk_form::ModelForm::of(&in_force)),
        chrome: who.chrome("settings"),
        notice: s.notice,
        error: s.error,
        threshold,
        interval,
        model: s.model.unwrap_or_else(|| pretty(&model.config)),
        model_version: (model.id, model.version, model.created_by, When::millis(model.created_at)),
        policy: s.policy.unwrap_or_else(|| pretty(&policy.config)),
        policy_version: (policy.id, policy.version, policy.created_by, When::millis(policy.created_at)),
        dry_case: s.dry_case,
        dry: s.dry,
        providers: providers(st),
    };
    Ok(html(status, page.render()))
}

pub async fn page(
    State(st): State<AppState>,
    who: Viewer<Admin>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ConsoleError> {
    render(&st, &who, Shown { notice: notice(q.done.as_deref()), ..Shown::default() }, StatusCode::OK).await
}

/// What a form's outcome renders: back to the page, or the page with the refusal beside the
/// form and what was typed.
async fn after(
    st: &AppState,
    form: &Posted<Admin>,
    which: &'static str,
    result: Result<(), CommandError>,
    keep: Shown,
) -> Result<Response, ConsoleError> {
    match result {
        Ok(()) => Ok(Redirect::to("/settings/engines?done=engines").into_response()),
        Err(e) => {
            let msg = crate::settings::refusal(e)?;
            let shown = Shown { error: Some((which, msg)), ..keep };
            render(st, &form.who, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// A configuration version as stored (written by our own validators): unreadable is a fault
/// to report, never a reason to show or save the defaults in its place.
fn stored<T: serde::de::DeserializeOwned>(config: &str) -> Result<T, ConsoleError> {
    serde_json::from_str(config).map_err(|e| ConsoleError::Internal(format!("a stored configuration: {e}")))
}

/// Refusals named as the forms name the place, one sentence each.
fn sentences(errors: &[fml_domain::FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}.", e.field, e.message)).collect::<Vec<_>>().join(" ")
}

fn parse<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T, CommandError> {
    serde_json::from_str(raw).map_err(|e| {
        let place = if e.line() > 0 { format!(" at line {}, column {}", e.line(), e.column()) } else { String::new() };
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "This is not valid JSON",
            _ => "This JSON is not a configuration of this kind",
        };
        CommandError::field("config", format!("{what}{place}. Check the field names, brackets and quotes there"))
    })
}

pub async fn threshold(State(st): State<AppState>, form: Posted<Admin>) -> Result<Response, ConsoleError> {
    let raw = form.fields.text("threshold").trim().to_owned();
    let r = match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => fml_app::screening::set_threshold(&st.ctx, form.analyst(), v).await.map(drop),
        _ => Err(CommandError::field("threshold", "a number such as 0.85")),
    };
    after(&st, &form, "threshold", r, Shown { threshold: Some(raw), ..Shown::default() }).await
}

pub async fn interval(State(st): State<AppState>, form: Posted<Admin>) -> Result<Response, ConsoleError> {
    let raw = form.fields.text("intervalHours").trim().to_owned();
    let r = match raw.parse::<i64>() {
        Ok(h) => fml_app::monitoring::set_interval(&st.ctx, form.analyst(), h).await.map(drop),
        Err(_) => Err(CommandError::field("intervalHours", "a whole number of hours from 1 to 720")),
    };
    after(&st, &form, "interval", r, Shown { interval: Some(raw), ..Shown::default() }).await
}

pub async fn risk_model(State(st): State<AppState>, form: Posted<Admin>) -> Result<Response, ConsoleError> {
    let raw = form.fields.text("config").to_owned();
    let r = match parse::<RiskModel>(&raw) {
        Ok(m) => fml_app::risk::save_model(&st.ctx, form.analyst(), &m).await.map(drop),
        Err(e) => Err(e),
    };
    after(&st, &form, "model", r, Shown { model: Some(raw), ..Shown::default() }).await
}

/// The risk model's form: the version in force with the form's values, saved as a new one.
pub async fn risk_form(State(st): State<AppState>, form: Posted<Admin>) -> Result<Response, ConsoleError> {
    let row = fml_app::risk::active(&st.ctx, &form.analyst().org, ConfigKind::RiskModel).await?;
    let base: RiskModel = stored(&row.config)?;
    let r = match crate::risk_form::apply(base.clone(), &form.fields) {
        Ok(m) => match m.validate() {
            Ok(()) => fml_app::risk::save_model(&st.ctx, form.analyst(), &m).await.map(drop),
            Err(errors) => Err(CommandError::Validation(errors.into_iter().map(labelled).collect())),
        },
        Err(e) => Err(e),
    };
    let keep = Shown { model_form: Some(crate::risk_form::ModelForm::posted(&base, &form.fields)), ..Shown::default() };
    match r {
        Err(CommandError::Validation(errors)) => {
            let msg = sentences(&errors);
            let shown = Shown { error: Some(("model-form", msg)), ..keep };
            render(&st, &form.who, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        other => after(&st, &form, "model-form", other, keep).await,
    }
}

/// A model rule's JSON path as the form names the place.
fn labelled(e: fml_domain::FieldError) -> fml_domain::FieldError {
    let label = match e.field.split(['.', '[']).next().unwrap_or("") {
        "weights" => "Weights",
        "bands" => "Bands",
        "highRiskCountries" => "High-risk countries",
        "mediumRiskCountries" => "Medium-risk countries",
        _ => return e,
    };
    fml_domain::FieldError::new(label, e.message)
}

pub async fn policy(State(st): State<AppState>, form: Posted<Admin>) -> Result<Response, ConsoleError> {
    let raw = form.fields.text("config").to_owned();
    let result = match parse::<Policy>(&raw) {
        Ok(p) => {
            if form.fields.text("action") == "dry-run" {
                let keep = Shown { policy: Some(raw), ..Shown::default() };
                return dry_run(&st, &form, p, "policy", keep).await;
            }
            fml_app::risk::save_policy(&st.ctx, form.analyst(), &p).await.map(drop)
        }
        Err(e) => Err(e),
    };
    let keep = Shown { policy: Some(raw), dry_case: form.fields.text("case").to_owned(), ..Shown::default() };
    after(&st, &form, "policy", result, keep).await
}

/// The policy's form: saved as a new version, or tried on a case (`action=dry-run`).
pub async fn policy_form(State(st): State<AppState>, form: Posted<Admin>) -> Result<Response, ConsoleError> {
    let posted = crate::policy_form::PolicyForm::posted(&form.fields);
    let parsed = crate::policy_form::parse(&form.fields).and_then(|p| match p.validate() {
        Ok(()) => Ok(p),
        Err(errors) => Err(errors.into_iter().map(crate::policy_form::label).collect()),
    });
    let keep = Shown { policy_form: Some(posted), dry_case: form.fields.text("case").to_owned(), ..Shown::default() };
    match parsed {
        Err(errors) => {
            let msg = sentences(&errors);
            let shown = Shown { error: Some(("policy-form", msg)), ..keep };
            render(&st, &form.who, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Ok(p) if form.fields.text("action") == "dry-run" => dry_run(&st, &form, p, "policy-form", keep).await,
        Ok(p) => {
            let r = fml_app::risk::save_policy(&st.ctx, form.analyst(), &p).await.map(drop);
            after(&st, &form, "policy-form", r, keep).await
        }
    }
}

async fn dry_run(
    st: &AppState,
    form: &Posted<Admin>,
    p: Policy,
    which: &'static str,
    keep: Shown,
) -> Result<Response, ConsoleError> {
    let case = form.fields.text("case").trim().to_owned();
    let keep = Shown { dry_case: case.clone(), ..keep };
    let located = fml_domain::ids::CaseLocator::parse(&case)
        .ok_or_else(|| CommandError::field("case", "a case reference (CS-…) or id"));
    let r = match located {
        Ok(l) => fml_app::risk::dry_run(&st.ctx, form.analyst(), &l, Some(p)).await,
        Err(e) => Err(e),
    };
    match r {
        Ok((_, routing, a)) => {
            let rule = routing.matched_rule_index.map_or_else(
                || "the default branch".to_owned(),
                // People count rules from 1.
                |i| format!("rule {}{}", i + 1, routing.rule_name.map(|n| format!(" “{n}”")).unwrap_or_default()),
            );
            let dry = (routing.outcome, rule, format!("{:.0}", a.composite), a.band_label);
            render(st, &form.who, Shown { dry: Some(dry), ..keep }, StatusCode::OK).await
        }
        Err(CommandError::NotFound(_)) => {
            let shown = Shown { error: Some((which, "No such case in your tenant.".into())), ..keep };
            render(st, &form.who, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => after(st, form, which, Err(e), keep).await,
    }
}
