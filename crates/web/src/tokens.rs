//! Access tokens seen recently, so that on PostgreSQL a request does not cost a database
//! round trip (and a transaction) just to authenticate: measured, that lookup was a third of
//! the statements of the create-to-delivery pipeline.
//!
//! Revocation stays immediate: `clients::revoke` notifies every node (`NOTIFY fml_tokens`) in
//! its transaction, and each node drops its whole cache when it hears it, or when its
//! listening connection drops (it may have missed one). As a last resort an entry is trusted
//! for a few seconds only. SQLite needs none of this — its lookup is an in-process read — and
//! a CLI in another process could not tell the server, so the cache is off there.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fml_store::Db;
use fml_store::clients::TokenGrant;

/// How long an entry is trusted without hearing from the database, by default.
pub const TRUST: Duration = Duration::from_secs(5);
/// Entries kept at most (the cache is cleared when full: tokens are cheap to look up again).
const CAPACITY: usize = 10_000;

#[derive(Debug, Default)]
pub struct TokenCache {
    enabled: bool,
    trust: Duration,
    entries: Mutex<HashMap<String, (TokenGrant, Instant)>>,
    /// Bumped by every clear: a lookup that started before a revocation must not put back
    /// what it read.
    generation: AtomicU64,
}

impl TokenCache {
    /// A cache for `db`: active on PostgreSQL only, where the node's listener
    /// (`fml_store::listener`) clears it through [`Self::on_revocation`].
    pub fn for_db(db: &Db, trust: Duration) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self { enabled: matches!(db, Db::Postgres(_)), trust, ..Self::default() })
    }

    /// What the listener calls when a revocation commits on any node (or it may have missed
    /// one): clears the cache, while it lives; false once it is gone.
    pub fn on_revocation(cache: &std::sync::Arc<Self>) -> Box<dyn Fn() -> bool + Send + Sync> {
        let weak = std::sync::Arc::downgrade(cache);
        Box::new(move || match weak.upgrade() {
            Some(c) => {
                c.clear();
                true
            }
            None => false,
        })
    }

    pub fn get(&self, token_hash: &str) -> Option<TokenGrant> {
        if !self.enabled {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        entries.get(token_hash).filter(|(_, at)| at.elapsed() < self.trust).map(|(g, _)| g.clone())
    }

    /// Take before looking a token up in the database; give to [`Self::put`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Remembers a grant read from the database, unless a revocation came in since
    /// `generation` was taken.
    pub fn put(&self, token_hash: &str, grant: &TokenGrant, generation: u64) {
        if !self.enabled {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if self.generation.load(Ordering::Acquire) != generation {
                return;
            }
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(token_hash.to_owned(), (grant.clone(), Instant::now()));
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            entries.clear();
        }
    }
}
