//! The machine-readable zone of passports (ICAO 9303 TD3: two lines of 44) and identity cards
//! (TD1: three lines of 30), with their check digits: the one part of an identity document a
//! rule can read with certainty.

use chrono::NaiveDate;

/// What the zone says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mrz {
    /// `P` (passport) or `I`/`A`/`C` (identity card).
    pub kind: char,
    pub issuing_country: String,
    pub surname: String,
    pub given_names: String,
    pub document_number: String,
    pub nationality: String,
    pub date_of_birth: Option<NaiveDate>,
    pub expiry: Option<NaiveDate>,
    /// Every check digit matched.
    pub checks_pass: bool,
}

fn value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A'..=b'Z' => u32::from(c - b'A') + 10,
        _ => 0,
    }
}

/// ICAO check digit: weights 7, 3, 1 repeating, modulo 10.
fn check(field: &[u8]) -> u8 {
    let sum: u32 = field.iter().zip([7, 3, 1].iter().cycle()).map(|(c, w)| value(*c) * w).sum();
    b'0' + u8::try_from(sum % 10).unwrap_or(0)
}

/// A passport's zone (TD3, issued by GBR) with its check digits: for samples, tests and
/// benchmarks. `dob` and `expiry` are `YYMMDD`.
pub fn write_td3(surname: &str, given: &str, number: &str, dob: &str, expiry: &str) -> String {
    let digit = |s: &str| char::from(check(s.as_bytes()));
    let l1 = format!("{:<<44}", format!("P<GBR{surname}<<{given}"));
    let number = format!("{number:<<9}");
    let personal = "<".repeat(14);
    let mut l2 = format!(
        "{number}{}GBR{dob}{}F{expiry}{}{personal}{}",
        digit(&number),
        digit(dob),
        digit(expiry),
        digit(&personal)
    );
    let composite = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..43]);
    l2.push(digit(&composite));
    format!("{l1}\n{l2}")
}

fn checked(field: &[u8], digit: u8) -> bool {
    check(field) == digit
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim_end_matches('<').replace('<', " ").trim().to_owned()
}

/// `YYMMDD`; a birth year is in the past (two digits above this year's are 19xx), an expiry
/// within the next 50 years.
fn date(b: &[u8], birth: bool, this_year: i32) -> Option<NaiveDate> {
    let s = std::str::from_utf8(b).ok()?;
    if s.len() != 6 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = s[0..2].parse().ok()?;
    let century = if birth {
        if 2000 + yy > this_year { 1900 } else { 2000 }
    } else if 2000 + yy > this_year + 50 {
        1900
    } else {
        2000
    };
    NaiveDate::from_ymd_opt(century + yy, s[2..4].parse().ok()?, s[4..6].parse().ok()?)
}

fn names(b: &[u8]) -> (String, String) {
    let s = String::from_utf8_lossy(b);
    let mut parts = s.splitn(2, "<<");
    let surname = parts.next().unwrap_or("").replace('<', " ").trim().to_owned();
    let given = parts.next().unwrap_or("").replace('<', " ").split_whitespace().collect::<Vec<_>>().join(" ");
    (surname, given)
}

fn is_mrz_line(l: &str, len: usize) -> bool {
    l.len() == len && l.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'<')
}

/// Finds and reads a TD3 or TD1 zone in `text` (lines are compared without spaces).
pub fn find(text: &str, this_year: i32) -> Option<Mrz> {
    let lines: Vec<String> = text.lines().map(|l| l.chars().filter(|c| !c.is_whitespace()).collect()).collect();
    for w in lines.windows(2) {
        if is_mrz_line(&w[0], 44) && is_mrz_line(&w[1], 44) && w[0].starts_with('P') {
            return Some(td3(w[0].as_bytes(), w[1].as_bytes(), this_year));
        }
    }
    for w in lines.windows(3) {
        if w.iter().all(|l| is_mrz_line(l, 30)) && matches!(w[0].as_bytes()[0], b'I' | b'A' | b'C') {
            return Some(td1(w[0].as_bytes(), w[1].as_bytes(), w[2].as_bytes(), this_year));
        }
    }
    None
}

