//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use serde_json::{Value, json};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::routes;
use fml_web::state::AppState;

pub const OPENAPI_PATH: &str = "/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(title = "First Mile Labs Public API", version = "1", description = "Open KYB cases from a CRM, safely retried."),
    modifiers(&SecurityAddon),
    tags((name = "oauth"), (name = "cases"), (name = "webhooks"), (name = "analysts"), (name = "workflow"), (name = "documents"), (name = "edd"), (name = "persons"), (name = "screening"), (name = "risk"), (name = "idv"), (name = "monitoring"), (name = "ai_review"), (name = "settings"), (name = "clients"), (name = "health"))
)]
struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scopes = Scopes::from_iter(fml_domain::Scope::ALL.iter().map(|s| (s.as_str(), s.as_str())));
        let flow = Flow::ClientCredentials(ClientCredentials::new("/v1/oauth/token", scopes));
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("oauth2", SecurityScheme::OAuth2(OAuth2::new([flow])));
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "analystToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An analyst's personal API token (fml_at_…), from `fml analyst create`."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "analystSession",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "fml_session",
                "The session cookie set by POST /api/session.",
            ))),
        );
    }
}

/// Every documented route.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::health::router())
        .merge(routes::oauth::router())
        .merge(routes::cases::router())
        .merge(routes::catalog::router())
        .merge(routes::endpoints::router())
        .merge(routes::deliveries::router())
        .merge(routes::listen::router())
        .merge(routes::session::router())
        .merge(routes::workflow::router())
        .merge(routes::documents::router())
        .merge(routes::edd::router())
        .merge(routes::persons::router())
        .merge(routes::screening::router())
        .merge(routes::risk::router())
        .merge(routes::engines::router())
        .merge(routes::idv::router())
        .merge(routes::monitoring::router())
        .merge(routes::review::router())
        .merge(routes::settings::router())
        .merge(routes::clients::router())
}

/// The responses and parameters that come from the shared extractors rather than from one
/// handler, added to every operation they apply to, so the document lists every status the
/// server can answer: a JSON body (`JsonBody`: 400, 413, 415), a bearer token (`Auth`: 401,
/// 403), an `Idempotency-Key` on every mutating route but the token endpoint
/// (`IdempotencyHeader`: the header, 400, 409, 422), a path id (404). Then the links between
/// operations (create → read → act), so clients and test generators can follow them.
pub fn finish(doc: &mut Value) {
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        let params = components.entry("parameters").or_insert_with(|| json!({}));
        params["IdempotencyKey"] = json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "Makes the request safe to retry: a repeat with the same key and body gets the original \
                response (Idempotent-Replay: true). 1-255 printable ASCII characters, kept 24 hours.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]([ -~]*[!-~])?$"}
        });
        let schemas = components.entry("schemas").or_insert_with(|| json!({}));
        for (name, schema) in crate::routes::risk::component_schemas() {
            schemas[name] = schema;
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(ops) = item.as_object_mut() else { continue };
        for (method, op) in ops.iter_mut() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let has_body = op.get("requestBody").is_some();
            let secured = op.get("security").is_some();
            // The Public API's writes take an Idempotency-Key (and the one analyst route the
            // recipes call with a client token); the analyst API and the portal do not.
            let keyed = method != "get"
                && path != "/v1/oauth/token"
                && (path.starts_with("/v1/") || path.ends_with("/crm-record-id"));
            if has_body {
                add_response(op, "400", "validation_error, invalid_json or invalid_request");
                add_response(op, "413", "payload_too_large: the body exceeds 1 MiB");
                add_response(op, "415", "unsupported_media_type: send JSON with Content-Type: application/json");
            }
            if secured {
                add_response(op, "401", "invalid_token: missing, malformed, expired or revoked bearer token");
                add_response(op, "403", "insufficient_scope (Public API) or forbidden (an analyst's role)");
            }
            if keyed {
                add_response(op, "400", "validation_error (incl. a malformed Idempotency-Key)");
                add_response(
                    op,
                    "409",
                    "idempotency_key_conflict, or idempotency_request_in_progress (Retry-After: 1)",
                );
                add_response(op, "422", "idempotency_key_reused: the key was used with another body");
                if let Some(op) = op.as_object_mut() {
                    let params = op.entry("parameters").or_insert_with(|| json!([]));
                    if let Some(list) = params.as_array_mut() {
                        list.push(json!({"$ref": "#/components/parameters/IdempotencyKey"}));
                    }
                }
            }
            if path.contains('{') {
                add_response(op, "404", "not_found (also for another tenant's object)");
            }
        }
    }
    for (path, method, status, name, target, params) in LINKS {
        let Some(response) = doc
            .pointer_mut(&format!("/paths/{}/{method}/responses/{status}", path.replace('~', "~0").replace('/', "~1")))
        else {
            continue;
        };
        let params: serde_json::Map<String, Value> =
            params.iter().map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned()))).collect();
        let links = response.as_object_mut().map(|r| r.entry("links").or_insert_with(|| json!({})));
        if let Some(links) = links {
            links[*name] = json!({"operationId": target, "parameters": params});
        }
    }
}

