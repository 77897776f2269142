//! `wirefeed.toml` and the flags: what a build publishes and where.
//!
//! Two layers, as in mdBook and ripgrep: [`RawConfig`] ([`raw`]) is exactly what the file or the
//! command line says, every field optional, unknown keys refused so a typo fails loudly, each
//! setting declared once; [`Config`] is the checked value the library works from (absolute site
//! URL, real time zone, parsed URL pattern). Flags are a second `RawConfig` laid over the file's,
//! and the defaults a first one under both.
//!
//! This module is the ground floor: it imports nothing of the pipeline, which imports it.

pub mod feed_sets;
pub mod raw;
pub mod url_pattern;
mod web_url;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use encoding_rs::Encoding;
use percent_encoding::utf8_percent_encode;
use url::Url;

use crate::format::Format;
pub use feed_sets::{FeedSetSpec, Filter, RawFeedSet};
pub use raw::{RawAgency, RawBuild, RawConfig, RawFeed, Setting, SettingsArgs};
pub use url_pattern::UrlPattern;
use url_pattern::PATH_PART;
use web_url::{absolute_url, check_id_prefix, on_allowed_host};

/// Name of the configuration file looked for in the current folder.
pub const DEFAULT_CONFIG_FILE: &str = "wirefeed.toml";

/// Default cap on the size of a story file: real stories are a few kilobytes.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// The front page of each feed set's folder.
pub const FRONT_PAGE_FILE: &str = "index.html";

/// The subscription list of every feed, in the output folder.
pub const OPML_FILE: &str = "feeds.opml";

/// The browsers' stylesheet for the feeds, in the output folder.
pub const STYLESHEET_FILE: &str = "feed.xsl";

/// The file name of a feed set's IPTC ninjs stream (fixed: news systems fetch it by name).
pub const NINJS_FILE: &str = "ninjs.jsonl";
/// The Yandex news feed's file name in each feed set's folder.
pub const YANDEX_FILE: &str = "yandex.xml";

/// The Google News sitemap's file name in each feed set's folder (the sitemap index when the
/// stories need more than one file; the pages are `news-sitemap-1.xml`…).
pub const NEWS_SITEMAP_FILE: &str = "news-sitemap.xml";

/// Default cap on the size of a photo.
pub const DEFAULT_MAX_PHOTO_SIZE: u64 = 20_000_000;
/// The publication ledger's place, relative to the configuration file's folder.
pub const DEFAULT_LEDGER: &str = ".wirefeed/ledger.sqlite";

/// A configuration problem: one clear message each, for exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config `{}`", crate::diagnostic::shown(path))]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is malformed or has an unknown key.
    #[error("invalid config `{}`: {message}", crate::diagnostic::shown(path))]
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