fn td3(l1: &[u8], l2: &[u8], this_year: i32) -> Mrz {
    let (surname, given_names) = names(&l1[5..44]);
    let composite: Vec<u8> = [&l2[0..10], &l2[13..20], &l2[21..43]].concat();
    let checks_pass = checked(&l2[0..9], l2[9])
        && checked(&l2[13..19], l2[19])
        && checked(&l2[21..27], l2[27])
        && checked(&composite, l2[43]);
    Mrz {
        kind: 'P',
        issuing_country: text(&l1[2..5]),
        surname,
        given_names,
        document_number: text(&l2[0..9]),
        nationality: text(&l2[10..13]),
        date_of_birth: date(&l2[13..19], true, this_year),
        expiry: date(&l2[21..27], false, this_year),
        checks_pass,
    }
}

fn td1(l1: &[u8], l2: &[u8], l3: &[u8], this_year: i32) -> Mrz {
    let (surname, given_names) = names(l3);
    let composite: Vec<u8> = [&l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]].concat();
    let checks_pass = checked(&l1[5..14], l1[14])
        && checked(&l2[0..6], l2[6])
        && checked(&l2[8..14], l2[14])
        && checked(&composite, l2[29]);
    Mrz {
        kind: char::from(l1[0]),
        issuing_country: text(&l1[2..5]),
        surname,
        given_names,
        document_number: text(&l1[5..14]),
        nationality: text(&l2[15..18]),
        date_of_birth: date(&l2[0..6], true, this_year),
        expiry: date(&l2[8..14], false, this_year),
        checks_pass,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// ICAO 9303's specimen passport (Anna Maria Eriksson, Utopia).
    pub const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    /// ICAO 9303's specimen identity card.
    pub const TD1: &str =
        "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

    #[test]
    fn the_specimen_passport_is_read_and_checked() {
        let m = find(&format!("PASSPORT\n{TD3}\n"), 2026).unwrap();
        assert_eq!((m.kind, m.surname.as_str(), m.given_names.as_str()), ('P', "ERIKSSON", "ANNA MARIA"));
        assert_eq!(m.document_number, "L898902C3");
        assert_eq!(m.nationality, "UTO");
        assert_eq!(m.date_of_birth, NaiveDate::from_ymd_opt(1974, 8, 12));
        assert_eq!(m.expiry, NaiveDate::from_ymd_opt(2012, 4, 15));
        assert!(m.checks_pass);
    }

    #[test]
    fn the_specimen_card_is_read_and_checked() {
        let m = find(TD1, 2026).unwrap();
        assert_eq!((m.kind, m.document_number.as_str(), m.surname.as_str()), ('I', "D23145890", "ERIKSSON"));
        assert!(m.checks_pass);
    }

    #[test]
    fn a_changed_character_fails_its_check() {
        let forged = TD3.replace("L898902C3", "L898902C4");
        assert!(!find(&forged, 2026).unwrap().checks_pass);
        let forged_dob = TD3.replace("7408122", "7508122");
        assert!(!find(&forged_dob, 2026).unwrap().checks_pass);
    }

    #[test]
    fn written_zones_read_back() {
        let m = find(&write_td3("SMITH", "JANE", "123456789", "800102", "310101"), 2026).unwrap();
        assert!(m.checks_pass);
        assert_eq!((m.surname.as_str(), m.given_names.as_str()), ("SMITH", "JANE"));
        assert_eq!(m.date_of_birth, NaiveDate::from_ymd_opt(1980, 1, 2));
    }

    #[test]
    fn ordinary_text_has_no_zone() {
        assert_eq!(find("Certificate of Incorporation\nCompany number 12345678", 2026), None);
        assert_eq!(find("P<UTO short line\n123", 2026), None);
    }
}
