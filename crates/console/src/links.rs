//! The small encoders links need: query values, path segments, and the one place a sign-in
//! may return to.

/// Percent-encodes `s` for a URL query value.
pub fn query_value(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).map(|q| q[2..].to_owned()).unwrap_or_default()
}

/// Percent-encodes `s` for one path segment.
pub fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A same-site path to return to after sign-in: an absolute path on this site, never
/// `//host` or `/\\host`, and without a control character (browsers drop tabs and newlines
/// before resolving, so `/\t/host` would become `//host`; others cannot go in a header).
pub fn safe_next(raw: Option<&str>) -> String {
    match raw {
        Some(p)
            if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.chars().any(char::is_control) =>
        {
            p.to_owned()
        }
        _ => "/cases".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        let cases = [
            (Some("/cases/abc?x=1"), "/cases/abc?x=1"),
            (Some("//evil.example/"), "/cases"),
            (Some("/\\evil.example"), "/cases"),
            (Some("https://evil.example/"), "/cases"),
            (Some("cases"), "/cases"),
            (Some("/x\r\nSet-Cookie: a=b"), "/cases"),
            (Some("/\t/evil.example"), "/cases"),
            (Some("/\n/evil.example"), "/cases"),
            (Some("/\u{1}"), "/cases"),
            (Some("/cases\\..\\x"), "/cases"),
            (None, "/cases"),
        ];
        for (raw, want) in cases {
            assert_eq!(safe_next(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn encoders() {
        assert_eq!(query_value("/cases?status=in review&q=a&b"), "%2Fcases%3Fstatus%3Din+review%26q%3Da%26b");
        assert_eq!(path_segment("CS-2026-00471"), "CS-2026-00471");
        assert_eq!(path_segment("a/../b c"), "a%2F..%2Fb%20c");
    }
}
