//! What every portal page shows the same way: the frame (title, the tenant's name, logo and
//! support address), labelled fields with their errors, and the error summary. Templates
//! escape every value; these are plain data.

use fml_app::settings::Branding;
use fml_domain::{FieldError, OrgId};
use fml_web::state::AppState;

/// The frame of a page (`portal/base.html`): its title (also the `<h1>`) and the tenant's
/// branding, or the default.
#[derive(Debug, Clone)]
pub struct Frame {
    pub title: String,
    pub name: String,
    pub logo: Option<String>,
    pub support: Option<String>,
    pub stylesheet: &'static str,
}

impl Frame {
    pub fn new(branding: Option<&Branding>, title: &str) -> Self {
        Frame {
            title: title.to_owned(),
            name: branding.map_or("Business verification", Branding::name).to_owned(),
            logo: branding.and_then(|b| b.settings.logo_url.clone()),
            support: branding.and_then(|b| b.settings.support_email.clone()),
            stylesheet: crate::assets::CSS_HREF.as_str(),
        }
    }
}

/// The tenant's branding (none if the tenant cannot be read: the page shows the default).
pub async fn branding(st: &AppState, org: &OrgId) -> Option<Branding> {
    st.branding.get(&st.ctx, org).await.ok()
}

/// A labelled input (or, of kind `textarea`, a multi-line one): `error` marks it invalid and
/// describes it.
#[derive(Debug, Clone)]
pub struct Field {
    pub id: String,
    pub name: String,
    pub label: String,
    pub value: String,
    pub kind: &'static str,
    pub required: bool,
    pub error: Option<String>,
}

impl Field {
    /// A field named `name`, its error (if any) taken from `errors`.
    pub fn new(name: &str, label: &str, value: &str, kind: &'static str, errors: &[FieldError]) -> Self {
        Field {
            id: field_id(name),
            name: name.to_owned(),
            label: label.to_owned(),
            value: value.to_owned(),
            kind,
            required: false,
            error: errors.iter().find(|e| e.field == name).map(|e| e.message.clone()),
        }
    }

    pub fn required(self) -> Self {
        Field { required: true, ..self }
    }
}

/// Fields under a legend.
#[derive(Debug, Clone)]
pub struct Fieldset {
    pub legend: String,
    pub fields: Vec<Field>,
}

/// One line of the error summary: a link to the field and what is wrong with it.
#[derive(Debug, Clone)]
pub struct Problem {
    pub anchor: String,
    pub field: String,
    pub message: String,
}

/// The error summary at the top of a form (empty: no summary).
pub fn problems(errors: &[FieldError]) -> Vec<Problem> {
    errors
        .iter()
        .map(|e| Problem { anchor: field_id(&e.field), field: e.field.clone(), message: e.message.clone() })
        .collect()
}

/// An `id` for a field name (`directors[0].fullName` → `directors-0-fullName`).
pub fn field_id(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect::<String>().replace("--", "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_have_ids_and_their_errors() {
        assert_eq!(field_id("directors[0].fullName"), "directors-0-fullName");
        let errors = [FieldError::new("companyName", "required")];
        let f = Field::new("companyName", "Company", "x", "text", &errors).required();
        assert_eq!((f.id.as_str(), f.required, f.error.as_deref()), ("companyName", true, Some("required")));
        assert!(Field::new("country", "Country", "", "text", &errors).error.is_none());
        assert_eq!(problems(&errors)[0].anchor, "companyName");
    }
}
