//! OAuth 2.0 client-credentials grant (RFC 6749 §4.4) and server metadata (RFC 8414).
//!
//! The token endpoint takes the JSON body the Zapier and HubSpot recipes send, and also the
//! form-encoded body standard OAuth libraries send, with the client authenticated by HTTP
//! Basic or by body fields (never both).

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use fml_app::clients::Refusal;
use fml_web::error::json_error;
use fml_web::extract::{media_type, read_body};
use fml_web::state::AppState;

pub use fml_app::clients::TOKEN_TTL_SECS;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(token)).routes(routes!(metadata))
}

/// The token request: the JSON body is parsed into this struct; a form body carries the same
/// four fields (each at most once, RFC 6749 §3.2).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct TokenRequest {
    /// Must be `client_credentials`.
    #[schema(required = true, value_type = String)]
    grant_type: Option<Value>,
    /// Omit when authenticating with HTTP Basic.
    #[schema(value_type = Option<String>)]
    client_id: Option<Value>,
    /// Omit when authenticating with HTTP Basic.
    #[schema(value_type = Option<String>)]
    client_secret: Option<Value>,
    /// Space-separated scopes to narrow the grant to; defaults to all of the client's scopes.
    #[schema(value_type = Option<String>)]
    scope: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires (3600).
    pub expires_in: i64,
    /// The granted scopes, space-separated.
    pub scope: String,
}

/// An OAuth error (RFC 6749 §5.2).
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    basic_challenge: bool,
}

impl OAuthError {
    fn bad(error: &'static str, description: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, error, description: description.into(), basic_challenge: false }
    }
    fn invalid_client(basic: bool) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "client authentication failed: unknown client, wrong secret, or revoked client".into(),
            basic_challenge: basic,
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut res = json_error(self.status, self.error, self.description, None);
        no_store(res.headers_mut());
        if self.basic_challenge {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"fml\""));
        }
        res
    }
}

fn no_store(h: &mut HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// The parameters of a token request, from whichever body format.
#[derive(Debug, Default)]
struct Params {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

fn params_from_json(bytes: &[u8]) -> Result<Params, OAuthError> {
    let v: Value =
        serde_json::from_slice(bytes).map_err(|_| OAuthError::bad("invalid_request", "the body is not valid JSON"))?;
    if !v.is_object() {
        return Err(OAuthError::bad("invalid_request", "the body must be a JSON object"));
    }
    let r = TokenRequest::deserialize(&v).map_err(|e| OAuthError::bad("invalid_request", e.to_string()))?;
    let field = |name: &str, v: Option<Value>| -> Result<Option<String>, OAuthError> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(OAuthError::bad("invalid_request", format!("{name} must be a string"))),
        }
    };
    Ok(Params {
        grant_type: field("grant_type", r.grant_type)?,
        client_id: field("client_id", r.client_id)?,
        client_secret: field("client_secret", r.client_secret)?,
        scope: field("scope", r.scope)?,
    })
}

fn params_from_form(bytes: &[u8]) -> Result<Params, OAuthError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes)
        .map_err(|_| OAuthError::bad("invalid_request", "the form body is malformed"))?;
    let mut p = Params::default();
    for (k, v) in pairs {
        let slot = match k.as_str() {
            "grant_type" => &mut p.grant_type,
            "client_id" => &mut p.client_id,
            "client_secret" => &mut p.client_secret,
            "scope" => &mut p.scope,
            _ => continue,
        };
        // RFC 6749 §3.2: parameters must not be repeated.
        if slot.replace(v).is_some() {
            return Err(OAuthError::bad("invalid_request", format!("the {k} parameter is repeated")));
        }
    }
    Ok(p)
}

/// `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(raw) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let malformed =
        || OAuthError { basic_challenge: true, ..OAuthError::bad("invalid_request", "malformed Basic credentials") };
    let s = raw.to_str().map_err(|_| malformed())?;
    let Some((scheme, rest)) = s.split_once(' ') else { return Err(malformed()) };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::bad(
            "invalid_request",
            "the token endpoint accepts only Basic client authentication in the Authorization header",
        ));
    }
    let decoded = STANDARD.decode(rest.trim()).map_err(|_| malformed())?;
    let text = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = text.split_once(':').ok_or_else(malformed)?;
    let unescape = |v: &str| -> Result<String, OAuthError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&format!("v={v}")).map_err(|_| malformed())?;
        Ok(pairs.into_iter().next().map(|(_, v)| v).unwrap_or_default())
    };
    Ok(Some((unescape(id)?, unescape(secret)?)))
}

