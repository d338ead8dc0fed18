//! Adapters to outside vendors, each behind configuration, each with an offline default in
//! the engines: Anthropic (hit triage, AI case review) and a yente-compatible matching API
//! (screening).

pub mod anthropic;
pub mod didit;
pub mod yente;

use std::time::Duration;

/// The vendors configured for this process (all optional).
#[derive(Clone, Default)]
pub struct Vendors {
    pub anthropic: Option<anthropic::Settings>,
    pub yente: Option<yente::Settings>,
    pub didit: Option<didit::Settings>,
}

impl std::fmt::Debug for Vendors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vendors")
            .field("anthropic", &self.anthropic.as_ref().map(|a| (&a.base_url, &a.model)))
            .field("yente", &self.yente.as_ref().map(|y| (&y.base_url, &y.dataset)))
            .field("didit", &self.didit.as_ref().map(|d| (&d.base_url, &d.workflow_id)))
            .finish()
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn env_ms(name: &str, default: u64) -> Duration {
    Duration::from_millis(env(name).and_then(|v| v.parse().ok()).unwrap_or(default))
}

impl Vendors {
    /// From the environment: `FML_ANTHROPIC_API_KEY` (and `FML_ANTHROPIC_URL`,
    /// `FML_ANTHROPIC_MODEL`, `FML_ANTHROPIC_TIMEOUT_MS`); `FML_SCREENING_URL` (and
    /// `FML_SCREENING_DATASET`, `FML_SCREENING_API_KEY`, `FML_SCREENING_TIMEOUT_MS`);
    /// `FML_DIDIT_API_KEY` with `FML_DIDIT_WEBHOOK_SECRET` and `FML_DIDIT_WORKFLOW_ID` (and
    /// `FML_DIDIT_URL`, `FML_DIDIT_REDIRECT_URL`, `FML_DIDIT_TIMEOUT_MS`).
    pub fn from_env() -> Self {
        let anthropic = env("FML_ANTHROPIC_API_KEY").map(|api_key| anthropic::Settings {
            api_key,
            base_url: env("FML_ANTHROPIC_URL").unwrap_or_else(|| anthropic::DEFAULT_URL.to_owned()),
            model: env("FML_ANTHROPIC_MODEL").unwrap_or_else(|| anthropic::DEFAULT_MODEL.to_owned()),
            timeout: env_ms("FML_ANTHROPIC_TIMEOUT_MS", 20_000),
        });
        let yente = env("FML_SCREENING_URL").map(|base_url| yente::Settings {
            base_url,
            dataset: env("FML_SCREENING_DATASET").unwrap_or_else(|| "default".to_owned()),
            api_key: env("FML_SCREENING_API_KEY"),
            timeout: env_ms("FML_SCREENING_TIMEOUT_MS", 10_000),
        });
        let didit = match (env("FML_DIDIT_API_KEY"), env("FML_DIDIT_WEBHOOK_SECRET"), env("FML_DIDIT_WORKFLOW_ID")) {
            (Some(api_key), Some(webhook_secret), Some(workflow_id)) => Some(didit::Settings {
                base_url: env("FML_DIDIT_URL").unwrap_or_else(|| didit::DEFAULT_URL.to_owned()),
                api_key,
                webhook_secret,
                workflow_id,
                redirect_url: env("FML_DIDIT_REDIRECT_URL"),
                timeout: env_ms("FML_DIDIT_TIMEOUT_MS", 10_000),
            }),
            _ => None,
        };
        Self { anthropic, yente, didit }
    }
}

/// A plain client for a vendor the operator configured (its URL is trusted configuration, not
/// a tenant's input, so the webhook client's address guard does not apply).
pub fn client(timeout: Duration) -> reqwest::Client {
    fml_webhooks::client::install_tls();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the vendor HTTP client configuration is valid")
}
