//! JSON Schemas (Draft 2020-12) of the webhook events, generated from the Rust types.

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde_json::{Value, json};

use super::catalog::*;
use super::{PING, WebhookEvent};

/// The path prefix the schemas are served under.
pub const SCHEMA_BASE: &str = "/schemas/webhooks";

/// One event type of the catalog.
#[derive(Debug)]
pub struct CatalogEntry {
    /// The `event` name, e.g. `case.created`.
    pub event: &'static str,
    /// The TypeScript interface, e.g. `CaseCreatedV1`.
    pub interface: String,
    pub description: &'static str,
    /// The event's JSON Schema.
    pub schema: Value,
}

macro_rules! catalog {
    ($($ty:ident),+ $(,)?) => {
        /// Every event type, in the guide's order, then `ping`.
        pub static CATALOG: LazyLock<Vec<CatalogEntry>> = LazyLock::new(|| {
            let mut all = vec![$(entry::<$ty>()),+];
            all.push(ping_entry());
            all
        });
    };
}

catalog!(
    CaseCreated,
    CaseSubmitted,
    CaseDecisionMade,
    CaseStatusChanged,
    DataCorrected,
    DocumentUploaded,
    ScreeningCompleted,
    AiReviewCompleted,
    DocumentProcessed,
    RiskAssessed,
    RoutingEvaluated,
    EddRequirementsChanged,
    EddRequested,
    IdvDispatched,
    IdvCompleted,
    IdvSatisfiedByDocument,
    MonitoringAlertCreated,
    MonitoringRunCompleted,
    ScreeningHitTriaged,
    PersonLinked,
    PersonUnlinked,
    PersonMarkedNew,
    PersonDocumentAttached,
    OutreachEmailSent,
    EscalationCreated,
    EscalationResponded,
    OwnerChanged,
);

/// The event types an endpoint can subscribe to (every catalog entry but `ping`).
pub fn subscribable() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|e| e.event).filter(|e| *e != PING)
}

/// Whether `name` is a subscribable event type.
pub fn is_subscribable(name: &str) -> bool {
    subscribable().any(|e| e == name)
}

pub fn find(event: &str) -> Option<&'static CatalogEntry> {
    CATALOG.iter().find(|e| e.event == event)
}

/// `/schemas/webhooks/index.json`.
pub fn index() -> Value {
    let events: Vec<Value> = CATALOG
        .iter()
        .map(|e| {
            json!({
                "event": e.event,
                "version": 1,
                "interface": e.interface,
                "description": e.description,
                "schema": format!("{SCHEMA_BASE}/{}.v1.json", e.event),
            })
        })
        .collect();
    json!({ "eventVersion": 1, "draft": "https://json-schema.org/draft/2020-12/schema", "events": events })
}

/// The envelope's fields, for schema generation only.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "only its schema is used")]
struct EnvelopeSchema {
    /// The event type.
    event: String,
    /// UUID v4, unique per event and stable across retries and redeliveries: the idempotency key.
    #[schemars(with = "UuidV4")]
    event_id: String,
    /// Contract version, currently 1.
    event_version: u32,
    /// ISO 8601 UTC, when the event was emitted.
    timestamp: crate::Timestamp,
    /// Your First Mile Labs organisation identifier.
    org_id: String,
    /// The CRM record id stored on the case, or null.
    crm_record_id: Option<String>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "only its schema is used")]
struct PingSchema {
    event: String,
    #[schemars(with = "UuidV4")]
    event_id: String,
    event_version: u32,
    timestamp: crate::Timestamp,
    org_id: String,
    message: String,
}

#[derive(JsonSchema)]
#[expect(dead_code, reason = "only its schema is used")]
struct WireSchema<P: JsonSchema> {
    #[serde(flatten)]
    envelope: EnvelopeSchema,
    #[serde(flatten)]
    payload: P,
}

struct UuidV4;

impl JsonSchema for UuidV4 {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "UuidV4".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "uuid" })
    }
}

