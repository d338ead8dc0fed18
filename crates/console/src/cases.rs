//! The cases dashboard and the case view, with the workflow's actions as forms. Which actions
//! a page offers is decided by the same rule the commands apply (`lifecycle::judge`), and every
//! form posts to a handler that calls the command the analyst API calls.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fml_app::{Analyst, CommandError};
use fml_domain::ids::CaseLocator;
use fml_domain::lifecycle::{Outcome, Recommendation};
use fml_domain::{AnalystId, CaseSource, CaseStatus};
use fml_store::analysts::AnalystRecord;
use fml_store::cases::{CaseFilter, CaseOrder, CasePage};
use serde::Deserialize;

use crate::decision::Allowed;
use crate::error::ConsoleError;
use crate::form::Posted;
use crate::links::{path_segment, query_value};
use crate::session::Viewer;
use crate::view::{Badge, Chrome, Echo, When, notice, status_label};
use crate::view::{Choice, choices};
use crate::{DoneQuery, html, panels};
use fml_web::extract::{MinRole, Senior};
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
    let analysts = fml_store::analysts::list(&st.db, &who.analyst.org).await?;
    let by_id: HashMap<AnalystId, &AnalystRecord> = analysts.iter().map(|a| (a.id, a)).collect();
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let (status, owner, source, sort, search) =
        (text(&q.status), text(&q.owner), text(&q.source), text(&q.sort), text(&q.q));
    // Unknown filter values are ignored (a stale bookmark still opens the dashboard).
    let mut filter =
        CaseFilter { status: CaseStatus::parse(&status), source: CaseSource::parse(&source), ..CaseFilter::default() };
    filter.owner = match owner.as_str() {
        "me" => Some(Some(who.analyst.id)),
        "none" => Some(None),
        other => other.parse::<AnalystId>().ok().filter(|id| by_id.contains_key(id)).map(Some),
    };
    filter.text = (!search.is_empty()).then(|| search.chars().take(200).collect());
    let order = SORTS.iter().find(|(k, _, _)| *k == sort).map_or(CaseOrder::Newest, |s| s.2);
    let total = fml_store::cases::count_matching(&st.db, &who.analyst.org, &filter, COUNT_CAP + 1).await?;
    let capped = total > COUNT_CAP;
    let pages = u32::try_from((total.min(COUNT_CAP) + i64::from(PAGE_SIZE) - 1) / i64::from(PAGE_SIZE))
        .unwrap_or(u32::MAX)
        .max(1);
    // Past the counted pages (only when the count was capped) the pages go on as long as there
    // are cases: one row more than a page says whether there is a next one.
    let asked = q.page.as_deref().and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).max(1);
    let page = if capped { asked.min(u32::MAX / PAGE_SIZE) } else { asked.min(pages) };
    let offset = (page - 1) * PAGE_SIZE;
    let mut cases =
        fml_store::cases::search(&st.db, &who.analyst.org, &filter, CasePage::Offset { order, offset }, PAGE_SIZE + 1)
            .await?;
    let more = cases.len() > PAGE_SIZE as usize;
    cases.truncate(PAGE_SIZE as usize);
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
        next: more.then(|| link(page + 1)),
        total: total.min(COUNT_CAP),
        capped,
        past_end: page > 1 && cases.is_empty(),
        page,
        pages,
    };
    Ok(html(StatusCode::OK, page_view.render()))
}

fn locate(raw: &str) -> Result<CaseLocator, ConsoleError> {
    CaseLocator::parse(raw).ok_or(ConsoleError::NotFound("no such case"))
}

#[derive(Template)]
#[template(path = "console/case.html")]
struct CasePageView {
    chrome: Chrome,
    id: String,
    reference: String,
    company: String,
    badge: Badge,
    status: &'static str,
    status_label: &'static str,
    notice: Option<&'static str>,
    error: Option<String>,
    allowed: Allowed,
    decision: crate::decision::DecisionPanel,
    panels: Vec<panels::Rendered>,
    echo: Echo,
}

