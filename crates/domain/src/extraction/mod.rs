//! Document processing rules (`rules-v1`): which kind of document a text is, the fields read
//! from it with a confidence each, the expected fields it lacks and what looks wrong
//! (expired, stale, not matching the application). Pure: the text comes in (the app layer
//! reads it out of the PDF or image), the verdict goes out, and every judgement is explained by
//! a field's `source` or a warning's words.

pub mod dates;
pub mod mrz;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::events::Confidence;
use crate::screening::names;

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

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value printed after one of `labels` at the start of a line (`Label: value`, `Label
/// value`), or on the next line when the label stands alone.
fn labelled(lines: &[&str], labels: &[&str]) -> Option<String> {
    // Labels in the order given (the more specific first), each over every line: `Company`
    // must not take the line `Company number: …` before `Company name` was looked for.
    for label in labels {
        for (i, line) in lines.iter().enumerate() {
            let n = label.len();
            if line.len() < n || !line.is_char_boundary(n) || !line[..n].eq_ignore_ascii_case(label) {
                continue;
            }
            let rest = &line[n..];
            // A label ends at a separator (`Name` is not `Names of directors`); one followed by
            // a space is the whole label only on a line without a colon (`Company number
            // 123`, but not `Company` in `Company number: 123`).
            let punctuated = rest.is_empty() || rest.starts_with([':', '.', '-', '#']);
            let spaced_alone = rest.starts_with([' ', '\t']) && !rest.contains(':');
            if !punctuated && !spaced_alone {
                continue;
            }
            let value = rest.trim_start_matches([':', '.', '-', '#', ' ', '\t']).trim();
            if !value.is_empty() {
                return Some(value.to_owned());
            }
            if let Some(next) = lines.get(i + 1) {
                return Some((*next).to_owned());
            }
        }
    }
    None
}

