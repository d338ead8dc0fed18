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

/// Cleans one line of display text: `Ok(None)` when it is blank.
pub fn clean(raw: &str, max_chars: usize) -> Result<Option<String>, TextError> {
    let text: String = raw.trim().nfc().collect();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(c) = text.chars().find(|&c| forbidden(c)) {
        return Err(TextError::Forbidden(c));
    }
    if text.chars().count() > max_chars {
        return Err(TextError::TooLong(max_chars));
    }
    Ok(Some(text))
}

/// Controls (Cc), format characters (Cf) and the line/paragraph separators (Zl, Zp).
fn forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_format(c)
}

/// Unicode General Category Cf (Unicode 16).
fn is_format(c: char) -> bool {
    matches!(u32::from(c),
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
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
    fn text_is_trimmed_normalised_and_bounded() {
        // "é" as e + combining acute becomes the one precomposed character.
        assert_eq!(clean(" Cafe\u{301} ", 100).unwrap().as_deref(), Some("Caf\u{E9}"));
        assert_eq!(clean("Caf\u{E9}", 100), clean("Cafe\u{301}", 100));
        assert_eq!(clean("   ", 10), Ok(None));
        assert_eq!(clean("", 10), Ok(None));
        assert_eq!(clean("abcdef", 5), Err(TextError::TooLong(5)));
        // Length counts characters after normalisation, not bytes.
        assert_eq!(clean(&"e\u{301}".repeat(5), 5).unwrap().map(|s| s.chars().count()), Some(5));
        // Right-to-left scripts, accents and ideographs are ordinary text.
        assert!(clean("شركة أكمي", 100).unwrap().is_some());
        assert!(clean("Zürich AG — 東京", 100).unwrap().is_some());
    }
}
