//! Names as comparable tokens.

/// Legal-form words: they say what kind of company it is, not which one, so two companies must
/// not look alike for sharing "Limited". Compared after transliteration and lower-casing (so
/// "ООО" arrives as "ooo", "Общество с ограниченной ответственностью" as its Latin words).
const COMPANY_FORMS: &[&str] = &[
    "llc",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "llp",
    "lp",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "aps",
    "sro",
    "kft",
    "zrt",
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "tov",
    "pat",
    "jsc",
    "cjsc",
    "ojsc",
    "pjsc",
    "fzco",
    "fze",
    "dmcc",
    "group",
    "holding",
    "holdings",
    "obshchestvo",
    "s",
    "ogranichennoi",
    "ogranichennoy",
    "otvetstvennostiu",
    "otvetstvennostyu",
    "aktsionernoe",
    "aktsionernoye",
    "zakrytoe",
    "otkrytoe",
    "publichnoe",
    "tovarystvo",
    "z",
    "obmezhenoiu",
    "vidpovidalnistiu",
    "the",
    "and",
    "of",
];

/// The tokens of a name as they are compared: transliterated to ASCII (Cyrillic, Greek, Arabic
/// and so on, diacritics dropped), lower case, split on anything but letters and digits, with
/// legal-form words removed (apostrophes dropped, so O'Brien is one token) — unless nothing else is left, so a name made only of such words
/// still has tokens. Order is kept; comparison ignores it ("OSETROVA, Maria").
pub fn tokens(name: &str) -> Vec<String> {
    // Apostrophes join (O'Brien is "obrien"; a transliterated soft sign is no word break).
    let ascii = deunicode::deunicode(name).to_ascii_lowercase().replace(['\'', '`'], "");
    let all: Vec<String> =
        ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_owned).collect();
    let kept: Vec<String> = all.iter().filter(|t| !COMPANY_FORMS.contains(&t.as_str())).cloned().collect();
    if kept.is_empty() { all } else { kept }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_comparable_tokens() {
        let cases: &[(&str, &[&str])] = &[
            ("OSETROVA, Maria", &["osetrova", "maria"]),
            ("Müller-Lüdenscheidt GmbH", &["muller", "ludenscheidt"]),
            ("“Inter Tobacco” LLC", &["inter", "tobacco"]),
            ("ООО «Интер Табако»", &["inter", "tabako"]),
            ("Общество с ограниченной ответственностью “Интер Тобако”", &["inter", "tobako"]),
            ("Σωκράτης Παπαδόπουλος", &["sokrates", "papadopoulos"]),
            ("Limited", &["limited"]),
            ("Seán O'Brien", &["sean", "obrien"]),
            ("  ", &[]),
        ];
        for (name, want) in cases {
            assert_eq!(tokens(name), *want, "{name}");
        }
    }
}
