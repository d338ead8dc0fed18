//! Both databases are one schema: a fresh SQLite and a fresh PostgreSQL, each migrated, are
//! described in the same terms — tables, columns (type by a mapping, nullability), primary
//! keys, unique constraints, foreign keys, indexes (columns, uniqueness, partial or not) and
//! the values each CHECK admits — and the descriptions must be equal, but for [`EXCEPTIONS`].
//! Runs on PostgreSQL when `FML_TEST_DATABASE_URL` names one (CI always does).

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;

use crate::db::{ConnectOptions, Db};

/// What differs by design, and why.
const EXCEPTIONS: &[(&str, &str)] = &[
    // Case search: SQLite's FTS5 trigram table (a virtual table and its shadow tables, kept by
    // triggers) is PostgreSQL's pg_trgm GIN index on `cases`.
    ("sqlite table", "cases_search"),
    ("sqlite table", "cases_search_config"),
    ("sqlite table", "cases_search_content"),
    ("sqlite table", "cases_search_data"),
    ("sqlite table", "cases_search_docsize"),
    ("sqlite table", "cases_search_idx"),
    // FTS5 rows are numbered; this maps them to case ids.
    ("sqlite table", "case_search_ids"),
    ("postgres index", "cases.cases_search"),
];

/// One database's schema, as comparable facts (`"table.column"` → what it is, and so on).
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    tables: BTreeSet<String>,
    columns: BTreeMap<String, String>,
    keys: BTreeSet<String>,
    indexes: BTreeMap<String, String>,
    checks: BTreeMap<String, BTreeSet<String>>,
}

/// A column type as both databases mean it.
fn canonical_type(declared: &str) -> String {
    match declared.trim().to_ascii_lowercase().as_str() {
        "text" => "text",
        "integer" | "bigint" | "int" | "int4" | "int8" => "integer",
        "boolean" | "bool" => "boolean",
        "double precision" | "real" | "float8" => "float",
        "blob" | "bytea" => "bytes",
        other => return format!("unmapped type {other}"),
    }
    .to_owned()
}

/// The first identifier of a CHECK expression (its column) and the string literals in it.
fn check_fact(expr: &str) -> (String, BTreeSet<String>) {
    let body = expr.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
    let column: String = body.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (column, literals(expr))
}

/// Every `'…'` literal in `sql`.
fn literals(sql: &str) -> BTreeSet<String> {
    sql.split('\'').skip(1).step_by(2).map(str::to_owned).collect()
}

/// The balanced `( … )` that starts at `sql[open]`.
fn parenthesised(sql: &str, open: usize) -> &str {
    let mut depth = 0;
    for (i, c) in sql[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &sql[open..=open + i];
                }
            }
            _ => {}
        }
    }
    &sql[open..]
}

/// The CHECK expressions of a `CREATE TABLE` (column and table constraints alike).
fn sqlite_checks(table_sql: &str) -> Vec<&str> {
    let upper = table_sql.to_ascii_uppercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    upper
        .match_indices("CHECK")
        // The keyword, not a name that contains it (`idv_checks`, a column `checks`).
        .filter(|(i, _)| !word(upper[..*i].chars().next_back()) && !word(upper[i + 5..].chars().next()))
        .filter_map(|(i, _)| upper[i..].find('(').map(|p| parenthesised(table_sql, i + p)))
        .collect()
}

/// `NEW.col NOT IN ( … )` conditions of a validating trigger: column and admitted literals.
fn trigger_checks(trigger_sql: &str) -> Vec<(String, BTreeSet<String>)> {
    trigger_sql
        .match_indices("NEW.")
        .filter_map(|(i, _)| {
            let rest = &trigger_sql[i + 4..];
            let column: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let after = rest[column.len()..].trim_start();
            let list = after.strip_prefix("NOT IN")?.trim_start();
            list.starts_with('(').then(|| (column, literals(parenthesised(list, 0))))
        })
        .collect()
}

