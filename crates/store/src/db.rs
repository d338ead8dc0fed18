//! The two backends behind one handle, and the macros that run one SQL text on either.
//!
//! SQL is written once in the dialect both accept (`$n` placeholders, `RETURNING`,
//! `ON CONFLICT`). There is deliberately no trait per table: a statement is a string and a
//! row type, and [`Conn`] picks the driver.

use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::StoreError;

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database: cheap to clone.
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite in WAL mode: several readers, and one writer connection so writes queue in the
    /// process instead of failing with `SQLITE_BUSY`.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// A connection of either backend, borrowed for a few statements.
#[derive(Debug)]
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    /// Borrows this connection again for one more statement.
    pub fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }

    /// Which database this connection talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A pooled connection of either backend.
#[derive(Debug)]
pub enum Pooled {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Pooled {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(c),
            Pooled::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// A write transaction of either backend. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Connection settings beyond the URL.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// PostgreSQL only: run in this schema (created if missing). Tests use one per test.
    pub pg_schema: Option<String>,
    /// PostgreSQL pool size; default 16.
    pub pg_max_connections: Option<u32>,
}

impl Db {
    /// Opens the database named by `url`: `postgres://…` or `postgresql://…` selects
    /// PostgreSQL, `sqlite:…` or a bare path selects SQLite (the file and its folder are
    /// created if missing). Migrations are not run here; see [`Db::migrate`].
    pub async fn connect(url: &str, opts: &ConnectOptions) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_pg(url, opts).await
        } else {
            Self::connect_sqlite(url).await
        }
    }

    async fn connect_sqlite(url: &str) -> Result<Self, StoreError> {
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Config(format!("cannot create {}: {e}", dir.display())))?;
        }
        let base = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit survives power loss, not only a process crash. Group commit keeps
            // the fsync cost per batch, not per request.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory");
        let write = SqlitePoolOptions::new().max_connections(1).min_connections(1).connect_with(base.clone()).await?;
        let read = SqlitePoolOptions::new().max_connections(4).connect_with(base.read_only(true)).await?;
        Ok(Db::Sqlite { read, write })
    }

    async fn connect_pg(url: &str, opts: &ConnectOptions) -> Result<Self, StoreError> {
        let mut base = PgConnectOptions::from_str(url)?;
        if let Some(schema) = &opts.pg_schema {
            let valid =
                !schema.is_empty() && schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(StoreError::Config(format!("invalid schema name {schema:?}")));
            }
            let mut admin = <PgConnection as sqlx::Connection>::connect_with(&base).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {schema}")))
                .execute(&mut admin)
                .await?;
            sqlx::Connection::close(admin).await?;
            base = base.options([("search_path", schema.as_str())]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(opts.pg_max_connections.unwrap_or(16))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(base)
            .await?;
        Ok(Db::Postgres(pool))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date. Safe to run from several processes at once (sqlx takes
    /// an advisory lock on PostgreSQL; SQLite serialises writers).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await?,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// A connection for reads.
    pub async fn reader(&self) -> Result<Pooled, StoreError> {
        Ok(match self {
            Db::Sqlite { read, .. } => Pooled::Sqlite(read.acquire().await?),
            Db::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            // IMMEDIATE takes the write lock up front, so a transaction that reads before it
            // writes cannot fail with SQLITE_BUSY when another process (the CLI) wrote in
            // between; it waits on busy_timeout instead.
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A read-only transaction: its statements all see one snapshot, so a row and its
    /// children read one after the other agree even while a writer commits in between.
    /// Dropped, it rolls back (there is nothing to undo).
    pub async fn snapshot(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            // WAL: a deferred transaction's snapshot is fixed at its first read.
            Db::Sqlite { read, .. } => Tx::Sqlite(read.begin().await?),
            Db::Postgres(pool) => {
                Tx::Postgres(pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?)
            }
        })
    }

    /// `SELECT 1`, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut c = self.reader().await?;
        let _: Option<(i32,)> = crate::fetch_optional!(c.conn(), (i32,), "SELECT 1")?;
        Ok(())
    }
}

/// A bind value for statements whose shape is built at run time (multi-row inserts).
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
    Blob(Vec<u8>),
    Float(f64),
}

/// `($s,$s+1,…),(…)`: the placeholders for `rows` rows of `cols` values, numbered from `start`.
pub fn values_clause(rows: usize, cols: usize, start: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    let mut n = start;
    for r in 0..rows {
        if r > 0 {
            out.push(',');
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push(',');
            }
            out.push('$');
            out.push_str(&n.to_string());
            n += 1;
        }
        out.push(')');
    }
    out
}

