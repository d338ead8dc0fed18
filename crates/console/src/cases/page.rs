//! The case page: the case with its decision panel and every panel, shown plainly, or shown
//! again after a refused action with the refusal beside the form as it was posted.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fml_app::{Analyst, CommandError};
use fml_domain::ids::CaseLocator;

use crate::decision::Allowed;
use crate::error::ConsoleError;
use crate::form::Posted;
use crate::links::path_segment;
use crate::session::Viewer;
use crate::view::{Badge, Chrome, Echo, notice, status_label};
use crate::{DoneQuery, html, panels};
use fml_web::extract::MinRole;
use fml_web::state::AppState;

pub(super) fn locate(raw: &str) -> Result<CaseLocator, ConsoleError> {
    CaseLocator::parse(raw).ok_or(ConsoleError::NotFound("no such case"))
}

#[derive(Template)]
#[template(path = "console/case.html")]
struct CasePageView {
    chrome: Chrome,
    id: String,
    reference: String,
    company: String,
    badge: Badge,
    status: &'static str,
    status_label: &'static str,
    notice: Option<&'static str>,
    error: Option<String>,
    allowed: Allowed,
    decision: crate::decision::DecisionPanel,
    panels: Vec<panels::Rendered>,
    echo: Echo,
}

/// The case view.
pub async fn show(
    State(st): State<AppState>,
    who: Viewer,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ConsoleError> {
    let shown = Shown { notice: notice(q.done.as_deref()), ..Shown::default() };
    render(&st, &who.analyst, who.chrome("cases"), &id, shown, StatusCode::OK).await
}

/// What a case page shows besides the case: a notice, or a refusal with the form as posted.
#[derive(Default)]
struct Shown {
    notice: Option<&'static str>,
    error: Option<String>,
    echo: Echo,
}

async fn render(
    st: &AppState,
    who: &Analyst,
    chrome: Chrome,
    id: &str,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    // One snapshot of everything the page shows; the panels only render it.
    let snapshot = fml_app::queries::case_page(&st.ctx, who, &locate(id)?).await?;
    let case = &snapshot.engines.case;
    let allowed = Allowed::of(case, who);
    let decision = crate::decision::DecisionPanel::new(&snapshot.controls, who);
    let panels = panels::all(&snapshot, &chrome.csrf, &allowed, &shown.echo)?;
    let page = CasePageView {
        id: case.id.to_string(),
        reference: case.reference.as_str().to_owned(),
        company: case.company_name.clone().unwrap_or_else(|| "(company not given yet)".into()),
        badge: Badge::of(case),
        status: case.status.as_str(),
        status_label: status_label(case.status),
        chrome,
        notice: shown.notice,
        error: shown.error,
        echo: shown.echo,
        allowed,
        decision,
        panels,
    };
    Ok(html(status, page.render()))
}

/// After an action: back to the case with a notice (`done`), or the case again with the refusal
/// beside the forms (a validation error, a move the status no longer allows), its status code,
/// and the form (`posted`) as it was filled.
pub(super) async fn after<R: MinRole>(
    st: &AppState,
    form: &Posted<R>,
    id: &str,
    result: Result<(), CommandError>,
    codes: (&str, &str),
) -> Result<Response, ConsoleError> {
    answer(st, form.analyst(), form.who.chrome("cases"), &form.fields.0, id, result, codes).await
}

/// [`after`] for a form that is not a [`Posted`] one (an upload): who posted it and its fields.
pub(super) async fn answer(
    st: &AppState,
    who: &Analyst,
    chrome: Chrome,
    fields: &[(String, String)],
    id: &str,
    result: Result<(), CommandError>,
    (done, posted): (&str, &str),
) -> Result<Response, ConsoleError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{}?done={done}", path_segment(id))).into_response()),
        Err(e @ (CommandError::NotFound(_) | CommandError::Forbidden(_) | CommandError::Store(_))) => Err(e.into()),
        Err(e) => match ConsoleError::from(e) {
            ConsoleError::Refused(status, message) => {
                let echo = Echo { form: posted.to_owned(), fields: fields.to_vec() };
                let shown = Shown { notice: None, error: Some(message), echo };
                render(st, who, chrome, id, shown, status).await
            }
            other => Err(other),
        },
    }
}

/// The case again with a refusal that did not come from a command (an upload's limits).
pub(super) async fn refused(
    st: &AppState,
    who: &Analyst,
    chrome: Chrome,
    id: &str,
    status: StatusCode,
    message: String,
) -> Result<Response, ConsoleError> {
    let shown = Shown { notice: None, error: Some(message), echo: Echo::default() };
    render(st, who, chrome, id, shown, status).await
}
