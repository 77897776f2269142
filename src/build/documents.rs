//! The documents of a build and where each goes: every feed set's feeds and front page, the
//! OPML list of every feed and the feeds' stylesheet; and how each is made from the models.

use std::path::{Path, PathBuf};

use url::Url;

use super::sets::{language_name, FeedSet, SetKind};
use super::{BuildOptions, Document, Output};
use crate::config::{Config, FRONT_PAGE_FILE, OPML_FILE, STYLESHEET_FILE};
use crate::error::Error;
use crate::feed::{self, opml, page, Entry, Feed, Format};

/// A document to make: what, for which set, and where it goes (`None`: to the caller).
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub document: Document,
    pub set: Option<usize>,
    pub path: Option<PathBuf>,
}

/// Where a set's files go: its folder under the output folder.
pub(crate) fn folder(out_dir: &Path, set: &FeedSet) -> PathBuf {
    if set.path.is_empty() {
        out_dir.to_path_buf()
    } else {
        out_dir.join(&set.path)
    }
}

/// Every document of the build, in a fixed order: each set's feeds then its front page, then
/// the OPML list and the stylesheet. A build to one file or to stdout makes only that feed.
pub(crate) fn plan(
    config: &Config,
    opts: &BuildOptions,
    out_dir: &Path,
    sets: &[FeedSet],
) -> Vec<Planned> {
    match &opts.output {
        Output::Folder => {}
        one => {
            return opts
                .formats
                .iter()
                .map(|format| Planned {
                    document: Document::Feed(*format),
                    set: Some(0),
                    path: match one {
                        Output::File(p) => Some(p.clone()),
                        _ => None,
                    },
                })
                .collect()
        }
    }
    let mut planned = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        let dir = folder(out_dir, set);
        for format in &set.formats {
            planned.push(Planned {
                document: Document::Feed(*format),
                set: Some(i),
                path: Some(dir.join(config.file_name(*format))),
            });
        }
        if config.front_pages {
            planned.push(Planned {
                document: Document::FrontPage,
                set: Some(i),
                path: Some(dir.join(FRONT_PAGE_FILE)),
            });
        }
    }
    planned.push(Planned {
        document: Document::Opml,
        set: None,
        path: Some(out_dir.join(OPML_FILE)),
    });
    if stylesheet_written(config, opts, sets) {
        planned.push(Planned {
            document: Document::Stylesheet,
            set: None,
            path: Some(out_dir.join(STYLESHEET_FILE)),
        });
    }
    planned
}

/// Whether the build writes `feed.xsl` (and points its feeds at it): only beside the feeds it
/// serves, since browsers apply a stylesheet from the feed's own origin only.
fn stylesheet_written(config: &Config, opts: &BuildOptions, sets: &[FeedSet]) -> bool {
    config.stylesheet
        && opts.output == Output::Folder
        && sets
            .iter()
            .flat_map(|s| &s.formats)
            .any(|f| matches!(f, Format::Rss | Format::Atom))
}

/// The public URL of a file in the output folder's root.
fn root_file_url(config: &Config, name: &str) -> Url {
    config
        .feeds_url
        .join(&format!("./{name}"))
        .unwrap_or_else(|_| config.feeds_url.clone())
}

/// The feed model of each set, from the entries chosen for it.
pub(crate) fn feeds(
    config: &Config,
    opts: &BuildOptions,
    sets: &[FeedSet],
    entries: Vec<Vec<Entry>>,
) -> Vec<Feed> {
    let stylesheet =
        stylesheet_written(config, opts, sets).then(|| root_file_url(config, STYLESHEET_FILE));
    sets.iter()
        .zip(entries)
        .map(|(set, entries)| {
            let updated = crate::feed::newest_update(&entries);
            // The root keeps the site as its id and link, as before feed sets; any other set is
            // named by its folder, and its home is its front page when there is one.
            let (site_url, id) = if set.path.is_empty() {
                (config.site_url.clone(), config.site_url.to_string())
            } else {
                let url = set.url(config);
                let home = if config.front_pages && opts.output == Output::Folder {
                    url.clone()
                } else {
                    config.site_url.clone()
                };
                (home, url.to_string())
            };
            Feed {
                title: set.title.clone(),
                description: set.description.clone(),
                site_url,
                language: set.language.clone(),
                id,
                author: config.author.clone(),
                self_urls: Format::EVERY
                    .iter()
                    .map(|f| (*f, set.feed_url(config, *f)))
                    .collect(),
                updated,
                entries,
                stylesheet: stylesheet.clone(),
                hubs: config.hubs.clone(),
                tombstones: Vec::new(),
                history: None,
                branding: config.branding.clone(),
                news: Vec::new(),
            }
        })
        .collect()
}

