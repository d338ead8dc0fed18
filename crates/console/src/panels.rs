//! The case view's panels: each is one template over one query, so a decision engine adds
//! its panel (screening, risk, routing, identity, AI review) as one more loader here.

use askama::Template;
use fml_app::Analyst;
use fml_store::cases::CaseRecord;
use serde_json::Value;

use crate::decision::Allowed;
use crate::error::ConsoleError;
use crate::view::{Echo, When};
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
        overview(st, who, csrf, case, allowed).await?,
        people(st, csrf, case, echo).await?,
        documents(st, who, csrf, case, echo).await?,
        idv(st, who, csrf, case).await?,
        screening(st, who, csrf, case, echo).await?,
        risk(st, who, csrf, case).await?,
        monitoring(st, who, csrf, case, echo).await?,
        ai_review(st, who, csrf, case).await?,
        edd(st, who, csrf, case, echo).await?,
        deliveries(st, who, case).await?,
        timeline(st, who, case).await?,
    ])
}

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

async fn overview(
    st: &AppState,
    who: &Analyst,
    csrf: &str,
    c: &CaseRecord,
    allowed: &Allowed,
) -> Result<Rendered, ConsoleError> {
    let analysts = fml_store::analysts::list(&st.db, &who.org).await?;
    let mut facts = Vec::new();
    let mut fact = |label, v: Option<String>| {
        if let Some(value) = v.filter(|v| !v.is_empty()) {
            facts.push(Fact { label, value });
        }
    };
    fact("Reference", Some(c.reference.as_str().to_owned()));
    fact("Company", c.company_name.clone());
    fact("Company number", c.company_number.clone());
    fact("Country", c.country.as_ref().map(|k| k.as_str().to_owned()));
    fact("Entity type", c.entity_type.clone());
    fact("Customer", c.customer_name.clone());
    fact("Customer email", c.customer_email.clone());
    fact("CRM record", c.crm_record_id.clone());
    fact("CRM", c.crm_source.clone());
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

pub struct PersonRow {
    pub key: String,
    pub name: String,
    pub email: String,
    pub dob: String,
    pub roles: String,
    pub ownership: String,
    pub resolution: &'static str,
    pub linked: bool,
    pub candidates: Vec<(i64, String)>,
    /// The unlink reason as posted, when that form was refused.
    pub reason: String,
    /// Its path on the case (`/people/<key>`), percent-encoded.
    pub path: String,
}

#[derive(Template)]
#[template(path = "console/panels/people.html")]
struct People<'a> {
    csrf: &'a str,
    people: Vec<PersonRow>,
}

async fn people(st: &AppState, csrf: &str, c: &CaseRecord, echo: &Echo) -> Result<Rendered, ConsoleError> {
    let roster = fml_app::persons::roster_of(&st.ctx, c).await?;
    let people = roster
        .into_iter()
        .map(|r| PersonRow {
            reason: echo.value(&format!("unlink-{}", r.person.entry.person_key), "reason").to_owned(),
            path: format!("/cases/{}/people/{}", c.id, crate::links::path_segment(&r.person.entry.person_key)),
            key: r.person.entry.person_key.clone(),
            name: r.person.entry.display_name.clone(),
            email: r.person.entry.email.clone().unwrap_or_default(),
            dob: r.person.entry.date_of_birth.clone().unwrap_or_default(),
            roles: r.person.entry.roles.join(", "),
            ownership: r.person.entry.ownership_percent.clone().map(|p| format!("{p} %")).unwrap_or_default(),
            resolution: r.person.resolution.as_str(),
            linked: r.person.resolution.is_linked(),
            candidates: r
                .candidates
                .iter()
                .map(|p| {
                    let extra =
                        [p.email.as_deref(), p.date_of_birth.as_deref()].into_iter().flatten().collect::<Vec<_>>();
                    let label = if extra.is_empty() {
                        p.display_name.clone()
                    } else {
                        format!("{} ({})", p.display_name, extra.join(", "))
                    };
                    (p.id.0, label)
                })
                .collect(),
        })
        .collect();
    rendered("people", "People", People { csrf, people })
}

pub struct DocumentRow {
    pub id: i64,
    pub filename: String,
    pub kind: String,
    pub size: String,
    pub status: &'static str,
    pub errored: bool,
    pub uploaded_by: String,
    pub uploaded: When,
    pub href: String,
    /// The override note as posted, when that form was refused.
    pub note: String,
    /// What processing read: its confidence, fields, warnings and missing fields, or why it
    /// could not.
    pub confidence: String,
    pub fields: Vec<(String, String)>,
    pub warnings: Vec<String>,
    pub missing: Vec<String>,
    pub error: String,
}

