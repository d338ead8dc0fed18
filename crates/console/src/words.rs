//! Words for people: the stored codes of statuses, resolutions, actors and file types as the
//! console shows them ("In review", "The customer (jane@acme.example)", "PDF"), with the tone
//! of a status pill, so that an errored document does not look like a complete one.

/// A status as a coloured pill: its label and its tone (`good`, `warn`, `bad` or `neutral`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pill {
    pub label: String,
    pub tone: &'static str,
}

impl Pill {
    /// The pill of a stored status code (`manual_review`, `error`, `outstanding`, …).
    pub fn of(code: &str) -> Self {
        let tone = match code {
            "complete" | "approved" | "pass" | "satisfied" | "received" | "delivered" | "clear" | "linked" | "new"
            | "waived" | "resolved" => "good",
            "error" | "fail" | "failed" | "declined" | "rejected" | "dead" => "bad",
            "escalated" | "manual_review" | "outstanding" | "pending" | "pending_retry" | "unresolved" | "unlinked"
            | "dispatched" | "requested" | "open" => "warn",
            _ => "neutral",
        };
        let label = match code {
            "complete" => "Read".to_owned(),
            "error" => "Could not be read".to_owned(),
            "uploaded" => "Being read".to_owned(),
            "approved" => "Approved".to_owned(),
            "pass" => "Verified".to_owned(),
            "fail" => "Failed".to_owned(),
            "dispatched" => "Link sent".to_owned(),
            "satisfied" => "Verified by document".to_owned(),
            "new" => "New person".to_owned(),
            other => sentence(other),
        };
        Pill { label, tone }
    }
}

/// `manual_review` → "Manual review", `not sent` → "Not sent".
pub fn sentence(code: &str) -> String {
    let spaced = code.replace(['_', '-'], " ");
    let mut c = spaced.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Who acted, as events record it: an analyst's email stays; the system's tags are said.
pub fn actor(raw: &str) -> String {
    if let Some(email) = raw.strip_prefix("system:form-submission:") {
        return format!("The customer ({email}), on submitting");
    }
    if let Some(email) = raw.strip_prefix("system:confirm-review:") {
        return format!("The customer ({email}), on confirming the review");
    }
    match raw {
        "system" => "Automatic".to_owned(),
        "customer" => "The customer".to_owned(),
        other => other.to_owned(),
    }
}

/// An analyst's role as the settings page names it.
pub fn role(code: &str) -> &'static str {
    match code {
        "senior" => "Senior reviewer",
        "admin" => "Admin",
        _ => "Analyst",
    }
}

/// A file's recognised type as people name it.
pub fn file_type(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "PDF",
        "image/png" => "PNG image",
        "image/jpeg" => "JPEG image",
        _ => "File",
    }
}

/// An event of a case's activity as people say it (the event name stays beside it, for
/// the people who integrate). Every type of the catalog has its words; an unknown one
/// (a newer server's) is said from its name.
pub fn event_title(event: &str) -> String {
    said_event(event).map_or_else(|| sentence(&event.replace('.', " ")), str::to_owned)
}

fn said_event(event: &str) -> Option<&'static str> {
    Some(match event {
        "case.created" => "Case opened",
        "case.status.changed" => "Status changed",
        "case.submitted" => "Application submitted",
        "case.decision.made" => "Decision made",
        "data.corrected" => "Details corrected",
        "owner.changed" => "Owner changed",
        "escalation.created" => "Escalated for senior review",
        "escalation.responded" => "Senior reviewer responded",
        "document.uploaded" => "Documents uploaded",
        "document.processed" => "Document read",
        "screening.completed" => "Screening completed",
        "screening.hit.triaged" => "Screening hit triaged",
        "risk.assessed" => "Risk assessed",
        "routing.evaluated" => "Routing decided",
        "ai_review.completed" => "AI review completed",
        "idv.dispatched" => "Identity check sent",
        "idv.completed" => "Identity check completed",
        "idv.satisfied_by_document" => "Identity confirmed by a document",
        "edd.requested" => "Enhanced due diligence requested",
        "edd.requirements.changed" => "EDD requirements changed",
        "outreach.email.sent" => "Email sent to the customer",
        "person.linked" => "Person linked",
        "person.unlinked" => "Person unlinked",
        "person.marked_new" => "Marked as a new person",
        "person.document_attached" => "ID attached to a person",
        "monitoring.run.completed" => "Monitoring run completed",
        "monitoring.alert.created" => "Monitoring alert raised",
        _ => return None,
    })
}

