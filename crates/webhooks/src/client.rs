//! The HTTP side of a delivery attempt: an SSRF-safe client, and one signed POST.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};

use crate::ssrf::{PRIVATE_TARGET, WebhookUrl, is_forbidden};

/// The receiver must answer within this.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a response body is recorded with each attempt ("every attempt — including the
/// response body — is recorded"): the whole body up to this, with a mark when it was longer.
pub const BODY_CAP: usize = 64 * 1024;
/// How much of a ping's answer is shown beside its button (the guide's "first 500 bytes").
pub const PING_PREFIX: usize = 500;

/// Resolves with the system resolver and refuses names that resolve to a forbidden address,
/// so hyper only ever dials checked addresses (DNS rebinding cannot slip between check and
/// connect).
#[derive(Debug, Clone)]
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs = resolve_checked(name.as_str(), allow_private).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Why a host may not be dialled.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("{}", PRIVATE_TARGET)]
    Private,
    #[error("could not resolve the host: {0}")]
    Lookup(String),
}

/// Resolves `host` and checks every address (the save-time check, and the dial-time one).
pub async fn resolve_checked(host: &str, allow_private: bool) -> Result<Vec<SocketAddr>, ResolveError> {
    let addrs: Vec<SocketAddr> =
        tokio::net::lookup_host((host, 0)).await.map_err(|e| ResolveError::Lookup(e.to_string()))?.collect();
    if addrs.is_empty() {
        return Err(ResolveError::Lookup("no addresses".into()));
    }
    if !allow_private && addrs.iter().any(|a| is_forbidden(a.ip())) {
        return Err(ResolveError::Private);
    }
    Ok(addrs)
}

/// Checks a URL's host before saving an endpoint: literal addresses were checked by
/// [`WebhookUrl::parse`]; names are resolved and every address checked.
pub async fn check_target(url: &WebhookUrl, allow_private: bool) -> Result<(), ResolveError> {
    if url.literal_ip().is_some() {
        return Ok(());
    }
    let host = url.url().host_str().unwrap_or_default();
    resolve_checked(host, allow_private).await.map(|_| ())
}

/// Installs the process-wide TLS provider (ring, shared with the mailer). Any HTTP client
/// built in this process needs it first; calling it again is harmless.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Builds the delivery client: no proxies, no redirects, keep-alive, the guarded resolver.
pub fn build_client(allow_private: bool) -> reqwest::Client {
    install_tls();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(64)
        .tcp_nodelay(true)
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .build()
        .expect("the webhook HTTP client configuration is valid")
}

/// What one attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptOutcome {
    /// The HTTP status, or 0 when there was no response.
    pub http_status: u16,
    pub duration_ms: i64,
    pub error: Option<String>,
    /// The response body, whole up to [`BODY_CAP`] bytes.
    pub response_body: Option<String>,
    /// The body was longer than [`BODY_CAP`]: the rest was not read.
    pub response_truncated: bool,
    /// A `429` or `503` asked, with `Retry-After`, to be left alone this long (milliseconds,
    /// at most [`MAX_RETRY_AFTER_MS`]).
    pub retry_after_ms: Option<i64>,
}

/// The longest `Retry-After` honoured: an endpoint cannot park its deliveries for days.
pub const MAX_RETRY_AFTER_MS: i64 = 3_600_000;

/// What a `Retry-After` value asks for at `now_ms`: delta-seconds or an HTTP date, held to
/// [`MAX_RETRY_AFTER_MS`]; `None` if it says nothing usable (or nothing to wait for).
pub fn retry_after_ms(raw: &str, now_ms: i64) -> Option<i64> {
    let raw = raw.trim();
    let ms = match raw.parse::<u64>() {
        Ok(secs) => i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX),
        Err(_) => fml_domain::Timestamp::parse_http_date(raw)?.millis() - now_ms,
    };
    (ms > 0).then(|| ms.min(MAX_RETRY_AFTER_MS))
}

impl AttemptOutcome {
    pub fn delivered(&self) -> bool {
        (200..300).contains(&self.http_status) && self.error.is_none()
    }
}

/// The headers of one delivery attempt.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    pub event: &'a str,
    pub event_id: &'a str,
    pub timestamp: &'a str,
    pub delivery_id: i64,
    pub attempt: u32,
    /// The signature headers of the endpoint's scheme (`sign::headers`).
    pub signing: &'a [(&'static str, String)],
}

