//! Shared helpers for the integration tests: a fresh temp dir per test, the real binary, and
//! the two independent checks every emitted feed goes through (parse-back and validator).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use wirefeed::validate::{self, CheckOptions};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture path under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// The `wirefeed` binary, run in `dir`, with no inherited config.
pub fn wirefeed(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("wirefeed").expect("binary built");
    cmd.current_dir(dir);
    // The build clock is the tests' to set, never the real clock's: 2026-01-01T00:00:00Z,
    // after every fixture's date and long before the shipped embargo of 2099. A test may set
    // another.
    cmd.env(wirefeed::clock::SOURCE_DATE_EPOCH, "1767225600");
    cmd
}

/// Runs a command to its end; returns its exit code (-1 when killed) and stderr. Builds print
/// feeds only when asked to, so stdout must stay empty.
pub fn code_and_stderr(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    assert!(out.stdout.is_empty(), "nothing on stdout");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Copies a folder tree.
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A temp dir holding a copy of the shipped `articles/` and `wirefeed.toml`.
pub fn shipped_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("articles"), &dir.path().join("articles"));
    std::fs::copy(
        root().join("wirefeed.toml"),
        dir.path().join("wirefeed.toml"),
    )
    .unwrap();
    dir
}

/// Asserts the project's own validator finds nothing at all in a document.
pub fn assert_valid(bytes: &[u8]) {
    let report = validate::check(
        bytes,
        &CheckOptions {
            now: Some(chrono::Utc::now()),
            publishing: true,
        },
    )
    .expect("the document is readable");
    assert!(
        report.findings.is_empty(),
        "validator findings: {:#?}",
        report.findings
    );
}

/// Parses a feed with an independent parser (`feed-rs`).
pub fn parse_back(bytes: &[u8]) -> feed_rs::model::Feed {
    feed_rs::parser::parse(bytes).expect("feed-rs parses the feed")
}

/// A feed in `dir/public`, validated and parsed back, as text.
pub fn public_feed(dir: &Path, name: &str) -> String {
    let bytes = std::fs::read(dir.join("public").join(name)).unwrap();
    assert_valid(&bytes);
    parse_back(&bytes);
    String::from_utf8(bytes).unwrap()
}

/// Validates and parses back a feed file.
pub fn read_feed(path: &Path) -> (Vec<u8>, feed_rs::model::Feed) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_valid(&bytes);
    let feed = parse_back(&bytes);
    (bytes, feed)
}
