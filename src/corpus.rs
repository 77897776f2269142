//! Scanning an archive: every story file, in parallel, through the cache.
//!
//! Sorting by date and resolving related headlines need the whole archive, but a feed needs the
//! text of only its newest stories. So the scan keeps a small [`Scanned`] record per file
//! (headline, title key, date, problems) and drops the text; the build reads the few published
//! stories again in full.

use std::path::Path;

use chrono::{DateTime, FixedOffset, TimeZone};
use rayon::prelude::*;

use crate::article::{self, ParseOptions};
use crate::cache::{CachedFile, Facts, FileStamp, StoryFacts};
use crate::error::{ArticleError, ArticleErrorKind};

/// One file of the archive and what is known of it.
#[derive(Debug, Clone)]
pub struct Scanned {
    /// Path relative to the articles folder, `/`-separated.
    pub rel_path: String,
    /// Its stamp, for the cache.
    pub stamp: FileStamp,
    /// What parsing found.
    pub facts: Facts,
    /// Whether the facts came from the cache.
    pub cached: bool,
}

impl StoryFacts {
    /// The story's publication time.
    pub fn date(&self) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(self.offset)
            .and_then(|tz| tz.timestamp_opt(self.secs, 0).single())
            .unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset())
    }
}

/// Lists the story files under `dir`: regular files, recursively, skipping hidden names (the
/// cache, editors' swap files, `.git`). Sorted by relative path so every run sees one order.
pub fn walk(dir: &Path) -> std::io::Result<(Vec<String>, Vec<ArticleError>)> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut stack = vec![(String::new(), dir.to_path_buf())];
    std::fs::read_dir(dir)?; // the top folder itself must be readable
    while let Some((prefix, folder)) = stack.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(e) => e,
            Err(e) => {
                problems.push(ArticleError {
                    path: folder,
                    line: None,
                    kind: ArticleErrorKind::Io(e.to_string()),
                });
                continue;
            }
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let rel = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}/{name}")
            };
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push((rel, path)),
                Ok(t) if t.is_file() => files.push(rel),
                Ok(t) if t.is_symlink() && path.is_file() => files.push(rel),
                _ => {}
            }
        }
    }
    files.sort_unstable();
    Ok((files, problems))
}

/// Reads and parses one file into its stamp and facts, with one `open` and one `fstat`.
pub fn read_facts(path: &Path, opts: &ParseOptions) -> (FileStamp, Facts) {
    use std::io::Read;
    let failed = |kind| {
        Facts::Failed(Box::new(ArticleError {
            path: path.to_path_buf(),
            line: None,
            kind,
        }))
    };
    let io = |e: std::io::Error| {
        (
            FileStamp::default(),
            failed(ArticleErrorKind::Io(e.to_string())),
        )
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return io(e),
    };
    let stamp = match file.metadata() {
        Ok(meta) => FileStamp::of(&meta),
        Err(e) => return io(e),
    };
    if stamp.size > opts.max_file_size {
        let kind = ArticleErrorKind::TooLarge {
            size: stamp.size,
            cap: opts.max_file_size,
        };
        return (stamp, failed(kind));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(stamp.size).unwrap_or(0) + 1);
    // `take` guards against a file that grows while it is read.
    if let Err(e) = file.take(opts.max_file_size + 1).read_to_end(&mut bytes) {
        return (stamp, failed(ArticleErrorKind::Io(e.to_string())));
    }
    let facts = match article::summarize(&bytes, path, opts) {
        Ok(s) => Facts::Story(StoryFacts {
            key: crate::related::title_key(&s.title),
            secs: s.date.timestamp(),
            offset: s.date.offset().local_minus_utc(),
            legacy_encoding: (s.encoding != "UTF-8").then(|| s.encoding.to_string()),
            warnings: s.warnings,
        }),
        Err(e) => Facts::Failed(Box::new(e)),
    };
    (stamp, facts)
}

/// Scans the files under `dir` in parallel. Each file comes with the record the cache has for
/// it, if any; the record is used when the file's stamp is unchanged, else the file is read.
pub fn scan(dir: &Path, files: Vec<CachedFile>, opts: &ParseOptions) -> Vec<Scanned> {
    files
        .into_par_iter()
        .map(|(rel_path, cached)| {
            let path = dir.join(&rel_path);
            if let Some((old_stamp, facts)) = cached {
                if std::fs::metadata(&path).is_ok_and(|m| FileStamp::of(&m) == old_stamp) {
                    return Scanned {
                        rel_path,
                        stamp: old_stamp,
                        facts,
                        cached: true,
                    };
                }
            }
            let (stamp, facts) = read_facts(&path, opts);
            Scanned {
                rel_path,
                stamp,
                facts,
                cached: false,
            }
        })
        .collect()
}
