//! Persons: each case's roster, tenant-wide Person records, and documents attached to them.

use fml_domain::persons::{PersonId, RosterEntry, name_key};
use fml_domain::{CaseId, OrgId, Timestamp};

use crate::db::{Arg, Conn, values_clause};
use crate::{StoreError, execute, execute_args, fetch_all, fetch_all_args, fetch_optional};

/// How a roster entry was resolved against the tenant's Person records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Unresolved,
    /// Linked to an existing Person.
    Linked,
    /// Confirmed new: a Person was created for it and linked.
    New,
    /// A link was removed (soft: the Person it pointed to is kept, with the reason).
    Unlinked,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Unresolved => "unresolved",
            Resolution::Linked => "linked",
            Resolution::New => "new",
            Resolution::Unlinked => "unlinked",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Unresolved, Self::Linked, Self::New, Self::Unlinked].into_iter().find(|r| r.as_str() == raw)
    }

    /// Whether the entry points at a Person now.
    pub fn is_linked(self) -> bool {
        matches!(self, Resolution::Linked | Resolution::New)
    }
}

/// A roster entry with its resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePerson {
    pub entry: RosterEntry,
    pub person_id: Option<PersonId>,
    pub resolution: Resolution,
    pub unlink_reason: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct CasePersonRow {
    person_key: String,
    position: i32,
    display_name: String,
    email: Option<String>,
    date_of_birth: Option<String>,
    roles: String,
    ownership_percent: Option<String>,
    person_id: Option<i64>,
    resolution: String,
    unlink_reason: Option<String>,
}

impl TryFrom<CasePersonRow> for CasePerson {
    type Error = StoreError;
    fn try_from(r: CasePersonRow) -> Result<Self, StoreError> {
        Ok(CasePerson {
            resolution: Resolution::parse(&r.resolution)
                .ok_or_else(|| StoreError::Corrupt(format!("person {}: bad resolution", r.person_key)))?,
            entry: RosterEntry {
                person_key: r.person_key,
                position: u32::try_from(r.position).unwrap_or(0),
                display_name: r.display_name,
                email: r.email,
                date_of_birth: r.date_of_birth,
                roles: r.roles.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                ownership_percent: r.ownership_percent,
            },
            person_id: r.person_id.map(PersonId),
            unlink_reason: r.unlink_reason,
        })
    }
}

const COLUMNS: &str = "person_key, position, display_name, email, date_of_birth, roles, ownership_percent, person_id, \
     resolution, unlink_reason";

