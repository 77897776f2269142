//! Article URL patterns such as `https://example.org/news/{year}/{month}/{slug}/`.
//!
//! A pattern is checked once, at start-up: placeholders may only fill the path, so whatever a
//! story file is called (`javascript:alert(1).txt`, a folder named `data:text/html,…`) its URL
//! stays on the site. Path parts are percent-encoded as RFC 3986 requires.

use chrono::{DateTime, Datelike, FixedOffset};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use url::Url;

use super::web_url::{on_allowed_host, plain_url_text, web_url_problem};
use super::ConfigError;

/// Characters percent-encoded in URL path parts: everything that is not a URI path character
/// (RFC 3986), including every non-ASCII byte.
pub(crate) const PATH_PART: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Like [`PATH_PART`], and `/` too: a slug is one path segment.
const SEGMENT: &AsciiSet = &PATH_PART.add(b'/');

/// One part of an article URL pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum UrlPart {
    Text(String),
    Year,
    Month,
    Day,
    Slug,
    Id,
    /// The photo's file extension, from its real type (photo URLs only).
    Ext,
}

/// A checked article URL pattern such as `https://example.org/news/{year}/{month}/{slug}/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPattern {
    parts: Vec<UrlPart>,
    base: Url,
}

impl UrlPattern {
    /// Placeholders a pattern may use.
    pub const PLACEHOLDERS: &'static str = "{year}, {month}, {day}, {slug}, {id}";

    /// Parses a pattern; a relative pattern is resolved against `base` (the site URL). Every
    /// URL it renders is on `base`'s host or one of `link_hosts`, whatever the file names are.
    pub fn parse(pattern: &str, base: &Url, link_hosts: &[String]) -> Result<Self, ConfigError> {
        Self::parse_as("feed.article_url", false, pattern, base, link_hosts)
    }

    /// Parses a photo URL pattern, which may also use `{ext}` (the photo's real type).
    pub fn parse_photo(
        pattern: &str,
        base: &Url,
        link_hosts: &[String],
    ) -> Result<Self, ConfigError> {
        Self::parse_as("feed.photo_url", true, pattern, base, link_hosts)
    }

    fn parse_as(
        key: &'static str,
        with_ext: bool,
        pattern: &str,
        base: &Url,
        link_hosts: &[String],
    ) -> Result<Self, ConfigError> {
        plain_url_text(key, pattern)?;
        let invalid = |problem: String| ConfigError::Invalid {
            key,
            value: pattern.to_string(),
            problem,
        };
        let pattern = UrlPattern {
            parts: Self::parts(pattern, with_ext).map_err(invalid)?,
            base: base.clone(),
        };
        pattern.check_origin(link_hosts).map_err(invalid)?;
        Ok(pattern)
    }

