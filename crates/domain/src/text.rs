//! Free text that people type and other people read: names that flow into emails, the
//! console and CRM records. Such text is trimmed, normalised to NFC (so "é" typed two ways is
//! one value, and two CRM ids that look the same compare equal), and refuses the characters
//! that make text display as something it is not: controls, the Unicode format characters
//! (bidi overrides such as U+202E, zero-width spaces and joiners, the BOM) and the line and
//! paragraph separators U+2028/U+2029.

use unicode_normalization::UnicodeNormalization;

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    TooLong(usize),
    Forbidden(char),
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextError::TooLong(max) => write!(f, "must be at most {max} characters"),
            TextError::Forbidden(c) => write!(
                f,
                "must not contain control, invisible formatting or line-separator characters (found U+{:04X})",
                u32::from(*c)
            ),
        }
    }
}

/// Cleans one line of display text: `Ok(None)` when it is blank. The rules apply to the text
/// as sent (so the OpenAPI document can state them exactly as `maxLength` and `pattern`):
/// no forbidden character anywhere, at most `max_chars` characters; then it is trimmed and
/// normalised.
pub fn clean(raw: &str, max_chars: usize) -> Result<Option<String>, TextError> {
    if let Some(c) = raw.chars().find(|&c| forbidden(c)) {
        return Err(TextError::Forbidden(c));
    }
    if raw.chars().count() > max_chars {
        return Err(TextError::TooLong(max_chars));
    }
    let text: String = raw.trim().nfc().collect();
    Ok((!text.is_empty()).then_some(text))
}

/// Cleans a note (decision notes, escalation notes): like [`clean`], but tabs and line breaks
/// are allowed (CRLF becomes LF). Blank is `Ok(None)`.
pub fn clean_note(raw: &str, max_chars: usize) -> Result<Option<String>, TextError> {
    if let Some(c) = raw.chars().find(|&c| forbidden(c) && !LAYOUT.contains(&c)) {
        return Err(TextError::Forbidden(c));
    }
    if raw.chars().count() > max_chars {
        return Err(TextError::TooLong(max_chars));
    }
    let text: String = raw.trim().replace("\r\n", "\n").nfc().collect();
    Ok((!text.is_empty()).then_some(text))
}

/// The controls a note may hold.
const LAYOUT: [char; 3] = ['\t', '\n', '\r'];

/// The `pattern` of the text [`clean_note`] accepts (`nonblank`: and not blank).
pub fn note_pattern(nonblank: bool) -> String {
    let p = pattern().replacen("\\u0000-\\u001f", "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f", 1);
    if nonblank { p.replacen('^', "^(?=[\\s\\S]*\\S)", 1) } else { p }
}

/// The JSON Schema `pattern` (ECMA-262, and Python's `re` alike) of the text [`clean`]
/// accepts: no control, line/paragraph separator or format character of the Basic
/// Multilingual Plane. (The format characters beyond it, such as the tag characters, are
/// refused too but cannot be written portably in a pattern.)
pub fn pattern() -> String {
    let mut class = String::new();
    for &(a, b) in CONTROLS.iter().chain(SEPARATORS).chain(FORMAT).filter(|(_, b)| *b <= 0xFFFF) {
        class.push_str(&format!("\\u{a:04x}"));
        if b != a {
            class.push_str(&format!("-\\u{b:04x}"));
        }
    }
    format!("^[^{class}]*$")
}

/// [`pattern`] for text that must not be blank either: at least one character that is not
/// whitespace.
pub fn nonblank_pattern() -> String {
    pattern().replacen('^', "^(?=.*\\S)", 1)
}

