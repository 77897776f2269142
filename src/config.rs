//! `wirefeed.toml`: what a build publishes and where.
//!
//! Two layers, as in mdBook and ripgrep: [`RawConfig`] is exactly what the file (or the command
//! line) says, every field optional, with unknown keys refused so a typo fails loudly; [`Config`]
//! is the checked settings value the library works from (absolute site URL, real time zone,
//! parsed URL pattern). Command-line flags are a second `RawConfig` laid over the file's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, FixedOffset};
use chrono_tz::Tz;
use encoding_rs::Encoding;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Deserialize;
use url::Url;

use crate::article::{ParseOptions, DEFAULT_MAX_FILE_SIZE};
use crate::cities::CityTable;
use crate::feed::Format;

/// Name of the configuration file looked for in the current folder.
pub const DEFAULT_CONFIG_FILE: &str = "wirefeed.toml";

/// Characters percent-encoded in URL path parts: everything that is not a URI path character
/// (RFC 3986), including every non-ASCII byte.
const PATH_PART: &AsciiSet = &CONTROLS
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

/// A configuration problem: one clear message each, for exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config `{}`: {source}", crate::error::shown(path))]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is malformed or has an unknown key.
    #[error("invalid config `{}`: {message}", crate::error::shown(path))]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A setting has a value that cannot work.
    #[error("invalid setting `{key}` = `{value}`: {problem}")]
    Invalid {
        /// The setting (`feed.site_url`).
        key: &'static str,
        /// Its value.
        value: String,
        /// What is wrong and what is expected.
        problem: String,
    },
    /// A required setting is missing.
    #[error("missing setting `{key}`: {hint}")]
    Missing {
        /// The setting.
        key: &'static str,
        /// How to give it.
        hint: &'static str,
    },
}

/// `[feed]`: the channel's metadata.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFeed {
    /// Feed title.
    pub title: Option<String>,
    /// Absolute URL of the site (`https://example.org/`).
    pub site_url: Option<String>,
    /// Feed description / subtitle.
    pub description: Option<String>,
    /// Default language tag.
    pub language: Option<String>,
    /// Default author (used when a story has no agency).
    pub author: Option<String>,
    /// IANA zone for cities not in the table.
    pub time_zone: Option<String>,
    /// Pattern of article URLs, with `{year}`, `{month}`, `{day}`, `{slug}`, `{id}`.
    pub article_url: Option<String>,
    /// Prefix of entry ids (default `tag:HOST,2025:`).
    pub id_prefix: Option<String>,
    /// Base URL where the feed files are served (default: the site URL).
    pub feeds_url: Option<String>,
    /// Number of entries per feed.
    pub limit: Option<usize>,
    /// Hosts besides the site's that published URLs may point at (a CDN for the feeds…).
    pub link_hosts: Option<Vec<String>>,
}

/// `[build]`: where to read and write.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBuild {
    /// Articles folder.
    pub articles: Option<PathBuf>,
    /// Output folder.
    pub out: Option<PathBuf>,
    /// Formats written by default.
    pub formats: Option<Vec<String>>,
    /// File name of the RSS feed.
    pub rss_file: Option<String>,
    /// File name of the Atom feed.
    pub atom_file: Option<String>,
    /// File name of the JSON Feed.
    pub json_file: Option<String>,
    /// Largest story file accepted, in bytes.
    pub max_file_size: Option<u64>,
    /// Encoding to force (`auto` = detect).
    pub encoding: Option<String>,
    /// Whether to keep the per-file cache.
    pub cache: Option<bool>,
    /// Seconds to wait for another build's lock.
    pub lock_timeout: Option<u64>,
    /// Follow symbolic links in the articles folder that point outside it.
    pub follow_symlinks: Option<bool>,
    /// Share of the previously published stories that must still be there to publish.
    pub min_stories_ratio: Option<f64>,
}

/// `[agencies."NAME"]`: the agency's own site, for `<source>`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawAgency {
    /// The agency's own feed URL (RSS `source url` and Atom `source` point at a feed).
    pub url: String,
    /// Title to show (default: the agency's name).
    pub title: Option<String>,
}

