//! The watch list: the entities screening matches against, shared by every tenant, with the
//! version every node's in-memory index is built at.

use std::collections::HashMap;

use fml_domain::Timestamp;

use crate::db::{Arg, Conn, values_clause};
use crate::{StoreError, execute, execute_args, fetch_all, fetch_all_args, fetch_optional};

/// An entity to write: its JSON and what the index and the triage need without parsing it.
#[derive(Debug, Clone)]
pub struct NewEntity {
    pub id: String,
    pub list: String,
    pub schema: String,
    pub standing: &'static str,
    pub data: String,
    pub tokens: String,
    pub hash: String,
}

/// A stored entity as screening reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredEntity {
    pub seq: i64,
    pub id: String,
    pub list: String,
    pub data: String,
}

/// Rows per statement: 8 values each, far below either backend's limit on bound values.
pub const BATCH: usize = 1000;

/// The `id → hash` of every entity of `list`, to tell what a re-import changes.
pub async fn hashes(conn: Conn<'_>, list: &str) -> Result<HashMap<String, String>, StoreError> {
    let rows: Vec<(String, String)> =
        fetch_all!(conn, (String, String), "SELECT id, hash FROM watchlist_entities WHERE list = $1", list)?;
    Ok(rows.into_iter().collect())
}

/// Rows per statement on SQLite: sqlx looks each numbered parameter up by name among all of
/// the statement's, so binding costs grow with the square of the parameters (8,000 made an
/// import spend 86 % of its time there); 100 rows keep that below the insert's own cost.
const SQLITE_ROWS: usize = 100;

/// Writes new and changed entities (at most [`BATCH`]).
pub async fn upsert(mut conn: Conn<'_>, rows: &[NewEntity], now: Timestamp) -> Result<(), StoreError> {
    let per = match conn {
        Conn::Sqlite(_) => SQLITE_ROWS,
        Conn::Postgres(_) => BATCH,
    };
    for chunk in rows.chunks(per) {
        upsert_one(conn.reborrow(), chunk, now).await?;
    }
    Ok(())
}

async fn upsert_one(conn: Conn<'_>, rows: &[NewEntity], now: Timestamp) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO watchlist_entities (id, list, schema, standing, data, tokens, hash, updated_at) VALUES {} \
         ON CONFLICT (id) DO UPDATE SET list = excluded.list, schema = excluded.schema, standing = excluded.standing, \
         data = excluded.data, tokens = excluded.tokens, hash = excluded.hash, updated_at = excluded.updated_at",
        values_clause(rows.len(), 8, 1)
    );
    let mut args = Vec::with_capacity(rows.len() * 8);
    for r in rows {
        args.extend([
            Arg::Text(r.id.clone()),
            Arg::Text(r.list.clone()),
            Arg::Text(r.schema.clone()),
            Arg::Text(r.standing.to_owned()),
            Arg::Text(r.data.clone()),
            Arg::Text(r.tokens.clone()),
            Arg::Text(r.hash.clone()),
            Arg::Int(now.millis()),
        ]);
    }
    execute_args!(conn, sql, args)?;
    Ok(())
}

/// Removes entities by id (at most [`BATCH`]).
pub async fn delete(conn: Conn<'_>, ids: &[String]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!("DELETE FROM watchlist_entities WHERE id IN {}", values_clause(1, ids.len(), 1));
    execute_args!(conn, sql, ids.iter().cloned().map(Arg::Text))?;
    Ok(())
}

/// The list's version: every node compares it with its index's.
pub async fn version(conn: Conn<'_>) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(conn, (i64,), "SELECT version FROM watchlist_state WHERE id = 1")?;
    Ok(row.map_or(0, |r| r.0))
}

/// Marks the list changed; returns the new version.
pub async fn bump(conn: Conn<'_>, now: Timestamp) -> Result<i64, StoreError> {
    let row: Option<(i64,)> = fetch_optional!(
        conn,
        (i64,),
        "UPDATE watchlist_state SET version = version + 1, updated_at = $1 WHERE id = 1 RETURNING version",
        now.millis()
    )?;
    Ok(row.map_or(0, |r| r.0))
}

/// A page of `(seq, tokens)` after `after`, in `seq` order: the index is built page by page,
/// never holding the list's rows at once.
pub async fn tokens_page(conn: Conn<'_>, after: i64, limit: i64) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(fetch_all!(
        conn,
        (i64, String),
        "SELECT seq, tokens FROM watchlist_entities WHERE seq > $1 ORDER BY seq LIMIT $2",
        after,
        limit
    )?)
}

/// The entities with these keys (the index's candidates).
pub async fn by_seqs(conn: Conn<'_>, seqs: &[i64]) -> Result<Vec<StoredEntity>, StoreError> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let sql =
        format!("SELECT seq, id, list, data FROM watchlist_entities WHERE seq IN {}", values_clause(1, seqs.len(), 1));
    Ok(fetch_all_args!(conn, StoredEntity, sql, seqs.iter().map(|s| Arg::Int(*s)))?)
}

/// Entities per list, for `fml sanctions list`.
pub async fn lists(conn: Conn<'_>) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(fetch_all!(conn, (String, i64), "SELECT list, COUNT(*) FROM watchlist_entities GROUP BY list ORDER BY list")?)
}

/// Removes every entity of a list.
pub async fn drop_list(conn: Conn<'_>, list: &str) -> Result<u64, StoreError> {
    Ok(execute!(conn, "DELETE FROM watchlist_entities WHERE list = $1", list)?)
}