/// What a reader calls a format.
fn format_label(format: Format) -> &'static str {
    match format {
        Format::Rss => "RSS",
        Format::Atom => "Atom",
        Format::Json => "JSON Feed",
        Format::Ninjs => "ninjs",
        Format::Yandex => "Yandex",
        Format::NewsSitemap => "Google News sitemap",
    }
}

/// The feeds of a set, as links (a reader subscribes to feeds, not to the ninjs stream).
fn feed_links(config: &Config, set: &FeedSet) -> Vec<page::FeedLink> {
    set.formats
        .iter()
        .filter(|f| f.is_feed())
        .map(|f| page::FeedLink {
            format: *f,
            url: set.feed_url(config, *f),
            title: format!("{} ({})", set.title, format_label(*f)),
        })
        .collect()
}

/// The key of the model of each planned document: two builds that give a document the same
/// key render the same bytes for it (the settings, which shape the rest, are in the memo's
/// fingerprint).
pub(crate) fn model_keys(planned: &[Planned], sets: &[FeedSet], models: &[Feed]) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    let mut all = xxhash_rust::xxh3::Xxh3::new();
    // What every page shows of the other sets: their names, folders, titles and languages.
    for set in sets {
        (&set.name, &set.path, &set.title, &set.description).hash(&mut all);
        (&set.language, &set.formats, &set.kind).hash(&mut all);
    }
    let sets_key = all.finish();
    let model_key: Vec<u64> = models
        .iter()
        .map(|m| {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            m.hash(&mut h);
            h.finish()
        })
        .collect();
    planned
        .iter()
        .map(|p| {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            (sets_key, p.document, p.set).hash(&mut h);
            match p.document {
                Document::Feed(_) | Document::FrontPage | Document::SitemapPage(_) => {
                    p.set.map(|i| model_key[i]).hash(&mut h);
                }
                // The list shows every feed's home page and the newest time of all.
                Document::Opml => {
                    for m in models {
                        (&m.site_url, m.updated, m.entries.is_empty()).hash(&mut h);
                    }
                }
                Document::Stylesheet => feed::stylesheet::FEED_XSL.hash(&mut h),
            }
            h.finish()
        })
        .collect()
}

/// The pages of each news sitemap that needs an index (more than 1,000 stories), planned
/// right after the set's index, now that the stories of the last 48 hours are known.
pub(crate) fn plan_sitemap_pages(planned: &mut Vec<Planned>, models: &[Feed]) {
    let mut i = 0;
    while i < planned.len() {
        let p = &planned[i];
        i += 1;
        let (Document::Feed(Format::NewsSitemap), Some(set), Some(index)) =
            (p.document, p.set, p.path.clone())
        else {
            continue;
        };
        let pages = feed::sitemap::pages(&models[set]);
        if pages < 2 {
            continue;
        }
        let dir = index.parent().map(Path::to_path_buf).unwrap_or_default();
        let more: Vec<Planned> = (1..=pages)
            .map(|n| Planned {
                document: Document::SitemapPage(n),
                set: Some(set),
                path: Some(dir.join(feed::sitemap::page_file(n))),
            })
            .collect();
        planned.splice(i..i, more);
        i += pages;
    }
}

/// The plan with, after each news sitemap, the pages of an index that the last build left on
/// disk (`news-sitemap-1.xml`…): what a no-change rerun must find intact, in the order the
/// last build planned them, before the stories tell how many pages there are now.
pub(crate) fn with_pages_on_disk(planned: &[Planned]) -> Vec<Planned> {
    let mut out = Vec::with_capacity(planned.len());
    for p in planned {
        out.push(p.clone());
        if let (Document::Feed(Format::NewsSitemap), Some(index)) = (p.document, &p.path) {
            let pages = pages_on_disk(index);
            out.extend(pages.into_iter().enumerate().map(|(k, path)| Planned {
                document: Document::SitemapPage(k + 1),
                set: p.set,
                path: Some(path),
            }));
        }
    }
    out
}

/// The pages `news-sitemap-1.xml`, `-2`… beside a news sitemap, as long as they exist.
fn pages_on_disk(index: &Path) -> Vec<PathBuf> {
    let dir = index.parent().unwrap_or(Path::new("."));
    (1..)
        .map(|n| dir.join(feed::sitemap::page_file(n)))
        .take_while(|p| p.is_file())
        .collect()
}