async fn describe_sqlite(db: &Db) -> Schema {
    let Db::Sqlite { write, .. } = db else { unreachable!("a SQLite database") };
    let mut s = Schema::default();
    let rows = sqlx::query("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        .fetch_all(write)
        .await
        .unwrap();
    for r in &rows {
        let (kind, name, table, sql): (String, String, String, Option<String>) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        let sql = sql.unwrap_or_default();
        match kind.as_str() {
            "table" if name != "_sqlx_migrations" => {
                s.tables.insert(name.clone());
                for expr in sqlite_checks(&sql) {
                    let (column, values) = check_fact(expr);
                    s.checks.entry(format!("{name}.{column}")).or_default().extend(values);
                }
            }
            "trigger" if name.contains("_check") => {
                for (column, values) in trigger_checks(&sql) {
                    s.checks.entry(format!("{table}.{column}")).or_default().extend(values);
                }
            }
            _ => {}
        }
    }
    for table in s.tables.clone() {
        let cols =
            sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info('{table}')"))).fetch_all(write).await.unwrap();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in &cols {
            let (name, ty, notnull, key): (String, String, i64, i64) = (c.get(1), c.get(2), c.get(3), c.get(5));
            // SQLite lets a primary key column be null unless it says otherwise; neither lets it.
            let nullable = notnull == 0 && key == 0;
            s.columns.insert(format!("{table}.{name}"), format!("{} {}", canonical_type(&ty), null_word(nullable)));
            if key > 0 {
                pk.push((key, name));
            }
        }
        if !pk.is_empty() {
            pk.sort();
            s.keys.insert(format!(
                "{table} primary key ({})",
                pk.into_iter().map(|p| p.1).collect::<Vec<_>>().join(", ")
            ));
        }
        let fks = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA foreign_key_list('{table}')")))
            .fetch_all(write)
            .await
            .unwrap();
        let mut by_id: BTreeMap<i64, (String, Vec<String>, Vec<String>)> = BTreeMap::new();
        for f in &fks {
            let (id, target, from, to): (i64, String, String, Option<String>) =
                (f.get(0), f.get(2), f.get(3), f.get(4));
            let e = by_id.entry(id).or_insert_with(|| (target, Vec::new(), Vec::new()));
            e.1.push(from);
            e.2.push(to.unwrap_or_else(|| "id".to_owned()));
        }
        for (target, from, to) in by_id.into_values() {
            s.keys.insert(format!("{table} ({}) references {target} ({})", from.join(", "), to.join(", ")));
        }
        let indexes =
            sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA index_list('{table}')"))).fetch_all(write).await.unwrap();
        for ix in &indexes {
            let (name, unique, origin, partial): (String, i64, String, i64) =
                (ix.get(1), ix.get(2), ix.get(3), ix.get(4));
            let info = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA index_info('{name}')")))
                .fetch_all(write)
                .await
                .unwrap();
            let columns: Vec<String> = info
                .iter()
                .map(|c| c.get::<Option<String>, _>(2).unwrap_or_else(|| "<expression>".to_owned()))
                .collect();
            match origin.as_str() {
                "u" => {
                    s.keys.insert(format!("{table} unique ({})", columns.join(", ")));
                }
                "c" => {
                    s.indexes.insert(format!("{table}.{name}"), index_fact(unique == 1, partial == 1, &columns));
                }
                _ => {}
            }
        }
    }
    s
}

async fn describe_postgres(db: &Db) -> Schema {
    let Db::Postgres(pool) = db else { unreachable!("a PostgreSQL database") };
    let mut s = Schema::default();
    let tables = sqlx::query(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    s.tables = tables.iter().map(|r| r.get::<String, _>(0)).collect();
    let cols = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for c in &cols {
        let (table, name, ty, nullable): (String, String, String, String) = (c.get(0), c.get(1), c.get(2), c.get(3));
        s.columns
            .insert(format!("{table}.{name}"), format!("{} {}", canonical_type(&ty), null_word(nullable == "YES")));
    }
    // Keys and checks, with their columns in key order.
    let constraints = sqlx::query(
        "SELECT c.contype::text, t.relname::text, \
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o), \
           f.relname::text, \
           ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) \
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o), \
           pg_get_constraintdef(c.oid) \
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class f ON f.oid = c.confrelid \
         WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for c in &constraints {
        let (kind, table, columns, target, target_columns, def): (
            String,
            String,
            Vec<String>,
            Option<String>,
            Vec<String>,
            String,
        ) = (c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5));
        match kind.as_str() {
            "p" => {
                s.keys.insert(format!("{table} primary key ({})", columns.join(", ")));
            }
            "u" => {
                s.keys.insert(format!("{table} unique ({})", columns.join(", ")));
            }
            "f" => {
                let target = target.unwrap_or_default();
                s.keys.insert(format!(
                    "{table} ({}) references {target} ({})",
                    columns.join(", "),
                    target_columns.join(", ")
                ));
            }
            "c" => {
                let (column, values) = check_fact(def.trim_start_matches("CHECK"));
                s.checks.entry(format!("{table}.{column}")).or_default().extend(values);
            }
            _ => {}
        }
    }
    // Indexes that back no constraint (those are keys above).
    let indexes = sqlx::query(
        "SELECT t.relname::text, i.relname::text, x.indisunique, x.indpred IS NOT NULL, \
           ARRAY(SELECT COALESCE(a.attname::text, '<expression>') FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, o) \
                 LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o) \
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
         WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> '_sqlx_migrations' \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for ix in &indexes {
        let (table, name, unique, partial, columns): (String, String, bool, bool, Vec<String>) =
            (ix.get(0), ix.get(1), ix.get(2), ix.get(3), ix.get(4));
        s.indexes.insert(format!("{table}.{name}"), index_fact(unique, partial, &columns));
    }
    s
}

fn null_word(nullable: bool) -> &'static str {
    if nullable { "null" } else { "not null" }
}

fn index_fact(unique: bool, partial: bool, columns: &[String]) -> String {
    format!(
        "{}index ({}){}",
        if unique { "unique " } else { "" },
        columns.join(", "),
        if partial { " where …" } else { "" }
    )
}

