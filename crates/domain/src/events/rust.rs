//! Rust types generated from the event JSON Schemas, for the `fml-receiver` crate (which must
//! not depend on the server's crates, so it carries them as source): one struct per event,
//! one file per event family, a struct or enum per shared definition, and the `Event` enum
//! with its parser.
//!
//! String enums become Rust enums with an `Unknown` variant, so a value added in a later
//! contract version still parses; a field that may be absent or null is an `Option`.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

use super::schema::{CATALOG, CatalogEntry};

const HEADER: &str = "// First Mile Labs webhook events, contract version 1, as Rust types.\n\
     // Generated from the JSON Schemas by fml-domain (events/rust.rs). Do not edit:\n\
     // run `FML_REGENERATE=1 cargo test -p fml-domain` after changing an event type.\n\n";

/// The files of `crates/receiver/src/events/`, by name: `defs.rs` (the definitions events
/// share), one file per event family (`case.rs`: `case.*`), and `mod.rs` (the `Event` enum).
pub fn receiver_event_files() -> Vec<(String, String)> {
    let mut defs: BTreeMap<String, Value> = BTreeMap::new();
    for e in CATALOG.iter() {
        if let Some(d) = e.schema.get("$defs").and_then(Value::as_object) {
            for (k, v) in d {
                defs.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    let mut shared = Gen::default();
    for (name, schema) in &defs {
        shared.named(name, schema);
    }
    let mut families: BTreeMap<&str, Gen> = BTreeMap::new();
    for e in CATALOG.iter() {
        families.entry(family(e)).or_default().item(&rust_name(e), &e.schema, Some(e.description));
    }
    let serde = "use serde::{Deserialize, Serialize};\n\n";
    let mut files = vec![("defs.rs".to_owned(), format!("{HEADER}{serde}{}", shared.out))];
    let mut root = String::from(HEADER);
    root.push_str("mod defs;\n");
    for name in families.keys() {
        let _ = writeln!(root, "mod {name};");
    }
    root.push_str("\npub use defs::*;\n");
    for name in families.keys() {
        let _ = writeln!(root, "pub use {name}::*;");
    }
    root.push('\n');
    for (name, g) in families {
        // The shared definitions, only where the family names one.
        let uses_defs = defs.keys().any(|d| {
            g.out.match_indices(d.as_str()).any(|(i, _)| {
                let before = g.out[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
                let after = g.out[i + d.len()..].chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_');
                !before && !after
            })
        });
        let imports = if uses_defs { "use super::defs::*;\n" } else { "" };
        files.push((format!("{name}.rs"), format!("{HEADER}{imports}{serde}{}", g.out)));
    }
    event_enum(&mut root);
    files.push(("mod.rs".to_owned(), root));
    files
}

/// `case.decision.made` → `case`.
fn family(e: &CatalogEntry) -> &'static str {
    e.event.split('.').next().unwrap_or(e.event)
}

/// `CaseCreatedV1` → `CaseCreated`.
fn rust_name(e: &CatalogEntry) -> String {
    e.interface.strip_suffix("V1").unwrap_or(&e.interface).to_owned()
}

fn event_enum(out: &mut String) {
    out.push_str(
        "/// Every event a receiver can get; match on it to read the payload.\n\
         #[derive(Debug, Clone, PartialEq)]\n#[non_exhaustive]\npub enum Event {\n",
    );
    for e in CATALOG.iter() {
        let _ = writeln!(out, "    /// `{}`\n    {}({}),", e.event, rust_name(e), rust_name(e));
    }
    out.push_str(
        "    /// An event type this version of the crate does not know (a later contract's), whole.\n    \
         Unknown(serde_json::Value),\n}\n\n",
    );
    out.push_str(
        "/// Every event type this crate knows, in the guide's order, then `ping`.\npub const EVENT_TYPES: [&str; ",
    );
    let _ = writeln!(out, "{}] = [", CATALOG.len());
    for e in CATALOG.iter() {
        let _ = writeln!(out, "    \"{}\",", e.event);
    }
    out.push_str("];\n\nimpl Event {\n");
    out.push_str(
        "    /// Parses a payload by its `event` field; a type this crate does not know is `Unknown`.\n    \
         pub fn from_value(v: serde_json::Value) -> Result<Self, serde_json::Error> {\n        \
         let kind = v.get(\"event\").and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();\n        \
         Ok(match kind.as_str() {\n",
    );
    for e in CATALOG.iter() {
        let _ = writeln!(out, "            \"{}\" => Event::{}(serde_json::from_value(v)?),", e.event, rust_name(e));
    }
    out.push_str("            _ => Event::Unknown(v),\n        })\n    }\n\n");
    out.push_str(
        "    /// The payload as JSON again.\n    pub fn to_value(&self) -> serde_json::Value {\n        match self {\n",
    );
    for e in CATALOG.iter() {
        let _ = writeln!(out, "            Event::{}(e) => serde_json::to_value(e),", rust_name(e));
    }
    out.push_str(
        "            Event::Unknown(v) => Ok(v.clone()),\n        }\n        \
         // Plain structs of strings, numbers and vectors: serialising cannot fail.\n        \
         .unwrap_or_default()\n    }\n\n",
    );
    for (method, field, doc) in [
        ("event_type", "event", "The `event` name, e.g. `case.created`."),
        ("event_id", "event_id", "The `eventId`: stable across retries and redeliveries, the idempotency key."),
        (
            "timestamp",
            "timestamp",
            "The `timestamp` (ISO 8601 UTC) the event was emitted at, covered by the signature.",
        ),
    ] {
        let _ = writeln!(out, "    /// {doc}\n    pub fn {method}(&self) -> &str {{\n        match self {{");
        for e in CATALOG.iter() {
            let _ = writeln!(out, "            Event::{}(e) => &e.{field},", rust_name(e));
        }
        let json = if field == "event_id" { "eventId" } else { field };
        let _ = writeln!(
            out,
            "            Event::Unknown(v) => v.get(\"{json}\").and_then(serde_json::Value::as_str).unwrap_or_default(),\n        }}\n    }}\n"
        );
    }
    out.truncate(out.trim_end().len());
    out.push_str("\n}\n");
}

#[derive(Default)]
struct Gen {
    out: String,
}

impl Gen {
    /// A shared definition: an object, a string enum, or an alias.
    fn named(&mut self, name: &str, schema: &Value) {
        if schema.get("properties").is_some() {
            self.item(name, schema, schema.get("description").and_then(Value::as_str));
        } else if let Some(values) = string_values(schema) {
            self.string_enum(name, schema, &values);
        } else {
            let ty = self.ty(schema, name);
            doc(&mut self.out, schema.get("description").and_then(Value::as_str), "");
            let _ = writeln!(self.out, "pub type {name} = {ty};\n");
        }
    }

    /// A struct of an object schema (its nested objects first, named after their field).
    fn item(&mut self, name: &str, schema: &Value, description: Option<&str>) {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut body = String::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                let mut ty = self.ty(v, &format!("{name}{}", pascal(k)));
                let optional = !required.contains(&k.as_str());
                if optional && !ty.starts_with("Option<") {
                    ty = format!("Option<{ty}>");
                }
                doc(&mut body, v.get("description").and_then(Value::as_str), "    ");
                let _ = write!(body, "    #[serde(rename = \"{k}\"");
                if optional {
                    body.push_str(", default, skip_serializing_if = \"Option::is_none\"");
                }
                let _ = writeln!(body, ")]\n    pub {}: {ty},", field(k));
            }
        }
        doc(&mut self.out, description, "");
        let _ = writeln!(
            self.out,
            "#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]\npub struct {name} {{\n{body}}}\n"
        );
    }

    fn string_enum(&mut self, name: &str, schema: &Value, values: &[String]) {
        doc(&mut self.out, schema.get("description").and_then(Value::as_str), "");
        let _ = writeln!(
            self.out,
            "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]\n#[non_exhaustive]\npub enum {name} {{"
        );
        for v in values {
            let _ = writeln!(self.out, "    #[serde(rename = \"{v}\")]\n    {},", pascal(v));
        }
        self.out.push_str(
            "    /// A value this version of the crate does not know (a later contract's).\n    \
             #[serde(other)]\n    Unknown,\n}\n\n",
        );
    }

    /// The Rust type of a schema; `context` names a nested object's struct.
    fn ty(&mut self, s: &Value, context: &str) -> String {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            return r.rsplit('/').next().unwrap_or("serde_json::Value").to_owned();
        }
        if s.get("const").is_some() || s.get("enum").is_some() {
            return match s.get("type").and_then(Value::as_str) {
                Some("integer") => "i64".into(),
                Some("string") => "String".into(),
                _ => "serde_json::Value".into(),
            };
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(alts) = s.get(key).and_then(Value::as_array) {
                let non_null: Vec<&Value> =
                    alts.iter().filter(|a| a.get("type").and_then(Value::as_str) != Some("null")).collect();
                let tys: Vec<String> = non_null.iter().map(|a| self.ty(a, context)).collect();
                let one = match tys.first() {
                    Some(t) if tys.iter().all(|x| x == t) => t.clone(),
                    _ => "serde_json::Value".into(),
                };
                return if non_null.len() < alts.len() { format!("Option<{one}>") } else { one };
            }
        }
        match s.get("type") {
            Some(Value::Array(types)) => {
                let nullable = types.iter().any(|t| t == "null");
                let others: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
                let one = match others.as_slice() {
                    [t] => {
                        let mut single = s.clone();
                        single["type"] = (*t).clone();
                        self.ty(&single, context)
                    }
                    _ => "serde_json::Value".into(),
                };
                if nullable { format!("Option<{one}>") } else { one }
            }
            Some(Value::String(t)) => match t.as_str() {
                "string" => "String".into(),
                "integer" => "i64".into(),
                "number" => "f64".into(),
                "boolean" => "bool".into(),
                "array" => {
                    let item = s.get("items").map_or_else(|| "serde_json::Value".into(), |i| self.ty(i, context));
                    format!("Vec<{item}>")
                }
                "object" if s.get("properties").is_some() => {
                    self.item(context, s, s.get("description").and_then(Value::as_str));
                    context.to_owned()
                }
                _ => "serde_json::Map<String, serde_json::Value>".into(),
            },
            _ => "serde_json::Value".into(),
        }
    }
}

