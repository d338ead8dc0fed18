//! Analysts' sign-in: `POST /api/session` (email and password → session cookie),
//! `GET /api/session` (who am I), `DELETE /api/session` (sign out).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fml_domain::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{ClientAddr, JsonBody, SESSION_COOKIE, Staff, cookie, session_cookie, typed_body};
use fml_web::schema;
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login, whoami, logout))
}

/// An analyst, as the analyst API shows them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalystView {
    #[schema(value_type = String, example = "0196f5a0-7b1a-7f2e-9c3b-2d1e8f7a4b6c")]
    pub id: fml_domain::AnalystId,
    #[schema(value_type = String)]
    pub org_id: fml_domain::OrgId,
    pub email: String,
    pub name: String,
    /// `analyst`, `senior` or `admin`.
    #[schema(example = "analyst")]
    pub role: &'static str,
}

impl From<&fml_app::Analyst> for AnalystView {
    fn from(a: &fml_app::Analyst) -> Self {
        Self { id: a.id, org_id: a.org.clone(), email: a.email.clone(), name: a.name.clone(), role: a.role.as_str() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct SessionView {
    analyst: AnalystView,
    /// When the session ends (sign in again after).
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<Timestamp>,
}

/// The body of `POST /api/session`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
struct LoginBody {
    #[schema(required = true, schema_with = login_email_schema)]
    email: Option<Value>,
    #[schema(required = true, schema_with = password_schema)]
    password: Option<Value>,
}

fn login_email_schema() -> utoipa::openapi::schema::Schema {
    schema::formatted(utoipa::openapi::KnownFormat::Email, 320, false, "The analyst's email.")
}
fn password_schema() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .max_length(Some(fml_domain::password::MAX_LEN))
        .description(Some("The analyst's password."))
        .build()
        .into()
}

/// Sign in.
///
/// Sets the `fml_session` cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) for 12 hours.
/// Failed attempts are limited per account and per client address (429 with Retry-After);
/// every attempt is audited.
#[utoipa::path(
    post, path = "/api/session", tag = "analysts",
    request_body(content = LoginBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SessionView),
        (status = 401, description = "invalid_credentials", body = ErrorBody),
        (status = 429, description = "too_many_requests (Retry-After)", body = ErrorBody),
    )
)]
async fn login(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    JsonBody(body, _): JsonBody,
) -> Result<Response, ApiError> {
    let typed: LoginBody = typed_body(&body)?;
    let (Some(Value::String(email)), Some(Value::String(password))) = (&typed.email, &typed.password) else {
        let mut errors = Vec::new();
        if !matches!(typed.email, Some(Value::String(_))) {
            errors.push(fml_domain::FieldError::new("email", "is required and must be a string"));
        }
        if !matches!(typed.password, Some(Value::String(_))) {
            errors.push(fml_domain::FieldError::new("password", "is required and must be a string"));
        }
        return Err(ApiError::Validation(errors));
    };
    if email.chars().count() > 320 || password.len() > fml_domain::password::MAX_LEN {
        return Err(ApiError::InvalidCredentials);
    }
    let account = email.trim().to_lowercase();
    // Counted before the password is checked: attempts in flight count too.
    let attempt = st.logins.begin(&account, &addr).map_err(|wait| ApiError::TooManyRequests(wait.as_secs().max(1)))?;
    let Some(session) = fml_app::analysts::login(&st.ctx, &account, password, &addr).await? else {
        return Err(ApiError::InvalidCredentials);
    };
    attempt.succeeded();
    let view = SessionView { analyst: (&session.analyst).into(), expires_at: Some(session.expires_at) };
    let mut res = (StatusCode::OK, Json(view)).into_response();
    if let Some(c) = session_cookie(&st, Some(session.token.expose())) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Who is signed in (by session cookie or analyst API token).
#[utoipa::path(
    get, path = "/api/session", tag = "analysts",
    responses((status = 200, description = "The signed-in analyst", body = SessionView)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn whoami(staff: Staff) -> Json<SessionView> {
    Json(SessionView { analyst: (&staff.analyst).into(), expires_at: None })
}

/// Sign out: the session ends at once and the cookie is cleared. Without a live session
/// this only clears the cookie.
#[utoipa::path(
    delete, path = "/api/session", tag = "analysts",
    responses((status = 204, description = "Signed out")),
)]
async fn logout(State(st): State<AppState>, headers: axum::http::HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Some(a) = fml_app::analysts::by_session(&st.ctx, token).await?
    {
        fml_app::analysts::logout(&st.ctx, &a, &fml_domain::secret::SecretHash::of(token)).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Some(c) = session_cookie(&st, None) {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}