/// The file as written; every field optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// `[feed]`.
    #[serde(default)]
    pub feed: RawFeed,
    /// `[build]`.
    #[serde(default)]
    pub build: RawBuild,
    /// `[cities]`: city name → IANA zone.
    #[serde(default)]
    pub cities: BTreeMap<String, String>,
    /// `[agencies."NAME"]`.
    #[serde(default)]
    pub agencies: BTreeMap<String, RawAgency>,
}

macro_rules! overlay {
    ($dst:expr, $src:expr, $($field:ident),*) => {
        $( if $src.$field.is_some() { $dst.$field = $src.$field.clone(); } )*
    };
}

impl RawConfig {
    /// Reads a config file; paths in it are taken relative to the file's folder.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut raw = Self::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        for p in [&mut raw.build.articles, &mut raw.build.out]
            .into_iter()
            .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        Ok(raw)
    }

    /// Parses config text (TOML).
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
    }

    /// Lays `over` (e.g. command-line flags) over `self`: set fields of `over` win.
    pub fn overlay(&mut self, over: &RawConfig) {
        overlay!(
            self.feed,
            over.feed,
            title,
            site_url,
            description,
            language,
            author,
            time_zone,
            article_url,
            id_prefix,
            feeds_url,
            limit,
            link_hosts
        );
        overlay!(
            self.build,
            over.build,
            articles,
            out,
            formats,
            rss_file,
            atom_file,
            json_file,
            max_file_size,
            encoding,
            cache,
            lock_timeout,
            follow_symlinks,
            min_stories_ratio
        );
        self.cities.extend(over.cities.clone());
        self.agencies.extend(over.agencies.clone());
    }
}

/// One part of an article URL pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum UrlPart {
    Text(String),
    Year,
    Month,
    Day,
    Slug,
    Id,
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
        const KEY: &str = "feed.article_url";
        plain_url_text(KEY, pattern)?;
        let invalid = |problem: String| ConfigError::Invalid {
            key: KEY,
            value: pattern.to_string(),
            problem,
        };
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
                invalid(format!(
                    "`{{` is not closed; placeholders are {}",
                    Self::PLACEHOLDERS
                ))
            })?;
            let name = &rest[open + 1..open + close];
            parts.push(match name {
                "year" => UrlPart::Year,
                "month" => UrlPart::Month,
                "day" => UrlPart::Day,
                "slug" => UrlPart::Slug,
                "id" => UrlPart::Id,
                other => {
                    return Err(invalid(format!(
                        "unknown placeholder `{{{other}}}`; use {}",
                        Self::PLACEHOLDERS
                    )))
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
            return Err(invalid(
                "the pattern needs {slug} or {id}, or every story would get the same URL".into(),
            ));
        }
        let pattern = UrlPattern {
            parts,
            base: base.clone(),
        };
        // Two unlike stories must land on one web origin: placeholders may only fill the path,
        // never the scheme, host or port.
        let mut origin = None;
        for (date, id, slug) in [
            ("2025-06-18T00:00:00+05:00", "2025/06/sample", "sample"),
            ("1999-12-31T00:00:00+00:00", "x/other", "other"),
        ] {
            let date = DateTime::parse_from_rfc3339(date).map_err(|e| invalid(e.to_string()))?;
            let url = pattern
                .try_render(date, id, slug)
                .map_err(|e| invalid(format!("does not make a valid URL: {e}")))?;
            if let Some(problem) = web_url_problem(&url) {
                return Err(invalid(problem));
            }
            if !on_allowed_host(&url, base, link_hosts) {
                return Err(invalid(format!(
                    "points at host `{}`, not the site's `{}`; add it to `link_hosts` if that is intended",
                    url.host_str().unwrap_or_default(),
                    base.host_str().unwrap_or_default()
                )));
            }
            if origin.get_or_insert_with(|| url.origin()) != &url.origin() {
                return Err(invalid(
                    "a placeholder stands in the scheme, host or port; placeholders may only fill the path".into(),
                ));
            }
        }
        Ok(pattern)
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
            }
        }
        self.base.join(&s)
    }

    /// The absolute URL of an article.
    pub fn render(&self, date: DateTime<FixedOffset>, id: &str, slug: &str) -> Url {
        // The pattern was proven to render with sample values; encoded parts cannot break it.
        self.try_render(date, id, slug)
            .unwrap_or_else(|_| self.base.clone())
    }
}

