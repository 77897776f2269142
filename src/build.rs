//! A whole build: scan the archive, choose the newest stories, resolve their related
//! headlines, render every format, check each document and write it atomically.
//!
//! Nothing here prints: the outcome is a [`BuildReport`] that the CLI (or any other caller)
//! turns into a summary and an exit code.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use rayon::prelude::*;

use crate::article::{self, Article};
use crate::cache::{self, Cache, Facts, OutputMemo, StoryFacts};
use crate::config::{Config, ConfigError};
use crate::corpus::{self, Scanned};
use crate::error::{ArticleError, ArticleErrorKind, ArticleWarning, Error};
use crate::feed::{self, Format, Publishable, RelatedLink};
use crate::output::{self, OutputLock, WriteOutcome};
use crate::related::{self, Candidate, RelatedIndex};
use crate::validate::{self, CheckOptions, Finding, Severity};

/// Where the feeds go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Each format to its configured file name in the output folder.
    Folder,
    /// One format to this file.
    File(PathBuf),
    /// One format to the caller (the CLI writes it to stdout); nothing is written to disk.
    Stdout,
}

/// How to run a build, beyond the configuration.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Formats to produce.
    pub formats: Vec<Format>,
    /// Where to put them.
    pub output: Output,
    /// Fail on the first story that cannot be published.
    pub strict: bool,
    /// Validate each document before writing it (the default; `--no-check` turns it off).
    pub check: bool,
    /// The time used by the "date in the future" rule; `None` skips that rule.
    pub now: Option<DateTime<Utc>>,
    /// Counters updated while the archive is scanned, for a progress display.
    pub progress: Option<Arc<Progress>>,
}

/// How far the scan of a build has got; safe to read from another thread while it runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Story files found by the walk (0 until the walk is done).
    pub total: AtomicUsize,
    /// Story files scanned so far.
    pub scanned: AtomicUsize,
}

impl BuildOptions {
    /// Options that write the configured formats to the output folder, with checks on.
    pub fn new(config: &Config) -> Self {
        BuildOptions {
            formats: config.formats.clone(),
            output: Output::Folder,
            strict: false,
            check: true,
            now: Some(Utc::now()),
            progress: None,
        }
    }
}

/// What happened to one feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedStatus {
    /// Written to its file.
    Written,
    /// Its file already had these bytes.
    Unchanged,
    /// Rendered for the caller (stdout).
    Returned,
    /// Refused by the validator; the old file is untouched.
    Refused,
}

/// One feed of the build.
#[derive(Debug, Clone)]
pub struct FeedOutcome {
    /// The format.
    pub format: Format,
    /// The file, unless the feed went to the caller.
    pub path: Option<PathBuf>,
    /// What happened.
    pub status: FeedStatus,
    /// The validator's findings (errors make the feed refused).
    pub findings: Vec<Finding>,
}

/// Everything a build did, for the summary and the exit code.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// Story files found.
    pub files: usize,
    /// Files whose facts came from the cache.
    pub from_cache: usize,
    /// Why the cache was rebuilt, if it was.
    pub cache_note: Option<String>,
    /// Nothing changed since the last build: the feeds were neither rendered nor checked again.
    pub up_to_date: bool,
    /// Stories that parsed.
    pub stories: usize,
    /// Entries in the feeds.
    pub published: usize,
    /// Files that could not be published.
    pub errors: Vec<ArticleError>,
    /// Problems in published files.
    pub warnings: Vec<ArticleWarning>,
    /// Files that were not UTF-8: (relative path, encoding).
    pub legacy_encodings: Vec<(String, String)>,
    /// Related headlines linked to a story.
    pub related_resolved: usize,
    /// Related headlines with no matching story.
    pub related_unresolved: usize,
    /// The feeds.
    pub feeds: Vec<FeedOutcome>,
    /// The document for [`Output::Stdout`].
    pub stdout: Option<Vec<u8>>,
}

impl BuildReport {
    /// Feeds refused by the validator.
    pub fn refused(&self) -> usize {
        self.feeds
            .iter()
            .filter(|f| f.status == FeedStatus::Refused)
            .count()
    }
}

/// The cache fingerprint: everything that shapes a file's facts.
fn fingerprint(config: &Config) -> u64 {
    let shape = format!(
        "{} {:?} {:?} {} {:?} {} {}",
        env!("CARGO_PKG_VERSION"),
        config.articles,
        config.cities,
        config.time_zone.name(),
        config.encoding.map(|e| e.name()),
        config.max_file_size,
        config.language,
    );
    xxhash_rust::xxh3::xxh3_64(shape.as_bytes())
}

