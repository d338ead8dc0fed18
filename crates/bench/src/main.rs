//! `fml-bench`: the machine's ceilings, to compare `POST /v1/cases` against.
//!
//! - `fml-bench constant ADDR`: an axum server whose `POST /v1/cases` returns a constant 201.
//! - `fml-bench inserts DATABASE_URL N CONCURRENCY`: N single-row insert transactions into the
//!   same database, from CONCURRENCY tasks; prints commits per second.
//! - `fml-bench receiver ADDR`: a webhook receiver (run as its own process) that answers `/ok/*`
//!   at once and never answers `/dead/*` (a black hole); `GET /stats` returns and resets the
//!   count and the emit-to-receipt latencies of `/ok/*`.
//! - `fml-bench deliver DATABASE_URL RECEIVER RATE SECONDS HEALTHY DEAD`: emits `case.created`
//!   events through the outbox (RATE per second, or `max`) for SECONDS, with HEALTHY endpoints
//!   on `/ok/*` and DEAD on `/dead/*`, and runs the delivery engine in this process.
//! - `fml-bench verifier ADDR SECRET` and `fml-bench load BASE TOKEN CONNECTIONS SECONDS`: the
//!   two outside processes of the whole-pipeline benchmark (`bench/pipeline.sh`).
//! - `fml-bench decide BASE CLIENT_TOKEN ANALYST_TOKEN DATABASE_URL N CONNECTIONS`: the
//!   workflow path (`bench/workflow.sh`): N decisions over the analyst API.
//! - `fml-bench history DATABASE_URL ORG N ENDPOINT_URL SECRET`: N past cases with delivered
//!   deliveries to a new endpoint, for the pipeline on a database with history.
//! - `fml-bench sanctions-gen N [SAMPLE…]` and `fml-bench screen DATABASE_URL N`: a synthetic
//!   watch list of N entities, and N screenings against it once imported (`bench/screening.sh`).
//! - `fml-bench documents BASE CLIENT_TOKEN ANALYST_TOKEN N CONNECTIONS [BOMBS]`: N document
//!   uploads over the analyst API, each then processed by the server, with BOMBS hostile files
//!   uploaded at the start (`bench/documents.sh`).
//! - `fml-bench docbombs legacy|budgets|child KIND N [FML]`: N hostile documents read at once,
//!   and the rise of this process's peak memory (`bench/docbombs.sh`).
//! - `fml-bench lease DATABASE_URL N`: job leases behind one tenant's backlog of N
//!   (`bench/lease.sh`).

mod deliver;
mod docbombs;
mod documents;
mod history;
mod lease;
mod pipeline;
mod screening;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use fml_store::{ConnectOptions, Db};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("constant") => constant(args.get(1).map_or("127.0.0.1:8090", String::as_str)).await,
        Some("inserts") => {
            let url = args.get(1).expect("DATABASE_URL");
            let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20_000);
            let conc: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(16);
            inserts(url, n, conc).await;
        }
        Some("verifier") => {
            pipeline::verifier(
                args.get(1).map_or("127.0.0.1:8092", String::as_str),
                args.get(2).cloned().unwrap_or_default(),
            )
            .await
        }
        Some("load") if args.len() >= 5 => {
            let n = |i: usize| args[i].parse::<u64>().expect("a number");
            pipeline::load(&args[1], &args[2], usize::try_from(n(3)).unwrap_or(32), n(4)).await;
        }
        Some("decide") if args.len() >= 7 => {
            let n = |i: usize| args[i].parse::<u64>().expect("a number");
            pipeline::decide(&args[1], &args[2], &args[3], &args[4], n(5), usize::try_from(n(6)).unwrap_or(16)).await;
        }
        Some("history") if args.len() >= 6 => {
            history::run(&args[1], &args[2], args[3].parse().expect("N"), &args[4], &args[5]).await;
        }
        Some("sanctions-gen") if args.len() >= 2 => {
            screening::generate(args[1].parse().expect("N"), &args[2..]);
        }
        Some("documents") if args.len() >= 6 => {
            let n = |i: usize| args[i].parse::<u64>().expect("a number");
            let bombs = args.get(6).and_then(|b| b.parse().ok()).unwrap_or(0);
            documents::run(&args[1], &args[2], &args[3], n(4), usize::try_from(n(5)).unwrap_or(8), bombs).await;
        }
        Some("lease") if args.len() >= 3 => {
            lease::run(&args[1], args[2].parse().expect("N")).await;
        }
        Some("docbombs") if args.len() >= 4 => {
            docbombs::run(&args[1], &args[2], args[3].parse().expect("N"), args.get(4).map(String::as_str)).await;
        }
        Some("screen") if args.len() >= 3 => screening::screen(&args[1], args[2].parse().expect("N")).await,
        Some("receiver") => deliver::receiver(args.get(1).map_or("127.0.0.1:8091", String::as_str)).await,
        Some("deliver") if args.len() >= 7 => {
            let n = |i: usize| args[i].parse::<usize>().expect("a number");
            let rate = (args[3] != "max").then(|| n(3));
            let noisy = args.get(7).map_or(0, |_| n(7));
            deliver::run(&args[1], &args[2], rate, n(4), n(5), n(6), noisy).await;
        }
        _ => eprintln!(
            "usage: fml-bench constant ADDR | inserts DATABASE_URL N CONCURRENCY | receiver ADDR | \
             deliver DATABASE_URL RECEIVER RATE|max SECONDS HEALTHY DEAD [NOISY] | verifier ADDR SECRET | \
             load BASE TOKEN CONNECTIONS SECONDS | history DATABASE_URL ORG N ENDPOINT_URL SECRET | \
             sanctions-gen N [SAMPLE...] | screen DATABASE_URL N | documents BASE CLIENT ANALYST N CONNECTIONS [BOMBS] | \
             docbombs legacy|budgets|child KIND N [FML] | lease DATABASE_URL N"
        ),
    }
}

async fn constant(addr: &str) {
    let body: &'static str = r#"{"caseId":"00000000-0000-0000-0000-000000000000","status":"in_progress"}"#;
    let app = Router::new().route("/v1/cases", post(move || async move { (StatusCode::CREATED, body) }));
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    eprintln!("constant server on {addr}");
    axum::serve(listener, app).await.expect("serve");
}

async fn inserts(url: &str, n: u64, conc: u64) {
    let db = Db::connect(
        url,
        &ConnectOptions { pg_max_connections: Some(u32::try_from(conc).unwrap_or(16)), ..Default::default() },
    )
    .await
    .expect("connect");
    let mut tx = db.begin().await.expect("begin");
    fml_store::execute!(tx.conn(), "CREATE TABLE IF NOT EXISTS bench_rows (id BIGINT NOT NULL, payload TEXT NOT NULL)")
        .expect("create");
    tx.commit().await.expect("commit");
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..conc)
        .map(|_| {
            let (db, next) = (db.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let mut tx = db.begin().await.expect("begin");
                    fml_store::execute!(
                        tx.conn(),
                        "INSERT INTO bench_rows (id, payload) VALUES ($1, $2)",
                        i64::try_from(i).unwrap_or(0),
                        "x".repeat(200)
                    )
                    .expect("insert");
                    tx.commit().await.expect("commit");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    let secs = start.elapsed().as_secs_f64();
    let mut tx = db.begin().await.expect("begin");
    fml_store::execute!(tx.conn(), "DROP TABLE bench_rows").expect("drop");
    tx.commit().await.expect("commit");
    println!("{n} single-row insert transactions in {secs:.2}s: {:.0}/s", n as f64 / secs);
}