/// The checked settings of a build.
#[derive(Debug, Clone)]
pub struct Config {
    /// Feed title.
    pub title: String,
    /// Absolute site URL.
    pub site_url: Url,
    /// Description.
    pub description: String,
    /// Default language tag.
    pub language: String,
    /// Default author.
    pub author: Option<String>,
    /// Fallback time zone.
    pub time_zone: Tz,
    /// Article URL pattern.
    pub article_url: UrlPattern,
    /// Prefix of entry ids.
    pub id_prefix: String,
    /// Base URL where the feed files are served.
    pub feeds_url: Url,
    /// Entries per feed.
    pub limit: usize,
    /// Hosts besides the site's that published URLs may point at, lower-case.
    pub link_hosts: Vec<String>,
    /// Articles folder.
    pub articles: PathBuf,
    /// Output folder.
    pub out: PathBuf,
    /// Formats written by default.
    pub formats: Vec<Format>,
    /// File names per format.
    pub files: BTreeMap<Format, String>,
    /// Largest story file accepted.
    pub max_file_size: u64,
    /// Forced encoding, if any.
    pub encoding: Option<&'static Encoding>,
    /// Whether the cache is used.
    pub cache: bool,
    /// Seconds to wait for the output lock.
    pub lock_timeout: u64,
    /// Whether symbolic links that point outside the articles folder are followed.
    pub follow_symlinks: bool,
    /// A build refuses to publish when fewer than this share of the stories of the feeds on
    /// disk are still in the archive (a half-mounted archive must not wipe them).
    pub min_stories_ratio: f64,
    /// Extra cities.
    pub cities: BTreeMap<String, Tz>,
    /// Agencies' own sites, keyed by normalised agency name.
    pub agencies: BTreeMap<String, Agency>,
}

/// An agency's own site, for `<source>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// The agency's feed or site URL.
    pub url: Url,
    /// Display title.
    pub title: String,
}

fn parse_zone(key: &'static str, value: &str) -> Result<Tz, ConfigError> {
    value.parse::<Tz>().map_err(|_| ConfigError::Invalid {
        key,
        value: value.to_string(),
        problem: "not an IANA time zone name (e.g. `Asia/Dushanbe`, `Europe/Moscow`)".into(),
    })
}

/// Refuses white space and control characters anywhere in a URL setting. The URL parser would
/// silently strip leading spaces and drop tabs and newlines (WHATWG rules), so what is published
/// would differ from what was written, and such text is how script URLs sneak past filters.
fn plain_url_text(key: &'static str, value: &str) -> Result<(), ConfigError> {
    match value.chars().find(|c| c.is_whitespace() || c.is_control()) {
        Some(c) => Err(ConfigError::Invalid {
            key,
            value: value.escape_debug().to_string(),
            problem: format!(
                "contains {} ({c:?}); write the URL without spaces, tabs or line breaks (percent-encode a space as %20)",
                if c.is_whitespace() { "white space" } else { "a control character" }
            ),
        }),
        None => Ok(()),
    }
}

/// The rule for every URL wirefeed publishes: absolute `http`/`https` with a host and no
/// `user:password@`.
fn web_url_problem(url: &Url) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        Some(format!(
            "resolves to `{url}`; only http:// or https:// URLs with a host are published"
        ))
    } else if !url.username().is_empty() || url.password().is_some() {
        Some("contains a user name or password (`user:password@`); they would be published in every feed".into())
    } else {
        None
    }
}

