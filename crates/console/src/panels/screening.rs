//! The screening panel: the latest sanctions and PEP run, its subjects, and its hits with their
//! triage and the analyst's review.

use askama::Template;
use fml_app::queries::CasePage;
use serde_json::Value;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::{Echo, When};

pub struct SubjectLine {
    pub name: String,
    pub role: String,
    pub status: String,
}

pub struct HitLine {
    pub id: i64,
    pub subject: String,
    pub entity_id: String,
    pub caption: String,
    pub url: String,
    pub standing: String,
    pub score: String,
    pub matched_name: String,
    pub birth_date: String,
    pub country: String,
    pub triage: String,
    pub confidence: String,
    pub reason: String,
    pub model: String,
    pub review: Option<(String, String, String, When)>,
    /// The review as posted, when that form was refused.
    pub note: String,
}

#[derive(Template)]
#[template(path = "console/panels/screening.html")]
struct Screening<'a> {
    csrf: &'a str,
    id: String,
    run: Option<(String, When, i64, String)>,
    subjects: Vec<SubjectLine>,
    hits: Vec<HitLine>,
}

pub(super) fn screening(page: &CasePage, csrf: &str, echo: &Echo) -> Result<Rendered, ConsoleError> {
    let (run, subjects, hits) = match &page.engines.screening {
        None => (None, Vec::new(), Vec::new()),
        Some((run, hits)) => {
            let summary: Vec<Value> = serde_json::from_str(&run.summary).unwrap_or_default();
            let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            let subjects = summary
                .iter()
                .map(|s| SubjectLine {
                    name: text(s, "name"),
                    role: Some(text(s, "role")).filter(|r| !r.is_empty()).unwrap_or_else(|| "company".into()),
                    status: text(s, "status"),
                })
                .collect();
            let hits = hits
                .iter()
                .map(|h| {
                    let f: Value = serde_json::from_str(&h.features).unwrap_or_default();
                    let e: Value = serde_json::from_str(&h.entity).unwrap_or_default();
                    HitLine {
                        note: echo.value(&format!("hit-{}", h.id), "note").to_owned(),
                        id: h.id,
                        subject: h.subject_name.clone(),
                        caption: text(&e, "caption"),
                        url: web_link(e.pointer("/article/url").and_then(Value::as_str).unwrap_or_default()),
                        entity_id: h.entity_id.clone(),
                        standing: h.standing.clone(),
                        score: format!("{:.0} %", h.score * 100.0),
                        matched_name: text(&f, "matchedName"),
                        birth_date: text(&f, "birthDate"),
                        country: text(&f, "country"),
                        triage: h.disposition.replace('_', " "),
                        confidence: format!("{:.0}", h.confidence),
                        reason: h.short_reason.clone(),
                        model: h.model.clone(),
                        review: match (&h.review_disposition, &h.reviewed_by, h.reviewed_at) {
                            (Some(d), Some(by), Some(at)) => Some((
                                d.replace('_', " "),
                                h.review_note.clone().unwrap_or_default(),
                                by.clone(),
                                When::millis(at),
                            )),
                            _ => None,
                        },
                    }
                })
                .collect();
            let list = format!("list version {}, threshold {:.2}", run.list_version, run.threshold);
            (Some((run.triggered_by.clone(), When::millis(run.completed_at), run.id, list)), subjects, hits)
        }
    };
    rendered("screening", "Screening", Screening { csrf, id: page.engines.case.id.to_string(), run, subjects, hits })
}

/// A watch list's link, shown only when it is a plain web address: a list entry is outside
/// data, and a `javascript:` or `data:` link in the console would run in the analyst's session.
fn web_link(raw: &str) -> String {
    let lower = raw.trim().to_ascii_lowercase();
    let host = lower.split_once("://").map_or("", |(_, rest)| rest);
    let web = (lower.starts_with("https://") || lower.starts_with("http://"))
        && !host.is_empty()
        && !host.starts_with('/')
        && !raw.trim().chars().any(|c| c.is_whitespace() || c.is_control());
    if web { raw.trim().to_owned() } else { String::new() }
}

#[cfg(test)]
mod tests {
    use super::web_link;

    #[test]
    fn only_web_links_are_shown() {
        for ok in ["https://example.org/a?b=c", "HTTP://Example.org", " https://x.example/ "] {
            assert_eq!(web_link(ok), ok.trim(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "JaVaScRiPt:x",
            "//evil.example",
            "https://",
            "https://a.example/\nx",
            "ftp://x.example",
            "vbscript:x",
            "",
        ] {
            assert_eq!(web_link(bad), "", "{bad}");
        }
    }
}
