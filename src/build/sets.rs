//! Feed sets: which folders of feeds a build writes, and which stories each one holds.
//!
//! One scan serves every set: a set is a filter over the facts the scan already holds (each
//! story's language, city, agency and tags as 64-bit keys), so choosing the newest stories of
//! twenty sets is twenty passes over integers, and each chosen story is read once however many
//! sets carry it.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use url::Url;

use super::Dated;
use crate::article::cities::CityTable;
use crate::article::facets::{self, language_matches};
use crate::article::meta;
use crate::article::{Article, ArticleError, ArticleErrorKind, TagClash};
use crate::cache::StoryFacts;
use crate::config::feed_sets::TAGS_FOLDER;
use crate::config::{Config, FeedSetSpec};
use crate::corpus::Archive;
use crate::feed::Format;

/// What a set is, for the front pages' links between sets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum SetKind {
    /// Every story (the default root set, or a declared set without a filter).
    All,
    /// The stories of one language.
    Language(String),
    /// The stories of one tag.
    Tag,
    /// A declared set with another filter.
    Other,
}

/// A feed set of this build.
#[derive(Debug, Clone)]
pub(crate) struct FeedSet {
    /// Name, for the summary.
    pub name: String,
    /// Folder under the output folder, `/`-separated; empty for the root.
    pub path: String,
    /// Title of its feeds and page.
    pub title: String,
    /// Description of its feeds and page.
    pub description: String,
    /// Language of its feeds and page.
    pub language: String,
    /// Formats written.
    pub formats: Vec<Format>,
    /// Entries per feed.
    pub limit: usize,
    /// What it is.
    pub kind: SetKind,
    filter: KeyFilter,
}

/// A filter with every value turned into the key the scan's facts hold.
#[derive(Debug, Clone, Default)]
struct KeyFilter {
    languages: Vec<String>,
    tags: Vec<u64>,
    cities: Vec<u64>,
    agencies: Vec<u64>,
}

impl KeyFilter {
    fn new(spec: &crate::config::Filter, cities: &CityTable) -> Self {
        KeyFilter {
            languages: spec.languages.clone(),
            tags: spec.tags.iter().map(|t| facets::tag_key(t)).collect(),
            cities: spec
                .cities
                .iter()
                .map(|c| facets::city_key(cities, c))
                .collect(),
            agencies: spec
                .agencies
                .iter()
                .map(|a| facets::agency_key(a))
                .collect(),
        }
    }

    /// Whether a story's facets pass: every key given, by any of its values.
    fn matches(&self, lang: &str, city: u64, agency: u64, tags: &[u64]) -> bool {
        (self.languages.is_empty() || self.languages.iter().any(|l| language_matches(l, lang)))
            && (self.cities.is_empty() || self.cities.contains(&city))
            && (self.agencies.is_empty() || self.agencies.contains(&agency))
            && (self.tags.is_empty() || tags.iter().any(|t| self.tags.contains(t)))
    }
}

impl FeedSet {
    /// Whether a scanned story (by its facts) belongs to the set.
    pub(crate) fn takes(&self, f: &StoryFacts, default_lang: &str) -> bool {
        self.filter
            .matches(f.lang(default_lang), f.city, f.agency, f.tag_keys())
    }

    /// Whether a story read in full still belongs to the set: the file may have changed
    /// since the scan (or the cache lied), and a set must never carry a story it filters out.
    pub(crate) fn still_takes(&self, a: &Article, cities: &CityTable) -> bool {
        let tags: Vec<u64> = a.meta.tags.iter().map(|t| facets::tag_key(t)).collect();
        self.filter.matches(
            &a.lang,
            facets::city_key(cities, &a.dateline.city),
            facets::agency_key(&a.dateline.agency),
            &tags,
        )
    }

    /// The set's folder URL (where its front page is): under the feeds' URL.
    pub(crate) fn url(&self, config: &Config) -> Url {
        if self.path.is_empty() {
            return config.feeds_url.clone();
        }
        // The path is plain ASCII names (checked, or a slug), so joining cannot leave the
        // feeds' folder or be read as a scheme.
        config
            .feeds_url
            .join(&format!("./{}/", self.path))
            .unwrap_or_else(|_| config.feeds_url.clone())
    }

    /// The public URL of one of its feeds.
    pub(crate) fn feed_url(&self, config: &Config, format: Format) -> Url {
        let base = self.url(config);
        base.join(&format!("./{}", config.file_name(format)))
            .unwrap_or(base)
    }
}

