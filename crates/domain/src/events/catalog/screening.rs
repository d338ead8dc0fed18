//! Screening events: a sanctions / PEP / adverse-media run finishing, and the AI triage of
//! each hit it found.

use schemars::JsonSchema;
use serde::Serialize;

use super::values::{HitDisposition, ScreeningStatus};
use crate::events::WebhookEvent;
use crate::{CaseId, CaseReference, Timestamp};

/// One screened subject.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningSubject {
    pub name: String,
    pub role: Option<String>,
    pub status: ScreeningStatus,
}

/// A sanctions / PEP / adverse media screening run finished for a case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningCompleted {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    /// Total subjects screened (company plus directors and shareholders).
    pub screened: u32,
    pub summary: Vec<ScreeningSubject>,
    /// When screening completed (the envelope's `timestamp` is the emission time; see
    /// docs/decisions.md).
    pub completed_at: Timestamp,
}
webhook_event!(
    ScreeningCompleted,
    "screening.completed",
    "A sanctions / PEP / adverse media screening run finished for a case."
);

/// AI per-hit triage completed for an OpenSanctions hit or adverse-media article.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningHitTriaged {
    pub case_id: CaseId,
    pub case_reference: CaseReference,
    /// Raw OpenSanctions id, or "am:<adverse_media_results.id>".
    pub hit_id: String,
    pub subject_name: String,
    /// 0–100 AI confidence score, a whole number.
    pub confidence: crate::Percent,
    pub disposition: HitDisposition,
    pub short_reason: String,
    /// Anthropic model used (e.g. "claude-opus-4-5").
    pub model: String,
    /// Prompt version, currently "1".
    pub prompt_version: String,
}
webhook_event!(
    ScreeningHitTriaged,
    "screening.hit.triaged",
    "AI per-hit triage completed for an OpenSanctions hit or adverse-media article."
);
