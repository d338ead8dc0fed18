//! The axum extractor: a handler that takes [`Verified`] runs only for a genuine, fresh,
//! first-seen event; everything else is answered before it.

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::events::Event;
use crate::verify::{MAX_BODY_BYTES, Receiver, VerifyError};

/// A verified event. Put a [`Receiver`] in the router's state (or make it `FromRef` of it).
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use fml_receiver::{Event, Receiver, Verified};
///
/// async fn webhook(Verified(event): Verified) -> &'static str {
///     if let Event::CaseCreated(e) = event {
///         println!("new case {}", e.case_reference);
///     }
///     "ok"
/// }
/// let app: Router = Router::new().route("/webhooks", post(webhook)).with_state(Receiver::new("secret"));
/// ```
#[derive(Debug, Clone)]
pub struct Verified(pub Event);

/// How a refused delivery is answered: 401 for a signature or window failure (our side will
/// retry, and the attempt shows the reason), 400 for a signed body that is no event, 413 for
/// a body over [`MAX_BODY_BYTES`], and 200 for a duplicate, so it is not sent again.
#[derive(Debug)]
pub enum Rejection {
    Refused(VerifyError),
    TooLarge,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let status = match &self {
            Rejection::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::Refused(VerifyError::Duplicate { .. }) => StatusCode::OK,
            Rejection::Refused(VerifyError::Malformed(_)) => StatusCode::BAD_REQUEST,
            Rejection::Refused(_) => StatusCode::UNAUTHORIZED,
        };
        let text = match self {
            Rejection::TooLarge => format!("the body is over {MAX_BODY_BYTES} bytes"),
            Rejection::Refused(e) => e.to_string(),
        };
        (status, text).into_response()
    }
}

impl<S> FromRequest<S> for Verified
where
    S: Send + Sync,
    Receiver: FromRef<S>,
{
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let receiver = Receiver::from_ref(state);
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| Rejection::TooLarge)?;
        receiver.verify(&parts.headers, &bytes).map(Verified).map_err(Rejection::Refused)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Router;
    use axum::body::Body;
    use axum::routing::post;
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::Sha256;
    use tower::ServiceExt;

    use super::*;

    static HANDLED: AtomicUsize = AtomicUsize::new(0);

    async fn handler(Verified(event): Verified) -> String {
        HANDLED.fetch_add(1, Ordering::SeqCst);
        event.event_type().to_owned()
    }

    fn request(body: Vec<u8>, secret: &str) -> Request {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
        m.update(&body);
        let sig = format!("sha256={}", hex::encode(m.finalize().into_bytes()));
        Request::post("/hook").header("x-fml-signature", sig).body(Body::from(body)).unwrap()
    }

    #[tokio::test]
    async fn the_extractor_answers_refusals_itself() {
        let app = Router::new().route("/hook", post(handler)).with_state(Receiver::new("s3cret"));
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let body = serde_json::json!({
            "event": "ping", "eventId": "0b6b5e0e-0000-4000-8000-000000000001", "eventVersion": 1,
            "timestamp": now, "orgId": "org_demo", "message": "hello"
        })
        .to_string()
        .into_bytes();
        let status = |r: Response| r.status();
        let first = app.clone().oneshot(request(body.clone(), "s3cret")).await.unwrap();
        assert_eq!(status(first), StatusCode::OK);
        assert_eq!(HANDLED.load(Ordering::SeqCst), 1);
        let dup = app.clone().oneshot(request(body.clone(), "s3cret")).await.unwrap();
        assert_eq!(status(dup), StatusCode::OK, "a duplicate is acknowledged");
        assert_eq!(HANDLED.load(Ordering::SeqCst), 1, "and not handled again");
        let forged = app.clone().oneshot(request(body, "wrong")).await.unwrap();
        assert_eq!(status(forged), StatusCode::UNAUTHORIZED);
        let junk = app.clone().oneshot(request(b"[1]".to_vec(), "s3cret")).await.unwrap();
        assert_eq!(status(junk), StatusCode::BAD_REQUEST);
        let huge = app.clone().oneshot(request(vec![b' '; MAX_BODY_BYTES + 1], "s3cret")).await.unwrap();
        assert_eq!(status(huge), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(HANDLED.load(Ordering::SeqCst), 1);
    }
}
