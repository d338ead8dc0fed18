//! New case: an analyst opens a case by hand (`source: manual`, `case.created`), through the
//! opener the analyst API's `POST /api/cases` uses, optionally inviting the customer. POST →
//! 303 → the case page, so a reload never opens a second case; a refusal shows the form again
//! with what was typed and each error beside its field.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fml_app::opener::{Opened, OpenedBy, Opening};
use fml_domain::case::{CaseFields, NewCase};
use fml_domain::country::CountryCode;
use fml_domain::{CaseSource, FieldError};
use serde_json::Value;

use crate::error::ConsoleError;
use crate::form::{Fields, Posted};
use crate::html;
use crate::links::path_segment;
use crate::session::Viewer;
use crate::view::Chrome;
use fml_web::state::AppState;

/// The form's fields: (name posted, the API's field, the label people read).
const FIELDS: [(&str, &str, &str); 7] = [
    ("companyName", "companyName", "Company name"),
    ("companyNumber", "companyNumber", "Company number"),
    ("country", "country", "Country of incorporation"),
    ("customerName", "customerName", "Contact name"),
    ("customerEmail", "customerEmail", "Contact email"),
    ("crmRecordId", "crmRecordId", "CRM record id"),
    ("sendInvite", "sendInvite", "Invite"),
];

/// One refusal as the form shows it: which input, and a sentence.
pub struct Problem {
    pub field: &'static str,
    pub label: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "console/case_new.html")]
struct NewCasePage {
    chrome: Chrome,
    values: Fields,
    countries: Vec<(&'static str, String)>,
    /// The invite box: ticked on a fresh form, as posted after a refusal.
    invite: bool,
    problems: Vec<Problem>,
}

impl NewCasePage {
    fn value(&self, name: &str) -> &str {
        self.values.text(name)
    }

