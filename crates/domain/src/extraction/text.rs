//! Small text helpers the classifier and the document readers share: finding a labelled
//! value, an identifier, a phrase between markers, and comparing names and identifiers.

use crate::screening::names;

pub(super) fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value printed after one of `labels` at the start of a line (`Label: value`, `Label
/// value`), or on the next line when the label stands alone.
pub(super) fn labelled(lines: &[&str], labels: &[&str]) -> Option<String> {
    // Labels in the order given (the more specific first), each over every line: `Company`
    // must not take the line `Company number: …` before `Company name` was looked for.
    for label in labels {
        for (i, line) in lines.iter().enumerate() {
            let n = label.len();
            if line.len() < n || !line.is_char_boundary(n) || !line[..n].eq_ignore_ascii_case(label) {
                continue;
            }
            let rest = &line[n..];
            // A label ends at a separator (`Name` is not `Names of directors`); one followed by
            // a space is the whole label only on a line without a colon (`Company number
            // 123`, but not `Company` in `Company number: 123`).
            let punctuated = rest.is_empty() || rest.starts_with([':', '.', '-', '#']);
            let spaced_alone = rest.starts_with([' ', '\t']) && !rest.contains(':');
            if !punctuated && !spaced_alone {
                continue;
            }
            let value = rest.trim_start_matches([':', '.', '-', '#', ' ', '\t']).trim();
            if !value.is_empty() {
                return Some(value.to_owned());
            }
            if let Some(next) = lines.get(i + 1) {
                return Some((*next).to_owned());
            }
        }
    }
    None
}

/// The first word of a value that looks like an identifier (letters and digits).
pub(super) fn identifier(raw: &str) -> Option<String> {
    raw.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        .find(|w| w.len() >= 4 && w.bytes().any(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

pub(super) fn same_identifier(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase();
    norm(a) == norm(b)
}

/// Two names are one when they have the same tokens, in any order (legal forms, case,
/// diacritics and punctuation ignored).
pub fn same_name(a: &str, b: &str) -> bool {
    let mut x = names::tokens(a);
    let mut y = names::tokens(b);
    x.sort();
    y.sort();
    !x.is_empty() && x == y
}

pub(super) fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let lower = w.to_lowercase();
            let mut c = lower.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text between the first of `starts` found and the first of `ends` (case-insensitive), trimmed.
pub(super) fn between(text: &str, starts: &[&str], ends: &[&str]) -> Option<String> {
    let flat = squeeze(text);
    let lower = flat.to_ascii_lowercase();
    let from = starts.iter().find_map(|s| lower.find(s).map(|at| at + s.len()))?;
    let to = ends.iter().filter_map(|e| lower[from..].find(e)).min()? + from;
    let v = flat.get(from..to)?.trim().trim_matches(|c: char| c == ',' || c == '"').trim();
    (!v.is_empty() && v.len() <= 300).then(|| v.to_owned())
}
