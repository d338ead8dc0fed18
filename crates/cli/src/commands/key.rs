//! `fml key`: the master key that seals secrets at rest.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use fml_server::keys;
use serde_json::json;

use super::{ctx, open_db, print};

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Print a new random key (64 hex characters), e.g. for FML_MASTER_KEY or a key file.
    Generate,
    /// Print the fingerprint of the key in force, checked against the database.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Re-seal every secret under a new generated key, in one transaction. Stop every
    /// `fml serve` first. With the implicit `master.key` or FML_MASTER_KEY_FILE the file is
    /// replaced; with FML_MASTER_KEY the new key is printed for you to install on every node.
    Rotate {
        #[arg(long)]
        json: bool,
    },
}

pub(crate) async fn key(url: &str, cmd: KeyCommand) -> Result<()> {
    use fml_domain::crypto::MasterKey;
    if let KeyCommand::Generate = cmd {
        println!("{}", MasterKey::generate_hex());
        return Ok(());
    }
    let db = open_db(url).await?;
    let (current, origin) = keys::load(&db, url, &keys::KeySettings::from_env()).await.map_err(anyhow::Error::msg)?;
    match cmd {
        KeyCommand::Generate => Ok(()),
        KeyCommand::Show { json } => {
            let fp = current.fingerprint();
            print(json, &json!({ "fingerprint": fp }), || format!("master key fingerprint: {fp}"));
            Ok(())
        }
        KeyCommand::Rotate { json } => {
            let hex = MasterKey::generate_hex();
            let new = MasterKey::from_hex(&hex).map_err(anyhow::Error::msg)?;
            // The new key is put where it survives a crash before the database switches to it:
            // beside the old file (promoted after commit, or at the next start), or on stdout.
            let file = match &origin {
                keys::KeyOrigin::Beside(p) | keys::KeyOrigin::File(p) => {
                    let next = keys::next_path(p);
                    let _ = std::fs::remove_file(&next);
                    keys::write_key_file(&next, &hex).map_err(anyhow::Error::msg)?;
                    Some((next, p.clone()))
                }
                keys::KeyOrigin::Env => {
                    eprintln!("new master key (set FML_MASTER_KEY to it on every node and for the CLI):\n{hex}");
                    None
                }
            };
            let done = match fml_app::keyring::rotate(&ctx(&db), &current, &new).await {
                Ok(d) => Some(d),
                Err(e) => {
                    // The commit may have happened even though its answer was lost: the
                    // recorded fingerprint says which key is in force now.
                    let recorded = fml_app::keyring::fingerprint(&ctx(&db)).await.ok().flatten();
                    if recorded.as_deref() != Some(new.fingerprint().as_str()) {
                        if let Some((next, _)) = &file {
                            let _ = std::fs::remove_file(next);
                        }
                        bail!("rotation failed, nothing changed and the current key stays in force: {e}");
                    }
                    tracing::warn!(error = %e, "the rotation's commit answered with an error but took effect");
                    None
                }
            };
            if let Some((next, path)) = &file {
                std::fs::rename(next, path).with_context(|| {
                    format!("the database now uses the key in {}; move it to {}", next.display(), path.display())
                })?;
            }
            let fp = new.fingerprint();
            let done = done.unwrap_or_default();
            print(
                json,
                &json!({
                    "fingerprint": fp,
                    "endpointSecrets": done.endpoint_secrets,
                    "mailBodies": done.mail_bodies,
                    "storedResponses": done.stored_responses,
                }),
                || {
                    format!(
                        "re-sealed {} endpoint secrets, {} mail bodies and {} stored responses; new key fingerprint {fp}",
                        done.endpoint_secrets, done.mail_bodies, done.stored_responses
                    )
                },
            );
            Ok(())
        }
    }
}
