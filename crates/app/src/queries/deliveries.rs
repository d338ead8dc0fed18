//! The webhook delivery history: a page of it, and one delivery with every attempt.

use std::collections::HashMap;

use fml_domain::OrgId;
use fml_domain::ids::CaseLocator;

use super::records::{AttemptRow, DeliveryRow, ListFilter};
use crate::{CommandError, Ctx};

/// A page of deliveries, newest first, with every live endpoint's label by id (a deleted
/// endpoint's deliveries find none).
#[derive(Debug, Clone, Default)]
pub struct DeliveryPage {
    pub rows: Vec<DeliveryRow>,
    pub labels: HashMap<String, String>,
    /// The references of the rows' cases by case id (with the labels only).
    pub references: HashMap<String, String>,
}

/// A page of the tenant's deliveries, newest first, in one snapshot. `case`, when given,
/// narrows the page to that case's deliveries: a reference is resolved to the case's UUID
/// (which deliveries store), and one that no case of the tenant has gives an empty page.
pub async fn list(
    ctx: &Ctx,
    org: &OrgId,
    filter: &ListFilter,
    case: Option<&CaseLocator>,
    limit: u32,
) -> Result<Vec<DeliveryRow>, CommandError> {
    Ok(page(ctx, org, filter, case, limit, false).await?.rows)
}

/// [`list`] with the endpoints' labels and the rows' case references, read in the same
/// snapshot (the console shows them).
pub async fn labelled(
    ctx: &Ctx,
    org: &OrgId,
    filter: &ListFilter,
    case: Option<&CaseLocator>,
    limit: u32,
) -> Result<DeliveryPage, CommandError> {
    page(ctx, org, filter, case, limit, true).await
}

async fn page(
    ctx: &Ctx,
    org: &OrgId,
    filter: &ListFilter,
    case: Option<&CaseLocator>,
    limit: u32,
    with_labels: bool,
) -> Result<DeliveryPage, CommandError> {
    let mut tx = ctx.db.snapshot().await?;
    let mut filter = filter.clone();
    match case {
        None => {}
        Some(CaseLocator::Id(id)) => filter.case_id = Some(id.to_string()),
        Some(locator) => match fml_store::cases::get_in(tx.conn(), org, locator).await? {
            Some(found) => filter.case_id = Some(found.id.to_string()),
            None => return Ok(DeliveryPage::default()),
        },
    }
    let rows = fml_store::deliveries::list_in(tx.conn(), org, &filter, limit).await?;
    if !with_labels || rows.is_empty() {
        return Ok(DeliveryPage { rows, ..DeliveryPage::default() });
    }
    let labels = fml_store::endpoints::labels(tx.conn(), org, None).await?.into_iter().collect();
    let mut cases: Vec<&str> = rows.iter().filter_map(|r| r.case_id.as_deref()).collect();
    cases.sort_unstable();
    cases.dedup();
    let references = fml_store::cases::references_in(tx.conn(), org, &cases).await?.into_iter().collect();
    Ok(DeliveryPage { rows, labels, references })
}

/// One delivery with what its page shows.
#[derive(Debug, Clone)]
pub struct DeliveryDetail {
    pub delivery: DeliveryRow,
    /// The event's payload, as signed and sent.
    pub payload: String,
    /// Oldest first.
    pub attempts: Vec<AttemptRow>,
    /// Its endpoint's label; `None` once the endpoint is deleted (or when not asked for).
    pub endpoint_label: Option<String>,
}

/// One delivery of the tenant, read in one snapshot so its state agrees with its attempts.
pub async fn get(ctx: &Ctx, org: &OrgId, id: i64) -> Result<DeliveryDetail, CommandError> {
    detail(ctx, org, id, false).await
}

/// [`get`] with its endpoint's label (the console's page).
pub async fn get_labelled(ctx: &Ctx, org: &OrgId, id: i64) -> Result<DeliveryDetail, CommandError> {
    detail(ctx, org, id, true).await
}

async fn detail(ctx: &Ctx, org: &OrgId, id: i64, with_label: bool) -> Result<DeliveryDetail, CommandError> {
    let mut tx = ctx.db.snapshot().await?;
    let (delivery, payload, attempts) =
        fml_store::deliveries::get_in(tx.conn(), org, id).await?.ok_or(CommandError::NotFound("no such delivery"))?;
    let endpoint_label = match (with_label, delivery.endpoint_id.as_deref()) {
        (true, Some(endpoint)) => {
            fml_store::endpoints::labels(tx.conn(), org, Some(endpoint)).await?.pop().map(|(_, l)| l)
        }
        _ => None,
    };
    Ok(DeliveryDetail { delivery, payload, attempts, endpoint_label })
}
