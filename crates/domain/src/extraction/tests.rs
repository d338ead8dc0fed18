use super::text::labelled;
use super::*;

fn today() -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 11, 27)
}

fn ctx<'a>(company: &'a str, number: &'a str, people: &[&'a str]) -> Context<'a> {
    Context { company_name: Some(company), company_number: Some(number), people: people.to_vec(), today: today() }
}

const CERTIFICATE: &str = "CERTIFICATE OF INCORPORATION\nOF A PRIVATE LIMITED COMPANY\n\
    Company Number: 12345678\n\
    The Registrar of Companies for England and Wales, hereby certifies that\n\
    ACME HOLDINGS LTD\n\
    is this day incorporated under the Companies Act 2006 as a private company.\n\
    Given at Companies House, Cardiff, on 4th March 2021\n";

#[test]
fn a_certificate_of_incorporation_is_read() {
    let e = process(CERTIFICATE, &ctx("Acme Holdings Limited", "12345678", &[])).unwrap();
    assert_eq!(e.document_type, "Certificate of Incorporation");
    assert_eq!(e.field("companyNumber"), Some("12345678"));
    assert_eq!(e.field("companyName"), Some("ACME HOLDINGS LTD"));
    assert_eq!(e.field("incorporationDate"), Some("2021-03-04"));
    assert!(e.missing_fields.is_empty(), "{:?}", e.missing_fields);
    assert!(e.warnings.is_empty(), "Ltd and Limited are one legal form: {:?}", e.warnings);
    // The name came from running text, so the reading is not fully certain.
    assert_eq!(e.confidence, Confidence::Medium);
    assert_eq!(e.engine, ENGINE);
}

#[test]
fn a_labelled_certificate_is_high_confidence_and_mismatches_are_warned() {
    let text = "Certificate of Incorporation\nCompany name: Globex Trading Ltd\nCompany No. 87654321\nDate of incorporation: 2019-06-30\n";
    let e = process(text, &ctx("Globex Trading Ltd", "87654321", &[])).unwrap();
    assert_eq!(e.confidence, Confidence::High);
    let e = process(text, &ctx("Initech Ltd", "11111111", &[])).unwrap();
    assert_eq!(e.warnings.len(), 2, "{:?}", e.warnings);
    assert!(e.warnings[0].contains("Globex Trading Ltd") && e.warnings[0].contains("Initech"));
    assert!(e.warnings[1].contains("87654321"));
    assert_eq!(e.confidence, Confidence::Medium);
}

#[test]
fn a_register_of_directors_lists_its_people() {
    let text = "REGISTER OF DIRECTORS\nCompany: Acme Holdings Ltd\n\
        Director 1: Jane Smith, appointed 1 May 2020\n\
        Director 2 - Bob Jones  (resigned)\n\
        Director: Carol White 12 High Street\n";
    let e = process(text, &ctx("Acme Holdings Ltd", "1", &["Jane Smith", "Bob Jones"])).unwrap();
    assert_eq!(e.document_type, "Register of Directors");
    assert_eq!(e.people, ["Jane Smith", "Bob Jones", "Carol White"]);
    assert_eq!(e.field("directors"), Some("Jane Smith; Bob Jones; Carol White"));
    assert_eq!(e.warnings, ["not among the people on the case: Carol White"]);
}

#[test]
fn a_passport_is_read_from_its_zone() {
    let text = format!("PASSPORT\nUtopia\nSurname: ERIKSSON\nGiven names: ANNA MARIA\n{}", mrz::tests::TD3);
    let e = process(&text, &ctx("Acme", "1", &["Anna-Maria Eriksson"])).unwrap();
    assert_eq!(e.document_type, "Passport");
    assert_eq!(e.field("fullName"), Some("Anna Maria Eriksson"));
    assert_eq!(e.fields.iter().find(|f| f.name == "fullName").unwrap().source, "mrz");
    assert_eq!(e.field("documentNumber"), Some("L898902C3"));
    assert_eq!(e.field("dateOfBirth"), Some("1974-08-12"));
    assert_eq!(e.warnings, ["the document expired on 2012-04-15"], "the specimen expired long ago");
    assert_eq!(e.confidence, Confidence::Medium);
}