#[derive(Template)]
#[template(path = "console/panels/documents.html")]
struct Documents<'a> {
    csrf: &'a str,
    id: String,
    documents: Vec<DocumentRow>,
}

fn human_size(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{:.0} KiB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

async fn documents(
    st: &AppState,
    who: &Analyst,
    csrf: &str,
    c: &CaseRecord,
    echo: &Echo,
) -> Result<Rendered, ConsoleError> {
    let mut r = st.db.reader().await?;
    let docs = fml_store::documents::for_case(r.conn(), &who.org, c.id).await?;
    drop(r);
    let documents = docs
        .into_iter()
        .map(|d| DocumentRow {
            note: echo.value(&format!("document-{}", d.id.0), "note").to_owned(),
            href: format!("/api/cases/{}/documents/{}", c.id, d.id.0),
            id: d.id.0,
            kind: d.document_type.clone().unwrap_or_else(|| d.file_type.content_type().to_owned()),
            size: human_size(d.size),
            status: d.status.as_str(),
            errored: d.status == fml_domain::document::DocumentStatus::Error,
            uploaded_by: d.uploaded_by.clone(),
            uploaded: d.created_at.into(),
            confidence: d.extraction.as_ref().map(|e| format!("{:?}", e.confidence)).unwrap_or_default(),
            fields: d
                .extraction
                .as_ref()
                .map(|e| e.fields.iter().map(|f| (f.name.clone(), f.value.clone())).collect())
                .unwrap_or_default(),
            warnings: d.extraction.as_ref().map(|e| e.warnings.clone()).unwrap_or_default(),
            missing: d.extraction.as_ref().map(|e| e.missing_fields.clone()).unwrap_or_default(),
            error: d.processing_error.clone().unwrap_or_default(),
            filename: d.filename,
        })
        .collect();
    rendered("documents", "Documents", Documents { csrf, id: c.id.to_string(), documents })
}

/// One person's identity verification.
pub struct IdvLine {
    pub key: String,
    pub name: String,
    pub roles: String,
    /// `not sent`, `dispatched`, `satisfied`, `pass`, `fail`, `manual_review`.
    pub status: String,
    pub detail: String,
    pub can_send: bool,
    /// Waiting or in manual review: an analyst may record the result.
    pub can_resolve: bool,
}

#[derive(Template)]
#[template(path = "console/panels/idv.html")]
struct Idv<'a> {
    csrf: &'a str,
    id: String,
    people: Vec<IdvLine>,
    /// People with an email and no link yet: "Send identity links" sends them theirs.
    unsent: usize,
    /// The case came through the public application link, whose submission sends no links.
    public_link: bool,
}

async fn idv(st: &AppState, who: &Analyst, csrf: &str, c: &CaseRecord) -> Result<Rendered, ConsoleError> {
    let mut r = st.db.reader().await?;
    let roster = fml_store::persons::roster(r.conn(), &who.org, c.id).await?;
    let checks = fml_store::idv::for_case(r.conn(), &who.org, c.id).await?;
    drop(r);
    let people = roster
        .into_iter()
        .filter(|p| fml_domain::idv::needs_idv(&p.entry.roles))
        .map(|p| {
            let check = checks.iter().find(|k| k.person_key == p.entry.person_key);
            let detail = match check {
                None => String::new(),
                Some(k) => match (k.satisfied_by_doc, &k.vendor_status) {
                    (Some(doc), _) => format!("identity document #{doc} on file"),
                    (None, Some(v)) => format!("{}: {v}", k.vendor),
                    (None, None) => format!("link sent by {} via {}", k.dispatched_by, k.vendor),
                },
            };
            IdvLine {
                status: check.map_or("not sent", |k| k.status.as_str()).to_owned(),
                can_send: !c.status.is_final()
                    && p.entry.email.is_some()
                    && check.is_none_or(|k| k.status != fml_domain::idv::IdvStatus::Pass),
                can_resolve: !c.status.is_final()
                    && check.is_some_and(|k| {
                        matches!(
                            k.status,
                            fml_domain::idv::IdvStatus::Dispatched | fml_domain::idv::IdvStatus::ManualReview
                        )
                    }),
                key: p.entry.person_key,
                name: p.entry.display_name,
                roles: p.entry.roles.join(", "),
                detail,
            }
        })
        .collect::<Vec<IdvLine>>();
    let unsent =
        if c.status.is_final() { 0 } else { people.iter().filter(|p| p.status == "not sent" && p.can_send).count() };
    let public_link = matches!(c.source, fml_domain::CaseSource::ApplicationForm | fml_domain::CaseSource::DocUpload);
    rendered("idv", "Identity verification", Idv { csrf, id: c.id.to_string(), people, unsent, public_link })
}

