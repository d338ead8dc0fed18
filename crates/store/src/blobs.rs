//! The content-addressed blob store for documents: each file is kept once, under its SHA-256,
//! in a folder on disk (`<root>/ab/abcdef…`). Uploads stream into a temporary file while
//! being hashed, are flushed to disk, and are then renamed into place — so a blob either is
//! whole under its name or is not there, and memory use does not grow with file size.
//!
//! On several nodes the folder must be shared (e.g. a network file system); see
//! docs/decisions.md. A blob whose database row never committed is harmless (nothing points
//! at it) and is reused if the same bytes are uploaded again.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// A stored blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub sha256: String,
    pub size: u64,
    /// The first bytes, for sniffing the type.
    pub head: Vec<u8>,
}

impl BlobStore {
    /// The store at `root` (folders are made on the first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob with this hash lives.
    pub fn path(&self, sha256: &str) -> Option<PathBuf> {
        (sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Starts writing a blob.
    pub async fn writer(&self) -> std::io::Result<BlobWriter> {
        tokio::fs::create_dir_all(self.root.join("tmp")).await?;
        let tmp = self.root.join("tmp").join(uuid::Uuid::new_v4().simple().to_string());
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&tmp).await?;
        Ok(BlobWriter { file: Some(file), tmp, hasher: Sha256::new(), size: 0, head: Vec::new() })
    }
}

/// What one collection did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Collected {
    /// Blobs no document names, deleted.
    pub removed: usize,
    /// Temporary files of uploads that never finished, deleted.
    pub abandoned: usize,
    /// Blobs and temporary files left alone.
    pub kept: usize,
}

impl BlobStore {
    /// The stored blobs and temporary files last touched before `older_than`, in batches:
    /// each batch's hashes are handed to `referenced`, which answers those a document names,
    /// and the rest are deleted. The grace period (`older_than`) covers uploads in flight:
    /// their file is written (or an existing copy touched) before their row commits.
    ///
    /// A candidate is first moved aside and its time checked again, so an upload that touched
    /// it in the meantime gets it back; one that touches it after the move finds it gone and
    /// writes its own copy.
    pub async fn collect<F, Fut>(
        &self,
        older_than: std::time::SystemTime,
        mut referenced: F,
    ) -> Result<Collected, crate::StoreError>
    where
        F: FnMut(Vec<String>) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<String>, crate::StoreError>>,
    {
        let io = |e: std::io::Error| crate::StoreError::Config(format!("the document store: {e}"));
        let mut done = Collected::default();
        let old = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).is_ok_and(|t| t < older_than);
        // Uploads that never finished (the process died mid-upload).
        if let Ok(entries) = std::fs::read_dir(self.root.join("tmp")) {
            for e in entries.flatten() {
                if old(&e.path()) && std::fs::remove_file(e.path()).is_ok() {
                    done.abandoned += 1;
                } else {
                    done.kept += 1;
                }
            }
        }
        let Ok(shards) = std::fs::read_dir(&self.root) else { return Ok(done) };
        let trash = self.root.join("trash");
        std::fs::create_dir_all(&trash).map_err(io)?;
        for shard in shards.flatten() {
            let name = shard.file_name();
            let Some(prefix) = name.to_str().filter(|n| n.len() == 2 && n.bytes().all(|b| b.is_ascii_hexdigit()))
            else {
                continue;
            };
            let Ok(files) = std::fs::read_dir(shard.path()) else { continue };
            let mut candidates: Vec<String> = Vec::new();
            for f in files.flatten() {
                let Some(hash) = f.file_name().to_str().map(str::to_owned) else { continue };
                if hash.starts_with(prefix) && self.path(&hash).is_some() && old(&f.path()) {
                    candidates.push(hash);
                } else {
                    done.kept += 1;
                }
            }
            for batch in candidates.chunks(500) {
                let named = referenced(batch.to_vec()).await?;
                for hash in batch {
                    let Some(path) = self.path(hash) else { continue };
                    if named.contains(hash) {
                        done.kept += 1;
                        continue;
                    }
                    let aside = trash.join(hash);
                    if std::fs::rename(&path, &aside).is_err() {
                        continue;
                    }
                    if old(&aside) {
                        std::fs::remove_file(&aside).map_err(io)?;
                        done.removed += 1;
                    } else {
                        // Touched by an upload between the listing and the move: put back
                        // (unless that upload already wrote its own copy).
                        if std::fs::rename(&aside, &path).is_err() {
                            let _ = std::fs::remove_file(&aside);
                        }
                        done.kept += 1;
                    }
                }
            }
        }
        Ok(done)
    }
}

/// A blob being written. Dropped before [`BlobWriter::finish`], its temporary file is removed.
#[derive(Debug)]
pub struct BlobWriter {
    file: Option<tokio::fs::File>,
    tmp: PathBuf,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
}

/// Bytes kept for sniffing.
const HEAD: usize = 16;