/// Cc.
const CONTROLS: &[(u32, u32)] = &[(0x0000, 0x001F), (0x007F, 0x009F)];
/// Zl and Zp.
const SEPARATORS: &[(u32, u32)] = &[(0x2028, 0x2029)];
/// Cf (Unicode 16).
const FORMAT: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// Controls (Cc), format characters (Cf) and the line/paragraph separators (Zl, Zp).
fn forbidden(c: char) -> bool {
    let cp = u32::from(c);
    CONTROLS.iter().chain(SEPARATORS).chain(FORMAT).any(|&(a, b)| (a..=b).contains(&cp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_displays_as_something_else_is_refused() {
        for (raw, bad) in [
            ("Acme\u{202E}gnp.exe", '\u{202E}'), // right-to-left override
            ("Ac\u{200B}me", '\u{200B}'),        // zero-width space
            ("Acme\u{2028}Ltd", '\u{2028}'),     // line separator
            ("Acme\u{2029}Ltd", '\u{2029}'),     // paragraph separator
            ("\u{2066}Acme", '\u{2066}'),        // left-to-right isolate
            ("Ac\u{FEFF}me", '\u{FEFF}'),        // zero-width no-break space (BOM)
            ("Ac\u{00AD}me", '\u{00AD}'),        // soft hyphen
            ("Acme\u{7}", '\u{7}'),              // bell
            ("Acme\nLtd", '\n'),
            ("tag\u{E0041}", '\u{E0041}'), // tag characters
        ] {
            assert_eq!(clean(raw, 100), Err(TextError::Forbidden(bad)), "{raw:?}");
        }
        assert!(clean("Ac\u{202E}me", 100).unwrap_err().to_string().contains("U+202E"));
    }

    #[test]
    fn the_published_pattern_matches_the_rule() {
        // A real JSON Schema validator agrees with `clean` on every character of the BMP.
        let schema = serde_json::json!({"type": "string", "pattern": pattern()});
        let validator = jsonschema::validator_for(&schema).unwrap();
        for cp in 0..=0xFFFF_u32 {
            let Some(c) = char::from_u32(cp) else { continue };
            let text = format!("a{c}b");
            let by_schema = validator.is_valid(&serde_json::Value::String(text.clone()));
            assert_eq!(by_schema, clean(&text, 10).is_ok(), "U+{cp:04X}");
        }
    }

    #[test]
    fn the_note_pattern_matches_the_rule() {
        for nonblank in [false, true] {
            let schema = serde_json::json!({"type": "string", "pattern": note_pattern(nonblank)});
            let validator = jsonschema::validator_for(&schema).unwrap();
            for cp in 0..=0xFFFF_u32 {
                let Some(c) = char::from_u32(cp) else { continue };
                for text in [format!("a{c}b"), format!("{c}"), format!(" {c}\n")] {
                    let by_schema = validator.is_valid(&serde_json::Value::String(text.clone()));
                    let by_rule = match clean_note(&text, 10) {
                        Ok(Some(_)) => true,
                        Ok(None) => !nonblank,
                        Err(_) => false,
                    };
                    assert_eq!(by_schema, by_rule, "U+{cp:04X} in {text:?} (nonblank: {nonblank})");
                }
            }
        }
        assert_eq!(clean_note(" line one\r\nline two\t", 100).unwrap().as_deref(), Some("line one\nline two"));
        assert_eq!(clean_note("a\u{202E}b", 100), Err(TextError::Forbidden('\u{202E}')));
    }

    #[test]
    fn text_is_trimmed_normalised_and_bounded() {
        // "é" as e + combining acute becomes the one precomposed character.
        assert_eq!(clean(" Cafe\u{301} ", 100).unwrap().as_deref(), Some("Caf\u{E9}"));
        assert_eq!(clean("Caf\u{E9}", 100), clean("Cafe\u{301}", 100));
        assert_eq!(clean("   ", 10), Ok(None));
        assert_eq!(clean("", 10), Ok(None));
        assert_eq!(clean("abcdef", 5), Err(TextError::TooLong(5)));
        // Length counts characters as sent, not bytes.
        assert_eq!(clean("\u{E9}\u{E9}\u{E9}", 3).unwrap().as_deref(), Some("\u{E9}\u{E9}\u{E9}"));
        assert_eq!(clean(&"e\u{301}".repeat(2), 3), Err(TextError::TooLong(3)));
        // A control character is refused even where trimming would have removed it.
        assert_eq!(clean("Acme\n", 100), Err(TextError::Forbidden('\n')));
        // Right-to-left scripts, accents and ideographs are ordinary text.
        assert!(clean("شركة أكمي", 100).unwrap().is_some());
        assert!(clean("Zürich AG — 東京", 100).unwrap().is_some());
    }
}
