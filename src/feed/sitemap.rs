//! The Google News sitemap, written with `quick-xml`'s writer: a sitemap 0.9 `urlset` with the
//! news 0.9 extension, one `url` per story of the last 48 hours ([`Feed::news`]).
//!
//! Google reads at most [`MAX_NEWS_URLS`] `news:news` per file: with more stories the feed
//! set's `news-sitemap.xml` becomes a sitemap index of pages `news-sitemap-1.xml`,
//! `news-sitemap-2.xml`… of that many each, newest first.

use std::io;

use chrono::SecondsFormat;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use url::Url;

use super::{Entry, Feed, Format, Renderer};

/// Namespace of sitemaps (sitemaps.org 0.9).
pub const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// Namespace of Google's news extension of sitemaps.
pub const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

/// Most `news:news` elements Google reads in one sitemap.
pub const MAX_NEWS_URLS: usize = 1000;

/// How long a story stays in the news sitemap: Google wants the articles of the last two days.
pub const WINDOW_SECS: i64 = 48 * 3600;

/// Writes the news sitemap (or, with more than [`MAX_NEWS_URLS`] stories, its index).
#[derive(Debug, Clone, Copy)]
pub struct SitemapRenderer;

impl Renderer for SitemapRenderer {
    fn render(&self, feed: &Feed) -> Result<Vec<u8>, crate::Error> {
        if pages(feed) > 1 {
            render_index(feed)
        } else {
            render_page(feed, 0)
        }
    }
}

/// How many `urlset` pages the stories need: 1 without an index.
pub fn pages(feed: &Feed) -> usize {
    feed.news.len().div_ceil(MAX_NEWS_URLS).max(1)
}

/// The file name of page `n` (from 1) of an index.
pub fn page_file(n: usize) -> String {
    format!("news-sitemap-{n}.xml")
}

/// The public URL of page `n` (from 1): beside the index.
pub fn page_url(feed: &Feed, n: usize) -> Option<Url> {
    feed.self_url(Format::NewsSitemap)
        .and_then(|u| u.join(&format!("./{}", page_file(n))).ok())
}

fn finish(mut writer: Writer<Vec<u8>>, done: io::Result<()>) -> Result<Vec<u8>, crate::Error> {
    done.map_err(|e| crate::Error::Render {
        format: Format::NewsSitemap,
        source: Box::new(e),
    })?;
    let mut out = std::mem::take(writer.get_mut());
    out.push(b'\n');
    Ok(out)
}

/// The `urlset` of page `n` (0: the one file when there is no index; else from 1).
pub fn render_page(feed: &Feed, n: usize) -> Result<Vec<u8>, crate::Error> {
    let stories: &[Entry] = if n == 0 {
        &feed.news
    } else {
        let start = (n - 1) * MAX_NEWS_URLS;
        let end = (start + MAX_NEWS_URLS).min(feed.news.len());
        feed.news.get(start..end).unwrap_or_default()
    };
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let done = write_urlset(&mut writer, &feed.title, stories);
    finish(writer, done)
}

