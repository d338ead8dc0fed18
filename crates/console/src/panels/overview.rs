//! The overview panel: the case's facts, its owner (with the analysts to choose from), its
//! decision and the customer's invite.

use askama::Template;
use fml_app::queries::CasePage;

use super::{Rendered, rendered};
use crate::decision::Allowed;
use crate::error::ConsoleError;
use crate::view::When;

pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

pub struct OwnerChoice {
    pub email: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "console/panels/overview.html")]
struct Overview<'a> {
    csrf: &'a str,
    id: String,
    facts: Vec<Fact>,
    created: When,
    updated: When,
    owners: Vec<OwnerChoice>,
    unassigned: bool,
    decision: Option<(String, String, When)>,
    allowed: &'a Allowed,
    customer_email: Option<String>,
    invite_sent: Option<When>,
}

pub(super) fn overview(page: &CasePage, csrf: &str, allowed: &Allowed) -> Result<Rendered, ConsoleError> {
    let (c, analysts) = (&page.engines.case, &page.analysts);
    let mut facts = Vec::new();
    let mut fact = |label, v: Option<String>| {
        if let Some(value) = v.filter(|v| !v.is_empty()) {
            facts.push(Fact { label, value });
        }
    };
    fact("Reference", Some(c.reference.as_str().to_owned()));
    fact("Company", c.company_name.clone());
    fact("Company number", c.company_number.clone());
    fact("Country", c.country.as_ref().map(|k| k.name()));
    fact("Entity type", c.entity_type.clone());
    fact("Customer", c.customer_name.clone());
    fact("Customer email", c.customer_email.clone());
    fact("CRM record", c.crm_record_id.clone());
    fact("CRM", c.crm_source.as_deref().map(|s| crate::words::crm(s).into_owned()));
    fact("Opened by", c.created_by.clone());
    let owners = analysts
        .iter()
        .filter(|a| a.disabled_at.is_none())
        .map(|a| OwnerChoice { email: a.email.clone(), name: a.name.clone(), selected: Some(a.id) == c.owner_id })
        .collect();
    rendered(
        "overview",
        "Overview",
        Overview {
            csrf,
            id: c.id.to_string(),
            facts,
            created: c.created_at.into(),
            updated: c.updated_at.into(),
            owners,
            unassigned: c.owner_id.is_none(),
            decision: c.decision.as_ref().map(|d| (d.decided_by.clone(), d.notes.clone(), d.decided_at.into())),
            allowed,
            customer_email: c.customer_email.clone(),
            invite_sent: c.invite_sent_at.map(When::from),
        },
    )
}
