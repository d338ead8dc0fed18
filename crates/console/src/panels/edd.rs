//! The enhanced due diligence panel: the case's requirements, how many are outstanding, and
//! the forms to update them.

use askama::Template;
use fml_app::Analyst;
use fml_store::cases::CaseRecord;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::{Echo, When};
use fml_web::state::AppState;

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

pub(super) async fn edd(
    st: &AppState,
    who: &Analyst,
    csrf: &str,
    c: &CaseRecord,
    echo: &Echo,
) -> Result<Rendered, ConsoleError> {
    // The case is read already: its requirements directly.
    let rows = {
        let mut r = st.db.reader().await?;
        fml_store::edd::for_case(r.conn(), &who.org, c.id).await?
    };
    let items: Vec<EddItem> = rows
        .into_iter()
        .map(|r| EddItem {
            key: r.req_key,
            label: r.label,
            status: r.status,
            note: r.note,
            updated_by: r.updated_by,
            updated: When::millis(r.updated_at),
        })
        .collect();
    let outstanding = items.iter().filter(|i| i.status == "outstanding").count();
    rendered("edd", "Enhanced due diligence", Edd { csrf, id: c.id.to_string(), items, outstanding, echo })
}
