//! The test harness: each test gets the real app on a random port with a fresh database
//! (a new SQLite file, or a new PostgreSQL schema), and a tenant with an all-scopes client.

use std::path::PathBuf;
use std::time::Duration;

use fml_domain::crypto::MasterKey;
use fml_domain::{OrgId, ScopeSet, Timestamp};
use fml_server::{App, Config};
use fml_store::{ConnectOptions, Db};
use reqwest::{Client, Response};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed `async fn name(Backend)` of the calling module as two tests,
/// `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::helpers::pg_url().is_some() {
                        super::$name($crate::helpers::Backend::Postgres).await;
                    }
                }
            )*
        }
    };
}

/// `FML_TEST_DATABASE_URL`; under CI its absence is an error, not a silent skip.
pub fn pg_url() -> Option<String> {
    match std::env::var("FML_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ if std::env::var("CI").is_ok_and(|v| !v.is_empty()) => {
            panic!("CI is set but FML_TEST_DATABASE_URL is not: the PostgreSQL tests must run")
        }
        _ => {
            eprintln!("FML_TEST_DATABASE_URL is not set: PostgreSQL test skipped");
            None
        }
    }
}

/// Where a test's database lives.
#[derive(Debug, Clone)]
pub struct DbSpec {
    pub url: String,
    pub pg_schema: Option<String>,
    dir: Option<PathBuf>,
}

impl DbSpec {
    pub fn fresh(backend: Backend) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("fml-test-{id}"));
                std::fs::create_dir_all(&dir).unwrap();
                Self { url: format!("sqlite:{}", dir.join("fml.db").display()), pg_schema: None, dir: Some(dir) }
            }
            Backend::Postgres => {
                Self { url: pg_url().expect("postgres url"), pg_schema: Some(format!("t_{id}")), dir: None }
            }
        }
    }

    pub async fn connect(&self) -> Db {
        let db =
            Db::connect(&self.url, &ConnectOptions { pg_schema: self.pg_schema.clone(), pg_max_connections: Some(8) })
                .await
                .unwrap();
        db.migrate().await.unwrap();
        db
    }
}

impl Drop for DbSpec {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A running app and a tenant to talk to it as.
#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub spec: DbSpec,
    pub http: Client,
    pub org: OrgId,
    pub client_id: String,
    pub client_secret: String,
    pub master_key_hex: String,
    /// The app's document store (removed with the app).
    pub documents: PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.documents);
    }
}

pub struct Options {
    pub smtp_url: Option<String>,
    pub spec: Option<DbSpec>,
    pub org: &'static str,
    /// Webhooks to loopback receivers need this; the SSRF tests turn it off.
    pub allow_private: bool,
    /// The engine's safety-net rescan; far out in the tests that prove wake-ups alone deliver.
    pub webhook_rescan: Duration,
    pub http: fml_web::http::HttpLimits,
    pub webhook_concurrency: fml_webhooks::engine::Concurrency,
    pub token_cache_trust: Duration,
    /// Serve the portal from the app itself (`FML_PORTAL_URL` = its own `/portal`), so magic
    /// links work in a browser; otherwise links point at an external test host.
    pub portal_on_self: bool,
    /// The retry schedule; by default [`test_schedule`] (fast retries).
    pub retry_schedule: Option<fml_webhooks::Schedule>,
    /// Outside vendors (stand-in servers in the tests).
    pub vendors: fml_vendors::Vendors,
    /// The monitoring scheduler's tick.
    pub monitoring_every: Duration,
    /// Each tenant's mail per hour.
    pub mail_per_hour: u32,
    /// `FML_METRICS_TOKEN` (none: `/metrics` is off).
    pub metrics_token: Option<&'static str>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            smtp_url: None,
            spec: None,
            org: "org_test_bank",
            allow_private: true,
            webhook_rescan: Duration::from_secs(5),
            http: fml_web::http::HttpLimits::default(),
            webhook_concurrency: fml_webhooks::engine::Concurrency::default(),
            token_cache_trust: fml_web::tokens::TRUST,
            portal_on_self: false,
            retry_schedule: None,
            vendors: fml_vendors::Vendors::default(),
            monitoring_every: Duration::from_secs(60),
            mail_per_hour: fml_web::config::DEFAULT_MAIL_PER_TENANT_PER_HOUR,
            metrics_token: None,
        }
    }
}

