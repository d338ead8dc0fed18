//! Settings of `fml serve` (the master key is loaded and checked by [`crate::keys`]).

use std::path::{Path, PathBuf};

use fml_domain::crypto::MasterKey;

/// The default embedded database.
pub const DEFAULT_DATABASE_URL: &str = "sqlite:./fml-data/fml.db";

/// `Debug` shows no credential: the SMTP URL's user and password are redacted (the master
/// key redacts itself).
#[derive(Clone)]
pub struct Config {
    /// `host:port` to listen on (`FML_LISTEN`).
    pub listen: String,
    /// `FML_DATABASE_URL`: `sqlite:path` (default) or `postgres://…`.
    pub database_url: String,
    /// Base of links such as `analystUrl` (`FML_PUBLIC_URL`), without a trailing slash.
    pub public_url: String,
    /// Base of the customer portal (`FML_PORTAL_URL`), without a trailing slash.
    pub portal_url: String,
    /// `FML_SMTP_URL`, e.g. `smtp://127.0.0.1:2525` or `smtps://user:pass@host`. Without it,
    /// mail stays in the outbox (`fml outbox list`).
    pub smtp_url: Option<String>,
    /// Sender address of outgoing mail (`FML_MAIL_FROM`).
    pub mail_from: String,
    /// Seals secrets at rest.
    pub master_key: MasterKey,
    /// PostgreSQL only: run in this schema (tests use one per test).
    pub pg_schema: Option<String>,
    /// `FML_WEBHOOK_ALLOW_PRIVATE_TARGETS=1`: allow `http://` and private webhook targets
    /// (local development and this project's tests only).
    pub allow_private_targets: bool,
    /// The webhook retry schedule; `FML_TEST_RETRY_SCHEDULE_MS` scales it down in tests.
    pub retry_schedule: fml_webhooks::Schedule,
    /// How often the delivery engine rescans for work no wake-up announced (5 s; tests set
    /// it far out to prove that wake-ups alone deliver).
    pub webhook_rescan: std::time::Duration,
    /// Attempts in flight per endpoint, tenant and process.
    pub webhook_concurrency: fml_webhooks::engine::Concurrency,
    /// `FML_DELIVERY_RETENTION_DAYS`: finished deliveries and their attempts older than this
    /// are pruned (off by default: Redeliver works "at any time").
    pub delivery_retention: Option<std::time::Duration>,
    /// `FML_WEBHOOK_DISABLE_AFTER_HOURS`: an endpoint whose every attempt failed this long is
    /// disabled, audited, and its tenant's admins are told (default five days; `None`: never).
    pub endpoint_disable_after: Option<std::time::Duration>,
    /// How long a cached access token is trusted without word from the database (PostgreSQL;
    /// revocations clear the cache at once). Tests set it far out to prove the clearing.
    pub token_cache_trust: std::time::Duration,
    /// The listener's header timeout and connection cap.
    pub http: crate::http::HttpLimits,
    /// `FML_DOCUMENTS_DIR`: the content-addressed document store (default: `documents/`
    /// beside a SQLite database, else `./fml-documents`; shared by every node on PostgreSQL).
    pub documents_dir: std::path::PathBuf,
    /// Outside vendors behind the engines (Anthropic, a yente-compatible matcher); none by
    /// default, from `FML_ANTHROPIC_*` and `FML_SCREENING_*` in `fml serve`.
    pub vendors: fml_vendors::Vendors,
    /// How often the monitoring scheduler looks for approved cases due a run (a minute).
    pub monitoring_every: std::time::Duration,
    /// `FML_TRUSTED_PROXIES`: the reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::client_addr::TrustedProxies,
    /// `FML_MAIL_PER_TENANT_PER_HOUR`: the most messages one tenant sends in an hour (1000);
    /// beyond it messages wait in the outbox for the next hour's allowance, never dropped.
    pub mail_per_tenant_per_hour: u32,
    /// `FML_DOCUMENT_READER`: the executable that reads documents in a child process when run
    /// with `read-document` (by default this one, the `fml` binary).
    pub document_reader: PathBuf,
    /// What each document reader may use (memory, CPU, wall time, how many at once).
    pub document_limits: fml_app::docreader::Limits,
    /// `FML_METRICS_TOKEN`: the bearer token a Prometheus scraper presents at `/metrics`;
    /// unset, `/metrics` answers 404 (nothing is served anonymously).
    pub metrics_token: Option<fml_domain::secret::Secret>,
}

/// The default of [`Config::mail_per_tenant_per_hour`].
pub const DEFAULT_MAIL_PER_TENANT_PER_HOUR: u32 = 1000;

