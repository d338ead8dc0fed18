//! Persistence for FML on SQLite (the embedded default) and PostgreSQL (several nodes), with
//! one code path: the same SQL text runs on both, and both backends pass the same tests.
//!
//! Every function that touches tenant data takes the [`OrgId`](fml_domain::OrgId) first; no
//! query runs without it.

pub mod analysts;
pub mod applications;
pub mod approvals;
pub mod audit;
pub mod blobs;
pub mod cases;
pub mod clients;
pub mod db;
pub mod deliveries;
pub mod dialect;
pub mod documents;
pub mod edd;
pub mod endpoint_stats;
pub mod endpoints;
pub mod escalations;
pub mod events;
pub mod idempotency;
pub mod idv;
pub mod jobs;
pub mod keyring;
pub mod listen;
pub mod listener;
pub mod mail;
pub mod monitoring;
pub mod orgs;
pub mod persons;
pub mod pings;
pub mod portal;
pub mod recoveries;
pub mod reviews;
pub mod risk;
pub mod screening;
pub mod tenant;
pub mod trace;
pub mod unit;
pub mod wake;
pub mod watchlist;

pub use db::{Backend, ConnectOptions, Db};

/// Everything that can go wrong below the HTTP layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("configuration: {0}")]
    Config(String),
    /// A uniqueness rule refused the write; the text says which.
    #[error("{0}")]
    Conflict(&'static str),
    /// A stored value no longer parses: a bug or a hand-edited row.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The case opener's tasks have stopped (the process is shutting down).
    #[error("the case opener has stopped")]
    WriterGone,
    /// A unit of work that changed state was committed without its audit row: a bug in the
    /// command, refused so that no change goes unrecorded.
    #[error("a change was committed without an audit row")]
    Unaudited,
}

impl StoreError {
    /// Whether this is a unique-constraint violation.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Sqlx(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

#[cfg(test)]
mod schema_tests;

#[cfg(test)]
mod tests {
    /// The two migration folders must list the same files, so the backends cannot drift.
    #[test]
    fn migration_folders_mirror_each_other() {
        let list = |dir: &str| {
            let mut names: Vec<String> = std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let sqlite = list("sqlite");
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, list("postgres"));
    }
}
