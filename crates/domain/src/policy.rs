//! Decision policies: an ordered list of rules over a case's attributes, each with an outcome,
//! and a default outcome (`matchedRuleIndex: null`). The first rule whose conditions all hold
//! wins. Policies are checked when saved — every attribute known, every comparison of the
//! attribute's type — so evaluation cannot meet a rule it does not understand.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::FieldError;
use crate::risk::{Assessment, Inputs, ScreeningState};

/// The outcomes that may decide a case (when the tenant lets policies decide).
pub const AUTO_APPROVE: &str = "AUTO_APPROVE";
pub const DECLINE: &str = "DECLINE";

/// What an attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    Text,
}

/// The attributes a rule may test, with their kind and, for text, the values they take.
pub const ATTRIBUTES: &[(&str, Kind, &[&str])] = &[
    ("band", Kind::Text, &["low", "medium", "high", "prohibited"]),
    ("score", Kind::Number, &[]),
    ("country", Kind::Text, &[]),
    ("entityType", Kind::Text, &[]),
    ("screening", Kind::Text, &["not_screened", "clear", "match", "pep", "sanctioned"]),
    ("sanctionedHits", Kind::Number, &[]),
    ("pepHits", Kind::Number, &[]),
    ("matchHits", Kind::Number, &[]),
    ("idv", Kind::Text, &["passed", "pending", "manual_review", "failed"]),
    ("eddOutstanding", Kind::Number, &[]),
];

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    In,
}

/// One condition: `attribute op value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub attribute: String,
    pub op: Op,
    pub value: Value,
}

/// A rule: every condition holds → the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    #[serde(default)]
    pub name: String,
    pub when: Vec<Condition>,
    pub outcome: String,
}

/// A policy as an admin writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    pub rules: Vec<Rule>,
    pub default_outcome: String,
    /// Whether `AUTO_APPROVE` and `DECLINE` decide a case in review (as `system`).
    #[serde(default)]
    pub auto_decide: bool,
}

impl Policy {
    /// The policy every tenant starts with: nothing decided automatically.
    pub fn default_policy() -> Self {
        let cond = |attribute: &str, op: Op, value: Value| Condition { attribute: attribute.into(), op, value };
        Self {
            name: "Standard routing".into(),
            rules: vec![
                Rule {
                    name: "Prohibited risk".into(),
                    when: vec![cond("band", Op::Eq, "prohibited".into())],
                    outcome: DECLINE.into(),
                },
                Rule {
                    name: "High risk to a senior".into(),
                    when: vec![cond("band", Op::Eq, "high".into())],
                    outcome: "REVIEW_LEVEL_2".into(),
                },
                Rule {
                    name: "Low risk, clean screening, verified".into(),
                    when: vec![
                        cond("band", Op::Eq, "low".into()),
                        cond("screening", Op::Eq, "clear".into()),
                        cond("idv", Op::Eq, "passed".into()),
                        cond("eddOutstanding", Op::Eq, 0.into()),
                    ],
                    outcome: AUTO_APPROVE.into(),
                },
            ],
            default_outcome: "REVIEW_LEVEL_1".into(),
            auto_decide: false,
        }
    }

