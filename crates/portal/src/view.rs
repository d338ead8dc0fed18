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

/// A labelled input (of kind `textarea`, a multi-line one; of kind `select`, a choice among
/// `options`): `error` marks it invalid and says, in words, what is wrong.
#[derive(Debug, Clone)]
pub struct Field {
    pub id: String,
    pub name: String,
    pub label: String,
    pub value: String,
    pub kind: &'static str,
    /// Marked `required` (the browser asks for it too).
    pub required: bool,
    /// Labelled "(optional)". Neither this nor `required`: a field needed when its row is
    /// used (a person's name and email).
    pub optional: bool,
    pub error: Option<String>,
    /// A select's choices: (value, text).
    pub options: &'static [(String, String)],
}

impl Field {
    /// An optional field named `name`, its error (if any) taken from `errors`.
    pub fn new(name: &str, label: &str, value: &str, kind: &'static str, errors: &[FieldError]) -> Self {
        Field {
            id: crate::words::field_id(name),
            name: name.to_owned(),
            label: label.to_owned(),
            value: value.to_owned(),
            kind,
            required: false,
            optional: true,
            error: errors.iter().find(|e| e.field == name).map(|e| crate::words::sentence(&e.field, &e.message)),
            options: &[],
        }
    }

    pub fn required(self) -> Self {
        Field { required: true, optional: false, ..self }
    }

    /// Needed when its row is used (the row itself is optional): no mark either way.
    pub fn with_its_row(self) -> Self {
        Field { required: false, optional: false, ..self }
    }

    /// A select of the countries the platform knows, by name (values are ISO codes).
    pub fn countries(self) -> Self {
        Field { kind: "select", options: countries(), ..self }
    }
}

/// Every country, (ISO 3166-1 alpha-2 code, English name), by name: built once.
fn countries() -> &'static [(String, String)] {
    static LIST: std::sync::LazyLock<Vec<(String, String)>> = std::sync::LazyLock::new(|| {
        fml_domain::CountryCode::all().into_iter().map(|(code, name)| (code.to_owned(), name)).collect()
    });
    &LIST
}

/// Fields under a legend.
#[derive(Debug, Clone)]
pub struct Fieldset {
    pub legend: String,
    pub fields: Vec<Field>,
}

/// One line of the error summary: a link to the field, saying what is wrong with it.
#[derive(Debug, Clone)]
pub struct Problem {
    pub anchor: String,
    pub message: String,
}

/// The error summary at the top of a form (empty: no summary).
pub fn problems(errors: &[FieldError]) -> Vec<Problem> {
    errors
        .iter()
        .map(|e| Problem {
            anchor: crate::words::anchor(&e.field),
            message: crate::words::sentence(&e.field, &e.message),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_have_ids_and_their_errors() {
        assert_eq!(crate::words::field_id("directors[0].fullName"), "directors-0-fullName");
        let errors = [FieldError::new("companyName", "is required")];
        let f = Field::new("companyName", "Company", "x", "text", &errors).required();
        let error = Some("Enter the registered company name.");
        assert_eq!((f.id.as_str(), f.required, f.optional, f.error.as_deref()), ("companyName", true, false, error));
        assert!(Field::new("country", "Country", "", "text", &errors).error.is_none());
        assert_eq!(problems(&errors)[0].anchor, "companyName");
    }
}
