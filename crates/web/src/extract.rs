//! Extractors whose rejections are [`ApiError`]s, so malformed input always gets our JSON shape.

use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use fml_app::Analyst;
use fml_domain::lifecycle::Role;
use fml_domain::secret::SecretHash;
use fml_domain::{FieldError, IdempotencyKey, OrgId, Scope, ScopeSet, Timestamp};
use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON request body, parsed to a value (handlers validate it field by field so that every
/// failed field is reported at once), with its raw bytes (for the exact text of a number).
#[derive(Debug)]
pub struct JsonBody(pub Value, pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = read_body(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(|v| JsonBody(v, bytes))
            .map_err(|e| ApiError::BadRequest("invalid_json", format!("the body is not valid JSON: {e}")))
    }
}

/// A JSON object body as its request struct, whose fields take any JSON value so that the
/// handler's validation can report every failed field at once; anything but an object is a
/// `validation_error` on `body`.
pub fn typed_body<T: serde::de::DeserializeOwned>(body: &Value) -> Result<T, ApiError> {
    if !body.is_object() {
        return Err(ApiError::Validation(vec![fml_domain::FieldError::new("body", "must be a JSON object")]));
    }
    T::deserialize(body).map_err(|e| ApiError::Validation(vec![fml_domain::FieldError::new("body", e.to_string())]))
}

/// Whether a body's declared `Content-Length` is over [`MAX_BODY_BYTES`]: such a body is
/// refused without being parsed or buffered ([`refuse_oversize`]).
pub fn declared_oversize(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
}

/// How much of a refused body is read and dropped before the 413, and for how long at most.
/// A client still sending when the server answers and closes gets a reset connection instead
/// of the answer (the unread bytes make the kernel send RST), so a few MiB are swallowed first,
/// a frame at a time; a larger or slower body gets the 413 when the allowance is spent.
const DRAIN_BYTES: usize = 4 * MAX_BODY_BYTES;
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// 413 for a body declared too large, after swallowing what arrives within the drain bounds.
pub async fn refuse_oversize(body: axum::body::Body) -> ApiError {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut read = 0;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while let Some(Ok(chunk)) = stream.next().await {
            read += chunk.len();
            if read > DRAIN_BYTES {
                break;
            }
        }
    })
    .await;
    ApiError::PayloadTooLarge
}

/// Reads a body of at most [`MAX_BODY_BYTES`].
pub async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    if declared_oversize(req.headers()) {
        return Err(refuse_oversize(req.into_body()).await);
    }
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest("invalid_request", format!("could not read the body: {e}"))
        }
    })
}

pub fn is_json(ct: Option<&axum::http::HeaderValue>) -> bool {
    media_type(ct).is_some_and(|m| m == "application/json" || (m.starts_with("application/") && m.ends_with("+json")))
}

/// The media type of a Content-Type header, lower-cased, without parameters.
pub fn media_type(ct: Option<&axum::http::HeaderValue>) -> Option<String> {
    let raw = ct?.to_str().ok()?;
    Some(raw.split(';').next()?.trim().to_ascii_lowercase())
}

/// The caller, authenticated by an OAuth bearer token (RFC 6750).
#[derive(Debug, Clone)]
pub struct Auth {
    pub org: OrgId,
    pub org_name: String,
    pub client_id: String,
    pub scopes: ScopeSet,
}

