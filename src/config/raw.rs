//! The raw layer: exactly what `wirefeed.toml` and the command line say, every field optional.
//!
//! Each setting is declared once, in the `settings!` list below: its TOML key (table and field
//! name), its flag, its default and its one-line doc come from that one declaration, which makes
//! the file's struct, the flags' struct, the layering of flags over the file, and the catalogue
//! ([`settings`]) that the README and `--help` are checked against. A setting cannot be added to
//! the file and forgotten on the command line, or the other way round.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::{ArgAction, Args};
use serde::Deserialize;

use super::ConfigError;

/// One setting of the catalogue, for documentation and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// Dotted TOML key (`feed.limit`).
    pub key: String,
    /// The flag (`--limit`).
    pub flag: String,
    /// The default, in words.
    pub default: &'static str,
    /// What the setting does.
    pub doc: &'static str,
}

/// Declares the settings of each table: the raw struct read from TOML, the flags struct (clap),
/// the layering and the catalogue. Each entry: doc comment, clap attributes of its flag, field
/// name (the TOML key), type, default value (`None` where the default depends on other
/// settings) and the default in words.
macro_rules! settings {
    ($(
        $(#[doc = $tdoc:literal])+
        [$table:ident] $Raw:ident, $Flags:ident {
            $(
                #[doc = $doc:literal]
                #[arg($($arg:tt)*)]
                $field:ident: $ty:ty = $default:expr, $default_text:literal;
            )+
        }
    )+) => {
        $(
            $(#[doc = $tdoc])+
            #[derive(Debug, Clone, Default, PartialEq, Deserialize)]
            #[serde(deny_unknown_fields)]
            pub struct $Raw {
                $(
                    #[doc = $doc]
                    pub $field: Option<$ty>,
                )+
            }

            impl $Raw {
                /// The defaults of the table's settings.
                fn defaults() -> Self {
                    $Raw { $($field: $default,)+ }
                }

                /// Lays `over` over `self`: set fields of `over` win.
                fn overlay(&mut self, over: &Self) {
                    $(
                        if over.$field.is_some() {
                            self.$field.clone_from(&over.$field);
                        }
                    )+
                }

                /// Whether the setting named `field` is set.
                fn is_set(&self, field: &str) -> bool {
                    match field {
                        $(stringify!($field) => self.$field.is_some(),)+
                        _ => false,
                    }
                }

                /// Each setting's field name, default in words and doc.
                fn catalogue() -> Vec<(&'static str, &'static str, &'static str)> {
                    vec![$((stringify!($field), $default_text, $doc.trim()),)+]
                }
            }

            $(#[doc = $tdoc])+
            #[derive(Debug, Clone, Default, Args)]
            pub struct $Flags {
                $(
                    #[doc = $doc]
                    #[arg(
                        $($arg)*,
                        help = format!(
                            "{} [config: {}.{}; default: {}]",
                            $doc.trim(), stringify!($table), stringify!($field), $default_text
                        ),
                    )]
                    pub $field: Option<$ty>,
                )+
            }

            impl From<&$Flags> for $Raw {
                fn from(flags: &$Flags) -> Self {
                    $Raw { $($field: flags.$field.clone(),)+ }
                }
            }
        )+
    };
}

settings! {
    /// `[feed]`: the channel's metadata and its URLs.
    [feed] RawFeed, FeedFlags {
        /// Feed title.
        #[arg(long, value_name = "TEXT")]
        title: String = None, "the site's host";
        /// Absolute http(s) URL of the site.
        #[arg(long, value_name = "URL")]
        site_url: String = None, "(required)";
        /// RSS description and Atom subtitle.
        #[arg(long, value_name = "TEXT")]
        description: String = None, "`News from HOST`";
        /// Default language tag of stories and feeds.
        #[arg(long, value_name = "TAG")]
        language: String = Some("ru".into()), "`ru`";
        /// Feed-level author (Atom).
        #[arg(long, value_name = "NAME")]
        author: String = None, "none";
        /// IANA time zone of dateline cities not in the table.
        #[arg(long, value_name = "ZONE")]
        time_zone: String = Some("Asia/Dushanbe".into()), "`Asia/Dushanbe`";
        /// Article URL pattern with {year} {month} {day} {slug} {id}.
        #[arg(long, value_name = "PATTERN")]
        article_url: String = Some("news/{year}/{month}/{slug}/".into()), "`news/{year}/{month}/{slug}/`";
        /// Photo URL pattern: the article placeholders and {ext}, from the photo's real type.
        #[arg(long, value_name = "PATTERN")]
        photo_url: String = Some("media/{id}.{ext}".into()), "`media/{id}.{ext}`";
        /// Prefix of entry ids; never change it once published.
        #[arg(long, value_name = "PREFIX")]
        id_prefix: String = None, "`tag:HOST,2025:`";
        /// Base URL the feed files are served from (for the self links).
        #[arg(long, value_name = "URL")]
        feeds_url: String = None, "the site URL";
        /// Entries per feed.
        #[arg(long, value_name = "N")]
        limit: usize = Some(50), "`50`";
        /// Another host published URLs may point at, e.g. a CDN (repeatable).
        #[arg(long = "link-host", value_name = "HOST", action = ArgAction::Append)]
        link_hosts: Vec<String> = None, "none";
        /// A WebSub hub the feeds name with rel="hub", an absolute http(s) URL (repeatable).
        #[arg(long = "hub", value_name = "URL", action = ArgAction::Append)]
        hub: Vec<String> = None, "none";
        /// A small square image for the feeds (Atom icon, JSON favicon), an absolute URL.
        #[arg(long, value_name = "URL")]
        icon: String = None, "none";
        /// A wide logo for the feeds (RSS image, Atom logo, Yandex logo), an absolute URL.
        #[arg(long, value_name = "URL")]
        logo: String = None, "none";
        /// Feedly's accent colour, six hex digits RRGGBB.
        #[arg(long, value_name = "RRGGBB")]
        accent_color: String = None, "none";
    }

    /// `[build]`: where to read and write, and how.
    [build] RawBuild, BuildFlags {
        /// Folder of story files, searched recursively.
        #[arg(long, value_name = "DIR")]
        articles: PathBuf = Some("articles".into()), "`articles`";
        /// Output folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf = Some("public".into()), "`public`";
        /// Documents to write: rss, atom, json, all (the three), yandex, news-sitemap, ninjs.
        #[arg(long = "format", value_name = "FORMAT", value_delimiter = ',', action = ArgAction::Append)]
        formats: Vec<String> = Some(vec!["rss".into(), "atom".into()]), "`rss`, `atom`";
        /// File name of the RSS feed in the output folder.
        #[arg(long, value_name = "NAME")]
        rss_file: String = Some("rss.xml".into()), "`rss.xml`";
        /// File name of the Atom feed in the output folder.
        #[arg(long, value_name = "NAME")]
        atom_file: String = Some("atom.xml".into()), "`atom.xml`";
        /// File name of the JSON Feed in the output folder.
        #[arg(long, value_name = "NAME")]
        json_file: String = Some("feed.json".into()), "`feed.json`";
        /// Largest story file accepted, in bytes.
        #[arg(long, value_name = "BYTES")]
        max_file_size: u64 = Some(super::DEFAULT_MAX_FILE_SIZE), "`1048576`";
        /// Encoding of story files: auto, utf-8, windows-1251, koi8-r, cp866…
        #[arg(long, value_name = "LABEL")]
        encoding: String = Some("auto".into()), "`auto`";
        /// Keep the per-file cache in the output folder (the flag turns it off).
        #[arg(long = "no-cache", num_args = 0, default_missing_value = "false")]
        cache: bool = Some(true), "`true`";
        /// Copy each published story's photo to the output folder's media/ (the flag turns it off).
        #[arg(long = "no-copy-photos", num_args = 0, default_missing_value = "false")]
        copy_photos: bool = Some(true), "`true`";
        /// Largest photo accepted, in bytes.
        #[arg(long, value_name = "BYTES")]
        max_photo_size: u64 = Some(super::DEFAULT_MAX_PHOTO_SIZE), "`20000000`";
        /// Seconds to wait for another build's lock on the output folder.
        #[arg(long, value_name = "SECS")]
        lock_timeout: u64 = Some(10), "`10`";
        /// Also read symbolic links that point outside the articles folder.
        #[arg(long, num_args = 0, default_missing_value = "true")]
        follow_symlinks: bool = Some(false), "`false`";
        /// Refuse to publish when less than this share of the published stories is left.
        #[arg(long, value_name = "RATIO")]
        min_stories_ratio: f64 = Some(0.5), "`0.5`";
        /// Also write a feed set per tag, under `tags/SLUG/`.
        #[arg(long, num_args = 0, default_missing_value = "true")]
        tag_feeds: bool = Some(false), "`false`";
        /// Point RSS and Atom at feed.xsl for browsers (the flag turns it off).
        #[arg(long = "no-stylesheet", num_args = 0, default_missing_value = "false")]
        stylesheet: bool = Some(true), "`true`";
        /// Write each feed set's front page, index.html (the flag turns it off).
        #[arg(long = "no-front-pages", num_args = 0, default_missing_value = "false")]
        front_pages: bool = Some(true), "`true`";
        /// Notify the WebSub hubs of each feed the build wrote.
        #[arg(long, num_args = 0, default_missing_value = "true")]
        ping: bool = Some(false), "`false`";
        /// The publication ledger (SQLite); relative to the config file's folder.
        #[arg(long, value_name = "FILE")]
        ledger: PathBuf = None, "`.wirefeed/ledger.sqlite` beside the config file";
        /// Keep the publication ledger (the flag turns it off: date-only stories at midnight).
        #[arg(long = "no-ledger", num_args = 0, default_missing_value = "false")]
        use_ledger: bool = Some(true), "`true`";
        /// Days a withdrawn or deleted story's tombstone stays in the Atom feeds.
        #[arg(long, value_name = "DAYS")]
        tombstone_days: u64 = Some(7), "`7`";
        /// Also write RFC 5005 archive documents, one per month, under archive/.
        #[arg(long, num_args = 0, default_missing_value = "true")]
        archives: bool = Some(false), "`false`";
    }
}

/// `[agencies."NAME"]`: the agency's own feed, for `<source>`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawAgency {
    /// The agency's own feed URL (RSS `source url` and Atom `source` point at a feed).
    pub url: String,
    /// Title to show (default: the agency's name).
    pub title: Option<String>,
}

