// First Mile Labs webhook events, contract version 1.
// Generated from the JSON Schemas at /schemas/webhooks/index.json. Do not edit.

/** The AI case review's recommendation. */
export type AiRecommendation = "Approve" | "Refer" | "Decline";

/** A monitoring alert's severity. */
export type AlertSeverity = "low" | "medium" | "high";

/** One field a customer changed during review. */
export interface Amendment {
  correctedValue: string | null;
  field: string;
  originalValue: string | null;
  section: string;
}

/** How a case came to exist. */
export type CaseSource = "manual" | "doc_upload" | "application_form" | "api";

/** Where a case is in its life. Always snake_case on the wire. */
export type CaseStatus = "approved" | "declined" | "in_progress" | "in_review" | "pending_senior" | "returned";

/** One check of a monitoring run. */
export interface CheckRun {
  check: string;
  status: string;
  subjects: number;
}

/** A model's confidence. */
export type Confidence = "High" | "Medium" | "Low";

/** Where a data correction came from. */
export type CorrectionSource = "customer_review" | "analyst_override";

/** An analyst's decision. */
export type DecisionOutcome = "approved" | "declined";

/** A processed document's status (always `complete`: errors do not fire the event). */
export type DocumentStatus = "complete";

/** An EDD requirement's state. */
export type EddStatus = "outstanding" | "received" | "waived";

/** The AI triage of a screening hit. */
export type HitDisposition = "false_positive" | "true_match" | "escalate";

/** An identity verification's result. */
export type IdvOutcome = "pass" | "fail" | "manual_review";

/** The field an analyst override changes (always `document_status`). */
export type OverrideField = "document_status";

/** What an analyst override set an errored document to. */
export type OverrideValue = "approved" | "escalated";

/** A case owner. */
export interface Owner {
  email: string;
  name: string;
}

/** One requested item. */
export interface RequestedItem {
  key: string;
  label: string;
}

/** A risk band. */
export type RiskBand = "low" | "medium" | "high" | "prohibited";

/** A risk factor the AI surfaced. */
export interface RiskFactor {
  severity: RiskSeverity;
  text: string;
}

/** A risk factor's severity. */
export type RiskSeverity = "HIGH" | "MEDIUM" | "LOW";

/** A screened subject's result. */
export type ScreeningStatus = "clear" | "match" | "pep" | "sanctioned";

/** One screened subject. */
export interface ScreeningSubject {
  name: string;
  role: string | null;
  status: ScreeningStatus;
}

/** A senior reviewer's recommendation. */
export type SeniorRecommendation = "approve" | "decline" | "refer";

/** `case.submitted` sources. */
export type SubmissionSource = "application_form" | "doc_upload";

/** The kind of verification (always `identity` today). */
export type VerificationType = "identity";