    /// Checks a policy an admin saves.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            errors.push(FieldError::new("name", "1-100 characters"));
        }
        if self.rules.len() > 100 {
            errors.push(FieldError::new("rules", "at most 100 rules"));
        }
        if !valid_outcome(&self.default_outcome) {
            errors.push(FieldError::new("defaultOutcome", OUTCOME_RULE));
        }
        for (i, r) in self.rules.iter().enumerate() {
            if r.name.chars().count() > 100 {
                errors.push(FieldError::new(format!("rules[{i}].name"), "at most 100 characters"));
            }
            if !valid_outcome(&r.outcome) {
                errors.push(FieldError::new(format!("rules[{i}].outcome"), OUTCOME_RULE));
            }
            if r.when.is_empty() || r.when.len() > 20 {
                errors.push(FieldError::new(format!("rules[{i}].when"), "1 to 20 conditions"));
            }
            for (j, c) in r.when.iter().enumerate() {
                if let Err(m) = check_condition(c) {
                    errors.push(FieldError::new(format!("rules[{i}].when[{j}]"), m));
                }
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

const OUTCOME_RULE: &str = "an outcome in capitals, digits and _ (e.g. AUTO_APPROVE, REVIEW_LEVEL_1, DECLINE)";

fn valid_outcome(o: &str) -> bool {
    let b = o.as_bytes();
    (2..=40).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

fn check_condition(c: &Condition) -> Result<(), String> {
    let Some((_, kind, values)) = ATTRIBUTES.iter().find(|(a, ..)| *a == c.attribute) else {
        let known: Vec<&str> = ATTRIBUTES.iter().map(|(a, ..)| *a).collect();
        return Err(format!("unknown attribute {:?} (one of {})", c.attribute, known.join(", ")));
    };
    let text_ok = |v: &Value| match v.as_str() {
        Some(s) => values.is_empty() || values.contains(&s),
        None => false,
    };
    let expect = |ok: bool, what: &str| if ok { Ok(()) } else { Err(format!("{} takes {what}", c.attribute)) };
    let allowed_values =
        if values.is_empty() { "a string".to_owned() } else { format!("one of {}", values.join(", ")) };
    match (kind, c.op) {
        (Kind::Number, Op::In) => expect(
            c.value.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_number)),
            "a list of numbers with in",
        ),
        (Kind::Number, _) => expect(c.value.is_number(), "a number"),
        (Kind::Text, Op::Eq | Op::Ne) => expect(text_ok(&c.value), &allowed_values),
        (Kind::Text, Op::In) => expect(
            c.value.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(text_ok)),
            &format!("a list of values ({allowed_values}) with in"),
        ),
        (Kind::Text, _) => Err(format!("{} is text: compare it with eq, ne or in", c.attribute)),
    }
}

/// A case's attributes as the rules see them.
pub fn attributes(inputs: &Inputs, a: &Assessment) -> serde_json::Map<String, Value> {
    let screening = match inputs.screening {
        ScreeningState::NotScreened => "not_screened",
        ScreeningState::Clear => "clear",
        ScreeningState::Match => "match",
        ScreeningState::Pep => "pep",
        ScreeningState::Sanctioned => "sanctioned",
    };
    let idv = serde_json::to_value(inputs.idv).unwrap_or(Value::Null);
    let band = serde_json::to_value(a.band).unwrap_or(Value::Null);
    let mut m = serde_json::Map::new();
    m.insert("band".into(), band);
    m.insert("score".into(), a.composite.into());
    m.insert("country".into(), inputs.country.clone().map(|c| c.to_ascii_uppercase()).into());
    m.insert("entityType".into(), inputs.entity_type.clone().map(|t| t.trim().to_lowercase()).into());
    m.insert("screening".into(), screening.into());
    m.insert("sanctionedHits".into(), inputs.sanctioned_hits.into());
    m.insert("pepHits".into(), inputs.pep_hits.into());
    m.insert("matchHits".into(), inputs.match_hits.into());
    m.insert("idv".into(), idv);
    m.insert("eddOutstanding".into(), inputs.edd_outstanding.into());
    m
}

fn holds(c: &Condition, attrs: &serde_json::Map<String, Value>) -> bool {
    let actual = attrs.get(&c.attribute).unwrap_or(&Value::Null);
    let num = |v: &Value| v.as_f64();
    let text_eq = |a: &Value, b: &Value| match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => a == b,
    };
    match c.op {
        Op::Eq => match (num(actual), num(&c.value)) {
            (Some(x), Some(y)) => x == y,
            _ => text_eq(actual, &c.value),
        },
        Op::Ne => !holds(&Condition { op: Op::Eq, ..c.clone() }, attrs),
        Op::In => c.value.as_array().is_some_and(|vs| {
            vs.iter().any(|v| holds(&Condition { op: Op::Eq, value: v.clone(), attribute: c.attribute.clone() }, attrs))
        }),
        Op::Lt | Op::Lte | Op::Gt | Op::Gte => match (num(actual), num(&c.value)) {
            (Some(x), Some(y)) => match c.op {
                Op::Lt => x < y,
                Op::Lte => x <= y,
                Op::Gt => x > y,
                _ => x >= y,
            },
            // An unknown value satisfies no comparison.
            _ => false,
        },
    }
}

/// The policy's verdict: the first rule that holds, or the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    pub matched_rule_index: Option<u32>,
    pub rule_name: Option<String>,
    pub outcome: String,
}

