// First Mile Labs webhook events, contract version 1, as Rust types.
// Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:
// run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.

use super::defs::*;
use serde::{Deserialize, Serialize};

/// A sanctions / PEP / adverse media screening run finished for a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningCompleted {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// When screening completed (the envelope's `timestamp` is the emission time; see
    /// docs/decisions.md).
    #[serde(rename = "completedAt")]
    pub completed_at: String,
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
    /// Total subjects screened (company plus directors and shareholders).
    #[serde(rename = "screened")]
    pub screened: i64,
    #[serde(rename = "summary")]
    pub summary: Vec<ScreeningSubject>,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

/// AI per-hit triage completed for an OpenSanctions hit or adverse-media article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningHitTriaged {
    #[serde(rename = "caseId")]
    pub case_id: String,
    #[serde(rename = "caseReference")]
    pub case_reference: String,
    /// 0–100 AI confidence score, a whole number.
    #[serde(rename = "confidence")]
    pub confidence: i64,
    /// The CRM record id stored on the case, or null.
    #[serde(rename = "crmRecordId")]
    pub crm_record_id: Option<String>,
    #[serde(rename = "disposition")]
    pub disposition: HitDisposition,
    /// The event type.
    #[serde(rename = "event")]
    pub event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// Contract version.
    #[serde(rename = "eventVersion")]
    pub event_version: i64,
    /// Raw OpenSanctions id, or "am:<adverse_media_results.id>".
    #[serde(rename = "hitId")]
    pub hit_id: String,
    /// Anthropic model used (e.g. "claude-opus-4-5").
    #[serde(rename = "model")]
    pub model: String,
    /// Your First Mile Labs organisation identifier.
    #[serde(rename = "orgId")]
    pub org_id: String,
    /// Prompt version, currently "1".
    #[serde(rename = "promptVersion")]
    pub prompt_version: String,
    #[serde(rename = "shortReason")]
    pub short_reason: String,
    #[serde(rename = "subjectName")]
    pub subject_name: String,
    /// ISO 8601 UTC, when the event was emitted.
    #[serde(rename = "timestamp")]
    pub timestamp: String,
}

