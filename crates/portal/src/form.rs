//! The application form: its fields (company, address, people) prefilled from an
//! application, and the application read back from a post (JSON as is, or the form's fields),
//! kept for redisplay whatever its errors.

use axum::extract::Request;
use axum::http::header;
use fml_domain::FieldError;
use fml_domain::application::{Application, Director, MAX_PEOPLE, Shareholder};
use fml_web::error::ApiError;
use fml_web::state::AppState;
use serde_json::Value;

use crate::respond::is_json;
use crate::view::{Field, Fieldset};

/// What the customer pressed on a form that posts the application (its `then` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    Save,
    /// "Submit application": save what is on the page, then submit.
    Submit,
    /// "Add another director" / "… shareholder": the same page with one more row.
    AddDirector,
    AddShareholder,
}

impl Then {
    pub fn of(body: &Value) -> Self {
        match body.get("then").and_then(Value::as_str) {
            Some("submit") => Then::Submit,
            Some("add_director") => Then::AddDirector,
            Some("add_shareholder") => Then::AddShareholder,
            _ => Then::Save,
        }
    }

    /// The rows it adds, if it asks for one.
    pub fn extra(self) -> Option<Extra> {
        match self {
            Then::AddDirector => Some(Extra { directors: 1, shareholders: 0 }),
            Then::AddShareholder => Some(Extra { directors: 0, shareholders: 1 }),
            Then::Save | Then::Submit => None,
        }
    }
}

/// Blank rows beyond the usual one, asked for by "Add another …".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extra {
    pub directors: usize,
    pub shareholders: usize,
}

/// How many rows a list of `filled` people shows: each person, one blank row to add another
/// (at least two rows), and what "Add another" asked for, up to the most a form takes.
fn rows(filled: usize, extra: usize) -> usize {
    ((filled + 1).max(2) + extra).min(MAX_PEOPLE)
}

/// The form's fieldsets: the company, then one per person (see [`rows`]). The first director
/// is needed to submit; every other row is optional as a whole, and a row in use needs its
/// person's name and email (a shareholder's ownership too).
pub fn fieldsets(app: &Application, errors: &[FieldError], extra: Extra) -> Vec<Fieldset> {
    let company = Fieldset {
        legend: "Company".into(),
        fields: vec![
            Field::new("companyName", "Registered company name", &app.company_name, "text", errors).required(),
            Field::new(
                "companyNumber",
                "Company registration number",
                app.company_number.as_deref().unwrap_or(""),
                "text",
                errors,
            ),
            Field::new(
                "country",
                "Country of incorporation",
                app.country.as_ref().map_or("", |c| c.as_str()),
                "text",
                errors,
            )
            .countries(),
            Field::new("registeredAddress", "Registered address", &app.registered_address, "textarea", errors)
                .required(),
        ],
    };
    let mut out = vec![company];
    for i in 0..rows(app.directors.len(), extra.directors) {
        let d = app.directors.get(i).cloned().unwrap_or_default();
        let p = format!("directors[{i}]");
        let legend = if i == 0 { "Director 1".to_owned() } else { format!("Director {} (if any)", i + 1) };
        out.push(Fieldset {
            legend,
            fields: vec![
                Field::new(&format!("{p}.fullName"), "Full name", &d.full_name, "text", errors).with_its_row(),
                Field::new(&format!("{p}.email"), "Email address", &d.email, "email", errors).with_its_row(),
                Field::new(
                    &format!("{p}.dateOfBirth"),
                    "Date of birth",
                    d.date_of_birth.as_deref().unwrap_or(""),
                    "date",
                    errors,
                ),
            ],
        });
    }
    for i in 0..rows(app.shareholders.len(), extra.shareholders) {
        let sh = app.shareholders.get(i).cloned().unwrap_or_default();
        let p = format!("shareholders[{i}]");
        out.push(Fieldset {
            legend: format!("Shareholder {} (if any)", i + 1),
            fields: vec![
                Field::new(&format!("{p}.fullName"), "Full name", &sh.full_name, "text", errors).with_its_row(),
                Field::new(&format!("{p}.email"), "Email address", &sh.email, "email", errors).with_its_row(),
                Field::new(&format!("{p}.ownershipPercent"), "Ownership (%)", &sh.ownership_percent, "text", errors)
                    .with_its_row(),
            ],
        });
    }
    out
}

