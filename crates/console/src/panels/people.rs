//! The people panel (the case's people and their links to known persons) and the identity
//! verification panel (each person's check, with the forms to send links and record results).

use askama::Template;
use fml_app::queries::CasePage;

use super::{Rendered, rendered};
use crate::error::ConsoleError;
use crate::view::Echo;

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
    /// The identity documents on file for the linked Person (valid, from any case).
    pub attached: Vec<String>,
    /// The document chosen in the attach form, when that form was refused.
    pub chosen: String,
}

#[derive(Template)]
#[template(path = "console/panels/people.html")]
struct People<'a> {
    csrf: &'a str,
    people: Vec<PersonRow>,
    /// The case's documents, for the attach form: (id, label).
    documents: Vec<(i64, String)>,
}

pub(super) fn people(page: &CasePage, csrf: &str, echo: &Echo) -> Result<Rendered, ConsoleError> {
    let c = &page.engines.case;
    let documents: Vec<(i64, String)> = page
        .engines
        .documents
        .iter()
        .map(|d| {
            let label = match &d.document_type {
                Some(t) => format!("{} ({t})", d.filename),
                None => d.filename.clone(),
            };
            (d.id.0, label)
        })
        .collect();
    let people = page
        .people
        .iter()
        .map(|r| PersonRow {
            attached: r
                .attached
                .iter()
                .map(|id| match page.engines.documents.iter().find(|d| d.id == *id) {
                    Some(d) => d.filename.clone(),
                    None => format!("document {} of another case", id.0),
                })
                .collect(),
            chosen: echo.value(&format!("attach-{}", r.person.entry.person_key), "document").to_owned(),
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
    rendered("people", "People", People { csrf, people, documents })
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

pub(super) fn idv(page: &CasePage, csrf: &str) -> Result<Rendered, ConsoleError> {
    let (c, checks) = (&page.engines.case, &page.engines.idv);
    let people = page
        .people
        .iter()
        .map(|r| &r.person)
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
                key: p.entry.person_key.clone(),
                name: p.entry.display_name.clone(),
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
