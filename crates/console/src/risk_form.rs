//! The risk model as a form: each factor's weight, where each band starts, the countries of
//! high and medium risk (by name or code), and whether a sanctions match is prohibited. What
//! the form does not show (entity-type scores) is kept from the version in force; the whole
//! model stays editable as JSON beside it.

use fml_app::CommandError;
use fml_domain::FieldError;
use fml_domain::country::CountryCode;
use fml_domain::events::RiskBand;
use fml_domain::risk::{Factor, RiskModel};

use crate::form::Fields;

/// One number of the form: its input's name, its label and its value as shown.
pub struct NumberField {
    pub name: String,
    pub label: String,
    pub value: String,
}

/// The form's values, from a model or as posted.
pub struct ModelForm {
    pub weights: Vec<NumberField>,
    pub bands: Vec<NumberField>,
    pub high: String,
    pub medium: String,
    pub sanctioned: bool,
}

fn factor_key(f: Factor) -> String {
    serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn band_key(b: RiskBand) -> String {
    serde_json::to_value(b).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn number(v: f64) -> String {
    format!("{v}")
}

fn countries(codes: &[String]) -> String {
    codes.join(", ")
}

impl ModelForm {
    pub fn of(m: &RiskModel) -> Self {
        let weights = Factor::ALL
            .iter()
            .map(|f| NumberField {
                name: format!("weight-{}", factor_key(*f)),
                label: f.label().to_owned(),
                value: number(m.weights.get(f).copied().unwrap_or(0.0)),
            })
            .collect();
        // The lowest band always starts at 0: only the others are set.
        let bands = m
            .bands
            .iter()
            .skip(1)
            .map(|b| NumberField {
                name: format!("band-{}", band_key(b.id)),
                label: format!("{} from", b.label),
                value: number(b.min_score),
            })
            .collect();
        ModelForm {
            weights,
            bands,
            high: countries(&m.high_risk_countries),
            medium: countries(&m.medium_risk_countries),
            sanctioned: m.sanctioned_is_prohibited,
        }
    }

    /// The form as posted, shown again after a refusal.
    pub fn posted(base: &RiskModel, f: &Fields) -> Self {
        let mut form = Self::of(base);
        for n in form.weights.iter_mut().chain(form.bands.iter_mut()) {
            n.value = f.text(&n.name).to_owned();
        }
        form.high = f.text("highRiskCountries").to_owned();
        form.medium = f.text("mediumRiskCountries").to_owned();
        form.sanctioned = f.checked("sanctionedIsProhibited");
        form
    }
}

/// `base` with the form's values; every unreadable field at once, by its label.
pub fn apply(mut model: RiskModel, f: &Fields) -> Result<RiskModel, CommandError> {
    let mut errors = Vec::new();
    let mut read = |name: &str, label: &str| match f.text(name).parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errors.push(FieldError::new(label, "a number from 0 to 100"));
            None
        }
    };
    for factor in Factor::ALL {
        if let Some(v) = read(&format!("weight-{}", factor_key(factor)), factor.label()) {
            model.weights.insert(factor, v);
        }
    }
    for band in model.bands.iter_mut().skip(1) {
        if let Some(v) = read(&format!("band-{}", band_key(band.id)), &format!("{} from", band.label)) {
            band.min_score = v;
        }
    }
    let mut list = |name: &str, label: &str| -> Vec<String> {
        let mut out = Vec::new();
        for raw in f.text(name).split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
            match CountryCode::parse(raw) {
                Ok(c) if !out.iter().any(|o: &String| o == c.as_str()) => out.push(c.as_str().to_owned()),
                Ok(_) => {}
                Err(_) => errors.push(FieldError::new(label, format!("“{raw}” is not a country name or code"))),
            }
        }
        out
    };
    model.high_risk_countries = list("highRiskCountries", "High-risk countries");
    model.medium_risk_countries = list("mediumRiskCountries", "Medium-risk countries");
    model.sanctioned_is_prohibited = f.checked("sanctionedIsProhibited");
    if errors.is_empty() { Ok(model) } else { Err(CommandError::Validation(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_round_trips_the_model_and_keeps_what_it_does_not_show() {
        let base = RiskModel::default_model();
        let form = ModelForm::of(&base);
        let mut fields: Vec<(String, String)> =
            form.weights.iter().chain(form.bands.iter()).map(|n| (n.name.clone(), n.value.clone())).collect();
        fields.push(("highRiskCountries".into(), "Iran, north korea, RUS".into()));
        fields.push(("mediumRiskCountries".into(), form.medium.clone()));
        fields.push(("sanctionedIsProhibited".into(), "true".into()));
        let weights = fields.iter_mut().find(|(k, _)| k == "weight-screening").unwrap();
        weights.1 = "50".into();
        let m = apply(base.clone(), &Fields(fields)).map_err(|e| e.to_string()).unwrap();
        assert_eq!(m.weights[&Factor::Screening], 50.0);
        assert_eq!(m.high_risk_countries, ["IR", "KP", "RU"]);
        assert_eq!(m.medium_risk_countries, base.medium_risk_countries);
        assert_eq!((m.bands.clone(), m.entity_type_scores.clone()), (base.bands.clone(), base.entity_type_scores));
        assert!(m.validate().is_ok());
    }

    #[test]
    fn every_unreadable_field_is_named_by_its_label() {
        let base = RiskModel::default_model();
        let Err(CommandError::Validation(errors)) =
            apply(base, &Fields::of(&[("weight-country", "lots"), ("highRiskCountries", "Narnia")]))
        else {
            panic!("accepted")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"Country risk") && fields.contains(&"High-risk countries"), "{fields:?}");
        assert!(fields.contains(&"Medium from"), "an empty band is unreadable: {fields:?}");
    }
}
