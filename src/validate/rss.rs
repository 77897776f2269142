//! RSS 2.0 rules, after the RSS Advisory Board specification (2.0.11) and
//! its best-practices profile. Only the channel/item structure the spec
//! defines is walked, so the checks are fixed-depth lookups.

use super::date::{parse_rfc822, Rfc822Error};
use super::html::check_html;
use super::media;
use super::report::Sink;
use super::scheme;
use super::xml::{Document, Node};
use super::{is_absolute_url, is_language_tag, CheckOptions, ATOM_NS};
use chrono::{DateTime, FixedOffset};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

const CONTENT_NS: &str = "http://purl.org/rss/1.0/modules/content/";

/// Namespaces whose elements mainstream readers understand (by URI, since a
/// prefix is only a local alias).
const KNOWN_NS: &[&str] = &[
    CONTENT_NS,
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/dc/terms/",
    ATOM_NS,
    "http://search.yahoo.com/mrss/",
    "http://search.yahoo.com/mrss",
    "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "https://podcastindex.org/namespace/1.0",
    "http://purl.org/rss/1.0/modules/syndication/",
    "http://purl.org/rss/1.0/modules/slash/",
    "http://wellformedweb.org/CommentAPI/",
    "http://www.georss.org/georss",
    "http://www.google.com/schemas/play-podcasts/1.0",
    "http://backend.userland.com/creativeCommonsRssModule",
    "http://rssnamespace.org/feedburner/ext/1.0",
    // RFC 5005 feed history (`fh:archive`); `feed::history::FH_NS`, spelt out since the
    // validator sits below the feed model.
    "http://purl.org/syndication/history/1.0",
    // Feedly's branding (`webfeeds:icon`, `logo`, `accentColor`) and Yandex's news elements.
    "http://webfeeds.org/rss/1.0",
    super::yandex::YANDEX_NS,
];

const DAY_NAMES: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

struct Ctx<'a> {
    doc: &'a Document<'a>,
    opts: &'a CheckOptions,
}

impl Ctx<'_> {
    /// Checks an RFC 822 date element; returns the parsed date when valid.
    fn date(&self, el: Node<'_, '_>, sink: &mut Sink) -> Option<DateTime<FixedOffset>> {
        let text = el.text();
        let v = text.trim();
        match parse_rfc822(v) {
            Ok(d) => {
                if let Some(now) = self.opts.now {
                    if d > now {
                        sink.at(
                            "date.future",
                            el.pos(),
                            format!("<{}> {v} is in the future", el.local()),
                        );
                    }
                }
                Some(d)
            }
            Err(Rfc822Error::Format(m)) => {
                sink.at(
                    "rss.date.format",
                    el.pos(),
                    format!("<{}> '{v}' is not an RFC 822 date: {m}", el.local()),
                );
                None
            }
            Err(Rfc822Error::DayName { found, expected }) => {
                sink.at(
                    "rss.date.dayname",
                    el.pos(),
                    format!(
                        "<{}> '{v}' says {found} but that date is a {expected}",
                        el.local()
                    ),
                );
                None
            }
        }
    }

    /// A link held as element text: an http(s) scheme (`url.scheme`), else
    /// absolute (`rss.url.relative`).
    fn url(&self, el: Node<'_, '_>, what: &str, sink: &mut Sink) {
        let text = el.text();
        if scheme::check_link(&text, what, el.pos(), sink) {
            return;
        }
        let v = text.trim();
        if !is_absolute_url(v) {
            sink.at(
                "rss.url.relative",
                el.pos(),
                format!("{what} '{v}' must be an absolute URL"),
            );
        }
    }
}

/// Applies the RSS rules to a document whose root is `<rss>`.
pub(crate) fn check(doc: &Document<'_>, root: usize, opts: &CheckOptions, sink: &mut Sink) {
    let cx = Ctx { doc, opts };
    let Some(rss) = doc.get(root) else { return };
    match rss.attr("version") {
        Some(a) if a.value().trim() == "2.0" => {}
        Some(a) => sink.at(
            "rss.version",
            a.pos(),
            format!("version=\"{}\" is not 2.0", a.value()),
        ),
        None => sink.at(
            "rss.version",
            rss.pos(),
            "<rss> has no version attribute (must be version=\"2.0\")".into(),
        ),
    }
    let Some((chan_id, chan)) = doc.children_named(root, None, "channel").next() else {
        sink.at(
            "rss.channel.required",
            rss.pos(),
            "<rss> has no <channel>".into(),
        );
        return;
    };
    for req in ["title", "link", "description"] {
        if doc.child(chan_id, None, req).is_none() {
            sink.at(
                "rss.channel.required",
                chan.pos(),
                format!("<channel> is missing the required <{req}>"),
            );
        }
    }
    check_every_element(doc, sink);
    super::w3c::rss(doc, root, sink);
    let mut channel = Channel {
        has_self: false,
        has_lang: chan.lang().is_some(),
        last_build: None,
        newest_item: None,
        guids: HashMap::new(),
    };
    for (cid, c) in doc.children(chan_id) {
        channel.child(&cx, cid, c, sink);
    }
    channel.finish(chan, sink);
}