/// The file as written (or the flags as given); every field optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
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
    /// `[[feeds]]`: the feed sets, when declared.
    pub feeds: Option<Vec<super::RawFeedSet>>,
}

/// Every setting as a command-line flag: flatten it into a subcommand's arguments.
#[derive(Debug, Clone, Default, Args)]
pub struct SettingsArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub feed: FeedFlags,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub build: BuildFlags,
    /// Add or override a dateline city (repeatable).
    #[arg(
        long,
        value_name = "NAME=ZONE",
        value_parser = key_value,
        help = "Add or override a dateline city, e.g. --city \"ПЕНДЖИКЕНТ=Asia/Dushanbe\" (repeatable) [config: [cities]]"
    )]
    pub city: Vec<(String, String)>,
    /// Map an agency to its own feed (repeatable).
    #[arg(
        long,
        value_name = "NAME=URL",
        value_parser = key_value,
        help = "Map an agency to its own feed, e.g. --agency \"НИАТ «Ховар»=https://khovar.tj/rss.xml\" (repeatable) [config: [agencies.\"NAME\"] url]"
    )]
    pub agency: Vec<(String, String)>,
}

impl SettingsArgs {
    /// The flags as a raw configuration, to lay over the file's.
    pub fn to_raw(&self) -> RawConfig {
        RawConfig {
            feed: RawFeed::from(&self.feed),
            build: RawBuild::from(&self.build),
            cities: self.city.iter().cloned().collect(),
            agencies: self
                .agency
                .iter()
                .map(|(name, url)| {
                    let agency = RawAgency {
                        url: url.clone(),
                        title: None,
                    };
                    (name.clone(), agency)
                })
                .collect(),
            feeds: None,
        }
    }
}

