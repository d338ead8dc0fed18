//! The screening quality test: labelled pairs of (a name as a case would give it, a watch-list
//! entity) built from the sample OpenSanctions lists (`tests/data/screening_entities.tsv`,
//! `tests/data/screening_pairs.tsv`): names of each entity mistyped, reordered, upper-cased or
//! without a middle name or patronymic, against the entity (true matches); and names of other
//! entities, or an entity's name with another person's surname (non-matches). A name is
//! compared with every name of the entity, as screening does, at the default threshold.

use super::names::tokens;
use super::similarity::name_score;

/// The default match threshold a tenant starts with.
pub const THRESHOLD: f64 = 0.85;

const ENTITIES: &str = include_str!("../../tests/data/screening_entities.tsv");
const PAIRS: &str = include_str!("../../tests/data/screening_pairs.tsv");

fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).map(|l| l.split('\t').collect())
}

#[test]
fn precision_and_recall_on_the_labelled_pairs() {
    let entities: std::collections::HashMap<&str, Vec<Vec<String>>> =
        rows(ENTITIES).map(|c| (c[0], c[2].split(" | ").map(tokens).collect())).collect();
    let (mut tp, mut fp, mut fn_, mut tn) = (0u32, 0u32, 0u32, 0u32);
    let mut misses = Vec::new();
    for c in rows(PAIRS) {
        let (query, entity, same, how) = (c[0], c[1], c[2] == "1", c[3]);
        let q = tokens(query);
        let s = entities[entity].iter().map(|n| name_score(&q, n)).fold(0.0, f64::max);
        match (s >= THRESHOLD, same) {
            (true, true) => tp += 1,
            (true, false) => {
                fp += 1;
                misses.push(format!("false match {s:.3} [{how}] {query} ~ {entity}"));
            }
            (false, true) => {
                fn_ += 1;
                misses.push(format!("missed {s:.3} [{how}] {query}"));
            }
            (false, false) => tn += 1,
        }
    }
    let total = tp + fp + fn_ + tn;
    let precision = f64::from(tp) / f64::from(tp + fp);
    let recall = f64::from(tp) / f64::from(tp + fn_);
    println!("pairs {total}: precision {precision:.3}, recall {recall:.3} (tp {tp}, fp {fp}, fn {fn_}, tn {tn})");
    for m in &misses {
        println!("{m}");
    }
    assert!(total >= 200, "at least 200 labelled pairs");
    assert!(recall >= 0.95, "recall {recall:.3}");
    assert!(precision >= 0.9, "precision {precision:.3}");
}