/// The rules that hold for an element wherever it is: atom:link schemes,
/// media (Media RSS, atom:link type and length) and namespaces readers do
/// not know.
fn check_every_element(doc: &Document<'_>, sink: &mut Sink) {
    // Unknown namespaces: once per URI, at its first element.
    let mut seen_ns = HashSet::new();
    // Element ids are positions in document order, as `nodes` yields them.
    for (id, el) in doc.nodes().enumerate() {
        media::check_element(doc, id, sink);
        // Readers follow atom:link wherever it is (channel, item, source).
        if el.is(Some(ATOM_NS), "link") {
            if let Some(href) = el.attr("href") {
                scheme::check_link(href.value(), "<atom:link href>", href.pos(), sink);
                if el.attr("rel").is_some_and(|r| r.value().trim() == "hub") {
                    scheme::check_hub(
                        href.value(),
                        "<atom:link rel=\"hub\" href>",
                        href.pos(),
                        sink,
                    );
                }
            }
        }
        if let Some(ns) = el.ns() {
            if !KNOWN_NS.contains(&ns) && seen_ns.insert(ns) {
                sink.at(
                    "rss.namespace.unknown",
                    el.pos(),
                    format!("<{}> is from namespace {ns}, which feed readers are unlikely to understand", el.qname()),
                );
            }
        }
    }
}

/// What the children of `<channel>` tell about the feed as a whole, for
/// the rules that can only be judged once all of them are read.
struct Channel<'t> {
    has_self: bool,
    has_lang: bool,
    last_build: Option<(DateTime<FixedOffset>, (usize, usize))>,
    newest_item: Option<DateTime<FixedOffset>>,
    /// Keyed by the guid as borrowed from the source (no copy per item),
    /// with the element id of its first use.
    guids: HashMap<Cow<'t, str>, usize>,
}

impl<'t> Channel<'t> {
    /// Checks the child `c` (id `cid`) of `<channel>`.
    fn child(&mut self, cx: &Ctx<'t>, cid: usize, c: Node<'_, 't>, sink: &mut Sink) {
        let doc = cx.doc;
        match (c.ns(), c.local()) {
            (None, "link") => cx.url(c, "<link>", sink),
            (None, "language") => {
                self.has_lang = true;
                check_language(c, sink);
            }
            (None, "pubDate") => {
                cx.date(c, sink);
            }
            (None, "lastBuildDate") => {
                if let Some(d) = cx.date(c, sink) {
                    self.last_build = Some((d, c.pos()));
                }
            }
            (None, "ttl") => check_ttl(c, sink),
            (None, "skipHours") => check_skip_hours(doc, cid, sink),
            (None, "skipDays") => check_skip_days(doc, cid, sink),
            (None, "image") => {
                if let Some(u) = doc.child(cid, None, "url") {
                    cx.url(u, "<image><url>", sink);
                }
                if let Some(l) = doc.child(cid, None, "link") {
                    cx.url(l, "<image><link>", sink);
                }
            }
            (None, "textInput") => {
                if let Some(l) = doc.child(cid, None, "link") {
                    scheme::check_link(&l.text(), "<textInput><link>", l.pos(), sink);
                }
            }
            (Some(ATOM_NS), "link")
                if c.attr("rel").is_some_and(|r| r.value().trim() == "self") =>
            {
                self.has_self = true;
                check_self_type(c, sink);
            }
            (None, "item") => {
                if let Some(d) = check_item(cx, cid, c, &mut self.guids, sink) {
                    self.newest_item = Some(self.newest_item.map_or(d, |n| n.max(d)));
                }
            }
            _ => {}
        }
    }

