//! Enhanced due diligence's pure rules: requirement and item keys, their default labels, the
//! statuses as stored, and the checks of an outreach's items.

use crate::FieldError;
use crate::events::EddStatus;

/// Most items in one request.
pub const MAX_ITEMS: usize = 20;
pub const MAX_LABEL: usize = 200;

pub fn status_str(s: EddStatus) -> &'static str {
    match s {
        EddStatus::Outstanding => "outstanding",
        EddStatus::Received => "received",
        EddStatus::Waived => "waived",
    }
}

pub fn parse_status(raw: &str) -> Option<EddStatus> {
    [EddStatus::Outstanding, EddStatus::Received, EddStatus::Waived].into_iter().find(|s| status_str(*s) == raw)
}

/// A requirement or item key: lower-case letters, digits, `_`, `-`, `.`; 1-64 characters.
pub fn valid_key(key: &str) -> bool {
    let b = key.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_lowercase() | b[0].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"_-.".contains(c))
}

/// The pattern of [`valid_key`].
pub const KEY_PATTERN: &str = "^[a-z0-9][a-z0-9_.-]{0,63}$";

/// "source_of_funds" → "Source of funds".
pub fn label_of(key: &str) -> String {
    let words = key.replace(['_', '-', '.'], " ");
    let mut c = words.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// Checks an outreach's items: 1 to [`MAX_ITEMS`], each a valid key and a label.
pub fn check_items(items: Vec<(String, String)>) -> Result<Vec<(String, String)>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if items.is_empty() || items.len() > MAX_ITEMS {
        errors.push(FieldError::new("items", format!("list 1 to {MAX_ITEMS} items")));
    }
    let mut out = Vec::new();
    for (i, (key, label)) in items.into_iter().enumerate() {
        if !valid_key(&key) {
            errors.push(FieldError::new(format!("items[{i}].key"), "lower-case letters, digits, _ - . (1-64)"));
        }
        match crate::text::clean(&label, MAX_LABEL) {
            Ok(Some(l)) => out.push((key, l)),
            Ok(None) => errors.push(FieldError::new(format!("items[{i}].label"), "is required")),
            Err(e) => errors.push(FieldError::new(format!("items[{i}].label"), e.to_string())),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_labels() {
        for ok in ["source_of_funds", "ubo.1", "a", "9-x"] {
            assert!(valid_key(ok), "{ok}");
        }
        for bad in ["", "Source", "a b", "_x", &"a".repeat(65), "ключ", "request\n"] {
            assert!(!valid_key(bad), "{bad}");
        }
        assert_eq!(label_of("source_of_funds"), "Source of funds");
        assert!(check_items(vec![]).is_err());
        assert!(check_items(vec![("k".into(), " ".into())]).is_err());
        assert_eq!(check_items(vec![("k".into(), " Passport ".into())]).unwrap()[0].1, "Passport");
    }
}
