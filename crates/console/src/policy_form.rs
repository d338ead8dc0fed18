//! The decision policy as a form, without script: the policy's name, default outcome and
//! auto-decide switch, then each rule (name, outcome, its conditions as attribute, comparison
//! and value) with one empty condition row to add another, and one empty rule to add a rule.
//! Clearing a condition's attribute removes it; "Remove this rule" removes a rule. Each rule
//! has a position: change the numbers and saving puts the rules in that order (equal numbers
//! keep the order they had), with no script needed.

use fml_domain::FieldError;
use fml_domain::policy::{ATTRIBUTES, Condition, Kind, Op, Policy, Rule};
use serde_json::Value;

use crate::form::Fields;

/// The comparisons, as the form offers them: (stored, shown).
pub const OPS: [(&str, &str); 7] =
    [("eq", "is"), ("ne", "is not"), ("lt", "<"), ("lte", "≤"), ("gt", ">"), ("gte", "≥"), ("in", "is one of")];

/// One condition row: its inputs' prefix and values as shown.
pub struct ConditionRow {
    pub prefix: String,
    pub attribute: String,
    pub op: String,
    pub value: String,
}

/// One rule's fieldset.
pub struct RuleRow {
    pub prefix: String,
    /// 1-based, as people count.
    pub number: usize,
    pub name: String,
    pub outcome: String,
    /// Where the rule goes on saving, as typed.
    pub position: String,
    pub conditions: Vec<ConditionRow>,
    /// The empty rule at the end, for adding one.
    pub new: bool,
}

pub struct PolicyForm {
    pub name: String,
    pub default_outcome: String,
    pub auto_decide: bool,
    pub rules: Vec<RuleRow>,
}

/// Every attribute a condition may test, for the select.
pub fn attributes() -> Vec<&'static str> {
    ATTRIBUTES.iter().map(|(a, ..)| *a).collect()
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn op_text(op: Op) -> String {
    serde_json::to_value(op).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn empty_condition(prefix: String) -> ConditionRow {
    ConditionRow { prefix, attribute: String::new(), op: "eq".into(), value: String::new() }
}

impl PolicyForm {
    pub fn of(p: &Policy) -> Self {
        let mut rules: Vec<RuleRow> = p
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut conditions: Vec<ConditionRow> = r
                    .when
                    .iter()
                    .enumerate()
                    .map(|(j, c)| ConditionRow {
                        prefix: format!("r{i}c{j}"),
                        attribute: c.attribute.clone(),
                        op: op_text(c.op),
                        value: value_text(&c.value),
                    })
                    .collect();
                conditions.push(empty_condition(format!("r{i}c{}", r.when.len())));
                RuleRow {
                    prefix: format!("r{i}"),
                    number: i + 1,
                    name: r.name.clone(),
                    outcome: r.outcome.clone(),
                    position: (i + 1).to_string(),
                    conditions,
                    new: false,
                }
            })
            .collect();
        let n = p.rules.len();
        rules.push(RuleRow {
            prefix: format!("r{n}"),
            number: n + 1,
            name: String::new(),
            outcome: String::new(),
            position: (n + 1).to_string(),
            conditions: vec![empty_condition(format!("r{n}c0"))],
            new: true,
        });
        PolicyForm {
            name: p.name.clone(),
            default_outcome: p.default_outcome.clone(),
            auto_decide: p.auto_decide,
            rules,
        }
    }
}

impl PolicyForm {
    /// The form as posted, shown again after a refusal or a dry run.
    pub fn posted(f: &Fields) -> Self {
        let mut rules = Vec::new();
        for i in 0..MAX_ROWS {
            let p = format!("r{i}");
            let Some(outcome) = f.get(&format!("{p}.outcome")) else { break };
            let mut conditions = Vec::new();
            for j in 0..MAX_ROWS {
                let c = format!("{p}c{j}");
                let Some(attribute) = f.get(&format!("{c}.attribute")) else { break };
                conditions.push(ConditionRow {
                    attribute: attribute.trim().to_owned(),
                    op: f.text(&format!("{c}.op")).to_owned(),
                    value: f.text(&format!("{c}.value")).to_owned(),
                    prefix: c,
                });
            }
            let new = f.text(&format!("{p}.name")).is_empty() && outcome.trim().is_empty();
            rules.push(RuleRow {
                number: i + 1,
                name: f.text(&format!("{p}.name")).to_owned(),
                outcome: outcome.trim().to_owned(),
                position: f.get(&format!("{p}.position")).map_or_else(|| (i + 1).to_string(), str::to_owned),
                conditions,
                new,
                prefix: p,
            });
        }
        PolicyForm {
            name: f.text("name").to_owned(),
            default_outcome: f.text("defaultOutcome").to_owned(),
            auto_decide: f.checked("autoDecide"),
            rules,
        }
    }
}

