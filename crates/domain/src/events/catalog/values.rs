//! The closed sets of string values the event payloads use, spelled exactly as the guide
//! spells them; kept in one place because several event families share them.

use schemars::JsonSchema;
use serde::Serialize;

string_enum!(
    /// `case.submitted` sources.
    SubmissionSource { ApplicationForm = "application_form", DocUpload = "doc_upload" }
);
string_enum!(
    /// An analyst's decision.
    DecisionOutcome { Approved = "approved", Declined = "declined" }
);
string_enum!(
    /// A senior reviewer's recommendation.
    SeniorRecommendation { Approve = "approve", Decline = "decline", Refer = "refer" }
);
string_enum!(
    /// Where a data correction came from.
    CorrectionSource { CustomerReview = "customer_review", AnalystOverride = "analyst_override" }
);
string_enum!(
    /// What an analyst override set an errored document to.
    OverrideValue { Approved = "approved", Escalated = "escalated" }
);
string_enum!(
    /// The field an analyst override changes (always `document_status`).
    OverrideField { DocumentStatus = "document_status" }
);
string_enum!(
    /// A screened subject's result.
    ScreeningStatus { Clear = "clear", Match = "match", Pep = "pep", Sanctioned = "sanctioned" }
);
string_enum!(
    /// The AI case review's recommendation.
    AiRecommendation { Approve = "Approve", Refer = "Refer", Decline = "Decline" }
);
string_enum!(
    /// A model's confidence.
    Confidence { High = "High", Medium = "Medium", Low = "Low" }
);
string_enum!(
    /// A risk factor's severity.
    RiskSeverity { High = "HIGH", Medium = "MEDIUM", Low = "LOW" }
);
string_enum!(
    /// A processed document's status (always `complete`: errors do not fire the event).
    DocumentStatus { Complete = "complete" }
);
string_enum!(
    /// A risk band.
    RiskBand { Low = "low", Medium = "medium", High = "high", Prohibited = "prohibited" }
);
string_enum!(
    /// An EDD requirement's state.
    EddStatus { Outstanding = "outstanding", Received = "received", Waived = "waived" }
);
string_enum!(
    /// The kind of verification (always `identity` today).
    VerificationType { Identity = "identity" }
);
string_enum!(
    /// An identity verification's result.
    IdvOutcome { Pass = "pass", Fail = "fail", ManualReview = "manual_review" }
);
string_enum!(
    /// A monitoring alert's severity.
    AlertSeverity { Low = "low", Medium = "medium", High = "high" }
);
string_enum!(
    /// The AI triage of a screening hit.
    HitDisposition { FalsePositive = "false_positive", TrueMatch = "true_match", Escalate = "escalate" }
);
