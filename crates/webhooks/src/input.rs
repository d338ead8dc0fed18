//! An endpoint request's fields, checked: the one validator the Public API, the console and
//! the CLI share, so a URL the API refuses is refused with the same words on the form.

use fml_domain::FieldError;
use fml_domain::events::schema::is_subscribable;
use fml_domain::secret::Secret;
use serde_json::Value;

use crate::client::check_target;
use crate::sign::Scheme;
use crate::{UrlError, WebhookUrl};

/// How a secret is chosen.
#[derive(Debug)]
pub enum SecretChoice {
    /// This value, given by the caller.
    Given(Secret),
    /// A new generated one.
    Generate,
}

impl SecretChoice {
    /// The secret to store: the one given, checked against the scheme's form, or a new one of
    /// that form (none given counts as "generate").
    pub fn resolve(choice: Option<Self>, scheme: Scheme) -> Result<Secret, FieldError> {
        match choice {
            Some(SecretChoice::Given(s)) => match scheme.refuses(s.expose()) {
                None => Ok(s),
                Some(why) => Err(FieldError::new("secret", why)),
            },
            None | Some(SecretChoice::Generate) => Ok(Secret::new(scheme.generate_secret())),
        }
    }
}

/// Validated fields of an endpoint request (the HTTP edge parses and checks them).
#[derive(Debug, Default)]
pub struct EndpointInput {
    pub url: Option<WebhookUrl>,
    pub label: Option<String>,
    /// `None`: not mentioned (create generates one; update keeps the old one).
    pub secret: Option<SecretChoice>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
    /// How deliveries are signed (create: default `fml-v1`; update: needs a new secret).
    pub scheme: Option<Scheme>,
    /// With a rotation: how long the replaced secret still signs (0 or none: it stops now).
    pub grace_secs: Option<i64>,
}

/// The fields of an endpoint request as sent (JSON values, unchecked), for [`validate`].
#[derive(Debug, Default, Clone, Copy)]
pub struct EndpointFields<'a> {
    pub url: Option<&'a Value>,
    pub label: Option<&'a Value>,
    pub secret: Option<&'a Value>,
    pub generate_secret: Option<&'a Value>,
    pub event_types: Option<&'a Value>,
    pub enabled: Option<&'a Value>,
    pub signature_scheme: Option<&'a Value>,
    pub rotation_grace_seconds: Option<&'a Value>,
}

impl<'a> EndpointFields<'a> {
    /// The fields of a JSON object spelt as the API spells them (`generateSecret`, …).
    pub fn of(v: &'a Value) -> Self {
        Self {
            url: v.get("url"),
            label: v.get("label"),
            secret: v.get("secret"),
            generate_secret: v.get("generateSecret"),
            event_types: v.get("eventTypes"),
            enabled: v.get("enabled"),
            signature_scheme: v.get("signatureScheme"),
            rotation_grace_seconds: v.get("rotationGraceSeconds"),
        }
    }
}

/// The longest grace a rotation may give the previous secret: a week.
pub const MAX_GRACE_SECS: i64 = 7 * 24 * 3600;

/// The longest label kept.
const MAX_LABEL: usize = 200;

