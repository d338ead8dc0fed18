//! `fml sanctions …` and `fml media …`: loading the watch list screening matches against.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use fml_app::watchlist::{Format, Progress, Report};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, Subcommand)]
pub enum SanctionsCommand {
    /// Import FollowTheMoney entity lines (the OpenSanctions format). Re-importing a list
    /// writes only what changed and removes what it no longer has.
    Import {
        /// One or more `.jsonl` files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The list's name (default: each file's name without its extensions).
        #[arg(long)]
        dataset: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The lists loaded and their entities.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a list.
    Remove { dataset: String },
}

#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Import adverse-media articles: JSON lines `{id, title, url, publishedAt, names[], summary}`.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The list's name (default: "adverse-media").
        #[arg(long)]
        dataset: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
}

/// "eu_fsf_sample.ftm.jsonl" → "eu_fsf_sample".
fn stem(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    name.split('.').next().unwrap_or_default().to_owned()
}

async fn import(url: &str, files: &[PathBuf], dataset: Option<String>, format: Format, json: bool) -> Result<()> {
    let db = super::open_db(url).await?;
    let mut reports = Vec::new();
    for file in files {
        let list = dataset.clone().unwrap_or_else(|| match format {
            Format::Ftm => stem(file),
            Format::Media => "adverse-media".to_owned(),
        });
        if list.is_empty() || list.len() > 100 {
            bail!("{}: name the list with --dataset (1-100 characters)", file.display());
        }
        let f = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = ProgressBar::new(size);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(list.clone());
        let reader = std::io::BufReader::with_capacity(1 << 20, f);
        let started = std::time::Instant::now();
        let report = fml_app::watchlist::import(&db, &list, format, reader, &Bar(bar.clone()))
            .await
            .with_context(|| format!("importing {}", file.display()))?;
        bar.finish_and_clear();
        if !json {
            print(&report, started.elapsed());
        }
        reports.push(report);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    Ok(())
}

fn print(r: &Report, took: std::time::Duration) {
    println!(
        "{}: {} entities from {} lines in {:.1} s ({} added, {} changed, {} unchanged, {} removed; {} other records skipped); list version {}",
        r.list,
        r.entities,
        r.lines,
        took.as_secs_f64(),
        r.added,
        r.changed,
        r.unchanged,
        r.removed,
        r.skipped,
        r.version
    );
    if r.error_count > 0 {
        println!("{} lines could not be read:", r.error_count);
        for e in &r.errors {
            println!("  {e}");
        }
    }
}

pub async fn sanctions(url: &str, cmd: SanctionsCommand) -> Result<()> {
    match cmd {
        SanctionsCommand::Import { files, dataset, json } => import(url, &files, dataset, Format::Ftm, json).await,
        SanctionsCommand::List { json } => {
            let db = super::open_db(url).await?;
            let (lists, version) =
                fml_app::queries::watch_lists(&super::ctx(&db)).await.map_err(super::command_error)?;
            if json {
                let lists: Vec<_> =
                    lists.iter().map(|(l, n)| serde_json::json!({"dataset": l, "entities": n})).collect();
                println!("{}", serde_json::json!({"version": version, "lists": lists}));
            } else {
                for (l, n) in &lists {
                    println!("{l}\t{n}");
                }
                println!("version {version}");
            }
            Ok(())
        }
        SanctionsCommand::Remove { dataset } => {
            let db = super::open_db(url).await?;
            let n = fml_app::watchlist::remove(&super::ctx(&db), &dataset).await.map_err(super::command_error)?;
            println!("removed {n} entities of {dataset}");
            Ok(())
        }
    }
}

pub async fn media(url: &str, cmd: MediaCommand) -> Result<()> {
    match cmd {
        MediaCommand::Import { files, dataset, json } => import(url, &files, dataset, Format::Media, json).await,
    }
}
