//! Background jobs: the kinds of work the platform does after a request has answered, and how
//! a failed attempt is retried. Every engine of the platform adds its kinds here.

use serde::{Deserialize, Serialize};

use crate::CaseId;

/// A unit of background work, with what it needs to run. Stored as its kind and its JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Send one message of the mail outbox over SMTP.
    SendMail {
        #[serde(rename = "mailId")]
        mail_id: i64,
    },
    /// Screen a case's company and people against the watch list (`screening.completed`,
    /// `screening.hit.triaged`).
    ScreenCase {
        #[serde(rename = "caseId")]
        case_id: CaseId,
        /// "system" or the analyst's email.
        #[serde(rename = "triggeredBy")]
        triggered_by: String,
        /// When set, the case review that follows (after risk), with its `triggeredBy`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        review: Option<String>,
    },
    /// Score a case with the tenant's risk model and route it with its decision policy
    /// (`risk.assessed`, `routing.evaluated`, and a decision when the policy may decide).
    AssessRisk {
        #[serde(rename = "caseId")]
        case_id: CaseId,
        /// "system" or the analyst's email.
        #[serde(rename = "assessedBy")]
        assessed_by: String,
        /// When set, the case review to queue after the assessment, with its `triggeredBy`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        review: Option<String>,
    },
    /// Review the whole case (`ai_review.completed`).
    ReviewCase {
        #[serde(rename = "caseId")]
        case_id: CaseId,
        /// "system:form-submission:<email>", "system:confirm-review:<email>" or an analyst's.
        #[serde(rename = "triggeredBy")]
        triggered_by: String,
    },
    /// Re-screen an approved case and raise alerts for what is new (`monitoring.run.completed`,
    /// `monitoring.alert.created`).
    MonitorCase {
        #[serde(rename = "caseId")]
        case_id: CaseId,
        /// "scheduled" or the analyst's email.
        #[serde(rename = "triggeredBy")]
        triggered_by: String,
        /// The schedule's slot (none for an ad-hoc run).
        #[serde(default)]
        slot: Option<i64>,
    },
    /// Classify an uploaded document and read its fields (`document.processed`, or `error`).
    ProcessDocument {
        #[serde(rename = "caseId")]
        case_id: CaseId,
        #[serde(rename = "documentId")]
        document_id: i64,
    },
    /// Send identity verification to each person of a case who needs it (`idv.dispatched`,
    /// `idv.satisfied_by_document`).
    DispatchIdv {
        #[serde(rename = "caseId")]
        case_id: CaseId,
        /// "system" or the analyst's email.
        #[serde(rename = "dispatchedBy")]
        dispatched_by: String,
    },
    /// Recurring, once an hour: purge what has expired (tokens, sessions, idempotency keys,
    /// applications, vendor callbacks, old jobs and deliveries) and unreferenced files.
    Housekeeping { slot: i64 },
    /// Recurring, once a monitoring period: queue the monitoring runs that came due.
    ScheduleMonitoring { slot: i64 },
    /// Mail a new portal link for each undecided case of an address, as someone asked at
    /// `/portal` (a job, so the answer takes the same time whether or not there are any).
    SendPortalLinks { email: String },
    /// Re-queue the failed deliveries of a bulk recovery's window, in batches from its
    /// cursor (`POST /v1/webhook-endpoints/{id}/recover`).
    RecoverDeliveries {
        #[serde(rename = "recoveryId")]
        recovery_id: String,
    },
}

impl Job {
    /// The kind that sends mail: a node without SMTP leaves it queued.
    pub const SEND_MAIL: &'static str = "send_mail";

