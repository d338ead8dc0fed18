//! The case view's panels: each is one template over one query, so a decision engine adds
//! its panel (screening, risk, routing, identity, AI review) as one more loader here, in a
//! module of its family.

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
use fml_app::Analyst;
use fml_store::cases::CaseRecord;

use crate::decision::Allowed;
use crate::error::ConsoleError;
use crate::view::Echo;
use fml_web::state::AppState;

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
pub async fn all(
    st: &AppState,
    who: &Analyst,
    csrf: &str,
    case: &CaseRecord,
    allowed: &Allowed,
    echo: &Echo,
) -> Result<Vec<Rendered>, ConsoleError> {
    Ok(vec![
        overview::overview(st, who, csrf, case, allowed).await?,
        people::people(st, csrf, case, echo).await?,
        documents::documents(st, who, csrf, case, echo).await?,
        people::idv(st, who, csrf, case).await?,
        screening::screening(st, who, csrf, case, echo).await?,
        risk::risk(st, who, csrf, case).await?,
        monitoring::monitoring(st, who, csrf, case, echo).await?,
        review::ai_review(st, who, csrf, case).await?,
        edd::edd(st, who, csrf, case, echo).await?,
        deliveries::deliveries(st, who, case).await?,
        timeline::timeline(st, who, case).await?,
    ])
}
