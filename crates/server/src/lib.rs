//! The FML server, a thin host: it reads the configuration, opens and migrates the database,
//! wires the vendors into the commands, assembles one router from the surfaces (`fml-api`,
//! `fml-console`, `fml-portal`) and starts the background workers (the job runner, the
//! webhook engine, housekeeping).
//!
//! [`App::build`] opens the database and runs migrations; [`App::serve`] takes a bound
//! listener, so tests bind port 0 and never wait on start-up.

#[cfg(test)]
mod architecture;
pub mod jobs;
pub mod keys;
pub mod mail;
pub mod otel;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use fml_store::{ConnectOptions, Db, StoreError};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use fml_api::{openapi, view};
use fml_vendors as vendors;
pub use fml_web::config::Config;
use fml_web::state::AppState;
use fml_web::{branding, error, extract, http, ratelimit, tokens};

/// A built application: database open and migrated, writer running.
#[derive(Debug)]
pub struct App {
    state: AppState,
    router: Router,
}

impl App {
    pub async fn build(config: Config) -> Result<Self, StoreError> {
        let opts = ConnectOptions { pg_schema: config.pg_schema.clone(), ..ConnectOptions::default() };
        let db = Db::connect(&config.database_url, &opts).await?;
        db.migrate().await?;
        Ok(Self::with_db(db, config))
    }

    /// Builds the app on an open, migrated database.
    pub fn with_db(db: Db, config: Config) -> Self {
        let config = Arc::new(config);
        let render_cfg = config.clone();
        let wakers = fml_store::unit::Wakers::default();
        let pinger =
            fml_outbound::endpoints::Pinger::new(db.clone(), config.allow_private_targets, config.master_key.clone());
        let tokens = tokens::TokenCache::for_db(&db, config.token_cache_trust);
        let mail = fml_app::mail::MailConfig {
            portal_url: config.portal_url.clone(),
            master_key: config.master_key.clone(),
            // The same test that registers the send_mail job (a valid FML_SMTP_URL).
            smtp: crate::mail::Mailer::from_config(&config).is_some(),
        };
        let mut ctx = fml_app::Ctx::new(db.clone(), wakers).with_mail(mail);
        if let Some(a) = &config.vendors.anthropic {
            let client = vendors::anthropic::Client::new(a.clone());
            ctx = ctx.with_triager(Arc::new(vendors::anthropic::ModelTriager::new(client.clone())));
            ctx = ctx.with_reviewer(Arc::new(vendors::anthropic::ModelReviewer::new(client)));
        }
        if let Some(y) = &config.vendors.yente {
            ctx = ctx.with_remote_matcher(Arc::new(vendors::yente::Yente::new(y.clone())));
        }
        let blobs = fml_store::blobs::BlobStore::new(config.documents_dir.clone());
        ctx = ctx.with_blobs(blobs.clone());
        ctx = ctx.with_document_reader(fml_app::docreader::DocReader::new(
            config.document_reader.clone(),
            config.document_limits,
        ));
        let idv: Arc<dyn fml_app::idv::IdvProvider> = match &config.vendors.didit {
            Some(d) => Arc::new(vendors::didit::Didit::new(d.clone())),
            None => Arc::new(fml_app::idv::Builtin { portal_url: config.portal_url.clone() }),
        };
        let didit = config.vendors.didit.clone().map(vendors::didit::Didit::new);
        ctx = ctx.with_idv(idv);
        let logins = Arc::new(ratelimit::LoginLimiter::default());
        let applications = Arc::new(ratelimit::ApplyLimiter::default());
        let links = Arc::new(ratelimit::LinkLimiter::default());
        let cases = fml_app::opener::Opener::spawn(&ctx, Arc::new(move |c| view::render_case(c, &render_cfg)));
        let branding = Arc::new(branding::BrandingCache::default());
        // Counting costs a lock per request and per attempt: only worth it for a scraper.
        let metrics = Arc::new(match config.metrics_token {
            Some(_) => fml_metrics::Metrics::default(),
            None => fml_metrics::Metrics::off(),
        });
        let state = AppState {
            db,
            config,
            cases,
            ctx,
            blobs,
            branding,
            logins,
            applications,
            links,
            pinger,
            tokens,
            didit,
            metrics,
            listen_slots: Arc::new(tokio::sync::Semaphore::new(fml_web::state::LISTEN_STREAMS)),
        };
        let router = router(state.clone());
        Self { state, router }
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Serves on `listener` until the process ends, with the background workers.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        let wakers = self.state.ctx.wakers.clone();
        let c = &self.state.config;
        let schedules = fml_app::jobs::Schedules {
            housekeeping_every: HOUSEKEEPING_EVERY,
            monitoring_every: c.monitoring_every,
            delivery_retention: c.delivery_retention,
            endpoint_disable_after: c.endpoint_disable_after,
        };
        let mut registry = fml_app::jobs::Registry::platform(&schedules).with(fml_outbound::recover::RecoverDeliveries);
        if let Some(mailer) = mail::Mailer::from_config(c) {
            registry = registry.with(jobs::SendMail { mailer, config: c.clone() });
        }
        tokio::spawn(fml_app::jobs::run(self.state.ctx.clone(), registry, wakers.jobs.clone()));
        // One connection hears the other nodes (PostgreSQL): deliveries, jobs, revocations.
        let hearers = fml_store::listener::Hearers {
            wakers: wakers.clone(),
            revoked: tokens::TokenCache::on_revocation(&self.state.tokens),
        };
        tokio::spawn(fml_store::listener::run(self.state.db.clone(), hearers));
        let c = &self.state.config;
        let engine = fml_webhooks::engine::EngineConfig {
            allow_private: c.allow_private_targets,
            schedule: c.retry_schedule.clone(),
            rescan: c.webhook_rescan,
            concurrency: c.webhook_concurrency,
            metrics: self.state.metrics.clone(),
            ..fml_webhooks::engine::EngineConfig::new(c.master_key.clone())
        };
        fml_webhooks::engine::spawn(self.state.db.clone(), engine, wakers.deliveries);
        http::serve(listener, self.router, self.state.config.http, shutdown_signal()).await
    }
}

