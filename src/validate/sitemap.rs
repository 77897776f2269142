//! Sitemap rules (`sitemap.*`): the sitemaps.org 0.9 schemas (`urlset`, `sitemapindex`) and
//! Google's news extension (sitemap-news 0.9), encoded as checks.
//!
//! From the schemas: a `urlset` holds `url` elements, each with one `loc` (an absolute URL of
//! at most 2,048 characters) and optionally `lastmod` (W3C datetime), `changefreq`,
//! `priority`; a `sitemapindex` holds `sitemap` elements with `loc` and optional `lastmod`;
//! at most 50,000 of either per file. The news extension: at most one `news:news` per `url`,
//! holding `news:publication` (`news:name`, `news:language` matching `[a-z]{2,3}`, `zh-cn`
//! or `zh-tw`), `news:publication_date` (W3C datetime) and `news:title`; Google reads at most
//! 1,000 `news:news` per file.

use super::report::Sink;
use super::xml::{Document, Node};

/// Namespace of sitemaps (sitemaps.org 0.9).
pub(crate) const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// Namespace of Google's news extension.
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

/// Longest `loc` the schema allows.
const MAX_LOC: usize = 2048;
/// Shortest `loc` the schema allows (`tLoc` minLength).
const MIN_LOC: usize = 12;
/// Most `url` (or `sitemap`) elements in one file.
const MAX_URLS: usize = 50_000;
/// Most `news:news` elements Google reads in one file.
const MAX_NEWS: usize = 1000;

/// The `url` children the schema defines, besides extensions in other namespaces.
const URL_CHILDREN: &[&str] = &["loc", "lastmod", "changefreq", "priority"];
/// `changefreq` values of the schema.
const CHANGEFREQ: &[&str] = &[
    "always", "hourly", "daily", "weekly", "monthly", "yearly", "never",
];

/// Whether the root is a sitemap: `urlset` or `sitemapindex` in the sitemap namespace.
pub(crate) fn is_sitemap(root: Node<'_, '_>) -> bool {
    root.is(Some(SITEMAP_NS), "urlset") || root.is(Some(SITEMAP_NS), "sitemapindex")
}

/// Applies the `sitemap.*` rules to a document whose root is a sitemap.
pub(crate) fn check(doc: &Document<'_>, root: usize, sink: &mut Sink) {
    let Some(top) = doc.get(root) else { return };
    let index = top.local() == "sitemapindex";
    let entry = if index { "sitemap" } else { "url" };
    let mut entries = 0;
    let mut news = 0;
    for (id, child) in doc.children(root) {
        if !child.is(Some(SITEMAP_NS), entry) {
            sink.at(
                "sitemap.shape",
                child.pos(),
                format!(
                    "<{}> holds only <{entry}> elements, not <{}>",
                    top.local(),
                    child.qname()
                ),
            );
            continue;
        }
        entries += 1;
        news += check_entry(doc, id, child, index, sink);
    }
    if entries > MAX_URLS {
        sink.at(
            "sitemap.limit",
            top.pos(),
            format!("{entries} <{entry}> elements; a sitemap file holds at most {MAX_URLS}"),
        );
    }
    if news > MAX_NEWS {
        sink.at(
            "sitemap.limit",
            top.pos(),
            format!("{news} <news:news> elements; Google reads at most {MAX_NEWS} per sitemap: split it and list the files in a sitemap index"),
        );
    }
}

