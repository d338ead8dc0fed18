//! The candidate index: which watch-list entities are worth comparing with a name, found without
//! reading the list. Every distinct name token of the list is a key of an `fst` map (a compact,
//! sorted automaton); each key leads to the postings of the entities that have it. A subject's
//! tokens are looked up within a few typing errors (a Levenshtein automaton walked over the
//! map), the entities found are ranked by how rare the tokens they share are (IDF), and only
//! the best few are then compared name by name ([`super::matching::compare`]).
//!
//! The index holds no names, only keys of the store's rows, so a million entities fit in a few
//! tens of megabytes; it is rebuilt from the store when the list changes.

use std::collections::HashMap;

use fst::automaton::Levenshtein;
use fst::{IntoStreamer, Map, MapBuilder, Streamer};

/// Builds an [`Index`] from each entity's key and name tokens.
#[derive(Debug, Default)]
pub struct IndexBuilder {
    postings: HashMap<Box<str>, Vec<u32>>,
    keys: Vec<i64>,
}

impl IndexBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entity: its store key and its distinct tokens (whitespace-separated, as the
    /// store keeps them).
    pub fn add(&mut self, key: i64, tokens: &str) {
        let Ok(ordinal) = u32::try_from(self.keys.len()) else { return };
        self.keys.push(key);
        for t in tokens.split_ascii_whitespace() {
            match self.postings.get_mut(t) {
                Some(list) => {
                    // Tokens repeat within one entity's names; keep one posting each.
                    if list.last() != Some(&ordinal) {
                        list.push(ordinal);
                    }
                }
                None => {
                    self.postings.insert(t.into(), vec![ordinal]);
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn build(self) -> Index {
        let mut terms: Vec<(Box<str>, Vec<u32>)> = self.postings.into_iter().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut starts = Vec::with_capacity(terms.len() + 1);
        let mut postings = Vec::with_capacity(terms.iter().map(|t| t.1.len()).sum());
        let mut map = MapBuilder::memory();
        for (i, (term, list)) in terms.into_iter().enumerate() {
            starts.push(u32::try_from(postings.len()).unwrap_or(u32::MAX));
            postings.extend_from_slice(&list);
            // Sorted and distinct, so the builder cannot refuse them.
            let _ = map.insert(term.as_bytes(), i as u64);
        }
        starts.push(u32::try_from(postings.len()).unwrap_or(u32::MAX));
        let bytes = map.into_inner().unwrap_or_default();
        let dict = Map::new(bytes).unwrap_or_default();
        Index { dict, starts, postings, keys: self.keys }
    }
}

/// A built index.
pub struct Index {
    dict: Map<Vec<u8>>,
    starts: Vec<u32>,
    postings: Vec<u32>,
    keys: Vec<i64>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("entities", &self.keys.len()).field("terms", &self.dict.len()).finish()
    }
}

/// A candidate: a store key and how much of the query its tokens explain (a sum of IDF).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub key: i64,
    pub weight: f32,
}

/// Typing errors tolerated in a token of this many characters: none in short tokens (too many
/// words are one letter apart from "li" or "ivan"), one up to seven, two beyond.
fn tolerance(len: usize) -> u32 {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

impl Index {
    pub fn entities(&self) -> usize {
        self.keys.len()
    }

    pub fn terms(&self) -> usize {
        self.dict.len()
    }

    /// Bytes held, about.
    pub fn heap_bytes(&self) -> usize {
        self.dict.as_fst().as_bytes().len() + 4 * (self.starts.len() + self.postings.len()) + 8 * self.keys.len()
    }

    fn postings_of(&self, term: u64) -> &[u32] {
        let i = usize::try_from(term).unwrap_or(usize::MAX);
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.postings.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The entities sharing the most (and rarest) tokens with `query`, best first, at most
    /// `limit`. A token found only within typing errors counts for less than an exact one; a
    /// token shared by more than a fifth of the list is ignored when the query has others (it
    /// would rank everything alike and cost the most to walk).
    pub fn candidates(&self, query: &[String], limit: usize) -> Vec<Candidate> {
        let n = self.keys.len().max(1) as f32;
        let mut per_token: Vec<Vec<(u64, f32)>> = Vec::with_capacity(query.len());
        for q in query {
            let mut found = Vec::new();
            if let Some(term) = self.dict.get(q) {
                found.push((term, 1.0));
            }
            let tol = tolerance(q.chars().count());
            if tol > 0
                && let Ok(aut) = Levenshtein::new(q, tol)
            {
                let mut stream = self.dict.search(aut).into_stream();
                while let Some((k, term)) = stream.next() {
                    if k != q.as_bytes() {
                        found.push((term, 0.8));
                    }
                }
            }
            per_token.push(found);
        }
        let df = |term: u64| self.postings_of(term).len() as f32;
        let common = |term: u64| df(term) > n / 5.0;
        let has_rare = per_token.iter().flatten().any(|(t, _)| !common(*t));
        let mut acc: HashMap<u32, f32> = HashMap::new();
        let mut best: HashMap<u32, f32> = HashMap::new();
        for found in &per_token {
            best.clear();
            for &(term, factor) in found {
                if has_rare && common(term) {
                    continue;
                }
                let idf = (n / df(term)).ln().max(0.1) * factor;
                for &ord in self.postings_of(term) {
                    let w = best.entry(ord).or_insert(0.0);
                    if idf > *w {
                        *w = idf;
                    }
                }
            }
            // One query token counts once per entity, by its best spelling found.
            for (&ord, &w) in &best {
                *acc.entry(ord).or_insert(0.0) += w;
            }
        }
        let mut ranked: Vec<(u32, f32)> = acc.into_iter().collect();
        let limit = limit.min(ranked.len());
        if limit == 0 {
            return Vec::new();
        }
        let by_weight = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > limit {
            ranked.select_nth_unstable_by(limit - 1, by_weight);
            ranked.truncate(limit);
        }
        ranked.sort_unstable_by(by_weight);
        ranked
            .into_iter()
            .filter_map(|(ord, weight)| self.keys.get(ord as usize).map(|&key| Candidate { key, weight }))
            .collect()
    }
}

/// An entity's distinct tokens over all its names, as the store keeps them (space-separated).
pub fn entity_tokens(names: &[String]) -> String {
    let mut all: Vec<String> = names.iter().flat_map(|n| super::names::tokens(n)).collect();
    all.sort_unstable();
    all.dedup();
    all.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screening::names::tokens;

    fn index(entities: &[(i64, &[&str])]) -> Index {
        let mut b = IndexBuilder::new();
        for (key, names) in entities {
            let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
            b.add(*key, &entity_tokens(&names));
        }
        b.build()
    }

    fn keys(ix: &Index, q: &str) -> Vec<i64> {
        ix.candidates(&tokens(q), 10).into_iter().map(|c| c.key).collect()
    }

    #[test]
    fn finds_by_any_name_in_any_order_and_alphabet() {
        let ix = index(&[
            (10, &["Maria Aleksandrovna Osetrova", "Осетрова Мария Александровна"]),
            (20, &["Ivan Petrov"]),
            (30, &["Inter Tobacco LLC", "ООО Интер Тобако"]),
        ]);
        assert_eq!(keys(&ix, "OSETROVA, Maria")[0], 10);
        assert_eq!(keys(&ix, "Мария Осетрова")[0], 10);
        assert_eq!(keys(&ix, "Inter Tobaco Ltd")[0], 30, "a typo and another legal form");
        assert_eq!(keys(&ix, "Petrov Ivan"), [20]);
        assert!(keys(&ix, "Completely Unrelated").is_empty());
    }

    #[test]
    fn rare_tokens_outrank_common_ones() {
        let mut entities: Vec<(i64, Vec<String>)> = (0..30).map(|i| (i, vec![format!("Mohammed Person{i}")])).collect();
        entities.extend((100..300).map(|i| (i, vec![format!("Other{i} Name{i}")])));
        entities.push((99, vec!["Mohammed Zarkawi".to_owned()]));
        let mut b = IndexBuilder::new();
        for (k, n) in &entities {
            b.add(*k, &entity_tokens(n));
        }
        let ix = b.build();
        let found = ix.candidates(&tokens("Mohamed Zarqawi"), 3);
        assert_eq!(found[0].key, 99, "{found:?}");
        assert!(found[0].weight > found[1].weight);
        assert_eq!(found.len(), 3, "limited");
        assert!(ix.entities() == 231 && ix.terms() > 200);
    }

    #[test]
    fn a_token_on_a_fifth_of_the_list_counts_only_alone() {
        let mut b = IndexBuilder::new();
        for i in 0..10 {
            b.add(i, &entity_tokens(&[format!("Anna Filler{i}")]));
        }
        b.add(50, &entity_tokens(&["Olga Smith".to_owned()]));
        let ix = b.build();
        let found: Vec<i64> = ix.candidates(&tokens("Anna Smith"), 20).iter().map(|c| c.key).collect();
        assert_eq!(found, [50], "'anna' is on 10 of 11 entities: the rarer 'smith' decides");
        assert_eq!(ix.candidates(&tokens("Anna"), 20).len(), 10, "alone, a common token still finds");
    }

    #[test]
    fn short_tokens_must_be_exact() {
        let ix = index(&[(1, &["Li Wei"]), (2, &["Lu Wei"])]);
        let found = ix.candidates(&tokens("Li Wang"), 10);
        assert_eq!(found.iter().map(|c| c.key).collect::<Vec<_>>(), [1]);
        assert!(index(&[]).candidates(&tokens("anyone"), 10).is_empty());
    }
}
