//! The words customers read about their form: what is wrong with a field, as a sentence that
//! names it as the form does ("Enter director 1's email address"), never as the path the
//! server checks (`directors[0].email`), and the anchor of the input it is about.

/// The field a path names, as a noun phrase that can start a sentence.
fn noun(path: &str) -> String {
    let top = match path {
        "companyName" => "The registered company name",
        "companyNumber" => "The company registration number",
        "country" => "The country of incorporation",
        "registeredAddress" => "The registered address",
        "directors" => "The directors",
        "shareholders" => "The shareholders",
        "customerName" => "Your name",
        "customerEmail" | "email" => "Your email address",
        "files" => "The files",
        _ => return person_noun(path).unwrap_or_else(|| path.to_owned()),
    };
    top.to_owned()
}

/// `directors[0].email` → "Director 1's email address".
fn person_noun(path: &str) -> Option<String> {
    let (list, rest) = path.split_once('[')?;
    let (index, field) = rest.split_once("].")?;
    let n = index.parse::<usize>().ok()? + 1;
    let who = match list {
        "directors" => "Director",
        "shareholders" => "Shareholder",
        _ => return None,
    };
    let what = match field {
        "fullName" => "full name",
        "email" => "email address",
        "dateOfBirth" => "date of birth",
        "ownershipPercent" => "ownership (%)",
        _ => return None,
    };
    Some(format!("{who} {n}'s {what}"))
}

/// What is wrong with the field at `path`, as a sentence: the server's `message` ("is
/// required", "must be a valid email address", …) said of the field's name.
pub fn sentence(path: &str, message: &str) -> String {
    let noun = noun(path);
    match message {
        "is required" | "must not be empty" => {
            let verb = if path == "country" { "Choose" } else { "Enter" };
            format!("{verb} {}.", lower_first(&noun))
        }
        "list at least one director" => "Add at least one director (their full name and email address).".to_owned(),
        m if path == "country" && m.contains("is not a country") => {
            "Choose the country of incorporation from the list.".to_owned()
        }
        _ => format!("{noun} {}.", message.trim_end_matches('.')),
    }
}

/// The `id` of the input an error at `path` is about: a whole list's error lands on its first
/// person's name.
pub fn anchor(path: &str) -> String {
    match path {
        "directors" => "directors-0-fullName".to_owned(),
        "shareholders" => "shareholders-0-fullName".to_owned(),
        _ => field_id(path),
    }
}

/// An `id` for a field name (`directors[0].fullName` → `directors-0-fullName`).
pub fn field_id(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect::<String>().replace("--", "-")
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_sentences_about_the_fields_people_see() {
        let cases = [
            ("registeredAddress", "is required", "Enter the registered address."),
            ("directors[0].email", "is required", "Enter director 1's email address."),
            (
                "directors[1].email",
                "must be a valid email address",
                "Director 2's email address must be a valid email address.",
            ),
            (
                "shareholders[0].ownershipPercent",
                "must be above 0 and at most 100",
                "Shareholder 1's ownership (%) must be above 0 and at most 100.",
            ),
            ("country", "is required", "Choose the country of incorporation."),
            (
                "country",
                "'Narnia' is not a country name or ISO 3166-1 code",
                "Choose the country of incorporation from the list.",
            ),
            (
                "directors",
                "list at least one director",
                "Add at least one director (their full name and email address).",
            ),
            ("email", "must not be empty", "Enter your email address."),
            ("customerEmail", "must be a valid email address", "Your email address must be a valid email address."),
        ];
        for (path, message, want) in cases {
            assert_eq!(sentence(path, message), want, "{path}");
        }
        assert!(!sentence("directors[0].email", "is required").contains('['));
    }

    #[test]
    fn every_error_links_to_an_input_that_exists() {
        assert_eq!(anchor("directors"), "directors-0-fullName");
        assert_eq!(anchor("shareholders[2].email"), "shareholders-2-email");
        assert_eq!(anchor("registeredAddress"), "registeredAddress");
    }
}
