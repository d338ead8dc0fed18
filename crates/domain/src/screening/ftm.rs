//! Watch-list entities in FollowTheMoney's JSON lines (the OpenSanctions format): one entity
//! per line, `{id, schema, caption, properties: {name: [...], ...}, datasets, ...}`. Only the
//! schemas a KYB case can match are kept (people and organisations); the rest of a list
//! (sanction records, addresses, ownerships) describe those and are skipped.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The schemas screened against.
const SCREENED: &[&str] = &["Person", "Company", "Organization", "LegalEntity", "PublicBody"];

/// An entity as screening needs it (and as the store keeps it, in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entity {
    pub id: String,
    pub schema: String,
    /// The display name.
    pub caption: String,
    /// Every name it is known by: `name`, `alias`, `previousName`, `weakAlias` (and the
    /// caption), without repeats.
    pub names: Vec<String>,
    pub topics: Vec<String>,
    /// ISO 3166-1 alpha-2, lower case, as FtM writes them (`country`, `nationality`,
    /// `citizenship`, `jurisdiction`).
    pub countries: Vec<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub birth_dates: Vec<String>,
    pub datasets: Vec<String>,
    /// For an adverse-media article: what it says and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<Article>,
}

/// An adverse-media article (`fml media import`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    pub title: String,
    pub url: String,
    pub published_at: Option<String>,
    pub summary: String,
}

/// The schema adverse-media articles are kept under.
pub const ARTICLE: &str = "Article";
/// The prefix of an adverse-media article's id (the guide's hit id `am:<id>`).
pub const ARTICLE_PREFIX: &str = "am:";

/// What a subject is, by the topics of the entity it matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// On a sanctions list (or linked to a sanctioned party).
    Sanctioned,
    /// A politically exposed person, or a close associate or relative of one.
    Pep,
    /// Listed for something else (debarment, disqualification, crime, …).
    Match,
}

impl Entity {
    pub fn is_article(&self) -> bool {
        self.schema == ARTICLE
    }

    /// The gravest standing its topics give (an article is a `Match`).
    pub fn standing(&self) -> Standing {
        let has = |p: &str| self.topics.iter().any(|t| t == p || t.starts_with(&format!("{p}.")));
        if has("sanction") {
            Standing::Sanctioned
        } else if has("role.pep") || has("role.rca") {
            Standing::Pep
        } else {
            Standing::Match
        }
    }
}

#[derive(Debug, Deserialize)]
struct Line {
    id: String,
    schema: String,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    properties: HashMap<String, Vec<Value>>,
    #[serde(default)]
    datasets: Vec<String>,
}

