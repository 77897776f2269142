//! Scanning an archive: every story file, in parallel, through the cache.
//!
//! Sorting by date and resolving related headlines need the whole archive, but a feed needs the
//! text of only its newest stories. So the scan keeps a small [`Scanned`] record per file
//! (headline, title key, date, problems) and drops the text; the build reads the few published
//! stories again in full.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// A story file found by [`walk`], with its stamp.
pub type Walked = (String, FileStamp);

/// Lists the story files under `dir` with their stamps: regular files, recursively, skipping
/// hidden names (the cache, editors' swap files, `.git`). Sorted by relative path so every run
/// sees one order.
///
/// Folders are read in parallel, and each file is stat-ed through its folder's handle
/// (`DirEntry::metadata`, i.e. `fstatat`), which spares the kernel a path lookup per file: on a
/// rerun with nothing changed, these stats are most of the work.
pub fn walk(dir: &Path) -> std::io::Result<(Vec<Walked>, Vec<ArticleError>)> {
    std::fs::read_dir(dir)?; // the top folder itself must be readable
    let (mut files, problems) = walk_folder(dir, String::new());
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok((files, problems))
}

fn walk_folder(folder: &Path, prefix: String) -> (Vec<Walked>, Vec<ArticleError>) {
    let entries = match std::fs::read_dir(folder) {
        Ok(e) => e,
        Err(e) => {
            let problem = ArticleError {
                path: folder.to_path_buf(),
                line: None,
                kind: ArticleErrorKind::Io(e.to_string()),
            };
            return (Vec::new(), vec![problem]);
        }
    };
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let mut rel = String::with_capacity(prefix.len() + name.len() + 1);
        if !prefix.is_empty() {
            rel.push_str(&prefix);
            rel.push('/');
        }
        rel.push_str(&name);
        match entry.file_type() {
            Ok(t) if t.is_dir() => folders.push((entry.path(), rel)),
            Ok(t) if t.is_file() => {
                // A file that cannot be stat-ed gets an empty stamp; reading it reports why.
                let stamp = entry
                    .metadata()
                    .map(|m| FileStamp::of(&m))
                    .unwrap_or_default();
                files.push((rel, stamp));
            }
            Ok(t) if t.is_symlink() => {
                if let Ok(meta) = std::fs::metadata(entry.path()) {
                    if meta.is_file() {
                        files.push((rel, FileStamp::of(&meta)));
                    }
                }
            }
            _ => {}
        }
    }
    let nested: Vec<_> = folders
        .into_par_iter()
        .map(|(path, rel)| walk_folder(&path, rel))
        .collect();
    let mut problems = Vec::new();
    for (f, p) in nested {
        files.extend(f);
        problems.extend(p);
    }
    (files, problems)
}

/// Reads and parses one file into its facts. `stamp` is the walk's: a file changed after it is
/// stat-ed gets a newer stamp, so the next run reads it again.
pub fn read_facts(path: &Path, stamp: FileStamp, opts: &ParseOptions) -> Facts {
    use std::io::Read;
    let failed = |kind| {
        Facts::Failed(Box::new(ArticleError {
            path: path.to_path_buf(),
            line: None,
            kind,
        }))
    };
    if stamp.size > opts.max_file_size {
        return failed(ArticleErrorKind::TooLarge {
            size: stamp.size,
            cap: opts.max_file_size,
        });
    }
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return failed(ArticleErrorKind::Io(e.to_string())),
    };
    let mut bytes = Vec::with_capacity(usize::try_from(stamp.size).unwrap_or(0) + 1);
    // `take` guards against a file that grows while it is read.
    if let Err(e) = file.take(opts.max_file_size + 1).read_to_end(&mut bytes) {
        return failed(ArticleErrorKind::Io(e.to_string()));
    }
    match article::summarize(&bytes, path, opts) {
        Ok(s) => Facts::Story(StoryFacts {
            key: crate::related::title_key(&s.title),
            secs: s.date.timestamp(),
            offset: s.date.offset().local_minus_utc(),
            legacy_encoding: (s.encoding != "UTF-8").then(|| s.encoding.to_string()),
            warnings: s.warnings,
        }),
        Err(e) => Facts::Failed(Box::new(e)),
    }
}

/// Scans the files under `dir` in parallel: a file that comes with facts (from the cache, for
/// an unchanged stamp) is taken as it is, any other is read and parsed.
pub fn scan(
    dir: &Path,
    files: Vec<CachedFile>,
    opts: &ParseOptions,
    progress: Option<&AtomicUsize>,
) -> Vec<Scanned> {
    files
        .into_par_iter()
        .inspect(|_| {
            if let Some(p) = progress {
                p.fetch_add(1, Ordering::Relaxed);
            }
        })
        .map(|(rel_path, stamp, cached)| match cached {
            Some(facts) => Scanned {
                rel_path,
                stamp,
                facts,
                cached: true,
            },
            None => {
                let facts = read_facts(&dir.join(&rel_path), stamp, opts);
                Scanned {
                    rel_path,
                    stamp,
                    facts,
                    cached: false,
                }
            }
        })
        .collect()
}