#[test]
fn a_forged_zone_makes_the_reading_low() {
    let text = format!("PASSPORT\n{}", mrz::tests::TD3.replace("L898902C3", "L898902C4"));
    let e = process(&text, &Context::default()).unwrap();
    assert_eq!(e.confidence, Confidence::Low);
    assert!(e.warnings.iter().any(|w| w.contains("check digits")));
}

#[test]
fn an_identity_card_without_a_zone_is_read_from_its_labels() {
    let text = "NATIONAL ID CARD\nSurname: Smith\nGiven names: Jane\nDocument number: X1234567\nNationality: GBR\n\
        Date of birth: 02/01/1980\nDate of expiry: 2031-01-01\n";
    let e = process(text, &ctx("Acme", "1", &["Jane Smith"])).unwrap();
    assert_eq!(e.document_type, "National ID Card");
    assert_eq!(e.field("fullName"), Some("Jane Smith"));
    assert_eq!(e.field("dateOfBirth"), Some("1980-01-02"));
    assert!(e.warnings.is_empty() && e.missing_fields.is_empty());
    assert_eq!(e.confidence, Confidence::Medium, "labels without a zone are never High");
}

#[test]
fn a_proof_of_address_checks_its_age() {
    let text = "Northern Power — Utility bill\nAccount holder: Jane Smith\nBilling address: 1 High Street\nLondon\nEC1A 1AA\n\
        Bill date: 1 October 2026\nAmount due: £42.00\n";
    let e = process(text, &ctx("Acme", "1", &["Jane Smith"])).unwrap();
    assert_eq!(e.field("address"), Some("1 High Street, London, EC1A 1AA"));
    assert_eq!(e.field("issueDate"), Some("2026-10-01"));
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    let old = text.replace("1 October 2026", "1 January 2026");
    let e = process(&old, &ctx("Acme", "1", &["Jane Smith"])).unwrap();
    assert_eq!(e.warnings, ["issued on 2026-01-01, more than three months ago"]);
}

#[test]
fn missing_fields_are_listed() {
    let e =
        process("Certificate of Incorporation\nissued for a company whose details are elsewhere", &Context::default())
            .unwrap();
    assert_eq!(e.missing_fields, ["companyName", "companyNumber", "incorporationDate"]);
    assert_eq!(e.confidence, Confidence::Low);
}

#[test]
fn unreadable_and_unknown_documents_are_refused() {
    assert_eq!(process("", &Context::default()), Err(Unprocessable::NoText));
    assert_eq!(process("   \n 12 \n", &Context::default()), Err(Unprocessable::NoText));
    assert_eq!(
        process("Minutes of the board meeting held on Tuesday; present were all members.", &Context::default()),
        Err(Unprocessable::Unrecognised)
    );
}

#[test]
fn labels_end_at_a_separator() {
    let lines = ["Names of directors", "Name: Jane"];
    assert_eq!(labelled(&lines, &["name"]), Some("Jane".into()));
    assert_eq!(labelled(&["Company number", "12345678"], &["company number"]), Some("12345678".into()));
    assert_eq!(labelled(&["Company Number 12345678"], &["company number"]), Some("12345678".into()));
    let register = ["Company number: 0123", "Company: Acme Ltd"];
    assert_eq!(labelled(&register, &["company name", "company"]), Some("Acme Ltd".into()), "not `number: 0123`");
    let bill = ["Name of supplier: Power Co", "Account holder: Jane Smith"];
    assert_eq!(labelled(&bill, &["account holder", "name"]), Some("Jane Smith".into()));
}

#[test]
fn a_long_register_is_read_up_to_its_cap() {
    let mut text = "REGISTER OF DIRECTORS\n".to_owned();
    for i in 0..500 {
        let a = char::from(b'A' + u8::try_from(i % 26).unwrap());
        let b = char::from(b'A' + u8::try_from(i / 26 % 26).unwrap());
        text += &format!("Director: Person{a}{b} Name{b}{a}x\n");
    }
    let e = process(&text, &Context::default()).unwrap();
    assert_eq!(e.people.len(), MAX_PEOPLE);
    assert!(e.warnings.iter().any(|w| w.starts_with("more than 100 entries")));
}

#[test]
fn kinds_round_trip_their_labels() {
    for k in DocKind::ALL {
        assert_eq!(DocKind::from_label(k.label()), Some(k));
    }
    assert!(DocKind::Passport.is_identity() && !DocKind::ProofOfAddress.is_identity());
}
