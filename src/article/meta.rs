//! A story's metadata: an optional sidecar `<stem>.toml` beside the story file, so a desk
//! system can add what the wire copy does not carry (tags, the exact publication time, a
//! correction time, an embargo, a withdrawal, a byline…) without touching the copy.
//!
//! The sidecar decides whether a story may be published at all, so it fails closed: a file that
//! cannot be read, is not TOML, has an unknown key (a typo in `embargo` must not publish an
//! embargoed story) or a bad value makes the story unpublishable, with the sidecar's
//! file:line:col and the key in the error.

use std::ops::Range;
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{ArticleError, ArticleErrorKind};
use crate::fsx;

/// The extension of sidecar files.
pub const SIDECAR_EXT: &str = "toml";

/// Sidecars are a few lines; anything much larger is not one.
const MAX_SIDECAR_SIZE: u64 = 64 * 1024;

/// Whether a story may be published, as its desk says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Published (the default).
    #[default]
    Published,
    /// Killed after publication: it leaves every feed.
    Withdrawn,
}

/// A story's checked metadata; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Meta {
    /// Topic tags.
    pub tags: Vec<String>,
    /// The exact publication time (else the dateline's).
    pub published: Option<DateTime<FixedOffset>>,
    /// The time of the latest correction.
    pub updated: Option<DateTime<FixedOffset>>,
    /// Nothing of the story appears before this instant.
    pub embargo: Option<DateTime<FixedOffset>>,
    /// Published or withdrawn.
    pub status: Status,
    /// A summary to use instead of the lead paragraph.
    pub summary: Option<String>,
    /// The byline (the agency stays the source).
    pub author: Option<String>,
    /// The lead photo: a path relative to the story, or an absolute http(s) URL.
    pub photo: Option<String>,
    /// The photo's caption.
    pub caption: Option<String>,
    /// The story's language tag, instead of the detected one.
    pub lang: Option<String>,
}

/// A time as TOML writes it (an offset date-time) or as an RFC 3339 string.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawTime {
    Toml(toml::value::Datetime),
    Text(String),
}

/// The sidecar as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    tags: Option<Vec<String>>,
    published: Option<Spanned<RawTime>>,
    updated: Option<Spanned<RawTime>>,
    embargo: Option<Spanned<RawTime>>,
    status: Option<Status>,
    summary: Option<Spanned<String>>,
    author: Option<Spanned<String>>,
    photo: Option<Spanned<String>>,
    caption: Option<String>,
    lang: Option<Spanned<String>>,
}

/// The sidecar path of a story file (`2025/06/a.txt` → `2025/06/a.toml`).
pub fn sidecar_of(story: &Path) -> std::path::PathBuf {
    story.with_extension(SIDECAR_EXT)
}

/// Reads and checks a sidecar file.
pub fn read(path: &Path) -> Result<Meta, ArticleError> {
    let bytes =
        fsx::read_regular(path, false, MAX_SIDECAR_SIZE).map_err(|e| super::read_error(path, e))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| ArticleError {
        path: path.to_path_buf(),
        line: Some(line_col(&bytes, e.valid_up_to()).0),
        column: None,
        kind: ArticleErrorKind::Meta("the metadata file is not UTF-8".into()),
    })?;
    parse(text, path)
}

