//! One wire story, parsed into a typed [`Article`] before anything is rendered.
//!
//! The layout, from the agency's copy:
//!
//! ```text
//! Headline                                   line 1
//! CITY, DATE /AGENCY/. Lead paragraph…       line 2: the dateline opens the first paragraph
//! Body paragraph…                            one per line (single blank lines allowed between)
//! ФОТО: credit                               photo credit (ФОТО/Фото/PHOTO/Photo/АКС/Акс)
//! (two or more blank lines end the story)
//! Related headline                           every non-blank line after that
//! ```
//!
//! Identity comes from the file's path, never its text: a corrected headline or date must not
//! change an entry's id or URL, or readers would show the story twice.

pub mod cities;
pub mod dateline;
pub mod decode;
mod error;
pub mod facets;
pub mod lang;
pub mod meta;

use std::borrow::Cow;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use encoding_rs::Encoding;
use serde::Serialize;

use crate::config::StorySettings;
use crate::fsx;
use cities::CityTable;
pub use dateline::Dateline;
pub use error::{
    ArticleError, ArticleErrorKind, ArticleWarning, ArticleWarningKind, TagClash, DATELINE_EXAMPLE,
};

pub use crate::config::DEFAULT_MAX_FILE_SIZE;

/// Labels that introduce a photo credit line, in upper case.
const CREDIT_LABELS: &[&str] = &["ФОТО", "PHOTO", "АКС"];

/// A parsed story: the typed model every feed is rendered from.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    /// The file's path relative to the articles folder, with `/` separators.
    pub rel_path: String,
    /// Stable id: the relative path without its extension (`2025/06/shos-ikt`).
    pub id: String,
    /// The file name without extension; the `{slug}` of URLs.
    pub slug: String,
    /// The headline.
    pub title: String,
    /// The parsed dateline.
    pub dateline: Dateline,
    /// Publication time: the dateline's date and time (else 00:00) in the city's zone.
    pub date: DateTime<FixedOffset>,
    /// Language tag (`ru`, `tg`, `en`).
    pub lang: String,
    /// Paragraphs in order; the first starts with the dateline, as in the copy.
    pub paragraphs: Vec<String>,
    /// The photo credit, without its `ФОТО:` label.
    pub credit: Option<String>,
    /// Related headlines as written, in order.
    pub related: Vec<String>,
    /// The encoding the file was decoded from (`UTF-8`, `windows-1251`…).
    pub encoding: &'static str,
    /// What the story's sidecar adds (empty without one); see [`Article::with_meta`].
    pub meta: meta::Meta,
    /// When the publication ledger saw its content change, if it did after the story was
    /// first seen (Atom `updated` when the sidecar gives none); see [`Article::at_times`].
    pub revised: Option<DateTime<FixedOffset>>,
}

/// What the parser needs to know besides the bytes.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Cities and zones.
    pub cities: CityTable,
    /// Zone for cities not in the table.
    pub fallback_zone: Tz,
    /// Language when a story has no letters to tell.
    pub default_lang: String,
    /// Encoding to use instead of detection.
    pub encoding: Option<&'static Encoding>,
    /// Largest file accepted, in bytes.
    pub max_file_size: u64,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions::new(&StorySettings::default())
    }
}

impl ParseOptions {
    /// The options for the desk's story settings.
    pub fn new(settings: &StorySettings) -> Self {
        ParseOptions {
            cities: CityTable::new(settings.cities.iter().map(|(c, z)| (c.as_str(), *z))),
            fallback_zone: settings.time_zone,
            default_lang: settings.language.clone(),
            encoding: settings.encoding,
            max_file_size: settings.max_file_size,
        }
    }
}

/// A successfully parsed story and the warnings it raised.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The story.
    pub article: Article,
    /// Problems that did not stop it from being published.
    pub warnings: Vec<ArticleWarning>,
}

/// Reads and parses one story file. `rel_path` is its path relative to the articles folder.
pub fn read(path: &Path, rel_path: &str, opts: &ParseOptions) -> Result<Parsed, ArticleError> {
    let bytes = read_bytes(path, opts.max_file_size)?;
    parse(&bytes, path, rel_path, opts)
}