/// A CRM as its maker spells it (`hubspot` → "HubSpot"), for the ones the guide's recipes
/// name; any other `crmSource` is shown as the integration sent it.
pub fn crm(raw: &str) -> std::borrow::Cow<'_, str> {
    match raw.to_ascii_lowercase().as_str() {
        "hubspot" => "HubSpot".into(),
        "salesforce" => "Salesforce".into(),
        "zapier" => "Zapier".into(),
        _ => raw.into(),
    }
}

/// What a failed delivery or ping means for the person who owns the receiver, from the
/// transport's error text (kept beside it as the technical detail); `None` when it says
/// nothing more than the text itself.
pub fn transport(raw: &str) -> Option<&'static str> {
    let lower = raw.to_ascii_lowercase();
    let has = |needle: &str| lower.contains(needle);
    Some(if has("connection refused") {
        "Your receiver refused the connection: nothing is listening at that address and port. Check that it is running and that the URL's port is right."
    } else if has("timed out") {
        "Your receiver did not answer within 10 seconds. Answer with a 2xx at once and do the work afterwards."
    } else if has("dns error") || has("failed to lookup") || has("name or service not known") || has("no such host") {
        "The receiver's host name could not be found. Check the URL for a typo."
    } else if has("certificate") || has("tls") || has("ssl") {
        "The secure connection failed: the receiver's TLS certificate was not accepted. It must be valid for the host name and issued by a public authority."
    } else if has("private") || has("loopback") {
        "The address is private or loopback, which this server does not deliver to. Use an address reachable from the internet."
    } else if has("connection reset") || has("connection closed") || has("broken pipe") {
        "The receiver closed the connection before answering. Check its logs."
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_words_with_a_tone() {
        let table = [
            ("complete", "Read", "good"),
            ("error", "Could not be read", "bad"),
            ("manual_review", "Manual review", "warn"),
            ("outstanding", "Outstanding", "warn"),
            ("not sent", "Not sent", "neutral"),
            ("in_progress", "In progress", "neutral"),
            ("pass", "Verified", "good"),
            ("fail", "Failed", "bad"),
            ("unresolved", "Unresolved", "warn"),
        ];
        for (code, label, tone) in table {
            assert_eq!(Pill::of(code), Pill { label: label.to_owned(), tone }, "{code}");
        }
    }

    #[test]
    fn actors_and_file_types_are_said() {
        assert_eq!(
            actor("system:form-submission:jane@acme.example"),
            "The customer (jane@acme.example), on submitting"
        );
        assert_eq!(
            actor("system:confirm-review:jane@acme.example"),
            "The customer (jane@acme.example), on confirming the review"
        );
        assert_eq!(actor("system"), "Automatic");
        assert_eq!(actor("ada@bank.example"), "ada@bank.example");
        assert_eq!((file_type("application/pdf"), file_type("image/png")), ("PDF", "PNG image"));
        assert_eq!((role("analyst"), role("senior"), role("admin")), ("Analyst", "Senior reviewer", "Admin"));
    }

    #[test]
    fn every_event_type_has_its_words() {
        for e in fml_domain::events::schema::subscribable() {
            assert!(said_event(e).is_some(), "{e} has no words of its own");
        }
        assert_eq!(event_title("case.decision.made"), "Decision made");
        assert_eq!(event_title("vendor.thing_done"), "Vendor thing done");
    }

    #[test]
    fn crms_are_spelled_as_their_makers_do() {
        let table = [
            ("hubspot", "HubSpot"),
            ("HUBSPOT", "HubSpot"),
            ("salesforce", "Salesforce"),
            ("zapier", "Zapier"),
            ("pipedrive", "pipedrive"),
            ("Acme CRM", "Acme CRM"),
        ];
        for (raw, shown) in table {
            assert_eq!(crm(raw), shown, "{raw}");
        }
    }

    #[test]
    fn transport_errors_say_what_to_check() {
        let refused = "connection failed: error sending request for url (http://127.0.0.1:9/): client error (Connect): tcp connect error: Connection refused (os error 111)";
        assert!(transport(refused).is_some_and(|s| s.starts_with("Your receiver refused the connection")));
        assert!(transport("timed out after 10s").is_some_and(|s| s.contains("10 seconds")));
        assert!(
            transport("connection failed: dns error: failed to lookup address information")
                .is_some_and(|s| s.contains("host name"))
        );
        assert!(
            transport("connection failed: invalid peer certificate: UnknownIssuer")
                .is_some_and(|s| s.contains("TLS certificate"))
        );
        assert_eq!(transport("HTTP 500"), None);
    }
}
