//! Cases: their lifecycle vocabulary and the validated input that opens one.

use serde::Serialize;
use serde_json::Value;

use crate::{CountryCode, EmailAddress, FieldError};

/// Where a case is in its life. Always snake_case on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Opened; the customer has not finished their part.
    InProgress,
    /// The customer submitted; an analyst works the case.
    InReview,
    /// Escalated: waiting for a senior reviewer.
    PendingSenior,
    /// A senior answered the escalation; back with the analyst.
    Returned,
    Approved,
    Declined,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::InProgress,
        CaseStatus::InReview,
        CaseStatus::PendingSenior,
        CaseStatus::Returned,
        CaseStatus::Approved,
        CaseStatus::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::InProgress => "in_progress",
            CaseStatus::InReview => "in_review",
            CaseStatus::PendingSenior => "pending_senior",
            CaseStatus::Returned => "returned",
            CaseStatus::Approved => "approved",
            CaseStatus::Declined => "declined",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// `approved` and `declined`: nothing moves a case out of them.
    pub fn is_final(self) -> bool {
        matches!(self, CaseStatus::Approved | CaseStatus::Declined)
    }
}

/// How a case came to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseSource {
    /// Opened through the Public API (`POST /v1/cases`), typically from a CRM.
    Api,
    Manual,
    DocUpload,
    ApplicationForm,
}

impl CaseSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseSource::Api => "api",
            CaseSource::Manual => "manual",
            CaseSource::DocUpload => "doc_upload",
            CaseSource::ApplicationForm => "application_form",
        }
    }

    pub const ALL: [CaseSource; 4] = [Self::Api, Self::Manual, Self::DocUpload, Self::ApplicationForm];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// The limits on free-text fields, in characters.
const MAX_NAME: usize = 200;
const MAX_COMPANY: usize = 300;
const MAX_ENTITY_TYPE: usize = 100;
const MAX_CRM_SOURCE: usize = 64;
pub const MAX_CRM_RECORD_ID: usize = 255;

/// A valid request to open a case through the Public API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub customer_email: EmailAddress,
    pub customer_name: Option<String>,
    pub company_name: Option<String>,
    pub country: Option<CountryCode>,
    pub entity_type: Option<String>,
    pub crm_record_id: Option<String>,
    pub crm_source: Option<String>,
    pub send_invite: bool,
}

/// The fields of a `POST /v1/cases` body as sent, each any JSON value: [`NewCase::from_fields`]
/// checks them all, so every failed field is reported at once.
#[derive(Debug, Default, Clone, Copy)]
pub struct CaseFields<'a> {
    pub customer_email: Option<&'a Value>,
    pub customer_name: Option<&'a Value>,
    pub company_name: Option<&'a Value>,
    pub country: Option<&'a Value>,
    pub entity_type: Option<&'a Value>,
    pub crm_record_id: Option<&'a Value>,
    pub crm_source: Option<&'a Value>,
    pub send_invite: Option<&'a Value>,
}

/// Field limits, in characters, as the OpenAPI document states them.
pub mod limits {
    pub const EMAIL: usize = 254;
    pub const NAME: usize = super::MAX_NAME;
    pub const COMPANY: usize = super::MAX_COMPANY;
    pub const COUNTRY: usize = 100;
    pub const ENTITY_TYPE: usize = super::MAX_ENTITY_TYPE;
    pub const CRM_RECORD_ID: usize = super::MAX_CRM_RECORD_ID;
    pub const CRM_SOURCE: usize = super::MAX_CRM_SOURCE;
    pub const COMPANY_NUMBER: usize = 50;
}

/// Reads the optional `companyNumber` (display text; blank is absent).
pub fn parse_company_number(v: Option<&Value>) -> Result<Option<String>, FieldError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            crate::text::clean(s, limits::COMPANY_NUMBER).map_err(|e| FieldError::new("companyNumber", e.to_string()))
        }
        Some(_) => Err(FieldError::new("companyNumber", "must be a string")),
    }
}

impl NewCase {
    /// Validates a `POST /v1/cases` body given as a JSON value (see [`Self::from_fields`]).
    pub fn from_json(body: &Value) -> Result<Self, Vec<FieldError>> {
        let Some(obj) = body.as_object() else {
            return Err(vec![FieldError::new("body", "must be a JSON object")]);
        };
        Self::from_fields(CaseFields {
            customer_email: obj.get("customerEmail"),
            customer_name: obj.get("customerName"),
            company_name: obj.get("companyName"),
            country: obj.get("country"),
            entity_type: obj.get("entityType"),
            crm_record_id: obj.get("crmRecordId"),
            crm_source: obj.get("crmSource"),
            send_invite: obj.get("sendInvite"),
        })
    }

