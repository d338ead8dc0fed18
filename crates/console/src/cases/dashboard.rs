//! The cases dashboard: the tenant's cases in a table, filtered by status, owner, source and
//! text, sorted, and paged.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use fml_app::queries::records::{AnalystRecord, CaseFilter, CaseOrder};
use fml_domain::{AnalystId, CaseSource, CaseStatus};
use serde::Deserialize;

use crate::error::ConsoleError;
use crate::html;
use crate::links::query_value;
use crate::session::Viewer;
use crate::view::{Badge, Chrome, When, status_label};
use crate::view::{Choice, choices};
use fml_web::state::AppState;

const PAGE_SIZE: u32 = 25;
/// The dashboard counts matching cases up to this many ("10,000+ cases").
const COUNT_CAP: i64 = 10_000;

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    status: Option<String>,
    owner: Option<String>,
    source: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

pub struct Row {
    pub href: String,
    pub reference: String,
    pub company: String,
    pub customer: String,
    pub badge: Badge,
    pub status: &'static str,
    pub status_label: &'static str,
    pub owner: String,
    pub created: When,
    pub updated: When,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    rows: Vec<Row>,
    total: i64,
    /// More cases match than were counted.
    capped: bool,
    /// A page past the last (possible when the count was capped).
    past_end: bool,
    statuses: Vec<Choice>,
    owners: Vec<Choice>,
    sources: Vec<Choice>,
    sorts: Vec<Choice>,
    q: String,
    page: u32,
    pages: u32,
    prev: Option<String>,
    next: Option<String>,
    filtered: bool,
}

fn source_label(s: CaseSource) -> &'static str {
    match s {
        CaseSource::Api => "Public API",
        CaseSource::Manual => "Manual",
        CaseSource::ApplicationForm => "Portal application",
        CaseSource::DocUpload => "Document upload",
    }
}

const SORTS: [(&str, &str, CaseOrder); 5] = [
    ("newest", "Newest first", CaseOrder::Newest),
    ("oldest", "Oldest first", CaseOrder::Oldest),
    ("updated", "Recently updated", CaseOrder::Updated),
    ("company", "Company A–Z", CaseOrder::Company),
    ("status", "Status, oldest first", CaseOrder::Status),
];

/// The cases dashboard: filters (status, owner, source, text), sort, numbered pages.
pub async fn dashboard(
    State(st): State<AppState>,
    who: Viewer,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, ConsoleError> {
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let (status, owner, source, sort, search) =
        (text(&q.status), text(&q.owner), text(&q.source), text(&q.sort), text(&q.q));
    // Unknown filter values are ignored (a stale bookmark still opens the dashboard): an owner
    // who is not an analyst of the tenant too, which the read drops.
    let mut filter =
        CaseFilter { status: CaseStatus::parse(&status), source: CaseSource::parse(&source), ..CaseFilter::default() };
    filter.owner = match owner.as_str() {
        "me" => Some(Some(who.analyst.id)),
        "none" => Some(None),
        other => other.parse::<AnalystId>().ok().map(Some),
    };
    filter.text = (!search.is_empty()).then(|| search.chars().take(200).collect());
    let order = SORTS.iter().find(|(k, _, _)| *k == sort).map_or(CaseOrder::Newest, |s| s.2);
    let asked = q.page.as_deref().and_then(|p| p.parse::<u32>().ok()).unwrap_or(1);
    let found =
        fml_app::queries::cases::dashboard(&st.ctx, &who.analyst.org, filter, order, asked, PAGE_SIZE, COUNT_CAP)
            .await?;
    let (analysts, filter, cases, page) = (&found.analysts, &found.filter, &found.cases, found.page);
    let by_id: HashMap<AnalystId, &AnalystRecord> = analysts.iter().map(|a| (a.id, a)).collect();
    let rows = cases
        .iter()
        .map(|c| Row {
            href: format!("/cases/{}", c.id),
            reference: c.reference.as_str().to_owned(),
            company: c.company_name.clone().unwrap_or_else(|| "(company not given yet)".into()),
            customer: c.customer_email.clone().unwrap_or_default(),
            badge: Badge::of(c),
            status: c.status.as_str(),
            status_label: status_label(c.status),
            owner: c
                .owner_id
                .and_then(|o| by_id.get(&o))
                .map(|a| a.name.clone())
                .unwrap_or_else(|| "Unassigned".into()),
            created: c.created_at.into(),
            updated: c.updated_at.into(),
        })
        .collect();
    let link = |p: u32| {
        let params = [("status", &status), ("owner", &owner), ("source", &source), ("q", &search), ("sort", &sort)];
        let mut s: String =
            params.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}&", query_value(v))).collect();
        s.push_str(&format!("page={p}"));
        format!("/cases?{s}")
    };
    let page_view = Dashboard {
        chrome: who.chrome("cases"),
        rows,
        statuses: choices(
            &status,
            std::iter::once((String::new(), "Any status".into()))
                .chain(CaseStatus::ALL.iter().map(|s| (s.as_str().to_owned(), status_label(*s).to_owned()))),
        ),
        owners: choices(
            &owner,
            [(String::new(), "Anyone".to_owned()), ("me".into(), "Me".into()), ("none".into(), "Unassigned".into())]
                .into_iter()
                .chain(analysts.iter().filter(|a| a.disabled_at.is_none()).map(|a| (a.id.to_string(), a.name.clone()))),
        ),
        sources: choices(
            &source,
            std::iter::once((String::new(), "Any source".into()))
                .chain(CaseSource::ALL.iter().map(|s| (s.as_str().to_owned(), source_label(*s).to_owned()))),
        ),
        sorts: choices(&sort, SORTS.iter().map(|(k, l, _)| ((*k).to_owned(), (*l).to_owned()))),
        filtered: filter.status.is_some() || filter.owner.is_some() || filter.source.is_some() || filter.text.is_some(),
        q: search.clone(),
        prev: (page > 1).then(|| link(page - 1)),
        next: found.more.then(|| link(page + 1)),
        total: found.total,
        capped: found.capped,
        past_end: page > 1 && cases.is_empty(),
        page,
        pages: found.pages,
    };
    Ok(html(StatusCode::OK, page_view.render()))
}
