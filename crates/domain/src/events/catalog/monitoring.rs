//! Perpetual-monitoring events: a run finishing, and each new alert it raised against an
//! existing case.

use schemars::JsonSchema;
use serde::Serialize;

use super::values::AlertSeverity;
use crate::events::WebhookEvent;
use crate::{CaseId, CaseReference};

/// A perpetual-monitoring run produced a new alert against an existing case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringAlertCreated {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub company_name: Option<String>,
    pub run_id: i64,
    /// Alert category (e.g. "sanctions_hit", "pep_change", "adverse_media").
    pub alert_type: String,
    pub severity: AlertSeverity,
    pub title: String,
    pub detail: String,
}
webhook_event!(
    MonitoringAlertCreated,
    "monitoring.alert.created",
    "A perpetual-monitoring run produced a new alert against an existing case."
);

/// One check of a monitoring run.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckRun {
    pub check: String,
    pub status: String,
    pub subjects: u32,
}

/// A perpetual-monitoring run finished for a case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringRunCompleted {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    pub run_id: i64,
    /// "scheduled" or analyst email for ad-hoc runs.
    pub triggered_by: String,
    pub alerts_generated: u32,
    pub checks_run: Vec<CheckRun>,
}
webhook_event!(
    MonitoringRunCompleted,
    "monitoring.run.completed",
    "A perpetual-monitoring run finished for a case (regardless of whether any alerts were generated)."
);