    /// Validates the fields of a `POST /v1/cases` body, reporting every failed field at once.
    /// CRMs send blank properties as `""`, so a blank optional field counts as absent; Zapier
    /// sends every value as a string, so `sendInvite` also takes "true"/"false".
    pub fn from_fields(f: CaseFields<'_>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let customer_email = match opt_text(f.customer_email, "customerEmail", limits::EMAIL, &mut errors) {
            Some(raw) => EmailAddress::parse(&raw).map_err(|m| errors.push(FieldError::new("customerEmail", m))).ok(),
            None => {
                if !errors.iter().any(|e| e.field == "customerEmail") {
                    errors.push(FieldError::new("customerEmail", "is required"));
                }
                None
            }
        };
        let customer_name = opt_text(f.customer_name, "customerName", MAX_NAME, &mut errors);
        let company_name = opt_text(f.company_name, "companyName", MAX_COMPANY, &mut errors);
        let country = opt_text(f.country, "country", limits::COUNTRY, &mut errors).and_then(|raw| {
            CountryCode::parse(&raw)
                .map_err(|_| {
                    errors.push(FieldError::new("country", format!("'{raw}' is not a country name or ISO 3166-1 code")))
                })
                .ok()
        });
        let entity_type = opt_text(f.entity_type, "entityType", MAX_ENTITY_TYPE, &mut errors);
        let crm_record_id = match f.crm_record_id {
            // CRM record ids are often numeric (HubSpot); keep their text form (the caller
            // may restore the exact literal with `number_literal`).
            Some(Value::Number(n)) => crate::text::clean(&n.to_string(), MAX_CRM_RECORD_ID)
                .map_err(|e| errors.push(FieldError::new("crmRecordId", e.to_string())))
                .ok()
                .flatten(),
            other => opt_text(other, "crmRecordId", MAX_CRM_RECORD_ID, &mut errors),
        };
        let crm_source = opt_text(f.crm_source, "crmSource", MAX_CRM_SOURCE, &mut errors);
        let send_invite = match f.send_invite {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => match s.trim_matches([' ', '\t', '\r', '\n']).to_ascii_lowercase().as_str() {
                "true" => true,
                "false" | "" => false,
                _ => {
                    errors.push(FieldError::new("sendInvite", "must be true or false"));
                    false
                }
            },
            Some(_) => {
                errors.push(FieldError::new("sendInvite", "must be true or false"));
                false
            }
        };
        match customer_email {
            Some(customer_email) if errors.is_empty() => Ok(Self {
                customer_email,
                customer_name,
                company_name,
                country,
                entity_type,
                crm_record_id,
                crm_source,
                send_invite,
            }),
            _ => Err(errors),
        }
    }
}

/// The exact text of a top-level number field of a JSON object body, as the client wrote it.
///
/// Numbers are parsed with arbitrary precision, so no digit is ever lost to a float; this also
/// keeps the spelling of an exponent (`1e2` rather than the parser's `1e+2`), so a numeric
/// `crmRecordId` is stored and compared exactly as sent.
pub fn number_literal(raw_body: &[u8], field: &str) -> Option<String> {
    let map: std::collections::HashMap<std::borrow::Cow<'_, str>, &serde_json::value::RawValue> =
        serde_json::from_slice(raw_body).ok()?;
    let text = map.get(field)?.get();
    text.starts_with(|c: char| c == '-' || c.is_ascii_digit()).then(|| text.to_owned())
}

/// Validates a crmRecordId given on its own (`POST /api/cases/{caseId}/crm-record-id`).
pub fn parse_crm_record_id(v: Option<&Value>) -> Result<String, FieldError> {
    match v {
        Some(Value::Number(n)) => match crate::text::clean(&n.to_string(), MAX_CRM_RECORD_ID) {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(FieldError::new("crmRecordId", "must not be blank")),
            Err(e) => Err(FieldError::new("crmRecordId", e.to_string())),
        },
        Some(Value::String(s)) => match crate::text::clean(s, MAX_CRM_RECORD_ID) {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(FieldError::new("crmRecordId", "must not be blank")),
            Err(e) => Err(FieldError::new("crmRecordId", e.to_string())),
        },
        None | Some(Value::Null) => Err(FieldError::new("crmRecordId", "is required")),
        Some(_) => Err(FieldError::new("crmRecordId", "must be a string")),
    }
}

