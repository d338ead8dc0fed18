//! Document processing rules (`rules-v1`): which kind of document a text is, the fields read
//! from it with a confidence each, the expected fields it lacks and what looks wrong
//! (expired, stale, not matching the application). Pure: the text comes in (the app layer
//! reads it out of the PDF or image), the verdict goes out, and every judgement is explained by
//! a field's `source` or a warning's words.
//!
//! This module holds the verdict's types and the one entry point, [`process`]; classifying a
//! text, reading each kind of document and the text helpers they share are submodules.

pub mod dates;
pub mod mrz;

mod classify;
mod readers;
mod text;

pub use classify::{MIN_SCORE, classify};
pub use text::same_name;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::events::Confidence;
use readers::{certificate, identity, proof_of_address, register};

/// The processor's name as stored beside each result.
pub const ENGINE: &str = "rules-v1";
/// A proof of address older than this is flagged.
pub const PROOF_OF_ADDRESS_MAX_DAYS: i64 = 90;

/// The kinds of document recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    CertificateOfIncorporation,
    RegisterOfDirectors,
    RegisterOfShareholders,
    Passport,
    NationalId,
    ProofOfAddress,
}

/// Most entries read from a register (a company with more is read by an analyst).
pub const MAX_PEOPLE: usize = 100;

impl DocKind {
    pub const ALL: [DocKind; 6] = [
        Self::CertificateOfIncorporation,
        Self::RegisterOfDirectors,
        Self::RegisterOfShareholders,
        Self::Passport,
        Self::NationalId,
        Self::ProofOfAddress,
    ];

    /// As the event's `documentType` spells it.
    pub fn label(self) -> &'static str {
        match self {
            Self::CertificateOfIncorporation => "Certificate of Incorporation",
            Self::RegisterOfDirectors => "Register of Directors",
            Self::RegisterOfShareholders => "Register of Shareholders",
            Self::Passport => "Passport",
            Self::NationalId => "National ID Card",
            Self::ProofOfAddress => "Proof of Address",
        }
    }

    pub fn from_label(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.label() == raw)
    }

    /// A government identity document: one can stand in for identity verification.
    pub fn is_identity(self) -> bool {
        matches!(self, Self::Passport | Self::NationalId)
    }

    /// The fields a document of this kind should yield.
    pub fn expected(self) -> &'static [&'static str] {
        match self {
            Self::CertificateOfIncorporation => &["companyName", "companyNumber", "incorporationDate"],
            Self::RegisterOfDirectors => &["companyName", "directors"],
            Self::RegisterOfShareholders => &["companyName", "shareholders"],
            Self::Passport | Self::NationalId => {
                &["fullName", "documentNumber", "nationality", "dateOfBirth", "expiryDate"]
            }
            Self::ProofOfAddress => &["fullName", "address", "issueDate"],
        }
    }
}

/// One field read from a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// `companyNumber`, `fullName`, …
    pub name: String,
    pub value: String,
    pub confidence: Confidence,
    /// How it was read: `label` (printed beside its label), `mrz` (the machine-readable zone,
    /// check digits verified), `text` (found in running text).
    pub source: String,
}

/// What the processor made of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extraction {
    pub document_type: String,
    pub confidence: Confidence,
    pub fields: Vec<Field>,
    /// Names listed on a register (directors or shareholders), in order.
    pub people: Vec<String>,
    pub warnings: Vec<String>,
    pub missing_fields: Vec<String>,
    pub engine: String,
}

impl Extraction {
    pub fn kind(&self) -> Option<DocKind> {
        DocKind::from_label(&self.document_type)
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|f| f.name == name).map(|f| f.value.as_str())
    }
}

/// What the processor compares a document against.
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    pub company_name: Option<&'a str>,
    pub company_number: Option<&'a str>,
    /// The full names on the case's roster.
    pub people: Vec<&'a str>,
    pub today: Option<NaiveDate>,
}

/// Why a document could not be processed (it becomes `error`, for an analyst).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unprocessable {
    #[error("no readable text: a scan or photo without a text layer")]
    NoText,
    #[error("not a document type we recognise")]
    Unrecognised,
}

/// Classifies and reads a document's text.
pub fn process(text: &str, ctx: &Context<'_>) -> Result<Extraction, Unprocessable> {
    if text.chars().filter(|c| c.is_alphanumeric()).count() < 20 {
        return Err(Unprocessable::NoText);
    }
    let (kind, class_confidence) = classify(text).ok_or(Unprocessable::Unrecognised)?;
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let mut r = Reading::default();
    match kind {
        DocKind::CertificateOfIncorporation => certificate(&lines, text, ctx, &mut r),
        DocKind::RegisterOfDirectors => register(&lines, "director", "directors", ctx, &mut r),
        DocKind::RegisterOfShareholders => register(&lines, "shareholder", "shareholders", ctx, &mut r),
        DocKind::Passport | DocKind::NationalId => identity(&lines, text, ctx, &mut r),
        DocKind::ProofOfAddress => proof_of_address(&lines, ctx, &mut r),
    }
    let missing: Vec<String> =
        kind.expected().iter().filter(|f| r.fields.iter().all(|x| x.name != **f)).map(|f| (*f).to_owned()).collect();
    let all_high = r.fields.iter().all(|f| f.confidence == Confidence::High);
    let confidence = if r.low || missing.len() * 2 > kind.expected().len() {
        Confidence::Low
    } else if missing.is_empty() && r.warnings.is_empty() && all_high && class_confidence == Confidence::High {
        Confidence::High
    } else {
        Confidence::Medium
    };
    Ok(Extraction {
        document_type: kind.label().to_owned(),
        confidence,
        fields: r.fields,
        people: r.people,
        warnings: r.warnings,
        missing_fields: missing,
        engine: ENGINE.to_owned(),
    })
}

#[derive(Default)]
struct Reading {
    fields: Vec<Field>,
    people: Vec<String>,
    warnings: Vec<String>,
    /// Something makes the whole reading doubtful (a failed check digit).
    low: bool,
}

impl Reading {
    fn add(&mut self, name: &str, value: impl Into<String>, confidence: Confidence, source: &str) {
        let value = value.into();
        if !value.is_empty() && self.fields.iter().all(|f| f.name != name) {
            self.fields.push(Field { name: name.to_owned(), value, confidence, source: source.to_owned() });
        }
    }
}

#[cfg(test)]
mod tests;
