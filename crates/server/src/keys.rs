//! The master key that seals secrets at rest: where it comes from, and the check, at every
//! start, that it is the key this database's secrets were sealed with.
//!
//! - `FML_MASTER_KEY` (64 hex characters), or `FML_MASTER_KEY_FILE` (a file holding them),
//!   on any backend; one of them is required on PostgreSQL, where several nodes and the CLI
//!   must share one key and no key may depend on a working directory.
//! - Otherwise, on SQLite, `master.key` beside the database file, created on first use — but
//!   only while the database holds no sealed data: a missing key file is never silently
//!   replaced.
//!
//! The database records the key's fingerprint; a key that does not match is refused with a
//! message that says so, instead of a server whose deliveries stay pending for ever.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use fml_domain::crypto::MasterKey;
use fml_store::Db;

/// Where the key in force came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    /// `FML_MASTER_KEY`.
    Env,
    /// `FML_MASTER_KEY_FILE`.
    File(PathBuf),
    /// `master.key` beside the SQLite database.
    Beside(PathBuf),
}

/// What the operator configured.
#[derive(Debug, Clone, Default)]
pub struct KeySettings {
    pub hex: Option<String>,
    pub file: Option<PathBuf>,
}

impl KeySettings {
    /// `FML_MASTER_KEY` and `FML_MASTER_KEY_FILE`, blank counting as unset.
    pub fn from_env() -> Self {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
        Self { hex: var("FML_MASTER_KEY"), file: var("FML_MASTER_KEY_FILE").map(PathBuf::from) }
    }
}

/// Loads the master key for the open database `db` and checks it against the database's
/// sealed data. The error is a sentence for the operator.
pub async fn load(db: &Db, database_url: &str, settings: &KeySettings) -> Result<(MasterKey, KeyOrigin), String> {
    let (key, origin) = match (&settings.hex, &settings.file) {
        (Some(hex), _) => (MasterKey::from_hex(hex).map_err(|e| format!("FML_MASTER_KEY: {e}"))?, KeyOrigin::Env),
        (None, Some(path)) => {
            finish_rotation(db, path).await?;
            (read_key_file(path)?, KeyOrigin::File(path.clone()))
        }
        (None, None) if !db.backend().single_server() => {
            return Err("on PostgreSQL the master key must be given: set FML_MASTER_KEY (64 hex characters) or \
                 FML_MASTER_KEY_FILE (a file holding them), the same on every node and for the CLI. \
                 `fml key generate` prints a new key."
                .into());
        }
        (None, None) => {
            let path = fml_web::config::data_dir(database_url).join("master.key");
            (beside_key(db, &path).await?, KeyOrigin::Beside(path))
        }
    };
    verify(db, &key, &origin).await?;
    Ok((key, origin))
}

/// The implicit `master.key`, finishing an interrupted rotation (`master.key.next`) and
/// creating the file only for a database that has nothing sealed.
async fn beside_key(db: &Db, path: &Path) -> Result<MasterKey, String> {
    finish_rotation(db, path).await?;
    let recorded = fml_store::keyring::fingerprint(db).await.map_err(|e| e.to_string())?;
    if path.exists() {
        return read_key_file(path);
    }
    if recorded.is_some() || fml_store::keyring::has_sealed_data(db).await.map_err(|e| e.to_string())? {
        return Err(format!(
            "{} is missing, but this database holds secrets sealed with a master key (fingerprint {}). \
             Restore the key file (or set FML_MASTER_KEY to the key); a new key could not open them.",
            path.display(),
            recorded.as_deref().map_or("unknown", short)
        ));
    }
    let hex = MasterKey::generate_hex();
    write_key_file(path, &hex)?;
    tracing::info!(path = %path.display(), "created a new master key");
    MasterKey::from_hex(&hex).map_err(|e| e.to_string())
}

/// A rotation writes the new key to `<file>.next`, commits, then moves it into place; if the
/// process stopped in between, the database already names the `.next` key: move it now.
async fn finish_rotation(db: &Db, path: &Path) -> Result<(), String> {
    let next = next_path(path);
    if !next.exists() {
        return Ok(());
    }
    let recorded = fml_store::keyring::fingerprint(db).await.map_err(|e| e.to_string())?;
    if recorded.as_deref() == Some(read_key_file(&next)?.fingerprint().as_str()) {
        std::fs::rename(&next, path).map_err(|e| format!("cannot move {} into place: {e}", next.display()))?;
        tracing::warn!(path = %path.display(), "finished an interrupted master key rotation");
    }
    Ok(())
}

/// Refuses a key that is not the one the database's secrets were sealed with; records the
/// fingerprint of the first key used.
async fn verify(db: &Db, key: &MasterKey, origin: &KeyOrigin) -> Result<(), String> {
    let given = key.fingerprint();
    let recorded = match fml_store::keyring::fingerprint(db).await.map_err(|e| e.to_string())? {
        Some(fp) => fp,
        None => {
            // A database sealed before fingerprints were recorded: judge by its data.
            if fml_store::keyring::opens_sealed_data(db, key).await.map_err(|e| e.to_string())? == Some(false) {
                return Err(mismatch(origin, "unknown", &given));
            }
            fml_store::keyring::record_fingerprint(db, &given).await.map_err(|e| e.to_string())?
        }
    };
    if recorded == given { Ok(()) } else { Err(mismatch(origin, &recorded, &given)) }
}

fn mismatch(origin: &KeyOrigin, recorded: &str, given: &str) -> String {
    let from = match origin {
        KeyOrigin::Env => "FML_MASTER_KEY".to_owned(),
        KeyOrigin::File(p) | KeyOrigin::Beside(p) => p.display().to_string(),
    };
    format!(
        "the master key from {from} (fingerprint {}) is not the key this database's secrets were sealed with \
         (fingerprint {}). Start with the right key; to change keys, use `fml key rotate` with the current one.",
        short(given),
        short(recorded)
    )
}

/// The first 16 hex characters: enough to tell keys apart in a message.
pub fn short(fingerprint: &str) -> &str {
    fingerprint.get(..16).unwrap_or(fingerprint)
}

pub fn next_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".next");
    PathBuf::from(p)
}

pub fn read_key_file(path: &Path) -> Result<MasterKey, String> {
    let hex =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the master key {}: {e}", path.display()))?;
    MasterKey::from_hex(&hex).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes a key file with owner-only permissions, durably; refuses to overwrite one.
pub fn write_key_file(path: &Path, hex: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    f.write_all(hex.as_bytes()).and_then(|()| f.sync_all()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
