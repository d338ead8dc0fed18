//! The workspace's shape, checked: the rules docs/architecture.md states about crates and
//! modules hold, so a change that breaks one fails here and not in a reviewer's head.
//!
//! - No import circle between the modules of any crate (a `use crate::a` in `b` and a
//!   `use crate::b` in `a`, or a longer ring). The crate root is left out: it declares every
//!   module and assembles them, and its own small items are leaves.
//! - No source file over [`MAX_FILE_LINES`] lines, tests left out (they may live beside the
//!   code they test).
//! - No crate over [`MAX_CRATE_LINES`] lines of code, tests left out.
//! - Generated files (a "Do not edit" in their first lines) count for nothing: their
//!   generator is the code, and it is held to the rules.
//! - The CLI, the console and the portal do not depend on the store: they go through `fml-app`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 500;
const MAX_CRATE_LINES: usize = 8000;

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without its tests: everything before the first `#[cfg(test)]` at the
/// start of a line (test modules close the files that have them), comments dropped.
fn code(text: &str) -> Vec<&str> {
    text.lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .collect()
}

/// The module path of a source file under `src`: `a/b.rs` and `a/b/mod.rs` are `a::b`; the
/// crate roots and binaries are `""`.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    if rel.starts_with("bin") {
        return None;
    }
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop()?;
    match last.as_str() {
        "lib.rs" | "main.rs" | "mod.rs" => {}
        other => parts.push(other.trim_end_matches(".rs").to_owned()),
    }
    Some(parts.join("::"))
}

/// The modules a line names through `crate::` or `super::` (grouped imports too), resolved to
/// the longest known module path.
fn named_modules(line: &str, this: &str, known: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for (prefix, base) in [("crate::", String::new()), ("super::", parent(this))] {
        let mut rest = line;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(is_ident) {
                continue;
            }
            // `crate::{a, b::c}` names each member; `crate::a::b` names one path.
            let paths: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group.split(['}', ';']).next().unwrap_or("").split(',').map(str::trim).collect(),
                None => vec![rest],
            };
            for path in paths {
                let segs = path.split("::").map(|s| s.split(|c: char| !is_ident(c)).next().unwrap_or(""));
                let mut best = None;
                let mut candidate = base.clone();
                for seg in segs.take_while(|s| !s.is_empty()) {
                    candidate = if candidate.is_empty() { seg.to_owned() } else { format!("{candidate}::{seg}") };
                    if known.contains(&candidate) {
                        best = Some(candidate.clone());
                    }
                }
                if let Some(m) = best.filter(|m| m != this && !m.is_empty()) {
                    out.insert(m);
                }
            }
        }
    }
}

fn parent(module: &str) -> String {
    module.rsplit_once("::").map_or(String::new(), |(p, _)| p.to_owned())
}

/// The rings of a directed graph (Tarjan's strongly connected components of two or more).
fn rings(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut ring = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                ring.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if ring.len() > 1 {
                ring.sort();
                s.found.push(ring);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

struct Crate {
    name: String,
    files: Vec<(PathBuf, String)>,
}

fn workspace() -> Vec<Crate> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(crates_dir()) else { return out };
    for e in entries.flatten() {
        let src = e.path().join("src");
        if !src.is_dir() {
            continue;
        }
        let mut paths = Vec::new();
        sources(&src, &mut paths);
        paths.sort();
        let files = paths.into_iter().filter_map(|p| Some((p.clone(), std::fs::read_to_string(&p).ok()?))).collect();
        out.push(Crate { name: e.file_name().to_string_lossy().into_owned(), files });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn import_graph(krate: &Crate) -> BTreeMap<String, BTreeSet<String>> {
    let src = crates_dir().join(&krate.name).join("src");
    let modules: Vec<(String, &str)> =
        krate.files.iter().filter_map(|(p, text)| Some((module_of(&src, p)?, text.as_str()))).collect();
    let known: BTreeSet<String> = modules.iter().map(|(m, _)| m.clone()).collect();
    let mut graph = BTreeMap::new();
    for (m, text) in &modules {
        if m.is_empty() {
            continue;
        }
        let mut named = BTreeSet::new();
        for line in code(text) {
            named_modules(line, m, &known, &mut named);
        }
        graph.insert(m.clone(), named);
    }
    graph
}

#[test]
fn no_crate_has_an_import_circle() {
    let crates = workspace();
    assert!(crates.len() >= 10, "found {} crates", crates.len());
    let mut found = Vec::new();
    for krate in &crates {
        for ring in rings(&import_graph(krate)) {
            found.push(format!("{}: {}", krate.name, ring.join(" <-> ")));
        }
    }
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn the_circle_finder_finds_circles() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a", "d"]),
        ("d", vec![]),
        ("e", vec!["d"]),
        ("f", vec!["g"]),
        ("g", vec!["f"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(rings(&graph), [vec!["a", "b", "c"], vec!["f", "g"]]);
    let known: BTreeSet<String> = ["auth", "form", "routes", "routes::session"].map(str::to_owned).into();
    let mut named = BTreeSet::new();
    named_modules("use crate::routes::session::cookie; x::crate::no; super::form::Posted", "auth", &known, &mut named);
    assert_eq!(named, ["form", "routes::session"].map(str::to_owned).into());
    let mut named = BTreeSet::new();
    named_modules("use crate::{DoneQuery, html, form::Fields, routes};", "auth", &known, &mut named);
    assert_eq!(named, ["form", "routes"].map(str::to_owned).into());
}

/// Lines of a file before its tests (comments and blank lines count: they are read too).
fn non_test_lines(text: &str) -> usize {
    // A generated file is held to its generator's size, not its own.
    if text.lines().take(3).any(|l| l.starts_with("//") && l.contains("Do not edit")) {
        return 0;
    }
    text.lines().take_while(|l| !l.starts_with("#[cfg(test)]")).count()
}

#[test]
fn no_file_or_crate_is_too_long() {
    let root = crates_dir();
    let mut problems = Vec::new();
    for krate in workspace() {
        let mut total = 0;
        for (path, text) in &krate.files {
            let lines = non_test_lines(text);
            total += lines;
            let rel = path.strip_prefix(&root).unwrap_or(path).to_string_lossy().into_owned();
            if lines > MAX_FILE_LINES {
                problems.push(format!("{rel}: {lines} lines (at most {MAX_FILE_LINES}; split it by responsibility)"));
            }
        }
        if total > MAX_CRATE_LINES {
            problems.push(format!("crate {}: {total} lines (at most {MAX_CRATE_LINES})", krate.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Crates that reach the store only through `fml-app`: the three surfaces and the CLI.
const THROUGH_THE_APP: &[&str] = &["api", "cli", "console", "portal"];

#[test]
fn the_surfaces_and_the_cli_go_through_the_commands_layer() {
    for name in THROUGH_THE_APP {
        let manifest = std::fs::read_to_string(crates_dir().join(name).join("Cargo.toml")).expect("manifest");
        let deps = manifest.split("[dependencies]").nth(1).unwrap_or("").split("\n[").next().unwrap_or("");
        assert!(!deps.lines().any(|l| l.trim_start().starts_with("fml-store")), "crates/{name} depends on fml-store");
        for (path, text) in workspace().into_iter().filter(|k| k.name == *name).flat_map(|k| k.files) {
            assert!(!text.contains("fml_store::"), "{} names fml_store", path.display());
        }
    }
}
