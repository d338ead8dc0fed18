//! The application form: its fields (company, address, people) prefilled from an
//! application, and the application read back from a post (JSON as is, or the form's fields),
//! kept for redisplay whatever its errors.

use axum::extract::Request;
use axum::http::header;
use fml_domain::FieldError;
use fml_domain::application::{Application, Director, Shareholder};
use fml_web::error::ApiError;
use fml_web::state::AppState;
use serde_json::Value;

use crate::respond::is_json;
use crate::view::{Field, Fieldset};

/// The form's fieldsets: the company, then one per person and one blank row to add another
/// (at least two rows of each kind).
pub fn fieldsets(app: &Application, errors: &[FieldError]) -> Vec<Fieldset> {
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
            ),
            Field::new("registeredAddress", "Registered address", &app.registered_address, "textarea", errors)
                .required(),
        ],
    };
    let person = |legend: String, prefix: String, fields: [(&str, &str, &str, &'static str); 3]| Fieldset {
        legend,
        fields: fields
            .into_iter()
            .map(|(field, label, value, kind)| Field::new(&format!("{prefix}.{field}"), label, value, kind, errors))
            .collect(),
    };
    let mut out = vec![company];
    for i in 0..(app.directors.len() + 1).max(2) {
        let d = app.directors.get(i).cloned().unwrap_or_default();
        let fields = [
            ("fullName", "Full name", d.full_name.as_str(), "text"),
            ("email", "Email", d.email.as_str(), "email"),
            ("dateOfBirth", "Date of birth", d.date_of_birth.as_deref().unwrap_or(""), "date"),
        ];
        out.push(person(format!("Director {}", i + 1), format!("directors[{i}]"), fields));
    }
    for i in 0..(app.shareholders.len() + 1).max(2) {
        let sh = app.shareholders.get(i).cloned().unwrap_or_default();
        let fields = [
            ("fullName", "Full name", sh.full_name.as_str(), "text"),
            ("email", "Email", sh.email.as_str(), "email"),
            ("ownershipPercent", "Ownership (%)", sh.ownership_percent.as_str(), "text"),
        ];
        out.push(person(format!("Shareholder {}", i + 1), format!("shareholders[{i}]"), fields));
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
        let sets = fieldsets(&Application::default(), &[]);
        let legends: Vec<&str> = sets.iter().map(|s| s.legend.as_str()).collect();
        assert_eq!(legends, ["Company", "Director 1", "Director 2", "Shareholder 1", "Shareholder 2"]);
        assert_eq!(sets[1].fields[0].id, "directors-0-fullName");
        assert!(sets[0].fields[0].required && !sets[1].fields[0].required);
    }
}
