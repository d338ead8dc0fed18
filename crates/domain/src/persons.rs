//! The people on a case: one roster per case, built from the application's directors and
//! shareholders and merged across roles, so each real person appears once — matched by email,
//! else by normalised name and date of birth. Each entry keeps a `personKey` (UUID v4) for the
//! life of the case, even as the application is corrected; screening and identity
//! verification run over the roster.

use serde::{Deserialize, Serialize};

use crate::application::Application;

/// A tenant-wide Person record's id: a number, as the webhook payloads carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub i64);

impl std::fmt::Display for PersonId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A person's roles on a case, in this order.
pub const ROLES: [&str; 3] = ["director", "shareholder", "ubo"];
/// Ownership from which a shareholder is an ultimate beneficial owner.
pub const UBO_THRESHOLD: f64 = 25.0;

/// One person of a case's roster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub person_key: String,
    /// 1-based, in roster order.
    pub position: u32,
    pub display_name: String,
    pub email: Option<String>,
    pub date_of_birth: Option<String>,
    /// ⊆ ["director", "shareholder", "ubo"], in that order.
    pub roles: Vec<String>,
    pub ownership_percent: Option<String>,
}

/// A name as compared: lower case, single spaces.
pub fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Whether two roster people are the same real person.
fn same_person(a_email: Option<&str>, a_name: &str, a_dob: Option<&str>, b: &RosterEntry) -> bool {
    match (a_email, b.email.as_deref()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => a_dob.is_some() && a_dob == b.date_of_birth.as_deref() && name_key(a_name) == name_key(&b.display_name),
    }
}

/// The roster of `app`, keeping the keys of `existing` entries for the same people.
pub fn roster(app: &Application, existing: &[RosterEntry]) -> Vec<RosterEntry> {
    let mut out: Vec<RosterEntry> = Vec::new();
    let mut add = |name: &str, email: &str, dob: Option<&str>, role: &str, percent: Option<&str>| {
        let email = Some(email.trim().to_lowercase()).filter(|e| !e.is_empty());
        let found = out.iter().position(|e| same_person(email.as_deref(), name, dob, e));
        let at = match found {
            Some(i) => i,
            None => {
                let key = existing
                    .iter()
                    .find(|e| same_person(email.as_deref(), name, dob, e))
                    .map_or_else(|| uuid::Uuid::new_v4().to_string(), |e| e.person_key.clone());
                out.push(RosterEntry {
                    person_key: key,
                    position: 0,
                    display_name: name.to_owned(),
                    email: email.clone(),
                    date_of_birth: dob.map(str::to_owned),
                    roles: Vec::new(),
                    ownership_percent: None,
                });
                out.len() - 1
            }
        };
        let entry = &mut out[at];
        if entry.date_of_birth.is_none() {
            entry.date_of_birth = dob.map(str::to_owned);
        }
        if !entry.roles.iter().any(|r| r == role) {
            entry.roles.push(role.to_owned());
        }
        if let Some(p) = percent {
            entry.ownership_percent = Some(p.to_owned());
            if p.parse::<f64>().is_ok_and(|v| v >= UBO_THRESHOLD) && !entry.roles.iter().any(|r| r == "ubo") {
                entry.roles.push("ubo".to_owned());
            }
        }
    };
    for d in &app.directors {
        add(&d.full_name, &d.email, d.date_of_birth.as_deref(), "director", None);
    }
    for s in &app.shareholders {
        add(&s.full_name, &s.email, None, "shareholder", Some(&s.ownership_percent));
    }
    // Two entries still holding one existing key (a person split in two by a correction):
    // the later one gets a new key, so keys stay unique.
    let mut seen = std::collections::HashSet::new();
    for (i, e) in out.iter_mut().enumerate() {
        if !seen.insert(e.person_key.clone()) {
            e.person_key = uuid::Uuid::new_v4().to_string();
        }
        e.position = u32::try_from(i + 1).unwrap_or(u32::MAX);
        e.roles.sort_by_key(|r| ROLES.iter().position(|x| x == r));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn app(v: serde_json::Value) -> Application {
        Application::from_json(&v).unwrap()
    }

    #[test]
    fn people_are_merged_across_roles() {
        let a = app(json!({
            "companyName": "Acme", "registeredAddress": "1 Road",
            "directors": [
                {"fullName": "Jane Smith", "email": "Jane@Acme.example", "dateOfBirth": "1980-01-02"},
                {"fullName": "Bob Jones", "email": "bob@acme.example"}
            ],
            "shareholders": [
                {"fullName": "Jane  Smith", "email": "jane@acme.example", "ownershipPercent": 60},
                {"fullName": "Carol White", "email": "carol@acme.example", "ownershipPercent": 24.99},
                {"fullName": "Dan Brown", "email": "dan@acme.example", "ownershipPercent": 25}
            ]
        }));
        let r = roster(&a, &[]);
        let summary: Vec<(u32, &str, Vec<&str>)> = r
            .iter()
            .map(|e| (e.position, e.display_name.as_str(), e.roles.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            summary,
            [
                (1, "Jane Smith", vec!["director", "shareholder", "ubo"]),
                (2, "Bob Jones", vec!["director"]),
                (3, "Carol White", vec!["shareholder"]),
                (4, "Dan Brown", vec!["shareholder", "ubo"]),
            ]
        );
        assert_eq!(r[0].email.as_deref(), Some("jane@acme.example"));
        assert_eq!(r[0].date_of_birth.as_deref(), Some("1980-01-02"));
        for e in &r {
            assert_eq!(uuid::Uuid::parse_str(&e.person_key).unwrap().get_version_num(), 4);
        }
    }

    #[test]
    fn keys_survive_corrections() {
        let first = roster(
            &app(json!({"companyName": "Acme", "registeredAddress": "1 Road",
                "directors": [{"fullName": "J Smith", "email": "j@acme.example"}, {"fullName": "Bob", "email": "bob@acme.example"}]})),
            &[],
        );
        // The name is corrected and the order changes: the same people keep their keys.
        let second = roster(
            &app(json!({"companyName": "Acme", "registeredAddress": "1 Road",
                "directors": [{"fullName": "Bob", "email": "bob@acme.example"}, {"fullName": "Jane Smith", "email": "j@acme.example"}]})),
            &first,
        );
        assert_eq!(second[0].person_key, first[1].person_key);
        assert_eq!(second[1].person_key, first[0].person_key);
        assert_eq!((second[0].position, second[1].position), (1, 2));
        assert_eq!(second[1].display_name, "Jane Smith");
    }
}
