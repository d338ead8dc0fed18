//! A subject of a case (the company, or a person on it) against a watch-list entity: the name
//! similarity of their best pair of names, corroborated or contradicted by birth date, country
//! and kind, as features that are stored with every hit so each judgement can be explained.

use super::ftm::Entity;
use super::names::tokens;
use super::similarity::name_score;

/// What is screened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Company,
    Person,
}

/// A subject as the case knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    /// `YYYY-MM-DD`, when known.
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2, any case.
    pub country: Option<String>,
}

/// How two dates agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// The same day (or as precise as the list is: the same year when it gives only a year).
    Same,
    /// Different.
    Different,
    /// One side does not say.
    Unknown,
}

/// Why a subject matched an entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// Similarity of the best pair of names, 0.0 to 1.0.
    pub name: f64,
    /// The entity's name that matched best.
    pub matched_name: String,
    pub birth_date: Agreement,
    pub country: Agreement,
    /// A person matched against a person, a company against an organisation.
    pub kind_agrees: bool,
}

impl Features {
    /// The match score, 0.0 to 1.0: the name similarity, raised a little by a corroborating
    /// birth date or country, lowered by a contradicting one, and sharply by the wrong kind.
    pub fn score(&self) -> f64 {
        let mut s = self.name;
        s += match self.birth_date {
            Agreement::Same => 0.05,
            Agreement::Different => -0.15,
            Agreement::Unknown => 0.0,
        };
        s += match self.country {
            Agreement::Same => 0.02,
            Agreement::Different => -0.05,
            Agreement::Unknown => 0.0,
        };
        if !self.kind_agrees {
            s -= 0.3;
        }
        s.clamp(0.0, 1.0)
    }
}

fn is_person(schema: &str) -> bool {
    schema == "Person"
}

fn dates(subject: Option<&str>, listed: &[String]) -> Agreement {
    let Some(s) = subject.filter(|s| !s.is_empty()) else { return Agreement::Unknown };
    if listed.is_empty() {
        return Agreement::Unknown;
    }
    // A list date may be a year or a month: compare as far as it goes.
    if listed.iter().any(|l| s.starts_with(l.as_str())) { Agreement::Same } else { Agreement::Different }
}

fn countries(subject: Option<&str>, listed: &[String]) -> Agreement {
    let Some(s) = subject.filter(|s| !s.is_empty()) else { return Agreement::Unknown };
    if listed.is_empty() {
        return Agreement::Unknown;
    }
    if listed.iter().any(|l| l.eq_ignore_ascii_case(s)) { Agreement::Same } else { Agreement::Different }
}

/// The features of `subject` against `entity`.
pub fn compare(subject: &Subject, entity: &Entity) -> Features {
    let mine = tokens(&subject.name);
    let (name, matched_name) = entity
        .names
        .iter()
        .map(|n| (name_score(&mine, &tokens(n)), n))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or((0.0, String::new()), |(s, n)| (s, n.clone()));
    Features {
        name,
        matched_name,
        birth_date: match subject.kind {
            SubjectKind::Person => dates(subject.birth_date.as_deref(), &entity.birth_dates),
            SubjectKind::Company => Agreement::Unknown,
        },
        country: countries(subject.country.as_deref(), &entity.countries),
        // An article names people and companies alike.
        kind_agrees: entity.is_article() || (subject.kind == SubjectKind::Person) == is_person(&entity.schema),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screening::ftm::parse_line;

    fn osetrova() -> Entity {
        parse_line(r#"{"id":"NK-1","caption":"Maria Aleksandrovna Osetrova","schema":"Person","properties":{"name":["Maria Aleksandrovna Osetrova","Мария Александровна Осетрова"],"country":["ru"],"birthDate":["1988-01-07"],"topics":["corp.disqual"]}}"#)
            .unwrap()
            .unwrap()
    }

    fn person(name: &str, dob: Option<&str>, country: Option<&str>) -> Subject {
        Subject {
            kind: SubjectKind::Person,
            name: name.into(),
            birth_date: dob.map(Into::into),
            country: country.map(Into::into),
        }
    }

    #[test]
    fn corroboration_raises_and_contradiction_lowers() {
        let e = osetrova();
        let plain = compare(&person("OSETROVA, Maria Aleksandrovna", None, None), &e);
        assert!(plain.name > 0.95, "{plain:?}");
        assert_eq!((plain.birth_date, plain.country), (Agreement::Unknown, Agreement::Unknown));
        let same = compare(&person("Maria Osetrova", Some("1988-01-07"), Some("RU")), &e);
        assert_eq!((same.birth_date, same.country), (Agreement::Same, Agreement::Same));
        let other = compare(&person("Maria Osetrova", Some("1990-05-01"), Some("GB")), &e);
        assert_eq!((other.birth_date, other.country), (Agreement::Different, Agreement::Different));
        assert!(same.score() > other.score() + 0.2, "{} vs {}", same.score(), other.score());
    }

    #[test]
    fn the_best_of_the_entitys_names_is_the_one_reported() {
        let f = compare(&person("Мария Осетрова", None, None), &osetrova());
        assert!(f.name > 0.9);
        assert!(f.matched_name.contains("Osetrova") || f.matched_name.contains("Осетрова"));
    }

    #[test]
    fn a_company_does_not_match_a_person_of_the_same_name() {
        let company =
            Subject { kind: SubjectKind::Company, name: "Maria Osetrova".into(), birth_date: None, country: None };
        let f = compare(&company, &osetrova());
        assert!(!f.kind_agrees && f.score() < f.name - 0.25);
    }

    #[test]
    fn list_dates_as_precise_as_they_are() {
        assert_eq!(dates(Some("1988-01-07"), &["1988".into()]), Agreement::Same);
        assert_eq!(dates(Some("1988-01-07"), &["1988-02".into()]), Agreement::Different);
        assert_eq!(dates(Some("1988-01-07"), &[]), Agreement::Unknown);
        assert_eq!(dates(None, &["1988".into()]), Agreement::Unknown);
    }
}
