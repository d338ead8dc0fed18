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

/// `fml-bench decide BASE CLIENT_TOKEN ANALYST_TOKEN DATABASE_URL N CONNECTIONS`: the workflow
/// path. Opens N cases over the Public API and puts them in review (a direct update: setup,
/// not measured), then decides them over the analyst API from CONNECTIONS kept-alive
/// connections, each decision one command (rule, compare-and-set move, audit row, two events
/// and their deliveries, one transaction); prints decisions/s and the decision latency.
pub async fn decide(base: &str, client_token: &str, analyst_token: &str, db_url: &str, n: u64, connections: usize) {
    fml_webhooks::client::install_tls();
    let http = reqwest::Client::builder().pool_max_idle_per_host(connections).build().expect("client");
    let run = uuid::Uuid::new_v4().simple().to_string();
    // Setup: N cases, opened concurrently.
    let next = Arc::new(AtomicU64::new(0));
    let ids: Arc<Mutex<Vec<String>>> = Arc::default();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (http, next, ids) = (http.clone(), next.clone(), ids.clone());
            let (url, token, run) = (format!("{base}/v1/cases"), client_token.to_owned(), run.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let body = format!(
                        r#"{{"customerEmail":"jane@acme.example","companyName":"Acme Holdings Ltd","crmRecordId":"wf_{run}_{i}"}}"#
                    );
                    let res = http.post(&url).bearer_auth(&token).header("content-type", "application/json").body(body).send().await;
                    if let Ok(r) = res
                        && let Ok(v) = r.json::<serde_json::Value>().await
                        && let Some(id) = v["caseId"].as_str()
                    {
                        ids.lock().unwrap_or_else(|e| e.into_inner()).push(id.to_owned());
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let db = fml_store::Db::connect(db_url, &fml_store::ConnectOptions::default()).await.expect("db");
    let mut tx = db.begin().await.expect("tx");
    fml_store::execute!(tx.conn(), "UPDATE cases SET status = 'in_review' WHERE status = 'in_progress'")
        .expect("setup");
    tx.commit().await.expect("commit");
    let ids = Arc::new(std::mem::take(&mut *ids.lock().unwrap_or_else(|e| e.into_inner())));
    eprintln!("{} cases in review", ids.len());

    // Measured: every case decided once.
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::default();
    let start = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (http, next, errors, latencies, ids) =
                (http.clone(), next.clone(), errors.clone(), latencies.clone(), ids.clone());
            let (base, token) = (base.to_owned(), analyst_token.to_owned());
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let i = usize::try_from(next.fetch_add(1, Ordering::Relaxed)).unwrap_or(usize::MAX);
                    let Some(id) = ids.get(i) else { break };
                    let t = Instant::now();
                    let res = http
                        .post(format!("{base}/api/cases/{id}/decision"))
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(r#"{"outcome":"approved","notes":"benchmark"}"#)
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status() == StatusCode::OK => {
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
        r#"{{"decided":{},"errors":{},"seconds":{secs:.2},"decisions_per_s":{:.0},"p50_ms":{:.1},"p99_ms":{:.1}}}"#,
        l.len(),
        errors.load(Ordering::Relaxed),
        l.len() as f64 / secs,
        pct(0.5),
        pct(0.99)
    );
}