impl Auth {
    /// Checks the token carries `scope`. `cases:write` implies `cases:read`, and
    /// `webhooks:write` implies `webhooks:read`.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        let implied = match scope {
            Scope::CasesRead => self.scopes.contains(Scope::CasesWrite),
            Scope::WebhooksRead => self.scopes.contains(Scope::WebhooksWrite),
            _ => false,
        };
        if self.scopes.contains(scope) || implied { Ok(()) } else { Err(ApiError::InsufficientScope(scope)) }
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(raw) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::InvalidToken("a bearer token is required", false));
        };
        let token = raw
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::InvalidToken("the Authorization header must be 'Bearer <token>'", true))?;
        let hash = SecretHash::of(token);
        let grant = match state.tokens.get(hash.as_str()) {
            Some(g) => g,
            None => {
                let generation = state.tokens.generation();
                let g = fml_store::clients::find_token(&state.db, &hash)
                    .await?
                    .ok_or(ApiError::InvalidToken("the access token is invalid, expired or revoked", true))?;
                state.tokens.put(hash.as_str(), &g, generation);
                g
            }
        };
        if grant.expires_at <= Timestamp::now().millis() {
            return Err(ApiError::InvalidToken("the access token is invalid, expired or revoked", true));
        }
        Ok(Auth {
            org: OrgId::from_trusted(grant.org_id),
            org_name: grant.org_name,
            client_id: grant.client_id,
            scopes: ScopeSet::parse_space_separated(&grant.scopes).unwrap_or_default(),
        })
    }
}

/// The optional `Idempotency-Key` header.
#[derive(Debug)]
pub struct IdempotencyHeader(pub Option<IdempotencyKey>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(raw) = parts.headers.get("idempotency-key") else {
            return Ok(Self(None));
        };
        let invalid = |m: &str| ApiError::Validation(vec![fml_domain::FieldError::new("Idempotency-Key", m)]);
        let s = raw.to_str().map_err(|_| invalid("must be printable ASCII"))?;
        IdempotencyKey::try_from(s).map(|k| Self(Some(k))).map_err(invalid)
    }
}

/// The least role a route needs, as a type: `Staff<Senior>` is an analyst of at least that role.
pub trait MinRole: Send + Sync + 'static {
    const MIN: Role;
}

/// Any analyst.
#[derive(Debug)]
pub struct AnyRole;
impl MinRole for AnyRole {
    const MIN: Role = Role::Analyst;
}

/// A senior reviewer or an admin.
#[derive(Debug)]
pub struct Senior;
impl MinRole for Senior {
    const MIN: Role = Role::Senior;
}

/// An admin.
#[derive(Debug)]
pub struct Admin;
impl MinRole for Admin {
    const MIN: Role = Role::Admin;
}

/// The session cookie of the analyst API.
pub const SESSION_COOKIE: &str = "fml_session";

/// The `Set-Cookie` value of a session (or, with `None`, one that clears it).
pub fn session_cookie(st: &AppState, token: Option<&str>) -> Option<HeaderValue> {
    let secure = if st.config.public_url.starts_with("https://") { "; Secure" } else { "" };
    let value = match token {
        Some(t) => format!(
            "{SESSION_COOKIE}={t}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            fml_app::analysts::SESSION_TTL_SECS
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&value).ok()
}

/// An analyst of the request's tenant, by session cookie or `Authorization: Bearer` personal
/// API token, whose role is at least `R::MIN` (403 otherwise). A state-changing request
/// authenticated by cookie must come from our own origin (SameSite=Lax already keeps the
/// cookie off cross-site form posts; this refuses what a browser marks cross-site anyway).
#[derive(Debug)]
pub struct Staff<R: MinRole = AnyRole> {
    pub analyst: Analyst,
    role: PhantomData<R>,
}

impl<R: MinRole> std::ops::Deref for Staff<R> {
    type Target = Analyst;
    fn deref(&self) -> &Analyst {
        &self.analyst
    }
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Whether a cookie-authenticated request that changes state came from another site: the
/// browser says so (`Sec-Fetch-Site`), or its `Origin` is none of `ours` (`null` included).
pub fn cross_site(parts: &Parts, ours: &[&str]) -> bool {
    if parts.method.is_safe() {
        return false;
    }
    match parts.headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin" | "none") => return false,
        Some("cross-site" | "same-site") => return true,
        _ => {}
    }
    match parts.headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => !ours.iter().any(|u| origin == origin_of(u)),
        None => false,
    }
}

/// `scheme://host[:port]` of a URL.
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