/// Every fact one side has and the other lacks or states differently, named by `side`.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let excepted = |side: &str, what: &str, name: &str| {
        // The table a fact belongs to: `table.column`, `table.index` or `table primary key (…)`.
        let bare = name.split(['.', ' ']).next().unwrap_or(name);
        EXCEPTIONS
            .iter()
            .any(|(s, n)| *s == format!("{side} {what}") && (*n == name || (what == "table" && *n == bare)))
            || (what != "table"
                && what != "index"
                && EXCEPTIONS.iter().any(|(s, n)| *s == format!("{side} table") && *n == bare))
    };
    let mut out = Vec::new();
    let mut compare = |what: &str, a: BTreeMap<String, String>, b: BTreeMap<String, String>| {
        for (name, fact) in &a {
            match b.get(name) {
                None if !excepted("sqlite", what, name) => out.push(format!("{what} {name}: only on SQLite ({fact})")),
                Some(other) if other != fact => {
                    out.push(format!("{what} {name}: SQLite says {fact}, PostgreSQL says {other}"));
                }
                _ => {}
            }
        }
        for (name, fact) in &b {
            if !a.contains_key(name) && !excepted("postgres", what, name) {
                out.push(format!("{what} {name}: only on PostgreSQL ({fact})"));
            }
        }
    };
    let set = |s: &BTreeSet<String>| s.iter().map(|t| (t.clone(), String::new())).collect::<BTreeMap<_, _>>();
    compare("table", set(&sqlite.tables), set(&postgres.tables));
    compare("column", sqlite.columns.clone(), postgres.columns.clone());
    compare("key", set(&sqlite.keys), set(&postgres.keys));
    compare("index", sqlite.indexes.clone(), postgres.indexes.clone());
    let checks =
        |s: &Schema| s.checks.iter().map(|(k, v)| (k.clone(), format!("{v:?}"))).collect::<BTreeMap<String, String>>();
    compare("check", checks(sqlite), checks(postgres));
    out
}

#[tokio::test]
async fn sqlite_and_postgresql_migrate_to_one_schema() {
    let Ok(url) = std::env::var("FML_TEST_DATABASE_URL") else {
        eprintln!("FML_TEST_DATABASE_URL is not set: the schema comparison needs PostgreSQL");
        return;
    };
    let dir = std::env::temp_dir().join(format!("fml-schema-{}", uuid::Uuid::new_v4().simple()));
    let sqlite = Db::connect(dir.join("schema.db").to_str().unwrap(), &ConnectOptions::default()).await.unwrap();
    sqlite.migrate().await.unwrap();
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let opts = ConnectOptions { pg_schema: Some(schema.clone()), pg_max_connections: Some(2) };
    let pg = Db::connect(&url, &opts).await.unwrap();
    pg.migrate().await.unwrap();

    let (a, b) = (describe_sqlite(&sqlite).await, describe_postgres(&pg).await);
    // The description itself works: a few facts every version of the schema has.
    assert!(a.tables.contains("cases") && a.columns.contains_key("cases.org_id"), "{a:?}");
    assert_eq!(a.checks.get("jobs.status"), b.checks.get("jobs.status"));
    // The job kinds the code knows are the ones the schema admits (and so, both schemas).
    let kinds: BTreeSet<String> = fml_domain::jobs::Job::KINDS.iter().map(|k| (*k).to_owned()).collect();
    assert_eq!(a.checks.get("jobs.kind"), Some(&kinds), "Job::KINDS and the jobs.kind CHECK differ");
    assert!(b.keys.iter().any(|k| k.starts_with("cases (org_id) references orgs")), "{:?}", b.keys);
    let _ = std::fs::remove_dir_all(&dir);
    let diff = differences(&a, &b);
    assert!(diff.is_empty(), "the two migration trees make different schemas:\n{}", diff.join("\n"));
}

#[test]
fn check_expressions_are_read_alike_from_both_dialects() {
    let sqlite = "CHECK (kind IN ('send_mail', 'screen_case'))";
    let pg = "CHECK ((kind = ANY (ARRAY['send_mail'::text, 'screen_case'::text])))";
    let (a, b) = (check_fact(&sqlite[5..]), check_fact(&pg[5..]));
    assert_eq!(a, b);
    assert_eq!(a.0, "kind");
    assert_eq!(check_fact("((public_applications_per_hour >= 1) AND (x <= 1000))").0, "public_applications_per_hour");
    let trigger = "WHEN NEW.status NOT IN ('a', 'b')\n  OR NEW.source NOT IN ('api')";
    let found = trigger_checks(trigger);
    assert_eq!(found.len(), 2);
    assert_eq!(found[1], ("source".to_owned(), BTreeSet::from(["api".to_owned()])));
    let table =
        "CREATE TABLE idv_checks (a TEXT CHECK (a IN ('x')), checks TEXT, n INTEGER CHECK(n BETWEEN 1 AND (2)))";
    assert_eq!(sqlite_checks(table), ["(a IN ('x'))", "(n BETWEEN 1 AND (2))"]);
}
