//! The case view's panels: each is one template over its part of the case page, which
//! `fml_app::queries::case_page` reads in one snapshot; the panels only render it. A decision
//! engine adds its panel (screening, risk, routing, identity, AI review) as one more renderer
//! here, in a module of its family, and what it shows to the case page's read.

mod application;
mod deliveries;
mod documents;
mod edd;
mod monitoring;
mod overview;
mod people;
mod review;
mod risk;
mod screening;
mod timeline;

use askama::Template;
use fml_app::queries::CasePage;

use crate::decision::Allowed;
use crate::error::ConsoleError;
use crate::view::Echo;

/// A rendered panel, with its anchor and heading.
pub struct Rendered {
    pub id: &'static str,
    pub title: &'static str,
    pub html: String,
}

fn rendered(id: &'static str, title: &'static str, t: impl Template) -> Result<Rendered, ConsoleError> {
    Ok(Rendered { id, title, html: t.render().map_err(|e| ConsoleError::Internal(e.to_string()))? })
}

/// Every panel of a case, in page order: the order of the page's index (Overview, People,
/// Documents, Screening, Risk & review, Identity, EDD, Activity, Deliveries).
pub fn all(page: &CasePage, csrf: &str, allowed: &Allowed, echo: &Echo) -> Result<Vec<Rendered>, ConsoleError> {
    Ok(vec![
        overview::overview(page, csrf, allowed)?,
        application::application(page)?,
        people::people(page, csrf, echo)?,
        documents::documents(page, csrf, echo)?,
        screening::screening(page, csrf, echo)?,
        monitoring::monitoring(page, csrf, echo)?,
        risk::risk(page, csrf)?,
        review::ai_review(page, csrf)?,
        people::idv(page, csrf)?,
        edd::edd(page, csrf, echo)?,
        timeline::timeline(page)?,
        deliveries::deliveries(page)?,
    ])
}
