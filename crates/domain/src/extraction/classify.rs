//! Telling which kind of document a text is, by weighted phrases and a machine-readable zone:
//! the first step of processing, kept apart so its weights can be read and tuned together.

use super::text::squeeze;
use super::{DocKind, mrz};
use crate::events::Confidence;

/// Phrases that point to a kind, with their weight; a kind needs [`MIN_SCORE`].
const PHRASES: &[(DocKind, &str, u32)] = &[
    (DocKind::CertificateOfIncorporation, "certificate of incorporation", 6),
    (DocKind::CertificateOfIncorporation, "is this day incorporated", 3),
    (DocKind::CertificateOfIncorporation, "incorporated under", 2),
    (DocKind::CertificateOfIncorporation, "date of incorporation", 2),
    (DocKind::CertificateOfIncorporation, "registrar of companies", 1),
    (DocKind::RegisterOfDirectors, "register of directors", 6),
    (DocKind::RegisterOfDirectors, "date of appointment", 2),
    (DocKind::RegisterOfDirectors, "appointed", 1),
    (DocKind::RegisterOfShareholders, "register of members", 6),
    (DocKind::RegisterOfShareholders, "register of shareholders", 6),
    (DocKind::RegisterOfShareholders, "shares held", 2),
    (DocKind::RegisterOfShareholders, "ordinary shares", 1),
    (DocKind::Passport, "passport", 3),
    (DocKind::Passport, "passeport", 3),
    (DocKind::Passport, "date of expiry", 1),
    (DocKind::NationalId, "identity card", 4),
    (DocKind::NationalId, "national id", 4),
    (DocKind::NationalId, "carte nationale d'identit", 4),
    (DocKind::NationalId, "personalausweis", 4),
    (DocKind::ProofOfAddress, "proof of address", 6),
    (DocKind::ProofOfAddress, "utility bill", 4),
    (DocKind::ProofOfAddress, "bank statement", 4),
    (DocKind::ProofOfAddress, "council tax", 4),
    (DocKind::ProofOfAddress, "billing address", 3),
    (DocKind::ProofOfAddress, "statement date", 2),
    (DocKind::ProofOfAddress, "bill date", 2),
    (DocKind::ProofOfAddress, "amount due", 1),
];
/// A machine-readable zone is decisive.
const MRZ_SCORE: u32 = 10;
pub const MIN_SCORE: u32 = 3;

/// The most likely kind of a text and how sure: `None` below [`MIN_SCORE`].
pub fn classify(text: &str) -> Option<(DocKind, Confidence)> {
    let lower = squeeze(&text.to_lowercase());
    let mut scores: Vec<(DocKind, u32)> = DocKind::ALL.iter().map(|k| (*k, 0)).collect();
    for (kind, phrase, weight) in PHRASES {
        if lower.contains(phrase)
            && let Some(s) = scores.iter_mut().find(|(k, _)| k == kind)
        {
            s.1 += weight;
        }
    }
    if let Some(m) = mrz::find(text, 2000) {
        let kind = if m.kind == 'P' { DocKind::Passport } else { DocKind::NationalId };
        if let Some(s) = scores.iter_mut().find(|(k, _)| *k == kind) {
            s.1 += MRZ_SCORE;
        }
    }
    scores.sort_by_key(|s| std::cmp::Reverse(s.1));
    let (best, score) = scores[0];
    if score < MIN_SCORE {
        return None;
    }
    let margin = score - scores[1].1;
    Some((best, if score >= 6 && margin >= 3 { Confidence::High } else { Confidence::Medium }))
}