impl BlobWriter {
    pub async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        match &mut self.file {
            Some(f) => f.write_all(chunk).await,
            None => Err(std::io::Error::other("the blob was already finished")),
        }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The first bytes written so far (up to 16), for sniffing the type.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// Flushes the file to disk and moves it under its hash (keeping an existing copy).
    pub async fn finish(mut self, store: &BlobStore) -> std::io::Result<Blob> {
        let mut file = self.file.take().ok_or_else(|| std::io::Error::other("the blob was already finished"))?;
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let sha256 = hex::encode(self.hasher.clone().finalize());
        let dest = store.path(&sha256).ok_or_else(|| std::io::Error::other("bad hash"))?;
        if let Some(dir) = dest.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        // A copy already there is kept, and marked fresh so the collector's grace period
        // covers it until this upload's row commits. If the collector took it away meanwhile
        // (touching fails), this upload's own copy goes in its place.
        let kept = match std::fs::File::options().write(true).open(&dest) {
            Ok(f) => f.set_modified(std::time::SystemTime::now()).is_ok(),
            Err(_) => false,
        };
        if kept {
            tokio::fs::remove_file(&self.tmp).await?;
        } else {
            tokio::fs::rename(&self.tmp, &dest).await?;
        }
        Ok(Blob { sha256, size: self.size, head: std::mem::take(&mut self.head) })
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blobs_are_kept_once_under_their_hash() {
        let dir = std::env::temp_dir().join(format!("fml-blobs-{}", uuid::Uuid::new_v4().simple()));
        let store = BlobStore::new(&dir);
        let mut w = store.writer().await.unwrap();
        w.write(b"%PDF-1.7 hello").await.unwrap();
        w.write(b" world").await.unwrap();
        let blob = w.finish(&store).await.unwrap();
        assert_eq!(blob.size, 20);
        assert_eq!(blob.head, b"%PDF-1.7 hello w");
        assert_eq!(blob.sha256, hex::encode(Sha256::digest(b"%PDF-1.7 hello world")));
        let path = store.path(&blob.sha256).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.7 hello world");
        // The same bytes again: one file.
        let mut w = store.writer().await.unwrap();
        w.write(b"%PDF-1.7 hello world").await.unwrap();
        assert_eq!(w.finish(&store).await.unwrap().sha256, blob.sha256);
        // An abandoned upload leaves nothing behind.
        let mut w = store.writer().await.unwrap();
        w.write(b"partial").await.unwrap();
        drop(w);
        assert_eq!(std::fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
        assert!(store.path("../../etc/passwd").is_none());
        let _ = std::fs::remove_dir_all(dir);
    }

    async fn put(store: &BlobStore, bytes: &[u8]) -> String {
        let mut w = store.writer().await.unwrap();
        w.write(bytes).await.unwrap();
        w.finish(store).await.unwrap().sha256
    }

    fn age(path: &Path, secs: u64) {
        let then = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
        std::fs::File::options().write(true).open(path).unwrap().set_modified(then).unwrap();
    }

    #[tokio::test]
    async fn the_collector_deletes_old_unreferenced_blobs_only() {
        let dir = std::env::temp_dir().join(format!("fml-blobs-{}", uuid::Uuid::new_v4().simple()));
        let store = BlobStore::new(&dir);
        let named = put(&store, b"named by a document").await;
        let orphan = put(&store, b"left by a refused upload").await;
        let fresh = put(&store, b"an upload whose row is not committed yet").await;
        let reused = put(&store, b"old, then uploaded again").await;
        for h in [&named, &orphan, &reused] {
            age(&store.path(h).unwrap(), 7200);
        }
        // An upload that died half-way, long ago; and one in flight now.
        std::fs::write(dir.join("tmp").join("dead"), b"partial").unwrap();
        age(&dir.join("tmp").join("dead"), 7200);
        std::fs::write(dir.join("tmp").join("live"), b"partial").unwrap();
        // The same bytes arrive again: the old copy is marked fresh for its new row.
        assert_eq!(put(&store, b"old, then uploaded again").await, reused);

        let grace = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let asked = std::sync::Mutex::new(Vec::new());
        let done = store
            .collect(grace, |batch| {
                asked.lock().unwrap().extend(batch.clone());
                let named = named.clone();
                async move { Ok::<_, crate::StoreError>(batch.into_iter().filter(|h| *h == named).collect()) }
            })
            .await
            .unwrap();
        assert_eq!(done, Collected { removed: 1, abandoned: 1, kept: 4 });
        assert!(!store.path(&orphan).unwrap().exists());
        for h in [&named, &fresh, &reused] {
            assert!(store.path(h).unwrap().exists());
        }
        assert!(!dir.join("tmp").join("dead").exists() && dir.join("tmp").join("live").exists());
        // Only old files were looked up.
        let mut asked = asked.into_inner().unwrap();
        asked.sort();
        let mut expected = vec![named.clone(), orphan.clone()];
        expected.sort();
        assert_eq!(asked, expected);
        let _ = std::fs::remove_dir_all(dir);
    }
}
