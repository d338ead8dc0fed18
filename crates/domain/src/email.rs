//! Email addresses accepted from callers.

use std::fmt;

/// A syntactically valid email address (RFC 5321 length limits, no display name).
#[derive(Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("must not be empty");
        }
        if s.len() > 254 {
            return Err("must be at most 254 characters");
        }
        // `email_address` accepts display-name forms and quoted local parts; a CRM field holds a
        // bare address, so anything with spaces or angle brackets is refused here.
        if s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>') {
            return Err("must be a valid email address");
        }
        match s.parse::<email_address::EmailAddress>() {
            Ok(e) if e.domain().contains('.') && !e.domain().starts_with('[') => Ok(Self(s.to_owned())),
            _ => Err("must be a valid email address"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({})", self.0)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in ["jane@acme.example", "ops+kyb@acme-holdings.co.uk", " a.b@c.io "] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(EmailAddress::parse(" a.b@c.io ").unwrap().as_str(), "a.b@c.io");
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "   ",
            "jane",
            "jane@",
            "@acme.com",
            "jane@acme",
            "Jane <jane@acme.com>",
            "a b@c.io",
            "jane@[127.0.0.1]",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        let long = format!("{}@acme.com", "a".repeat(250));
        assert!(EmailAddress::parse(&long).is_err());
    }
}
