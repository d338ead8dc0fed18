//! One reader per kind of document: each fills a [`Reading`] with the fields it finds and the
//! warnings that compare them with the case, so every judgement is explained.

use super::text::{between, identifier, labelled, same_identifier, same_name, title_case};
use super::{Context, MAX_PEOPLE, PROOF_OF_ADDRESS_MAX_DAYS, Reading, dates, mrz};
use crate::events::Confidence;

pub(super) fn certificate(lines: &[&str], text: &str, ctx: &Context<'_>, r: &mut Reading) {
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
pub(super) fn register(lines: &[&str], singular: &str, field: &str, ctx: &Context<'_>, r: &mut Reading) {
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

pub(super) fn identity(lines: &[&str], text: &str, ctx: &Context<'_>, r: &mut Reading) {
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

pub(super) fn proof_of_address(lines: &[&str], ctx: &Context<'_>, r: &mut Reading) {
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
