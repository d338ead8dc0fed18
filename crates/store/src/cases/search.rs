//! The filtered, ordered and paged case lists of the API and the console's dashboard, and the
//! backend-specific SQL that keeps their text search on an index.

use fml_domain::{AnalystId, CaseId, CaseSource, CaseStatus, OrgId};

use super::{CASE_COLUMNS, CaseRecord, CaseRow, convert};
use crate::StoreError;
use crate::db::Conn;

/// What the case lists (`GET /api/cases`, the console's dashboard) filter on; every filter is
/// optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    /// `Some(None)`: unassigned cases only.
    pub owner: Option<Option<AnalystId>>,
    pub source: Option<CaseSource>,
    /// Text, matched literally and in any case, that the company name, the reference or the
    /// customer's email contains.
    pub text: Option<String>,
}

/// The orders the console's dashboard sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseOrder {
    #[default]
    Newest,
    Oldest,
    /// Most recently changed first.
    Updated,
    /// Company name A-Z.
    Company,
    /// By status, the longest waiting first within each (a work queue).
    Status,
}

impl CaseOrder {
    fn sql(self) -> &'static str {
        match self {
            CaseOrder::Newest => "id DESC",
            CaseOrder::Oldest => "id ASC",
            // Each matches an index of `cases` walked in one direction (see migration 0012).
            CaseOrder::Updated => "updated_at DESC, id DESC",
            CaseOrder::Company => "LOWER(COALESCE(company_name, '')) ASC, id ASC",
            CaseOrder::Status => "status ASC, id ASC",
        }
    }
}

/// Which page of a list: after a cursor (the API: newest first, stable under inserts), or at
/// an offset in an order (the console: numbered pages in any order).
#[derive(Debug, Clone, Copy)]
pub enum CasePage {
    After(Option<CaseId>),
    Offset { order: CaseOrder, offset: u32 },
}

/// The `WHERE` clause of `filter` for `org`, with its arguments (placeholders from `$1`).
fn filter_sql(backend: crate::Backend, org: &OrgId, filter: &CaseFilter) -> (String, Vec<crate::db::Arg>) {
    use crate::db::Arg;
    let mut sql = String::from(" WHERE org_id = $1");
    let mut args = vec![Arg::Text(org.as_str().to_owned())];
    let mut push = |cond: &str, arg: Option<Arg>| {
        match arg {
            Some(a) => {
                args.push(a);
                sql.push_str(&format!(" AND {cond}${}", args.len()));
            }
            None => sql.push_str(&format!(" AND {cond}")),
        };
    };
    if let Some(s) = filter.status {
        push("status = ", Some(Arg::Text(s.as_str().to_owned())));
    }
    match filter.owner {
        Some(Some(o)) => push("owner_id = ", Some(Arg::Text(o.to_string()))),
        Some(None) => push("owner_id IS NULL", None),
        None => {}
    }
    if let Some(s) = filter.source {
        push("source = ", Some(Arg::Text(s.as_str().to_owned())));
    }
    if let Some(q) = &filter.text {
        let (before, after, arg) = text_condition(backend, q);
        args.push(Arg::Text(arg));
        sql.push_str(&format!(" AND {before}${}{after}", args.len()));
    }
    (sql, args)
}

/// The text search's condition, as the text before and after its argument's placeholder, and
/// the argument.
/// Both backends answer from a trigram index (migration 0012) for three characters or more;
/// shorter text is a substring scan of the tenant's cases.
fn text_condition(backend: crate::Backend, q: &str) -> (&'static str, &'static str, String) {
    // No stored text holds a control character (and the index joins the fields with one).
    let q: String = q.chars().filter(|c| !c.is_control()).collect();
    let like = || {
        // LIKE with the pattern's own wildcards escaped: the text is matched literally, in
        // lower case as PostgreSQL's LOWER makes it (Unicode, under a UTF-8 ctype).
        let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        format!("%{escaped}%")
    };
    match backend {
        // The same expression as the index, so the planner can use it.
        // (Backslash is PostgreSQL's default LIKE escape.)
        crate::Backend::Postgres => (
            "LOWER(COALESCE(company_name, '') || CHR(31) || reference || CHR(31) || COALESCE(customer_email, '')) LIKE ",
            "",
            like(),
        ),
        // An FTS5 phrase of the whole text is a literal substring match (quotes doubled).
        crate::Backend::Sqlite if q.chars().count() >= 3 => (
            "id IN (SELECT k.case_id FROM cases_search JOIN case_search_ids k ON k.rowid = cases_search.rowid \
             WHERE cases_search MATCH ",
            ")",
            format!("\"{}\"", q.replace('"', "\"\"")),
        ),
        // Shorter than a trigram: SQLite's LOWER and LIKE fold ASCII only, so a GLOB whose
        // every letter is a class of its cases (`[öÖ][kK]`) folds as PostgreSQL's LOWER does.
        crate::Backend::Sqlite => (
            "(COALESCE(company_name, '') || CHAR(31) || reference || CHAR(31) || COALESCE(customer_email, '')) GLOB ",
            "",
            format!("*{}*", case_classes(&q)),
        ),
    }
}