/// The retry schedule of the tests: the guide's five retries, scaled down to 100-500 ms.
pub fn test_schedule() -> fml_webhooks::Schedule {
    fml_webhooks::Schedule::new([100, 200, 300, 400, 500].into_iter().map(Duration::from_millis).collect())
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, Options::default()).await
}

pub async fn spawn_with(backend: Backend, opts: Options) -> TestApp {
    let spec = opts.spec.unwrap_or_else(|| DbSpec::fresh(backend));
    let db = spec.connect().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let master_key_hex = MasterKey::generate_hex();
    let mut config = Config::resolve(
        Some(addr.to_string()),
        Some(spec.url.clone()),
        None,
        Some(if opts.portal_on_self { format!("{base}/portal") } else { "https://portal.test.example/".into() }),
        opts.smtp_url,
        Some("kyb@test.example".into()),
        MasterKey::from_hex(&master_key_hex).unwrap(),
    );
    config.pg_schema = spec.pg_schema.clone();
    config.allow_private_targets = opts.allow_private;
    config.retry_schedule = opts.retry_schedule.clone().unwrap_or_else(test_schedule);
    config.webhook_rescan = opts.webhook_rescan;
    config.http = opts.http;
    config.webhook_concurrency = opts.webhook_concurrency;
    config.token_cache_trust = opts.token_cache_trust;
    config.vendors = opts.vendors.clone();
    config.monitoring_every = opts.monitoring_every;
    config.mail_per_tenant_per_hour = opts.mail_per_hour;
    config.metrics_token = opts.metrics_token.map(|t| fml_domain::secret::Secret::new(t.to_owned()));
    let documents = std::env::temp_dir().join(format!("fml-test-docs-{}", uuid::Uuid::new_v4().simple()));
    config.documents_dir = documents.clone();
    // The test binary is not `fml`: documents are read by the package's small reader binary.
    config.document_reader = PathBuf::from(env!("CARGO_BIN_EXE_fml-docread"));
    let app = App::with_db(db.clone(), config);
    tokio::spawn(app.serve(listener));

    let org = OrgId::parse(opts.org).unwrap();
    let (client_id, client_secret) = seed_org(&db, &org, ScopeSet::all()).await;
    fml_webhooks::client::install_tls();
    let http = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    TestApp { base, db, spec, http, org, client_id, client_secret, master_key_hex, documents }
}

/// Creates `org` (if new) with a client holding `scopes`; returns its id and secret.
pub async fn seed_org(db: &Db, org: &OrgId, scopes: ScopeSet) -> (String, String) {
    if fml_store::orgs::get(db, org).await.unwrap().is_none() {
        fml_store::orgs::create(db, org, &format!("{} Ltd", org.as_str()), Timestamp::now()).await.unwrap();
    }
    let ctx = fml_app::Ctx::new(db.clone(), fml_store::unit::Wakers::default());
    let (id, secret) =
        fml_app::clients::create(&ctx, org, "test client", scopes, fml_app::Operator::Cli).await.unwrap();
    (id.as_str().to_owned(), secret.expose().to_owned())
}

