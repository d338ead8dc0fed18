//! Countries: accepted as a CRM sends them, stored and sent as ISO 3166-1 alpha-2.

use std::fmt;
use std::str::FromStr;

use celes::Country;
use serde::Serialize;

/// An ISO 3166-1 alpha-2 code such as `GB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryCode([u8; 2]);

/// The input names no country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a country name or ISO 3166-1 code")]
pub struct UnknownCountry;

/// Common names that CRMs' country pickers send and the ISO data does not list as aliases.
const EXTRA_ALIASES: &[(&str, &str)] = &[("uk", "GB"), ("britain", "GB"), ("usa", "US"), ("us", "US"), ("uae", "AE")];

impl CountryCode {
    /// Accepts alpha-2 and alpha-3 codes and English names or aliases, in any case and with any
    /// spacing ("United Kingdom", "GB", "GBR", "uk").
    pub fn parse(raw: &str) -> Result<Self, UnknownCountry> {
        let trimmed = raw.trim();
        let lower = trimmed.to_ascii_lowercase();
        if let Some((_, code)) = EXTRA_ALIASES.iter().find(|(alias, _)| *alias == lower) {
            return Self::from_alpha2(code);
        }
        // celes matches names and aliases with their spaces removed ("UnitedKingdom").
        let squashed: String = trimmed.chars().filter(|c| c.is_alphanumeric()).collect();
        let country = Country::from_str(trimmed)
            .or_else(|_| Country::from_str(&squashed))
            .or_else(|_| Country::from_str(&format!("The{squashed}")))
            .map_err(|_| UnknownCountry)?;
        Self::from_alpha2(country.alpha2)
    }

    /// Every country a form may offer: (alpha-2 code, the name people look for), ordered by
    /// name.
    pub fn all() -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> =
            Country::get_countries().into_iter().map(|c| (c.alpha2, common_name(c.alpha2, c.long_name))).collect();
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out
    }

    /// The canonical spellings [`Self::parse`] accepts, for documents that list them: every
    /// alpha-2 and alpha-3 code (upper and lower case), every English name, and the CRM
    /// abbreviations. (Parsing also ignores case and spacing in names.)
    pub fn spellings() -> Vec<String> {
        let mut out = Vec::new();
        for c in Country::get_countries() {
            out.extend([c.alpha2.to_owned(), c.alpha2.to_ascii_lowercase(), c.alpha3.to_owned()]);
            out.extend([c.alpha3.to_ascii_lowercase(), c.long_name.to_owned()]);
            // Aliases are stored squashed ("UnitedKingdom"); list them as people write them.
            out.extend(celes::LookupTable::iter(&c.aliases).map(|a| spaced(a)));
        }
        out.extend(EXTRA_ALIASES.iter().flat_map(|(a, _)| [(*a).to_owned(), a.to_ascii_uppercase()]));
        // A few official names (with commas) do not parse; list only what does.
        out.retain(|s| Self::parse(s).is_ok());
        out.sort();
        out.dedup();
        out
    }

    fn from_alpha2(code: &str) -> Result<Self, UnknownCountry> {
        let b = code.as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_uppercase) { Ok(Self([b[0], b[1]])) } else { Err(UnknownCountry) }
    }

    /// Wraps a code read back from the database.
    pub fn from_stored(code: &str) -> Option<Self> {
        Self::from_alpha2(code).ok()
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII uppercase letters are ever stored in the array.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The name people know it by, as forms list it ("United Kingdom" for `GB`).
    pub fn name(&self) -> String {
        match Country::from_alpha2(self.as_str()) {
            Ok(c) => common_name(c.alpha2, c.long_name),
            Err(_) => self.as_str().to_owned(),
        }
    }
}

/// The name a person looks for in a list: the official name without its "The", its form of
/// state ("Bolivarian Republic Of Venezuela" → "Venezuela"), and the two Koreas and two
/// Congos told apart.
fn common_name(alpha2: &str, long_name: &str) -> String {
    match alpha2 {
        "GB" => return "United Kingdom".to_owned(),
        "US" => return "United States".to_owned(),
        "KR" => return "Korea, South".to_owned(),
        "KP" => return "Korea, North".to_owned(),
        "CD" => return "Congo, Democratic Republic of the".to_owned(),
        "TW" => return "Taiwan".to_owned(),
        _ => {}
    }
    let name = long_name.strip_prefix("The ").unwrap_or(long_name);
    match name.split_once(" Of ") {
        Some((form, place))
            if !form.contains(',') && ["Republic", "State", "States"].iter().any(|w| form.ends_with(w)) =>
        {
            place.to_owned()
        }
        _ => name.to_owned(),
    }
}

/// "UnitedKingdom" → "United Kingdom".
fn spaced(squashed: &str) -> String {
    let mut out = String::with_capacity(squashed.len() + 4);
    let mut prev_lower = false;
    for c in squashed.chars() {
        if c.is_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = c.is_lowercase();
        out.push(c);
    }
    out
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CountryCode {
    /// Reads a stored alpha-2 code (what this type serialises as).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        CountryCode::from_stored(&raw).ok_or_else(|| serde::de::Error::custom(format!("not an alpha-2 code: {raw}")))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_list_for_forms_names_each_country_once_by_its_common_name() {
        let all = super::CountryCode::all();
        assert_eq!(all.len(), 250);
        let mut names: Vec<&str> = all.iter().map(|(_, n)| n.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), 250, "no two share a name");
        for (code, name) in
            [("GB", "United Kingdom"), ("VE", "Venezuela"), ("IR", "Iran"), ("BS", "Bahamas"), ("CG", "Congo")]
        {
            assert!(all.iter().any(|(c, n)| *c == code && n == name), "{code} {name}");
        }
        for (code, name) in &all {
            let c = super::CountryCode::parse(code).unwrap();
            assert_eq!((c.as_str(), c.name().as_str()), (*code, name.as_str()), "one name per country, everywhere");
        }
    }

    #[test]
    fn every_listed_spelling_parses() {
        let all = super::CountryCode::spellings();
        assert!(all.len() > 1000, "{}", all.len());
        assert!(all.iter().any(|s| s == "United Kingdom") && all.iter().any(|s| s == "gb"));
        for s in &all {
            assert!(super::CountryCode::parse(s).is_ok(), "{s}");
        }
    }

    use super::*;

    #[test]
    fn accepts_what_crms_send() {
        let cases = [
            ("United Kingdom", "GB"),
            ("united kingdom", "GB"),
            ("GB", "GB"),
            ("gb", "GB"),
            ("GBR", "GB"),
            ("uk", "GB"),
            ("UK", "GB"),
            ("Germany", "DE"),
            ("DEU", "DE"),
            ("France", "FR"),
            ("United States", "US"),
            ("USA", "US"),
            ("Netherlands", "NL"),
            (" ie ", "IE"),
        ];
        for (raw, want) in cases {
            assert_eq!(CountryCode::parse(raw).map(|c| c.to_string()), Ok(want.to_owned()), "{raw}");
        }
    }

    #[test]
    fn refuses_non_countries() {
        for bad in ["Atlantis", "", "XX", "ZZZ", "12"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad}");
        }
    }
}
