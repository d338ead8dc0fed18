//! Reading hostile documents (`bench/docbombs.sh`, issue 16): N bombs of one kind read at
//! once, and how far this process's resident memory rose above where it was before.
//!
//! - `legacy`: the reader before issue 16 (lopdf's `load_mem` and `extract_text`), in-process;
//! - `budgets`: [`fml_app::filetext::text`] in-process, the budgets alone;
//! - `child`: [`fml_app::docreader::DocReader`] as the server runs it, a child process each;
//! - `write DIR 0`: the four bombs as files in DIR.
//!
//! Prints one JSON line: the mode, kind, files, the rise of the peak RSS in MiB, the time, and
//! how many files ended with each outcome.

use std::collections::BTreeMap;
use std::time::Instant;

use fml_app::filetext::samples::bombs;
use fml_domain::document::FileType;

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The reader before issue 16: lopdf's own bounds only (256 MiB per stream).
fn legacy(file_type: FileType, bytes: &[u8]) -> Result<String, String> {
    if file_type != FileType::Pdf {
        // It kept at most 200,000 bytes of a PNG's compressed text, and inflated no more.
        return Err("n/a: the reader before issue 16 inflated 200,000 bytes of PNG text at most".to_owned());
    }
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("the PDF cannot be read: {e}"))?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().take_while(|n| *n <= 20).collect();
    let mut out = String::new();
    for p in pages {
        if let Ok(t) = doc.extract_text(&[p]) {
            out.push_str(&t);
        }
    }
    Ok(out)
}

/// `reader` is the `fml` binary (child mode only).
pub async fn run(mode: &str, kind: &str, n: usize, reader: Option<&str>) {
    let all = bombs::all();
    if mode == "write" {
        // `docbombs write DIR 0`: the four files, to read one by one.
        for b in &all {
            std::fs::write(std::path::Path::new(kind).join(b.filename), &b.bytes).expect("write");
        }
        return;
    }
    let chosen: Vec<&bombs::Bomb> = all.iter().filter(|b| kind == "all" || b.filename.starts_with(kind)).collect();
    assert!(!chosen.is_empty(), "no bomb of kind {kind}");
    let files: Vec<(FileType, Vec<u8>)> = (0..n)
        .map(|i| {
            let b = chosen[i % chosen.len()];
            (FileType::sniff(&b.bytes).expect("a known type"), b.bytes.clone())
        })
        .collect();
    // Forget the peak of making the files: from here on VmHWM is the reading's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kib("VmRSS:");
    let start = Instant::now();
    let outcomes: Vec<String> = match mode {
        "legacy" | "budgets" => std::thread::scope(|s| {
            let threads: Vec<_> = files
                .iter()
                .map(|(t, bytes)| {
                    s.spawn(move || match mode {
                        "legacy" => legacy(*t, bytes),
                        _ => fml_app::filetext::text(*t, bytes),
                    })
                })
                .collect();
            threads.into_iter().map(|t| outcome(t.join().unwrap_or_else(|_| Err("panicked".into())))).collect()
        }),
        "child" => {
            let program = std::path::PathBuf::from(reader.expect("child mode needs READER, the fml binary"));
            let r = fml_app::docreader::DocReader::new(program, fml_app::docreader::Limits::default());
            let reads = files.into_iter().map(|(t, bytes)| {
                let r = r.clone();
                async move { outcome(r.read(t, bytes).await.expect("the reader runs")) }
            });
            spawn_all(reads).await
        }
        _ => panic!("mode: legacy, budgets or child"),
    };
    let secs = start.elapsed().as_secs_f64();
    let peak = status_kib("VmHWM:");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for o in outcomes {
        *counts.entry(o).or_default() += 1;
    }
    println!(
        "{}",
        serde_json::json!({
            "mode": mode, "kind": kind, "files": n,
            "rssBeforeMiB": before / 1024, "peakRiseMiB": peak.saturating_sub(before) / 1024,
            "seconds": (secs * 100.0).round() / 100.0, "outcomes": counts,
        })
    );
}

fn outcome(r: Result<String, String>) -> String {
    match r {
        Ok(t) => format!("read ({} bytes of text)", t.len()),
        Err(e) => e,
    }
}

/// Runs `futures` at once, each a task; their outputs in order.
async fn spawn_all<F: std::future::Future<Output = String> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<String> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap_or_else(|e| format!("task failed: {e}")));
    }
    out
}