/// Reads a story file's bytes, refusing files over `cap` before reading them, and anything that
/// is not a regular file (a FIFO would block, a device would never end).
pub fn read_bytes(path: &Path, cap: u64) -> Result<Vec<u8>, ArticleError> {
    fsx::read_regular(path, true, cap).map_err(|e| read_error(path, e))
}

/// The [`ArticleError`] for a story file that could not be read.
pub(crate) fn read_error(path: &Path, e: fsx::ReadError) -> ArticleError {
    let kind = match e {
        fsx::ReadError::Io(e) => ArticleErrorKind::Io(e.to_string()),
        fsx::ReadError::NotRegular(what) => ArticleErrorKind::NotAFile(what.to_string()),
        fsx::ReadError::TooLarge { size, cap } => ArticleErrorKind::TooLarge { size, cap },
    };
    ArticleError {
        path: path.to_path_buf(),
        line: None,
        column: None,
        kind,
    }
}

/// Line `number` (1-based) of a story file, decoded as the parser decodes it, to show under a
/// message; `None` when the file cannot be read again.
pub fn source_line(path: &Path, number: usize, opts: &ParseOptions) -> Option<String> {
    let bytes = fsx::read_regular(path, false, opts.max_file_size).ok()?;
    let text = decode::decode(&bytes, opts.encoding).ok()?.text;
    // Lines end as the parser ends them: LF or CRLF, or a lone CR in old Mac files.
    let line = if text.contains('\n') {
        text.split('\n')
            .nth(number.checked_sub(1)?)?
            .trim_end_matches('\r')
    } else {
        text.split('\r').nth(number.checked_sub(1)?)?
    };
    Some(line.to_string())
}

/// Parses the bytes of one story file. `path` is only used in messages.
pub fn parse(
    bytes: &[u8],
    path: &Path,
    rel_path: &str,
    opts: &ParseOptions,
) -> Result<Parsed, ArticleError> {
    with_story(
        bytes,
        path,
        opts,
        |story, dateline, date, encoding, warnings| {
            let title = story.headline.to_string();
            let paragraphs: Vec<String> = story.paragraphs.iter().map(|p| p.to_string()).collect();
            let lang = lang::detect(
                std::iter::once(title.as_str()).chain(paragraphs.iter().map(String::as_str)),
                &opts.default_lang,
            );
            let (id, slug) = identity(rel_path);
            Parsed {
                article: Article {
                    rel_path: rel_path.to_string(),
                    id,
                    slug,
                    title,
                    dateline,
                    date,
                    lang,
                    paragraphs,
                    credit: (!story.credits.is_empty()).then(|| story.credits.join("; ")),
                    related: story.related.iter().map(|r| r.to_string()).collect(),
                    encoding,
                    meta: meta::Meta::default(),
                    revised: None,
                },
                warnings,
            }
        },
    )
}

/// What a build needs to know of a story that may not be published: enough to sort it, to
/// resolve headlines to it and to report its problems, without keeping its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The headline.
    pub title: String,
    /// Publication time.
    pub date: DateTime<FixedOffset>,
    /// The encoding the file was decoded from.
    pub encoding: &'static str,
    /// Warnings raised while parsing.
    pub warnings: Vec<ArticleWarning>,
    /// The language of its text.
    pub lang: lang::Detected,
    /// [`facets::city_key`] of the dateline's city.
    pub city: u64,
    /// [`facets::agency_key`] of the dateline's agency.
    pub agency: u64,
    /// Whether the dateline gives a time.
    pub timed: bool,
    /// The dateline's agency, as written.
    pub agency_name: String,
}

/// Parses a story as fully as [`parse`] (so every error is found) but keeps only its
/// [`Summary`]: no paragraph is copied.
pub fn summarize(bytes: &[u8], path: &Path, opts: &ParseOptions) -> Result<Summary, ArticleError> {
    with_story(
        bytes,
        path,
        opts,
        |story, dateline, date, encoding, warnings| Summary {
            title: story.headline.to_string(),
            date,
            encoding,
            warnings,
            lang: lang::detect_in(
                std::iter::once(story.headline).chain(story.paragraphs.iter().copied()),
            ),
            city: facets::city_key(&opts.cities, &dateline.city),
            agency: facets::agency_key(&dateline.agency),
            timed: dateline.time.is_some(),
            agency_name: dateline.agency.clone(),
        },
    )
}