/// Most rules and conditions per rule the form reads (the policy's own limits are lower).
const MAX_ROWS: usize = 101;

/// The posted form as a policy (checked by the policy's own rules when saved), or the
/// problems of rows that cannot be read.
pub fn parse(f: &Fields) -> Result<Policy, Vec<FieldError>> {
    let mut errors = Vec::new();
    // (position, rule): sorted stably by position once every row is read.
    let mut rules: Vec<(u32, Rule)> = Vec::new();
    for i in 0..MAX_ROWS {
        let p = format!("r{i}");
        if f.get(&format!("{p}.outcome")).is_none() {
            break;
        }
        if f.checked(&format!("{p}.remove")) {
            continue;
        }
        let mut when = Vec::new();
        for j in 0..MAX_ROWS {
            let c = format!("{p}c{j}");
            let Some(attribute) = f.get(&format!("{c}.attribute")) else { break };
            if attribute.trim().is_empty() {
                continue;
            }
            let label = format!("Rule {}, condition {}", i + 1, j + 1);
            match condition(attribute.trim(), f.text(&format!("{c}.op")), f.text(&format!("{c}.value"))) {
                Ok(cond) => when.push(cond),
                Err(m) => errors.push(FieldError::new(label, m)),
            }
        }
        let name = f.text(&format!("{p}.name")).to_owned();
        let outcome = f.text(&format!("{p}.outcome")).to_owned();
        // The empty row for a new rule adds nothing while it is left empty.
        if name.is_empty() && outcome.is_empty() && when.is_empty() {
            continue;
        }
        let position = match f.get(&format!("{p}.position")).map(str::trim).filter(|v| !v.is_empty()) {
            None => i as u32 + 1,
            Some(v) => v.parse::<u32>().unwrap_or_else(|_| {
                errors.push(FieldError::new(format!("Rule {}, position", i + 1), "enter a whole number, like 1"));
                i as u32 + 1
            }),
        };
        rules.push((position, Rule { name, when, outcome }));
    }
    rules.sort_by_key(|(position, _)| *position);
    let policy = Policy {
        name: f.text("name").to_owned(),
        rules: rules.into_iter().map(|(_, r)| r).collect(),
        default_outcome: f.text("defaultOutcome").to_owned(),
        auto_decide: f.checked("autoDecide"),
    };
    if errors.is_empty() { Ok(policy) } else { Err(errors) }
}

fn condition(attribute: &str, op: &str, raw: &str) -> Result<Condition, String> {
    let kind = ATTRIBUTES.iter().find(|(a, ..)| *a == attribute).map(|(_, k, _)| *k).ok_or("choose an attribute")?;
    let op: Op = serde_json::from_value(Value::String(op.to_owned())).map_err(|_| "choose a comparison")?;
    let one = |s: &str| -> Result<Value, String> {
        match kind {
            Kind::Number => s
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(|n| match n.as_f64() {
                    Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => Value::from(x as i64),
                    _ => Value::Number(n),
                })
                .ok_or_else(|| format!("{attribute} takes a number")),
            Kind::Text => Ok(Value::String(s.to_owned())),
        }
    };
    let value = if op == Op::In {
        let items: Result<Vec<Value>, String> =
            raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(one).collect();
        Value::Array(items?)
    } else {
        one(raw.trim())?
    };
    Ok(Condition { attribute: attribute.to_owned(), op, value })
}

