//! Instants as stored (milliseconds since the Unix epoch, one integer column on both databases)
//! and as shown (ISO 8601 UTC with milliseconds and `Z`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

/// A UTC instant with millisecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn now() -> Self {
        Self(Utc::now().timestamp_millis())
    }

    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    pub const fn plus_secs(self, secs: i64) -> Self {
        Self(self.0 + secs * 1000)
    }

    pub fn year(self) -> i32 {
        use chrono::Datelike;
        self.to_datetime().year()
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0).unwrap_or(DateTime::UNIX_EPOCH)
    }

    /// `2026-05-15T09:14:11.421Z`.
    pub fn to_iso(self) -> String {
        self.to_datetime().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// An RFC 3339 time with its offset (`2026-12-01T09:00:00Z`, `…+01:00`), as the APIs take.
    pub fn parse_iso(raw: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(raw.trim()).ok().map(|t| Self(t.timestamp_millis()))
    }

    /// An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, RFC 9110's IMF-fixdate), as in
    /// `Retry-After`.
    pub fn parse_http_date(raw: &str) -> Option<Self> {
        DateTime::parse_from_rfc2822(raw.trim()).ok().map(|t| Self(t.timestamp_millis()))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_iso())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_has_millis_and_z() {
        let t = Timestamp::from_millis(1_778_836_451_421);
        assert_eq!(t.to_iso(), "2026-05-15T09:14:11.421Z");
        assert_eq!(t.year(), 2026);
        assert_eq!(t.plus_secs(2).millis(), 1_778_836_453_421);
        let http = Timestamp::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(http.to_iso(), "2015-10-21T07:28:00.000Z");
        assert_eq!(Timestamp::parse_http_date("tomorrow"), None);
        assert_eq!(Timestamp::parse_iso("2015-10-21T08:28:00+01:00"), Some(http));
        assert_eq!(Timestamp::parse_iso("2015-10-21 07:28"), None);
    }
}