/// The headline of a story file: its first line that is not blank, cleaned as [`parse`] cleans
/// it. A build reads the targets of related headlines for nothing else, and a whole story set
/// can cite thousands of them: this skips the split, the dateline and the language.
pub fn headline(bytes: &[u8], path: &Path, opts: &ParseOptions) -> Result<String, ArticleError> {
    let err = |kind| ArticleError {
        path: path.to_path_buf(),
        line: None,
        column: None,
        kind,
    };
    within_size(bytes, opts).map_err(err)?;
    let decoded = decode::decode(bytes, opts.encoding).map_err(err)?;
    // Splitting at `\r` as well as `\n` gives the same non-blank lines as unifying line ends.
    decoded
        .text
        .split(['\n', '\r'])
        .map(|line| clean_line(line).0)
        .find(|line| !line.trim().is_empty())
        .map(|line| line.trim().to_string())
        .ok_or_else(|| err(ArticleErrorKind::OnlyBlank))
}

/// A story file's bytes are no more than `max_file_size`.
fn within_size(bytes: &[u8], opts: &ParseOptions) -> Result<(), ArticleErrorKind> {
    let size = bytes.len() as u64;
    match size > opts.max_file_size {
        true => Err(ArticleErrorKind::TooLarge {
            size,
            cap: opts.max_file_size,
        }),
        false => Ok(()),
    }
}

/// What an index of stories shows of one: its headline and its dateline's agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masthead {
    /// The headline, cleaned as [`parse`] cleans it.
    pub title: String,
    /// The agency between the dateline's slashes.
    pub agency: String,
}

/// The headline and the dateline's agency of a story file: the first two lines that are not
/// blank, cleaned and read as [`parse`] reads them, and nothing after them. Archive documents
/// list every story of a month, and this is all they show of each.
pub fn masthead(bytes: &[u8], path: &Path, opts: &ParseOptions) -> Result<Masthead, ArticleError> {
    let err = |line, kind| ArticleError {
        path: path.to_path_buf(),
        line,
        column: None,
        kind,
    };
    within_size(bytes, opts).map_err(|k| err(None, k))?;
    let decoded = decode::decode(bytes, opts.encoding).map_err(|k| err(None, k))?;
    let text = unify_line_ends(&decoded.text);
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, line)| (i + 1, clean_line(line).0))
        .filter(|(_, line)| !line.trim().is_empty());
    let (_, headline) = lines
        .next()
        .ok_or_else(|| err(None, ArticleErrorKind::OnlyBlank))?;
    let (n, dateline) = lines
        .next()
        .ok_or_else(|| err(None, ArticleErrorKind::HeadlineOnly))?;
    let dateline = dateline::parse(dateline.trim()).map_err(|kind| err(Some(n), kind))?;
    Ok(Masthead {
        title: headline.trim().to_string(),
        agency: dateline.agency,
    })
}

