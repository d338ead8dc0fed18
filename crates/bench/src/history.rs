//! `fml-bench history DATABASE_URL ORG N ENDPOINT_URL SECRET`: fills a database with N past cases
//! of ORG, each with its `case.created` event, a delivered delivery to a live endpoint and
//! that delivery's attempt — the history a deployment accumulates — and creates that endpoint
//! (its secret sealed under `FML_MASTER_KEY`). The pipeline benchmark then runs on top of it:
//! no query of the hot path may grow with this history.

use fml_domain::crypto::MasterKey;
use fml_domain::{OrgId, Timestamp};
use fml_store::endpoints::{NewEndpoint, seal_context};
use fml_store::{ConnectOptions, Db};

pub async fn run(url: &str, org: &str, n: u64, endpoint_url: &str, secret: &str) {
    let db = Db::connect(url, &ConnectOptions::default()).await.expect("connect");
    db.migrate().await.expect("migrate");
    let org = OrgId::parse(org).expect("org id");
    let key = MasterKey::from_hex(&std::env::var("FML_MASTER_KEY").expect("FML_MASTER_KEY")).expect("key");
    let id = uuid::Uuid::now_v7().to_string();
    let endpoint = NewEndpoint {
        secret_sealed: key.seal(&seal_context(&id), secret.as_bytes()),
        id: id.clone(),
        url: endpoint_url.to_owned(),
        label: "bench".into(),
        event_types: vec!["case.created".into()],
        enabled: true,
        signature_scheme: "fml-v1",
    };
    let mut tx = db.begin().await.expect("begin");
    fml_store::endpoints::create(tx.conn(), &org, &endpoint, Timestamp::now()).await.expect("endpoint");
    tx.commit().await.expect("commit");

    let now = Timestamp::now().millis();
    let (series, uuid, text) = match db.backend() {
        fml_store::Backend::Postgres => (
            format!("SELECT g AS n FROM generate_series(1, {n}) g"),
            "lpad(to_hex(n), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0')",
            "n::text",
        ),
        fml_store::Backend::Sqlite => (
            format!("WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) SELECT n FROM s"),
            "printf('%08x-0000-4000-8000-%012x', n, n)",
            "CAST(n AS TEXT)",
        ),
    };
    let org = org.as_str();
    let statements = [
        format!(
            "INSERT INTO cases (id, org_id, reference, status, source, customer_email, customer_name, company_name, \
                country, crm_record_id, crm_source, created_at, updated_at) \
             SELECT {uuid}, '{org}', 'CS-2025-' || {text}, 'approved', 'api', 'jane@acme.example', 'Jane Doe', \
                'Acme Holdings Ltd', 'GB', 'hist_' || {text}, 'hubspot', {now} - ({n} - n) * 10, {now} - ({n} - n) * 10 \
             FROM ({series}) g"
        ),
        format!(
            "INSERT INTO events (event_id, org_id, event_type, case_id, payload, created_at) \
             SELECT 'e' || {uuid}, '{org}', 'case.created', {uuid}, \
                '{{\"event\":\"case.created\",\"caseId\":\"' || {uuid} || '\",\"companyName\":\"Acme Holdings Ltd\"}}', \
                {now} - ({n} - n) * 10 \
             FROM ({series}) g"
        ),
        format!(
            "INSERT INTO deliveries (org_id, endpoint_id, event_row, event_id, event_type, case_id, status, attempt_count, \
                auto_failures, manual, next_attempt_at, last_http_status, created_at, updated_at) \
             SELECT org_id, '{id}', id, event_id, event_type, case_id, 'delivered', 1, 0, FALSE, NULL, 200, created_at, \
                created_at + 5 FROM events WHERE org_id = '{org}' ORDER BY id"
        ),
        "INSERT INTO delivery_attempts (delivery_id, attempt, manual, started_at, http_status, duration_ms, error, response_body) \
         SELECT id, 1, FALSE, created_at, 200, 5, NULL, 'ok' FROM deliveries ORDER BY id"
            .to_owned(),
        format!(
            "INSERT INTO case_counters (org_id, year, last) VALUES ('{org}', 2025, {n}) \
             ON CONFLICT (org_id, year) DO UPDATE SET last = excluded.last"
        ),
        "ANALYZE".to_owned(),
    ];
    for sql in statements {
        let started = std::time::Instant::now();
        match &db {
            Db::Sqlite { write, .. } => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone())).execute(write).await.expect("history");
            }
            Db::Postgres(pool) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone())).execute(pool).await.expect("history");
            }
        }
        eprintln!("  {:.1}s  {}", started.elapsed().as_secs_f64(), &sql[..sql.len().min(60)]);
    }
    println!("{id}");
}
