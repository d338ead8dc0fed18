//! Compliance Configuration → Outbound Webhooks: the guide's Add Endpoint form (with "Send test
//! ping" before saving), the one-time secret, edit (rotation, event types), enable/disable,
//! delete, and each endpoint's "Test" button. Forms are turned into the API's JSON fields and
//! checked by the API's own validator, then saved by the same commands.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use fml_app::Operator;
use fml_app::queries::records::Endpoint;
use fml_domain::FieldError;
use fml_domain::events::schema::{find, subscribable};
use fml_outbound::endpoints::EndpointInput;
use serde_json::{Value, json};

use crate::error::ConsoleError;
use crate::form::{Fields, Posted};
use crate::links::path_segment;
use crate::session::Viewer;
use crate::view::{Chrome, Confirm, When, notice};
use crate::{DoneQuery, html};
use fml_outbound::endpoints::{EndpointFields, PingOutcome, validate};
use fml_web::state::AppState;

/// One event type's checkbox.
pub struct EventBox {
    pub name: &'static str,
    pub description: &'static str,
    pub checked: bool,
}

/// Event types of one family (`case`, `document`, …), for the grouped checkboxes.
pub struct Family {
    pub name: String,
    pub events: Vec<EventBox>,
}

fn families(checked: &dyn Fn(&str) -> bool) -> Vec<Family> {
    let mut out: Vec<Family> = Vec::new();
    for name in subscribable() {
        let label = crate::view::event_family(name);
        let b = EventBox { name, description: find(name).map_or("", |e| e.description), checked: checked(name) };
        match out.iter_mut().find(|f| f.name == label) {
            Some(f) => f.events.push(b),
            None => out.push(Family { name: label, events: vec![b] }),
        }
    }
    out
}

/// What the form shows back after a refusal (never the secret).
#[derive(Default)]
pub struct FormValues {
    pub url: String,
    pub label: String,
    pub enabled: bool,
    /// "Generate a new secret" was ticked (an edit refused for another field keeps it).
    pub generate: bool,
    /// `fml-v1` or `standard-webhooks`.
    pub scheme: String,
    /// The grace chosen for a rotation, in seconds ("" for none).
    pub grace: String,
    /// This server delivers to private and loopback addresses (`FML_WEBHOOK_ALLOW_PRIVATE`):
    /// the URL's hint must not say they are refused.
    pub private_allowed: bool,
}

impl EndpointForm {
    /// The refusal of one field, shown beside it (and linked to it for assistive technology).
    fn error_for(&self, field: &str) -> Option<String> {
        let all: Vec<&str> = self.errors.iter().filter(|e| e.field == field).map(|e| e.message.as_str()).collect();
        (!all.is_empty()).then(|| all.join("; "))
    }
}

#[derive(Template)]
#[template(path = "console/endpoint_form.html")]
struct EndpointForm {
    chrome: Chrome,
    /// `None`: Add Endpoint; `Some`: editing this endpoint.
    editing: Option<String>,
    values: FormValues,
    families: Vec<Family>,
    errors: Vec<FieldError>,
    ping: Option<PingView>,
}

/// A ping's result as shown beside the button.
pub struct PingView {
    /// The test delivery recorded, linked from the result.
    pub delivery_id: Option<i64>,
    pub ok: bool,
    pub status: u16,
    pub body: String,
    pub error: String,
    pub duration_ms: i64,
    pub generated: bool,
}