/// Decodes, cleans and splits a story, then hands its parts to `finish`.
fn with_story<R>(
    bytes: &[u8],
    path: &Path,
    opts: &ParseOptions,
    finish: impl FnOnce(
        &Story<'_>,
        Dateline,
        DateTime<FixedOffset>,
        &'static str,
        Vec<ArticleWarning>,
    ) -> R,
) -> Result<R, ArticleError> {
    let err = |line, kind| ArticleError {
        path: path.to_path_buf(),
        line,
        column: None,
        kind,
    };
    within_size(bytes, opts).map_err(|k| err(None, k))?;
    if bytes.is_empty() {
        return Err(err(None, ArticleErrorKind::Empty));
    }
    let decoded = decode::decode(bytes, opts.encoding).map_err(|k| err(None, k))?;
    let mut warnings = Vec::new();
    let warn = |line, kind| ArticleWarning {
        path: path.to_path_buf(),
        line,
        kind,
    };
    if decoded.replaced > 0 {
        warnings.push(warn(
            None,
            ArticleWarningKind::Replaced {
                count: decoded.replaced,
            },
        ));
    }
    let text = unify_line_ends(&decoded.text);
    // One pass over the whole text decides whether any line needs cleaning; almost no story does.
    let needs_cleaning = may_need_cleaning(text.as_bytes());
    let mut lines: Vec<(usize, Cow<'_, str>)> = Vec::with_capacity(32);
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    for (i, end) in ends.enumerate() {
        let raw = &text[start..end];
        start = end + 1;
        if !needs_cleaning {
            lines.push((i + 1, Cow::Borrowed(raw.trim_end())));
            continue;
        }
        let (line, removed) = clean_line(raw);
        if let Some((count, first)) = removed {
            warnings.push(warn(
                Some(i + 1),
                ArticleWarningKind::ControlCharsRemoved {
                    count,
                    first: format!("U+{:04X}", first as u32),
                },
            ));
        }
        lines.push((i + 1, line));
    }

    let story = Story::split(&lines).map_err(|(line, kind)| err(line, kind))?;
    let (dl_line, dl_text) = story.dateline_line;
    let dateline = dateline::parse(dl_text).map_err(|kind| ArticleError {
        column: u32::try_from(dateline::column_of(dl_text, &kind)).ok(),
        ..err(Some(dl_line), kind)
    })?;
    let zone = match opts.cities.zone(&dateline.city) {
        Some(zone) => zone,
        None => {
            warnings.push(warn(
                Some(dl_line),
                ArticleWarningKind::UnknownCity {
                    city: dateline.city.clone(),
                    zone: opts.fallback_zone.name().to_string(),
                },
            ));
            opts.fallback_zone
        }
    };
    let date = local_time(
        zone,
        dateline
            .date
            .and_time(dateline.time.unwrap_or(NaiveTime::MIN)),
    );
    Ok(finish(
        &story,
        dateline,
        date,
        decoded.encoding.name(),
        warnings,
    ))
}

/// The id and slug of a story from its relative path: `2025/06/shos-ikt.txt` →
/// (`2025/06/shos-ikt`, `shos-ikt`).
pub fn identity(rel_path: &str) -> (String, String) {
    (id_of(rel_path).to_string(), slug_of(rel_path).to_string())
}

/// The id of a story: its relative path without the file's extension.
pub fn id_of(rel_path: &str) -> &str {
    // On bytes (`/` and `.` are ASCII, so their positions are char boundaries): a build
    // compares ids of a million stories while it sorts them, and `str::rfind(char)` took a
    // tenth of an incremental build at that size.
    let bytes = rel_path.as_bytes();
    let file_start = memchr::memrchr(b'/', bytes).map_or(0, |i| i + 1);
    match memchr::memrchr(b'.', &bytes[file_start..]) {
        Some(dot) if dot > 0 => rel_path.get(..file_start + dot).unwrap_or(rel_path),
        _ => rel_path,
    }
}

/// The slug of a story: its file name without the extension.
pub fn slug_of(rel_path: &str) -> &str {
    let id = id_of(rel_path);
    id.rfind('/').map_or(id, |i| &id[i + 1..])
}

/// A local wall-clock time in `zone` as a fixed-offset timestamp. A time that falls in a DST gap
/// is moved past the gap; an ambiguous one takes the earlier instant.
fn local_time(zone: Tz, local: NaiveDateTime) -> DateTime<FixedOffset> {
    let mut probe = local;
    for _ in 0..4 {
        if let Some(t) = zone.from_local_datetime(&probe).earliest() {
            return t.fixed_offset();
        }
        probe += chrono::Duration::minutes(30);
    }
    zone.from_utc_datetime(&local).fixed_offset()
}

/// CRLF and lone CR become LF, so lines split one way.
fn unify_line_ends(text: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Removes characters that XML 1.0 forbids or that are invisible controls, turns tabs into
/// spaces and trims trailing whitespace. Returns the count and first of the removed characters.
fn clean_line(line: &str) -> (Cow<'_, str>, Option<(usize, char)>) {
    let is_bad = |c: char| {
        (c < ' ' && c != '\t')
            || ('\u{7F}'..='\u{9F}').contains(&c)
            || c == '\u{FFFE}'
            || c == '\u{FFFF}'
    };
    let trimmed = line.trim_end();
    if !may_need_cleaning(trimmed.as_bytes()) {
        return (Cow::Borrowed(trimmed), None);
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut removed = None::<(usize, char)>;
    for c in trimmed.chars() {
        if is_bad(c) {
            let entry = removed.get_or_insert((0, c));
            entry.0 += 1;
        } else if c == '\t' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    let out = out.trim_end().to_string();
    (Cow::Owned(out), removed)
}

/// A quick byte scan: `false` when the text certainly has no tab, C0/C1 control (other than
/// LF), DEL or U+FFFE/U+FFFF: the common case, which then costs no allocation and no per-line
/// char decoding.
fn may_need_cleaning(bytes: &[u8]) -> bool {
    // Branch-free over fixed chunks so the compiler vectorises it.
    let c0_or_del = bytes.chunks(256).any(|chunk| {
        chunk.iter().fold(false, |acc, &b| {
            acc | ((b < 0x20) & (b != b'\n')) | (b == 0x7F)
        })
    });
    // C1 controls are C2 80..=9F in UTF-8; U+FFFE and U+FFFF are EF BF BE/BF.
    c0_or_del
        || memchr::memchr2_iter(0xC2, 0xEF, bytes).any(|i| match bytes[i] {
            0xC2 => bytes.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)),
            _ => bytes.get(i + 1) == Some(&0xBF) && bytes.get(i + 2).is_some_and(|n| *n >= 0xBE),
        })
}

/// The parts of a story file, as line slices.
struct Story<'a> {
    headline: &'a str,
    dateline_line: (usize, &'a str),
    paragraphs: Vec<&'a str>,
    credits: Vec<&'a str>,
    related: Vec<&'a str>,
}

impl<'a> Story<'a> {
    fn split(
        lines: &'a [(usize, Cow<'a, str>)],
    ) -> Result<Self, (Option<usize>, ArticleErrorKind)> {
        let blank = |l: &str| l.trim().is_empty();
        let mut it = lines.iter().map(|(n, l)| (*n, l.as_ref())).peekable();
        let (head_no, headline) = loop {
            match it.next() {
                None => return Err((None, ArticleErrorKind::OnlyBlank)),
                Some((_, l)) if blank(l) => continue,
                Some((n, l)) => break (n, l.trim()),
            }
        };
        if dateline::looks_like_dateline(headline) {
            return Err((Some(head_no), ArticleErrorKind::MissingHeadline));
        }
        let mut blanks = 0;
        let dateline_line = loop {
            match it.next() {
                None => return Err((Some(head_no), ArticleErrorKind::HeadlineOnly)),
                Some(_) if blanks >= 2 => {
                    return Err((Some(head_no), ArticleErrorKind::HeadlineOnly))
                }
                Some((_, l)) if blank(l) => blanks += 1,
                Some((n, l)) => break (n, l.trim()),
            }
        };
        // Re-check the run of blanks: a headline followed by two blank lines and then text means
        // the text is a related list, and the story has no body.
        if blanks >= 2 {
            return Err((Some(head_no), ArticleErrorKind::HeadlineOnly));
        }
        let mut story = Story {
            headline,
            dateline_line,
            paragraphs: vec![dateline_line.1],
            credits: Vec::new(),
            related: Vec::new(),
        };
        let mut blanks = 0;
        let mut in_related = false;
        for (_, line) in it {
            if blank(line) {
                blanks += 1;
                continue;
            }
            if blanks >= 2 {
                in_related = true;
            }
            blanks = 0;
            let line = line.trim();
            if in_related {
                story.related.push(line);
            } else if let Some(credit) = credit(line) {
                story.credits.push(credit);
            } else {
                story.paragraphs.push(line);
            }
        }
        Ok(story)
    }
}

