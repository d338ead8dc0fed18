//! Compliance Configuration → Recent Deliveries: a list that refreshes itself every second
//! (a conditional request: an unchanged list costs one indexed query and no body), filters by
//! endpoint, status and event, each row expanding to the payload and every attempt, and
//! "Redeliver" on any row.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use fml_app::Operator;
use fml_app::queries::records::{DeliveryRow, ListFilter};
use fml_domain::OrgId;
use fml_domain::events::schema::subscribable;
use serde::Deserialize;

use crate::error::ConsoleError;
use crate::form::Posted;
use crate::html;
use crate::links::query_value;
use crate::session::Viewer;
use crate::view::Choice;
use crate::view::{Chrome, When, notice};
use fml_web::state::AppState;

const PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    endpoint: Option<String>,
    status: Option<String>,
    event: Option<String>,
    before: Option<String>,
    done: Option<String>,
}

impl Filters {
    fn store(&self) -> ListFilter {
        let some = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        ListFilter {
            endpoint_id: some(&self.endpoint),
            status: some(&self.status).filter(|s| ["pending", "delivered", "failed"].contains(&s.as_str())),
            event: some(&self.event),
            case_id: None,
            before: self.before.as_deref().and_then(|b| b.parse().ok()),
        }
    }

    fn query(&self) -> String {
        let f = self.store();
        [("endpoint", f.endpoint_id), ("status", f.status), ("event", f.event)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={}", query_value(&v))))
            .collect::<Vec<_>>()
            .join("&")
    }
}

pub struct Line {
    pub id: i64,
    pub event: String,
    pub endpoint: String,
    pub status: String,
    pub status_label: &'static str,
    pub http: String,
    pub attempts: i32,
    pub next_retry: Option<When>,
    pub created: When,
    /// The case's page and its reference ("Case" when the reference is not at hand).
    pub case: Option<(String, String)>,
    /// A test ping: marked, and never redelivered.
    pub test: bool,
}

impl Line {
    /// Everything the row shows that can change: the live refresh replaces a row only when
    /// this differs, and the list's ETag is made of them.
    pub fn sig(&self) -> String {
        let next = self.next_retry.as_ref().map_or("", |w| w.iso.as_str());
        format!("{}:{}:{}:{}:{}:{}", self.id, self.status, self.attempts, self.http, next, self.endpoint)
    }
}

/// Where a delivery went, as the analyst knows it: its endpoint's label, or for a ping sent
/// before saving, the URL typed.
pub(crate) fn endpoint_name(d: &DeliveryRow, labels: &HashMap<String, String>) -> String {
    match (&d.endpoint_id, &d.target_url) {
        (Some(id), _) => labels.get(id).cloned().unwrap_or_else(|| "(deleted endpoint)".into()),
        (None, Some(url)) => format!("{url} (before saving)"),
        (None, None) => "(no endpoint)".into(),
    }
}

fn line(d: &DeliveryRow, labels: &HashMap<String, String>, references: &HashMap<String, String>) -> Line {
    let pending = d.status == "pending";
    Line {
        id: d.id,
        event: d.event_type.clone(),
        endpoint: endpoint_name(d, labels),
        status_label: match d.status.as_str() {
            "pending" if d.attempt_count > 0 => "Pending retry",
            "pending" => "Pending",
            "delivered" => "Delivered",
            "failed" => "Failed",
            _ => "Unknown",
        },
        status: d.status.clone(),
        http: match d.last_http_status {
            Some(0) => "no answer".into(),
            Some(s) => s.to_string(),
            None => "—".into(),
        },
        attempts: d.attempt_count,
        next_retry: d.next_attempt_at.filter(|_| pending && d.attempt_count > 0).map(When::millis),
        created: When::millis(d.created_at),
        case: d
            .case_id
            .as_ref()
            .map(|c| (format!("/cases/{c}"), references.get(c).cloned().unwrap_or_else(|| "Case".to_owned()))),
        test: d.test,
    }
}

#[derive(Template)]
#[template(path = "console/delivery_rows.html")]
struct Rows<'a> {
    csrf: &'a str,
    lines: &'a [Line],
}