/// A language's name in itself, for titles and links; the tag for any other language.
pub(crate) fn language_name(tag: &str) -> &str {
    let primary = tag.split('-').next().unwrap_or(tag);
    match primary.to_ascii_lowercase().as_str() {
        "ru" => "Русский",
        "tg" => "Тоҷикӣ",
        "en" => "English",
        "uz" => "Oʻzbekcha",
        "fa" => "فارسی",
        "ky" => "Кыргызча",
        "kk" => "Қазақша",
        _ => tag,
    }
}

/// The sets of this build: the declared ones, or the root and one per language (when the
/// archive has more than one), then one per tag when `tag_feeds` is on. Two tags with the same
/// folder are errors, and neither gets a set.
pub(crate) fn plan(
    config: &Config,
    formats: &[Format],
    archive: &Archive,
    scanned: &crate::corpus::ScanList,
    stories: &[Dated],
    cities: &CityTable,
    errors: &mut Vec<ArticleError>,
) -> Vec<FeedSet> {
    let mut sets = match &config.feed_sets {
        Some(specs) => specs
            .iter()
            .map(|spec| declared(config, formats, spec, cities))
            .collect(),
        None => default_sets(config, formats, scanned, stories),
    };
    if config.tag_feeds {
        sets.extend(tag_sets(config, formats, archive, scanned, stories, errors));
    }
    sets
}

fn declared(
    config: &Config,
    formats: &[Format],
    spec: &FeedSetSpec,
    cities: &CityTable,
) -> FeedSet {
    let f = &spec.filter;
    let only_language = (f.languages.len() == 1
        && f.tags.is_empty()
        && f.cities.is_empty()
        && f.agencies.is_empty())
    .then(|| f.languages[0].clone());
    let kind = if f.is_empty() {
        SetKind::All
    } else if let Some(lang) = &only_language {
        SetKind::Language(lang.clone())
    } else {
        SetKind::Other
    };
    FeedSet {
        name: spec.name.clone(),
        path: spec.path.clone(),
        title: spec.title.clone().unwrap_or_else(|| config.title.clone()),
        description: spec
            .description
            .clone()
            .unwrap_or_else(|| config.description.clone()),
        language: spec
            .language
            .clone()
            .or(only_language)
            .unwrap_or_else(|| config.story.language.clone()),
        formats: spec.formats.clone().unwrap_or_else(|| formats.to_vec()),
        limit: spec.limit.unwrap_or(config.limit),
        kind,
        filter: KeyFilter::new(f, cities),
    }
}

fn default_sets(
    config: &Config,
    formats: &[Format],
    scanned: &crate::corpus::ScanList,
    stories: &[Dated],
) -> Vec<FeedSet> {
    let root = FeedSet {
        name: "all".into(),
        path: String::new(),
        title: config.title.clone(),
        description: config.description.clone(),
        language: config.story.language.clone(),
        formats: formats.to_vec(),
        limit: config.limit,
        kind: SetKind::All,
        filter: KeyFilter::default(),
    };
    let default_lang = config.story.language.as_str();
    // Languages by their lower-case tag, so `en` and `EN` from two sidecars are one set.
    let mut languages: BTreeMap<String, &str> = BTreeMap::new();
    for s in stories {
        let lang = s.facts(scanned).lang(default_lang);
        if !languages.contains_key(lang) {
            languages.entry(lang.to_ascii_lowercase()).or_insert(lang);
        }
    }
    let mut sets = vec![root];
    if languages.len() > 1 {
        for (path, tag) in languages {
            if crate::config::feed_sets::check_path("", &path, config.tag_feeds).is_err() {
                continue;
            }
            sets.push(FeedSet {
                name: path.clone(),
                title: format!("{} ({})", config.title, language_name(tag)),
                description: config.description.clone(),
                language: tag.to_string(),
                formats: formats.to_vec(),
                limit: config.limit,
                kind: SetKind::Language(tag.to_string()),
                filter: KeyFilter {
                    languages: vec![tag.to_string()],
                    ..KeyFilter::default()
                },
                path,
            });
        }
    }
    sets
}