    fn problem(&self, field: &str) -> Option<&str> {
        self.problems.iter().find(|p| p.field == field).map(|p| p.message.as_str())
    }
}

fn page(chrome: Chrome, values: Fields, invite: bool, problems: Vec<Problem>, status: StatusCode) -> Response {
    let p = NewCasePage { chrome, values, countries: CountryCode::all(), invite, problems };
    html(status, p.render())
}

/// `GET /cases/new`.
pub async fn form(who: Viewer) -> Response {
    page(who.chrome("cases"), Fields::default(), true, Vec::new(), StatusCode::OK)
}

/// `POST /cases/new`: opens the case and answers 303 to it.
pub async fn create(State(st): State<AppState>, form: Posted) -> Result<Response, ConsoleError> {
    let invite = form.fields.checked("sendInvite");
    let (new_case, company_number) = match parse(&form.fields, invite) {
        Ok(parsed) => parsed,
        Err(problems) => {
            let chrome = form.who.chrome("cases");
            return Ok(page(chrome, form.fields, invite, problems, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let org = form.analyst().org.clone();
    let branding = if invite { Some(st.branding.get(&st.ctx, &org).await?) } else { None };
    let opening = Opening {
        org,
        source: CaseSource::Manual,
        by: OpenedBy::Analyst(form.analyst().email.clone()),
        company_number,
        new_case,
        claim: None,
    };
    let (case, done) = match fml_app::opener::open(&st.ctx, &st.cases, opening, branding.as_ref()).await? {
        Opened::Created { case, .. } => (case, if invite { "created-invited" } else { "created" }),
        // The CRM record already has a case: that one, said so (as the API answers 200).
        Opened::ExistingForCrm { case, .. } => (case, "existing-crm"),
        Opened::KeyTaken(_) => return Err(ConsoleError::Internal("a manual case carried an idempotency key".into())),
    };
    let to = format!("/cases/{}?done={done}", path_segment(&case.id.to_string()));
    Ok(Redirect::to(&to).into_response())
}

/// The posted form as the API's fields, checked by the same rules; every problem at once.
fn parse(fields: &Fields, invite: bool) -> Result<(NewCase, Option<String>), Vec<Problem>> {
    let text = |name: &str| Some(fields.text(name)).filter(|v| !v.is_empty()).map(|v| Value::String(v.to_owned()));
    let [company, number, country, name, email, crm] =
        ["companyName", "companyNumber", "country", "customerName", "customerEmail", "crmRecordId"].map(text);
    let send = Value::Bool(invite);
    let parsed = NewCase::from_fields(CaseFields {
        customer_email: email.as_ref(),
        customer_name: name.as_ref(),
        company_name: company.as_ref(),
        country: country.as_ref(),
        entity_type: None,
        crm_record_id: crm.as_ref(),
        crm_source: None,
        send_invite: Some(&send),
    });
    let number = fml_domain::case::parse_company_number(number.as_ref());
    let mut errors = match &parsed {
        Ok(_) => Vec::new(),
        Err(e) => e.clone(),
    };
    if let Err(e) = &number {
        errors.push(e.clone());
    }
    // The API lets a CRM open a case before the company is named; a person typing a case in
    // names it (and where it is registered): the case list and every email show them.
    if company.is_none() {
        errors.push(FieldError::new("companyName", "is required"));
    }
    if country.is_none() {
        errors.push(FieldError::new("country", "is required"));
    }
    match (parsed, number) {
        (Ok(c), Ok(n)) if errors.is_empty() => Ok((c, n)),
        _ => Err(problems(errors)),
    }
}

/// The validator's findings as sentences, in the form's order, one per field.
fn problems(errors: Vec<FieldError>) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    for (field, api, label) in FIELDS {
        let Some(e) = errors.iter().find(|e| e.field == api) else { continue };
        let message = if e.message == "is required" {
            let verb = if field == "country" { "Choose" } else { "Enter" };
            format!("{verb} the {}.", label.to_lowercase())
        } else if field == "country" {
            "Choose the country of incorporation from the list.".to_owned()
        } else if field == "customerEmail" {
            "Enter an email address like name@example.com.".to_owned()
        } else {
            let mut m = format!("{label} {}", e.message);
            if !m.ends_with('.') {
                m.push('.');
            }
            m
        };
        out.push(Problem { field, label, message });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_form_is_a_manual_case_with_its_invite_choice() {
        let f = Fields::of(&[
            ("companyName", " Acme Ltd "),
            ("companyNumber", "01234567"),
            ("country", "GB"),
            ("customerName", "Jane Doe"),
            ("customerEmail", "jane@acme.example"),
        ]);
        let (c, number) = parse(&f, false).map_err(|p| p.len()).unwrap();
        assert_eq!(c.company_name.as_deref(), Some("Acme Ltd"));
        assert_eq!(c.country.map(|c| c.as_str().to_owned()).as_deref(), Some("GB"));
        assert_eq!(number.as_deref(), Some("01234567"));
        assert!(!c.send_invite);
        assert_eq!(c.crm_record_id, None);
        assert!(parse(&f, true).map_err(|p| p.len()).unwrap().0.send_invite);
    }

    #[test]
    fn every_problem_is_a_sentence_naming_its_field_in_form_order() {
        let f = Fields::of(&[("customerEmail", "not an email"), ("country", "Narnia")]);
        let Err(p) = parse(&f, true) else { panic!("accepted") };
        let got: Vec<(&str, &str)> = p.iter().map(|p| (p.field, p.message.as_str())).collect();
        assert_eq!(
            got,
            [
                ("companyName", "Enter the company name."),
                ("country", "Choose the country of incorporation from the list."),
                ("customerEmail", "Enter an email address like name@example.com."),
            ]
        );
        let Err(p) = parse(&Fields::of(&[("companyName", "Acme"), ("country", "FR")]), true) else { panic!() };
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].field, p[0].message.as_str()), ("customerEmail", "Enter the contact email."));
    }

    #[test]
    fn a_crm_record_id_is_kept_for_the_crm_dedup() {
        let f = Fields::of(&[
            ("companyName", "Acme"),
            ("country", "FR"),
            ("customerEmail", "a@b.example"),
            ("crmRecordId", "hs-1"),
        ]);
        let (c, _) = parse(&f, false).map_err(|p| p.len()).unwrap();
        assert_eq!((c.crm_record_id.as_deref(), c.crm_source.as_deref()), (Some("hs-1"), None));
    }
}