/// The case view.
pub async fn show(
    State(st): State<AppState>,
    who: Viewer,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ConsoleError> {
    let shown = Shown { notice: notice(q.done.as_deref()), ..Shown::default() };
    render(&st, &who.analyst, who.chrome("cases"), &id, shown, StatusCode::OK).await
}

/// What a case page shows besides the case: a notice, or a refusal with the form as posted.
#[derive(Default)]
struct Shown {
    notice: Option<&'static str>,
    error: Option<String>,
    echo: Echo,
}

async fn render(
    st: &AppState,
    who: &Analyst,
    chrome: Chrome,
    id: &str,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let case =
        fml_store::cases::get(&st.db, &who.org, &locate(id)?).await?.ok_or(ConsoleError::NotFound("no such case"))?;
    let allowed = Allowed::of(&case, who);
    let controls = fml_app::approvals::state(&st.ctx, who, &CaseLocator::Id(case.id)).await?;
    let decision = crate::decision::DecisionPanel::new(&controls, who);
    let panels = panels::all(st, who, &chrome.csrf, &case, &allowed, &shown.echo).await?;
    let page = CasePageView {
        id: case.id.to_string(),
        reference: case.reference.as_str().to_owned(),
        company: case.company_name.clone().unwrap_or_else(|| "(company not given yet)".into()),
        badge: Badge::of(&case),
        status: case.status.as_str(),
        status_label: status_label(case.status),
        chrome,
        notice: shown.notice,
        error: shown.error,
        echo: shown.echo,
        allowed,
        decision,
        panels,
    };
    Ok(html(status, page.render()))
}

/// After an action: back to the case with a notice (`done`), or the case again with the refusal
/// beside the forms (a validation error, a move the status no longer allows), its status code,
/// and the form (`posted`) as it was filled.
async fn after<R: MinRole>(
    st: &AppState,
    form: &Posted<R>,
    id: &str,
    result: Result<(), CommandError>,
    (done, posted): (&str, &str),
) -> Result<Response, ConsoleError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{}?done={done}", path_segment(id))).into_response()),
        Err(e @ (CommandError::NotFound(_) | CommandError::Forbidden(_) | CommandError::Store(_))) => Err(e.into()),
        Err(e) => match ConsoleError::from(e) {
            ConsoleError::Refused(status, message) => {
                let echo = Echo { form: posted.to_owned(), fields: form.fields.0.clone() };
                let shown = Shown { notice: None, error: Some(message), echo };
                render(st, form.analyst(), form.who.chrome("cases"), id, shown, status).await
            }
            other => Err(other),
        },
    }
}

fn note(form: &Posted<impl MinRole>, field: &str, required: bool) -> Result<String, CommandError> {
    fml_app::cases::note(field, form.fields.get(field), required)
}

pub async fn owner(State(st): State<AppState>, Path(id): Path<String>, form: Posted) -> Result<Response, ConsoleError> {
    // "Assign to me" is its own button (the form's select is posted beside it).
    let email = if form.fields.text("assign") == "me" {
        Some(form.analyst().email.as_str())
    } else {
        Some(form.fields.text("owner")).filter(|e| !e.is_empty())
    };
    let r = fml_app::cases::assign_owner(&st.ctx, form.analyst(), &locate(&id)?, email).await.map(drop);
    after(&st, &form, &id, r, ("owner", "owner")).await
}

pub async fn decide(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let (outcome, done) = match form.fields.text("outcome") {
        "approved" => (Outcome::Approved, "approved"),
        "declined" => (Outcome::Declined, "declined"),
        _ => {
            return after(
                &st,
                &form,
                &id,
                Err(CommandError::field("outcome", "choose approve or decline")),
                ("", "decision"),
            )
            .await;
        }
    };
    let locator = locate(&id)?;
    let r = async {
        let notes = note(&form, "notes", false)?;
        fml_app::cases::decide(&st.ctx, form.analyst(), &locator, outcome, notes).await
    }
    .await;
    let done = match &r {
        Ok(fml_app::cases::Decided::AwaitingSecond(_)) => "approval-pending",
        _ => done,
    };
    after(&st, &form, &id, r.map(drop), (done, "decision")).await
}