/// Parses and checks sidecar text; `path` is only used in messages.
pub fn parse(text: &str, path: &Path) -> Result<Meta, ArticleError> {
    let at = |span: Option<Range<usize>>, message: String| {
        let (line, column) = span.map_or((None, None), |s| {
            let (l, c) = line_col(text.as_bytes(), s.start);
            (Some(l), u32::try_from(c).ok())
        });
        ArticleError {
            path: path.to_path_buf(),
            line,
            column,
            kind: ArticleErrorKind::Meta(message),
        }
    };
    let raw: RawMeta = toml::from_str(text).map_err(|e| {
        let message = e.message().trim_end();
        // TOML's type errors do not say which key they are about; the line does.
        let key = e
            .span()
            .and_then(|s| text.get(..s.start).and_then(|before| before.lines().last()))
            .and_then(|line| line.split_once('='))
            .map(|(key, _)| key.trim())
            .filter(|key| !key.is_empty() && !message.contains(*key));
        let message = match key {
            Some(key) => format!("`{key}`: {message}"),
            None => message.to_string(),
        };
        at(e.span(), message)
    })?;
    let time = |key: &str, value: Option<Spanned<RawTime>>| {
        value
            .map(|v| {
                let span = v.span();
                let text = match v.into_inner() {
                    RawTime::Toml(t) => t.to_string(),
                    RawTime::Text(s) => s,
                };
                DateTime::parse_from_rfc3339(text.trim()).map_err(|_| {
                    at(
                        Some(span),
                        format!("`{key}` = `{text}` is not a time with an offset; write it like 2025-06-18T14:30:00+05:00"),
                    )
                })
            })
            .transpose()
    };
    let text_value = |key: &str, value: Option<Spanned<String>>| {
        value
            .map(|v| {
                let span = v.span();
                let s = plain_text(&v.into_inner());
                if s.is_empty() {
                    Err(at(
                        Some(span),
                        format!("`{key}` is empty; leave the key out instead"),
                    ))
                } else {
                    Ok(s)
                }
            })
            .transpose()
    };
    let published = time("published", raw.published)?;
    let updated = time("updated", raw.updated)?;
    if let (Some(p), Some(u)) = (published, updated) {
        if u < p {
            return Err(at(
                None,
                format!("`updated` ({u}) is earlier than `published` ({p}); a correction comes after the story"),
            ));
        }
    }
    let lang_span = raw.lang.as_ref().map(Spanned::span);
    let lang = text_value("lang", raw.lang)?;
    if let Some(tag) = lang
        .as_deref()
        .filter(|t| !crate::language_tag::is_language_tag(t))
    {
        return Err(at(
            lang_span,
            format!("`lang` = `{tag}` is not a language tag (e.g. `ru`, `tg`, `en`)"),
        ));
    }
    let photo_span = raw.photo.as_ref().map(Spanned::span);
    let photo = text_value("photo", raw.photo)?;
    if let Some(problem) = photo.as_deref().and_then(photo_problem) {
        return Err(at(photo_span, problem));
    }
    Ok(Meta {
        tags: raw
            .tags
            .unwrap_or_default()
            .iter()
            .map(|t| plain_text(t))
            .filter(|t| !t.is_empty())
            .collect(),
        published,
        updated,
        embargo: time("embargo", raw.embargo)?,
        status: raw.status.unwrap_or_default(),
        summary: text_value("summary", raw.summary)?,
        author: text_value("author", raw.author)?,
        photo,
        caption: raw
            .caption
            .map(|c| plain_text(&c))
            .filter(|c| !c.is_empty()),
        lang,
    })
}

/// A sidecar's text as one clean line: line breaks and tabs become spaces, and the characters
/// XML forbids or a terminal obeys (C0 and C1 controls, DEL, U+FFFE, U+FFFF) are dropped, as the
/// story parser drops them from the copy. A tag goes into folder names, feeds, pages and the
/// build's messages; one stray byte must not refuse every feed or colour a terminal.
fn plain_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control() && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        .collect::<String>()
        .trim()
        .to_string()
}