fn field(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

/// Validates the fields present in a request, reporting every failure at once. The URL's host
/// is resolved and every address checked (`allow_private`: loopback and private targets are
/// accepted, for local development).
pub async fn validate(
    f: EndpointFields<'_>,
    require_url: bool,
    allow_private: bool,
) -> Result<EndpointInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut input = EndpointInput::default();
    match field(f.url) {
        Some(Value::String(raw)) => match WebhookUrl::parse(raw, allow_private) {
            Ok(url) => match check_target(&url, allow_private).await {
                Ok(()) => input.url = Some(url),
                Err(e) => errors.push(FieldError::new("url", e.to_string())),
            },
            Err(e @ UrlError::PrivateTarget) => errors.push(FieldError::new("url", e.to_string())),
            Err(e) => errors.push(FieldError::new("url", e.to_string())),
        },
        Some(_) => errors.push(FieldError::new("url", "must be a string")),
        None if require_url => errors.push(FieldError::new("url", "is required")),
        None => {}
    }
    match field(f.label) {
        Some(Value::String(s)) => match fml_domain::text::clean(s, MAX_LABEL) {
            Ok(label) => input.label = label,
            Err(e) => errors.push(FieldError::new("label", e.to_string())),
        },
        Some(_) => errors.push(FieldError::new("label", "must be a string")),
        None => {}
    }
    // Null and blank mean "not given", as for every optional field: never a rotation.
    match f.secret {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.is_empty() => {}
        Some(Value::String(s)) if (16..=256).contains(&s.chars().count()) && !s.chars().any(char::is_control) => {
            input.secret = Some(SecretChoice::Given(Secret::new(s.clone())));
        }
        Some(Value::String(_)) => errors.push(FieldError::new(
            "secret",
            "must be 16-256 characters without control characters (leave it out to have one generated)",
        )),
        Some(_) => errors.push(FieldError::new("secret", "must be a string")),
    }
    match field(f.generate_secret) {
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) if input.secret.is_some() => {
            errors.push(FieldError::new("generateSecret", "give either secret or generateSecret, not both"));
        }
        Some(Value::Bool(true)) => input.secret = Some(SecretChoice::Generate),
        Some(_) => errors.push(FieldError::new("generateSecret", "must be true or false")),
    }
    match field(f.event_types) {
        Some(Value::Array(items)) => {
            let mut types = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(t) if is_subscribable(t) => {
                        if !types.iter().any(|x| x == t) {
                            types.push(t.to_owned());
                        }
                    }
                    Some(t) => errors.push(FieldError::new("eventTypes", format!("unknown event type '{t}'"))),
                    None => errors.push(FieldError::new("eventTypes", "must be an array of event type names")),
                }
            }
            if items.is_empty() {
                errors.push(FieldError::new("eventTypes", "must name at least one event type"));
            }
            input.event_types = Some(types);
        }
        Some(_) => errors.push(FieldError::new("eventTypes", "must be an array of event type names")),
        None => {}
    }
    match field(f.enabled) {
        Some(Value::Bool(b)) => input.enabled = Some(*b),
        Some(_) => errors.push(FieldError::new("enabled", "must be true or false")),
        None => {}
    }
    match field(f.signature_scheme).map(|v| v.as_str().and_then(Scheme::parse)) {
        None => {}
        Some(Some(scheme)) => input.scheme = Some(scheme),
        Some(None) => errors.push(FieldError::new("signatureScheme", "must be fml-v1 or standard-webhooks")),
    }
    match field(f.rotation_grace_seconds).map(|v| v.as_i64().filter(|n| (0..=MAX_GRACE_SECS).contains(n))) {
        None => {}
        Some(Some(secs)) if input.secret.is_some() => input.grace_secs = Some(secs),
        Some(Some(_)) => errors.push(FieldError::new(
            "rotationGraceSeconds",
            "applies to a rotation only: give it with secret or generateSecret",
        )),
        Some(None) => errors.push(FieldError::new(
            "rotationGraceSeconds",
            format!("must be a whole number of seconds from 0 to {MAX_GRACE_SECS} (a week)"),
        )),
    }
    if errors.is_empty() { Ok(input) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(v: &Value) -> EndpointFields<'_> {
        EndpointFields::of(v)
    }

    async fn refused(v: Value) -> Vec<String> {
        match validate(fields(&v), true, true).await {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.field.to_string()).collect(),
        }
    }

    #[tokio::test]
    async fn every_refusal_is_reported_at_once() {
        let all_wrong = json!({
            "url": 7, "label": ["x"], "secret": "short", "eventTypes": ["no.such"], "enabled": "yes"
        });
        assert_eq!(refused(all_wrong).await, ["url", "label", "secret", "eventTypes", "enabled"]);
        assert_eq!(refused(json!({})).await, ["url"]);
        assert_eq!(refused(json!({"url": "https://127.0.0.1/x", "eventTypes": []})).await, ["eventTypes"]);
        let both = json!({"url": "https://127.0.0.1/x", "secret": "a-long-enough-secret", "generateSecret": true});
        assert_eq!(refused(both).await, ["generateSecret"]);
    }

    #[tokio::test]
    async fn blank_and_null_mean_not_given() {
        let v = json!({"url": "https://127.0.0.1/x", "secret": "", "label": null, "eventTypes": null});
        let input = validate(fields(&v), true, true).await.unwrap();
        assert!(input.secret.is_none() && input.label.is_none() && input.event_types.is_none());
        let v = json!({"url": "https://127.0.0.1/x", "eventTypes": ["case.created", "case.created"]});
        let input = validate(fields(&v), true, true).await.unwrap();
        assert_eq!(input.event_types.unwrap(), ["case.created"]);
    }

    #[tokio::test]
    async fn private_targets_are_refused_unless_allowed() {
        let v = json!({"url": "https://127.0.0.1/x"});
        assert!(validate(fields(&v), true, true).await.is_ok());
        let errors = validate(fields(&v), true, false).await.unwrap_err();
        assert_eq!(errors[0].field, "url");
    }
}
