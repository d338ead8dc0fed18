//! OAuth scopes of the Public API.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Scope {
    #[serde(rename = "cases:write")]
    CasesWrite,
    #[serde(rename = "cases:read")]
    CasesRead,
    #[serde(rename = "webhooks:write")]
    WebhooksWrite,
    #[serde(rename = "webhooks:read")]
    WebhooksRead,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::CasesWrite, Scope::CasesRead, Scope::WebhooksWrite, Scope::WebhooksRead];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CasesWrite => "cases:write",
            Scope::CasesRead => "cases:read",
            Scope::WebhooksWrite => "webhooks:write",
            Scope::WebhooksRead => "webhooks:read",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes, kept in a fixed order so its text form is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScopeSet(u8);

impl ScopeSet {
    fn bit(s: Scope) -> u8 {
        1 << (s as u8)
    }

    pub fn all() -> Self {
        Self::from_iter(Scope::ALL)
    }

    pub fn contains(self, s: Scope) -> bool {
        self.0 & Self::bit(s) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn is_subset_of(self, other: ScopeSet) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// The space-separated form of RFC 6749 §3.3, which is also how scopes are stored.
    pub fn to_space_separated(self) -> String {
        self.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ")
    }

    /// Parses a space-separated scope string; `Err` names the first unknown scope.
    pub fn parse_space_separated(raw: &str) -> Result<Self, String> {
        raw.split_ascii_whitespace().map(|s| Scope::parse(s).ok_or_else(|| s.to_owned())).collect()
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Self(iter.into_iter().fold(0, |acc, s| acc | Self::bit(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_subsets() {
        let s = ScopeSet::parse_space_separated("cases:read  cases:write").unwrap();
        assert_eq!(s.to_space_separated(), "cases:write cases:read");
        assert!(s.contains(Scope::CasesRead) && !s.contains(Scope::WebhooksRead));
        assert!(s.is_subset_of(ScopeSet::all()));
        assert!(!ScopeSet::all().is_subset_of(s));
        assert_eq!(ScopeSet::parse_space_separated("cases:write admin"), Err("admin".to_owned()));
        assert!(ScopeSet::parse_space_separated("").unwrap().is_empty());
    }
}