/// Whether `url` is on the site's host or one of the configured `link_hosts`.
fn on_allowed_host(url: &Url, site: &Url, link_hosts: &[String]) -> bool {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    Some(host.as_str()) == site.host_str() || link_hosts.contains(&host)
}

fn absolute_url(key: &'static str, value: &str) -> Result<Url, ConfigError> {
    plain_url_text(key, value)?;
    let invalid = |problem: String| ConfigError::Invalid {
        key,
        value: value.to_string(),
        problem,
    };
    let url = Url::parse(value).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => invalid(
            "a relative URL; feeds need an absolute one such as `https://example.org/`".into(),
        ),
        e => invalid(format!(
            "not a valid URL ({e}); expected e.g. `https://example.org/`"
        )),
    })?;
    match web_url_problem(&url) {
        Some(problem) => Err(invalid(problem)),
        None => Ok(url),
    }
}

/// Entry ids are permanent, and readers may follow one that is a URL: a `tag:` or `urn:` IRI,
/// or a web URL on the site.
fn check_id_prefix(prefix: &str, site: &Url, link_hosts: &[String]) -> Result<(), ConfigError> {
    const KEY: &str = "feed.id_prefix";
    plain_url_text(KEY, prefix)?;
    let invalid = |problem: String| ConfigError::Invalid {
        key: KEY,
        value: prefix.to_string(),
        problem,
    };
    let sample = Url::parse(&format!("{prefix}x")).map_err(|_| {
        invalid("entry ids must be absolute IRIs; use e.g. `tag:example.org,2025:`".into())
    })?;
    match sample.scheme() {
        "tag" | "urn" => Ok(()),
        "http" | "https" => match web_url_problem(&sample) {
            Some(problem) => Err(invalid(problem)),
            None if !on_allowed_host(&sample, site, link_hosts) => Err(invalid(
                "an id that is a web URL must be on the site's host (or one of `link_hosts`)".into(),
            )),
            None => Ok(()),
        },
        other => Err(invalid(format!(
            "the scheme `{other}:` is not allowed for ids; use `tag:example.org,2025:` (or `urn:`, or the site's https:// URL)"
        ))),
    }
}