    /// The rules on what the channel's children said, or did not say.
    fn finish(&self, chan: Node<'_, '_>, sink: &mut Sink) {
        if !self.has_self {
            sink.at(
                "rss.self.missing",
                chan.pos(),
                "<channel> has no <atom:link rel=\"self\" type=\"application/rss+xml\" href=\"...\"/>"
                    .into(),
            );
        }
        if !self.has_lang {
            sink.at(
                "feed.lang.missing",
                chan.pos(),
                "<channel> has no <language>".into(),
            );
        }
        if let (Some((lb, pos)), Some(newest)) = (self.last_build, self.newest_item) {
            if lb < newest {
                sink.at(
                    "feed.updated.stale",
                    pos,
                    format!(
                        "<lastBuildDate> {} is older than the newest item pubDate {}",
                        lb.to_rfc2822(),
                        newest.to_rfc2822()
                    ),
                );
            }
        }
    }
}

fn check_language(c: Node<'_, '_>, sink: &mut Sink) {
    let text = c.text();
    let v = text.trim();
    if !is_language_tag(v) {
        sink.at(
            "rss.language",
            c.pos(),
            format!("'{v}' is not a language tag (e.g. en-us)"),
        );
    }
}

fn check_ttl(c: Node<'_, '_>, sink: &mut Sink) {
    let text = c.text();
    let v = text.trim();
    if v.parse::<u64>().is_err() {
        sink.at(
            "rss.ttl",
            c.pos(),
            format!("<ttl> '{v}' is not a non-negative integer (minutes)"),
        );
    }
}

fn check_skip_hours(doc: &Document<'_>, cid: usize, sink: &mut Sink) {
    for (_, h) in doc.children_named(cid, None, "hour") {
        let text = h.text();
        let v = text.trim();
        if !v.parse::<u8>().is_ok_and(|n| n <= 23) {
            sink.at(
                "rss.skiphours",
                h.pos(),
                format!("<hour> '{v}' is not an hour 0-23"),
            );
        }
    }
}

fn check_skip_days(doc: &Document<'_>, cid: usize, sink: &mut Sink) {
    for (_, d) in doc.children_named(cid, None, "day") {
        let text = d.text();
        let v = text.trim();
        if !DAY_NAMES.contains(&v) {
            sink.at(
                "rss.skipdays",
                d.pos(),
                format!("<day> '{v}' is not one of Monday ... Sunday"),
            );
        }
    }
}

/// The type of the channel's `<atom:link rel="self">`: readers that
/// follow it expect the RSS media type.
fn check_self_type(c: Node<'_, '_>, sink: &mut Sink) {
    match c.attr("type") {
        Some(t) if t.value().trim() == "application/rss+xml" => {}
        Some(t) => sink.at(
            "rss.self.type",
            t.pos(),
            format!(
                "self link type=\"{}\" should be application/rss+xml",
                t.value()
            ),
        ),
        None => sink.at(
            "rss.self.type",
            c.pos(),
            "self link has no type; it should be type=\"application/rss+xml\"".into(),
        ),
    }
}

/// Checks one `<item>`; returns its pubDate when valid.
fn check_item<'t>(
    cx: &Ctx<'t>,
    id: usize,
    item: Node<'_, 't>,
    guids: &mut HashMap<Cow<'t, str>, usize>,
    sink: &mut Sink,
) -> Option<DateTime<FixedOffset>> {
    let doc = cx.doc;
    if doc.child(id, None, "title").is_none() && doc.child(id, None, "description").is_none() {
        sink.at(
            "rss.item.title-or-description",
            item.pos(),
            "<item> needs a <title> or a <description>".into(),
        );
    }
    let mut pub_date = None;
    for (cid, c) in doc.children(id) {
        match (c.ns(), c.local()) {
            (None, "link") => cx.url(c, "<link>", sink),
            (None, "comments") => cx.url(c, "<comments>", sink),
            (None, "pubDate") => pub_date = cx.date(c, sink),
            (None, "guid") => check_guid(doc, cid, c, guids, sink),
            (None, "source") => check_source(c, sink),
            (None, "author") => check_author(c, sink),
            (None, "enclosure") => check_enclosure(c, sink),
            (None, "description") => check_html(&c.text(), c.base(), c.pos(), sink),
            (Some(CONTENT_NS), "encoded") => {
                if c.text().trim().is_empty() {
                    sink.at(
                        "rss.content.empty",
                        c.pos(),
                        "<content:encoded> is empty; omit it or fill it".into(),
                    );
                } else {
                    check_html(&c.text(), c.base(), c.pos(), sink);
                }
            }
            _ => {}
        }
    }
    pub_date
}

