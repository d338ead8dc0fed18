//! What every page shows the same way: the frame, times, statuses and source badges.

use fml_app::queries::records::CaseRecord;
use fml_domain::{CaseSource, CaseStatus, Timestamp};

/// The frame of a signed-in page: who is signed in, the CSRF token its forms carry, and which
/// navigation section is current.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub is_admin: bool,
    pub csrf: String,
    pub section: &'static str,
}

impl Chrome {
    /// `aria-current` for a navigation link of `section`.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section { "page" } else { "false" }
    }
}

/// The confirmation page of a destructive action: what it does, a button that posts it, and
/// the way back. (A page, not a `confirm()`: it works without script and with any assistive
/// technology.)
#[derive(askama::Template)]
#[template(path = "console/confirm.html")]
pub struct Confirm {
    pub chrome: Chrome,
    pub title: String,
    pub message: String,
    pub action: String,
    pub button: &'static str,
    pub back: &'static str,
}

/// An instant as pages show it: UTC in the markup (and on hover); the script rewrites the
/// text into the analyst's local time.
#[derive(Debug, Clone)]
pub struct When {
    pub iso: String,
    pub utc: String,
}

impl From<Timestamp> for When {
    fn from(t: Timestamp) -> Self {
        When { iso: t.to_iso(), utc: t.to_datetime().format("%Y-%m-%d %H:%M:%S UTC").to_string() }
    }
}

impl When {
    pub fn millis(ms: i64) -> Self {
        Timestamp::from_millis(ms).into()
    }
}

/// The area an event type belongs to, as people call it ("Identity verification" for
/// `idv.*`): the event catalog and the endpoint form group event types by it.
pub fn event_family(event: &str) -> String {
    match event.split('.').next().unwrap_or(event) {
        "ai_review" => "AI review".to_owned(),
        "edd" => "EDD".to_owned(),
        "idv" => "Identity verification".to_owned(),
        f => {
            let mut c = f.replace('_', " ").chars().collect::<Vec<_>>();
            if let Some(first) = c.first_mut() {
                *first = first.to_ascii_uppercase();
            }
            c.into_iter().collect()
        }
    }
}

/// A case's status as a labelled pill.
pub fn status_label(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::InProgress => "In progress",
        CaseStatus::InReview => "In review",
        CaseStatus::PendingSenior => "Pending senior",
        CaseStatus::Returned => "Returned",
        CaseStatus::Approved => "Approved",
        CaseStatus::Declined => "Declined",
    }
}

/// Where a case came from, as the dashboard's badge shows it: the orange `API · {CRM}` for the
/// Public API (sales tooling; the CRM as its maker spells it, "API · HubSpot"), others for
/// manual, portal and upload cases.
#[derive(Debug, Clone)]
pub struct Badge {
    pub class: &'static str,
    pub text: String,
}

impl Badge {
    pub fn of(c: &CaseRecord) -> Self {
        match c.source {
            CaseSource::Api => Badge {
                class: "badge-api",
                text: match c.crm_source.as_deref() {
                    Some(crm) => format!("API · {}", crate::words::crm(crm)),
                    None => "API".into(),
                },
            },
            CaseSource::Manual => Badge { class: "badge-manual", text: "Manual".into() },
            CaseSource::ApplicationForm => Badge { class: "badge-portal", text: "Portal".into() },
            CaseSource::DocUpload => Badge { class: "badge-upload", text: "Upload".into() },
        }
    }
}

/// What a refused form had posted, so the page shown with the refusal keeps it (never a
/// secret: the forms that carry one do not echo it).
#[derive(Debug, Clone, Default)]
pub struct Echo {
    /// Which form was posted (its handler's name for it).
    pub form: String,
    pub fields: Vec<(String, String)>,
}

impl Echo {
    /// The posted value of `name` if `form` is the form that was posted; empty otherwise.
    pub fn value(&self, form: &str, name: &str) -> &str {
        if self.form != form {
            return "";
        }
        self.fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

/// A flash notice after an action, by code (never text from the request, so nothing is
/// reflected).
pub fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "created" => "Case opened.",
        "created-invited" => "Case opened; the invitation is on its way to the customer.",
        "existing-crm" => "A case with this CRM record id already exists: here it is (no second case was opened).",
        "uploaded" => "Document uploaded; it is being read now.",
        "uploaded-many" => "Documents uploaded; they are being read now.",
        "attached" => "The document is attached to the person's profile, for reuse by their other cases for a year.",
        "owner" => "Owner updated.",
        "approved" => "Case approved.",
        "declined" => "Case declined.",
        "approval-pending" => "Your approval is recorded; a second senior or admin must confirm it.",
        "escalated" => "Case escalated to a senior reviewer.",
        "responded" => "Your recommendation was sent back to the analyst.",
        "invite" => "The invite was sent; any earlier link no longer works.",
        "edd" => "EDD requirement saved.",
        "screening" => "Screening is queued; its results appear here when it completes.",
        "hit" => "Your disposition of the hit is recorded.",
        "risk" => "The risk recompute is queued; the new score appears here when it is done.",
        "engines" => "Saved as a new version, now in force.",
        "monitoring" => "A monitoring run is queued; new alerts appear here.",
        "alert" => "The alert is resolved.",
        "idv" => "The verification link was sent.",
        "idv-all" => "Identity links were sent to everyone who needed one.",
        "idv-result" => "The identity result is recorded.",
        "ai-review" => "The case review is done; its recommendation is below.",
        "edd-request" => "The evidence request was emailed to the customer.",
        "outreach" => "The email was sent to the customer.",
        "document" => "Document updated.",
        "person" => "Person updated.",
        "saved" => "Saved.",
        "deleted" => "Deleted.",
        "revoked" => "Client revoked; its tokens stopped working.",
        "scopes" => "Scopes saved. The client's next token carries them.",
        "scopes-narrowed" => {
            "Scopes saved. A scope was taken away, so the client's live tokens were revoked: it asks for a new one."
        }
        "enabled" => "Endpoint enabled; anything queued while it was disabled is being sent.",
        "disabled" => "Endpoint disabled; new events queue until you enable it.",
        "redelivered" => "Redelivery queued; it goes out now.",
        "analyst" => "Analyst added.",
        "analyst-changed" => "Analyst updated.",
        _ => return None,
    })
}

/// One option of a filter's `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn choices(current: &str, all: impl IntoIterator<Item = (String, String)>) -> Vec<Choice> {
    all.into_iter().map(|(value, label)| Choice { selected: value == current, value, label }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_utc_and_carry_iso() {
        let w = When::millis(1_778_836_451_421);
        assert_eq!(w.iso, "2026-05-15T09:14:11.421Z");
        assert_eq!(w.utc, "2026-05-15 09:14:11 UTC");
    }

    #[test]
    fn notices_are_fixed_texts() {
        assert_eq!(notice(Some("approved")), Some("Case approved."));
        assert_eq!(notice(Some("<script>")), None);
        assert_eq!(notice(None), None);
    }
}
