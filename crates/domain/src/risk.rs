//! The risk model: a tenant's weights over a case's risk factors and the bands a composite
//! score falls in. Pure: [`assess`] takes the facts the engines stored about a case and the
//! model, and returns the score with each factor's part, so every score can be explained from
//! what is stored beside it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::events::RiskBand;

/// A factor of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Factor {
    /// The company's country: the model's high- and medium-risk lists.
    Country,
    /// The entity type (trust, charity, partnership…), by the model's table.
    EntityType,
    /// The worst screening result of the company and its people.
    Screening,
    /// Identity verification of the people.
    Idv,
    /// Enhanced due diligence still outstanding.
    Edd,
}

impl Factor {
    pub const ALL: [Factor; 5] = [Factor::Country, Factor::EntityType, Factor::Screening, Factor::Idv, Factor::Edd];

    pub fn label(self) -> &'static str {
        match self {
            Factor::Country => "Country risk",
            Factor::EntityType => "Entity type",
            Factor::Screening => "Screening results",
            Factor::Idv => "Identity verification",
            Factor::Edd => "Enhanced due diligence",
        }
    }
}

/// A band and the score it starts at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Band {
    pub id: RiskBand,
    pub label: String,
    /// The lowest composite score in this band (the first band starts at 0).
    pub min_score: f64,
}

/// A tenant's risk model (stored as a versioned row's JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RiskModel {
    /// Each factor's weight (0-100); a factor of weight 0 does not count.
    pub weights: BTreeMap<Factor, f64>,
    /// ISO 3166-1 alpha-2 codes scored 100.
    pub high_risk_countries: Vec<String>,
    /// Codes scored 50 (the rest 0; an unknown country 50).
    pub medium_risk_countries: Vec<String>,
    /// Entity type (lower case) → score 0-100; others score `defaultEntityTypeScore`.
    pub entity_type_scores: BTreeMap<String, f64>,
    pub default_entity_type_score: f64,
    /// The bands, lowest first: low, medium, high, prohibited.
    pub bands: Vec<Band>,
    /// A sanctioned hit not judged a false positive puts the case in the last band whatever
    /// its score.
    pub sanctioned_is_prohibited: bool,
}

impl RiskModel {
    /// The model every tenant starts with.
    pub fn default_model() -> Self {
        let weights = BTreeMap::from([
            (Factor::Country, 25.0),
            (Factor::EntityType, 15.0),
            (Factor::Screening, 35.0),
            (Factor::Idv, 15.0),
            (Factor::Edd, 10.0),
        ]);
        let list = |xs: &[&str]| xs.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        Self {
            weights,
            // FATF's "call for action" and sanctioned jurisdictions; the "increased monitoring"
            // list as medium (a starting point each tenant reviews).
            high_risk_countries: list(&["IR", "KP", "MM", "RU", "BY", "SY", "CU", "AF"]),
            medium_risk_countries: list(&[
                "DZ", "AO", "BG", "BF", "CM", "CI", "HR", "CD", "HT", "KE", "LA", "LB", "ML", "MC", "MZ", "NA", "NG",
                "NP", "ZA", "SS", "TZ", "VE", "VN", "YE", "AE", "PA", "TR",
            ]),
            entity_type_scores: BTreeMap::from([
                ("trust".to_owned(), 80.0),
                ("foundation".to_owned(), 70.0),
                ("charity".to_owned(), 60.0),
                ("partnership".to_owned(), 40.0),
                ("sole_trader".to_owned(), 30.0),
                ("private_company".to_owned(), 20.0),
                ("public_company".to_owned(), 10.0),
            ]),
            default_entity_type_score: 30.0,
            bands: vec![
                Band { id: RiskBand::Low, label: "Low".into(), min_score: 0.0 },
                Band { id: RiskBand::Medium, label: "Medium".into(), min_score: 30.0 },
                Band { id: RiskBand::High, label: "High".into(), min_score: 60.0 },
                Band { id: RiskBand::Prohibited, label: "Prohibited".into(), min_score: 85.0 },
            ],
            sanctioned_is_prohibited: true,
        }
    }

