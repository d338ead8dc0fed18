//! The job table on both backends: leases are exclusive (also between concurrent leasers on
//! PostgreSQL), a job whose worker died is leased again, failures are retried with backoff or
//! given up; and the mailer runs on it (an unreachable SMTP server means retries, not loss).

use fml_domain::Timestamp;
use fml_domain::jobs::{Job, JobStatus};
use fml_store::unit::{UnitOfWork, Wakers};

use crate::helpers::{Backend, Options, eventually, recipe_body, spawn, spawn_with};

async fn enqueue(app: &crate::helpers::TestApp, n: i64) {
    let mut unit = UnitOfWork::bookkeeping(&app.db, &Wakers::default()).await.unwrap();
    let jobs: Vec<_> = (0..n).map(|i| (Some(&app.org), Job::SendMail { mail_id: 1000 + i })).collect();
    unit.enqueue(&jobs, Timestamp::now()).await.unwrap();
    unit.commit().await.unwrap();
}

async fn leases_are_exclusive_and_reclaimed(b: Backend) {
    // No SMTP: this app's runner handles no kind, so only the test leases.
    let app = spawn(b).await;
    enqueue(&app, 3).await;
    let kinds = ["send_mail"];
    let now = Timestamp::now();
    let first = fml_store::jobs::lease(&app.db, &kinds, now, 60, 2).await.unwrap();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|j| j.status == JobStatus::Running && j.attempts == 1));
    let second = fml_store::jobs::lease(&app.db, &kinds, now, 60, 2).await.unwrap();
    assert_eq!(second.len(), 1, "leased jobs are not leased again");
    assert!(fml_store::jobs::lease(&app.db, &kinds, now, 60, 2).await.unwrap().is_empty());
    assert!(fml_store::jobs::lease(&app.db, &["other"], now.plus_secs(3600), 60, 9).await.unwrap().is_empty());

    // The workers died: once their leases run out the jobs are leased again.
    let later = now.plus_secs(61);
    let again = fml_store::jobs::lease(&app.db, &kinds, later, 60, 10).await.unwrap();
    assert_eq!(again.len(), 3);
    assert!(again.iter().all(|j| j.attempts == 2));

    // Done; retried later; given up.
    fml_store::jobs::complete(&app.db, again[0].id, later).await.unwrap();
    fml_store::jobs::fail(&app.db, again[1].id, "smtp said no", Some(later.plus_secs(30)), later).await.unwrap();
    fml_store::jobs::fail(&app.db, again[2].id, "gone for good", None, later).await.unwrap();
    let app = &app;
    let at = |s| async move { fml_store::jobs::list(&app.db, Some(&app.org), Some(s), 10).await.unwrap() };
    assert_eq!(at(JobStatus::Done).await.len(), 1);
    let queued = at(JobStatus::Queued).await;
    assert_eq!((queued.len(), queued[0].last_error.as_deref()), (1, Some("smtp said no")));
    assert!(fml_store::jobs::lease(&app.db, &kinds, later, 60, 10).await.unwrap().is_empty(), "not before its time");
    assert_eq!(fml_store::jobs::lease(&app.db, &kinds, later.plus_secs(31), 60, 10).await.unwrap().len(), 1);
    assert_eq!(at(JobStatus::Failed).await[0].last_error.as_deref(), Some("gone for good"));
}

/// Two leasers at once take disjoint jobs.
async fn concurrent_leases_never_share_a_job(b: Backend) {
    let app = spawn(b).await;
    enqueue(&app, 40).await;
    let now = Timestamp::now();
    let lease = || fml_store::jobs::lease(&app.db, &["send_mail"], now, 60, 15);
    let (a, c, d) = tokio::join!(lease(), lease(), lease());
    let mut ids: Vec<i64> = [a.unwrap(), c.unwrap(), d.unwrap()].into_iter().flatten().map(|j| j.id).collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "a job was leased twice");
    assert_eq!(total, 40);
}

/// One tenant's backlog does not delay another's work: a batch takes every tenant's oldest
/// job before anyone's second.
async fn a_backlog_does_not_delay_another_tenant(b: Backend) {
    let app = spawn(b).await;
    enqueue(&app, 30).await;
    let other = fml_domain::OrgId::parse("org_quiet").unwrap();
    crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let mut unit = UnitOfWork::bookkeeping(&app.db, &Wakers::default()).await.unwrap();
    // A job of no tenant (system work) is a queue of its own, and is not passed over either.
    let late = [(Some(&other), Job::SendMail { mail_id: 1 }), (None, Job::SendMail { mail_id: 2 })];
    unit.enqueue(&late, Timestamp::now().plus_secs(1)).await.unwrap();
    unit.commit().await.unwrap();

    let now = Timestamp::now().plus_secs(2);
    let batch = fml_store::jobs::lease(&app.db, &["send_mail"], now, 60, 4).await.unwrap();
    assert_eq!(batch.len(), 4);
    let quiet: Vec<_> = batch.iter().filter(|j| j.org_id.as_deref() == Some("org_quiet")).collect();
    assert_eq!(quiet.len(), 1, "the quiet tenant's job is in the first batch");
    assert_eq!(batch.iter().filter(|j| j.org_id.is_none()).count(), 1, "so is the system's");
    let busy: Vec<i64> = batch.iter().filter(|j| j.org_id.as_deref() == Some(app.org.as_str())).map(|j| j.id).collect();
    assert_eq!(busy.len(), 2);
    // Every job is leased exactly once as the backlog drains, and the busy tenant's oldest went
    // first.
    let mut seen = batch.len();
    loop {
        let next = fml_store::jobs::lease(&app.db, &["send_mail"], now, 60, 8).await.unwrap();
        if next.is_empty() {
            break;
        }
        assert!(next.iter().all(|j| busy.iter().all(|first| j.id > *first)));
        seen += next.len();
    }
    assert_eq!(seen, 32);
}