/// A case's roster, in order.
pub async fn roster(conn: Conn<'_>, org: &OrgId, case_id: CaseId) -> Result<Vec<CasePerson>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM case_persons WHERE org_id = $1 AND case_id = $2 ORDER BY position");
    fetch_all!(conn, CasePersonRow, sqlx::AssertSqlSafe(sql), org.as_str(), case_id.to_string())?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Replaces a case's roster with `entries`, keeping the resolution of every person whose key
/// is kept.
pub async fn replace_roster(
    mut conn: Conn<'_>,
    org: &OrgId,
    case_id: CaseId,
    entries: &[RosterEntry],
) -> Result<(), StoreError> {
    let old = roster(conn.reborrow(), org, case_id).await?;
    execute!(
        conn.reborrow(),
        "DELETE FROM case_persons WHERE org_id = $1 AND case_id = $2",
        org.as_str(),
        case_id.to_string()
    )?;
    if entries.is_empty() {
        return Ok(());
    }
    let sql =
        format!("INSERT INTO case_persons (case_id, org_id, {COLUMNS}) VALUES {}", values_clause(entries.len(), 12, 1));
    let mut args = Vec::with_capacity(entries.len() * 12);
    for e in entries {
        let kept = old.iter().find(|o| o.entry.person_key == e.person_key);
        args.extend([
            Arg::Text(case_id.to_string()),
            Arg::Text(org.as_str().to_owned()),
            Arg::Text(e.person_key.clone()),
            Arg::Int(i64::from(e.position)),
            Arg::Text(e.display_name.clone()),
            Arg::OptText(e.email.clone()),
            Arg::OptText(e.date_of_birth.clone()),
            Arg::Text(e.roles.join(",")),
            Arg::OptText(e.ownership_percent.clone()),
            Arg::OptInt(kept.and_then(|k| k.person_id).map(|p| p.0)),
            Arg::Text(kept.map_or(Resolution::Unresolved, |k| k.resolution).as_str().to_owned()),
            Arg::OptText(kept.and_then(|k| k.unlink_reason.clone())),
        ]);
    }
    execute_args!(conn, sql, args)?;
    Ok(())
}

/// Sets an entry's link.
pub async fn set_resolution(
    conn: Conn<'_>,
    org: &OrgId,
    case_id: CaseId,
    person_key: &str,
    person_id: Option<PersonId>,
    resolution: Resolution,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    execute!(
        conn,
        "UPDATE case_persons SET person_id = $4, resolution = $5, unlink_reason = $6 \
         WHERE org_id = $1 AND case_id = $2 AND person_key = $3",
        org.as_str(),
        case_id.to_string(),
        person_key,
        person_id.map(|p| p.0),
        resolution.as_str(),
        reason
    )?;
    Ok(())
}

/// A tenant-wide Person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id: PersonId,
    pub display_name: String,
    pub email: Option<String>,
    pub date_of_birth: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct PersonDbRow {
    id: i64,
    display_name: String,
    email: Option<String>,
    date_of_birth: Option<String>,
}

impl From<PersonDbRow> for PersonRow {
    fn from(r: PersonDbRow) -> Self {
        Self { id: PersonId(r.id), display_name: r.display_name, email: r.email, date_of_birth: r.date_of_birth }
    }
}

/// Creates a Person from a roster entry.
pub async fn create_person(
    conn: Conn<'_>,
    org: &OrgId,
    e: &RosterEntry,
    by: &str,
    now: Timestamp,
) -> Result<PersonId, StoreError> {
    let (id,): (i64,) = fetch_optional!(
        conn,
        (i64,),
        "INSERT INTO persons (org_id, display_name, name_key, email, date_of_birth, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        org.as_str(),
        e.display_name.as_str(),
        name_key(&e.display_name),
        e.email.as_deref(),
        e.date_of_birth.as_deref(),
        by,
        now.millis()
    )?
    .ok_or_else(|| StoreError::Corrupt("a person insert returned nothing".into()))?;
    Ok(PersonId(id))
}

pub async fn get_person(conn: Conn<'_>, org: &OrgId, id: PersonId) -> Result<Option<PersonRow>, StoreError> {
    Ok(fetch_optional!(
        conn,
        PersonDbRow,
        "SELECT id, display_name, email, date_of_birth FROM persons WHERE org_id = $1 AND id = $2",
        org.as_str(),
        id.0
    )?
    .map(Into::into))
}

/// Tenant Persons who may be the same as roster entries: same email, or same name.
pub async fn candidates(
    conn: Conn<'_>,
    org: &OrgId,
    entries: &[RosterEntry],
) -> Result<Vec<(PersonRow, String)>, StoreError> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let emails: Vec<String> = entries.iter().filter_map(|e| e.email.clone()).collect();
    let names: Vec<String> = entries.iter().map(|e| name_key(&e.display_name)).collect();
    let mut args = vec![Arg::Text(org.as_str().to_owned())];
    let mut list = |vals: &[String]| {
        let start = args.len() + 1;
        args.extend(vals.iter().map(|v| Arg::Text(v.clone())));
        if vals.is_empty() {
            "NULL".to_owned()
        } else {
            (start..start + vals.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        }
    };
    let (e, n) = (list(&emails), list(&names));
    let sql = format!(
        "SELECT id, display_name, email, date_of_birth, name_key FROM persons WHERE org_id = $1 \
         AND (email IN ({e}) OR name_key IN ({n})) ORDER BY id LIMIT 200"
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        person: PersonDbRow,
        name_key: String,
    }
    Ok(fetch_all_args!(conn, Row, sql, args)?.into_iter().map(|r| (r.person.into(), r.name_key)).collect())
}

/// Attaches a document to a Person for reuse until `valid_until`; false if it already was.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn attach_document(
    conn: Conn<'_>,
    org: &OrgId,
    person_id: PersonId,
    document_id: i64,
    case_id: CaseId,
    document_type: &str,
    by: &str,
    now: Timestamp,
    valid_until: Timestamp,
) -> Result<bool, StoreError> {
    Ok(execute!(
        conn,
        "INSERT INTO person_documents (person_id, org_id, document_id, case_id, document_type, attached_by, attached_at, valid_until) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (person_id, document_id) DO NOTHING",
        person_id.0,
        org.as_str(),
        document_id,
        case_id.to_string(),
        document_type,
        by,
        now.millis(),
        valid_until.millis()
    )? == 1)
}

/// The documents attached to these Persons and still valid at `now`: (person id, document id),
/// newest attachment first.
pub async fn attached_documents(
    conn: Conn<'_>,
    org: &OrgId,
    person_ids: &[i64],
    now: Timestamp,
) -> Result<Vec<(i64, i64)>, StoreError> {
    if person_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..person_ids.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT person_id, document_id FROM person_documents WHERE org_id = $1 AND valid_until > $2 \
         AND person_id IN ({}) ORDER BY attached_at DESC",
        list.join(", ")
    );
    let mut args = vec![crate::db::Arg::Text(org.as_str().to_owned()), crate::db::Arg::Int(now.millis())];
    args.extend(person_ids.iter().map(|id| crate::db::Arg::Int(*id)));
    Ok(crate::fetch_all_args!(conn, (i64, i64), sql, args)?)
}
