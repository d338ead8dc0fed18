//! Settings (admins): the tenant's branding for emails and the portal, and its analysts. The
//! engines' editors (risk model, decision policy, monitoring) join this page as more sections.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use fml_app::CommandError;
use fml_app::settings::SettingsPatch;
use fml_domain::lifecycle::Role;

use crate::error::ConsoleError;
use crate::form::Posted;
use crate::session::Viewer;
use crate::view::{Chrome, Echo, When, notice};
use crate::{DoneQuery, html};
use fml_web::extract::Admin;
use fml_web::state::AppState;

pub struct AnalystLine {
    pub id: String,
    pub is_me: bool,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub since: When,
    pub disabled: bool,
}

/// An analyst just added: their first password, shown once.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct NewAnalyst {
    pub email: String,
    pub password: String,
}

#[derive(Template)]
#[template(path = "console/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    org_name: String,
    display_name: String,
    logo_url: String,
    support_email: String,
    second_approval: bool,
    public_applications: bool,
    public_applications_per_hour: String,
    /// Where the public link is, for the admin to copy.
    apply_url: String,
    analysts: Vec<AnalystLine>,
    notice: Option<&'static str>,
    branding_error: Option<String>,
    controls_error: Option<String>,
    analyst_error: Option<String>,
    added: Option<NewAnalyst>,
    echo: Echo,
}

#[derive(Default)]
struct Outcome {
    notice: Option<&'static str>,
    branding_error: Option<String>,
    controls_error: Option<String>,
    analyst_error: Option<String>,
    added: Option<NewAnalyst>,
    /// A refused form as posted.
    echo: Echo,
}

async fn render(st: &AppState, who: &Viewer<Admin>, o: Outcome, status: StatusCode) -> Result<Response, ConsoleError> {
    let b = fml_app::settings::get(&st.ctx, &who.analyst).await?;
    let analysts = fml_app::queries::analysts(&st.ctx, &who.analyst.org)
        .await?
        .into_iter()
        .map(|a| AnalystLine {
            id: a.id.to_string(),
            is_me: a.id == who.analyst.id,
            role: a.role.as_str(),
            since: a.created_at.into(),
            disabled: a.disabled_at.is_some(),
            name: a.name,
            email: a.email,
        })
        .collect();
    // A refused branding form shows what was typed, so the error is about what is on screen.
    let (display_name, logo_url, support_email) = if o.echo.form == "branding" {
        let v = |n: &str| o.echo.value("branding", n).to_owned();
        (v("displayName"), v("logoUrl"), v("supportEmail"))
    } else {
        let st = &b.settings;
        (
            st.display_name.clone().unwrap_or_default(),
            st.logo_url.clone().unwrap_or_default(),
            st.support_email.clone().unwrap_or_default(),
        )
    };
    let (second_approval, public_applications, public_applications_per_hour) = if o.echo.form == "controls" {
        let v = |n: &str| o.echo.value("controls", n).to_owned();
        (v("secondApproval") == "on", v("publicApplications") == "on", v("publicApplicationsPerHour"))
    } else {
        let s = &b.settings;
        (s.second_approval, s.public_applications, s.public_applications_per_hour.to_string())
    };
    let apply_url = format!("{}/apply/{}", st.config.portal_url, who.analyst.org);
    let view = SettingsPage {
        chrome: who.chrome("settings"),
        org_name: b.org_name.clone(),
        display_name,
        logo_url,
        support_email,
        second_approval,
        public_applications,
        public_applications_per_hour,
        apply_url,
        analysts,
        notice: o.notice,
        branding_error: o.branding_error,
        controls_error: o.controls_error,
        analyst_error: o.analyst_error,
        added: o.added,
        echo: o.echo,
    };
    Ok(html(status, view.render()))
}

/// A refused form's message, or the error to raise (shared by the settings pages).
pub(super) fn refusal(e: CommandError) -> Result<String, ConsoleError> {
    match e {
        CommandError::Validation(errors) => Ok(errors.iter().map(said).collect::<Vec<_>>().join(" ")),
        CommandError::Conflict(_, m) | CommandError::Unprocessable(_, m) => Ok(m),
        other => Err(other.into()),
    }
}

/// A refused field as a sentence naming it as the form does; a field of a JSON configuration
/// keeps its path there, since that is where the analyst must look.
fn said(e: &fml_domain::FieldError) -> String {
    let label = match e.field.as_str() {
        "displayName" => "Display name",
        "logoUrl" => "Logo URL",
        "supportEmail" => "Support email",
        "publicApplicationsPerHour" => "Applications per hour",
        "threshold" => "Match threshold",
        "intervalHours" => "Monitoring interval",
        "email" => "Email",
        "name" => "Name",
        "password" => "Password",
        "role" => "Role",
        "config" => return format!("{}.", e.message),
        path => return format!("In the JSON, {path}: {}.", e.message),
    };
    format!("{label}: {}.", e.message)
}

/// The flash kind of a just-added analyst (their first password, shown once).
const ADDED: &str = "analyst";