/// With the SMTP server unreachable, the invite is not lost: its job is retried with backoff
/// and the error is kept on the job and the message.
async fn unreachable_smtp_means_retries(b: Backend) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = spawn_with(b, Options { smtp_url: Some(format!("smtp://127.0.0.1:{port}")), ..Options::default() }).await;
    let token = app.token().await;
    let res = app.create_case(&token, None, &recipe_body("crm-jobs")).await;
    assert_eq!(res.status(), 201);
    let job = eventually(20, || async {
        let jobs = fml_store::jobs::list(&app.db, Some(&app.org), Some(JobStatus::Queued), 10).await.unwrap();
        jobs.into_iter().find(|j| j.attempts >= 1 && j.last_error.is_some())
    })
    .await;
    assert!(matches!(job.job, Job::SendMail { .. }));
    assert!(job.run_at > Timestamp::now().plus_secs(10), "retried after a backoff, not at once");
    let mail = &fml_store::mail::list(&app.db, &app.org).await.unwrap()[0];
    assert_eq!(mail.status, "pending");
    assert!(mail.last_error.is_some() && mail.body_sealed.is_some(), "kept for the retry");
}

/// The kind and slot of every recurring job queued so far.
async fn recurring_jobs(app: &crate::helpers::TestApp) -> Vec<(String, i64)> {
    let mut r = app.db.reader().await.unwrap();
    let rows: Vec<(String, String, String)> = fml_store::fetch_all!(
        r.conn(),
        (String, String, String),
        "SELECT kind, payload, status FROM jobs WHERE kind IN ('housekeeping', 'schedule_monitoring') ORDER BY id"
    )
    .unwrap();
    rows.into_iter()
        .map(|(kind, payload, status)| {
            assert_ne!(status, "failed", "{kind} failed");
            let slot = match Job::from_payload(&payload).unwrap() {
                Job::Housekeeping { slot } | Job::ScheduleMonitoring { slot } => slot,
                other => panic!("{other:?}"),
            };
            (kind, slot)
        })
        .collect()
}

/// A slot is claimed once: again, or an older one, is refused.
async fn a_recurring_slot_is_claimed_once(b: Backend) {
    let app = spawn(b).await;
    let claim = |slot| {
        let app = &app;
        async move {
            let mut unit = UnitOfWork::bookkeeping(&app.db, &Wakers::default()).await.unwrap();
            let claimed = fml_store::jobs::claim_slot(unit.conn(), "test_recurring", slot).await.unwrap();
            unit.commit().await.unwrap();
            claimed
        }
    };
    assert!(claim(10).await);
    assert!(!claim(10).await, "the same slot twice");
    assert!(!claim(9).await, "an older slot");
    assert!(claim(11).await);
    // The runner queued this hour's housekeeping at start-up, once for its slot.
    let queued = eventually(20, || async {
        let jobs = recurring_jobs(&app).await;
        jobs.iter().any(|(k, _)| k == "housekeeping").then_some(jobs)
    })
    .await;
    let mut hours: Vec<i64> = queued.iter().filter(|(k, _)| k == "housekeeping").map(|(_, s)| *s).collect();
    let n = hours.len();
    hours.dedup();
    assert_eq!(hours.len(), n, "an hour's housekeeping was queued twice: {queued:?}");
}

/// Two nodes on one PostgreSQL: each slot of the monitoring schedule (every second here) and
/// this hour's housekeeping are queued once, not once per node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_nodes_queue_each_recurring_slot_once() {
    if crate::helpers::pg_url().is_none() {
        return;
    }
    let every = std::time::Duration::from_secs(1);
    let a = spawn_with(Backend::Postgres, Options { monitoring_every: every, ..Options::default() }).await;
    let c = spawn_with(
        Backend::Postgres,
        Options { spec: Some(a.spec.clone()), monitoring_every: every, ..Options::default() },
    )
    .await;
    let jobs = eventually(30, || async {
        let jobs = recurring_jobs(&a).await;
        (jobs.iter().filter(|(k, _)| k == "schedule_monitoring").count() >= 4).then_some(jobs)
    })
    .await;
    let mut slots: Vec<&(String, i64)> = jobs.iter().collect();
    let total = slots.len();
    slots.sort();
    slots.dedup();
    assert_eq!(slots.len(), total, "a slot was queued twice: {jobs:?}");
    assert!(jobs.iter().any(|(k, _)| k == "housekeeping"), "{jobs:?}");
    drop(c);
}

crate::on_both_backends!(
    a_recurring_slot_is_claimed_once,
    leases_are_exclusive_and_reclaimed,
    concurrent_leases_never_share_a_job,
    a_backlog_does_not_delay_another_tenant,
    unreachable_smtp_means_retries
);