/** A new case is opened — manual analyst creation, customer doc upload, application form submission, or the Public API. */
export interface CaseCreatedV1 {
  /** First Mile Labs case identifier (the UUID the Public API returns). */
  caseId: string;
  /** The per-tenant human reference, e.g. `CS-2026-00471`. */
  caseReference: string;
  /** Subject company name when known. */
  companyName: string | null;
  /** Registry number when collected (e.g. Companies House number). */
  companyNumber: string | null;
  /** ISO 3166-1 alpha-2 country of the subject company. */
  country: string | null;
  /** Analyst email — only present on manual creation. */
  createdBy?: string | null;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** Email of the customer the case belongs to. */
  customerEmail: string | null;
  /** The event type. */
  event: "case.created";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  /** One of "manual", "doc_upload", "application_form", or "api" (Public API). */
  source: CaseSource;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** The customer has finished their part — application form submitted or customer review confirmed. */
export interface CaseSubmittedV1 {
  caseId: string;
  caseReference: string;
  companyName: string | null;
  country: string | null;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  customerEmail: string | null;
  /** The event type. */
  event: "case.submitted";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  source: SubmissionSource;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** An analyst has approved or declined the case. */
export interface CaseDecisionMadeV1 {
  /** Analyst who made the decision. */
  analystEmail: string;
  caseId: string;
  caseReference: string;
  companyName: string | null;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** Decision timestamp. */
  decidedAt: string;
  /** The event type. */
  event: "case.decision.made";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Free-text decision notes captured in the analyst panel. */
  notes: string;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  outcome: DecisionOutcome;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** Lifecycle transitions — initial submission, decision, escalation to senior, return from senior review. */
export interface CaseStatusChangedV1 {
  caseId: string;
  caseReference: string;
  /** Email of the actor (analyst or customer). */
  changedBy: string;
  companyName: string | null;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "case.status.changed";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  /** Status before the transition. */
  previousStatus: CaseStatus;
  /** Senior reviewer recommendation — only on returns from senior review. */
  recommendation?: SeniorRecommendation | null;
  /** New status. */
  status: CaseStatus;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** A customer corrected extracted data during review, or an analyst manually overrode an errored document (approve / escalate). */
export interface DataCorrectedV1 {
  /** Customer review only — number of fields the customer changed. */
  amendmentCount?: number | null;
  /** Customer review only. */
  amendments?: Array<Amendment> | null;
  /** Analyst email. */
  by?: string | null;
  caseId: string;
  caseReference: string;
  /** Analyst override only. */
  correctedValue?: OverrideValue | null;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** Analyst override only — the document that was overridden. */
  documentId?: number | null;
  /** The event type. */
  event: "data.corrected";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Analyst override only — always "document_status". */
  field?: OverrideField | null;
  /** Manual approval note. */
  note?: string | null;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  /** Analyst override only — typically "error". */
  originalValue?: string | null;
  /** Escalation reason. */
  reason?: string | null;
  source: CorrectionSource;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** One or more documents were uploaded to a case (single emit per upload batch). */
export interface DocumentUploadedV1 {
  caseId: string;
  caseReference: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** Internal IDs of every uploaded document. */
  documentIds: Array<number>;
  /** The event type. */
  event: "document.uploaded";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Number of files in the batch. */
  fileCount: number;
  /** Original filenames. */
  filenames: Array<string>;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** A sanctions / PEP / adverse media screening run finished for a case. */
export interface ScreeningCompletedV1 {
  caseId: string;
  caseReference: string;
  /** When screening completed (the envelope's `timestamp` is the emission time; see docs/decisions.md). */
  completedAt: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "screening.completed";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  /** Total subjects screened (company plus directors and shareholders). */
  screened: number;
  summary: Array<ScreeningSubject>;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** The autonomous AI case review (AI screening) finished for a case — analyst-triggered or background. */
export interface AiReviewCompletedV1 {
  caseId: string;
  caseReference: string;
  companyName: string | null;
  completedAt: string;
  confidence: Confidence;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "ai_review.completed";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  recommendation: AiRecommendation;
  /** Internal id of the case_ai_reviews row. */
  reviewId: number;
  riskFactorCount: number;
  riskFactors: Array<RiskFactor>;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
  /** Analyst email, or "system:form-submission:<email>" / "system:confirm-review:<email>". */
  triggeredBy: string;
}

/** A single uploaded document finished AI extraction successfully (one emit per document). */
export interface DocumentProcessedV1 {
  caseId: string;
  caseReference: string;
  confidence: Confidence;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  documentId: number;
  /** AI-classified document type, e.g. "Certificate of Incorporation". */
  documentType: string;
  /** The event type. */
  event: "document.processed";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  filename: string;
  missingFieldCount: number;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  status: DocumentStatus;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
  warningCount: number;
}

/** The risk-scoring engine produced (or refreshed) a composite score for a case. */
export interface RiskAssessedV1 {
  assessedAt: string;
  /** "system" for automatic runs, analyst email for manual recompute. */
  assessedBy: string;
  assessmentId: number;
  bandId: RiskBand;
  bandLabel: string;
  caseId: string;
  caseReference: string;
  /** 0–100 composite score, a whole number. */
  compositeScore: number;
  /** Active risk_model_config row this score was computed against. */
  configId: number;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "risk.assessed";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** A decision-policy run completed for a case (every time the rule engine evaluates the active policy). */
export interface RoutingEvaluatedV1 {
  caseId: string;
  caseReference: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  evaluatedAt: string;
  /** The event type. */
  event: "routing.evaluated";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Zero-indexed rule that matched, or null if the default branch fired. */
  matchedRuleIndex: number | null;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  /** Routing outcome (e.g. "AUTO_APPROVE", "REVIEW_LEVEL_1", "DECLINE"). */
  outcome: string;
  policyId: number;
  policyName: string;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** An analyst marked an Enhanced Due Diligence requirement outstanding/received/waived (or updated its note). */
export interface EddRequirementsChangedV1 {
  caseId: string;
  caseReference: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "edd.requirements.changed";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  label: string;
  note: string;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  previousStatus: EddStatus | null;
  /** Stable key for the requirement (e.g. "source_of_funds"). */
  reqKey: string;
  status: EddStatus;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
  updatedBy: string;
}

/** An EDD evidence-request email was sent to the customer (one emit per send). */
export interface EddRequestedV1 {
  caseId: string;
  caseReference: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "edd.requested";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  itemCount: number;
  items: Array<RequestedItem>;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  recipientEmail: string;
  sentAt: string;
  sentBy: string;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** An identity-verification (Didit) link was sent to a real person on the case (one emit per email — deduped by personKey across roles). */
export interface IdvDispatchedV1 {
  caseId: string;
  caseReference: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** "system" for automatic dispatch, analyst email for manual sends. */
  dispatchedBy: string;
  /** The event type. */
  event: "idv.dispatched";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  /** Stable identity key (UUID v4) shared across the same real human within the case. */
  personKey: string;
  recipientEmail: string;
  recipientName: string;
  /** All roles this dispatch covers (e.g. ["director", "ubo"]). */
  roles: Array<string>;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** A vendor (Didit) reported an identity verification result for one person on a case. */
export interface IdvCompletedV1 {
  caseId: string;
  caseReference: string;
  completedAt: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "idv.completed";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  outcome: IdvOutcome;
  /** Index of the person in the case roster. */
  position: number;
  role: string;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
  /** IDV vendor (e.g. "Didit"). */
  vendorName: string;
  verificationType: VerificationType;
}

/** A Didit dispatch was suppressed because an accepted Passport/ID document is already on file for that person. */
export interface IdvSatisfiedByDocumentV1 {
  caseId: string;
  caseReference: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "idv.satisfied_by_document";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  personEmail: string | null;
  personKey: string;
  personName: string;
  roles: Array<string>;
  /** Internal id of the Passport/ID document that satisfied IDV. */
  satisfiedByDocId: number;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** A perpetual-monitoring run produced a new alert against an existing case. */
export interface MonitoringAlertCreatedV1 {
  /** Alert category (e.g. "sanctions_hit", "pep_change", "adverse_media"). */
  alertType: string;
  caseId: string;
  caseReference: string;
  companyName: string | null;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  detail: string;
  /** The event type. */
  event: "monitoring.alert.created";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  runId: number;
  severity: AlertSeverity;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
  title: string;
}

/** A perpetual-monitoring run finished for a case (regardless of whether any alerts were generated). */
export interface MonitoringRunCompletedV1 {
  alertsGenerated: number;
  caseId: string;
  caseReference: string;
  checksRun: Array<CheckRun>;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "monitoring.run.completed";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  runId: number;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
  /** "scheduled" or analyst email for ad-hoc runs. */
  triggeredBy: string;
}

/** AI per-hit triage completed for an OpenSanctions hit or adverse-media article. */
export interface ScreeningHitTriagedV1 {
  caseId: string;
  caseReference: string;
  /** 0–100 AI confidence score, a whole number. */
  confidence: number;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  disposition: HitDisposition;
  /** The event type. */
  event: "screening.hit.triaged";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Raw OpenSanctions id, or "am:<adverse_media_results.id>". */
  hitId: string;
  /** Anthropic model used (e.g. "claude-opus-4-5"). */
  model: string;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  /** Prompt version, currently "1". */
  promptVersion: string;
  shortReason: string;
  subjectName: string;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** An analyst linked a case-side subject to a tenant Person row. */
export interface PersonLinkedV1 {
  caseId: string;
  caseReference: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  displayName: string;
  email: string | null;
  /** The event type. */
  event: "person.linked";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  linkedBy: string;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  personId: number;
  personKey: string;
  roles: Array<string>;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** An analyst removed an active case-to-Person link. */
export interface PersonUnlinkedV1 {
  caseId: string;
  caseReference: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "person.unlinked";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  personId: number;
  personKey: string;
  reason: string | null;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
  unlinkedBy: string;
}

/** An analyst confirmed "no prior match" for a subject — a new Person row was created and linked. */
export interface PersonMarkedNewV1 {
  caseId: string;
  caseReference: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  displayName: string;
  email: string | null;
  /** The event type. */
  event: "person.marked_new";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  personId: number;
  personKey: string;
  resolvedBy: string;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** An analyst attached a Passport/ID document on a case to a Person profile. */
export interface PersonDocumentAttachedV1 {
  attachedBy: string;
  caseId: string;
  caseReference: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  documentId: number;
  /** Typically "Passport" or "Government ID". */
  documentType: string;
  /** The event type. */
  event: "person.document_attached";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  personId: number;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** A customer-facing outreach email was sent (e.g. document request) — one emit per send. */
export interface OutreachEmailSentV1 {
  caseId: string;
  caseReference: string;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "outreach.email.sent";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  itemCount: number;
  items: Array<RequestedItem>;
  /** Email kind, e.g. "document_request". */
  kind: string;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  recipientEmail: string;
  sentBy: string;
  subject: string;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** An analyst escalated a case for senior review. */
export interface EscalationCreatedV1 {
  caseId: string;
  caseReference: string;
  companyName: string | null;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "escalation.created";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  note: string;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  raisedBy: string;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** A senior reviewer responded to an escalation with approve/decline/refer. */
export interface EscalationRespondedV1 {
  caseId: string;
  caseReference: string;
  companyName: string | null;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "escalation.responded";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  note: string;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  recommendation: SeniorRecommendation;
  respondedBy: string;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** A case owner was assigned, reassigned, or cleared. */
export interface OwnerChangedV1 {
  caseId: string;
  caseReference: string;
  changedBy: string | null;
  /** The CRM record id stored on the case, or null. */
  crmRecordId: string | null;
  /** The event type. */
  event: "owner.changed";
  /** UUID v4, unique per event and stable across retries and redeliveries: the idempotency key. */
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  newOwner: Owner | null;
  /** Your First Mile Labs organisation identifier. */
  orgId: string;
  previousOwner: Owner | null;
  /** ISO 8601 UTC, when the event was emitted. */
  timestamp: string;
}

/** A reachability check: sent by the pre-save test ping and the endpoint Test button. */
export interface PingV1 {
  /** The event type. */
  event: "ping";
  eventId: string;
  /** Contract version. */
  eventVersion: 1;
  message: string;
  orgId: string;
  timestamp: string;
}

/** Every event a receiver can get; switch on `event` to narrow. */
export type FmlWebhookEvent =
  | CaseCreatedV1
  | CaseSubmittedV1
  | CaseDecisionMadeV1
  | CaseStatusChangedV1
  | DataCorrectedV1
  | DocumentUploadedV1
  | ScreeningCompletedV1
  | AiReviewCompletedV1
  | DocumentProcessedV1
  | RiskAssessedV1
  | RoutingEvaluatedV1
  | EddRequirementsChangedV1
  | EddRequestedV1
  | IdvDispatchedV1
  | IdvCompletedV1
  | IdvSatisfiedByDocumentV1
  | MonitoringAlertCreatedV1
  | MonitoringRunCompletedV1
  | ScreeningHitTriagedV1
  | PersonLinkedV1
  | PersonUnlinkedV1
  | PersonMarkedNewV1
  | PersonDocumentAttachedV1
  | OutreachEmailSentV1
  | EscalationCreatedV1
  | EscalationRespondedV1
  | OwnerChangedV1
  | PingV1;

/** Event name to payload type. */
export interface FmlWebhookEventMap {
  "case.created": CaseCreatedV1;
  "case.submitted": CaseSubmittedV1;
  "case.decision.made": CaseDecisionMadeV1;
  "case.status.changed": CaseStatusChangedV1;
  "data.corrected": DataCorrectedV1;
  "document.uploaded": DocumentUploadedV1;
  "screening.completed": ScreeningCompletedV1;
  "ai_review.completed": AiReviewCompletedV1;
  "document.processed": DocumentProcessedV1;
  "risk.assessed": RiskAssessedV1;
  "routing.evaluated": RoutingEvaluatedV1;
  "edd.requirements.changed": EddRequirementsChangedV1;
  "edd.requested": EddRequestedV1;
  "idv.dispatched": IdvDispatchedV1;
  "idv.completed": IdvCompletedV1;
  "idv.satisfied_by_document": IdvSatisfiedByDocumentV1;
  "monitoring.alert.created": MonitoringAlertCreatedV1;
  "monitoring.run.completed": MonitoringRunCompletedV1;
  "screening.hit.triaged": ScreeningHitTriagedV1;
  "person.linked": PersonLinkedV1;
  "person.unlinked": PersonUnlinkedV1;
  "person.marked_new": PersonMarkedNewV1;
  "person.document_attached": PersonDocumentAttachedV1;
  "outreach.email.sent": OutreachEmailSentV1;
  "escalation.created": EscalationCreatedV1;
  "escalation.responded": EscalationRespondedV1;
  "owner.changed": OwnerChangedV1;
  "ping": PingV1;
}