pub struct SubjectLine {
    pub name: String,
    pub role: String,
    pub status: String,
}

pub struct HitLine {
    pub id: i64,
    pub subject: String,
    pub entity_id: String,
    pub caption: String,
    pub url: String,
    pub standing: String,
    pub score: String,
    pub matched_name: String,
    pub birth_date: String,
    pub country: String,
    pub triage: String,
    pub confidence: String,
    pub reason: String,
    pub model: String,
    pub review: Option<(String, String, String, When)>,
    /// The review as posted, when that form was refused.
    pub note: String,
}

#[derive(Template)]
#[template(path = "console/panels/screening.html")]
struct Screening<'a> {
    csrf: &'a str,
    id: String,
    run: Option<(String, When, i64, String)>,
    subjects: Vec<SubjectLine>,
    hits: Vec<HitLine>,
}

async fn screening(
    st: &AppState,
    who: &Analyst,
    csrf: &str,
    c: &CaseRecord,
    echo: &Echo,
) -> Result<Rendered, ConsoleError> {
    let latest = fml_app::screening::latest(&st.ctx, &who.org, c.id).await?;
    let (run, subjects, hits) = match latest {
        None => (None, Vec::new(), Vec::new()),
        Some((run, hits)) => {
            let summary: Vec<Value> = serde_json::from_str(&run.summary).unwrap_or_default();
            let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            let subjects = summary
                .iter()
                .map(|s| SubjectLine {
                    name: text(s, "name"),
                    role: Some(text(s, "role")).filter(|r| !r.is_empty()).unwrap_or_else(|| "company".into()),
                    status: text(s, "status"),
                })
                .collect();
            let hits = hits
                .into_iter()
                .map(|h| {
                    let f: Value = serde_json::from_str(&h.features).unwrap_or_default();
                    let e: Value = serde_json::from_str(&h.entity).unwrap_or_default();
                    HitLine {
                        note: echo.value(&format!("hit-{}", h.id), "note").to_owned(),
                        id: h.id,
                        subject: h.subject_name,
                        caption: text(&e, "caption"),
                        url: web_link(e.pointer("/article/url").and_then(Value::as_str).unwrap_or_default()),
                        entity_id: h.entity_id,
                        standing: h.standing,
                        score: format!("{:.0} %", h.score * 100.0),
                        matched_name: text(&f, "matchedName"),
                        birth_date: text(&f, "birthDate"),
                        country: text(&f, "country"),
                        triage: h.disposition.replace('_', " "),
                        confidence: format!("{:.0}", h.confidence),
                        reason: h.short_reason,
                        model: h.model,
                        review: match (h.review_disposition, h.reviewed_by, h.reviewed_at) {
                            (Some(d), Some(by), Some(at)) => {
                                Some((d.replace('_', " "), h.review_note.unwrap_or_default(), by, When::millis(at)))
                            }
                            _ => None,
                        },
                    }
                })
                .collect();
            let list = format!("list version {}, threshold {:.2}", run.list_version, run.threshold);
            (Some((run.triggered_by, When::millis(run.completed_at), run.id, list)), subjects, hits)
        }
    };
    rendered("screening", "Screening", Screening { csrf, id: c.id.to_string(), run, subjects, hits })
}

pub struct FactorLine {
    pub label: String,
    pub score: String,
    pub weight: String,
    pub contribution: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "console/panels/risk.html")]
struct Risk<'a> {
    csrf: &'a str,
    id: String,
    /// Score, band id, band label, by, when, config id, override reason.
    assessment: Option<(String, String, String, String, When, i64, String)>,
    factors: Vec<FactorLine>,
    /// Policy name, rule, outcome, decided.
    routing: Option<(String, String, String, String)>,
}