/// The fingerprint of everything besides the stories that shapes the documents: the whole
/// configuration, the formats and the tool's version.
fn output_fingerprint(config: &Config, opts: &BuildOptions) -> u64 {
    let shape = format!(
        "{} {config:?} {:?} {:?} {}",
        env!("CARGO_PKG_VERSION"),
        opts.formats,
        opts.output,
        opts.check
    );
    xxhash_rust::xxh3::xxh3_64(shape.as_bytes())
}

/// A story that parsed, by its position in the scan.
struct Story<'a> {
    index: usize,
    id: &'a str,
    facts: &'a StoryFacts,
    date: DateTime<FixedOffset>,
}

/// Runs a build.
pub fn build(config: &Config, opts: &BuildOptions) -> Result<BuildReport, Error> {
    let writes = opts.output != Output::Stdout;
    let out_dir = match &opts.output {
        Output::File(path) => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf(),
        _ => config.out.clone(),
    };
    let (files, walk_problems) = corpus::walk(&config.articles).map_err(|e| {
        Error::Config(ConfigError::Invalid {
            key: "build.articles",
            value: config.articles.display().to_string(),
            problem: format!("cannot read the articles folder ({e}); pass --articles DIR"),
        })
    })?;
    let _lock = if writes {
        std::fs::create_dir_all(&out_dir).map_err(|e| Error::io("cannot create", &out_dir, e))?;
        Some(OutputLock::acquire(
            &out_dir,
            Duration::from_secs(config.lock_timeout),
        )?)
    } else {
        None
    };
    if writes {
        output::remove_stale_temp_files(&out_dir, output::STALE_TEMP_AGE);
    }
    let cache_path = out_dir.join(cache::CACHE_FILE);
    let fingerprint = fingerprint(config);
    let (files, gone, cache_note, memo) = if config.cache {
        let (mut cache, note) = Cache::load(&cache_path, fingerprint);
        let memo = cache.memo.take();
        let (files, gone) = cache.match_sorted(files);
        (files, gone, note, memo)
    } else {
        let files = files
            .into_iter()
            .map(|(f, stamp)| (f, stamp, None))
            .collect();
        (files, 0, None, None)
    };
    let parse_opts = config.parse_options();
    let progress = opts.progress.as_deref();
    if let Some(p) = progress {
        p.total.store(files.len(), Ordering::Relaxed);
    }
    let scanned = corpus::scan(
        &config.articles,
        files,
        &parse_opts,
        progress.map(|p| &p.scanned),
    );

    let mut report = BuildReport {
        files: scanned.len(),
        from_cache: scanned.iter().filter(|s| s.cached).count(),
        cache_note,
        errors: walk_problems,
        ..BuildReport::default()
    };
    let mut stories = Vec::with_capacity(scanned.len());
    for (index, s) in scanned.iter().enumerate() {
        match &s.facts {
            Facts::Story(facts) => {
                report.warnings.extend(facts.warnings.iter().cloned());
                if let Some(enc) = &facts.legacy_encoding {
                    report
                        .legacy_encodings
                        .push((s.rel_path.clone(), enc.clone()));
                }
                stories.push(Story {
                    index,
                    id: article::id_of(&s.rel_path),
                    facts,
                    date: facts.date(),
                });
            }
            Facts::Failed(e) => report.errors.push(e.as_ref().clone()),
        }
    }
    reject_duplicates(config, &scanned, &mut stories, &mut report.errors);
    report.stories = stories.len();
    if opts.strict {
        if let Some(first) = report.errors.first() {
            return Err(Error::Strict(first.clone()));
        }
    }

    // Nothing changed since the last build, which wrote clean feeds that are still on disk:
    // the feeds would come out byte for byte the same, so stop here.
    let output_fingerprint = output_fingerprint(config, opts);
    let unchanged = report.from_cache == scanned.len() && gone == 0 && report.cache_note.is_none();
    if let Some(memo) = memo.as_ref().filter(|m| {
        unchanged
            && opts.output == Output::Folder
            && m.fingerprint == output_fingerprint
            && m.files.len() == opts.formats.len()
            && m.files_intact()
    }) {
        report.up_to_date = true;
        report.published = memo.published;
        report.related_resolved = memo.related_resolved;
        report.related_unresolved = memo.related_unresolved;
        report.feeds = opts
            .formats
            .iter()
            .zip(&memo.files)
            .map(|(format, (path, _))| FeedOutcome {
                format: *format,
                path: Some(path.clone()),
                status: FeedStatus::Unchanged,
                findings: Vec::new(),
            })
            .collect();
        return Ok(report);
    }

    // Newest first; ties by time are already in `date`, then by id, so output is deterministic.
    stories.sort_unstable_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(b.id)));
    let chosen: Vec<(usize, Result<Article, ArticleError>)> = stories
        .iter()
        .take(config.limit)
        .collect::<Vec<_>>()
        .par_iter()
        .map(|s| {
            let path = config.articles.join(&scanned[s.index].rel_path);
            (
                s.index,
                article::read(&path, &scanned[s.index].rel_path, &parse_opts).map(|p| p.article),
            )
        })
        .collect();
    let mut articles = Vec::with_capacity(chosen.len());
    for (index, result) in chosen {
        match result {
            Ok(a) => articles.push((index, a)),
            // The file changed between the scan and now; report it like any bad file.
            Err(e) => report.errors.push(e),
        }
    }

    let links = resolve_related(config, &parse_opts, &scanned, &stories, &articles);
    for list in &links {
        let resolved = list.iter().filter(|l| l.url.is_some()).count();
        report.related_resolved += resolved;
        report.related_unresolved += list.len() - resolved;
    }
    let publishable: Vec<Publishable<'_>> = articles
        .iter()
        .zip(links)
        .map(|((_, article), related)| Publishable { article, related })
        .collect();
    report.published = publishable.len();
    let model = feed::build_feed(config, &publishable);

    // Formats are independent: render and check them on all cores, then write in order.
    let documents: Vec<(Format, Vec<u8>, Vec<Finding>)> = opts
        .formats
        .par_iter()
        .map(|format| {
            let bytes = feed::render(&model, *format)?;
            let findings = if opts.check {
                check_document(&bytes, *format, opts.now)
            } else {
                Vec::new()
            };
            Ok((*format, bytes, findings))
        })
        .collect::<Result<_, Error>>()?;
    let mut written = Vec::with_capacity(opts.formats.len());
    for (format, bytes, findings) in documents {
        let format = &format;
        written.push(xxhash_rust::xxh3::xxh3_64(&bytes));
        let path = match &opts.output {
            Output::Folder => Some(
                out_dir.join(
                    config
                        .files
                        .get(format)
                        .map(String::as_str)
                        .unwrap_or("feed"),
                ),
            ),
            Output::File(p) => Some(p.clone()),
            Output::Stdout => None,
        };
        let status = if findings.iter().any(|f| f.severity == Severity::Error) {
            FeedStatus::Refused
        } else if let Some(path) = &path {
            match output::write_if_changed(path, &bytes)? {
                WriteOutcome::Written => FeedStatus::Written,
                WriteOutcome::Unchanged => FeedStatus::Unchanged,
            }
        } else {
            report.stdout = Some(bytes);
            FeedStatus::Returned
        };
        report.feeds.push(FeedOutcome {
            format: *format,
            path,
            status,
            findings,
        });
    }

    // Only feeds written to the folder without any finding may be skipped next time.
    let new_memo = (opts.output == Output::Folder
        && report
            .feeds
            .iter()
            .all(|f| f.findings.is_empty() && f.status != FeedStatus::Refused))
    .then(|| OutputMemo {
        fingerprint: output_fingerprint,
        files: report
            .feeds
            .iter()
            .zip(&written)
            .filter_map(|(f, hash)| Some((f.path.clone()?, *hash)))
            .collect(),
        published: report.published,
        related_resolved: report.related_resolved,
        related_unresolved: report.related_unresolved,
    });
    let changed = !unchanged || new_memo != memo;
    if writes && config.cache && changed {
        let bytes = cache::to_bytes(
            fingerprint,
            scanned
                .iter()
                .map(|s| (s.rel_path.as_str(), &s.stamp, &s.facts)),
            new_memo.as_ref(),
        );
        output::write_scratch(&cache_path, &bytes)?;
    }
    Ok(report)
}

