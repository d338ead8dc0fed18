//! The whole user-visible path, end to end: HTTP `POST /v1/cases` against a real `fml serve`
//! from a load generator, and each case's `case.created` delivered, signed, to a receiver in
//! another process that verifies the signature and measures emit-to-receipt latency.
//!
//! - `fml-bench verifier ADDR SECRET`: the receiver. `/hook` checks `X-FML-Signature` against
//!   SECRET over the raw body (401 when it does not match, counted), records the latency from
//!   `X-FML-Timestamp`; `GET /stats` returns and resets the counts and percentiles.
//! - `fml-bench load BASE TOKEN CONNECTIONS SECONDS`: `CONNECTIONS` kept-alive connections, each
//!   creating cases back to back (fresh Idempotency-Key and crmRecordId, the recipe body) for
//!   SECONDS; prints creates/s and the create latency.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};

#[derive(Default)]
struct Stats {
    latencies_ms: Vec<f64>,
    bad_signatures: u64,
}

pub async fn verifier(addr: &str, secret: String) {
    let stats: Arc<Mutex<Stats>> = Arc::default();
    let s = stats.clone();
    let secret: Arc<str> = secret.into();
    let app = Router::new()
        .route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let (s, secret) = (s.clone(), secret.clone());
                async move {
                    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64() * 1000.0;
                    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default();
                    let expected = fml_webhooks::sign::signature(&secret, &body);
                    let mut st = s.lock().unwrap_or_else(|e| e.into_inner());
                    if !constant_time_eq(expected.as_bytes(), header("x-fml-signature").as_bytes()) {
                        st.bad_signatures += 1;
                        return StatusCode::UNAUTHORIZED;
                    }
                    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(header("x-fml-timestamp")) {
                        st.latencies_ms.push(now - t.timestamp_millis() as f64);
                    }
                    StatusCode::OK
                }
            }),
        )
        .route(
            "/stats",
            get(move || {
                let stats = stats.clone();
                async move {
                    let mut st = stats.lock().unwrap_or_else(|e| e.into_inner());
                    let mut l = std::mem::take(&mut st.latencies_ms);
                    let bad = std::mem::take(&mut st.bad_signatures);
                    l.sort_by(f64::total_cmp);
                    let pct = |p: f64| if l.is_empty() { 0.0 } else { l[((l.len() - 1) as f64 * p) as usize] };
                    format!(
                        r#"{{"count":{},"bad_signatures":{bad},"p50_ms":{:.1},"p99_ms":{:.1},"max_ms":{:.1}}}"#,
                        l.len(),
                        pct(0.5),
                        pct(0.99),
                        pct(1.0)
                    )
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn load(base: &str, token: &str, connections: usize, seconds: u64) {
    fml_webhooks::client::install_tls();
    let http = reqwest::Client::builder().pool_max_idle_per_host(connections).build().expect("client");
    let run = uuid::Uuid::new_v4().simple().to_string();
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (http, next, errors, latencies) = (http.clone(), next.clone(), errors.clone(), latencies.clone());
            let (url, token, run) = (format!("{base}/v1/cases"), token.to_owned(), run.clone());
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while Instant::now() < deadline {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let body = format!(
                        r#"{{"customerEmail":"jane@acme.example","customerName":"Jane Doe","companyName":"Acme Holdings Ltd","country":"United Kingdom","crmRecordId":"rec_{run}_{i}","crmSource":"hubspot","sendInvite":true}}"#
                    );
                    let t = Instant::now();
                    let res = http
                        .post(&url)
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .header("idempotency-key", format!("load-{run}-{i}"))
                        .body(body)
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status() == StatusCode::CREATED => {
                            let _ = r.bytes().await;
                            mine.push(t.elapsed().as_secs_f64() * 1000.0);
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                latencies.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let secs = start.elapsed().as_secs_f64();
    let mut l = std::mem::take(&mut *latencies.lock().unwrap_or_else(|e| e.into_inner()));
    l.sort_by(f64::total_cmp);
    let pct = |p: f64| if l.is_empty() { 0.0 } else { l[((l.len() - 1) as f64 * p) as usize] };
    println!(
        r#"{{"created":{},"errors":{},"seconds":{secs:.2},"creates_per_s":{:.0},"p50_ms":{:.1},"p99_ms":{:.1}}}"#,
        l.len(),
        errors.load(Ordering::Relaxed),
        l.len() as f64 / secs,
        pct(0.5),
        pct(0.99)
    );
}