/// Checks one `url` (or `sitemap`) and returns how many `news:news` it holds.
fn check_entry(
    doc: &Document<'_>,
    id: usize,
    el: Node<'_, '_>,
    index: bool,
    sink: &mut Sink,
) -> usize {
    let mut locs = 0;
    let mut news = 0;
    for (cid, c) in doc.children(id) {
        match (c.ns(), c.local()) {
            (Some(SITEMAP_NS), "loc") => {
                locs += 1;
                check_loc(c, sink);
            }
            (Some(SITEMAP_NS), "lastmod") => check_date(c, sink),
            (Some(SITEMAP_NS), "changefreq")
                if !index && !CHANGEFREQ.contains(&c.trimmed_text().as_ref()) =>
            {
                sink.at(
                    "sitemap.shape",
                    c.pos(),
                    format!(
                        "<changefreq> '{}' is not one of {}",
                        c.trimmed_text(),
                        CHANGEFREQ.join(", ")
                    ),
                );
            }
            (Some(SITEMAP_NS), "priority")
                if !index
                    && !c
                        .trimmed_text()
                        .parse::<f64>()
                        .is_ok_and(|p| (0.0..=1.0).contains(&p)) =>
            {
                sink.at(
                    "sitemap.shape",
                    c.pos(),
                    format!(
                        "<priority> '{}' is not a number from 0.0 to 1.0",
                        c.trimmed_text()
                    ),
                );
            }
            (Some(SITEMAP_NS), "changefreq" | "priority") if !index => {}
            (Some(NEWS_NS), "news") if !index => {
                news += 1;
                if news == 2 {
                    sink.at(
                        "sitemap.news.count",
                        c.pos(),
                        "a <url> holds at most one <news:news>".into(),
                    );
                }
                check_news(doc, cid, c, sink);
            }
            (Some(SITEMAP_NS), other) => {
                let allowed = if index {
                    &["loc", "lastmod"][..]
                } else {
                    URL_CHILDREN
                };
                let why = if allowed.contains(&other) {
                    "more than once or"
                } else {
                    ""
                };
                sink.at(
                    "sitemap.shape",
                    c.pos(),
                    format!("<{other}> is {why} not allowed in <{}>", el.local()),
                );
            }
            // Extensions (news, image, video…) live in their own namespaces.
            _ => {}
        }
    }
    if locs != 1 {
        sink.at(
            "sitemap.loc",
            el.pos(),
            format!("<{}> needs exactly one <loc>, has {locs}", el.local()),
        );
    }
    news
}

fn check_loc(loc: Node<'_, '_>, sink: &mut Sink) {
    let text = loc.trimmed_text();
    let len = text.chars().count();
    let web = url::Url::parse(&text)
        .ok()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    if !web {
        sink.at(
            "sitemap.loc",
            loc.pos(),
            format!("<loc> '{text}' is not an absolute http(s) URL"),
        );
    } else if !(MIN_LOC..=MAX_LOC).contains(&len) {
        sink.at(
            "sitemap.loc",
            loc.pos(),
            format!("<loc> is {len} characters; the schema allows {MIN_LOC} to {MAX_LOC}"),
        );
    }
}

fn check_news(doc: &Document<'_>, id: usize, news: Node<'_, '_>, sink: &mut Sink) {
    let need = |parent: usize, pnode: Node<'_, '_>, name: &'static str, sink: &mut Sink| {
        need(doc, parent, pnode, name, sink)
    };
    let publication = doc
        .children_named(id, Some(NEWS_NS), "publication")
        .collect::<Vec<_>>();
    match publication.as_slice() {
        [(pid, p)] => {
            need(*pid, *p, "name", sink);
            if let Some(lang) = need(*pid, *p, "language", sink) {
                let l = lang.trimmed_text();
                if !is_news_language(&l) {
                    sink.at(
                        "sitemap.news.language",
                        lang.pos(),
                        format!("<news:language> '{l}' is not an ISO 639 code (two or three lower-case letters, or zh-cn, zh-tw)"),
                    );
                }
            }
        }
        [] => sink.at(
            "sitemap.news.required",
            news.pos(),
            "<news:news> has no <news:publication>".into(),
        ),
        [_, (_, second), ..] => sink.at(
            "sitemap.news.required",
            second.pos(),
            "<news:news> holds <news:publication> more than once".into(),
        ),
    }
    if let Some(date) = need(id, news, "publication_date", sink) {
        check_date(date, sink);
    }
    need(id, news, "title", sink);
}

/// The one non-empty `news:NAME` child of `parent`, else a `sitemap.news.required` finding.
fn need<'d, 't>(
    doc: &'d Document<'t>,
    parent: usize,
    pnode: Node<'_, '_>,
    name: &'static str,
    sink: &mut Sink,
) -> Option<Node<'d, 't>> {
    let found: Vec<_> = doc.children_named(parent, Some(NEWS_NS), name).collect();
    match found.as_slice() {
        [(_, one)] if !one.trimmed_text().is_empty() => Some(*one),
        [] => {
            sink.at(
                "sitemap.news.required",
                pnode.pos(),
                format!("<{}> has no <news:{name}>", pnode.qname()),
            );
            None
        }
        [(_, one)] => {
            sink.at(
                "sitemap.news.required",
                one.pos(),
                format!("<news:{name}> is empty"),
            );
            None
        }
        [_, (_, second), ..] => {
            sink.at(
                "sitemap.news.required",
                second.pos(),
                format!("<{}> holds <news:{name}> more than once", pnode.qname()),
            );
            None
        }
    }
}

/// The schema's `news:language` pattern: `([a-z]{2,3})|zh-cn|zh-tw`.
fn is_news_language(l: &str) -> bool {
    l == "zh-cn"
        || l == "zh-tw"
        || ((2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase()))
}

