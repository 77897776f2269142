//! The library's modules form layers, not a circle: each top-level module (`article`, `config`,
//! `feed`…) may name only modules below it. A circle makes code unreadable bottom-up and ties
//! unrelated changes together, and the compiler accepts it silently, so this test is the guard.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level module a source file belongs to (`src/article/dateline.rs` → `article`).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    // The binary's own modules and the crate root sit above everything.
    (!matches!(name, "lib" | "main" | "cmd")).then(|| name.to_string())
}

/// The first path segment after each `crate::` in `text`.
fn crate_paths(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .map(|(i, m)| {
            text[i + m.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

/// Names that `lib.rs` re-exports (`pub use build::{build, BuildOptions}`) → their module.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = rest.trim_end_matches(';').split_once("::") else {
            continue;
        };
        for name in names.trim_matches(['{', '}']).split(',') {
            let name = name.trim().rsplit("::").next().unwrap_or("").to_string();
            out.insert(name, module.to_string());
        }
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Edges module → modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let names = reexports(&lib);
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(from) = module_of(file.strip_prefix(&src).unwrap()) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for to in crate_paths(&text) {
            let to = names.get(&to).cloned().unwrap_or(to);
            if to != from {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

/// A cycle through `node`, if there is one, as the path of modules.
fn cycle(
    edges: &BTreeMap<String, BTreeSet<String>>,
    node: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    if let Some(start) = path.iter().position(|n| n == node) {
        let mut found = path[start..].to_vec();
        found.push(node.to_string());
        return Some(found);
    }
    path.push(node.to_string());
    for next in edges.get(node).into_iter().flatten() {
        if let Some(found) = cycle(edges, next, path) {
            return Some(found);
        }
    }
    path.pop();
    None
}

#[test]
fn modules_import_no_circle() {
    let edges = graph();
    assert!(
        edges.contains_key("build"),
        "the scan found no imports: {edges:?}"
    );
    for node in edges.keys() {
        if let Some(found) = cycle(&edges, node, &mut Vec::new()) {
            panic!("import circle: {}", found.join(" → "));
        }
    }
}

#[test]
fn the_configuration_imports_nothing_of_the_pipeline() {
    let edges = graph();
    let pipeline = [
        "article",
        "corpus",
        "cache",
        "related",
        "feed",
        "validate",
        "output",
        "build",
        "published",
        "error",
    ];
    for to in edges.get("config").into_iter().flatten() {
        assert!(!pipeline.contains(&to.as_str()), "config imports {to}");
    }
}

#[test]
fn the_checker_finds_a_planted_circle() {
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(
        cycle(&edges, "a", &mut Vec::new()),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
    assert_eq!(
        crate_paths("use crate::feed::Format; crate::Error"),
        ["feed", "Error"]
    );
}