impl PingView {
    fn of(r: &PingOutcome) -> Self {
        PingView {
            delivery_id: r.delivery_id,
            ok: (200..300).contains(&r.status),
            status: r.status,
            body: r.body.clone().unwrap_or_default(),
            error: r.error.clone().unwrap_or_default(),
            duration_ms: r.duration_ms,
            generated: r.secret.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/ping_result.html")]
struct PingFragment<'a> {
    ping: &'a PingView,
}

/// The endpoint fields of a posted form, as the API's JSON would carry them.
fn as_json(f: &Fields, editing: bool) -> Value {
    let mut v = json!({
        "url": f.text("url"),
        "label": f.get("label").unwrap_or_default(),
        "secret": f.get("secret").unwrap_or_default(),
        "eventTypes": f.all("eventTypes"),
        "signatureScheme": f.get("signatureScheme").filter(|s| !s.is_empty()),
    });
    if editing {
        v["generateSecret"] = json!(f.checked("generateSecret"));
        v["enabled"] = json!(f.checked("enabled"));
        // The grace is chosen from a list; it means something only with a rotation.
        let rotating = f.checked("generateSecret") || !f.text("secret").is_empty();
        if let Some(secs) = f.get("rotationGraceSeconds").and_then(|g| g.parse::<i64>().ok()).filter(|_| rotating) {
            v["rotationGraceSeconds"] = json!(secs);
        }
    }
    v
}

fn fields_of(v: &Value) -> EndpointFields<'_> {
    EndpointFields::of(v)
}

fn form_page(
    chrome: Chrome,
    editing: Option<String>,
    values: (&AppState, FormValues),
    checked: &dyn Fn(&str) -> bool,
    errors: Vec<FieldError>,
    ping: Option<PingView>,
    status: StatusCode,
) -> Response {
    let (st, values) = values;
    let values = FormValues { private_allowed: st.pinger.allows_private(), ..values };
    let view = EndpointForm { chrome, editing, values, families: families(checked), errors, ping };
    html(status, view.render())
}

fn values_of(f: &Fields) -> FormValues {
    FormValues {
        url: f.text("url").to_owned(),
        label: f.text("label").to_owned(),
        enabled: f.checked("enabled"),
        generate: f.checked("generateSecret"),
        scheme: f.text("signatureScheme").to_owned(),
        grace: f.text("rotationGraceSeconds").to_owned(),
        private_allowed: false,
    }
}

pub struct EndpointLine {
    pub id: String,
    pub label: String,
    pub url: String,
    pub events: usize,
    pub all_events: bool,
    pub enabled: bool,
    pub created: When,
    /// The last day's and week's deliveries in words ("98 % of 120 · 45 ms"), or a dash.
    pub day: String,
    pub week: String,
    /// Under half of the last day's attempts succeeded.
    pub failing: bool,
    /// Why the platform disabled it, in words, and when.
    pub disabled: Option<(&'static str, When)>,
}

/// A platform's reason for disabling an endpoint, in words.
fn disabled_words(reason: &str) -> &'static str {
    match reason {
        "gone" => "Its receiver answered 410 Gone (it takes nothing more).",
        "failing" => "Every attempt failed for days; its admins were emailed.",
        _ => "Disabled by the platform.",
    }
}

/// A window of attempts in words: the success rate, how many, the mean latency.
fn health_words(w: fml_outbound::endpoints::HealthCounts) -> String {
    match (w.success_rate(), w.mean_latency_ms()) {
        (Some(rate), Some(ms)) => format!("{} % of {} · {ms} ms", (rate * 100.0).floor(), w.attempts),
        _ => "—".to_owned(),
    }
}

#[derive(Template)]
#[template(path = "console/webhooks.html")]
struct ListPage {
    chrome: Chrome,
    endpoints: Vec<EndpointLine>,
    notice: Option<&'static str>,
    /// A just-saved endpoint's secret, shown this once.
    created: Option<(String, String, String)>,
}

async fn list_page(
    st: &AppState,
    chrome: Chrome,
    org: &fml_domain::OrgId,
    notice: Option<&'static str>,
    created: Option<(String, String, String)>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let total = subscribable().count();
    let endpoints = fml_app::queries::endpoints(&st.ctx, org)
        .await?
        .into_iter()
        .map(|e| EndpointLine {
            day: health_words(e.health.day),
            week: health_words(e.health.week),
            failing: e.health.day.success_rate().is_some_and(|r| r < 0.5),
            events: e.event_types.len(),
            all_events: e.event_types.len() >= total,
            disabled: e.disabled.as_ref().map(|(why, at)| (disabled_words(why), When::millis(*at))),
            enabled: e.enabled,
            created: When::millis(e.created_at),
            id: e.id,
            label: e.label,
            url: e.url,
        })
        .collect();
    Ok(html(status, ListPage { chrome, endpoints, notice, created }.render()))
}

/// The flash kind of a just-created endpoint: (id, label, signing secret).
const CREATED: &str = "endpoint";

pub async fn list(
    State(st): State<AppState>,
    who: Viewer,
    headers: HeaderMap,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ConsoleError> {
    let (created, clear) = crate::flash::take::<(String, String, String)>(&st, &headers, &who.session, CREATED);
    let notice = notice(q.done.as_deref());
    let mut res = list_page(&st, who.chrome("webhooks"), &who.analyst.org, notice, created, StatusCode::OK).await?;
    if let Some(clear) = clear {
        res.headers_mut().append(header::SET_COOKIE, clear);
    }
    Ok(res)
}

pub async fn new_form(State(st): State<AppState>, who: Viewer) -> Response {
    let values = FormValues { enabled: true, ..FormValues::default() };
    form_page(who.chrome("webhooks"), None, (&st, values), &|_| true, Vec::new(), None, StatusCode::OK)
}

/// The posted endpoint form checked by the API's validator: its input, or the form again with
/// every refusal beside it (`editing`: the endpoint being changed).
async fn checked(
    st: &AppState,
    form: &Posted,
    editing: Option<&str>,
) -> Result<Result<EndpointInput, Response>, ConsoleError> {
    let body = as_json(&form.fields, editing.is_some());
    match validate(fields_of(&body), true, st.pinger.allows_private()).await {
        Ok(input) => Ok(Ok(input)),
        Err(e) => {
            let chosen = form.fields.all("eventTypes");
            let values =
                FormValues { enabled: editing.is_none() || form.fields.checked("enabled"), ..values_of(&form.fields) };
            let page = form_page(
                form.who.chrome("webhooks"),
                editing.map(str::to_owned),
                (st, values),
                &|n: &str| chosen.contains(&n),
                e,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
            Ok(Err(page))
        }
    }
}

pub async fn create(State(st): State<AppState>, form: Posted) -> Result<Response, ConsoleError> {
    let input = match checked(&st, &form, None).await? {
        Ok(input) => input,
        Err(page) => return Ok(page),
    };
    let org = form.analyst().org.clone();
    let (ep, secret) =
        fml_outbound::endpoints::create(&st.ctx, &st.config.master_key, &org, input, Operator::Analyst(form.analyst()))
            .await?;
    // POST → 303 → GET: a reload shows the list, and never adds a second endpoint; the
    // signing secret is shown there once.
    let mut res = Redirect::to("/config/webhooks").into_response();
    if let Some(cookie) = crate::flash::set(&st, &form.who.session, CREATED, (ep.id, ep.label, secret.expose())) {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(res)
}

/// "Send test ping": a signed `ping` to the URL typed, with the secret typed (or a generated
/// one), before anything is saved.
pub async fn ping(State(st): State<AppState>, form: Posted) -> Result<Response, ConsoleError> {
    let body = as_json(&form.fields, false);
    let only = EndpointFields { label: None, event_types: None, enabled: None, ..fields_of(&body) };
    let chrome = form.who.chrome("webhooks");
    let chosen = form.fields.all("eventTypes");
    let checked = |n: &str| chosen.contains(&n);
    let editing = Some(form.fields.text("editing").to_owned()).filter(|s| !s.is_empty());
    let input = match validate(only, true, st.pinger.allows_private()).await {
        Ok(input) => input,
        Err(e) => {
            let errors = e;
            if form.fragment {
                let text = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
                let view = PingView {
                    delivery_id: None,
                    ok: false,
                    status: 0,
                    body: String::new(),
                    error: text,
                    duration_ms: 0,
                    generated: false,
                };
                return Ok(html(StatusCode::OK, PingFragment { ping: &view }.render()));
            }
            let values = values_of(&form.fields);
            return Ok(form_page(
                chrome,
                editing,
                (&st, values),
                &checked,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let Some(url) = input.url else { return Err(ConsoleError::Internal("validated without a url".into())) };
    let result = st.pinger.ping_unsaved(&form.analyst().org, &url, input.secret, input.scheme).await?;
    let view = PingView::of(&result);
    if form.fragment {
        return Ok(html(StatusCode::OK, PingFragment { ping: &view }.render()));
    }
    let values = (&st, values_of(&form.fields));
    Ok(form_page(chrome, editing, values, &checked, Vec::new(), Some(view), StatusCode::OK))
}

async fn load(st: &AppState, org: &fml_domain::OrgId, id: &str) -> Result<Endpoint, ConsoleError> {
    Ok(fml_app::queries::endpoint(&st.ctx, org, id).await?)
}

pub async fn edit(State(st): State<AppState>, who: Viewer, Path(id): Path<String>) -> Result<Response, ConsoleError> {
    let ep = load(&st, &who.analyst.org, &id).await?;
    let values = FormValues {
        url: ep.url.clone(),
        label: ep.label.clone(),
        enabled: ep.enabled,
        scheme: ep.signature_scheme.clone(),
        ..FormValues::default()
    };
    let types = ep.event_types.clone();
    let checked = |n: &str| types.iter().any(|t| t == n);
    Ok(form_page(who.chrome("webhooks"), Some(ep.id), (&st, values), &checked, Vec::new(), None, StatusCode::OK))
}

pub async fn update(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let org = form.analyst().org.clone();
    load(&st, &org, &id).await?;
    let input = match checked(&st, &form, Some(&id)).await? {
        Ok(input) => input,
        Err(page) => return Ok(page),
    };
    let by = Operator::Analyst(form.analyst());
    let (ep, secret) = fml_outbound::endpoints::update(&st.ctx, &st.config.master_key, &org, &id, input, by).await?;
    match secret {
        // A new secret (a rotation): shown once on the list, as a created endpoint's is; a
        // reload of the list never rotates it again.
        Some(s) => {
            let mut res = Redirect::to("/config/webhooks?done=saved").into_response();
            if let Some(cookie) = crate::flash::set(&st, &form.who.session, CREATED, (ep.id, ep.label, s.expose())) {
                res.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(res)
        }
        None => Ok(Redirect::to("/config/webhooks?done=saved").into_response()),
    }
}

pub async fn set_enabled(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let enabled = form.fields.text("enabled") == "true";
    let input = fml_outbound::endpoints::EndpointInput { enabled: Some(enabled), ..Default::default() };
    let org = form.analyst().org.clone();
    fml_outbound::endpoints::update(
        &st.ctx,
        &st.config.master_key,
        &org,
        &id,
        input,
        Operator::Analyst(form.analyst()),
    )
    .await?;
    Ok(Redirect::to(if enabled { "/config/webhooks?done=enabled" } else { "/config/webhooks?done=disabled" })
        .into_response())
}

/// The saved endpoint's "Test": the same ping, signed with the stored secret.
pub async fn test(State(st): State<AppState>, Path(id): Path<String>, form: Posted) -> Result<Response, ConsoleError> {
    let ep = load(&st, &form.analyst().org, &id).await?;
    let result = st.pinger.test_saved(&form.analyst().org, &ep).await?;
    let view = PingView::of(&result);
    if form.fragment {
        return Ok(html(StatusCode::OK, PingFragment { ping: &view }.render()));
    }
    #[derive(Template)]
    #[template(path = "console/test_result.html")]
    struct TestPage<'a> {
        chrome: Chrome,
        label: &'a str,
        url: &'a str,
        ping: &'a PingView,
    }
    let page = TestPage { chrome: form.who.chrome("webhooks"), label: &ep.label, url: &ep.url, ping: &view };
    Ok(html(StatusCode::OK, page.render()))
}

pub async fn confirm_delete(
    State(st): State<AppState>,
    who: Viewer,
    Path(id): Path<String>,
) -> Result<Response, ConsoleError> {
    let ep = load(&st, &who.analyst.org, &id).await?;
    let view = Confirm {
        chrome: who.chrome("webhooks"),
        title: format!("Delete “{}”?", ep.label),
        message: format!(
            "Events stop going to {}. Deliveries still queued for it fail; its delivery history stays readable. This cannot be undone.",
            ep.url
        ),
        action: format!("/config/webhooks/{}/delete", path_segment(&ep.id)),
        button: "Delete endpoint",
        back: "/config/webhooks",
    };
    Ok(html(StatusCode::OK, view.render()))
}

pub async fn delete(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    fml_outbound::endpoints::delete(&st.ctx, &form.analyst().org, &id, Operator::Analyst(form.analyst())).await?;
    Ok(Redirect::to("/config/webhooks?done=deleted").into_response())
}