impl Config {
    /// Checks a raw configuration and turns it into settings.
    pub fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let f = &raw.feed;
        let b = &raw.build;
        let site = f.site_url.as_deref().ok_or(ConfigError::Missing {
            key: "feed.site_url",
            hint: "set `site_url` under [feed] in wirefeed.toml or pass --site-url https://example.org/",
        })?;
        let mut site_url = absolute_url("feed.site_url", site)?;
        let link_hosts: Vec<String> = f
            .link_hosts
            .iter()
            .flatten()
            .map(|h| {
                let host = h.trim().to_ascii_lowercase();
                match Url::parse(&format!("https://{host}/")) {
                    Ok(u) if u.host_str() == Some(host.as_str()) => Ok(host),
                    _ => Err(ConfigError::Invalid {
                        key: "feed.link_hosts",
                        value: h.escape_debug().to_string(),
                        problem: "expected a bare host name such as `cdn.example.org`".into(),
                    }),
                }
            })
            .collect::<Result<_, _>>()?;
        if !site_url.path().ends_with('/') {
            site_url.set_path(&format!("{}/", site_url.path()));
        }
        let host = site_url.host_str().unwrap_or("localhost").to_string();
        let time_zone = parse_zone(
            "feed.time_zone",
            f.time_zone.as_deref().unwrap_or("Asia/Dushanbe"),
        )?;
        let language = f.language.clone().unwrap_or_else(|| "ru".into());
        // The validator's own rule, so a configured language can never make a feed invalid.
        if !crate::validate::is_language_tag(&language) {
            return Err(ConfigError::Invalid {
                key: "feed.language",
                value: language,
                problem: "not a language tag (e.g. `ru`, `tg`, `en`)".into(),
            });
        }
        let article_url = UrlPattern::parse(
            f.article_url
                .as_deref()
                .unwrap_or("news/{year}/{month}/{slug}/"),
            &site_url,
            &link_hosts,
        )?;
        let feeds_url = match &f.feeds_url {
            Some(u) => {
                let mut u = absolute_url("feed.feeds_url", u)?;
                if !on_allowed_host(&u, &site_url, &link_hosts) {
                    return Err(ConfigError::Invalid {
                        key: "feed.feeds_url",
                        value: u.to_string(),
                        problem: format!(
                            "is not on the site's host `{host}`; add its host to `link_hosts` if the feeds are served from there"
                        ),
                    });
                }
                if !u.path().ends_with('/') {
                    u.set_path(&format!("{}/", u.path()));
                }
                u
            }
            None => site_url.clone(),
        };
        let id_prefix = f
            .id_prefix
            .clone()
            .unwrap_or_else(|| format!("tag:{host},2025:"));
        check_id_prefix(&id_prefix, &site_url, &link_hosts)?;
        for (key, value) in [
            ("feed.title", &f.title),
            ("feed.description", &f.description),
        ] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(ConfigError::Invalid {
                    key,
                    value: String::new(),
                    problem: "must not be empty: RSS requires it and readers show it".into(),
                });
            }
        }
        let limit = f.limit.unwrap_or(50);
        if limit == 0 {
            return Err(ConfigError::Invalid {
                key: "feed.limit",
                value: "0".into(),
                problem: "a feed needs at least one entry".into(),
            });
        }
        let min_stories_ratio = b.min_stories_ratio.unwrap_or(0.5);
        if !(0.0..=1.0).contains(&min_stories_ratio) {
            return Err(ConfigError::Invalid {
                key: "build.min_stories_ratio",
                value: min_stories_ratio.to_string(),
                problem: "a share from 0 (never refuse) to 1 (every story must still be there)"
                    .into(),
            });
        }
        let formats = match &b.formats {
            None => vec![Format::Rss, Format::Atom],
            Some(list) => list
                .iter()
                .map(|s| {
                    Format::parse(s).ok_or_else(|| ConfigError::Invalid {
                        key: "build.formats",
                        value: s.clone(),
                        problem: "expected `rss`, `atom` or `json`".into(),
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let mut files = BTreeMap::new();
        for (format, name, default) in [
            (Format::Rss, &b.rss_file, "rss.xml"),
            (Format::Atom, &b.atom_file, "atom.xml"),
            (Format::Json, &b.json_file, "feed.json"),
        ] {
            let name = name.clone().unwrap_or_else(|| default.into());
            if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
                return Err(ConfigError::Invalid {
                    key: "build.*_file",
                    value: name,
                    problem: "a plain file name is expected (no folders, not hidden)".into(),
                });
            }
            files.insert(format, name);
        }
        let encoding = match b.encoding.as_deref() {
            None | Some("auto") => None,
            Some(label) => Some(crate::article::decode::encoding_for_label(label).ok_or_else(|| {
                ConfigError::Invalid {
                    key: "build.encoding",
                    value: label.into(),
                    problem: "unknown encoding; use `auto`, `utf-8`, `windows-1251`, `koi8-r`, `cp866`…".into(),
                }
            })?),
        };
        let cities = raw
            .cities
            .iter()
            .map(|(city, zone)| Ok((city.clone(), parse_zone("cities", zone)?)))
            .collect::<Result<_, ConfigError>>()?;
        let agencies = raw
            .agencies
            .iter()
            .map(|(name, a)| {
                Ok((
                    crate::related::normalize(name),
                    Agency {
                        url: absolute_url("agencies.*.url", &a.url)?,
                        title: a.title.clone().unwrap_or_else(|| name.clone()),
                    },
                ))
            })
            .collect::<Result<_, ConfigError>>()?;
        Ok(Config {
            title: f.title.clone().unwrap_or_else(|| host.clone()),
            description: f
                .description
                .clone()
                .unwrap_or_else(|| format!("News from {host}")),
            site_url,
            language,
            author: f.author.clone(),
            time_zone,
            article_url,
            id_prefix,
            feeds_url,
            limit,
            link_hosts,
            articles: b.articles.clone().unwrap_or_else(|| "articles".into()),
            out: b.out.clone().unwrap_or_else(|| "public".into()),
            formats,
            files,
            max_file_size: b.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
            encoding,
            cache: b.cache.unwrap_or(true),
            lock_timeout: b.lock_timeout.unwrap_or(10),
            follow_symlinks: b.follow_symlinks.unwrap_or(false),
            min_stories_ratio,
            cities,
            agencies,
        })
    }

    /// The options the article parser needs.
    pub fn parse_options(&self) -> ParseOptions {
        ParseOptions {
            cities: CityTable::new(self.cities.iter().map(|(c, z)| (c.as_str(), *z))),
            fallback_zone: self.time_zone,
            default_lang: self.language.clone(),
            encoding: self.encoding,
            max_file_size: self.max_file_size,
        }
    }

    /// The file name of a format's feed in the output folder.
    pub fn file_name(&self, format: Format) -> &str {
        self.files.get(&format).map_or("feed", String::as_str)
    }

    /// The public URL of a feed file.
    pub fn feed_url(&self, format: Format) -> Url {
        // `./` keeps a file name such as `x:y.xml` a path, not a URL scheme.
        self.feeds_url
            .join(&format!("./{}", self.file_name(format)))
            .unwrap_or_else(|_| self.feeds_url.clone())
    }

    /// The entry id of a story id: the id prefix and the percent-encoded story id.
    pub fn entry_id(&self, id: &str) -> String {
        format!("{}{}", self.id_prefix, utf8_percent_encode(id, PATH_PART))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> RawConfig {
        RawConfig::parse(text).unwrap()
    }

    fn config(text: &str) -> Result<Config, ConfigError> {
        Config::from_raw(&raw(text))
    }

    #[test]
    fn minimal_config() {
        let c = config("[feed]\nsite_url = \"https://example.org\"\n").unwrap();
        assert_eq!(c.site_url.as_str(), "https://example.org/");
        assert_eq!(c.limit, 50);
        assert_eq!(c.time_zone, Tz::Asia__Dushanbe);
        assert_eq!(c.id_prefix, "tag:example.org,2025:");
        assert_eq!(
            c.feed_url(Format::Rss).as_str(),
            "https://example.org/rss.xml"
        );
    }

    #[test]
    fn unknown_key_is_refused_with_its_name() {
        let e = RawConfig::parse("[feed]\nsite_ulr = \"https://example.org\"\n").unwrap_err();
        assert!(e.contains("site_ulr"), "{e}");
    }

    #[test]
    fn relative_site_url_is_refused() {
        let e = config("[feed]\nsite_url = \"/news/\"\n").unwrap_err();
        assert!(e.to_string().contains("relative URL"), "{e}");
    }

    #[test]
    fn malformed_site_url_is_refused() {
        let e = config("[feed]\nsite_url = \"https://exa mple.org\"\n").unwrap_err();
        assert!(e.to_string().contains("feed.site_url"), "{e}");
    }

    #[test]
    fn unknown_time_zone_is_refused() {
        let e = config("[feed]\nsite_url = \"https://e.org\"\ntime_zone = \"Asia/Dushanbeh\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("IANA"), "{e}");
    }

    #[test]
    fn unknown_placeholder_is_refused() {
        let e =
            config("[feed]\nsite_url = \"https://e.org\"\narticle_url = \"/n/{yaer}/{slug}\"\n")
                .unwrap_err();
        assert!(
            e.to_string().contains("unknown placeholder `{yaer}`"),
            "{e}"
        );
    }

    #[test]
    fn pattern_renders_percent_encoded_non_ascii() {
        let c = config("[feed]\nsite_url = \"https://e.org/\"\narticle_url = \"https://e.org/news/{year}/{month}/{slug}/\"\n").unwrap();
        let d = DateTime::parse_from_rfc3339("2025-06-18T00:00:00+05:00").unwrap();
        assert_eq!(
            c.article_url.render(d, "2025/06/шос", "шос").as_str(),
            "https://e.org/news/2025/06/%D1%88%D0%BE%D1%81/"
        );
    }

    #[test]
    fn relative_pattern_joins_site_url() {
        let c =
            config("[feed]\nsite_url = \"https://e.org/agency/\"\narticle_url = \"{id}.html\"\n")
                .unwrap();
        let d = DateTime::parse_from_rfc3339("2025-06-18T00:00:00+05:00").unwrap();
        assert_eq!(
            c.article_url.render(d, "2025/06/x", "x").as_str(),
            "https://e.org/agency/2025/06/x.html"
        );
    }

    #[test]
    fn flags_win_over_file() {
        let mut file = raw("[feed]\nsite_url = \"https://file.org\"\nlimit = 10\n");
        let mut flags = RawConfig::default();
        flags.feed.limit = Some(3);
        file.overlay(&flags);
        let c = Config::from_raw(&file).unwrap();
        assert_eq!((c.limit, c.site_url.as_str()), (3, "https://file.org/"));
    }

    #[test]
    fn language_must_be_a_tag() {
        let ok = config("[feed]\nsite_url = \"https://e.org\"\nlanguage = \"tg-Cyrl\"\n");
        assert_eq!(ok.unwrap().language, "tg-Cyrl");
        let e = config("[feed]\nsite_url = \"https://e.org\"\nlanguage = \"ru_RU\"\n").unwrap_err();
        assert!(e.to_string().contains("feed.language"), "{e}");
    }

    #[test]
    fn a_relative_pattern_that_starts_with_a_placeholder_stays_a_path() {
        let c =
            config("[feed]\nsite_url = \"https://e.org/\"\narticle_url = \"{slug}\"\n").unwrap();
        let d = DateTime::parse_from_rfc3339("2025-06-18T00:00:00+05:00").unwrap();
        let url = c
            .article_url
            .render(d, "javascript:alert(1)", "javascript:alert(1)");
        assert_eq!(url.as_str(), "https://e.org/javascript:alert(1)");
    }

    #[test]
    fn url_settings_must_stay_on_the_site() {
        for (text, key) in [
            (
                "article_url = \"javascript:alert(1)//{slug}\"",
                "feed.article_url",
            ),
            ("article_url = \"//other.org/{slug}\"", "feed.article_url"),
            ("article_url = \"https://e.org{slug}\"", "feed.article_url"),
            ("article_url = \" /{slug}\"", "feed.article_url"),
            ("id_prefix = \"vbscript:x\"", "feed.id_prefix"),
            ("id_prefix = \"https://other.org/\"", "feed.id_prefix"),
            ("feeds_url = \"https://cdn.org/\"", "feed.feeds_url"),
            ("link_hosts = [\"cdn.org/x\"]", "feed.link_hosts"),
        ] {
            let e =
                config(&format!("[feed]\nsite_url = \"https://e.org/\"\n{text}\n")).unwrap_err();
            assert!(e.to_string().contains(key), "{text}: {e}");
        }
        let ok = "[feed]\nsite_url = \"https://e.org/\"\nlink_hosts = [\"CDN.org\"]\n\
                  feeds_url = \"https://cdn.org/f/\"\narticle_url = \"https://cdn.org/{id}\"\n";
        let c = config(ok).unwrap();
        assert_eq!(
            c.feed_url(Format::Rss).as_str(),
            "https://cdn.org/f/rss.xml"
        );
    }

    #[test]
    fn credentials_in_the_site_url_are_refused() {
        let e = config("[feed]\nsite_url = \"https://u:p@e.org/\"\n").unwrap_err();
        assert!(e.to_string().contains("password"), "{e}");
    }

    #[test]
    fn empty_title_is_refused() {
        let e = config("[feed]\nsite_url = \"https://e.org\"\ntitle = \" \"\n").unwrap_err();
        assert!(e.to_string().contains("feed.title"), "{e}");
    }
}