/// The string values a schema allows when it is a string enum (or a `oneOf` of them).
fn string_values(s: &Value) -> Option<Vec<String>> {
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return e.iter().map(|v| v.as_str().map(str::to_owned)).collect();
    }
    if let Some(c) = s.get("const") {
        return c.as_str().map(|c| vec![c.to_owned()]);
    }
    let alts = s.get("oneOf").or_else(|| s.get("anyOf"))?.as_array()?;
    let mut all = Vec::new();
    for a in alts {
        all.extend(string_values(a)?);
    }
    Some(all)
}

fn doc(out: &mut String, description: Option<&str>, indent: &str) {
    if let Some(d) = description {
        for line in d.lines() {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// `customer_review`, `HIGH`, `correctedValue` → `CustomerReview`, `High`, `CorrectedValue`.
fn pascal(s: &str) -> String {
    let split_camel = s.chars().any(|c| c.is_ascii_lowercase());
    let mut out = String::new();
    let mut upper = true;
    for c in s.chars() {
        if !c.is_ascii_alphanumeric() {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else if split_camel {
            out.push(c);
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) { format!("V{out}") } else { out }
}

/// `caseReference` → `case_reference` (a keyword gets `r#`).
fn field(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    match out.as_str() {
        "type" | "ref" | "match" | "move" | "self" | "struct" | "enum" | "fn" | "use" | "mod" | "loop" => {
            format!("r#{out}")
        }
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(pascal("customer_review"), "CustomerReview");
        assert_eq!(pascal("HIGH"), "High");
        assert_eq!(pascal("REVIEW_LEVEL_1"), "ReviewLevel1");
        assert_eq!(pascal("correctedValue"), "CorrectedValue");
        assert_eq!(pascal("1st"), "V1st");
        assert_eq!(field("caseReference"), "case_reference");
        assert_eq!(field("type"), "r#type");
    }

    /// The committed `crates/receiver/src/events/` must equal a fresh generation.
    #[test]
    fn the_receiver_crates_types_are_fresh() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../receiver/src/events");
        let files = receiver_event_files();
        if std::env::var_os("FML_REGENERATE").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in &files {
                std::fs::write(dir.join(name), text).unwrap();
            }
        }
        for (name, text) in &files {
            let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            assert!(
                committed == *text,
                "crates/receiver/src/events/{name} is stale: run FML_REGENERATE=1 cargo test -p fml-domain"
            );
        }
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), files.len(), "a file no event generates");
        let all: String = files.iter().map(|(_, t)| t.as_str()).collect();
        for e in CATALOG.iter() {
            assert!(all.contains(&format!("pub struct {} {{", rust_name(e))), "{}", e.event);
        }
    }
}
