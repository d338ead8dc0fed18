//! Leasing jobs behind a backlog (`bench/lease.sh`, issue 16): one tenant with N queued jobs
//! (and, as a month of history would leave, 2N finished ones), nine quiet tenants with one job
//! each; then `ROUNDS` leases of a batch of 8, timed one by one, as the job runner makes them.
//! Prints the median and p99 lease time and whether the first batch held every quiet tenant's
//! job.

use std::time::Instant;

use fml_domain::jobs::Job;
use fml_domain::{OrgId, Timestamp};
use fml_store::db::{ConnectOptions, Db};
use fml_store::unit::{UnitOfWork, Wakers};

const BATCH: i64 = 8;
const ROUNDS: usize = 200;

pub async fn run(url: &str, n: usize) {
    let db = Db::connect(url, &ConnectOptions::default()).await.expect("connect");
    db.migrate().await.expect("migrate");
    let now = Timestamp::now();
    let busy = OrgId::parse("org_busy").expect("id");
    let quiet: Vec<OrgId> = (1..=9).map(|i| OrgId::parse(&format!("org_quiet{i}")).expect("id")).collect();
    for org in std::iter::once(&busy).chain(&quiet) {
        fml_store::orgs::create(&db, org, org.as_str(), now).await.expect("org");
    }
    // The backlog and its history, in chunks (one statement binds at most a few thousand).
    for chunk in 0..(3 * n).div_ceil(2000) {
        let jobs: Vec<_> =
            (0..2000.min(3 * n - chunk * 2000)).map(|i| (Some(&busy), Job::SendMail { mail_id: i as i64 })).collect();
        let mut unit = UnitOfWork::bookkeeping(&db, &Wakers::default()).await.expect("begin");
        unit.enqueue(&jobs, now).await.expect("enqueue");
        unit.commit().await.expect("commit");
    }
    // Two thirds are history: leased and done long ago.
    let mut tx = db.begin().await.expect("begin");
    fml_store::execute!(tx.conn(), "UPDATE jobs SET status = 'done', finished_at = 0 WHERE id % 3 <> 0").expect("done");
    tx.commit().await.expect("commit");
    let mut unit = UnitOfWork::bookkeeping(&db, &Wakers::default()).await.expect("begin");
    let late: Vec<_> = quiet.iter().map(|o| (Some(o), Job::SendMail { mail_id: 1 })).collect();
    unit.enqueue(&late, now.plus_secs(1)).await.expect("enqueue");
    unit.commit().await.expect("commit");

    let at = now.plus_secs(2);
    let mut times = Vec::with_capacity(ROUNDS);
    let mut first_quiet = 0;
    for round in 0..ROUNDS {
        let t = Instant::now();
        let batch = fml_store::jobs::lease(&db, &["send_mail"], at, 600, BATCH).await.expect("lease");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if round == 0 {
            first_quiet = batch.iter().filter(|j| j.org_id.as_deref() != Some("org_busy")).count();
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| (times[((times.len() - 1) as f64 * p) as usize] * 100.0).round() / 100.0;
    println!(
        "{}",
        serde_json::json!({
            "queued": n, "finished": 2 * n, "leases": ROUNDS, "batch": BATCH,
            "p50_ms": pct(0.5), "p99_ms": pct(0.99),
            // The busy tenant's oldest job is older than theirs: it takes one place.
            "quietJobsInFirstBatch": first_quiet,
        })
    );
}