/// An optional text field, cleaned as [`crate::text::clean`] says: blank counts as absent.
fn opt_text(value: Option<&Value>, field: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => crate::text::clean(s, max).unwrap_or_else(|e| {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }),
        Some(_) => {
            errors.push(FieldError::new(field, "must be a string"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_the_recipe_body() {
        let c = NewCase::from_json(&json!({
            "customerEmail": "jane@acme.example", "customerName": "Jane Doe",
            "companyName": "Acme Holdings Ltd", "country": "United Kingdom",
            "crmRecordId": "rec_8d2", "crmSource": "hubspot", "sendInvite": true, "extra": 1
        }))
        .unwrap();
        assert_eq!(c.customer_email.as_str(), "jane@acme.example");
        assert_eq!(c.country.unwrap().as_str(), "GB");
        assert_eq!(c.crm_record_id.as_deref(), Some("rec_8d2"));
        assert!(c.send_invite);
    }

    #[test]
    fn crm_friendly_coercions() {
        let c = NewCase::from_json(&json!({
            "customerEmail": "a@b.io", "crmRecordId": 12345678901_i64, "sendInvite": "TRUE",
            "companyName": "", "country": "  "
        }))
        .unwrap();
        assert_eq!(c.crm_record_id.as_deref(), Some("12345678901"));
        assert!(c.send_invite);
        assert_eq!(c.company_name, None);
        assert_eq!(c.country, None);
        assert!(!NewCase::from_json(&json!({"customerEmail": "a@b.io"})).unwrap().send_invite);
    }

    #[test]
    fn reports_every_failed_field() {
        let errs = NewCase::from_json(&json!({
            "customerEmail": "not-an-email", "country": "Atlantis", "companyName": 7,
            "sendInvite": "maybe", "customerName": "x".repeat(201)
        }))
        .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["customerEmail", "customerName", "companyName", "country", "sendInvite"]);
        let missing = NewCase::from_json(&json!({})).unwrap_err();
        assert_eq!(missing, vec![FieldError::new("customerEmail", "is required")]);
        assert_eq!(NewCase::from_json(&json!([1])).unwrap_err()[0].field, "body");
        assert_eq!(
            NewCase::from_json(&json!({"customerEmail": 5})).unwrap_err(),
            vec![FieldError::new("customerEmail", "must be a string")]
        );
    }

    #[test]
    fn statuses_are_snake_case() {
        for s in CaseStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CaseSource::parse("api"), Some(CaseSource::Api));
    }

    #[test]
    fn crm_record_id_alone() {
        assert_eq!(parse_crm_record_id(Some(&json!(" 0035g "))).unwrap(), "0035g");
        assert_eq!(parse_crm_record_id(Some(&json!(42))).unwrap(), "42");
        // Numbers keep their literal text: large ids do not collide through a float.
        let big = |text: &str| parse_crm_record_id(Some(&serde_json::from_str(text).unwrap())).unwrap();
        assert_eq!(big("12345678901234567890123"), "12345678901234567890123");
        assert_eq!(big("12345678901234567890124"), "12345678901234567890124");
        assert_eq!(big("1.50"), "1.50");
        assert_eq!(number_literal(br#"{"crmRecordId": 1e2, "x": "1e2"}"#, "crmRecordId").as_deref(), Some("1e2"));
        assert_eq!(number_literal(br#"{"crmRecordId": -7E+3}"#, "crmRecordId").as_deref(), Some("-7E+3"));
        assert_eq!(number_literal(br#"{"crmRecordId": "1e2"}"#, "crmRecordId"), None);
        assert_eq!(number_literal(b"[1]", "crmRecordId"), None);
        // Compared after NFC normalisation; invisible characters refused.
        assert_eq!(parse_crm_record_id(Some(&json!("Cafe\u{301}"))).unwrap(), "Caf\u{E9}");
        assert!(parse_crm_record_id(Some(&json!("rec\u{200B}1"))).is_err());
        assert!(parse_crm_record_id(None).is_err());
        assert!(parse_crm_record_id(Some(&json!(""))).is_err());
        assert!(parse_crm_record_id(Some(&json!(["x"]))).is_err());
    }
}