/// The credit of a `ФОТО: …` line, or `None` for any other line.
fn credit(line: &str) -> Option<&str> {
    // Labels are at most five letters: look for the colon near the start only, not through
    // every paragraph.
    let colon = line.bytes().take(16).position(|b| b == b':')?;
    let (label, rest) = (&line[..colon], &line[colon + 1..]);
    let label = label.trim();
    if label.chars().count() > 5 {
        return None;
    }
    let upper = label.to_uppercase();
    if CREDIT_LABELS.contains(&upper.as_str()) {
        let text = rest.trim();
        (!text.is_empty()).then_some(text)
    } else {
        None
    }
}

impl Article {
    /// The story with its sidecar's metadata: the exact publication time and the language,
    /// when the sidecar gives them, replace the dateline's and the detected ones.
    pub fn with_meta(mut self, meta: meta::Meta) -> Self {
        if let Some(published) = meta.published {
            self.date = published;
        }
        if let Some(lang) = &meta.lang {
            self.lang = lang.clone();
        }
        self.meta = meta;
        self
    }

    /// The time of the latest change: the sidecar's `updated`, else the correction the
    /// publication ledger saw, else the publication time.
    pub fn updated(&self) -> DateTime<FixedOffset> {
        self.meta.updated.or(self.revised).unwrap_or(self.date)
    }

