//! The application panel: everything the customer gave in the portal, corrections included
//! (the registered address, each director and shareholder), as they gave it.

use askama::Template;
use fml_app::queries::CasePage;
use fml_domain::application::{Director, Shareholder};

use super::{Rendered, rendered};
use crate::error::ConsoleError;

#[derive(Template)]
#[template(path = "console/panels/application.html")]
struct ApplicationPanel<'a> {
    /// None until the customer saves their application.
    company: Option<Vec<(&'static str, String)>>,
    directors: &'a [Director],
    shareholders: &'a [Shareholder],
}

pub(super) fn application(page: &CasePage) -> Result<Rendered, ConsoleError> {
    let panel = match &page.application {
        None => ApplicationPanel { company: None, directors: &[], shareholders: &[] },
        Some(a) => {
            let mut company = vec![("Registered name", a.company_name.clone())];
            if let Some(n) = &a.company_number {
                company.push(("Registration number", n.clone()));
            }
            if let Some(c) = &a.country {
                company.push(("Country of incorporation", c.name()));
            }
            company.push(("Registered address", a.registered_address.clone()));
            ApplicationPanel { company: Some(company), directors: &a.directors, shareholders: &a.shareholders }
        }
    };
    rendered("application", "Application", panel)
}