/// The checked settings of a build.
#[derive(Debug, Clone)]
pub struct Config {
    /// Feed title.
    pub title: String,
    /// Absolute site URL.
    pub site_url: Url,
    /// Description.
    pub description: String,
    /// Default author.
    pub author: Option<String>,
    /// Article URL pattern.
    pub article_url: UrlPattern,
    /// Photo URL pattern (with `{ext}`).
    pub photo_url: UrlPattern,
    /// Prefix of entry ids.
    pub id_prefix: String,
    /// Base URL where the feed files are served.
    pub feeds_url: Url,
    /// Entries per feed.
    pub limit: usize,
    /// Hosts besides the site's that published URLs may point at, lower-case.
    pub link_hosts: Vec<String>,
    /// What shapes how a story file is read.
    pub story: StorySettings,
    /// Articles folder.
    pub articles: PathBuf,
    /// Output folder.
    pub out: PathBuf,
    /// Formats written by default.
    pub formats: Vec<Format>,
    /// File names per format.
    pub files: BTreeMap<Format, String>,
    /// Whether the cache is used.
    pub cache: bool,
    /// Seconds to wait for the output lock.
    pub lock_timeout: u64,
    /// Whether symbolic links that point outside the articles folder are followed.
    pub follow_symlinks: bool,
    /// Whether published photos are copied to `<out>/media`.
    pub copy_photos: bool,
    /// Largest photo accepted, in bytes.
    pub max_photo_size: u64,
    /// A build refuses to publish when fewer than this share of the stories of the feeds on
    /// disk are still in the archive (a half-mounted archive must not wipe them).
    pub min_stories_ratio: f64,
    /// Agencies' own feeds, by the agency's name as configured.
    pub agencies: BTreeMap<String, Agency>,
    /// A feed set per tag, under `tags/<slug>/`.
    pub tag_feeds: bool,
    /// The publication ledger's file, when the ledger is kept.
    pub ledger: Option<PathBuf>,
    /// Days a withdrawn or deleted story's tombstone stays in the Atom feeds.
    pub tombstone_days: u64,
    /// Point RSS and Atom at `feed.xsl`, written beside them, for browsers.
    pub stylesheet: bool,
    /// Write each feed set's `index.html`.
    pub front_pages: bool,
    /// The declared feed sets (`[[feeds]]`); `None` for the default ones.
    pub feed_sets: Option<Vec<FeedSetSpec>>,
    /// WebSub hubs the feeds advertise (`rel="hub"`, JSON Feed `hubs`).
    pub hubs: Vec<Url>,
    /// Notify the hubs of each feed a build wrote.
    pub ping: bool,
    /// Write RFC 5005 archive documents of the main feed set, one per month.
    pub archives: bool,
    /// The publisher's icon, logo and accent colour for the feeds.
    pub branding: Branding,
}

/// The settings that shape how a story file is read; checked without a site URL, so tools
/// such as `wirefeed inspect` can parse stories with the desk's settings.
#[derive(Debug, Clone)]
pub struct StorySettings {
    /// Extra or overriding dateline cities.
    pub cities: BTreeMap<String, Tz>,
    /// Zone of cities not in the table.
    pub time_zone: Tz,
    /// Language tag when a story has no letters to tell.
    pub language: String,
    /// Forced encoding, if any.
    pub encoding: Option<&'static Encoding>,
    /// Largest story file accepted, in bytes.
    pub max_file_size: u64,
}

/// The publisher's images and colour, when configured (`icon`, `logo`, `accent_color`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Branding {
    /// A small square image (Atom `icon`, JSON `favicon`, `webfeeds:icon`, Yandex square logo).
    pub icon: Option<Url>,
    /// A wide image (RSS `image`, Atom `logo`, JSON `icon`, `webfeeds:logo`, `yandex:logo`).
    pub logo: Option<Url>,
    /// Feedly's accent colour, six hex digits without `#` (`webfeeds:accentColor`).
    pub accent_color: Option<String>,
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

/// A setting that has a default, or `site_url`: after layering it is always set.
fn required<'a, T>(value: &'a Option<T>, key: &'static str) -> Result<&'a T, ConfigError> {
    value.as_ref().ok_or(ConfigError::Missing {
        key,
        hint: "set it in wirefeed.toml or with its flag (see `wirefeed build --help`)",
    })
}

/// A URL that names a folder ends with `/`, so that joining a file name keeps the folder.
fn folder_url(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    url
}

/// Bare host names, lower-case.
fn check_link_hosts(hosts: &[String]) -> Result<Vec<String>, ConfigError> {
    hosts
        .iter()
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
        .collect()
}

/// Where the feed files are served: a web URL on the site or one of `link_hosts`.
fn check_feeds_url(value: &str, site: &Url, link_hosts: &[String]) -> Result<Url, ConfigError> {
    let url = absolute_url("feed.feeds_url", value)?;
    if !on_allowed_host(&url, site, link_hosts) {
        return Err(ConfigError::Invalid {
            key: "feed.feeds_url",
            value: url.to_string(),
            problem: format!(
                "is not on the site's host `{}`; add its host to `link_hosts` if the feeds are served from there",
                site.host_str().unwrap_or_default()
            ),
        });
    }
    Ok(folder_url(url))
}

