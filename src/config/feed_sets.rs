//! `[[feeds]]`: the feed sets a build writes, each a folder of feeds over a filtered part of
//! the archive (one language, some tags, cities or agencies).
//!
//! Only the declaration is checked here; which stories a set holds is decided per build (see
//! `build::sets`), because the default sets depend on the languages present in the archive.

use std::collections::HashSet;

use serde::Deserialize;

use super::{check_formats, ConfigError};
use crate::format::Format;

/// Folders of the output that a feed set must not take: the photo copies' folder.
const RESERVED: &[&str] = &["media"];

/// The folder of tag feeds (`tags/<slug>/`), reserved when `tag_feeds` is on.
pub const TAGS_FOLDER: &str = "tags";

/// One `[[feeds]]` table as written.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawFeedSet {
    /// Name, for the summary and messages.
    pub name: Option<String>,
    /// Subfolder of the output folder (`""` is the root).
    pub path: Option<String>,
    /// Title (default: the `[feed]` title).
    pub title: Option<String>,
    /// Description (default: the `[feed]` description).
    pub description: Option<String>,
    /// Language tag of the feeds (default: the one language filtered on, else `[feed]`'s).
    pub language: Option<String>,
    /// Formats (default: `[build] formats`).
    pub formats: Option<Vec<String>>,
    /// Entries per feed (default: `[feed] limit`).
    pub limit: Option<usize>,
    /// Stories in any of these languages.
    pub languages: Option<Vec<String>>,
    /// Stories with any of these tags.
    pub tags: Option<Vec<String>>,
    /// Stories datelined in any of these cities (any spelling the city table knows).
    pub cities: Option<Vec<String>>,
    /// Stories from any of these agencies.
    pub agencies: Option<Vec<String>>,
}

/// Which stories a feed set holds: those that match every key given, where a story matches a
/// key when it matches any of the key's values. No key: every story.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// Language tags (a primary tag takes its regional forms).
    pub languages: Vec<String>,
    /// Tags, as written.
    pub tags: Vec<String>,
    /// City names, in any spelling.
    pub cities: Vec<String>,
    /// Agency names.
    pub agencies: Vec<String>,
}

impl Filter {
    /// Whether the filter takes every story.
    pub fn is_empty(&self) -> bool {
        self.languages.is_empty()
            && self.tags.is_empty()
            && self.cities.is_empty()
            && self.agencies.is_empty()
    }
}

/// A declared feed set, checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedSetSpec {
    /// Name.
    pub name: String,
    /// Subfolder of the output folder, `/`-separated, without leading or trailing `/`; empty
    /// for the root.
    pub path: String,
    /// Title, if not the site's.
    pub title: Option<String>,
    /// Description, if not the site's.
    pub description: Option<String>,
    /// Language tag, if not the site's.
    pub language: Option<String>,
    /// Formats, if not the build's.
    pub formats: Option<Vec<Format>>,
    /// Entries per feed, if not `[feed] limit`.
    pub limit: Option<usize>,
    /// Which stories it holds.
    pub filter: Filter,
}

fn invalid(key: &'static str, value: &str, problem: String) -> ConfigError {
    ConfigError::Invalid {
        key,
        value: value.escape_debug().to_string(),
        problem,
    }
}

/// A feed set's folder: plain names joined by `/`, so that it can never leave the output
/// folder, be hidden (the cache's and the lock's names are) or need escaping in a URL.
pub fn check_path(name: &str, path: &str, tag_feeds: bool) -> Result<String, ConfigError> {
    let trimmed = path.trim_matches('/');
    let bad_segment = trimmed.split('/').find(|s| {
        s.is_empty()
            || s.starts_with('.')
            || !s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    });
    if !trimmed.is_empty() && bad_segment.is_some() || trimmed.len() > 200 {
        return Err(invalid(
            "feeds.path",
            path,
            format!("feed set `{name}`: a folder is ASCII letters, digits, `-`, `_` and `.` in names joined by `/`, none starting with `.` (e.g. `ru` or `topics/economy`); `\"\"` is the output folder itself"),
        ));
    }
    let first = trimmed.split('/').next().unwrap_or_default();
    let reserved = RESERVED.contains(&first) || (tag_feeds && first == TAGS_FOLDER);
    if reserved {
        return Err(invalid(
            "feeds.path",
            path,
            format!(
                "feed set `{name}`: `{first}/` is where wirefeed writes {} ; choose another folder",
                if first == TAGS_FOLDER {
                    "the tag feeds (`tag_feeds`)"
                } else {
                    "the photo copies"
                }
            ),
        ));
    }
    Ok(trimmed.to_string())
}

