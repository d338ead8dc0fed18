//! The webhook deliveries panel: the latest deliveries of the case's events, each linking to
//! its page.

use askama::Template;
use fml_app::Analyst;
use fml_store::cases::CaseRecord;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::When;
use fml_web::state::AppState;

pub struct DeliveryLine {
    pub href: String,
    pub event: String,
    pub endpoint: String,
    pub status: String,
    pub http: String,
    pub attempts: i32,
    pub created: When,
}

#[derive(Template)]
#[template(path = "console/panels/deliveries.html")]
struct Deliveries {
    deliveries: Vec<DeliveryLine>,
}

pub(super) async fn deliveries(st: &AppState, who: &Analyst, c: &CaseRecord) -> Result<Rendered, ConsoleError> {
    let filter = fml_store::deliveries::ListFilter { case_id: Some(c.id.to_string()), ..Default::default() };
    let rows = fml_store::deliveries::list(&st.db, &who.org, &filter, 20).await?;
    let labels = crate::deliveries::endpoint_labels(st, &who.org).await?;
    let deliveries = rows
        .into_iter()
        .map(|d| DeliveryLine {
            href: format!("/config/deliveries/{}", d.id),
            endpoint: labels.get(&d.endpoint_id).cloned().unwrap_or_else(|| "(deleted endpoint)".into()),
            http: d.last_http_status.map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
            attempts: d.attempt_count,
            created: When::millis(d.created_at),
            event: d.event_type,
            status: d.status,
        })
        .collect();
    rendered("deliveries", "Webhook deliveries", Deliveries { deliveries })
}