    /// Checks a model an admin saves.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let pct = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
        for (f, w) in &self.weights {
            if !pct(*w) {
                errors.push(FieldError::new(format!("weights.{}", factor_key(*f)), "must be 0 to 100"));
            }
        }
        if self.weights.values().sum::<f64>() <= 0.0 {
            errors.push(FieldError::new("weights", "at least one factor needs a weight above 0"));
        }
        for (field, list) in
            [("highRiskCountries", &self.high_risk_countries), ("mediumRiskCountries", &self.medium_risk_countries)]
        {
            for (i, c) in list.iter().enumerate() {
                if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                    errors.push(FieldError::new(format!("{field}[{i}]"), "an ISO 3166-1 alpha-2 code in capitals"));
                }
            }
        }
        for (k, v) in &self.entity_type_scores {
            if !pct(*v) || k.is_empty() || k.len() > 64 {
                errors.push(FieldError::new(
                    format!("entityTypeScores.{k}"),
                    "a type of 1-64 characters scored 0 to 100",
                ));
            }
        }
        if !pct(self.default_entity_type_score) {
            errors.push(FieldError::new("defaultEntityTypeScore", "must be 0 to 100"));
        }
        let ids: Vec<RiskBand> = self.bands.iter().map(|b| b.id).collect();
        if ids != [RiskBand::Low, RiskBand::Medium, RiskBand::High, RiskBand::Prohibited] {
            errors.push(FieldError::new("bands", "list low, medium, high and prohibited, in that order"));
        }
        let mins: Vec<f64> = self.bands.iter().map(|b| b.min_score).collect();
        if mins.first() != Some(&0.0) || mins.windows(2).any(|w| w[1] <= w[0]) || !mins.iter().all(|m| pct(*m)) {
            errors.push(FieldError::new("bands", "minScore starts at 0 and rises with each band, up to 100"));
        }
        for (i, b) in self.bands.iter().enumerate() {
            if b.label.trim().is_empty() || b.label.chars().count() > 40 {
                errors.push(FieldError::new(format!("bands[{i}].label"), "1-40 characters"));
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    fn band_of(&self, score: f64) -> &Band {
        self.bands.iter().rev().find(|b| score >= b.min_score).unwrap_or(&self.bands[0])
    }
}

pub fn factor_key(f: Factor) -> &'static str {
    match f {
        Factor::Country => "country",
        Factor::EntityType => "entityType",
        Factor::Screening => "screening",
        Factor::Idv => "idv",
        Factor::Edd => "edd",
    }
}

/// The screening result of a case as risk sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningState {
    NotScreened,
    Clear,
    Match,
    Pep,
    Sanctioned,
}

/// Identity verification of a case's people as risk sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdvState {
    /// Nobody needs it (no people) or everyone passed.
    Passed,
    /// Someone is not verified yet.
    Pending,
    /// Someone needs a manual review.
    ManualReview,
    /// Someone failed.
    Failed,
}

/// What the engines know about a case, stored with each assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inputs {
    pub country: Option<String>,
    pub entity_type: Option<String>,
    pub screening: ScreeningState,
    /// Hits above the threshold by standing (false positives as judged by an analyst left out).
    pub sanctioned_hits: u32,
    pub pep_hits: u32,
    pub match_hits: u32,
    pub idv: IdvState,
    pub edd_outstanding: u32,
}

/// One factor's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FactorScore {
    pub factor: Factor,
    pub label: String,
    /// 0-100 before weighting.
    pub score: f64,
    pub weight: f64,
    /// Points of the composite this factor contributes.
    pub contribution: f64,
    /// Why it scored what it did.
    pub reason: String,
}

/// A computed assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// 0-100, rounded to a whole number.
    pub composite: f64,
    pub band: RiskBand,
    pub band_label: String,
    pub factors: Vec<FactorScore>,
    /// Why the band is not the score's (a sanctioned hit), if so.
    pub override_reason: Option<String>,
}

fn factor_score(model: &RiskModel, f: Factor, i: &Inputs) -> (f64, String) {
    match f {
        Factor::Country => match i.country.as_deref().map(str::to_ascii_uppercase) {
            None => (50.0, "country unknown".into()),
            Some(c) if model.high_risk_countries.contains(&c) => (100.0, format!("{c} is a high-risk country")),
            Some(c) if model.medium_risk_countries.contains(&c) => (50.0, format!("{c} is a medium-risk country")),
            Some(c) => (0.0, format!("{c} is not on a risk list")),
        },
        Factor::EntityType => {
            match i.entity_type.as_deref().map(|t| t.trim().to_lowercase().replace([' ', '-'], "_")) {
                Some(t) if !t.is_empty() => match model.entity_type_scores.get(&t) {
                    Some(s) => (*s, format!("entity type {t}")),
                    None => (model.default_entity_type_score, format!("entity type {t} (not in the table)")),
                },
                _ => (model.default_entity_type_score, "entity type unknown".into()),
            }
        }
        Factor::Screening => match i.screening {
            ScreeningState::NotScreened => (50.0, "not screened yet".into()),
            ScreeningState::Clear => (0.0, "every subject clear".into()),
            ScreeningState::Match => (50.0, format!("{} watch-list match(es)", i.match_hits)),
            ScreeningState::Pep => (70.0, format!("{} PEP hit(s)", i.pep_hits)),
            ScreeningState::Sanctioned => (100.0, format!("{} sanctions hit(s)", i.sanctioned_hits)),
        },
        Factor::Idv => match i.idv {
            IdvState::Passed => (0.0, "identity verified".into()),
            IdvState::Pending => (50.0, "identity verification pending".into()),
            IdvState::ManualReview => (70.0, "identity verification needs a manual review".into()),
            IdvState::Failed => (100.0, "identity verification failed".into()),
        },
        Factor::Edd => match i.edd_outstanding {
            0 => (0.0, "no EDD requirement outstanding".into()),
            n => ((40.0 + 20.0 * f64::from(n)).min(100.0), format!("{n} EDD requirement(s) outstanding")),
        },
    }
}

