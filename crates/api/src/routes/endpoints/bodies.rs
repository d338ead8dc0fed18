//! The request bodies of the endpoint routes and the schemas of their fields: each states
//! exactly what the shared validator (`fml_outbound::endpoints::validate`) accepts, so the
//! OpenAPI document and the server agree.

use fml_domain::events::schema::subscribable;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};

use fml_outbound::endpoints::EndpointFields;

/// Defines a create or update body: the same fields, the URL required or not.
macro_rules! endpoint_body {
    ($(#[$doc:meta])* $name:ident, $($url_attr:tt)*) => {
        $(#[$doc])*
        #[derive(Debug, Default, Deserialize, ToSchema)]
        #[serde(rename_all = "camelCase", default)]
        pub struct $name {
            #[schema($($url_attr)*)]
            url: Option<Value>,
            #[schema(schema_with = label_schema)]
            label: Option<Value>,
            #[schema(schema_with = secret_schema)]
            secret: Option<Value>,
            #[schema(schema_with = generate_secret_schema)]
            generate_secret: Option<Value>,
            #[schema(schema_with = event_types_schema)]
            event_types: Option<Value>,
            #[schema(schema_with = enabled_schema)]
            enabled: Option<Value>,
            #[schema(schema_with = scheme_schema)]
            signature_scheme: Option<Value>,
            #[schema(schema_with = grace_schema)]
            rotation_grace_seconds: Option<Value>,
        }

        impl $name {
            pub fn fields(&self) -> EndpointFields<'_> {
                EndpointFields {
                    url: self.url.as_ref(),
                    label: self.label.as_ref(),
                    secret: self.secret.as_ref(),
                    generate_secret: self.generate_secret.as_ref(),
                    event_types: self.event_types.as_ref(),
                    enabled: self.enabled.as_ref(),
                    signature_scheme: self.signature_scheme.as_ref(),
                    rotation_grace_seconds: self.rotation_grace_seconds.as_ref(),
                }
            }
        }
    };
}

endpoint_body!(
    /// The body of `POST /v1/webhook-endpoints`. Unknown fields are ignored; every failed
    /// field is reported at once.
    CreateEndpointBody,
    required = true, schema_with = url_schema
);

endpoint_body!(
    /// The body of `PATCH /v1/webhook-endpoints/{id}`: only the fields to change. A null or
    /// blank `secret` leaves it unchanged.
    UpdateEndpointBody,
    schema_with = optional_url_schema
);

/// The body of the pre-save ping: the URL and the secret you would save.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PingBody {
    #[schema(required = true, schema_with = url_schema)]
    url: Option<Value>,
    #[schema(schema_with = secret_schema)]
    secret: Option<Value>,
    #[schema(schema_with = generate_secret_schema)]
    generate_secret: Option<Value>,
    #[schema(schema_with = scheme_schema)]
    signature_scheme: Option<Value>,
}

impl PingBody {
    pub fn fields(&self) -> EndpointFields<'_> {
        EndpointFields {
            url: self.url.as_ref(),
            secret: self.secret.as_ref(),
            generate_secret: self.generate_secret.as_ref(),
            signature_scheme: self.signature_scheme.as_ref(),
            ..EndpointFields::default()
        }
    }
}

/// The longest webhook URL accepted.
const MAX_URL: usize = 2048;
/// `http(s)://` in any case, then the host's first character as written (what
/// `WebhookUrl::parse` requires): `HTTP://` and `https:///host` are refused by the schema too.
const URL_PATTERN: &str = r"^[\t\n\r ]*[Hh][Tt][Tt][Pp][Ss]?://[^\s\x00-\x1f\x7f/\\?#@]";

fn url_schema() -> Schema {
    url_schema_of(false)
}
fn optional_url_schema() -> Schema {
    url_schema_of(true)
}
fn url_schema_of(nullable: bool) -> Schema {
    let types = if nullable { vec![Type::String, Type::Null] } else { vec![Type::String] };
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(types))
        .format(Some(SchemaFormat::Custom("uri".into())))
        .max_length(Some(MAX_URL))
        .pattern(Some(URL_PATTERN))
        .description(Some(
            "`https://` URL of your receiver. Its host must resolve, and private, loopback and metadata \
             addresses are refused (checked when it is saved and again on every attempt).",
        ))
        .build()
        .into()
}
fn label_schema() -> Schema {
    fml_web::schema::text(200, true, "Free text shown in the dashboard and delivery list; default: the URL's host.")
}
fn secret_schema() -> Schema {
    AnyOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(SchemaType::Array(vec![Type::String, Type::Null])).max_length(Some(0)))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(16))
                .max_length(Some(256))
                .pattern(Some("^[^\\u0000-\\u001f\\u007f-\\u009f]*$")),
        )
        .description(Some(
            "Shared secret, 16-256 characters. Empty, null or absent: on create and ping a 64-hex-character \
             secret is generated; on update the secret is unchanged.",
        ))
        .build()
        .into()
}
fn generate_secret_schema() -> Schema {
    fml_web::schema::flag(
        "`true`: generate a new 64-hex-character secret (rotation on update). Not together with `secret`.",
    )
}
fn event_types_schema() -> Schema {
    fml_web::schema::nonempty_list(
        subscribable().map(str::to_owned),
        "Event types to deliver; default: every type. Repeated names count once.",
    )
}
fn scheme_schema() -> Schema {
    fml_web::schema::one_of_strings(
        fml_outbound::endpoints::SignatureScheme::ALL.map(str::to_owned),
        "How deliveries are signed: `fml-v1` (default; `X-FML-Signature`, as the guide describes) or \
         `standard-webhooks` (`webhook-id`, `webhook-timestamp`, `webhook-signature`, with a `whsec_` secret). \
         Changing it on update needs a new secret (`generateSecret: true`).",
    )
}
fn grace_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::Integer, Type::Null]))
        .minimum(Some(0))
        .maximum(Some(fml_outbound::endpoints::MAX_GRACE_SECS))
        .description(Some(
            "With a rotation (`secret` or `generateSecret`): how many seconds the replaced secret keeps \
             signing, beside the new one (0 or absent: it stops at once; at most a week).",
        ))
        .build()
        .into()
}
fn enabled_schema() -> Schema {
    fml_web::schema::flag("Deliver to this endpoint (default true). A disabled endpoint keeps its queued deliveries.")
}
