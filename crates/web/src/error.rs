//! The one error type of the Public API: each variant maps to a status and a stable JSON body
//! `{"error": code, "error_description": text}` (the OAuth 2.0 shape, used everywhere), plus
//! `fields` for validation errors. Internal causes are logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fml_domain::{FieldError, Scope};
use fml_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{1}")]
    BadRequest(&'static str, String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    /// An upload over a limit (the text says which).
    #[error("{0}")]
    UploadTooLarge(String),
    /// A file of a type we do not accept (the text says which are).
    #[error("{0}")]
    UnsupportedFile(String),
    /// RFC 6750: a missing, malformed, expired or revoked bearer token.
    #[error("{0}")]
    InvalidToken(&'static str, /* token was presented */ bool),
    #[error("insufficient scope")]
    InsufficientScope(Scope),
    /// The principal may not do this (an analyst's role), whatever the object's state.
    #[error("{0}")]
    Forbidden(&'static str),
    /// A decision control refused (403 with its own code, e.g. `senior_approval_required`,
    /// and the concerns that make the case high-risk).
    #[error("{1}")]
    Control(&'static str, String, Vec<String>),
    /// A sign-in with a wrong email or password.
    #[error("the email or password is wrong")]
    InvalidCredentials,
    /// Too many attempts; retry after this many seconds.
    #[error("too many attempts")]
    TooManyRequests(u64),
    /// The case's status does not allow the action: 409 with the current status.
    #[error("{0}")]
    IllegalTransition(String, fml_domain::CaseStatus),
    #[error("{0}")]
    NotFound(&'static str),
    /// Well-formed input the server cannot act on (422).
    #[error("{1}")]
    Unprocessable(&'static str, String),
    #[error("{1}")]
    Conflict(&'static str, String),
    #[error("a request with this Idempotency-Key is still being processed")]
    IdempotencyInProgress,
    #[error("this Idempotency-Key was used with a different request body")]
    IdempotencyReused,
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

/// The JSON error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code, e.g. `validation_error`, `invalid_client`.
    pub error: &'static str,
    /// A human-readable explanation.
    pub error_description: String,
    /// Present on `validation_error`: every failed field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldErrorBody>>,
    /// Present on `invalid_transition`: the case's status now.
    #[serde(rename = "currentStatus", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "approved")]
    pub current_status: Option<fml_domain::CaseStatus>,
    /// Present on `senior_approval_required` and `second_approver_required`: why the case is
    /// high-risk, one sentence each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub message: String,
}

impl ApiError {
    /// The status this error answers with (for surfaces that render it themselves).
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) | ApiError::BadRequest(..) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType | ApiError::UnsupportedFile(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge | ApiError::UploadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::IllegalTransition(..) | ApiError::Conflict(..) => StatusCode::CONFLICT,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Forbidden(_) | ApiError::Control(..) => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl From<fml_app::CommandError> for ApiError {
    fn from(e: fml_app::CommandError) -> Self {
        use fml_app::CommandError as C;
        match e {
            C::NotFound(m) => ApiError::NotFound(m),
            C::Illegal { current } => ApiError::IllegalTransition(
                format!("the case is {}; this action is not allowed from that status", current.as_str()),
                current,
            ),
            C::Forbidden(m) => ApiError::Forbidden(m),
            C::Control { code, message, reasons } => ApiError::Control(code, message, reasons),
            C::Validation(f) => ApiError::Validation(f),
            C::Conflict(code, m) => ApiError::Conflict(code, m),
            C::Unprocessable(code, m) => ApiError::Unprocessable(code, m),
            C::Upstream(m) => {
                tracing::warn!(error = %m, "an outside service failed");
                ApiError::Unavailable
            }
            C::NotYet(_) => ApiError::Unavailable,
            C::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::WriterGone => ApiError::Unavailable,
            other => ApiError::Internal(other.to_string()),
        }
    }
}

pub fn json_error(
    status: StatusCode,
    error: &'static str,
    description: String,
    fields: Option<Vec<FieldError>>,
) -> Response {
    let body = ErrorBody {
        error,
        error_description: description,
        fields: fields.map(|f| f.into_iter().map(|e| FieldErrorBody { field: e.field, message: e.message }).collect()),
        current_status: None,
        reasons: None,
    };
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let msg = self.to_string();
        match self {
            ApiError::Validation(fields) => {
                let n = fields.len();
                json_error(
                    StatusCode::BAD_REQUEST,
                    "validation_error",
                    format!("{n} field(s) failed validation"),
                    Some(fields),
                )
            }
            ApiError::BadRequest(code, m) => json_error(StatusCode::BAD_REQUEST, code, m, None),
            ApiError::UnsupportedMediaType => json_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json".into(),
                None,
            ),
            ApiError::PayloadTooLarge => json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request body exceeds 1 MiB".into(),
                None,
            ),
            ApiError::UploadTooLarge(m) => json_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", m, None),
            ApiError::UnsupportedFile(m) => {
                json_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", m, None)
            }
            ApiError::InvalidToken(desc, presented) => {
                let mut res = json_error(StatusCode::UNAUTHORIZED, "invalid_token", desc.into(), None);
                let challenge = if presented {
                    format!("Bearer realm=\"fml\", error=\"invalid_token\", error_description=\"{desc}\"")
                } else {
                    "Bearer realm=\"fml\"".to_owned()
                };
                if let Ok(v) = HeaderValue::from_str(&challenge) {
                    res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
                }
                res
            }
            ApiError::InsufficientScope(scope) => {
                let mut res = json_error(
                    StatusCode::FORBIDDEN,
                    "insufficient_scope",
                    format!("this request needs the {scope} scope"),
                    None,
                );
                let challenge = format!("Bearer realm=\"fml\", error=\"insufficient_scope\", scope=\"{scope}\"");
                if let Ok(v) = HeaderValue::from_str(&challenge) {
                    res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
                }
                res
            }
            ApiError::Forbidden(m) => json_error(StatusCode::FORBIDDEN, "forbidden", m.into(), None),
            ApiError::Control(code, m, reasons) => {
                let reasons = (!reasons.is_empty()).then_some(reasons);
                let body = ErrorBody { error: code, error_description: m, fields: None, current_status: None, reasons };
                (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
            }
            ApiError::InvalidCredentials => json_error(StatusCode::UNAUTHORIZED, "invalid_credentials", msg, None),
            ApiError::TooManyRequests(secs) => {
                let mut res = json_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    format!("too many requests; retry in {secs} s"),
                    None,
                );
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
                res
            }
            ApiError::IllegalTransition(m, current) => {
                let body = ErrorBody {
                    error: "invalid_transition",
                    error_description: m,
                    fields: None,
                    current_status: Some(current),
                    reasons: None,
                };
                (StatusCode::CONFLICT, axum::Json(body)).into_response()
            }
            ApiError::NotFound(m) => json_error(StatusCode::NOT_FOUND, "not_found", m.into(), None),
            ApiError::Unprocessable(code, m) => json_error(StatusCode::UNPROCESSABLE_ENTITY, code, m, None),
            ApiError::Conflict(code, m) => json_error(StatusCode::CONFLICT, code, m, None),
            ApiError::IdempotencyInProgress => {
                let mut res = json_error(StatusCode::CONFLICT, "idempotency_request_in_progress", msg, None);
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                res
            }
            ApiError::IdempotencyReused => {
                json_error(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", msg, None)
            }
            ApiError::Unavailable => {
                let mut res = json_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the service is shutting down; retry".into(),
                    None,
                );
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                res
            }
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                json_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "an internal error occurred".into(),
                    None,
                )
            }
        }
    }
}
