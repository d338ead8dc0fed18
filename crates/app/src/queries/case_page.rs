//! The console's case page as one read: the case, its decision controls and what every panel
//! shows, in one snapshot, so the panels agree with each other and with the decision panel's
//! risk strip. The console's panels only render it.

use std::collections::HashMap;

use fml_domain::ids::CaseLocator;

use super::cases::get_in;
use super::deliveries::DeliveryPage;
use super::records::{AnalystRecord, EddRow, ListFilter};
use crate::approvals::DecisionState;
use crate::engines::EngineState;
use crate::persons::RosterView;
use crate::{Analyst, CommandError, Ctx};

/// Everything the case page shows.
#[derive(Debug, Clone)]
pub struct CasePage {
    /// The case and every engine's latest results (the API's `/engines` read).
    pub engines: EngineState,
    /// The decision panel: the controls and the risk strip.
    pub controls: DecisionState,
    /// Every analyst of the tenant (the owners to choose from), by email.
    pub analysts: Vec<AnalystRecord>,
    /// The case's people, each with the tenant's Persons it may be.
    pub people: Vec<RosterView>,
    /// How many AI reviews came before the latest (of the latest 20).
    pub earlier_reviews: usize,
    pub edd: Vec<EddRow>,
    /// The latest 20 webhook deliveries of the case's events, with the endpoints' labels.
    pub deliveries: DeliveryPage,
    /// The payloads of the latest 200 events of the case, newest first.
    pub events: Vec<String>,
    /// What the customer gave in the portal (with their corrections), once saved.
    pub application: Option<fml_domain::application::Application>,
    /// The latest 50 emails about the case, newest first, failed ones included.
    pub mails: Vec<super::records::MailRow>,
}

/// The case page of a case of the analyst's tenant: a fixed number of statements in one
/// snapshot, whatever the number of people, documents, hits or events.
pub async fn case_page(ctx: &Ctx, who: &Analyst, locator: &CaseLocator) -> Result<CasePage, CommandError> {
    let org = &who.org;
    let mut tx = ctx.db.snapshot().await?;
    let case = get_in(tx.conn(), org, locator).await?;
    let id = case.id;
    let e = crate::engines::results_in(tx.conn(), org, case).await?;
    let controls = crate::approvals::state_in(tx.conn(), &e).await?;
    let analysts = fml_store::analysts::list_in(tx.conn(), org).await?;
    let people = crate::persons::roster_in(tx.conn(), org, id).await?;
    let reviews = fml_store::reviews::for_case(tx.conn(), org, id).await?.len();
    let edd = fml_store::edd::for_case(tx.conn(), org, id).await?;
    let filter = ListFilter { case_id: Some(id.to_string()), ..ListFilter::default() };
    let rows = fml_store::deliveries::list_in(tx.conn(), org, &filter, 20).await?;
    let labels = fml_store::endpoints::labels(tx.conn(), org, None).await?.into_iter().collect();
    let events = fml_store::events::for_case_in(tx.conn(), org, id, 200).await?;
    let application = fml_store::portal::application(tx.conn(), org, id).await?;
    let mails = fml_store::mail::for_case_in(tx.conn(), org, id).await?;
    let deliveries = DeliveryPage { rows, labels, references: HashMap::new() };
    let earlier_reviews = reviews.saturating_sub(1);
    Ok(CasePage {
        engines: e,
        controls,
        analysts,
        people,
        earlier_reviews,
        edd,
        deliveries,
        events,
        application,
        mails,
    })
}
