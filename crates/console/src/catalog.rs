//! The event catalog: every event type with its description, field table and sample payload,
//! linking to its JSON Schema and the TypeScript definitions (the guide's "Schema ↗" links).

use std::sync::LazyLock;

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use fml_domain::events::schema::{CATALOG, CatalogEntry};
use serde_json::Value;

use crate::error::ConsoleError;
use crate::html;
use crate::session::Viewer;
use crate::view::Chrome;

pub struct Field {
    pub name: String,
    pub kind: String,
    pub required: bool,
    pub description: String,
}

/// One row of the table: the type as a reader wants it (`string (date-time)`, `"a" | "b"`,
/// `array of object`, `… | null`).
fn kind_of(s: &Value) -> String {
    if let Some(c) = s.get("const") {
        return c.to_string();
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return e.iter().map(Value::to_string).collect::<Vec<_>>().join(" | ");
    }
    if let Some(any) = s.get("anyOf").or_else(|| s.get("oneOf")).and_then(Value::as_array) {
        return any.iter().map(kind_of).collect::<Vec<_>>().join(" | ");
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    let base = match s.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        _ => "any".into(),
    };
    let base = match s.get("format").and_then(Value::as_str) {
        Some(f) => format!("{base} ({f})"),
        None => base,
    };
    match s.get("items") {
        Some(items) if base.starts_with("array") => base.replacen("array", &format!("array of {}", kind_of(items)), 1),
        _ => base,
    }
}

fn fields(e: &CatalogEntry) -> Vec<Field> {
    let required: Vec<&str> = e
        .schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    e.schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(name, s)| Field {
                    name: name.clone(),
                    kind: kind_of(s),
                    required: required.contains(&name.as_str()),
                    description: s.get("description").and_then(Value::as_str).unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The sample payload of each event type, pretty-printed once.
static SAMPLES: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    fml_domain::events::samples::all()
        .into_iter()
        .map(|e| {
            let pretty = serde_json::from_str::<Value>(&e.payload)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or(e.payload);
            (e.event_type, pretty)
        })
        .chain(std::iter::once({
            let org = fml_domain::OrgId::from_trusted("org_demo_bank".into());
            let (_, body) = fml_domain::events::ping(&org, fml_domain::Timestamp::from_millis(1_778_836_451_421));
            let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            (fml_domain::events::PING, serde_json::to_string_pretty(&v).unwrap_or(body))
        }))
        .collect()
});

pub struct Entry {
    pub event: &'static str,
    pub description: &'static str,
    pub schema: String,
}

#[derive(Template)]
#[template(path = "console/events.html")]
struct Index {
    chrome: Chrome,
    /// The event types by area, in catalog order: (area, its entries).
    areas: Vec<(String, Vec<Entry>)>,
}

pub async fn index(who: Viewer) -> Response {
    let mut areas: Vec<(String, Vec<Entry>)> = Vec::new();
    for e in CATALOG.iter() {
        let entry = Entry {
            event: e.event,
            description: e.description,
            schema: format!("/schemas/webhooks/{}.v1.json", e.event),
        };
        let area = crate::view::event_family(e.event);
        match areas.iter_mut().find(|(a, _)| *a == area) {
            Some((_, list)) => list.push(entry),
            None => areas.push((area, vec![entry])),
        }
    }
    html(StatusCode::OK, Index { chrome: who.chrome("events"), areas }.render())
}

#[derive(Template)]
#[template(path = "console/event.html")]
struct Show {
    chrome: Chrome,
    event: &'static str,
    description: &'static str,
    interface: String,
    schema: String,
    fields: Vec<Field>,
    sample: String,
}

pub async fn show(who: Viewer, Path(name): Path<String>) -> Result<Response, ConsoleError> {
    let e = CATALOG.iter().find(|e| e.event == name).ok_or(ConsoleError::NotFound("no such event type"))?;
    let sample = SAMPLES.iter().find(|(t, _)| *t == e.event).map(|(_, s)| s.clone()).unwrap_or_default();
    let view = Show {
        chrome: who.chrome("events"),
        event: e.event,
        description: e.description,
        interface: e.interface.clone(),
        schema: format!("/schemas/webhooks/{}.v1.json", e.event),
        fields: fields(e),
        sample,
    };
    Ok(html(StatusCode::OK, view.render()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_kinds_read_like_types() {
        assert_eq!(kind_of(&json!({"type": "string", "format": "date-time"})), "string (date-time)");
        assert_eq!(kind_of(&json!({"type": ["string", "null"]})), "string | null");
        assert_eq!(kind_of(&json!({"enum": ["approved", "declined"]})), "\"approved\" | \"declined\"");
        assert_eq!(kind_of(&json!({"type": "array", "items": {"type": "string"}})), "array of string");
        assert_eq!(kind_of(&json!({"$ref": "#/$defs/Amendment"})), "Amendment");
    }

    #[test]
    fn every_event_has_fields_and_a_sample() {
        for e in CATALOG.iter() {
            let f = fields(e);
            assert!(f.iter().any(|f| f.name == "eventId" && f.required), "{}", e.event);
            assert!(SAMPLES.iter().any(|(t, _)| *t == e.event), "no sample for {}", e.event);
        }
    }
}