#[derive(Template)]
#[template(path = "console/deliveries.html")]
struct ListPage<'a> {
    chrome: Chrome,
    rows: String,
    any: bool,
    filtered: bool,
    endpoints: Vec<Choice>,
    statuses: Vec<Choice>,
    events: Vec<Choice>,
    src: String,
    older: Option<String>,
    notice: Option<&'a str>,
}

/// A page of rows, the id before which older ones start (if any), and the endpoints' labels.
type Loaded = (Vec<Line>, Option<i64>, HashMap<String, String>);

async fn load(st: &AppState, org: &OrgId, f: &Filters) -> Result<Loaded, ConsoleError> {
    // One row more than a page says whether there are older ones.
    let fml_app::queries::deliveries::DeliveryPage { mut rows, labels, references } =
        fml_app::queries::deliveries::labelled(&st.ctx, org, &f.store(), None, PAGE + 1).await?;
    let more = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    let oldest = if more { rows.last().map(|d| d.id) } else { None };
    Ok((rows.iter().map(|d| line(d, &labels, &references)).collect(), oldest, labels))
}

pub async fn list(State(st): State<AppState>, who: Viewer, Query(f): Query<Filters>) -> Result<Response, ConsoleError> {
    let org = &who.analyst.org;
    let (lines, oldest, labels) = load(&st, org, &f).await?;
    let chrome = who.chrome("deliveries");
    let rows =
        Rows { csrf: &chrome.csrf, lines: &lines }.render().map_err(|e| ConsoleError::Internal(e.to_string()))?;
    let sf = f.store();
    let mut eps: Vec<(String, String)> = labels.into_iter().collect();
    eps.sort_by(|a, b| a.1.cmp(&b.1));
    let pick = |cur: &Option<String>, all: Vec<(String, String)>, any: &str| {
        let cur = cur.clone().unwrap_or_default();
        std::iter::once((String::new(), any.to_owned()))
            .chain(all)
            .map(|(value, label)| Choice { selected: value == cur, value, label })
            .collect::<Vec<_>>()
    };
    let q = f.query();
    let live = sf.before.is_none();
    let view = ListPage {
        any: !lines.is_empty(),
        filtered: sf.endpoint_id.is_some() || sf.status.is_some() || sf.event.is_some(),
        endpoints: pick(&sf.endpoint_id, eps, "All endpoints"),
        statuses: pick(
            &sf.status,
            vec![
                ("pending".into(), "Pending".into()),
                ("delivered".into(), "Delivered".into()),
                ("failed".into(), "Failed".into()),
            ],
            "Any status",
        ),
        events: pick(&sf.event, subscribable().map(|e| (e.to_owned(), e.to_owned())).collect(), "All events"),
        // An older page is a snapshot; only the newest one follows live.
        src: if live { format!("/config/deliveries/rows?{q}") } else { String::new() },
        older: oldest.map(|id| format!("/config/deliveries?{q}{}before={id}", if q.is_empty() { "" } else { "&" })),
        notice: notice(f.done.as_deref()),
        chrome,
        rows,
    };
    Ok(html(StatusCode::OK, view.render()))
}