/// The sets of the tags of the archive's stories, by folder; tags that differ only in the
/// ways [`facets::tag_key`] ignores are one tag, shown in their first spelling by byte order.
fn tag_sets(
    config: &Config,
    formats: &[Format],
    archive: &Archive,
    scanned: &crate::corpus::ScanList,
    stories: &[Dated],
    errors: &mut Vec<ArticleError>,
) -> Vec<FeedSet> {
    // key → (spelling, a story carrying it)
    let mut tags: HashMap<u64, (&str, usize)> = HashMap::new();
    for s in stories {
        let facts = s.facts(scanned);
        for (tag, key) in facts.tags().iter().zip(facts.tag_keys()) {
            let e = tags.entry(*key).or_insert((tag, s.index()));
            if tag.as_str() < e.0 {
                *e = (tag, s.index());
            }
        }
    }
    let mut by_slug: BTreeMap<String, Vec<(u64, &str, usize)>> = BTreeMap::new();
    for (key, (tag, index)) in tags {
        let mut slug = crate::slug::slug(tag);
        if slug.is_empty() {
            // A tag with nothing to transliterate (all punctuation, or another script) still
            // needs a stable folder: its key, which never changes.
            slug = format!("tag-{:016x}", key);
        }
        by_slug.entry(slug).or_default().push((key, tag, index));
    }
    let mut sets = Vec::new();
    for (slug, mut group) in by_slug {
        group.sort_by(|a, b| a.1.cmp(b.1));
        if let [(key, tag, _)] = group[..] {
            sets.push(FeedSet {
                name: format!("#{tag}"),
                path: format!("{TAGS_FOLDER}/{slug}"),
                title: format!("{}: {tag}", config.title),
                description: config.description.clone(),
                language: config.story.language.clone(),
                formats: formats.to_vec(),
                limit: config.limit,
                kind: SetKind::Tag,
                filter: KeyFilter {
                    tags: vec![key],
                    ..KeyFilter::default()
                },
            });
            continue;
        }
        for (i, (_, tag, index)) in group.iter().enumerate() {
            let (_, other, other_index) = group[(i + 1) % group.len()];
            let rel = scanned.path_at(*index);
            errors.push(ArticleError {
                path: meta::sidecar_of(&archive.path_of(rel)),
                line: None,
                column: None,
                kind: ArticleErrorKind::TagSlug(Box::new(TagClash {
                    tag: tag.to_string(),
                    other: other.to_string(),
                    other_file: meta::sidecar_of(std::path::Path::new(
                        scanned.path_at(other_index),
                    ))
                    .to_string_lossy()
                    .into_owned(),
                    slug: slug.clone(),
                })),
            });
        }
    }
    sets
}

/// The stories of one set: positions in the newest-first list.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    /// The newest `limit` matching stories, newest first.
    pub chosen: Vec<usize>,
    /// Every matching story.
    pub matched: usize,
}

/// Chooses each set's newest stories (its `limit`) from the stories sorted newest first, one
/// set per core at a time.
pub(crate) fn select(
    sets: &[FeedSet],
    (stories, scanned): (&[Dated], &crate::corpus::ScanList),
    default_lang: &str,
) -> Vec<Selection> {
    sets.par_iter()
        .map(|set| {
            let mut sel = Selection::default();
            for (pos, s) in stories.iter().enumerate() {
                if set.takes(s.facts(scanned), default_lang) {
                    sel.matched += 1;
                    if sel.chosen.len() < set.limit {
                        sel.chosen.push(pos);
                    }
                }
            }
            sel
        })
        .collect()
}

/// The stories of each set that writes a Google News sitemap published in the 48 hours up to
/// the build clock `now` (positions in the newest-first list, newest first); empty for the
/// other sets, and for all without a clock. Not limited to the set's `limit`: Google wants
/// every story of the two days.
pub(crate) fn select_news(
    sets: &[FeedSet],
    (stories, scanned): (&[Dated], &crate::corpus::ScanList),
    default_lang: &str,
    now: Option<i64>,
) -> Vec<Vec<usize>> {
    sets.par_iter()
        .map(|set| {
            let Some(now) = now.filter(|_| set.formats.contains(&Format::NewsSitemap)) else {
                return Vec::new();
            };
            let from = now - crate::feed::sitemap::WINDOW_SECS;
            stories
                .iter()
                .enumerate()
                // Newest first: the future first, then the window, then the past.
                .skip_while(|(_, s)| s.secs() > now)
                .take_while(|(_, s)| s.secs() > from)
                .filter(|(_, s)| set.takes(s.facts(scanned), default_lang))
                .map(|(pos, _)| pos)
                .collect()
        })
        .collect()
}

