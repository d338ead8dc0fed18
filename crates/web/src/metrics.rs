//! `/metrics`: the process's counters (`fml_metrics`) and what the database knows at scrape
//! time, in the Prometheus text format, for a scraper holding `FML_METRICS_TOKEN`; and the
//! middleware that counts every HTTP request by route template, method and status.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use fml_domain::Timestamp;
use fml_metrics::Gauge;

use crate::state::AppState;

/// Counts a request once it is answered. The route is the matched template
/// (`/v1/cases/{caseId}`), never the path itself, so ids do not become series.
pub async fn count_requests(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if !st.metrics.is_on() {
        return next.run(req).await;
    }
    // A cheap clone each (an `Arc` and a standard method), not a copy of the text.
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    let res = next.run(req).await;
    st.metrics.request(route.as_ref().map_or("unmatched", MatchedPath::as_str), method.as_str(), res.status().as_u16());
    res
}

/// Whether `authorization` carries the metrics token (compared in constant time). `None`:
/// no token is configured, so `/metrics` does not exist.
pub fn allowed(st: &AppState, authorization: Option<&str>) -> Option<bool> {
    let token = st.config.metrics_token.as_ref()?;
    let presented = authorization.and_then(|h| h.strip_prefix("Bearer ")).unwrap_or("");
    Some(fml_domain::secret::constant_time_eq(presented.as_bytes(), token.expose().as_bytes()))
}

/// The text exposition: the counters, then the queue and the jobs as the database has them.
pub async fn scrape(st: &AppState) -> Result<String, fml_store::StoreError> {
    let (depth, oldest) = fml_store::deliveries::queue_stats(&st.db).await?;
    let now = Timestamp::now().millis();
    let mut gauges = vec![
        Gauge {
            name: "fml_delivery_queue_depth",
            help: "Pending deliveries (due or waiting for a retry).",
            labels: Vec::new(),
            value: depth as f64,
        },
        Gauge {
            name: "fml_delivery_oldest_due_age_seconds",
            help: "How long the earliest due pending delivery has been due (0 when none is).",
            labels: Vec::new(),
            value: oldest.map_or(0.0, |due| (now - due).max(0) as f64 / 1000.0),
        },
    ];
    for (kind, state, n) in fml_store::jobs::counts(&st.db).await? {
        gauges.push(Gauge {
            name: "fml_jobs",
            help: "Background jobs by kind and state.",
            labels: vec![("kind", kind), ("state", state)],
            value: n as f64,
        });
    }
    Ok(st.metrics.render(&gauges))
}