/// The whole HTTP surface. Every route is registered through the OpenAPI router, so the
/// published document lists exactly what is served.
pub fn router(state: AppState) -> Router {
    let (api, doc) = openapi::api_router().split_for_parts();
    let mut doc = serde_json::to_value(&doc).unwrap_or_default();
    openapi::finish(&mut doc);
    let doc_json: Arc<str> = doc.to_string().into();
    api.merge(fml_portal::router())
        .merge(fml_console::router())
        .route(
            openapi::OPENAPI_PATH,
            axum::routing::get(move || {
                let doc = doc_json.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], doc.to_string()) }
            }),
        )
        .fallback(|req: axum::extract::Request| async move {
            // A person following a bad link gets a page; a program gets the documented JSON.
            let path = req.uri().path();
            let browser = req
                .headers()
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.contains("text/html"));
            if browser && !path.starts_with("/v1/") && !path.starts_with("/api/") {
                fml_console::not_found_page(path)
            } else {
                error::ApiError::NotFound("no such route").into_response()
            }
        })
        .method_not_allowed_fallback(|| async {
            error::json_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not accept that method".into(),
                None,
            )
        })
        .layer(axum::middleware::from_fn_with_state(state.clone(), fml_web::metrics::count_requests))
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        .layer(CatchPanicLayer::custom(|_| error::ApiError::Internal("a handler panicked".into()).into_response()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<axum::body::Body>| {
            // Each request's own id ties its log lines together (JSON logs carry it).
            let request_id = uuid::Uuid::new_v4();
            tracing::info_span!("request", %request_id, method = %req.method(), path = %redacted_path(req.uri().path()))
        }))
        .with_state(state)
}

/// A request path as traces show it: the secret segment of a magic link, an identity link or
/// an application's confirmation link is replaced, so logs never hold a working link.
fn redacted_path(path: &str) -> String {
    let mut out = Vec::new();
    let mut secret_next = false;
    for seg in path.split('/') {
        out.push(if secret_next && !seg.is_empty() { "[redacted]" } else { seg });
        secret_next = matches!(seg, "invite" | "verify" | "confirm");
    }
    out.join("/")
}

/// How often housekeeping runs (a recurring job, claimed once per hour across nodes).
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(3600);

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

#[cfg(test)]
mod tests {
    use super::redacted_path;

    #[test]
    fn link_secrets_stay_out_of_traces() {
        for (path, shown) in [
            ("/portal/invite/fml_inv_abc123", "/portal/invite/[redacted]"),
            ("/portal/verify/fml_idv_abc", "/portal/verify/[redacted]"),
            ("/portal/apply/confirm/tok", "/portal/apply/confirm/[redacted]"),
            ("/portal/apply/org_demo_bank", "/portal/apply/org_demo_bank"),
            ("/api/cases/1234", "/api/cases/1234"),
            ("/portal/invite/", "/portal/invite/"),
        ] {
            assert_eq!(redacted_path(path), shown);
        }
    }
}
