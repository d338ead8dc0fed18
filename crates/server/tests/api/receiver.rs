//! Real HTTP receivers on loopback for the webhook tests, one behaviour per path:
//! `/ok`, `/status/<code>`, `/slow` (answers after 12 s), `/redirect`, `/big` (10 MB body),
//! `/sized/<n>` (an n-byte body, [`sized_body`]), `/busy/<secs>` (429 with `Retry-After` once),
//! `/flaky/<n>` (503 for the first n requests, then 200), `/hold/<code>` (the first request
//! waits for [`Receiver::release`], then answers `code`; later ones answer 200 at once),
//! `/gate/<code>/…` (every request waits until [`Receiver::open_gate`], then answers `code`;
//! the receiver counts how many wait at once); and a raw TCP server that cuts the response
//! off mid-body.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request a receiver got.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Hit {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

#[derive(Clone)]
struct Shared {
    hits: Arc<Mutex<Vec<Hit>>>,
    counters: Arc<Mutex<HashMap<String, u32>>>,
    gate: Arc<tokio::sync::Semaphore>,
    gate_open: Arc<tokio::sync::watch::Sender<bool>>,
    waiting: Arc<std::sync::atomic::AtomicUsize>,
    max_waiting: Arc<std::sync::atomic::AtomicUsize>,
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            hits: Arc::default(),
            counters: Arc::default(),
            gate: Arc::new(tokio::sync::Semaphore::new(0)),
            gate_open: Arc::new(tokio::sync::watch::channel(false).0),
            waiting: Arc::default(),
            max_waiting: Arc::default(),
        }
    }
}

pub struct Receiver {
    pub base: String,
    shared: Shared,
}

impl Receiver {
    pub async fn start() -> Self {
        let shared = Shared::default();
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, shared }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn hits(&self, path: &str) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().iter().filter(|h| h.path == path).cloned().collect()
    }

    /// Lets the held first request of a `/hold/…` path answer.
    pub fn release(&self) {
        self.shared.gate.add_permits(1);
    }

    /// Lets every request at a `/gate/…` path answer, now and from now on.
    pub fn open_gate(&self) {
        self.shared.gate_open.send_replace(true);
    }

    /// Requests waiting at the gate now, and the most that ever waited at once.
    pub fn gate_waiting(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::SeqCst;
        (self.shared.waiting.load(SeqCst), self.shared.max_waiting.load(SeqCst))
    }

    /// Waits until `path` got at least `n` requests.
    pub async fn wait_for(&self, path: &str, n: usize, secs: u64) -> Vec<Hit> {
        crate::helpers::eventually(secs, || async {
            let hits = self.hits(path);
            (hits.len() >= n).then_some(hits)
        })
        .await
    }
}

async fn handle(State(s): State<Shared>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 4 * 1024 * 1024).await.unwrap_or_default();
    s.hits.lock().unwrap().push(Hit { path: path.clone(), headers, body });
    let seen = {
        let mut c = s.counters.lock().unwrap();
        let n = c.entry(path.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["ok", ..] => (StatusCode::OK, r#"{"ok":true}"#).into_response(),
        ["status", code] => {
            let code = StatusCode::from_u16(code.parse().unwrap_or(500)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (code, format!("answered {code}")).into_response()
        }
        ["slow"] => {
            tokio::time::sleep(Duration::from_secs(12)).await;
            StatusCode::OK.into_response()
        }
        ["redirect"] => (StatusCode::FOUND, [("location", "/ok/redirected")], "").into_response(),
        ["big"] => (StatusCode::OK, vec![b'x'; 10 * 1024 * 1024]).into_response(),
        // Busy once: the first request gets 429 with `Retry-After: <secs>`, later ones 200.
        ["busy", secs] if seen == 1 => {
            (StatusCode::TOO_MANY_REQUESTS, [("retry-after", secs.to_string())], "slow down").into_response()
        }
        ["busy", _] => (StatusCode::OK, "ok now").into_response(),
        ["sized", n] => (StatusCode::OK, sized_body(n.parse().unwrap_or(0))).into_response(),
        ["flaky", n] if seen <= n.parse::<u32>().unwrap_or(0) => {
            (StatusCode::SERVICE_UNAVAILABLE, "not yet").into_response()
        }
        ["hold", code] if seen == 1 => {
            let _ = s.gate.acquire().await.map(|p| p.forget());
            let code = StatusCode::from_u16(code.parse().unwrap_or(500)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (code, format!("answered {code} after holding")).into_response()
        }
        ["hold", _] => (StatusCode::OK, "answered at once").into_response(),
        ["nul"] => (StatusCode::OK, "before\0after").into_response(),
        ["gate", code, ..] => {
            use std::sync::atomic::Ordering::SeqCst;
            let now = s.waiting.fetch_add(1, SeqCst) + 1;
            s.max_waiting.fetch_max(now, SeqCst);
            let _ = s.gate_open.subscribe().wait_for(|open| *open).await;
            s.waiting.fetch_sub(1, SeqCst);
            let code = StatusCode::from_u16(code.parse().unwrap_or(500)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (code, "answered after the gate").into_response()
        }
        ["flaky", _] => (StatusCode::OK, "finally").into_response(),
        _ => (StatusCode::NOT_FOUND, "no such path").into_response(),
    }
}

/// The body `/sized/<n>` answers: n bytes of numbered lines, so a cut or a lost part shows.
pub fn sized_body(n: usize) -> String {
    let mut out = String::with_capacity(n + 16);
    let mut line = 0;
    while out.len() < n {
        out.push_str(&format!("line {line:06}\n"));
        line += 1;
    }
    out.truncate(n);
    out
}

/// A server that reads the request, starts a 200 response promising 1000 bytes, sends ten
/// and closes the connection.
pub async fn start_resetter() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = sock.read(&mut buf).await;
                let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789").await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}/reset")
}

/// A loopback port with nothing listening.
pub fn refused_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}/hook")
}