/// Validates a rendered document; a document the validator cannot read at all is one error.
fn check_document(bytes: &[u8], format: Format, now: Option<DateTime<Utc>>) -> Vec<Finding> {
    match validate::check(bytes, &CheckOptions { now }) {
        Ok(report) => report.findings,
        Err(e) => vec![Finding {
            severity: Severity::Error,
            code: "xml.wellformed",
            message: format!("the {format} document cannot be read back: {e}"),
            line: 1,
            column: 1,
        }],
    }
}

/// Two files with the same id (`a.txt` and `a.text`) or the same URL (same slug and date with a
/// pattern without `{id}`) would be one entry to a reader: both are refused, naming each other.
fn reject_duplicates(
    config: &Config,
    scanned: &[Scanned],
    stories: &mut Vec<Story<'_>>,
    errors: &mut Vec<ArticleError>,
) {
    let mut clashes: Vec<(usize, usize, &'static str, String)> = Vec::new();
    // xxh3 rather than SipHash: 100,000 keys that no adversary chooses.
    let hasher = xxhash_rust::xxh3::Xxh3DefaultBuilder;
    let mut by_id: HashMap<&str, usize, _> =
        HashMap::with_capacity_and_hasher(stories.len(), hasher);
    for (pos, s) in stories.iter().enumerate() {
        if let Some(&first) = by_id.get(s.id) {
            clashes.push((first, pos, "id", s.id.to_string()));
        } else {
            by_id.insert(s.id, pos);
        }
    }
    if !config.article_url.uses_id() {
        // Stories already refused for their id are not reported a second time for their URL.
        let refused: HashSet<usize> = clashes.iter().flat_map(|c| [c.0, c.1]).collect();
        // Compares the parts the pattern uses instead of rendering 100,000 URLs.
        let mut by_url = HashMap::with_capacity_and_hasher(stories.len(), hasher);
        for (pos, s) in stories
            .iter()
            .enumerate()
            .filter(|(pos, _)| !refused.contains(pos))
        {
            let slug = article::slug_of(&scanned[s.index].rel_path);
            let key = (config.article_url.date_parts(s.date), slug);
            if let Some(&first) = by_url.get(&key) {
                let url = config.article_url.render(s.date, s.id, slug).to_string();
                clashes.push((first, pos, "URL", url));
            } else {
                by_url.insert(key, pos);
            }
        }
    }
    if clashes.is_empty() {
        return;
    }
    let mut drop = HashSet::new();
    for (a, b, what, value) in clashes {
        for (this, other) in [(a, b), (b, a)] {
            drop.insert(this);
            errors.push(ArticleError {
                path: config.articles.join(&scanned[stories[this].index].rel_path),
                line: None,
                kind: ArticleErrorKind::Duplicate {
                    what: what.to_string(),
                    value: value.clone(),
                    other: scanned[stories[other].index].rel_path.clone(),
                },
            });
        }
    }
    let mut pos = 0;
    stories.retain(|_| {
        let keep = !drop.contains(&pos);
        pos += 1;
        keep
    });
}

/// Resolves each chosen article's related headlines against the whole archive.
fn resolve_related(
    config: &Config,
    parse_opts: &article::ParseOptions,
    scanned: &[Scanned],
    stories: &[Story<'_>],
    articles: &[(usize, Article)],
) -> Vec<Vec<RelatedLink>> {
    let wanted_keys: Vec<Vec<u64>> = articles
        .iter()
        .map(|(_, a)| a.related.iter().map(|h| related::title_key(h)).collect())
        .collect();
    let wanted: HashSet<u64> = wanted_keys.iter().flatten().copied().collect();
    let index = RelatedIndex::build(
        &wanted,
        stories.iter().map(|s| {
            (
                s.facts.key,
                Candidate {
                    index: s.index,
                    date: s.date,
                },
            )
        }),
    );
    let resolved: Vec<Vec<Option<usize>>> = articles
        .iter()
        .zip(&wanted_keys)
        .map(|((citing, a), keys)| {
            keys.iter()
                .map(|k| index.resolve(*k, *citing, a.date))
                .collect()
        })
        .collect();
    // Targets' headlines are not kept in memory: read the few that are linked, in parallel, and
    // only their summary (no paragraphs copied, no language detected).
    let mut wanted_targets: Vec<usize> = resolved.iter().flatten().flatten().copied().collect();
    wanted_targets.sort_unstable();
    wanted_targets.dedup();
    let targets: HashMap<usize, article::Summary> = wanted_targets
        .into_par_iter()
        .filter_map(|t| {
            let path = config.articles.join(&scanned[t].rel_path);
            article::read_bytes(&path, parse_opts.max_file_size)
                .and_then(|bytes| article::summarize(&bytes, &path, parse_opts))
                .ok()
                .map(|summary| (t, summary))
        })
        .collect();
    articles
        .iter()
        .zip(&resolved)
        .map(|((_, a), targets_of)| {
            a.related
                .iter()
                .zip(targets_of)
                .map(|(headline, target)| {
                    // Re-checking the headline guards against a hash collision or a file edited
                    // since the scan.
                    let target =
                        target
                            .and_then(|t| targets.get(&t).map(|s| (t, s)))
                            .filter(|(_, s)| {
                                related::normalize(&s.title) == related::normalize(headline)
                            });
                    match target {
                        Some((t, s)) => {
                            let rel = &scanned[t].rel_path;
                            let url = config.article_url.render(
                                s.date,
                                article::id_of(rel),
                                article::slug_of(rel),
                            );
                            RelatedLink {
                                title: s.title.clone(),
                                url: Some(url),
                            }
                        }
                        None => RelatedLink {
                            title: headline.clone(),
                            url: None,
                        },
                    }
                })
                .collect()
        })
        .collect()
}
