//! `fml listen` and `fml trigger` over the Public API: a session, its event stream
//! (Server-Sent Events: each event's exact payload, its type, and a resumable cursor as the
//! SSE id), a sample event of any type for one session, and the end of a session. The stream
//! is opened by the developer's machine, so no webhook endpoint (and no SSRF exception) is
//! involved.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use fml_domain::{FieldError, Scope, Timestamp};
use fml_outbound::listen::{Cursor, Feed};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{Auth, IdempotencyHeader, JsonBody, typed_body};

use super::idempotent::{self, Storage};
use fml_web::state::AppState;

/// How long one stream stays open; the listener reconnects with `Last-Event-ID` (and a fresh
/// token when its own has expired), losing nothing.
const STREAM_SECS: u64 = 15 * 60;
/// How often a stream looks for new events.
const POLL: Duration = Duration::from_millis(250);
/// How often it tells the database the session is alive.
const TOUCH: Duration = Duration::from_secs(30);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_session))
        .routes(routes!(end_session))
        .routes(routes!(stream))
        .routes(routes!(trigger))
}

/// A listen session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListenSession {
    pub id: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// Both scopes: the stream carries case data, as a delivery's payload does.
fn allowed(auth: &Auth) -> Result<(), ApiError> {
    auth.require(Scope::WebhooksRead)?;
    auth.require(Scope::CasesRead)
}

/// Open a session for `fml listen`.
#[utoipa::path(post, path = "/v1/listen/sessions", tag = "webhooks",
    responses((status = 201, description = "The session", body = ListenSession)),
    security(("oauth2" = ["webhooks:read", "cases:read"])))]
async fn open_session(
    State(st): State<AppState>,
    auth: Auth,
    IdempotencyHeader(key): IdempotencyHeader,
) -> Result<Response, ApiError> {
    allowed(&auth)?;
    idempotent::call(&st, &auth, key, "POST /v1/listen/sessions".into(), &Value::Null, Storage::Plain, || async {
        let s = fml_outbound::listen::open(&st.ctx, &auth.org, &auth.client_id).await?;
        let view = ListenSession { id: s.id, created_at: Timestamp::from_millis(s.created_at) };
        idempotent::to_json(StatusCode::CREATED, &view)
    })
    .await
}

/// End a session (its samples with it).
#[utoipa::path(delete, path = "/v1/listen/sessions/{id}", tag = "webhooks",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Ended"),
        (status = 404, description = "not_found", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:read", "cases:read"])))]
async fn end_session(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
) -> Result<Response, ApiError> {
    allowed(&auth)?;
    let route = format!("DELETE /v1/listen/sessions/{id}");
    let res = idempotent::call(&st, &auth, key, route, &Value::Null, Storage::Plain, || async {
        fml_outbound::listen::end(&st.ctx, &auth.org, &id).await?;
        Ok((StatusCode::NO_CONTENT, String::new()))
    })
    .await?;
    Ok(idempotent::no_content(res))
}

/// Which events a stream carries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Comma-separated event types; omitted: every type.
    #[serde(default)]
    events: Option<String>,
}

