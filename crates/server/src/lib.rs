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

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use fml_domain::Timestamp;
use fml_store::case_writer::CaseWriter;
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
        let cases = CaseWriter::spawn(db.clone(), Arc::new(move |c| view::render_case(c, &render_cfg)), wakers.clone());
        let pinger = fml_app::endpoints::Pinger::new(config.allow_private_targets, config.master_key.clone());
        let tokens = tokens::TokenCache::for_db(&db, config.token_cache_trust);
        let mail =
            fml_app::mail::MailConfig { portal_url: config.portal_url.clone(), master_key: config.master_key.clone() };
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
        let branding = Arc::new(branding::BrandingCache::default());
        let state = AppState { db, config, cases, ctx, blobs, branding, logins, applications, pinger, tokens, didit };
        let router = router(state.clone());
        Self { state, router }
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Serves on `listener` until the process ends, with the background workers.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        let wakers = self.state.ctx.wakers.clone();
        let handlers =
            jobs::Handlers { mailer: mail::Mailer::from_config(&self.state.config), ctx: self.state.ctx.clone() };
        tokio::spawn(jobs::run(self.state.db.clone(), self.state.config.clone(), wakers.jobs.clone(), handlers));
        tokio::spawn(fml_app::monitoring::scheduler(self.state.ctx.clone(), self.state.config.monitoring_every));
        tokio::spawn(housekeeping(self.state.ctx.clone(), self.state.config.delivery_retention));
        let c = &self.state.config;
        let engine = fml_webhooks::engine::EngineConfig {
            allow_private: c.allow_private_targets,
            schedule: c.retry_schedule.clone(),
            rescan: c.webhook_rescan,
            concurrency: c.webhook_concurrency,
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
        .fallback(|| async { error::ApiError::NotFound("no such route").into_response() })
        .method_not_allowed_fallback(|| async {
            error::json_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not accept that method".into(),
                None,
            )
        })
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        .layer(CatchPanicLayer::custom(|_| error::ApiError::Internal("a handler panicked".into()).into_response()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<axum::body::Body>| {
            tracing::info_span!("request", method = %req.method(), path = %redacted_path(req.uri().path()))
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

/// How long a stored file no document names is kept: an upload writes its file before its
/// row commits.
const ORPHAN_BLOB_GRACE: Duration = Duration::from_secs(3600);

/// Once an hour: deletes expired tokens, sessions, idempotency keys, public applications and
/// remembered vendor callbacks,
/// stored files no document names, and, when a retention is set, finished deliveries (with
/// their attempts) older than it. Each step is idempotent, so a run cut short by a restart is
/// simply done again by the next.
async fn housekeeping(ctx: fml_app::Ctx, delivery_retention: Option<Duration>) {
    let db = ctx.db.clone();
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let now = Timestamp::now();
        if let Err(e) = fml_store::applications::purge_expired(&db, now).await {
            tracing::warn!(error = %e, "purging expired public applications failed");
        }
        match fml_app::documents::collect_orphan_blobs(&ctx, ORPHAN_BLOB_GRACE).await {
            Ok(c) if c.removed + c.abandoned > 0 => {
                tracing::info!(removed = c.removed, abandoned = c.abandoned, "deleted stored files no document names");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "collecting unreferenced document files failed"),
        }
        if let Err(e) = fml_store::clients::purge_expired_tokens(&db, now).await {
            tracing::warn!(error = %e, "purging expired tokens failed");
        }
        if let Err(e) = fml_store::analysts::purge_expired_sessions(&db, now).await {
            tracing::warn!(error = %e, "purging expired sessions failed");
        }
        if let Err(e) = fml_store::portal::purge_expired_sessions(&db, now).await {
            tracing::warn!(error = %e, "purging expired portal sessions failed");
        }
        // Finished jobs are kept a month for `fml jobs list`, then dropped.
        if let Err(e) = fml_store::jobs::prune_finished(&db, now.plus_secs(-30 * 86_400)).await {
            tracing::warn!(error = %e, "pruning finished jobs failed");
        }
        if let Err(e) = fml_store::idempotency::purge_expired(&db, now).await {
            tracing::warn!(error = %e, "purging expired idempotency keys failed");
        }
        // A day past their freshness window, callbacks are refused as stale anyway.
        if let Err(e) = fml_store::idv::purge_callbacks(&db, now.plus_secs(-86_400)).await {
            tracing::warn!(error = %e, "purging remembered vendor callbacks failed");
        }
        if let Some(keep) = delivery_retention {
            let before = Timestamp::from_millis(now.millis() - i64::try_from(keep.as_millis()).unwrap_or(i64::MAX));
            match fml_store::deliveries::prune_finished(&db, before, 1000).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deliveries = n, "pruned finished deliveries past the retention"),
                Err(e) => tracing::warn!(error = %e, "pruning deliveries failed"),
            }
        }
    }
}

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
