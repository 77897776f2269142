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
use crate::cache::{Cache, Facts, FileStamp, StoryFacts};
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

/// Parses one file into its facts.
pub fn facts_of(path: &Path, opts: &ParseOptions) -> Facts {
    let summary = article::read_bytes(path, opts.max_file_size)
        .and_then(|bytes| article::summarize(&bytes, path, opts));
    match summary {
        Ok(s) => Facts::Story(StoryFacts {
            key: crate::related::title_key(&s.title),
            secs: s.date.timestamp(),
            offset: s.date.offset().local_minus_utc(),
            legacy_encoding: (s.encoding != "UTF-8").then(|| s.encoding.to_string()),
            warnings: s.warnings,
        }),
        Err(e) => Facts::Failed(e),
    }
}

/// Scans the files under `dir` in parallel, taking unchanged files' facts from `cache`.
pub fn scan(
    dir: &Path,
    files: Vec<String>,
    opts: &ParseOptions,
    cache: Option<&mut Cache>,
) -> Vec<Scanned> {
    let with_cached: Vec<(String, Option<(FileStamp, Facts)>)> = match cache {
        Some(cache) => files
            .into_iter()
            .map(|rel| {
                let cached = cache.take(&rel);
                (rel, cached)
            })
            .collect(),
        None => files.into_iter().map(|rel| (rel, None)).collect(),
    };
    with_cached
        .into_par_iter()
        .map(|(rel_path, cached)| {
            let path = dir.join(&rel_path);
            let failed = |kind| {
                Facts::Failed(ArticleError {
                    path: path.clone(),
                    line: None,
                    kind,
                })
            };
            let stamp = match std::fs::metadata(&path) {
                Ok(meta) => FileStamp::of(&meta),
                Err(e) => {
                    let stamp = FileStamp {
                        size: 0,
                        mtime_ns: 0,
                        ctime_ns: 0,
                        inode: 0,
                    };
                    let facts = failed(ArticleErrorKind::Io(e.to_string()));
                    return Scanned {
                        rel_path,
                        stamp,
                        facts,
                        cached: false,
                    };
                }
            };
            if let Some((old_stamp, facts)) = cached {
                if old_stamp == stamp {
                    return Scanned {
                        rel_path,
                        stamp,
                        facts,
                        cached: true,
                    };
                }
            }
            let facts = if stamp.size > opts.max_file_size {
                failed(ArticleErrorKind::TooLarge {
                    size: stamp.size,
                    cap: opts.max_file_size,
                })
            } else {
                facts_of(&path, opts)
            };
            Scanned {
                rel_path,
                stamp,
                facts,
                cached: false,
            }
        })
        .collect()
}
