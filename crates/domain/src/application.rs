//! The customer's application: company details, registered address, directors and
//! shareholders. Parsed from JSON (the portal's JSON route) or from the HTML form's fields
//! (turned into the same JSON first), validated field by field so every error is reported at
//! once, and compared field by field for the review's amendments.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{CountryCode, EmailAddress, FieldError};

pub const MAX_COMPANY: usize = 300;
pub const MAX_NUMBER: usize = 50;
pub const MAX_ADDRESS: usize = 500;
pub const MAX_NAME: usize = 200;
/// Most directors, and most shareholders, on one application.
pub const MAX_PEOPLE: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Director {
    pub full_name: String,
    pub email: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shareholder {
    pub full_name: String,
    pub email: String,
    /// 0 < p ≤ 100, as the customer typed it (normalised: no trailing zeros).
    pub ownership_percent: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub company_name: String,
    pub company_number: Option<String>,
    pub country: Option<CountryCode>,
    pub registered_address: String,
    pub directors: Vec<Director>,
    pub shareholders: Vec<Shareholder>,
}

/// Reads a text field: `Ok(None)` when absent, null or blank.
fn text(obj: &Map<String, Value>, key: &str, path: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match crate::text::clean(s, max) {
            Ok(v) => v,
            Err(e) => {
                errors.push(FieldError::new(path, e.to_string()));
                None
            }
        },
        Some(_) => {
            errors.push(FieldError::new(path, "must be a string"));
            None
        }
    }
}

fn required(v: Option<String>, path: &str, errors: &mut Vec<FieldError>) -> String {
    if v.is_none() && !errors.iter().any(|e| e.field == path) {
        errors.push(FieldError::new(path, "is required"));
    }
    v.unwrap_or_default()
}

fn email(obj: &Map<String, Value>, path: &str, errors: &mut Vec<FieldError>) -> String {
    let raw = text(obj, "email", path, 254, errors);
    match raw {
        Some(r) => match EmailAddress::parse(&r) {
            Ok(e) => e.as_str().to_lowercase(),
            Err(m) => {
                errors.push(FieldError::new(path, m));
                String::new()
            }
        },
        None => required(None, path, errors),
    }
}

/// `YYYY-MM-DD`, a real date between 1900-01-01 and today.
fn date_of_birth(raw: &str) -> Result<String, &'static str> {
    let d = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| "must be a date as YYYY-MM-DD")?;
    let today = chrono::Utc::now().date_naive();
    let min = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(d);
    if d < min || d > today {
        Err("must be between 1900-01-01 and today")
    } else {
        Ok(d.format("%Y-%m-%d").to_string())
    }
}

/// A percentage in (0, 100] with at most 4 decimals, from a JSON number or a string.
fn percent(v: &Value) -> Result<String, &'static str> {
    let raw = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().trim_end_matches('%').trim().to_owned(),
        _ => return Err("must be a number"),
    };
    let ok_chars =
        !raw.is_empty() && raw.chars().all(|c| c.is_ascii_digit() || c == '.') && raw.matches('.').count() <= 1;
    let decimals = raw.split_once('.').map_or(0, |(_, f)| f.len());
    let value: f64 = if ok_chars && decimals <= 4 { raw.parse().map_err(|_| "must be a number")? } else { f64::NAN };
    if !(value > 0.0 && value <= 100.0) {
        return Err("must be a number above 0 and at most 100, with at most 4 decimals");
    }
    let mut s = raw.trim_start_matches('0').to_owned();
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    if s.is_empty() || s.starts_with('.') {
        s.insert(0, '0');
    }
    Ok(s)
}

fn people<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<(usize, &'a Map<String, Value>)> {
    match obj.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.len() <= MAX_PEOPLE => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                Value::Object(o) => Some((i, o)),
                _ => {
                    errors.push(FieldError::new(format!("{key}[{i}]"), "must be an object"));
                    None
                }
            })
            .collect(),
        Some(Value::Array(_)) => {
            errors.push(FieldError::new(key, format!("must list at most {MAX_PEOPLE}")));
            Vec::new()
        }
        Some(_) => {
            errors.push(FieldError::new(key, "must be an array"));
            Vec::new()
        }
    }
}