/// Runs `$sql` (a `&'static str`, or `AssertSqlSafe(String)`) with `$args` on a [`Conn`],
/// returning every row as `$ty`.
#[macro_export]
#[doc(hidden)]
macro_rules! fetch_all {
    ($conn:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $conn {
            $crate::db::Conn::Sqlite(c) => sqlx::query_as::<sqlx::Sqlite, $ty>($sql)$(.bind($arg))*.fetch_all(&mut *c).await,
            $crate::db::Conn::Postgres(c) => sqlx::query_as::<sqlx::Postgres, $ty>($sql)$(.bind($arg))*.fetch_all(&mut *c).await,
        }
    };
}

/// Like [`fetch_all!`] for at most one row.
#[macro_export]
#[doc(hidden)]
macro_rules! fetch_optional {
    ($conn:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $conn {
            $crate::db::Conn::Sqlite(c) => sqlx::query_as::<sqlx::Sqlite, $ty>($sql)$(.bind($arg))*.fetch_optional(&mut *c).await,
            $crate::db::Conn::Postgres(c) => sqlx::query_as::<sqlx::Postgres, $ty>($sql)$(.bind($arg))*.fetch_optional(&mut *c).await,
        }
    };
}

/// Runs a statement that returns no rows; yields the number of rows affected.
#[macro_export]
#[doc(hidden)]
macro_rules! execute {
    ($conn:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $conn {
            $crate::db::Conn::Sqlite(c) => sqlx::query::<sqlx::Sqlite>($sql)$(.bind($arg))*.execute(&mut *c).await.map(|r| r.rows_affected()),
            $crate::db::Conn::Postgres(c) => sqlx::query::<sqlx::Postgres>($sql)$(.bind($arg))*.execute(&mut *c).await.map(|r| r.rows_affected()),
        }
    };
}

/// Like [`fetch_all!`], binding a run-time list of [`Arg`]s. With `persistent: false` the
/// statement is not kept prepared: PostgreSQL then plans it with the values bound (a cached
/// generic plan cannot see that `LIKE '%…%'` is selective enough for a trigram index).
#[macro_export]
#[doc(hidden)]
macro_rules! fetch_all_args {
    ($conn:expr, $ty:ty, $sql:expr, $args:expr, persistent: $persistent:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite(c) => {
                let q = $crate::bind_args!(sqlx::query_as::<sqlx::Sqlite, $ty>(sqlx::AssertSqlSafe($sql)), $args);
                q.persistent($persistent).fetch_all(&mut *c).await
            }
            $crate::db::Conn::Postgres(c) => {
                let q = $crate::bind_args!(sqlx::query_as::<sqlx::Postgres, $ty>(sqlx::AssertSqlSafe($sql)), $args);
                q.persistent($persistent).fetch_all(&mut *c).await
            }
        }
    };
    ($conn:expr, $ty:ty, $sql:expr, $args:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite(c) => {
                let q = $crate::bind_args!(sqlx::query_as::<sqlx::Sqlite, $ty>(sqlx::AssertSqlSafe($sql)), $args);
                q.fetch_all(&mut *c).await
            }
            $crate::db::Conn::Postgres(c) => {
                let q = $crate::bind_args!(sqlx::query_as::<sqlx::Postgres, $ty>(sqlx::AssertSqlSafe($sql)), $args);
                q.fetch_all(&mut *c).await
            }
        }
    };
}

/// Like [`execute!`], binding a run-time list of [`Arg`]s.
#[macro_export]
#[doc(hidden)]
macro_rules! execute_args {
    ($conn:expr, $sql:expr, $args:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite(c) => {
                let q = $crate::bind_args!(sqlx::query::<sqlx::Sqlite>(sqlx::AssertSqlSafe($sql)), $args);
                q.execute(&mut *c).await.map(|r| r.rows_affected())
            }
            $crate::db::Conn::Postgres(c) => {
                let q = $crate::bind_args!(sqlx::query::<sqlx::Postgres>(sqlx::AssertSqlSafe($sql)), $args);
                q.execute(&mut *c).await.map(|r| r.rows_affected())
            }
        }
    };
}

#[macro_export]
#[doc(hidden)]
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                $crate::db::Arg::Text(v) => q.bind(v),
                $crate::db::Arg::OptText(v) => q.bind(v),
                $crate::db::Arg::Int(v) => q.bind(v),
                $crate::db::Arg::OptInt(v) => q.bind(v),
                $crate::db::Arg::Bool(v) => q.bind(v),
                $crate::db::Arg::Blob(v) => q.bind(v),
                $crate::db::Arg::Float(v) => q.bind(v),
            };
        }
        q
    }};
}

#[cfg(test)]
mod tests {
    use super::values_clause;

    #[test]
    fn values_clause_numbers_placeholders() {
        assert_eq!(values_clause(2, 3, 1), "($1,$2,$3),($4,$5,$6)");
        assert_eq!(values_clause(1, 2, 5), "($5,$6)");
        assert_eq!(values_clause(0, 2, 1), "");
    }
}