/// Mint an access token.
#[utoipa::path(
    post,
    path = "/v1/oauth/token",
    tag = "oauth",
    request_body(
        description = "JSON (as the recipes send) or application/x-www-form-urlencoded (RFC 6749)",
        content(
            (TokenRequest = "application/json"),
            (TokenRequest = "application/x-www-form-urlencoded"),
        )
    ),
    responses(
        (status = 200, description = "Token issued", body = TokenResponse),
        (status = 400, description = "invalid_request, unsupported_grant_type or invalid_scope", body = fml_web::error::ErrorBody),
        (status = 401, description = "invalid_client", body = fml_web::error::ErrorBody),
    )
)]
async fn token(State(st): State<AppState>, req: Request) -> Response {
    match issue(&st, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn issue(st: &AppState, req: Request) -> Result<Response, OAuthError> {
    let headers = req.headers().clone();
    let media = media_type(headers.get(header::CONTENT_TYPE));
    let is_form = media.as_deref() == Some("application/x-www-form-urlencoded");
    if !is_form && !fml_web::extract::is_json(headers.get(header::CONTENT_TYPE)) {
        return Err(OAuthError::bad(
            "invalid_request",
            "send the token request as application/json or application/x-www-form-urlencoded",
        ));
    }
    let bytes = read_body(req, st).await.map_err(|e| OAuthError::bad("invalid_request", e.to_string()))?;
    let params = if is_form { params_from_form(&bytes)? } else { params_from_json(&bytes)? };
    let basic = basic_credentials(&headers)?;
    let body_creds = params.client_id.is_some() || params.client_secret.is_some();
    let (client_id, secret, used_basic) = match (basic, body_creds) {
        (Some(_), true) => {
            return Err(OAuthError::bad(
                "invalid_request",
                "use one client authentication method: HTTP Basic or body fields, not both",
            ));
        }
        (Some((id, secret)), false) => (id, secret, true),
        (None, _) => match (params.client_id, params.client_secret) {
            (Some(id), Some(secret)) => (id, secret, false),
            _ => return Err(OAuthError::invalid_client(false)),
        },
    };
    match params.grant_type.as_deref() {
        None | Some("") => return Err(OAuthError::bad("invalid_request", "grant_type is required")),
        Some("client_credentials") => {}
        Some(_) => {
            return Err(OAuthError::bad("unsupported_grant_type", "only grant_type=client_credentials is supported"));
        }
    }

    let grant =
        fml_app::clients::grant(&st.ctx, &client_id, &secret, params.scope.as_deref()).await.map_err(|r| match r {
            Refusal::InvalidClient => OAuthError::invalid_client(used_basic),
            Refusal::InvalidScope(why) => OAuthError::bad("invalid_scope", why),
            Refusal::Store(e) => internal(e),
        })?;
    let body = TokenResponse {
        access_token: grant.token.expose().to_owned(),
        token_type: "Bearer",
        expires_in: grant.expires_in,
        scope: grant.scope,
    };
    let mut res = (StatusCode::OK, Json(body)).into_response();
    no_store(res.headers_mut());
    Ok(res)
}

fn internal(e: fml_app::StoreError) -> OAuthError {
    tracing::error!(error = %e, "token endpoint failed");
    OAuthError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        error: "server_error",
        description: "an internal error occurred".into(),
        basic_challenge: false,
    }
}

/// RFC 8414 authorization server metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerMetadata {
    issuer: String,
    token_endpoint: String,
    grant_types_supported: Vec<&'static str>,
    token_endpoint_auth_methods_supported: Vec<&'static str>,
    scopes_supported: Vec<&'static str>,
    response_types_supported: Vec<&'static str>,
}

/// OAuth 2.0 authorization server metadata (RFC 8414).
#[utoipa::path(get, path = "/.well-known/oauth-authorization-server", tag = "oauth",
    responses((status = 200, description = "Server metadata", body = ServerMetadata)))]
async fn metadata(State(st): State<AppState>) -> Json<ServerMetadata> {
    let base = &st.config.public_url;
    Json(ServerMetadata {
        issuer: base.clone(),
        token_endpoint: format!("{base}/v1/oauth/token"),
        grant_types_supported: vec!["client_credentials"],
        token_endpoint_auth_methods_supported: vec!["client_secret_basic", "client_secret_post"],
        scopes_supported: fml_domain::Scope::ALL.iter().map(|s| s.as_str()).collect(),
        response_types_supported: vec![],
    })
}
