//! The layering of the writer's modules, checked on the source text (docs/architecture.md):
//!
//! * `core/` is pure: it names no I/O crate (tokio, lapin, mongodb) and no module outside
//!   `core`;
//! * `io/` depends on nothing above it: only on `core`, the configuration (`config`,
//!   `settings`) and the published `metrics`;
//! * no cycle between the top-level modules.
//!
//! Comments are skipped, so a doc link to another module is not a dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn sources(dir: &Path, src: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable source directory")
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, src, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let relative = path.strip_prefix(src).expect("under src");
            let text = std::fs::read_to_string(&path).expect("readable source");
            let code: Vec<&str> = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect();
            out.push((
                relative.to_string_lossy().replace('\\', "/"),
                code.join("\n"),
            ));
        }
    }
}

fn all_sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    sources(&src, &src, &mut out);
    out
}

/// The top-level module a file belongs to: `io/broker/queue.rs` -> `io`.
fn top_module(path: &str) -> &str {
    let first = path.split('/').next().unwrap_or(path);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// The top-level modules a file's code names as `crate::<module>`.
fn crate_references(code: &str) -> BTreeSet<String> {
    code.match_indices("crate::")
        .map(|(at, found)| {
            let rest = &code[at + found.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            rest[..end].to_owned()
        })
        .filter(|module| !module.is_empty())
        .collect()
}

/// Whether `code` names `name` as a path segment (`name::` or `use name`).
fn names_crate(code: &str, name: &str) -> bool {
    code.match_indices(name).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = &code[at + name.len()..];
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && (after.starts_with("::") || after.starts_with(';'))
    })
}

#[test]
fn the_core_names_no_io_crate_and_no_module_outside_it() {
    for (path, code) in all_sources().iter().filter(|(p, _)| p.starts_with("core")) {
        for io_crate in ["tokio", "tokio_util", "lapin", "mongodb"] {
            assert!(!names_crate(code, io_crate), "{path} names {io_crate}");
        }
        let outside: Vec<_> = crate_references(code)
            .into_iter()
            .filter(|module| module != "core")
            .collect();
        assert!(outside.is_empty(), "{path} names crate::{outside:?}");
    }
}

#[test]
fn io_depends_on_nothing_above_it() {
    let below = ["core", "io", "config", "settings", "metrics"];
    for (path, code) in all_sources().iter().filter(|(p, _)| p.starts_with("io")) {
        for module in crate_references(code) {
            assert!(
                below.contains(&module.as_str()),
                "{path} names crate::{module}"
            );
        }
    }
}

#[test]
fn the_top_level_modules_form_no_cycle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, code) in all_sources() {
        let from = top_module(&path).to_owned();
        let targets: Vec<String> = crate_references(&code)
            .into_iter()
            .filter(|to| *to != from)
            .collect();
        edges.entry(from).or_default().extend(targets);
    }
    // Depth-first search; a module met again while on the path closes a cycle.
    fn visit(
        module: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(module) {
            return;
        }
        if let Some(start) = path.iter().position(|m| m == module) {
            panic!("module cycle: {} -> {module}", path[start..].join(" -> "));
        }
        path.push(module.to_owned());
        for next in edges.get(module).into_iter().flatten() {
            visit(next, edges, path, done);
        }
        path.pop();
        done.insert(module.to_owned());
    }
    let mut done = BTreeSet::new();
    for module in edges.keys() {
        visit(module, &edges, &mut Vec::new(), &mut done);
    }
    assert!(done.contains("core") && done.contains("writer"), "{done:?}");
}

#[test]
fn the_checks_see_what_they_check() {
    assert!(names_crate("use tokio::sync::Mutex;", "tokio"));
    assert!(names_crate("let x = lapin::Error::X;", "lapin"));
    assert!(!names_crate("let tokio_x = 1; my_lapin::y();", "lapin"));
    assert!(!names_crate("let tokio_x = 1;", "tokio"));
    let refs = crate_references("use crate::core::state; x(crate::writer::Writer)");
    assert_eq!(
        refs,
        BTreeSet::from(["core".to_owned(), "writer".to_owned()])
    );
    assert_eq!(top_module("io/broker/queue.rs"), "io");
    assert_eq!(top_module("app.rs"), "app");
}
