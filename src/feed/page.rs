//! STUB (replaced by the page branch).
#![allow(missing_docs)]
use super::{Feed, Format};
use url::Url;
pub struct Page<'a> { pub feed: &'a Feed, pub url: Url, pub feeds: Vec<FeedLink>, pub root_feeds: Vec<FeedLink>, pub languages: Vec<PageLink>, pub opml: Option<Url> }
pub struct FeedLink { pub format: Format, pub url: Url, pub title: String }
pub struct PageLink { pub lang: String, pub label: String, pub url: Url, pub current: bool }
pub fn render(page: &Page<'_>) -> Vec<u8> { format!("<!DOCTYPE html><title>{}</title>\n", page.feed.entries.len()).into_bytes() }
