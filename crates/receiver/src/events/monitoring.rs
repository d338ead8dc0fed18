// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use super::defs::*;
use serde::{Deserialize, Serialize};

/// A perpetual-monitoring run produced a new alert against an existing case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitoringAlertCreated {
    /// Alert category (e.g. "sanctions_hit", "pep_change", "adverse_media").
    #[serde(rename = "alertType")]
    pub alert_type: String,
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "companyName")]
    pub company_name: Option<String>,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    #[serde(rename = "detail")]
    pub detail: String,
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "runId")]
    pub run_id: i64,
    #[serde(rename = "severity")]
    pub severity: AlertSeverity,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
    #[serde(rename = "title")]
    pub title: String,
}

/// A perpetual-monitoring run finished for a case (regardless of whether any alerts were generated).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitoringRunCompleted {
    #[serde(rename = "alertsGenerated")]
    pub alerts_generated: i64,
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    #[serde(rename = "checksRun")]
    pub checks_run: Vec<CheckRun>,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    #[serde(rename = "runId")]
    pub run_id: i64,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
    /// "scheduled" or analyst email for ad-hoc runs.
    #[serde(rename = "triggeredBy")]
    pub triggered_by: String,
}