pub async fn page(
    State(st): State<AppState>,
    who: Viewer<Admin>,
    headers: HeaderMap,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ConsoleError> {
    let (added, clear) = crate::flash::take::<NewAnalyst>(&st, &headers, &who.session, ADDED);
    let notice = if added.is_some() { Some("Analyst added.") } else { notice(q.done.as_deref()) };
    let o = Outcome { notice, added, ..Outcome::default() };
    let mut res = render(&st, &who, o, StatusCode::OK).await?;
    if let Some(clear) = clear {
        res.headers_mut().append(header::SET_COOKIE, clear);
    }
    Ok(res)
}

pub async fn branding(State(st): State<AppState>, form: Posted<Admin>) -> Result<Response, ConsoleError> {
    let opt = |name: &str| {
        let v = form.fields.text(name);
        Some((!v.is_empty()).then(|| v.to_owned()))
    };
    let patch = SettingsPatch {
        display_name: opt("displayName"),
        logo_url: opt("logoUrl"),
        support_email: opt("supportEmail"),
        ..SettingsPatch::default()
    };
    save(&st, &form, &patch, "branding", |msg, echo| Outcome { branding_error: Some(msg), echo, ..Outcome::default() })
        .await
}

/// Saves one settings form: back to the page when it is taken, else the page again with the
/// refusal beside the form as it was posted.
async fn save(
    st: &AppState,
    form: &Posted<Admin>,
    patch: &SettingsPatch,
    name: &str,
    refused: impl FnOnce(String, Echo) -> Outcome,
) -> Result<Response, ConsoleError> {
    let org = form.analyst().org.clone();
    match fml_app::settings::update(&st.ctx, Some(form.analyst()), &org, patch).await {
        Ok(_) => {
            st.branding.forget(&org);
            Ok(Redirect::to("/settings?done=saved").into_response())
        }
        Err(e) => {
            let echo = Echo { form: name.into(), fields: form.fields.0.clone() };
            render(st, &form.who, refused(refusal(e)?, echo), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The tenant's controls: maker-checker for high-risk approvals and the public application
/// link with its hourly allowance per address.
pub async fn controls(State(st): State<AppState>, form: Posted<Admin>) -> Result<Response, ConsoleError> {
    let f = &form.fields;
    let per_hour = f.text("publicApplicationsPerHour").trim();
    let patch = SettingsPatch {
        second_approval: Some(f.text("secondApproval") == "on"),
        public_applications: Some(f.text("publicApplications") == "on"),
        // Unreadable is out of range, so the rule's message answers it.
        public_applications_per_hour: (!per_hour.is_empty()).then(|| per_hour.parse().unwrap_or(0)),
        ..SettingsPatch::default()
    };
    save(&st, &form, &patch, "controls", |msg, echo| Outcome { controls_error: Some(msg), echo, ..Outcome::default() })
        .await
}

pub async fn add_analyst(State(st): State<AppState>, form: Posted<Admin>) -> Result<Response, ConsoleError> {
    let f = &form.fields;
    let role = match f.text("role") {
        "admin" => Role::Admin,
        "senior" => Role::Senior,
        _ => Role::Analyst,
    };
    let org = form.analyst().org.clone();
    match fml_app::analysts::create(
        &st.ctx,
        &org,
        f.text("email"),
        f.text("name"),
        role,
        None,
        fml_app::Operator::Analyst(form.analyst()),
    )
    .await
    {
        Ok(created) => {
            let added =
                NewAnalyst { email: created.analyst.email.clone(), password: created.password.expose().to_owned() };
            // POST → 303 → GET: a reload never adds them twice; the password is shown once.
            let mut res = Redirect::to("/settings#added").into_response();
            if let Some(cookie) = crate::flash::set(&st, &form.who.session, ADDED, added) {
                res.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(res)
        }
        Err(e) => {
            let msg = refusal(e)?;
            let echo = Echo { form: "analyst".into(), fields: form.fields.0.clone() };
            let o = Outcome { analyst_error: Some(msg), echo, ..Outcome::default() };
            render(&st, &form.who, o, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// Changes another analyst's role, or disables or re-enables them.
pub async fn change_analyst(
    State(st): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    form: Posted<Admin>,
) -> Result<Response, ConsoleError> {
    use fml_app::analysts::Change;
    let id = id.parse::<fml_domain::AnalystId>().map_err(|_| ConsoleError::NotFound("no such analyst"))?;
    let change = match (form.fields.text("action"), form.fields.text("role")) {
        ("disable", _) => Change::Disable,
        ("enable", _) => Change::Enable,
        ("role", r) => Change::Role(Role::parse(r).ok_or_else(|| {
            ConsoleError::Refused(StatusCode::UNPROCESSABLE_ENTITY, "Choose analyst, senior or admin.".into())
        })?),
        _ => return Err(ConsoleError::Refused(StatusCode::UNPROCESSABLE_ENTITY, "Choose a change.".into())),
    };
    match fml_app::analysts::change(&st.ctx, form.analyst(), id, change).await {
        Ok(_) => Ok(Redirect::to("/settings?done=analyst-changed").into_response()),
        Err(e) => {
            let msg = refusal(e)?;
            let o = Outcome { analyst_error: Some(msg), ..Outcome::default() };
            render(&st, &form.who, o, StatusCode::CONFLICT).await
        }
    }
}