pub async fn escalate(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let r = async {
        let n = note(&form, "note", true)?;
        fml_app::cases::escalate(&st.ctx, form.analyst(), &locator, n).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("escalated", "escalation")).await
}

pub async fn respond(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted<Senior>,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let rec = match form.fields.text("recommendation") {
        "approve" => Ok(Recommendation::Approve),
        "decline" => Ok(Recommendation::Decline),
        "refer" => Ok(Recommendation::Refer),
        _ => Err(CommandError::field("recommendation", "choose approve, decline or refer")),
    };
    let r = async {
        let n = note(&form, "note", false)?;
        fml_app::cases::respond_to_escalation(&st.ctx, form.analyst(), &locator, rec?, n).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("responded", "response")).await
}

pub async fn resend_invite(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::portal::resend_invite(&st.ctx, form.analyst(), &locate(&id)?).await.map(drop);
    after(&st, &form, &id, r, ("invite", "invite")).await
}

pub async fn edd_requirement(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let f = &form.fields;
    let r = async {
        let status = fml_app::edd::parse_status(f.text("status"))
            .ok_or_else(|| CommandError::field("status", "choose outstanding, received or waived"))?;
        let n = note(&form, "note", false)?;
        let label = Some(f.text("label").to_owned()).filter(|l| !l.is_empty());
        fml_app::edd::set_requirement(&st.ctx, form.analyst(), &locator, f.text("key"), status, n, label)
            .await
            .map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("edd", "edd")).await
}

pub async fn screen(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::screening::request(&st.ctx, form.analyst(), &locate(&id)?).await.map(drop);
    after(&st, &form, &id, r, ("screening", "screening")).await
}

pub async fn recompute_risk(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::risk::request(&st.ctx, form.analyst(), &locate(&id)?).await.map(drop);
    after(&st, &form, &id, r, ("risk", "risk")).await
}

pub async fn monitor(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::monitoring::request(&st.ctx, form.analyst(), &locate(&id)?).await.map(drop);
    after(&st, &form, &id, r, ("monitoring", "monitoring")).await
}

/// "Send identity links": every person who needs one and has none.
pub async fn send_idv_all(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let by = fml_app::idv::Dispatcher::Everyone(form.analyst());
    let r = fml_app::idv::dispatch(&st.ctx, &form.analyst().org, &locate(&id)?, by).await.map(drop);
    after(&st, &form, &id, r, ("idv-all", "idv")).await
}

pub async fn send_idv(
    State(st): State<AppState>,
    Path((id, key)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let by = fml_app::idv::Dispatcher::Analyst(form.analyst(), &key);
    let r = fml_app::idv::dispatch(&st.ctx, &form.analyst().org, &locate(&id)?, by).await.map(drop);
    after(&st, &form, &id, r, ("idv", "idv")).await
}

pub async fn resolve_alert(
    State(st): State<AppState>,
    Path((id, alert)): Path<(String, i64)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = async {
        let n = note(&form, "note", false)?;
        fml_app::monitoring::resolve(&st.ctx, form.analyst(), alert, n).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("alert", &format!("alert-{alert}"))).await
}

pub async fn ai_review(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::review::run_for(&st.ctx, form.analyst(), &locate(&id)?, &mut |_| {}).await.map(drop);
    after(&st, &form, &id, r, ("ai-review", "ai-review")).await
}

pub async fn review_hit(
    State(st): State<AppState>,
    Path((id, hit)): Path<(String, i64)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let r = async {
        let d = fml_app::screening::parse_disposition(form.fields.text("disposition"))
            .ok_or_else(|| CommandError::field("disposition", "choose false positive, true match or escalate"))?;
        let n = note(&form, "note", false)?;
        fml_app::screening::review_hit(&st.ctx, form.analyst(), &locator, hit, d, n).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("hit", &format!("hit-{hit}"))).await
}

pub async fn resolve_idv(
    State(st): State<AppState>,
    Path((id, key)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let r = async {
        let outcome = fml_app::idv::parse_analyst_outcome(form.fields.text("outcome"))
            .ok_or_else(|| CommandError::field("outcome", "choose confirm or reject"))?;
        let n = note(&form, "note", false)?;
        fml_app::idv::resolve(&st.ctx, form.analyst(), &locator, &key, outcome, &n).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("idv-result", "idv")).await
}

pub async fn edd_request(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::edd::request_evidence(&st.ctx, form.analyst(), &locate(&id)?).await.map(drop);
    after(&st, &form, &id, r, ("edd-request", "edd-request")).await
}

/// An item key from its label: lower case, runs of anything else as `_`; `item_<n>` when the
/// label has no ASCII letter or digit; made unique within the request by a suffix.
fn keys_of<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (n, label) in labels.enumerate() {
        let mut key = String::new();
        for c in label.trim().chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                key.push(c);
            } else if !key.ends_with('_') && !key.is_empty() {
                key.push('_');
            }
        }
        let mut key: String = key.trim_end_matches('_').chars().take(56).collect();
        if key.is_empty() {
            key = format!("item_{}", n + 1);
        }
        let base = key.clone();
        let mut i = 2;
        while out.iter().any(|(k, _)| *k == key) {
            key = format!("{base}_{i}");
            i += 1;
        }
        out.push((key, label.trim().to_owned()));
    }
    out
}