    /// Splits a pattern into text and placeholders.
    fn parts(pattern: &str, with_ext: bool) -> Result<Vec<UrlPart>, String> {
        let mut parts = Vec::new();
        // A relative pattern whose first placeholder could complete a scheme (`{slug}…` with a
        // story named `javascript:alert(1).txt`) is anchored as a path: `./javascript:…` is a
        // page on the site, `javascript:…` would be a script URL.
        let lead = pattern.split('{').next().unwrap_or_default();
        if !lead.contains([':', '/', '?', '#']) {
            parts.push(UrlPart::Text("./".into()));
        }
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(UrlPart::Text(rest[..open].to_string()));
            }
            let close = rest[open..].find('}').ok_or_else(|| {
                format!(
                    "`{{` is not closed; placeholders are {}",
                    Self::PLACEHOLDERS
                )
            })?;
            parts.push(match &rest[open + 1..open + close] {
                "year" => UrlPart::Year,
                "month" => UrlPart::Month,
                "day" => UrlPart::Day,
                "slug" => UrlPart::Slug,
                "id" => UrlPart::Id,
                "ext" if with_ext => UrlPart::Ext,
                other => {
                    return Err(format!(
                        "unknown placeholder `{{{other}}}`; use {}",
                        Self::PLACEHOLDERS
                    ))
                }
            });
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(UrlPart::Text(rest.to_string()));
        }
        if !parts
            .iter()
            .any(|p| matches!(p, UrlPart::Slug | UrlPart::Id))
        {
            return Err(
                "the pattern needs {slug} or {id}, or every story would get the same URL".into(),
            );
        }
        Ok(parts)
    }

    /// Two unlike stories must land on one web origin, the site's or one of `link_hosts`:
    /// placeholders may only fill the path, never the scheme, host or port.
    fn check_origin(&self, link_hosts: &[String]) -> Result<(), String> {
        let mut origin = None;
        for (date, id, slug) in [
            ("2025-06-18T00:00:00+05:00", "2025/06/sample", "sample"),
            ("1999-12-31T00:00:00+00:00", "x/other", "other"),
        ] {
            let date = DateTime::parse_from_rfc3339(date).map_err(|e| e.to_string())?;
            let url = self
                .try_render(date, id, slug, "jpg")
                .map_err(|e| format!("does not make a valid URL: {e}"))?;
            if let Some(problem) = web_url_problem(&url) {
                return Err(problem);
            }
            if !on_allowed_host(&url, &self.base, link_hosts) {
                return Err(format!(
                    "points at host `{}`, not the site's `{}`; add it to `link_hosts` if that is intended",
                    url.host_str().unwrap_or_default(),
                    self.base.host_str().unwrap_or_default()
                ));
            }
            if origin.get_or_insert_with(|| url.origin()) != &url.origin() {
                return Err(
                    "a placeholder stands in the scheme, host or port; placeholders may only fill the path".into(),
                );
            }
        }
        Ok(())
    }

    /// The date parts the pattern uses (zero where unused): with the slug, they decide the URL
    /// of a pattern without `{id}`.
    pub fn date_parts(&self, date: DateTime<FixedOffset>) -> (i32, u32, u32) {
        let uses = |p: UrlPart| self.parts.contains(&p);
        (
            if uses(UrlPart::Year) { date.year() } else { 0 },
            if uses(UrlPart::Month) {
                date.month()
            } else {
                0
            },
            if uses(UrlPart::Day) { date.day() } else { 0 },
        )
    }

    /// Whether the pattern contains `{id}` (which alone makes every URL unique).
    pub fn uses_id(&self) -> bool {
        self.parts.contains(&UrlPart::Id)
    }

    fn try_render(
        &self,
        date: DateTime<FixedOffset>,
        id: &str,
        slug: &str,
        ext: &str,
    ) -> Result<Url, url::ParseError> {
        let mut s = String::new();
        for part in &self.parts {
            match part {
                UrlPart::Text(t) => s.push_str(t),
                UrlPart::Year => s.push_str(&format!("{:04}", date.year())),
                UrlPart::Month => s.push_str(&format!("{:02}", date.month())),
                UrlPart::Day => s.push_str(&format!("{:02}", date.day())),
                UrlPart::Slug => s.extend(utf8_percent_encode(slug, SEGMENT)),
                UrlPart::Id => s.extend(utf8_percent_encode(id, PATH_PART)),
                UrlPart::Ext => s.extend(utf8_percent_encode(ext, SEGMENT)),
            }
        }
        self.base.join(&s)
    }

    /// The absolute URL of an article.
    pub fn render(&self, date: DateTime<FixedOffset>, id: &str, slug: &str) -> Url {
        // The pattern was proven to render with sample values; encoded parts cannot break it.
        self.try_render(date, id, slug, "")
            .unwrap_or_else(|_| self.base.clone())
    }

    /// The absolute URL of a story's photo of type `ext` (`jpg`, `png`…).
    pub fn render_photo(
        &self,
        date: DateTime<FixedOffset>,
        id: &str,
        slug: &str,
        ext: &str,
    ) -> Url {
        // As for `render`: proven with sample values, every part encoded.
        self.try_render(date, id, slug, ext)
            .unwrap_or_else(|_| self.base.clone())
    }
}
