//! What differs between SQLite and PostgreSQL beyond SQL spelling, in one place, each
//! difference a method named for what it means to the code that asks. The statements
//! themselves are one text for both wherever the two agree; where the SQL must differ (the
//! job lease's skip scan, short searches: FTS5 and GLOB against `pg_trgm`) the module that owns
//! the statement matches on [`Backend`] beside both texts, and the schema-equality test
//! (`schema_tests.rs`) holds the two migration trees to one schema.

use crate::StoreError;
use crate::db::{Backend, Db, Pooled};

impl Backend {
    /// Writers run side by side: PostgreSQL takes row locks, so two transactions write at
    /// once, while SQLite queues every write on the database's one write connection. With
    /// concurrent writers a hot row (a reference counter) is better updated in a statement of
    /// its own than held locked until a batch commits, a per-tenant count is taken under a
    /// row lock, and more than one writer task pays.
    pub fn concurrent_writers(self) -> bool {
        self == Backend::Postgres
    }

    /// One statement may change rows and feed their result into another change (a
    /// data-modifying `WITH`), and commit by itself, saving a transaction's BEGIN and COMMIT
    /// round trips. SQLite has no data-modifying CTE: the same writes run as two statements
    /// of one transaction.
    pub fn chained_writes(self) -> bool {
        self == Backend::Postgres
    }

    /// One server process owns the database: SQLite runs one `fml serve` per file, so a lease
    /// found at start-up was held by a process that died, and the master key may live in a
    /// file beside the database. PostgreSQL is shared by several nodes.
    pub fn single_server(self) -> bool {
        self == Backend::Sqlite
    }
}

impl Db {
    /// A connection for statements that each commit on their own. Only for backends with
    /// [`Backend::concurrent_writers`]: on SQLite the one write connection is the unit of
    /// work's, and waiting for it while holding it would never end.
    pub async fn standalone(&self) -> Result<Pooled, StoreError> {
        match self {
            Db::Postgres(pool) => Ok(Pooled::Postgres(pool.acquire().await?)),
            Db::Sqlite { .. } => {
                Err(StoreError::Corrupt("standalone writes need concurrent writers (PostgreSQL)".into()))
            }
        }
    }
}