/// The application in a request: JSON as is, or the form's fields; and whether it was JSON.
pub async fn read(req: Request, st: &AppState) -> Result<(bool, Value), ApiError> {
    let json = is_json(req.headers());
    let form = fml_web::extract::media_type(req.headers().get(header::CONTENT_TYPE))
        .is_some_and(|m| m == "application/x-www-form-urlencoded");
    if !json && !form {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = fml_web::extract::read_body(req, st).await?;
    if json {
        let v = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::BadRequest("invalid_json", format!("the body is not valid JSON: {e}")))?;
        Ok((true, v))
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| ApiError::BadRequest("invalid_request", format!("the form could not be read: {e}")))?;
        Ok((false, Application::form_to_json(&pairs)))
    }
}

/// The customer's input as an application for redisplay, whatever its errors.
pub fn lenient_draft(v: &Value) -> Application {
    let s = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let people = |k: &str| v.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    Application {
        company_name: s(v, "companyName"),
        company_number: Some(s(v, "companyNumber")).filter(|x| !x.is_empty()),
        country: fml_domain::CountryCode::parse(&s(v, "country")).ok(),
        registered_address: s(v, "registeredAddress"),
        directors: people("directors")
            .iter()
            .map(|d| Director {
                full_name: s(d, "fullName"),
                email: s(d, "email"),
                date_of_birth: Some(s(d, "dateOfBirth")).filter(|x| !x.is_empty()),
            })
            .collect(),
        shareholders: people("shareholders")
            .iter()
            .map(|p| Shareholder {
                full_name: s(p, "fullName"),
                email: s(p, "email"),
                ownership_percent: s(p, "ownershipPercent"),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_has_a_blank_row_and_at_least_two_of_each() {
        let sets = fieldsets(&Application::default(), &[], Extra::default());
        let legends: Vec<&str> = sets.iter().map(|s| s.legend.as_str()).collect();
        assert_eq!(
            legends,
            ["Company", "Director 1", "Director 2 (if any)", "Shareholder 1 (if any)", "Shareholder 2 (if any)"]
        );
        assert_eq!(sets[1].fields[0].id, "directors-0-fullName");
        assert!(sets[0].fields[0].required && !sets[1].fields[0].required);
        // A person's name and email are marked neither required nor optional; a birth date is
        // optional.
        assert!(!sets[1].fields[1].optional && !sets[1].fields[1].required && sets[1].fields[2].optional);
        assert_eq!(sets[0].fields[2].kind, "select");
    }

    #[test]
    fn add_another_adds_one_row_up_to_the_most_a_form_takes() {
        let one = Application {
            directors: vec![Director { full_name: "A".into(), email: "a@x.test".into(), date_of_birth: None }],
            ..Application::default()
        };
        let count = |sets: &[Fieldset], who: &str| sets.iter().filter(|s| s.legend.starts_with(who)).count();
        let sets = fieldsets(&one, &[], Extra { directors: 1, shareholders: 0 });
        assert_eq!((count(&sets, "Director"), count(&sets, "Shareholder")), (3, 2));
        assert_eq!(rows(MAX_PEOPLE, 1), MAX_PEOPLE);
        assert_eq!(
            Then::of(&serde_json::json!({"then": "add_shareholder"})).extra(),
            Some(Extra { directors: 0, shareholders: 1 })
        );
        assert_eq!(Then::of(&serde_json::json!({})), Then::Save);
    }
}