async fn risk(st: &AppState, who: &Analyst, csrf: &str, c: &CaseRecord) -> Result<Rendered, ConsoleError> {
    let (a, r) = {
        let mut conn = st.db.reader().await?;
        let a = fml_store::risk::latest_assessment(conn.conn(), &who.org, c.id).await?;
        let r = fml_store::risk::latest_routing(conn.conn(), &who.org, c.id).await?;
        (a, r)
    };
    let factors = a
        .as_ref()
        .map(|a| serde_json::from_str::<Vec<Value>>(&a.factors).unwrap_or_default())
        .unwrap_or_default()
        .iter()
        .map(|f| {
            let n = |k: &str| f.get(k).and_then(Value::as_f64).unwrap_or(0.0);
            FactorLine {
                label: f.get("label").and_then(Value::as_str).unwrap_or_default().to_owned(),
                score: format!("{:.0}", n("score")),
                weight: format!("{:.0}", n("weight")),
                contribution: format!("{:.1}", n("contribution")),
                reason: f.get("reason").and_then(Value::as_str).unwrap_or_default().to_owned(),
            }
        })
        .collect();
    let assessment = a.map(|a| {
        (
            format!("{:.0}", a.composite_score),
            a.band,
            a.band_label,
            a.assessed_by,
            When::millis(a.assessed_at),
            a.config_id,
            a.override_reason.unwrap_or_default(),
        )
    });
    let routing = r.map(|r| {
        let rule = r.matched_rule_index.map_or_else(|| "default branch".to_owned(), |i| format!("rule {i}"));
        (r.policy_name, rule, r.outcome, r.decided.unwrap_or_default())
    });
    rendered("risk", "Risk and routing", Risk { csrf, id: c.id.to_string(), assessment, factors, routing })
}

pub struct AlertLine {
    pub id: i64,
    pub severity: String,
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub created: When,
    /// Resolved: by whom, when, note.
    pub resolved: Option<(String, When, String)>,
    /// The note as posted, when that form was refused.
    pub note: String,
}

#[derive(Template)]
#[template(path = "console/panels/monitoring.html")]
struct Monitoring<'a> {
    csrf: &'a str,
    id: String,
    /// By, when, alerts, of the latest run; how many runs.
    last_run: Option<(String, When, i32)>,
    alerts: Vec<AlertLine>,
}

async fn monitoring(
    st: &AppState,
    who: &Analyst,
    csrf: &str,
    c: &CaseRecord,
    echo: &Echo,
) -> Result<Rendered, ConsoleError> {
    let (runs, alerts) = {
        let mut r = st.db.reader().await?;
        fml_store::monitoring::for_case(r.conn(), &who.org, c.id).await?
    };
    let last_run = runs.first().map(|r| (r.triggered_by.clone(), When::millis(r.completed_at), r.alerts_generated));
    let alerts = alerts
        .into_iter()
        .map(|a| AlertLine {
            note: echo.value(&format!("alert-{}", a.id), "note").to_owned(),
            id: a.id,
            severity: a.severity,
            kind: a.alert_type.replace('_', " "),
            title: a.title,
            detail: a.detail,
            created: When::millis(a.created_at),
            resolved: match (a.resolved_by, a.resolved_at) {
                (Some(by), Some(at)) => Some((by, When::millis(at), a.resolution_note.unwrap_or_default())),
                _ => None,
            },
        })
        .collect();
    rendered("monitoring", "Monitoring", Monitoring { csrf, id: c.id.to_string(), last_run, alerts })
}

pub struct ReviewLine {
    pub recommendation: String,
    pub confidence: String,
    pub by: String,
    pub at: When,
    pub model: String,
    /// Text and severity (lower case).
    pub factors: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/panels/ai_review.html")]
struct AiReview<'a> {
    csrf: &'a str,
    id: String,
    latest: Option<ReviewLine>,
    earlier: usize,
}

async fn ai_review(st: &AppState, who: &Analyst, csrf: &str, c: &CaseRecord) -> Result<Rendered, ConsoleError> {
    let rows = {
        let mut r = st.db.reader().await?;
        fml_store::reviews::for_case(r.conn(), &who.org, c.id).await?
    };
    let earlier = rows.len().saturating_sub(1);
    let latest = rows.into_iter().next().map(|r| {
        let factors: Vec<Value> = serde_json::from_str(&r.risk_factors).unwrap_or_default();
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let factors = factors.iter().map(|f| (text(f, "text"), text(f, "severity").to_lowercase())).collect();
        ReviewLine {
            recommendation: r.recommendation,
            confidence: r.confidence,
            by: r.triggered_by,
            at: When::millis(r.completed_at),
            model: r.model,
            factors,
        }
    });
    rendered("ai-review", "Case review", AiReview { csrf, id: c.id.to_string(), latest, earlier })
}

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