/// When the 48-hour window of the news sitemaps next changes after `now` (seconds): a story
/// in it leaves, or a story dated later enters; `None` when no story ever will.
pub(crate) fn news_window_moves(stories: &[Dated], now: i64) -> Option<i64> {
    let from = now - crate::feed::sitemap::WINDOW_SECS;
    stories
        .iter()
        .map(|s| s.secs())
        .filter(|t| *t > from)
        .map(|t| {
            if t > now {
                t
            } else {
                t + crate::feed::sitemap::WINDOW_SECS
            }
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::lang::Detected;
    use crate::cache::{Facts, FileStamp, StoryFacts};
    use crate::config::RawConfig;
    use crate::corpus::{ScanList, Scanned};

    fn config(extra: &str) -> Config {
        let text = format!("[feed]\nsite_url = \"https://e.org/\"\n{extra}");
        Config::from_raw(&RawConfig::parse(&text).unwrap()).unwrap()
    }

    /// A scanned story `secs` after 2025-01-01, in `lang`, datelined in `city`, with `tags`.
    fn story<'a>(
        rel: &'a str,
        secs: i64,
        lang: Detected,
        city: &str,
        tags: &[&str],
    ) -> (&'a str, Scanned) {
        let cities = CityTable::default();
        let facts = StoryFacts::new(0, 1_735_689_600 + secs, 18_000, None, vec![], None)
            .with_facets(
                (
                    lang,
                    facets::city_key(&cities, city),
                    facets::agency_key("Ховар"),
                ),
                None,
                tags.iter().map(|t| t.to_string()).collect(),
            );
        (
            rel,
            Scanned {
                rel_path: crate::file_list::RelPath::default(),
                stamp: FileStamp::default(),
                facts: Facts::Story(facts),
            },
        )
    }

    fn dated(scanned: &ScanList) -> Vec<Dated> {
        scanned
            .iter()
            .enumerate()
            .map(|(index, s)| match &s.facts {
                Facts::Story(facts) => Dated::new(u32::try_from(index).unwrap(), facts),
                _ => unreachable!("stories only"),
            })
            .collect()
    }

    fn plan_for(c: &Config, scanned: &ScanList) -> (Vec<FeedSet>, Vec<ArticleError>) {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path(), false).unwrap();
        let mut errors = Vec::new();
        let stories = dated(scanned);
        let cities = CityTable::default();
        let sets = plan(
            c,
            &[Format::Rss],
            &archive,
            scanned,
            &stories,
            &cities,
            &mut errors,
        );
        (sets, errors)
    }

    #[test]
    fn the_news_window_takes_every_story_of_48_hours_and_says_when_it_moves() {
        let day = 24 * 3600;
        // Newest first, as the build sorts them: one in the future, three in the window (one
        // Tajik), one just out of it.
        let scanned = ScanList::of([
            story(
                "future.txt",
                10 * day + 60,
                Detected::Russian,
                "ДУШАНБЕ",
                &[],
            ),
            story("a.txt", 10 * day, Detected::Russian, "ДУШАНБЕ", &[]),
            story("b.txt", 9 * day, Detected::Tajik, "ДУШАНБЕ", &[]),
            story("c.txt", 8 * day + 1, Detected::Russian, "ДУШАНБЕ", &[]),
            story("old.txt", 8 * day, Detected::Russian, "ДУШАНБЕ", &[]),
        ]);
        let (mut sets, _) = plan_for(&config(""), &scanned);
        for set in &mut sets {
            set.formats.push(Format::NewsSitemap);
        }
        let stories = dated(&scanned);
        let now = 1_735_689_600 + 10 * day;
        let news = select_news(&sets, (&stories, &scanned), "ru", Some(now));
        // The root, then the Russian and Tajik sets, each with its own; the limit of 50 plays
        // no part.
        let root = sets.iter().position(|s| s.path.is_empty()).unwrap();
        assert_eq!(news[root], [1, 2, 3]);
        let tg = sets.iter().position(|s| s.path == "tg").unwrap();
        assert_eq!(news[tg], [2]);
        assert!(select_news(&sets, (&stories, &scanned), "ru", None)
            .iter()
            .all(Vec::is_empty));
        // A set that does not write the sitemap selects nothing.
        let rss_only = config("");
        let (sets, _) = plan_for(&rss_only, &scanned);
        assert!(select_news(&sets, (&stories, &scanned), "ru", Some(now))
            .iter()
            .all(Vec::is_empty));
        // Next change: c leaves a second from now; without it, the future story enters in a
        // minute, before a leaves.
        assert_eq!(news_window_moves(&stories, now), Some(now + 1));
        assert_eq!(news_window_moves(&stories[..2], now), Some(now + 60));
        assert_eq!(news_window_moves(&stories[4..], now), None);
    }

    #[test]
    fn a_story_matches_any_value_of_a_key_and_must_match_every_key() {
        let cities = CityTable::default();
        let spec = crate::config::Filter {
            languages: vec!["tg".into(), "en".into()],
            cities: vec!["Dushanbe".into()],
            ..Default::default()
        };
        let f = KeyFilter::new(&spec, &cities);
        let dushanbe = facets::city_key(&cities, "ДУШАНБЕ");
        let khujand = facets::city_key(&cities, "Худжанд");
        assert!(f.matches("tg", dushanbe, 0, &[]));
        assert!(f.matches("en-GB", dushanbe, 0, &[]));
        assert!(!f.matches("ru", dushanbe, 0, &[]), "every key");
        assert!(!f.matches("tg", khujand, 0, &[]), "every key");
        assert!(
            KeyFilter::default().matches("xx", 1, 2, &[3]),
            "no key: every story"
        );
        let tags = KeyFilter::new(
            &crate::config::Filter {
                tags: vec!["Экономика".into()],
                ..Default::default()
            },
            &cities,
        );
        assert!(tags.matches("ru", 0, 0, &[1, facets::tag_key("экономика")]));
        assert!(!tags.matches("ru", 0, 0, &[]));
    }

    #[test]
    fn a_set_per_language_only_when_the_archive_has_two() {
        let c = config("");
        let one = ScanList::of([story("a.txt", 1, Detected::Russian, "ДУШАНБЕ", &[])]);
        let (sets, _) = plan_for(&c, &one);
        assert_eq!(sets.len(), 1);
        assert_eq!((sets[0].path.as_str(), &sets[0].kind), ("", &SetKind::All));
        let three = ScanList::of([
            story("a.txt", 1, Detected::Russian, "ДУШАНБЕ", &[]),
            story("b.txt", 2, Detected::Tajik, "ДУШАНБЕ", &[]),
            story("c.txt", 3, Detected::English, "ДУШАНБЕ", &[]),
            // No letters: the configured language.
            story("d.txt", 4, Detected::NoLetters, "ДУШАНБЕ", &[]),
        ]);
        let (sets, _) = plan_for(&c, &three);
        let paths: Vec<&str> = sets.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, ["", "en", "ru", "tg"]);
        assert_eq!(sets[3].title, format!("{} (Тоҷикӣ)", c.title));
        assert_eq!(sets[3].language, "tg");
        let stories = dated(&three);
        let sel = select(&sets, (&stories, &three), "ru");
        assert_eq!(
            sel.iter().map(|s| s.matched).collect::<Vec<_>>(),
            [4, 1, 2, 1]
        );
    }

    #[test]
    fn declared_sets_replace_the_defaults() {
        let c = config("[[feeds]]\nname = \"x\"\npath = \"x\"\ncities = [\"Khujand\"]\n");
        let scanned = ScanList::of([
            story("a.txt", 1, Detected::Russian, "ХУДЖАНД", &[]),
            story("b.txt", 2, Detected::Tajik, "ХУҶАНД", &[]),
            story("c.txt", 3, Detected::Tajik, "ДУШАНБЕ", &[]),
        ]);
        let (sets, _) = plan_for(&c, &scanned);
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].kind, SetKind::Other);
        let stories = dated(&scanned);
        assert_eq!(select(&sets, (&stories, &scanned), "ru")[0].chosen, [0, 1]);
        let one = [FeedSet {
            limit: 1,
            ..sets[0].clone()
        }];
        assert_eq!(select(&one, (&stories, &scanned), "ru")[0].chosen, [0]);
    }

    #[test]
    fn tags_sharing_a_folder_get_none_and_a_tag_without_letters_gets_its_key() {
        let c = config("[build]\ntag_feeds = true\n");
        let scanned = ScanList::of([
            story(
                "a.txt",
                1,
                Detected::Russian,
                "ДУШАНБЕ",
                &["ИКТ & связь", "Экономика"],
            ),
            story(
                "b.txt",
                2,
                Detected::Russian,
                "ДУШАНБЕ",
                &["ИКТ, связь", "экономика"],
            ),
            story("c.txt", 3, Detected::Russian, "ДУШАНБЕ", &["北京"]),
        ]);
        let (sets, errors) = plan_for(&c, &scanned);
        let paths: Vec<&str> = sets.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths[..2], ["", "tags/ekonomika"]);
        assert!(paths[2].starts_with("tags/tag-"), "{paths:?}");
        assert_eq!(paths.len(), 3);
        // One spelling names the tag: the first by byte order.
        assert_eq!(sets[1].name, "#Экономика");
        assert_eq!(errors.len(), 2);
        let message = errors[0].to_string();
        assert!(
            message.contains("«ИКТ & связь» and tag «ИКТ, связь»") && message.contains("b.toml"),
            "{message}"
        );
        // The same input, the same folders.
        let (again, _) = plan_for(&c, &scanned);
        assert_eq!(
            again.iter().map(|s| &s.path).collect::<Vec<_>>(),
            sets.iter().map(|s| &s.path).collect::<Vec<_>>()
        );
    }
}