/// What is wrong with a `photo` value, if anything: a path inside the story's folder tree, or
/// an absolute http(s) URL; nothing that could name another scheme or climb out.
fn photo_problem(photo: &str) -> Option<String> {
    if let Some((scheme, _)) = photo.split_once(':') {
        let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
        return match url::Url::parse(photo) {
            Ok(u) if web && u.host_str().is_some() => None,
            _ => Some(format!(
                "`photo` = `{photo}` is neither a path beside the story nor an absolute http(s) URL"
            )),
        };
    }
    let climbs = Path::new(photo).components().any(|c| {
        !matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    });
    climbs.then(|| {
        format!("`photo` = `{photo}` must be a path beside or below the story (no `/…` or `..`)")
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &[u8], offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(text: &str) -> Result<Meta, ArticleError> {
        parse(text, Path::new("a.toml"))
    }

    #[test]
    fn control_characters_never_leave_a_sidecar() {
        let m = meta(
            "tags = [\"a\\u0001b\", \"\\u001b[31mred\", \"\\u0007\"]\nsummary = \"x\\ty\\u0085z\"\ncaption = \"line\\nbreak\"\n",
        )
        .unwrap();
        assert_eq!(m.tags, ["ab", "[31mred"]);
        assert_eq!(m.summary.as_deref(), Some("x yz"));
        assert_eq!(m.caption.as_deref(), Some("line break"));
    }

    #[test]
    fn every_key() {
        let m = meta(
            "tags = [\"ШОС\", \" ИКТ \", \"\"]\n\
             published = 2025-06-18T14:30:00+05:00\n\
             updated = \"2025-06-19T09:00:00+05:00\"\n\
             embargo = 2025-06-18T14:00:00Z\n\
             status = \"published\"\n\
             summary = \"Кратко.\"\n\
             author = \"Иван Петров\"\n\
             photo = \"photos/a.jpg\"\n\
             caption = \"Подпись\"\n\
             lang = \"tg\"\n",
        )
        .unwrap();
        assert_eq!(m.tags, ["ШОС", "ИКТ"]);
        assert_eq!(
            m.published.unwrap().to_rfc3339(),
            "2025-06-18T14:30:00+05:00"
        );
        assert_eq!(m.updated.unwrap().to_rfc3339(), "2025-06-19T09:00:00+05:00");
        assert_eq!(m.embargo.unwrap().to_rfc3339(), "2025-06-18T14:00:00+00:00");
        assert_eq!(m.status, Status::Published);
        assert_eq!(m.summary.as_deref(), Some("Кратко."));
        assert_eq!(m.author.as_deref(), Some("Иван Петров"));
        assert_eq!(m.photo.as_deref(), Some("photos/a.jpg"));
        assert_eq!(m.caption.as_deref(), Some("Подпись"));
        assert_eq!(m.lang.as_deref(), Some("tg"));
        assert_eq!(meta("").unwrap(), Meta::default());
        assert_eq!(
            meta("status = \"withdrawn\"").unwrap().status,
            Status::Withdrawn
        );
    }

    #[test]
    fn a_typo_is_an_error_at_its_line_and_column() {
        let e = meta("tags = []\nembrago = 2030-01-01T00:00:00Z\n").unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(1)), "{e}");
        assert!(e.to_string().contains("embrago"), "{e}");
    }

    #[test]
    fn bad_values_name_the_key() {
        for (text, key, line) in [
            ("\nembargo = 2030-01-01T00:00:00", "embargo", 2),
            ("published = \"tomorrow\"", "published", 1),
            ("status = \"killed\"", "killed", 1),
            ("lang = \"ru_RU\"", "lang", 1),
            ("photo = \"javascript:alert(1)\"", "photo", 1),
            ("photo = \"../../etc/passwd\"", "photo", 1),
            ("photo = \"/etc/passwd\"", "photo", 1),
            ("author = \"  \"", "author", 1),
            ("tags = \"ШОС\"", "tags", 1),
        ] {
            let e = meta(text).unwrap_err();
            assert!(e.to_string().contains(key), "{text}: {e}");
            assert_eq!(e.line, Some(line), "{text}: {e}");
        }
        let e = meta("published = 2025-06-18T14:30:00+05:00\nupdated = 2025-06-18T09:00:00+05:00")
            .unwrap_err();
        assert!(e.to_string().contains("earlier than `published`"), "{e}");
    }

    #[test]
    fn photo_urls_must_be_web_urls() {
        assert!(meta("photo = \"https://cdn.example.org/a.jpg\"").is_ok());
        assert!(meta("photo = \"data:image/png;base64,AAAA\"").is_err());
    }
}