fn write_urlset(w: &mut Writer<Vec<u8>>, name: &str, stories: &[Entry]) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("urlset")
        .with_attribute(("xmlns", SITEMAP_NS))
        .with_attribute(("xmlns:news", NEWS_NS))
        .write_inner_content(|w| {
            for entry in stories {
                write_url(w, name, entry)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_url(w: &mut Writer<Vec<u8>>, name: &str, entry: &Entry) -> io::Result<()> {
    w.create_element("url").write_inner_content(|w| {
        text(w, "loc", entry.url.as_str())?;
        w.create_element("news:news").write_inner_content(|w| {
            w.create_element("news:publication")
                .write_inner_content(|w| {
                    text(w, "news:name", name)?;
                    text(w, "news:language", &language(&entry.lang))
                })?;
            // The original publication time, on the dateline city's clock (W3C datetime).
            let date = entry.published.to_rfc3339_opts(SecondsFormat::Secs, true);
            text(w, "news:publication_date", &date)?;
            text(w, "news:title", &entry.title)
        })?;
        Ok(())
    })?;
    Ok(())
}

/// The `sitemapindex` naming every page.
pub fn render_index(feed: &Feed) -> Result<Vec<u8>, crate::Error> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let done = (|| {
        let w = &mut writer;
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("sitemapindex")
            .with_attribute(("xmlns", SITEMAP_NS))
            .write_inner_content(|w| {
                for n in 1..=pages(feed) {
                    let Some(url) = page_url(feed, n) else {
                        continue;
                    };
                    // The page changes when its newest story is published.
                    let start = (n - 1) * MAX_NEWS_URLS;
                    let newest = feed.news.get(start).map(|e| e.published);
                    w.create_element("sitemap").write_inner_content(|w| {
                        text(w, "loc", url.as_str())?;
                        if let Some(d) = newest {
                            text(w, "lastmod", &d.to_rfc3339_opts(SecondsFormat::Secs, true))?;
                        }
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
        Ok(())
    })();
    finish(writer, done)
}

/// ISO 639 code of a language tag: its primary subtag, lower-case (`ru`, `tg`, `en`).
pub fn language(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .to_ascii_lowercase()
}

/// An element holding only text, which quick-xml escapes.
fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::sample_feed;
    use super::*;

    fn check(bytes: &[u8]) {
        let report =
            crate::validate::check(bytes, &crate::validate::CheckOptions::default()).unwrap();
        assert_eq!(
            report.kind,
            Some(crate::validate::DocumentKind::Sitemap),
            "{}",
            String::from_utf8_lossy(bytes)
        );
        assert!(report.findings.is_empty(), "{:#?}", report.findings);
    }

    #[test]
    fn one_url_per_story_with_its_news() {
        let mut feed = sample_feed();
        feed.news = feed.entries.clone();
        let bytes = SitemapRenderer.render(&feed).unwrap();
        check(&bytes);
        let xml = String::from_utf8(bytes).unwrap();
        assert!(xml.contains(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">"#), "{xml}");
        assert_eq!(xml.matches("<news:news>").count(), 2);
        for part in [
            "<loc>https://e.org/news/2025/06/a/</loc>",
            "<news:name>Лента</news:name>",
            "<news:language>tg</news:language>",
            "<news:publication_date>2025-06-18T14:30:00+05:00</news:publication_date>",
            "<news:title>Заголовок &lt;b&gt;с&lt;/b&gt; &amp; знаками</news:title>",
        ] {
            assert!(xml.contains(part), "{part}: {xml}");
        }
    }

    #[test]
    fn an_empty_sitemap_is_still_a_urlset() {
        let bytes = SitemapRenderer.render(&sample_feed()).unwrap();
        check(&bytes);
        assert!(!String::from_utf8(bytes).unwrap().contains("<url>"));
    }

    #[test]
    fn more_than_a_thousand_stories_make_an_index_and_pages() {
        let mut feed = sample_feed();
        let first = feed.entries[0].clone();
        feed.news = (0..2001)
            .map(|i| Entry {
                url: Url::parse(&format!("https://e.org/n/{i}/")).unwrap(),
                ..first.clone()
            })
            .collect();
        assert_eq!(pages(&feed), 3);
        let index = SitemapRenderer.render(&feed).unwrap();
        check(&index);
        let xml = String::from_utf8(index).unwrap();
        assert!(xml.contains("<sitemapindex"), "{xml}");
        assert!(
            xml.contains("<loc>https://e.org/news-sitemap-3.xml</loc>"),
            "{xml}"
        );
        let sizes: Vec<usize> = (1..=3)
            .map(|n| {
                let page = render_page(&feed, n).unwrap();
                check(&page);
                String::from_utf8(page).unwrap().matches("<url>").count()
            })
            .collect();
        assert_eq!(sizes, [1000, 1000, 1]);
    }

    #[test]
    fn language_is_the_primary_subtag() {
        assert_eq!(language("ru"), "ru");
        assert_eq!(language("en-GB"), "en");
        assert_eq!(language("TG-Cyrl"), "tg");
    }
}