/// An image the feeds name (icon, logo): an absolute web URL on the site or one of
/// `link_hosts`, as photos are, since the feeds publish it.
fn check_image_url(
    key: &'static str,
    value: Option<&str>,
    site: &Url,
    link_hosts: &[String],
) -> Result<Option<Url>, ConfigError> {
    let Some(value) = value else { return Ok(None) };
    let url = absolute_url(key, value)?;
    if !on_allowed_host(&url, site, link_hosts) {
        return Err(ConfigError::Invalid {
            key,
            value: url.to_string(),
            problem: format!(
                "is not on the site's host `{}`; add its host to `link_hosts` if images are served from there",
                site.host_str().unwrap_or_default()
            ),
        });
    }
    Ok(Some(url))
}

/// An accent colour: six hex digits (`RRGGBB`, a leading `#` allowed), kept without the `#`
/// as Feedly's `webfeeds:accentColor` wants it.
fn check_color(value: &str) -> Result<String, ConfigError> {
    let hex = value.trim().trim_start_matches('#');
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(hex.to_ascii_uppercase());
    }
    Err(ConfigError::Invalid {
        key: "feed.accent_color",
        value: value.escape_debug().to_string(),
        problem: "expected six hex digits `RRGGBB`, e.g. `1A5FB4`".into(),
    })
}

/// The formats named (or `all`), in output order, each once however the list was written.
fn check_formats(key: &'static str, names: &[String]) -> Result<Vec<Format>, ConfigError> {
    let mut chosen = Vec::new();
    for name in names {
        if name.trim().eq_ignore_ascii_case("all") {
            chosen.extend(Format::ALL);
            continue;
        }
        chosen.push(Format::parse(name).ok_or_else(|| ConfigError::Invalid {
            key,
            value: name.clone(),
            problem:
                "expected `rss`, `atom`, `json`, `yandex`, `news-sitemap`, `ninjs` or `all`".into(),
        })?);
    }
    Ok(Format::EVERY
        .into_iter()
        .filter(|f| chosen.contains(f))
        .collect())
}

/// A feed's file name: a plain name in the output folder, not hidden (hidden names are the
/// cache's and the lock's).
fn check_file_name(key: &'static str, name: &str) -> Result<String, ConfigError> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(ConfigError::Invalid {
            key,
            value: name.to_string(),
            problem: "a plain file name is expected (no folders, not hidden)".into(),
        });
    }
    Ok(name.to_string())
}

impl StorySettings {
    /// Checks the story settings of a raw configuration (defaults filled in).
    pub fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let mut full = RawConfig::defaults();
        full.overlay(raw);
        let (f, b) = (&full.feed, &full.build);
        let language = required(&f.language, "feed.language")?.clone();
        // The validator's own rule, so a configured language can never make a feed invalid.
        if !crate::language_tag::is_language_tag(&language) {
            return Err(ConfigError::Invalid {
                key: "feed.language",
                value: language,
                problem: "not a language tag (e.g. `ru`, `tg`, `en`)".into(),
            });
        }
        let encoding = match required(&b.encoding, "build.encoding")?.trim() {
            "auto" => None,
            label => Some(Encoding::for_label(label.as_bytes()).ok_or_else(|| {
                ConfigError::Invalid {
                    key: "build.encoding",
                    value: label.into(),
                    problem:
                        "unknown encoding; use `auto`, `utf-8`, `windows-1251`, `koi8-r`, `cp866`…"
                            .into(),
                }
            })?),
        };
        Ok(StorySettings {
            cities: full
                .cities
                .iter()
                .map(|(city, zone)| Ok((city.clone(), parse_zone("cities", zone)?)))
                .collect::<Result<_, ConfigError>>()?,
            time_zone: parse_zone("feed.time_zone", required(&f.time_zone, "feed.time_zone")?)?,
            language,
            encoding,
            max_file_size: *required(&b.max_file_size, "build.max_file_size")?,
        })
    }
}