/// The session's events as Server-Sent Events: `event:` the type, `data:` the exact payload
/// a webhook would carry, `id:` the cursor to resume from (`Last-Event-ID`). Closes after 15
/// minutes; reconnect to go on.
#[utoipa::path(get, path = "/v1/listen/sessions/{id}/events", tag = "webhooks",
    params(("id" = String, Path), StreamQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this cursor (`e<n>.s<n>`)")),
    responses(
        (status = 200, description = "The stream", content_type = "text/event-stream", body = String),
        (status = 404, description = "not_found", body = ErrorBody),
        (status = 503, description = "unavailable: this node holds as many streams as it takes", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:read", "cases:read"])))]
async fn stream(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<StreamQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    allowed(&auth)?;
    let resume = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(Cursor::parse);
    let filter: Option<Vec<String>> = q
        .events
        .as_deref()
        .filter(|e| !e.is_empty())
        .map(|e| e.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).take(64).collect());
    let permit = st.listen_slots.clone().try_acquire_owned().map_err(|_| ApiError::Unavailable)?;
    let feed = Feed::start(&st.ctx, &auth.org, &id, resume).await?;
    let state = Stream {
        st,
        feed,
        filter,
        pending: Vec::new(),
        until: Instant::now() + Duration::from_secs(STREAM_SECS),
        touched: Instant::now(),
        _permit: permit,
    };
    let events = futures_util::stream::unfold(state, next_event);
    Ok(Sse::new(events).keep_alive(KeepAlive::default()).into_response())
}

struct Stream {
    st: AppState,
    feed: Feed,
    filter: Option<Vec<String>>,
    /// Read but not yet sent, newest first.
    pending: Vec<Event>,
    until: Instant,
    touched: Instant,
    /// Frees the node's slot when the stream ends.
    _permit: tokio::sync::OwnedSemaphorePermit,
}

async fn next_event(mut s: Stream) -> Option<(Result<Event, Infallible>, Stream)> {
    loop {
        if let Some(e) = s.pending.pop() {
            return Some((Ok(e), s));
        }
        if Instant::now() >= s.until {
            return None;
        }
        if s.touched.elapsed() >= TOUCH {
            s.touched = Instant::now();
            // Ended elsewhere (`DELETE`, housekeeping): the stream ends too.
            if !matches!(s.feed.touch(&s.st.ctx).await, Ok(true)) {
                return None;
            }
        }
        match s.feed.next(&s.st.ctx, 100).await {
            Ok(batch) if !batch.is_empty() => {
                let wanted = |t: &str| s.filter.as_ref().is_none_or(|f| f.iter().any(|x| x == t));
                let mut events: Vec<Event> = batch
                    .into_iter()
                    .filter(|(_, e)| wanted(&e.event_type))
                    .map(|(cursor, e)| Event::default().event(e.event_type).id(cursor.to_id()).data(e.payload))
                    .collect();
                events.reverse();
                s.pending = events;
            }
            Ok(_) => tokio::time::sleep(POLL).await,
            Err(e) => {
                tracing::warn!(error = %e, "a listen stream could not read events; it ends");
                return None;
            }
        }
    }
}

/// The body of a trigger.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct TriggerBody {
    /// The event type, e.g. `case.decision.made` (any of the catalog's, `ping` included).
    #[schema(schema_with = event_type_schema, required = true)]
    event: Option<Value>,
    /// The session; omitted: this client's most recent session (streamed in the last five
    /// minutes).
    #[schema(value_type = Option<String>)]
    session_id: Option<Value>,
}

/// The catalog's event types, as the schema of `event`.
fn event_type_schema() -> utoipa::openapi::schema::Object {
    let types: Vec<&str> = fml_domain::events::schema::CATALOG.iter().map(|e| e.event).collect();
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(types))
        .build()
}

/// What a trigger wrote.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Triggered {
    pub session_id: String,
    pub event: String,
    pub event_id: String,
}

/// Send a sample event of any type to one listen session only (no endpoint receives it).
#[utoipa::path(post, path = "/v1/listen/trigger", tag = "webhooks",
    request_body = TriggerBody,
    responses(
        (status = 202, description = "The sample is on its way to the session", body = Triggered),
        (status = 400, description = "validation_error", body = ErrorBody),
        (status = 404, description = "not_found: no such session, or no recent one", body = ErrorBody),
    ),
    security(("oauth2" = ["webhooks:read", "cases:read"])))]
async fn trigger(
    State(st): State<AppState>,
    auth: Auth,
    IdempotencyHeader(key): IdempotencyHeader,
    JsonBody(body, _): JsonBody,
) -> Result<Response, ApiError> {
    allowed(&auth)?;
    let typed: TriggerBody = typed_body(&body)?;
    let text = |name: &str, v: Option<&Value>| match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(FieldError::new(name, "must be a string")),
    };
    let (event, session) = match (text("event", typed.event.as_ref()), text("sessionId", typed.session_id.as_ref())) {
        (Ok(Some(e)), Ok(s)) => (e, s),
        (e, s) => {
            let mut errors: Vec<FieldError> = [e.err(), s.err()].into_iter().flatten().collect();
            if errors.is_empty() {
                errors.push(FieldError::new("event", "is required"));
            }
            return Err(ApiError::Validation(errors));
        }
    };
    idempotent::call(&st, &auth, key, "POST /v1/listen/trigger".into(), &body, Storage::Plain, || async {
        let (s, event_id) =
            fml_outbound::listen::trigger(&st.ctx, &auth.org, &auth.client_id, session.as_deref(), &event).await?;
        idempotent::to_json(
            StatusCode::ACCEPTED,
            &Triggered { session_id: s.id, event, event_id: event_id.to_string() },
        )
    })
    .await
}
