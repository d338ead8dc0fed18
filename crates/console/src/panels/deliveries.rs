//! The webhook deliveries panel: the latest deliveries of the case's events, each linking to
//! its page.

use askama::Template;
use fml_app::queries::CasePage;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::When;

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

pub(super) fn deliveries(page: &CasePage) -> Result<Rendered, ConsoleError> {
    let labels = &page.deliveries.labels;
    let deliveries = page
        .deliveries
        .rows
        .iter()
        .map(|d| DeliveryLine {
            href: format!("/config/deliveries/{}", d.id),
            endpoint: crate::deliveries::endpoint_name(d, labels),
            http: d.last_http_status.map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
            attempts: d.attempt_count,
            created: When::millis(d.created_at),
            event: d.event_type.clone(),
            status: d.status.clone(),
        })
        .collect();
    rendered("deliveries", "Webhook deliveries", Deliveries { deliveries })
}