/// Parses `NAME=VALUE`.
fn key_value(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
            Ok((k.trim().to_string(), v.trim().to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{arg}`")),
    }
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
        raw.build
            .ledger
            .get_or_insert_with(|| PathBuf::from(super::DEFAULT_LEDGER));
        for p in [
            &mut raw.build.articles,
            &mut raw.build.out,
            &mut raw.build.ledger,
        ]
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

    /// The defaults of every setting that has one of its own.
    pub fn defaults() -> Self {
        RawConfig {
            feed: RawFeed::defaults(),
            build: RawBuild::defaults(),
            ..RawConfig::default()
        }
    }

    /// Lays `over` (e.g. command-line flags) over `self`: set fields of `over` win; map
    /// entries are added or replaced one by one.
    pub fn overlay(&mut self, over: &RawConfig) {
        self.feed.overlay(&over.feed);
        self.build.overlay(&over.build);
        self.cities.extend(over.cities.clone());
        self.agencies.extend(over.agencies.clone());
        if over.feeds.is_some() {
            self.feeds.clone_from(&over.feeds);
        }
    }

    /// Whether the setting with the dotted key (`feed.limit`) is set.
    pub fn is_set(&self, key: &str) -> bool {
        match key.split_once('.') {
            Some(("feed", field)) => self.feed.is_set(field),
            Some(("build", field)) => self.build.is_set(field),
            _ => match key {
                "cities" => !self.cities.is_empty(),
                "agencies" => !self.agencies.is_empty(),
                _ => false,
            },
        }
    }
}

/// The catalogue of every setting: key, flag, default and doc, in declaration order.
pub fn settings() -> Vec<Setting> {
    let command = SettingsArgs::augment_args(clap::Command::new("wirefeed"));
    let flag = |id: &str| {
        command
            .get_arguments()
            .find(|a| a.get_id() == id)
            .and_then(|a| a.get_long())
            .map(|long| format!("--{long}"))
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (table, catalogue) in [
        ("feed", RawFeed::catalogue()),
        ("build", RawBuild::catalogue()),
    ] {
        for (field, default, doc) in catalogue {
            out.push(Setting {
                key: format!("{table}.{field}"),
                flag: flag(field),
                default,
                doc,
            });
        }
    }
    out.push(Setting {
        key: "cities".into(),
        flag: flag("city"),
        default: "built-in table",
        doc: "Add or override dateline cities: `\"NAME\" = \"Zone\"`.",
    });
    out.push(Setting {
        key: "agencies".into(),
        flag: flag("agency"),
        default: "none",
        doc: "The agency's own feed: `[agencies.\"NAME\"] url, title`.",
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        settings: SettingsArgs,
    }

    fn flags(args: &[&str]) -> RawConfig {
        let argv = std::iter::once("wirefeed").chain(args.iter().copied());
        Cli::try_parse_from(argv).unwrap().settings.to_raw()
    }

    /// A value each flag accepts; a switch takes none.
    fn sample(flag: &str) -> Option<&'static str> {
        match flag {
            "--no-cache" | "--follow-symlinks" | "--no-copy-photos" | "--tag-feeds"
            | "--no-stylesheet" | "--no-front-pages" | "--ping" | "--no-ledger" | "--archives" => {
                None
            }
            "--limit" | "--max-file-size" | "--lock-timeout" | "--max-photo-size"
            | "--tombstone-days" => Some("7"),
            "--min-stories-ratio" => Some("0.25"),
            "--city" | "--agency" => Some("A=B"),
            _ => Some("x"),
        }
    }

    #[test]
    fn every_setting_has_a_flag_that_sets_it() {
        for s in settings() {
            assert!(s.flag.starts_with("--"), "{} has no flag", s.key);
            let mut argv = vec![s.flag.as_str()];
            argv.extend(sample(&s.flag));
            let raw = flags(&argv);
            assert!(raw.is_set(&s.key), "{} does not reach {}", s.flag, s.key);
            // …and only that one.
            let others = settings().into_iter().filter(|o| o.key != s.key);
            for o in others {
                assert!(!raw.is_set(&o.key), "{} also sets {}", s.flag, o.key);
            }
        }
    }

    /// The README's configuration table has a row per setting, with its flag and default, and
    /// no row for a setting that does not exist: the manual cannot drift from the code.
    #[test]
    fn readme_documents_every_setting() {
        let readme = include_str!("../../README.md");
        let rows: Vec<&str> = readme
            .lines()
            .filter(|l| l.starts_with("| `") && l.contains("` | `--"))
            .collect();
        let all = settings();
        for s in &all {
            let row = rows
                .iter()
                .find(|r| r.starts_with(&format!("| `{}` |", s.key)))
                .unwrap_or_else(|| panic!("README has no row for `{}`", s.key));
            assert!(
                row.contains(&format!("| `{}", s.flag)),
                "README row of `{}` lacks {}: {row}",
                s.key,
                s.flag
            );
            assert!(
                row.contains(&format!("| {} |", s.default)),
                "README row of `{}` lacks the default {}: {row}",
                s.key,
                s.default
            );
        }
        for row in rows {
            assert!(
                all.iter()
                    .any(|s| row.starts_with(&format!("| `{}` |", s.key))),
                "README documents a setting that does not exist: {row}"
            );
        }
    }

    #[test]
    fn flags_win_over_the_file_and_keep_what_they_do_not_set() {
        let mut raw = RawConfig::parse("[feed]\nlimit = 10\ntitle = \"T\"\n").unwrap();
        raw.overlay(&flags(&["--limit", "3", "--no-cache"]));
        assert_eq!(raw.feed.limit, Some(3));
        assert_eq!(raw.feed.title.as_deref(), Some("T"));
        assert_eq!(raw.build.cache, Some(false));
    }

    #[test]
    fn absent_switches_leave_the_file_alone() {
        let mut raw = RawConfig::parse("[build]\ncache = false\nfollow_symlinks = true\n").unwrap();
        raw.overlay(&flags(&[]));
        assert_eq!(raw.build.cache, Some(false));
        assert_eq!(raw.build.follow_symlinks, Some(true));
    }

    #[test]
    fn formats_take_a_list() {
        let raw = flags(&["--format", "rss,json", "--format", "atom"]);
        assert_eq!(
            raw.build.formats,
            Some(vec!["rss".into(), "json".into(), "atom".into()])
        );
    }
}
