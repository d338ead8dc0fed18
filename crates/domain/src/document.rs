//! Documents: which files are accepted, how their type is recognised, and their states.

/// Largest single file accepted.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// Most files in one upload.
pub const MAX_FILES: usize = 10;
/// Longest filename kept (longer ones are cut), in characters.
pub const MAX_FILENAME: usize = 200;

/// The document's id: a number, as the webhook payloads carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct DocumentId(pub i64);

impl std::fmt::Display for DocumentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The types accepted: recognised by their first bytes, never by the name or the declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Png,
    Jpeg,
}

impl FileType {
    pub const ALL: [FileType; 3] = [FileType::Pdf, FileType::Png, FileType::Jpeg];

    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
        }
    }

    pub fn from_content_type(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.content_type() == raw)
    }

    /// The type of a file from its first bytes.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(b"%PDF-") {
            Some(FileType::Pdf)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileType::Png)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpeg)
        } else {
            None
        }
    }
}

/// Where a document is in its processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentStatus {
    /// Stored; not processed yet.
    Uploaded,
    /// Processed (extraction done).
    Complete,
    /// Processing failed; an analyst may override it.
    Error,
    /// An analyst approved an errored document by hand.
    Approved,
    /// An analyst escalated an errored document.
    Escalated,
}

impl DocumentStatus {
    pub const ALL: [DocumentStatus; 5] = [Self::Uploaded, Self::Complete, Self::Error, Self::Approved, Self::Escalated];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uploaded => "uploaded",
            Self::Complete => "complete",
            Self::Error => "error",
            Self::Approved => "approved",
            Self::Escalated => "escalated",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// A filename safe to show and to send back in `Content-Disposition`: the last path
/// component, without control or formatting characters or quotes, at most
/// [`MAX_FILENAME`] characters; `document` if nothing is left.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'))
        .take(MAX_FILENAME)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() { "document".to_owned() } else { trimmed.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_sniffed_from_the_bytes() {
        assert_eq!(FileType::sniff(b"%PDF-1.7\n"), Some(FileType::Pdf));
        assert_eq!(FileType::sniff(b"\x89PNG\r\n\x1a\n...."), Some(FileType::Png));
        assert_eq!(FileType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(FileType::Jpeg));
        assert_eq!(FileType::sniff(b"MZ\x90\x00"), None, "an executable is not a PDF, whatever its name");
        assert_eq!(FileType::sniff(b"<html>"), None);
        assert_eq!(FileType::sniff(b""), None);
        for t in FileType::ALL {
            assert_eq!(FileType::from_content_type(t.content_type()), Some(t));
        }
    }

    #[test]
    fn filenames_are_made_safe() {
        assert_eq!(clean_filename("C:\\Users\\me\\passport.pdf"), "passport.pdf");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("in\"voice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_filename(".."), "document");
        assert_eq!(clean_filename(""), "document");
        assert_eq!(clean_filename(&"a".repeat(300)).len(), MAX_FILENAME);
        assert_eq!(clean_filename("Überweisung 2026.pdf"), "Überweisung 2026.pdf");
    }

    #[test]
    fn statuses_round_trip() {
        for s in DocumentStatus::ALL {
            assert_eq!(DocumentStatus::parse(s.as_str()), Some(s));
        }
    }
}