/// A `<guid>` (id `cid`): a permalink must be an absolute http(s) URL, and
/// no two items may share one; `guids` holds those seen so far.
fn check_guid<'t>(
    doc: &Document<'_>,
    cid: usize,
    c: Node<'_, 't>,
    guids: &mut HashMap<Cow<'t, str>, usize>,
    sink: &mut Sink,
) {
    let guid = c.trimmed_text();
    let v = &*guid;
    let permalink = c
        .attr("isPermaLink")
        .is_none_or(|a| a.value().trim() == "true");
    let bad_scheme = if permalink {
        scheme::check_link(v, "permalink <guid>", c.pos(), sink)
    } else {
        scheme::check_id(v, "<guid>", c.pos(), sink)
    };
    if permalink && !bad_scheme && !is_absolute_url(v) {
        let why = if c.attr("isPermaLink").is_none() {
            " (isPermaLink defaults to true; add isPermaLink=\"false\" for an opaque id)"
        } else {
            ""
        };
        sink.at(
            "rss.guid.permalink",
            c.pos(),
            format!("permalink <guid> '{v}' is not an absolute URL{why}"),
        );
    }
    if let Some(first) = guids.get(v).and_then(|&f| doc.get(f)) {
        sink.at(
            "rss.guid.duplicate",
            c.pos(),
            format!("<guid> '{v}' already used at line {}", first.pos().0),
        );
    } else {
        guids.insert(guid, cid);
    }
}

fn check_source(c: Node<'_, '_>, sink: &mut Sink) {
    match c.attr("url") {
        None => sink.at(
            "rss.source.url",
            c.pos(),
            "<source> requires a url attribute".into(),
        ),
        Some(u) => {
            if !scheme::check_link(u.value(), "<source url>", u.pos(), sink)
                && !is_absolute_url(u.value())
            {
                sink.at(
                    "rss.url.relative",
                    u.pos(),
                    format!("<source url=\"{}\"> must be an absolute URL", u.value()),
                );
            }
        }
    }
}

fn check_author(c: Node<'_, '_>, sink: &mut Sink) {
    let text = c.text();
    let v = text.trim();
    if !has_email(v) {
        sink.at(
            "rss.author.email",
            c.pos(),
            format!(
                "<author> '{v}' must contain an e-mail address (use dc:creator for a plain name)"
            ),
        );
    }
}

/// An `<enclosure>` needs all three of url, length and type for a
/// podcast client to fetch it.
fn check_enclosure(c: Node<'_, '_>, sink: &mut Sink) {
    let mut missing = Vec::new();
    for a in ["url", "length", "type"] {
        if c.attr(a).is_none_or(|v| v.value().trim().is_empty()) {
            missing.push(a);
        }
    }
    if !missing.is_empty() {
        sink.at(
            "rss.enclosure.required",
            c.pos(),
            format!("<enclosure> is missing {}", missing.join(", ")),
        );
    }
    if let Some(l) = c.attr("length").filter(|l| !l.value().trim().is_empty()) {
        if l.value().trim().parse::<u64>().is_err() {
            sink.at(
                "rss.enclosure.required",
                l.pos(),
                format!("<enclosure length=\"{}\"> must be a byte count", l.value()),
            );
        }
    }
    if let Some(t) = c.attr("type").filter(|t| !t.value().trim().is_empty()) {
        media::check_type(t.value(), "<enclosure type>", t.pos(), sink);
    }
    if let Some(u) = c.attr("url").filter(|u| !u.value().trim().is_empty()) {
        if !scheme::check_link(u.value(), "<enclosure url>", u.pos(), sink)
            && !is_absolute_url(u.value())
        {
            sink.at(
                "rss.url.relative",
                u.pos(),
                format!("<enclosure url=\"{}\"> must be an absolute URL", u.value()),
            );
        }
    }
}

/// True when `s` contains something shaped like `local@domain.tld`.
pub(crate) fn has_email(s: &str) -> bool {
    s.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | ','))
        .any(|w| match w.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            }
            None => false,
        })
}

#[cfg(test)]
mod tests {
    use super::has_email;

    #[test]
    fn emails() {
        assert!(has_email("jane@example.com (Jane Doe)"));
        assert!(has_email("Jane Doe <jane@example.com>"));
        assert!(!has_email("Jane Doe"));
        assert!(!has_email("@example.com"));
        assert!(!has_email("jane@localhost"));
    }
}
