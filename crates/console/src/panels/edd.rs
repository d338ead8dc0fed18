//! The enhanced due diligence panel: the case's requirements, how many are outstanding, and
//! the forms to update them.

use askama::Template;
use fml_app::queries::CasePage;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::{Echo, When};

pub struct EddItem {
    pub key: String,
    pub label: String,
    pub status: String,
    pub note: String,
    pub updated_by: String,
    pub updated: When,
}

#[derive(Template)]
#[template(path = "console/panels/edd.html")]
struct Edd<'a> {
    csrf: &'a str,
    id: String,
    items: Vec<EddItem>,
    outstanding: usize,
    echo: &'a Echo,
}

pub(super) fn edd(page: &CasePage, csrf: &str, echo: &Echo) -> Result<Rendered, ConsoleError> {
    let items: Vec<EddItem> = page
        .edd
        .iter()
        .map(|r| EddItem {
            key: r.req_key.clone(),
            label: r.label.clone(),
            status: r.status.clone(),
            note: r.note.clone(),
            updated_by: r.updated_by.clone(),
            updated: When::millis(r.updated_at),
        })
        .collect();
    let outstanding = items.iter().filter(|i| i.status == "outstanding").count();
    rendered(
        "edd",
        "Enhanced due diligence",
        Edd { csrf, id: page.engines.case.id.to_string(), items, outstanding, echo },
    )
}