/// Documents `status` on `op` with the error body, unless the handler documented it already.
fn add_response(op: &mut Value, status: &str, description: &str) {
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        responses.entry(status.to_owned()).or_insert_with(|| {
            json!({
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
            })
        });
    }
}

type LinkRow =
    (&'static str, &'static str, &'static str, &'static str, &'static str, &'static [(&'static str, &'static str)]);

/// (path, method, status, link name, target operationId, parameters).
const LINKS: &[LinkRow] = &[
    ("/api/cases", "post", "201", "getCase", "staff_get_case", &[("caseId", "$response.body#/caseId")]),
    ("/api/cases", "post", "201", "timeline", "timeline", &[("caseId", "$response.body#/caseId")]),
    ("/api/cases", "post", "201", "setOwner", "set_owner", &[("caseId", "$response.body#/caseId")]),
    ("/api/cases", "post", "201", "decide", "decide", &[("caseId", "$response.body#/caseId")]),
    ("/api/cases", "post", "201", "escalate", "escalate", &[("caseId", "$response.body#/caseId")]),
    ("/api/cases", "post", "201", "respond", "respond", &[("caseId", "$response.body#/caseId")]),
    ("/api/cases", "post", "201", "sendInvite", "send_invite", &[("caseId", "$response.body#/caseId")]),
    ("/v1/cases", "post", "201", "getCase", "get_case", &[("caseId", "$response.body#/caseId")]),
    ("/v1/cases", "post", "201", "setCrmRecordId", "set_crm_record_id", &[("caseId", "$response.body#/caseId")]),
    ("/v1/cases", "post", "200", "getCase", "get_case", &[("caseId", "$response.body#/caseId")]),
    ("/v1/webhook-endpoints", "post", "201", "getEndpoint", "get_endpoint", &[("id", "$response.body#/id")]),
    ("/v1/webhook-endpoints", "post", "201", "updateEndpoint", "update_endpoint", &[("id", "$response.body#/id")]),
    ("/v1/webhook-endpoints", "post", "201", "testEndpoint", "test_endpoint", &[("id", "$response.body#/id")]),
    ("/v1/webhook-endpoints", "post", "201", "deleteEndpoint", "delete_endpoint", &[("id", "$response.body#/id")]),
    ("/v1/webhook-deliveries", "get", "200", "getDelivery", "get_delivery", &[("id", "$response.body#/data/0/id")]),
    ("/v1/webhook-deliveries", "get", "200", "redeliver", "redeliver", &[("id", "$response.body#/data/0/id")]),
    (
        "/v1/webhook-deliveries/{id}/redeliver",
        "post",
        "202",
        "getDelivery",
        "get_delivery",
        &[("id", "$response.body#/id")],
    ),
];
