//! Typed identifiers, so that one kind of id can never be passed where another is expected.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use uuid::Uuid;

/// A tenant (organisation) id such as `org_demo_bank`: chosen by the operator, shown to
/// integrators in every webhook envelope.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct OrgId(String);

impl OrgId {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let ok_len = (3..=64).contains(&raw.len());
        let ok_chars = raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        let ok_start = raw.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
        if ok_len && ok_chars && ok_start {
            Ok(Self(raw.to_owned()))
        } else {
            Err("an org id is 3-64 characters of a-z, 0-9, '_' or '-', starting with a letter")
        }
    }

    /// Wraps a value read back from the database, where it was validated on the way in.
    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The public id of an OAuth client (`fml_client_…`). Not a secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ClientId(String);

impl ClientId {
    pub const PREFIX: &'static str = "fml_client_";

    /// A new random client id.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 12];
        crate::secret::fill_random(&mut bytes);
        Self(format!("{}{}", Self::PREFIX, hex::encode(bytes)))
    }

    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A case's primary id: a UUID (v7, so ids sort by creation time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct CaseId(Uuid);

impl CaseId {
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl FromStr for CaseId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// A UUIDv7 id type: its own type, so one kind of id can never be passed for another.
macro_rules! uuid_id {
    ($(#[$m:meta])* $ty:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $ty(Uuid);

        impl $ty {
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl FromStr for $ty {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// An analyst (a person of a tenant's compliance team).
    AnalystId
);

/// A case's human reference, unique per tenant: `CS-<year>-<n>`, with `n` zero-padded to five
/// digits (it widens past 99,999 cases in a year rather than wrapping).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CaseReference(String);

impl CaseReference {
    pub fn new(year: i32, n: i64) -> Self {
        Self(format!("CS-{year}-{n:05}"))
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let rest = raw.strip_prefix("CS-")?;
        let (year, n) = rest.split_once('-')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        (year.len() == 4 && digits(year) && n.len() >= 5 && digits(n)).then(|| Self(raw.to_owned()))
    }

    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a route's `{caseId}` segment holds: every route accepts either form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseLocator {
    Id(CaseId),
    Reference(CaseReference),
}

impl CaseLocator {
    pub fn parse(raw: &str) -> Option<Self> {
        if let Ok(id) = raw.parse::<CaseId>() {
            return Some(Self::Id(id));
        }
        CaseReference::parse(raw).map(Self::Reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_ids() {
        assert!(OrgId::parse("org_demo_bank").is_ok());
        for bad in ["", "ab", "Org", "1org", "org demo", "org/../x", &"a".repeat(65)] {
            assert!(OrgId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn references_round_trip() {
        let r = CaseReference::new(2026, 471);
        assert_eq!(r.as_str(), "CS-2026-00471");
        assert_eq!(CaseReference::parse("CS-2026-00471"), Some(r));
        assert_eq!(CaseReference::new(2026, 123_456).as_str(), "CS-2026-123456");
        for bad in ["CS-2026-471", "cs-2026-00471", "CS-26-00471", "CS-2026-0047a", "X"] {
            assert!(CaseReference::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn locators() {
        let id = CaseId::generate();
        assert_eq!(CaseLocator::parse(&id.to_string()), Some(CaseLocator::Id(id)));
        assert!(matches!(CaseLocator::parse("CS-2026-00001"), Some(CaseLocator::Reference(_))));
        assert_eq!(CaseLocator::parse("nope"), None);
    }

    #[test]
    fn client_ids_are_random() {
        let a = ClientId::generate();
        assert!(a.as_str().starts_with(ClientId::PREFIX));
        assert_ne!(a, ClientId::generate());
    }
}