impl Default for StorySettings {
    fn default() -> Self {
        StorySettings {
            cities: BTreeMap::new(),
            time_zone: Tz::Asia__Dushanbe,
            language: "ru".into(),
            encoding: None,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// A title and a description that say something (RSS requires both and readers show them),
/// and a limit of at least one entry.
fn check_texts_and_limit(
    title: &Option<String>,
    description: &Option<String>,
    limit: &Option<usize>,
) -> Result<usize, ConfigError> {
    for (key, value) in [("feed.title", title), ("feed.description", description)] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(ConfigError::Invalid {
                key,
                value: String::new(),
                problem: "must not be empty: RSS requires it and readers show it".into(),
            });
        }
    }
    let limit = *required(limit, "feed.limit")?;
    if limit == 0 {
        return Err(ConfigError::Invalid {
            key: "feed.limit",
            value: "0".into(),
            problem: "a feed needs at least one entry".into(),
        });
    }
    Ok(limit)
}

/// The checked `[build]` table.
struct BuildPart {
    articles: PathBuf,
    out: PathBuf,
    formats: Vec<Format>,
    files: BTreeMap<Format, String>,
    cache: bool,
    lock_timeout: u64,
    follow_symlinks: bool,
    copy_photos: bool,
    max_photo_size: u64,
    min_stories_ratio: f64,
    tag_feeds: bool,
    stylesheet: bool,
    front_pages: bool,
    ping: bool,
    ledger: Option<PathBuf>,
    tombstone_days: u64,
    archives: bool,
}

impl BuildPart {
    fn check(build: &RawBuild) -> Result<Self, ConfigError> {
        // Taken apart field by field, so that a setting added to the raw layer and not checked
        // here does not compile.
        let RawBuild {
            articles,
            out,
            formats,
            rss_file,
            atom_file,
            json_file,
            max_file_size: _, // in `story`
            encoding: _,      // in `story`
            cache,
            copy_photos,
            max_photo_size,
            lock_timeout,
            follow_symlinks,
            min_stories_ratio,
            tag_feeds,
            stylesheet,
            front_pages,
            ping,
            ledger,
            use_ledger,
            tombstone_days,
            archives,
        } = build;
        let min_stories_ratio = *required(min_stories_ratio, "build.min_stories_ratio")?;
        if !(0.0..=1.0).contains(&min_stories_ratio) {
            return Err(ConfigError::Invalid {
                key: "build.min_stories_ratio",
                value: min_stories_ratio.to_string(),
                problem: "a share from 0 (never refuse) to 1 (every story must still be there)"
                    .into(),
            });
        }
        let mut files = BTreeMap::new();
        for (format, name, key) in [
            (Format::Rss, rss_file, "build.rss_file"),
            (Format::Atom, atom_file, "build.atom_file"),
            (Format::Json, json_file, "build.json_file"),
        ] {
            let name = check_file_name(key, required(name, key)?)?;
            if [FRONT_PAGE_FILE, OPML_FILE, STYLESHEET_FILE, NINJS_FILE].contains(&name.as_str()) {
                return Err(ConfigError::Invalid {
                    key,
                    value: name,
                    problem:
                        "is the name of a file wirefeed writes beside the feeds; choose another"
                            .into(),
                });
            }
            files.insert(format, name);
        }
        files.insert(Format::Ninjs, NINJS_FILE.to_string());
        // The aggregators' documents have fixed names: nobody asked to rename them.
        for (format, name) in [
            (Format::Yandex, YANDEX_FILE),
            (Format::NewsSitemap, NEWS_SITEMAP_FILE),
        ] {
            if let Some((key, _)) = [
                ("build.rss_file", rss_file),
                ("build.atom_file", atom_file),
                ("build.json_file", json_file),
            ]
            .into_iter()
            .find(|(_, n)| n.as_deref() == Some(name))
            {
                return Err(ConfigError::Invalid {
                    key,
                    value: name.into(),
                    problem:
                        "is the name of a file wirefeed writes beside the feeds; choose another"
                            .into(),
                });
            }
            files.insert(format, name.to_string());
        }
        Ok(BuildPart {
            articles: required(articles, "build.articles")?.clone(),
            out: required(out, "build.out")?.clone(),
            formats: check_formats("build.formats", required(formats, "build.formats")?)?,
            files,
            cache: *required(cache, "build.cache")?,
            lock_timeout: *required(lock_timeout, "build.lock_timeout")?,
            follow_symlinks: *required(follow_symlinks, "build.follow_symlinks")?,
            copy_photos: *required(copy_photos, "build.copy_photos")?,
            max_photo_size: *required(max_photo_size, "build.max_photo_size")?,
            min_stories_ratio,
            tag_feeds: *required(tag_feeds, "build.tag_feeds")?,
            stylesheet: *required(stylesheet, "build.stylesheet")?,
            front_pages: *required(front_pages, "build.front_pages")?,
            ping: *required(ping, "build.ping")?,
            ledger: match *required(use_ledger, "build.use_ledger")? {
                true => Some(check_ledger(
                    ledger
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(DEFAULT_LEDGER)),
                    required(out, "build.out")?,
                )?),
                false => None,
            },
            tombstone_days: *required(tombstone_days, "build.tombstone_days")?,
            archives: *required(archives, "build.archives")?,
        })
    }
}

