//! The application form: its fields (company, address, people) prefilled from an
//! application, and the application read back from a post (JSON as is, or the form's fields),
//! kept for redisplay whatever its errors.

use axum::extract::Request;
use axum::http::header;
use fml_domain::FieldError;
use fml_domain::application::{Application, Director, Shareholder};
use fml_web::error::ApiError;
use fml_web::html;
use fml_web::state::AppState;
use serde_json::Value;

use crate::respond::is_json;

/// The application form's fields (company, address, people), prefilled from `app`.
pub fn fields(app: &Application, errors: &[FieldError]) -> String {
    let err = |name: &str| errors.iter().find(|e| e.field == name).map(|e| e.message.as_str());
    let mut out = String::from("<fieldset><legend>Company</legend>");
    out += &html::input("companyName", "Registered company name", &app.company_name, "text", true, err("companyName"));
    out += &html::input(
        "companyNumber",
        "Company registration number",
        app.company_number.as_deref().unwrap_or(""),
        "text",
        false,
        err("companyNumber"),
    );
    out += &html::input(
        "country",
        "Country of incorporation",
        &app.country.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        "text",
        false,
        err("country"),
    );
    out += &html::textarea(
        "registeredAddress",
        "Registered address",
        &app.registered_address,
        true,
        err("registeredAddress"),
    );
    out += "</fieldset>";
    // One fieldset per person, and one blank row to add another (at least two rows).
    let person = |out: &mut String, legend: &str, prefix: &str, fields: [(&str, &str, &str, &str); 3]| {
        *out += &format!("<fieldset><legend>{legend}</legend>");
        for (field, label, value, kind) in fields {
            let name = format!("{prefix}.{field}");
            *out += &html::input(&name, label, value, kind, false, err(&name));
        }
        *out += "</fieldset>";
    };
    for i in 0..(app.directors.len() + 1).max(2) {
        let d = app.directors.get(i).cloned().unwrap_or_default();
        let fields = [
            ("fullName", "Full name", d.full_name.as_str(), "text"),
            ("email", "Email", d.email.as_str(), "email"),
            ("dateOfBirth", "Date of birth", d.date_of_birth.as_deref().unwrap_or(""), "date"),
        ];
        person(&mut out, &format!("Director {}", i + 1), &format!("directors[{i}]"), fields);
    }
    for i in 0..(app.shareholders.len() + 1).max(2) {
        let sh = app.shareholders.get(i).cloned().unwrap_or_default();
        let fields = [
            ("fullName", "Full name", sh.full_name.as_str(), "text"),
            ("email", "Email", sh.email.as_str(), "email"),
            ("ownershipPercent", "Ownership (%)", sh.ownership_percent.as_str(), "text"),
        ];
        person(&mut out, &format!("Shareholder {}", i + 1), &format!("shareholders[{i}]"), fields);
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