/// Scores a case's inputs with a model: the weighted mean of the factors, and its band.
pub fn assess(model: &RiskModel, inputs: &Inputs) -> Assessment {
    let total: f64 = Factor::ALL.iter().map(|f| model.weights.get(f).copied().unwrap_or(0.0)).sum();
    let mut factors = Vec::new();
    let mut composite = 0.0;
    for f in Factor::ALL {
        let weight = model.weights.get(&f).copied().unwrap_or(0.0);
        if weight <= 0.0 {
            continue;
        }
        let (score, reason) = factor_score(model, f, inputs);
        let contribution = if total > 0.0 { score * weight / total } else { 0.0 };
        composite += contribution;
        factors.push(FactorScore {
            factor: f,
            label: f.label().to_owned(),
            score,
            weight,
            contribution: (contribution * 10.0).round() / 10.0,
            reason,
        });
    }
    let composite = composite.round().clamp(0.0, 100.0);
    let mut band = model.band_of(composite);
    let mut override_reason = None;
    if model.sanctioned_is_prohibited
        && inputs.sanctioned_hits > 0
        && let Some(last) = model.bands.last()
        && last.id != band.id
    {
        band = last;
        override_reason = Some("a sanctions hit not judged a false positive".to_owned());
    }
    Assessment { composite, band: band.id, band_label: band.label.clone(), factors, override_reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> Inputs {
        Inputs {
            country: Some("GB".into()),
            entity_type: Some("private_company".into()),
            screening: ScreeningState::Clear,
            sanctioned_hits: 0,
            pep_hits: 0,
            match_hits: 0,
            idv: IdvState::Passed,
            edd_outstanding: 0,
        }
    }

    #[test]
    fn the_default_model_is_valid_and_scores_a_plain_case_low() {
        let m = RiskModel::default_model();
        m.validate().unwrap();
        let a = assess(&m, &inputs());
        // Only the entity type contributes: 20 × 15 / 100.
        assert_eq!((a.composite, a.band), (3.0, RiskBand::Low));
        assert_eq!(a.factors.len(), 5);
        let sum: f64 = a.factors.iter().map(|f| f.contribution).sum();
        assert!((sum - 3.0).abs() < 0.2, "the parts add up to the whole: {sum}");
    }

    #[test]
    fn each_factor_moves_the_score_and_bands_follow() {
        let m = RiskModel::default_model();
        let mut i = inputs();
        i.country = Some("ir".into());
        i.screening = ScreeningState::Pep;
        i.pep_hits = 1;
        i.idv = IdvState::Pending;
        let a = assess(&m, &i);
        // 25 + 3 + 24.5 + 7.5 = 60 → high.
        assert_eq!((a.composite, a.band), (60.0, RiskBand::High), "{a:?}");
        assert!(a.factors.iter().any(|f| f.reason == "IR is a high-risk country"));
        i.country = Some("FR".into());
        assert_eq!(assess(&m, &i).band, RiskBand::Medium);
    }

    #[test]
    fn a_sanctions_hit_is_prohibited_whatever_the_score() {
        let m = RiskModel::default_model();
        let mut i = inputs();
        i.screening = ScreeningState::Sanctioned;
        i.sanctioned_hits = 1;
        let a = assess(&m, &i);
        assert!(a.composite < 85.0);
        assert_eq!((a.band, a.band_label.as_str()), (RiskBand::Prohibited, "Prohibited"));
        assert!(a.override_reason.is_some());
        let mut lenient = m.clone();
        lenient.sanctioned_is_prohibited = false;
        assert_eq!(assess(&lenient, &i).override_reason, None);
    }

    #[test]
    fn bad_models_are_refused_field_by_field() {
        let mut m = RiskModel::default_model();
        m.weights.insert(Factor::Edd, 140.0);
        m.high_risk_countries.push("iran".into());
        m.bands.swap(1, 2);
        let errors = m.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"weights.edd") && fields.contains(&"highRiskCountries[8]") && fields.contains(&"bands"),
            "{fields:?}"
        );
        let mut zero = RiskModel::default_model();
        zero.weights.values_mut().for_each(|w| *w = 0.0);
        assert!(zero.validate().is_err());
        assert!(
            serde_json::from_str::<RiskModel>(r#"{"weights": {}, "surprise": 1}"#).is_err(),
            "unknown fields are refused"
        );
    }
}