pub fn evaluate(policy: &Policy, attrs: &serde_json::Map<String, Value>) -> Routing {
    for (i, r) in policy.rules.iter().enumerate() {
        if r.when.iter().all(|c| holds(c, attrs)) {
            return Routing {
                matched_rule_index: u32::try_from(i).ok(),
                rule_name: Some(r.name.clone()).filter(|n| !n.is_empty()),
                outcome: r.outcome.clone(),
            };
        }
    }
    Routing { matched_rule_index: None, rule_name: None, outcome: policy.default_outcome.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::{IdvState, RiskModel, assess};
    use serde_json::json;

    fn case(band_inputs: impl FnOnce(&mut Inputs)) -> serde_json::Map<String, Value> {
        let mut i = Inputs {
            country: Some("gb".into()),
            entity_type: Some("private_company".into()),
            screening: ScreeningState::Clear,
            sanctioned_hits: 0,
            pep_hits: 0,
            match_hits: 0,
            idv: IdvState::Passed,
            edd_outstanding: 0,
        };
        band_inputs(&mut i);
        let a = assess(&RiskModel::default_model(), &i);
        attributes(&i, &a)
    }

    #[test]
    fn the_default_policy_routes_by_band_and_evidence() {
        let p = Policy::default_policy();
        p.validate().unwrap();
        let clean = evaluate(&p, &case(|_| {}));
        assert_eq!((clean.matched_rule_index, clean.outcome.as_str()), (Some(2), AUTO_APPROVE));
        let pending = evaluate(&p, &case(|i| i.idv = IdvState::Pending));
        assert_eq!((pending.matched_rule_index, pending.outcome.as_str()), (None, "REVIEW_LEVEL_1"));
        let sanctioned = evaluate(
            &p,
            &case(|i| {
                i.screening = ScreeningState::Sanctioned;
                i.sanctioned_hits = 1;
            }),
        );
        assert_eq!((sanctioned.matched_rule_index, sanctioned.outcome.as_str()), (Some(0), DECLINE));
        assert_eq!(sanctioned.rule_name.as_deref(), Some("Prohibited risk"));
    }

    #[test]
    fn comparisons() {
        let attrs = case(|i| i.edd_outstanding = 2);
        let c = |attribute: &str, op: Op, value: Value| Condition { attribute: attribute.into(), op, value };
        assert!(holds(&c("eddOutstanding", Op::Gte, json!(2)), &attrs));
        assert!(!holds(&c("eddOutstanding", Op::Lt, json!(2)), &attrs));
        assert!(holds(&c("country", Op::In, json!(["FR", "GB"])), &attrs), "case-insensitive");
        assert!(holds(&c("country", Op::Ne, json!("IR")), &attrs));
        assert!(holds(&c("score", Op::Gt, json!(1)), &attrs));
        let unknown = case(|i| i.country = None);
        assert!(!holds(&c("country", Op::Eq, json!("GB")), &unknown));
    }

    #[test]
    fn policies_are_checked_when_saved() {
        let p: Policy = serde_json::from_value(json!({
            "name": "Strict",
            "defaultOutcome": "review",
            "rules": [
                {"when": [{"attribute": "colour", "op": "eq", "value": "red"}], "outcome": "DECLINE"},
                {"when": [{"attribute": "score", "op": "gt", "value": "high"}], "outcome": "DECLINE"},
                {"when": [{"attribute": "band", "op": "gt", "value": "low"}], "outcome": "DECLINE"},
                {"when": [{"attribute": "band", "op": "eq", "value": "severe"}], "outcome": "DECLINE"},
                {"when": [], "outcome": "DECLINE"},
                {"when": [{"attribute": "screening", "op": "in", "value": ["pep", "sanctioned"]}], "outcome": "REVIEW_LEVEL_2"}
            ]
        }))
        .unwrap();
        let errors = p.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "defaultOutcome",
                "rules[0].when[0]",
                "rules[1].when[0]",
                "rules[2].when[0]",
                "rules[3].when[0]",
                "rules[4].when"
            ]
        );
        assert!(errors[1].message.contains("unknown attribute \"colour\""));
        assert!(
            serde_json::from_value::<Policy>(json!({"name": "x", "rules": [], "defaultOutcome": "X1", "extra": 1}))
                .is_err()
        );
    }
}
