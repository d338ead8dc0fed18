//! The offline hit triager (`rules-v1`): a deterministic disposition and confidence from the
//! matching features, with a short reason an analyst can check against the stored features.
//! (The Anthropic adapter, when configured, replaces it and falls back to it.)

use super::matching::{Agreement, Features};
use crate::events::catalog::HitDisposition;

/// The triager's name in `screening.hit.triaged.model`.
pub const MODEL: &str = "rules-v1";
/// Its rules' version, in `promptVersion`.
pub const VERSION: &str = "1";

/// A triage of one hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    /// 0-100: how sure the triager is of its disposition.
    pub confidence: f64,
    pub disposition: HitDisposition,
    pub short_reason: String,
}

/// Triage by the rules: a contradicting birth date or the wrong kind of entity is a false
/// positive; a near-exact name corroborated by birth date or country (and contradicted by
/// neither) is a true match; anything else goes to an analyst.
pub fn triage(f: &Features) -> Triage {
    let pct = |x: f64| (x * 100.0).round();
    if !f.kind_agrees {
        return Triage {
            confidence: 90.0,
            disposition: HitDisposition::FalsePositive,
            short_reason: format!(
                "The listed entity is of another kind (a person vs an organisation); names {}% alike.",
                pct(f.name)
            ),
        };
    }
    if f.birth_date == Agreement::Different {
        return Triage {
            confidence: pct(0.6 + 0.3 * (1.0 - f.name).min(1.0)).max(60.0),
            disposition: HitDisposition::FalsePositive,
            short_reason: format!("Birth date differs from the listed one; names {}% alike.", pct(f.name)),
        };
    }
    let corroborated = f.birth_date == Agreement::Same || f.country == Agreement::Same;
    if f.name >= 0.95 && corroborated && f.country != Agreement::Different {
        let what = match (f.birth_date, f.country) {
            (Agreement::Same, Agreement::Same) => "birth date and country",
            (Agreement::Same, _) => "birth date",
            _ => "country",
        };
        return Triage {
            confidence: pct(f.score()),
            disposition: HitDisposition::TrueMatch,
            short_reason: format!("Name {}% alike to \"{}\"; {what} agree.", pct(f.name), f.matched_name),
        };
    }
    Triage {
        confidence: pct(0.5 + (f.score() - 0.5).abs()).min(80.0),
        disposition: HitDisposition::Escalate,
        short_reason: format!(
            "Name {}% alike to \"{}\"; not enough corroborating data to decide.",
            pct(f.name),
            f.matched_name
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(name: f64, dob: Agreement, country: Agreement, kind_agrees: bool) -> Features {
        Features { name, matched_name: "Maria Osetrova".into(), birth_date: dob, country, kind_agrees }
    }

    #[test]
    fn the_rules_table() {
        use Agreement::*;
        use HitDisposition::*;
        let cases = [
            (features(1.0, Same, Same, true), TrueMatch),
            (features(0.97, Unknown, Same, true), TrueMatch),
            (features(0.97, Same, Unknown, true), TrueMatch),
            (features(0.97, Same, Different, true), Escalate),
            (features(0.97, Unknown, Unknown, true), Escalate),
            (features(0.90, Same, Same, true), Escalate),
            (features(1.0, Different, Same, true), FalsePositive),
            (features(1.0, Same, Same, false), FalsePositive),
        ];
        for (f, want) in cases {
            let t = triage(&f);
            assert_eq!(t.disposition, want, "{f:?} → {t:?}");
            assert!((0.0..=100.0).contains(&t.confidence), "{t:?}");
            assert!(!t.short_reason.is_empty());
        }
    }

    #[test]
    fn reasons_name_what_decided() {
        let t = triage(&features(1.0, Agreement::Same, Agreement::Same, true));
        assert_eq!(t.short_reason, "Name 100% alike to \"Maria Osetrova\"; birth date and country agree.");
        assert_eq!(t.confidence, 100.0);
        let t = triage(&features(0.96, Agreement::Different, Agreement::Unknown, true));
        assert!(t.short_reason.starts_with("Birth date differs"), "{}", t.short_reason);
    }
}
