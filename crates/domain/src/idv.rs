//! Identity verification: who on a case needs it, the states of one person's check, and when a
//! document on file stands in for it.

use crate::events::{Confidence, IdvOutcome};
use crate::extraction::{Extraction, same_name};

/// Roles whose holders are verified: directors and ultimate beneficial owners (a shareholder
/// below the UBO threshold is not).
pub const ROLES_NEEDING_IDV: [&str; 2] = ["director", "ubo"];

pub fn needs_idv(roles: &[String]) -> bool {
    roles.iter().any(|r| ROLES_NEEDING_IDV.contains(&r.as_str()))
}

/// Where one person's check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdvStatus {
    /// A link was sent; no result yet.
    Dispatched,
    /// An accepted identity document on file stands in for the check.
    Satisfied,
    Pass,
    Fail,
    ManualReview,
}

impl IdvStatus {
    pub const ALL: [IdvStatus; 5] = [Self::Dispatched, Self::Satisfied, Self::Pass, Self::Fail, Self::ManualReview];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dispatched => "dispatched",
            Self::Satisfied => "satisfied",
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::ManualReview => "manual_review",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn from_outcome(o: IdvOutcome) -> Self {
        match o {
            IdvOutcome::Pass => Self::Pass,
            IdvOutcome::Fail => Self::Fail,
            IdvOutcome::ManualReview => Self::ManualReview,
        }
    }

    /// A result is in (or none is needed): nothing more to send.
    pub fn is_settled(self) -> bool {
        !matches!(self, Self::Dispatched)
    }
}

/// Whether a processed document is an accepted identity document of the person named
/// `name` (born `dob`, when both sides know it): a passport or identity card read with at
/// least medium confidence, without warnings (not expired, check digits good, holder on the
/// case), naming that person.
pub fn accepts(extraction: &Extraction, name: &str, dob: Option<&str>) -> bool {
    let identity = extraction.kind().is_some_and(|k| k.is_identity());
    let holder = extraction.field("fullName").is_some_and(|h| same_name(h, name));
    let born = match (extraction.field("dateOfBirth"), dob) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    identity && holder && born && extraction.warnings.is_empty() && extraction.confidence != Confidence::Low
}

/// The outcome of the built-in verification: the document the person uploaded, read. Reading
/// a file's text proves nothing about the document's authenticity (anyone can type a zone with
/// valid check digits), so the built-in page never passes anyone: a forged zone, an expired
/// document or another holder fails; everything else, a clean passport included, goes to an
/// analyst who looks at it. A tenant that needs automatic passes configures Didit.
pub fn builtin_outcome(extraction: Option<&Extraction>, name: &str, _dob: Option<&str>) -> IdvOutcome {
    let Some(e) = extraction else { return IdvOutcome::ManualReview };
    let identity = e.kind().is_some_and(|k| k.is_identity());
    let wrong_holder = e.field("fullName").is_some_and(|h| !same_name(h, name));
    let bad = e.warnings.iter().any(|w| w.contains("check digits") || w.contains("expired"));
    if identity && (wrong_holder || bad) { IdvOutcome::Fail } else { IdvOutcome::ManualReview }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extraction::{Context, process};

    const TD3: &str = "P<GBRSMITH<<JANE<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n";

    fn passport(line2: &str, today: &str) -> Extraction {
        let ctx = Context { today: today.parse().ok(), ..Context::default() };
        process(&format!("PASSPORT\n{TD3}{line2}"), &ctx).unwrap()
    }

    /// A valid zone for Jane Smith, born 1980-01-02, expiring 2031-01-01.
    fn line2() -> String {
        // Built with the ICAO check digits (see extraction::mrz).
        "1234567897GBR8001025F3101012<<<<<<<<<<<<<<08".to_owned()
    }

    #[test]
    fn roles_needing_idv() {
        assert!(needs_idv(&["director".into()]));
        assert!(needs_idv(&["shareholder".into(), "ubo".into()]));
        assert!(!needs_idv(&["shareholder".into()]));
    }

    #[test]
    fn a_clean_passport_of_the_person_is_accepted_and_passes() {
        let e = passport(&line2(), "2026-11-27");
        assert!(e.warnings.is_empty(), "{:?}", e.warnings);
        assert!(accepts(&e, "Jane Smith", Some("1980-01-02")));
        assert!(accepts(&e, "SMITH, Jane", None));
        assert!(!accepts(&e, "Jane Smith", Some("1981-01-02")), "another birth date is another person");
        assert!(!accepts(&e, "Bob Jones", None));
        assert_eq!(builtin_outcome(Some(&e), "Jane Smith", None), IdvOutcome::ManualReview, "never a pass by text");
        assert_eq!(builtin_outcome(Some(&e), "Bob Jones", None), IdvOutcome::Fail);
    }

    #[test]
    fn an_expired_passport_is_not_accepted_and_fails() {
        let e = passport(&line2(), "2032-01-01");
        assert!(!accepts(&e, "Jane Smith", None));
        assert_eq!(builtin_outcome(Some(&e), "Jane Smith", None), IdvOutcome::Fail);
    }

    #[test]
    fn anything_unclear_goes_to_an_analyst() {
        assert_eq!(builtin_outcome(None, "Jane Smith", None), IdvOutcome::ManualReview);
        let labels = process(
            "NATIONAL ID CARD\nSurname: Smith\nGiven names: Jane\nDocument number: X1234567\nNationality: GBR\nDate of birth: 1980-01-02\nDate of expiry: 2031-01-01",
            &Context::default(),
        )
        .unwrap();
        assert!(accepts(&labels, "Jane Smith", None), "an analyst-attached card without a zone is enough");
        assert_eq!(builtin_outcome(Some(&labels), "Jane Smith", None), IdvOutcome::ManualReview);
    }

    #[test]
    fn statuses_round_trip() {
        for s in IdvStatus::ALL {
            assert_eq!(IdvStatus::parse(s.as_str()), Some(s));
        }
    }
}