impl TestApp {
    pub fn documents_dir(&self) -> &std::path::Path {
        &self.documents
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Mints a token for the given client over HTTP.
    pub async fn token_for(&self, client_id: &str, secret: &str) -> String {
        let res = self
            .http
            .post(self.url("/v1/oauth/token"))
            .json(&json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn token(&self) -> String {
        self.token_for(&self.client_id, &self.client_secret).await
    }

    /// `POST /v1/cases` with an optional Idempotency-Key.
    pub async fn create_case(&self, token: &str, key: Option<&str>, body: &Value) -> Response {
        let mut req = self.http.post(self.url("/v1/cases")).bearer_auth(token).json(body);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        req.send().await.unwrap()
    }

    pub async fn get_json(&self, token: &str, path: &str) -> (u16, Value) {
        let res = self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

/// The recipe's create-case body.
pub fn recipe_body(crm: &str) -> Value {
    json!({
        "customerEmail": "jane@acme.example",
        "customerName": "Jane Doe",
        "companyName": "Acme Holdings Ltd",
        "country": "United Kingdom",
        "crmRecordId": crm,
        "crmSource": "hubspot",
        "sendInvite": true
    })
}

/// Polls `f` until it returns `Some`, for at most `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "condition not met within {secs}s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An analyst of the test tenant, with the credentials `fml analyst create` prints.
#[derive(Debug, Clone)]
pub struct TestAnalyst {
    pub email: String,
    pub password: String,
    /// The personal API token.
    pub token: String,
    pub analyst: fml_app::Analyst,
}

impl TestApp {
    /// The commands layer on the test database (wakes no worker of the app: its engine finds
    /// the work on its own).
    pub fn ctx(&self) -> fml_app::Ctx {
        fml_app::Ctx::new(self.db.clone(), fml_store::unit::Wakers::default())
    }

    /// Creates an analyst of `org` with a unique email.
    pub async fn analyst_in(&self, org: &OrgId, role: fml_domain::lifecycle::Role) -> TestAnalyst {
        let email = format!("{}-{}@bank.example", role.as_str(), &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let name = format!("{} {}", role.as_str(), &email[..12]);
        let c = fml_app::analysts::create(&self.ctx(), org, &email, &name, role, None, fml_app::Operator::Cli)
            .await
            .unwrap();
        TestAnalyst {
            email: c.analyst.email.clone(),
            password: c.password.expose().to_owned(),
            token: c.api_token.expose().to_owned(),
            analyst: c.analyst,
        }
    }

    pub async fn analyst(&self, role: fml_domain::lifecycle::Role) -> TestAnalyst {
        self.analyst_in(&self.org, role).await
    }

    /// `POST` JSON with a bearer token; the status and the JSON answer.
    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let res = self.http.post(self.url(path)).bearer_auth(token).json(body).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// `PATCH` JSON with a bearer token; the status and the JSON answer.
    pub async fn patch_json(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let res = self.http.patch(self.url(path)).bearer_auth(token).json(body).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// A case's timeline without the engines' events (screening, risk, routing), which a
    /// submission sets off and which arrive on their own time (tests of the lifecycle would
    /// race them).
    pub async fn timeline(&self, token: &str, case: &str) -> Vec<Value> {
        let engine = |e: &str| {
            e.starts_with("screening.")
                || e == "risk.assessed"
                || e == "routing.evaluated"
                || e == "ai_review.completed"
                || e == "document.processed"
                || e.starts_with("idv.")
        };
        let all = self.timeline_all(token, case).await;
        all.into_iter().filter(|e| !engine(e["event"].as_str().unwrap_or_default())).collect()
    }

    /// Waits until the case's timeline holds `n` events of `kind` (a type, or a prefix such as
    /// `"idv."`); returns all it holds, oldest first, each checked against its JSON Schema.
    pub async fn events_of(&self, token: &str, case: &str, kind: &str, n: usize) -> Vec<Value> {
        let matches = |e: &Value| {
            let t = e["event"].as_str().unwrap_or_default();
            if kind.ends_with('.') { t.starts_with(kind) } else { t == kind }
        };
        let all = eventually(20, || async {
            let mut all: Vec<Value> = self.timeline_all(token, case).await.into_iter().filter(matches).collect();
            all.reverse();
            (all.len() >= n).then_some(all)
        })
        .await;
        for e in &all {
            crate::catalog::assert_valid(self, &e.to_string()).await;
        }
        all
    }

    /// Every event of a case's timeline, newest first.
    pub async fn timeline_all(&self, token: &str, case: &str) -> Vec<Value> {
        let (status, body) = self.get_json(token, &format!("/api/cases/{case}/timeline")).await;
        assert_eq!(status, 200, "{body}");
        body.as_array().unwrap().clone()
    }
}