impl<R: MinRole> FromRequestParts<AppState> for Staff<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let analyst = if let Some(raw) = parts.headers.get(header::AUTHORIZATION) {
            let token = raw
                .to_str()
                .ok()
                .and_then(|v| v.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, t)| t.trim())
                .filter(|t| !t.is_empty())
                .ok_or(ApiError::InvalidToken("the Authorization header must be 'Bearer <token>'", true))?;
            fml_app::analysts::by_api_token(&state.ctx, token)
                .await?
                .ok_or(ApiError::InvalidToken("the analyst API token is invalid or disabled", true))?
        } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            let a = fml_app::analysts::by_session(&state.ctx, token)
                .await?
                .ok_or(ApiError::InvalidToken("the session has ended; sign in again", true))?;
            if cross_site(parts, &[&state.config.public_url]) {
                return Err(ApiError::Forbidden("cross-site requests are refused"));
            }
            a
        } else {
            return Err(ApiError::InvalidToken("sign in, or send an analyst API token as a bearer token", false));
        };
        if analyst.role < R::MIN {
            return Err(ApiError::Forbidden(match R::MIN {
                Role::Admin => "this action needs the admin role",
                _ => "this action needs the senior role",
            }));
        }
        Ok(Staff { analyst, role: PhantomData })
    }
}

/// A customer-facing post that is not cross-site (else 403): for the forms that start a portal
/// session from a link (an invite, an application's confirmation) or apply anonymously, where
/// no session cookie exists yet to carry the check. A page of another site posting its own
/// link would otherwise sign the visitor in as someone else (login CSRF).
#[derive(Debug, Clone, Copy)]
pub struct SameSite;

impl FromRequestParts<AppState> for SameSite {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        if cross_site(parts, &[&st.config.portal_url, &st.config.public_url]) {
            return Err(ApiError::Forbidden("cross-site requests are refused"));
        }
        Ok(SameSite)
    }
}

/// The client's address as throttling counts it ([`crate::ratelimit::address_key`]): the TCP
/// peer, or the client a trusted proxy forwarded for ([`crate::client_addr`]).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let Some(peer) = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())
        else {
            return Ok(ClientAddr("unknown".to_owned()));
        };
        let forwarded: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        let ip = crate::client_addr::client_ip(peer, &forwarded, &st.config.trusted_proxies);
        Ok(ClientAddr(crate::ratelimit::address_key(ip)))
    }
}

/// A JSON number that is a positive integer, written as one or not (`7`, `7.0`, `7e0`: JSON
/// Schema's `integer` admits all three).
pub fn positive_integer(v: Option<&Value>) -> Option<i64> {
    let v = v?;
    if let Some(i) = v.as_i64() {
        return (i > 0).then_some(i);
    }
    let f = v.as_f64()?;
    // Exactly representable integers only (2^53 - 1), so the conversion is exact.
    (f.fract() == 0.0 && (1.0..=9_007_199_254_740_991.0).contains(&f)).then_some(f as i64)
}

/// An optional string field of a JSON body: absent or null is `None`; another type is a
/// field error.
pub fn opt_string<'a>(v: Option<&'a Value>, field: &str, errors: &mut Vec<FieldError>) -> Option<&'a str> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            errors.push(FieldError::new(field, "must be a string"));
            None
        }
    }
}

/// An optional note (absent or `null` is empty), checked by the notes' rules (at most 5,000
/// characters, no control characters but line breaks); its problems join `errors`.
pub fn opt_note(v: Option<&Value>, field: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let raw = opt_string(v, field, errors);
    match fml_app::cases::note(field, raw, false) {
        Ok(n) => Some(n),
        Err(fml_app::CommandError::Validation(f)) => {
            errors.extend(f);
            None
        }
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_integers_however_written() {
        let n = |raw: &str| positive_integer(Some(&serde_json::from_str::<Value>(raw).unwrap()));
        assert_eq!(n("7"), Some(7));
        assert_eq!(n("7.0"), Some(7));
        assert_eq!(n("7e0"), Some(7));
        for bad in ["0", "-3", "7.5", "\"7\"", "null", "1e300", "true"] {
            assert_eq!(n(bad), None, "{bad}");
        }
    }

    #[test]
    fn origins() {
        assert_eq!(origin_of("https://kyb.bank.example/portal"), "https://kyb.bank.example");
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