async fn edd(st: &AppState, who: &Analyst, csrf: &str, c: &CaseRecord, echo: &Echo) -> Result<Rendered, ConsoleError> {
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

pub struct DeliveryLine {
    pub href: String,
    pub event: String,
    pub endpoint: String,
    pub status: String,
    pub http: String,
    pub attempts: i32,
    pub created: When,
}

#[derive(Template)]
#[template(path = "console/panels/deliveries.html")]
struct Deliveries {
    deliveries: Vec<DeliveryLine>,
}

async fn deliveries(st: &AppState, who: &Analyst, c: &CaseRecord) -> Result<Rendered, ConsoleError> {
    let filter = fml_store::deliveries::ListFilter { case_id: Some(c.id.to_string()), ..Default::default() };
    let rows = fml_store::deliveries::list(&st.db, &who.org, &filter, 20).await?;
    let labels = crate::deliveries::endpoint_labels(st, &who.org).await?;
    let deliveries = rows
        .into_iter()
        .map(|d| DeliveryLine {
            href: format!("/config/deliveries/{}", d.id),
            endpoint: labels.get(&d.endpoint_id).cloned().unwrap_or_else(|| "(deleted endpoint)".into()),
            http: d.last_http_status.map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
            attempts: d.attempt_count,
            created: When::millis(d.created_at),
            event: d.event_type,
            status: d.status,
        })
        .collect();
    rendered("deliveries", "Webhook deliveries", Deliveries { deliveries })
}

pub struct TimelineItem {
    pub event: String,
    pub at: Option<When>,
    pub by: String,
    pub summary: String,
    pub payload: String,
}

#[derive(Template)]
#[template(path = "console/panels/timeline.html")]
struct Timeline {
    items: Vec<TimelineItem>,
}

/// A line about an event: who acted (the payload's `…By` field, or the deciding analyst) and
/// the gist of what changed.
fn summarise(v: &Value) -> (String, String) {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let by = v
        .as_object()
        .and_then(|o| {
            o.iter().find(|(k, x)| (k.ends_with("By") || *k == "by" || *k == "analystEmail") && x.is_string())
        })
        .and_then(|(_, x)| x.as_str())
        .unwrap_or_default()
        .to_owned();
    let summary = match (s("previousStatus"), s("status")) {
        (Some(from), Some(to)) => format!("{from} → {to}"),
        _ => ["outcome", "recommendation", "note", "notes", "reason"]
            .iter()
            .find_map(|k| s(k).filter(|x| !x.is_empty()))
            .or_else(|| {
                v.get("filenames")
                    .and_then(Value::as_array)
                    .map(|f| f.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
            })
            .unwrap_or_default(),
    };
    (by, summary)
}

async fn timeline(st: &AppState, who: &Analyst, c: &CaseRecord) -> Result<Rendered, ConsoleError> {
    let payloads = fml_store::events::for_case(&st.db, &who.org, c.id, 200).await?;
    let items = payloads
        .iter()
        .map(|raw| {
            let v: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
            let (by, summary) = summarise(&v);
            TimelineItem {
                event: v.get("event").and_then(Value::as_str).unwrap_or("event").to_owned(),
                at: v
                    .get("timestamp")
                    .and_then(Value::as_str)
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| When::millis(t.timestamp_millis())),
                by,
                summary,
                payload: serde_json::to_string_pretty(&v).unwrap_or_else(|_| raw.clone()),
            }
        })
        .collect();
    rendered("timeline", "Activity", Timeline { items })
}

/// A watch list's link, shown only when it is a plain web address: a list entry is outside
/// data, and a `javascript:` or `data:` link in the console would run in the analyst's session.
fn web_link(raw: &str) -> String {
    let lower = raw.trim().to_ascii_lowercase();
    let host = lower.split_once("://").map_or("", |(_, rest)| rest);
    let web = (lower.starts_with("https://") || lower.starts_with("http://"))
        && !host.is_empty()
        && !host.starts_with('/')
        && !raw.trim().chars().any(|c| c.is_whitespace() || c.is_control());
    if web { raw.trim().to_owned() } else { String::new() }
}

#[cfg(test)]
mod tests {
    use super::web_link;

    #[test]
    fn only_web_links_are_shown() {
        for ok in ["https://example.org/a?b=c", "HTTP://Example.org", " https://x.example/ "] {
            assert_eq!(web_link(ok), ok.trim(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "JaVaScRiPt:x",
            "//evil.example",
            "https://",
            "https://a.example/\nx",
            "ftp://x.example",
            "vbscript:x",
            "",
        ] {
            assert_eq!(web_link(bad), "", "{bad}");
        }
    }
}
