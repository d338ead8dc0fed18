//! The monitoring panel: the latest monitoring run and the case's alerts, open or resolved.

use askama::Template;
use fml_app::queries::CasePage;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::{Echo, When};

pub struct AlertLine {
    pub id: i64,
    pub severity: String,
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub created: When,
    /// Resolved: by whom, when, note.
    pub resolved: Option<(String, When, String)>,
    /// The note as posted, when that form was refused.
    pub note: String,
}

#[derive(Template)]
#[template(path = "console/panels/monitoring.html")]
struct Monitoring<'a> {
    csrf: &'a str,
    id: String,
    /// By, when, alerts, of the latest run; how many runs.
    last_run: Option<(String, When, i32)>,
    alerts: Vec<AlertLine>,
}

pub(super) fn monitoring(page: &CasePage, csrf: &str, echo: &Echo) -> Result<Rendered, ConsoleError> {
    let last_run = page
        .engines
        .monitoring_run
        .as_ref()
        .map(|r| (r.triggered_by.clone(), When::millis(r.completed_at), r.alerts_generated));
    let alerts = page
        .engines
        .alerts
        .iter()
        .map(|a| AlertLine {
            note: echo.value(&format!("alert-{}", a.id), "note").to_owned(),
            id: a.id,
            severity: a.severity.clone(),
            kind: a.alert_type.replace('_', " "),
            title: a.title.clone(),
            detail: a.detail.clone(),
            created: When::millis(a.created_at),
            resolved: match (&a.resolved_by, a.resolved_at) {
                (Some(by), Some(at)) => {
                    Some((by.clone(), When::millis(at), a.resolution_note.clone().unwrap_or_default()))
                }
                _ => None,
            },
        })
        .collect();
    rendered("monitoring", "Monitoring", Monitoring { csrf, id: page.engines.case.id.to_string(), last_run, alerts })
}