/// Reads one line: `Ok(None)` for an entity of a schema that is not screened (or a blank line),
/// `Err` with the reason for a line that is not an FtM entity.
pub fn parse_line(line: &str) -> Result<Option<Entity>, String> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let l: Line = serde_json::from_str(line).map_err(|e| format!("not an FtM entity: {e}"))?;
    if !SCREENED.contains(&l.schema.as_str()) {
        return Ok(None);
    }
    let strings = |keys: &[&str]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for k in keys {
            for v in l.properties.get(*k).into_iter().flatten() {
                if let Some(s) = v.as_str().map(str::trim).filter(|s| !s.is_empty())
                    && !out.iter().any(|o| o == s)
                {
                    out.push(s.to_owned());
                }
            }
        }
        out
    };
    let mut names = strings(&["name", "alias", "previousName", "weakAlias"]);
    let caption = l.caption.clone().filter(|c| !c.trim().is_empty()).or_else(|| names.first().cloned());
    let Some(caption) = caption else { return Err(format!("entity {} has no name", l.id)) };
    if !names.contains(&caption) {
        names.insert(0, caption.clone());
    }
    Ok(Some(Entity {
        topics: strings(&["topics"]),
        countries: strings(&["country", "nationality", "citizenship", "jurisdiction"])
            .into_iter()
            .map(|c| c.to_ascii_lowercase())
            .collect(),
        birth_dates: strings(&["birthDate"]),
        id: l.id,
        schema: l.schema,
        caption,
        names,
        datasets: l.datasets,
        article: None,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MediaLine {
    id: Value,
    title: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    published_at: Option<String>,
    names: Vec<String>,
    #[serde(default)]
    summary: String,
}

/// Reads one adverse-media line `{id, title, url, publishedAt, names[], summary}` as an entity
/// named by the people and companies the article is about; its id becomes `am:<id>`.
pub fn parse_media_line(line: &str) -> Result<Option<Entity>, String> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let m: MediaLine = serde_json::from_str(line).map_err(|e| format!("not an adverse-media record: {e}"))?;
    let id = match &m.id {
        Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return Err("an adverse-media record needs an id (a string or a number)".into()),
    };
    let mut names: Vec<String> = Vec::new();
    for n in m.names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if !names.iter().any(|o| o == n) {
            names.push(n.to_owned());
        }
    }
    if names.is_empty() {
        return Err(format!("adverse-media record {id} names nobody"));
    }
    Ok(Some(Entity {
        id: format!("{ARTICLE_PREFIX}{id}"),
        schema: ARTICLE.to_owned(),
        caption: m.title.clone(),
        names,
        topics: vec!["media".to_owned()],
        countries: Vec::new(),
        birth_dates: Vec::new(),
        datasets: Vec::new(),
        article: Some(Article { title: m.title, url: m.url, published_at: m.published_at, summary: m.summary }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERSON: &str = r#"{"id": "NK-2Tbri3s6GgNtAwsSXh4qpL", "caption": "Maria Aleksandrovna Osetrova", "schema": "Person", "properties": {"country": ["ru"], "name": ["Maria Aleksandrovna Osetrova", "Захарова Мария Александровна", "Maria Aleksandrovna ZAKHAROVA", "Maria Aleksandrovna Osetrova"], "birthDate": ["1988-01-07"], "topics": ["corp.disqual"]}, "datasets": ["gb_coh_disqualified"]}"#;
    const COMPANY: &str = r#"{"id":"NK-2GdmHtZTeNXjNVrBGEXZNj","caption":"RAB „Inter Tobacco“","schema":"Organization","properties":{"name":["LLC “Inter Tobacco”","Общество с ограниченной ответственностью “Интер Тобако”"],"country":["BY"],"topics":["sanction"]},"datasets":["eu_fsf"]}"#;
    const SANCTION: &str = r#"{"id":"eu-fsf-1","schema":"Sanction","properties":{"entity":["NK-2GdmHtZTeNXjNVrBGEXZNj"],"program":["BELARUS"]},"datasets":["eu_fsf"]}"#;

    #[test]
    fn people_and_organisations_are_read_with_every_name() {
        let p = parse_line(PERSON).unwrap().unwrap();
        assert_eq!(p.caption, "Maria Aleksandrovna Osetrova");
        assert_eq!(p.names.len(), 3, "the caption once, each other name once: {:?}", p.names);
        assert_eq!(p.names[0], "Maria Aleksandrovna Osetrova");
        assert_eq!(
            (p.countries.as_slice(), p.birth_dates.as_slice()),
            (&["ru".to_owned()][..], &["1988-01-07".to_owned()][..])
        );
        assert_eq!(p.standing(), Standing::Match);
        let c = parse_line(COMPANY).unwrap().unwrap();
        assert_eq!(c.names[0], "RAB „Inter Tobacco“", "the caption comes first");
        assert_eq!(c.names.len(), 3);
        assert_eq!(c.countries, ["by"]);
        assert_eq!(c.standing(), Standing::Sanctioned);
    }

    #[test]
    fn other_records_are_skipped_and_bad_lines_refused() {
        assert_eq!(parse_line(SANCTION).unwrap(), None);
        assert_eq!(parse_line("   ").unwrap(), None);
        assert!(parse_line("{not json").is_err());
        assert!(parse_line(r#"{"id":"x","schema":"Person","properties":{}}"#).unwrap_err().contains("no name"));
    }

    #[test]
    fn adverse_media_lines_are_entities_named_by_their_subjects() {
        let a = parse_media_line(r#"{"id": 17, "title": "Fraud probe", "url": "https://news.example/1", "publishedAt": "2026-01-02", "names": ["Ivan Petrov", " ", "Ivan Petrov", "Petrov Holdings"], "summary": "…"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(a.id, "am:17");
        assert_eq!(a.names, ["Ivan Petrov", "Petrov Holdings"]);
        assert!(a.is_article() && a.standing() == Standing::Match);
        assert_eq!(a.article.as_ref().unwrap().url, "https://news.example/1");
        assert!(parse_media_line(r#"{"id": "x", "title": "t", "names": []}"#).unwrap_err().contains("names nobody"));
        assert!(parse_media_line(r#"{"id": null, "title": "t", "names": ["a"]}"#).is_err());
        let back: Entity = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn standing_from_topics() {
        let with = |topics: &[&str]| {
            let mut e = parse_line(PERSON).unwrap().unwrap();
            e.topics = topics.iter().map(|t| (*t).to_owned()).collect();
            e.standing()
        };
        assert_eq!(with(&["sanction"]), Standing::Sanctioned);
        assert_eq!(with(&["sanction.linked", "role.pep"]), Standing::Sanctioned, "the gravest wins");
        assert_eq!(with(&["role.pep"]), Standing::Pep);
        assert_eq!(with(&["role.rca"]), Standing::Pep);
        assert_eq!(with(&["debarment", "poi"]), Standing::Match);
        assert_eq!(with(&["role.pepper"]), Standing::Match, "a prefix is a whole topic segment");
    }
}