    /// This story at the times the publication ledger holds for it: `published` replaces the
    /// midnight of a date-only dateline (never a real time), and `revised` is the time its
    /// content last changed, if it did after it was first seen.
    pub fn at_times(
        mut self,
        published: DateTime<FixedOffset>,
        revised: Option<DateTime<FixedOffset>>,
    ) -> Self {
        if self.dateline.time.is_none() && self.meta.published.is_none() {
            self.date = published;
        }
        // A correction is never earlier than the story it corrects.
        self.revised = revised.map(|r| r.max(self.date));
        self
    }

    /// The body as plain text, one string per paragraph, the lead without its dateline prefix
    /// (`ДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/.`); a lead that is nothing but its dateline is left
    /// out.
    pub fn body_text(&self) -> Vec<String> {
        let mut text = self.paragraphs.clone();
        if let Some(lead) = text.first_mut() {
            let rest = lead
                .get(self.dateline.len..)
                .unwrap_or(lead.as_str())
                .trim();
            *lead = rest.to_string();
        }
        text.retain(|p| !p.trim().is_empty());
        text
    }

    /// The lead paragraph (the dateline and its text) as plain text.
    pub fn lead(&self) -> &str {
        self.paragraphs.first().map(String::as_str).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &[u8] = include_bytes!("../../articles/2025/06/shos-ikt.txt");

    fn parse_str(text: &str) -> Result<Parsed, ArticleError> {
        parse(
            text.as_bytes(),
            Path::new("t.txt"),
            "t.txt",
            &ParseOptions::default(),
        )
    }

    #[test]
    fn the_headline_alone_is_the_parsed_headline() {
        let opts = ParseOptions::default();
        for text in [
            "Заголовок\nДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. Текст.\n",
            "\u{FEFF}\r\n  \r\nЗаго\u{7}ловок  \r\nДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. Текст.\r\n",
            "\n\n\tЗаголовок\rДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. Текст.",
        ] {
            let parsed = parse(text.as_bytes(), Path::new("a.txt"), "a.txt", &opts).unwrap();
            let alone = headline(text.as_bytes(), Path::new("a.txt"), &opts).unwrap();
            assert_eq!(alone, parsed.article.title, "{text:?}");
        }
        assert!(headline(b" \n\r\n", Path::new("a.txt"), &opts).is_err());
    }

    #[test]
    fn seed_story_parses() {
        let p = parse(
            SEED,
            Path::new("seed.txt"),
            "2025/06/shos-ikt.txt",
            &ParseOptions::default(),
        )
        .unwrap();
        let a = p.article;
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(a.id, "2025/06/shos-ikt");
        assert_eq!(a.slug, "shos-ikt");
        assert!(a
            .title
            .starts_with("В Китае состоялось министерское совещание ШОС"));
        assert_eq!(a.dateline.city, "ДУШАНБЕ");
        assert_eq!(a.dateline.agency, "НИАТ «Ховар»");
        assert_eq!(a.date.to_rfc3339(), "2025-06-18T00:00:00+05:00");
        assert_eq!(a.paragraphs.len(), 5);
        assert!(a.paragraphs[0].starts_with("ДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. 17 июня"));
        assert_eq!(a.credit.as_deref(), Some("Секретариат ШОС в Пекине"));
        assert_eq!(a.related.len(), 12);
        assert_eq!(a.lang, "ru");
        assert_eq!(a.encoding, "UTF-8");
    }

    #[test]
    fn related_list_after_two_blank_lines() {
        let p = parse_str("H\nДУШАНБЕ, 18.06.2025 /А/. Текст.\n\n\nСвязанный\n").unwrap();
        assert_eq!(p.article.related, vec!["Связанный"]);
        assert_eq!(p.article.paragraphs.len(), 1);
    }

    #[test]
    fn single_blank_lines_between_paragraphs() {
        let p = parse_str("H\nДУШАНБЕ, 18.06.2025 /А/. Текст.\n\nВторой.\n\nТретий.\n").unwrap();
        assert_eq!(p.article.paragraphs.len(), 3);
        assert!(p.article.related.is_empty());
    }

    #[test]
    fn crlf_and_lone_cr_line_ends() {
        let p = parse_str("H\r\nДУШАНБЕ, 18.06.2025 /А/. Текст.\rВторой.\r\n\r\n\r\nСвязанный")
            .unwrap();
        assert_eq!(
            p.article.paragraphs,
            vec!["ДУШАНБЕ, 18.06.2025 /А/. Текст.", "Второй."]
        );
        assert_eq!(p.article.related, vec!["Связанный"]);
    }

    #[test]
    fn tabs_and_trailing_spaces() {
        let p = parse_str("Заголовок \t\nДУШАНБЕ,\t18.06.2025 /А/. Текст.\u{a0} \nВ\tтексте.  \n")
            .unwrap();
        assert_eq!(p.article.title, "Заголовок");
        assert_eq!(p.article.paragraphs[1], "В тексте.");
    }

    #[test]
    fn stray_nul_is_removed_with_a_warning() {
        let p = parse_str("H\nДУШАНБЕ, 18.06.2025 /А/. Те\0кст.\n").unwrap();
        assert_eq!(p.article.paragraphs[0], "ДУШАНБЕ, 18.06.2025 /А/. Текст.");
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(p.warnings[0].line, Some(2));
        assert!(
            p.warnings[0].to_string().contains("U+0000"),
            "{}",
            p.warnings[0]
        );
    }

    #[test]
    fn lone_surrogate_in_utf16_is_replaced_with_a_warning() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "H\nДУШАНБЕ, 18.06.2025 /А/. Те".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        bytes.extend_from_slice(&0xD800u16.to_le_bytes()); // a high surrogate with no partner
        for unit in "кст.\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let p = parse(&bytes, Path::new("t"), "t", &ParseOptions::default()).unwrap();
        assert_eq!(
            p.article.paragraphs[0],
            "ДУШАНБЕ, 18.06.2025 /А/. Те\u{FFFD}кст."
        );
        assert!(matches!(
            p.warnings[0].kind,
            ArticleWarningKind::Replaced { count: 1 }
        ));
    }

