//! The process's candidate index of the watch list: built from the store page by page, rebuilt
//! when the list's version moves on, and used to find and score one subject's hits.

use std::sync::Arc;

use fml_domain::screening::ftm::Entity;
use fml_domain::screening::index::{Index, IndexBuilder};
use fml_domain::screening::matching::{Features, Subject, compare};
use fml_domain::screening::names::tokens;
use fml_store::{Db, StoreError};
use tokio::sync::Mutex;

use super::MAX_HITS_PER_SUBJECT;

/// Candidates compared name by name per subject.
const CANDIDATES: usize = 32;
/// Rows read per page while building the index.
const PAGE: i64 = 50_000;

/// An index built at a version of the watch list.
#[derive(Debug)]
pub struct Loaded {
    pub version: i64,
    pub index: Index,
}

/// The process's candidate index, rebuilt from the store when the list's version moves on
/// (an import on any node bumps it).
#[derive(Debug, Default)]
pub struct Screener {
    current: Mutex<Option<Arc<Loaded>>>,
}

impl Screener {
    /// The index at the list's current version, building it if this process has not yet.
    pub async fn index(&self, db: &Db) -> Result<Arc<Loaded>, StoreError> {
        let version = {
            let mut r = db.reader().await?;
            fml_store::watchlist::version(r.conn()).await?
        };
        // Held while building: concurrent screenings wait for one build, not start their own.
        let mut current = self.current.lock().await;
        if let Some(l) = current.as_ref()
            && l.version == version
        {
            return Ok(l.clone());
        }
        let loaded = Arc::new(build(db, version).await?);
        *current = Some(loaded.clone());
        Ok(loaded)
    }
}

/// Builds the index from the store, page by page.
pub async fn build(db: &Db, version: i64) -> Result<Loaded, StoreError> {
    let mut builder = IndexBuilder::new();
    let mut after = i64::MIN;
    let mut r = db.reader().await?;
    loop {
        let page = fml_store::watchlist::tokens_page(r.conn(), after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        let full = page.len() as i64 == PAGE;
        for (seq, toks) in &page {
            builder.add(*seq, toks);
        }
        if !full {
            break;
        }
    }
    drop(r);
    let index = tokio::task::spawn_blocking(move || builder.build())
        .await
        .map_err(|e| StoreError::Config(format!("building the screening index failed: {e}")))?;
    Ok(Loaded { version, index })
}

/// The hits of one subject at `threshold`, best first.
pub async fn matches(
    db: &Db,
    index: &Index,
    subject: &Subject,
    threshold: f64,
) -> Result<Vec<(Entity, Features, f64)>, StoreError> {
    let candidates = index.candidates(&tokens(&subject.name), CANDIDATES);
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<i64> = candidates.iter().map(|c| c.key).collect();
    let rows = {
        let mut r = db.reader().await?;
        fml_store::watchlist::by_seqs(r.conn(), &keys).await?
    };
    let mut found = Vec::new();
    for row in rows {
        let entity: Entity = serde_json::from_str(&row.data)
            .map_err(|e| StoreError::Corrupt(format!("watch-list entity {}: {e}", row.id)))?;
        let features = compare(subject, &entity);
        let score = features.score();
        if score >= threshold {
            found.push((entity, features, score));
        }
    }
    found.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.id.cmp(&b.0.id)));
    found.truncate(MAX_HITS_PER_SUBJECT);
    Ok(found)
}