/// A policy rule's JSON path as the form names the place (`rules[0].when[1]` → "Rule 1,
/// condition 2").
pub fn label(e: FieldError) -> FieldError {
    let path = e.field.clone();
    let number = |s: &str, key: &str| -> Option<usize> {
        let at = s.find(key)? + key.len();
        s[at..].split(']').next()?.parse::<usize>().ok().map(|n| n + 1)
    };
    let field = match (number(&path, "rules["), number(&path, "when[")) {
        (Some(r), Some(c)) => format!("Rule {r}, condition {c}"),
        (Some(r), None) if path.ends_with(".outcome") => format!("Rule {r}, outcome"),
        (Some(r), None) if path.ends_with(".name") => format!("Rule {r}, name"),
        (Some(r), None) => format!("Rule {r}"),
        _ => match path.as_str() {
            "name" => "Policy name".to_owned(),
            "defaultOutcome" => "Default outcome".to_owned(),
            _ => path,
        },
    };
    FieldError::new(field, e.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The form of `p` as a browser posts it (every input, the empty rows too).
    fn posted(form: &PolicyForm) -> Vec<(String, String)> {
        let mut out =
            vec![("name".to_owned(), form.name.clone()), ("defaultOutcome".into(), form.default_outcome.clone())];
        if form.auto_decide {
            out.push(("autoDecide".into(), "true".into()));
        }
        for r in &form.rules {
            out.push((format!("{}.name", r.prefix), r.name.clone()));
            out.push((format!("{}.outcome", r.prefix), r.outcome.clone()));
            out.push((format!("{}.position", r.prefix), r.position.clone()));
            for c in &r.conditions {
                out.push((format!("{}.attribute", c.prefix), c.attribute.clone()));
                out.push((format!("{}.op", c.prefix), c.op.clone()));
                out.push((format!("{}.value", c.prefix), c.value.clone()));
            }
        }
        out
    }

    /// Sets posted field `k` (which must exist) to `v`.
    fn set(fields: &mut [(String, String)], k: &str, v: &str) {
        fields.iter_mut().find(|(key, _)| key == k).unwrap_or_else(|| panic!("{k}")).1 = v.to_owned();
    }

    /// The first refusal of a form that must be refused: (where, what).
    fn refusal(fields: Vec<(String, String)>) -> (String, String) {
        let Err(errors) = parse(&Fields(fields)) else { panic!("accepted") };
        (errors[0].field.to_string(), errors[0].message.clone())
    }

    #[test]
    fn the_default_policy_round_trips_through_its_form() {
        let p = Policy::default_policy();
        let back = parse(&Fields(posted(&PolicyForm::of(&p)))).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn rows_add_remove_and_refuse_in_words() {
        let p = Policy::default_policy();
        let mut fields = posted(&PolicyForm::of(&p));
        // A new rule in the empty row, with one condition of a list.
        set(&mut fields, "r3.name", "Iran or North Korea");
        set(&mut fields, "r3.outcome", "DECLINE");
        set(&mut fields, "r3c0.attribute", "country");
        set(&mut fields, "r3c0.op", "in");
        set(&mut fields, "r3c0.value", "IR, KP");
        // A condition added to the second rule, one removed from the third, the first removed.
        set(&mut fields, "r1c1.attribute", "score");
        set(&mut fields, "r1c1.op", "gte");
        set(&mut fields, "r1c1.value", "70");
        set(&mut fields, "r2c3.attribute", "");
        fields.push(("r0.remove".into(), "true".into()));
        let got = parse(&Fields(fields.clone())).unwrap();
        assert_eq!(got.rules.len(), 3);
        assert_eq!(got.rules[0].when[1], Condition { attribute: "score".into(), op: Op::Gte, value: 70.into() });
        assert_eq!(got.rules[1].when.len(), 3);
        assert_eq!(got.rules[2].when[0].value, serde_json::json!(["IR", "KP"]));
        assert!(got.validate().is_ok());
        set(&mut fields, "r1c1.value", "high");
        assert_eq!(refusal(fields), ("Rule 2, condition 2".into(), "score takes a number".into()));
    }

    #[test]
    fn positions_reorder_the_rules() {
        let p = Policy::default_policy();
        let names: Vec<String> = p.rules.iter().map(|r| r.name.clone()).collect();
        let mut fields = posted(&PolicyForm::of(&p));
        // The last rule first; the new rule typed in the empty row goes between by its number;
        // equal numbers keep their order.
        set(&mut fields, "r2.position", "0");
        set(&mut fields, "r3.name", "Added");
        set(&mut fields, "r3.outcome", "REVIEW_LEVEL_2");
        set(&mut fields, "r3.position", "1");
        let got: Vec<String> = parse(&Fields(fields.clone())).unwrap().rules.into_iter().map(|r| r.name).collect();
        assert_eq!(got, [names[2].clone(), names[0].clone(), "Added".into(), names[1].clone()]);
        set(&mut fields, "r1.position", "second");
        assert_eq!(refusal(fields), ("Rule 2, position".into(), "enter a whole number, like 1".into()));
    }

    #[test]
    fn json_paths_are_said_as_the_form_names_them() {
        let said = |path: &str| label(FieldError::new(path, "x")).field;
        assert_eq!(said("rules[0].when[1]"), "Rule 1, condition 2");
        assert_eq!(said("rules[2].outcome"), "Rule 3, outcome");
        assert_eq!(said("rules[4].when"), "Rule 5");
        assert_eq!(said("defaultOutcome"), "Default outcome");
    }
}