    #[test]
    fn photo_credit_variants() {
        for label in ["ФОТО", "Фото", "PHOTO", "Photo", "АКС", "Акс"] {
            let p =
                parse_str(&format!("H\nДУШАНБЕ, 18.06.2025 /А/. Т.\n{label}: Автор\n")).unwrap();
            assert_eq!(p.article.credit.as_deref(), Some("Автор"), "{label}");
            assert_eq!(p.article.paragraphs.len(), 1);
        }
    }

    #[test]
    fn the_masthead_is_what_parse_reads_of_the_first_two_lines() {
        let opts = ParseOptions::default();
        let at = Path::new("t.txt");
        let text = "\u{feff}\r\n  Шоҳроҳ\u{7} ва ИКТ  \r\n\r\nДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. Матн.\r\nЕщё.\r\n";
        let m = masthead(text.as_bytes(), at, &opts).unwrap();
        let full = parse(text.as_bytes(), at, "t.txt", &opts).unwrap().article;
        assert_eq!(m.title, full.title);
        assert_eq!(m.title, "Шоҳроҳ ва ИКТ");
        assert_eq!(m.agency, "НИАТ «Ховар»");
        // Windows-1251, as the parser decodes it.
        let (cp1251, _, _) =
            encoding_rs::WINDOWS_1251.encode("Заголовок\nМОСКВА, 01.02.2025 /ТАСС/. Текст.\n");
        assert_eq!(masthead(&cp1251, at, &opts).unwrap().agency, "ТАСС");
        let e = masthead(b"Only a headline\n", at, &opts).unwrap_err();
        assert_eq!(e.kind, ArticleErrorKind::HeadlineOnly);
        let e = masthead(b"H\n\nnot a dateline\n", at, &opts).unwrap_err();
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn the_body_text_drops_the_dateline_credit_and_related() {
        let text =
            "H\nДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. Лид.\nВторой.\nФОТО: Автор\n\n\nСвязанный\n";
        let a = parse_str(text).unwrap().article;
        assert_eq!(a.body_text(), ["Лид.", "Второй."]);
        let only = parse_str("H\nДУШАНБЕ, 18.06.2025 /А/.\nТекст.\n")
            .unwrap()
            .article;
        assert_eq!(only.body_text(), ["Текст."]);
    }

    #[test]
    fn empty_file() {
        let e = parse_str("").unwrap_err();
        assert_eq!(e.kind, ArticleErrorKind::Empty);
    }

    #[test]
    fn only_blank_lines() {
        assert_eq!(
            parse_str("\n  \n\n").unwrap_err().kind,
            ArticleErrorKind::OnlyBlank
        );
    }

    #[test]
    fn headline_only() {
        let e = parse_str("Заголовок\n").unwrap_err();
        assert_eq!((e.line, e.kind), (Some(1), ArticleErrorKind::HeadlineOnly));
    }

    #[test]
    fn headline_then_related_list_is_headline_only() {
        let e = parse_str("Заголовок\n\n\nДругой заголовок\n").unwrap_err();
        assert_eq!(e.kind, ArticleErrorKind::HeadlineOnly);
    }

    #[test]
    fn no_dateline_names_line_two() {
        let e = parse_str("Заголовок\nПросто текст без даты.\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().contains("expected a dateline like"), "{e}");
    }

    #[test]
    fn missing_headline() {
        let e = parse_str("ДУШАНБЕ, 18.06.2025 /А/. Текст.\n").unwrap_err();
        assert_eq!(
            (e.line, e.kind),
            (Some(1), ArticleErrorKind::MissingHeadline)
        );
    }

    #[test]
    fn impossible_date_names_the_line() {
        let e = parse_str("H\nДУШАНБЕ, 31.02.2025 /А/. Текст.\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(matches!(e.kind, ArticleErrorKind::BadDate { .. }));
    }

    #[test]
    fn unknown_city_falls_back_with_warning() {
        let p = parse_str("H\nАТЛАНТИДА, 18.06.2025 /А/. Текст.\n").unwrap();
        assert_eq!(p.article.date.to_rfc3339(), "2025-06-18T00:00:00+05:00");
        assert!(matches!(
            p.warnings[0].kind,
            ArticleWarningKind::UnknownCity { .. }
        ));
    }

    #[test]
    fn time_and_zone_of_city() {
        let p = parse_str("H\nМОСКВА, 10.06.2025 14:30 /ТАСС/. Текст.\n").unwrap();
        assert_eq!(p.article.date.to_rfc3339(), "2025-06-10T14:30:00+03:00");
    }

    #[test]
    fn too_large() {
        let opts = ParseOptions {
            max_file_size: 10,
            ..ParseOptions::default()
        };
        let e = parse(b"Headline\nmore than ten bytes", Path::new("t"), "t", &opts).unwrap_err();
        assert!(matches!(e.kind, ArticleErrorKind::TooLarge { .. }));
    }

    #[test]
    fn identity_from_path() {
        assert_eq!(
            identity("2025/06/shos-ikt.txt"),
            ("2025/06/shos-ikt".into(), "shos-ikt".into())
        );
        assert_eq!(identity("noext"), ("noext".into(), "noext".into()));
        assert_eq!(identity(".hidden"), (".hidden".into(), ".hidden".into()));
        // The last dot of the file name, not of a folder; multi-byte names stay whole.
        assert_eq!(id_of("2025.06/story"), "2025.06/story");
        assert_eq!(id_of("x/a.b.txt"), "x/a.b");
        assert_eq!(id_of("x/.hidden"), "x/.hidden");
        assert_eq!(id_of("2025/Душанбе-ӯ.txt"), "2025/Душанбе-ӯ");
        assert_eq!(slug_of("2025/Душанбе-ӯ.txt"), "Душанбе-ӯ");
    }
}
