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
        if tokio::fs::try_exists(&dest).await? {
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
}