impl Config {
    /// Applies the documented defaults to what was given.
    pub fn resolve(
        listen: Option<String>,
        database_url: Option<String>,
        public_url: Option<String>,
        portal_url: Option<String>,
        smtp_url: Option<String>,
        mail_from: Option<String>,
        master_key: MasterKey,
    ) -> Self {
        let listen = listen.unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let database_url = database_url.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let public_url = trim_slash(public_url.unwrap_or_else(|| format!("http://{listen}")));
        let portal_url = trim_slash(portal_url.unwrap_or_else(|| format!("{public_url}/portal")));
        Self {
            listen,
            public_url,
            portal_url,
            smtp_url: smtp_url.filter(|s| !s.trim().is_empty()),
            mail_from: mail_from.unwrap_or_else(|| "no-reply@fml.localhost".to_owned()),
            master_key,
            pg_schema: None,
            allow_private_targets: false,
            retry_schedule: fml_webhooks::Schedule::default(),
            webhook_rescan: std::time::Duration::from_secs(5),
            webhook_concurrency: fml_webhooks::engine::Concurrency::default(),
            delivery_retention: None,
            endpoint_disable_after: Some(std::time::Duration::from_secs(5 * 86_400)),
            token_cache_trust: crate::tokens::TRUST,
            http: crate::http::HttpLimits::default(),
            documents_dir: default_documents_dir(&database_url),
            vendors: fml_vendors::Vendors::default(),
            monitoring_every: std::time::Duration::from_secs(60),
            trusted_proxies: crate::client_addr::TrustedProxies::default(),
            mail_per_tenant_per_hour: DEFAULT_MAIL_PER_TENANT_PER_HOUR,
            document_reader: fml_app::docreader::this_executable(),
            document_limits: fml_app::docreader::Limits::default(),
            metrics_token: None,
            database_url,
        }
    }
}

/// `documents/` beside a SQLite file; `./fml-documents` otherwise.
pub fn default_documents_dir(database_url: &str) -> std::path::PathBuf {
    let file = database_url.strip_prefix("sqlite://").or_else(|| database_url.strip_prefix("sqlite:"));
    match file.map(|f| f.split('?').next().unwrap_or(f)).filter(|f| !f.is_empty() && *f != ":memory:") {
        Some(f) => std::path::Path::new(f).parent().map_or_else(|| "documents".into(), |p| p.join("documents")),
        None => "fml-documents".into(),
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &redact_userinfo(&self.database_url))
            .field("public_url", &self.public_url)
            .field("portal_url", &self.portal_url)
            .field("documents_dir", &self.documents_dir)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_userinfo))
            .field("mail_from", &self.mail_from)
            .field("master_key", &self.master_key)
            .field("pg_schema", &self.pg_schema)
            .field("allow_private_targets", &self.allow_private_targets)
            .field("retry_schedule", &self.retry_schedule)
            .field("webhook_rescan", &self.webhook_rescan)
            .field("webhook_concurrency", &self.webhook_concurrency)
            .field("delivery_retention", &self.delivery_retention)
            .field("endpoint_disable_after", &self.endpoint_disable_after)
            .field("token_cache_trust", &self.token_cache_trust)
            .field("http", &self.http)
            .field("vendors", &self.vendors)
            .field("document_reader", &self.document_reader)
            .field("document_limits", &self.document_limits)
            .finish()
    }
}

/// `scheme://user:pass@host/…` → `scheme://<redacted>@host/…`; other text unchanged.
pub fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://<redacted>{}", &rest[at..]),
        None => url.to_owned(),
    }
}

fn trim_slash(s: String) -> String {
    s.trim_end_matches('/').to_owned()
}

/// Where a deployment keeps its files: beside the SQLite database, else `./fml-data`.
pub fn data_dir(database_url: &str) -> PathBuf {
    let is_pg = database_url.starts_with("postgres://") || database_url.starts_with("postgresql://");
    if !is_pg {
        let path = database_url
            .strip_prefix("sqlite://")
            .or_else(|| database_url.strip_prefix("sqlite:"))
            .unwrap_or(database_url);
        if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            return dir.to_path_buf();
        }
    }
    PathBuf::from("./fml-data")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_holds_no_credential() {
        assert_eq!(redact_userinfo("smtps://mailer:hunter2@smtp.example:465"), "smtps://<redacted>@smtp.example:465");
        assert_eq!(redact_userinfo("postgres://app:pw@db/fml?x=a@b"), "postgres://<redacted>@db/fml?x=a@b");
        assert_eq!(redact_userinfo("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
        assert_eq!(redact_userinfo("sqlite:./fml-data/fml.db"), "sqlite:./fml-data/fml.db");
        let key = MasterKey::from_hex(&MasterKey::generate_hex()).unwrap();
        let mut c = Config::resolve(
            None,
            Some("postgres://app:db-password@db/fml".into()),
            None,
            None,
            Some("smtps://mailer:smtp-password@smtp.example".into()),
            None,
            key,
        );
        c.pg_schema = None;
        let shown = format!("{c:?}");
        assert!(!shown.contains("smtp-password") && !shown.contains("db-password"), "{shown}");
        assert!(shown.contains("smtp.example"));
    }
}