/// The rows alone, for the live refresh; `304` when nothing changed since the page's ETag.
pub async fn rows(
    State(st): State<AppState>,
    who: Viewer,
    headers: HeaderMap,
    Query(f): Query<Filters>,
) -> Result<Response, ConsoleError> {
    let (lines, _, _) = load(&st, &who.analyst.org, &f).await?;
    let state: String = lines.iter().map(|l| l.sig() + ";").collect();
    let etag = format!("\"{}\"", &fml_domain::secret::sha256_hex(state.as_bytes())[..20]);
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let mut res = html(StatusCode::OK, Rows { csrf: &who.csrf, lines: &lines }.render());
    if let Ok(v) = HeaderValue::from_str(&etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    Ok(res)
}

pub struct AttemptLine {
    pub attempt: i32,
    pub manual: bool,
    pub started: When,
    pub http: String,
    pub ok: bool,
    pub duration_ms: i64,
    pub error: String,
    pub body: String,
    /// The body was longer than the 64 KiB recorded.
    pub truncated: bool,
}

#[derive(Template)]
#[template(path = "console/delivery_detail.html")]
struct Detail<'a> {
    csrf: &'a str,
    line: Line,
    event_id: String,
    payload: String,
    attempts: Vec<AttemptLine>,
}

#[derive(Template)]
#[template(path = "console/delivery_page.html")]
struct DetailPage<'a> {
    chrome: Chrome,
    id: i64,
    detail: String,
    notice: Option<&'a str>,
}

fn parse_id(raw: &str) -> Result<i64, ConsoleError> {
    raw.parse().map_err(|_| ConsoleError::NotFound("no such delivery"))
}

pub async fn show(
    State(st): State<AppState>,
    who: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(f): Query<Filters>,
) -> Result<Response, ConsoleError> {
    let org = &who.analyst.org;
    let fml_app::queries::deliveries::DeliveryDetail { delivery: d, payload, attempts, endpoint_label } =
        fml_app::queries::deliveries::get_labelled(&st.ctx, org, parse_id(&id)?).await?;
    let labels: HashMap<String, String> = d.endpoint_id.clone().zip(endpoint_label).into_iter().collect();
    let parsed = serde_json::from_str::<serde_json::Value>(&payload).ok();
    // The event names its case's reference (every case event carries `caseReference`).
    let references: HashMap<String, String> =
        match (&d.case_id, parsed.as_ref().and_then(|v| v["caseReference"].as_str())) {
            (Some(id), Some(reference)) => [(id.clone(), reference.to_owned())].into(),
            _ => HashMap::new(),
        };
    let pretty = parsed.and_then(|v| serde_json::to_string_pretty(&v).ok()).unwrap_or(payload);
    let detail = Detail {
        csrf: &who.csrf,
        event_id: d.event_id.clone(),
        line: line(&d, &labels, &references),
        payload: pretty,
        attempts: attempts
            .into_iter()
            .rev()
            .map(|a| AttemptLine {
                attempt: a.attempt,
                manual: a.manual,
                started: When::millis(a.started_at),
                http: if a.http_status == 0 { "no answer".into() } else { a.http_status.to_string() },
                ok: (200..300).contains(&a.http_status),
                duration_ms: a.duration_ms,
                error: a.error.unwrap_or_default(),
                body: a.response_body.unwrap_or_default(),
                truncated: a.response_truncated,
            })
            .collect(),
    }
    .render()
    .map_err(|e| ConsoleError::Internal(e.to_string()))?;
    if headers.contains_key("x-console-fragment") {
        return Ok(html(StatusCode::OK, Ok(detail)));
    }
    let view = DetailPage { id: d.id, detail, notice: notice(f.done.as_deref()), chrome: who.chrome("deliveries") };
    Ok(html(StatusCode::OK, view.render()))
}

pub async fn redeliver(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let id = parse_id(&id)?;
    fml_outbound::deliveries::redeliver(&st.ctx, &form.analyst().org, id, Operator::Analyst(form.analyst())).await?;
    if form.fragment {
        return Ok(html(
            StatusCode::OK,
            Ok("<span class=\"pill pill-ok\" role=\"status\">Redelivery queued</span>".into()),
        ));
    }
    let back = if form.fields.text("back") == "list" {
        "/config/deliveries?done=redelivered".to_owned()
    } else {
        format!("/config/deliveries/{id}?done=redelivered")
    };
    Ok(Redirect::to(&back).into_response())
}