/// Sends one signed POST and reports what happened; never fails (a failure is an outcome).
pub async fn send(
    client: &reqwest::Client,
    url: &WebhookUrl,
    allow_private: bool,
    h: &Envelope<'_>,
    body: Bytes,
) -> AttemptOutcome {
    let started = Instant::now();
    let done = |http_status: u16, error: Option<String>, body: Option<(String, bool)>| AttemptOutcome {
        http_status,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        error,
        response_truncated: body.as_ref().is_some_and(|(_, cut)| *cut),
        response_body: body.map(|(text, _)| text),
        retry_after_ms: None,
    };
    // A literal address never reaches the resolver: check it here, at every attempt.
    if !allow_private && url.literal_ip().is_some_and(is_forbidden) {
        return done(0, Some(PRIVATE_TARGET.to_owned()), None);
    }
    let mut headers = HeaderMap::with_capacity(11);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT, HeaderValue::from_static("FirstMileLabs-Webhooks/1.0"));
    headers.insert("x-fml-event-version", HeaderValue::from_static("1"));
    for (name, value) in h.signing.iter().cloned().chain([
        ("x-fml-event", h.event.to_owned()),
        ("x-fml-event-id", h.event_id.to_owned()),
        ("x-fml-timestamp", h.timestamp.to_owned()),
        ("x-fml-delivery-id", h.delivery_id.to_string()),
        ("x-fml-attempt", h.attempt.to_string()),
    ]) {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    let res = match client.post(url.url().clone()).headers(headers).body(body).send().await {
        Ok(r) => r,
        Err(e) => return done(0, Some(describe(&e)), None),
    };
    let status = res.status().as_u16();
    // Back-pressure: only a 429 or 503 is taken to mean "later", as RFC 9110 has it.
    let retry_after = [429, 503]
        .contains(&status)
        .then(|| res.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok().map(str::to_owned))
        .flatten()
        .and_then(|v| retry_after_ms(&v, fml_domain::Timestamp::now().millis()));
    let mut outcome = match read_capped(res).await {
        Ok(prefix) => {
            let error = (!(200..300).contains(&status)).then(|| {
                if (300..400).contains(&status) {
                    "redirects are not followed".to_owned()
                } else {
                    format!("HTTP {status}")
                }
            });
            done(status, error, Some(prefix))
        }
        // A response cut off mid-body is no complete response: recorded like a network error.
        Err(e) => done(0, Some(format!("HTTP {status}, then reading the response failed: {}", describe(&e))), None),
    };
    if outcome.http_status == status {
        outcome.retry_after_ms = retry_after;
    }
    outcome
}

/// Reads at most [`BODY_CAP`] bytes of a body, whatever the receiver sends, and whether there
/// was more; the rest is never read (the connection is then not reused). Memory per attempt
/// is bounded by the cap, however large the body announced or sent.
async fn read_capped(mut res: reqwest::Response) -> Result<(String, bool), reqwest::Error> {
    let announced = usize::try_from(res.content_length().unwrap_or(1024)).unwrap_or(BODY_CAP);
    let mut buf = Vec::with_capacity(announced.min(BODY_CAP));
    let mut cut = false;
    while let Some(chunk) = res.chunk().await? {
        let room = BODY_CAP - buf.len();
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if chunk.len() > room {
            cut = true;
            break;
        }
    }
    Ok((storable(&utf8_prefix(&buf, cut)), cut))
}

/// The bytes as text; when they were cut, a character split by the cut is dropped rather
/// than shown as a replacement character.
fn utf8_prefix(bytes: &[u8], cut: bool) -> String {
    let end = match std::str::from_utf8(bytes) {
        Err(e) if cut && e.error_len().is_none() => e.valid_up_to(),
        _ => bytes.len(),
    };
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// The first `max` bytes of `text`, cut at a character boundary (a ping's shown answer).
pub fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Text as both databases can store it: PostgreSQL refuses NUL in `TEXT`, and one receiver
/// answering with a NUL byte must not make a whole batch of attempts unrecordable.
pub fn storable(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out after 10s"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_request() {
        "request failed"
    } else if e.is_body() || e.is_decode() {
        "response body failed"
    } else {
        "error"
    };
    let mut msg = kind.to_owned();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    storable(&msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_and_bounded() {
        let now = fml_domain::Timestamp::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap().millis();
        let table = [
            ("120", Some(120_000)),
            (" 5 ", Some(5_000)),
            ("0", None),
            ("99999999999", Some(MAX_RETRY_AFTER_MS)),
            ("Wed, 21 Oct 2015 07:29:30 GMT", Some(90_000)),
            ("Wed, 21 Oct 2015 07:27:00 GMT", None),
            ("soon", None),
            ("-5", None),
        ];
        for (raw, want) in table {
            assert_eq!(retry_after_ms(raw, now), want, "{raw}");
        }
    }

    #[test]
    fn cut_text_never_ends_in_half_a_character() {
        let euro = "a€b".as_bytes(); // € is 3 bytes
        assert_eq!(utf8_prefix(&euro[..2], true), "a", "a cut inside € drops it");
        assert_eq!(utf8_prefix(&euro[..2], false), "a\u{FFFD}", "a whole body keeps what it sent");
        assert_eq!(utf8_prefix(b"ok \xff", true), "ok \u{FFFD}", "invalid bytes inside stay visible");
        assert_eq!((prefix("a€b", 2), prefix("a€b", 4), prefix("ab", 500)), ("a", "a€", "ab"));
    }

    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused_at_dial_time() {
        assert!(matches!(resolve_checked("localhost", false).await, Err(ResolveError::Private)));
        assert!(resolve_checked("localhost", true).await.is_ok());
        assert!(matches!(resolve_checked("no-such-host.invalid", false).await, Err(ResolveError::Lookup(_))));
        // The client's resolver is the same check: a request to a name that resolves to
        // loopback never connects.
        let client = build_client(false);
        let url = WebhookUrl::parse("http://localhost:1/", true).unwrap();
        let signing = [("x-fml-signature", "s".to_owned())];
        let h =
            Envelope { event: "ping", event_id: "e", timestamp: "t", delivery_id: 0, attempt: 1, signing: &signing };
        let o = send(&client, &url, false, &h, Bytes::from_static(b"{}")).await;
        assert_eq!(o.http_status, 0);
        let err = o.error.unwrap();
        assert!(err.contains(PRIVATE_TARGET), "{err}");
    }
}