fn check_date(el: Node<'_, '_>, sink: &mut Sink) {
    let text = el.trimmed_text();
    if !is_w3c_datetime(&text) {
        sink.at(
            "sitemap.date",
            el.pos(),
            format!(
                "<{}> '{text}' is not a W3C datetime (YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.s]]TZD)",
                el.qname()
            ),
        );
    }
}

/// A W3C datetime (the profile of ISO 8601 sitemaps use): `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or
/// a date with `Thh:mm`, optional seconds and fraction, and a zone (`Z` or `±hh:mm`).
pub(crate) fn is_w3c_datetime(s: &str) -> bool {
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let date_ok = match parts.as_slice() {
        [y] => digits(y, 4) && time.is_none(),
        [y, m] => digits(y, 4) && digits(m, 2) && time.is_none(),
        [y, m, d] => {
            digits(y, 4)
                && digits(m, 2)
                && digits(d, 2)
                && chrono::NaiveDate::from_ymd_opt(
                    y.parse().unwrap_or(0),
                    m.parse().unwrap_or(0),
                    d.parse().unwrap_or(0),
                )
                .is_some()
        }
        _ => false,
    };
    if !date_ok {
        return false;
    }
    let Some(time) = time else { return true };
    let (clock, zone) = if let Some(c) = time.strip_suffix('Z') {
        (c, None)
    } else {
        match time.rfind(['+', '-']) {
            Some(i) => (&time[..i], Some(&time[i + 1..])),
            None => return false,
        }
    };
    let zone_ok = zone.is_none_or(|z| {
        matches!(z.split_once(':'), Some((h, m)) if digits(h, 2) && digits(m, 2)
            && h < "24" && m < "60")
    });
    let (hm, frac) = match clock.split_once('.') {
        Some((hm, f)) => (hm, Some(f)),
        None => (clock, None),
    };
    let fields: Vec<&str> = hm.split(':').collect();
    let clock_ok = match fields.as_slice() {
        [h, m] => digits(h, 2) && digits(m, 2) && *h < "24" && *m < "60" && frac.is_none(),
        [h, m, sec] => {
            digits(h, 2)
                && digits(m, 2)
                && digits(sec, 2)
                && *h < "24"
                && *m < "60"
                && *sec < "61"
                && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => false,
    };
    zone_ok && clock_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w3c_datetimes() {
        for ok in [
            "2025",
            "2025-06",
            "2025-06-18",
            "2025-06-18T14:30+05:00",
            "2025-06-18T14:30:00Z",
            "2025-06-18T14:30:00.25-03:30",
        ] {
            assert!(is_w3c_datetime(ok), "{ok}");
        }
        for bad in [
            "",
            "18.06.2025",
            "2025-6-18",
            "2025-02-30",
            "2025-06-18T14:30",
            "2025-06-18T25:00Z",
            "2025-06-18 14:30:00Z",
            "2025-06-18T14:30:00+0500",
            "2025-06T14:30Z",
            "Wed, 18 Jun 2025 14:30:00 +0500",
        ] {
            assert!(!is_w3c_datetime(bad), "{bad}");
        }
    }

    #[test]
    fn news_languages() {
        for ok in ["ru", "tg", "en", "fil", "zh-cn", "zh-tw"] {
            assert!(is_news_language(ok), "{ok}");
        }
        for bad in ["", "r", "RU", "en-GB", "russian", "zh-hk"] {
            assert!(!is_news_language(bad), "{bad}");
        }
    }

    #[test]
    fn loc_lengths_follow_the_schema() {
        let urlset = |loc: &str| {
            format!("<urlset xmlns=\"{SITEMAP_NS}\"><url><loc>{loc}</loc></url></urlset>")
        };
        let codes = |text: String| -> Vec<&'static str> {
            crate::validate::check(text.as_bytes(), &Default::default())
                .unwrap()
                .findings
                .iter()
                .map(|f| f.code)
                .collect()
        };
        let long = format!("https://e.org/{}", "a".repeat(2048 - 14));
        assert!(codes(urlset(&long)).is_empty());
        assert_eq!(codes(urlset(&format!("{long}a"))), ["sitemap.loc"]);
        assert!(codes(urlset("https://e.o/")).is_empty());
        assert_eq!(codes(urlset("http://e.o/")), ["sitemap.loc"]);
        assert_eq!(codes(urlset("mailto:a@e.org")), ["sitemap.loc"]);
    }
}