/// A GLOB pattern matching `q` literally in any letter case: each letter a class of its
/// one-character case forms, each of GLOB's own `*`, `?`, `[` and `]` a class of itself.
fn case_classes(q: &str) -> String {
    let mut out = String::new();
    for c in q.chars() {
        let mut forms = vec![c];
        for f in [c.to_lowercase().collect::<Vec<_>>(), c.to_uppercase().collect::<Vec<_>>()] {
            // A case form of several characters (ß → SS) cannot be a class member.
            if let [one] = f[..]
                && !forms.contains(&one)
            {
                forms.push(one);
            }
        }
        match (c, forms.len()) {
            ('*' | '?' | '[' | ']', _) => out.extend(['[', c, ']']),
            (_, 1) => out.push(c),
            _ => {
                out.push('[');
                out.extend(forms);
                out.push(']');
            }
        }
    }
    out
}

/// One page of a tenant's cases matching `filter`.
pub async fn search_in(
    conn: Conn<'_>,
    org: &OrgId,
    filter: &CaseFilter,
    page: CasePage,
    limit: u32,
) -> Result<Vec<CaseRecord>, StoreError> {
    use crate::db::Arg;
    let (mut where_sql, mut args) = filter_sql(conn.backend(), org, filter);
    let (order, offset) = match page {
        CasePage::After(after) => {
            args.push(Arg::Text(after.map(|a| a.to_string()).unwrap_or_else(|| "~".into())));
            where_sql.push_str(&format!(" AND id < ${}", args.len()));
            (CaseOrder::Newest, 0)
        }
        CasePage::Offset { order, offset } => (order, offset),
    };
    args.push(Arg::Int(i64::from(limit)));
    args.push(Arg::Int(i64::from(offset)));
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases{where_sql} ORDER BY {} LIMIT ${} OFFSET ${}",
        order.sql(),
        args.len() - 1,
        args.len()
    );
    // A search is planned with its text, so PostgreSQL sees the trigram index pays.
    let persistent = filter.text.is_none();
    convert(crate::fetch_all_args!(conn, CaseRow, sql, args, persistent: persistent)?)
}

/// How many of a tenant's cases match `filter`, counting no further than `cap` (the dashboard's
/// "10,000+ cases"): the work is bounded however large the tenant's history grows.
pub async fn count_matching_in(conn: Conn<'_>, org: &OrgId, filter: &CaseFilter, cap: i64) -> Result<i64, StoreError> {
    let (where_sql, mut args) = filter_sql(conn.backend(), org, filter);
    args.push(crate::db::Arg::Int(cap));
    let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM cases{where_sql} LIMIT ${}) capped", args.len());
    let persistent = filter.text.is_none();
    let rows: Vec<(i64,)> = crate::fetch_all_args!(conn, (i64,), sql, args, persistent: persistent)?;
    Ok(rows.first().map_or(0, |r| r.0))
}

#[cfg(test)]
mod tests {
    use super::case_classes;

    #[test]
    fn glob_classes_fold_case_and_quote_globs_own_characters() {
        assert_eq!(case_classes("ök"), "[öÖ][kK]");
        assert_eq!(case_classes("Ü1"), "[Üü]1");
        // GLOB's own characters are literal; a letter whose other case is two letters keeps
        // the one-letter forms it has.
        assert_eq!(case_classes("*?[]"), "[*][?][[][]]");
        assert_eq!(case_classes("ß"), "ß");
        assert_eq!(case_classes("ẞ"), "[ẞß]");
        assert_eq!(case_classes("-@"), "-@");
    }
}
