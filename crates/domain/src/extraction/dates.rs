//! Dates as documents print them, read into ISO `YYYY-MM-DD`.

use chrono::NaiveDate;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| m.starts_with(&w)).and_then(|i| u32::try_from(i + 1).ok())
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    if !(1900..=2200).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

fn number(raw: &str) -> Option<u32> {
    let t = raw.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == ',');
    (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
}

/// The first date in `text`: `2021-03-04`, `04/03/2021` and `04.03.2021` (day first, as
/// outside the US), `4 March 2021`, `4th Mar 2021`, `March 4, 2021`.
pub fn find(text: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let w = w.trim_matches(|c: char| matches!(c, ',' | ';' | '(' | ')' | ':' | '.'));
        if let Some(d) = numeric(w) {
            return Some(d);
        }
        // `4 March 2021` / `4th of March 2021`
        if let Some(day) = number(w) {
            let mut j = i + 1;
            if words.get(j).is_some_and(|x| x.eq_ignore_ascii_case("of")) {
                j += 1;
            }
            if let (Some(m), Some(y)) = (words.get(j).and_then(|x| month(x)), words.get(j + 1).and_then(|x| number(x)))
                && let Some(d) = ymd(i32::try_from(y).ok()?, m, day)
            {
                return Some(d);
            }
        }
        // `March 4, 2021`
        if let Some(m) = month(w)
            && let (Some(day), Some(y)) =
                (words.get(i + 1).and_then(|x| number(x)), words.get(i + 2).and_then(|x| number(x)))
            && let Some(d) = ymd(i32::try_from(y).ok()?, m, day)
        {
            return Some(d);
        }
    }
    None
}

fn numeric(w: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = w.split(['-', '/', '.']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if n.len() != 3 {
        return None;
    }
    if parts[0].len() == 4 {
        ymd(i32::try_from(n[0]).ok()?, n[1], n[2])
    } else if parts[2].len() == 4 {
        ymd(i32::try_from(n[2]).ok()?, n[1], n[0])
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_dates_are_read() {
        let iso = |s: &str| find(s).map(|d| d.to_string());
        assert_eq!(iso("Incorporated on 2021-03-04."), Some("2021-03-04".into()));
        assert_eq!(iso("Date: 04/03/2021"), Some("2021-03-04".into()), "day first");
        assert_eq!(iso("04.03.2021"), Some("2021-03-04".into()));
        assert_eq!(iso("the 4th of March 2021"), Some("2021-03-04".into()));
        assert_eq!(iso("4 Mar 2021"), Some("2021-03-04".into()));
        assert_eq!(iso("March 4, 2021"), Some("2021-03-04".into()));
        assert_eq!(iso("31/02/2021"), None, "no such day");
        assert_eq!(iso("Company number 12345678"), None);
        assert_eq!(iso("May I help"), None, "a month name alone is no date");
        assert_eq!(iso("4 March 1700"), None, "out of range");
    }
}