impl Application {
    /// Validates a JSON application (`companyName`, `companyNumber`, `country`,
    /// `registeredAddress`, `directors[]`, `shareholders[]`). Unknown fields are ignored.
    pub fn from_json(v: &Value) -> Result<Self, Vec<FieldError>> {
        let Some(obj) = v.as_object() else {
            return Err(vec![FieldError::new("body", "must be a JSON object")]);
        };
        let mut errors = Vec::new();
        let company_name = text(obj, "companyName", "companyName", MAX_COMPANY, &mut errors);
        let company_name = required(company_name, "companyName", &mut errors);
        let company_number = text(obj, "companyNumber", "companyNumber", MAX_NUMBER, &mut errors);
        let country = match text(obj, "country", "country", 100, &mut errors) {
            Some(c) => match CountryCode::parse(&c) {
                Ok(c) => Some(c),
                Err(_) => {
                    errors.push(FieldError::new("country", "is not a country we recognise"));
                    None
                }
            },
            None => None,
        };
        let address = match obj.get("registeredAddress") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => match crate::text::clean_note(s, MAX_ADDRESS) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(FieldError::new("registeredAddress", e.to_string()));
                    None
                }
            },
            Some(_) => {
                errors.push(FieldError::new("registeredAddress", "must be a string"));
                None
            }
        };
        let registered_address = required(address, "registeredAddress", &mut errors);
        let mut directors = Vec::new();
        for (i, d) in people(obj, "directors", &mut errors) {
            let p = format!("directors[{i}]");
            let name = text(d, "fullName", &format!("{p}.fullName"), MAX_NAME, &mut errors);
            let full_name = required(name, &format!("{p}.fullName"), &mut errors);
            let email = email(d, &format!("{p}.email"), &mut errors);
            let dob = match text(d, "dateOfBirth", &format!("{p}.dateOfBirth"), 10, &mut errors) {
                Some(raw) => {
                    date_of_birth(&raw).map_err(|m| errors.push(FieldError::new(format!("{p}.dateOfBirth"), m))).ok()
                }
                None => None,
            };
            directors.push(Director { full_name, email, date_of_birth: dob });
        }
        let mut shareholders = Vec::new();
        for (i, s) in people(obj, "shareholders", &mut errors) {
            let p = format!("shareholders[{i}]");
            let name = text(s, "fullName", &format!("{p}.fullName"), MAX_NAME, &mut errors);
            let full_name = required(name, &format!("{p}.fullName"), &mut errors);
            let email = email(s, &format!("{p}.email"), &mut errors);
            let ownership_percent = match s.get("ownershipPercent") {
                None | Some(Value::Null) => required(None, &format!("{p}.ownershipPercent"), &mut errors),
                Some(v) => percent(v).unwrap_or_else(|m| {
                    errors.push(FieldError::new(format!("{p}.ownershipPercent"), m));
                    String::new()
                }),
            };
            shareholders.push(Shareholder { full_name, email, ownership_percent });
        }
        if errors.is_empty() {
            Ok(Self { company_name, company_number, country, registered_address, directors, shareholders })
        } else {
            Err(errors)
        }
    }

    /// The HTML form's fields (`companyName`, …, `directors[0].fullName`, …) as the JSON
    /// application; rows whose fields are all blank are dropped.
    pub fn form_to_json(fields: &[(String, String)]) -> Value {
        let mut obj = Map::new();
        let mut rows: [std::collections::BTreeMap<usize, Map<String, Value>>; 2] = Default::default();
        for (k, v) in fields {
            let list = if k.starts_with("directors[") {
                Some(0)
            } else if k.starts_with("shareholders[") {
                Some(1)
            } else {
                None
            };
            match list {
                None => {
                    obj.insert(k.clone(), Value::String(v.clone()));
                }
                Some(l) => {
                    let Some((idx, field)) = k.split_once('[').and_then(|(_, rest)| rest.split_once("].")) else {
                        continue;
                    };
                    let Ok(i) = idx.parse::<usize>() else { continue };
                    if i < MAX_PEOPLE * 2 {
                        rows[l].entry(i).or_default().insert(field.to_owned(), Value::String(v.clone()));
                    }
                }
            }
        }
        for (l, key) in ["directors", "shareholders"].iter().enumerate() {
            let list: Vec<Value> = std::mem::take(&mut rows[l])
                .into_values()
                .filter(|r| r.values().any(|v| v.as_str().is_some_and(|s| !s.trim().is_empty())))
                .map(Value::Object)
                .collect();
            obj.insert((*key).to_owned(), Value::Array(list));
        }
        Value::Object(obj)
    }

    /// Every field as (section, field, value), in a stable order: what the review compares.
    pub fn fields(&self) -> Vec<(&'static str, String, Option<String>)> {
        let mut out = vec![
            ("company", "companyName".to_owned(), Some(self.company_name.clone())),
            ("company", "companyNumber".to_owned(), self.company_number.clone()),
            ("company", "country".to_owned(), self.country.map(|c| c.as_str().to_owned())),
            ("company", "registeredAddress".to_owned(), Some(self.registered_address.clone())),
        ];
        for (i, d) in self.directors.iter().enumerate() {
            out.push(("directors", format!("{i}.fullName"), Some(d.full_name.clone())));
            out.push(("directors", format!("{i}.email"), Some(d.email.clone())));
            out.push(("directors", format!("{i}.dateOfBirth"), d.date_of_birth.clone()));
        }
        for (i, s) in self.shareholders.iter().enumerate() {
            out.push(("shareholders", format!("{i}.fullName"), Some(s.full_name.clone())));
            out.push(("shareholders", format!("{i}.email"), Some(s.email.clone())));
            out.push(("shareholders", format!("{i}.ownershipPercent"), Some(s.ownership_percent.clone())));
        }
        out
    }

    /// What changed from `self` to `corrected`, field by field: (section, field, original,
    /// corrected). A person added or removed shows as their fields going from or to null.
    pub fn amendments(&self, corrected: &Application) -> Vec<(&'static str, String, Option<String>, Option<String>)> {
        let before = self.fields();
        let after = corrected.fields();
        let mut out = Vec::new();
        let mut keys: Vec<(&'static str, String)> = before.iter().map(|(s, f, _)| (*s, f.clone())).collect();
        for (s, f, _) in &after {
            if !keys.iter().any(|(ks, kf)| ks == s && kf == f) {
                keys.push((s, f.clone()));
            }
        }
        let get = |list: &[(&'static str, String, Option<String>)], s: &str, f: &str| {
            list.iter().find(|(ls, lf, _)| *ls == s && lf == f).and_then(|(_, _, v)| v.clone())
        };
        for (s, f) in keys {
            let (a, b) = (get(&before, s, &f), get(&after, s, &f));
            if a != b {
                out.push((s, f, a, b));
            }
        }
        out
    }

    /// Whether the application holds what a submission needs: at least one director.
    pub fn check_complete(&self) -> Result<(), Vec<FieldError>> {
        if self.directors.is_empty() {
            Err(vec![FieldError::new("directors", "list at least one director")])
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> Value {
        json!({
            "companyName": "Acme Holdings Ltd",
            "companyNumber": "01234567",
            "country": "United Kingdom",
            "registeredAddress": "10 High Street\nLondon EC1A 1AA",
            "directors": [{"fullName": "J Smith", "email": "J.Smith@Acme.example", "dateOfBirth": "1980-02-29"}],
            "shareholders": [{"fullName": "Holdco Ltd", "email": "cosec@holdco.example", "ownershipPercent": 75.50}]
        })
    }

    #[test]
    fn parses_and_normalises() {
        let a = Application::from_json(&sample()).unwrap();
        assert_eq!(a.country.unwrap().as_str(), "GB");
        assert_eq!(a.directors[0].email, "j.smith@acme.example");
        assert_eq!(a.shareholders[0].ownership_percent, "75.5");
        assert!(a.check_complete().is_ok());
    }

    #[test]
    fn reports_every_bad_field() {
        let bad = json!({
            "companyName": " ",
            "country": "Atlantis",
            "directors": [{"fullName": "A", "email": "nope", "dateOfBirth": "1980-02-30"}, 5],
            "shareholders": [{"fullName": "B", "email": "b@x.example", "ownershipPercent": 0}, {"fullName": "C", "email": "c@x.example", "ownershipPercent": "100.00001"}]
        });
        let errors = Application::from_json(&bad).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "companyName",
                "country",
                "registeredAddress",
                "directors[1]",
                "directors[0].email",
                "directors[0].dateOfBirth",
                "shareholders[0].ownershipPercent",
                "shareholders[1].ownershipPercent"
            ]
        );
        assert!(Application::from_json(&json!([])).is_err());
    }

    #[test]
    fn percentages() {
        for (raw, want) in [
            (json!(25), "25"),
            (json!("25.0%"), "25"),
            (json!("007.50"), "7.5"),
            (json!(0.5), "0.5"),
            (json!(100), "100"),
        ] {
            assert_eq!(percent(&raw).unwrap(), want, "{raw}");
        }
        for raw in [json!(0), json!(-1), json!(100.5), json!("abc"), json!("1e2"), json!("1.23456"), json!(true)] {
            assert!(percent(&raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn the_form_becomes_the_json_shape() {
        let form: Vec<(String, String)> = [
            ("companyName", "Acme"),
            ("registeredAddress", "1 Road"),
            ("directors[0].fullName", "J Smith"),
            ("directors[0].email", "j@acme.example"),
            ("directors[1].fullName", ""),
            ("directors[1].email", " "),
            ("shareholders[0].fullName", "H"),
            ("shareholders[0].email", "h@acme.example"),
            ("shareholders[0].ownershipPercent", "60"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let v = Application::form_to_json(&form);
        assert_eq!(v["directors"].as_array().unwrap().len(), 1, "blank rows are dropped");
        let a = Application::from_json(&v).unwrap();
        assert_eq!(a.shareholders[0].ownership_percent, "60");
    }

    #[test]
    fn amendments_name_section_and_field() {
        let a = Application::from_json(&sample()).unwrap();
        let mut b = a.clone();
        b.registered_address = "10 High Street\nLondon EC1A 1BB".into();
        b.directors[0].full_name = "Jane Smith".into();
        let am = a.amendments(&b);
        assert_eq!(am.len(), 2);
        assert_eq!((am[0].0, am[0].1.as_str()), ("company", "registeredAddress"));
        assert_eq!(
            (am[1].0, am[1].1.as_str(), am[1].2.as_deref(), am[1].3.as_deref()),
            ("directors", "0.fullName", Some("J Smith"), Some("Jane Smith"))
        );
        assert!(a.amendments(&a).is_empty());
    }
}
