//! Name matching for sanctions and PEP screening (issue 9): what makes two written names the
//! same name, independent of any index or store. A name is reduced to comparable tokens
//! ([`names::tokens`]: transliterated, diacritics and punctuation gone, company-form words such
//! as "LLC" or "ООО" dropped) and two token lists are compared in any order with a per-token
//! Jaro-Winkler similarity ([`similarity::name_score`]).

pub mod ftm;
pub mod index;
pub mod matching;
pub mod names;
pub mod similarity;
pub mod triage;

#[cfg(test)]
mod quality;
