//! The end-to-end delivery benchmark: an emitter and the engine in one process, the receiver
//! in another.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use fml_domain::crypto::MasterKey;
use fml_domain::events::{CaseCreated, WebhookEvent};
use fml_domain::{CaseId, CaseReference, CaseSource, OrgId, Timestamp};
use fml_store::endpoints::{NewEndpoint, seal_context};
use fml_store::wake::DeliveryWake;
use fml_store::{ConnectOptions, Db};

#[derive(Default)]
struct Stats {
    latencies_ms: Vec<f64>,
}

pub async fn receiver(addr: &str) {
    let stats: Arc<Mutex<Stats>> = Arc::default();
    let s = stats.clone();
    let app = Router::new()
        .route(
            "/ok/{n}",
            post(move |headers: HeaderMap| {
                let s = s.clone();
                async move {
                    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64() * 1000.0;
                    if let Some(ts) = headers.get("x-fml-timestamp").and_then(|v| v.to_str().ok())
                        && let Ok(t) = chrono::DateTime::parse_from_rfc3339(ts)
                    {
                        s.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .latencies_ms
                            .push(now - t.timestamp_millis() as f64);
                    }
                    "ok"
                }
            }),
        )
        .route(
            "/slow500/{n}",
            post(|| async {
                tokio::time::sleep(Duration::from_millis(9_900)).await;
                (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "slow and failing")
            }),
        )
        .route(
            "/dead/{n}",
            post(|| async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                "never"
            }),
        )
        .route(
            "/stats",
            get(move || {
                let stats = stats.clone();
                async move {
                    let mut l = std::mem::take(&mut stats.lock().unwrap_or_else(|e| e.into_inner()).latencies_ms);
                    l.sort_by(f64::total_cmp);
                    let pct = |p: f64| if l.is_empty() { 0.0 } else { l[((l.len() - 1) as f64 * p) as usize] };
                    format!(r#"{{"count":{},"p50_ms":{:.2},"p99_ms":{:.2}}}"#, l.len(), pct(0.5), pct(0.99))
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}

/// `noisy`: that many endpoints of a second tenant, which answer 500 after 9.9 s, receive the
/// same event rate; the figures are the first tenant's.
pub async fn run(
    url: &str,
    receiver: &str,
    rate: Option<usize>,
    seconds: usize,
    healthy: usize,
    dead: usize,
    noisy: usize,
) {
    let db = Db::connect(url, &ConnectOptions::default()).await.expect("connect");
    db.migrate().await.expect("migrate");
    let org = OrgId::parse(&format!("org_bench_{}", &uuid::Uuid::new_v4().simple().to_string()[..8])).expect("org");
    fml_store::orgs::create(&db, &org, "Bench", Timestamp::now()).await.expect("org");
    let key = MasterKey::from_hex(&MasterKey::generate_hex()).expect("key");
    let neighbour =
        OrgId::parse(&format!("org_noisy_{}", &uuid::Uuid::new_v4().simple().to_string()[..8])).expect("org");
    fml_store::orgs::create(&db, &neighbour, "Noisy", Timestamp::now()).await.expect("org");
    for (owner, kind, count) in [(&org, "ok", healthy), (&org, "dead", dead), (&neighbour, "slow500", noisy)] {
        for i in 0..count {
            let id = uuid::Uuid::now_v7().to_string();
            let e = NewEndpoint {
                secret_sealed: key.seal(&seal_context(&id), b"bench-secret-0123456789"),
                id,
                url: format!("{receiver}/{kind}/{i}"),
                label: format!("{kind} {i}"),
                event_types: vec!["case.created".into()],
                enabled: true,
                signature_scheme: "fml-v1",
            };
            let mut tx = db.begin().await.expect("begin");
            fml_store::endpoints::create(tx.conn(), owner, &e, Timestamp::now()).await.expect("endpoint");
            tx.commit().await.expect("commit");
        }
    }
    let wake = Arc::new(DeliveryWake::new());
    let mut cfg = fml_webhooks::engine::EngineConfig::new(key);
    cfg.allow_private = true;
    fml_webhooks::engine::spawn(db.clone(), cfg, wake.clone());
    fml_webhooks::client::install_tls();
    let http = reqwest::Client::new();
    let _ = http.get(format!("{receiver}/stats")).send().await;

    let start = Instant::now();
    let mut emitted = 0usize;
    let mut noisy_due = 0.0_f64;
    // At a fixed rate, emit every 2 ms; at full speed, as fast as commits allow.
    let tick = Duration::from_millis(2);
    while start.elapsed() < Duration::from_secs(seconds as u64) {
        let batch = match rate {
            Some(r) => {
                let due = (start.elapsed().as_secs_f64() * r as f64) as usize;
                due.saturating_sub(emitted).min(256)
            }
            None => 128,
        };
        if batch > 0 {
            let now = Timestamp::now();
            // The neighbour sends events at 1/noisy of the rate, so its endpoints together get
            // as many deliveries as the measured tenant: the scenario isolates the engine's
            // sharing of attempts from sheer extra write volume.
            noisy_due += if noisy > 0 { batch as f64 / noisy as f64 } else { 0.0 };
            let noisy_now = noisy_due.floor() as usize;
            noisy_due -= noisy_now as f64;
            let events: Vec<_> = (0..batch)
                .map(|i| (&org, i))
                .chain((0..noisy_now).map(|i| (&neighbour, i)))
                .map(|(owner, i)| {
                    CaseCreated {
                        case_id: CaseId::generate(),
                        case_reference: CaseReference::new(2026, (emitted + i) as i64),
                        company_name: Some("Acme Holdings Ltd".into()),
                        company_number: None,
                        country: None,
                        customer_email: Some("jane@acme.example".into()),
                        source: CaseSource::Api,
                        created_by: None,
                    }
                    .emit(owner, Some("rec_bench"), now)
                })
                .collect();
            let mut tx = db.begin().await.expect("begin");
            fml_store::events::insert_many(tx.conn(), &events.iter().collect::<Vec<_>>()).await.expect("emit");
            tx.commit().await.expect("commit");
            wake.new_deliveries();
            emitted += batch;
        }
        if rate.is_some() {
            tokio::time::sleep(tick).await;
        } else {
            tokio::task::yield_now().await;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let stats = http.get(format!("{receiver}/stats")).send().await.expect("stats").text().await.expect("stats");
    let v: serde_json::Value = serde_json::from_str(&stats).expect("json");
    let delivered = v["count"].as_f64().unwrap_or(0.0);
    println!(
        "emitted {emitted} events in {elapsed:.1}s ({:.0}/s); healthy endpoints received {delivered} ({:.0}/s); \
         emit-to-receipt p50 {} ms, p99 {} ms",
        emitted as f64 / elapsed,
        delivered / elapsed,
        v["p50_ms"],
        v["p99_ms"]
    );
    std::process::exit(0);
}