pub async fn outreach(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let items = keys_of(form.fields.text("items").lines().map(str::trim).filter(|l| !l.is_empty()));
    let r = async {
        let items = fml_app::edd::check_items(items)?;
        fml_app::edd::outreach(&st.ctx, form.analyst(), &locator, "document_request", items).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("outreach", "outreach")).await
}

pub async fn override_document(
    State(st): State<AppState>,
    Path((id, doc)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    use fml_app::documents::Override;
    let locator = locate(&id)?;
    let doc = doc
        .parse::<i64>()
        .map(fml_domain::document::DocumentId)
        .map_err(|_| ConsoleError::NotFound("no such document"))?;
    let r = async {
        let action = match form.fields.text("action") {
            "approve" => Override::Approve { note: note(&form, "note", false)? },
            "escalate" => Override::Escalate { reason: note(&form, "note", false)? },
            _ => return Err(CommandError::field("action", "choose approve or escalate")),
        };
        fml_app::documents::override_document(&st.ctx, form.analyst(), &locator, doc, action).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("document", &format!("document-{}", doc.0))).await
}

pub async fn link_person(
    State(st): State<AppState>,
    Path((id, key)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let r = async {
        let person = form
            .fields
            .text("person")
            .parse::<i64>()
            .map(fml_domain::persons::PersonId)
            .map_err(|_| CommandError::field("person", "choose a person"))?;
        fml_app::persons::link(&st.ctx, form.analyst(), &locator, &key, person).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("person", &format!("link-{key}"))).await
}

pub async fn unlink_person(
    State(st): State<AppState>,
    Path((id, key)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let reason = Some(form.fields.text("reason").to_owned()).filter(|r| !r.is_empty());
    let r = fml_app::persons::unlink(&st.ctx, form.analyst(), &locator, &key, reason).await.map(drop);
    after(&st, &form, &id, r, ("person", &format!("unlink-{key}"))).await
}

pub async fn mark_new(
    State(st): State<AppState>,
    Path((id, key)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::persons::mark_new(&st.ctx, form.analyst(), &locate(&id)?, &key).await.map(drop);
    after(&st, &form, &id, r, ("person", "mark-new")).await
}

#[cfg(test)]
mod tests {
    use super::keys_of;

    #[test]
    fn item_keys_from_labels() {
        let keys = |labels: &[&str]| keys_of(labels.iter().copied()).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(keys(&["Proof of address"]), ["proof_of_address"]);
        assert_eq!(keys(&["  Bank statement (last 3 months) "]), ["bank_statement_last_3_months"]);
        assert_eq!(keys(&["Выписка из банка", "€€€"]), ["item_1", "item_2"]);
        assert_eq!(keys(&["Passport", "passport!", "PASSPORT"]), ["passport", "passport_2", "passport_3"]);
    }
}