/// Removes the pages of a news sitemap that the stories no longer need (the window shrank,
/// or the index became a plain sitemap), so that no stale page stays beside it; returns the
/// files removed.
pub(crate) fn remove_stale_pages(planned: &[Planned], models: &[Feed]) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    for p in planned {
        let (Document::Feed(Format::NewsSitemap), Some(set), Some(index)) =
            (p.document, p.set, &p.path)
        else {
            continue;
        };
        let pages = feed::sitemap::pages(&models[set]);
        let needed = if pages > 1 { pages } else { 0 };
        for stale in pages_on_disk(index).into_iter().skip(needed) {
            if std::fs::remove_file(&stale).is_ok() {
                removed.push(stale);
            }
        }
    }
    removed
}

/// A document made, with what the build should know of how it was made.
pub(crate) struct Rendered {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Notes on how it was made (a Yandex feed that had to leave out items).
    pub notes: Vec<crate::validate::Finding>,
}

/// Makes one document.
pub(crate) fn render(
    planned: &Planned,
    config: &Config,
    sets: &[FeedSet],
    models: &[Feed],
) -> Result<Rendered, Error> {
    // Feeds and front pages are planned with their set; the others need none.
    let i = planned.set.unwrap_or(0);
    let bytes = match planned.document {
        Document::Feed(Format::Yandex) => return yandex_feed(&models[i]),
        Document::Feed(format) => feed::render(&models[i], format)?,
        Document::SitemapPage(n) => feed::sitemap::render_page(&models[i], n)?,
        Document::FrontPage => front_page(config, sets, models, i),
        Document::Opml => opml_list(config, sets, models)?,
        Document::Stylesheet => feed::stylesheet::FEED_XSL.as_bytes().to_vec(),
    };
    Ok(Rendered {
        bytes,
        notes: Vec::new(),
    })
}

/// The Yandex feed, under its size limit: the oldest items that do not fit are left out, and
/// a warning says how many.
fn yandex_feed(model: &Feed) -> Result<Rendered, Error> {
    let (bytes, dropped) = feed::yandex::render_capped(model, feed::yandex::MAX_BYTES)?;
    let notes = (dropped > 0)
        .then(|| crate::validate::Finding {
            severity: crate::validate::Severity::Warning,
            code: "yandex.size",
            message: format!(
                "the {} oldest of {} items were left out to keep the Yandex feed under 10 MB",
                dropped,
                model.entries.len()
            ),
            line: 1,
            column: 1,
        })
        .into_iter()
        .collect();
    Ok(Rendered { bytes, notes })
}

fn front_page(config: &Config, sets: &[FeedSet], models: &[Feed], i: usize) -> Vec<u8> {
    let set = &sets[i];
    let root = sets.iter().position(|s| s.path.is_empty());
    // Links between the pages of one reader's choices: every language, and all of them.
    let language_pages: Vec<page::PageLink> = sets
        .iter()
        .enumerate()
        .filter_map(|(j, s)| {
            // The page names the all-languages link in its own words.
            let (lang, label) = match &s.kind {
                SetKind::All if s.path.is_empty() => (None, String::new()),
                SetKind::Language(tag) => (Some(tag.clone()), language_name(tag).to_string()),
                _ => return None,
            };
            Some(page::PageLink {
                lang,
                label,
                url: s.url(config),
                current: j == i,
            })
        })
        .collect();
    page::render(&page::Page {
        feed: &models[i],
        url: set.url(config),
        feeds: feed_links(config, set),
        root_feeds: match root {
            Some(r) if r != i => feed_links(config, &sets[r]),
            _ => Vec::new(),
        },
        languages: if language_pages.len() > 1 {
            language_pages
        } else {
            Vec::new()
        },
        opml: Some(root_file_url(config, OPML_FILE)),
    })
}

fn opml_list(config: &Config, sets: &[FeedSet], models: &[Feed]) -> Result<Vec<u8>, Error> {
    let groups = sets
        .iter()
        .zip(models)
        .map(|(set, model)| {
            let home = model.site_url.clone();
            opml::OpmlGroup {
                title: set.title.clone(),
                // A subscription list lists feeds; the aggregators' documents are not for readers.
                feeds: set
                    .formats
                    .iter()
                    .filter(|f| f.is_feed())
                    .map(|f| opml::OpmlFeed {
                        title: format!("{} ({})", set.title, format_label(*f)),
                        format: *f,
                        xml_url: set.feed_url(config, *f),
                        html_url: Some(home.clone()),
                        language: Some(set.language.clone()),
                        description: Some(set.description.clone()),
                    })
                    .collect(),
            }
        })
        .collect();
    opml::render(&opml::Opml {
        title: config.title.clone(),
        // The newest story's time, not the clock's: the same input gives the same bytes.
        date_modified: models
            .iter()
            .filter(|m| !m.entries.is_empty())
            .map(|m| m.updated)
            .max(),
        owner_name: config.author.clone(),
        groups,
    })
}