fn check_list(
    key: &'static str,
    set: &str,
    list: &Option<Vec<String>>,
) -> Result<Vec<String>, ConfigError> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    if list.is_empty() {
        return Err(invalid(
            key,
            "[]",
            format!("feed set `{set}`: an empty list matches no story; remove the key to take every story"),
        ));
    }
    list.iter()
        .map(|v| {
            let v = v.trim();
            if v.is_empty() || v.chars().any(char::is_control) {
                Err(invalid(
                    key,
                    v,
                    format!("feed set `{set}`: values are non-empty text"),
                ))
            } else {
                Ok(v.to_string())
            }
        })
        .collect()
}

fn check_text(
    key: &'static str,
    set: &str,
    text: &Option<String>,
) -> Result<Option<String>, ConfigError> {
    match text {
        Some(t) if t.trim().is_empty() => Err(invalid(
            key,
            t,
            format!("feed set `{set}`: must not be empty (readers show it); remove the key to use `[feed]`'s"),
        )),
        _ => Ok(text.clone()),
    }
}

fn check_language(key: &'static str, set: &str, tag: &str) -> Result<(), ConfigError> {
    if crate::language_tag::is_language_tag(tag) {
        Ok(())
    } else {
        Err(invalid(
            key,
            tag,
            format!("feed set `{set}`: not a language tag (e.g. `ru`, `tg`, `en`)"),
        ))
    }
}