fn entry<P: WebhookEvent>() -> CatalogEntry {
    let root = schemars::schema_for!(WireSchema<P>);
    let schema = finish(root.to_value(), P::TYPE, P::NAME, P::DESCRIPTION, P::OPTIONAL);
    CatalogEntry { event: P::TYPE, interface: format!("{}V1", P::NAME), description: P::DESCRIPTION, schema }
}

fn ping_entry() -> CatalogEntry {
    let description = "A reachability check: sent by the pre-save test ping and the endpoint Test button.";
    let schema = finish(schemars::schema_for!(PingSchema).to_value(), PING, "Ping", description, &[]);
    CatalogEntry { event: PING, interface: "PingV1".into(), description, schema }
}

/// Pins `event` and `eventVersion` to constants, marks every field required except the
/// situational ones, and names the schema.
fn finish(mut s: Value, event: &str, name: &str, description: &str, optional: &[&str]) -> Value {
    let obj = s.as_object_mut().expect("a struct's schema is an object");
    obj.insert("$id".into(), json!(format!("{SCHEMA_BASE}/{event}.v1.json")));
    obj.insert("title".into(), json!(format!("{name}V1")));
    obj.insert("description".into(), json!(description));
    let props = obj.get_mut("properties").and_then(Value::as_object_mut).expect("properties");
    props.insert("event".into(), json!({ "type": "string", "const": event, "description": "The event type." }));
    props.insert("eventVersion".into(), json!({ "type": "integer", "const": 1, "description": "Contract version." }));
    let required: Vec<Value> = props.keys().filter(|k| !optional.contains(&k.as_str())).map(|k| json!(k)).collect();
    obj.insert("required".into(), Value::Array(required));
    let obj = s.as_object_mut().expect("object");
    // Nested objects (summary items, owners, …) always carry every field, null or not.
    if let Some(defs) = obj.get_mut("$defs").and_then(Value::as_object_mut) {
        for def in defs.values_mut() {
            if let Some(keys) =
                def.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect::<Vec<_>>())
            {
                def["required"] = json!(keys);
            }
        }
    }
    // Newer versions of a payload may add fields (the guide's compatibility policy), so the
    // schema leaves additional properties open.
    obj.remove("additionalProperties");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_seven_event_types_and_ping() {
        assert_eq!(CATALOG.len(), 28);
        assert_eq!(subscribable().count(), 27);
        let mut names: Vec<_> = CATALOG.iter().map(|e| e.event).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 28);
        assert!(is_subscribable("owner.changed") && !is_subscribable("ping") && !is_subscribable("case.approved"));
    }

    #[test]
    fn schemas_pin_the_envelope_and_required_fields() {
        let s = &find("case.created").unwrap().schema;
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(s["properties"]["event"]["const"], "case.created");
        let required: Vec<&str> = s["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        for f in
            ["event", "eventId", "eventVersion", "timestamp", "orgId", "crmRecordId", "caseId", "companyName", "source"]
        {
            assert!(required.contains(&f), "{f} must be required");
        }
        assert!(!required.contains(&"createdBy"));
        let ping = &find("ping").unwrap().schema;
        assert!(ping["properties"].get("crmRecordId").is_none());
    }
}

/// The committed copies under `docs/webhooks/generated/` must equal a fresh generation.
/// Run with `FML_REGENERATE=1` to rewrite them after changing an event type.
#[cfg(test)]
#[test]
fn committed_copies_are_fresh() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/webhooks/generated");
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap() + "\n";
    let mut files = vec![
        ("index.json".to_owned(), pretty(&index())),
        ("webhooks.d.ts".to_owned(), super::typescript::webhooks_d_ts()),
        ("types-index.json".to_owned(), pretty(&super::typescript::manifest())),
    ];
    files.extend(CATALOG.iter().map(|e| (format!("{}.v1.json", e.event), pretty(&e.schema))));
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
            "docs/webhooks/generated/{name} is stale: run FML_REGENERATE=1 cargo test -p fml-domain"
        );
    }
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(on_disk, files.len(), "docs/webhooks/generated/ holds a file no event generates");
}
