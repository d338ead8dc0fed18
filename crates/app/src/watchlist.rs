//! Loading the watch list: FollowTheMoney entity lines (`fml sanctions import`) and
//! adverse-media articles (`fml media import`), incrementally. A list is a name (the
//! `--dataset`, else the file's stem); re-importing it writes only the entities that are new
//! or changed and removes those no longer in it, then bumps the list's version so every node
//! rebuilds its index.

use std::io::BufRead;

use fml_domain::Timestamp;
use fml_domain::screening::ftm::{parse_line, parse_media_line};
use fml_domain::screening::index::entity_tokens;
use fml_store::watchlist::{BATCH, NewEntity};
use fml_store::{Db, StoreError};
use sha2::{Digest, Sha256};

use crate::screening::standing_str;

/// What is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// FollowTheMoney entity lines (OpenSanctions).
    Ftm,
    /// `{id, title, url, publishedAt, names[], summary}` lines.
    Media,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub list: String,
    /// Lines read.
    pub lines: u64,
    /// Entities kept (people, organisations, articles).
    pub entities: u64,
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
    /// Lines of other schemas (sanction records, addresses…), skipped.
    pub skipped: u64,
    /// Lines that could not be read, with their number and reason (the first 20).
    pub errors: Vec<String>,
    pub error_count: u64,
    /// The list's version after the import.
    pub version: i64,
}

/// Progress, for a progress bar: bytes read so far.
pub trait Progress {
    fn advance(&self, bytes: u64);
}

impl Progress for () {
    fn advance(&self, _: u64) {}
}

fn hash(json: &str) -> String {
    hex::encode(&Sha256::digest(json.as_bytes())[..16])
}

/// Imports `reader` as list `list`. Unreadable lines are reported, not fatal; when a file is
/// entirely unreadable nothing is removed (an empty or wrong file must not wipe a list).
pub async fn import(
    db: &Db,
    list: &str,
    format: Format,
    reader: impl BufRead,
    progress: &dyn Progress,
) -> Result<Report, StoreError> {
    let mut known = {
        let mut r = db.reader().await?;
        fml_store::watchlist::hashes(r.conn(), list).await?
    };
    let mut report = Report { list: list.to_owned(), ..Report::default() };
    let mut batch: Vec<NewEntity> = Vec::with_capacity(TX_ROWS);
    // One batch is written while the next is parsed (SQLite's connection works on its own
    // thread, PostgreSQL's on the server): the two cores both work.
    let mut inflight: Option<tokio::task::JoinHandle<Result<(), StoreError>>> = None;
    let mut seen = std::collections::HashSet::new();
    let now = Timestamp::now();
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| StoreError::Config(format!("reading line {}: {e}", n + 1)))?;
        progress.advance(line.len() as u64 + 1);
        report.lines += 1;
        let parsed = match format {
            Format::Ftm => parse_line(&line),
            Format::Media => parse_media_line(&line),
        };
        let entity = match parsed {
            Ok(Some(e)) => e,
            Ok(None) => {
                if !line.trim().is_empty() {
                    report.skipped += 1;
                }
                continue;
            }
            Err(e) => {
                report.error_count += 1;
                if report.errors.len() < 20 {
                    report.errors.push(format!("line {}: {e}", n + 1));
                }
                continue;
            }
        };
        // A file may list an entity twice (OpenSanctions exports do not, hand-made ones can):
        // the first wins.
        if !seen.insert(entity.id.clone()) {
            continue;
        }
        report.entities += 1;
        let data = serde_json::to_string(&entity).unwrap_or_default();
        let h = hash(&data);
        match known.remove(&entity.id) {
            Some(old) if old == h => {
                report.unchanged += 1;
                continue;
            }
            Some(_) => report.changed += 1,
            None => report.added += 1,
        }
        batch.push(NewEntity {
            tokens: entity_tokens(&entity.names),
            standing: standing_str(entity.standing()),
            schema: entity.schema.clone(),
            data,
            id: entity.id,
            list: list.to_owned(),
            hash: h,
        });
        if batch.len() == TX_ROWS {
            if let Some(h) = inflight.take() {
                joined(h).await?;
            }
            let full = std::mem::replace(&mut batch, Vec::with_capacity(TX_ROWS));
            let db = db.clone();
            inflight = Some(tokio::spawn(async move { write(&db, &full, now).await }));
        }
    }
    if let Some(h) = inflight.take() {
        joined(h).await?;
    }
    write(db, &batch, now).await?;
    // What the list no longer has (only when the file gave something: a file of errors is not
    // an empty list).
    if report.entities > 0 || report.error_count == 0 {
        let gone: Vec<String> = known.into_keys().collect();
        report.removed = gone.len() as u64;
        for chunk in gone.chunks(BATCH) {
            let mut tx = db.begin().await?;
            fml_store::watchlist::delete(tx.conn(), chunk).await?;
            tx.commit().await?;
        }
    }
    let mut tx = db.begin().await?;
    report.version = if report.added + report.changed + report.removed > 0 {
        fml_store::watchlist::bump(tx.conn(), Timestamp::now()).await?
    } else {
        fml_store::watchlist::version(tx.conn()).await?
    };
    tx.commit().await?;
    Ok(report)
}

/// Rows per transaction: few commits, and a long import still never holds the write lock for
/// long.
const TX_ROWS: usize = 5 * BATCH;

async fn joined(h: tokio::task::JoinHandle<Result<(), StoreError>>) -> Result<(), StoreError> {
    h.await.map_err(|e| StoreError::Config(format!("an import batch failed: {e}")))?
}

/// Rows in one transaction, [`BATCH`] per statement.
async fn write(db: &Db, rows: &[NewEntity], now: Timestamp) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for chunk in rows.chunks(BATCH) {
        fml_store::watchlist::upsert(tx.conn(), chunk, now).await?;
    }
    tx.commit().await
}

/// Removes every entity of list `dataset` (and bumps the list version when it had any, so
/// the screening index reloads); audited. Returns how many were removed.
pub async fn remove(ctx: &crate::Ctx, dataset: &str) -> Result<u64, crate::CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let n = fml_store::watchlist::drop_list(unit.conn(), dataset).await?;
    if n > 0 {
        fml_store::watchlist::bump(unit.conn(), now).await?;
    }
    let entry = fml_store::audit::Entry {
        org: None,
        case_id: None,
        actor_kind: fml_store::audit::ActorKind::System,
        actor: "cli",
        action: "watchlist.remove",
        detail: serde_json::json!({"dataset": dataset, "entities": n}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(n)
}