    /// Every kind, as stored. The `CHECK` constraint of both schemas lists the same
    /// (`fml_store`'s schema test compares them).
    pub const KINDS: &'static [&'static str] = &[
        "send_mail",
        "screen_case",
        "assess_risk",
        "monitor_case",
        "review_case",
        "process_document",
        "dispatch_idv",
        Job::HOUSEKEEPING,
        Job::SCHEDULE_MONITORING,
        "send_portal_links",
        Job::RECOVER_DELIVERIES,
    ];

    /// The recurring kinds, queued once per time slot by whichever node claims it.
    pub const HOUSEKEEPING: &'static str = "housekeeping";
    pub const SCHEDULE_MONITORING: &'static str = "schedule_monitoring";
    /// Run by `fml-outbound`'s handler, which the host adds to the registry.
    pub const RECOVER_DELIVERIES: &'static str = "recover_deliveries";

    pub fn kind(&self) -> &'static str {
        match self {
            Job::SendMail { .. } => "send_mail",
            Job::ScreenCase { .. } => "screen_case",
            Job::AssessRisk { .. } => "assess_risk",
            Job::MonitorCase { .. } => "monitor_case",
            Job::ReviewCase { .. } => "review_case",
            Job::ProcessDocument { .. } => "process_document",
            Job::DispatchIdv { .. } => "dispatch_idv",
            Job::Housekeeping { .. } => Job::HOUSEKEEPING,
            Job::ScheduleMonitoring { .. } => Job::SCHEDULE_MONITORING,
            Job::SendPortalLinks { .. } => "send_portal_links",
            Job::RecoverDeliveries { .. } => Job::RECOVER_DELIVERIES,
        }
    }

    /// How many attempts before the job is given up.
    pub fn max_attempts(&self) -> i32 {
        match self {
            Job::SendMail { .. } => 8,
            Job::ScreenCase { .. }
            | Job::AssessRisk { .. }
            | Job::MonitorCase { .. }
            | Job::ReviewCase { .. }
            | Job::ProcessDocument { .. }
            | Job::DispatchIdv { .. } => 6,
            // The next slot queues it again anyway.
            Job::Housekeeping { .. } | Job::ScheduleMonitoring { .. } => 2,
            Job::SendPortalLinks { .. } => 3,
            // Each run goes on from the cursor, so a retry repeats nothing.
            Job::RecoverDeliveries { .. } => 8,
        }
    }

    /// The stored payload.
    pub fn payload(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_payload(raw: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(raw)
    }
}

/// Seconds before retry `attempt` (1-based): 30 s, doubling, at most 6 hours.
pub fn backoff_secs(attempt: i32) -> i64 {
    let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
    (30_i64 << exp).min(6 * 3600)
}

/// A job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub const ALL: [JobStatus; 4] = [JobStatus::Queued, JobStatus::Running, JobStatus::Done, JobStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_round_trip_through_their_payload() {
        let j = Job::SendMail { mail_id: 42 };
        assert_eq!(j.payload(), r#"{"kind":"send_mail","mailId":42}"#);
        assert_eq!(Job::from_payload(&j.payload()).unwrap(), j);
        assert!(Job::KINDS.contains(&j.kind()));
        assert!(Job::from_payload(r#"{"kind":"mine_bitcoin"}"#).is_err());
        for j in [Job::Housekeeping { slot: 7 }, Job::ScheduleMonitoring { slot: 7 }] {
            assert_eq!(Job::from_payload(&j.payload()).unwrap(), j);
            assert!(Job::KINDS.contains(&j.kind()));
        }
        // Migration 0017 writes this payload by hand for documents uploaded before processing.
        let case_id: CaseId = "0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b".parse().unwrap();
        let j = Job::ProcessDocument { case_id, document_id: 7 };
        assert_eq!(
            j.payload(),
            r#"{"kind":"process_document","caseId":"0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b","documentId":7}"#
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_secs(1), 30);
        assert_eq!(backoff_secs(2), 60);
        assert_eq!(backoff_secs(5), 480);
        assert_eq!(backoff_secs(40), 6 * 3600);
        assert_eq!(backoff_secs(0), 30);
    }
}