/// Checks the declared feed sets: each has a name and a folder, both unique.
pub fn check(raw: &[RawFeedSet], tag_feeds: bool) -> Result<Vec<FeedSetSpec>, ConfigError> {
    let (mut names, mut paths) = (HashSet::new(), HashSet::new());
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let name = match r.name.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() && !n.chars().any(char::is_control) => n.to_string(),
                _ => {
                    return Err(invalid(
                        "feeds.name",
                        r.name.as_deref().unwrap_or_default(),
                        format!("feed set number {} needs a `name` (text, for the summary and messages)", i + 1),
                    ))
                }
            };
            let Some(path) = &r.path else {
                return Err(invalid(
                    "feeds.path",
                    "",
                    format!("feed set `{name}` needs a `path`: its folder in the output folder (`\"\"` for the output folder itself)"),
                ));
            };
            let path = check_path(&name, path, tag_feeds)?;
            if !names.insert(name.clone()) {
                return Err(invalid("feeds.name", &name, "two feed sets have this name; names must be unique".into()));
            }
            if !paths.insert(path.clone()) {
                return Err(invalid("feeds.path", &path, format!("feed set `{name}` writes to the same folder as another set; each set needs its own")));
            }
            let filter = Filter {
                languages: check_list("feeds.languages", &name, &r.languages)?,
                tags: check_list("feeds.tags", &name, &r.tags)?,
                cities: check_list("feeds.cities", &name, &r.cities)?,
                agencies: check_list("feeds.agencies", &name, &r.agencies)?,
            };
            for tag in &filter.languages {
                check_language("feeds.languages", &name, tag)?;
            }
            if let Some(tag) = &r.language {
                check_language("feeds.language", &name, tag)?;
            }
            let formats = match &r.formats {
                Some(f) if f.is_empty() => {
                    return Err(invalid("feeds.formats", "[]", format!("feed set `{name}`: no format to write; remove the key to write `[build] formats`")))
                }
                Some(f) => Some(check_formats("feeds.formats", f)?),
                None => None,
            };
            if r.limit == Some(0) {
                return Err(invalid("feeds.limit", "0", format!("feed set `{name}`: a feed needs at least one entry")));
            }
            Ok(FeedSetSpec {
                limit: r.limit,
                title: check_text("feeds.title", &name, &r.title)?,
                description: check_text("feeds.description", &name, &r.description)?,
                language: r.language.clone(),
                formats,
                filter,
                path,
                name,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(name: &str, path: &str) -> RawFeedSet {
        RawFeedSet {
            name: Some(name.into()),
            path: Some(path.into()),
            ..RawFeedSet::default()
        }
    }

    #[test]
    fn paths_are_plain_folders() {
        for ok in ["", "ru", "/ru/", "topics/economy", "a-b_c.d"] {
            assert!(check_path("s", ok, false).is_ok(), "{ok}");
        }
        assert_eq!(check_path("s", "/ru/", false).unwrap(), "ru");
        for bad in [
            "..", "a/../b", ".hidden", "a//b", "ру", "a b", "a\\b", "media", "media/x",
        ] {
            let e = check_path("s", bad, false).unwrap_err().to_string();
            assert!(e.contains("feeds.path") && e.contains("`s`"), "{bad}: {e}");
        }
        assert!(check_path("s", "tags/x", false).is_ok());
        let e = check_path("s", "tags/x", true).unwrap_err().to_string();
        assert!(e.contains("tag_feeds"), "{e}");
    }

    #[test]
    fn names_and_paths_are_unique_and_required() {
        assert!(check(&[raw("a", "a"), raw("b", "b")], false).is_ok());
        let e = check(&[raw("a", "x"), raw("a", "y")], false).unwrap_err();
        assert!(e.to_string().contains("unique"), "{e}");
        let e = check(&[raw("a", "x"), raw("b", "/x/")], false).unwrap_err();
        assert!(e.to_string().contains("same folder"), "{e}");
        let no_path = RawFeedSet {
            path: None,
            ..raw("a", "")
        };
        assert!(check(&[no_path], false)
            .unwrap_err()
            .to_string()
            .contains("needs a `path`"));
        let no_name = RawFeedSet {
            name: None,
            ..raw("", "x")
        };
        let e = check(&[no_name], false).unwrap_err().to_string();
        assert!(e.contains("number 1"), "{e}");
    }

    #[test]
    fn filters_are_checked() {
        let set = RawFeedSet {
            languages: Some(vec![" tg ".into()]),
            cities: Some(vec!["Душанбе".into(), "Khujand".into()]),
            formats: Some(vec!["atom".into()]),
            ..raw("tj", "tj")
        };
        let spec = &check(&[set], false).unwrap()[0];
        assert_eq!(spec.filter.languages, ["tg"]);
        assert_eq!(spec.filter.cities.len(), 2);
        assert_eq!(spec.formats.as_deref(), Some(&[Format::Atom][..]));
        for (bad, key) in [
            (
                RawFeedSet {
                    tags: Some(vec![]),
                    ..raw("x", "x")
                },
                "feeds.tags",
            ),
            (
                RawFeedSet {
                    languages: Some(vec!["ru_RU".into()]),
                    ..raw("x", "x")
                },
                "feeds.languages",
            ),
            (
                RawFeedSet {
                    agencies: Some(vec![" ".into()]),
                    ..raw("x", "x")
                },
                "feeds.agencies",
            ),
            (
                RawFeedSet {
                    formats: Some(vec!["pdf".into()]),
                    ..raw("x", "x")
                },
                "feeds.formats",
            ),
            (
                RawFeedSet {
                    title: Some(" ".into()),
                    ..raw("x", "x")
                },
                "feeds.title",
            ),
        ] {
            let e = check(&[bad], false).unwrap_err().to_string();
            assert!(e.contains(key), "{key}: {e}");
        }
    }
}