/// The first word of a value that looks like an identifier (letters and digits).
fn identifier(raw: &str) -> Option<String> {
    raw.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        .find(|w| w.len() >= 4 && w.bytes().any(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

fn same_identifier(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase();
    norm(a) == norm(b)
}

/// Two names are one when they have the same tokens, in any order (legal forms, case,
/// diacritics and punctuation ignored).
pub fn same_name(a: &str, b: &str) -> bool {
    let mut x = names::tokens(a);
    let mut y = names::tokens(b);
    x.sort();
    y.sort();
    !x.is_empty() && x == y
}

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let lower = w.to_lowercase();
            let mut c = lower.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn certificate(lines: &[&str], text: &str, ctx: &Context<'_>, r: &mut Reading) {
    if let Some(v) = labelled(lines, &["company name", "name of company", "name of the company"]) {
        r.add("companyName", v, Confidence::High, "label");
    } else if let Some(v) = between(
        text,
        &["certifies that", "certify that"],
        &[" is this day", " was incorporated", " is incorporated", " is a "],
    ) {
        r.add("companyName", v, Confidence::Medium, "text");
    }
    let number_labels = [
        "company number",
        "company no",
        "registration number",
        "registered number",
        "company registration number",
        "registration no",
    ];
    if let Some(v) = labelled(lines, &number_labels).and_then(|v| identifier(&v)) {
        r.add("companyNumber", v, Confidence::High, "label");
    }
    if let Some(d) = labelled(lines, &["date of incorporation", "incorporation date", "incorporated on"])
        .and_then(|v| dates::find(&v))
    {
        r.add("incorporationDate", d.to_string(), Confidence::High, "label");
    } else if let Some(at) = text.to_ascii_lowercase().find("incorporated")
        && let Some(d) = text.get(at..).and_then(dates::find)
    {
        r.add("incorporationDate", d.to_string(), Confidence::Medium, "text");
    }
    if let Some(v) = labelled(lines, &["jurisdiction", "country of incorporation"]) {
        r.add("jurisdiction", v, Confidence::High, "label");
    }
    company_checks(ctx, r);
}

/// The text between the first of `starts` found and the first of `ends` (case-insensitive), trimmed.
fn between(text: &str, starts: &[&str], ends: &[&str]) -> Option<String> {
    let flat = squeeze(text);
    let lower = flat.to_ascii_lowercase();
    let from = starts.iter().find_map(|s| lower.find(s).map(|at| at + s.len()))?;
    let to = ends.iter().filter_map(|e| lower[from..].find(e)).min()? + from;
    let v = flat.get(from..to)?.trim().trim_matches(|c: char| c == ',' || c == '"').trim();
    (!v.is_empty() && v.len() <= 300).then(|| v.to_owned())
}

fn company_checks(ctx: &Context<'_>, r: &mut Reading) {
    let name = r.fields.iter().find(|f| f.name == "companyName").map(|f| f.value.clone());
    if let (Some(doc), Some(app)) = (name, ctx.company_name)
        && !same_name(&doc, app)
    {
        r.warnings.push(format!("the company name on the document, “{doc}”, differs from the case's, “{app}”"));
    }
    let number = r.fields.iter().find(|f| f.name == "companyNumber").map(|f| f.value.clone());
    if let (Some(doc), Some(app)) = (number, ctx.company_number)
        && !same_identifier(&doc, app)
    {
        r.warnings.push(format!("the company number on the document, {doc}, differs from the case's, {app}"));
    }
}

/// A register: `Director: Jane Smith`, `Director 2 - Bob Jones, appointed 1 May 2020`, or a
/// `Name:` line per entry; the name ends at a comma, a tab, two spaces or a number.
fn register(lines: &[&str], singular: &str, field: &str, ctx: &Context<'_>, r: &mut Reading) {
    if let Some(v) = labelled(lines, &["company name", "name of company", "company"]) {
        r.add("companyName", v, Confidence::High, "label");
    }
    if let Some(v) =
        labelled(lines, &["company number", "company no", "registration number"]).and_then(|v| identifier(&v))
    {
        r.add("companyNumber", v, Confidence::High, "label");
    }
    for line in lines {
        let lower = line.to_ascii_lowercase();
        let rest = if lower.starts_with(singular) && !lower.starts_with(&format!("{singular}s")) {
            line.get(singular.len()..).map(|s| s.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' '))
        } else if lower.starts_with("name:") {
            line.get(4..)
        } else {
            None
        };
        let Some(rest) = rest else { continue };
        let Some(rest) = rest.trim_start().strip_prefix([':', '-', '–']) else { continue };
        let name: String = rest
            .split([',', '\t', '(', ';'])
            .next()
            .unwrap_or("")
            .split("  ")
            .next()
            .unwrap_or("")
            .split(|c: char| c.is_ascii_digit())
            .next()
            .unwrap_or("")
            .trim()
            .to_owned();
        if name.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !r.people.iter().any(|p| same_name(p, &name)) {
            r.people.push(name);
            if r.people.len() >= MAX_PEOPLE {
                r.warnings.push(format!("more than {MAX_PEOPLE} entries: only the first were read"));
                break;
            }
        }
    }
    if !r.people.is_empty() {
        r.add(field, r.people.join("; "), Confidence::High, "label");
    }
    company_checks(ctx, r);
    if !ctx.people.is_empty() {
        let unknown: Vec<&str> =
            r.people.iter().filter(|p| !ctx.people.iter().any(|q| same_name(p, q))).map(String::as_str).collect();
        if !unknown.is_empty() {
            r.warnings.push(format!("not among the people on the case: {}", unknown.join(", ")));
        }
    }
}

fn identity(lines: &[&str], text: &str, ctx: &Context<'_>, r: &mut Reading) {
    let this_year = ctx.today.map_or(2026, |d| chrono::Datelike::year(&d));
    if let Some(m) = mrz::find(text, this_year) {
        let c = if m.checks_pass { Confidence::High } else { Confidence::Low };
        if !m.checks_pass {
            r.low = true;
            r.warnings.push("the machine-readable zone's check digits do not match its data".to_owned());
        }
        r.add("fullName", title_case(&format!("{} {}", m.given_names, m.surname)), c, "mrz");
        r.add("documentNumber", m.document_number, c, "mrz");
        r.add("nationality", m.nationality, c, "mrz");
        r.add("issuingCountry", m.issuing_country, c, "mrz");
        if let Some(d) = m.date_of_birth {
            r.add("dateOfBirth", d.to_string(), c, "mrz");
        }
        if let Some(d) = m.expiry {
            r.add("expiryDate", d.to_string(), c, "mrz");
        }
    }
    let given = labelled(lines, &["given names", "given name", "forenames", "first name", "prénoms"]);
    let surname = labelled(lines, &["surname", "last name", "nom"]);
    match (given, surname) {
        (Some(g), Some(s)) => r.add("fullName", title_case(&format!("{g} {s}")), Confidence::Medium, "label"),
        _ => {
            if let Some(n) = labelled(lines, &["full name", "name"]) {
                r.add("fullName", title_case(&n), Confidence::Medium, "label");
            }
        }
    }
    let numbers = ["passport no", "passport number", "document number", "document no", "card number", "id number"];
    if let Some(v) = labelled(lines, &numbers).and_then(|v| identifier(&v)) {
        r.add("documentNumber", v, Confidence::Medium, "label");
    }
    if let Some(v) = labelled(lines, &["nationality"]) {
        r.add("nationality", v, Confidence::Medium, "label");
    }
    if let Some(d) = labelled(lines, &["date of birth", "birth date"]).and_then(|v| dates::find(&v)) {
        r.add("dateOfBirth", d.to_string(), Confidence::Medium, "label");
    }
    if let Some(d) =
        labelled(lines, &["date of expiry", "expiry date", "expires", "valid until"]).and_then(|v| dates::find(&v))
    {
        r.add("expiryDate", d.to_string(), Confidence::Medium, "label");
    }
    if let (Some(today), Some(expiry)) = (ctx.today, r.fields.iter().find(|f| f.name == "expiryDate"))
        && expiry.value.as_str() < today.to_string().as_str()
    {
        r.warnings.push(format!("the document expired on {}", expiry.value));
    }
    holder_check(ctx, r);
}

fn holder_check(ctx: &Context<'_>, r: &mut Reading) {
    if ctx.people.is_empty() {
        return;
    }
    if let Some(name) = r.fields.iter().find(|f| f.name == "fullName").map(|f| f.value.clone())
        && !ctx.people.iter().chain(ctx.company_name.iter()).any(|p| same_name(p, &name))
    {
        r.warnings.push(format!("{name} is not among the people on the case"));
    }
}

fn proof_of_address(lines: &[&str], ctx: &Context<'_>, r: &mut Reading) {
    if let Some(v) = labelled(lines, &["account holder", "customer name", "addressee", "name"]) {
        r.add("fullName", v, Confidence::High, "label");
    }
    let address_labels = ["billing address", "service address", "supply address", "address"];
    if let Some(first) = labelled(lines, &address_labels) {
        // An address runs on over the lines after its label until the next `Label:` line.
        let at = lines.iter().position(|l| l.contains(first.as_str())).unwrap_or(0);
        let mut parts = vec![first];
        for l in lines.iter().skip(at + 1).take(4) {
            if l.contains(':') {
                break;
            }
            parts.push((*l).to_owned());
        }
        r.add("address", parts.join(", "), Confidence::High, "label");
    }
    let date_labels = ["statement date", "bill date", "date of issue", "issue date", "issued on", "date"];
    if let Some(d) = labelled(lines, &date_labels).and_then(|v| dates::find(&v)) {
        r.add("issueDate", d.to_string(), Confidence::High, "label");
        if let Some(today) = ctx.today {
            let age = (today - d).num_days();
            if age > PROOF_OF_ADDRESS_MAX_DAYS {
                r.warnings.push(format!("issued on {d}, more than three months ago"));
            } else if age < 0 {
                r.warnings.push(format!("dated {d}, in the future"));
            }
        }
    }
    holder_check(ctx, r);
}

#[cfg(test)]
mod tests;
