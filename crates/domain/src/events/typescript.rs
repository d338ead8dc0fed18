//! TypeScript ambient definitions generated from the event JSON Schemas (so `fml` needs no
//! Node to build or run): one interface per event, the discriminated union `FmlWebhookEvent`
//! and the lookup map `FmlWebhookEventMap`.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

use super::schema::{CATALOG, CatalogEntry};

/// The contents of `/types/webhooks.d.ts`.
pub fn webhooks_d_ts() -> String {
    let mut defs: BTreeMap<String, Value> = BTreeMap::new();
    let mut out = String::from(
        "// First Mile Labs webhook events, contract version 1.\n\
         // Generated from the JSON Schemas at /schemas/webhooks/index.json. Do not edit.\n\n",
    );
    for e in CATALOG.iter() {
        if let Some(d) = e.schema.get("$defs").and_then(Value::as_object) {
            for (k, v) in d {
                defs.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    for (name, schema) in &defs {
        doc(&mut out, schema.get("description"), "");
        if schema.get("properties").is_some() {
            let _ = writeln!(out, "export interface {name} {}\n", object_body(schema, ""));
        } else {
            let _ = writeln!(out, "export type {name} = {};\n", ts_type(schema));
        }
    }
    for e in CATALOG.iter() {
        interface(&mut out, e);
    }
    out.push_str(
        "/** Every event a receiver can get; switch on `event` to narrow. */\nexport type FmlWebhookEvent =\n",
    );
    for (i, e) in CATALOG.iter().enumerate() {
        let _ = writeln!(out, "  | {}{}", e.interface, if i + 1 == CATALOG.len() { ";" } else { "" });
    }
    out.push_str("\n/** Event name to payload type. */\nexport interface FmlWebhookEventMap {\n");
    for e in CATALOG.iter() {
        let _ = writeln!(out, "  \"{}\": {};", e.event, e.interface);
    }
    out.push_str("}\n");
    out
}

fn interface(out: &mut String, e: &CatalogEntry) {
    doc(out, Some(&Value::String(e.description.to_owned())), "");
    let _ = writeln!(out, "export interface {} {}\n", e.interface, object_body(&e.schema, ""));
}

fn object_body(schema: &Value, indent: &str) -> String {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut body = String::from("{\n");
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let inner = format!("{indent}  ");
            doc(&mut body, v.get("description"), &inner);
            let opt = if required.contains(&k.as_str()) { "" } else { "?" };
            let _ = writeln!(body, "{inner}{k}{opt}: {};", ts_type(v));
        }
    }
    body.push_str(indent);
    body.push('}');
    body
}

fn doc(out: &mut String, description: Option<&Value>, indent: &str) {
    if let Some(d) = description.and_then(Value::as_str) {
        let _ = writeln!(out, "{indent}/** {} */", d.replace("*/", "*\\/").replace('\n', " "));
    }
}

/// The TypeScript type of a schema.
fn ts_type(s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or("unknown").to_owned();
    }
    if let Some(c) = s.get("const") {
        return c.to_string();
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return e.iter().map(Value::to_string).collect::<Vec<_>>().join(" | ");
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            return alts.iter().map(ts_type).collect::<Vec<_>>().join(" | ");
        }
    }
    match s.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .map(|t| {
                let mut single = s.clone();
                single["type"] = t.clone();
                ts_type(&single)
            })
            .collect::<Vec<_>>()
            .join(" | "),
        Some(Value::String(t)) => match t.as_str() {
            "string" => "string".into(),
            "integer" | "number" => "number".into(),
            "boolean" => "boolean".into(),
            "null" => "null".into(),
            "array" => format!("Array<{}>", s.get("items").map_or_else(|| "unknown".into(), ts_type)),
            "object" if s.get("properties").is_some() => object_body(s, ""),
            _ => "Record<string, unknown>".into(),
        },
        _ => "unknown".into(),
    }
}

/// `/types/index.json`: what the types file holds.
pub fn manifest() -> Value {
    let interfaces: serde_json::Map<String, Value> =
        CATALOG.iter().map(|e| (e.event.to_owned(), Value::String(e.interface.clone()))).collect();
    serde_json::json!({
        "eventVersion": 1,
        "files": [{ "path": "/types/webhooks.d.ts", "sha256": crate::secret::sha256_hex(webhooks_d_ts().as_bytes()) }],
        "union": "FmlWebhookEvent",
        "map": "FmlWebhookEventMap",
        "interfaces": interfaces,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_cover_every_event() {
        let ts = webhooks_d_ts();
        for e in CATALOG.iter() {
            assert!(ts.contains(&format!("export interface {} {{", e.interface)), "{}", e.interface);
            assert!(ts.contains(&format!("  \"{}\": {};", e.event, e.interface)));
        }
        assert!(ts.contains("event: \"case.created\";"));
        assert!(ts.contains("createdBy?: string | null;") || ts.contains("createdBy?: string;"));
        assert!(ts.contains("crmRecordId: string | null;"));
        assert!(ts.contains("export type FmlWebhookEvent ="));
    }
}
