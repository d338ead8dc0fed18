//! The case view's panels: each is one template over its part of the case page, which
//! `fml_app::queries::case_page` reads in one snapshot; the panels only render it. A decision
//! engine adds its panel (screening, risk, routing, identity, AI review) as one more renderer
//! here, in a module of its family, and what it shows to the case page's read.

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

/// Every panel of a case, in page order.
pub fn all(page: &CasePage, csrf: &str, allowed: &Allowed, echo: &Echo) -> Result<Vec<Rendered>, ConsoleError> {
    Ok(vec![
        overview::overview(page, csrf, allowed)?,
        people::people(page, csrf, echo)?,
        documents::documents(page, csrf, echo)?,
        people::idv(page, csrf)?,
        screening::screening(page, csrf, echo)?,
        risk::risk(page, csrf)?,
        monitoring::monitoring(page, csrf, echo)?,
        review::ai_review(page, csrf)?,
        edd::edd(page, csrf, echo)?,
        deliveries::deliveries(page)?,
        timeline::timeline(page)?,
    ])
}