/// The ledger's path, checked: a file, and never inside the output folder, which a web server
/// serves to anyone.
fn check_ledger(ledger: PathBuf, out: &Path) -> Result<PathBuf, ConfigError> {
    let absolute = |p: &Path| {
        let joined = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        // Lexically, as the folders may not exist yet: `a/./b/../c` is `a/c`.
        let mut clean = PathBuf::new();
        for part in joined.components() {
            match part {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir => {
                    clean.pop();
                }
                other => clean.push(other),
            }
        }
        clean
    };
    let problem = if ledger.as_os_str().is_empty() || ledger.file_name().is_none() {
        Some("a file path is expected, e.g. `.wirefeed/ledger.sqlite`")
    } else if absolute(&ledger).starts_with(absolute(out)) {
        Some("is inside the output folder, which is served to anyone: keep the ledger outside it (the default is `.wirefeed/ledger.sqlite` beside the config file)")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(ConfigError::Invalid {
            key: "build.ledger",
            value: crate::diagnostic::shown(&ledger),
            problem: problem.into(),
        }),
        None => Ok(ledger),
    }
}

impl Config {
    /// Checks a raw configuration (the file with the flags laid over it) and turns it into
    /// settings; the defaults fill what neither gives.
    pub fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let story = StorySettings::from_raw(raw)?;
        let mut full = RawConfig::defaults();
        full.overlay(raw);
        // Taken apart field by field, so that a setting added to the raw layer and not checked
        // here does not compile.
        let RawConfig {
            feed,
            build,
            cities: _, // in `story`
            agencies,
            feeds: feed_sets,
        } = &full;
        let RawFeed {
            title,
            site_url,
            description,
            language: _, // in `story`
            author,
            time_zone: _, // in `story`
            article_url,
            photo_url,
            id_prefix,
            feeds_url,
            limit,
            link_hosts,
            hub,
            icon,
            logo,
            accent_color,
        } = feed;
        let build = BuildPart::check(build)?;
        let feed_sets = feed_sets
            .as_deref()
            .map(|sets| feed_sets::check(sets, build.tag_feeds))
            .transpose()?;
        let site = site_url.as_deref().ok_or(ConfigError::Missing {
            key: "feed.site_url",
            hint: "set `site_url` under [feed] in wirefeed.toml or pass --site-url https://example.org/",
        })?;
        let site_url = folder_url(absolute_url("feed.site_url", site)?);
        let host = site_url.host_str().unwrap_or("localhost").to_string();
        let link_hosts = check_link_hosts(link_hosts.as_deref().unwrap_or_default())?;
        let article_url = UrlPattern::parse(
            required(article_url, "feed.article_url")?,
            &site_url,
            &link_hosts,
        )?;
        let photo_url = UrlPattern::parse_photo(
            required(photo_url, "feed.photo_url")?,
            &site_url,
            &link_hosts,
        )?;
        let feeds_url = match feeds_url {
            Some(u) => check_feeds_url(u, &site_url, &link_hosts)?,
            None => site_url.clone(),
        };
        let id_prefix = id_prefix
            .clone()
            .unwrap_or_else(|| format!("tag:{host},2025:"));
        check_id_prefix(&id_prefix, &site_url, &link_hosts)?;
        let limit = check_texts_and_limit(title, description, limit)?;
        // A hub is a third party's service, so it need not be on the site's host; the feeds
        // publish its URL all the same, so it follows the rule of every published URL.
        let hubs = hub
            .iter()
            .flatten()
            .map(|h| absolute_url("feed.hub", h))
            .collect::<Result<Vec<_>, _>>()?;
        let agencies = agencies
            .iter()
            .map(|(name, a)| {
                let agency = Agency {
                    url: absolute_url("agencies.*.url", &a.url)?,
                    title: a.title.clone().unwrap_or_else(|| name.clone()),
                };
                Ok((name.clone(), agency))
            })
            .collect::<Result<_, ConfigError>>()?;
        let branding = Branding {
            icon: check_image_url("feed.icon", icon.as_deref(), &site_url, &link_hosts)?,
            logo: check_image_url("feed.logo", logo.as_deref(), &site_url, &link_hosts)?,
            accent_color: accent_color.as_deref().map(check_color).transpose()?,
        };
        Ok(Config {
            title: title.clone().unwrap_or_else(|| host.clone()),
            description: description
                .clone()
                .unwrap_or_else(|| format!("News from {host}")),
            site_url,
            author: author.clone(),
            article_url,
            photo_url,
            id_prefix,
            feeds_url,
            limit,
            link_hosts,
            story,
            articles: build.articles,
            out: build.out,
            formats: build.formats,
            files: build.files,
            cache: build.cache,
            lock_timeout: build.lock_timeout,
            follow_symlinks: build.follow_symlinks,
            copy_photos: build.copy_photos,
            max_photo_size: build.max_photo_size,
            min_stories_ratio: build.min_stories_ratio,
            tag_feeds: build.tag_feeds,
            ledger: build.ledger,
            tombstone_days: build.tombstone_days,
            stylesheet: build.stylesheet,
            front_pages: build.front_pages,
            feed_sets,
            agencies,
            hubs,
            ping: build.ping,
            archives: build.archives,
            branding,
        })
    }

    /// Whether a URL may be published: on the site's host or one of `link_hosts`.
    pub fn allows_host(&self, url: &Url) -> bool {
        on_allowed_host(url, &self.site_url, &self.link_hosts)
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
    use chrono::DateTime;

    fn raw(text: &str) -> RawConfig {
        RawConfig::parse(text).unwrap()
    }

    fn config(text: &str) -> Result<Config, ConfigError> {
        Config::from_raw(&raw(text))
    }

    /// Every flag, with a value that differs from its default, reaches the checked settings.
    #[test]
    fn every_flag_reaches_the_configuration() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            settings: SettingsArgs,
        }
        let argv = [
            ("--title", Some("T")),
            ("--site-url", Some("https://e.org/")),
            ("--description", Some("D")),
            ("--language", Some("tg")),
            ("--author", Some("A")),
            ("--time-zone", Some("Europe/Moscow")),
            ("--article-url", Some("n/{id}")),
            ("--photo-url", Some("img/{id}.{ext}")),
            ("--id-prefix", Some("urn:xy:")),
            ("--feeds-url", Some("https://cdn.org/f/")),
            ("--limit", Some("7")),
            ("--link-host", Some("cdn.org")),
            ("--hub", Some("https://hub.example.net/")),
            ("--icon", Some("https://cdn.org/icon.png")),
            ("--logo", Some("https://e.org/logo.png")),
            ("--accent-color", Some("#1a5fb4")),
            ("--articles", Some("in")),
            ("--out", Some("o")),
            ("--format", Some("json")),
            ("--rss-file", Some("r.xml")),
            ("--atom-file", Some("a.xml")),
            ("--json-file", Some("j.json")),
            ("--max-file-size", Some("9")),
            ("--encoding", Some("koi8-r")),
            ("--no-cache", None),
            ("--no-copy-photos", None),
            ("--max-photo-size", Some("99")),
            ("--lock-timeout", Some("3")),
            ("--follow-symlinks", None),
            ("--min-stories-ratio", Some("0.25")),
            ("--tag-feeds", None),
            ("--no-stylesheet", None),
            ("--no-front-pages", None),
            ("--ping", None),
            ("--ledger", Some("l.sqlite")),
            ("--no-ledger", None),
            ("--tombstone-days", Some("3")),
            ("--archives", None),
            ("--city", Some("ГОРОД=Asia/Tokyo")),
            ("--agency", Some("АГ=https://ag.org/rss.xml")),
        ];
        let flags: Vec<String> = raw::settings().into_iter().map(|s| s.flag).collect();
        assert_eq!(
            argv.iter().map(|(f, _)| f.to_string()).collect::<Vec<_>>(),
            flags,
            "this test must set every flag"
        );
        let args = std::iter::once("wirefeed")
            .chain(argv.iter().flat_map(|(f, v)| std::iter::once(*f).chain(*v)));
        let raw = Cli::try_parse_from(args).unwrap().settings.to_raw();
        let c = Config::from_raw(&raw).unwrap();
        assert_eq!(
            (
                c.title.as_str(),
                c.site_url.as_str(),
                c.description.as_str()
            ),
            ("T", "https://e.org/", "D")
        );
        assert_eq!(c.story.language, "tg");
        assert_eq!(c.author.as_deref(), Some("A"));
        assert_eq!(c.story.time_zone, Tz::Europe__Moscow);
        let d = DateTime::parse_from_rfc3339("2025-06-18T00:00:00+05:00").unwrap();
        assert_eq!(
            c.article_url.render(d, "a/b", "b").as_str(),
            "https://e.org/n/a/b"
        );
        assert_eq!(c.entry_id("a"), "urn:xy:a");
        assert_eq!(
            c.feed_url(Format::Json).as_str(),
            "https://cdn.org/f/j.json"
        );
        assert_eq!(c.limit, 7);
        assert_eq!(c.link_hosts, ["cdn.org"]);
        assert_eq!(
            (c.articles.to_str(), c.out.to_str()),
            (Some("in"), Some("o"))
        );
        assert_eq!(c.formats, [Format::Json]);
        assert_eq!(
            (c.file_name(Format::Rss), c.file_name(Format::Atom)),
            ("r.xml", "a.xml")
        );
        assert_eq!(c.story.max_file_size, 9);
        assert_eq!(c.story.encoding.map(Encoding::name), Some("KOI8-R"));
        assert!(!c.cache && c.follow_symlinks && !c.copy_photos);
        assert!(c.tag_feeds && !c.stylesheet && !c.front_pages && c.ping);
        assert_eq!((c.ledger.as_deref(), c.tombstone_days), (None, 3));
        assert!(c.tag_feeds && !c.stylesheet && !c.front_pages && c.ping && c.archives);
        assert_eq!(c.hubs, [Url::parse("https://hub.example.net/").unwrap()]);
        assert_eq!(
            (
                c.branding.icon.as_ref().map(Url::as_str),
                c.branding.logo.as_ref().map(Url::as_str),
                c.branding.accent_color.as_deref()
            ),
            (
                Some("https://cdn.org/icon.png"),
                Some("https://e.org/logo.png"),
                Some("1A5FB4")
            )
        );
        assert_eq!(c.max_photo_size, 99);
        assert_eq!(
            c.photo_url.render_photo(d, "a/b", "b", "png").as_str(),
            "https://e.org/img/a/b.png"
        );
        assert_eq!((c.lock_timeout, c.min_stories_ratio), (3, 0.25));
        assert_eq!(c.story.cities["ГОРОД"], Tz::Asia__Tokyo);
        assert_eq!(c.agencies["АГ"].url.as_str(), "https://ag.org/rss.xml");
    }

    #[test]
    fn minimal_config() {
        let c = config("[feed]\nsite_url = \"https://example.org\"\n").unwrap();
        assert_eq!(c.site_url.as_str(), "https://example.org/");
        assert_eq!(c.limit, 50);
        assert_eq!(c.story.time_zone, Tz::Asia__Dushanbe);
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
        assert_eq!(ok.unwrap().story.language, "tg-Cyrl");
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
            // tag: and urn: prefixes that would make ids the build's check refuses.
            ("id_prefix = \"tag:e.org:\"", "feed.id_prefix"),
            ("id_prefix = \"tag:e.org,25:\"", "feed.id_prefix"),
            ("id_prefix = \"urn:x:\"", "feed.id_prefix"),
            ("id_prefix = \"urn:uuid:\"", "feed.id_prefix"),
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
    fn a_hub_may_be_on_another_host_but_must_be_a_web_url() {
        let c =
            config("[feed]\nsite_url = \"https://e.org/\"\nhub = [\"https://hub.other.net/\"]\n")
                .unwrap();
        assert_eq!(c.hubs[0].as_str(), "https://hub.other.net/");
        assert!(!c.ping);
        for hub in [
            "ftp://hub.org/",
            "/hub",
            "javascript:alert(1)",
            "https://u:p@hub.org/",
        ] {
            let e = config(&format!(
                "[feed]\nsite_url = \"https://e.org/\"\nhub = [\"{hub}\"]\n"
            ))
            .unwrap_err();
            assert!(e.to_string().contains("feed.hub"), "{hub}: {e}");
        }
    }

    #[test]
    fn branding_is_checked() {
        let base = "[feed]\nsite_url = \"https://e.org/\"\n";
        let c = config(&format!(
            "{base}icon = \"https://e.org/i.png\"\naccent_color = \"00ff7f\"\n"
        ))
        .unwrap();
        assert_eq!(c.branding.accent_color.as_deref(), Some("00FF7F"));
        assert_eq!(c.branding.logo, None);
        for (text, key) in [
            ("accent_color = \"blue\"", "feed.accent_color"),
            ("accent_color = \"#12345\"", "feed.accent_color"),
            ("accent_color = \"12345G\"", "feed.accent_color"),
            ("icon = \"/i.png\"", "feed.icon"),
            ("icon = \"javascript:alert(1)\"", "feed.icon"),
            ("logo = \"https://other.org/l.png\"", "feed.logo"),
        ] {
            let e = config(&format!("{base}{text}\n")).unwrap_err();
            assert!(e.to_string().contains(key), "{text}: {e}");
        }
    }

    #[test]
    fn the_aggregator_formats_are_named_explicitly() {
        let base = "[feed]\nsite_url = \"https://e.org/\"\n[build]\n";
        let c = config(&format!("{base}formats = [\"all\"]\n")).unwrap();
        assert_eq!(c.formats, Format::ALL);
        let c = config(&format!(
            "{base}formats = [\"news-sitemap\", \"yandex\", \"rss\"]\n"
        ))
        .unwrap();
        assert_eq!(
            c.formats,
            [Format::Rss, Format::Yandex, Format::NewsSitemap]
        );
        assert_eq!(c.file_name(Format::Yandex), "yandex.xml");
        assert_eq!(c.file_name(Format::NewsSitemap), "news-sitemap.xml");
        let e = config(&format!("{base}rss_file = \"yandex.xml\"\n")).unwrap_err();
        assert!(e.to_string().contains("build.rss_file"), "{e}");
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
