//! The activity panel: the case's events, newest first, each with who acted and the gist of
//! what changed.

use askama::Template;
use fml_app::queries::CasePage;
use serde_json::Value;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::When;

pub struct TimelineItem {
    pub event: String,
    /// The event as people say it.
    pub title: String,
    pub at: Option<When>,
    pub by: String,
    pub summary: String,
    pub payload: String,
}

/// An email about the case, as the analyst follows it.
pub struct MailLine {
    pub subject: String,
    pub to: String,
    /// `pending`, `sent` or `failed`, as a pill.
    pub status: &'static str,
    pub label: &'static str,
    /// When it was sent, else queued.
    pub at: When,
    /// Why the last attempt failed (a failed or retried message).
    pub error: String,
}

#[derive(Template)]
#[template(path = "console/panels/timeline.html")]
struct Timeline {
    mails: Vec<MailLine>,
    items: Vec<TimelineItem>,
}

fn mail_line(m: &fml_app::queries::records::MailRow) -> MailLine {
    let (status, label) = match m.status.as_str() {
        "sent" => ("delivered", "Sent"),
        "failed" => ("failed", "Not sent: gave up"),
        _ if m.last_error.is_some() => ("pending", "Not sent yet: retrying"),
        _ => ("pending", "Queued"),
    };
    MailLine {
        subject: m.subject.clone(),
        to: m.recipient.clone(),
        status,
        label,
        at: When::millis(m.sent_at.unwrap_or(m.created_at)),
        error: m.last_error.clone().unwrap_or_default(),
    }
}

/// A line about an event: who acted (the payload's `…By` field, or the deciding analyst) and
/// the gist of what changed.
fn summarise(v: &Value) -> (String, String) {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let by = v
        .as_object()
        .and_then(|o| {
            o.iter().find(|(k, x)| (k.ends_with("By") || *k == "by" || *k == "analystEmail") && x.is_string())
        })
        .and_then(|(_, x)| x.as_str())
        .map(crate::words::actor)
        .unwrap_or_default();
    let summary = match (s("previousStatus"), s("status")) {
        (Some(from), Some(to)) => format!("{} → {}", crate::words::sentence(&from), crate::words::sentence(&to)),
        _ => ["outcome", "recommendation", "note", "notes", "reason"]
            .iter()
            .find_map(|k| s(k).filter(|x| !x.is_empty()))
            .or_else(|| {
                v.get("filenames")
                    .and_then(Value::as_array)
                    .map(|f| f.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
            })
            .unwrap_or_default(),
    };
    (by, summary)
}

pub(super) fn timeline(page: &CasePage) -> Result<Rendered, ConsoleError> {
    let items = page
        .events
        .iter()
        .map(|raw| {
            let v: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
            let (by, summary) = summarise(&v);
            let event = v.get("event").and_then(Value::as_str).unwrap_or("event").to_owned();
            TimelineItem {
                title: crate::words::event_title(&event),
                event,
                at: v
                    .get("timestamp")
                    .and_then(Value::as_str)
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| When::millis(t.timestamp_millis())),
                by,
                summary,
                payload: serde_json::to_string_pretty(&v).unwrap_or_else(|_| raw.clone()),
            }
        })
        .collect();
    let mails = page.mails.iter().map(mail_line).collect();
    rendered("timeline", "Activity", Timeline { mails, items })
}
