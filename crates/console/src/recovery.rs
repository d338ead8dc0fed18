//! Outbound Webhooks → Recover: re-send an endpoint's failed deliveries of a recent window
//! after an outage, and watch the recovery's progress (the page refreshes itself while one
//! runs). The same command as `POST /v1/webhook-endpoints/{id}/recover` and `fml endpoints
//! recover`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fml_app::Operator;
use fml_domain::Timestamp;
use fml_outbound::recover::Recovery;

use crate::error::ConsoleError;
use crate::form::Posted;
use crate::links::path_segment;
use crate::session::Viewer;
use crate::view::{Chrome, When};
use crate::{DoneQuery, html};
use fml_web::state::AppState;

/// The windows offered: (form value, words, hours).
pub const WINDOWS: [(&str, &str, i64); 6] = [
    ("1h", "the last hour", 1),
    ("6h", "the last 6 hours", 6),
    ("24h", "the last 24 hours", 24),
    ("3d", "the last 3 days", 72),
    ("7d", "the last 7 days", 168),
    ("30d", "the last 30 days", 720),
];

/// One recovery as the page shows it.
pub struct Line {
    pub window: String,
    pub running: bool,
    pub total: i64,
    pub requeued: i64,
    pub by: String,
    pub started: When,
    pub finished: Option<When>,
}

impl Line {
    fn of(r: &Recovery) -> Self {
        Line {
            window: format!(
                "{} – {}",
                Timestamp::from_millis(r.since_at).to_iso(),
                Timestamp::from_millis(r.until_at).to_iso()
            ),
            running: r.status == "running",
            total: r.total,
            requeued: r.requeued,
            by: r.requested_by.clone(),
            started: When::millis(r.created_at),
            finished: r.finished_at.map(When::millis),
        }
    }
}

#[derive(Template)]
#[template(path = "console/recover.html")]
struct RecoverPage {
    chrome: Chrome,
    id: String,
    label: String,
    url: String,
    enabled: bool,
    windows: &'static [(&'static str, &'static str, i64)],
    lines: Vec<Line>,
    running: bool,
    notice: Option<&'static str>,
}

pub async fn page(
    State(st): State<AppState>,
    who: Viewer,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ConsoleError> {
    let org = &who.analyst.org;
    let ep = fml_app::queries::endpoint(&st.ctx, org, &id).await?;
    let lines: Vec<Line> = fml_outbound::recover::list(&st.ctx, org, &id).await?.iter().map(Line::of).collect();
    let notice = match q.done.as_deref() {
        Some("started") => Some("Recovery started: the failed deliveries are being re-queued."),
        Some("running") => Some("A recovery of this endpoint is still running: it is below."),
        _ => None,
    };
    let page = RecoverPage {
        chrome: who.chrome("webhooks"),
        running: lines.iter().any(|l| l.running),
        id: ep.id,
        label: ep.label,
        url: ep.url,
        enabled: ep.enabled,
        windows: &WINDOWS,
        lines,
        notice,
    };
    Ok(html(StatusCode::OK, page.render()))
}

pub async fn start(State(st): State<AppState>, Path(id): Path<String>, form: Posted) -> Result<Response, ConsoleError> {
    let chosen = form.fields.text("window");
    let Some((_, _, hours)) = WINDOWS.iter().find(|(v, ..)| *v == chosen) else {
        return Err(ConsoleError::Refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose one of the windows offered.".into(),
        ));
    };
    let since = Timestamp::now().plus_secs(-hours * 3600);
    let back = format!("/config/webhooks/{}/recover", path_segment(&id));
    let by = Operator::Analyst(form.analyst());
    match fml_outbound::recover::start(&st.ctx, &form.analyst().org, &id, since, None, by).await {
        Ok(_) => Ok(Redirect::to(&format!("{back}?done=started")).into_response()),
        Err(fml_app::CommandError::Conflict("recovery_running", _)) => {
            Ok(Redirect::to(&format!("{back}?done=running")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
